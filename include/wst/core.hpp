// The 1-D scattering algorithm, written once against backend primitives
// (Kymatio 0.4's core/scattering1d.py):
//
//   S0 = x * phi,  S1 = |x * psi1| * phi,  S2 = ||x * psi1| * psi2| * phi,
//
// each convolution a product in the Fourier domain followed by the largest
// subsampling that does not alias (at most the stride 2^log2_stride when
// averaging locally). A workspace supplies the buffers and the primitives
// pad, rfft, inverse_dft, irfft, filter_subsample, modulus, unpad and sum, and
// their adjoints.
//
// The tree is split at its root: the root (padding, the spectrum of x and
// order 0) and one subtree per first-order wavelet n1 (its order-1 channel
// and all its order-2 channels). Subtrees only read the root's spectrum, so
// a frontend may run them on several threads, each in its own workspace.
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

// Buffers of a workspace by role. The root uses x_pad, u0_hat, grad_u0_hat
// and grad_x_pad; a subtree uses the others (grad_u0_part receives its share
// of the root's gradient), so one workspace can hold both.
enum real_slot : std::size_t { x_pad = 0, u1, u2, tmp, values, grad_values, grad_x_pad, grad_u1, grad_u2 };
enum complex_slot : std::size_t {
    u0_hat = 0, grad_u0_hat, product, z1, u1_hat, grad_u1_hat, z2, u2_hat, grad_u2_hat, grad_u0_part
};

// The tree walk's buffers, N_padded values per signal in each of its slots
// (a backend's workspace may have more slots, for the joint walk: left empty).
inline buffer_layout tree_buffers(std::size_t N_padded) {
    return {std::vector<std::size_t>(real_slot::grad_u2 + 1, N_padded),
            std::vector<std::size_t>(complex_slot::grad_u0_part + 1, N_padded)};
}

// The two convolutions both walks are made of, for B rows of n bins at a
// time in workspace w (product: scratch of B x n / 2^k complex values):
//   z = ifft(subsample(u_hat * psi, 2^k)), n / 2^k complex samples per row
//       (the ifft's 1 / (n / 2^k) is applied in the product pass: exact for a
//       power of two, one rounding otherwise);
//   s = irfft(subsample(u_hat * phi, 2^k)), n / 2^k real samples per row.
template <class Workspace, class Filter, class Complex>
void wavelet_rows(Workspace& w, std::size_t B, const Complex* u_hat, const Filter& psi, std::size_t n, int k,
                  Complex* product, Complex* z) {
    using Real = typename Complex::value_type;
    w.filter_subsample(u_hat, psi, B, n, std::size_t{1} << k, product, Real(1) / static_cast<Real>(n >> k));
    w.inverse_dft(product, z, B, n >> k);
}
template <class Workspace, class Filter, class Complex, class Real>
void lowpass_rows(Workspace& w, std::size_t B, const Complex* u_hat, const Filter& phi, std::size_t n, int k,
                  Complex* product, Real* s) {
    w.filter_subsample(u_hat, phi, B, n, std::size_t{1} << k, product, Real(1));
    w.irfft(product, s, B, n >> k);
}

// One walk of the tree for B signals in workspace w. `bank` gives the j of
// each wavelet (its levels are not read: the workspace's context holds the
// filters, with every level the tree reads); channels are numbered in Kymatio's order: order 0, order 1
// by n1, order 2 by (n1, n2).
template <class Workspace, class Real>
class tree {
public:
    using complex_type = typename Workspace::complex_type;

    tree(Workspace& w, const scattering1d_geometry& g, const filter_bank& bank, int max_order, std::size_t B)
        : w_(w), g_(g), bank_(bank), max_order_(max_order), B_(B), N_padded_(static_cast<std::size_t>(g.N_padded)),
          local_(g.average == averaging::mode::local) {
        std::size_t c = 1 + bank.psi1.size();
        for (const auto& psi1 : bank.psi1) {
            first_second_order_channel_.push_back(c);
            if (max_order > 1)
                for (const auto& psi2 : bank.psi2) c += psi2.j > psi1.j ? 1 : 0;
        }
    }

    std::size_t subtrees() const { return bank_.psi1.size(); }
    std::size_t spectrum_size() const { return B_ * N_padded_; }
    // The root's spectrum of x, and the cotangent of that spectrum.
    const complex_type* spectrum() { return c(u0_hat); }
    complex_type* gradient_of_spectrum() { return c(grad_u0_hat); }
    // Where a subtree's share of that cotangent is collected (zeroed here).
    complex_type* subtree_gradient() {
        w_.zero(c(grad_u0_part), spectrum_size());
        return c(grad_u0_part);
    }

    // --- forward -------------------------------------------------------------

    // Pads x, takes its spectrum, writes channel 0.
    void forward_root(const Real* x, const std::vector<channel_destination<Real>>& out) {
        w_.pad(x, B_, N(), pad_left(), N_padded_, r(x_pad));
        w_.rfft(r(x_pad), c(u0_hat), B_, N_padded_);
        write_channel(out[0], c(u0_hat), r(x_pad), N_padded_, 0);
    }

    // Channels of first-order wavelet n1, from the root's spectrum u0.
    void forward_subtree(std::size_t n1, const complex_type* u0, const std::vector<channel_destination<Real>>& out) {
        // Plain variables, not a structured binding: the lambdas below capture
        // them, which compilers before C++20's rule (clang 14, nvcc) refuse.
        const std::pair<int, std::size_t> first = first_order(n1, u0, r(u1));
        const int k1 = first.first;
        const std::size_t len1 = first.second;
        write_channel(out[1 + n1], c(u1_hat), r(u1), len1, k1);
        std::size_t channel = first_second_order_channel_[n1];
        for_second_order(n1, [&](std::size_t n2, int k2) {
            const std::size_t len2 = second_order(n2, k1, len1, k2);
            if (local_) w_.rfft(r(u2), c(u2_hat), B_, len2);
            write_channel(out[channel++], c(u2_hat), r(u2), len2, k1 + k2);
        });
    }

    // --- forward mode ------------------------------------------------------------
    // dS = J(x) v for every channel along v: every step is linear in the signal
    // except the modulus, whose tangent is Re(conj(z) dz) / |z|. The tangents
    // live in the buffers the reverse mode uses for cotangents.
    void jvp(const Real* x, const Real* v, const std::vector<channel_destination<Real>>& out) {
        w_.pad(x, B_, N(), pad_left(), N_padded_, r(x_pad));
        w_.pad(v, B_, N(), pad_left(), N_padded_, r(grad_x_pad));
        w_.rfft(r(x_pad), c(u0_hat), B_, N_padded_);
        w_.rfft(r(grad_x_pad), c(grad_u0_hat), B_, N_padded_);
        write_channel(out[0], c(grad_u0_hat), r(grad_x_pad), N_padded_, 0);
        for (std::size_t n1 = 0; n1 < subtrees(); ++n1) {
            const int k1 = subsampling1(n1);
            const std::size_t len1 = N_padded_ >> k1;
            wavelet(c(u0_hat), c(grad_u0_hat), ctx().psi1(n1, 0), N_padded_, k1, c(z1), c(grad_u1_hat));
            w_.modulus_tangent(c(z1), c(grad_u1_hat), r(grad_u1), B_, len1);
            if (max_order_ > 1) {  // the value's spectrum feeds the second order
                w_.modulus(c(z1), r(u1), B_, len1);
                w_.rfft(r(u1), c(u1_hat), B_, len1);
            }
            if (local_ || max_order_ > 1) w_.rfft(r(grad_u1), c(grad_u2_hat), B_, len1);  // du1_hat
            write_channel(out[1 + n1], c(grad_u2_hat), r(grad_u1), len1, k1);
            std::size_t channel = first_second_order_channel_[n1];
            for_second_order(n1, [&](std::size_t n2, int k2) {
                const std::size_t len2 = len1 >> k2;
                wavelet(c(u1_hat), c(grad_u2_hat), ctx().psi2(n2, k1), len1, k2, c(z2), c(grad_u1_hat));
                w_.modulus_tangent(c(z2), c(grad_u1_hat), r(grad_u2), B_, len2);
                if (local_) w_.rfft(r(grad_u2), c(u2_hat), B_, len2);
                write_channel(out[channel++], c(u2_hat), r(grad_u2), len2, k1 + k2);
            });
        }
    }

    // --- reverse mode ------------------------------------------------------------
    // The gradient of sum_c <S_c(x), G_c>, where the cotangent G_c of a channel
    // is asked for once its coefficients are known: cotangent(w, c, S_c, L, G_c)
    // receives the workspace, S_c (B rows of L values, stride L, in backend
    // memory; nullptr when with_values is false) and writes G_c in the same
    // layout (with w's primitives: on a device, G_c is device memory). Each step of the forward pass
    // is followed backwards by its adjoint: unpad and sum by zero-filling and
    // broadcasting, the Fourier product-and-subsample by spreading over the
    // periods, the inverse DFT by the forward one, rfft by the real part of the unnormalized
    // inverse DFT, the modulus by z / |z| (0 at 0), the padding by folding back.

    // Root, first half: pads, takes the spectrum, channel 0 and its cotangent.
    template <class Cotangent>
    void vjp_root(const Real* x, bool with_values, Cotangent&& cotangent) {
        w_.pad(x, B_, N(), pad_left(), N_padded_, r(x_pad));
        w_.rfft(r(x_pad), c(u0_hat), B_, N_padded_);
        w_.zero(c(grad_u0_hat), B_ * N_padded_);
        w_.zero(r(grad_x_pad), B_ * N_padded_);
        if (local_)
            average_backward(0, c(u0_hat), N_padded_, 0, with_values, cotangent, c(grad_u0_hat));
        else
            emit_backward(0, {r(x_pad), N_padded_, 0}, with_values, cotangent, r(grad_x_pad));
    }

    // Subtree n1 forward and backward in one go: adds the cotangent of the
    // root's spectrum u0 to grad_u0 (B x N_padded).
    template <class Cotangent>
    void vjp_subtree(std::size_t n1, const complex_type* u0, bool with_values, Cotangent&& cotangent,
                     complex_type* grad_u0) {
        // Plain variables, not a structured binding (see forward_subtree).
        const std::pair<int, std::size_t> first = first_order(n1, u0, r(u1));
        const int k1 = first.first;
        const std::size_t len1 = first.second;
        const bool has_u1_hat = local_ || max_order_ > 1;
        w_.zero(r(grad_u1), B_ * len1);
        w_.zero(c(grad_u1_hat), B_ * len1);
        if (local_) {
            average_backward(1 + n1, c(u1_hat), len1, k1, with_values, cotangent, c(grad_u1_hat));
        } else {
            emit_backward(1 + n1, {r(u1), len1, k1}, with_values, cotangent, r(tmp));
            w_.add(r(tmp), r(grad_u1), B_ * len1);
        }
        std::size_t channel = first_second_order_channel_[n1];
        for_second_order(n1, [&](std::size_t n2, int k2) {
            // z2 and |z2| = U2 are both needed on the way back.
            const std::size_t len2 = second_order(n2, k1, len1, k2);
            if (local_) {
                if (with_values) w_.rfft(r(u2), c(u2_hat), B_, len2);
                w_.zero(c(grad_u2_hat), B_ * len2);
                average_backward(channel++, c(u2_hat), len2, k1 + k2, with_values, cotangent, c(grad_u2_hat));
                w_.rfft_adjoint(c(grad_u2_hat), r(grad_u2), B_, len2);
            } else {
                emit_backward(channel++, {r(u2), len2, k1 + k2}, with_values, cotangent, r(grad_u2));
            }
            w_.modulus_adjoint(c(z2), r(u2), r(grad_u2), c(product), B_, len2);
            wavelet_adjoint(c(product), ctx().psi2(n2, k1), len1, k2, c(z2), c(grad_u1_hat));
        });
        if (has_u1_hat) {
            w_.rfft_adjoint(c(grad_u1_hat), r(tmp), B_, len1);
            w_.add(r(tmp), r(grad_u1), B_ * len1);
        }
        w_.modulus_adjoint(c(z1), r(u1), r(grad_u1), c(product), B_, len1);
        wavelet_adjoint(c(product), ctx().psi1(n1, 0), N_padded_, k1, c(z1), grad_u0);
    }

    // Root, second half: from the cotangent of the spectrum to that of x.
    void vjp_finish(Real* grad_x) {
        w_.rfft_adjoint(c(grad_u0_hat), r(tmp), B_, N_padded_);
        w_.add(r(tmp), r(grad_x_pad), B_ * N_padded_);
        w_.pad_adjoint(r(grad_x_pad), B_, N(), pad_left(), N_padded_, grad_x);
    }

private:
    // Coefficients of n samples at subsampling `level`, before unpadding.
    struct coefficients {
        const Real* data;
        std::size_t n;
        int level;
    };

    const auto& ctx() const { return w_.ctx(); }
    Real* r(real_slot s) { return w_.real_buffer(s); }
    complex_type* c(complex_slot s) { return w_.complex_buffer(s); }
    std::size_t N() const { return static_cast<std::size_t>(g_.N); }
    std::size_t pad_left() const { return static_cast<std::size_t>(g_.pad_left); }

    int subsampling1(std::size_t n1) const {
        const int j1 = bank_.psi1[n1].j;
        return local_ ? std::min(j1, g_.log2_stride) : j1;
    }

    // Calls f(n2, k2) for every second-order wavelet n2 below n1 (j2 > j1).
    template <class F>
    void for_second_order(std::size_t n1, F&& f) const {
        if (max_order_ < 2) return;
        const int j1 = bank_.psi1[n1].j, k1 = subsampling1(n1);
        for (std::size_t n2 = 0; n2 < bank_.psi2.size(); ++n2) {
            const int j2 = bank_.psi2[n2].j;
            if (j2 <= j1) continue;
            const int sub2 = local_ ? std::min(j2, g_.log2_stride) : j2;
            f(n2, std::max(sub2 - k1, 0));
        }
    }

    // z = ifft(subsample(u_hat * psi, 2^k)) of n / 2^k samples (wavelet_rows).
    template <class Filter>
    void wavelet(const complex_type* u_hat, const Filter& psi, std::size_t n, int k, complex_type* z) {
        wavelet_rows(w_, B_, u_hat, psi, n, k, c(product), z);
    }
    // Adds to grad_u_hat the cotangent of u_hat given that of z (grad_z,
    // overwritten), in `work`.
    template <class Filter>
    void wavelet_adjoint(complex_type* grad_z, const Filter& psi, std::size_t n, int k, complex_type* work,
                         complex_type* grad_u_hat) {
        w_.inverse_dft_adjoint(grad_z, work, B_, n >> k);
        w_.filter_subsample_adjoint(work, psi, B_, n, std::size_t{1} << k, grad_u_hat,
                                    Real(1) / static_cast<Real>(n >> k));
    }
    // The same for a value and its tangent.
    template <class Filter>
    void wavelet(const complex_type* u_hat, const complex_type* du_hat, const Filter& psi, std::size_t n, int k,
                 complex_type* z, complex_type* dz) {
        wavelet(u_hat, psi, n, k, z);
        wavelet(du_hat, psi, n, k, dz);
    }

    // U1 = |x * psi1_n1| into u (z1 and, when needed, u1_hat kept).
    std::pair<int, std::size_t> first_order(std::size_t n1, const complex_type* u0, Real* u) {
        const int k1 = subsampling1(n1);
        const std::size_t len1 = N_padded_ >> k1;
        wavelet(u0, ctx().psi1(n1, 0), N_padded_, k1, c(z1));
        w_.modulus(c(z1), u, B_, len1);
        if (local_ || max_order_ > 1) w_.rfft(u, c(u1_hat), B_, len1);
        return {k1, len1};
    }

    // U2 = |U1 * psi2_n2| into u2 (z2 kept); returns its length.
    std::size_t second_order(std::size_t n2, int k1, std::size_t len1, int k2) {
        wavelet(c(u1_hat), ctx().psi2(n2, k1), len1, k2, c(z2));
        w_.modulus(c(z2), r(u2), B_, len1 >> k2);
        return len1 >> k2;
    }

    // (signal of spectrum u_hat, n bins at level k) * phi, subsampled to the stride.
    coefficients average(const complex_type* u_hat, std::size_t n, int k) {
        const int k_J = std::max(g_.log2_stride - k, 0);
        lowpass_rows(w_, B_, u_hat, ctx().phi(k), n, k_J, c(product), r(tmp));
        return {r(tmp), n >> k_J, k + k_J};
    }

    // A channel from a signal u (n samples at level k) and its spectrum u_hat:
    // u_hat averaged by phi when averaging locally, u itself otherwise.
    void write_channel(const channel_destination<Real>& d, const complex_type* u_hat, const Real* u, std::size_t n,
                       int k) {
        if (local_)
            write(d, average(u_hat, n, k));
        else
            write(d, {u, n, k});
    }

    std::size_t output_length(int level) const {
        if (g_.average == averaging::mode::global) return 1;
        const auto l = static_cast<std::size_t>(level);
        return static_cast<std::size_t>(g_.ind_end[l] - g_.ind_start[l]);
    }

    // Unpadded to the signal's support, or summed over time (global).
    void write(const channel_destination<Real>& d, const coefficients& s) {
        if (g_.average == averaging::mode::global) {
            w_.sum(s.data, B_, s.n, d.data, d.batch_stride);
        } else {
            const auto l = static_cast<std::size_t>(s.level);
            w_.unpad(s.data, B_, s.n, static_cast<std::size_t>(g_.ind_start[l]), static_cast<std::size_t>(g_.ind_end[l]),
                     d.data, d.batch_stride);
        }
    }

    // Channel ch from s: its values, their cotangent, and the cotangent of
    // s's samples written to grad (s.n samples).
    template <class Cotangent>
    void emit_backward(std::size_t ch, const coefficients& s, bool with_values, Cotangent& cotangent, Real* grad) {
        const std::size_t L = output_length(s.level);
        if (with_values) write({r(values), L}, s);
        cotangent(w_, ch, with_values ? static_cast<const Real*>(r(values)) : nullptr, L, r(grad_values));
        if (g_.average == averaging::mode::global) {
            w_.sum_adjoint(r(grad_values), L, B_, s.n, grad);
        } else {
            const auto l = static_cast<std::size_t>(s.level);
            w_.unpad_adjoint(r(grad_values), L, B_, static_cast<std::size_t>(g_.ind_start[l]),
                             static_cast<std::size_t>(g_.ind_end[l]), s.n, grad);
        }
    }

    // Channel ch = average of u_hat (n bins at level k); adds the cotangent
    // of u_hat to grad_u_hat.
    template <class Cotangent>
    void average_backward(std::size_t ch, const complex_type* u_hat, std::size_t n, int k, bool with_values,
                          Cotangent& cotangent, complex_type* grad_u_hat) {
        const int k_J = std::max(g_.log2_stride - k, 0);
        const coefficients s = with_values ? average(u_hat, n, k) : coefficients{r(tmp), n >> k_J, k + k_J};
        emit_backward(ch, s, with_values, cotangent, r(tmp));
        w_.irfft_adjoint(r(tmp), c(product), B_, s.n);
        w_.filter_subsample_adjoint(c(product), ctx().phi(k), B_, n, std::size_t{1} << k_J, grad_u_hat, Real(1));
    }

    Workspace& w_;
    const scattering1d_geometry& g_;
    const filter_bank& bank_;
    int max_order_;
    std::size_t B_;
    std::size_t N_padded_;
    bool local_;
    std::vector<std::size_t> first_second_order_channel_;
};

}  // namespace wst::core
