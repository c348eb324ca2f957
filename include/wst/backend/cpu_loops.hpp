// The CPU backend's hot element-wise loops, each a cpu_simd loop type
// (template <isa I> static void run(...)), so that cpu_simd::run compiles it
// for the baseline and for AVX2 and runs the processor's widest. Their
// arithmetic is elementwise.hpp's, shared with the device backend.
#pragma once

#include "wst/backend/cpu_simd.hpp"
#include "wst/elementwise.hpp"
#include "wst/exact_sqrt.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#ifdef WST_RUNTIME_AVX2
#include <immintrin.h>
#endif

#define WST_LOOP_INLINE [[gnu::always_inline]] inline

namespace wst::cpu_loops {

using cpu_simd::isa;

#ifdef WST_RUNTIME_AVX2
// exact_sqrt_in_place at AVX width: the same correctly rounded results.
__attribute__((target("avx2"))) inline void exact_sqrt_avx2(float* x, std::size_t n) {
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_sqrt_ps(_mm256_loadu_ps(x + i)));
    for (; i < n; ++i) x[i] = std::sqrt(x[i]);
}
__attribute__((target("avx2"))) inline void exact_sqrt_avx2(double* x, std::size_t n) {
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) _mm256_storeu_pd(x + i, _mm256_sqrt_pd(_mm256_loadu_pd(x + i)));
    for (; i < n; ++i) x[i] = std::sqrt(x[i]);
}
#endif

template <isa I, class Real>
WST_LOOP_INLINE void exact_sqrt(Real* x, std::size_t n) {
#ifdef WST_RUNTIME_AVX2
    if constexpr (I == isa::avx2) return exact_sqrt_avx2(x, n);
#endif
    exact_sqrt_in_place(x, n);
}

// out (B x n/k) = scale * subsample_fourier(in * filter, k), interleaved
// complex rows (elementwise::filter_and_subsample).
template <class Real>
struct filter_subsample {
    template <isa>
    WST_LOOP_INLINE static void run(const Real* in, const elementwise::filter_window<Real>* filter, std::size_t B,
                                    std::size_t n, std::size_t k, Real* out, Real scale) {
        const elementwise::filter_and_subsample<Real> op;
        const std::size_t n_out = n / k;
        const Real factor = scale / static_cast<Real>(k);
        for (std::size_t b = 0; b < B; ++b) {
            const Real* row_in = in + 2 * b * n;
            Real* row_out = out + 2 * b * n_out;
            std::fill(row_out, row_out + 2 * n_out, Real(0));
            for (std::size_t i = 0; i < filter->length;) {
                const std::size_t run = elementwise::unwrapped_run(*filter, n_out, i);
                op.run(row_in, *filter, n_out, factor, i, run, row_out);
                i += run;
            }
        }
    }
};

// G_in (B x n) += the adjoint of filter_subsample applied to G_out (B x n/k).
template <class Real>
struct filter_subsample_adjoint {
    template <isa>
    WST_LOOP_INLINE static void run(const Real* G_out, const elementwise::filter_window<Real>* filter, std::size_t B,
                                    std::size_t n, std::size_t k, Real* G_in, Real scale) {
        const elementwise::filter_and_subsample_adjoint<Real> op;
        const std::size_t n_out = n / k;
        const Real factor = scale / static_cast<Real>(k);
        for (std::size_t b = 0; b < B; ++b) {
            const Real* g_out = G_out + 2 * b * n_out;
            Real* g_in = G_in + 2 * b * n;
            for (std::size_t i = 0; i < filter->length;) {
                const std::size_t run = elementwise::unwrapped_run(*filter, n_out, i);
                op.run(g_out, *filter, n_out, factor, i, run, g_in);
                i += run;
            }
        }
    }
};

// out[i] = |z[i]| for i < count (z interleaved complex): the plain formula
// everywhere (the squares summed, and whether any overflowed or underflowed
// noted, in one vectorized pass; then the SIMD square root, correctly
// rounded), then the exact one where the squares overflow or underflow. A
// zero z is exact as it is (sqrt(0) = 0) and not redone: the joint planes
// hold many (about 1%, spread everywhere), and redoing each block that holds
// one tripled the modulus's time. Blocks of 256 keep the second pass in
// cache.
template <class Real>
struct modulus {
    template <isa I>
    WST_LOOP_INLINE static void run(const Real* z, Real* out, std::size_t count) {
        constexpr std::size_t block = 256;
        for (std::size_t first = 0; first < count; first += block) {
            const std::size_t last = std::min(first + block, count);
            unsigned outside = 0;  // an OR, not a branch: the loop stays vectorized
            for (std::size_t i = first; i < last; ++i) {
                const Real re = z[2 * i], im = z[2 * i + 1], s = re * re + im * im;
                out[i] = s;
                outside |= static_cast<unsigned>(!elementwise::plain_magnitude_ok(s)) &
                           static_cast<unsigned>((re != Real(0)) | (im != Real(0)));
            }
            exact_sqrt<I>(out + first, last - first);
            if (outside != 0) redo_outside(z, first, last, out);
        }
    }

private:
    // The exact formula for the z[i], first <= i < last, whose squares
    // overflow or underflow.
    static void redo_outside(const Real* z, std::size_t first, std::size_t last, Real* out) {
        const elementwise::modulus<Real> op;
        for (std::size_t i = first; i < last; ++i)
            if (!elementwise::plain_magnitude_ok(z[2 * i] * z[2 * i] + z[2 * i + 1] * z[2 * i + 1]) &&
                (z[2 * i] != Real(0) || z[2 * i + 1] != Real(0)))
                out[i] = op(z, i);
    }
};

// G_z = g z / |z| (0 where z = 0), given |z| as modulus computed it:
// elementwise::modulus_adjoint's values, bit for bit (tested), in a form GCC
// vectorizes. Its `|z| > 0 ? g / |z| : 0` stays scalar under the default
// -ftrapping-math (a floating-point comparison blocks the if-conversion);
// here the quotient is taken everywhere and cleared by an integer mask where
// |z| is +0 (|z| >= 0, never -0 or NaN for finite z).
template <class Real>
struct modulus_adjoint {
    template <isa>
    WST_LOOP_INLINE static void run(const Real* __restrict z, const Real* __restrict abs_z, const Real* __restrict g,
                                    Real* __restrict G_z, std::size_t count) {
        using bits = std::conditional_t<sizeof(Real) == 4, std::uint32_t, std::uint64_t>;
        for (std::size_t i = 0; i < count; ++i) {
            const bits keep = bits{0} - static_cast<bits>(std::bit_cast<bits>(abs_z[i]) != 0);
            const Real w = std::bit_cast<Real>(static_cast<bits>(std::bit_cast<bits>(g[i] / abs_z[i]) & keep));
            G_z[2 * i] = w * z[2 * i];
            G_z[2 * i + 1] = w * z[2 * i + 1];
        }
    }
};

}  // namespace wst::cpu_loops

#undef WST_LOOP_INLINE
