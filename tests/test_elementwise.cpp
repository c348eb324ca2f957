// The element-wise forms the CUDA kernels run (one device thread per output
// bin, window entry or sample) against the loops the CPU backend runs, on
// the CPU: the same values, bit for bit, for real filter windows.
#include <wst/wst.hpp>

#include <catch2/catch.hpp>

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
        // A half spectrum as rfft leaves it: bins 0..n/2 of n.
        const auto spectrum = random_values(2 * n, 7);
        for (std::size_t k = 1; k <= n; k *= 2) {
            const std::size_t n_out = n / k;
            for (double scale : {1.0, 1.0 / static_cast<double>(n_out)}) {
                std::vector<double> loop(2 * n_out), at(2 * n_out);
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
