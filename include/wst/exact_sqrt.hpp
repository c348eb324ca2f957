// Correctly rounded square roots of a whole array, vectorized.
//
// Neither obvious way gives both. Eigen's array sqrt() is, under its default
// EIGEN_FAST_MATH, an approximation for float on every x86 instruction set
// (and for double under AVX-512): a reciprocal-square-root estimate and Newton
// steps, 1 to 2 bits short of the exact result that NumPy and PyTorch return.
// std::sqrt in a loop is exact but stays scalar, because the compiler keeps
// errno for negative arguments. The processors' own square-root instructions
// are correctly rounded (IEEE 754), so they are called directly here, with the
// plain std::sqrt for the tail and where no SIMD instruction set is known.
// (AVX-512 through its all-lanes mask form: GCC 12 warns about the undefined
// register that the plain form starts from.)
#pragma once

#include <cmath>
#include <cstddef>

#if defined(__AVX512F__) || defined(__AVX__) || defined(__SSE2__)
#include <immintrin.h>
#endif

namespace wst {

// x[i] = sqrt(x[i]) for i < n, each correctly rounded.
inline void exact_sqrt_in_place(float* x, std::size_t n) {
    std::size_t i = 0;
#if defined(__AVX512F__)
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(x + i, _mm512_maskz_sqrt_ps(0xFFFF, _mm512_loadu_ps(x + i)));
#elif defined(__AVX__)
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_sqrt_ps(_mm256_loadu_ps(x + i)));
#elif defined(__SSE2__)
    for (; i + 4 <= n; i += 4) _mm_storeu_ps(x + i, _mm_sqrt_ps(_mm_loadu_ps(x + i)));
#endif
    for (; i < n; ++i) x[i] = std::sqrt(x[i]);
}

inline void exact_sqrt_in_place(double* x, std::size_t n) {
    std::size_t i = 0;
#if defined(__AVX512F__)
    for (; i + 8 <= n; i += 8) _mm512_storeu_pd(x + i, _mm512_maskz_sqrt_pd(0xFF, _mm512_loadu_pd(x + i)));
#elif defined(__AVX__)
    for (; i + 4 <= n; i += 4) _mm256_storeu_pd(x + i, _mm256_sqrt_pd(_mm256_loadu_pd(x + i)));
#elif defined(__SSE2__)
    for (; i + 2 <= n; i += 2) _mm_storeu_pd(x + i, _mm_sqrt_pd(_mm_loadu_pd(x + i)));
#endif
    for (; i < n; ++i) x[i] = std::sqrt(x[i]);
}

}  // namespace wst
