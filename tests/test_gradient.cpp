// The hand-written gradient: against Kymatio's torch autograd, the adjoint
// identity with the forward mode, finite differences, and the fused losses
// against backward() with each loss's own cotangent.
#include "noise.hpp"
#include "reference.hpp"

#include <wst/wst.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include "compare.hpp"

using test_compare::max_abs;

using wst::Scattering1D;
using fftw = wst::backend::fftw;
using test_signals::noise;

namespace {

template <class Real>
wst::scattering_array<Real> random_like(const wst::scattering_array<Real>& a, unsigned seed) {
    std::mt19937 gen(seed);
    std::normal_distribution<double> d;
    wst::scattering_array<Real> g(a.batch(), a.channels(), a.length());
    for (std::size_t i = 0; i < g.size(); ++i) g.data()[i] = static_cast<Real>(d(gen));
    return g;
}

template <class Real>
double dot(const Real* a, const Real* b, std::size_t n) {
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += static_cast<double>(a[i]) * b[i];
    return s;
}

// The case's cotangent g.npy (or g_flat.npy split into paths) and the
// gradient of sum(S(x) * g) computed by wst.
// x is first moved by `nudge` times max|x| times unit Gaussian noise.
template <class Real>
std::vector<double> gradient_for_case(const std::string& name, double nudge = 0) {
    const Scattering1D<fftw, Real> S(ref::params(name));
    const auto x = ref::array(name, "x.npy");
    wst::signal_array<double> x64(static_cast<Eigen::Index>(x.shape[0]), static_cast<Eigen::Index>(x.shape[1]));
    std::copy(x.values.begin(), x.values.end(), x64.data());
    x64 += nudge * x64.abs().maxCoeff() * noise<double>(x64.rows(), x64.cols(), 7);
    const wst::signal_array<Real> xr = x64.cast<Real>();
    wst::signal_array<Real> grad;
    if (ref::has(name, "g.npy")) {
        const auto g = ref::array(name, "g.npy");
        wst::scattering_array<Real> ga(g.shape[0], g.shape[1], g.shape[2]);
        for (std::size_t i = 0; i < g.values.size(); ++i) ga.data()[i] = static_cast<Real>(g.values[i]);
        grad = S.backward(xr, ga);
    } else {
        const auto g = ref::array(name, "g_flat.npy");  // (B, total) with paths concatenated in order
        std::vector<wst::scattering_path<Real>> paths;
        std::size_t offset = 0;
        for (std::size_t c = 0; c < S.output_size(); ++c) {
            const std::size_t L = S.path_length(c);
            wst::scattering_path<Real> p{{}, 0, {}, wst::signal_array<Real>(xr.rows(), static_cast<Eigen::Index>(L))};
            for (Eigen::Index b = 0; b < xr.rows(); ++b)
                for (std::size_t t = 0; t < L; ++t)
                    p.coef(b, static_cast<Eigen::Index>(t)) =
                        static_cast<Real>(g.values[static_cast<std::size_t>(b) * g.shape[1] + offset + t]);
            offset += L;
            paths.push_back(std::move(p));
        }
        REQUIRE(offset == g.shape[1]);
        grad = S.backward(xr, paths);
    }
    return {grad.data(), grad.data() + grad.size()};
}

const std::vector<std::string>& cases_with_gradient() {
    static const std::vector<std::string> all = [] {
        std::vector<std::string> v;
        for (const auto& c : ref::cases())
            if (ref::has(c, "gx.npy")) v.push_back(c);
        return v;
    }();
    return all;
}



}  // namespace

// Where some complex coefficients of a path nearly cancel (a second-order
// wavelet on the almost constant |x * psi1| of a pure tone, say), they carry
// few significant digits, and the modulus's derivative z / |z| points where
// round-off sends it: the gradient is then not determined to a given
// tolerance by any implementation, Kymatio's included. A case is compared
// with Kymatio in a precision unless moving x by 1000 (double) or 10 (float)
// units of round-off (1e-13, 1e-6 of max abs x) already moves the gradient
// by more than the tolerance; the seed signals (a pure cosine, Hann-windowed
// tones) are the only cases allowed to be so.
TEST_CASE("gradient equals Kymatio's autograd (double 1e-9, float 1e-4)", "[gradient][reference]") {
    const std::string name = GENERATE(from_range(cases_with_gradient()));
    INFO(name);
    const auto expected = ref::array(name, "gx.npy").values;
    const double scale = max_abs(expected);
    const bool may_be_ill_conditioned = name == "seed_cosine" || name == "seed_harmonic";
    auto compare = [&](const std::vector<double>& got, double tol) {
        REQUIRE(got.size() == expected.size());
        double worst = 0;
        for (std::size_t i = 0; i < expected.size(); ++i) worst = std::max(worst, std::abs(got[i] - expected[i]));
        CHECK(worst <= tol * scale);
    };
    auto determined = [&](double nudge, double tol) {
        const auto a = gradient_for_case<double>(name), b = gradient_for_case<double>(name, nudge);
        double moved = 0;
        for (std::size_t i = 0; i < a.size(); ++i) moved = std::max(moved, std::abs(a[i] - b[i]));
        if (moved <= tol * scale) return true;
        WARN(name << ": a relative move of " << nudge << " of x moves the gradient by " << moved / scale
                  << " of max|gx|, more than the tolerance " << tol << "; not compared");
        CHECK(may_be_ill_conditioned);
        return false;
    };
    if (determined(1e-13, 1e-9)) compare(gradient_for_case<double>(name), 1e-9);
    if (determined(1e-6, 1e-4)) compare(gradient_for_case<float>(name), 1e-4);
}

TEST_CASE("adjoint identity <J v, g> = <v, J^T g>", "[gradient]") {
    struct config {
        wst::scattering1d_params p;
        Eigen::Index B;
    };
    const std::vector<config> configs = {
        {{.J = 6, .shape = 1024, .Q = 8}, 2},
        {{.J = 5, .shape = 777, .Q = {4, 2}, .T = 40}, 1},
        {{.J = 7, .shape = 2000, .Q = 2, .T = 256, .stride = 16}, 1},
        {{.J = 6, .shape = 600, .Q = 8, .T = wst::global}, 2},
        {{.J = 4, .shape = 300, .Q = 3, .max_order = 1}, 1},
    };
    for (std::size_t i = 0; i < configs.size(); ++i) {
        INFO("configuration " << i);
        const Scattering1D<fftw, double> S(configs[i].p);
        const auto x = noise<double>(configs[i].B, configs[i].p.shape, 100 + static_cast<unsigned>(i));
        const auto v = noise<double>(configs[i].B, configs[i].p.shape, 200 + static_cast<unsigned>(i));
        const auto Jv = S.jvp(x, v);
        const auto g = random_like(Jv, 300 + static_cast<unsigned>(i));
        const auto JTg = S.backward(x, g);
        const double lhs = dot(Jv.data(), g.data(), Jv.size());
        const double rhs = dot(v.data(), JTg.data(), static_cast<std::size_t>(v.size()));
        CHECK(std::abs(lhs - rhs) <= 1e-12 * std::abs(lhs));
    }
}

TEST_CASE("forward mode agrees with finite differences", "[gradient]") {
    const Scattering1D<fftw, double> S({.J = 5, .shape = 256, .Q = 4});
    const auto x = noise<double>(1, 256, 11);
    const auto v = noise<double>(1, 256, 12);
    const double h = 1e-5;
    const auto Sp = S.scattering((x + h * v).eval()), Sm = S.scattering((x - h * v).eval());
    const auto Jv = S.jvp(x, v);
    double worst = 0, scale = 0;
    for (std::size_t i = 0; i < Jv.size(); ++i) {
        worst = std::max(worst, std::abs((Sp.data()[i] - Sm.data()[i]) / (2 * h) - Jv.data()[i]));
        scale = std::max(scale, std::abs(Jv.data()[i]));
    }
    CHECK(worst <= 1e-6 * scale);
}

TEST_CASE("gradient agrees with central finite differences", "[gradient]") {
    const std::vector<wst::scattering1d_params> configs = {
        {.J = 5, .shape = 256, .Q = 4},
        {.J = 4, .shape = 200, .Q = {2, 2}, .T = 0, .out_type = wst::out_type::list},
        {.J = 5, .shape = 300, .Q = 6, .T = wst::global},
        {.J = 6, .shape = 500, .Q = 8, .T = 128, .stride = 8},
    };
    for (std::size_t i = 0; i < configs.size(); ++i) {
        INFO("configuration " << i);
        const Scattering1D<fftw, double> S(configs[i]);
        const auto x = noise<double>(1, configs[i].shape, 20 + static_cast<unsigned>(i));
        // f(x) = sum over paths of <S_path(x), g_path> for fixed random g.
        auto paths = S.scattering_list(x);
        std::mt19937 gen(30 + static_cast<unsigned>(i));
        std::normal_distribution<double> d;
        for (auto& p : paths)
            for (Eigen::Index t = 0; t < p.coef.size(); ++t) p.coef.data()[t] = d(gen);
        auto f = [&](const wst::signal_array<double>& y) {
            const auto Sy = S.scattering_list(y);
            double s = 0;
            for (std::size_t c = 0; c < Sy.size(); ++c) s += (Sy[c].coef * paths[c].coef).sum();
            return s;
        };
        const auto grad = S.backward(x, paths);
        for (unsigned k = 0; k < 3; ++k) {
            const auto v = noise<double>(1, configs[i].shape, 40 + k);
            const double h = 1e-5;
            const double fd = (f((x + h * v).eval()) - f((x - h * v).eval())) / (2 * h);
            const double an = (grad * v).sum();
            CHECK(std::abs(fd - an) <= 1e-6 * std::abs(an));
        }
    }
}

TEST_CASE("the gradient of an all-zero input is finite", "[gradient]") {
    const Scattering1D<fftw, double> S({.J = 5, .shape = 256, .Q = 4});
    const wst::signal_array<double> zero = wst::signal_array<double>::Zero(1, 256);
    const auto g = random_like(S.scattering(zero), 5);
    const auto grad = S.backward(zero, g);
    CHECK(grad.allFinite());
    const auto lg = S.loss_gradient(zero, g, wst::loss::norm);
    CHECK(lg.gradient.allFinite());
    CHECK(std::isfinite(lg.loss[0]));
}

TEMPLATE_TEST_CASE("fused loss and gradient agree with backward on the loss's cotangent", "[gradient]", float,
                   double) {
    using Real = TestType;
    const Scattering1D<fftw, Real> S({.J = 6, .shape = 800, .Q = 8});
    const auto y = noise<Real>(3, 800, 50);
    const auto x = noise<Real>(3, 800, 51);
    const auto Sy = S.scattering(y);
    const auto target = S.scattering(x);
    const std::size_t per_signal = Sy.channels() * Sy.length();
    const double tol = std::is_same_v<Real, float> ? 1e-4 : 1e-10;
    for (auto kind : {wst::loss::norm, wst::loss::mse, wst::loss::sum_squares, wst::loss::l1}) {
        INFO("loss " << static_cast<int>(kind));
        const auto fused = S.loss_gradient(y, target, kind);
        // The loss's own cotangent, built from the forward output.
        wst::scattering_array<Real> cot(Sy.batch(), Sy.channels(), Sy.length());
        for (std::size_t b = 0; b < Sy.batch(); ++b) {
            double ss = 0, l1 = 0;
            for (std::size_t i = 0; i < per_signal; ++i) {
                const double d = Sy.data()[b * per_signal + i] - target.data()[b * per_signal + i];
                ss += d * d;
                l1 += std::abs(d);
            }
            const double expected_loss = kind == wst::loss::norm          ? std::sqrt(ss)
                                         : kind == wst::loss::mse         ? ss / static_cast<double>(per_signal)
                                         : kind == wst::loss::sum_squares ? 0.5 * ss
                                                                          : l1;
            CHECK(fused.loss[b] == Approx(expected_loss).epsilon(tol));
            for (std::size_t i = 0; i < per_signal; ++i) {
                const double d = Sy.data()[b * per_signal + i] - target.data()[b * per_signal + i];
                const double c = kind == wst::loss::norm          ? d / std::sqrt(ss)
                                 : kind == wst::loss::mse         ? 2 * d / static_cast<double>(per_signal)
                                 : kind == wst::loss::sum_squares ? d
                                                                  : static_cast<double>((d > 0) - (d < 0));
                cot.data()[b * per_signal + i] = static_cast<Real>(c);
            }
        }
        const auto expected = S.backward(y, cot);
        const double scale = expected.abs().maxCoeff();
        CHECK((fused.gradient - expected).abs().maxCoeff() <= tol * scale);
    }
    // A target of batch 1 is compared with every signal.
    wst::scattering_array<Real> one(1, target.channels(), target.length());
    std::copy(target.data(), target.data() + per_signal, one.data());
    const auto broadcast = S.loss_gradient(y, one, wst::loss::sum_squares);
    const auto first = S.loss_gradient(y.row(0), one, wst::loss::sum_squares);
    CHECK(broadcast.loss[0] == first.loss[0]);
}

TEST_CASE("bad cotangents and targets are rejected", "[gradient][bad_input]") {
    const Scattering1D<fftw, double> S({.J = 4, .shape = 128, .Q = 2});
    const auto x = noise<double>(2, 128, 60);
    const auto Sx = S.scattering(x);
    wst::scattering_array<double> wrong(2, Sx.channels() + 1, Sx.length());
    CHECK_THROWS_WITH(S.backward(x, wrong), Catch::Matchers::Contains("g = an array of shape (2, ") &&
                                                Catch::Matchers::Contains("the shape of the output"));
    auto nan = Sx;
    nan.data()[3] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(S.backward(x, nan), Catch::Matchers::Contains("must be finite"));
    wst::scattering_array<double> three(3, Sx.channels(), Sx.length());
    CHECK_THROWS_WITH(S.loss_gradient(x, three, wst::loss::mse), Catch::Matchers::Contains("target = "));
}
