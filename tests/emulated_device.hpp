// The CUDA backend's logic on the CPU: the device backend of device.hpp over
// a device whose kernels run as host loops over every (block, thread) of the
// launch geometry CUDA gets (launch.hpp), and whose FFTs are FFTW's advanced
// interface (fftw_plan_many_dft*) fed the layouts cuFFT gets. Its memory is
// host memory handled as device memory: the frontend stages inputs and
// outputs through it as for a GPU. Only the concurrency of CUDA streams is
// left out (queues run at once, in order).
#pragma once

#include <wst/backend/device.hpp>
#include <wst/backend/fftw_plan.hpp>
#include <wst/backend/launch.hpp>

#include <fftw3.h>

#include <atomic>
#include <climits>
#include <complex>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace emulation {

// FFTW's advanced interface per precision.
template <class Real>
struct many;
template <>
struct many<double> {
    using plan = fftw_plan;
    using complex = fftw_complex;
    static constexpr auto r2c = fftw_plan_many_dft_r2c;
    static constexpr auto c2r = fftw_plan_many_dft_c2r;
    static constexpr auto c2c = fftw_plan_many_dft;
    static void run_r2c(plan p, double* in, complex* out) { fftw_execute_dft_r2c(p, in, out); }
    static void run_c2r(plan p, complex* in, double* out) { fftw_execute_dft_c2r(p, in, out); }
    static void run_c2c(plan p, complex* in, complex* out) { fftw_execute_dft(p, in, out); }
    static void destroy(plan p) { fftw_destroy_plan(p); }
};
template <>
struct many<float> {
    using plan = fftwf_plan;
    using complex = fftwf_complex;
    static constexpr auto r2c = fftwf_plan_many_dft_r2c;
    static constexpr auto c2r = fftwf_plan_many_dft_c2r;
    static constexpr auto c2c = fftwf_plan_many_dft;
    static void run_r2c(plan p, float* in, complex* out) { fftwf_execute_dft_r2c(p, in, out); }
    static void run_c2r(plan p, complex* in, float* out) { fftwf_execute_dft_c2r(p, in, out); }
    static void run_c2c(plan p, complex* in, complex* out) { fftwf_execute_dft(p, in, out); }
    static void destroy(plan p) { fftwf_destroy_plan(p); }
};

inline int as_int(long long v, const char* what) {
    if (v < 0 || v > INT_MAX) throw std::invalid_argument(std::string("emulated FFT: ") + what + " beyond int");
    return static_cast<int>(v);
}

struct device {
    template <class T>
    using buffer = wst::fftw::aligned_buffer<T>;

    // For the tests of the tests: plans made while this is set get every
    // real-to-complex layout of a batch one sample row closer than it is
    // (idist - 1) or one transform short of it (batch - 1).
    enum class mistake { none, distance, batch };
    static mistake& layout_mistake() {
        static mistake m = mistake::none;
        return m;
    }

    static int current() { return 0; }
    static void activate(int) {}

    class queue {
    public:
        explicit queue(int) {}
        void synchronize() const {}
    };

    // Every (block, thread) of the launch, each walking its grid-stride indices.
    template <class F>
    static void launch(const queue&, std::size_t count, const F& f) {
        const wst::launch::geometry g = wst::launch::geometry_for(count);
        for (std::size_t block = 0; block < g.blocks; ++block)
            for (std::size_t thread = 0; thread < g.threads; ++thread) wst::launch::grid_stride(g, block, thread, count, f);
    }

    // A plan of FFTW's advanced interface with exactly the layout's
    // parameters (unaligned: rows of a batch start anywhere).
    template <class Real>
    class fft_plan {
        using api = many<Real>;
        using cx = typename api::complex;

    public:
        fft_plan(wst::launch::fft_layout l, const queue&) {
            if (l.type == wst::launch::fft_type::real_to_complex && l.batch > 1) {
                if (layout_mistake() == mistake::distance) --l.idist;
                if (layout_mistake() == mistake::batch) --l.batch;
            }
            int n = as_int(l.n, "n"), inembed = as_int(l.inembed, "inembed"), onembed = as_int(l.onembed, "onembed");
            const int batch = as_int(l.batch, "batch"), istride = as_int(l.istride, "istride"), idist = as_int(l.idist, "idist"),
                      ostride = as_int(l.ostride, "ostride"), odist = as_int(l.odist, "odist");
            // Arrays spanning the layout, for the planner only.
            const std::size_t in_span = static_cast<std::size_t>(l.idist * (l.batch - 1) + l.istride * (l.n - 1) + 1);
            const std::size_t out_span = static_cast<std::size_t>(l.odist * (l.batch - 1) + l.ostride * (l.n - 1) + 1);
            wst::fftw::aligned_buffer<std::complex<Real>> in(in_span), out(out_span);
            const unsigned flags = FFTW_ESTIMATE | FFTW_UNALIGNED;
            std::lock_guard<std::mutex> lock(wst::fftw::planner_mutex());
            switch (l.type) {
                case wst::launch::fft_type::real_to_complex:
                    plan_ = api::r2c(1, &n, batch, reinterpret_cast<Real*>(in.data()), &inembed, istride, idist,
                                     reinterpret_cast<cx*>(out.data()), &onembed, ostride, odist, flags);
                    break;
                case wst::launch::fft_type::complex_to_real:
                    plan_ = api::c2r(1, &n, batch, reinterpret_cast<cx*>(in.data()), &inembed, istride, idist,
                                     reinterpret_cast<Real*>(out.data()), &onembed, ostride, odist, flags);
                    break;
                case wst::launch::fft_type::complex_to_complex:
                    // The sign is the execution's: two plans.
                    plan_ = api::c2c(1, &n, batch, reinterpret_cast<cx*>(in.data()), &inembed, istride, idist,
                                     reinterpret_cast<cx*>(out.data()), &onembed, ostride, odist, FFTW_FORWARD, flags);
                    inverse_ = api::c2c(1, &n, batch, reinterpret_cast<cx*>(in.data()), &inembed, istride, idist,
                                        reinterpret_cast<cx*>(out.data()), &onembed, ostride, odist, FFTW_BACKWARD, flags);
                    break;
            }
            if (plan_ == nullptr) throw std::runtime_error("emulated FFT: FFTW refused the layout");
        }
        fft_plan(const fft_plan&) = delete;
        fft_plan& operator=(const fft_plan&) = delete;
        ~fft_plan() {
            std::lock_guard<std::mutex> lock(wst::fftw::planner_mutex());
            api::destroy(plan_);
            if (inverse_ != nullptr) api::destroy(inverse_);
        }

        void r2c(const Real* in, std::complex<Real>* out) const {
            api::run_r2c(plan_, const_cast<Real*>(in), reinterpret_cast<cx*>(out));
        }
        // FFTW's complex-to-real transforms overwrite their input, cuFFT's
        // may too: the backend never reads it again.
        void c2r(const std::complex<Real>* in, Real* out) const {
            api::run_c2r(plan_, reinterpret_cast<cx*>(const_cast<std::complex<Real>*>(in)), out);
        }
        void c2c(const std::complex<Real>* in, std::complex<Real>* out, int sign) const {
            api::run_c2c(sign < 0 ? plan_ : inverse_, reinterpret_cast<cx*>(const_cast<std::complex<Real>*>(in)),
                         reinterpret_cast<cx*>(out));
        }

    private:
        typename api::plan plan_ = nullptr, inverse_ = nullptr;
    };

    static void zero(void* p, std::size_t bytes, const queue&) { std::memset(p, 0, bytes); }
    static void copy(const void* src, void* dst, std::size_t bytes, const queue&) { std::memmove(dst, src, bytes); }
    static void upload(const void* host, void* dst, std::size_t bytes) {
        transfers().uploaded += bytes;
        std::memcpy(dst, host, bytes);
    }
    static void download(const void* src, void* host, std::size_t bytes) {
        transfers().downloaded += bytes;
        std::memcpy(host, src, bytes);
    }

    // Bytes copied between host and "device" so far, over every thread: what
    // would cross the bus on a GPU.
    struct transfer_counters {
        std::atomic<std::size_t> uploaded{0}, downloaded{0};
    };
    static transfer_counters& transfers() {
        static transfer_counters t;
        return t;
    }
};

}  // namespace emulation

// The backend the CPU tests run in place of wst::backend::cuda.
struct emulated_cuda : wst::backend::device_backend<emulation::device> {
    static constexpr const char* name = "emulated cuda";
};
