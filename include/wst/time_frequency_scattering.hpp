// wst::TimeFrequencyScattering: Kymatio 0.4's joint time-frequency
// scattering (kymatio.TimeFrequencyScattering), a thin frontend: it checks
// the arguments, builds the filters and the backend's context, and runs the
// joint walk (core_joint.hpp) over the batch on the transform's threads.
#pragma once

#include "wst/core_joint.hpp"
#include "wst/execution.hpp"
#include "wst/frequency_filter_bank.hpp"
#include "wst/jtfs_parameters.hpp"
#include "wst/jtfs_paths.hpp"
#include "wst/loss_sums.hpp"
#include "wst/scattering1d.hpp"
#include "wst/signal_checks.hpp"
#include "wst/time_filters.hpp"

#include <algorithm>
#include <complex>
#include <cstddef>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace wst {

// One entry of the list output (out_type list): Kymatio's dict, its fields
// (jtfs_list_key: n, j, order, n_fr, j_fr, spin, n1_max, n1_stride) and its
// coefficients coef, (B, rows, N_out): format time one row (Kymatio's (B,
// N_out)); format joint the path's rows along n1, row r at n1 = r *
// n1_stride; order 0 one row in both.
template <class Real>
struct jtfs_path_output : jtfs_list_key {
    scattering_array<Real> coef;
};

template <class Backend, class Real = double>
class TimeFrequencyScattering : private signal_checks<Real> {
    static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>, "Real must be float or double");
    using checks = signal_checks<Real>;
    using executor_type = executor<Backend, Real>;
    using workspace_type = typename executor_type::workspace_type;
    using context_type = typename executor_type::context_type;
    using lease = typename executor_type::lease;
    template <class T>
    using staged = typename executor_type::template staged<T>;
    using walk_type = core::joint_walk<workspace_type, Real>;

public:
    using real_type = Real;
    using backend_type = Backend;

    explicit TimeFrequencyScattering(const jtfs_params& params, const execution& exec = {},
                                     const warning_handler& on_warning = {})
        : params_(params), geometry_(make_jtfs_geometry(params)), executor_(exec) {
        compact_time_filters time = make_compact_time_filters(
            params_.J, params_.Q, geometry_.time, [&](std::size_t n, auto&& body) { executor_.parallel_for(n, body); });
        bank_ = std::move(time.parameters);
        // phi_F's levels up to stride_fr: the averaging along n1 reads level k_fr <= log2_stride_fr.
        frequency_ = frequency_filter_factory(static_cast<std::size_t>(geometry_.N_padded_fr), params_.J_fr,
                                              params_.Q_fr, geometry_.F, geometry_.log2_stride_fr + 1);
        time_specs_ = scattering_filter_specs(params_.J, params_.Q.q1, params_.Q.q2, geometry_.time.T);
        paths_ = joint_paths(geometry_, params_.format, time_specs_, frequency_);
        list_paths_ = joint_list_paths(geometry_, params_.format, time_specs_, frequency_);
        list_keys_ = joint_list_keys(list_paths_, params_.format, frequency_);
        frequency_axis axis{static_cast<std::size_t>(geometry_.N_padded_fr), 1, {}, {}, {}, {}};
        for (int k = 0; k <= geometry_.log2_stride_fr; ++k)
            axis.phi_F_averaging.push_back(
                averaging_matrix(compact(frequency_.phi_F.levels[static_cast<std::size_t>(k)]), geometry_.log2_stride_fr - k));
        for (const auto& f : frequency_.filters) axis.filters.push_back(compact(f.values));
        for (const auto* paths : {&paths_, &list_paths_})
            for (const auto& p : *paths) axis.levels = std::max({axis.levels, p.k_fr + 1, p.level_fr + 1});
        for (int k = 0; k < axis.levels; ++k) {
            axis.selection.push_back(selection_matrix(axis.N_padded_fr >> k));
            axis.summation.push_back(summation_matrix(axis.N_padded_fr >> k));
        }
        // The buffers fit the walks of both outputs: the array's (paths_) and the list's (list_paths_).
        // Chunk scratch for every thread on the CPU; a device walks a plane as one chunk.
        const std::size_t workers = Backend::host_memory ? static_cast<std::size_t>(executor_.threads()) : 1;
        // The fused loss keeps each plane's Y where it fits in kept_bytes (its walk is paths_'s).
        kept_values_ = walk_type::kept_values(geometry_, paths_, exec.kept_bytes / sizeof(std::complex<Real>));
        buffer_layout buffers = walk_type::buffers(geometry_, bank_, paths_, workers, kept_values_);
        const buffer_layout list_buffers = walk_type::buffers(geometry_, bank_, list_paths_, workers);
        for (std::size_t i = 0; i < buffers.real.size(); ++i) buffers.real[i] = std::max(buffers.real[i], list_buffers.real[i]);
        for (std::size_t i = 0; i < buffers.complex.size(); ++i)
            buffers.complex[i] = std::max(buffers.complex[i], list_buffers.complex[i]);
        executor_.set_context(std::make_unique<context_type>(
            time.psi1, time.psi2, time.phi, static_cast<std::size_t>(geometry_.time.N_padded), executor_.settings().planning,
            axis, buffers));
        if (on_warning)
            for (const auto& w : geometry_.time.warnings) on_warning(w);
    }

    // --- parameters and what Kymatio derives from them -------------------
    const jtfs_params& params() const { return params_; }
    const jtfs_geometry& geometry() const { return geometry_; }
    long long shape() const { return geometry_.time.N; }
    long long T() const { return geometry_.time.T; }
    long long F() const { return geometry_.F; }
    int log2_stride() const { return geometry_.time.log2_stride; }
    int log2_stride_fr() const { return geometry_.log2_stride_fr; }
    long long N_padded() const { return geometry_.time.N_padded; }
    long long N_padded_fr() const { return geometry_.N_padded_fr; }
    // The filters' parameters: time (xi, sigma, j; no levels) and frequential (with their values).
    const filter_bank& time_filters() const { return bank_; }
    const frequency_filter_bank& frequency_filters() const { return frequency_; }
    const std::vector<joint_path>& paths() const { return paths_; }
    const std::vector<warning>& warnings() const { return geometry_.time.warnings; }
    int threads() const { return executor_.threads(); }

    // --- output layout ---------------------------------------------------
    // Channels of the output: format time, C (order 0 included); format
    // joint, the number of paths (Kymatio's output_size() counts one more
    // there: its key list keeps order 0's empty key).
    std::size_t output_size() const { return joint_output_size(paths_, params_.format); }
    // Rows per path (format joint's array; rejected where the paths'
    // numbers of rows differ, out_type list: list_keys() has them).
    std::size_t rows_per_path() const {
        require_array_output();
        return paths_.front().rows;
    }
    std::size_t output_length() const {
        if (geometry_.time.average == averaging::mode::global) return 1;
        const auto l = static_cast<std::size_t>(geometry_.time.log2_stride);
        return static_cast<std::size_t>(geometry_.time.ind_end[l] - geometry_.time.ind_start[l]);
    }
    // The shape of one signal's output: (C, N_out) or (n_paths, rows, N_out).
    std::vector<std::size_t> output_shape() const {
        if (params_.format == jtfs_format::joint) return {paths_.size(), rows_per_path(), output_length()};
        return {output_size(), output_length()};
    }
    // One row per channel (format time) or path (format joint) of the
    // output of out_type: with out_type list, format joint's meta has order
    // 0 first (as Kymatio's; its list has order 0 first).
    jtfs_meta meta() const {
        return joint_meta(paths_, params_.format, time_specs_, frequency_,
                          params_.format == jtfs_format::time || params_.out_type == out_type::list);
    }
    // The list output's entries, without coefficients, in its order
    // (scattering_list() gives them with their coefficients).
    const std::vector<jtfs_list_key>& list_keys() const { return list_keys_; }
    std::size_t list_size() const { return list_keys_.size(); }
    // Rows per signal of the array output (channels, or paths x rows), and
    // the scattering order of each.
    std::size_t output_rows() const {
        return params_.format == jtfs_format::joint ? paths_.size() * rows_per_path() : output_size();
    }
    std::vector<int> output_row_orders() const {
        std::vector<int> orders(output_rows(), 0);
        for (std::size_t p = 0; p < paths_.size(); ++p) {
            const std::size_t first = params_.format == jtfs_format::time ? paths_[p].first_channel : p * rows_per_path();
            std::fill_n(orders.begin() + static_cast<std::ptrdiff_t>(first), paths_[p].rows, paths_[p].order);
        }
        return orders;
    }
    averaging::mode average() const { return geometry_.time.average; }

    // --- the transform -------------------------------------------------------
    // The array output of B signals: (B, C, N_out) in format time; in
    // format joint (B, n_paths x rows, N_out), which is (B, n_paths, rows,
    // N_out) in C order (output_shape()). Given with either out_type (as
    // Scattering1D's), except where it does not exist: format joint with F
    // = 0, F global or stride_fr > 2^J_fr (allowed with out_type list only).
    template <class Derived>
    scattering_array<Real> scattering(const Eigen::DenseBase<Derived>& x) const {
        const signal_array<Real> rows = checks::as_rows(x);
        return scattering(rows.data(), static_cast<std::size_t>(rows.rows()), static_cast<std::size_t>(rows.cols()));
    }

    scattering_array<Real> scattering(const Real* x, std::size_t B, std::size_t N) const {
        require_array_output();
        return forward(x, B, N, paths_, params_.format, output_rows());
    }

    // The list output (Kymatio's out_type='list'): every entry in Kymatio's
    // order, order 0 first, with its fields and (B, rows, N_out)
    // coefficients (jtfs_path_output). Format time: one entry per channel of
    // the array output, the same numbers. Format joint: one per path, its
    // rows cut along n1 as Kymatio cuts them (1 + n1_max / n1_stride rows, at
    // most those the path has), where the array keeps them all. Given with
    // either out_type.
    template <class Derived>
    std::vector<jtfs_path_output<Real>> scattering_list(const Eigen::DenseBase<Derived>& x) const {
        const signal_array<Real> rows = checks::as_rows(x);
        return scattering_list(rows.data(), static_cast<std::size_t>(rows.rows()),
                               static_cast<std::size_t>(rows.cols()));
    }

    std::vector<jtfs_path_output<Real>> scattering_list(const Real* x, std::size_t B, std::size_t N) const {
        const std::size_t L = output_length();
        const scattering_array<Real> flat = forward(x, B, N, list_paths_, jtfs_format::time, list_rows());
        std::vector<jtfs_path_output<Real>> out;
        out.reserve(list_keys_.size());
        for (const auto& k : list_keys_) {
            jtfs_path_output<Real> e{k, scattering_array<Real>(B, k.rows, L)};
            for (std::size_t b = 0; b < B; ++b)
                std::copy_n(flat.data() + (b * flat.channels() + k.first_channel) * L, k.rows * L,
                            e.coef.data() + b * k.rows * L);
            out.push_back(std::move(e));
        }
        return out;
    }

    // --- reverse mode -------------------------------------------------------
    // Gradient with respect to x of sum(S(x) * g), g shaped like the array
    // output; the result is shaped like x (B x N).
    template <class Derived>
    signal_array<Real> backward(const Eigen::DenseBase<Derived>& x, const scattering_array<Real>& g) const {
        const signal_array<Real> rows = checks::as_rows(x);
        signal_array<Real> grad(rows.rows(), rows.cols());
        backward(rows.data(), static_cast<std::size_t>(rows.rows()), static_cast<std::size_t>(rows.cols()), g, grad.data());
        return grad;
    }

    void backward(const Real* x, std::size_t B, std::size_t N, const scattering_array<Real>& g, Real* grad) const {
        require_array_output();
        checks::check_shape(x, B, N, static_cast<std::size_t>(geometry_.time.N));
        checks::check_finite(x, B * N, "x", N);
        check_array(g, B, "g");
        reverse(x, B, N, g, paths_, params_.format, grad);
    }

    // Gradient with respect to x of the sum over the entries of sum(coef *
    // g_entry), g shaped like the list output (an entry per entry of
    // scattering_list(x), coef (B, rows, N_out) each).
    template <class Derived>
    signal_array<Real> backward(const Eigen::DenseBase<Derived>& x, const std::vector<jtfs_path_output<Real>>& g) const {
        const signal_array<Real> rows = checks::as_rows(x);
        signal_array<Real> grad(rows.rows(), rows.cols());
        backward(rows.data(), static_cast<std::size_t>(rows.rows()), static_cast<std::size_t>(rows.cols()), g, grad.data());
        return grad;
    }

    void backward(const Real* x, std::size_t B, std::size_t N, const std::vector<jtfs_path_output<Real>>& g,
                  Real* grad) const {
        checks::check_shape(x, B, N, static_cast<std::size_t>(geometry_.time.N));
        checks::check_finite(x, B * N, "x", N);
        check_list(g, B, "g");
        // The entries' cotangents side by side, as the list walk's channels.
        const std::size_t L = output_length();
        scattering_array<Real> flat(B, list_rows(), L);
        for (std::size_t e = 0; e < g.size(); ++e)
            for (std::size_t b = 0; b < B; ++b)
                std::copy_n(g[e].coef.data() + b * list_keys_[e].rows * L, list_keys_[e].rows * L,
                            flat.data() + (b * flat.channels() + list_keys_[e].first_channel) * L);
        reverse(x, B, N, flat, list_paths_, jtfs_format::time, grad);
    }

    // Loss between S(y) and a target shaped like the array output (batch B,
    // or 1 to compare every signal with the same target), and its gradient
    // with respect to y, in one reverse walk per signal (loss_sums).
    template <class Derived>
    loss_and_gradient<Real> loss_gradient(const Eigen::DenseBase<Derived>& y, const scattering_array<Real>& target,
                                          wst::loss kind, const order_weights& weights = {1, 1, 1}) const {
        require_array_output();
        const signal_array<Real> signals = checks::as_rows(y);
        const auto B = static_cast<std::size_t>(signals.rows());
        check_array(target, target.batch() == 1 ? 1 : B, "target");
        const std::size_t stride = target.batch() == 1 ? 0 : output_rows() * output_length();
        const staged<const Real> targets(executor_, {{target.data(), target.size()}});
        return fused_loss(signals, kind, weights, [&](std::size_t b) { return targets[0] + b * stride; });
    }

    // Targets kept where the backend works (wst::resident_target), for
    // repeated loss_gradient calls that then send only y.
    using resident_target = wst::resident_target<Backend, Real>;
    resident_target resident(const scattering_array<Real>& target) const {
        require_array_output();
        if (target.batch() == 0) detail::reject("target", "an empty batch (B = 0)", "at least one target signal");
        check_array(target, target.batch(), "target");
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
        const signal_array<Real> signals = checks::as_rows(y);
        const auto B = static_cast<std::size_t>(signals.rows());
        target.check_rows(rows, B);
        const std::size_t per_signal = output_rows() * output_length();
        return fused_loss(signals, kind, weights, [&](std::size_t b) { return target.data() + rows[b] * per_signal; });
    }

private:
    // run(b, chunks) for every signal b < B: the signals over the threads
    // when there is one per thread (or the backend is a device); otherwise
    // one signal after the other, each one's chunks of rows over the
    // threads. The bits are the same either way (core::joint_walk).
    template <class Run>
    void over_signals(std::size_t B, Run&& run) const {
        if (!Backend::host_memory || executor_.threads_over_batch(B)) {
            const core::chunk_runner in_order = core::run_chunks_in_order;
            executor_.parallel_for(B, [&](std::size_t, std::size_t b) { run(b, in_order); });
            return;
        }
        const core::chunk_runner on_threads = [this](std::size_t count, const core::chunk_body& body) {
            executor_.parallel_for(count, body);
        };
        for (std::size_t b = 0; b < B; ++b) run(b, on_threads);
    }

    // Channels of the list layout (list_paths_ in format time, order 0 first).
    std::size_t list_rows() const { return joint_output_size(list_paths_, jtfs_format::time); }

    // The array output exists but in format joint with paths of different
    // numbers of rows (F = 0 or global, stride_fr > 2^J_fr; out_type list).
    void require_array_output() const { check_joint_array(params_, geometry_); }

    // The walk over paths in format: B signals to (B, rows, N_out).
    scattering_array<Real> forward(const Real* x, std::size_t B, std::size_t N, const std::vector<joint_path>& paths,
                                   jtfs_format format, std::size_t rows) const {
        checks::check_shape(x, B, N, static_cast<std::size_t>(geometry_.time.N));
        checks::check_finite(x, B * N, "x", N);
        scattering_array<Real> out(B, rows, output_length());
        const staged<const Real> in(executor_, {{x, B * N}});
        const staged<Real> result(executor_, {{out.data(), out.size()}});
        const std::size_t per_signal = rows * output_length();
        over_signals(B, [&](std::size_t b, const core::chunk_runner& chunks) {
            lease w(executor_);
            walk_type(*w, geometry_, bank_, paths, format, 1, chunks)
                .forward(in[0] + b * N, result[0] + b * per_signal, per_signal);
            (*w).synchronize();
        });
        result.download();
        checks::check_no_overflow(out.data(), out.size(), x, B * N, "coefficients");
        return out;
    }

    // The reverse walk over paths in format, g shaped like its output (checked).
    void reverse(const Real* x, std::size_t B, std::size_t N, const scattering_array<Real>& g,
                 const std::vector<joint_path>& paths, jtfs_format format, Real* grad) const {
        const std::size_t L = output_length(), per_signal = g.channels() * L;
        const staged<const Real> in(executor_, {{x, B * N}, {g.data(), g.size()}});
        const staged<Real> result(executor_, {{grad, B * N}});
        over_signals(B, [&](std::size_t b, const core::chunk_runner& chunks) {
            const Real* g_b = in[1] + b * per_signal;
            auto cotangent = [&](workspace_type& w, std::size_t first_row, std::size_t rows, const Real*, Real* out) {
                w.copy_rows(g_b + first_row * L, L, out, L, rows, L);
            };
            lease w(executor_);
            walk_type(*w, geometry_, bank_, paths, format, 1, chunks)
                .vjp(in[0] + b * N, false, cotangent, result[0] + b * N);
            (*w).synchronize();
        });
        result.download();
        checks::check_no_overflow(grad, B * N, x, B * N, "gradient");
    }

    // A cotangent shaped like the list output of B signals, finite.
    void check_list(const std::vector<jtfs_path_output<Real>>& g, std::size_t B, const std::string& name) const {
        if (g.size() != list_keys_.size())
            detail::reject(name, std::to_string(g.size()) + " entries",
                           "one per entry of the list output (" + std::to_string(list_keys_.size()) + ")");
        for (std::size_t e = 0; e < g.size(); ++e) {
            const scattering_array<Real>& a = g[e].coef;
            if (a.batch() != B || a.channels() != list_keys_[e].rows || a.length() != output_length()) {
                std::ostringstream value, allowed;
                value << "entry " << e << " of shape (" << a.batch() << ", " << a.channels() << ", " << a.length() << ")";
                allowed << "(" << B << ", " << list_keys_[e].rows << ", " << output_length() << ") for that entry";
                detail::reject(name, value.str(), allowed.str());
            }
            checks::check_finite(a.data(), a.size(), name);
        }
    }

    // A cotangent shaped like the array output of B signals, finite.
    void check_array(const scattering_array<Real>& a, std::size_t B, const std::string& name) const {
        if (a.batch() != B || a.channels() != output_rows() || a.length() != output_length()) {
            std::ostringstream value, allowed;
            value << "an array of shape (" << a.batch() << ", " << a.channels() << ", " << a.length() << ")";
            allowed << "the shape of the output, (" << B << ", " << output_rows() << ", " << output_length() << ")";
            detail::reject(name, value.str(), allowed.str());
        }
        checks::check_finite(a.data(), a.size(), name);
    }

    // The fused loss of every signal of y against the target target_of(b)
    // (backend memory, output_rows() x output_length() values).
    template <class TargetOf>
    loss_and_gradient<Real> fused_loss(const signal_array<Real>& signals, wst::loss kind, const order_weights& weights,
                                       TargetOf&& target_of) const {
        const auto B = static_cast<std::size_t>(signals.rows()), N = static_cast<std::size_t>(signals.cols());
        checks::check_shape(signals.data(), B, N, static_cast<std::size_t>(geometry_.time.N));
        checks::check_finite(signals.data(), B * N, "y", N);
        const std::size_t L = output_length();
        loss_sums<Real> sums(B, N, output_row_orders(), output_rows() * L, kind, weights);
        const staged<const Real> in(executor_, {{signals.data(), B * N}});
        const staged<Real> gradient(executor_, {{sums.gradient().data(), B * N}});
        const staged<double> row_sums(executor_, {{sums.all_sums().data(), sums.all_sums().size()}});
        over_signals(B, [&](std::size_t b, const core::chunk_runner& chunks) {
            const Real* target_b = target_of(b);
            auto cotangent = [&](workspace_type& w, std::size_t first_row, std::size_t rows, const Real* S, Real* out) {
                for (std::size_t r = first_row; r < first_row + rows; ++r)
                    w.loss_rows(sums.term(r), S + (r - first_row) * L, target_b + r * L, 0, 1, L,
                                out + (r - first_row) * L, row_sums[0] + sums.offset(b, r), sums.row_stride());
            };
            lease w(executor_);
            walk_type(*w, geometry_, bank_, paths_, params_.format, 1, chunks, kept_values_)
                .vjp(in[0] + b * N, true, cotangent, gradient[0] + b * N);
            (*w).synchronize();
        });
        gradient.download();
        row_sums.download();
        loss_and_gradient<Real> result = sums.finish();
        checks::check_no_overflow(result.gradient.data(), B * N, signals.data(), B * N, "gradient");
        const Eigen::Map<const Eigen::ArrayXd> losses(result.loss.data(), static_cast<Eigen::Index>(B));
        if (!losses.allFinite()) checks::reject_overflow(signals.data(), B * N, "loss");
        return result;
    }

    jtfs_params params_;
    jtfs_geometry geometry_;
    executor_type executor_;
    filter_bank bank_;
    frequency_filter_bank frequency_;
    std::vector<filter_spec> time_specs_;
    std::vector<joint_path> paths_;
    std::vector<joint_path> list_paths_;   // the list output's walk, in format time (joint_list_paths)
    std::vector<jtfs_list_key> list_keys_;  // its entries (joint_list_keys)
    std::size_t kept_values_ = 0;           // per signal, of the fused loss's kept Y (core::joint_walk)
};

}  // namespace wst
