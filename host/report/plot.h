// Line plots as PNG through gnuplot (Debian's gnuplot-nox). Data go to a CSV
// beside the picture; if gnuplot is missing the CSV is still written and a
// warning says the picture was not made.
#pragma once
#include <string>
#include <vector>

#include "host/report/png.h"

namespace mind1024::host {

struct Series {
    std::string title;
    std::vector<double> x, y;
    bool points = true;
    int color = 0;        // 1..8: gnuplot's line colours, for series that belong together; 0: by order
    bool dashed = false;
    std::string with = "";  // a gnuplot style instead of lines/linespoints, e.g. "points pt 7" (a scatter)
    int point_type = 0;     // gnuplot's pt (0: its default by order): curves that may coincide stay told apart
    int dash_type = 0;      // gnuplot's dt (0: solid, or dashed's 2)
    std::string rgb;        // a colour by name or #rrggbb, instead of `color`
    double line_width = 2;
};

struct PlotSpec {
    std::string title, xlabel, ylabel;
    bool logx = false;
    std::vector<Series> series;
    std::vector<std::pair<double, std::string>> vertical_marks;  // x position, label
    double ymin = 0, ymax = 0;  // equal: autoscale
    int log_base = 2;           // of the x axis when logx (10 for rates, 2 for sizes)
    std::string key = "outside right";  // gnuplot's placement of the legend
    bool integer_x = false;             // x ticks at whole numbers only (bit widths)
    std::vector<std::pair<double, std::string>> horizontal_marks;  // y position, label (e.g. chance level)
    std::string note;                   // a line under the plot (e.g. which curves coincide)
};
// "A and B coincide; C and D coincide" for series with the same points (empty if none): say it on the plot,
// since a curve drawn over another cannot be seen.
std::string coinciding_series_note(const std::vector<Series>& series);

// Writes `png_path`; returns false (with a message on stderr) if gnuplot failed.
bool plot_png(const std::string& png_path, const PlotSpec& spec);

// A matrix of counts as labelled cells (a confusion matrix): each cell's number
// written in it, rows and columns named, colour on a linear scale with its
// labelled colour bar (value_label, e.g. "test images (count)").
struct MatrixSpec {
    std::string title, xlabel, ylabel, value_label;
    std::vector<std::string> row_labels, col_labels;
    std::vector<double> values;  // rows x columns, row-major
};
bool matrix_png(const std::string& png_path, const MatrixSpec& m);

// A grid of picture tiles (tile_images' output: `columns` x `rows` equal tiles)
// with a title, each column named above it and each row named on its left.
struct ImageGridSpec {
    std::string title;
    std::vector<std::string> col_labels, row_labels;  // "\n" breaks a label's lines
};
bool image_grid_png(const std::string& png_path, const GreyImage& grid, const ImageGridSpec& spec);

}  // namespace mind1024::host
