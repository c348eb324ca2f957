// The joint time-frequency scattering options of wst-scatter and
// wst-reconstruct (--jtfs --J-fr --Q-fr --F --stride-fr --format), declared
// once for both tools, and the parameters they give.
#pragma once

#include "parse.hpp"

#include <wst/jtfs_parameters.hpp>

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace tools {

struct jtfs_options {
    bool jtfs = false;
    int J_fr = 0, Q_fr = 1;
    std::string F, format = "time";
    std::optional<long long> stride_fr;
};

// Joint scattering's own options need --jtfs, and --jtfs needs --J-fr:
// CLI11 rejects an option given to the wrong transform. Returns --jtfs, for
// the tool's options that joint scattering does not take.
inline CLI::Option* add_jtfs_options(CLI::App& app, jtfs_options& o) {
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
    return jtfs;
}

// The joint transform's parameters for a signal of `shape` samples, with
// the time axis's J, Q, T and stride (checked by wst::make_jtfs_geometry
// when the transform is built): T = 0 is rejected there, the output being
// an array.
inline wst::jtfs_params jtfs_params(const jtfs_options& o, int J, const std::string& Q, const std::string& T,
                                    std::optional<long long> stride, long long shape) {
    wst::jtfs_params params{.J = J, .J_fr = o.J_fr, .Q = parse_Q(Q), .shape = shape, .stride = stride,
                            .Q_fr = o.Q_fr, .stride_fr = o.stride_fr};
    if (!T.empty()) params.T = parse_averaging("--T", T);
    if (!o.F.empty()) params.F = parse_averaging("--F", o.F);
    params.format = o.format == "joint" ? wst::jtfs_format::joint : wst::jtfs_format::time;
    return params;
}

}  // namespace tools
