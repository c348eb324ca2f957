// Largest magnitudes and differences, in double, for the tests' tolerances
// (written once: the test files are compiled together as one unity build).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

namespace test_compare {

// max |v_i|
template <class Real>
double max_abs(const Real* v, std::size_t n) {
    double m = 0;
    for (std::size_t i = 0; i < n; ++i) m = std::max(m, std::abs(static_cast<double>(v[i])));
    return m;
}

inline double max_abs(const std::vector<double>& v) { return max_abs(v.data(), v.size()); }

// max |a_i - b_i| of two arrays of the same size
inline double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size())
        throw std::invalid_argument("max_abs_diff: sizes " + std::to_string(a.size()) + " and " +
                                    std::to_string(b.size()) + " differ");
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
    return m;
}

}  // namespace test_compare
