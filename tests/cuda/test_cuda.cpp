// wst_cuda_tests: the CUDA backend against Kymatio's reference outputs and
// gradients (the CPU tolerances), against the CPU backend on random inputs,
// the configurations only a device walks (device_checks.hpp), a
// reconstruction on the GPU reaching the CPU's quality, and joint
// time-frequency scattering against Kymatio's reference and the CPU backend. On a machine without
// a GPU it says that the GPU tests were skipped and exits 0 (1 under
// WST_REQUIRE_GPU=1); a GPU machine whose driver or runtime fails exits 1.
#include "../jtfs_reference.hpp"
#include "../reference.hpp"
#include "cuda_runs.hpp"
#include "tools/harmonic.hpp"
#include "tools/reconstruct_on_gpu.hpp"

#include <wst/wst.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <vector>

namespace {

int failures = 0, passes = 0;

void check(bool ok, const std::string& what) {
    ++(ok ? passes : failures);
    if (!ok) std::cout << "FAILED: " << what << '\n';
}

double max_abs(const std::vector<double>& v) {
    double m = 0;
    for (double x : v) m = std::max(m, std::abs(x));
    return m;
}

double max_diff(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return INFINITY;
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
    return m;
}

template <class Real>
std::vector<Real> as(const std::vector<double>& v) {
    return {v.begin(), v.end()};
}

// Every reference case, forward in both precisions and the gradient where
// Kymatio's is well conditioned (see tests/test_gradient.cpp).
void reference_cases() {
    for (const auto& name : ref::cases()) {
        const auto p = ref::params(name);
        const auto x = ref::array(name, "x.npy");
        const std::size_t B = x.shape[0];
        const auto expected = ref::array(name, ref::has(name, "S.npy") ? "S.npy" : "S_flat.npy").values;
        const double scale = max_abs(expected);
        check(max_diff(cuda_runs::forward<double>(p, x.values, B), expected) <= 1e-10 * scale, name + ": double within 1e-10");
        check(max_diff(cuda_runs::forward<float>(p, as<float>(x.values), B), expected) <= 1e-5 * scale,
              name + ": float within 1e-5");
        if (ref::has(name, "S.npy"))
            check(max_diff(cuda_runs::forward_on_device<float>(p, as<float>(x.values), B), expected) <= 1e-5 * scale,
                  name + ": device-pointer API, float within 1e-5");
        if (!ref::has(name, "g.npy") || name == "seed_cosine" || name == "seed_harmonic") continue;
        const auto g = ref::array(name, "g.npy").values;
        const auto gx = ref::array(name, "gx.npy").values;
        const double gscale = max_abs(gx);
        check(max_diff(cuda_runs::gradient<double>(p, x.values, B, g), gx) <= 1e-9 * gscale, name + ": gradient double within 1e-9");
        check(max_diff(cuda_runs::gradient<float>(p, as<float>(x.values), B, as<float>(g)), gx) <= 1e-4 * gscale,
              name + ": gradient float within 1e-4");
    }
}

// The fused loss and gradient on the GPU against the CPU backend.
void cpu_against_gpu() {
    const wst::scattering1d_params p{.J = 6, .shape = 1000, .Q = {8, 2}, .T = 64};
    std::mt19937 gen(5);
    std::normal_distribution<double> d;
    wst::signal_array<double> y(3, 1000), x(3, 1000);
    for (Eigen::Index i = 0; i < y.size(); ++i) {
        y.data()[i] = d(gen);
        x.data()[i] = d(gen);
    }
    const wst::Scattering1D<wst::backend::fftw, double> cpu(p);
    const auto target = cpu.scattering(x);
    for (auto kind : {wst::loss::norm, wst::loss::mse, wst::loss::sum_squares, wst::loss::l1}) {
        const auto a = cpu.loss_gradient(y, target, kind);
        const auto b = cuda_runs::loss_gradient<double>(p, y, target, kind);
        bool same_loss = true;
        for (std::size_t i = 0; i < a.loss.size(); ++i) same_loss = same_loss && std::abs(a.loss[i] - b.loss[i]) <= 1e-10 * a.loss[i];
        check(same_loss, "loss " + std::to_string(static_cast<int>(kind)) + ": GPU = CPU within 1e-10");
        check((a.gradient - b.gradient).abs().maxCoeff() <= 1e-9 * a.gradient.abs().maxCoeff(),
              "gradient " + std::to_string(static_cast<int>(kind)) + ": GPU = CPU within 1e-9");
    }
}

// The harmonic signal on the GPU: 200 bold-driver iterations from noise
// reach the seed's goal (relative scattering error <= 0.10), and the default
// method (phase-gradient start, L-BFGS, 200 evaluations) the CPU's bounds.
void reconstruction() {
    const auto signal = tools::harmonic_signal(8192);
    const Eigen::Array<float, 1, Eigen::Dynamic> x = Eigen::Map<const Eigen::Array<float, 1, Eigen::Dynamic>>(signal.data(), 8192);
    wst::reconstruction_options o;
    o.optimizer = wst::optimizer::bold_driver;
    o.learning_rate = 100;
    o.init = wst::initialization::noise;
    o.max_iterations = 200;
    o.max_evaluations = 0;
    const auto r = tools::reconstruct_on_gpu<float>({.J = 6, .shape = 8192, .Q = 16}, 1, x, o);
    check(r.final.relative_error <= 0.10, "harmonic reconstruction on the GPU: relative error " +
                                              std::to_string(r.final.relative_error) + " <= 0.10");
    const auto d = tools::reconstruct_on_gpu<float>({.J = 6, .shape = 8192, .Q = 16}, 1, x, {});
    check(d.final.relative_error <= 0.005 && d.final.relative_error_by_order[2] <= 0.05,
          "default reconstruction on the GPU: relative error " + std::to_string(d.final.relative_error) +
              " <= 0.005, order 2 " + std::to_string(d.final.relative_error_by_order[2]) + " <= 0.05");
}

// TimeFrequencyScattering on every JTFS reference case, both formats, in
// double against Kymatio and the CPU backend, and format time in float.
void joint_reference_cases() {
    for (const auto& name : jtfs_ref::cases()) {
        const auto x = ref::array(name, "x.npy");
        const std::size_t B = x.shape[0];
        for (const auto format : {wst::jtfs_format::time, wst::jtfs_format::joint}) {
            const std::string what = name + " (" + jtfs_ref::output_file(format) + ")";
            const auto expected = ref::array(name, jtfs_ref::output_file(format)).values;
            const double scale = max_abs(expected);
            const auto on_gpu = cuda_runs::jtfs_forward<double>(jtfs_ref::params(name, format), x.values, B);
            check(max_diff(on_gpu, expected) <= 1e-10 * scale, what + ": JTFS double within 1e-10 of Kymatio");
            check(max_diff(on_gpu, jtfs_ref::output<wst::backend::fftw, double>(name, format)) <= 1e-12 * scale,
                  what + ": JTFS double within 1e-12 of the CPU");
        }
        const auto expected = ref::array(name, "S.npy").values;
        const auto on_gpu = cuda_runs::jtfs_forward<float>(jtfs_ref::params(name, wst::jtfs_format::time), as<float>(x.values), B);
        check(max_diff(on_gpu, expected) <= 1e-5 * max_abs(expected), name + ": JTFS float within 1e-5 of Kymatio");
    }
}

}  // namespace

// Arguments name the parts to run (reference, compare, configurations,
// reconstruction, jtfs); none: all of them.
int main(int argc, char** argv) try {
    const std::vector<std::string> parts(argv + 1, argv + argc);
    for (const auto& p : parts)
        if (p != "reference" && p != "compare" && p != "configurations" && p != "reconstruction" && p != "jtfs") {
            std::cout << "wst_cuda_tests: unknown part '" << p
                      << "' (reference, compare, configurations, reconstruction, jtfs)\n";
            return 2;
        }
    auto wanted = [&](const std::string& part) { return parts.empty() || std::find(parts.begin(), parts.end(), part) != parts.end(); };
    // Only a machine without a GPU skips; a GPU machine whose driver or
    // runtime fails is a failure. WST_REQUIRE_GPU=1 makes a skip a failure
    // too (the GPU check sets it).
    const char* require = std::getenv("WST_REQUIRE_GPU");
    const bool required = require != nullptr && std::string(require) == "1";
    const auto probe = cuda_runs::probe();
    if (!probe.available) {
        if (probe.no_gpu && !required) {
            std::cout << "wst_cuda_tests: " << probe.message << ": the GPU tests were skipped\n";
            return 0;
        }
        std::cout << "wst_cuda_tests: " << probe.message
                  << (probe.no_gpu ? " (WST_REQUIRE_GPU=1: a GPU is required)" : "") << '\n';
        return 1;
    }
    std::cout << "wst_cuda_tests on " << cuda_runs::device_name() << '\n';
    if (wanted("reference")) reference_cases();
    if (wanted("compare")) cpu_against_gpu();
    if (wanted("configurations")) cuda_runs::configurations(check);
    if (wanted("reconstruction")) reconstruction();
    if (wanted("jtfs")) joint_reference_cases();
    std::cout << "peak device memory: " << cuda_runs::peak_device_memory() << " bytes\n";
    std::cout << passes << " passed, " << failures << " failed\n";
    return failures == 0 ? 0 : 1;
} catch (const std::exception& e) {
    std::cout << "wst_cuda_tests: " << e.what() << '\n';
    return 1;
}
