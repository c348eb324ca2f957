// GPU backend over CUDA and cuFFT: the primitives the scattering algorithm
// is written against (core.hpp), in device memory, for a batch of B signals
// stored as B contiguous rows. Compile with nvcc (C++20,
// --expt-relaxed-constexpr for Eigen).
//
// The element-wise work runs the functors of elementwise.hpp, one device
// thread per element: the code the CPU tests check. The context holds the
// filters on the device; each workspace holds a CUDA stream, its cuFFT
// plans (made once, bound to that stream) and its buffers, so that
// workspaces driven by different host threads (execution.threads) run
// paths at once on the GPU.
#pragma once

#include "wst/elementwise.hpp"
#include "wst/owned_buffer.hpp"
#include "wst/filter_bank.hpp"
#include "wst/parameters.hpp"

#include <cuda_runtime.h>
#include <cufft.h>

#include <complex>
#include <cstddef>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace wst::cuda {

inline void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess) throw std::runtime_error(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(e));
}
inline void check(cufftResult r, const char* what) {
    if (r != CUFFT_SUCCESS) throw std::runtime_error(std::string("cuFFT error ") + std::to_string(static_cast<int>(r)) + " in " + what);
}

// Whether a CUDA device is present and usable.
inline bool device_available() {
    int count = 0;
    return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

// Device memory (cudaMalloc / cudaFree).
struct device_memory {
    static void* allocate(std::size_t bytes) {
        void* p = nullptr;
        check(cudaMalloc(&p, bytes), "cudaMalloc");
        return p;
    }
    static void free(void* p) { cudaFree(p); }
};

// n values of T in device memory, freed with the object.
template <class T>
using device_buffer = owned_buffer<T, device_memory>;

// cuFFT's names per precision.
template <class Real>
struct fft;
template <>
struct fft<float> {
    using complex = cufftComplex;
    static constexpr cufftType r2c = CUFFT_R2C, c2r = CUFFT_C2R, c2c = CUFFT_C2C;
    static cufftResult exec_r2c(cufftHandle p, float* in, complex* out) { return cufftExecR2C(p, in, out); }
    static cufftResult exec_c2r(cufftHandle p, complex* in, float* out) { return cufftExecC2R(p, in, out); }
    static cufftResult exec_c2c(cufftHandle p, complex* in, complex* out, int dir) { return cufftExecC2C(p, in, out, dir); }
};
template <>
struct fft<double> {
    using complex = cufftDoubleComplex;
    static constexpr cufftType r2c = CUFFT_D2Z, c2r = CUFFT_Z2D, c2c = CUFFT_Z2Z;
    static cufftResult exec_r2c(cufftHandle p, double* in, complex* out) { return cufftExecD2Z(p, in, out); }
    static cufftResult exec_c2r(cufftHandle p, complex* in, double* out) { return cufftExecZ2D(p, in, out); }
    static cufftResult exec_c2c(cufftHandle p, complex* in, complex* out, int dir) { return cufftExecZ2Z(p, in, out, dir); }
};

// One cuFFT plan: `batch` transforms of length n, input rows in_distance
// values apart and output rows out_distance apart (rows of n bins hold the
// half spectra too: the layout the algorithm uses), bound to a stream.
class plan {
public:
    plan(cufftType type, std::size_t n, std::size_t batch, std::size_t in_distance, std::size_t out_distance,
         cudaStream_t stream) {
        int length = static_cast<int>(n);
        check(cufftPlanMany(&handle_, 1, &length, &length, 1, static_cast<int>(in_distance), &length, 1,
                            static_cast<int>(out_distance), type, static_cast<int>(batch)),
              "cufftPlanMany");
        check(cufftSetStream(handle_, stream), "cufftSetStream");
    }
    plan(const plan&) = delete;
    plan& operator=(const plan&) = delete;
    ~plan() { cufftDestroy(handle_); }
    cufftHandle get() const { return handle_; }

private:
    cufftHandle handle_{};
};

namespace kernels {

// A grid-stride loop over [0, count).
#define WST_CUDA_FOR(i, count) \
    for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < (count); \
         i += static_cast<std::size_t>(blockDim.x) * gridDim.x)

template <class Real>
__global__ void pad(const Real* x, std::size_t B, std::size_t N, std::size_t pad_left, std::size_t n_padded, Real* out) {
    WST_CUDA_FOR(e, B * n_padded) {
        const std::size_t b = e / n_padded, t = e % n_padded;
        out[e] = x[b * N + static_cast<std::size_t>(elementwise::reflect_index(static_cast<std::ptrdiff_t>(t),
                                                                               static_cast<std::ptrdiff_t>(pad_left),
                                                                               static_cast<std::ptrdiff_t>(N)))];
    }
}

template <class Real>
__global__ void pad_adjoint(const Real* g_pad, std::size_t B, std::size_t N, std::size_t pad_left, std::size_t n_padded,
                            Real* g_x) {
    WST_CUDA_FOR(e, B * N) {
        const std::size_t b = e / N, i = e % N;
        g_x[e] = elementwise::pad_adjoint_at(g_pad + b * n_padded, static_cast<std::ptrdiff_t>(N),
                                             static_cast<std::ptrdiff_t>(pad_left), static_cast<std::ptrdiff_t>(n_padded),
                                             static_cast<std::ptrdiff_t>(i));
    }
}

template <class Real>
__global__ void filter_subsample(const Real* in, elementwise::filter_window<Real> f, std::size_t B, std::size_t n,
                                 std::size_t n_out, Real factor, Real* out) {
    WST_CUDA_FOR(e, B * n_out) {
        const std::size_t b = e / n_out, o = e % n_out;
        elementwise::filter_and_subsample_at(in + 2 * b * n, f, n_out, factor, o, out + 2 * b * n_out);
    }
}

template <class Real>
__global__ void filter_subsample_adjoint(const Real* grad_out, elementwise::filter_window<Real> f, std::size_t B,
                                         std::size_t n, std::size_t n_out, Real factor, Real* grad_in) {
    WST_CUDA_FOR(e, B * f.length) {
        const std::size_t b = e / f.length, i = e % f.length;
        elementwise::filter_and_subsample_adjoint_at(grad_out + 2 * b * n_out, f, n_out, factor, i, grad_in + 2 * b * n);
    }
}

template <class Real>
__global__ void modulus(const Real* z, std::size_t count, Real* out) {
    const elementwise::modulus<Real> op;
    WST_CUDA_FOR(i, count) out[i] = op(z, i);
}

template <class Real>
__global__ void modulus_adjoint(const Real* z, const Real* abs_z, const Real* g, std::size_t count, Real* grad_z) {
    const elementwise::modulus_adjoint<Real> op;
    WST_CUDA_FOR(i, count) op(z, g, abs_z[i], i, grad_z);
}

template <class Real>
__global__ void modulus_tangent(const Real* z, const Real* dz, std::size_t count, Real* du) {
    const elementwise::modulus_tangent<Real> op;
    WST_CUDA_FOR(i, count) du[i] = op(z, dz, i);
}

// Rows of n / 2 + 1 bins h: the Hermitian part of each row of X, times scale
// (elementwise::hermitian_part_at).
template <class Real>
__global__ void hermitian_part(const Real* X, std::size_t B, std::size_t n, Real scale, Real* h) {
    const std::size_t half = n / 2 + 1;
    WST_CUDA_FOR(e, B * half) {
        const std::size_t b = e / half, k = e % half;
        elementwise::hermitian_part_at(X + 2 * b * n, n, k, scale, h + 2 * b * half);
    }
}

// The real part of bin 0 times scale, for rows of one sample (cuFFT has no
// transforms of length 1).
template <class Real>
__global__ void real_part_scaled(const Real* X, std::size_t B, Real scale, Real* out) {
    WST_CUDA_FOR(b, B) out[b] = X[2 * b] * scale;
}

// After a real-to-complex FFT into rows of n bins: bins 0..n/2 times scale
// (scale_half), then the others filled by Hermitian symmetry (extend; a
// second launch, so that it reads scaled bins).
template <class Real>
__global__ void scale_half(Real* X, std::size_t B, std::size_t n, Real scale) {
    const std::size_t half = n / 2 + 1;
    WST_CUDA_FOR(e, B * half) {
        Real* bin = X + 2 * ((e / half) * n + e % half);
        bin[0] *= scale;
        bin[1] *= scale;
    }
}
template <class Real>
__global__ void extend(Real* X, std::size_t B, std::size_t n) {
    const elementwise::hermitian_extend<Real> op;
    const std::size_t upper = n - (n / 2 + 1);  // bins n/2 + 1 .. n - 1
    WST_CUDA_FOR(e, B * upper) op(X + 2 * (e / upper) * n, n, n / 2 + 1 + e % upper);
}

template <class Real>
__global__ void real_to_complex_rows_of_one(const Real* in, std::size_t B, Real* out) {
    WST_CUDA_FOR(b, B) {
        out[2 * b] = in[b];
        out[2 * b + 1] = 0;
    }
}

template <class Real>
__global__ void unpad(const Real* in, std::size_t B, std::size_t n, std::size_t start, std::size_t end, Real* dst,
                      std::size_t dst_stride) {
    const std::size_t L = end - start;
    WST_CUDA_FOR(e, B * L) {
        const std::size_t b = e / L, t = e % L;
        dst[b * dst_stride + t] = in[b * n + start + t];
    }
}

template <class Real>
__global__ void unpad_adjoint(const Real* g, std::size_t g_stride, std::size_t B, std::size_t start, std::size_t end,
                              std::size_t n, Real* out) {
    WST_CUDA_FOR(e, B * n) {
        const std::size_t b = e / n, t = e % n;
        out[e] = (t >= start && t < end) ? g[b * g_stride + (t - start)] : Real(0);
    }
}

// One block per row: the row's sum, in a fixed order (deterministic).
template <class Real>
__global__ void row_sums(const Real* in, std::size_t n, Real* dst, std::size_t dst_stride) {
    __shared__ Real partial[256];
    const std::size_t b = blockIdx.x;
    Real s = 0;
    for (std::size_t t = threadIdx.x; t < n; t += blockDim.x) s += in[b * n + t];
    partial[threadIdx.x] = s;
    __syncthreads();
    for (unsigned width = blockDim.x / 2; width > 0; width /= 2) {
        if (threadIdx.x < width) partial[threadIdx.x] += partial[threadIdx.x + width];
        __syncthreads();
    }
    if (threadIdx.x == 0) dst[b * dst_stride] = partial[0];
}

template <class Real>
__global__ void broadcast_rows(const Real* g, std::size_t g_stride, std::size_t B, std::size_t n, Real* out) {
    WST_CUDA_FOR(e, B * n) out[e] = g[(e / n) * g_stride];
}

template <class Real>
__global__ void add(const Real* in, Real* inout, std::size_t count) {
    WST_CUDA_FOR(i, count) inout[i] += in[i];
}

// One block: the loss terms of L coefficients (cotangents written), and
// {sum |d|, sum d^2} in double, in a fixed order.
template <class Real>
__global__ void loss_channel(elementwise::loss_term<Real> term, const Real* S, const Real* target, std::size_t L,
                             Real* cotangent, double* sums) {
    __shared__ double abs_part[256], square_part[256];
    double a = 0, q = 0;
    for (std::size_t t = threadIdx.x; t < L; t += blockDim.x) cotangent[t] = term(S[t], target[t], a, q);
    abs_part[threadIdx.x] = a;
    square_part[threadIdx.x] = q;
    __syncthreads();
    for (unsigned width = blockDim.x / 2; width > 0; width /= 2) {
        if (threadIdx.x < width) {
            abs_part[threadIdx.x] += abs_part[threadIdx.x + width];
            square_part[threadIdx.x] += square_part[threadIdx.x + width];
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        sums[0] = abs_part[0];
        sums[1] = square_part[0];
    }
}

#undef WST_CUDA_FOR

}  // namespace kernels

// Launch geometry for `count` elements.
inline unsigned blocks_for(std::size_t count) {
    const std::size_t blocks = (count + 255) / 256;
    return static_cast<unsigned>(blocks < 4096 ? (blocks > 0 ? blocks : 1) : 4096);
}
inline constexpr unsigned threads_per_block = 256;

}  // namespace wst::cuda

namespace wst::backend {

struct cuda {
    static constexpr const char* name = "cuda";
    // The frontend stages host arrays into device memory (and back).
    static constexpr bool host_memory = false;
    // Signals per forward walk by default: batched FFTs and kernels over
    // groups of the batch (a group's buffers: 19 x 64 x N_padded values).
    static constexpr std::size_t signals_per_walk = 64;
    template <class T>
    using buffer = wst::cuda::device_buffer<T>;
    // Blocking copies on the legacy default stream: they wait for the work
    // queued on every workspace's stream (streams are made blocking).
    template <class T>
    static void upload(const T* host, T* dst, std::size_t n) {
        wst::cuda::check(cudaMemcpy(dst, host, n * sizeof(T), cudaMemcpyHostToDevice), "upload");
    }
    template <class T>
    static void download(const T* src, T* host, std::size_t n) {
        wst::cuda::check(cudaMemcpy(host, src, n * sizeof(T), cudaMemcpyDeviceToHost), "download");
    }

    // The filters in device memory, per level on its compact window.
    template <class Real>
    class context {
    public:
        using window = elementwise::filter_window<Real>;

        context(const std::vector<std::vector<compact_level>>& psi1, const std::vector<std::vector<compact_level>>& psi2,
                const std::vector<compact_level>& phi, std::size_t N_padded, planning = planning::estimate)
            : N_padded_(N_padded) {
            auto convert = [](const std::vector<compact_level>& levels) {
                std::vector<stored> out;
                for (const auto& l : levels) {
                    const std::vector<Real> host(l.values.begin(), l.values.end());
                    stored s{wst::cuda::device_buffer<Real>(host.size()), l.start, l.n};
                    if (!host.empty()) upload(host.data(), s.values.data(), host.size());
                    out.push_back(std::move(s));
                }
                return out;
            };
            phi_ = convert(phi);
            for (const auto& f : psi1) psi1_.push_back(convert(f));
            for (const auto& f : psi2) psi2_.push_back(convert(f));
        }

        std::size_t N_padded() const { return N_padded_; }
        window phi(int level) const { return view(phi_[static_cast<std::size_t>(level)]); }
        window psi1(std::size_t n1, int level) const { return view(psi1_[n1][static_cast<std::size_t>(level)]); }
        window psi2(std::size_t n2, int level) const { return view(psi2_[n2][static_cast<std::size_t>(level)]); }

    private:
        struct stored {
            wst::cuda::device_buffer<Real> values;
            std::size_t start, n;
        };
        static window view(const stored& s) { return {s.values.data(), s.start, s.values.size(), s.n}; }

        std::size_t N_padded_;
        std::vector<stored> phi_;
        std::vector<std::vector<stored>> psi1_, psi2_;
    };

    // A stream, its cuFFT plans and the buffers for up to `capacity` signals.
    template <class Real>
    class workspace {
        using fft = wst::cuda::fft<Real>;
        using cfft = typename fft::complex;

    public:
        using complex_type = std::complex<Real>;  // device arrays of interleaved (re, im); never read on the host
        static constexpr std::size_t real_buffers = 9, complex_buffers = 10;

        workspace(const context<Real>& ctx, std::size_t capacity)
            : ctx_(ctx), capacity_(capacity), scratch_(capacity * ctx.N_padded()), sums_(2) {
            wst::cuda::check(cudaStreamCreate(&stream_), "cudaStreamCreate");
            const std::size_t n = capacity * ctx.N_padded();
            for (auto& r : real_) r = wst::cuda::device_buffer<Real>(n);
            for (auto& c : complex_) c = wst::cuda::device_buffer<complex_type>(n);
        }
        workspace(const workspace&) = delete;
        workspace& operator=(const workspace&) = delete;
        ~workspace() {
            plans_.clear();
            cudaStreamDestroy(stream_);
        }

        const context<Real>& ctx() const { return ctx_; }
        std::size_t capacity() const { return capacity_; }
        Real* real_buffer(std::size_t i) { return real_[i].data(); }
        complex_type* complex_buffer(std::size_t i) { return complex_[i].data(); }
        cudaStream_t stream() const { return stream_; }

        void pad(const Real* x, std::size_t B, std::size_t N, std::size_t pad_left, std::size_t n_padded, Real* out) const {
            launch(B * n_padded, wst::cuda::kernels::pad<Real>, x, B, N, pad_left, n_padded, out);
        }

        // Rows of n bins, all of them: bins 0..n/2 from cuFFT, the others by
        // Hermitian symmetry (the CPU backend fills only those its filters
        // read; here one more light kernel fills them all).
        void rfft(const Real* in, complex_type* out, std::size_t B, std::size_t n) const {
            half_spectrum(in, out, B, n);
            if (n > 2) launch(B * (n - n / 2 - 1), wst::cuda::kernels::extend<Real>, as_real(out), B, n);
        }

        void inverse_dft(const complex_type* in, complex_type* out, std::size_t B, std::size_t n) const {
            c2c(in, out, B, n, CUFFT_INVERSE);
        }

        void irfft(const complex_type* in, Real* out, std::size_t B, std::size_t n) const {
            real_part_of_inverse_dft(in, out, B, n, Real(1) / static_cast<Real>(n));
        }

        void filter_subsample(const complex_type* in, const elementwise::filter_window<Real>& filter, std::size_t B,
                              std::size_t n, std::size_t k, complex_type* out, Real scale) const {
            launch(B * (n / k), wst::cuda::kernels::filter_subsample<Real>, as_real(in), filter, B, n, n / k,
                   scale / static_cast<Real>(k), as_real(out));
        }

        void modulus(const complex_type* in, Real* out, std::size_t B, std::size_t n) const {
            launch(B * n, wst::cuda::kernels::modulus<Real>, as_real(in), B * n, out);
        }

        void unpad(const Real* in, std::size_t B, std::size_t n, std::size_t start, std::size_t end, Real* dst,
                   std::size_t dst_stride) const {
            launch(B * (end - start), wst::cuda::kernels::unpad<Real>, in, B, n, start, end, dst, dst_stride);
        }

        void sum(const Real* in, std::size_t B, std::size_t n, Real* dst, std::size_t dst_stride) const {
            wst::cuda::kernels::row_sums<Real><<<static_cast<unsigned>(B), wst::cuda::threads_per_block, 0, stream_>>>(
                in, n, dst, dst_stride);
            wst::cuda::check(cudaGetLastError(), "sum");
        }

        void modulus_tangent(const complex_type* z, const complex_type* dz, Real* du, std::size_t B, std::size_t n) const {
            launch(B * n, wst::cuda::kernels::modulus_tangent<Real>, as_real(z), as_real(dz), B * n, du);
        }

        void pad_adjoint(const Real* g_pad, std::size_t B, std::size_t N, std::size_t pad_left, std::size_t n_padded,
                         Real* g_x) const {
            launch(B * N, wst::cuda::kernels::pad_adjoint<Real>, g_pad, B, N, pad_left, n_padded, g_x);
        }

        void rfft_adjoint(const complex_type* G, Real* g, std::size_t B, std::size_t n) const {
            real_part_of_inverse_dft(G, g, B, n, Real(1));
        }

        void inverse_dft_adjoint(const complex_type* G_y, complex_type* G_X, std::size_t B, std::size_t n) const {
            c2c(G_y, G_X, B, n, CUFFT_FORWARD);
        }

        void irfft_adjoint(const Real* g, complex_type* G_X, std::size_t B, std::size_t n) const {
            half_spectrum(g, G_X, B, n);
            launch(B * (n / 2 + 1), wst::cuda::kernels::scale_half<Real>, as_real(G_X), B, n, Real(1) / static_cast<Real>(n));
            if (n > 2) launch(B * (n - n / 2 - 1), wst::cuda::kernels::extend<Real>, as_real(G_X), B, n);
        }

        void filter_subsample_adjoint(const complex_type* G_out, const elementwise::filter_window<Real>& filter,
                                      std::size_t B, std::size_t n, std::size_t k, complex_type* G_in,
                                      Real scale) const {
            launch(B * filter.length, wst::cuda::kernels::filter_subsample_adjoint<Real>, as_real(G_out), filter, B, n,
                   n / k, scale / static_cast<Real>(k), as_real(G_in));
        }

        void modulus_adjoint(const complex_type* z, const Real* abs_z, const Real* g, complex_type* G_z, std::size_t B,
                             std::size_t n) const {
            launch(B * n, wst::cuda::kernels::modulus_adjoint<Real>, as_real(z), abs_z, g, B * n, as_real(G_z));
        }

        void unpad_adjoint(const Real* g, std::size_t g_stride, std::size_t B, std::size_t start, std::size_t end,
                           std::size_t n, Real* out) const {
            launch(B * n, wst::cuda::kernels::unpad_adjoint<Real>, g, g_stride, B, start, end, n, out);
        }

        void sum_adjoint(const Real* g, std::size_t g_stride, std::size_t B, std::size_t n, Real* out) const {
            launch(B * n, wst::cuda::kernels::broadcast_rows<Real>, g, g_stride, B, n, out);
        }

        template <class T>
        void zero(T* data, std::size_t count) const {
            wst::cuda::check(cudaMemsetAsync(data, 0, count * sizeof(T), stream_), "zero");
        }

        void add(const Real* in, Real* inout, std::size_t count) const {
            launch(count, wst::cuda::kernels::add<Real>, in, inout, count);
        }

        void copy(const Real* in, Real* out, std::size_t count) const {
            wst::cuda::check(cudaMemcpyAsync(out, in, count * sizeof(Real), cudaMemcpyDeviceToDevice, stream_), "copy");
        }

        void synchronize() const { wst::cuda::check(cudaStreamSynchronize(stream_), "synchronize"); }

        std::pair<double, double> loss_channel(const elementwise::loss_term<Real>& term, const Real* S,
                                               const Real* target, std::size_t L, Real* cotangent) const {
            wst::cuda::kernels::loss_channel<Real><<<1, wst::cuda::threads_per_block, 0, stream_>>>(term, S, target, L,
                                                                                                   cotangent, sums_.data());
            wst::cuda::check(cudaGetLastError(), "loss_channel");
            double sums[2];
            wst::cuda::check(cudaMemcpyAsync(sums, sums_.data(), sizeof sums, cudaMemcpyDeviceToHost, stream_), "loss sums");
            synchronize();
            return {sums[0], sums[1]};
        }

    private:
        template <class Kernel, class... Args>
        void launch(std::size_t count, Kernel kernel, Args... args) const {
            kernel<<<wst::cuda::blocks_for(count), wst::cuda::threads_per_block, 0, stream_>>>(args...);
            wst::cuda::check(cudaGetLastError(), "kernel launch");
        }

        static Real* as_real(complex_type* p) { return reinterpret_cast<Real*>(p); }
        static const Real* as_real(const complex_type* p) { return reinterpret_cast<const Real*>(p); }
        static cfft* as_cufft(complex_type* p) { return reinterpret_cast<cfft*>(p); }
        static cfft* as_cufft(const complex_type* p) { return reinterpret_cast<cfft*>(const_cast<complex_type*>(p)); }

        // The plan of a type, length, batch and row layout, made on first
        // use (per workspace: a plan is bound to the workspace's stream).
        cufftHandle get(cufftType type, std::size_t n, std::size_t B, std::size_t in_distance,
                        std::size_t out_distance) const {
            auto& p = plans_[{static_cast<int>(type), n, B, in_distance, out_distance}];
            if (!p) p = std::make_unique<wst::cuda::plan>(type, n, B, in_distance, out_distance, stream_);
            return p->get();
        }

        void c2c(const complex_type* in, complex_type* out, std::size_t B, std::size_t n, int direction) const {
            if (n == 1) return copy(as_real(in), as_real(out), 2 * B);
            wst::cuda::check(fft::exec_c2c(get(fft::c2c, n, B, n, n), as_cufft(in), as_cufft(out), direction), "c2c");
        }

        // Bins 0..n/2 of each row's spectrum (real-to-complex FFT).
        void half_spectrum(const Real* in, complex_type* out, std::size_t B, std::size_t n) const {
            if (n == 1)
                return launch(B, wst::cuda::kernels::real_to_complex_rows_of_one<Real>, in, B, as_real(out));
            wst::cuda::check(fft::exec_r2c(get(fft::r2c, n, B, n, n), const_cast<Real*>(in), as_cufft(out)), "rfft");
        }

        // out[t] = scale Re(sum_k X[k] e^{+2 pi i k t / n}) per row, as the
        // complex-to-real transform of the Hermitian part (as on the CPU).
        void real_part_of_inverse_dft(const complex_type* X, Real* out, std::size_t B, std::size_t n, Real scale) const {
            if (n == 1) return launch(B, wst::cuda::kernels::real_part_scaled<Real>, as_real(X), B, scale, out);
            Real* h = as_real(scratch_.data());
            launch(B * (n / 2 + 1), wst::cuda::kernels::hermitian_part<Real>, as_real(X), B, n, scale, h);
            // h holds rows of n / 2 + 1 bins.
            wst::cuda::check(fft::exec_c2r(get(fft::c2r, n, B, n / 2 + 1, n), reinterpret_cast<cfft*>(h), out), "irfft");
        }

        const context<Real>& ctx_;
        std::size_t capacity_;
        cudaStream_t stream_{};
        wst::cuda::device_buffer<Real> real_[real_buffers];
        wst::cuda::device_buffer<complex_type> complex_[complex_buffers];
        mutable wst::cuda::device_buffer<complex_type> scratch_;
        mutable wst::cuda::device_buffer<double> sums_;
        using plan_key = std::tuple<int, std::size_t, std::size_t, std::size_t, std::size_t>;
        mutable std::map<plan_key, std::unique_ptr<wst::cuda::plan>> plans_;
    };
};

}  // namespace wst::backend
