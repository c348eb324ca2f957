// Checks of the signals a transform is given and of the results it
// returns, shared by the frontends: shapes, finiteness, overflow, each
// rejected with wst::invalid_argument naming the input and what is allowed.
#pragma once

#include "wst/error.hpp"

#include <Eigen/Core>

#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>

namespace wst {

// Row-major batch of signals, B rows of N samples.
template <class Real>
using signal_array = Eigen::Array<Real, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

template <class Real>
struct signal_checks {
    // A (B, N) array or map, or one signal as a vector (B = 1), as rows.
    template <class Derived>
    static signal_array<Real> as_rows(const Eigen::DenseBase<Derived>& x) {
        if constexpr (Derived::ColsAtCompileTime == 1)
            return x.derived().transpose().template cast<Real>();
        else
            return x.derived().template cast<Real>();
    }

    // Whether v[0..n) are all finite, in one vectorized pass: the sum of
    // v[i] * 0 is 0 where every value is finite and NaN otherwise, in any
    // order of summation (Eigen's allFinite, whose all() stops early, stays
    // scalar: 1% of a short batch's forward pass).
    static bool all_finite(const Real* v, std::size_t n) {
        using column = Eigen::Array<Real, Eigen::Dynamic, 1>;
        return !std::isnan((Eigen::Map<const column>(v, static_cast<Eigen::Index>(n)) * Real(0)).sum());
    }

    // B signals of N samples at x, where `expected` samples are required.
    static void check_shape(const Real* x, std::size_t B, std::size_t N, std::size_t expected) {
        if (B == 0) detail::reject("x", "an empty batch (B = 0)", "at least one signal is required");
        if (x == nullptr) detail::reject("x", "a null pointer", "a pointer to B x N samples is required");
        if (N != expected) {
            std::ostringstream os;
            os << "a signal of length " << N;
            detail::reject("x", os.str(), "signals must have length shape = " + std::to_string(expected));
        }
    }

    // Results past the largest finite Real: the input's amplitude is beyond
    // what the precision holds through the transform's sums (the input
    // itself was finite). S is positively homogeneous, S(a x) = a S(x) for
    // a > 0, so scaling x down and S back up is the way out.
    static void check_no_overflow(const Real* result, std::size_t n, const Real* x, std::size_t x_count,
                                  const std::string& what) {
        if (!all_finite(result, n)) reject_overflow(x, x_count, what);
    }
    [[noreturn]] static void reject_overflow(const Real* x, std::size_t x_count, const std::string& what) {
        using column = Eigen::Array<Real, Eigen::Dynamic, 1>;
        std::ostringstream value;
        value << "a signal with max|x| = " << Eigen::Map<const column>(x, static_cast<Eigen::Index>(x_count)).abs().maxCoeff();
        detail::reject("x", value.str(),
                       "its " + what + " overflowed " + (sizeof(Real) == 4 ? "float" : "double") +
                           ": scale x down (S(a x) = a S(x) for a > 0) or use a wider type");
    }

    // Rejects the first value that is not finite, located by index, or by
    // signal and sample when rows of row_length samples are given.
    // (all_finite first: the loop that finds the value, a branch per
    // sample, took 1% of a short batch's forward pass.)
    static void check_finite(const Real* v, std::size_t n, const std::string& name, std::size_t row_length = 0) {
        if (all_finite(v, n)) return;
        for (std::size_t i = 0; i < n; ++i)
            if (!std::isfinite(v[i])) {
                std::ostringstream os;
                if (row_length > 0)
                    os << v[i] << " at signal " << i / row_length << ", sample " << i % row_length;
                else
                    os << v[i] << " at index " << i;
                detail::reject(name, os.str(), "values must be finite (no NaN or infinity)");
            }
    }

};

}  // namespace wst
