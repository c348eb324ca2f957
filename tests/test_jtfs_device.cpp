// TimeFrequencyScattering on the device backend, checked on the CPU through
// the emulated device (emulated_device.hpp): the joint walk's primitives at
// the lengths of the n1 axis (N_padded_fr, not a power of two) and over
// batches of B x time rows, against Kymatio 0.4's reference cases and the
// FFTW backend; and the transpose kernel against a plain loop.
#include "compare.hpp"
#include "emulated_device.hpp"
#include "jtfs_reference.hpp"
#include "reference.hpp"

#include <wst/backend/device_kernels.hpp>
#include <wst/backend/fftw.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

using test_compare::max_abs;
using test_compare::max_abs_diff;

TEST_CASE("JTFS on the emulated device equals Kymatio's and the FFTW backend's, both formats", "[jtfs][device]") {
    for (const auto& name : jtfs_ref::cases()) {
        INFO(name);
        for (const auto format : {wst::jtfs_format::time, wst::jtfs_format::joint}) {
            INFO(jtfs_ref::output_file(format));
            const auto expected = ref::array(name, jtfs_ref::output_file(format)).values;
            const double scale = max_abs(expected);
            const auto on_device = jtfs_ref::output<emulated_cuda, double>(name, format);
            REQUIRE(on_device.size() == expected.size());
            CHECK(max_abs_diff(on_device, expected) <= 1e-10 * scale);
            CHECK(max_abs_diff(on_device, jtfs_ref::output<wst::backend::fftw, double>(name, format)) <= 1e-12 * scale);
        }
        const auto expected = ref::array(name, "S.npy").values;
        CHECK(max_abs_diff(jtfs_ref::output<emulated_cuda, float>(name, wst::jtfs_format::time), expected) <=
              1e-5 * max_abs(expected));
    }
}

namespace {

// B planes of in_rows x in_cols elements of `parts` reals through the
// transpose kernel, on the emulated device's launch, into an output first
// filled with NaN (so that an element the kernel leaves unwritten shows).
template <std::size_t parts>
std::vector<double> transposed_on_device(const std::vector<double>& in, std::size_t B, std::size_t in_rows,
                                         std::size_t in_cols, std::size_t out_rows, std::size_t out_cols) {
    std::vector<double> out(parts * B * out_rows * out_cols, std::numeric_limits<double>::quiet_NaN());
    const wst::device_kernels::transpose<double, parts> kernel{in.data(), in_rows, in_cols, out.data(), out_rows, out_cols};
    emulation::device::launch(emulation::device::queue(0), B * out_rows * out_cols, kernel);
    return out;
}

// The same as a plain loop over the output: out[b][i][j] = in[b][j][i]
// where in has that entry, else 0.
template <std::size_t parts>
std::vector<double> transposed_by_loop(const std::vector<double>& in, std::size_t B, std::size_t in_rows,
                                       std::size_t in_cols, std::size_t out_rows, std::size_t out_cols) {
    std::vector<double> out;
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t i = 0; i < out_rows; ++i)
            for (std::size_t j = 0; j < out_cols; ++j)
                for (std::size_t p = 0; p < parts; ++p)
                    out.push_back(i < in_cols && j < in_rows ? in[parts * ((b * in_rows + j) * in_cols + i) + p] : 0.0);
    return out;
}

template <std::size_t parts>
void check_transpose_kernel() {
    struct shape {
        std::size_t B, in_rows, in_cols, out_rows, out_cols;
    };
    // Exact, zero-padded in both directions, cut in both, padded one way
    // and cut the other, and a batch past one launch block.
    for (const shape s : {shape{3, 5, 7, 7, 5}, shape{2, 5, 7, 9, 8}, shape{2, 5, 7, 4, 3}, shape{1, 6, 4, 3, 10},
                          shape{1, 1, 1, 1, 1}, shape{40, 15, 24, 24, 16}}) {
        INFO("parts " << parts << ", B " << s.B << ", " << s.in_rows << " x " << s.in_cols << " -> " << s.out_rows
                      << " x " << s.out_cols);
        std::vector<double> in(parts * s.B * s.in_rows * s.in_cols);
        for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<double>(i) + 1;
        CHECK(transposed_on_device<parts>(in, s.B, s.in_rows, s.in_cols, s.out_rows, s.out_cols) ==
              transposed_by_loop<parts>(in, s.B, s.in_rows, s.in_cols, s.out_rows, s.out_cols));
    }
}

}  // namespace

TEST_CASE("the transpose kernel equals a plain loop, real and complex, padded and cut", "[device]") {
    check_transpose_kernel<1>();
    check_transpose_kernel<2>();
}
