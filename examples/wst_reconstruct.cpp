// wst-reconstruct: reconstructs a signal from the scattering coefficients of
// an audio or .npy file (Scattering1D's, or joint time-frequency
// scattering's with --jtfs) and writes the result, the loss history, plots
// and summary.json to OUTDIR. The figures of summary.json are computed from
// the reconstruction as written against the original (tools/quality.hpp).
#include "tools/cli.hpp"
#include "tools/output_file.hpp"
#include "tools/quality.hpp"
#include "tools/reconstruct_options.hpp"
#ifdef WST_HAVE_CUDA
#include "tools/reconstruct_on_gpu.hpp"
#endif
#include "tools/reconstruction_report.hpp"
#include "tools/signal_io.hpp"

#include <wst/wst.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <type_traits>

namespace {

using options = tools::reconstruct_options;

// One signal: a .npy of shape (N,) or (1, N), or audio mixed to mono.
tools::signals read_mono(const std::string& path) {
    tools::signals s = tools::read_signals(path);
    if (tools::extension(path) == ".npy") {
        if (s.B != 1) throw std::runtime_error(path + ": expected one signal, shape (N,); got " + std::to_string(s.B) + " rows");
        return s;
    }
    std::vector<double> mono(s.N, 0.0);
    for (std::size_t c = 0; c < s.B; ++c)
        for (std::size_t t = 0; t < s.N; ++t) mono[t] += s.values[c * s.N + t] / static_cast<double>(s.B);
    s.values = mono;
    s.B = 1;
    return s;
}

// A progress bar on a terminal, one line every 10 iterations otherwise.
class progress_display {
public:
    explicit progress_display(int total) : total_(total), tty_(::isatty(STDERR_FILENO) != 0) {}
    void operator()(const wst::reconstruction_progress& p) {
        if (tty_) {
            const int width = 30;
            const double done = total_ > 0 ? std::min(1.0, static_cast<double>(p.evaluations) / total_) : 0;
            const int filled = static_cast<int>(done * width);
            std::fprintf(stderr, "\r[%s%s] %3d%%  iteration %d  evaluations %d  relative error %.4g ",
                         std::string(static_cast<std::size_t>(filled), '#').c_str(),
                         std::string(static_cast<std::size_t>(width - filled), '.').c_str(), static_cast<int>(100 * done),
                         p.iteration, p.evaluations, p.relative_error);
        } else if (p.iteration % 10 == 0) {
            std::fprintf(stderr, "iteration %d  evaluations %d  loss %.6g  relative error %.6g  %.1f s\n", p.iteration,
                         p.evaluations, p.loss, p.relative_error, p.elapsed_seconds);
        }
    }
    ~progress_display() {
        if (tty_) std::fputc('\n', stderr);
    }

private:
    int total_;
    bool tty_;
};

// The transform's part of summary.json: its parameters as resolved.
template <class Real>
nlohmann::json transform_json(const wst::Scattering1D<wst::backend::fftw, Real>& S, const wst::scattering1d_params& p) {
    const bool global = S.average() == wst::averaging::mode::global;
    return {{"name", "scattering1d"}, {"J", S.J()}, {"Q", {p.Q.q1, p.Q.q2}},
            {"T", global ? nlohmann::json("global") : nlohmann::json(S.T())}, {"max_order", S.max_order()},
            {"shape", S.shape()}, {"N_padded", S.N_padded()}, {"channels", S.output_size()}};
}

template <class Real>
nlohmann::json transform_json(const wst::TimeFrequencyScattering<wst::backend::fftw, Real>& S, const wst::jtfs_params& p) {
    const bool global = S.average() == wst::averaging::mode::global;
    const auto average_fr = S.geometry().average_fr;
    const nlohmann::json F = average_fr == wst::averaging::mode::global ? nlohmann::json("global")
                             : average_fr == wst::averaging::mode::none ? nlohmann::json(0)
                                                                        : nlohmann::json(S.F());
    return {{"name", "jtfs"}, {"J", p.J}, {"J_fr", p.J_fr}, {"Q", {p.Q.q1, p.Q.q2}}, {"Q_fr", p.Q_fr},
            {"T", global ? nlohmann::json("global") : nlohmann::json(S.T())}, {"F", F},
            {"stride_fr", 1LL << S.log2_stride_fr()}, {"format", p.format == wst::jtfs_format::joint ? "joint" : "time"},
            {"shape", S.shape()}, {"N_padded", S.N_padded()}, {"N_padded_fr", S.N_padded_fr()},
            {"output_shape", S.output_shape()}};
}

// Params: wst::scattering1d_params, or wst::jtfs_params (--jtfs).
template <class Real, class Params>
int reconstruct(const options& o, wst::reconstruction_options r, const tools::signals& x, const Params& params) {
    using Transform = std::conditional_t<std::is_same_v<Params, wst::jtfs_params>,
                                         wst::TimeFrequencyScattering<wst::backend::fftw, Real>,
                                         wst::Scattering1D<wst::backend::fftw, Real>>;
    const Transform S(params, {.threads = o.threads});
    const tools::output_folder folder(o.outdir);
    progress_display show(o.evals > 0 ? o.evals : o.iterations);
    r.on_iteration = [&](const wst::reconstruction_progress& p) {
        show(p);
        return true;
    };
    const Eigen::Array<Real, 1, Eigen::Dynamic> signal =
        Eigen::Map<const Eigen::Array<double, 1, Eigen::Dynamic>>(x.values.data(), static_cast<Eigen::Index>(x.N)).cast<Real>();
    const auto result = [&] {
#ifdef WST_HAVE_CUDA
        if constexpr (std::is_same_v<Params, wst::scattering1d_params>)
            if (o.backend == "cuda") return tools::reconstruct_on_gpu<Real>(params, o.threads, signal, r);
#endif
        return wst::reconstruct_signals(S, signal, r)[0];
    }();

    const std::vector<double> y(result.signal.begin(), result.signal.end());
    const tools::reconstruction_quality q = tools::quality(params, x.values, y, o.threads);
    const int rate = x.sample_rate > 0 ? x.sample_rate : o.sample_rate;
    tools::output_set files;  // every output file, or none
    tools::write_reconstruction_report(files, o.outdir, x.values, y, result.history, rate,
                                       std::filesystem::path(o.input).filename().string());
    const auto& f = result.final;
    auto nan_to_null = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
    nlohmann::json by_order = nlohmann::json::array();
    for (int m = 0; m <= q.max_order; ++m) by_order.push_back(nan_to_null(q.relative_error_by_order[static_cast<std::size_t>(m)]));
    const nlohmann::json summary = {
        {"input", o.input},
        {"sample_rate", rate},
        {"relative_error", q.relative_error},
        {"relative_error_by_order", by_order},
        {"spectral_convergence", nan_to_null(q.spectral_convergence)},
        {"loss", f.loss},
        {"iterations", f.iteration},
        {"gradient_evaluations", f.evaluations},
        {"wall_seconds", f.elapsed_seconds},
        {"stop_reason", result.stop_reason},
        {"optimizer", o.optimizer},
        {"loss_function", o.loss},
        {"learning_rate", r.learning_rate},
        {"init", tools::init_name(o)},
        {"seed", o.seed},
        {"precision", o.precision},
        {"backend", o.backend},
        {"transform", transform_json(S, params)}};
    files.add(std::filesystem::path(o.outdir) / "summary.json", [&](const std::string& tmp) {
        std::ofstream out(tmp);
        out << summary.dump(2) << '\n';
        out.close();
        if (!out) throw std::runtime_error("cannot write summary.json");
    });
    files.commit();
    std::cout << "relative scattering error " << q.relative_error << " (order 1: " << q.relative_error_by_order[1];
    if (q.max_order > 1) std::cout << ", order 2: " << q.relative_error_by_order[2];
    std::cout << "), spectral convergence " << q.spectral_convergence << ", after " << f.evaluations
              << " gradient evaluations (" << f.elapsed_seconds << " s); results in " << o.outdir << '\n';
    return 0;
}

int run(const options& o) {
    // Every option is checked before any file is read or written.
    wst::scattering1d_params params;  // shape: the input's, once read
    wst::jtfs_params joint;
    if (o.jtfs)
        joint = tools::reconstruct_jtfs_params(o, 1);
    else
        params = tools::reconstruct_params(o, 1);
    const wst::reconstruction_options settings = tools::reconstruction_settings(o);
    // Joint scattering's loss and gradient have not been run on a GPU yet.
    if (o.jtfs && o.backend == "cuda")
        throw std::runtime_error("--backend cuda --jtfs: joint scattering reconstructs on the CPU only (--backend cpu)");
#ifndef WST_HAVE_CUDA
    if (o.backend == "cuda")
        throw std::runtime_error("--backend cuda: this wst-reconstruct was built without the CUDA backend "
                                 "(configure with a CUDA toolkit, WST_CUDA=AUTO or ON)");
#endif
    // Refuse to write any output over the input.
    for (const char* name : {"original.npy", "original.wav", "reconstruction.npy", "reconstruction.wav", "loss.csv",
                             "summary.json", "original.png", "reconstruction.png", "loss.png",
                             "spectrogram_original.png", "spectrogram_reconstruction.png"})
        tools::refuse_overwrite(o.input, std::filesystem::path(o.outdir) / name, "output");

    const tools::signals x = read_mono(o.input);
    params.shape = joint.shape = static_cast<long long>(x.N);
    if (o.jtfs)
        return o.precision == "double" ? reconstruct<double>(o, settings, x, joint) : reconstruct<float>(o, settings, x, joint);
    return o.precision == "double" ? reconstruct<double>(o, settings, x, params) : reconstruct<float>(o, settings, x, params);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Reconstructs a signal from its scattering coefficients (Scattering1D's, or TimeFrequencyScattering's "
                 "with --jtfs).",
                 "wst-reconstruct"};
    options o;
    tools::add_reconstruct_options(app, o);
    return tools::parse_and_run(app, argc, argv, [&] { return run(o); });
}
