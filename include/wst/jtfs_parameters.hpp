// Parameters of TimeFrequencyScattering with Kymatio 0.4's names, their
// validation, and the sizes derived from them: the time axis exactly as
// Scattering1D's (make_geometry), the frequency axis (n1) as
// TimeFrequencyScatteringBase.build derives it.
#pragma once

#include "wst/error.hpp"
#include "wst/filter_bank.hpp"
#include "wst/parameters.hpp"

#include <optional>
#include <string>

namespace wst {

// Kymatio's format: 'time' stacks every (n1, path) row as a channel,
// (B, C, N_out); 'joint' keeps each path's rows together, (B, n_paths,
// n_rows, N_out), without order 0. The list output (out_type list) of
// format time has one entry per channel, that of format joint one per path
// (its rows cut to n1 < n1_max, with Kymatio's rule), order 0 first in both.
enum class jtfs_format { time, joint };

// The arguments of kymatio.TimeFrequencyScattering(J, J_fr, Q, shape, T,
// stride, Q_fr, F, stride_fr, out_type, format). F, like T, is the default
// (2^J_fr), an integer 1..(J + 1) Q1, 0 (no averaging along n1) or global.
struct jtfs_params {
    int J = 0;
    int J_fr = 0;
    quality_factors Q = 1;
    long long shape = 0;
    averaging T = {};
    std::optional<long long> stride = std::nullopt;
    int Q_fr = 1;
    averaging F = {};
    std::optional<long long> stride_fr = std::nullopt;
    wst::out_type out_type = wst::out_type::array;
    jtfs_format format = jtfs_format::time;
};

// Everything Kymatio derives from them.
struct jtfs_geometry {
    scattering1d_geometry time;   // padding, border indices, T and stride in time
    long long N_input_fr = 0;     // (J + 1) Q1: Kymatio's nominal length of the n1 axis
    long long F = 0;              // resolved width of the averaging along n1 (2^J_fr unless given)
    averaging::mode average_fr = averaging::mode::local;
    int log2_F = 0;
    int log2_stride_fr = 0;       // subsampling along n1 of the averaged paths
    long long N_padded_fr = 0;    // the n1 axis zero-padded: a multiple of 2^J_fr and of stride_fr
};

// The array output of format joint, (B, n_paths, rows, N_out), needs every
// path to have the same number of rows: averaging along n1 (F not 0, not
// global: the spin 0 paths keep all their rows, the others would have one)
// and stride_fr <= 2^J_fr (every path then has N_padded_fr / stride_fr
// rows). Throws naming the parameter where it has not; the list output
// (out_type list, scattering_list()) has no such need.
inline void check_joint_array(const jtfs_params& p, const jtfs_geometry& g) {
    using detail::reject;
    if (p.format != jtfs_format::joint) return;
    if (g.average_fr != averaging::mode::local)
        reject("F", p.F.to_string(),
               "format joint needs F >= 1 for the array output: without averaging along frequency (F = 0) or with "
               "global averaging the paths have different numbers of rows (use format time, or out_type = list "
               "and scattering_list())");
    if (g.log2_stride_fr > p.J_fr)
        reject("stride_fr", 1LL << g.log2_stride_fr,
               "format joint needs stride_fr <= 2^J_fr = " + std::to_string(1LL << p.J_fr) +
                   " for the array output (the default stride_fr is F), so that every path has the same number "
                   "of rows (or use out_type = list and scattering_list())");
}

// Checks every parameter (throwing wst::invalid_argument naming the
// parameter, its value and what is allowed) and derives the sizes. Where
// Kymatio fails with an exception deep in its computation, wst either
// rejects the parameters here with a clear message or computes what the
// parameters mean (README: "JTFS: differences from Kymatio"):
//   - stride_fr must not exceed F (as stride must not exceed T);
//   - the array output of format joint: check_joint_array (out_type array);
//   - N_padded_fr is rounded up to a multiple of stride_fr where Kymatio's
//     rule gives a length that stride_fr does not divide (Kymatio fails).
// T = 0 (no averaging in time), which Kymatio allows with out_type list, is
// rejected with either out_type: the joint walk averages in time.
inline jtfs_geometry make_jtfs_geometry(const jtfs_params& p) {
    using detail::reject;
    if (!p.T.is_default() && !p.T.is_global() && p.T.value() == 0)
        reject("T", 0,
               "TimeFrequencyScattering needs averaging in time, T >= 1 or global, with either out_type (Kymatio "
               "allows T = 0 with out_type = list; wst's joint walk does not compute it)");
    jtfs_geometry g;
    g.time = make_geometry({.J = p.J, .shape = p.shape, .Q = p.Q, .T = p.T, .stride = p.stride, .max_order = 2,
                            .out_type = p.out_type});
    g.N_input_fr = static_cast<long long>(p.J + 1) * p.Q.q1;
    const int log2_N_fr_up = detail::ceil_log2(g.N_input_fr);
    if (p.J_fr < 1 || p.J_fr > log2_N_fr_up) {
        reject("J_fr", p.J_fr,
               "J_fr must be an integer from 1 to " + std::to_string(log2_N_fr_up) +
                   " (2^J_fr at most the (J + 1) Q1 = " + std::to_string(g.N_input_fr) +
                   " first-order frequencies rounded up to a power of two)");
    }
    if (p.Q_fr < 1 || p.Q_fr > max_Q)
        reject("Q_fr", p.Q_fr, "Q_fr must be an integer from 1 to " + std::to_string(max_Q));

    const long long octave_fr = 1LL << p.J_fr;
    if (p.F.is_default()) {
        g.F = octave_fr;
    } else if (p.F.is_global()) {
        g.F = octave_fr;
        g.average_fr = averaging::mode::global;
    } else if (p.F.value() == 0) {
        g.F = octave_fr;
        g.average_fr = averaging::mode::none;
    } else if (p.F.value() < 0 || p.F.value() > g.N_input_fr) {
        reject("F", p.F.value(),
               "F must be 0 (no averaging along frequency), an integer 1.." + std::to_string(g.N_input_fr) +
                   " ((J + 1) Q1), or global");
    } else {
        g.F = p.F.value();
    }
    g.log2_F = floor_log2(g.F);

    if (p.stride_fr) {
        const long long s = *p.stride_fr;
        if (g.average_fr != averaging::mode::local)
            reject("stride_fr", s, "a frequential stride is only allowed with local averaging along frequency "
                                   "(F >= 1), not with F = " + p.F.to_string());
        if (!detail::is_power_of_two(s)) reject("stride_fr", s, "stride_fr must be a power of two >= 1");
        if (s > g.F) reject("stride_fr", s, "stride_fr must not exceed F = " + std::to_string(g.F));
        g.log2_stride_fr = floor_log2(s);
    } else {
        g.log2_stride_fr = g.log2_F;
    }
    if (p.out_type == out_type::array) check_joint_array(p, g);

    // Zero padding of the n1 axis: at least 8 min(F, 2^J_fr) rows, the
    // total rounded down to a multiple of 2^J_fr (Kymatio's rule), and up to
    // a multiple of stride_fr.
    const long long min_to_pad_fr = 8 * std::min(g.F, octave_fr);
    g.N_padded_fr = (g.N_input_fr + min_to_pad_fr) / octave_fr * octave_fr;
    const long long stride_fr = 1LL << g.log2_stride_fr;
    g.N_padded_fr = (g.N_padded_fr + stride_fr - 1) / stride_fr * stride_fr;
    return g;
}

}  // namespace wst
