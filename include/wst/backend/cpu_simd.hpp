// The instruction set of the CPU backend's element-wise loops
// (cpu_loops.hpp), chosen at run time: a program built for plain x86-64
// (SSE2) runs their AVX2 kernels where the processor has AVX2.
//
// The kernels are written with AVX2 intrinsics in functions compiled with
// __attribute__((target("avx2"))): GCC's own vectorization of these loops at
// AVX2 width splits and rejoins the interleaved complex values with
// lane-crossing shuffles and was slower than SSE2 (measured on an AMD EPYC);
// the kernels instead duplicate each real weight across its complex value.
// The AVX2 target leaves out FMA, so that no product and sum is contracted:
// each operation rounds as in the baseline loop, in the same order (the
// loops sum nothing across lanes), and the results are the same bits
// whatever the choice (tests/test_simd.cpp). A build for a processor with
// AVX2 (-march=native) compiles the kernels as they are; with FMA it may
// contract the baseline loops, which then differ in the last bit, and the
// test says so.
//
// GCC and Clang on x86-64 only (nvcc's host pass included, so that the CUDA
// translation units of a program have the same CPU loops as the others);
// elsewhere the baseline loops alone.
#pragma once

#include "wst/error.hpp"

#include <atomic>

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__) && !defined(__CUDA_ARCH__)
#define WST_AVX2_KERNELS 1
#endif

namespace wst::cpu_simd {

enum class isa { baseline, avx2 };

// What this processor and this build can run.
inline isa widest_supported() {
#if defined(WST_AVX2_KERNELS) && defined(__AVX2__)
    return isa::avx2;
#elif defined(WST_AVX2_KERNELS)
    static const bool avx2 = __builtin_cpu_supports("avx2");
    return avx2 ? isa::avx2 : isa::baseline;
#else
    return isa::baseline;
#endif
}

namespace detail {
inline std::atomic<isa>& selection() {
    static std::atomic<isa> chosen{widest_supported()};
    return chosen;
}
}  // namespace detail

// The instruction set the loops run: the widest supported unless chosen.
inline isa selected() { return detail::selection().load(std::memory_order_relaxed); }

// Chooses the instruction set of every later loop (for comparisons and
// tests); avx2 where it cannot run is refused.
inline void select(isa choice) {
    if (choice == isa::avx2 && widest_supported() != isa::avx2)
        wst::detail::reject("cpu_simd::isa", "avx2", "this processor or build has no AVX2 kernels (baseline only)");
    detail::selection().store(choice, std::memory_order_relaxed);
}

}  // namespace wst::cpu_simd
