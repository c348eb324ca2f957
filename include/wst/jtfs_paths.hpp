// The paths of joint time-frequency scattering and the layout of its output
// (Kymatio 0.4's core/timefrequency_scattering.py and the frontend's
// meta()), computed from the parameters alone: which first-order rows each
// path reads, how it subsamples along n1, where its rows go.
//
// A joint path applies frequential filter n_fr along the first-order index
// n1 to
//   order 1: the column S1[n1] = |x * psi1_n1| * phi of every n1 (filters of
//            spin 0 and +1 only: S1 is real, so spin -1 would repeat spin +1);
//   order 2: the complex column U1[n1] * psi2_n2 of the n1 with j1 < j2
//            (every spin),
// then takes the modulus, averages in time (order 2; order 1 already is) and,
// for spin != 0 with F local, along n1 by phi_F.
#pragma once

#include "wst/frequency_filter_bank.hpp"
#include "wst/jtfs_parameters.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <vector>

namespace wst {

struct joint_path {
    int order = 1;            // 1 or 2
    int n2 = -1;              // second-order wavelet (order 2), -1 at order 1
    int j2 = 0;               // its j (order 2)
    std::size_t n_fr = 0;     // frequential filter
    std::size_t n1_max = 0;   // rows read: n1 = 0 .. n1_max - 1
    int k_fr = 0;             // subsampling along n1 after the frequential filter
    bool averaged_fr = false; // then averaged along n1 by phi_F (spin != 0, F local)
    bool summed_fr = false;   // or summed over n1 (spin != 0, F global)
    int level_fr = 0;         // subsampling along n1 of its output rows (k_fr, or log2_stride_fr)
    std::size_t n1_stride = 1;  // n1 between two of its output rows
    std::size_t rows = 0;       // output rows (time format: channels)
    std::size_t first_channel = 0;  // time format: its first channel
};

// Paths in Kymatio's output order: order 1 by n_fr (phi, then the spin +1
// wavelets), then order 2 by n2 (those with at least one j1 < j2) and n_fr
// (phi, spin +1, spin -1). In format time, channel 0 is order 0 and path p's
// rows are channels first_channel .. first_channel + rows - 1, row r at
// n1 = r * n1_stride: the rows with n1 < n1_max. In format joint every path
// has N_padded_fr / stride_fr rows, those from the zero padding included.
inline std::vector<joint_path> joint_paths(const jtfs_geometry& g, jtfs_format format,
                                           const std::vector<filter_spec>& time_filters,
                                           const frequency_filter_bank& bank) {
    std::vector<int> j1;
    for (const auto& s : time_filters)
        if (s.kind == filter_kind::psi1) j1.push_back(s.j);
    const bool local_fr = g.average_fr == averaging::mode::local;
    std::vector<joint_path> paths;
    std::size_t channel = 1;
    auto add = [&](int order, int n2, int j2, std::size_t n1_max) {
        for (std::size_t n_fr = 0; n_fr < bank.filters.size(); ++n_fr) {
            const frequency_filter& f = bank.filters[n_fr];
            if (order == 1 && f.spin < 0) continue;
            joint_path p;
            p.order = order, p.n2 = n2, p.j2 = j2, p.n_fr = n_fr, p.n1_max = n1_max;
            p.k_fr = local_fr ? std::min(f.j, g.log2_stride_fr) : f.j;
            p.averaged_fr = f.spin != 0 && local_fr;
            p.summed_fr = f.spin != 0 && g.average_fr == averaging::mode::global;
            p.level_fr = p.averaged_fr ? g.log2_stride_fr : p.k_fr;
            p.n1_stride = p.summed_fr ? n1_max : std::size_t{1} << p.level_fr;
            p.rows = format == jtfs_format::joint ? static_cast<std::size_t>(g.N_padded_fr) >> p.level_fr
                                                  : (n1_max + p.n1_stride - 1) / p.n1_stride;
            p.first_channel = channel;
            channel += p.rows;
            paths.push_back(p);
        }
    };
    add(1, -1, 0, j1.size());
    int n2 = 0;
    for (const auto& s : time_filters) {
        if (s.kind != filter_kind::psi2) continue;
        std::size_t n1_max = 0;
        while (n1_max < j1.size() && j1[n1_max] < s.j) ++n1_max;
        for (std::size_t n1 = n1_max; n1 < j1.size(); ++n1)
            if (j1[n1] < s.j) throw std::logic_error("joint_paths: the first-order j are not sorted");
        if (n1_max > 0) add(2, n2, s.j, n1_max);
        ++n2;
    }
    return paths;
}

// Channels of the array output: C (format time, order 0 included) or the
// number of paths (format joint).
inline std::size_t joint_output_size(const std::vector<joint_path>& paths, jtfs_format format) {
    if (format == jtfs_format::joint) return paths.size();
    return paths.empty() ? 1 : paths.back().first_channel + paths.back().rows;
}

// Kymatio's meta() of TimeFrequencyScattering, one row per channel of the
// output in the output's order (Kymatio sorts its rows by key, which is not
// the order of its own output: README, "JTFS: differences from Kymatio").
// n, xi, sigma, j: C x 2 (first and second order), NaN where a channel has
// no such filter; n_fr, xi_fr, sigma_fr, j_fr, spin: C, NaN at order 0. In
// format joint there is no order 0 and n1, a whole column, is NaN.
struct jtfs_meta {
    std::vector<int> order;
    std::vector<std::vector<int>> key;  // (), (n1, n_fr), (n1, n2, n_fr); joint: (n_fr), (n2, n_fr)
    Eigen::ArrayXXd n, xi, sigma, j;
    Eigen::ArrayXd n_fr, xi_fr, sigma_fr, j_fr, spin;
};

// with_order_0: a first row for order 0 (format time always; format joint
// with out_type list, whose output has order 0 first, as Kymatio's meta()).
inline jtfs_meta joint_meta(const std::vector<joint_path>& paths, jtfs_format format,
                            const std::vector<filter_spec>& time_filters, const frequency_filter_bank& bank,
                            bool with_order_0) {
    std::vector<const filter_spec*> psi1, psi2;
    for (const auto& s : time_filters) {
        if (s.kind == filter_kind::psi1) psi1.push_back(&s);
        if (s.kind == filter_kind::psi2) psi2.push_back(&s);
    }
    const auto C = static_cast<Eigen::Index>(joint_output_size(paths, format) +
                                             (format == jtfs_format::joint && with_order_0 ? 1 : 0));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    jtfs_meta m{{}, {}, Eigen::ArrayXXd::Constant(C, 2, nan), Eigen::ArrayXXd::Constant(C, 2, nan),
                Eigen::ArrayXXd::Constant(C, 2, nan), Eigen::ArrayXXd::Constant(C, 2, nan),
                Eigen::ArrayXd::Constant(C, nan), Eigen::ArrayXd::Constant(C, nan), Eigen::ArrayXd::Constant(C, nan),
                Eigen::ArrayXd::Constant(C, nan), Eigen::ArrayXd::Constant(C, nan)};
    Eigen::Index c = 0;
    auto set_filter = [&](int column, const filter_spec& s, int index) {
        m.n(c, column) = index, m.xi(c, column) = s.xi, m.sigma(c, column) = s.sigma, m.j(c, column) = s.j;
    };
    if (format == jtfs_format::time || with_order_0) {
        m.order.push_back(0);
        m.key.push_back({});
        ++c;
    }
    for (const auto& p : paths) {
        const frequency_filter& f = bank.filters[p.n_fr];
        const std::size_t rows = format == jtfs_format::joint ? 1 : p.rows;
        for (std::size_t r = 0; r < rows; ++r, ++c) {
            const int n_fr = static_cast<int>(p.n_fr);
            if (format == jtfs_format::joint) {
                m.order.push_back(p.order);
                m.key.push_back(p.order == 1 ? std::vector<int>{n_fr} : std::vector<int>{p.n2, n_fr});
            } else {
                const int n1 = static_cast<int>(r * p.n1_stride);
                m.order.push_back(p.order);
                m.key.push_back(p.order == 1 ? std::vector<int>{n1, n_fr} : std::vector<int>{n1, p.n2, n_fr});
                set_filter(0, *psi1[static_cast<std::size_t>(n1)], n1);
            }
            if (p.order == 2) set_filter(1, *psi2[static_cast<std::size_t>(p.n2)], p.n2);
            m.n_fr[c] = n_fr, m.xi_fr[c] = f.xi, m.sigma_fr[c] = f.sigma, m.j_fr[c] = f.j, m.spin[c] = f.spin;
        }
    }
    return m;
}

inline jtfs_meta joint_meta(const std::vector<joint_path>& paths, jtfs_format format,
                            const std::vector<filter_spec>& time_filters, const frequency_filter_bank& bank) {
    return joint_meta(paths, format, time_filters, bank, format == jtfs_format::time);
}

// --- the list output (out_type list) ------------------------------------
// The paths of Kymatio's list output, laid out as the walk's format time
// (channel 0 order 0, path p's rows from first_channel), so that one walk in
// format time computes every entry:
//   format time: the time format's paths (each row an entry of its own);
//   format joint: each path's rows cut along n1 as Kymatio's
//     unpad_frequency cuts them, 1 + n1_max / n1_stride rows (so one row of
//     the zero padding where n1_stride divides n1_max), at most the rows the
//     path has (one where it sums over n1). The array of format joint keeps
//     every row instead (N_padded_fr / stride_fr).
inline std::vector<joint_path> joint_list_paths(const jtfs_geometry& g, jtfs_format format,
                                                const std::vector<filter_spec>& time_filters,
                                                const frequency_filter_bank& bank) {
    std::vector<joint_path> paths = joint_paths(g, jtfs_format::time, time_filters, bank);
    if (format == jtfs_format::time) return paths;
    std::size_t channel = 1;
    for (auto& p : paths) {
        const std::size_t rows = p.summed_fr ? 1 : static_cast<std::size_t>(g.N_padded_fr) >> p.level_fr;
        p.rows = std::min(1 + p.n1_max / p.n1_stride, rows);
        p.first_channel = channel;
        channel += p.rows;
    }
    return paths;
}

// The fields of one entry of Kymatio's list output (its dict without coef),
// and where its rows are in the list layout of joint_list_paths.
struct jtfs_list_key {
    // Kymatio's 'n': () at order 0; format time (n1, n_fr) at order 1,
    // (n1, n2, n_fr) at order 2; format joint (n_fr) and (n2, n_fr).
    std::vector<int> n;
    // Kymatio's 'j': (), (-1) at order 1, (-1, j2) at order 2 (the -1 stands
    // for the n1 axis, in both formats).
    std::vector<int> j;
    // The scattering order, 0, 1 or 2 (as meta()'s; Kymatio's format time
    // dicts say one less at orders 1 and 2: README).
    int order = 0;
    // Kymatio's 'n_fr', 'j_fr' (1-tuples there) and 'spin' (the sign of the
    // frequential filter's xi): the frequential filter; -1, -1, 0 at order 0.
    int n_fr = -1;
    int j_fr = -1;
    int spin = 0;
    // Format joint (0 in format time and at order 0): Kymatio's 'n1_max'
    // (first-order rows the path reads) and 'n1_stride' (n1 between two of
    // its rows; row r is at n1 = r * n1_stride).
    std::size_t n1_max = 0;
    std::size_t n1_stride = 0;
    // Its rows, first_channel .. first_channel + rows - 1 of all the list's
    // rows side by side in list order (format time: one row, its channel in
    // the array output).
    std::size_t first_channel = 0;
    std::size_t rows = 1;
};

// Every entry of the list output in Kymatio's order: order 0, then the
// paths of list_paths (joint_list_paths) in their order, format time one
// entry per row.
inline std::vector<jtfs_list_key> joint_list_keys(const std::vector<joint_path>& list_paths, jtfs_format format,
                                                  const frequency_filter_bank& bank) {
    std::vector<jtfs_list_key> keys(1);  // order 0: n = j = ()
    keys[0].first_channel = 0;
    for (const auto& p : list_paths) {
        const frequency_filter& f = bank.filters[p.n_fr];
        jtfs_list_key k;
        k.j = p.order == 1 ? std::vector<int>{-1} : std::vector<int>{-1, p.j2};
        k.order = p.order;
        k.n_fr = static_cast<int>(p.n_fr), k.j_fr = f.j, k.spin = f.spin;
        if (format == jtfs_format::joint) {
            k.n = p.order == 1 ? std::vector<int>{k.n_fr} : std::vector<int>{p.n2, k.n_fr};
            k.n1_max = p.n1_max, k.n1_stride = p.n1_stride;
            k.first_channel = p.first_channel, k.rows = p.rows;
            keys.push_back(k);
            continue;
        }
        for (std::size_t r = 0; r < p.rows; ++r) {
            const int n1 = static_cast<int>(r * p.n1_stride);
            k.n = p.order == 1 ? std::vector<int>{n1, k.n_fr} : std::vector<int>{n1, p.n2, k.n_fr};
            k.first_channel = p.first_channel + r;
            keys.push_back(k);
        }
    }
    return keys;
}

}  // namespace wst
