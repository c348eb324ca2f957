// The CUDA variants of wst-bench (see cuda_benchmarks.hpp).
#include "configurations.hpp"
#include "cuda_benchmarks.hpp"

#include <wst/backend/cuda.cuh>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <complex>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace bench {

namespace {

using gpu = wst::backend::cuda;

// Host threads, each driving a workspace (its queue, its plans) with a
// group of up to 64 signals (the backend's signals per walk): batch 32 is
// one group on one queue, batch 256 four groups on four.
constexpr int threads = 4;

// forward/<config>/<precision>/cuda_b<B> (S.scattering) and
// backward/<config>/<precision>/cuda_b<B> (S.backward: the forward walk and
// the reverse one), host arrays in and out, with the process's peak device
// memory.
template <class Real>
void register_transform(const configuration& c, const std::string& precision, long long B, bool backward) {
    const std::string name = std::string(backward ? "backward/" : "forward/") + c.name + "/" + precision + "/cuda_b" +
                             std::to_string(B);
    benchmark::RegisterBenchmark(name.c_str(), [c, B, backward](benchmark::State& state) {
        const wst::Scattering1D<gpu, Real> S(c.params(), {.threads = threads});
        const auto x = noise<Real>(B, c.N, 1);
        const auto g = S.scattering(noise<Real>(B, c.N, 2));
        for (auto _ : state) {
            if (backward)
                benchmark::DoNotOptimize(S.backward(x, g));
            else
                benchmark::DoNotOptimize(S.scattering(x));
        }
        state.counters["signals"] = static_cast<double>(B);
        state.counters["groups"] = static_cast<double>((B + 63) / 64);
        state.counters["peak_device_MiB"] = static_cast<double>(wst::cuda::memory().peak) / (1 << 20);
    })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
}

// cuFFT alone: per FFT of one forward pass (the list wst-bench's
// fft_roofline runs on the CPU), one plan batched over the B signals, with
// the layouts the backend uses (launch.hpp).
void register_floor(const configuration& c, long long B) {
    benchmark::RegisterBenchmark(("fft_floor/" + c.name + "/float/cuda_b" + std::to_string(B)).c_str(),
                                 [c, B](benchmark::State& state) {
                                     using device = wst::cuda::device;
                                     const wst::Scattering1D<wst::backend::fftw, float> S(c.params());
                                     const auto Np = static_cast<std::size_t>(S.N_padded());
                                     const int ls = S.log2_stride();
                                     const auto meta = S.meta();
                                     const auto batch = static_cast<std::size_t>(B);
                                     std::vector<wst::launch::fft_layout> ffts{wst::launch::real_to_complex_rows(Np, batch)};
                                     for (std::size_t ch = 1; ch < meta.order.size(); ++ch) {
                                         const auto row = static_cast<Eigen::Index>(ch);
                                         const int k1 = std::min(static_cast<int>(meta.j(row, 0)), ls);
                                         std::size_t len = Np >> k1;
                                         if (meta.order[ch] == 2)
                                             len = Np >> std::max(k1, std::min(static_cast<int>(meta.j(row, 1)), ls));
                                         ffts.push_back(wst::launch::complex_to_complex_rows(len, batch));
                                         ffts.push_back(wst::launch::real_to_complex_rows(len, batch));
                                         ffts.push_back(wst::launch::complex_to_real_rows(Np >> ls, batch));
                                     }
                                     const device::queue queue(device::current());
                                     std::map<wst::launch::fft_layout, std::unique_ptr<device::fft_plan<float>>> plans;
                                     for (const auto& l : ffts)
                                         if (!plans[l]) plans[l] = std::make_unique<device::fft_plan<float>>(l, queue);
                                     wst::cuda::device_buffer<std::complex<float>> a(batch * Np), b(batch * Np);
                                     device::zero(a.data(), batch * Np * sizeof(std::complex<float>), queue);
                                     for (auto _ : state) {
                                         for (const auto& l : ffts) {
                                             const auto& p = *plans[l];
                                             if (l.type == wst::launch::fft_type::real_to_complex)
                                                 p.r2c(reinterpret_cast<const float*>(a.data()), b.data());
                                             else if (l.type == wst::launch::fft_type::complex_to_real)
                                                 p.c2r(b.data(), reinterpret_cast<float*>(a.data()));
                                             else
                                                 p.c2c(a.data(), b.data(), +1);
                                         }
                                         queue.synchronize();
                                     }
                                     state.counters["ffts"] = static_cast<double>(ffts.size()) * static_cast<double>(B);
                                 })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
}

// reconstruct/seed/float/cuda_b<B>: wst::reconstruct with its defaults
// (phase-gradient start, L-BFGS, 200 gradient evaluations) on B harmonic
// signals of the seed configuration, solved together: one batched
// loss_gradient on the GPU per round of evaluations.
void register_reconstruct(long long B) {
    benchmark::RegisterBenchmark(("reconstruct/seed/float/cuda_b" + std::to_string(B)).c_str(), [B](benchmark::State& state) {
        const auto& c = find("seed");
        const wst::Scattering1D<gpu, float> S(c.params(), {.threads = threads});
        const auto x = harmonic_signals(B, c.N);
        const auto target = S.scattering(x);
        int evaluations = 0;
        double seconds = 0, worst = 0;
        for (auto _ : state) {
            const auto start = std::chrono::steady_clock::now();
            const auto r = wst::reconstruct(S, target, wst::reconstruction_options{});
            seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            for (const auto& p : r) {
                evaluations += p.final.evaluations;
                worst = std::max(worst, p.final.relative_error);
            }
        }
        state.counters["problems"] = static_cast<double>(B);
        state.counters["s_per_problem"] = seconds / static_cast<double>(state.iterations() * B);
        state.counters["ms_per_evaluation"] = 1e3 * seconds / evaluations;
        state.counters["worst_relative_error"] = worst;
    })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(1);
}

// transfers/seed/float/cuda_b<B>: what one round of B evaluations moves
// between the host and the device: the B signals up, their gradients and
// loss sums ({sum |d|, sum d^2} per channel) down, from pageable memory as
// the frontend does.
void register_transfers(long long B) {
    benchmark::RegisterBenchmark(("transfers/seed/float/cuda_b" + std::to_string(B)).c_str(), [B](benchmark::State& state) {
        const auto& c = find("seed");
        const wst::Scattering1D<wst::backend::fftw, float> S(c.params());
        const auto n = static_cast<std::size_t>(B * c.N), sums = static_cast<std::size_t>(B) * S.output_size() * 2;
        std::vector<float> host(n);
        std::vector<double> host_sums(sums);
        wst::cuda::device_buffer<float> d(n);
        wst::cuda::device_buffer<double> d_sums(sums);
        for (auto _ : state) {
            gpu::upload(host.data(), d.data(), n);
            gpu::download(d.data(), host.data(), n);
            gpu::download(d_sums.data(), host_sums.data(), sums);
        }
        state.counters["bytes"] = static_cast<double>(2 * n * sizeof(float) + sums * sizeof(double));
    })
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
}

}  // namespace

bool register_cuda_benchmarks() {
    if (!wst::cuda::device_available()) return false;
    for (const auto& c : configurations()) {
        if (c.name == "large") continue;
        for (long long B : {32LL, 256LL}) {
            for (const bool backward : {false, true}) {
                register_transform<float>(c, "float", B, backward);
                register_transform<double>(c, "double", B, backward);
            }
            register_floor(c, B);
        }
    }
    for (long long B : {1LL, 16LL, 128LL}) {
        register_reconstruct(B);
        register_transfers(B);
    }
    return true;
}

}  // namespace bench
