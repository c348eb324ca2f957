// The device backend's kernels as functions of one index: the work of one
// device thread (an element, or a whole row where a row is summed), written
// once with the element-wise functions of elementwise.hpp. cuda.cuh runs them
// in CUDA kernels, the CPU tests in host loops over the same launch
// (tests/emulated_device.hpp). Arrays are interleaved (re, im) where complex;
// rows are contiguous, row b of a batch starting b rows in.
#pragma once

#include "wst/elementwise.hpp"

#include <cstddef>

namespace wst::device_kernels {

// Index e of B x n elements: row e / n, column e % n.
struct row_column {
    std::size_t row, column;
    WST_HOST_DEVICE row_column(std::size_t e, std::size_t n) : row(e / n), column(e % n) {}
};

// out (B x n_padded) = reflection padding of x (B x N).
template <class Real>
struct pad {
    const Real* x;
    std::size_t N, pad_left, n_padded;
    Real* out;
    WST_HOST_DEVICE void operator()(std::size_t e) const {
        const row_column at(e, n_padded);
        out[e] = x[at.row * N + static_cast<std::size_t>(elementwise::reflect_index(static_cast<std::ptrdiff_t>(at.column),
                                                                                    static_cast<std::ptrdiff_t>(pad_left),
                                                                                    static_cast<std::ptrdiff_t>(N)))];
    }
};

// g_x (B x N) = adjoint of the padding applied to g_pad (B x n_padded).
template <class Real>
struct pad_adjoint {
    const Real* g_pad;
    std::size_t N, pad_left, n_padded;
    Real* g_x;
    WST_HOST_DEVICE void operator()(std::size_t e) const {
        const row_column at(e, N);
        g_x[e] = elementwise::pad_adjoint_at(g_pad + at.row * n_padded, static_cast<std::ptrdiff_t>(N),
                                             static_cast<std::ptrdiff_t>(pad_left), static_cast<std::ptrdiff_t>(n_padded),
                                             static_cast<std::ptrdiff_t>(at.column));
    }
};

// Output bin e of B x n_out: elementwise::filter_and_subsample_at.
template <class Real>
struct filter_subsample {
    const Real* in;
    elementwise::filter_window<Real> f;
    std::size_t n, n_out;
    Real factor;
    Real* out;
    WST_HOST_DEVICE void operator()(std::size_t e) const {
        const row_column at(e, n_out);
        elementwise::filter_and_subsample_at(in + 2 * at.row * n, f, n_out, factor, at.column, out + 2 * at.row * n_out);
    }
};

// Window entry e of B x f.length: elementwise::filter_and_subsample_adjoint_at.
template <class Real>
struct filter_subsample_adjoint {
    const Real* grad_out;
    elementwise::filter_window<Real> f;
    std::size_t n, n_out;
    Real factor;
    Real* grad_in;
    WST_HOST_DEVICE void operator()(std::size_t e) const {
        const row_column at(e, f.length);
        elementwise::filter_and_subsample_adjoint_at(grad_out + 2 * at.row * n_out, f, n_out, factor, at.column,
                                                     grad_in + 2 * at.row * n);
    }
};

template <class Real>
struct modulus {
    const Real* z;
    Real* out;
    WST_HOST_DEVICE void operator()(std::size_t i) const { out[i] = elementwise::modulus<Real>()(z, i); }
};

template <class Real>
struct modulus_adjoint {
    const Real* z;
    const Real* abs_z;
    const Real* g;
    Real* grad_z;
    WST_HOST_DEVICE void operator()(std::size_t i) const { elementwise::modulus_adjoint<Real>()(z, g, abs_z[i], i, grad_z); }
};

template <class Real>
struct modulus_tangent {
    const Real* z;
    const Real* dz;
    Real* du;
    WST_HOST_DEVICE void operator()(std::size_t i) const { du[i] = elementwise::modulus_tangent<Real>()(z, dz, i); }
};

// Bin e of B x (n/2 + 1): the Hermitian part of each row of X (n bins), times
// scale, into rows of n/2 + 1 bins.
template <class Real>
struct hermitian_part {
    const Real* X;
    std::size_t n;
    Real scale;
    Real* h;
    WST_HOST_DEVICE void operator()(std::size_t e) const {
        const std::size_t half = n / 2 + 1;
        const row_column at(e, half);
        elementwise::hermitian_part_at(X + 2 * at.row * n, n, at.column, scale, h + 2 * at.row * half);
    }
};

// Row b of rows of one sample: the real part of its only bin, times scale.
template <class Real>
struct real_part_scaled {
    const Real* X;
    Real scale;
    Real* out;
    WST_HOST_DEVICE void operator()(std::size_t b) const { out[b] = X[2 * b] * scale; }
};

// Bin e of B x (n/2 + 1) of rows of n bins, times scale.
template <class Real>
struct scale_half {
    Real* X;
    std::size_t n;
    Real scale;
    WST_HOST_DEVICE void operator()(std::size_t e) const {
        const row_column at(e, n / 2 + 1);
        Real* bin = X + 2 * (at.row * n + at.column);
        bin[0] *= scale;
        bin[1] *= scale;
    }
};

// Bin n/2 + 1 + e % (n - n/2 - 1) of row e / (n - n/2 - 1), filled by
// Hermitian symmetry from the bins below.
template <class Real>
struct extend {
    Real* X;
    std::size_t n;
    WST_HOST_DEVICE void operator()(std::size_t e) const {
        const row_column at(e, n - (n / 2 + 1));
        elementwise::hermitian_extend<Real>()(X + 2 * at.row * n, n, n / 2 + 1 + at.column);
    }
};

// Row b of rows of one real sample, as a complex bin.
template <class Real>
struct real_to_complex_rows_of_one {
    const Real* in;
    Real* out;
    WST_HOST_DEVICE void operator()(std::size_t b) const {
        out[2 * b] = in[b];
        out[2 * b + 1] = 0;
    }
};

template <class Real>
struct unpad {
    const Real* in;
    std::size_t n, start, end;
    Real* dst;
    std::size_t dst_stride;
    WST_HOST_DEVICE void operator()(std::size_t e) const {
        const row_column at(e, end - start);
        dst[at.row * dst_stride + at.column] = in[at.row * n + start + at.column];
    }
};

template <class Real>
struct unpad_adjoint {
    const Real* g;
    std::size_t g_stride, start, end, n;
    Real* out;
    WST_HOST_DEVICE void operator()(std::size_t e) const {
        const row_column at(e, n);
        out[e] = (at.column >= start && at.column < end) ? g[at.row * g_stride + (at.column - start)] : Real(0);
    }
};

// Element e of B planes of out_rows x out_cols, each element `parts` reals
// (1: real, 2: interleaved complex): out[i][j] = in[j][i] for j < in_rows
// and i < in_cols, else 0, where in holds B planes of in_rows x in_cols. One
// thread per output element, so every output element, padding included, is
// written once.
template <class Real, std::size_t parts>
struct transpose {
    const Real* in;
    std::size_t in_rows, in_cols;
    Real* out;
    std::size_t out_rows, out_cols;
    WST_HOST_DEVICE void operator()(std::size_t e) const {
        const row_column plane(e, out_rows * out_cols), at(plane.column, out_cols);
        Real* dst = out + parts * e;
        if (at.row >= in_cols || at.column >= in_rows) {
            for (std::size_t p = 0; p < parts; ++p) dst[p] = Real(0);
            return;
        }
        const Real* src = in + parts * ((plane.row * in_rows + at.column) * in_cols + at.row);
        for (std::size_t p = 0; p < parts; ++p) dst[p] = src[p];
    }
};

// Output value e of rows x count: out[r * out_stride + t] = sum_i M[r][i]
// in[t][i], the sum in order of i (the averaging along n1 by a matrix, to
// time-last; the CPU backend's project_rows).
template <class Real>
struct project_rows {
    const Real* in;
    elementwise::matrix_view<Real> M;
    std::size_t count;
    Real* out;
    std::size_t out_stride;
    WST_HOST_DEVICE void operator()(std::size_t e) const {
        const row_column at(e, count);
        const Real* u = in + at.column * M.cols;
        const Real* m = M.values + at.row * M.cols;
        Real s = 0;
        for (std::size_t i = 0; i < M.cols; ++i) s += m[i] * u[i];
        out[at.row * out_stride + at.column] = s;
    }
};

// Its adjoint, value e of count x n: grad_in[t][i] = sum_r M[r][i]
// grad_out[r * grad_stride + t], the sum in order of r.
template <class Real>
struct project_rows_adjoint {
    const Real* grad_out;
    std::size_t grad_stride;
    elementwise::matrix_view<Real> M;
    std::size_t rows;
    Real* grad_in;
    WST_HOST_DEVICE void operator()(std::size_t e) const {
        const row_column at(e, M.cols);
        Real s = 0;
        for (std::size_t r = 0; r < rows; ++r) s += M.values[r * M.cols + at.column] * grad_out[r * grad_stride + at.row];
        grad_in[e] = s;
    }
};

// Row b's sum over its n samples, in order (the CPU backend's order: the
// same bits).
template <class Real>
struct row_sum {
    const Real* in;
    std::size_t n;
    Real* dst;
    std::size_t dst_stride;
    WST_HOST_DEVICE void operator()(std::size_t b) const {
        Real s = 0;
        for (std::size_t t = 0; t < n; ++t) s += in[b * n + t];
        dst[b * dst_stride] = s;
    }
};

template <class Real>
struct broadcast_rows {
    const Real* g;
    std::size_t g_stride, n;
    Real* out;
    WST_HOST_DEVICE void operator()(std::size_t e) const { out[e] = g[(e / n) * g_stride]; }
};

template <class Real>
struct add {
    const Real* in;
    Real* inout;
    WST_HOST_DEVICE void operator()(std::size_t i) const { inout[i] += in[i]; }
};

// Element e of rows x L: dst row r = src row r (row strides of their own).
template <class Real>
struct copy_rows {
    const Real* src;
    std::size_t src_stride;
    Real* dst;
    std::size_t dst_stride, L;
    WST_HOST_DEVICE void operator()(std::size_t e) const {
        const row_column at(e, L);
        dst[at.row * dst_stride + at.column] = src[at.row * src_stride + at.column];
    }
};

// Row r of a channel's coefficients S (rows of L, stride L) against its
// target (rows target_stride apart): the cotangents, in order, and {sum |d|,
// sum d^2} in double at sums + r * sums_stride (the CPU backend's loop: the
// same bits).
template <class Real>
struct loss_rows {
    elementwise::loss_term<Real> term;
    const Real* S;
    const Real* target;
    std::size_t target_stride, L;
    Real* cotangent;
    double* sums;
    std::size_t sums_stride;
    WST_HOST_DEVICE void operator()(std::size_t r) const {
        double abs_sum = 0, square_sum = 0;
        for (std::size_t t = 0; t < L; ++t)
            cotangent[r * L + t] = term(S[r * L + t], target[r * target_stride + t], abs_sum, square_sum);
        sums[r * sums_stride] = abs_sum;
        sums[r * sums_stride + 1] = square_sum;
    }
};

}  // namespace wst::device_kernels
