#include "host/report/plot.h"

#include <algorithm>
#include <cmath>
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
        if (c == '\n') {  // gnuplot breaks the line at \n in a double-quoted string
            o += "\\n";
            continue;
        }
        if (c == '"' || c == '\\') o += '\\';
        o += c;
    }
    return o + "\"";
}
// Runs the script, then puts the picture in place; the data file goes either way.
bool run_gnuplot(const std::string& script, const std::string& dat, const std::string& tmp_png,
                 const std::string& png_path) {
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
        const std::string with = !s.with.empty() ? s.with : s.points ? "linespoints" : "lines";
        script += fmt::format("{}{} index {} with {} lw 2{} title {}", k ? ", " : "", quote(dat), k, with, style,
                              quote(s.title));
    }
    script += "\n";
    return run_gnuplot(script, dat, tmp_png, png_path);
}

bool matrix_png(const std::string& png_path, const MatrixSpec& m) {
    const std::string dat = fmt::format("{}.{}.dat", png_path, ::getpid());
    const std::string tmp_png = fmt::format("{}.tmp.{}.png", png_path, ::getpid());
    const size_t R = m.row_labels.size(), C = m.col_labels.size();
    double top = 0;
    for (double v : m.values) top = std::max(top, v);
    {
        std::ofstream d(dat);  // x = column, y = row, value
        for (size_t r = 0; r < R; ++r)
            for (size_t c = 0; c < C; ++c) d << c << ' ' << r << ' ' << m.values[r * C + c] << '\n';
    }
    const int side = static_cast<int>(std::max<size_t>(R, C) * 56 + 200);
    std::string script = fmt::format("set terminal pngcairo size {},{} font 'sans,11'\nset output {}\n", side + 120, side,
                                     quote(tmp_png));
    script += fmt::format("set title {}\nset xlabel {}\nset ylabel {}\nset cblabel {}\n", quote(m.title),
                          quote(m.xlabel), quote(m.ylabel), quote(m.value_label));
    script += fmt::format("set xrange [-0.5:{}]\nset yrange [{}:-0.5]\nset size square\nunset key\n", C - 0.5, R - 0.5);
    std::string xt, yt;
    for (size_t c = 0; c < C; ++c) xt += fmt::format("{}{} {}", c ? ", " : "", quote(m.col_labels[c]), c);
    for (size_t r = 0; r < R; ++r) yt += fmt::format("{}{} {}", r ? ", " : "", quote(m.row_labels[r]), r);
    script += fmt::format("set xtics ({}) scale 0\nset ytics ({}) scale 0\n", xt, yt);
    // Square root colour scale: the diagonal dominates, the errors still show.
    script += fmt::format("set palette defined (0 'white', 1 '#2060c0')\nset cbrange [0:{}]\n", std::sqrt(std::max(top, 1.0)));
    script += fmt::format("set cbtics ({})\n", [&] {
        std::string t;
        for (double v : {0.0, top / 16, top / 4, top}) t += fmt::format("{}\"{:.0f}\" {}", t.empty() ? "" : ", ", v, std::sqrt(v));
        return t;
    }());
    script += fmt::format("plot {0} using 1:2:(sqrt($3)) with image, {0} using 1:2:(sprintf('%d', $3)):"
                          "($3 > {1} ? 0xFFFFFF : 0x000000) with labels tc rgb variable font ',10'\n",
                          quote(dat), top / 4);
    return run_gnuplot(script, dat, tmp_png, png_path);
}

bool image_grid_png(const std::string& png_path, const GreyImage& grid, const ImageGridSpec& spec) {
    const std::string dat = fmt::format("{}.{}.dat", png_path, ::getpid());
    const std::string tmp_png = fmt::format("{}.tmp.{}.png", png_path, ::getpid());
    {
        std::ofstream d(dat, std::ios::binary);
        d.write(reinterpret_cast<const char*>(grid.pixels.data()), static_cast<std::streamsize>(grid.pixels.size()));
    }
    const size_t C = spec.col_labels.size(), R = spec.row_labels.size();
    const int W = grid.width, H = grid.height;
    // One screen pixel per image pixel, margins for the labels.
    const int left = 150, right = 40, top = 150, bottom = 30;
    std::string script = fmt::format("set terminal pngcairo size {},{} font 'sans,10'\nset output {}\n", W + left + right,
                                     H + top + bottom, quote(tmp_png));
    script += fmt::format("set title {} font ',12' offset 0,3.5\nunset key\nunset colorbox\nset palette grey\nset cbrange [0:255]\n",
                          quote(spec.title));
    script += fmt::format("set lmargin at screen {}\nset rmargin at screen {}\nset tmargin at screen {}\nset bmargin at screen {}\n",
                          double(left) / (W + left + right), double(left + W) / (W + left + right),
                          double(bottom + H) / (H + top + bottom), double(bottom) / (H + top + bottom));
    script += fmt::format("set xrange [0:{}]\nset yrange [{}:0]\nunset xtics\nunset ytics\n", W, H);
    std::string xt, yt;
    for (size_t c = 0; c < C; ++c) xt += fmt::format("{}{} {}", c ? ", " : "", quote(spec.col_labels[c]), (c + 0.5) * W / C);
    for (size_t r = 0; r < R; ++r) yt += fmt::format("{}{} {}", r ? ", " : "", quote(spec.row_labels[r]), (r + 0.5) * H / R);
    if (C) script += fmt::format("set x2range [0:{}]\nset x2tics ({}) scale 0 nomirror\n", W, xt);
    if (R) script += fmt::format("set ytics ({}) scale 0 nomirror\n", yt);
    script += fmt::format("plot {} binary array=({},{}) format='%uchar' with image\n", quote(dat), W, H);
    return run_gnuplot(script, dat, tmp_png, png_path);
}

}  // namespace mind1024::host
