// What the reconstruction examples and wst-reconstruct write to their output
// folder: both signals as .npy and .wav, the loss history as CSV, and PNG
// plots of the signals, the loss and both spectrograms.
#pragma once

#include "tools/audio_out.hpp"
#include "tools/gnuplot.hpp"
#include "tools/output_file.hpp"
#include "tools/spectrogram.hpp"

#include <wst/npy.hpp>
#include <wst/reconstruct.hpp>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <string>
#include <vector>

namespace tools {

inline void write_npy(output_set& set, const std::filesystem::path& path, const std::vector<double>& x) {
    set.add(path, [&](const std::string& tmp) {
        std::ofstream out(tmp, std::ios::binary);
        wst::npy::write(out, x.data(), {x.size()});
        out.close();
        if (!out) throw std::runtime_error("cannot write " + path.string());
    });
}

inline void write_history_csv(output_set& set, const std::filesystem::path& path,
                              const std::vector<wst::reconstruction_progress>& h) {
    set.add(path, [&](const std::string& tmp) {
        std::ofstream out(tmp);
        out << "iteration,evaluations,loss,relative_error,relative_error_order0,relative_error_order1,"
               "relative_error_order2,step,elapsed_seconds\n"
            << std::setprecision(10);
        for (const auto& p : h)
            out << p.iteration << ',' << p.evaluations << ',' << p.loss << ',' << p.relative_error << ','
                << p.relative_error_by_order[0] << ',' << p.relative_error_by_order[1] << ','
                << p.relative_error_by_order[2] << ',' << p.step << ',' << p.elapsed_seconds << '\n';
        out.close();
        if (!out) throw std::runtime_error("cannot write " + path.string());
    });
}

// Adds everything for an original x and its reconstruction y to `set`
// (the caller commits it).
inline void write_reconstruction_report(output_set& set, const std::filesystem::path& dir, const std::vector<double>& x,
                                        const std::vector<double>& y,
                                        const std::vector<wst::reconstruction_progress>& history, int sample_rate,
                                        const std::string& title) {
    std::filesystem::create_directories(dir);  // the examples' own folders
    write_npy(set, dir / "original.npy", x);
    write_npy(set, dir / "reconstruction.npy", y);
    write_wav(set, (dir / "original.wav").string(), x, sample_rate);
    write_wav(set, (dir / "reconstruction.wav").string(), y, sample_rate);
    write_history_csv(set, dir / "loss.csv", history);

    line_plot(set, (dir / "original.png").string(), {title + ": original signal", "sample", "amplitude"}, {x}, {"x"});
    line_plot(set, (dir / "reconstruction.png").string(), {title + ": reconstructed signal", "sample", "amplitude"}, {y},
              {"y"});
    std::vector<double> loss, error;
    for (const auto& p : history) {
        loss.push_back(p.loss);
        error.push_back(p.relative_error);
    }
    line_plot(set, (dir / "loss.png").string(), {title + ": loss and relative scattering error", "iteration", ""},
              {loss, error}, {"loss", "||S(y) - S(x)|| / ||S(x)||"}, "set logscale y\n");
    image_plot(set, (dir / "spectrogram_original.png").string(),
               {title + ": spectrogram of the original (dB)", "frame (hop 32)", "frequency bin"}, spectrogram_db(x));
    image_plot(set, (dir / "spectrogram_reconstruction.png").string(),
               {title + ": spectrogram of the reconstruction (dB)", "frame (hop 32)", "frequency bin"},
               spectrogram_db(y));
}

// The same as one set of files, all written or none.
inline void write_reconstruction_report(const std::filesystem::path& dir, const std::vector<double>& x,
                                        const std::vector<double>& y,
                                        const std::vector<wst::reconstruction_progress>& history, int sample_rate,
                                        const std::string& title) {
    output_set set;
    write_reconstruction_report(set, dir, x, y, history, sample_rate, title);
    set.commit();
}

}  // namespace tools
