// Optimizers on functions with known minima, and reconstruction on small
// configurations where each optimizer must cut the loss by a stated factor.
#include <wst/wst.hpp>

#include <catch2/catch.hpp>

#include "tools/harmonic.hpp"

#include <array>
#include <atomic>
#include <limits>
#include <stdexcept>
#include <mutex>
#include <random>
#include "noise.hpp"

using test_signals::noise;

using wst::Scattering1D;
using fftw = wst::backend::fftw;
using Eigen::VectorXd;

namespace {

// 0.5 ||x - c||^2, minimum 0 at c.
wst::evaluation quadratic(const VectorXd& x, const VectorXd& c) {
    return {0.5 * (x - c).squaredNorm(), x - c, {}};
}

// Rosenbrock in n dimensions, minimum 0 at (1, ..., 1).
wst::evaluation rosenbrock(const VectorXd& x) {
    wst::evaluation e{0, VectorXd::Zero(x.size()), {}};
    for (Eigen::Index i = 0; i + 1 < x.size(); ++i) {
        const double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
        e.value += 100 * a * a + b * b;
        e.gradient[i] += -400 * x[i] * a - 2 * b;
        e.gradient[i + 1] += 200 * a;
    }
    return e;
}


}  // namespace

TEST_CASE("bold driver accepts improvements and rejects worsenings", "[optimize]") {
    const VectorXd c = VectorXd::LinSpaced(4, 1, 4);
    wst::optimizer_options o;
    o.learning_rate = 3;  // overshoots: |1 - 3| = 2 > 1, so the first trial is worse
    std::vector<VectorXd> points;
    std::vector<double> steps, values;
    auto f = [&](const VectorXd& x) {
        points.push_back(x);
        return quadratic(x, c);
    };
    const auto r = wst::minimize(f, VectorXd::Zero(4), o, [&](int it, int, const wst::evaluation& cur, double step) {
        steps.push_back(step);
        values.push_back(cur.value);
        return it >= 6 ? std::string("done") : std::string();
    });
    // Trial 1 from 0 with lr 3 is worse: rejected, the point stays at 0.
    REQUIRE(points.size() == 7);
    CHECK(points[1].isApprox(3 * c));
    CHECK(values[1] == values[0]);
    // lr braked to 3 * 0.55 = 1.65: trial 2 from 0 lands at 1.65 c, better: accepted.
    CHECK(steps[2] == Approx(1.65));
    CHECK(points[2].isApprox(1.65 * c));
    CHECK(values[2] < values[1]);
    // Then lr grows by 1.1 (1.815): from 1.65 c the error -0.65 c becomes
    // 0.815 * 0.65 c, smaller: accepted again.
    CHECK(steps[3] == Approx(1.815));
    CHECK(points[3].isApprox(1.65 * c - 1.815 * (0.65 * c)));
    for (std::size_t i = 1; i < values.size(); ++i) CHECK(values[i] <= values[i - 1]);
    CHECK(r.best.value == values.back());
}

TEST_CASE("L-BFGS with a strong-Wolfe line search minimizes Rosenbrock", "[optimize]") {
    for (Eigen::Index n : {2, 10}) {
        INFO("dimension " << n);
        wst::optimizer_options o;
        o.optimizer = wst::optimizer::lbfgs;
        o.learning_rate = 1;
        o.max_evaluations = 400;
        VectorXd x0 = VectorXd::Constant(n, -1.2);
        x0[n - 1] = 1;
        const auto r = wst::minimize(rosenbrock, x0, o, [](int, int, const wst::evaluation& e, double) {
            return e.value < 1e-16 ? std::string("converged") : std::string();
        });
        CHECK(r.stop_reason == "converged");
        CHECK((r.x - VectorXd::Ones(n)).cwiseAbs().maxCoeff() < 1e-6);
        CHECK(r.evaluations < 200);
    }
}

TEST_CASE("strong-Wolfe line search meets both conditions on a quadratic", "[optimize]") {
    // f(t) = (t - 2)^2 along d from 0: f0 = 4, slope -4.
    int evaluations = 0;
    const double t = wst::strong_wolfe_line_search(
        [&](double s) {
            ++evaluations;
            return std::pair<double, double>{(s - 2) * (s - 2), 2 * (s - 2)};
        },
        [] { return true; }, 4.0, -4.0, 0.1);
    CHECK((t - 2) * (t - 2) <= 4 + 1e-4 * t * -4);
    CHECK(std::abs(2 * (t - 2)) <= 0.9 * 4);
    CHECK(evaluations < 10);
}

TEST_CASE("lockstep: minimizations with batched evaluations", "[optimize][threads]") {
    // Five quadratics with their own centres and budgets, minimized
    // together: each ends where it ends alone, and every batch holds exactly
    // the problems still running.
    const int P = 5;
    std::vector<VectorXd> centres;
    for (int i = 0; i < P; ++i) centres.push_back(VectorXd::LinSpaced(6, i, 2 * i + 1));
    auto options = [](int i) {
        wst::optimizer_options o;
        o.optimizer = wst::optimizer::lbfgs;
        o.learning_rate = 1;
        o.max_evaluations = 3 + 2 * i;
        return o;
    };
    auto never = [](int, int, const wst::evaluation&, double) { return std::string(); };
    std::vector<wst::minimization> together(P);
    std::vector<std::size_t> sizes;
    wst::lockstep batches(P, [&](const std::vector<std::size_t>& problems, const std::vector<const VectorXd*>& points) {
        sizes.push_back(problems.size());
        std::vector<wst::evaluation> e;
        for (std::size_t k = 0; k < problems.size(); ++k) e.push_back(quadratic(*points[k], centres[problems[k]]));
        return e;
    });
    batches.run([&](std::size_t i, const wst::lockstep::evaluate_function& f) {
        together[i] = wst::minimize(f, VectorXd::Zero(6), options(static_cast<int>(i)), never);
    });
    for (int i = 0; i < P; ++i) {
        INFO("problem " << i);
        const auto alone = wst::minimize([&](const VectorXd& x) { return quadratic(x, centres[i]); }, VectorXd::Zero(6),
                                         options(i), never);
        CHECK(together[i].x == alone.x);
        CHECK(together[i].evaluations == 3 + 2 * i);
    }
    // Problem i asks 3 + 2i times: 3 rounds of 5, then 2 of 4, 2 of 3, 2 of 2, 2 of 1.
    CHECK(sizes == std::vector<std::size_t>{5, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1});

    // A batch that fails in its third round fails every problem, and run() reports it.
    int rounds = 0;
    wst::lockstep failing(P, [&](const std::vector<std::size_t>& problems, const std::vector<const VectorXd*>& points) {
        if (++rounds == 3) throw std::runtime_error("round 3 failed");
        std::vector<wst::evaluation> e;
        for (std::size_t k = 0; k < problems.size(); ++k) e.push_back(quadratic(*points[k], centres[problems[k]]));
        return e;
    });
    std::atomic<int> ended{0};
    CHECK_THROWS_WITH(failing.run([&](std::size_t i, const wst::lockstep::evaluate_function& f) {
                          try {
                              wst::minimize(f, VectorXd::Zero(6), options(static_cast<int>(i)), never);
                          } catch (...) {
                              ++ended;
                              throw;
                          }
                      }),
                      "round 3 failed");
    CHECK(ended == P);
}

TEST_CASE("every optimizer cuts the scattering loss by a stated factor", "[reconstruct]") {
    const Scattering1D<fftw, double> S({.J = 4, .shape = 256, .Q = 4});
    const auto x = noise(1, 256, 3);
    struct row {
        wst::optimizer optimizer;
        wst::loss loss;
        double learning_rate, factor;
    };
    for (const row& r : {row{wst::optimizer::bold_driver, wst::loss::norm, 100, 3},
                         row{wst::optimizer::momentum, wst::loss::norm, 100, 5},
                         row{wst::optimizer::sgd, wst::loss::mse, 500, 5},
                         row{wst::optimizer::adam, wst::loss::norm, 0.05, 2.5},
                         row{wst::optimizer::lbfgs, wst::loss::norm, 1, 8}}) {
        INFO("optimizer " << static_cast<int>(r.optimizer));
        wst::reconstruction_options o;
        o.optimizer = r.optimizer;
        o.loss = r.loss;
        o.learning_rate = r.learning_rate;
        o.init = wst::initialization::noise;
        o.max_iterations = 30;
        o.max_evaluations = 0;
        const auto result = wst::reconstruct_signals(S, x, o);
        REQUIRE(result.size() == 1);
        const auto& h = result[0].history;
        CHECK(h.front().loss / result[0].final.loss >= r.factor);
        CHECK(result[0].stop_reason == "iterations");
        // The reported relative error is that of the returned signal.
        const auto Sy = S.scattering(result[0].signal.transpose().eval()), Sx = S.scattering(x);
        double err = 0, norm = 0;
        for (std::size_t i = 0; i < Sx.size(); ++i) {
            err += (Sy.data()[i] - Sx.data()[i]) * (Sy.data()[i] - Sx.data()[i]);
            norm += Sx.data()[i] * Sx.data()[i];
        }
        CHECK(result[0].final.relative_error == Approx(std::sqrt(err / norm)).epsilon(1e-9));
    }
}

TEST_CASE("stopping rules and the progress callback", "[reconstruct]") {
    const Scattering1D<fftw, float> S({.J = 4, .shape = 128, .Q = 2});
    const auto x = noise(1, 128, 4).cast<float>().eval();
    wst::reconstruction_options o;
    o.optimizer = wst::optimizer::bold_driver;
    o.learning_rate = 100;
    o.init = wst::initialization::noise;
    o.max_iterations = 0;
    o.max_evaluations = 7;
    int calls = 0;
    o.on_iteration = [&](const wst::reconstruction_progress& p) {
        ++calls;
        // The start counts one, then the bold driver one per iteration.
        CHECK(p.evaluations == p.iteration + 2);
        CHECK(p.relative_error >= 0);
        return true;
    };
    auto r = wst::reconstruct_signals(S, x, o);
    CHECK(r[0].stop_reason == "evaluations");
    CHECK(r[0].final.evaluations == 7);
    CHECK(calls == 6);  // iteration 0 (the start's evaluation) and five trials

    o.max_evaluations = 0;
    o.max_iterations = 100;
    o.on_iteration = [](const wst::reconstruction_progress& p) { return p.iteration < 3; };
    CHECK(wst::reconstruct_signals(S, x, o)[0].stop_reason == "callback");
    o.on_iteration = nullptr;
    o.target_error = 0.9;
    CHECK(wst::reconstruct_signals(S, x, o)[0].stop_reason == "target_error");
    o.target_error = 0;
    o.max_iterations = 1000000;
    o.max_seconds = 0.05;
    const auto timed = wst::reconstruct_signals(S, x, o)[0];
    CHECK(timed.stop_reason == "time");
    CHECK(timed.history.back().elapsed_seconds >= 0.05);
}

TEST_CASE("initializations", "[reconstruct]") {
    const Scattering1D<fftw, double> S({.J = 5, .shape = 512, .Q = 4});
    const auto x = (5.0 * noise(1, 512, 5)).eval();
    const auto Sx = S.scattering(x);
    auto first_order_norm = [&](const wst::scattering_array<double>& a) {
        double e = 0;
        for (std::size_t c = 1; c <= S.output_size_by_order()[1]; ++c) e += a.channel(0, c).square().sum();
        return std::sqrt(e);
    };
    wst::reconstruction_options o;
    o.max_iterations = 0;
    o.max_evaluations = 1;
    for (auto init : {wst::initialization::noise, wst::initialization::envelope}) {
        o.init = init;
        const auto r = wst::reconstruct(S, Sx, o);
        // The start is scaled to the target's first-order energy.
        CHECK(first_order_norm(S.scattering(r[0].signal.transpose().eval())) == Approx(first_order_norm(Sx)));
        CHECK(r[0].final.evaluations == 2);  // the start's cost and its evaluation
    }
    o.init = wst::initialization::phase_gradient;
    CHECK(wst::reconstruct(S, Sx, o)[0].signal.cast<double>().matrix() == wst::phase_gradient::signal(S, Sx, 0, 0));
    o.init = wst::initialization::given;
    const auto r = wst::reconstruct(S, Sx, o, x);  // starting at the answer
    CHECK(r[0].final.relative_error < 1e-12);
    CHECK_THROWS_WITH(wst::reconstruct(S, Sx, o, noise(1, 100, 1)), Catch::Matchers::Contains("initial = 1 x 100"));
}

TEST_CASE("per-order weights and errors of the fused loss", "[reconstruct][gradient]") {
    const Scattering1D<fftw, double> S({.J = 4, .shape = 256, .Q = 4});
    const auto y = noise(1, 256, 6), x = noise(1, 256, 7);
    const auto Sy = S.scattering(y), Sx = S.scattering(x);
    const auto orders = S.meta().order;
    std::array<double, 3> sq{0, 0, 0};
    for (std::size_t c = 0; c < Sy.channels(); ++c)
        sq[static_cast<std::size_t>(orders[c])] += (Sy.channel(0, c) - Sx.channel(0, c)).square().sum();
    const wst::order_weights w = {0.5, 2, 3};
    const auto r = S.loss_gradient(y, Sx, wst::loss::sum_squares, w);
    for (std::size_t m = 0; m < 3; ++m) CHECK(r.squared_error_by_order[0][m] == Approx(sq[m]));
    CHECK(r.loss[0] == Approx(0.5 * (w[0] * sq[0] + w[1] * sq[1] + w[2] * sq[2])));
    // Weights scale each order's share of the gradient: order 2 alone.
    const auto only2 = S.loss_gradient(y, Sx, wst::loss::sum_squares, {0, 0, 1});
    const auto only2_twice = S.loss_gradient(y, Sx, wst::loss::sum_squares, {0, 0, 2});
    CHECK((only2_twice.gradient - 2 * only2.gradient).abs().maxCoeff() < 1e-12 * only2.gradient.abs().maxCoeff());
    CHECK_THROWS_WITH(S.loss_gradient(y, Sx, wst::loss::norm, {1, -1, 1}), Catch::Matchers::Contains("order_weights[1]"));
}

TEST_CASE("bad reconstruction options are rejected", "[reconstruct][bad_input]") {
    const Scattering1D<fftw, double> S({.J = 4, .shape = 128});
    const auto Sx = S.scattering(noise(1, 128, 8));
    wst::reconstruction_options o;
    o.learning_rate = 0;
    CHECK_THROWS_WITH(wst::reconstruct(S, Sx, o), Catch::Matchers::Contains("learning_rate = 0"));
    o.learning_rate = 1;
    o.max_iterations = 0;
    o.max_evaluations = 0;
    CHECK_THROWS_WITH(wst::reconstruct(S, Sx, o), Catch::Matchers::Contains("stopping rule"));
    const Scattering1D<fftw, double> none({.J = 4, .shape = 128, .T = 0, .out_type = wst::out_type::list});
    o.max_iterations = 5;
    CHECK_THROWS_WITH(wst::reconstruct(none, Sx, o), Catch::Matchers::Contains("T = 0"));
}

TEST_CASE("the default reconstruction fits every order of the harmonic signal", "[reconstruct]") {
    // Kymatio's harmonic test signal, J = 6, Q = 16, float, 200 gradient
    // evaluations. The errors are those of the returned signal, computed
    // again with a double-precision transform. The old default (L-BFGS from
    // noise) ends at 0.025 in total with order 2 at 0.45 (the last note
    // settles at a wrong frequency between two wavelets), and fails both bounds.
    const auto h = tools::harmonic_signal(8192);
    const Eigen::RowVectorXf x = Eigen::Map<const Eigen::RowVectorXf>(h.data(), 8192);
    const wst::scattering1d_params p{.J = 6, .shape = 8192, .Q = 16};
    const Scattering1D<fftw, float> S(p, {.threads = 2});
    const Scattering1D<fftw, double> exact(p);
    auto errors = [&](const wst::reconstruction_result<float>& r) {
        const auto Sx = exact.scattering(x.cast<double>()), Sy = exact.scattering(r.signal.cast<double>().transpose().eval());
        const auto orders = exact.meta().order;
        std::array<double, 3> e{0, 0, 0}, n{0, 0, 0};
        for (std::size_t c = 0; c < Sx.channels(); ++c) {
            e[static_cast<std::size_t>(orders[c])] += (Sy.channel(0, c) - Sx.channel(0, c)).square().sum();
            n[static_cast<std::size_t>(orders[c])] += Sx.channel(0, c).square().sum();
        }
        return std::array<double, 2>{std::sqrt((e[0] + e[1] + e[2]) / (n[0] + n[1] + n[2])), std::sqrt(e[2] / n[2])};
    };
    const auto by_default = wst::reconstruct_signals(S, x, {})[0];
    CHECK(by_default.final.evaluations == 200);
    const auto [total, order2] = errors(by_default);
    CHECK(total <= 0.005);
    CHECK(order2 <= 0.05);

    wst::reconstruction_options from_noise;
    from_noise.init = wst::initialization::noise;
    const auto [old_total, old_order2] = errors(wst::reconstruct_signals(S, x, from_noise)[0]);
    CHECK(old_total > 0.005);
    CHECK(old_order2 > 0.05);
}

TEST_CASE("a batch is solved together, each signal as it would be alone", "[reconstruct][threads]") {
    const Scattering1D<fftw, double> S({.J = 4, .shape = 512, .Q = 4}, {.threads = 2});
    wst::signal_array<double> x(3, 512);
    for (Eigen::Index b = 0; b < 3; ++b) x.row(b) = noise(1, 512, static_cast<unsigned>(20 + b));
    const auto target = S.scattering(x);
    wst::reconstruction_options o;
    o.max_evaluations = 25;
    o.seed = 5;
    std::mutex m;
    std::array<int, 3> calls{0, 0, 0};
    o.on_iteration = [&](const wst::reconstruction_progress& p) {
        std::lock_guard<std::mutex> lock(m);  // calls come one at a time; the lock is only for the test's own check
        ++calls.at(p.signal);
        return true;
    };
    const auto together = wst::reconstruct(S, target, o);
    REQUIRE(together.size() == 3);
    for (std::size_t b = 0; b < 3; ++b) {
        INFO("signal " << b);
        CHECK(calls[b] == static_cast<int>(together[b].history.size()));
        wst::scattering_array<double> one(1, target.channels(), target.length());
        std::copy(target.data() + b * one.size(), target.data() + (b + 1) * one.size(), one.data());
        wst::reconstruction_options alone = o;
        alone.seed = o.seed + static_cast<unsigned>(b);  // signal b of a batch starts from seed + b
        alone.on_iteration = nullptr;
        const auto r = wst::reconstruct(S, one, alone)[0];
        CHECK((r.signal == together[b].signal).all());
        CHECK(r.final.evaluations == together[b].final.evaluations);
    }
}

TEST_CASE("bad targets and starts of a batch are rejected before any work", "[reconstruct][bad_input]") {
    const Scattering1D<fftw, float> S({.J = 4, .shape = 256, .Q = 2}, {.threads = 2});
    wst::signal_array<float> x(4, 256);
    for (Eigen::Index b = 0; b < 4; ++b) x.row(b) = noise(1, 256, static_cast<unsigned>(30 + b)).cast<float>();
    auto target = S.scattering(x);
    wst::reconstruction_options o;
    o.init = wst::initialization::given;
    wst::signal_array<float> start = x;
    start(2, 7) = std::numeric_limits<float>::infinity();
    CHECK_THROWS_WITH(wst::reconstruct(S, target, o, start), Catch::Matchers::Contains("initial = a signal with NaN"));
    target(2, 3, 1) = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_WITH(wst::reconstruct(S, target, {}), Catch::Matchers::Contains("target = nan at index"));
    CHECK_THROWS_WITH(wst::reconstruct(S, wst::scattering_array<float>(2, 5, 16), {}),
                      Catch::Matchers::Contains("target = an array of shape (2, 5, 16)"));
}
