// Degenerate and extreme inputs: all zeros, a constant, an impulse, and
// amplitudes from the subnormal range to the edge of overflow, in float and
// double. Each gives finite coefficients that obey the transform's
// homogeneity S(a x) = a S(x) (a > 0), or, past what the precision can hold,
// a clear error naming x; never a silent inf or NaN.
#include <wst/wst.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include "compare.hpp"
#include "noise.hpp"

using test_compare::max_abs;
using test_signals::noise;

using wst::Scattering1D;
using fftw = wst::backend::fftw;

namespace {

template <class Real>
bool all_finite(const Real* v, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(v[i])) return false;
    return true;
}

const wst::scattering1d_params params{.J = 6, .shape = 1000, .Q = 8};

}  // namespace

TEMPLATE_TEST_CASE("all-zero, constant and impulse signals", "[extreme]", float, double) {
    const Scattering1D<fftw, TestType> S(params);
    const double tol = std::is_same_v<TestType, float> ? 1e-5 : 1e-12;

    // Zero in, exactly zero out; the gradient of a loss against a non-zero
    // target is finite there (the modulus's derivative is taken as 0 at 0).
    const wst::signal_array<TestType> zero = wst::signal_array<TestType>::Zero(1, 1000);
    const auto S0 = S.scattering(zero);
    CHECK(max_abs(S0.data(), S0.size()) == 0.0);
    const auto L = S.loss_gradient(zero, S.scattering(noise<TestType>(1, 1000, 1)), wst::loss::norm);
    CHECK(std::isfinite(L.loss[0]));
    CHECK(all_finite(L.gradient.data(), static_cast<std::size_t>(L.gradient.size())));

    // A constant c: order 0 is c (phi has unit mass; reflection padding keeps
    // the signal constant), every wavelet (zero mean) gives ~0.
    const wst::signal_array<TestType> constant = wst::signal_array<TestType>::Constant(1, 1000, TestType(3));
    const auto Sc = S.scattering(constant);
    for (std::size_t t = 0; t < Sc.length(); ++t) CHECK(std::abs(Sc(0, 0, t) - 3.0) <= 3.0 * tol);
    double rest = 0;
    for (std::size_t c = 1; c < Sc.channels(); ++c)
        for (std::size_t t = 0; t < Sc.length(); ++t) rest = std::max(rest, std::abs(static_cast<double>(Sc(0, c, t))));
    CHECK(rest <= 3.0 * tol);

    // An impulse: finite, non-negative, and order 0 sums (over the output
    // samples, times the stride) to the impulse's mass.
    wst::signal_array<TestType> impulse = wst::signal_array<TestType>::Zero(1, 1000);
    impulse(0, 500) = 1;
    const auto Si = S.scattering(impulse);
    CHECK(all_finite(Si.data(), Si.size()));
    double order0 = 0, smallest = 0;
    for (std::size_t t = 0; t < Si.length(); ++t) order0 += Si(0, 0, t);
    for (std::size_t i = 0; i < Si.size(); ++i) smallest = std::min(smallest, static_cast<double>(Si.data()[i]));
    CHECK(order0 * static_cast<double>(1 << S.log2_stride()) == Approx(1.0).epsilon(1e-3));
    CHECK(smallest >= 0);
}

// S(a x) = a S(x) and grad S(a x) = grad S(x) for a > 0, checked across the
// whole exponent range the precision has: the tiny amplitudes take the exact
// modulus where squares underflow, the large ones where they overflow.
TEMPLATE_TEST_CASE("very small and very large amplitudes keep S homogeneous", "[extreme]", float, double) {
    using Real = TestType;
    const Scattering1D<fftw, Real> S(params);
    const bool single = std::is_same_v<Real, float>;
    const double tol = single ? 1e-4 : 1e-10;
    const auto x = noise<Real>(1, 1000, 2);
    const auto Sx = S.scattering(x);
    const auto g = S.scattering(noise<Real>(1, 1000, 3));
    const auto Gx = S.backward(x, g);
    for (double a : single ? std::vector<double>{1e-30, 1e-20, 1e20, 1e30} : std::vector<double>{1e-300, 1e-150, 1e150, 1e300}) {
        INFO("amplitude " << a);
        const auto xa = noise<Real>(1, 1000, 2, a);
        const auto Sa = S.scattering(xa);
        double err = 0;
        for (std::size_t i = 0; i < Sa.size(); ++i)
            err = std::max(err, std::abs(static_cast<double>(Sa.data()[i]) / a - static_cast<double>(Sx.data()[i])));
        CHECK(err <= tol * max_abs(Sx.data(), Sx.size()));
        const auto Ga = S.backward(xa, g);
        double gerr = 0;
        for (Eigen::Index i = 0; i < Ga.size(); ++i)
            gerr = std::max(gerr, std::abs(static_cast<double>(Ga.data()[i]) - static_cast<double>(Gx.data()[i])));
        CHECK(gerr <= 10 * tol * max_abs(Gx.data(), static_cast<std::size_t>(Gx.size())));
    }
}

// Past the precision's range: subnormal samples still give finite numbers;
// samples near the largest finite value make the transform's sums overflow,
// which must be reported as an error about x, not returned as inf or NaN.
TEMPLATE_TEST_CASE("subnormal and near-overflow amplitudes", "[extreme]", float, double) {
    using Real = TestType;
    const Scattering1D<fftw, Real> S(params);
    const auto tiny = noise<Real>(1, 1000, 4, static_cast<double>(std::numeric_limits<Real>::denorm_min()) * 1e3);
    const auto St = S.scattering(tiny);
    CHECK(all_finite(St.data(), St.size()));
    const auto Gt = S.backward(tiny, St);
    CHECK(all_finite(Gt.data(), static_cast<std::size_t>(Gt.size())));

    const auto huge = noise<Real>(1, 1000, 5, static_cast<double>(std::numeric_limits<Real>::max()) / 4);
    auto outcome = [&](auto&& call) {
        try {
            call();
            return std::string("finite");
        } catch (const wst::invalid_argument& e) {
            CHECK(e.parameter() == "x");
            CHECK_THAT(e.what(), Catch::Matchers::Contains("overflow"));
            return std::string("error");
        }
    };
    CHECK(outcome([&] {
              const auto Sh = S.scattering(huge);
              if (!all_finite(Sh.data(), Sh.size())) FAIL("non-finite coefficients returned");
          }) != "");
    CHECK(outcome([&] {
              const auto L = S.loss_gradient(huge, St, wst::loss::sum_squares);
              if (!std::isfinite(L.loss[0]) || !all_finite(L.gradient.data(), static_cast<std::size_t>(L.gradient.size())))
                  FAIL("non-finite loss or gradient returned");
          }) != "");
    CHECK(outcome([&] {
              const auto J = S.jvp(huge, huge);
              if (!all_finite(J.data(), J.size())) FAIL("non-finite tangent returned");
          }) != "");
}
