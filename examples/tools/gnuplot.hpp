// PNG plots drawn by gnuplot (Debian's gnuplot-nox): the data travel inline
// as gnuplot datablocks through a pipe, the image lands atomically.
#pragma once

#include "tools/output_file.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace tools {

// Runs a gnuplot script whose `set output` is the file to write.
inline void run_gnuplot(const std::string& script) {
    FILE* pipe = ::popen("gnuplot", "w");
    if (pipe == nullptr) throw std::runtime_error("cannot start gnuplot (install the gnuplot-nox package)");
    std::fputs(script.c_str(), pipe);
    if (::pclose(pipe) != 0) throw std::runtime_error("gnuplot failed (is the gnuplot-nox package installed?)");
}

struct plot_labels {
    std::string title, xlabel, ylabel;
};

inline std::string preamble(const std::string& png, const plot_labels& l) {
    std::ostringstream s;
    s << "set terminal pngcairo noenhanced size 1000,420 font 'sans,10'\nset output '" << png << "'\n"
      << "set title '" << l.title << "'\nset xlabel '" << l.xlabel << "'\nset ylabel '" << l.ylabel << "'\n";
    return s.str();
}

// Curves ys[c] against xs[c].
inline void xy_plot(output_set& out, const std::string& png, const plot_labels& labels,
                    const std::vector<std::vector<double>>& xs, const std::vector<std::vector<double>>& ys,
                    const std::vector<std::string>& names, const std::string& extra = "") {
    out.add(png, [&](const std::string& tmp) {
        std::ostringstream s;
        s << preamble(tmp, labels) << extra << "set key top right\n";
        for (std::size_t c = 0; c < ys.size(); ++c) {
            s << "$d" << c << " << EOD\n";
            for (std::size_t i = 0; i < ys[c].size(); ++i) s << xs[c][i] << ' ' << ys[c][i] << '\n';
            s << "EOD\n";
        }
        s << "plot ";
        for (std::size_t c = 0; c < ys.size(); ++c)
            s << (c ? ", " : "") << "$d" << c << " using 1:2 with lines lw 1.2 title '" << names[c] << "'";
        s << '\n';
        run_gnuplot(s.str());
    });
}

// One or more curves against the sample index.
inline void line_plot(output_set& out, const std::string& png, const plot_labels& labels,
                      const std::vector<std::vector<double>>& curves, const std::vector<std::string>& names,
                      const std::string& extra = "") {
    std::vector<std::vector<double>> index;
    std::size_t longest = 1;
    for (const auto& c : curves) {
        std::vector<double> i(c.size());
        for (std::size_t k = 0; k < c.size(); ++k) i[k] = static_cast<double>(k);
        index.push_back(std::move(i));
        longest = std::max(longest, c.size());
    }
    xy_plot(out, png, labels, index, curves, names, extra + "set xrange [0:" + std::to_string(longest - 1) + "]\n");
}

inline constexpr const char* image_palette = "set palette defined (0 'black', 1 'purple', 2 'orange', 3 'yellow')\n";

// A matrix as the gnuplot datablock $m<index>, and the ranges that fit its pixels.
inline void image_data(std::ostringstream& s, std::size_t index, const Eigen::ArrayXXd& m) {
    s << "set xrange [-0.5:" << m.cols() - 0.5 << "]\nset yrange [-0.5:" << m.rows() - 0.5 << "]\n$m" << index << " << EOD\n";
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
        for (Eigen::Index c = 0; c < m.cols(); ++c) s << m(r, c) << ' ';
        s << '\n';
    }
    s << "EOD\n";
}

// A matrix (rows along y, columns along x) drawn as an image with a color bar.
inline void image_plot(output_set& out, const std::string& png, const plot_labels& labels, const Eigen::ArrayXXd& m) {
    out.add(png, [&](const std::string& tmp) {
        std::ostringstream s;
        s << preamble(tmp, labels) << image_palette;
        image_data(s, 0, m);
        s << "plot $m0 matrix with image notitle\n";
        run_gnuplot(s.str());
    });
}

// Matrices side by side, each a heatmap titled names[i], on one color scale
// (one color bar, at the right) so that their values compare; labels.title
// above them all.
inline void heatmaps(output_set& out, const std::string& png, const plot_labels& labels,
                     const std::vector<Eigen::ArrayXXd>& ms, const std::vector<std::string>& names) {
    out.add(png, [&](const std::string& tmp) {
        double low = ms.front().minCoeff(), high = ms.front().maxCoeff();
        for (const auto& m : ms) low = std::min(low, m.minCoeff()), high = std::max(high, m.maxCoeff());
        std::ostringstream s;
        s << preamble(tmp, {"", labels.xlabel, labels.ylabel}) << image_palette << "set cbrange [" << low << ':' << high
          << "]\nset format cb '%.2g'\nset multiplot layout 1," << ms.size() << " title '" << labels.title << "'\n";
        for (std::size_t i = 0; i < ms.size(); ++i) {
            image_data(s, i, ms[i]);
            s << (i + 1 < ms.size() ? "unset colorbox\n" : "set colorbox\n") << "set title '" << names[i] << "'\nplot $m"
              << i << " matrix with image notitle\nunset ylabel\n";
        }
        s << "unset multiplot\n";
        run_gnuplot(s.str());
    });
}

}  // namespace tools
