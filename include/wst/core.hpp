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

// Forward mode: the directional derivative dS = J(x) v of every channel
// along v (B x N), written like forward()'s output. Every step is linear in
// the signal except the modulus, whose tangent is Re(conj(z) dz) / |z|. It
// gives an independent check of vjp(): <J v, g> = <v, J^T g>.
template <class Workspace, class Real>
void jvp(Workspace& w, const scattering1d_geometry& g, const filter_bank& bank, int max_order, const Real* x,
         const Real* v, std::size_t B, const std::vector<channel_destination<Real>>& out) {
    const auto& ctx = w.ctx();
    const std::size_t N_padded = static_cast<std::size_t>(g.N_padded);
    const bool average_local = g.average == averaging::mode::local;
    const int log2_stride = g.log2_stride;

    Real* x_pad = w.real_buffer(0);
    Real* dx_pad = w.real_buffer(1);
    Real* u1 = w.real_buffer(2);
    Real* du1 = w.real_buffer(3);
    Real* u2 = w.real_buffer(4);
    Real* du2 = w.real_buffer(5);
    Real* tmp = w.real_buffer(6);
    auto* u0_hat = w.complex_buffer(0);
    auto* du0_hat = w.complex_buffer(1);
    auto* product = w.complex_buffer(2);
    auto* z1 = w.complex_buffer(3);
    auto* dz1 = w.complex_buffer(4);
    auto* u1_hat = w.complex_buffer(5);
    auto* du1_hat = w.complex_buffer(6);
    auto* z2 = w.complex_buffer(7);
    auto* dz2 = w.complex_buffer(8);

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
    auto average = [&](std::size_t c, const auto* du_hat, std::size_t n, int k) {
        const int k_J = std::max(log2_stride - k, 0);
        w.filter_subsample(du_hat, ctx.phi(k), B, n, std::size_t{1} << k_J, product);
        w.irfft(product, tmp, B, n >> k_J);
        emit(c, tmp, n >> k_J, k + k_J);
    };
    // z = ifft(subsample(u_hat * psi)) and its tangent dz along du_hat.
    auto wavelet = [&](const auto* u_hat, const auto* du_hat, const Real* psi, std::size_t n, std::size_t periods,
                       auto* z, auto* dz) {
        w.filter_subsample(u_hat, psi, B, n, periods, product);
        w.ifft(product, z, B, n / periods);
        w.filter_subsample(du_hat, psi, B, n, periods, product);
        w.ifft(product, dz, B, n / periods);
    };

    w.pad(x, B, static_cast<std::size_t>(g.N), static_cast<std::size_t>(g.pad_left), N_padded, x_pad);
    w.pad(v, B, static_cast<std::size_t>(g.N), static_cast<std::size_t>(g.pad_left), N_padded, dx_pad);
    w.rfft(x_pad, u0_hat, B, N_padded);
    w.rfft(dx_pad, du0_hat, B, N_padded);
    if (average_local)
        average(0, du0_hat, N_padded, 0);
    else
        emit(0, dx_pad, N_padded, 0);

    std::size_t second_order_channel = 1 + bank.psi1.size();
    for (std::size_t n1 = 0; n1 < bank.psi1.size(); ++n1) {
        const int j1 = bank.psi1[n1].j;
        const int k1 = average_local ? std::min(j1, log2_stride) : j1;
        const std::size_t len1 = N_padded >> k1;
        wavelet(u0_hat, du0_hat, ctx.psi1(n1, 0), N_padded, std::size_t{1} << k1, z1, dz1);
        w.modulus(z1, u1, B, len1);
        w.modulus_tangent(z1, dz1, du1, B, len1);
        if (average_local || max_order > 1) {
            w.rfft(u1, u1_hat, B, len1);
            w.rfft(du1, du1_hat, B, len1);
        }
        if (average_local)
            average(1 + n1, du1_hat, len1, k1);
        else
            emit(1 + n1, du1, len1, k1);

        for (std::size_t n2 = 0; max_order > 1 && n2 < bank.psi2.size(); ++n2) {
            const int j2 = bank.psi2[n2].j;
            if (j2 <= j1) continue;
            const int sub2 = average_local ? std::min(j2, log2_stride) : j2;
            const int k2 = std::max(sub2 - k1, 0);
            const std::size_t len2 = len1 >> k2;
            wavelet(u1_hat, du1_hat, ctx.psi2(n2, k1), len1, std::size_t{1} << k2, z2, dz2);
            w.modulus(z2, u2, B, len2);
            w.modulus_tangent(z2, dz2, du2, B, len2);
            if (average_local) {
                w.rfft(du2, dz2, B, len2);
                average(second_order_channel++, dz2, len2, k1 + k2);
            } else {
                emit(second_order_channel++, du2, len2, k1 + k2);
            }
        }
    }
}

// Reverse mode: the gradient g_x (B x N, backend memory) of
//   sum_c <S_c(x), G_c>
// where the cotangent G_c of each channel is asked for once its coefficients
// are known: cotangent(c, S_c, L, G_c) receives S_c (B rows of L values,
// stride L) and writes G_c in the same layout. Knowing S_c lets a loss build
// its own cotangent (see Scattering1D::loss_gradient); with with_values
// false, S_c is not computed and the callback receives nullptr.
//
// Each step of forward() is followed backwards by its adjoint: unpad and
// sum by zero-filling and broadcasting, the Fourier product-and-subsample by
// spreading over the periods, ifft by fft / n, rfft by the real part of the
// unnormalized inverse DFT, the modulus by z / |z|, the reflection padding
// by folding back. The tree is walked one first-order path at a time: the
// forward and backward of that path's subtree run in one go, so the memory
// does not grow with the number of paths.
template <class Workspace, class Real, class Cotangent>
void vjp(Workspace& w, const scattering1d_geometry& g, const filter_bank& bank, int max_order, const Real* x,
         std::size_t B, bool with_values, Cotangent&& cotangent, Real* grad_x) {
    const auto& ctx = w.ctx();
    const std::size_t N_padded = static_cast<std::size_t>(g.N_padded);
    const bool average_local = g.average == averaging::mode::local;
    const int log2_stride = g.log2_stride;

    Real* x_pad = w.real_buffer(0);
    Real* u1 = w.real_buffer(1);
    Real* u2 = w.real_buffer(2);
    Real* tmp = w.real_buffer(3);
    Real* values = w.real_buffer(4);
    Real* grad_values = w.real_buffer(5);
    Real* grad_x_pad = w.real_buffer(6);
    Real* grad_u1 = w.real_buffer(7);
    Real* grad_u2 = w.real_buffer(8);
    auto* u0_hat = w.complex_buffer(0);
    auto* grad_u0_hat = w.complex_buffer(1);
    auto* product = w.complex_buffer(2);
    auto* z1 = w.complex_buffer(3);
    auto* u1_hat = w.complex_buffer(4);
    auto* grad_u1_hat = w.complex_buffer(5);
    auto* z2 = w.complex_buffer(6);
    auto* u2_hat = w.complex_buffer(7);
    auto* grad_u2_hat = w.complex_buffer(8);

    auto output_length = [&](int level) -> std::size_t {
        if (g.average == averaging::mode::global) return 1;
        const auto l = static_cast<std::size_t>(level);
        return static_cast<std::size_t>(g.ind_end[l] - g.ind_start[l]);
    };
    // Channel c from coefficients `coef` (n samples at subsampling `level`):
    // its values, their cotangent, and the cotangent of coef written to
    // grad_coef (n samples).
    auto emit = [&](std::size_t c, const Real* coef, std::size_t n, int level, Real* grad_coef) {
        const std::size_t L = output_length(level);
        const auto l = static_cast<std::size_t>(level);
        if (with_values && g.average == averaging::mode::global)
            w.sum(coef, B, n, values, L);
        else if (with_values)
            w.unpad(coef, B, n, static_cast<std::size_t>(g.ind_start[l]), static_cast<std::size_t>(g.ind_end[l]), values, L);
        cotangent(c, with_values ? static_cast<const Real*>(values) : nullptr, L, grad_values);
        if (g.average == averaging::mode::global)
            w.sum_adjoint(grad_values, L, B, n, grad_coef);
        else
            w.unpad_adjoint(grad_values, L, B, static_cast<std::size_t>(g.ind_start[l]),
                            static_cast<std::size_t>(g.ind_end[l]), n, grad_coef);
    };
    // Channel c = (signal of spectrum u_hat, n bins at level k) * phi, and
    // the cotangent of u_hat added to grad_u_hat.
    auto average = [&](std::size_t c, const auto* u_hat, std::size_t n, int k, auto* grad_u_hat) {
        const int k_J = std::max(log2_stride - k, 0);
        const std::size_t periods = std::size_t{1} << k_J;
        if (with_values) {
            w.filter_subsample(u_hat, ctx.phi(k), B, n, periods, product);
            w.irfft(product, tmp, B, n >> k_J);
        }
        emit(c, tmp, n >> k_J, k + k_J, tmp);
        w.irfft_adjoint(tmp, product, B, n >> k_J);
        w.filter_subsample_adjoint(product, ctx.phi(k), B, n, periods, grad_u_hat);
    };

    w.pad(x, B, static_cast<std::size_t>(g.N), static_cast<std::size_t>(g.pad_left), N_padded, x_pad);
    w.rfft(x_pad, u0_hat, B, N_padded);
    w.zero(grad_u0_hat, B * N_padded);
    w.zero(grad_x_pad, B * N_padded);
    if (average_local)
        average(0, u0_hat, N_padded, 0, grad_u0_hat);
    else
        emit(0, x_pad, N_padded, 0, grad_x_pad);

    std::size_t second_order_channel = 1 + bank.psi1.size();
    for (std::size_t n1 = 0; n1 < bank.psi1.size(); ++n1) {
        const int j1 = bank.psi1[n1].j;
        const int k1 = average_local ? std::min(j1, log2_stride) : j1;
        const std::size_t len1 = N_padded >> k1;
        const std::size_t periods1 = std::size_t{1} << k1;
        const bool has_u1_hat = average_local || max_order > 1;
        w.filter_subsample(u0_hat, ctx.psi1(n1, 0), B, N_padded, periods1, product);
        w.ifft(product, z1, B, len1);
        w.modulus(z1, u1, B, len1);
        if (has_u1_hat) w.rfft(u1, u1_hat, B, len1);

        w.zero(grad_u1, B * len1);
        w.zero(grad_u1_hat, B * len1);
        if (average_local) {
            average(1 + n1, u1_hat, len1, k1, grad_u1_hat);
        } else {
            emit(1 + n1, u1, len1, k1, tmp);
            w.add(tmp, grad_u1, B * len1);
        }

        for (std::size_t n2 = 0; max_order > 1 && n2 < bank.psi2.size(); ++n2) {
            const int j2 = bank.psi2[n2].j;
            if (j2 <= j1) continue;
            const int sub2 = average_local ? std::min(j2, log2_stride) : j2;
            const int k2 = std::max(sub2 - k1, 0);
            const std::size_t len2 = len1 >> k2;
            const std::size_t periods2 = std::size_t{1} << k2;
            w.filter_subsample(u1_hat, ctx.psi2(n2, k1), B, len1, periods2, product);
            w.ifft(product, z2, B, len2);
            w.modulus(z2, u2, B, len2);
            if (average_local) {
                w.rfft(u2, u2_hat, B, len2);
                w.zero(grad_u2_hat, B * len2);
                average(second_order_channel++, u2_hat, len2, k1 + k2, grad_u2_hat);
                w.rfft_adjoint(grad_u2_hat, grad_u2, B, len2);
            } else {
                emit(second_order_channel++, u2, len2, k1 + k2, grad_u2);
            }
            w.modulus_adjoint(z2, grad_u2, product, B, len2);
            w.ifft_adjoint(product, z2, B, len2);
            w.filter_subsample_adjoint(z2, ctx.psi2(n2, k1), B, len1, periods2, grad_u1_hat);
        }

        if (has_u1_hat) {
            w.rfft_adjoint(grad_u1_hat, tmp, B, len1);
            w.add(tmp, grad_u1, B * len1);
        }
        w.modulus_adjoint(z1, grad_u1, product, B, len1);
        w.ifft_adjoint(product, z1, B, len1);
        w.filter_subsample_adjoint(z1, ctx.psi1(n1, 0), B, N_padded, periods1, grad_u0_hat);
    }

    w.rfft_adjoint(grad_u0_hat, tmp, B, N_padded);
    w.add(tmp, grad_x_pad, B * N_padded);
    w.pad_adjoint(grad_x_pad, B, static_cast<std::size_t>(g.N), static_cast<std::size_t>(g.pad_left), N_padded,
                  grad_x);
}

}  // namespace wst::core
