// The CUDA backend's logic checked on the CPU (no GPU needed): device.hpp's
// primitives run on the emulated device (emulated_device.hpp), whose kernels
// are host loops over every (block, thread) of CUDA's launch geometry and
// whose FFTs are FFTW's advanced interface fed the layouts cuFFT gets.
//   - every reference case, forward, gradient, forward mode and fused
//     losses, against Kymatio and against the FFTW backend;
//   - the configurations only the GPU uses (device_checks.hpp, which
//     wst_cuda_tests runs on a GPU): groups of signals (B = 130: three
//     groups, a short last one), several queues (threads = 4), the
//     per-subtree paths, the device-pointer API in double;
//   - a layout off by one row fails those comparisons (the check can fail);
//   - the launch geometry visits every index exactly once.
#include "device_checks.hpp"
#include "emulated_device.hpp"
#include "flat_output.hpp"
#include "reference.hpp"

#include <wst/wst.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include "compare.hpp"

using test_compare::max_abs;
using test_compare::max_abs_diff;

using Eigen::Index;
using fftw = wst::backend::fftw;
using test_signals::noise;

namespace {

template <class Real>
std::vector<double> as_double(const Real* v, std::size_t n) {
    return {v, v + n};
}

}  // namespace

TEST_CASE("the device backend reproduces every reference case on the emulated device", "[device]") {
    for (const auto& name : ref::cases()) {
        INFO("case " << name);
        const auto p = ref::params(name);
        const auto x = ref::array(name, "x.npy");
        const std::size_t B = x.shape[0];
        const auto expected = ref::array(name, ref::has(name, "S.npy") ? "S.npy" : "S_flat.npy").values;
        const double scale = max_abs(expected.data(), expected.size());
        const wst::Scattering1D<emulated_cuda, double> device(p);
        const wst::Scattering1D<fftw, double> cpu(p);
        const auto on_device = flat_output(device, x.values, B);
        CHECK(max_abs_diff(on_device, expected) <= 1e-10 * scale);
        CHECK(max_abs_diff(on_device, flat_output(cpu, x.values, B)) <= 1e-12 * scale);
        const std::vector<float> xf(x.values.begin(), x.values.end());
        CHECK(max_abs_diff(flat_output(wst::Scattering1D<emulated_cuda, float>(p), xf, B), expected) <= 1e-5 * scale);
        // The gradient against the CPU backend, but for the two seed signals,
        // whose gradient round-off moves by its own size (test_gradient.cpp).
        if (!ref::has(name, "g.npy") || p.out_type == wst::out_type::list || name == "seed_cosine" || name == "seed_harmonic")
            continue;
        const auto g = ref::array(name, "g.npy");
        wst::scattering_array<double> cotangent(B, cpu.output_size(), cpu.output_length());
        std::copy(g.values.begin(), g.values.end(), cotangent.data());
        const Eigen::Map<const wst::signal_array<double>> xs(x.values.data(), static_cast<Index>(B), p.shape);
        const auto a = device.backward(xs, cotangent), b = cpu.backward(xs, cotangent);
        CHECK((a - b).abs().maxCoeff() <= 1e-10 * b.abs().maxCoeff());
    }
}

TEST_CASE("forward mode and every fused loss on the emulated device equal the CPU backend's", "[device]") {
    const wst::scattering1d_params p{.J = 6, .shape = 1000, .Q = {8, 2}, .T = 64};
    const wst::Scattering1D<emulated_cuda, double> device(p);
    const wst::Scattering1D<fftw, double> cpu(p);
    const auto y = noise<double>(3, 1000, 1), x = noise<double>(3, 1000, 2), v = noise<double>(3, 1000, 3);
    const auto Jd = device.jvp(y, v), Jc = cpu.jvp(y, v);
    CHECK(max_abs_diff(as_double(Jd.data(), Jd.size()), as_double(Jc.data(), Jc.size())) <=
          1e-12 * max_abs(Jc.data(), Jc.size()));
    const auto target = cpu.scattering(x);
    for (auto kind : {wst::loss::norm, wst::loss::mse, wst::loss::sum_squares, wst::loss::l1}) {
        INFO("loss " << static_cast<int>(kind));
        const auto a = device.loss_gradient(y, target, kind, {0.5, 1, 2}), b = cpu.loss_gradient(y, target, kind, {0.5, 1, 2});
        for (std::size_t i = 0; i < 3; ++i) CHECK(a.loss[i] == Approx(b.loss[i]).epsilon(1e-12));
        CHECK((a.gradient - b.gradient).abs().maxCoeff() <= 1e-10 * b.gradient.abs().maxCoeff());
    }
}

TEST_CASE("groups, queues and per-subtree paths on the emulated device", "[device][threads]") {
    // The checks wst_cuda_tests runs on a GPU (device_checks.hpp).
    device_checks::configurations<emulated_cuda>([](bool ok, const std::string& what) {
        INFO(what);
        CHECK(ok);
    });
}

TEST_CASE("a layout off by one row fails the comparison", "[device]") {
    using mistake = emulation::device::mistake;
    const auto p = ref::params("eeg");
    const auto x = ref::array("eeg", "x.npy");
    const std::size_t B = x.shape[0];
    REQUIRE(B > 1);
    const auto expected = ref::array("eeg", "S.npy").values;
    const double scale = max_abs(expected.data(), expected.size());
    for (const mistake m : {mistake::distance, mistake::batch}) {
        INFO("mistake " << static_cast<int>(m));
        struct reset {
            ~reset() { emulation::device::layout_mistake() = mistake::none; }
        } at_end;
        emulation::device::layout_mistake() = m;
        const wst::Scattering1D<emulated_cuda, double> wrong(p);  // its plans, made from here on, are off
        CHECK(max_abs_diff(flat_output(wrong, x.values, B), expected) > 1e-3 * scale);
    }
    // Unset, the same transform is right again (the check above sees only the mistake).
    CHECK(max_abs_diff(flat_output(wst::Scattering1D<emulated_cuda, double>(p), x.values, B), expected) <= 1e-10 * scale);
}

TEST_CASE("the launch geometry visits every index exactly once", "[device]") {
    using wst::launch::geometry_for;
    for (const std::size_t count : std::vector<std::size_t>{0, 1, 255, 256, 257, 4096 * 256 - 1, 4096 * 256, 4096 * 256 + 1, 3 * 4096 * 256 + 7}) {
        INFO("count " << count);
        const auto g = geometry_for(count);
        CHECK(g.blocks >= 1);
        CHECK(g.blocks <= wst::launch::max_blocks);
        std::vector<unsigned char> visits(count, 0);
        for (std::size_t block = 0; block < g.blocks; ++block)
            for (std::size_t thread = 0; thread < g.threads; ++thread)
                wst::launch::grid_stride(g, block, thread, count, [&](std::size_t i) { ++visits[i]; });
        CHECK(std::all_of(visits.begin(), visits.end(), [](unsigned char v) { return v == 1; }));
    }
    // Past 2^32 elements (B x N of a large batch): the last thread's indices
    // stay in 64-bit range, one grid stride apart, and end below the count.
    const std::size_t count = (std::size_t{1} << 33) + 5;
    const auto g = geometry_for(count);
    std::size_t first = 0, last = 0, visited = 0;
    wst::launch::grid_stride(g, g.blocks - 1, g.threads - 1, count, [&](std::size_t i) {
        if (visited++ == 0) first = i;
        last = i;
    });
    const std::size_t stride = std::size_t{g.blocks} * g.threads;
    CHECK(first == stride - 1);
    CHECK(last < count);
    CHECK(last + stride >= count);
    CHECK(visited == (count - first + stride - 1) / stride);
}

TEST_CASE("a batched reconstruction on the device sends each problem's signal and receives its gradient, no more",
          "[device][reconstruct]") {
    // Per evaluation and problem: y up (N values), its gradient and its
    // loss sums ({sum |d|, sum d^2} per channel) down; the targets go up once.
    const wst::Scattering1D<emulated_cuda, double> S({.J = 5, .shape = 512, .Q = 4});
    const std::size_t B = 3, N = 512, C = S.output_size();
    const auto target = S.scattering(noise<double>(B, N, 11));
    wst::reconstruction_options o;
    o.init = wst::initialization::given;
    o.max_evaluations = 12;
    const auto start = noise<double>(B, N, 12);
    auto& t = emulation::device::transfers();
    const std::size_t up0 = t.uploaded, down0 = t.downloaded;
    const auto results = wst::reconstruct(S, target, o, start);
    std::size_t evaluations = 0;
    for (const auto& r : results) evaluations += static_cast<std::size_t>(r.final.evaluations);
    CHECK(evaluations >= B * 10);
    CHECK(t.uploaded - up0 == target.size() * sizeof(double) + evaluations * N * sizeof(double));
    CHECK(t.downloaded - down0 == evaluations * (N * sizeof(double) + C * 2 * sizeof(double)));
    // The same problems as the CPU backend solves them (in double, where
    // the two backends' round-off does not move the optimizers' paths).
    const wst::Scattering1D<fftw, double> cpu({.J = 5, .shape = 512, .Q = 4});
    const auto on_cpu = wst::reconstruct(cpu, target, o, start);
    for (std::size_t b = 0; b < B; ++b)
        CHECK(results[b].final.relative_error == Approx(on_cpu[b].final.relative_error).epsilon(1e-8));
}

TEST_CASE("a resident target's rows out of order are gathered in device memory", "[device][reconstruct]") {
    const wst::scattering1d_params p{.J = 5, .shape = 256, .Q = 4};
    const wst::Scattering1D<emulated_cuda, double> S(p);
    const wst::Scattering1D<fftw, double> cpu(p);
    const auto target = cpu.scattering(noise<double>(3, 256, 21));
    const auto y = noise<double>(2, 256, 22);
    // Rows 2 and 0 of the target, copied on the host: the independent way.
    wst::scattering_array<double> picked(2, target.channels(), target.length());
    const std::size_t per_row = target.channels() * target.length();
    std::copy(target.data() + 2 * per_row, target.data() + 3 * per_row, picked.data());
    std::copy(target.data(), target.data() + per_row, picked.data() + per_row);
    const auto a = S.loss_gradient(y, S.resident(target), {2, 0}, wst::loss::norm);
    const auto b = cpu.loss_gradient(y, picked, wst::loss::norm);
    for (std::size_t i = 0; i < 2; ++i) CHECK(a.loss[i] == Approx(b.loss[i]).epsilon(1e-12));
    CHECK((a.gradient - b.gradient).abs().maxCoeff() <= 1e-10 * b.gradient.abs().maxCoeff());
}
