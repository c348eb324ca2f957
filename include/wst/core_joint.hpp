// Joint time-frequency scattering, written once against the backend
// primitives core.hpp's walk uses (Kymatio 0.4's
// core/timefrequency_scattering.py), plus a forward DFT and a transpose:
//
//   order 0: x * phi;
//   first order in time, width first: U1[n1] = |x * psi1_n1| for every n1,
//            kept as spectra, and S1[n1] = U1[n1] * phi;
//   order 1: |S1 *_fr psi_fr| over n1, for psi_fr = phi_fr (spin 0) and the
//            spin +1 wavelets, then *_fr phi_F for spin != 0;
//   order 2: for each psi2, Y2[n1] = U1[n1] * psi2 for the n1 with j1 < j2
//            (complex), |Y2 *_fr psi_fr| for every frequential filter, then
//            * phi in time and *_fr phi_F for spin != 0.
//
// The (time, n1) planes are stored n1-last, one row of N_padded_fr values
// per time sample (zero from n1_max on), so that the convolutions along n1
// are the backend's row primitives over B x time rows; each path's
// reduction along n1 (phi_F's average, the sum, or the rows kept) is one
// matrix product that also brings its rows back time-last, for the
// averaging in time and the output. The averaging along n1 comes before the
// averaging in time (Kymatio's order is the other): both are linear and
// separable, and the rows to average in time are then fewer. The results
// agree to rounding. A plane's per-row work runs in cache-sized chunks of
// rows, every path of the plane within a chunk, on the walk's threads.
#pragma once

#include "wst/core.hpp"
#include "wst/elementwise.hpp"
#include "wst/jtfs_paths.hpp"

#include <algorithm>
#include <cstddef>
#include <functional>
#include <vector>

namespace wst::core {

// Buffers of the joint walk by role (sizes per signal: joint_walk::buffers).
// y, product, rows_hat, plane and averaged also hold the workers' chunk
// scratch (Y, its filter product, the cotangent of Y, |Y| and its
// cotangent); transposed and tmp the rows of a plane's paths and their
// cotangents.
namespace joint {
enum real_slot : std::size_t { x_pad = 0, u1, s1, tmp, plane, averaged, transposed, time_averaged, spare };
enum complex_slot : std::size_t { u0_hat = 0, product, z1, u1_hat, z2, x_plane, x_hat, y, rows_hat, spare_c, kept };
}  // namespace joint

// How the walk runs its chunks of rows: body(worker, i) for i < count, in
// any order and on any threads, worker < the walk's workers naming the
// thread (each chunk writes rows of its own; a worker's scratch is its own).
using chunk_body = std::function<void(std::size_t worker, std::size_t i)>;
using chunk_runner = std::function<void(std::size_t count, const chunk_body& body)>;

inline void run_chunks_in_order(std::size_t count, const chunk_body& body) {
    for (std::size_t i = 0; i < count; ++i) body(0, i);
}

template <class Workspace, class Real>
class joint_walk {
public:
    using complex_type = typename Workspace::complex_type;

    // run_chunks: how the per-row work of a plane's paths (the filter along
    // n1, the modulus, the reduction along n1 and their adjoints) runs its
    // chunks of rows, on at most `workers` threads (the buffers hold that
    // many chunks' scratch: buffers(..., workers)). The primitives a chunk
    // calls (filter_subsample, dft, inverse_dft, modulus, project_rows and
    // their adjoints) are safe to call at once on distinct rows; irfft and
    // rfft_adjoint are not (the CPU backend's shared scratch), and no chunk
    // calls them.
    //
    // kept_values: the values per signal of the kept slot (buffers' kept
    // argument): the fused loss keeps the Y of a plane's paths there from
    // its values to its adjoints when they fit, instead of computing them
    // again (the same bits either way).
    joint_walk(Workspace& w, const jtfs_geometry& g, const filter_bank& bank, const std::vector<joint_path>& paths,
               jtfs_format format, std::size_t B, chunk_runner run_chunks = run_chunks_in_order,
               std::size_t kept_values = 0)
        : w_(w), g_(g), bank_(bank), paths_(paths), format_(format), B_(B), Np_(static_cast<std::size_t>(g.time.N_padded)),
          N_fr_(static_cast<std::size_t>(g.N_padded_fr)), local_(g.time.average == averaging::mode::local),
          scratch_stride_(scratch_stride(g, paths)), kept_values_(B * kept_values), run_chunks_(std::move(run_chunks)) {}

    // The values per signal of the Y of every plane's paths that fit in
    // `budget` values (a plane holds order 1's paths, or one psi2's): the
    // size of the kept slot, 0 where no plane fits.
    static std::size_t kept_values(const jtfs_geometry& g, const std::vector<joint_path>& paths, std::size_t budget) {
        std::size_t kept = 0;
        for (std::size_t first = 0, last = 0; first < paths.size(); first = last) {
            std::size_t values = 0;
            for (last = first; last < paths.size() && same_plane(paths[last], paths[first]); ++last)
                values += kept_path_values(g, paths[last], 1);
            if (values <= budget) kept = std::max(kept, values);
        }
        return kept;
    }

    // Values per signal of every buffer, for these parameters and up to
    // `workers` threads over the chunks of rows.
    static buffer_layout buffers(const jtfs_geometry& g, const filter_bank& bank, const std::vector<joint_path>& paths,
                                 std::size_t workers = 1, std::size_t kept = 0) {
        const auto Np = static_cast<std::size_t>(g.time.N_padded), N_fr = static_cast<std::size_t>(g.N_padded_fr);
        const bool local = g.time.average == averaging::mode::local;
        const std::size_t t1 = Np >> g.time.log2_stride;
        std::size_t spectra = 0, z2 = 0, plane = t1 * N_fr;
        for (const auto& psi1 : bank.psi1) spectra += Np >> (local ? std::min(psi1.j, g.time.log2_stride) : psi1.j);
        // The rows of a plane's paths before the averaging in time (all of
        // them, and the most of one path).
        std::size_t group = 0, group_rows = 0, path_rows = 0;
        for (std::size_t p = 0; p < paths.size(); ++p) {
            const std::size_t len = paths[p].order == 1 ? t1 : Np >> second_order_level(g, paths[p].j2);
            if (p > 0 && paths[p].n2 != paths[p - 1].n2) group_rows = 0;
            group_rows += paths[p].rows * len;
            group = std::max(group, group_rows);
            path_rows = std::max(path_rows, paths[p].rows * len);
            if (paths[p].order != 2) continue;
            z2 = std::max(z2, paths[p].n1_max * len);
            plane = std::max(plane, len * N_fr);
        }
        const std::size_t scratch = workers * scratch_stride(g, paths);
        // The reverse mode reuses the slots (see vjp): z1 the cotangents of
        // every U1's spectrum, u1 and spare the values and cotangents of a
        // path's output rows, tmp those of the plane's paths.
        std::size_t output_rows = 1;
        for (const auto& p : paths) output_rows = std::max(output_rows, p.rows);
        const std::size_t L = g.time.average == averaging::mode::global
                                  ? 1
                                  : static_cast<std::size_t>(g.time.ind_end[static_cast<std::size_t>(g.time.log2_stride)] -
                                                             g.time.ind_start[static_cast<std::size_t>(g.time.log2_stride)]);
        const std::size_t rows_out = std::max(Np, output_rows * L), grouped = std::max(Np, group);
        const std::size_t work = std::max({Np, scratch, path_rows});
        return {{Np, rows_out, bank.psi1.size() * t1, grouped, std::max({Np, plane, scratch}), std::max(Np, scratch), grouped,
                 std::max(Np, output_rows * t1), rows_out},
                {Np, work, std::max(Np, spectra), spectra, std::max<std::size_t>(z2, 1), std::max(Np, plane),
                 std::max(Np, plane), scratch, work, plane, kept}};
    }

    // Samples per output row.
    std::size_t output_length() const {
        if (g_.time.average == averaging::mode::global) return 1;
        const auto l = static_cast<std::size_t>(g_.time.log2_stride);
        return static_cast<std::size_t>(g_.time.ind_end[l] - g_.time.ind_start[l]);
    }

    // The array output of B signals x (B x N) to out, signal b's rows at
    // out + b * out_stride, output_length() values each: format time, the
    // channels (order 0 first); format joint, path p's rows from p * rows.
    void forward(const Real* x, Real* out, std::size_t out_stride) {
        w_.pad(x, B_, N(), static_cast<std::size_t>(g_.time.pad_left), Np_, r(joint::x_pad));
        w_.rfft(r(joint::x_pad), c(joint::u0_hat), B_, Np_);
        if (format_ == jtfs_format::time) {
            if (local_) {
                lowpass_rows(w_, B_, c(joint::u0_hat), ctx().phi(0), Np_, g_.time.log2_stride, c(joint::product),
                             r(joint::tmp));
                write_rows(r(joint::tmp), 1, Np_ >> g_.time.log2_stride, out, 0, out_stride);
            } else {
                write_rows(r(joint::x_pad), 1, Np_, out, 0, out_stride);
            }
        }
        first_order();
        // Order 1: the column of S1 (n1 x B x t1) as B x t1 rows along n1.
        const std::size_t t1 = Np_ >> g_.time.log2_stride, n1_count = bank_.psi1.size();
        w_.transpose(r(joint::s1), 1, n1_count, B_ * t1, r(joint::plane), B_ * t1, N_fr_);
        w_.rfft(r(joint::plane), c(joint::x_hat), B_ * t1, N_fr_);
        std::size_t p = 0;
        while (p < paths_.size() && paths_[p].order == 1) ++p;
        plane_paths(0, p, t1);
        write_plane(0, p, t1, out, out_stride);
        // Order 2, psi2 by psi2: the column of Y2 (n1_max x B x len2) as rows along n1.
        while (p < paths_.size()) {
            const std::size_t first = p, len2 = second_order_plane(paths_[first]);
            while (p < paths_.size() && paths_[p].n2 == paths_[first].n2) ++p;
            plane_paths(first, p, len2);
            write_plane(first, p, len2, out, out_stride);
        }
    }

    // --- reverse mode ------------------------------------------------------
    // The gradient of sum over output rows of <S_row(x), G_row> into grad_x
    // (B x N). cotangent(w, first_row, rows, values, g) writes the cotangent
    // g of output rows first_row .. first_row + rows - 1 of every signal (B x
    // rows x output_length() values, in backend memory), given their values
    // (same layout; nullptr unless with_values). The forward values each
    // adjoint needs are recomputed on the way (nothing of the forward pass
    // is kept but the spectra of U1, and with values the Y of the planes
    // that fit in the kept slot): order 2 psi2 by psi2, then order 1,
    // the first order, order 0 and the padding, each step followed back by
    // its adjoint (core.hpp's list: the modulus by z / |z|, the
    // product-and-subsample by spreading over the periods, the inverse DFT
    // by the forward one; here also the DFT along n1 by the inverse one and
    // the transpose by the transpose).
    template <class Cotangent>
    void vjp(const Real* x, bool with_values, Cotangent&& cotangent, Real* grad_x) {
        w_.pad(x, B_, N(), static_cast<std::size_t>(g_.time.pad_left), Np_, r(joint::x_pad));
        w_.rfft(r(joint::x_pad), c(joint::u0_hat), B_, Np_);
        first_order();
        complex_type* grad_u1_hat = c(joint::z1);
        std::size_t spectra = 0;
        for (std::size_t n1 = 0; n1 < bank_.psi1.size(); ++n1) spectra += Np_ >> first_order_level(n1);
        w_.zero(grad_u1_hat, B_ * spectra);

        std::size_t first_of_order2 = 0;
        while (first_of_order2 < paths_.size() && paths_[first_of_order2].order == 1) ++first_of_order2;
        for (std::size_t p = first_of_order2; p < paths_.size();) {
            const joint_path& first = paths_[p];
            const std::size_t first_path = p, len2 = second_order_plane(first);
            const int level = second_order_level(g_, first.j2);
            while (p < paths_.size() && paths_[p].n2 == first.n2) ++p;
            w_.zero(c(joint::spare_c), B_ * len2 * N_fr_);
            plane_paths_backward(first_path, p, len2, with_values, cotangent);
            // Back through the DFT along n1 and the transpose, to each Y2[n1] and U1[n1]'s spectrum.
            over_rows(len2, [&](std::size_t, std::size_t row, std::size_t count) {
                w_.inverse_dft(c(joint::spare_c) + row * N_fr_, c(joint::x_plane) + row * N_fr_, count, N_fr_);
            });
            w_.transpose(c(joint::x_plane), 1, B_ * len2, N_fr_, c(joint::z2), first.n1_max, B_ * len2);
            for (std::size_t n1 = 0; n1 < first.n1_max; ++n1) {
                const int k1 = first_order_level(n1);
                w_.inverse_dft_adjoint(c(joint::z2) + n1 * B_ * len2, c(joint::product), B_, len2);
                w_.filter_subsample_adjoint(c(joint::product), ctx().psi2(static_cast<std::size_t>(first.n2), k1), B_,
                                            Np_ >> k1, std::size_t{1} << (level - k1), grad_u1_hat + B_ * spectrum_offset_[n1],
                                            Real(1) / static_cast<Real>(len2));
            }
        }

        // Order 1, back to S1.
        const std::size_t t1 = Np_ >> g_.time.log2_stride, n1_count = bank_.psi1.size();
        w_.transpose(r(joint::s1), 1, n1_count, B_ * t1, r(joint::plane), B_ * t1, N_fr_);
        w_.rfft(r(joint::plane), c(joint::x_hat), B_ * t1, N_fr_);
        w_.zero(c(joint::spare_c), B_ * t1 * N_fr_);
        plane_paths_backward(0, first_of_order2, t1, with_values, cotangent);
        w_.rfft_adjoint(c(joint::spare_c), r(joint::plane), B_ * t1, N_fr_);
        w_.transpose(r(joint::plane), 1, B_ * t1, N_fr_, r(joint::s1), n1_count, B_ * t1);  // the cotangent of S1

        // The first order, back to the spectrum of x.
        complex_type* grad_u0_hat = c(joint::x_hat);
        w_.zero(grad_u0_hat, B_ * Np_);
        for (std::size_t n1 = 0; n1 < n1_count; ++n1) {
            const int k1 = first_order_level(n1);
            const std::size_t len1 = Np_ >> k1;
            complex_type* grad_u1 = grad_u1_hat + B_ * spectrum_offset_[n1];
            lowpass_adjoint(r(joint::s1) + n1 * B_ * t1, B_, ctx().phi(k1), len1, g_.time.log2_stride - k1, grad_u1);
            w_.rfft_adjoint(grad_u1, r(joint::tmp), B_, len1);
            wavelet_rows(w_, B_, c(joint::u0_hat), ctx().psi1(n1, 0), Np_, k1, c(joint::product), c(joint::x_plane));
            w_.modulus(c(joint::x_plane), r(joint::u1), B_, len1);
            w_.modulus_adjoint(c(joint::x_plane), r(joint::u1), r(joint::tmp), c(joint::rows_hat), B_, len1);
            w_.inverse_dft_adjoint(c(joint::rows_hat), c(joint::product), B_, len1);
            w_.filter_subsample_adjoint(c(joint::product), ctx().psi1(n1, 0), B_, Np_, std::size_t{1} << k1, grad_u0_hat,
                                        Real(1) / static_cast<Real>(len1));
        }

        // Order 0 (format time), then the padding.
        Real* grad_x_pad = r(joint::averaged);
        w_.zero(grad_x_pad, B_ * Np_);
        if (format_ == jtfs_format::time) {
            if (local_) {
                const std::size_t t0 = Np_ >> g_.time.log2_stride;
                if (with_values)
                    lowpass_rows(w_, B_, c(joint::u0_hat), ctx().phi(0), Np_, g_.time.log2_stride, c(joint::product),
                                 r(joint::tmp));
                emit_backward(0, 1, r(joint::tmp), t0, with_values, cotangent, r(joint::time_averaged));
                lowpass_adjoint(r(joint::time_averaged), B_, ctx().phi(0), Np_, g_.time.log2_stride, grad_u0_hat);
            } else {
                emit_backward(0, 1, r(joint::x_pad), Np_, with_values, cotangent, grad_x_pad);
            }
        }
        w_.rfft_adjoint(grad_u0_hat, r(joint::transposed), B_, Np_);
        w_.add(r(joint::transposed), grad_x_pad, B_ * Np_);
        w_.pad_adjoint(grad_x_pad, B_, N(), static_cast<std::size_t>(g_.time.pad_left), Np_, grad_x);
    }

private:
    const auto& ctx() const { return w_.ctx(); }
    Real* r(joint::real_slot s) { return w_.real_buffer(s); }
    complex_type* c(joint::complex_slot s) { return w_.complex_buffer(s); }
    std::size_t N() const { return static_cast<std::size_t>(g_.time.N); }

    int first_order_level(std::size_t n1) const {
        const int j1 = bank_.psi1[n1].j;
        return local_ ? std::min(j1, g_.time.log2_stride) : j1;
    }
    // Subsampling of Y2 = U1 * psi2 for every n1 (j1 < j2): min(j2,
    // log2_stride) averaging locally (Kymatio needs log2_stride >= j2; below
    // it its rows differ in length), j2 otherwise.
    static int second_order_level(const jtfs_geometry& g, int j2) {
        return g.time.average == averaging::mode::local ? std::min(j2, g.time.log2_stride) : j2;
    }
    // Rows (time samples) per signal of the plane a path reads.
    static std::size_t plane_length(const jtfs_geometry& g, const joint_path& p) {
        const auto Np = static_cast<std::size_t>(g.time.N_padded);
        return Np >> (p.order == 1 ? g.time.log2_stride : second_order_level(g, p.j2));
    }
    static bool same_plane(const joint_path& a, const joint_path& b) { return a.order == b.order && a.n2 == b.n2; }

    // The spectrum along n1 of Y2 = U1[n1] * psi2 for the second-order
    // wavelet of `first` (n1 < n1_max, zero beyond), B x len2 rows of N_fr
    // bins in x_hat (Y2 itself in z2); returns len2.
    std::size_t second_order_plane(const joint_path& first) {
        const int level = second_order_level(g_, first.j2);
        const std::size_t len2 = Np_ >> level;
        for (std::size_t n1 = 0; n1 < first.n1_max; ++n1) {
            const int k1 = first_order_level(n1);
            wavelet_rows(w_, B_, c(joint::u1_hat) + B_ * spectrum_offset_[n1],
                         ctx().psi2(static_cast<std::size_t>(first.n2), k1), Np_ >> k1, level - k1, c(joint::product),
                         c(joint::z2) + n1 * B_ * len2);
        }
        w_.transpose(c(joint::z2), 1, first.n1_max, B_ * len2, c(joint::x_plane), B_ * len2, N_fr_);
        over_rows(len2, [&](std::size_t, std::size_t row, std::size_t count) {
            w_.dft(c(joint::x_plane) + row * N_fr_, c(joint::x_hat) + row * N_fr_, count, N_fr_);
        });
        return len2;
    }

    // U1 of every n1 (spectra kept) and S1 (n1 x B x t1).
    void first_order() {
        const std::size_t t1 = Np_ >> g_.time.log2_stride;
        std::size_t offset = 0;
        spectrum_offset_.clear();
        for (std::size_t n1 = 0; n1 < bank_.psi1.size(); ++n1) {
            const int k1 = first_order_level(n1);
            const std::size_t len1 = Np_ >> k1;
            wavelet_rows(w_, B_, c(joint::u0_hat), ctx().psi1(n1, 0), Np_, k1, c(joint::product), c(joint::z1));
            w_.modulus(c(joint::z1), r(joint::u1), B_, len1);
            complex_type* u1_hat = c(joint::u1_hat) + B_ * offset;
            w_.rfft(r(joint::u1), u1_hat, B_, len1);
            spectrum_offset_.push_back(offset);
            offset += len1;
            lowpass_rows(w_, B_, u1_hat, ctx().phi(k1), len1, g_.time.log2_stride - k1, c(joint::product),
                         r(joint::s1) + n1 * B_ * t1);
        }
    }

    // --- the paths of one plane: order 1, or one psi2 of order 2 ------------
    // Paths [first, last) read the spectrum along n1 in x_hat (B x len rows
    // of N_fr bins). Their rows before the averaging in time go chunk by
    // chunk, every path within a chunk (the chunk's spectrum read from
    // memory once for all of them): Y = the frequential filter (y), |Y|
    // (modulus), and the reduction along n1 (n1_reduction: phi_F's average,
    // the sum, or the rows kept as they are) time-last, path p's B x rows x
    // len at plane_offset_[p - first] in transposed.
    // With keep, each path's Y stays in the kept slot (kept_y).
    void plane_paths(std::size_t first, std::size_t last, std::size_t len, bool keep = false) {
        set_plane_offsets(first, last, len);
        over_rows(len, [&](std::size_t worker, std::size_t row, std::size_t count) {
            const chunk_scratch s = scratch(worker);
            const std::size_t b = row / len, t = row % len;
            for (std::size_t p = first; p < last; ++p) {
                const joint_path& path = paths_[p];
                path_chunk(path, row, count, s, keep ? kept_y(p - first, row, len, path) : s.y);
                w_.project_rows(s.modulus, count, N_fr_ >> path.k_fr, n1_reduction(path), path.rows,
                                r(joint::transposed) + plane_offset_[p - first] + b * path.rows * len + t, len);
            }
        });
    }

    // The output rows of paths [first, last) from plane_paths: averaged in
    // time at order 2 (locally), unpadded or summed.
    void write_plane(std::size_t first, std::size_t last, std::size_t len, Real* out, std::size_t out_stride) {
        for (std::size_t p = first; p < last; ++p) {
            const joint_path& path = paths_[p];
            const Real* rows = r(joint::transposed) + plane_offset_[p - first];
            if (path.order == 2 && local_) {
                average_in_time(path, rows, len);
                write_rows(r(joint::time_averaged), path.rows, Np_ >> g_.time.log2_stride, out, first_output_row(p),
                           out_stride);
            } else {
                write_rows(rows, path.rows, len, out, first_output_row(p), out_stride);
            }
        }
    }

    // Paths [first, last) backwards, with the spectrum along n1 in x_hat:
    // their outputs (with_values), their cotangents asked for and taken back
    // through the averaging in time (tmp, laid out as transposed), then
    // chunk by chunk Y and |Y| recomputed and the adjoints of the reduction,
    // the modulus and the filter, added to the cotangent of the spectrum in
    // spare_c path after path (the same order whatever the chunks).
    // Where the plane's Y fits in the kept slot, the values' pass leaves it
    // there for the adjoints, which then compute only |Y| again.
    template <class Cotangent>
    void plane_paths_backward(std::size_t first, std::size_t last, std::size_t len, bool with_values, Cotangent& cotangent) {
        const bool keep = with_values && plane_values(first, last) <= kept_values_;
        if (with_values)
            plane_paths(first, last, len, keep);
        else
            set_plane_offsets(first, last, len);
        for (std::size_t p = first; p < last; ++p) {
            const joint_path& path = paths_[p];
            const Real* values = r(joint::transposed) + plane_offset_[p - first];
            Real* grad = r(joint::tmp) + plane_offset_[p - first];
            if (path.order == 2 && local_) {
                const int level = second_order_level(g_, path.j2);
                if (with_values) average_in_time(path, values, len);
                emit_backward(first_output_row(p), path.rows, r(joint::time_averaged), Np_ >> g_.time.log2_stride,
                              with_values, cotangent, r(joint::time_averaged));
                lowpass_adjoint_rows(r(joint::time_averaged), B_ * path.rows, ctx().phi(level), len,
                                     g_.time.log2_stride - level, grad);
            } else {
                emit_backward(first_output_row(p), path.rows, values, len, with_values, cotangent, grad);
            }
        }
        over_rows(len, [&](std::size_t worker, std::size_t row, std::size_t count) {
            const chunk_scratch s = scratch(worker);
            const std::size_t b = row / len, t = row % len;
            for (std::size_t p = first; p < last; ++p) {
                const joint_path& path = paths_[p];
                const std::size_t n_fr = N_fr_ >> path.k_fr;
                complex_type* y = s.y;
                if (keep) {
                    y = kept_y(p - first, row, len, path);
                    w_.modulus(y, s.modulus, count, n_fr);
                } else {
                    path_chunk(path, row, count, s, y);
                }
                w_.project_rows_adjoint(r(joint::tmp) + plane_offset_[p - first] + b * path.rows * len + t, len, count, n_fr,
                                        n1_reduction(path), path.rows, s.grad_modulus);
                w_.modulus_adjoint(y, s.modulus, s.grad_modulus, s.grad_y, count, n_fr);
                w_.inverse_dft_adjoint(s.grad_y, s.product, count, n_fr);
                w_.filter_subsample_adjoint(s.product, ctx().frequency_filter(path.n_fr), count, N_fr_,
                                            std::size_t{1} << path.k_fr, c(joint::spare_c) + row * N_fr_,
                                            Real(1) / static_cast<Real>(n_fr));
            }
        });
    }

    // A worker's share of the buffers for one chunk's rows (chunk_length
    // rows of at most N_fr values each).
    struct chunk_scratch {
        complex_type* y;
        complex_type* product;
        complex_type* grad_y;
        Real* modulus;
        Real* grad_modulus;
    };
    chunk_scratch scratch(std::size_t worker) {
        const std::size_t offset = worker * scratch_stride_;
        return {c(joint::y) + offset, c(joint::product) + offset, c(joint::rows_hat) + offset, r(joint::plane) + offset,
                r(joint::averaged) + offset};
    }

    // Y of path for rows row .. row + count - 1 into y, |Y| into s.
    void path_chunk(const joint_path& path, std::size_t row, std::size_t count, const chunk_scratch& s, complex_type* y) {
        wavelet_rows(w_, count, c(joint::x_hat) + row * N_fr_, ctx().frequency_filter(path.n_fr), N_fr_, path.k_fr,
                     s.product, y);
        w_.modulus(y, s.modulus, count, N_fr_ >> path.k_fr);
    }

    // The kept slot holds the Y of a plane's paths one after the other
    // (set_plane_offsets), each chunk by chunk as in a worker's scratch: a
    // chunk's rows of N_fr >> k_fr values from a 64-byte line, so that
    // every loop over them splits as it does there (the same bits).
    static std::size_t kept_chunk_values(const jtfs_geometry& g, const joint_path& path) {
        const auto N_fr = static_cast<std::size_t>(g.N_padded_fr);
        const std::size_t chunk = std::min(plane_length(g, path), chunk_length(N_fr));
        return (chunk * (N_fr >> path.k_fr) + 15) / 16 * 16;
    }
    static std::size_t kept_path_values(const jtfs_geometry& g, const joint_path& path, std::size_t B) {
        const std::size_t len = plane_length(g, path), chunk = std::min(len, chunk_length(static_cast<std::size_t>(g.N_padded_fr)));
        return B * ((len + chunk - 1) / chunk) * kept_chunk_values(g, path);
    }
    // Path first + i's Y for the chunk from `row` (over_rows' chunks).
    complex_type* kept_y(std::size_t i, std::size_t row, std::size_t len, const joint_path& path) {
        const std::size_t chunk = std::min(len, chunk_length(N_fr_)), per_plane = (len + chunk - 1) / chunk;
        const std::size_t index = (row / len) * per_plane + (row % len) / chunk;
        return c(joint::kept) + kept_offset_[i] + index * kept_chunk_values(g_, path);
    }
    std::size_t plane_values(std::size_t first, std::size_t last) const {
        std::size_t values = 0;
        for (std::size_t p = first; p < last; ++p) values += kept_path_values(g_, paths_[p], B_);
        return values;
    }

    // The reduction along n1 of a path's |Y| (rows of N_fr >> k_fr values)
    // to its rows: phi_F's average (spin != 0, F local), the sum (spin !=
    // 0, F global), or the rows as they are (spin 0, or F = 0).
    elementwise::matrix_view<Real> n1_reduction(const joint_path& path) const {
        if (path.averaged_fr) return ctx().phi_F_averaging(path.k_fr);
        if (path.summed_fr) return ctx().summation(path.k_fr);
        return ctx().selection(path.k_fr);
    }

    // Where path first + i's rows lie in a plane's buffers (transposed, tmp).
    void set_plane_offsets(std::size_t first, std::size_t last, std::size_t len) {
        plane_offset_.assign(1, 0);
        kept_offset_.assign(1, 0);
        for (std::size_t p = first; p + 1 < last; ++p) {
            plane_offset_.push_back(plane_offset_.back() + B_ * paths_[p].rows * len);
            kept_offset_.push_back(kept_offset_.back() + kept_path_values(g_, paths_[p], B_));
        }
    }

    std::size_t first_output_row(std::size_t p) const {
        return format_ == jtfs_format::time ? paths_[p].first_channel : p * paths_[p].rows;
    }

    // Order 2: time-last rows (B x rows x len) averaged by phi to the
    // stride, into time_averaged.
    void average_in_time(const joint_path& path, const Real* rows, std::size_t len) {
        const int level = second_order_level(g_, path.j2);
        w_.rfft(rows, c(joint::rows_hat), B_ * path.rows, len);
        lowpass_rows(w_, B_ * path.rows, c(joint::rows_hat), ctx().phi(level), len, g_.time.log2_stride - level,
                     c(joint::product), r(joint::time_averaged));
    }

    // Rows per chunk of rows of n bins: the workspace's choice, fixed by the
    // row length alone, so that the rows' values do not depend on how many
    // threads run the chunks.
    static std::size_t chunk_length(std::size_t n) { return Workspace::chunk_rows(n * sizeof(complex_type)); }

    // Values between two workers' scratch: a chunk of the longest plane's
    // rows of N_fr bins, rounded up to 16 values so that every worker's
    // scratch starts on a 64-byte line as the buffers do (a loop's results
    // must not depend on which worker ran it: fftw::buffer_alignment).
    static std::size_t scratch_stride(const jtfs_geometry& g, const std::vector<joint_path>& paths) {
        const auto Np = static_cast<std::size_t>(g.time.N_padded), N_fr = static_cast<std::size_t>(g.N_padded_fr);
        std::size_t longest = Np >> g.time.log2_stride;
        for (const auto& p : paths)
            if (p.order == 2) longest = std::max(longest, Np >> second_order_level(g, p.j2));
        const std::size_t values = std::min(longest, chunk_length(N_fr)) * N_fr;
        return (values + 15) / 16 * 16;
    }

    // body(worker, row, count) for the rows row .. row + count - 1 of the B
    // planes of len rows, in chunks of chunk_length(N_fr) rows (cache-sized
    // on the CPU, a whole plane on a device) that stay within a plane.
    template <class Body>
    void over_rows(std::size_t len, Body&& body) {
        const std::size_t chunk = std::min(len, chunk_length(N_fr_)), per_plane = (len + chunk - 1) / chunk;
        run_chunks_(B_ * per_plane, [&](std::size_t worker, std::size_t i) {
            const std::size_t t = (i % per_plane) * chunk;
            body(worker, (i / per_plane) * len + t, std::min(chunk, len - t));
        });
    }

    // Adds to grad_u_hat (B x n bins) the cotangent of u_hat in
    // s = lowpass_rows(u_hat, phi, n, k), given that of s (B x n / 2^k).
    template <class Filter>
    void lowpass_adjoint(const Real* grad_s, std::size_t B, const Filter& phi, std::size_t n, int k, complex_type* grad_u_hat) {
        w_.irfft_adjoint(grad_s, c(joint::rows_hat), B, n >> k);
        w_.filter_subsample_adjoint(c(joint::rows_hat), phi, B, n, std::size_t{1} << k, grad_u_hat, Real(1));
    }
    // The cotangent of the real rows u (B x n) in s = lowpass_rows(rfft(u),
    // phi, n, k), given that of s, into grad_u.
    template <class Filter>
    void lowpass_adjoint_rows(const Real* grad_s, std::size_t B, const Filter& phi, std::size_t n, int k, Real* grad_u) {
        w_.zero(c(joint::product), B * n);
        lowpass_adjoint(grad_s, B, phi, n, k, c(joint::product));
        w_.rfft_adjoint(c(joint::product), grad_u, B, n);
    }

    // Output rows first_row .. first_row + rows - 1 from src (B x rows rows
    // of n samples at the output's level, read only with_values): their
    // values, their cotangent from the callback, and the cotangent of src
    // (B x rows x n) into grad.
    template <class Cotangent>
    void emit_backward(std::size_t first_row, std::size_t rows, const Real* src, std::size_t n, bool with_values,
                       Cotangent& cotangent, Real* grad) {
        const std::size_t L = output_length();
        Real* values = r(joint::spare);
        Real* g = r(joint::u1);
        if (with_values) write_rows(src, rows, n, values, 0, rows * L);
        cotangent(w_, first_row, rows, with_values ? static_cast<const Real*>(values) : nullptr, g);
        if (g_.time.average == averaging::mode::global) {
            w_.sum_adjoint(g, 1, B_ * rows, n, grad);
        } else {
            const auto l = static_cast<std::size_t>(g_.time.log2_stride);
            w_.unpad_adjoint(g, L, B_ * rows, static_cast<std::size_t>(g_.time.ind_start[l]),
                             static_cast<std::size_t>(g_.time.ind_end[l]), n, grad);
        }
    }

    // B x rows rows of n samples (at the output's level) to output rows
    // first_row .. of each signal: unpadded, or summed (global averaging).
    void write_rows(const Real* in, std::size_t rows, std::size_t n, Real* out, std::size_t first_row,
                    std::size_t out_stride) {
        const std::size_t L = output_length();
        const auto l = static_cast<std::size_t>(g_.time.log2_stride);
        for (std::size_t b = 0; b < B_; ++b) {
            Real* dst = out + b * out_stride + first_row * L;
            if (g_.time.average == averaging::mode::global)
                w_.sum(in + b * rows * n, rows, n, dst, L);
            else
                w_.unpad(in + b * rows * n, rows, n, static_cast<std::size_t>(g_.time.ind_start[l]),
                         static_cast<std::size_t>(g_.time.ind_end[l]), dst, L);
        }
    }

    Workspace& w_;
    const jtfs_geometry& g_;
    const filter_bank& bank_;
    const std::vector<joint_path>& paths_;
    jtfs_format format_;
    std::size_t B_;
    std::size_t Np_, N_fr_;
    bool local_;
    std::vector<std::size_t> spectrum_offset_;  // of U1[n1]'s spectrum in u1_hat, per signal
    std::vector<std::size_t> plane_offset_;     // of a plane's paths' rows in transposed and tmp
    std::vector<std::size_t> kept_offset_;      // of a plane's paths' Y in kept
    std::size_t scratch_stride_;                // values between two workers' chunk scratch
    std::size_t kept_values_;                   // of the kept slot (B signals)
    chunk_runner run_chunks_;
};

}  // namespace wst::core
