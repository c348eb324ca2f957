// wst-scatter's command line: its options, and the transform parameters they
// give (everything but reading and writing files), shared by the tool and by
// its fuzz target.
#pragma once

#include "jtfs_options.hpp"
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

// With --jtfs, the joint scattering's options too (jtfs_options.hpp).
struct scatter_options : jtfs_options {
    std::string input, output, meta, Q = "1", T, precision, cotangent, grad;
    int J = 0;
    std::optional<long long> stride;
    int max_order = 2;
    int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
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

    auto* jtfs = add_jtfs_options(app, o);
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

// The joint transform's parameters (--jtfs) for a signal of `shape` samples.
inline wst::jtfs_params jtfs_params(const scatter_options& o, long long shape) {
    return jtfs_params(o, o.J, o.Q, o.T, o.stride, shape);
}

}  // namespace tools
