// The instruction set of the CPU backend's element-wise loops, chosen at run
// time: a program built for plain x86-64 (SSE2) still runs them at AVX2
// width where the processor has it.
//
// A loop is a type with `template <isa I> static void run(args...)`, an
// always-inline function: run<Loop>(args...) calls it through one of two
// wrappers, one compiled for the baseline and one with
// __attribute__((target("avx2"))), into which the loop is inlined and
// vectorized at that width (at -O2 as at -O3: WST_VECTORIZE). The AVX2 target leaves out FMA, so that no
// product and sum is contracted: each operation rounds as in the baseline
// loop, in the same order (the loops sum nothing across lanes), and the
// results are the same bits whatever the choice (tests/test_simd.cpp).
//
// GCC and Clang on x86-64 only (and not in nvcc's host pass); elsewhere, and
// when the program is itself built for AVX2 (-march=native), the one
// wrapper is the program's own.
#pragma once

#include "wst/error.hpp"

#include <atomic>

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__) && !defined(__CUDACC__) && !defined(__AVX2__)
#define WST_RUNTIME_AVX2 1
#endif

// GCC vectorizes at -O2 only the loops whose trip count is a multiple of the
// vector width (its "very cheap" cost model); the wrappers ask for its
// -O3 model, so that a plain -O2 program runs these loops vectorized too.
// (Clang vectorizes them at -O2 as it is.)
#if defined(__GNUC__) && !defined(__clang__)
#define WST_VECTORIZE __attribute__((optimize("vect-cost-model=dynamic")))
#else
#define WST_VECTORIZE
#endif

namespace wst::cpu_simd {

enum class isa { baseline, avx2 };

// What this processor and this build can run: avx2 where the processor has
// it and the build dispatches, else baseline.
inline isa widest_supported() {
#ifdef WST_RUNTIME_AVX2
    return __builtin_cpu_supports("avx2") ? isa::avx2 : isa::baseline;
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
// tests); avx2 where it is not supported is refused.
inline void select(isa choice) {
    if (choice == isa::avx2 && widest_supported() != isa::avx2)
        wst::detail::reject("cpu_simd::isa", "avx2", "this processor or build has no AVX2 dispatch (baseline only)");
    detail::selection().store(choice, std::memory_order_relaxed);
}

namespace detail {
template <class Loop, class... Args>
WST_VECTORIZE void run_baseline(Args... args) {
    Loop::template run<isa::baseline>(args...);
}
#ifdef WST_RUNTIME_AVX2
template <class Loop, class... Args>
__attribute__((target("avx2"))) WST_VECTORIZE void run_avx2(Args... args) {
    Loop::template run<isa::avx2>(args...);
}
#endif
}  // namespace detail

// Loop::run<I>(args...) for the selected instruction set I.
template <class Loop, class... Args>
void run(Args... args) {
#ifdef WST_RUNTIME_AVX2
    if (selected() == isa::avx2) return detail::run_avx2<Loop>(args...);
#endif
    detail::run_baseline<Loop>(args...);
}

}  // namespace wst::cpu_simd
