// wst-bench: forward, backward and fused loss-and-gradient timings, named
// <op>/<config>/<precision>/t<threads>, e.g. forward/speech/float/t2.
//   wst-bench --benchmark_filter='forward/.*/float'
#include "configurations.hpp"

#include <benchmark/benchmark.h>

#include <map>
#include <memory>

namespace {

using fftw = wst::backend::fftw;

// What one benchmark works on, built once per configuration and precision
// (outside the timed region).
template <class Real>
struct fixture {
    fixture(const bench::configuration& c, int threads)
        : S(c.params(), {.threads = threads}),
          x(bench::noise<Real>(c.B, c.N, 1)),
          target(S.scattering(bench::noise<Real>(c.B, c.N, 2))),
          cotangent(S.scattering(bench::noise<Real>(c.B, c.N, 3))) {}

    wst::Scattering1D<fftw, Real> S;
    wst::signal_array<Real> x;
    wst::scattering_array<Real> target, cotangent;
};

template <class Real>
fixture<Real>& get(const bench::configuration& c, int threads) {
    static std::map<std::pair<std::string, int>, std::unique_ptr<fixture<Real>>> cache;
    auto& f = cache[{c.name, threads}];
    if (!f) f = std::make_unique<fixture<Real>>(c, threads);
    return *f;
}

template <class Real>
void register_all(const bench::configuration& c, const std::string& precision, int threads) {
    const std::string suffix = "/" + c.name + "/" + precision + "/t" + std::to_string(threads);
    auto add = [&](const std::string& op, auto body) {
        benchmark::RegisterBenchmark((op + suffix).c_str(),
                                     [c, body, threads](benchmark::State& state) {
                                         auto& f = get<Real>(c, threads);
                                         for (auto _ : state) body(f);
                                         state.counters["signals"] = static_cast<double>(c.B);
                                     })
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
    };
    add("forward", [](fixture<Real>& f) { benchmark::DoNotOptimize(f.S.scattering(f.x)); });
    add("backward", [](fixture<Real>& f) { benchmark::DoNotOptimize(f.S.backward(f.x, f.cotangent)); });
    add("forward_vjp", [](fixture<Real>& f) {
        benchmark::DoNotOptimize(f.S.scattering(f.x));
        benchmark::DoNotOptimize(f.S.backward(f.x, f.cotangent));
    });
    add("loss_grad", [](fixture<Real>& f) {
        benchmark::DoNotOptimize(f.S.loss_gradient(f.x, f.target, wst::loss::norm));
    });
}

}  // namespace

int main(int argc, char** argv) {
    for (int threads : {1, 2})
        for (const auto& c : bench::configurations()) {
            register_all<float>(c, "float", threads);
            register_all<double>(c, "double", threads);
        }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
