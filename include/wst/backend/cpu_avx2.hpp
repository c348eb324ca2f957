// The AVX2 kernels of the CPU backend's element-wise loops (cpu_loops.hpp
// calls them where cpu_simd selects AVX2). Each does what the baseline
// loop's body does, operation for operation (no FMA: target("avx2") alone),
// on 8 floats or 4 doubles at a time, and leaves the tail to the caller:
// each returns how many elements it did. Complex values are interleaved
// (re, im); a real weight per complex value is duplicated across both.
#pragma once

#include "wst/backend/cpu_simd.hpp"

#ifdef WST_AVX2_KERNELS

#include <immintrin.h>

#include <bit>
#include <cstddef>
#include <cstdint>

#define WST_AVX2 __attribute__((target("avx2")))

namespace wst::cpu_avx2 {

// [w0 w0 w1 w1 w2 w2 w3 w3] from four weights, each times factor.
WST_AVX2 inline __m256 weights(const float* v, __m256 factor) {
    const __m256 w = _mm256_mul_ps(_mm256_castps128_ps256(_mm_loadu_ps(v)), factor);
    return _mm256_permutevar8x32_ps(w, _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3));
}
// [w0 w0 w1 w1] from two weights, each times factor.
WST_AVX2 inline __m256d weights(const double* v, __m256d factor) {
    const __m256d w = _mm256_mul_pd(_mm256_castpd128_pd256(_mm_loadu_pd(v)), factor);
    return _mm256_permute4x64_pd(w, 0x50);
}

// y[t] += x[t] * (v[t] * factor) for complex x, y and real v, t < count,
// or with first y[t] = 0 + x[t] * (v[t] * factor): elementwise::
// filter_and_subsample's run<first>.
template <bool first>
WST_AVX2 inline std::size_t filter_run(const float* x, const float* v, float factor, std::size_t count, float* y) {
    const __m256 f = _mm256_set1_ps(factor);
    std::size_t t = 0;
    for (; t + 4 <= count; t += 4) {
        const __m256 term = _mm256_mul_ps(_mm256_loadu_ps(x + 2 * t), weights(v + t, f));
        _mm256_storeu_ps(y + 2 * t, _mm256_add_ps(first ? _mm256_setzero_ps() : _mm256_loadu_ps(y + 2 * t), term));
    }
    return t;
}
template <bool first>
WST_AVX2 inline std::size_t filter_run(const double* x, const double* v, double factor, std::size_t count, double* y) {
    const __m256d f = _mm256_set1_pd(factor);
    std::size_t t = 0;
    for (; t + 2 <= count; t += 2) {
        const __m256d term = _mm256_mul_pd(_mm256_loadu_pd(x + 2 * t), weights(v + t, f));
        _mm256_storeu_pd(y + 2 * t, _mm256_add_pd(first ? _mm256_setzero_pd() : _mm256_loadu_pd(y + 2 * t), term));
    }
    return t;
}

// y[t] += (v[t] * factor) * g[t]: elementwise::filter_and_subsample_adjoint's run.
WST_AVX2 inline std::size_t filter_adjoint_run(const float* g, const float* v, float factor, std::size_t count, float* y) {
    const __m256 f = _mm256_set1_ps(factor);
    std::size_t t = 0;
    for (; t + 4 <= count; t += 4)
        _mm256_storeu_ps(y + 2 * t,
                         _mm256_add_ps(_mm256_loadu_ps(y + 2 * t), _mm256_mul_ps(weights(v + t, f), _mm256_loadu_ps(g + 2 * t))));
    return t;
}
WST_AVX2 inline std::size_t filter_adjoint_run(const double* g, const double* v, double factor, std::size_t count,
                                               double* y) {
    const __m256d f = _mm256_set1_pd(factor);
    std::size_t t = 0;
    for (; t + 2 <= count; t += 2)
        _mm256_storeu_pd(y + 2 * t,
                         _mm256_add_pd(_mm256_loadu_pd(y + 2 * t), _mm256_mul_pd(weights(v + t, f), _mm256_loadu_pd(g + 2 * t))));
    return t;
}

// out[i] = sqrt(re^2 + im^2) of z[i] for i < count, in steps of 8 (float) or
// 4 (double): the baseline's sum of squares and its correctly rounded root
// (exact_sqrt.hpp) in one pass over memory instead of two; *outside set
// nonzero if a sum may lie outside elementwise::plain_magnitude_ok for a z
// that is not 0 (cpu_loops::modulus's flag, which makes the caller check
// each element of the block: a superset is safe, so the test is kept
// cheap). The pairs are summed by hadd, re^2 + im^2 as the baseline adds
// them; hadd leaves the sums of the two inputs interleaved by lane, which a
// 64-bit permutation puts back in order. Outside means one of:
//   s >= hi or NaN (z != 0 there): for float, the largest bits of s, as
//     unsigned integers (a NaN of either sign above every number);
//   0 < s <= lo: the smallest bits of s minus one (0 wraps to the top);
//   s = 0 for a z != 0: a part x != 0 whose square is 0 (the OR of such
//     parts, their sign aside; a tiny part beside a large one is flagged
//     too, and then found fine).
// Against a flag per element built from z's bits: 0.365 -> 0.207 ns per
// value (float, hot cache, an AMD EPYC), the square root's own 0.18 ns.
WST_AVX2 inline std::size_t magnitudes(const float* z, std::size_t count, float* out, unsigned* outside) {
    const __m256i one = _mm256_set1_epi32(1);
    __m256i largest = _mm256_setzero_si256(), smallest_nonzero = _mm256_set1_epi32(-1);
    __m256 tiny_parts = _mm256_setzero_ps();
    std::size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        const __m256 a = _mm256_loadu_ps(z + 2 * i), b = _mm256_loadu_ps(z + 2 * i + 8);
        const __m256 aa = _mm256_mul_ps(a, a), bb = _mm256_mul_ps(b, b);
        const __m256 s = _mm256_hadd_ps(aa, bb);
        _mm256_storeu_ps(out + i, _mm256_sqrt_ps(_mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(s), 0xD8))));
        const __m256i bits = _mm256_castps_si256(s);
        largest = _mm256_max_epu32(largest, bits);
        smallest_nonzero = _mm256_min_epu32(smallest_nonzero, _mm256_sub_epi32(bits, one));
        const __m256 zero = _mm256_setzero_ps();
        tiny_parts = _mm256_or_ps(tiny_parts, _mm256_or_ps(_mm256_and_ps(_mm256_cmp_ps(aa, zero, _CMP_EQ_OQ), a),
                                                           _mm256_and_ps(_mm256_cmp_ps(bb, zero, _CMP_EQ_OQ), b)));
    }
    if (i > 0) {
        const __m256i hi = _mm256_set1_epi32(std::bit_cast<std::int32_t>(1e37f));
        const __m256i lo = _mm256_set1_epi32(std::bit_cast<std::int32_t>(1e-37f));
        // largest >= hi, smallest_nonzero < lo (unsigned), a tiny part's magnitude bits.
        const __m256i high = _mm256_cmpeq_epi32(_mm256_max_epu32(largest, hi), largest);
        const __m256i low = _mm256_andnot_si256(_mm256_cmpeq_epi32(_mm256_max_epu32(smallest_nonzero, lo), smallest_nonzero),
                                                _mm256_set1_epi32(-1));
        const __m256i tiny = _mm256_and_si256(_mm256_castps_si256(tiny_parts), _mm256_set1_epi32(0x7fffffff));
        const __m256i any = _mm256_or_si256(_mm256_or_si256(high, low), tiny);
        *outside |= static_cast<unsigned>(!_mm256_testz_si256(any, any));
    }
    return i;
}
// The same tests by comparisons (AVX2 has no unsigned 64-bit min and max):
// s not below hi (NaN included), 0 < s <= lo, a nonzero part squared to 0.
WST_AVX2 inline std::size_t magnitudes(const double* z, std::size_t count, double* out, unsigned* outside) {
    const __m256d hi = _mm256_set1_pd(1e300), lo = _mm256_set1_pd(1e-300), zero = _mm256_setzero_pd();
    __m256d flags = _mm256_setzero_pd(), tiny_parts = _mm256_setzero_pd();
    std::size_t i = 0;
    for (; i + 4 <= count; i += 4) {
        const __m256d a = _mm256_loadu_pd(z + 2 * i), b = _mm256_loadu_pd(z + 2 * i + 4);
        const __m256d aa = _mm256_mul_pd(a, a), bb = _mm256_mul_pd(b, b);
        const __m256d s = _mm256_hadd_pd(aa, bb);
        _mm256_storeu_pd(out + i, _mm256_sqrt_pd(_mm256_permute4x64_pd(s, 0xD8)));
        const __m256d low = _mm256_and_pd(_mm256_cmp_pd(s, lo, _CMP_LE_OQ), _mm256_cmp_pd(s, zero, _CMP_NEQ_OQ));
        flags = _mm256_or_pd(flags, _mm256_or_pd(_mm256_cmp_pd(s, hi, _CMP_NLT_UQ), low));
        tiny_parts = _mm256_or_pd(tiny_parts, _mm256_or_pd(_mm256_and_pd(_mm256_cmp_pd(aa, zero, _CMP_EQ_OQ), a),
                                                           _mm256_and_pd(_mm256_cmp_pd(bb, zero, _CMP_EQ_OQ), b)));
    }
    const __m256i any = _mm256_or_si256(
        _mm256_castpd_si256(flags), _mm256_and_si256(_mm256_castpd_si256(tiny_parts), _mm256_set1_epi64x(0x7fffffffffffffff)));
    *outside |= static_cast<unsigned>(!_mm256_testz_si256(any, any));
    return i;
}

// G_z[i] = w z[i], w = g[i] / |z|[i] with its bits cleared where those of
// |z|[i] are 0 (cpu_loops::modulus_adjoint's form), 8 or 4 at a time.
WST_AVX2 inline std::size_t modulus_adjoint(const float* z, const float* abs_z, const float* g, float* G_z,
                                            std::size_t count) {
    std::size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        const __m256 a = _mm256_loadu_ps(abs_z + i);
        const __m256i cleared = _mm256_cmpeq_epi32(_mm256_castps_si256(a), _mm256_setzero_si256());
        const __m256 w = _mm256_andnot_ps(_mm256_castsi256_ps(cleared), _mm256_div_ps(_mm256_loadu_ps(g + i), a));
        const __m256 lo = _mm256_unpacklo_ps(w, w), hi = _mm256_unpackhi_ps(w, w);  // by lane: w0 w0 w1 w1 | w4 w4 w5 w5
        _mm256_storeu_ps(G_z + 2 * i, _mm256_mul_ps(_mm256_permute2f128_ps(lo, hi, 0x20), _mm256_loadu_ps(z + 2 * i)));
        _mm256_storeu_ps(G_z + 2 * i + 8, _mm256_mul_ps(_mm256_permute2f128_ps(lo, hi, 0x31), _mm256_loadu_ps(z + 2 * i + 8)));
    }
    return i;
}
WST_AVX2 inline std::size_t modulus_adjoint(const double* z, const double* abs_z, const double* g, double* G_z,
                                            std::size_t count) {
    std::size_t i = 0;
    for (; i + 4 <= count; i += 4) {
        const __m256d a = _mm256_loadu_pd(abs_z + i);
        const __m256i cleared = _mm256_cmpeq_epi64(_mm256_castpd_si256(a), _mm256_setzero_si256());
        const __m256d w = _mm256_andnot_pd(_mm256_castsi256_pd(cleared), _mm256_div_pd(_mm256_loadu_pd(g + i), a));
        const __m256d lo = _mm256_unpacklo_pd(w, w), hi = _mm256_unpackhi_pd(w, w);  // by lane: w0 w0 | w2 w2
        _mm256_storeu_pd(G_z + 2 * i, _mm256_mul_pd(_mm256_permute2f128_pd(lo, hi, 0x20), _mm256_loadu_pd(z + 2 * i)));
        _mm256_storeu_pd(G_z + 2 * i + 4, _mm256_mul_pd(_mm256_permute2f128_pd(lo, hi, 0x31), _mm256_loadu_pd(z + 2 * i + 4)));
    }
    return i;
}

// Bins first .. first + 4m - 1 of a row of n float complex bins from the
// bins below n/2, conj(row[n - k]) (cpu_loops::fill_mirrored), four at a
// time: bins n - k - 3 .. n - k read as four 64-bit words, reversed, the
// sign of each imaginary part (bit 63) flipped. Returns 4m, as many as fit
// before n.
WST_AVX2 inline std::size_t mirror_run(float* row, std::size_t n, std::size_t first) {
    const __m256i sign = _mm256_set1_epi64x(static_cast<long long>(std::uint64_t{1} << 63));
    std::size_t k = first;
    for (; k + 4 <= n; k += 4) {
        const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + 2 * (n - k - 3)));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(row + 2 * k), _mm256_xor_si256(_mm256_permute4x64_epi64(w, 0x1B), sign));
    }
    return k - first;
}

}  // namespace wst::cpu_avx2

#undef WST_AVX2

#endif  // WST_AVX2_KERNELS
