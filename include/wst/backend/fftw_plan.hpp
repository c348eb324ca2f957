// Thin RAII layer over FFTW3 for float and double.
//
// FFTW's planner is not thread-safe, its execution is (with the new-array
// execute functions): every plan creation and destruction here goes through
// one process-wide mutex, executions do not.
#pragma once

#include "wst/owned_buffer.hpp"

#include <fftw3.h>

#include <complex>
#include <cstdlib>
#include <cstddef>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

namespace wst::fftw {

// The process-wide lock around FFTW's planner.
inline std::mutex& planner_mutex() {
    static std::mutex m;
    return m;
}

// FFTW's C API spelled once per precision.
template <class Real>
struct api;

template <>
struct api<double> {
    using plan = fftw_plan;
    using complex = fftw_complex;
    static plan r2c(int n, double* in, complex* out, unsigned flags) {
        return fftw_plan_dft_r2c_1d(n, in, out, flags);
    }
    static plan c2c(int n, complex* in, complex* out, int sign, unsigned flags) {
        return fftw_plan_dft_1d(n, in, out, sign, flags);
    }
    static plan c2r(int n, complex* in, double* out, unsigned flags) { return fftw_plan_dft_c2r_1d(n, in, out, flags); }
    static void exec_r2c(plan p, double* in, complex* out) { fftw_execute_dft_r2c(p, in, out); }
    static void exec_c2r(plan p, complex* in, double* out) { fftw_execute_dft_c2r(p, in, out); }
    static void exec_c2c(plan p, complex* in, complex* out) { fftw_execute_dft(p, in, out); }
    static void destroy(plan p) { fftw_destroy_plan(p); }
    static void set_time_limit(double seconds) { fftw_set_timelimit(seconds); }
};

template <>
struct api<float> {
    using plan = fftwf_plan;
    using complex = fftwf_complex;
    static plan r2c(int n, float* in, complex* out, unsigned flags) {
        return fftwf_plan_dft_r2c_1d(n, in, out, flags);
    }
    static plan c2c(int n, complex* in, complex* out, int sign, unsigned flags) {
        return fftwf_plan_dft_1d(n, in, out, sign, flags);
    }
    static plan c2r(int n, complex* in, float* out, unsigned flags) { return fftwf_plan_dft_c2r_1d(n, in, out, flags); }
    static void exec_r2c(plan p, float* in, complex* out) { fftwf_execute_dft_r2c(p, in, out); }
    static void exec_c2r(plan p, complex* in, float* out) { fftwf_execute_dft_c2r(p, in, out); }
    static void exec_c2c(plan p, complex* in, complex* out) { fftwf_execute_dft(p, in, out); }
    static void destroy(plan p) { fftwf_destroy_plan(p); }
    static void set_time_limit(double seconds) { fftwf_set_timelimit(seconds); }
};

// Every buffer starts on a cache line: enough for FFTW's SIMD, and the
// same alignment everywhere, so that a vectorized loop splits an array into
// the same head, body and tail whichever buffer it runs on. Its results then
// cannot depend on which workspace (which thread) computed them, even where
// the compiler contracts a * b + c into a fused multiply-add in one part of
// the loop and not in another.
inline constexpr std::size_t buffer_alignment = 64;

// Host memory on cache-line boundaries (see buffer_alignment).
struct aligned_host_memory {
    static void* allocate(std::size_t bytes) {
        void* p = std::aligned_alloc(buffer_alignment, (bytes + buffer_alignment - 1) / buffer_alignment * buffer_alignment);
        if (p == nullptr) throw std::bad_alloc();
        return p;
    }
    static void free(void* p) { std::free(p); }
};

// An aligned array of T that frees itself.
template <class T>
using aligned_buffer = owned_buffer<T, aligned_host_memory>;

// Plans below this length are made with FFTW_UNALIGNED: rows of a batch
// shorter than 16 values do not start on a SIMD boundary, longer ones do
// (all lengths are powers of two).
inline constexpr std::size_t aligned_min_length = 16;

// The transforms a plan can run.
enum class transform { real_to_complex, complex_to_real, complex_backward, complex_forward };

// One 1-D FFTW plan of a given kind and length, created under the planner
// lock; a measuring planner stops after time_limit seconds when that is not
// negative (FFTW's planner time limit, set for this plan only: it is reset
// to none after).
template <class Real>
class plan {
    using A = api<Real>;

public:
    using kind = transform;

    plan(kind k, std::size_t n, unsigned rigor = FFTW_ESTIMATE, double time_limit = -1.0) {
        const unsigned flags = rigor | (n < aligned_min_length ? FFTW_UNALIGNED : 0u);
        aligned_buffer<std::complex<Real>> in(n), out(n);
        auto* cin = reinterpret_cast<typename A::complex*>(in.data());
        auto* cout = reinterpret_cast<typename A::complex*>(out.data());
        std::lock_guard<std::mutex> lock(planner_mutex());
        A::set_time_limit(time_limit < 0 ? FFTW_NO_TIMELIMIT : time_limit);
        switch (k) {
            case kind::real_to_complex:
                p_ = A::r2c(static_cast<int>(n), reinterpret_cast<Real*>(in.data()), cout, flags);
                break;
            case kind::complex_to_real:
                p_ = A::c2r(static_cast<int>(n), cin, reinterpret_cast<Real*>(out.data()), flags);
                break;
            case kind::complex_backward:
                p_ = A::c2c(static_cast<int>(n), cin, cout, FFTW_BACKWARD, flags);
                break;
            case kind::complex_forward:
                p_ = A::c2c(static_cast<int>(n), cin, cout, FFTW_FORWARD, flags);
                break;
        }
        A::set_time_limit(FFTW_NO_TIMELIMIT);
        if (p_ == nullptr) throw std::runtime_error("FFTW could not create a plan");
    }
    plan(const plan&) = delete;
    plan& operator=(const plan&) = delete;
    ~plan() {
        std::lock_guard<std::mutex> lock(planner_mutex());
        A::destroy(p_);
    }

    // Unnormalized transforms; thread-safe (FFTW's new-array execute).
    void r2c(const Real* in, std::complex<Real>* out) const {
        A::exec_r2c(p_, const_cast<Real*>(in), reinterpret_cast<typename A::complex*>(out));
    }
    // Hermitian half spectrum (n/2 + 1 bins) to real; overwrites `in`.
    void c2r(std::complex<Real>* in, Real* out) const {
        A::exec_c2r(p_, reinterpret_cast<typename A::complex*>(in), out);
    }
    void c2c(const std::complex<Real>* in, std::complex<Real>* out) const {
        A::exec_c2c(p_, reinterpret_cast<typename A::complex*>(const_cast<std::complex<Real>*>(in)),
                    reinterpret_cast<typename A::complex*>(out));
    }

private:
    typename A::plan p_ = nullptr;
};

}  // namespace wst::fftw
