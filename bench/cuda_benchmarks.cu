// The CUDA variants of wst-bench (see cuda_benchmarks.hpp).
#include "configurations.hpp"
#include "cuda_benchmarks.hpp"

#include <wst/backend/cuda.cuh>

#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>

namespace bench {

namespace {

using gpu = wst::backend::cuda;

// Signals in flight at once: host threads, each driving a workspace and its stream.
constexpr int streams = 8;

template <class Real>
void register_forward(const configuration& c, const std::string& precision, long long B) {
    benchmark::RegisterBenchmark(("forward/" + c.name + "/" + precision + "/cuda_b" + std::to_string(B)).c_str(),
                                 [c, B](benchmark::State& state) {
                                     const wst::Scattering1D<gpu, Real> S(c.params(), {.threads = streams});
                                     const auto x = noise<Real>(B, c.N, 1);
                                     for (auto _ : state) benchmark::DoNotOptimize(S.scattering(x));
                                     state.counters["signals"] = static_cast<double>(B);
                                 })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
}

// cuFFT alone: per FFT of one forward pass (the list wst-bench's
// fft_roofline runs on the CPU), one plan batched over the B signals.
void register_floor(const configuration& c, long long B) {
    benchmark::RegisterBenchmark(("fft_floor/" + c.name + "/float/cuda_b" + std::to_string(B)).c_str(),
                                 [c, B](benchmark::State& state) {
                                     const wst::Scattering1D<wst::backend::fftw, float> S(c.params());
                                     const auto Np = static_cast<std::size_t>(S.N_padded());
                                     const int ls = S.log2_stride();
                                     const auto meta = S.meta();
                                     std::vector<std::pair<cufftType, std::size_t>> ffts{{CUFFT_R2C, Np}};
                                     for (std::size_t ch = 1; ch < meta.order.size(); ++ch) {
                                         const auto row = static_cast<Eigen::Index>(ch);
                                         const int k1 = std::min(static_cast<int>(meta.j(row, 0)), ls);
                                         std::size_t len = Np >> k1;
                                         if (meta.order[ch] == 2)
                                             len = Np >> std::max(k1, std::min(static_cast<int>(meta.j(row, 1)), ls));
                                         ffts.push_back({CUFFT_C2C, len});
                                         ffts.push_back({CUFFT_R2C, len});
                                         ffts.push_back({CUFFT_C2R, Np >> ls});
                                     }
                                     cudaStream_t stream;
                                     wst::cuda::check(cudaStreamCreate(&stream), "stream");
                                     std::map<std::pair<cufftType, std::size_t>, std::unique_ptr<wst::cuda::plan>> plans;
                                     const auto batch = static_cast<std::size_t>(B);
                                     for (const auto& [type, n] : ffts)
                                         if (!plans[{type, n}])
                                             plans[{type, n}] = std::make_unique<wst::cuda::plan>(type, n, batch, n, n, stream);
                                     wst::cuda::device_buffer<cufftComplex> a(batch * Np), b(batch * Np);
                                     wst::cuda::check(cudaMemset(a.data(), 0, batch * Np * sizeof(cufftComplex)), "memset");
                                     for (auto _ : state) {
                                         for (const auto& [type, n] : ffts) {
                                             const cufftHandle p = plans[{type, n}]->get();
                                             if (type == CUFFT_R2C)
                                                 cufftExecR2C(p, reinterpret_cast<float*>(a.data()), b.data());
                                             else if (type == CUFFT_C2R)
                                                 cufftExecC2R(p, b.data(), reinterpret_cast<float*>(a.data()));
                                             else
                                                 cufftExecC2C(p, a.data(), b.data(), CUFFT_INVERSE);
                                         }
                                         wst::cuda::check(cudaStreamSynchronize(stream), "synchronize");
                                     }
                                     plans.clear();
                                     cudaStreamDestroy(stream);
                                     state.counters["ffts"] = static_cast<double>(ffts.size()) * static_cast<double>(B);
                                 })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
}

}  // namespace

bool register_cuda_benchmarks() {
    if (!wst::cuda::device_available()) return false;
    for (const auto& c : configurations()) {
        if (c.name == "large") continue;
        for (long long B : {32LL, 256LL}) {
            register_forward<float>(c, "float", B);
            register_forward<double>(c, "double", B);
        }
        register_floor(c, 256);
    }
    return true;
}

}  // namespace bench
