// The configurations only a device backend walks, checked against the FFTW
// backend: written once, run on the emulated device by the CPU tests
// (test_device_backend.cpp) and on a GPU by wst_cuda_tests (cuda_runs.cu).
//   - groups of signals: B = 130 gives groups of 64, 64 and 2 (a short last
//     group), on threads = 4 queues: bit for bit the one-thread results,
//     within 1e-10 of FFTW in double; forward, backward and the fused loss;
//   - one signal on four threads: its subtrees on four queues, forward,
//     backward and loss_gradient (B = 1, threads = 4), bit for bit;
//   - forward mode (jvp) against FFTW;
//   - the device-pointer API in double: the same bits as the host API.
// check(ok, what) records each result.
#pragma once

#include "noise.hpp"

#include <wst/backend/fftw.hpp>
#include <wst/scattering1d.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

namespace device_checks {

using test_signals::noise;

// max |a - b| <= tolerance * max |b| over n values.
template <class A, class B>
bool close(const A* a, const B* b, std::size_t n, double tolerance) {
    double diff = 0, scale = 0;
    for (std::size_t i = 0; i < n; ++i) {
        diff = std::max(diff, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
        scale = std::max(scale, std::abs(static_cast<double>(b[i])));
    }
    return diff <= tolerance * scale;
}
template <class T>
bool same(const T* a, const T* b, std::size_t n) {
    return std::equal(a, a + n, b);
}

template <class Device, class Check>
void configurations(Check&& check) {
    using cpu_type = wst::Scattering1D<wst::backend::fftw, double>;
    using device_type = wst::Scattering1D<Device, double>;
    const wst::scattering1d_params p{.J = 5, .shape = 300, .Q = {4, 1}};
    const auto x = noise<double>(130, 300, 4);
    const device_type one(p), four(p, {.threads = 4});
    const cpu_type cpu(p);

    // B = 130 on four queues.
    const auto S1 = one.scattering(x), S4 = four.scattering(x), Sc = cpu.scattering(x);
    check(same(S1.data(), S4.data(), S1.size()), "B = 130 forward: threads = 4 gives the bits of threads = 1");
    check(close(S4.data(), Sc.data(), Sc.size(), 1e-10), "B = 130 forward: within 1e-10 of FFTW");
    const auto g = cpu.scattering(noise<double>(130, 300, 5));
    const auto G1 = one.backward(x, g), G4 = four.backward(x, g), Gc = cpu.backward(x, g);
    check((G1 == G4).all(), "B = 130 backward: threads = 4 gives the bits of threads = 1");
    check(close(G4.data(), Gc.data(), static_cast<std::size_t>(Gc.size()), 1e-10), "B = 130 backward: within 1e-10 of FFTW");
    const auto L1 = one.loss_gradient(x, g, wst::loss::norm), L4 = four.loss_gradient(x, g, wst::loss::norm),
               Lc = cpu.loss_gradient(x, g, wst::loss::norm);
    check(L1.loss == L4.loss && (L1.gradient == L4.gradient).all(),
          "B = 130 loss_gradient: threads = 4 gives the bits of threads = 1");
    check(close(L4.loss.data(), Lc.loss.data(), Lc.loss.size(), 1e-12) &&
              close(L4.gradient.data(), Lc.gradient.data(), static_cast<std::size_t>(Lc.gradient.size()), 1e-10),
          "B = 130 loss_gradient: within 1e-10 of FFTW");

    // One signal on four threads: its subtrees on four queues.
    const auto x1 = noise<double>(1, 300, 6);
    const auto g1 = cpu.scattering(noise<double>(1, 300, 7));
    const device_type subtrees(p, {.threads = 4, .signals_per_walk = 1});
    const auto a = one.scattering(x1), b = subtrees.scattering(x1);
    check(same(a.data(), b.data(), a.size()), "per-subtree forward: the bits of one thread");
    check((one.backward(x1, g1) == subtrees.backward(x1, g1)).all(), "per-subtree backward: the bits of one thread");
    const auto la = one.loss_gradient(x1, g1, wst::loss::norm), lb = subtrees.loss_gradient(x1, g1, wst::loss::norm);
    check(la.loss == lb.loss && (la.gradient == lb.gradient).all(),
          "loss_gradient, B = 1, threads = 4: the bits of one thread");
    const auto lc = cpu.loss_gradient(x1, g1, wst::loss::norm);
    check(close(lb.gradient.data(), lc.gradient.data(), static_cast<std::size_t>(lc.gradient.size()), 1e-10),
          "loss_gradient, B = 1, threads = 4: within 1e-10 of FFTW");

    // Forward mode.
    const auto v = noise<double>(3, 300, 8), y = noise<double>(3, 300, 9);
    const auto Jd = four.jvp(y, v), Jc = cpu.jvp(y, v);
    check(close(Jd.data(), Jc.data(), Jc.size(), 1e-10), "jvp: within 1e-10 of FFTW");

    // The device-pointer API in double.
    const auto n = static_cast<std::size_t>(x.size());
    typename Device::template buffer<double> d_x(n), d_S(S1.size()), d_g(g.size()), d_grad(n);
    std::vector<double> host_S(S1.size()), host_grad(n);
    Device::upload(x.data(), d_x.data(), n);
    four.scattering_in_backend(d_x.data(), 130, 300, d_S.data());
    Device::download(d_S.data(), host_S.data(), host_S.size());
    check(same(S1.data(), host_S.data(), host_S.size()), "device-pointer forward, double: the host API's bits");
    Device::upload(g.data(), d_g.data(), g.size());
    four.backward_in_backend(d_x.data(), 130, 300, d_g.data(), d_grad.data());
    Device::download(d_grad.data(), host_grad.data(), n);
    check(same(G1.data(), host_grad.data(), n), "device-pointer backward, double: the host API's bits");
}

}  // namespace device_checks
