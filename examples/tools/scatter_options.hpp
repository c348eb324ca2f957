// wst-scatter's command line: its options, and the transform parameters they
// give (everything but reading and writing files), shared by the tool and by
// its fuzz target.
#pragma once

#include "parse.hpp"

#include <wst/jtfs_parameters.hpp>
#include <wst/parameters.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace tools {

struct scatter_options {
    std::string input, output, meta, Q = "1", T, precision, cotangent, grad;
    int J = 0;
    std::optional<long long> stride;
    int max_order = 2;
    int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    // Joint time-frequency scattering (--jtfs) only.
    bool jtfs = false;
    int J_fr = 0, Q_fr = 1;
    std::string F, format = "time";
    std::optional<long long> stride_fr;
};

inline void add_scatter_options(CLI::App& app, scatter_options& o) {
    app.add_option("INPUT", o.input, ".npy of shape (N,) or (B, N), float32 or float64; or audio (.wav, .flac, .ogg)")
        ->required();
    app.add_option("OUTPUT", o.output,
                   ".npy (B, C, N_out) or (C, N_out), --jtfs --format joint (B, n_paths, n_fr, N_out); "
                   ".npz of paths when T = 0")
        ->required();
    app.add_option("--J", o.J, "maximal scale 2^J (required)")->required();
    app.add_option("--Q", o.Q, "wavelets per octave: Q1 or Q1,Q2 (default 1)");
    app.add_option("--T", o.T, "averaging support: an integer, 0 (none) or global (default 2^J)");
    app.add_option("--stride", o.stride, "output stride, a power of two <= T");
    auto* max_order = app.add_option("--max-order", o.max_order, "1 or 2 (default 2)");
    app.add_option("--precision", o.precision, "float or double (default: the input's; float for audio)")
        ->check(CLI::IsMember({"float", "double"}));
    app.add_option("--threads", o.threads, "threads for the transform (default: every core; the result does not depend on it)");
    app.add_option("--meta", o.meta,
                   "write order, key, xi, sigma, j (--jtfs: and n, n_fr, xi_fr, sigma_fr, j_fr, spin) per channel "
                   "to this JSON file");
    app.add_option("--cotangent", o.cotangent, "G.npy or G.npz shaped like OUTPUT: with --grad, the gradient of sum(S(x) G)");
    app.add_option("--grad", o.grad, "write the gradient of sum(S(x) * G) with respect to x to this .npy (shaped like x)");

    // Joint scattering's own options need --jtfs, and --jtfs needs --J-fr:
    // CLI11 rejects an option given to the wrong transform.
    auto* jtfs = app.add_flag("--jtfs", o.jtfs, "joint time-frequency scattering (Kymatio's TimeFrequencyScattering)");
    auto* J_fr = app.add_option("--J-fr", o.J_fr, "--jtfs: maximal frequential scale 2^J_fr (required)");
    jtfs->needs(J_fr);
    const std::vector<CLI::Option*> jtfs_only{
        J_fr,
        app.add_option("--Q-fr", o.Q_fr, "--jtfs: frequential wavelets per octave (default 1)"),
        app.add_option("--F", o.F, "--jtfs: averaging along frequency: an integer, 0 (none) or global (default 2^J_fr)"),
        app.add_option("--stride-fr", o.stride_fr, "--jtfs: frequential stride, a power of two <= F (default F)"),
        app.add_option("--format", o.format, "--jtfs: time (B, C, N_out) or joint (B, n_paths, n_fr, N_out) (default time)")
            ->check(CLI::IsMember({"time", "joint"}))};
    for (auto* option : jtfs_only) option->needs(jtfs);
    max_order->excludes(jtfs);  // joint scattering always has orders 1 and 2
}

// The transform's parameters for a signal of `shape` samples (checked by
// wst::make_geometry when the transform is built); out_type follows T.
inline wst::scattering1d_params scatter_params(const scatter_options& o, long long shape) {
    wst::scattering1d_params params = transform_params(o.J, shape, o.Q, o.T, o.max_order);
    params.stride = o.stride;
    const bool no_averaging = !params.T.is_default() && !params.T.is_global() && params.T.value() == 0;
    params.out_type = no_averaging ? wst::out_type::list : wst::out_type::array;
    return params;
}

// The joint transform's parameters (--jtfs) for a signal of `shape` samples
// (checked by wst::make_jtfs_geometry when the transform is built): T = 0
// is rejected there, the output being an array.
inline wst::jtfs_params jtfs_params(const scatter_options& o, long long shape) {
    wst::jtfs_params params{.J = o.J, .J_fr = o.J_fr, .Q = parse_Q(o.Q), .shape = shape, .stride = o.stride,
                            .Q_fr = o.Q_fr, .stride_fr = o.stride_fr};
    if (!o.T.empty()) params.T = parse_averaging("--T", o.T);
    if (!o.F.empty()) params.F = parse_averaging("--F", o.F);
    params.format = o.format == "joint" ? wst::jtfs_format::joint : wst::jtfs_format::time;
    return params;
}

}  // namespace tools
