// The phase-gradient start (phase_gradient.hpp), piece by piece against
// independent computations: the phase relations of Gaussian filters on
// coefficients computed directly, the instantaneous frequency of pure tones,
// the heap integration on a phase field known in closed form, and the start
// itself on signals whose answer is known.
#include "tools/harmonic.hpp"

#include <wst/wst.hpp>

#include <catch2/catch.hpp>

#include <complex>
#include <numbers>
#include <random>

namespace pg = wst::phase_gradient;
using fftw = wst::backend::fftw;

namespace {

constexpr double pi = std::numbers::pi;

// c(xi, t) = sum_k x_hat(k) exp(-(k/N - xi)^2 / (2 sigma^2)) e^{2 pi i k t / N} / N,
// by direct summation over the positive frequencies (no FFT library).
std::complex<double> gaussian_coefficient(const std::vector<std::complex<double>>& x_hat, double xi, double sigma,
                                          double t) {
    const auto N = static_cast<double>(x_hat.size());
    std::complex<double> c = 0;
    for (std::size_t k = 0; k < x_hat.size() / 2; ++k) {
        const double w = static_cast<double>(k) / N;
        c += x_hat[k] * std::exp(-(w - xi) * (w - xi) / (2 * sigma * sigma)) * std::polar(1.0, 2 * pi * w * t);
    }
    return c / N;
}

std::vector<std::complex<double>> dft(const std::vector<double>& x) {
    const std::size_t N = x.size();
    std::vector<std::complex<double>> X(N);
    for (std::size_t k = 0; k < N; ++k)
        for (std::size_t t = 0; t < N; ++t) X[k] += x[t] * std::polar(1.0, -2 * pi * static_cast<double>(k * t % N) / static_cast<double>(N));
    return X;
}

double energy(const Eigen::VectorXd& y, Eigen::Index from, Eigen::Index to) { return y.segment(from, to - from).squaredNorm(); }

}  // namespace

TEST_CASE("the phase of Gaussian-filter coefficients follows from their magnitude", "[phase_gradient]") {
    // A chirp under a Gaussian envelope: the phase derivatives vary over the
    // time-frequency plane. Derivatives by central differences of c computed
    // by direct summation.
    const std::size_t N = 512;
    std::vector<double> x(N);
    for (std::size_t t = 0; t < N; ++t) {
        const double u = static_cast<double>(t) - 256;
        x[t] = std::exp(-u * u / (2 * 60.0 * 60.0)) * std::cos(2 * pi * (0.1 * u + 0.0002 * u * u));
    }
    const auto X = dft(x);
    const double sigma = 0.01, h_xi = 1e-5, h_t = 1e-3;
    for (const auto& [xi, t] : {std::pair{0.1, 256.0}, std::pair{0.12, 300.0}, std::pair{0.08, 220.0}}) {
        INFO("xi " << xi << ", t " << t);
        auto c = [&](double f, double s) { return gaussian_coefficient(X, f, sigma, s); };
        const double dlog_dxi = (std::log(std::abs(c(xi + h_xi, t))) - std::log(std::abs(c(xi - h_xi, t)))) / (2 * h_xi);
        const double dlog_dt = (std::log(std::abs(c(xi, t + h_t))) - std::log(std::abs(c(xi, t - h_t)))) / (2 * h_t);
        const double darg_dt = std::arg(c(xi, t + h_t) / c(xi, t - h_t)) / (2 * h_t);
        const double darg_dxi = std::arg(c(xi + h_xi, t) / c(xi - h_xi, t)) / (2 * h_xi);
        CHECK(pg::phase_derivative_in_time(xi, sigma, dlog_dxi) == Approx(darg_dt).epsilon(1e-5));
        CHECK(pg::phase_derivative_in_frequency(sigma, dlog_dt) == Approx(darg_dxi).epsilon(1e-4).margin(1e-3));
    }
}

TEST_CASE("instantaneous frequency from two channels", "[phase_gradient]") {
    SECTION("equal widths: the difference quotient of log|c| at the midpoint") {
        const pg::gaussian_response a{0.0, 0.05, 0.002}, b{0.0, 0.046, 0.002};
        const double m_a = 0.7, m_b = 0.2;
        const double expected = 0.048 + 0.002 * 0.002 * (std::log(m_a) - std::log(m_b)) / (0.05 - 0.046);
        CHECK(pg::instantaneous_frequency(m_a, m_b, a, b) == Approx(expected).epsilon(1e-12));
    }
    SECTION("a pure tone, from the transform's own first-order coefficients") {
        // Tones between two wavelets of the linear (equal-width) and of the
        // constant-Q (unequal-width) part of the bank; the frequency is
        // found from the channel with the most energy and its larger neighbour.
        const wst::Scattering1D<fftw, double> S({.J = 6, .shape = 8192, .Q = 16});
        const auto& psi = S.filters().psi1;
        const auto Np = static_cast<std::size_t>(S.N_padded());
        auto response = [&](std::size_t c) {
            const auto peak = static_cast<std::size_t>(std::llround(psi[c].xi * static_cast<double>(Np)));
            return pg::gaussian_response{std::log(psi[c].levels[0][peak]), psi[c].xi, psi[c].sigma};
        };
        for (const double f0 : {0.0557, 0.0641, 0.2011, 0.3333}) {
            INFO("tone at " << f0);
            Eigen::RowVectorXd x(8192);
            for (Eigen::Index t = 0; t < 8192; ++t) x[t] = std::cos(2 * pi * f0 * static_cast<double>(t));
            const auto Sx = S.scattering(x);
            const std::size_t frame = Sx.length() / 2;
            std::size_t best = 0;
            for (std::size_t c = 1; c < psi.size(); ++c)
                if (Sx(0, 1 + c, frame) > Sx(0, 1 + best, frame)) best = c;
            const std::size_t other = Sx(0, best, frame) > Sx(0, 2 + best, frame) ? best - 1 : best + 1;
            const double f = pg::instantaneous_frequency(Sx(0, 1 + best, frame), Sx(0, 1 + other, frame), response(best),
                                                         response(other));
            CHECK(std::abs(f - f0) < 0.02 * psi[best].sigma);
        }
    }
    SECTION("no magnitude: the channel's centre") {
        const pg::gaussian_response a{0.0, 0.1, 0.01}, b{0.0, 0.09, 0.01};
        CHECK(pg::instantaneous_frequency(0.0, 1.0, a, b) == 0.1);
    }
}

TEST_CASE("heap integration reproduces a consistent phase field", "[phase_gradient]") {
    // theta(c, p) = 2 pi hop f p + D xi_c: constant gradients, which the
    // trapezoidal rule integrates exactly from any start, in any order.
    pg::grid g;
    g.channels = 7;
    g.frames = 9;
    g.hop = 16;
    const double f = 0.013, D = 250.0;
    std::mt19937 gen(1);
    std::uniform_real_distribution<double> magnitude(0.5, 1.0);
    for (std::size_t c = 0; c < g.channels; ++c) g.xi.push_back(0.3 - 0.02 * static_cast<double>(c));
    for (std::size_t i = 0; i < g.channels * g.frames; ++i) {
        g.magnitude.push_back(magnitude(gen));
        g.frequency.push_back(f);
        g.delay.push_back(D);
    }
    // One island cut off by magnitudes below the tolerance: its own start.
    for (std::size_t p = 0; p < g.frames; ++p) g.magnitude[g.at(3, p)] = 1e-9;
    const auto phase = pg::integrate(g, 1e-6, 0);
    auto expected = [&](std::size_t c, std::size_t p) { return 2 * pi * g.hop * f * static_cast<double>(p) + D * g.xi[c]; };
    auto wrapped = [](double a) { return std::remainder(a, 2 * pi); };
    for (std::size_t c = 0; c < g.channels; ++c) {
        if (c == 3) continue;
        const std::size_t island = c < 3 ? 0 : 4;  // compare within each island
        for (std::size_t p = 0; p < g.frames; ++p) {
            INFO("channel " << c << ", frame " << p);
            const double got = phase[g.at(c, p)] - phase[g.at(island, 0)];
            const double want = expected(c, p) - expected(island, 0);
            CHECK(std::abs(wrapped(got - want)) < 1e-9);
        }
    }
}

TEST_CASE("the phase-gradient start", "[phase_gradient][reconstruct]") {
    SECTION("the harmonic signal: close to the answer before any descent, nothing near Nyquist") {
        const auto h = tools::harmonic_signal(8192);
        const Eigen::RowVectorXd x = Eigen::Map<const Eigen::RowVectorXf>(h.data(), 8192).cast<double>();
        const wst::Scattering1D<fftw, double> S({.J = 6, .shape = 8192, .Q = 16});
        const auto Sx = S.scattering(x);
        const Eigen::VectorXd y = pg::signal(S, Sx, 0, 0);
        const auto Sy = S.scattering(y.transpose());
        double error = 0, norm = 0;
        for (std::size_t i = 0; i < Sx.size(); ++i) {
            error += (Sy.data()[i] - Sx.data()[i]) * (Sy.data()[i] - Sx.data()[i]);
            norm += Sx.data()[i] * Sx.data()[i];
        }
        // Gaussian noise scaled to the first-order energy starts at about 1.3.
        CHECK(std::sqrt(error / norm) < 0.06);
        // The spectrum above 0.48 cycles per sample, where the filters hardly
        // reach: white noise puts 4% of its energy there, and the descent
        // from noise leaves 9e-6 of the signal's energy.
        const wst::fftw::plan<double> fft(wst::fftw::transform::real_to_complex, 8192);
        wst::fftw::aligned_buffer<double> in(8192);
        wst::fftw::aligned_buffer<std::complex<double>> Y(8192);
        std::copy(y.data(), y.data() + 8192, in.data());
        fft.r2c(in.data(), Y.data());
        double high = 0, all = 0;
        for (std::size_t k = 0; k <= 4096; ++k) {
            all += std::norm(Y.data()[k]);
            if (k > static_cast<std::size_t>(0.48 * 8192)) high += std::norm(Y.data()[k]);
        }
        CHECK(high < 1e-6 * all);
    }
    SECTION("silence stays silent") {
        // A tone burst in the first half, exact zeros in the second.
        const wst::Scattering1D<fftw, double> S({.J = 6, .shape = 4096, .Q = 8});
        Eigen::RowVectorXd x = Eigen::RowVectorXd::Zero(4096);
        for (Eigen::Index t = 0; t < 2048; ++t)
            x[t] = std::sin(pi * static_cast<double>(t) / 2048) * std::cos(2 * pi * 0.07 * static_cast<double>(t));
        const Eigen::VectorXd y = pg::signal(S, S.scattering(x), 0, 0);
        CHECK(energy(y, 3072, 4096) < 1e-8 * energy(y, 0, 4096));
    }
    SECTION("global averaging and a stride give a finite start of the right length") {
        for (const wst::scattering1d_params p : {wst::scattering1d_params{.J = 5, .shape = 1000, .Q = 4, .T = wst::global},
                                                 wst::scattering1d_params{.J = 6, .shape = 777, .Q = {4, 2}, .T = 32, .stride = 8}}) {
            const wst::Scattering1D<fftw, float> S(p);
            Eigen::RowVectorXf x = Eigen::RowVectorXf::Random(p.shape);
            const Eigen::VectorXd y = pg::signal(S, S.scattering(x), 0, 3);
            CHECK(y.size() == p.shape);
            CHECK(y.allFinite());
            CHECK(y.norm() > 0);
        }
    }
}
