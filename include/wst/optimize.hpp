// Gradient-based minimizers of a smooth function of a vector, used by the
// reconstruction (reconstruct.hpp) and usable on their own:
//   bold_driver  y <- y_acc - lr grad(y_acc); a better value is accepted and
//                lr *= accelerator, a worse one is rejected (back to y_acc)
//                and lr *= brake (Vogl et al. 1988, "bold driver");
//   momentum     the same with a momentum buffer v <- mu v + grad, braked
//                with the step on a rejection;
//   sgd          v <- mu v + grad, y <- y - lr v (PyTorch's SGD);
//   adam         Kingma & Ba 2015;
//   lbfgs        limited-memory BFGS (two-loop recursion, Nocedal & Wright
//                Alg. 7.4) with a strong-Wolfe line search (Alg. 3.5/3.6,
//                cubic interpolation in the zoom).
// and wst::lockstep, which runs several minimizations on threads with their
// evaluations gathered into batches.
#pragma once

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace wst {

enum class optimizer { bold_driver, momentum, sgd, adam, lbfgs };

struct optimizer_options {
    wst::optimizer optimizer = wst::optimizer::bold_driver;
    double learning_rate = 100;
    double accelerator = 1.1;  // bold driver
    double brake = 0.55;       // bold driver
    double momentum = 0.9;     // momentum, sgd
    double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;  // adam
    int history_size = 20;     // lbfgs
    int max_evaluations = 0;   // function-and-gradient evaluations (0: no limit)
};

// A function value, its gradient, and figures the caller wants carried along
// with the point (the reconstruction keeps its per-order errors there).
struct evaluation {
    double value = std::numeric_limits<double>::infinity();
    Eigen::VectorXd gradient;
    std::array<double, 3> extra{};
};

struct minimization {
    Eigen::VectorXd x;       // the best point evaluated
    evaluation best;
    int iterations = 0;
    int evaluations = 0;
    std::string stop_reason;
};

namespace detail {

// Minimizer of the cubic interpolating (a, fa, ga) and (b, fb, gb), clamped
// to [lo, hi] (Nocedal & Wright eq. 3.59).
inline double cubic_minimizer(double a, double fa, double ga, double b, double fb, double gb, double lo, double hi) {
    const double d1 = ga + gb - 3 * (fa - fb) / (a - b);
    const double disc = d1 * d1 - ga * gb;
    if (disc >= 0) {
        const double d2 = std::copysign(std::sqrt(disc), b - a);
        const double t = b - (b - a) * ((gb + d2 - d1) / (gb - ga + 2 * d2));
        if (std::isfinite(t)) return std::min(std::max(t, lo), hi);
    }
    return (lo + hi) / 2;
}

}  // namespace detail

// Line search along d from x (value f0, slope g0 = grad . d < 0) for a step
// satisfying the strong Wolfe conditions
//   f(x + t d) <= f0 + c1 t g0   and   |grad(x + t d) . d| <= c2 |g0|.
// `evaluate(t)` returns (f, slope) at x + t d; `budget()` says whether one
// more evaluation is allowed. Returns the step taken (0 when none helped).
template <class Evaluate, class Budget>
double strong_wolfe_line_search(Evaluate&& evaluate, Budget&& budget, double f0, double g0, double t,
                                double c1 = 1e-4, double c2 = 0.9, int max_evaluations = 25) {
    double t_prev = 0, f_prev = f0, g_prev = g0;
    double best_t = 0, best_f = f0;
    auto keep = [&](double tt, double ff) {
        if (ff < best_f) {
            best_f = ff;
            best_t = tt;
        }
    };
    double lo = 0, hi = 0, f_lo = f0, g_lo = g0, f_hi = 0, g_hi = 0;
    bool bracketed = false;
    for (int i = 0; i < max_evaluations && budget(); ++i) {
        const auto [f, g] = evaluate(t);
        keep(t, f);
        if (!std::isfinite(f) || f > f0 + c1 * t * g0 || (i > 0 && f >= f_prev)) {
            lo = t_prev, f_lo = f_prev, g_lo = g_prev, hi = t, f_hi = f, g_hi = g;
            bracketed = true;
            break;
        }
        if (std::abs(g) <= -c2 * g0) return t;
        if (g >= 0) {
            lo = t, f_lo = f, g_lo = g, hi = t_prev, f_hi = f_prev, g_hi = g_prev;
            bracketed = true;
            break;
        }
        const double next = detail::cubic_minimizer(t_prev, f_prev, g_prev, t, f, g, t + 0.01 * (t - t_prev), 10 * t);
        t_prev = t, f_prev = f, g_prev = g;
        t = next;
    }
    // Zoom inside [lo, hi] (in either order).
    for (int i = 0; bracketed && i < max_evaluations && budget(); ++i) {
        const double a = std::min(lo, hi), b = std::max(lo, hi);
        if (!std::isfinite(f_hi)) {
            t = (lo + hi) / 2;
        } else {
            t = detail::cubic_minimizer(lo, f_lo, g_lo, hi, f_hi, g_hi, a, b);
            // Stay away from the ends (at least 10% of the interval).
            const double margin = 0.1 * (b - a);
            if (t - a < margin || b - t < margin) t = (a + b) / 2;
        }
        if (b - a < 1e-12 * std::max(1.0, b)) break;
        const auto [f, g] = evaluate(t);
        keep(t, f);
        if (!std::isfinite(f) || f > f0 + c1 * t * g0 || f >= f_lo) {
            hi = t, f_hi = f, g_hi = g;
        } else {
            if (std::abs(g) <= -c2 * g0) return t;
            if (g * (hi - lo) >= 0) hi = lo, f_hi = f_lo, g_hi = g_lo;
            lo = t, f_lo = f, g_lo = g;
        }
    }
    return best_t;
}

// Minimizes f from x0. `f(x)` returns an evaluation; after every iteration
// `after(iteration, evaluations, current, step)` returns why to stop, or an
// empty string to go on. An evaluation whose value or gradient is not finite
// counts as worse than any other. Stops also when max_evaluations is spent.
template <class Function, class After>
minimization minimize(Function&& f, Eigen::VectorXd x, const optimizer_options& o, After&& after) {
    using vec = Eigen::VectorXd;
    minimization result;
    auto evaluate = [&](const vec& y) {
        evaluation e = f(y);
        ++result.evaluations;
        if (!std::isfinite(e.value) || !e.gradient.allFinite()) e.value = std::numeric_limits<double>::infinity();
        if (e.value < result.best.value) {
            result.best = e;
            result.x = y;
        }
        return e;
    };
    auto budget_left = [&] { return o.max_evaluations <= 0 || result.evaluations < o.max_evaluations; };

    evaluation current = evaluate(x);
    double lr = o.learning_rate;
    vec velocity = vec::Zero(x.size()), second = vec::Zero(x.size());
    std::deque<std::pair<vec, vec>> memory;  // lbfgs (s, y) pairs
    std::string stop = budget_left() ? after(0, result.evaluations, current, lr) : "evaluations";
    int iteration = 0;
    while (stop.empty()) {
        ++iteration;
        double step = lr;
        switch (o.optimizer) {
            case optimizer::bold_driver:
            case optimizer::momentum: {
                const vec direction =
                    o.optimizer == optimizer::momentum ? vec(o.momentum * velocity + current.gradient) : current.gradient;
                const vec trial_x = x - lr * direction;
                evaluation trial = evaluate(trial_x);
                if (trial.value < current.value) {
                    x = trial_x;
                    current = std::move(trial);
                    velocity = direction;
                    lr *= o.accelerator;
                } else {
                    lr *= o.brake;
                    velocity *= o.brake;
                }
                break;
            }
            case optimizer::sgd:
                velocity = o.momentum * velocity + current.gradient;
                x -= lr * velocity;
                current = evaluate(x);
                break;
            case optimizer::adam: {
                velocity = o.beta1 * velocity + (1 - o.beta1) * current.gradient;
                second = o.beta2 * second + (1 - o.beta2) * current.gradient.cwiseAbs2();
                const double c1 = 1 - std::pow(o.beta1, iteration), c2 = 1 - std::pow(o.beta2, iteration);
                x -= lr * ((velocity / c1).array() / ((second / c2).array().sqrt() + o.epsilon)).matrix();
                current = evaluate(x);
                break;
            }
            case optimizer::lbfgs: {
                // Two-loop recursion: d = -H grad, H the inverse-Hessian estimate.
                vec q = current.gradient;
                std::vector<double> alpha(memory.size());
                for (std::size_t i = memory.size(); i-- > 0;) {
                    const auto& [s, z] = memory[i];
                    alpha[i] = s.dot(q) / z.dot(s);
                    q -= alpha[i] * z;
                }
                if (!memory.empty()) q *= memory.back().first.dot(memory.back().second) / memory.back().second.squaredNorm();
                for (std::size_t i = 0; i < memory.size(); ++i) {
                    const auto& [s, z] = memory[i];
                    q += s * (alpha[i] - z.dot(q) / z.dot(s));
                }
                vec d = -q;
                double slope = current.gradient.dot(d);
                if (!(slope < 0)) {  // not a descent direction: restart from the gradient
                    memory.clear();
                    d = -current.gradient;
                    slope = -current.gradient.squaredNorm();
                }
                const double t0 = memory.empty() ? std::min(1.0, 1.0 / current.gradient.cwiseAbs().sum()) * lr : lr;
                evaluation at_t;
                double evaluated_t = -1;
                const double t = strong_wolfe_line_search(
                    [&](double tt) {
                        at_t = evaluate(x + tt * d);
                        evaluated_t = tt;
                        return std::pair<double, double>{at_t.value, at_t.gradient.dot(d)};
                    },
                    budget_left, current.value, slope, t0);
                step = t;
                if (t <= 0) {  // no progress along d: the next iteration starts from the gradient
                    memory.clear();
                    break;
                }
                if (evaluated_t != t) at_t = evaluate(x + t * d);
                const vec s = t * d, z = at_t.gradient - current.gradient;
                if (s.dot(z) > 1e-10 * z.squaredNorm()) {
                    memory.emplace_back(s, z);
                    if (static_cast<int>(memory.size()) > o.history_size) memory.pop_front();
                }
                x += s;
                current = std::move(at_t);
                break;
            }
        }
        stop = after(iteration, result.evaluations, current, step);
        if (stop.empty() && !budget_left()) stop = "evaluations";
    }
    result.iterations = iteration;
    result.stop_reason = stop;
    return result;
}

// Several minimizations whose evaluations are cheaper together (one batched
// transform for all of them): run(solve) calls solve(i, f) for each problem
// i on a thread of its own, with an f that waits until every problem still
// running has asked for an evaluation; then `batch` computes all of them in
// one call, always on run()'s own thread (its work buffers stay in one
// core's caches). batch(problems, points) receives the problems that asked,
// in increasing order, and their points, and returns their evaluations in
// that order. If it throws, every waiting f throws the same exception, and
// run() rethrows the first problem's error once all have ended.
class lockstep {
public:
    using batch_function = std::function<std::vector<evaluation>(const std::vector<std::size_t>& problems,
                                                                 const std::vector<const Eigen::VectorXd*>& points)>;
    using evaluate_function = std::function<evaluation(const Eigen::VectorXd&)>;

    lockstep(std::size_t problems, batch_function batch)
        : batch_(std::move(batch)), points_(problems, nullptr), answers_(problems), running_(problems) {}

    template <class Solve>
    void run(Solve&& solve) {
        const std::size_t problems = points_.size();
        std::vector<std::exception_ptr> errors(problems);
        std::vector<std::thread> threads;
        for (std::size_t i = 0; i < problems; ++i)
            threads.emplace_back([&, i] {
                try {
                    solve(i, evaluate_function([this, i](const Eigen::VectorXd& x) { return evaluate(i, x); }));
                } catch (...) {
                    errors[i] = std::current_exception();
                }
                leave();
            });
        drive();
        for (auto& t : threads) t.join();
        for (const auto& e : errors)
            if (e) std::rethrow_exception(e);
    }

private:
    evaluation evaluate(std::size_t i, const Eigen::VectorXd& x) {
        std::unique_lock<std::mutex> lock(mutex_);
        if (error_) std::rethrow_exception(error_);
        points_[i] = &x;
        ++waiting_;
        const std::uint64_t round = round_;
        if (waiting_ == running_) asked_.notify_one();
        answered_.wait(lock, [&] { return round_ != round; });
        if (error_) std::rethrow_exception(error_);
        return std::move(answers_[i]);
    }

    void leave() {
        std::lock_guard<std::mutex> lock(mutex_);
        --running_;
        asked_.notify_one();
    }

    // Computes each round once every running problem has asked, until none runs.
    void drive() {
        std::unique_lock<std::mutex> lock(mutex_);
        while (true) {
            asked_.wait(lock, [&] { return running_ == 0 || (waiting_ > 0 && waiting_ == running_); });
            if (running_ == 0) return;
            std::vector<std::size_t> problems;
            std::vector<const Eigen::VectorXd*> points;
            for (std::size_t i = 0; i < points_.size(); ++i)
                if (points_[i] != nullptr) {
                    problems.push_back(i);
                    points.push_back(points_[i]);
                }
            try {
                std::vector<evaluation> answers = batch_(problems, points);
                for (std::size_t k = 0; k < problems.size(); ++k) answers_[problems[k]] = std::move(answers.at(k));
            } catch (...) {
                error_ = std::current_exception();
            }
            std::fill(points_.begin(), points_.end(), nullptr);
            waiting_ = 0;
            ++round_;
            answered_.notify_all();
        }
    }

    batch_function batch_;
    std::mutex mutex_;
    std::condition_variable asked_, answered_;
    std::vector<const Eigen::VectorXd*> points_;
    std::vector<evaluation> answers_;
    std::size_t running_, waiting_ = 0;
    std::uint64_t round_ = 0;
    std::exception_ptr error_;
};

}  // namespace wst
