// Reconstruction from scattering coefficients: a descent to a signal whose
// scattering matches a target's, on any backend, with the fused
// loss-and-gradient of Scattering1D or TimeFrequencyScattering and the
// optimizers of optimize.hpp.
//
// The default starts from the phase-gradient signal of the target's
// first-order coefficients (phase_gradient.hpp) and runs L-BFGS on
// ||S(y) - S*|| for 200 gradient evaluations. From Gaussian noise instead,
// L-BFGS settles in local minima where a tone sits at a wrong frequency
// between two wavelets, and bands no wavelet covers keep the noise's energy.
//
// A batch is B independent problems solved together: each runs its
// optimizer on a thread of its own, and their evaluations are gathered into
// one batched loss-and-gradient call (wst::lockstep), so that the
// transform's threads (or a GPU) see B signals at once.
#pragma once

#include "wst/backend/fftw_plan.hpp"
#include "wst/error.hpp"
#include "wst/optimize.hpp"
#include "wst/phase_gradient.hpp"
#include "wst/scattering1d.hpp"
#include "wst/time_frequency_scattering.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace wst {

// How the search starts: the phase-gradient signal of the target's
// first-order coefficients (phase_gradient.hpp); Gaussian noise scaled so
// that its first-order scattering has the target's energy; that noise
// filtered to follow the target's first-order (spectral) envelope; or a
// signal given by the caller. Every start but a given one counts as one
// gradient evaluation of the budget (it costs about one transform).
enum class initialization { phase_gradient, noise, envelope, given };

// One line of the history, reported after every iteration.
struct reconstruction_progress {
    std::size_t signal = 0;                           // which problem of the batch
    int iteration = 0;
    int evaluations = 0;                              // gradient evaluations so far, the start's included
    double loss = 0;                                  // loss of the current point
    double relative_error = 0;                        // ||S(y) - S*|| / ||S*||
    std::array<double, 3> relative_error_by_order{};  // per order m (NaN past max_order)
    double step = 0;                                  // learning rate or line-search step
    double elapsed_seconds = 0;
};

// The defaults are the method that converges: L-BFGS (step 1) from the
// phase-gradient start, 200 gradient evaluations. The bold driver of the
// seed example is optimizer::bold_driver, learning_rate 100, init noise.
struct reconstruction_options : optimizer_options {
    reconstruction_options() {
        optimizer = wst::optimizer::lbfgs;
        learning_rate = 1;
        max_evaluations = 200;
    }
    wst::loss loss = wst::loss::norm;
    order_weights weights = {1, 1, 1};
    wst::initialization init = wst::initialization::phase_gradient;
    unsigned seed = 0;
    // Stopping, whichever comes first (a non-positive value disables a rule;
    // max_evaluations is in optimizer_options).
    int max_iterations = 0;
    double target_error = 0;
    double max_seconds = 0;
    // Called after every iteration of every problem (from the
    // reconstruction's threads, one call at a time); returning false stops
    // that problem.
    std::function<bool(const reconstruction_progress&)> on_iteration;
};

template <class Real>
struct reconstruction_result {
    Eigen::Array<Real, Eigen::Dynamic, 1> signal;  // the best point found
    std::vector<reconstruction_progress> history;
    reconstruction_progress final;                 // the best point's figures
    std::string stop_reason;                       // iterations, evaluations, target_error, time or callback
};

namespace detail {

// What the reconstruction reads of a transform, for each frontend: the rows
// of its array output, the order of each, and the highest order.
template <class Backend, class Real>
std::size_t array_rows(const Scattering1D<Backend, Real>& S) { return S.output_size(); }
template <class Backend, class Real>
std::size_t array_rows(const TimeFrequencyScattering<Backend, Real>& S) { return S.output_rows(); }
template <class Backend, class Real>
std::vector<int> row_orders(const Scattering1D<Backend, Real>& S) { return S.meta().order; }
template <class Backend, class Real>
std::vector<int> row_orders(const TimeFrequencyScattering<Backend, Real>& S) { return S.output_row_orders(); }
// Which orders the output has (JTFS in format joint: no order 0).
template <class Transform>
std::array<bool, 3> orders_present(const Transform& S) {
    std::array<bool, 3> present{false, false, false};
    for (const int m : row_orders(S)) present[static_cast<std::size_t>(m)] = true;
    return present;
}

// ||S*_m||^2 per order m of target signal b.
template <class Transform, class Real>
std::array<double, 3> norms_by_order(const Transform& S, const scattering_array<Real>& target, std::size_t b) {
    std::array<double, 3> n{0, 0, 0};
    const auto orders = row_orders(S);
    for (std::size_t c = 0; c < target.channels(); ++c)
        n[static_cast<std::size_t>(orders[c])] += target.channel(b, c).square().template cast<double>().sum();
    return n;
}

// Relative errors from squared errors per order (NaN for an order the
// output does not have).
inline void relative_errors(reconstruction_progress& p, const std::array<double, 3>& squared_error,
                            const std::array<double, 3>& target_norm2, const std::array<bool, 3>& present) {
    double err = 0, norm = 0;
    for (std::size_t m = 0; m < 3; ++m) {
        const bool exists = present[m];
        p.relative_error_by_order[m] =
            exists ? std::sqrt(squared_error[m] / std::max(target_norm2[m], 1e-300)) : std::nan("");
        if (exists) err += squared_error[m], norm += target_norm2[m];
    }
    p.relative_error = std::sqrt(err / std::max(norm, 1e-300));
}

// Starting point for target signal b (see initialization; not `given`).
template <class Backend, class Real>
Eigen::VectorXd initial_point(const Scattering1D<Backend, Real>& S, const scattering_array<Real>& target, std::size_t b,
                              const reconstruction_options& o, unsigned seed) {
    if (o.init == initialization::phase_gradient) return phase_gradient::signal(S, target, b, seed);
    const auto N = static_cast<std::size_t>(S.shape());
    std::mt19937_64 gen(seed);
    std::normal_distribution<double> normal;
    Eigen::VectorXd y(static_cast<Eigen::Index>(N));
    for (auto& v : y) v = normal(gen);
    auto transform = [&](const Eigen::VectorXd& v) { return S.scattering(v.transpose().cast<Real>().eval()); };
    const std::size_t first = S.output_size_by_order()[1];
    if (o.init == initialization::envelope) {
        // Gain at frequency omega: sum over wavelets lambda of
        // |psi_lambda(omega)|^2 S1_lambda(target) / S1_lambda(noise) (time
        // means), normalized by sum |psi_lambda(omega)|^2.
        const auto Sn = transform(y);
        const auto& bank = S.filters();
        const auto Np = static_cast<double>(S.N_padded());
        fftw::plan<double> forward(fftw::plan<double>::kind::complex_forward, N),
            backward(fftw::plan<double>::kind::complex_backward, N);
        fftw::aligned_buffer<std::complex<double>> time(N), spectrum(N);
        for (std::size_t i = 0; i < N; ++i) time.data()[i] = y[static_cast<Eigen::Index>(i)];
        forward.c2c(time.data(), spectrum.data());
        for (std::size_t k = 0; k < N; ++k) {
            const double freq = static_cast<double>(std::min(k, N - k)) / static_cast<double>(N);
            const auto bin = static_cast<std::size_t>(std::llround(freq * Np));
            double num = 0, den = 1e-30;
            for (std::size_t n1 = 0; n1 < first; ++n1) {
                const double w = bank.psi1[n1].levels[0][bin] * bank.psi1[n1].levels[0][bin];
                num += w * target.channel(b, 1 + n1).mean() / std::max<double>(Sn.channel(0, 1 + n1).mean(), 1e-30);
                den += w;
            }
            spectrum.data()[k] *= num / den / static_cast<double>(N);
        }
        backward.c2c(spectrum.data(), time.data());
        for (std::size_t i = 0; i < N; ++i) y[static_cast<Eigen::Index>(i)] = time.data()[i].real();
    }
    // Scattering is 1-homogeneous: scale so that the first-order coefficients
    // carry the target's energy.
    auto first_order_norm = [&](const scattering_array<Real>& a, std::size_t row) {
        double e = 0;
        for (std::size_t c = 1; c <= first; ++c) e += a.channel(row, c).square().template cast<double>().sum();
        return std::sqrt(e);
    };
    return y * (first_order_norm(target, b) / std::max(first_order_norm(transform(y), 0), 1e-300));
}

// The start for a JTFS target: Gaussian noise with the target's energy
// (JTFS is 1-homogeneous too), or rejected: the phase-gradient and
// envelope starts read Scattering1D's first-order coefficients, which a
// JTFS target has only averaged along n1.
template <class Backend, class Real>
Eigen::VectorXd initial_point(const TimeFrequencyScattering<Backend, Real>& S, const scattering_array<Real>& target,
                              std::size_t b, const reconstruction_options& o, unsigned seed) {
    if (o.init != initialization::noise)
        reject("init", o.init == initialization::phase_gradient ? "phase_gradient" : "envelope",
               "a TimeFrequencyScattering target starts from noise or a given signal (the phase-gradient and "
               "envelope starts need Scattering1D's first-order coefficients)");
    std::mt19937_64 gen(seed);
    std::normal_distribution<double> normal;
    Eigen::VectorXd y(static_cast<Eigen::Index>(S.shape()));
    for (auto& v : y) v = normal(gen);
    const auto Sy = S.scattering(y.transpose().cast<Real>().eval());
    double target_energy = 0, noise_energy = 0;
    for (std::size_t c = 0; c < target.channels(); ++c) {
        target_energy += target.channel(b, c).square().template cast<double>().sum();
        noise_energy += Sy.channel(0, c).square().template cast<double>().sum();
    }
    return y * std::sqrt(target_energy / std::max(noise_energy, 1e-300));
}

// Problems solved together at most (one thread each, mostly waiting).
inline constexpr std::size_t lockstep_problems = 256;

}  // namespace detail

// Reconstructs, for each signal b of the target's batch, a signal whose
// scattering matches target(b) (an array output of S). `initial` is used
// with initialization::given (one row per signal, or one row for all).
// The problems of a batch are solved together (see wst::lockstep); each
// result is the one that signal gets alone, bit for bit.
// S is a Scattering1D or a TimeFrequencyScattering (which starts from noise
// or a given signal: o.init = noise or given).
template <class Transform, class Real = typename Transform::real_type>
std::vector<reconstruction_result<Real>> reconstruct(const Transform& S, const scattering_array<Real>& target,
                                                     const reconstruction_options& o,
                                                     const signal_array<Real>& initial = {}) {
    if (S.average() == averaging::mode::none)
        detail::reject("T", 0, "reconstruction compares arrays of coefficients: use T >= 1 or global");
    if (!(o.learning_rate > 0) || !std::isfinite(o.learning_rate))
        detail::reject("learning_rate", o.learning_rate, "the learning rate must be finite and > 0");
    if (!std::isfinite(o.target_error))
        detail::reject("target_error", o.target_error, "the target error must be finite (0: no target)");
    if (!std::isfinite(o.max_seconds))
        detail::reject("max_seconds", o.max_seconds, "the time limit must be finite (0: no limit)");
    if (o.max_iterations <= 0 && o.max_evaluations <= 0 && o.target_error <= 0 && o.max_seconds <= 0)
        detail::reject("max_iterations", o.max_iterations, "give at least one stopping rule");
    const std::size_t rows = detail::array_rows(S);
    if (target.batch() == 0 || target.channels() != rows || target.length() != S.output_length())
        detail::reject("target", "an array of shape (" + std::to_string(target.batch()) + ", " +
                                     std::to_string(target.channels()) + ", " + std::to_string(target.length()) + ")",
                       "the shape of S's output for one or more signals, (B, " + std::to_string(rows) + ", " +
                           std::to_string(S.output_length()) + ")");
    for (std::size_t i = 0; i < target.size(); ++i)
        if (!std::isfinite(target.data()[i]))
            detail::reject("target", std::to_string(target.data()[i]) + " at index " + std::to_string(i),
                           "values must be finite (no NaN or infinity)");
    const auto N = static_cast<Eigen::Index>(S.shape());
    const std::array<bool, 3> present = detail::orders_present(S);
    if (o.init == initialization::given) {
        if (initial.cols() != N || (initial.rows() != 1 && initial.rows() != static_cast<Eigen::Index>(target.batch())))
            detail::reject("initial", std::to_string(initial.rows()) + " x " + std::to_string(initial.cols()),
                           "one row of shape samples, or one per target signal");
        if (!initial.allFinite()) detail::reject("initial", "a signal with NaN or infinity", "finite values");
    }

    // The start costs one evaluation of the budget (a given one none).
    const int start_cost = o.init == initialization::given ? 0 : 1;
    optimizer_options descent = o;
    if (o.max_evaluations > 0) descent.max_evaluations = std::max(1, o.max_evaluations - start_cost);
    std::mutex callback_mutex;
    std::vector<reconstruction_result<Real>> results(target.batch());
    auto solve = [&](std::size_t b, auto&& f) {
        const auto start = std::chrono::steady_clock::now();
        auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
        const Eigen::VectorXd y0 =
            o.init == initialization::given
                ? Eigen::VectorXd(initial.row(initial.rows() == 1 ? 0 : static_cast<Eigen::Index>(b)).transpose().template cast<double>().matrix())
                : detail::initial_point(S, target, b, o, o.seed + static_cast<unsigned>(b));
        const auto target_norm2 = detail::norms_by_order(S, target, b);
        reconstruction_result<Real>& r = results[b];
        auto after = [&](int iteration, int evaluations, const evaluation& current, double step) -> std::string {
            reconstruction_progress p{b, iteration, evaluations + start_cost, current.value, 0, {}, step, elapsed()};
            detail::relative_errors(p, current.extra, target_norm2, present);
            r.history.push_back(p);
            if (o.on_iteration) {
                std::lock_guard<std::mutex> lock(callback_mutex);
                if (!o.on_iteration(p)) return "callback";
            }
            if (o.max_iterations > 0 && iteration >= o.max_iterations) return "iterations";
            if (o.target_error > 0 && p.relative_error <= o.target_error) return "target_error";
            if (o.max_seconds > 0 && p.elapsed_seconds >= o.max_seconds) return "time";
            return {};
        };
        const minimization m = minimize(f, y0, descent, after);
        r.signal = m.x.template cast<Real>().array();
        r.stop_reason = m.stop_reason;
        r.final = {b, m.iterations, m.evaluations + start_cost, m.best.value, 0, {}, 0, elapsed()};
        detail::relative_errors(r.final, m.best.extra, target_norm2, present);
    };
    // The targets stay where the backend works (on a GPU, each evaluation
    // sends y and receives its gradient, nothing more).
    const auto resident = S.resident(target);
    auto evaluate = [&](const std::vector<std::size_t>& rows, const std::vector<const Eigen::VectorXd*>& points) {
        signal_array<Real> y(static_cast<Eigen::Index>(rows.size()), N);
        for (std::size_t r = 0; r < rows.size(); ++r) y.row(static_cast<Eigen::Index>(r)) = points[r]->transpose().template cast<Real>();
        const auto lg = S.loss_gradient(y, resident, rows, o.loss, o.weights);
        std::vector<evaluation> answers;
        for (std::size_t r = 0; r < rows.size(); ++r)
            answers.push_back({lg.loss[r], lg.gradient.row(static_cast<Eigen::Index>(r)).transpose().template cast<double>().matrix(),
                               lg.squared_error_by_order[r]});
        return answers;
    };
    if (target.batch() == 1) {
        solve(0, [&](const Eigen::VectorXd& y) { return std::move(evaluate({0}, {&y})[0]); });
        return results;
    }
    // Groups of problems in lockstep, each problem on a thread of its own,
    // their evaluations one batched loss_gradient (on the caller's thread).
    for (std::size_t first = 0; first < target.batch(); first += detail::lockstep_problems) {
        const std::size_t count = std::min(detail::lockstep_problems, target.batch() - first);
        lockstep together(count, [&](const std::vector<std::size_t>& problems,
                                     const std::vector<const Eigen::VectorXd*>& points) {
            std::vector<std::size_t> rows;
            for (const std::size_t p : problems) rows.push_back(first + p);
            return evaluate(rows, points);
        });
        together.run([&](std::size_t i, const std::function<evaluation(const Eigen::VectorXd&)>& f) { solve(first + i, f); });
    }
    return results;
}

// Reconstructs signals from target signals x (B x N): target = S(x).
template <class Transform, class Derived, class Real = typename Transform::real_type>
std::vector<reconstruction_result<Real>> reconstruct_signals(const Transform& S, const Eigen::DenseBase<Derived>& x,
                                                             const reconstruction_options& o,
                                                             const signal_array<Real>& initial = {}) {
    return reconstruct(S, S.scattering(x), o, initial);
}

}  // namespace wst
