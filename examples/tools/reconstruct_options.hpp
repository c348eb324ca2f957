// wst-reconstruct's command line: its options, and the transform parameters
// and optimizer settings they give (everything but reading and writing
// files), shared by the tool and by its fuzz target.
#pragma once

#include "jtfs_options.hpp"
#include "parse.hpp"

#include <wst/reconstruct.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

namespace tools {

// With --jtfs, the joint scattering's options too (jtfs_options.hpp).
struct reconstruct_options : jtfs_options {
    // init: empty for the transform's default start (init_name).
    std::string input, outdir, Q = "1", T, optimizer = "lbfgs", loss = "norm", init, precision = "float", backend = "cpu";
    int J = 0, max_order = 2, iterations = 0, evals = 200, sample_rate = 8000;
    double target_error = 0;
    std::optional<double> lr;
    unsigned seed = 0;
    int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
};

inline void add_reconstruct_options(CLI::App& app, reconstruct_options& o) {
    app.add_option("INPUT", o.input, "audio (.wav, .flac, .ogg; mixed to mono) or .npy of shape (N,)")->required();
    app.add_option("OUTDIR", o.outdir, "folder for the reconstruction, loss history, plots and summary.json")->required();
    app.add_option("--J", o.J, "maximal scale 2^J (required)")->required();
    app.add_option("--Q", o.Q, "wavelets per octave: Q1 or Q1,Q2 (default 1)");
    app.add_option("--T", o.T, "averaging support: an integer >= 1 or global (default 2^J)");
    auto* max_order = app.add_option("--max-order", o.max_order, "1 or 2 (default 2)");
    app.add_option("--optimizer", o.optimizer, "bold-driver, momentum, sgd, adam or lbfgs (default lbfgs)")
        ->check(CLI::IsMember({"bold-driver", "momentum", "sgd", "adam", "lbfgs"}));
    app.add_option("--iterations", o.iterations, "stop after this many iterations");
    app.add_option("--evals", o.evals, "stop after this many gradient evaluations (default 200)");
    app.add_option("--target-error", o.target_error, "stop when ||S(y) - S(x)|| / ||S(x)|| is at most this");
    app.add_option("--lr", o.lr, "learning rate (default: 100 bold-driver/momentum, 500 sgd, 0.01 adam, 1 lbfgs)");
    app.add_option("--loss", o.loss, "norm, mse, sum_squares or l1 (default norm)")
        ->check(CLI::IsMember({"norm", "mse", "sum_squares", "l1"}));
    app.add_option("--init", o.init,
                   "phase-gradient (the phase built from the first-order coefficients), noise or envelope "
                   "(default phase-gradient; --jtfs: noise, the only one)")
        ->check(CLI::IsMember({"phase-gradient", "noise", "envelope"}));
    app.add_option("--seed", o.seed, "seed of the initial noise (default 0)");
    app.add_option("--precision", o.precision, "float or double (default float)")->check(CLI::IsMember({"float", "double"}));
    app.add_option("--backend", o.backend, "cpu or cuda (default cpu; cuda when built with the CUDA backend)")
        ->check(CLI::IsMember({"cpu", "cuda"}));
    app.add_option("--threads", o.threads, "threads for the transform (default: every core; the result does not depend on it)");
    app.add_option("--sample-rate", o.sample_rate, "sample rate of the .wav output for .npy input (default 8000)");
    auto* jtfs = add_jtfs_options(app, o);
    max_order->excludes(jtfs);  // joint scattering always has orders 1 and 2
}

// The transform's parameters for a signal of `shape` samples (checked by
// wst::make_geometry when the transform is built).
inline wst::scattering1d_params reconstruct_params(const reconstruct_options& o, long long shape) {
    if (o.J < 1) throw std::runtime_error("--J " + std::to_string(o.J) + ": give the scale J >= 1");
    return transform_params(o.J, shape, o.Q, o.T, o.max_order);
}

// The joint transform's parameters (--jtfs) for a signal of `shape` samples.
inline wst::jtfs_params reconstruct_jtfs_params(const reconstruct_options& o, long long shape) {
    if (o.J < 1) throw std::runtime_error("--J " + std::to_string(o.J) + ": give the scale J >= 1");
    return jtfs_params(o, o.J, o.Q, o.T, std::nullopt, shape);
}

// The start's name: --init, or the transform's default. The phase-gradient
// and envelope starts read Scattering1D's first-order coefficients, which
// joint scattering has only averaged along frequency: it starts from noise.
inline std::string init_name(const reconstruct_options& o) {
    if (o.init.empty()) return o.jtfs ? "noise" : "phase-gradient";
    if (o.jtfs && o.init != "noise")
        throw std::runtime_error("--init " + o.init + " --jtfs: joint scattering starts from noise (--init noise, its "
                                 "default); the " + o.init + " start needs Scattering1D's first-order coefficients");
    return o.init;
}

// The optimizer's settings (checked again by wst::reconstruct).
inline wst::reconstruction_options reconstruction_settings(const reconstruct_options& o) {
    static const std::map<std::string, wst::optimizer> optimizers = {{"bold-driver", wst::optimizer::bold_driver},
                                                                     {"momentum", wst::optimizer::momentum},
                                                                     {"sgd", wst::optimizer::sgd},
                                                                     {"adam", wst::optimizer::adam},
                                                                     {"lbfgs", wst::optimizer::lbfgs}};
    static const std::map<std::string, wst::loss> losses = {
        {"norm", wst::loss::norm}, {"mse", wst::loss::mse}, {"sum_squares", wst::loss::sum_squares}, {"l1", wst::loss::l1}};
    // Learning rates that work on audio-like signals when --lr is not given.
    static const std::map<std::string, double> default_lr = {
        {"bold-driver", 100}, {"momentum", 100}, {"sgd", 500}, {"adam", 0.01}, {"lbfgs", 1}};
    if (!std::isfinite(o.target_error))
        throw std::runtime_error("--target-error " + std::to_string(o.target_error) + ": give a finite number");
    if (o.iterations <= 0 && o.evals <= 0 && o.target_error <= 0)
        throw std::runtime_error("give a stopping rule: --iterations, --evals or --target-error");
    check_threads(o.threads);
    if (o.sample_rate < 1)
        throw std::runtime_error("--sample-rate " + std::to_string(o.sample_rate) + ": the sample rate must be >= 1 Hz");
    wst::reconstruction_options r;
    r.optimizer = optimizers.at(o.optimizer);
    r.loss = losses.at(o.loss);
    r.learning_rate = o.lr.value_or(default_lr.at(o.optimizer));
    static const std::map<std::string, wst::initialization> inits = {{"phase-gradient", wst::initialization::phase_gradient},
                                                                      {"noise", wst::initialization::noise},
                                                                      {"envelope", wst::initialization::envelope}};
    r.init = inits.at(init_name(o));
    r.seed = o.seed;
    r.max_iterations = o.iterations;
    r.max_evaluations = o.evals;
    r.target_error = o.target_error;
    if (!(r.learning_rate > 0) || !std::isfinite(r.learning_rate))
        throw std::runtime_error("--lr " + std::to_string(r.learning_rate) + ": the learning rate must be finite and > 0");
    return r;
}

}  // namespace tools
