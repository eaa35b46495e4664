#include "host/report/plot.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <unistd.h>

namespace mind1024::host {

namespace {
std::string quote(const std::string& s) {
    std::string o = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        o += c;
    }
    return o + "\"";
}
}  // namespace

bool plot_png(const std::string& png_path, const PlotSpec& spec) {
    const std::string dat = fmt::format("{}.{}.dat", png_path, ::getpid());
    const std::string tmp_png = fmt::format("{}.tmp.{}.png", png_path, ::getpid());
    {
        std::ofstream d(dat);
        for (const Series& s : spec.series) {
            for (size_t k = 0; k < s.x.size(); ++k) d << s.x[k] << ' ' << s.y[k] << '\n';
            d << "\n\n";  // gnuplot data block separator
        }
    }
    std::string script = fmt::format("set terminal pngcairo size 900,600 font 'sans,11'\nset output {}\n", quote(tmp_png));
    script += fmt::format("set title {}\nset xlabel {}\nset ylabel {}\nset grid\nset key {}\n",
                          quote(spec.title), quote(spec.xlabel), quote(spec.ylabel), spec.key);
    if (spec.logx) script += fmt::format("set logscale x {}\n", spec.log_base);
    if (spec.logx && spec.log_base == 10) script += "set format x '10^{%L}'\n";
    if (spec.ymin != spec.ymax) script += fmt::format("set yrange [{}:{}]\n", spec.ymin, spec.ymax);
    int arrow = 1;
    for (const auto& [x, label] : spec.vertical_marks) {
        script += fmt::format("set arrow {} from {},graph 0 to {},graph 1 nohead dt 2 lc rgb 'gray40'\n", arrow, x, x);
        script += fmt::format("set label {} {} at {},graph 0.95 rotate by 90 right font ',9'\n", arrow++, quote(label), x);
    }
    script += "plot ";
    for (size_t k = 0; k < spec.series.size(); ++k) {
        const Series& s = spec.series[k];
        std::string style = s.color > 0 ? fmt::format(" lc {}", s.color) : "";
        if (s.dashed) style += " dt 2";
        script += fmt::format("{}{} index {} with {} lw 2{} title {}", k ? ", " : "", quote(dat), k,
                              s.points ? "linespoints" : "lines", style, quote(s.title));
    }
    script += "\n";
    FILE* gp = ::popen("gnuplot 1>&2", "w");  // its messages belong on stderr, with ours
    bool ok = gp != nullptr;
    if (gp) {
        std::fputs(script.c_str(), gp);
        ok = ::pclose(gp) == 0;
    }
    std::error_code ec;
    if (ok && std::filesystem::exists(tmp_png)) {
        std::filesystem::rename(tmp_png, png_path, ec);
        ok = !ec;
    } else {
        ok = false;
    }
    std::filesystem::remove(dat, ec);
    std::filesystem::remove(tmp_png, ec);
    if (!ok) std::fprintf(stderr, "warning: gnuplot could not draw %s (is gnuplot installed?)\n", png_path.c_str());
    return ok;
}

}  // namespace mind1024::host
