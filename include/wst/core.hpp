// The 1-D scattering algorithm, written once against backend primitives
// (Kymatio 0.4's core/scattering1d.py):
//
//   S0 = x * phi,  S1 = |x * psi1| * phi,  S2 = ||x * psi1| * psi2| * phi,
//
// each convolution a product in the Fourier domain followed by the largest
// subsampling that does not alias (at most the stride 2^log2_stride when
// averaging locally). A workspace supplies the buffers and the primitives
// pad, rfft, ifft, irfft, filter_subsample, modulus, unpad and sum.
#pragma once

#include "wst/filter_bank.hpp"
#include "wst/parameters.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace wst::core {

// Where the coefficients of one output channel go: signal b's values start at
// data + b * batch_stride (backend memory).
template <class Real>
struct channel_destination {
    Real* data;
    std::size_t batch_stride;
};

// Forward scattering of B signals x (B x N, backend memory) into `out`, one
// destination per channel in Kymatio's order: order 0, order 1 by n1, order 2
// by (n1, n2). `bank` gives the j of each wavelet; its levels must include
// every level the tree uses.
template <class Workspace, class Real>
void forward(Workspace& w, const scattering1d_geometry& g, const filter_bank& bank, int max_order, const Real* x,
             std::size_t B, const std::vector<channel_destination<Real>>& out) {
    const auto& ctx = w.ctx();
    const std::size_t N_padded = static_cast<std::size_t>(g.N_padded);
    const bool average_local = g.average == averaging::mode::local;
    const int log2_stride = g.log2_stride;

    Real* x_pad = w.real_buffer(0);
    Real* u1 = w.real_buffer(1);
    Real* u2 = w.real_buffer(2);
    Real* s = w.real_buffer(3);
    auto* u0_hat = w.complex_buffer(0);
    auto* u1_hat = w.complex_buffer(1);
    auto* product = w.complex_buffer(2);
    auto* spectrum = w.complex_buffer(3);

    // Channel `c` from coefficients of n samples at subsampling `level`:
    // unpadded to the signal's support, or summed over time (global).
    auto emit = [&](std::size_t c, const Real* coef, std::size_t n, int level) {
        const auto& d = out[c];
        if (g.average == averaging::mode::global) {
            w.sum(coef, B, n, d.data, d.batch_stride);
        } else {
            const auto l = static_cast<std::size_t>(level);
            w.unpad(coef, B, n, static_cast<std::size_t>(g.ind_start[l]), static_cast<std::size_t>(g.ind_end[l]),
                    d.data, d.batch_stride);
        }
    };
    // Channel `c` = (signal of spectrum u_hat, n bins at level k) * phi,
    // subsampled to the stride.
    auto average = [&](std::size_t c, const auto* u_hat, std::size_t n, int k) {
        const int k_J = std::max(log2_stride - k, 0);
        w.filter_subsample(u_hat, ctx.phi(k), B, n, std::size_t{1} << k_J, product);
        w.irfft(product, s, B, n >> k_J);
        emit(c, s, n >> k_J, k + k_J);
    };

    w.pad(x, B, static_cast<std::size_t>(g.N), static_cast<std::size_t>(g.pad_left), N_padded, x_pad);
    w.rfft(x_pad, u0_hat, B, N_padded);
    if (average_local)
        average(0, u0_hat, N_padded, 0);
    else
        emit(0, x_pad, N_padded, 0);

    std::size_t second_order_channel = 1 + bank.psi1.size();
    for (std::size_t n1 = 0; n1 < bank.psi1.size(); ++n1) {
        const int j1 = bank.psi1[n1].j;
        const int k1 = average_local ? std::min(j1, log2_stride) : j1;
        const std::size_t len1 = N_padded >> k1;
        w.filter_subsample(u0_hat, ctx.psi1(n1, 0), B, N_padded, std::size_t{1} << k1, product);
        w.ifft(product, spectrum, B, len1);
        w.modulus(spectrum, u1, B, len1);
        if (average_local || max_order > 1) w.rfft(u1, u1_hat, B, len1);
        if (average_local)
            average(1 + n1, u1_hat, len1, k1);
        else
            emit(1 + n1, u1, len1, k1);
        if (max_order < 2) continue;

        for (std::size_t n2 = 0; n2 < bank.psi2.size(); ++n2) {
            const int j2 = bank.psi2[n2].j;
            if (j2 <= j1) continue;
            const int sub2 = average_local ? std::min(j2, log2_stride) : j2;
            const int k2 = std::max(sub2 - k1, 0);
            const std::size_t len2 = len1 >> k2;
            w.filter_subsample(u1_hat, ctx.psi2(n2, k1), B, len1, std::size_t{1} << k2, product);
            w.ifft(product, spectrum, B, len2);
            w.modulus(spectrum, u2, B, len2);
            if (average_local) {
                w.rfft(u2, spectrum, B, len2);
                average(second_order_channel++, spectrum, len2, k1 + k2);
            } else {
                emit(second_order_channel++, u2, len2, k1 + k2);
            }
        }
    }
}

}  // namespace wst::core
