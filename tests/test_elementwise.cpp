// The element-wise forms the CUDA kernels run (one device thread per output
// bin, window entry or sample) against the loops the CPU backend runs, on
// the CPU: the same values, bit for bit, for real filter windows.
#include <wst/wst.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <cstring>
#include <random>

using fftw = wst::backend::fftw;

namespace {

std::vector<double> random_values(std::size_t n, unsigned seed) {
    std::mt19937 gen(seed);
    std::normal_distribution<double> d;
    std::vector<double> v(n);
    for (auto& x : v) x = d(gen);
    return v;
}

// Every window of a small bank: psi1, psi2 and phi at every level.
std::vector<wst::compact_level> windows() {
    std::vector<wst::compact_level> all;
    const auto bank = wst::scattering_filter_factory(256, 4, 4, 1, 16);
    auto add = [&](const wst::filter& f) {
        for (const auto& level : f.levels) all.push_back(wst::compact(level));
    };
    for (const auto& f : bank.psi1) add(f);
    for (const auto& f : bank.psi2) add(f);
    add(bank.phi);
    return all;
}

}  // namespace

TEST_CASE("per-bin filter product and subsampling equals the backend's loop", "[elementwise]") {
    for (const auto& level : windows()) {
        const std::size_t n = level.n;
        const wst::elementwise::filter_window<double> f{level.values.data(), level.start, level.values.size(), n};
        // Any n bins (rfft fills those the window reads; see the next test).
        const auto spectrum = random_values(2 * n, 7);
        for (std::size_t k = 1; k <= n; k *= 2) {
            const std::size_t n_out = n / k;
            for (double scale : {1.0, 1.0 / static_cast<double>(n_out)}) {
                // (loop starts as NaN: every output bin must be written, the
                // bins outside the window's image zeroed.)
                std::vector<double> loop(2 * n_out, std::nan("")), at(2 * n_out);
                fftw::context<double> ctx({}, {}, {level}, n);
                fftw::workspace<double> w(ctx, 1);
                w.filter_subsample(reinterpret_cast<const std::complex<double>*>(spectrum.data()), f, 1, n, k,
                                   reinterpret_cast<std::complex<double>*>(loop.data()), scale);
                for (std::size_t o = 0; o < n_out; ++o)
                    wst::elementwise::filter_and_subsample_at(spectrum.data(), f, n_out, scale / static_cast<double>(k), o,
                                                              at.data());
                CHECK(loop == at);

                std::vector<double> g_loop(2 * n, 0.0), g_at(2 * n, 0.0);
                w.filter_subsample_adjoint(reinterpret_cast<const std::complex<double>*>(spectrum.data()), f, 1, n, k,
                                           reinterpret_cast<std::complex<double>*>(g_loop.data()), scale);
                for (std::size_t i = 0; i < f.length; ++i)
                    wst::elementwise::filter_and_subsample_adjoint_at(spectrum.data(), f, n_out, scale / static_cast<double>(k),
                                                                      i, g_at.data());
                CHECK(g_loop == g_at);
            }
        }
    }
}

TEST_CASE("per-sample padding adjoint equals the backend's loop", "[elementwise]") {
    for (auto [N, pad_left, n_padded] : {std::array<std::size_t, 3>{100, 14, 128}, {37, 20, 64}, {5, 1, 8}, {64, 0, 64}}) {
        const auto g = random_values(n_padded, 3);
        fftw::context<double> ctx({}, {}, {}, n_padded);
        fftw::workspace<double> w(ctx, 1);
        std::vector<double> loop(N);
        w.pad_adjoint(g.data(), 1, N, pad_left, n_padded, loop.data());
        for (std::size_t i = 0; i < N; ++i)
            CHECK(loop[i] == wst::elementwise::pad_adjoint_at(g.data(), static_cast<std::ptrdiff_t>(N),
                                                             static_cast<std::ptrdiff_t>(pad_left),
                                                             static_cast<std::ptrdiff_t>(n_padded),
                                                             static_cast<std::ptrdiff_t>(i)));
    }
}

// rfft fills bins 0..n/2 and, by Hermitian symmetry, only those above n/2
// that some filter reads: the filter product on its output must equal the
// product on the full spectrum of the same signal (FFTW's complex transform,
// an independent computation), for every filter window of a bank and every
// level, in a workspace whose buffers held garbage before.
TEST_CASE("rfft fills every bin the filters read", "[elementwise]") {
    const std::size_t N = 256;
    const auto bank = wst::scattering_filter_factory(N, 4, 1, 1, 16);  // Q = 1: wide wavelets, negative frequencies
    std::vector<std::vector<wst::compact_level>> psi1, psi2;
    std::vector<wst::compact_level> phi;
    auto levels = [](const wst::filter& f) {
        std::vector<wst::compact_level> out;
        for (const auto& l : f.levels) out.push_back(wst::compact(l));
        return out;
    };
    for (const auto& f : bank.psi1) psi1.push_back(levels(f));
    for (const auto& f : bank.psi2) psi2.push_back(levels(f));
    phi = levels(bank.phi);
    fftw::context<double> ctx(psi1, psi2, phi, N);
    fftw::workspace<double> w(ctx, 1);

    std::size_t windows_with_mirrored_bins = 0;
    auto check = [&](const wst::compact_level& level) {
        const std::size_t n = level.n;
        const wst::elementwise::filter_window<double> f{level.values.data(), level.start, level.values.size(), n};
        windows_with_mirrored_bins += wst::elementwise::mirrored_bins(f) > 0 ? 1 : 0;
        const auto x = random_values(n, 11);
        std::complex<double>* half = w.complex_buffer(0);
        std::fill(half, half + n, std::complex<double>(std::nan(""), std::nan("")));
        w.rfft(x.data(), half, 1, n);

        wst::fftw::aligned_buffer<std::complex<double>> in(n), full(n);
        for (std::size_t t = 0; t < n; ++t) in.data()[t] = x[t];
        wst::fftw::plan<double>(wst::fftw::transform::complex_forward, n).c2c(in.data(), full.data());

        for (std::size_t k = 1; k <= n; k *= 2) {
            std::vector<std::complex<double>> from_rfft(n / k), from_full(n / k);
            w.filter_subsample(half, f, 1, n, k, from_rfft.data(), 1.0);
            w.filter_subsample(full.data(), f, 1, n, k, from_full.data(), 1.0);
            for (std::size_t o = 0; o < n / k; ++o) CHECK(std::abs(from_rfft[o] - from_full[o]) <= 1e-12);
        }
    };
    for (const auto& f : psi1)
        for (const auto& l : f) check(l);
    for (const auto& f : psi2)
        for (const auto& l : f) check(l);
    for (const auto& l : phi) check(l);
    CHECK(windows_with_mirrored_bins > 0);  // the case the test is about occurs
}

// The float rfft moves each mirrored bin as one 64-bit word with a sign bit
// flipped: the same bits as the per-bin hermitian_extend the GPU runs.
TEST_CASE("rfft's mirrored float bins equal hermitian_extend's", "[elementwise]") {
    const std::size_t N = 256;
    const auto bank = wst::scattering_filter_factory(N, 4, 1, 1, 16);
    std::vector<std::vector<wst::compact_level>> psi1;
    for (const auto& f : bank.psi1) {
        psi1.emplace_back();
        for (const auto& l : f.levels) psi1.back().push_back(wst::compact(l));
    }
    wst::backend::fftw::context<float> ctx(psi1, {}, {wst::compact(bank.phi.levels[0])}, N);
    wst::backend::fftw::workspace<float> w(ctx, 1);
    const std::size_t mirrored = ctx.mirrored_bins(N);
    REQUIRE(mirrored > 0);
    std::vector<float> x(N);
    const auto values = random_values(N, 5);
    std::copy(values.begin(), values.end(), x.begin());
    std::complex<float>* spectrum = w.complex_buffer(0);
    w.rfft(x.data(), spectrum, 1, N);
    std::vector<float> extended(reinterpret_cast<const float*>(spectrum), reinterpret_cast<const float*>(spectrum) + 2 * N);
    const wst::elementwise::hermitian_extend<float> extend;
    for (std::size_t k = N - mirrored; k < N; ++k) extend(extended.data(), N, k);
    for (std::size_t k = N - mirrored; k < N; ++k) {
        CHECK(extended[2 * k] == spectrum[k].real());
        CHECK(std::signbit(extended[2 * k + 1]) == std::signbit(spectrum[k].imag()));
        CHECK(extended[2 * k + 1] == spectrum[k].imag());
    }
}

TEMPLATE_TEST_CASE("the CPU backend's modulus adjoint equals elementwise::modulus_adjoint's, bit for bit", "[elementwise]",
                   float, double) {
    using Real = TestType;
    const std::size_t n = 4096;
    const auto values = random_values(3 * n, 11);
    std::vector<std::complex<Real>> z(n);
    std::vector<Real> g(n), abs_z(n);
    for (std::size_t i = 0; i < n; ++i) {
        // Zeros (the adjoint's 0), tiny and huge values among ordinary ones.
        const Real scale = i % 5 == 0 ? Real(0) : i % 7 == 0 ? Real(1e-30) : i % 11 == 0 ? Real(1e30) : Real(1);
        z[i] = {static_cast<Real>(values[i]) * scale, static_cast<Real>(values[n + i]) * scale};
        g[i] = static_cast<Real>(values[2 * n + i]);
    }
    const wst::backend::fftw::context<Real> ctx({}, {}, {}, 16);
    const wst::backend::fftw::workspace<Real> w(ctx, 1);
    w.modulus(z.data(), abs_z.data(), 1, n);
    std::vector<std::complex<Real>> got(n);
    w.modulus_adjoint(z.data(), abs_z.data(), g.data(), got.data(), 1, n);
    std::vector<Real> expected(2 * n);
    const wst::elementwise::modulus_adjoint<Real> op;
    for (std::size_t i = 0; i < n; ++i) op(reinterpret_cast<const Real*>(z.data()), g.data(), abs_z[i], i, expected.data());
    std::size_t differing = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (int part = 0; part < 2; ++part) {
            const Real a = part == 0 ? got[i].real() : got[i].imag(), b = expected[2 * i + static_cast<std::size_t>(part)];
            differing += std::memcmp(&a, &b, sizeof(Real)) != 0;
        }
    CHECK(differing == 0);
}
