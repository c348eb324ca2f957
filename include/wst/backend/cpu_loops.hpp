// The CPU backend's hot element-wise loops: the filter product with
// subsampling and its adjoint, the modulus and its adjoint, the mirrored
// bins of a real signal's spectrum. Their arithmetic
// is elementwise.hpp's, shared with the device backend (tested bit for bit
// against its per-bin forms). Where cpu_simd selects AVX2, their inner
// loops run cpu_avx2.hpp's kernels, with the same bits (tests/test_simd.cpp):
// the JTFS chirp configuration's forward and backward a tenth faster on an Intel
// Xeon (README, Performance).
//
// GCC vectorizes at -O2 only the loops whose trip count is a multiple of the
// vector width (its "very cheap" cost model). These loops ask for its -O3
// model (WST_VECTORIZE), so that a plain -O2 program runs them vectorized
// too: a speech-sized Scattering1D forward at -O2 took 105 ms without, 78 ms
// with (-O3: 71 ms). Clang vectorizes them at -O2 as it is.
#pragma once

#include "wst/backend/cpu_avx2.hpp"
#include "wst/backend/cpu_simd.hpp"
#include "wst/elementwise.hpp"
#include "wst/exact_sqrt.hpp"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#define WST_VECTORIZE __attribute__((optimize("vect-cost-model=dynamic")))
#else
#define WST_VECTORIZE
#endif

namespace wst::cpu_loops {

// Whether the loops run the AVX2 kernels.
inline bool avx2() {
#ifdef WST_AVX2_KERNELS
    return cpu_simd::selected() == cpu_simd::isa::avx2;
#else
    return false;
#endif
}

// out (B x n/k) = scale * subsample_fourier(in * filter, k), interleaved
// complex rows (elementwise::filter_and_subsample). The window's first
// m = min(length, n/k) entries land on m distinct output bins, cyclically
// from start mod n/k: each is written as 0 + its term (filter_and_subsample's
// run<true>), the other n/k - m bins are zeroed, and the entries after the
// first m (a window longer than n/k, folded) are added. The same bits as
// zeroing the row and adding every term, without writing and reading the
// covered bins twice.
template <class Real>
WST_VECTORIZE void filter_subsample(const Real* in, const elementwise::filter_window<Real>& filter, std::size_t B,
                                    std::size_t n, std::size_t k, Real* out, Real scale) {
    const elementwise::filter_and_subsample<Real> op;
    const std::size_t n_out = n / k;
    const Real factor = scale / static_cast<Real>(k);
    const std::size_t m = std::min(filter.length, n_out);
    const std::size_t uncovered = elementwise::wrap(elementwise::wrap(filter.start, n) + m, n_out);
    [[maybe_unused]] const bool wide = avx2();
    for (std::size_t b = 0; b < B; ++b) {
        const Real* row_in = in + 2 * b * n;
        Real* row_out = out + 2 * b * n_out;
        const std::size_t zeros = n_out - m, tail = std::min(zeros, n_out - uncovered);
        std::fill(row_out + 2 * uncovered, row_out + 2 * (uncovered + tail), Real(0));
        std::fill(row_out, row_out + 2 * (zeros - tail), Real(0));
        for (std::size_t i = 0; i < filter.length;) {
            const bool first = i < m;
            const std::size_t run = first ? std::min(elementwise::unwrapped_run(filter, n_out, i), m - i)
                                          : elementwise::unwrapped_run(filter, n_out, i);
            std::size_t done = 0;
#ifdef WST_AVX2_KERNELS
            if (wide) {
                const std::size_t j = elementwise::wrap(filter.start + i, filter.n), o = elementwise::wrap(j, n_out);
                done = first ? cpu_avx2::filter_run<true>(row_in + 2 * j, filter.values + i, factor, run, row_out + 2 * o)
                             : cpu_avx2::filter_run<false>(row_in + 2 * j, filter.values + i, factor, run, row_out + 2 * o);
            }
#endif
            if (first)
                op.template run<true>(row_in, filter, n_out, factor, i + done, run - done, row_out);
            else
                op.run(row_in, filter, n_out, factor, i + done, run - done, row_out);
            i += run;
        }
    }
}

// G_in (B x n) += the adjoint of filter_subsample applied to G_out (B x n/k).
template <class Real>
WST_VECTORIZE void filter_subsample_adjoint(const Real* G_out, const elementwise::filter_window<Real>& filter,
                                            std::size_t B, std::size_t n, std::size_t k, Real* G_in, Real scale) {
    const elementwise::filter_and_subsample_adjoint<Real> op;
    const std::size_t n_out = n / k;
    const Real factor = scale / static_cast<Real>(k);
    [[maybe_unused]] const bool wide = avx2();
    for (std::size_t b = 0; b < B; ++b) {
        const Real* g_out = G_out + 2 * b * n_out;
        Real* g_in = G_in + 2 * b * n;
        for (std::size_t i = 0; i < filter.length;) {
            const std::size_t run = elementwise::unwrapped_run(filter, n_out, i);
            std::size_t done = 0;
#ifdef WST_AVX2_KERNELS
            if (wide) {
                const std::size_t j = elementwise::wrap(filter.start + i, filter.n), o = elementwise::wrap(j, n_out);
                done = cpu_avx2::filter_adjoint_run(g_out + 2 * o, filter.values + i, factor, run, g_in + 2 * j);
            }
#endif
            op.run(g_out, filter, n_out, factor, i + done, run - done, g_in);
            i += run;
        }
    }
}

// The exact formula of elementwise::modulus for the z[i], first <= i <
// last, whose squares overflow or underflow.
template <class Real>
void modulus_outside(const Real* z, std::size_t first, std::size_t last, Real* out) {
    const elementwise::modulus<Real> op;
    for (std::size_t i = first; i < last; ++i)
        if (!elementwise::plain_magnitude_ok(z[2 * i] * z[2 * i] + z[2 * i + 1] * z[2 * i + 1]) &&
            (z[2 * i] != Real(0) || z[2 * i + 1] != Real(0)))
            out[i] = op(z, i);
}

// out[i] = |z[i]| for i < count (z interleaved complex): the plain formula
// everywhere (the squares summed, and whether any overflowed or underflowed
// noted, in one vectorized pass; the SIMD square root, correctly rounded, in
// the same pass under AVX2, in a second one otherwise), then the exact one
// where the squares overflow or underflow. A zero z is exact as it is
// (sqrt(0) = 0) and not redone: the joint planes hold many (about 1%, spread
// everywhere), and redoing each block that holds one tripled the modulus's
// time. Blocks of 256 keep the second pass in cache.
template <class Real>
WST_VECTORIZE void modulus(const Real* z, Real* out, std::size_t count) {
    constexpr std::size_t block = 256;
    [[maybe_unused]] const bool wide = avx2();
    for (std::size_t first = 0; first < count; first += block) {
        const std::size_t last = std::min(first + block, count);
        unsigned outside = 0;  // an OR, not a branch: the loop stays vectorized
        std::size_t rooted = 0;
#ifdef WST_AVX2_KERNELS
        if (wide) rooted = cpu_avx2::magnitudes(z + 2 * first, last - first, out + first, &outside);
#endif
        for (std::size_t i = first + rooted; i < last; ++i) {
            const Real re = z[2 * i], im = z[2 * i + 1], s = re * re + im * im;
            out[i] = s;
            outside |= static_cast<unsigned>(!elementwise::plain_magnitude_ok(s)) &
                       static_cast<unsigned>((re != Real(0)) | (im != Real(0)));
        }
        exact_sqrt_in_place(out + first + rooted, last - first - rooted);
        if (outside != 0) modulus_outside(z, first, last, out);
    }
}

// G_z = g z / |z| (0 where z = 0), given |z| as modulus computed it:
// elementwise::modulus_adjoint's values, bit for bit (tested), in a form GCC
// vectorizes. Its `|z| > 0 ? g / |z| : 0` stays scalar under the default
// -ftrapping-math (a floating-point comparison blocks the if-conversion);
// here the quotient is taken everywhere and cleared by an integer mask where
// |z| is +0 (|z| >= 0, never -0 or NaN for finite z).
template <class Real>
WST_VECTORIZE void modulus_adjoint(const Real* __restrict z, const Real* __restrict abs_z, const Real* __restrict g,
                                   Real* __restrict G_z, std::size_t count) {
    using bits = std::conditional_t<sizeof(Real) == 4, std::uint32_t, std::uint64_t>;
    std::size_t done = 0;
#ifdef WST_AVX2_KERNELS
    if (avx2()) done = cpu_avx2::modulus_adjoint(z, abs_z, g, G_z, count);
#endif
    for (std::size_t i = done; i < count; ++i) {
        const bits keep = bits{0} - static_cast<bits>(std::bit_cast<bits>(abs_z[i]) != 0);
        const Real w = std::bit_cast<Real>(static_cast<bits>(std::bit_cast<bits>(g[i] / abs_z[i]) & keep));
        G_z[2 * i] = w * z[2 * i];
        G_z[2 * i + 1] = w * z[2 * i + 1];
    }
}

// Bins k in [first, n) of a row of n interleaved complex bins from the bins
// below n/2: conj(row[n - k]) (first > n/2), elementwise::hermitian_extend's
// values (tested bit for bit). A float bin is moved as one 64-bit word with
// the sign bit of its imaginary part flipped, a loop GCC vectorizes (which it
// does not do for the walk backwards over (re, im) pairs), four at a time
// under AVX2.
template <class Real>
void fill_mirrored(Real* row, std::size_t n, std::size_t first) {
    if constexpr (sizeof(Real) == 4 && std::endian::native == std::endian::little) {
        constexpr std::uint64_t imaginary_sign = std::uint64_t{1} << 63;
        auto* words = reinterpret_cast<unsigned char*>(row);
        std::size_t k = first;
#ifdef WST_AVX2_KERNELS
        if (avx2()) k += cpu_avx2::mirror_run(row, n, first);
#endif
        for (; k < n; ++k) {
            std::uint64_t w;
            std::memcpy(&w, words + 8 * (n - k), 8);
            w ^= imaginary_sign;
            std::memcpy(words + 8 * k, &w, 8);
        }
    } else {
        const elementwise::hermitian_extend<Real> extend;
        for (std::size_t k = first; k < n; ++k) extend(row, n, k);
    }
}

}  // namespace wst::cpu_loops

#undef WST_VECTORIZE
