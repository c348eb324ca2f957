// Scattering1D<Backend, Real>: Kymatio 0.4's kymatio.Scattering1D in C++.
// The frontend checks arguments, builds the filter bank, shapes the output and
// runs the tree walk of core.hpp with the backend's primitives, on the
// threads, workspaces and backend memory of an executor (execution.hpp).
#pragma once

#include "wst/core.hpp"
#include "wst/elementwise.hpp"
#include "wst/error.hpp"
#include "wst/execution.hpp"
#include "wst/loss_sums.hpp"
#include "wst/filter_bank.hpp"
#include "wst/parameters.hpp"
#include "wst/signal_checks.hpp"
#include "wst/time_filters.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace wst {

// The array output (B, C, N_out), C-ordered like Kymatio's.
template <class Real>
class scattering_array {
public:
    scattering_array() = default;
    scattering_array(std::size_t B, std::size_t C, std::size_t N_out)
        : B_(B), C_(C), N_out_(N_out), data_(B * C * N_out, Real(0)) {}

    std::size_t batch() const { return B_; }
    std::size_t channels() const { return C_; }
    std::size_t length() const { return N_out_; }
    std::size_t size() const { return data_.size(); }

    Real& operator()(std::size_t b, std::size_t c, std::size_t t) { return data_[(b * C_ + c) * N_out_ + t]; }
    Real operator()(std::size_t b, std::size_t c, std::size_t t) const { return data_[(b * C_ + c) * N_out_ + t]; }

    // The N_out coefficients of channel c of signal b.
    Eigen::Map<const Eigen::Array<Real, Eigen::Dynamic, 1>> channel(std::size_t b, std::size_t c) const {
        return {data_.data() + (b * C_ + c) * N_out_, static_cast<Eigen::Index>(N_out_)};
    }

    Real* data() { return data_.data(); }
    const Real* data() const { return data_.data(); }

private:
    std::size_t B_ = 0, C_ = 0, N_out_ = 0;
    std::vector<Real> data_;
};

// One path of the list output: its key (n1, n2, ...), order, scales and the
// coefficients of every signal of the batch (B x length).
template <class Real>
struct scattering_path {
    std::vector<int> key;
    int order = 0;
    std::vector<int> j;
    signal_array<Real> coef;
};

// Kymatio's meta(): per channel its order and key, and (C x max_order) arrays
// of xi, sigma, j and n, NaN where a channel has no filter of that order.
struct scattering_meta {
    std::vector<int> order;
    std::vector<std::vector<int>> key;
    Eigen::ArrayXXd xi, sigma, j, n;
};

// Called once per warning when the transform is built; the warnings are also
// kept and can be read with warnings().
using warning_handler = std::function<void(const warning&)>;

template <class Backend, class Real = double>
class Scattering1D : private signal_checks<Real> {
    using signal_checks<Real>::as_rows;
    using signal_checks<Real>::check_finite;
    using signal_checks<Real>::check_no_overflow;
    using signal_checks<Real>::reject_overflow;

    static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>, "Real must be float or double");

public:
    using real_type = Real;
    using backend_type = Backend;

    explicit Scattering1D(const scattering1d_params& params, const execution& exec = {},
                          const warning_handler& on_warning = {})
        : params_(params), geometry_(make_geometry(params)), executor_(exec) {
        build_filters();
        build_paths();
        if (on_warning)
            for (const auto& w : geometry_.warnings) on_warning(w);
    }

    // --- parameters and what Kymatio derives from them -------------------
    const scattering1d_params& params() const { return params_; }
    int J() const { return params_.J; }
    long long shape() const { return geometry_.N; }
    long long T() const { return geometry_.T; }
    averaging::mode average() const { return geometry_.average; }
    int max_order() const { return params_.max_order; }
    int log2_T() const { return geometry_.log2_T; }
    int log2_stride() const { return geometry_.log2_stride; }
    long long N_padded() const { return geometry_.N_padded; }
    long long pad_left() const { return geometry_.pad_left; }
    long long pad_right() const { return geometry_.pad_right; }
    const std::vector<long long>& ind_start() const { return geometry_.ind_start; }
    const std::vector<long long>& ind_end() const { return geometry_.ind_end; }
    const scattering1d_geometry& geometry() const { return geometry_; }
    // Kymatio's filter bank with every level in full (built on first call;
    // the transform itself keeps each level only where it is not negligible).
    const filter_bank& filters() const {
        std::call_once(full_bank_once_, [&] {
            full_bank_ = std::make_unique<filter_bank>(scattering_filter_factory(
                static_cast<std::size_t>(geometry_.N_padded), params_.J, params_.Q.q1, params_.Q.q2, geometry_.T));
        });
        return *full_bank_;
    }
    const std::vector<warning>& warnings() const { return geometry_.warnings; }
    int threads() const { return executor_.threads(); }

    // --- output layout ---------------------------------------------------
    // Number of channels C, and per order (order 0, 1[, 2]).
    std::size_t output_size() const { return paths_.size(); }
    std::vector<std::size_t> output_size_by_order() const {
        std::vector<std::size_t> counts(static_cast<std::size_t>(params_.max_order) + 1, 0);
        for (const auto& p : paths_) ++counts[static_cast<std::size_t>(p.order)];
        return counts;
    }
    // Samples per channel of the array output (1 for global averaging).
    std::size_t output_length() const { return path_length(0); }
    // Samples of channel c (they differ between paths without averaging).
    std::size_t path_length(std::size_t c) const {
        if (geometry_.average == averaging::mode::global) return 1;
        const auto l = static_cast<std::size_t>(paths_.at(c).level);
        return static_cast<std::size_t>(geometry_.ind_end[l] - geometry_.ind_start[l]);
    }

    scattering_meta meta() const {
        const auto C = static_cast<Eigen::Index>(paths_.size());
        const Eigen::Index M = params_.max_order;
        const double nan = std::numeric_limits<double>::quiet_NaN();
        scattering_meta m{{}, {}, Eigen::ArrayXXd::Constant(C, M, nan), Eigen::ArrayXXd::Constant(C, M, nan),
                          Eigen::ArrayXXd::Constant(C, M, nan), Eigen::ArrayXXd::Constant(C, M, nan)};
        for (Eigen::Index c = 0; c < C; ++c) {
            const auto& p = paths_[static_cast<std::size_t>(c)];
            m.order.push_back(p.order);
            m.key.push_back(p.key);
            for (int o = 0; o < p.order; ++o) {
                const filter& f = o == 0 ? bank_.psi1[static_cast<std::size_t>(p.key[0])]
                                         : bank_.psi2[static_cast<std::size_t>(p.key[1])];
                m.xi(c, o) = f.xi;
                m.sigma(c, o) = f.sigma;
                m.j(c, o) = f.j;
                m.n(c, o) = p.key[static_cast<std::size_t>(o)];
            }
        }
        return m;
    }

    // --- the transform -------------------------------------------------------
    // Array output (B, C, N_out) of B signals of length N from any Eigen
    // expression: a (B, N) array or map, or one signal as a vector (B = 1).
    template <class Derived>
    scattering_array<Real> scattering(const Eigen::DenseBase<Derived>& x) const {
        const signal_array<Real> rows = as_rows(x);
        return scattering(rows.data(), static_cast<std::size_t>(rows.rows()), static_cast<std::size_t>(rows.cols()));
    }

    // Array output from raw contiguous memory: B signals of N samples each.
    scattering_array<Real> scattering(const Real* x, std::size_t B, std::size_t N) const {
        require_array_output();
        check_input(x, B, N);
        scattering_array<Real> out(B, paths_.size(), output_length());
        const staged<const Real> in(executor_, {{x, B * N}});
        const staged<Real> result(executor_, {{out.data(), out.size()}});
        scattering_in_backend(in[0], B, N, result[0]);
        result.download();
        check_no_overflow(out.data(), out.size(), x, B * N, "coefficients");
        return out;
    }

    // List output: every path with its key and (B x length) coefficients; the
    // only layout without averaging (T = 0), where path lengths differ.
    template <class Derived>
    std::vector<scattering_path<Real>> scattering_list(const Eigen::DenseBase<Derived>& x) const {
        const signal_array<Real> rows = as_rows(x);
        return scattering_list(rows.data(), static_cast<std::size_t>(rows.rows()),
                               static_cast<std::size_t>(rows.cols()));
    }

    std::vector<scattering_path<Real>> scattering_list(const Real* x, std::size_t B, std::size_t N) const {
        check_input(x, B, N);
        std::vector<scattering_path<Real>> out;
        std::vector<std::pair<Real*, std::size_t>> arrays;
        for (std::size_t c = 0; c < paths_.size(); ++c) {
            const auto& p = paths_[c];
            out.push_back({p.key, p.order, p.j,
                           signal_array<Real>(static_cast<Eigen::Index>(B), static_cast<Eigen::Index>(path_length(c)))});
            arrays.push_back({out.back().coef.data(), B * path_length(c)});
        }
        const staged<const Real> in(executor_, {{x, B * N}});
        const staged<Real> result(executor_, arrays);
        std::vector<core::channel_destination<Real>> dest;
        for (std::size_t c = 0; c < paths_.size(); ++c) dest.push_back({result[c], path_length(c)});
        run(in[0], B, dest);
        result.download();
        for (const auto& p : out)
            check_no_overflow(p.coef.data(), static_cast<std::size_t>(p.coef.size()), x, B * N, "coefficients");
        return out;
    }

    // --- arrays in the backend's memory ------------------------------------
    // The array transform and its gradient on arrays already where the
    // backend works: device pointers for the CUDA backend (the caller keeps
    // its data on the GPU between calls), host pointers for FFTW. Nothing is
    // copied and x is not checked for NaN or infinity. x: B x N samples;
    // out, g: (B, C, N_out); grad: B x N.
    void scattering_in_backend(const Real* x, std::size_t B, std::size_t N, Real* out) const {
        require_array_output();
        check_shape(x, B, N);
        std::vector<core::channel_destination<Real>> dest;
        for (std::size_t c = 0; c < paths_.size(); ++c)
            dest.push_back({out + c * output_length(), paths_.size() * output_length()});
        run(x, B, dest);
    }
    void backward_in_backend(const Real* x, std::size_t B, std::size_t N, const Real* g, Real* grad) const {
        require_array_output();
        check_shape(x, B, N);
        const std::size_t C = paths_.size(), L = output_length();
        run_vjp(x, B, false, grad, [&](std::size_t first, std::size_t rows) {
            return [&, first, rows](workspace_type& w, std::size_t c, const Real*, std::size_t length, Real* cotangent) {
                w.copy_rows(g + (first * C + c) * L, C * L, cotangent, length, rows, length);
            };
        });
    }

    // --- forward mode ---------------------------------------------------------
    // Directional derivative J(x) v of the array output along v (B x N).
    template <class DerivedX, class DerivedV>
    scattering_array<Real> jvp(const Eigen::DenseBase<DerivedX>& x, const Eigen::DenseBase<DerivedV>& v) const {
        require_array_output();
        const signal_array<Real> xr = as_rows(x), vr = as_rows(v);
        const auto B = static_cast<std::size_t>(xr.rows()), N = static_cast<std::size_t>(xr.cols());
        check_input(xr.data(), B, N);
        if (vr.rows() != xr.rows() || vr.cols() != xr.cols())
            detail::reject("v", "an array of " + std::to_string(vr.rows()) + " x " + std::to_string(vr.cols()),
                           "the shape of x, " + std::to_string(B) + " x " + std::to_string(N));
        check_finite(vr.data(), B * N, "v");
        scattering_array<Real> out(B, paths_.size(), output_length());
        const staged<const Real> in(executor_, {{xr.data(), B * N}, {vr.data(), B * N}});
        const staged<Real> result(executor_, {{out.data(), out.size()}});
        std::vector<core::channel_destination<Real>> dest;
        for (std::size_t c = 0; c < paths_.size(); ++c)
            dest.push_back({result[0] + c * out.length(), paths_.size() * out.length()});
        lease w(executor_);
        core::tree<workspace_type, Real> t(*w, geometry_, bank_, params_.max_order, 1);
        for (std::size_t b = 0; b < B; ++b) {
            t.jvp(in[0] + b * N, in[1] + b * N, dest);
            for (auto& d : dest) d.data += d.batch_stride;
        }
        (*w).synchronize();
        result.download();
        check_no_overflow(out.data(), out.size(), xr.data(), B * N, "tangent");
        return out;
    }

    // --- reverse mode -------------------------------------------------------
    // Gradient with respect to x of sum(S(x) * g), g shaped like the array
    // output (B, C, N_out); the result is shaped like x (B x N).
    template <class Derived>
    signal_array<Real> backward(const Eigen::DenseBase<Derived>& x, const scattering_array<Real>& g) const {
        const signal_array<Real> rows = as_rows(x);
        signal_array<Real> grad(rows.rows(), rows.cols());
        backward(rows.data(), static_cast<std::size_t>(rows.rows()), static_cast<std::size_t>(rows.cols()), g, grad.data());
        return grad;
    }

    // The same from raw memory: x (B x N) in, gradient (B x N) out.
    void backward(const Real* x, std::size_t B, std::size_t N, const scattering_array<Real>& g, Real* grad) const {
        require_array_output();
        check_input(x, B, N);
        check_array(g, B, "g", false);
        const staged<const Real> in(executor_, {{x, B * N}, {g.data(), g.size()}});
        const staged<Real> result(executor_, {{grad, B * N}});
        backward_in_backend(in[0], B, N, in[1], result[0]);
        result.download();
        check_no_overflow(grad, B * N, x, B * N, "gradient");
    }

    // Gradient of sum over paths of sum(S_path(x) * g_path), g shaped like
    // the list output (the only form without averaging).
    template <class Derived>
    signal_array<Real> backward(const Eigen::DenseBase<Derived>& x, const std::vector<scattering_path<Real>>& g) const {
        const signal_array<Real> rows = as_rows(x);
        const auto B = static_cast<std::size_t>(rows.rows());
        check_input(rows.data(), B, static_cast<std::size_t>(rows.cols()));
        check_paths(g, B, "g", false);
        signal_array<Real> grad(rows.rows(), rows.cols());
        std::vector<std::pair<const Real*, std::size_t>> arrays{{rows.data(), static_cast<std::size_t>(rows.size())}};
        for (const auto& p : g) arrays.push_back({p.coef.data(), static_cast<std::size_t>(p.coef.size())});
        const staged<const Real> in(executor_, arrays);
        const staged<Real> result(executor_, {{grad.data(), static_cast<std::size_t>(grad.size())}});
        run_vjp(in[0], B, false, result[0], [&](std::size_t first, std::size_t rows) {
            return [&, first, rows](workspace_type& w, std::size_t c, const Real*, std::size_t L, Real* out) {
                w.copy(in[1 + c] + first * L, out, rows * L);
            };
        });
        result.download();
        check_no_overflow(grad.data(), static_cast<std::size_t>(grad.size()), rows.data(),
                          static_cast<std::size_t>(rows.size()), "gradient");
        return grad;
    }

    // Loss between S(y) and a target shaped like the array output (batch B,
    // or 1 to compare every signal with the same target), and its gradient
    // with respect to y; one pass, memory independent of the number of paths.
    template <class Derived>
    loss_and_gradient<Real> loss_gradient(const Eigen::DenseBase<Derived>& y, const scattering_array<Real>& target,
                                          wst::loss kind, const order_weights& weights = {1, 1, 1}) const {
        require_array_output();
        const signal_array<Real> rows = as_rows(y);
        const auto B = static_cast<std::size_t>(rows.rows());
        check_input(rows.data(), B, static_cast<std::size_t>(rows.cols()));
        check_array(target, B, "target", true);
        const std::size_t stride = target.batch() == 1 ? 0 : target.channels() * target.length();
        const staged<const Real> targets(executor_, {{target.data(), target.size()}});
        return fused_loss(rows, kind, weights, [&](std::size_t first, std::size_t c) {
            return std::pair<const Real*, std::size_t>{targets[0] + first * stride + c * target.length(), stride};
        });
    }

    // The same with a target shaped like the list output.
    template <class Derived>
    loss_and_gradient<Real> loss_gradient(const Eigen::DenseBase<Derived>& y,
                                          const std::vector<scattering_path<Real>>& target, wst::loss kind,
                                          const order_weights& weights = {1, 1, 1}) const {
        const signal_array<Real> rows = as_rows(y);
        const auto B = static_cast<std::size_t>(rows.rows());
        check_input(rows.data(), B, static_cast<std::size_t>(rows.cols()));
        check_paths(target, B, "target", true);
        std::vector<std::pair<const Real*, std::size_t>> arrays;
        for (const auto& p : target) arrays.push_back({p.coef.data(), static_cast<std::size_t>(p.coef.size())});
        const staged<const Real> targets(executor_, arrays);
        return fused_loss(rows, kind, weights, [&](std::size_t first, std::size_t c) {
            const std::size_t stride = target[c].coef.rows() == 1 ? 0 : path_length(c);
            return std::pair<const Real*, std::size_t>{targets[c] + first * stride, stride};
        });
    }

    // Targets kept where the backend works (wst::resident_target), for
    // repeated loss_gradient calls that then send only y.
    using resident_target = wst::resident_target<Backend, Real>;
    resident_target resident(const scattering_array<Real>& target) const {
        require_array_output();
        if (target.batch() == 0) detail::reject("target", "an empty batch (B = 0)", "at least one target signal");
        check_array(target, target.batch(), "target", false);
        executor_.context().activate();
        return resident_target(target.data(), target.batch(), target.size());
    }

    // The loss of row r of y against row rows[r] of a resident target, and
    // its gradient (as loss_gradient above).
    template <class Derived>
    loss_and_gradient<Real> loss_gradient(const Eigen::DenseBase<Derived>& y, const resident_target& target,
                                          const std::vector<std::size_t>& rows, wst::loss kind,
                                          const order_weights& weights = {1, 1, 1}) const {
        require_array_output();
        const signal_array<Real> signals = as_rows(y);
        const auto B = static_cast<std::size_t>(signals.rows());
        check_input(signals.data(), B, static_cast<std::size_t>(signals.cols()));
        target.check_rows(rows, B);
        const std::size_t per_row = paths_.size() * output_length();
        // Rows in order, one apart, are read where they are; others are
        // gathered first (copies within the backend's memory).
        bool in_order = true;
        for (std::size_t r = 1; r < B; ++r) in_order = in_order && rows[r] == rows[0] + r;
        const Real* base = target.data() + rows[0] * per_row;
        typename Backend::template buffer<Real> gathered;  // in the backend's memory, never staged from the host
        if (!in_order) {
            lease w(executor_);
            gathered = typename Backend::template buffer<Real>(B * per_row);
            for (std::size_t r = 0; r < B; ++r) (*w).copy(target.data() + rows[r] * per_row, gathered.data() + r * per_row, per_row);
            (*w).synchronize();
            base = gathered.data();
        }
        return fused_loss(signals, kind, weights, [&](std::size_t first, std::size_t c) {
            return std::pair<const Real*, std::size_t>{base + first * per_row + c * output_length(), per_row};
        });
    }

private:
    using executor_type = executor<Backend, Real>;
    using context_type = typename executor_type::context_type;
    using workspace_type = typename executor_type::workspace_type;
    using lease = typename executor_type::lease;
    template <class T>
    using staged = typename executor_type::template staged<T>;
    using tree_type = core::tree<workspace_type, Real>;

    struct path_info {
        std::vector<int> key;
        int order;
        std::vector<int> j;
        int level;  // subsampling of the coefficients before unpadding
    };

    // Kymatio's paths in output order, with the subsampling each ends at.
    void build_paths() {
        const bool local = geometry_.average == averaging::mode::local;
        paths_.push_back({{}, 0, {}, local ? geometry_.log2_stride : 0});
        std::vector<path_info> second;
        for (std::size_t n1 = 0; n1 < bank_.psi1.size(); ++n1) {
            const int j1 = bank_.psi1[n1].j;
            paths_.push_back({{static_cast<int>(n1)}, 1, {j1}, local ? geometry_.log2_stride : j1});
            if (params_.max_order < 2) continue;
            for (std::size_t n2 = 0; n2 < bank_.psi2.size(); ++n2) {
                const int j2 = bank_.psi2[n2].j;
                if (j2 > j1)
                    second.push_back({{static_cast<int>(n1), static_cast<int>(n2)}, 2, {j1, j2},
                                      local ? geometry_.log2_stride : j2});
            }
        }
        paths_.insert(paths_.end(), second.begin(), second.end());
    }

    // The filters, on the transform's threads: their parameters go to bank_
    // (without levels), their levels, compacted, to the backend's context.
    void build_filters() {
        compact_time_filters f = make_compact_time_filters(
            params_.J, params_.Q, geometry_, [&](std::size_t n, auto&& body) { executor_.parallel_for(n, body); });
        bank_ = std::move(f.parameters);
        executor_.set_context(std::make_unique<context_type>(
            f.psi1, f.psi2, f.phi, static_cast<std::size_t>(geometry_.N_padded), executor_.settings().planning,
            frequency_axis{}, core::tree_buffers(static_cast<std::size_t>(geometry_.N_padded))));
    }

    void require_array_output() const {
        if (geometry_.average == averaging::mode::none)
            detail::reject("out_type", "array",
                           "without averaging (T = 0) paths have different lengths: call scattering_list()");
    }

    void check_shape(const Real* x, std::size_t B, std::size_t N) const {
        signal_checks<Real>::check_shape(x, B, N, static_cast<std::size_t>(geometry_.N));
    }
    void check_input(const Real* x, std::size_t B, std::size_t N) const {
        check_shape(x, B, N);
        check_finite(x, B * N, "x", N);
    }

    static std::vector<core::channel_destination<Real>> shifted(std::vector<core::channel_destination<Real>> dest,
                                                               std::size_t b) {
        for (auto& d : dest) d.data += b * d.batch_stride;
        return dest;
    }

    std::size_t signals_per_walk(std::size_t B) const {
        return executor_.signals_per_walk(B, static_cast<std::size_t>(geometry_.N_padded) * sizeof(std::complex<Real>));
    }

    // Whole signals on threads, in groups that go through each primitive
    // together (a group of one: the signal alone), when the batch has a
    // group per thread or groups of more than one; otherwise one signal at
    // a time, its subtrees on the threads.
    bool walks_groups(std::size_t B) const {
        return (signals_per_walk(B) > 1 && B > 1) || executor_.threads_over_batch(B);
    }

    // body(workspace, tree, first, rows) for each group of signals first ..
    // first + rows - 1, the groups on the transform's threads, each on a
    // workspace of its own, whose work is done when the body returns.
    template <class Body>
    void for_each_group(std::size_t B, Body&& body) const {
        const std::size_t group = signals_per_walk(B), groups = (B + group - 1) / group;
        executor_.parallel_for(groups, [&](std::size_t, std::size_t g) {
            const std::size_t first = g * group, rows = std::min(group, B - first);
            lease w(executor_, rows);
            tree_type t(*w, geometry_, bank_, params_.max_order, rows);
            body(*w, t, first, rows);
            (*w).synchronize();
        });
    }

    void run(const Real* x, std::size_t B, const std::vector<core::channel_destination<Real>>& dest) const {
        const auto N = static_cast<std::size_t>(geometry_.N);
        if (walks_groups(B)) {
            for_each_group(B, [&](workspace_type&, tree_type& t, std::size_t first, std::size_t) {
                const auto out = shifted(dest, first);
                t.forward_root(x + first * N, out);
                for (std::size_t n1 = 0; n1 < t.subtrees(); ++n1) t.forward_subtree(n1, t.spectrum(), out);
            });
            return;
        }
        lease root_w(executor_);
        tree_type root(*root_w, geometry_, bank_, params_.max_order, 1);
        for (std::size_t b = 0; b < B; ++b) {
            const auto out = shifted(dest, b);
            root.forward_root(x + b * N, out);
            (*root_w).synchronize();  // the subtrees, on other workspaces, read its spectrum
            executor_.parallel_for(root.subtrees(), [&](std::size_t, std::size_t n1) {
                lease w(executor_);
                tree_type(*w, geometry_, bank_, params_.max_order, 1).forward_subtree(n1, root.spectrum(), out);
                (*w).synchronize();
            });
        }
    }

    // Reverse mode over the batch, walked as the forward pass is:
    // cotangent_for(first, rows) gives the cotangent callback of signals
    // first .. first + rows - 1 (see core::tree); with_values: the callbacks
    // read the coefficients (a loss does, a given cotangent does not). Each
    // subtree's share of the root's gradient is added in subtree order,
    // whatever thread computed it, so the bits do not depend on the threads;
    // if a subtree fails, the others stop waiting for their turn.
    template <class CotangentFor>
    void run_vjp(const Real* x, std::size_t B, bool with_values, Real* grad, CotangentFor&& cotangent_for) const {
        const auto N = static_cast<std::size_t>(geometry_.N);
        auto add_share = [](workspace_type& w, tree_type& into, const typename tree_type::complex_type* share) {
            w.add(reinterpret_cast<const Real*>(share), reinterpret_cast<Real*>(into.gradient_of_spectrum()),
                  2 * into.spectrum_size());
        };
        if (walks_groups(B)) {
            for_each_group(B, [&](workspace_type& w, tree_type& t, std::size_t first, std::size_t rows) {
                auto cotangent = cotangent_for(first, rows);
                t.vjp_root(x + first * N, with_values, cotangent);
                for (std::size_t n1 = 0; n1 < t.subtrees(); ++n1) {
                    auto* share = t.subtree_gradient();
                    t.vjp_subtree(n1, t.spectrum(), with_values, cotangent, share);
                    add_share(w, t, share);
                }
                t.vjp_finish(grad + first * N);
            });
            return;
        }
        lease root_w(executor_);
        tree_type root(*root_w, geometry_, bank_, params_.max_order, 1);
        for (std::size_t b = 0; b < B; ++b) {
            auto cotangent = cotangent_for(b, 1);
            root.vjp_root(x + b * N, with_values, cotangent);
            (*root_w).synchronize();  // the subtrees, on other workspaces, read its spectrum
            turns order;
            executor_.parallel_for(root.subtrees(), [&](std::size_t, std::size_t n1) {
                try {
                    lease w(executor_);
                    tree_type t(*w, geometry_, bank_, params_.max_order, 1);
                    auto* share = t.subtree_gradient();
                    t.vjp_subtree(n1, root.spectrum(), with_values, cotangent, share);
                    if (!order.wait(n1)) return;  // an earlier subtree failed
                    add_share(*w, root, share);
                    (*w).synchronize();  // added before the next subtree adds its share
                    order.done();
                } catch (...) {
                    order.fail();
                    throw;
                }
            });
            root.vjp_finish(grad + b * N);
            (*root_w).synchronize();
        }
    }

    // The loss of each signal accumulates channel by channel while the tree
    // is walked (loss_sums). target_rows(first, c) gives the target of
    // channel c for signal `first` and the distance between signals' targets.
    template <class TargetRows>
    loss_and_gradient<Real> fused_loss(const signal_array<Real>& y, wst::loss kind, const order_weights& weights,
                                       TargetRows&& target_rows) const {
        const auto B = static_cast<std::size_t>(y.rows());
        std::size_t count = 0;
        std::vector<int> orders;
        for (std::size_t c = 0; c < paths_.size(); ++c) {
            count += path_length(c);
            orders.push_back(paths_[c].order);
        }
        loss_sums<Real> sums(B, static_cast<std::size_t>(y.cols()), orders, count, kind, weights);
        const staged<const Real> in(executor_, {{y.data(), static_cast<std::size_t>(y.size())}});
        const staged<Real> gradient(executor_, {{sums.gradient().data(), static_cast<std::size_t>(sums.gradient().size())}});
        const staged<double> channel_sums(executor_, {{sums.all_sums().data(), sums.all_sums().size()}});
        const std::size_t sums_per_signal = sums.row_stride();
        run_vjp(in[0], B, true, gradient[0], [&](std::size_t first, std::size_t rows) {
            return [&, first, rows](workspace_type& w, std::size_t c, const Real* S, std::size_t L, Real* out) {
                const auto [target, stride] = target_rows(first, c);
                w.loss_rows(sums.term(c), S, target, stride, rows, L, out,
                            channel_sums[0] + sums.offset(first, c), sums_per_signal);
            };
        });
        gradient.download();
        channel_sums.download();
        loss_and_gradient<Real> result = sums.finish();
        check_no_overflow(result.gradient.data(), static_cast<std::size_t>(result.gradient.size()), y.data(),
                          static_cast<std::size_t>(y.size()), "gradient");
        const Eigen::Map<const Eigen::ArrayXd> losses(result.loss.data(), static_cast<Eigen::Index>(B));
        if (!losses.allFinite()) reject_overflow(y.data(), static_cast<std::size_t>(y.size()), "loss");
        return result;
    }

    // A cotangent or target shaped like the array output for B signals
    // (a target may also have batch 1), with finite values.
    void check_array(const scattering_array<Real>& a, std::size_t B, const std::string& name, bool broadcast) const {
        if ((a.batch() != B && !(broadcast && a.batch() == 1)) || a.channels() != paths_.size() ||
            a.length() != output_length()) {
            std::ostringstream value, allowed;
            value << "an array of shape (" << a.batch() << ", " << a.channels() << ", " << a.length() << ")";
            allowed << "the shape of the output, (" << B << ", " << paths_.size() << ", " << output_length() << ")"
                    << (broadcast ? ", or batch 1" : "");
            detail::reject(name, value.str(), allowed.str());
        }
        check_finite(a.data(), a.size(), name);
    }

    void check_paths(const std::vector<scattering_path<Real>>& p, std::size_t B, const std::string& name,
                     bool broadcast) const {
        if (p.size() != paths_.size())
            detail::reject(name, std::to_string(p.size()) + " paths", "one per output channel (" +
                                                                         std::to_string(paths_.size()) + ")");
        for (std::size_t c = 0; c < p.size(); ++c) {
            const auto rows = static_cast<std::size_t>(p[c].coef.rows());
            const auto cols = static_cast<std::size_t>(p[c].coef.cols());
            if ((rows != B && !(broadcast && rows == 1)) || cols != path_length(c)) {
                std::ostringstream value;
                value << "path " << c << " of shape (" << rows << ", " << cols << ")";
                detail::reject(name, value.str(),
                               "(" + std::to_string(B) + ", " + std::to_string(path_length(c)) + ") for that path");
            }
            check_finite(p[c].coef.data(), rows * cols, name);
        }
    }

    scattering1d_params params_;
    scattering1d_geometry geometry_;
    executor_type executor_;
    filter_bank bank_;  // parameters (xi, sigma, j) of every filter; no levels
    mutable std::once_flag full_bank_once_;
    mutable std::unique_ptr<filter_bank> full_bank_;
    std::vector<path_info> paths_;
};

}  // namespace wst
