// CPU backend over FFTW3: the primitives the scattering algorithm is written
// against (core.hpp), for a batch of B signals stored as B contiguous rows.
//
// Plans are made once per transform object (context) and shared, read-only,
// by every workspace; a workspace holds the buffers of one computation at a
// time, so concurrent calls each take their own.
#pragma once

#include "wst/backend/cpu_loops.hpp"
#include "wst/backend/device_kernels.hpp"
#include "wst/backend/fftw_plan.hpp"
#include "wst/backend/fftw_wisdom.hpp"
#include "wst/elementwise.hpp"
#include "wst/filter_bank.hpp"
#include "wst/parameters.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <bit>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace wst::backend {

struct fftw {
    static constexpr const char* name = "fftw";
    // The backend works in host memory: the frontend hands it the caller's
    // arrays as they are (no upload or download; `buffer` only names the
    // staging type, never made here).
    static constexpr bool host_memory = true;
    // Signals per walk by default: as many as keep a buffer of their
    // spectra (spectrum_bytes each) within 64 KiB, so that the rows a
    // primitive runs over stay in the core's cache from one step to the
    // next, and at most B / threads (rounded up), so that every thread has
    // a group. Short signals gain the most: the eeg configuration (2048
    // bins) walks 4 at a time, its forward 9% faster than one at a time; a
    // long signal walks alone (music's forward, 2^17 bins, ran 6% slower in
    // pairs). The results do not depend on it.
    static std::size_t signals_per_walk(std::size_t spectrum_bytes, std::size_t B, int threads) {
        const std::size_t fit = std::max<std::size_t>(1, (std::size_t{64} << 10) / std::max<std::size_t>(1, spectrum_bytes));
        const auto t = static_cast<std::size_t>(std::max(1, threads));
        return std::max<std::size_t>(1, std::min(fit, (B + t - 1) / t));
    }
    template <class T>
    using buffer = wst::fftw::aligned_buffer<T>;

    // Plans for every FFT length the transform uses (N_padded / 2^level, and
    // for joint scattering N_padded_fr / 2^level) and the filters converted
    // to Real.
    template <class Real>
    class context {
    public:
        using plan = wst::fftw::plan<Real>;

        using window = elementwise::filter_window<Real>;

        // psi1, psi2: per filter, its compact levels; phi: its compact levels;
        // frequency: the frequential filters (joint scattering); buffers:
        // the workspaces' buffer sizes.
        context(const std::vector<std::vector<compact_level>>& psi1, const std::vector<std::vector<compact_level>>& psi2,
                const std::vector<compact_level>& phi, std::size_t N_padded, planning rigor = planning::automatic,
                const frequency_axis& frequency = {}, const buffer_layout& buffers = {})
            : N_padded_(N_padded), pow2_padded_(std::has_single_bit(N_padded)), buffers_(buffers) {
            const planner_choice planner = planner_for(rigor);
            const unsigned flags = planner.flags;
            wst::fftw::load_cached_wisdom_once();
            // Lengths N_padded, N_padded / 2, ..., 1, then those of the n1 axis.
            std::vector<std::size_t> lengths;
            for (std::size_t l = 0; (N_padded >> l) >= 1; ++l) lengths.push_back(N_padded >> l);
            for (int l = 0; l < frequency.levels; ++l) lengths.push_back(frequency.N_padded_fr >> l);
            for (const std::size_t n : lengths) {
                if (slot_.count(n)) continue;
                slot_[n] = r2c_.size();
                longest_ = std::max(longest_, n);
                r2c_.push_back(std::make_unique<plan>(plan::kind::real_to_complex, n, flags, planner.time_limit));
                c2c_backward_.push_back(std::make_unique<plan>(plan::kind::complex_backward, n, flags, planner.time_limit));
                c2c_forward_.push_back(std::make_unique<plan>(plan::kind::complex_forward, n, flags, planner.time_limit));
                c2r_.push_back(std::make_unique<plan>(plan::kind::complex_to_real, n, flags, planner.time_limit));
            }
            auto convert = [](const std::vector<compact_level>& levels) {
                std::vector<stored> out;
                for (const auto& l : levels) out.push_back({std::vector<Real>(l.values.begin(), l.values.end()), l.start, l.n});
                return out;
            };
            phi_ = convert(phi);
            for (const auto& f : psi1) psi1_.push_back(convert(f));
            for (const auto& f : psi2) psi2_.push_back(convert(f));
            frequency_ = convert(frequency.filters);
            auto convert_matrices = [](const std::vector<dense_matrix>& matrices) {
                std::vector<stored_matrix> out;
                for (const auto& m : matrices) out.push_back({std::vector<Real>(m.values.begin(), m.values.end()), m.rows, m.cols});
                return out;
            };
            phi_F_averaging_ = convert_matrices(frequency.phi_F_averaging);
            selection_ = convert_matrices(frequency.selection);
            summation_ = convert_matrices(frequency.summation);
            mirrored_.assign(r2c_.size(), 0);
            auto note_mirrored = [&](const std::vector<stored>& levels) {
                for (const auto& level : levels) {
                    auto& m = mirrored_[slot_.at(level.n)];
                    m = std::max(m, elementwise::mirrored_bins(view(level)));
                }
            };
            note_mirrored(phi_);
            for (const auto& f : psi1_) note_mirrored(f);
            for (const auto& f : psi2_) note_mirrored(f);
            note_mirrored(frequency_);
            if (flags != FFTW_ESTIMATE) wst::fftw::save_cached_wisdom_if_new<Real>();
        }

        // FFTW's planner flags for a planning choice, and its time limit per
        // plan in seconds (negative: none). automatic follows
        // WST_FFTW_PLANNING; unset, it measures within 0.05 s per plan:
        // about 93% of a full measurement's gain (speech, float) for a
        // seventh of its first-run cost (2 s instead of 14 s for J 8, Q 12,
        // N 2^15), paid once per machine and size through the wisdom cache.
        struct planner_choice {
            unsigned flags;
            double time_limit;
        };
        static constexpr double automatic_time_limit = 0.05;
        static planner_choice planner_for(planning rigor) {
            double limit = -1.0;
            if (rigor == planning::automatic) {
                const char* v = std::getenv("WST_FFTW_PLANNING");
                const std::string value = v ? v : "";
                if (value.empty()) limit = automatic_time_limit;
                if (!value.empty() && value != "measure" && value != "estimate" && value != "patient")
                    wst::detail::reject("WST_FFTW_PLANNING", "'" + value + "'",
                                   "estimate, measure or patient (or unset: measure, 0.05 s per plan at most)");
                rigor = value == "estimate" ? planning::estimate : value == "patient" ? planning::patient : planning::measure;
            }
            const unsigned flags = rigor == planning::patient   ? FFTW_PATIENT
                                   : rigor == planning::measure ? FFTW_MEASURE
                                                                : FFTW_ESTIMATE;
            return {flags, flags == FFTW_ESTIMATE ? -1.0 : limit};
        }

        // The CPU has one memory: nothing to make current.
        void activate() const {}
        std::size_t N_padded() const { return N_padded_; }
        // The longest FFT length.
        std::size_t longest() const { return longest_; }
        // Values per signal of real buffer i and of complex buffer i.
        std::size_t real_size(std::size_t i) const { return buffers_.real.empty() ? N_padded_ : buffers_.real.at(i); }
        // (A layout sizes the slots it lists and leaves the others empty;
        // without one, every slot holds N_padded values.)
        std::size_t complex_size(std::size_t i) const {
            if (buffers_.complex.empty()) return N_padded_;
            return i < buffers_.complex.size() ? buffers_.complex[i] : 0;
        }
        const plan& r2c(std::size_t n) const { return *r2c_[slot(n)]; }
        const plan& c2c_backward(std::size_t n) const { return *c2c_backward_[slot(n)]; }
        const plan& c2c_forward(std::size_t n) const { return *c2c_forward_[slot(n)]; }
        const plan& c2r(std::size_t n) const { return *c2r_[slot(n)]; }
        // How many bins above n/2 the filters of length n read (the most of
        // elementwise::mirrored_bins over them).
        std::size_t mirrored_bins(std::size_t n) const { return mirrored_[slot(n)]; }
        window phi(int level) const { return view(phi_[static_cast<std::size_t>(level)]); }
        window psi1(std::size_t n1, int level) const { return view(psi1_[n1][static_cast<std::size_t>(level)]); }
        window psi2(std::size_t n2, int level) const { return view(psi2_[n2][static_cast<std::size_t>(level)]); }
        // Joint scattering: frequential filter n_fr.
        window frequency_filter(std::size_t n_fr) const { return view(frequency_[n_fr]); }
        // The reductions along n1 of rows at level k (frequency_axis).
        elementwise::matrix_view<Real> phi_F_averaging(int level) const { return view(phi_F_averaging_, level); }
        elementwise::matrix_view<Real> selection(int level) const { return view(selection_, level); }
        elementwise::matrix_view<Real> summation(int level) const { return view(summation_, level); }

    private:
        struct stored {
            std::vector<Real> values;
            std::size_t start, n;
        };
        struct stored_matrix {
            std::vector<Real> values;
            std::size_t rows, cols;
        };
        // The plans of length n: slot l for N_padded / 2^l (made first, in that
        // order: a shift, not a search, for the lengths the time axis
        // transforms several times per path), the map for the others.
        std::size_t slot(std::size_t n) const {
            // (n & (n - 1), not std::has_single_bit: without -mpopcnt that is a
            // library call, several per path.)
            if (n != 0 && (n & (n - 1)) == 0 && n <= N_padded_ && pow2_padded_)
                return static_cast<std::size_t>(std::countr_zero(N_padded_) - std::countr_zero(n));
            return slot_.at(n);
        }
        static window view(const stored& s) { return {s.values.data(), s.start, s.values.size(), s.n}; }
        static elementwise::matrix_view<Real> view(const std::vector<stored_matrix>& matrices, int level) {
            const auto& m = matrices[static_cast<std::size_t>(level)];
            return {m.values.data(), m.rows, m.cols};
        }

        std::size_t N_padded_;
        bool pow2_padded_;
        std::size_t longest_ = 0;
        buffer_layout buffers_;
        std::map<std::size_t, std::size_t> slot_;  // FFT length -> its plans
        std::vector<std::unique_ptr<plan>> r2c_, c2c_backward_, c2c_forward_, c2r_;
        std::vector<stored> phi_, frequency_;
        std::vector<std::vector<stored>> psi1_, psi2_;
        std::vector<stored_matrix> phi_F_averaging_, selection_, summation_;
        std::vector<std::size_t> mirrored_;
    };

    // Buffers for a batch of up to `capacity` signals, and the primitives.
    template <class Real>
    class workspace {
    public:
        using complex_type = std::complex<Real>;

        workspace(const context<Real>& ctx, std::size_t capacity)
            : ctx_(ctx), capacity_(capacity), scratch_(ctx.longest()) {
            for (std::size_t i = 0; i < real_buffers; ++i)
                real_[i] = wst::fftw::aligned_buffer<Real>(capacity * ctx.real_size(i));
            for (std::size_t i = 0; i < complex_buffers; ++i)
                complex_[i] = wst::fftw::aligned_buffer<complex_type>(capacity * ctx.complex_size(i));
        }

        const context<Real>& ctx() const { return ctx_; }
        std::size_t capacity() const { return capacity_; }

        // Buffers of capacity x ctx.real_size(i) (ctx.complex_size(i)) values
        // the algorithms work in: real_buffer(i) for i < real_buffers,
        // complex_buffer(i) for i < complex_buffers.
        static constexpr std::size_t real_buffers = 9, complex_buffers = 11;
        Real* real_buffer(std::size_t i) { return real_[i].data(); }
        complex_type* complex_buffer(std::size_t i) { return complex_[i].data(); }

        // out (B x n_padded) = reflection padding of x (B x N), as
        // elementwise::reflect_index maps it (pad_left and the right padding
        // at most N - 1): x reversed, x, x reversed, three loops the compiler
        // vectorizes.
        void pad(const Real* x, std::size_t B, std::size_t N, std::size_t pad_left, std::size_t n_padded,
                 Real* out) const {
            const std::size_t pad_right = n_padded - pad_left - N;
            for (std::size_t b = 0; b < B; ++b) {
                const Real* row = x + b * N;
                Real* o = out + b * n_padded;
                for (std::size_t t = 0; t < pad_left; ++t) o[t] = row[pad_left - t];
                std::copy(row, row + N, o + pad_left);
                for (std::size_t t = 0; t < pad_right; ++t) o[pad_left + N + t] = row[N - 2 - t];
            }
        }

        // Spectrum of each real row of length n, in rows of n bins: bins
        // 0..n/2 from the real-to-complex FFT, and the bins above n/2 that
        // the filters read (ctx.mirrored_bins(n), usually a small part: the
        // negative frequencies of phi and of the low wavelets) by Hermitian
        // symmetry; the other bins are left as they were.
        void rfft(const Real* in, complex_type* out, std::size_t B, std::size_t n) const {
            const auto& p = ctx_.r2c(n);
            const std::size_t mirrored = ctx_.mirrored_bins(n);
            for (std::size_t b = 0; b < B; ++b) {
                p.r2c(in + b * n, out + b * n);
                fill_mirrored(out + b * n, n, n - mirrored);
            }
        }

        // Inverse DFT without the 1/n (folded by the caller into
        // filter_subsample), row by row: out[t] = sum_k in[k] e^{+2 pi i k t / n}.
        void inverse_dft(const complex_type* in, complex_type* out, std::size_t B, std::size_t n) const {
            const auto& p = ctx_.c2c_backward(n);
            for (std::size_t b = 0; b < B; ++b) p.c2c(in + b * n, out + b * n);
        }

        // Forward DFT of complex rows, unnormalized: out[k] = sum_t in[t] e^{-2 pi i k t / n}.
        void dft(const complex_type* in, complex_type* out, std::size_t B, std::size_t n) const {
            const auto& p = ctx_.c2c_forward(n);
            for (std::size_t b = 0; b < B; ++b) p.c2c(in + b * n, out + b * n);
        }

        // For each of B planes, out (out_rows x out_cols) = the transpose of
        // in (in_rows x in_cols), zero where it has no entry:
        // out[i][j] = in[j][i] for j < in_rows and i < in_cols, else 0. It
        // pads with zero rows or drops rows, so its adjoint is itself with
        // the shapes exchanged. Blocks of 16 x 16 keep both sides in cache.
        template <class T>
        void transpose(const T* in, std::size_t B, std::size_t in_rows, std::size_t in_cols, T* out,
                       std::size_t out_rows, std::size_t out_cols) const {
            constexpr std::size_t tile = 16;
            const std::size_t rows = std::min(out_rows, in_cols), cols = std::min(out_cols, in_rows);
            for (std::size_t b = 0; b < B; ++b) {
                const T* src = in + b * in_rows * in_cols;
                T* dst = out + b * out_rows * out_cols;
                for (std::size_t i0 = 0; i0 < rows; i0 += tile)
                    for (std::size_t j0 = 0; j0 < cols; j0 += tile)
                        for (std::size_t i = i0; i < std::min(i0 + tile, rows); ++i)
                            for (std::size_t j = j0; j < std::min(j0 + tile, cols); ++j)
                                dst[i * out_cols + j] = src[j * in_cols + i];
                for (std::size_t i = 0; i < rows; ++i) std::fill(dst + i * out_cols + cols, dst + (i + 1) * out_cols, T(0));
                std::fill(dst + rows * out_cols, dst + out_rows * out_cols, T(0));
            }
        }

        // out (rows x count, rows out_stride apart) = the first rows rows of M
        // (rows <= M.rows, M.cols = n) times the count rows of n values of in
        // transposed: out[r][t] = sum_i M[r][i] in[t][i]. A matrix along the
        // rows, then time-last, in one product (Eigen's, whose sums run in
        // an order fixed by the shapes alone).
        void project_rows(const Real* in, std::size_t count, std::size_t n, const elementwise::matrix_view<Real>& M,
                          std::size_t rows, Real* out, std::size_t out_stride) const {
            const column_major block(in, static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(count));
            strided result(out, static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(count),
                           Eigen::OuterStride<>(static_cast<Eigen::Index>(out_stride)));
            result.noalias() = rows_of(M, rows) * block;
        }

        // Its adjoint: grad_in[t][i] = sum_r M[r][i] grad_out[r][t] (rows of
        // grad_out grad_stride apart), for t < count.
        void project_rows_adjoint(const Real* grad_out, std::size_t grad_stride, std::size_t count, std::size_t n,
                                  const elementwise::matrix_view<Real>& M, std::size_t rows, Real* grad_in) const {
            const const_strided g(grad_out, static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(count),
                                  Eigen::OuterStride<>(static_cast<Eigen::Index>(grad_stride)));
            row_major result(grad_in, static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(n));
            result.noalias() = g.transpose() * rows_of(M, rows);
        }

        // Rows of row_bytes per chunk of the joint walk's per-row work: about
        // 64 KiB, so that a chunk's filter product, FFTs and modulus stay in
        // the core's cache between steps.
        static std::size_t chunk_rows(std::size_t row_bytes) {
            return std::max<std::size_t>(1, (std::size_t{64} << 10) / std::max<std::size_t>(1, row_bytes));
        }

        // Real part of the normalized inverse FFT, row by row.
        void irfft(const complex_type* in, Real* out, std::size_t B, std::size_t n) const {
            real_part_of_inverse_dft(in, out, B, n, Real(1) / static_cast<Real>(n));
        }

        // out (B x n/k) = scale * subsample_fourier(in * filter, k) for the
        // spectra rfft() gives; scale is a power of two (see
        // elementwise::filter_and_subsample). This and the other loops of
        // cpu_loops.hpp are vectorized at -O2 as at -O3.
        void filter_subsample(const complex_type* in, const elementwise::filter_window<Real>& filter, std::size_t B,
                              std::size_t n, std::size_t k, complex_type* out, Real scale) const {
            cpu_loops::filter_subsample(reinterpret_cast<const Real*>(in), filter, B, n, k, reinterpret_cast<Real*>(out),
                                        scale);
        }

        // |z| as elementwise::modulus computes it (cpu_loops::modulus).
        void modulus(const complex_type* in, Real* out, std::size_t B, std::size_t n) const {
            cpu_loops::modulus(reinterpret_cast<const Real*>(in), out, B * n);
        }

        // dst[b * dst_stride + t] = in[b * n + start + t] for t < end - start.
        void unpad(const Real* in, std::size_t B, std::size_t n, std::size_t start, std::size_t end, Real* dst,
                   std::size_t dst_stride) const {
            for (std::size_t b = 0; b < B; ++b) std::copy(in + b * n + start, in + b * n + end, dst + b * dst_stride);
        }

        // dst[b * dst_stride] = sum of row b (Kymatio's average_global).
        void sum(const Real* in, std::size_t B, std::size_t n, Real* dst, std::size_t dst_stride) const {
            for (std::size_t b = 0; b < B; ++b) {
                Real s = 0;
                for (std::size_t t = 0; t < n; ++t) s += in[b * n + t];
                dst[b * dst_stride] = s;
            }
        }

        // du = d|z| along dz.
        void modulus_tangent(const complex_type* z, const complex_type* dz, Real* du, std::size_t B,
                             std::size_t n) const {
            const elementwise::modulus_tangent<Real> op;
            for (std::size_t i = 0; i < B * n; ++i)
                du[i] = op(reinterpret_cast<const Real*>(z), reinterpret_cast<const Real*>(dz), i);
        }

        // --- adjoints (vector-Jacobian products) of the primitives above ---

        // Adjoint of pad: g_x[i] = sum of g_pad[t] over the t that copy x[i].
        void pad_adjoint(const Real* g_pad, std::size_t B, std::size_t N, std::size_t pad_left, std::size_t n_padded,
                         Real* g_x) const {
            for (std::size_t i = 0; i < B * N; ++i) g_x[i] = 0;
            for (std::size_t b = 0; b < B; ++b)
                for (std::size_t t = 0; t < n_padded; ++t)
                    g_x[b * N + static_cast<std::size_t>(elementwise::reflect_index(
                                    static_cast<std::ptrdiff_t>(t), static_cast<std::ptrdiff_t>(pad_left),
                                    static_cast<std::ptrdiff_t>(N)))] += g_pad[b * n_padded + t];
        }

        // Adjoint of rfft (R^n -> C^n): g[t] = Re(sum_k G[k] e^{+2 pi i k t / n}),
        // the real part of the unnormalized inverse DFT.
        void rfft_adjoint(const complex_type* G, Real* g, std::size_t B, std::size_t n) const {
            real_part_of_inverse_dft(G, g, B, n, Real(1));
        }

        // Adjoint of inverse_dft: its conjugate transpose, the forward DFT
        // G_X[k] = sum_t G_y[t] e^{-2 pi i k t / n}.
        void inverse_dft_adjoint(const complex_type* G_y, complex_type* G_X, std::size_t B, std::size_t n) const {
            dft(G_y, G_X, B, n);
        }

        // Adjoint of irfft (real part of ifft): G_X = fft(g) / n for real g.
        // All n bins: filter_subsample_adjoint reads every one.
        void irfft_adjoint(const Real* g, complex_type* G_X, std::size_t B, std::size_t n) const {
            const auto& p = ctx_.r2c(n);
            const Real scale = Real(1) / static_cast<Real>(n);
            for (std::size_t b = 0; b < B; ++b) {
                complex_type* row = G_X + b * n;
                p.r2c(g + b * n, row);
                for (std::size_t k = 0; k <= n / 2; ++k) row[k] *= scale;
                fill_mirrored(row, n, n / 2 + 1);
            }
        }

        // G_in (B x n) += adjoint of filter_subsample (same scale) applied to G_out (B x n/k).
        void filter_subsample_adjoint(const complex_type* G_out, const elementwise::filter_window<Real>& filter,
                                      std::size_t B, std::size_t n, std::size_t k, complex_type* G_in,
                                      Real scale) const {
            cpu_loops::filter_subsample_adjoint(reinterpret_cast<const Real*>(G_out), filter, B, n, k,
                                                reinterpret_cast<Real*>(G_in), scale);
        }

        // G_z = g z / |z| (0 where z = 0), given |z| as modulus() computed it.
        void modulus_adjoint(const complex_type* z, const Real* abs_z, const Real* g, complex_type* G_z, std::size_t B,
                             std::size_t n) const {
            cpu_loops::modulus_adjoint(reinterpret_cast<const Real*>(z), abs_z, g, reinterpret_cast<Real*>(G_z), B * n);
        }

        // Adjoint of unpad: the cotangent in [start, end) of each row, 0 elsewhere.
        void unpad_adjoint(const Real* g, std::size_t g_stride, std::size_t B, std::size_t start, std::size_t end,
                           std::size_t n, Real* out) const {
            for (std::size_t b = 0; b < B; ++b)
                for (std::size_t t = 0; t < n; ++t)
                    out[b * n + t] = (t >= start && t < end) ? g[b * g_stride + (t - start)] : Real(0);
        }

        // Adjoint of sum: every sample of row b receives g[b].
        void sum_adjoint(const Real* g, std::size_t g_stride, std::size_t B, std::size_t n, Real* out) const {
            for (std::size_t b = 0; b < B; ++b)
                for (std::size_t t = 0; t < n; ++t) out[b * n + t] = g[b * g_stride];
        }

        template <class T>
        void zero(T* data, std::size_t count) const {
            for (std::size_t i = 0; i < count; ++i) data[i] = T(0);
        }

        void add(const Real* in, Real* inout, std::size_t count) const {
            for (std::size_t i = 0; i < count; ++i) inout[i] += in[i];
        }

        void copy(const Real* in, Real* out, std::size_t count) const { std::copy(in, in + count, out); }

        // rows x L values, rows src_stride and dst_stride apart.
        void copy_rows(const Real* src, std::size_t src_stride, Real* dst, std::size_t dst_stride, std::size_t rows,
                       std::size_t L) const {
            for (std::size_t r = 0; r < rows; ++r) std::copy(src + r * src_stride, src + r * src_stride + L, dst + r * dst_stride);
        }

        // The work queued so far is done (the CPU does it at once).
        void synchronize() const {}

        // The loss terms of a channel's rows x L coefficients S against their
        // target (rows target_stride apart): the cotangents, and {sum |d|, sum
        // d^2} per row at sums + r * sums_stride: the device backend's row
        // function, one row after the other.
        void loss_rows(const elementwise::loss_term<Real>& term, const Real* S, const Real* target,
                       std::size_t target_stride, std::size_t rows, std::size_t L, Real* cotangent, double* sums,
                       std::size_t sums_stride) const {
            const device_kernels::loss_rows<Real> row{term, S, target, target_stride, L, cotangent, sums, sums_stride};
            for (std::size_t r = 0; r < rows; ++r) row(r);
        }

    private:
        using matrix = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        using row_major = Eigen::Map<matrix>;
        using const_row_major = Eigen::Map<const matrix>;
        using column_major = Eigen::Map<const Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>>;
        using strided = Eigen::Map<matrix, 0, Eigen::OuterStride<>>;
        using const_strided = Eigen::Map<const matrix, 0, Eigen::OuterStride<>>;
        static const_row_major rows_of(const elementwise::matrix_view<Real>& M, std::size_t rows) {
            return const_row_major(M.values, static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(M.cols));
        }

        static void fill_mirrored(complex_type* row, std::size_t n, std::size_t first) {
            cpu_loops::fill_mirrored(reinterpret_cast<Real*>(row), n, first);
        }

        // out[t] = scale Re(sum_k X[k] e^{+2 pi i k t / n}) per row. The real part
        // of a sum over all bins is the complex-to-real transform of the
        // Hermitian part H[k] = (X[k] + conj(X[n - k])) / 2, half the cost of
        // a complex transform.
        void real_part_of_inverse_dft(const complex_type* X, Real* out, std::size_t B, std::size_t n, Real scale) const {
            complex_type* h = scratch_.data();
            for (std::size_t b = 0; b < B; ++b) {
                const complex_type* x = X + b * n;
                if (n == 1) {
                    out[b] = x[0].real() * scale;
                    continue;
                }
                for (std::size_t k = 0; k <= n / 2; ++k)
                    elementwise::hermitian_part_at(reinterpret_cast<const Real*>(x), n, k, scale, reinterpret_cast<Real*>(h));
                ctx_.c2r(n).c2r(h, out + b * n);
            }
        }

        const context<Real>& ctx_;
        std::size_t capacity_;
        wst::fftw::aligned_buffer<Real> real_[real_buffers];
        wst::fftw::aligned_buffer<complex_type> complex_[complex_buffers];
        mutable wst::fftw::aligned_buffer<complex_type> scratch_;
    };
};

}  // namespace wst::backend
