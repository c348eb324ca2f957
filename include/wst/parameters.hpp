// Parameters of Scattering1D with Kymatio 0.4's names, their validation, and
// the sizes derived from them (padding, border indices, subsampling).
#pragma once

#include "wst/error.hpp"
#include "wst/filter_bank.hpp"

#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace wst {

// Tag for global averaging: Kymatio's T = 'global'.
struct global_averaging_t {
    explicit constexpr global_averaging_t() = default;
};
inline constexpr global_averaging_t global{};

// Kymatio's T: the default 2^J (a default-constructed value), an integer
// support 1..N, 0 for no averaging, or wst::global for a sum over time.
class averaging {
public:
    enum class mode { local, none, global };

    constexpr averaging() = default;
    constexpr averaging(long long T) : T_(T), is_default_(false) {}  // NOLINT: implicit like Kymatio's T=...
    constexpr averaging(global_averaging_t) : is_default_(false), is_global_(true) {}

    constexpr bool is_default() const { return is_default_; }
    constexpr bool is_global() const { return is_global_; }
    constexpr long long value() const { return T_; }

    std::string to_string() const {
        if (is_global_) return "global";
        if (is_default_) return "default (2^J)";
        return std::to_string(T_);
    }

private:
    long long T_ = 0;
    bool is_default_ = true;
    bool is_global_ = false;
};

// Kymatio's Q: one value (Q1, with Q2 = 1) or a pair (Q1, Q2).
struct quality_factors {
    constexpr quality_factors(int q) : q1(q), q2(1) {}  // NOLINT: implicit like Kymatio's Q=8
    constexpr quality_factors(int q1_, int q2_) : q1(q1_), q2(q2_) {}
    int q1;
    int q2;
};

// Kymatio's out_type: one array (B, C, N_out) or a list of paths.
enum class out_type { array, list };

// The arguments of kymatio.Scattering1D(J, shape, Q, T, stride, max_order, out_type).
struct scattering1d_params {
    int J = 0;
    long long shape = 0;
    quality_factors Q = 1;
    averaging T = {};
    std::optional<long long> stride = std::nullopt;
    int max_order = 2;
    wst::out_type out_type = wst::out_type::array;
};

// How thoroughly FFT plans are chosen when a transform is built: estimate
// (instant), or measure / patient (FFTW times candidate algorithms: slower
// to build the first time, faster to run). Every choice uses the wisdom
// FFTW already has (the system's, and the per-user cache that measured
// plans fill: wst/backend/fftw_wisdom.hpp), so a size measured once on a
// machine plans at once afterwards. automatic, the default: the
// environment's WST_FFTW_PLANNING (estimate, measure or patient), and when
// it is not set measure, within 0.05 s per plan.
enum class planning { automatic, estimate, measure, patient };

// How a transform computes, beside what it computes.
struct execution {
    // Threads per call: over the signals of a batch when there are enough,
    // otherwise over the first-order subtrees of each signal. The results
    // do not depend on the number of threads, bit for bit.
    int threads = 1;
    wst::planning planning = wst::planning::automatic;
    // Signals one walk of the tree carries through every primitive of the
    // forward pass (each FFT a batched one on a GPU): 0 leaves it to the
    // backend (on the CPU as many short signals as stay in cache together,
    // a long one alone, threads taking whole groups; groups of 64 on a
    // GPU). The results do not depend on it, bit for bit.
    std::size_t signals_per_walk = 0;
    // Bytes of each workspace (one per thread, and one more, at most) in
    // which the fused loss of TimeFrequencyScattering keeps the filtering
    // along n1 of a plane's paths (their Y) from its values to its
    // adjoints, instead of computing it again, for each plane that fits (0:
    // none kept). The results are the same bits either way. A plane that
    // stays in cache pays: jtfs/small's loss_gradient 18% faster with 16
    // MiB; larger planes do not, their memory traffic costs what the
    // filtering saves (jtfs/chirp and jtfs/speech the same with 256 MiB).
    std::size_t kept_bytes = std::size_t{16} << 20;
};

// A condition Kymatio reports with warnings.warn: the transform still works.
struct warning {
    std::string code;     // stable identifier, e.g. "border_effects"
    std::string message;  // Kymatio's text
};

// Everything Kymatio derives from the parameters.
struct scattering1d_geometry {
    long long N = 0;               // signal length
    long long T = 0;               // resolved support of phi (2^J unless given)
    averaging::mode average = averaging::mode::local;
    int log2_T = 0;
    int log2_stride = 0;           // meaningful for local averaging only
    long long N_padded = 0;        // power of two
    long long pad_left = 0;
    long long pad_right = 0;
    std::vector<long long> ind_start;  // per subsampling level 0 .. max(log2_T, J)
    std::vector<long long> ind_end;
    std::vector<warning> warnings;
};

namespace detail {

inline bool is_power_of_two(long long v) { return v > 0 && (v & (v - 1)) == 0; }

// Smallest p with 2^p >= n (n >= 1).
inline int ceil_log2(long long n) {
    int p = 0;
    while ((1LL << p) < n) ++p;
    return p;
}

}  // namespace detail

inline constexpr long long max_shape = 1LL << 31;
inline constexpr int max_Q = 256;

// Checks every parameter (throwing wst::invalid_argument naming the parameter,
// its value and what is allowed) and derives the sizes exactly as Kymatio's
// ScatteringBase1D.build does.
inline scattering1d_geometry make_geometry(const scattering1d_params& p) {
    using detail::reject;
    if (p.shape < 1) reject("shape", p.shape, "the signal length must be an integer >= 1");
    // Ceilings far above any use, so that a mistyped value is an error
    // rather than hours of work or memory exhaustion.
    if (p.shape > max_shape)
        reject("shape", p.shape, "signals longer than 2^31 samples (" + std::to_string(max_shape) + ") are not supported");
    const long long N = p.shape;
    if (p.J < 1) reject("J", p.J, "J must be an integer >= 1");
    const int log2_N_up = detail::ceil_log2(N);
    if (p.J > log2_N_up) {
        std::ostringstream os;
        os << "2^J must not exceed the signal length rounded up to a power of two ("
           << (1LL << log2_N_up) << " for shape = " << N << "), so J <= " << log2_N_up;
        reject("J", p.J, os.str());
    }
    if (p.Q.q1 < 1 || p.Q.q1 > max_Q)
        reject("Q", p.Q.q1, "Q (Q1) must be an integer from 1 to " + std::to_string(max_Q));
    if (p.Q.q2 < 1 || p.Q.q2 > max_Q)
        reject("Q2", p.Q.q2, "Q2 (the second value of Q) must be an integer from 1 to " + std::to_string(max_Q));
    if (p.max_order != 1 && p.max_order != 2) reject("max_order", p.max_order, "max_order must be 1 or 2");

    scattering1d_geometry g;
    g.N = N;
    if (p.T.is_default()) {
        g.T = 1LL << p.J;
    } else if (p.T.is_global()) {
        g.T = 1LL << p.J;
        g.average = averaging::mode::global;
    } else if (p.T.value() > N) {
        std::ostringstream os;
        os << "the support T of the low-pass filter cannot exceed the signal length " << N
           << " (allowed: 0 for no averaging, 1.." << N << ", or global averaging)";
        reject("T", p.T.value(), os.str());
    } else if (p.T.value() == 0) {
        g.T = 1LL << p.J;
        g.average = averaging::mode::none;
    } else if (p.T.value() < 0) {
        reject("T", p.T.value(), "T must be 0 (no averaging), an integer 1..shape, or global");
    } else {
        g.T = p.T.value();
    }
    g.log2_T = floor_log2(g.T);

    if (p.stride) {
        const long long s = *p.stride;
        if (g.average != averaging::mode::local) {
            reject("stride", s, "a stride is only allowed with local averaging (T >= 1), not with T = " +
                                    p.T.to_string());
        }
        if (!detail::is_power_of_two(s)) reject("stride", s, "the stride must be a power of two >= 1");
        if (s > g.T) {
            std::ostringstream os;
            os << "the stride must not exceed T = " << g.T;
            reject("stride", s, os.str());
        }
        g.log2_stride = floor_log2(s);
    } else {
        g.log2_stride = g.log2_T;
    }
    if (g.average == averaging::mode::none && p.out_type == out_type::array) {
        reject("out_type", "array",
               "without averaging (T = 0) the paths have different lengths: use out_type = list");
    }

    // Padding: three times the temporal support of phi on each side, capped
    // so that no side pads more than N - 1 samples (reflection needs it).
    const auto phi = gauss_1d(static_cast<std::size_t>(N), filter_constants::sigma0 / static_cast<double>(g.T));
    const temporal_support support = compute_temporal_support(phi);
    if (support.too_small)
        g.warnings.push_back({"border_effects", "Signal support is too small to avoid border effects"});
    const long long min_to_pad = 3 * static_cast<long long>(support.half_support);
    const int J_max_support = floor_log2(3 * N - 2 > 0 ? 3 * N - 2 : 1);
    const int J_pad = std::min(detail::ceil_log2(N + 2 * min_to_pad), J_max_support);
    g.N_padded = 1LL << J_pad;
    const long long to_add = g.N_padded - N;
    g.pad_left = to_add / 2;
    g.pad_right = to_add - g.pad_left;

    // Border indices at every subsampling: ceil-halving of [pad_left, pad_left + N).
    const int levels = std::max(g.log2_T, p.J);
    g.ind_start.push_back(g.pad_left);
    g.ind_end.push_back(g.pad_left + N);
    for (int j = 1; j <= levels; ++j) {
        g.ind_start.push_back(g.ind_start.back() / 2 + g.ind_start.back() % 2);
        g.ind_end.push_back(g.ind_end.back() / 2 + g.ind_end.back() % 2);
    }
    // With the default T = 2^J above N, the averaged output can lose its last sample.
    if (g.average == averaging::mode::local && g.ind_end[g.log2_stride] <= g.ind_start[g.log2_stride]) {
        std::ostringstream os;
        os << "with shape = " << N << " and T = " << g.T
           << " the averaged output would have no samples; lower J or give T <= shape";
        reject("J", p.J, os.str());
    }
    return g;
}

}  // namespace wst
