// The bookkeeping of a fused loss, shared by the frontends: while the
// reverse walk runs, the backend accumulates {sum |d|, sum d^2} of d = S(y) -
// S* per signal and channel (elementwise::loss_term gives each coefficient's
// cotangent); here the weights are checked and those sums become each
// signal's loss, summed in channel order (so that the bits do not depend on
// the threads), and the norm's gradient is scaled.
//
// The norm's gradient (S - S*) / ||S - S*|| is the sum of squares' gradient
// divided by the loss, known only at the end: the walk computes the latter
// (the backward pass is linear in the cotangent) and finish() scales it.
#pragma once

#include "wst/elementwise.hpp"
#include "wst/error.hpp"
#include "wst/signal_checks.hpp"

#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace wst {

// Weight of each order's coefficients in a loss (orders 0, 1, 2): every
// squared or absolute difference of an order-m coefficient is multiplied by
// weights[m] (the norm is sqrt of the weighted sum of squares).
using order_weights = std::array<double, 3>;

// A loss value per signal of the batch, its gradient with respect to y, and
// the unweighted ||S_m(y) - S*_m||^2 of each order m per signal.
template <class Real>
struct loss_and_gradient {
    std::vector<double> loss;
    signal_array<Real> gradient;
    std::vector<std::array<double, 3>> squared_error_by_order;
};

template <class Real>
class loss_sums {
public:
    // B signals of N samples; channel c's coefficients are of order
    // channel_order[c]; count coefficients per signal in all (for mse).
    loss_sums(std::size_t B, std::size_t N, const std::vector<int>& channel_order, std::size_t count, wst::loss kind,
              const order_weights& weights)
        : B_(B), order_(channel_order), count_(count), kind_(kind), weights_(weights),
          sums_(B * channel_order.size() * 2, 0.0),
          result_{std::vector<double>(B, 0.0),
                  signal_array<Real>(static_cast<Eigen::Index>(B), static_cast<Eigen::Index>(N)),
                  std::vector<std::array<double, 3>>(B, {0, 0, 0})} {
        for (std::size_t m = 0; m < weights.size(); ++m)
            if (!(weights[m] >= 0) || !std::isfinite(weights[m]))
                detail::reject("order_weights[" + std::to_string(m) + "]", weights[m], "weights must be finite and >= 0");
    }

    // The loss term of channel c's coefficients.
    elementwise::loss_term<Real> term(std::size_t c) const {
        return {kind_, static_cast<Real>(weights_[static_cast<std::size_t>(order_[c])]), static_cast<Real>(count_)};
    }
    // Where in all_sums() the backend accumulates the two sums of signal b,
    // channel c; the next signal's are row_stride() further.
    std::size_t offset(std::size_t b, std::size_t c) const { return (b * order_.size() + c) * 2; }
    std::size_t row_stride() const { return order_.size() * 2; }
    std::vector<double>& all_sums() { return sums_; }
    signal_array<Real>& gradient() { return result_.gradient; }

    // The losses from the sums (on the host), the norm's gradient scaled.
    loss_and_gradient<Real> finish() {
        const std::size_t C = order_.size();
        for (std::size_t b = 0; b < B_; ++b)
            for (std::size_t c = 0; c < C; ++c) {
                const auto order = static_cast<std::size_t>(order_[c]);
                const double abs_sum = sums_[(b * C + c) * 2], square_sum = sums_[(b * C + c) * 2 + 1];
                result_.squared_error_by_order[b][order] += square_sum;
                result_.loss[b] += weights_[order] * (kind_ == wst::loss::l1 ? abs_sum : square_sum);
            }
        for (std::size_t b = 0; b < B_; ++b) {
            double& l = result_.loss[b];
            if (kind_ == wst::loss::sum_squares) l *= 0.5;
            if (kind_ == wst::loss::mse) l /= static_cast<double>(count_);
            if (kind_ == wst::loss::norm) {
                l = std::sqrt(l);
                const Real scale = l > 0 ? static_cast<Real>(1.0 / l) : Real(0);
                result_.gradient.row(static_cast<Eigen::Index>(b)) *= scale;
            }
        }
        return std::move(result_);
    }

private:
    std::size_t B_;
    std::vector<int> order_;
    std::size_t count_;
    wst::loss kind_;
    order_weights weights_;
    std::vector<double> sums_;
    loss_and_gradient<Real> result_;
};

}  // namespace wst
