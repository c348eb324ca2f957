// The backend for a device with its own memory, written once against a
// Device that runs the kernels of device_kernels.hpp over index ranges
// (launch.hpp's geometry) and batched FFTs of launch.hpp's layouts, on
// queues: the CUDA backend (cuda.cuh: CUDA streams, kernels, cuFFT) and its
// emulation on the CPU (tests/emulated_device.hpp: host loops over every
// (block, thread), FFTW's advanced interface), which the CPU tests run
// through the whole transform.
//
// A Device provides:
//   buffer<T>                        memory of its own (owned_buffer)
//   queue(int device)                an ordered queue of work (a stream), with synchronize()
//   launch(queue, count, f)          f(i) for i < count, over launch::geometry_for(count)
//   fft_plan<Real>(layout, queue)    a plan with r2c, c2r and c2c(in, out, sign)
//   zero(p, bytes, queue), copy(src, dst, bytes, queue)
//   current(), activate(device)      the calling thread's device
//   upload(host, dst, bytes), download(src, host, bytes): complete on return
// The context keeps the device it was made on; the frontend activates it
// on every thread that works for the transform.
#pragma once

#include "wst/backend/device_kernels.hpp"
#include "wst/backend/launch.hpp"
#include "wst/elementwise.hpp"
#include "wst/filter_bank.hpp"
#include "wst/parameters.hpp"

#include <algorithm>
#include <complex>
#include <cstddef>
#include <map>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace wst::backend {

template <class Device>
struct device_backend {
    // The frontend stages host arrays in the device's memory (and back).
    static constexpr bool host_memory = false;
    // Signals per walk by default: every FFT one plan batched over the
    // group, every kernel over the group (a group's buffers: 19 x 64 x
    // N_padded values).
    static std::size_t signals_per_walk(std::size_t /*spectrum_bytes*/, std::size_t /*B*/, int /*threads*/) { return 64; }
    template <class T>
    using buffer = typename Device::template buffer<T>;
    template <class T>
    static void upload(const T* host, T* dst, std::size_t n) {
        if (n > 0) Device::upload(host, dst, n * sizeof(T));
    }
    template <class T>
    static void download(const T* src, T* host, std::size_t n) {
        if (n > 0) Device::download(src, host, n * sizeof(T));
    }

    // The filters in device memory, per level on its compact window, on the
    // device that was current when the context was made, and the sizes of
    // the workspaces' buffers. The FFT plans are the workspaces' (bound to
    // their queues), made for whatever length and batch a primitive gets.
    template <class Real>
    class context {
    public:
        using window = elementwise::filter_window<Real>;

        // psi1, psi2: per filter, its compact levels; phi: its compact levels;
        // frequency: the frequential filters (joint scattering); buffers:
        // the workspaces' buffer sizes.
        context(const std::vector<std::vector<compact_level>>& psi1, const std::vector<std::vector<compact_level>>& psi2,
                const std::vector<compact_level>& phi, std::size_t N_padded, planning = planning::automatic,
                const frequency_axis& frequency = {}, const buffer_layout& buffers = {})
            : N_padded_(N_padded), device_(Device::current()), buffers_(buffers) {
            auto convert = [](const std::vector<compact_level>& levels) {
                std::vector<stored> out;
                for (const auto& l : levels) out.push_back({on_device(l.values), l.start, l.n});
                return out;
            };
            phi_ = convert(phi);
            for (const auto& f : psi1) psi1_.push_back(convert(f));
            for (const auto& f : psi2) psi2_.push_back(convert(f));
            frequency_ = convert(frequency.filters);
            auto convert_matrices = [](const std::vector<dense_matrix>& matrices) {
                std::vector<stored_matrix> out;
                for (const auto& m : matrices) out.push_back({on_device(m.values), m.rows, m.cols});
                return out;
            };
            phi_F_averaging_ = convert_matrices(frequency.phi_F_averaging);
            selection_ = convert_matrices(frequency.selection);
            summation_ = convert_matrices(frequency.summation);
        }

        // Makes the context's device the calling thread's.
        void activate() const { Device::activate(device_); }
        int device() const { return device_; }
        std::size_t N_padded() const { return N_padded_; }
        // Values per signal of real buffer i and of complex buffer i.
        std::size_t real_size(std::size_t i) const { return buffers_.real.empty() ? N_padded_ : buffers_.real.at(i); }
        // (A layout sizes the slots it lists and leaves the others empty;
        // without one, every slot holds N_padded values.)
        std::size_t complex_size(std::size_t i) const {
            if (buffers_.complex.empty()) return N_padded_;
            return i < buffers_.complex.size() ? buffers_.complex[i] : 0;
        }
        window phi(int level) const { return view(phi_[static_cast<std::size_t>(level)]); }
        window psi1(std::size_t n1, int level) const { return view(psi1_[n1][static_cast<std::size_t>(level)]); }
        window psi2(std::size_t n2, int level) const { return view(psi2_[n2][static_cast<std::size_t>(level)]); }
        // Joint scattering: frequential filter n_fr.
        window frequency_filter(std::size_t n_fr) const { return view(frequency_[n_fr]); }
        // The reductions along n1 of rows at level k (frequency_axis).
        elementwise::matrix_view<Real> phi_F_averaging(int level) const { return view(phi_F_averaging_, level); }
        elementwise::matrix_view<Real> selection(int level) const { return view(selection_, level); }
        elementwise::matrix_view<Real> summation(int level) const { return view(summation_, level); }

    private:
        struct stored {
            buffer<Real> values;
            std::size_t start, n;
        };
        struct stored_matrix {
            buffer<Real> values;
            std::size_t rows, cols;
        };
        // Values computed in double, as Real in the device's memory.
        static buffer<Real> on_device(const std::vector<double>& values) {
            const std::vector<Real> host(values.begin(), values.end());
            buffer<Real> b(host.size());
            upload(host.data(), b.data(), host.size());
            return b;
        }
        static window view(const stored& s) { return {s.values.data(), s.start, s.values.size(), s.n}; }
        static elementwise::matrix_view<Real> view(const std::vector<stored_matrix>& matrices, int level) {
            const auto& m = matrices[static_cast<std::size_t>(level)];
            return {m.values.data(), m.rows, m.cols};
        }

        std::size_t N_padded_;
        int device_;
        buffer_layout buffers_;
        std::vector<stored> phi_, frequency_;
        std::vector<std::vector<stored>> psi1_, psi2_;
        std::vector<stored_matrix> phi_F_averaging_, selection_, summation_;
    };

    // A queue, its FFT plans and the buffers for up to `capacity` signals.
    template <class Real>
    class workspace {
    public:
        using complex_type = std::complex<Real>;  // device arrays of interleaved (re, im); never read on the host
        static constexpr std::size_t real_buffers = 9, complex_buffers = 11;

        // The queue comes first: the buffers and plans made after it are
        // released before it (members are destroyed in reverse order), and
        // if a later allocation throws, what was made is released.
        workspace(const context<Real>& ctx, std::size_t capacity)
            : ctx_(ctx), capacity_(capacity), queue_(ctx.device()), scratch_(capacity * largest_complex(ctx)) {
            for (std::size_t i = 0; i < real_buffers; ++i) real_[i] = buffer<Real>(capacity * ctx.real_size(i));
            for (std::size_t i = 0; i < complex_buffers; ++i)
                complex_[i] = buffer<complex_type>(capacity * ctx.complex_size(i));
        }
        workspace(const workspace&) = delete;
        workspace& operator=(const workspace&) = delete;
        // Work still queued must not outlive the buffers it uses.
        ~workspace() {
            try {
                queue_.synchronize();
            } catch (...) {  // a device already in error: nothing more to wait for
            }
        }

        const context<Real>& ctx() const { return ctx_; }
        std::size_t capacity() const { return capacity_; }
        // Buffers of capacity x ctx.real_size(i) (ctx.complex_size(i)) values.
        Real* real_buffer(std::size_t i) { return real_[i].data(); }
        complex_type* complex_buffer(std::size_t i) { return complex_[i].data(); }
        const typename Device::queue& queue() const { return queue_; }

        void pad(const Real* x, std::size_t B, std::size_t N, std::size_t pad_left, std::size_t n_padded, Real* out) const {
            run(B * n_padded, device_kernels::pad<Real>{x, N, pad_left, n_padded, out});
        }

        // Rows of n bins, all of them: bins 0..n/2 from the FFT, the others by
        // Hermitian symmetry (the CPU backend fills only those its filters
        // read; here one more light kernel fills them all).
        void rfft(const Real* in, complex_type* out, std::size_t B, std::size_t n) const {
            half_spectrum(in, out, B, n);
            if (n > 2) run(B * (n - n / 2 - 1), device_kernels::extend<Real>{as_real(out), n});
        }

        void inverse_dft(const complex_type* in, complex_type* out, std::size_t B, std::size_t n) const {
            c2c(in, out, B, n, +1);
        }

        // Forward DFT of complex rows, unnormalized.
        void dft(const complex_type* in, complex_type* out, std::size_t B, std::size_t n) const { c2c(in, out, B, n, -1); }

        // For each of B planes, out (out_rows x out_cols) = the transpose of
        // in (in_rows x in_cols), zero where it has no entry (as on the CPU),
        // one thread per output element; T is Real or complex_type.
        template <class T>
        void transpose(const T* in, std::size_t B, std::size_t in_rows, std::size_t in_cols, T* out,
                       std::size_t out_rows, std::size_t out_cols) const {
            static_assert(std::is_same_v<T, Real> || std::is_same_v<T, complex_type>, "a transpose of Real or complex_type");
            constexpr std::size_t parts = sizeof(T) / sizeof(Real);
            run(B * out_rows * out_cols, device_kernels::transpose<Real, parts>{reinterpret_cast<const Real*>(in), in_rows,
                                                                                in_cols, reinterpret_cast<Real*>(out),
                                                                                out_rows, out_cols});
        }

        // out (rows x count, rows out_stride apart) = the first rows rows of
        // M times the count rows of in transposed (as on the CPU), and its
        // adjoint; one thread per output value.
        void project_rows(const Real* in, std::size_t count, std::size_t, const elementwise::matrix_view<Real>& M,
                          std::size_t rows, Real* out, std::size_t out_stride) const {
            run(rows * count, device_kernels::project_rows<Real>{in, M, count, out, out_stride});
        }
        void project_rows_adjoint(const Real* grad_out, std::size_t grad_stride, std::size_t count, std::size_t n,
                                  const elementwise::matrix_view<Real>& M, std::size_t rows, Real* grad_in) const {
            run(count * n, device_kernels::project_rows_adjoint<Real>{grad_out, grad_stride, M, rows, grad_in});
        }

        // The joint walk's per-row work in one chunk: every launch as wide as it can be.
        static std::size_t chunk_rows(std::size_t) { return static_cast<std::size_t>(-1); }

        void irfft(const complex_type* in, Real* out, std::size_t B, std::size_t n) const {
            real_part_of_inverse_dft(in, out, B, n, Real(1) / static_cast<Real>(n));
        }

        void filter_subsample(const complex_type* in, const elementwise::filter_window<Real>& filter, std::size_t B,
                              std::size_t n, std::size_t k, complex_type* out, Real scale) const {
            run(B * (n / k), device_kernels::filter_subsample<Real>{as_real(in), filter, n, n / k,
                                                                    scale / static_cast<Real>(k), as_real(out)});
        }

        void modulus(const complex_type* in, Real* out, std::size_t B, std::size_t n) const {
            run(B * n, device_kernels::modulus<Real>{as_real(in), out});
        }

        void unpad(const Real* in, std::size_t B, std::size_t n, std::size_t start, std::size_t end, Real* dst,
                   std::size_t dst_stride) const {
            run(B * (end - start), device_kernels::unpad<Real>{in, n, start, end, dst, dst_stride});
        }

        // One thread per row, summing in order (the CPU's bits).
        void sum(const Real* in, std::size_t B, std::size_t n, Real* dst, std::size_t dst_stride) const {
            run(B, device_kernels::row_sum<Real>{in, n, dst, dst_stride});
        }

        void modulus_tangent(const complex_type* z, const complex_type* dz, Real* du, std::size_t B, std::size_t n) const {
            run(B * n, device_kernels::modulus_tangent<Real>{as_real(z), as_real(dz), du});
        }

        void pad_adjoint(const Real* g_pad, std::size_t B, std::size_t N, std::size_t pad_left, std::size_t n_padded,
                         Real* g_x) const {
            run(B * N, device_kernels::pad_adjoint<Real>{g_pad, N, pad_left, n_padded, g_x});
        }

        void rfft_adjoint(const complex_type* G, Real* g, std::size_t B, std::size_t n) const {
            real_part_of_inverse_dft(G, g, B, n, Real(1));
        }

        void inverse_dft_adjoint(const complex_type* G_y, complex_type* G_X, std::size_t B, std::size_t n) const {
            dft(G_y, G_X, B, n);
        }

        void irfft_adjoint(const Real* g, complex_type* G_X, std::size_t B, std::size_t n) const {
            half_spectrum(g, G_X, B, n);
            run(B * (n / 2 + 1), device_kernels::scale_half<Real>{as_real(G_X), n, Real(1) / static_cast<Real>(n)});
            if (n > 2) run(B * (n - n / 2 - 1), device_kernels::extend<Real>{as_real(G_X), n});
        }

        void filter_subsample_adjoint(const complex_type* G_out, const elementwise::filter_window<Real>& filter,
                                      std::size_t B, std::size_t n, std::size_t k, complex_type* G_in,
                                      Real scale) const {
            run(B * filter.length, device_kernels::filter_subsample_adjoint<Real>{
                                       as_real(G_out), filter, n, n / k, scale / static_cast<Real>(k), as_real(G_in)});
        }

        void modulus_adjoint(const complex_type* z, const Real* abs_z, const Real* g, complex_type* G_z, std::size_t B,
                             std::size_t n) const {
            run(B * n, device_kernels::modulus_adjoint<Real>{as_real(z), abs_z, g, as_real(G_z)});
        }

        void unpad_adjoint(const Real* g, std::size_t g_stride, std::size_t B, std::size_t start, std::size_t end,
                           std::size_t n, Real* out) const {
            run(B * n, device_kernels::unpad_adjoint<Real>{g, g_stride, start, end, n, out});
        }

        void sum_adjoint(const Real* g, std::size_t g_stride, std::size_t B, std::size_t n, Real* out) const {
            run(B * n, device_kernels::broadcast_rows<Real>{g, g_stride, n, out});
        }

        template <class T>
        void zero(T* data, std::size_t count) const {
            if (count > 0) Device::zero(data, count * sizeof(T), queue_);
        }

        void add(const Real* in, Real* inout, std::size_t count) const {
            run(count, device_kernels::add<Real>{in, inout});
        }

        void copy(const Real* in, Real* out, std::size_t count) const {
            if (count > 0) Device::copy(in, out, count * sizeof(Real), queue_);
        }

        // rows x L values, rows src_stride and dst_stride apart.
        void copy_rows(const Real* src, std::size_t src_stride, Real* dst, std::size_t dst_stride, std::size_t rows,
                       std::size_t L) const {
            run(rows * L, device_kernels::copy_rows<Real>{src, src_stride, dst, dst_stride, L});
        }

        void synchronize() const { queue_.synchronize(); }

        // The loss terms of a channel's rows x L coefficients S against their
        // target (rows target_stride apart): the cotangents, and {sum |d|, sum
        // d^2} per row at sums + r * sums_stride, in device memory (read once
        // per call by the frontend, not once per channel).
        void loss_rows(const elementwise::loss_term<Real>& term, const Real* S, const Real* target,
                       std::size_t target_stride, std::size_t rows, std::size_t L, Real* cotangent, double* sums,
                       std::size_t sums_stride) const {
            run(rows, device_kernels::loss_rows<Real>{term, S, target, target_stride, L, cotangent, sums, sums_stride});
        }

    private:
        using plan = typename Device::template fft_plan<Real>;

        template <class F>
        void run(std::size_t count, const F& f) const {
            if (count > 0) Device::launch(queue_, count, f);
        }

        // The scratch holds the Hermitian halves of rows that fill at most a
        // complex buffer.
        static std::size_t largest_complex(const context<Real>& ctx) {
            std::size_t m = 0;
            for (std::size_t i = 0; i < complex_buffers; ++i) m = std::max(m, ctx.complex_size(i));
            return m;
        }

        static Real* as_real(complex_type* p) { return reinterpret_cast<Real*>(p); }
        static const Real* as_real(const complex_type* p) { return reinterpret_cast<const Real*>(p); }

        // The plan of a layout, made on first use (per workspace: a plan is
        // bound to the workspace's queue).
        const plan& get(const launch::fft_layout& layout) const {
            auto& p = plans_[layout];
            if (!p) p = std::make_unique<plan>(layout, queue_);
            return *p;
        }

        void c2c(const complex_type* in, complex_type* out, std::size_t B, std::size_t n, int sign) const {
            if (n == 1) return copy(as_real(in), as_real(out), 2 * B);
            get(launch::complex_to_complex_rows(n, B)).c2c(in, out, sign);
        }

        // Bins 0..n/2 of each row's spectrum (real-to-complex FFT).
        void half_spectrum(const Real* in, complex_type* out, std::size_t B, std::size_t n) const {
            if (n == 1) return run(B, device_kernels::real_to_complex_rows_of_one<Real>{in, as_real(out)});
            get(launch::real_to_complex_rows(n, B)).r2c(in, out);
        }

        // out[t] = scale Re(sum_k X[k] e^{+2 pi i k t / n}) per row, as the
        // complex-to-real transform of the Hermitian part (as on the CPU).
        void real_part_of_inverse_dft(const complex_type* X, Real* out, std::size_t B, std::size_t n, Real scale) const {
            if (n == 1) return run(B, device_kernels::real_part_scaled<Real>{as_real(X), scale, out});
            run(B * (n / 2 + 1), device_kernels::hermitian_part<Real>{as_real(X), n, scale, as_real(scratch_.data())});
            // The scratch holds rows of n / 2 + 1 bins.
            get(launch::complex_to_real_rows(n, B)).c2r(scratch_.data(), out);
        }

        const context<Real>& ctx_;
        std::size_t capacity_;
        typename Device::queue queue_;
        buffer<Real> real_[real_buffers];
        buffer<complex_type> complex_[complex_buffers];
        mutable buffer<complex_type> scratch_;
        mutable std::map<launch::fft_layout, std::unique_ptr<plan>> plans_;
    };
};

}  // namespace wst::backend
