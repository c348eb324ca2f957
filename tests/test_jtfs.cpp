// TimeFrequencyScattering's output against Kymatio 0.4's, in both formats
// and precisions (tests/data/reference/jtfs).
#include "compare.hpp"
#include "jtfs_reference.hpp"
#include "reference.hpp"

#include <wst/backend/fftw.hpp>
#include <wst/time_frequency_scattering.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using test_compare::max_abs;
using test_compare::max_abs_diff;

namespace {

// The FFTW backend's output of a case.
template <class Real>
std::vector<double> jtfs_output(const std::string& name, wst::jtfs_format format, int threads) {
    return jtfs_ref::output<wst::backend::fftw, Real>(name, format, {.threads = threads});
}

}  // namespace

TEST_CASE("JTFS equals Kymatio's in double, format time and joint", "[jtfs][reference]") {
    for (const auto& name : jtfs_ref::cases()) {
        INFO(name);
        for (const auto format : {wst::jtfs_format::time, wst::jtfs_format::joint}) {
            INFO(jtfs_ref::output_file(format));
            const auto expected = ref::array(name, jtfs_ref::output_file(format)).values;
            const auto got = jtfs_output<double>(name, format, 2);
            REQUIRE(got.size() == expected.size());
            CHECK(max_abs_diff(got, expected) <= 1e-10 * max_abs(expected));
        }
    }
}

TEST_CASE("JTFS in float is Kymatio's to float precision", "[jtfs][reference]") {
    for (const auto& name : jtfs_ref::cases()) {
        INFO(name);
        const auto expected = ref::array(name, "S.npy").values;
        const auto got = jtfs_output<float>(name, wst::jtfs_format::time, 1);
        REQUIRE(got.size() == expected.size());
        CHECK(max_abs_diff(got, expected) <= 1e-5 * max_abs(expected));
    }
}

TEST_CASE("JTFS results do not depend on the number of threads, bit for bit", "[jtfs][threads]") {
    const auto one = jtfs_output<double>("jtfs/jtfs_small", wst::jtfs_format::time, 1);
    CHECK(jtfs_output<double>("jtfs/jtfs_small", wst::jtfs_format::time, 2) == one);
}
