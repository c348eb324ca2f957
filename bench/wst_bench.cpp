// wst-bench: forward, backward, forward_vjp, fused loss-and-gradient and
// build timings, and the FFT floor (fft_roofline), named
// <op>/<config>/<precision>/t<threads>, e.g. forward/speech/float/t2; the
// same ops of joint time-frequency scattering, <op>/jtfs/<config>/...; and
// whole reconstructions, reconstruct/seed/float/b<B>/t<threads>. After the
// runs it prints the ratios of the goals (ratios.hpp): against the FFT
// floor, and with --kymatio=FILE against Kymatio's times in FILE.
//   wst-bench --benchmark_filter='forward/.*/float'
#include "configurations.hpp"
#include "ratios.hpp"
#ifdef WST_HAVE_CUDA
#include "cuda_benchmarks.hpp"
#endif

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace {

using fftw = wst::backend::fftw;

// Signals per forward walk (execution.signals_per_walk): WST_SIGNALS_PER_WALK, default the backend's.
std::size_t signals_per_walk_from_environment() {
    const char* v = std::getenv("WST_SIGNALS_PER_WALK");
    return v ? static_cast<std::size_t>(std::strtoul(v, nullptr, 10)) : 0;
}

// Bytes of the fused JTFS loss's kept planes (execution.kept_bytes):
// WST_KEPT_BYTES, default the library's.
std::size_t kept_bytes_from_environment() {
    const char* v = std::getenv("WST_KEPT_BYTES");
    return v ? static_cast<std::size_t>(std::strtoull(v, nullptr, 10)) : wst::execution{}.kept_bytes;
}

// What one benchmark of a transform works on, per configuration and thread
// count: the transform, signals, a target and a cotangent.
template <class Transform, class Configuration>
struct fixture {
    using Real = typename Transform::real_type;
    fixture(const Configuration& c, int threads)
        : S(c.params(), {.threads = threads,
                         .signals_per_walk = signals_per_walk_from_environment(),
                         .kept_bytes = kept_bytes_from_environment()}),
          x(bench::noise<Real>(c.B, c.N, 1)),
          target(S.scattering(bench::noise<Real>(c.B, c.N, 2))),
          cotangent(S.scattering(bench::noise<Real>(c.B, c.N, 3))) {}

    Transform S;
    wst::signal_array<Real> x;
    wst::scattering_array<Real> target, cotangent;
};
template <class Real>
using scattering_fixture = fixture<wst::Scattering1D<fftw, Real>, bench::configuration>;
template <class Real>
using jtfs_fixture = fixture<wst::TimeFrequencyScattering<fftw, Real>, bench::jtfs_configuration>;

// Built once per configuration and thread count, outside the timed region.
template <class Fixture, class Configuration>
Fixture& get(const Configuration& c, int threads) {
    static std::map<std::pair<std::string, int>, std::unique_ptr<Fixture>> cache;
    auto& f = cache[{c.name, threads}];
    if (!f) f = std::make_unique<Fixture>(c, threads);
    return *f;
}

// forward, backward, forward_vjp and loss_grad of a fixture's transform,
// named <op><suffix>.
template <class Fixture, class Configuration>
void register_ops(const Configuration& c, const std::string& suffix, int threads) {
    auto add = [&](const std::string& op, auto body) {
        benchmark::RegisterBenchmark((op + suffix).c_str(),
                                     [c, body, threads](benchmark::State& state) {
                                         auto& f = get<Fixture>(c, threads);
                                         for (auto _ : state) body(f);
                                         state.counters["signals"] = static_cast<double>(c.B);
                                     })
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
    };
    add("forward", [](Fixture& f) { benchmark::DoNotOptimize(f.S.scattering(f.x)); });
    add("backward", [](Fixture& f) { benchmark::DoNotOptimize(f.S.backward(f.x, f.cotangent)); });
    add("forward_vjp", [](Fixture& f) {
        benchmark::DoNotOptimize(f.S.scattering(f.x));
        benchmark::DoNotOptimize(f.S.backward(f.x, f.cotangent));
    });
    add("loss_grad", [](Fixture& f) { benchmark::DoNotOptimize(f.S.loss_gradient(f.x, f.target, wst::loss::norm)); });
}

// The FFTs one forward pass of one signal runs, as (kind, length), in the
// order core::tree runs them: the root's spectrum; per first-order path the
// inverse FFT of its product, the spectrum of its modulus and the inverse of
// its average; the same per second-order path (local averaging).
using fft_kind = wst::fftw::transform;
template <class Real>
std::vector<std::pair<fft_kind, std::size_t>> forward_ffts(const wst::Scattering1D<fftw, Real>& S) {
    const auto Np = static_cast<std::size_t>(S.N_padded());
    const int ls = S.log2_stride();
    const std::size_t out = Np >> ls;
    std::vector<std::pair<fft_kind, std::size_t>> ffts{{fft_kind::real_to_complex, Np}};
    const auto meta = S.meta();
    for (std::size_t c = 1; c < meta.order.size(); ++c) {
        const int j1 = static_cast<int>(meta.j(static_cast<Eigen::Index>(c), 0));
        const int k1 = std::min(j1, ls);
        std::size_t len = Np >> k1;
        if (meta.order[c] == 2) len = Np >> std::max(k1, std::min(static_cast<int>(meta.j(static_cast<Eigen::Index>(c), 1)), ls));
        ffts.push_back({fft_kind::complex_backward, len});
        ffts.push_back({fft_kind::real_to_complex, len});
        ffts.push_back({fft_kind::complex_to_real, out});
    }
    return ffts;
}

// FFTW alone (FFTW_MEASURE plans, one thread) running the FFTs of one
// forward pass for every signal of the batch: the floor of a forward pass.
template <class Real>
void register_roofline(const bench::configuration& c, const std::string& precision) {
    benchmark::RegisterBenchmark(("fft_roofline/" + c.name + "/" + precision + "/t1").c_str(),
                                 [c](benchmark::State& state) {
                                     auto& f = get<scattering_fixture<Real>>(c, 1);
                                     const auto ffts = forward_ffts(f.S);
                                     std::map<std::pair<fft_kind, std::size_t>, std::unique_ptr<wst::fftw::plan<Real>>> plans;
                                     for (const auto& key : ffts)
                                         if (!plans[key]) plans[key] = std::make_unique<wst::fftw::plan<Real>>(key.first, key.second, FFTW_MEASURE);
                                     const auto Np = static_cast<std::size_t>(f.S.N_padded());
                                     wst::fftw::aligned_buffer<std::complex<Real>> a(Np), b(Np);
                                     std::fill(a.data(), a.data() + Np, std::complex<Real>(1, 0));
                                     for (auto _ : state)
                                         for (long long signal = 0; signal < c.B; ++signal)
                                             for (const auto& key : ffts) {
                                                 const auto& p = *plans[key];
                                                 if (key.first == fft_kind::real_to_complex)
                                                     p.r2c(reinterpret_cast<Real*>(a.data()), b.data());
                                                 else if (key.first == fft_kind::complex_to_real)
                                                     p.c2r(b.data(), reinterpret_cast<Real*>(a.data()));
                                                 else
                                                     p.c2c(a.data(), b.data());
                                             }
                                     state.counters["ffts"] = static_cast<double>(ffts.size() * static_cast<std::size_t>(c.B));
                                 })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
}

template <class Real>
void register_all(const bench::configuration& c, const std::string& precision, int threads) {
    const std::string suffix = "/" + c.name + "/" + precision + "/t" + std::to_string(threads);
    register_ops<scattering_fixture<Real>>(c, suffix, threads);
    benchmark::RegisterBenchmark(("build" + suffix).c_str(),
                                 [c, threads](benchmark::State& state) {
                                     for (auto _ : state) {
                                         wst::Scattering1D<fftw, Real> S(c.params(), {.threads = threads});
                                         benchmark::DoNotOptimize(S.output_size());
                                     }
                                 })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
}

// forward, backward, forward_vjp and loss_grad of TimeFrequencyScattering:
// <op>/jtfs/<config>/<precision>/t<threads>.
template <class Real>
void register_jtfs(const bench::jtfs_configuration& c, const std::string& precision, int threads) {
    register_ops<jtfs_fixture<Real>>(c, "/jtfs/" + c.name + "/" + precision + "/t" + std::to_string(threads), threads);
}

// wst::reconstruct with its defaults (phase-gradient start, L-BFGS, 200
// gradient evaluations) on B harmonic signals (random states 42, 43, ...) of
// the seed configuration, solved together: the time of the whole call, and
// per problem and per evaluation. `start` names the start (phase-gradient,
// the default, or noise, the previous default).
void register_reconstruct(long long B, int threads, wst::initialization start, const std::string& start_name) {
    const std::string name = "reconstruct/seed/float/b" + std::to_string(B) + "/t" + std::to_string(threads) +
                             (start_name.empty() ? "" : "/" + start_name);
    benchmark::RegisterBenchmark(name.c_str(), [B, threads, start](benchmark::State& state) {
        const auto& c = bench::find("seed");
        const wst::Scattering1D<fftw, float> S(c.params(), {.threads = threads});
        const auto x = bench::harmonic_signals(B, c.N);
        const auto target = S.scattering(x);
        wst::reconstruction_options o;
        o.init = start;
        int evaluations = 0;
        double seconds = 0;
        for (auto _ : state) {
            const auto start_time = std::chrono::steady_clock::now();
            const auto r = wst::reconstruct(S, target, o);
            seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
            for (const auto& p : r) evaluations += p.final.evaluations;
        }
        state.counters["problems"] = static_cast<double>(B);
        state.counters["s_per_problem"] = seconds / static_cast<double>(state.iterations() * B);
        state.counters["ms_per_evaluation"] = 1e3 * seconds / evaluations;
    })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(1);
}

}  // namespace

int main(int argc, char** argv) {
    for (int threads : {1, 2}) {
        register_reconstruct(1, threads, wst::initialization::noise, "noise");
        for (long long B : {1, 2, 4, 8}) register_reconstruct(B, threads, wst::initialization::phase_gradient, "");
    }
    for (int threads : {1, 2})
        for (const auto& c : bench::configurations()) {
            if (c.name == "large") continue;  // wst-memory's
            register_all<float>(c, "float", threads);
            register_all<double>(c, "double", threads);
        }
    for (int threads : {1, 2})
        for (const auto& c : bench::jtfs_configurations()) {
            register_jtfs<float>(c, "float", threads);
            register_jtfs<double>(c, "double", threads);
        }
    for (const auto& c : bench::configurations()) {
        if (c.name == "large") continue;
        register_roofline<float>(c, "float");
        register_roofline<double>(c, "double");
    }
#ifdef WST_HAVE_CUDA
    if (!bench::register_cuda_benchmarks()) std::fprintf(stderr, "wst-bench: no CUDA device, no cuda benchmarks\n");
#endif
    // --kymatio=FILE: Kymatio's times (bench/compare_kymatio.py --write FILE)
    // for the ratios printed after the runs.
    std::optional<bench::kymatio_times> kymatio;
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.rfind("--kymatio=", 0) != 0) {
            argv[kept++] = argv[i];
            continue;
        }
        try {
            kymatio = bench::read_kymatio_times(arg.substr(std::string("--kymatio=").size()));
        } catch (const std::exception& e) {
            std::fprintf(stderr, "wst-bench: %s\n", e.what());
            return 1;
        }
    }
    argc = kept;
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    bench::recording_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    bench::print_ratios(reporter.ms(), kymatio ? &*kymatio : nullptr);
    benchmark::Shutdown();
    return 0;
}
