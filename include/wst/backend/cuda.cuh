// GPU backend over CUDA and cuFFT: the device backend of device.hpp (the
// primitives, written once, also run by the CPU tests through an emulated
// device) on a CUDA device. Compile with nvcc (C++20,
// --expt-relaxed-constexpr for Eigen).
//
// Work is queued on CUDA streams made non-blocking (never the legacy default
// stream, which would serialize every host thread's work); each workspace has
// its own, with its cuFFT plans bound to it, so that workspaces driven by
// different host threads (execution.threads) run at once on the GPU. Every
// CUDA and cuFFT call is checked. Copies between the host and the device go
// through a transfer stream of their own and are complete when they return,
// so their order against the workspaces' streams does not depend on the
// default stream's semantics (--default-stream per-thread included).
//
// Device-pointer callers (scattering_in_backend, backward_in_backend): the
// input must be complete on the device when the call is made (synchronize
// the stream that wrote it), and the output is complete when the call
// returns.
#pragma once

#include "wst/backend/device.hpp"
#include "wst/backend/launch.hpp"
#include "wst/owned_buffer.hpp"

#include <cuda_runtime.h>
#include <cufft.h>
#include <dlfcn.h>

#include <atomic>
#include <complex>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

namespace wst::cuda {

inline void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess) throw std::runtime_error(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(e));
}
inline void check(cufftResult r, const char* what) {
    if (r != CUFFT_SUCCESS) throw std::runtime_error(std::string("cuFFT error ") + std::to_string(static_cast<int>(r)) + " in " + what);
}

// Whether a CUDA device can be used here: a machine without NVIDIA's driver
// library (libcuda) has none; one with the library whose runtime still
// fails (an old driver, a broken install) has an error, which is not the
// same as having no GPU.
enum class availability { available, no_driver, no_device, error };
struct device_status {
    availability state;
    std::string message;
};
inline device_status probe_devices() {
    int count = 0;
    const cudaError_t e = cudaGetDeviceCount(&count);
    if (e == cudaSuccess && count > 0) return {availability::available, std::to_string(count) + " device(s)"};
    if (e == cudaSuccess || e == cudaErrorNoDevice) return {availability::no_device, "no CUDA device"};
    void* driver = ::dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (driver == nullptr) return {availability::no_driver, "no NVIDIA driver (libcuda.so.1 not found)"};
    ::dlclose(driver);
    return {availability::error, std::string("cudaGetDeviceCount failed: ") + cudaGetErrorString(e)};
}
inline bool device_available() { return probe_devices().state == availability::available; }

// Device memory in use and its peak, over every allocation of this process
// made here (the transform's buffers, filters and staging).
struct memory_counters {
    std::atomic<std::size_t> in_use{0}, peak{0};
};
inline memory_counters& memory() {
    static memory_counters m;
    return m;
}

// Device memory (cudaMalloc / cudaFree), counted in memory().
struct device_memory {
    static void* allocate(std::size_t bytes) {
        void* p = nullptr;
        check(cudaMalloc(&p, bytes), "cudaMalloc");
        std::lock_guard<std::mutex> lock(table().mutex);
        table().sizes[p] = bytes;
        auto& m = memory();
        const std::size_t now = m.in_use += bytes;
        if (now > m.peak) m.peak = now;
        return p;
    }
    static void free(void* p) {
        {
            std::lock_guard<std::mutex> lock(table().mutex);
            auto& sizes = table().sizes;
            if (const auto it = sizes.find(p); it != sizes.end()) {
                memory().in_use -= it->second;
                sizes.erase(it);
            }
        }
        cudaFree(p);
    }

private:
    // The size of each live allocation, for the counters.
    struct size_table {
        std::mutex mutex;
        std::map<void*, std::size_t> sizes;
    };
    static size_table& table() {
        static size_table t;
        return t;
    }
};

template <class T>
using device_buffer = owned_buffer<T, device_memory>;

// A kernel running f on every index of [0, count), the grid-stride loop of
// launch.hpp.
template <class F>
__global__ void for_each_index(launch::geometry g, std::size_t count, F f) {
    launch::grid_stride(g, blockIdx.x, threadIdx.x, count, f);
}

// cuFFT's names per precision.
template <class Real>
struct fft_names;
template <>
struct fft_names<float> {
    using complex = cufftComplex;
    static constexpr cufftType r2c = CUFFT_R2C, c2r = CUFFT_C2R, c2c = CUFFT_C2C;
    static cufftResult exec_r2c(cufftHandle p, float* in, complex* out) { return cufftExecR2C(p, in, out); }
    static cufftResult exec_c2r(cufftHandle p, complex* in, float* out) { return cufftExecC2R(p, in, out); }
    static cufftResult exec_c2c(cufftHandle p, complex* in, complex* out, int dir) { return cufftExecC2C(p, in, out, dir); }
};
template <>
struct fft_names<double> {
    using complex = cufftDoubleComplex;
    static constexpr cufftType r2c = CUFFT_D2Z, c2r = CUFFT_Z2D, c2c = CUFFT_Z2Z;
    static cufftResult exec_r2c(cufftHandle p, double* in, complex* out) { return cufftExecD2Z(p, in, out); }
    static cufftResult exec_c2r(cufftHandle p, complex* in, double* out) { return cufftExecZ2D(p, in, out); }
    static cufftResult exec_c2c(cufftHandle p, complex* in, complex* out, int dir) { return cufftExecZ2Z(p, in, out, dir); }
};

// The CUDA device of device.hpp.
struct device {
    template <class T>
    using buffer = device_buffer<T>;

    static int current() {
        int d = 0;
        check(cudaGetDevice(&d), "cudaGetDevice");
        return d;
    }
    static void activate(int d) { check(cudaSetDevice(d), "cudaSetDevice"); }

    // A non-blocking stream on a device.
    class queue {
    public:
        explicit queue(int d) {
            activate(d);
            check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
        }
        queue(const queue&) = delete;
        queue& operator=(const queue&) = delete;
        ~queue() { cudaStreamDestroy(stream_); }
        cudaStream_t get() const { return stream_; }
        void synchronize() const { check(cudaStreamSynchronize(stream_), "cudaStreamSynchronize"); }

    private:
        cudaStream_t stream_{};
    };

    template <class F>
    static void launch(const queue& q, std::size_t count, const F& f) {
        const launch::geometry g = launch::geometry_for(count);
        for_each_index<<<g.blocks, g.threads, 0, q.get()>>>(g, count, f);
        check(cudaGetLastError(), "kernel launch");
    }

    // A cuFFT plan of a layout (64-bit sizes: cufftMakePlanMany64), bound to a
    // queue. The handle is owned from its creation on, so that a failing
    // cufftMakePlanMany64 or cufftSetStream does not leak it.
    template <class Real>
    class fft_plan {
        using names = fft_names<Real>;
        using cfft = typename names::complex;

    public:
        fft_plan(const launch::fft_layout& l, const queue& q) {
            check(cufftCreate(&handle_), "cufftCreate");
            const cufftType type = l.type == launch::fft_type::real_to_complex   ? names::r2c
                                   : l.type == launch::fft_type::complex_to_real ? names::c2r
                                                                                   : names::c2c;
            long long n = l.n, inembed = l.inembed, onembed = l.onembed;
            std::size_t work = 0;
            try {
                check(cufftMakePlanMany64(handle_, 1, &n, &inembed, l.istride, l.idist, &onembed, l.ostride, l.odist,
                                          type, l.batch, &work),
                      "cufftMakePlanMany64");
                check(cufftSetStream(handle_, q.get()), "cufftSetStream");
            } catch (...) {
                cufftDestroy(handle_);
                throw;
            }
        }
        fft_plan(const fft_plan&) = delete;
        fft_plan& operator=(const fft_plan&) = delete;
        ~fft_plan() { cufftDestroy(handle_); }

        void r2c(const Real* in, std::complex<Real>* out) const {
            check(names::exec_r2c(handle_, const_cast<Real*>(in), reinterpret_cast<cfft*>(out)), "cufftExec (real to complex)");
        }
        void c2r(const std::complex<Real>* in, Real* out) const {
            check(names::exec_c2r(handle_, reinterpret_cast<cfft*>(const_cast<std::complex<Real>*>(in)), out),
                  "cufftExec (complex to real)");
        }
        // sign -1: forward (CUFFT_FORWARD), +1: inverse (CUFFT_INVERSE).
        void c2c(const std::complex<Real>* in, std::complex<Real>* out, int sign) const {
            check(names::exec_c2c(handle_, reinterpret_cast<cfft*>(const_cast<std::complex<Real>*>(in)),
                                  reinterpret_cast<cfft*>(out), sign < 0 ? CUFFT_FORWARD : CUFFT_INVERSE),
                  "cufftExec (complex to complex)");
        }

    private:
        cufftHandle handle_{};
    };

    static void zero(void* p, std::size_t bytes, const queue& q) {
        check(cudaMemsetAsync(p, 0, bytes, q.get()), "cudaMemsetAsync");
    }
    static void copy(const void* src, void* dst, std::size_t bytes, const queue& q) {
        check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, q.get()), "cudaMemcpyAsync");
    }

    // Host to device and back on a transfer stream of the calling thread's
    // device, complete on return.
    static void upload(const void* host, void* dst, std::size_t bytes) { transfer(dst, host, bytes, cudaMemcpyHostToDevice); }
    static void download(const void* src, void* host, std::size_t bytes) { transfer(host, src, bytes, cudaMemcpyDeviceToHost); }

private:
    static void transfer(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind) {
        const queue& q = transfer_queue();
        check(cudaMemcpyAsync(dst, src, bytes, kind, q.get()), kind == cudaMemcpyHostToDevice ? "upload" : "download");
        q.synchronize();
    }
    // The calling thread's transfer stream on its current device, made on
    // first use (a stream per copy would cost a creation and a destruction).
    static const queue& transfer_queue() {
        thread_local std::map<int, std::unique_ptr<queue>> queues;
        const int d = current();
        auto& q = queues[d];
        if (!q) q = std::make_unique<queue>(d);
        return *q;
    }
};

}  // namespace wst::cuda

namespace wst::backend {

struct cuda : device_backend<wst::cuda::device> {
    static constexpr const char* name = "cuda";
};

}  // namespace wst::backend
