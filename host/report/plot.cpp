#include "host/report/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fmt/format.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/report/output_file.h"

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
// Removes a file when the scope ends (the data file, a picture not put in place).
struct RemoveLater {
    std::string path;
    ~RemoveLater() {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
};

// A whole PNG: the signature first, the IEND chunk last (a picture cut short by a
// full disk has neither end).
bool whole_png(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::string b{std::istreambuf_iterator<char>(f), {}};
    static const char sig[] = "\x89PNG\r\n\x1a\n";
    static const char iend[] = "IEND\xae\x42\x60\x82";
    return b.size() >= 8 + 12 && b.compare(0, 8, sig, 8) == 0 && b.compare(b.size() - 8, 8, iend, 8) == 0;
}

// Writes the data file gnuplot reads; a ReportError naming it and the reason if it cannot.
void write_data(const std::string& dat, const std::string& png_path, const std::string& bytes) {
    std::FILE* f = std::fopen(dat.c_str(), "wb");
    if (!f) throw ReportError(fmt::format("{}: cannot write gnuplot's data file {}: {}", png_path, dat, std::strerror(errno)));
    const bool wrote = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size() && std::fflush(f) == 0;
    const int e = errno;
    if (std::fclose(f) != 0 || !wrote)
        throw ReportError(fmt::format("{}: cannot write gnuplot's data file {}: {}", png_path, dat,
                                      std::strerror(wrote ? errno : e)));
}

// Runs the script, then puts the picture in place; the data file goes either way.
// False (with a warning) only when gnuplot is not there; any other failure (the
// pipe, its exit status, a picture missing or cut short) is a ReportError.
bool run_gnuplot(const std::string& script, const std::string& dat, const std::string& tmp_png,
                 const std::string& png_path) {
    RemoveLater d{dat}, t{tmp_png};
    // A gnuplot that dies early must be an error here, not a SIGPIPE for us.
    struct sigaction ign {}, old {};
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    ::sigaction(SIGPIPE, &ign, &old);
    FILE* gp = ::popen("exec gnuplot 1>&2", "w");  // its messages belong on stderr, with ours
    if (!gp) {
        ::sigaction(SIGPIPE, &old, nullptr);
        throw ReportError(fmt::format("{}: cannot start gnuplot: {}", png_path, std::strerror(errno)));
    }
    const bool sent = std::fputs(script.c_str(), gp) >= 0 && std::fflush(gp) == 0;
    const int status = ::pclose(gp);
    ::sigaction(SIGPIPE, &old, nullptr);
    if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        std::fprintf(stderr, "warning: gnuplot is not installed: %s was not drawn\n", png_path.c_str());
        return false;
    }
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw ReportError(fmt::format("{}: gnuplot failed ({})", png_path,
                                      status == -1                ? std::string(std::strerror(errno))
                                      : WIFSIGNALED(status)       ? fmt::format("killed by signal {}", WTERMSIG(status))
                                                                  : fmt::format("exit code {}", WEXITSTATUS(status))));
    if (!sent) throw ReportError(fmt::format("{}: the script could not be sent to gnuplot", png_path));
    if (!whole_png(tmp_png)) {
        struct statvfs fs {};
        const std::string dir = std::filesystem::path(tmp_png).parent_path().string();
        const bool full = ::statvfs(dir.empty() ? "." : dir.c_str(), &fs) == 0 && fs.f_bavail == 0;
        throw ReportError(fmt::format("{}: gnuplot's picture {} is missing or cut short{}", png_path, tmp_png,
                                      full ? ": No space left on device" : ""));
    }
    std::error_code ec;
    std::filesystem::rename(tmp_png, png_path, ec);
    if (ec) throw ReportError(fmt::format("{}: cannot put gnuplot's picture there: {}", png_path, ec.message()));
    return true;
}
}  // namespace

std::string coinciding_series_note(const std::vector<Series>& series) {
    std::string note;
    std::vector<bool> told(series.size(), false);
    for (size_t a = 0; a < series.size(); ++a) {
        if (told[a] || series[a].x.empty()) continue;
        std::string group = series[a].title;
        size_t n = 1;
        for (size_t b = a + 1; b < series.size(); ++b)
            if (!told[b] && series[b].x == series[a].x && series[b].y == series[a].y) {
                told[b] = true;
                group += (++n > 2 ? ", " : " and ") + series[b].title;
            }
        if (n > 1) note += (note.empty() ? "" : "; ") + group + (n > 2 ? " all coincide" : " coincide");
    }
    return note;
}

bool plot_png(const std::string& png_path, const PlotSpec& spec) {
    const std::string dat = fmt::format("{}.{}.dat", png_path, ::getpid());
    const std::string tmp_png = fmt::format("{}.tmp.{}.png", png_path, ::getpid());
    {
        std::ostringstream d;
        for (const Series& s : spec.series) {
            for (size_t k = 0; k < s.x.size(); ++k) d << s.x[k] << ' ' << s.y[k] << '\n';
            d << "\n\n";  // gnuplot data block separator
        }
        write_data(dat, png_path, d.str());
    }
    std::string script = fmt::format("set terminal pngcairo size 900,600 font 'sans,11'\nset output {}\n", quote(tmp_png));
    script += fmt::format("set title {}\nset xlabel {}\nset ylabel {}\nset grid\nset key {}\n",
                          quote(spec.title), quote(spec.xlabel), quote(spec.ylabel), spec.key);
    if (spec.logx) script += fmt::format("set logscale x {}\n", spec.log_base);
    if (spec.logx && spec.log_base == 10) script += "set format x '10^{%L}'\n";
    if (spec.ymin != spec.ymax) script += fmt::format("set yrange [{}:{}]\n", spec.ymin, spec.ymax);
    if (spec.integer_x) script += "set xtics 1\nset mxtics 1\nset format x '%.0f'\n";
    if (!spec.note.empty()) script += fmt::format("set bmargin 6\nset label 900 {} at screen 0.02,screen 0.03 left font ',10'\n", quote(spec.note));
    int hmark = 800;
    for (const auto& [y, label] : spec.horizontal_marks) {
        script += fmt::format("set arrow {} from graph 0,first {} to graph 1,first {} nohead dt 3 lw 1.5 lc rgb 'gray30'\n", hmark, y, y);
        script += fmt::format("set label {} {} at graph 0.01,first {} offset 0,0.7 left font ',9' tc rgb 'gray30'\n", hmark++, quote(label), y);
    }
    int arrow = 1;
    for (const auto& [x, label] : spec.vertical_marks) {
        script += fmt::format("set arrow {} from {},graph 0 to {},graph 1 nohead dt 2 lc rgb 'gray40'\n", arrow, x, x);
        script += fmt::format("set label {} {} at {},graph 0.95 rotate by 90 right font ',9'\n", arrow++, quote(label), x);
    }
    script += "plot ";
    for (size_t k = 0; k < spec.series.size(); ++k) {
        const Series& s = spec.series[k];
        std::string style = !s.rgb.empty() ? fmt::format(" lc rgb {}", quote(s.rgb)) : s.color > 0 ? fmt::format(" lc {}", s.color) : "";
        if (s.dash_type) style += fmt::format(" dt {}", s.dash_type);
        else if (s.dashed) style += " dt 2";
        if (s.point_type && s.with.empty() && s.points) style += fmt::format(" pt {} ps 1.6", s.point_type);
        const std::string with = !s.with.empty() ? s.with : s.points ? "linespoints" : "lines";
        script += fmt::format("{}{} index {} with {} lw {}{} title {}", k ? ", " : "", quote(dat), k, with, s.line_width, style,
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
        std::ostringstream d;  // x = column, y = row, value
        for (size_t r = 0; r < R; ++r)
            for (size_t c = 0; c < C; ++c) d << c << ' ' << r << ' ' << m.values[r * C + c] << '\n';
        write_data(dat, png_path, d.str());
    }
    const int side = static_cast<int>(std::max<size_t>(R, C) * 56 + 200);
    std::string script = fmt::format("set terminal pngcairo size {},{} font 'sans,11'\nset output {}\n", side + 180, side,
                                     quote(tmp_png));
    script += fmt::format("set title {}\nset xlabel {}\nset ylabel {}\nset cblabel {} offset 2.5,0\nset rmargin 14\n", quote(m.title),
                          quote(m.xlabel), quote(m.ylabel), quote(m.value_label));
    script += fmt::format("set xrange [-0.5:{}]\nset yrange [{}:-0.5]\nset size square\nunset key\n", C - 0.5, R - 0.5);
    std::string xt, yt;
    for (size_t c = 0; c < C; ++c) xt += fmt::format("{}{} {}", c ? ", " : "", quote(m.col_labels[c]), c);
    for (size_t r = 0; r < R; ++r) yt += fmt::format("{}{} {}", r ? ", " : "", quote(m.row_labels[r]), r);
    script += fmt::format("set xtics ({}) scale 0\nset ytics ({}) scale 0\n", xt, yt);
    // Linear colour scale, its bar labelled: a cell's shade is proportional to its count (the numbers are in the cells).
    script += fmt::format("set palette defined (0 'white', 1 '#2060c0')\nset cbrange [0:{}]\nset cbtics format '%.0f'\n"
                          "set colorbox\n", std::max(top, 1.0));
    script += fmt::format("plot {0} using 1:2:3 with image, {0} using 1:2:(sprintf('%d', $3)):"
                          "($3 > {1} ? 0xFFFFFF : 0x000000) with labels tc rgb variable font ',10'\n",
                          quote(dat), top / 2);
    return run_gnuplot(script, dat, tmp_png, png_path);
}

bool image_grid_png(const std::string& png_path, const GreyImage& grid, const ImageGridSpec& spec) {
    const std::string dat = fmt::format("{}.{}.dat", png_path, ::getpid());
    const std::string tmp_png = fmt::format("{}.tmp.{}.png", png_path, ::getpid());
    write_data(dat, png_path, std::string(grid.pixels.begin(), grid.pixels.end()));
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
