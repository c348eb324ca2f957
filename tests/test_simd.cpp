// The instruction set of the CPU backend's element-wise loops, chosen at run
// time (cpu_simd.hpp): the AVX2 kernels and the baseline (SSE2) loops give
// the same bits, loop by loop and for whole transforms with their gradients.
#include "jtfs_reference.hpp"
#include "noise.hpp"

#include <wst/backend/cpu_loops.hpp>
#include <wst/backend/fftw.hpp>
#include <wst/scattering1d.hpp>
#include <wst/time_frequency_scattering.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <utility>
#include <vector>

namespace {

using wst::cpu_simd::isa;

// Chooses an instruction set for a scope, and restores the previous one.
class simd_choice {
public:
    explicit simd_choice(isa choice) : before_(wst::cpu_simd::selected()) { wst::cpu_simd::select(choice); }
    ~simd_choice() { wst::cpu_simd::select(before_); }
    simd_choice(const simd_choice&) = delete;
    simd_choice& operator=(const simd_choice&) = delete;

private:
    isa before_;
};

template <class Real>
bool same_bits(const std::vector<Real>& a, const std::vector<Real>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(Real)) == 0;
}

// Complex values for the modulus: Gaussian, with exact zeros, and values
// whose squares overflow or underflow (the exact formula's path), in every
// position of a vector and of the tail.
template <class Real>
std::vector<Real> awkward_complex(std::size_t count, unsigned seed) {
    std::mt19937 gen(seed);
    std::normal_distribution<double> d;
    std::vector<Real> z(2 * count);
    for (auto& v : z) v = static_cast<Real>(d(gen));
    const Real big = std::sqrt(std::numeric_limits<Real>::max()) * 4, tiny = std::sqrt(std::numeric_limits<Real>::min()) / 4;
    for (std::size_t i = 0; i < count; i += 13) z[2 * i] = z[2 * i + 1] = 0;
    for (std::size_t i = 5; i < count; i += 29) z[2 * i] = big;
    for (std::size_t i = 7; i < count; i += 31) z[2 * i] = tiny, z[2 * i + 1] = -tiny;
    for (std::size_t i = 11; i < count; i += 37) z[2 * i + 1] = tiny * tiny;  // a square that rounds to 0 beside another
    for (std::size_t i = 3; i < count; i += 41) z[2 * i] = 0, z[2 * i + 1] = -tiny * tiny;  // |z|^2 rounds to 0, z not 0
    return z;
}

// Every loop of cpu_loops.hpp under the selected instruction set, on inputs
// of lengths around the vector widths and the modulus's blocks.
template <class Real>
std::vector<Real> every_loop() {
    std::vector<Real> all;
    for (std::size_t count : {1, 3, 8, 17, 255, 256, 257, 1000}) {
        const auto z = awkward_complex<Real>(count, static_cast<unsigned>(count));
        std::vector<Real> abs_z(count), g(count), G(2 * count);
        wst::cpu_loops::modulus(z.data(), abs_z.data(), count);
        for (std::size_t i = 0; i < count; ++i) g[i] = static_cast<Real>(std::cos(0.1 * static_cast<double>(i)));
        wst::cpu_loops::modulus_adjoint(z.data(), abs_z.data(), g.data(), G.data(), count);
        all.insert(all.end(), abs_z.begin(), abs_z.end());
        all.insert(all.end(), G.begin(), G.end());
    }
    for (std::size_t n : {4, 8, 16, 34, 256, 1024})  // every start and tail of the mirrored bins
        for (std::size_t first = n / 2 + 1; first <= n; ++first) {
            auto row = awkward_complex<Real>(n, static_cast<unsigned>(n + first));
            wst::cpu_loops::fill_mirrored(row.data(), n, first);
            all.insert(all.end(), row.begin(), row.end());
        }
    const auto bank = wst::scattering_filter_factory(512, 5, 8, 1, 32);
    for (const auto& f : {bank.psi1.front(), bank.psi1.back(), bank.psi2.front(), bank.phi}) {
        const wst::compact_level level = wst::compact(f.levels.front());
        std::vector<Real> values(level.values.begin(), level.values.end());
        const wst::elementwise::filter_window<Real> window{values.data(), level.start, values.size(), level.n};
        const auto spectrum = awkward_complex<Real>(2 * level.n, 3);  // two rows
        for (std::size_t k = 1; k <= 16; k *= 2) {
            std::vector<Real> out(2 * 2 * (level.n / k)), grad(2 * 2 * level.n, Real(0.5));
            wst::cpu_loops::filter_subsample(spectrum.data(), window, 2, level.n, k, out.data(), Real(0.25));
            wst::cpu_loops::filter_subsample_adjoint(out.data(), window, 2, level.n, k, grad.data(), Real(0.25));
            all.insert(all.end(), out.begin(), out.end());
            all.insert(all.end(), grad.begin(), grad.end());
        }
    }
    return all;
}

// Scattering1D and joint scattering (both formats) of noise, their
// gradients and a fused loss, under the selected instruction set.
template <class Real>
std::vector<Real> whole_transforms() {
    std::vector<Real> all;
    auto add = [&](const auto& a) { all.insert(all.end(), a.data(), a.data() + a.size()); };
    const auto x = test_signals::noise<Real>(2, 1024, 11);
    const wst::Scattering1D<wst::backend::fftw, Real> S({.J = 6, .shape = 1024, .Q = {8, 2}});
    const auto Sx = S.scattering(x);
    add(Sx);
    add(S.backward(x, Sx));
    for (const auto format : {wst::jtfs_format::time, wst::jtfs_format::joint}) {
        const wst::TimeFrequencyScattering<wst::backend::fftw, Real> T(jtfs_ref::params("jtfs/jtfs_small", format));
        const auto signal = test_signals::noise<Real>(1, T.shape(), 12);
        const auto out = T.scattering(signal);
        add(out);
        add(T.backward(signal, out));
        const auto fused = T.loss_gradient(signal, out, wst::loss::mse);
        add(fused.gradient);
    }
    return all;
}

// |z| by cpu_loops::modulus against elementwise::modulus, value by value,
// for Gaussian values with one awkward value alone in its block of 256 (so
// that no other value makes the block be redone), at several positions:
// 0, a square that overflows, squares that underflow with a loss of bits
// (not powers of two, whose plain root would be exact), a square that
// rounds to 0 beside a normal one, and both (|z|^2 rounds to 0, z not 0).
template <class Real>
bool awkward_values_alone() {
    const Real big = std::sqrt(std::numeric_limits<Real>::max()) * 4, tiny = std::sqrt(std::numeric_limits<Real>::min()) / 4;
    const std::vector<std::pair<Real, Real>> awkward = {{0, 0}, {big, 1}, {tiny * Real(1.2345), -tiny * Real(0.777)}, {1, tiny * tiny}, {0, -tiny * tiny}};
    bool same = true;
    for (const auto& [re, im] : awkward)
        for (std::size_t at : {0, 5, 8, 100, 255, 256, 300, 599}) {
            std::vector<Real> z(2 * 600), out(600);
            std::mt19937 gen(static_cast<unsigned>(at));
            std::normal_distribution<double> d;
            for (auto& v : z) v = static_cast<Real>(d(gen));
            z[2 * at] = re, z[2 * at + 1] = im;
            wst::cpu_loops::modulus(z.data(), out.data(), 600);
            const wst::elementwise::modulus<Real> op;
            for (std::size_t i = 0; i < 600; ++i) {
                const Real expected = op(z.data(), i);
                same = same && std::memcmp(&out[i], &expected, sizeof(Real)) == 0;
            }
        }
    return same;
}

}  // namespace

TEST_CASE("the AVX2 kernels give the baseline loops' bits, alone and in whole transforms", "[simd]") {
    if (wst::cpu_simd::widest_supported() != isa::avx2) {
        WARN("skipped: no AVX2 on this processor or no AVX2 kernels in this build");
        return;
    }
#ifdef __FMA__
    WARN("skipped: this build may contract the baseline loops' products and sums (FMA), which then differ in the last bit");
    return;
#endif
    CHECK(wst::cpu_simd::selected() == isa::avx2);  // the default where supported
    auto under = [](isa choice, auto f) {
        const simd_choice scope(choice);
        return f();
    };
    CHECK(same_bits(under(isa::avx2, every_loop<float>), under(isa::baseline, every_loop<float>)));
    CHECK(same_bits(under(isa::avx2, every_loop<double>), under(isa::baseline, every_loop<double>)));
    CHECK(same_bits(under(isa::avx2, whole_transforms<float>), under(isa::baseline, whole_transforms<float>)));
    CHECK(same_bits(under(isa::avx2, whole_transforms<double>), under(isa::baseline, whole_transforms<double>)));
}

TEST_CASE("the modulus takes the exact formula for an awkward value alone in its block", "[simd]") {
    for (const isa choice : {isa::baseline, wst::cpu_simd::widest_supported()}) {
        INFO("instruction set " << static_cast<int>(choice));
        const simd_choice scope(choice);
        CHECK(awkward_values_alone<float>());
        CHECK(awkward_values_alone<double>());
    }
}

TEST_CASE("the loops' instruction set: avx2 refused where it cannot run", "[simd]") {
    if (wst::cpu_simd::widest_supported() == isa::avx2) {
        const simd_choice scope(isa::baseline);
        CHECK(wst::cpu_simd::selected() == isa::baseline);
    } else {
        CHECK_THROWS_WITH(wst::cpu_simd::select(isa::avx2), Catch::Contains("cpu_simd::isa"));
    }
}
