// How the device backend lays out its batched FFTs and covers index ranges
// with threads: pure functions, the same for the CUDA backend (cuda.cuh),
// which hands them to cuFFT and to kernel launches, and for its emulation on
// the CPU (tests/emulated_device.hpp), which hands them to FFTW's advanced
// interface and to host loops over every (block, thread).
#pragma once

#include "wst/elementwise.hpp"

#include <cstddef>
#include <tuple>

namespace wst::launch {

// One batched 1-D FFT in cuFFT's and FFTW's advanced layout: `batch`
// transforms of length n; element x of transform b of the input at
// in[b * idist + x * istride] (inembed: the input's storage length per
// transform; for rank 1 it only marks the advanced layout), likewise for the
// output.
enum class fft_type { real_to_complex, complex_to_real, complex_to_complex };
struct fft_layout {
    fft_type type;
    long long n, batch;
    long long inembed, istride, idist;
    long long onembed, ostride, odist;
    auto key() const { return std::tuple(static_cast<int>(type), n, batch, inembed, istride, idist, onembed, ostride, odist); }
    bool operator<(const fft_layout& o) const { return key() < o.key(); }
    bool operator==(const fft_layout& o) const { return key() == o.key(); }
};

// The three layouts the backend uses, all on rows of a batch:
//   real_to_complex: real rows of n samples, n apart, into complex rows n
//                    bins apart (bins 0..n/2 written; the rest is the
//                    Hermitian extension the backend fills);
//   complex_to_complex: complex rows n apart, in and out;
//   complex_to_real: Hermitian half spectra, rows n/2 + 1 bins apart (the
//                    scratch rows of the real part of an inverse DFT), into
//                    real rows n apart.
inline fft_layout real_to_complex_rows(std::size_t n, std::size_t batch) {
    const auto m = static_cast<long long>(n);
    return {fft_type::real_to_complex, m, static_cast<long long>(batch), m, 1, m, m, 1, m};
}
inline fft_layout complex_to_complex_rows(std::size_t n, std::size_t batch) {
    const auto m = static_cast<long long>(n);
    return {fft_type::complex_to_complex, m, static_cast<long long>(batch), m, 1, m, m, 1, m};
}
inline fft_layout complex_to_real_rows(std::size_t n, std::size_t batch) {
    const auto m = static_cast<long long>(n), half = m / 2 + 1;
    return {fft_type::complex_to_real, m, static_cast<long long>(batch), half, 1, half, m, 1, m};
}

// A launch over `count` indices: threads_per_block threads in each of
// `blocks` blocks (at least one, at most max_blocks); every thread walks its
// indices with the grid stride blocks x threads_per_block, in 64-bit
// arithmetic, so that B x N above 2^31 is covered.
inline constexpr unsigned threads_per_block = 256;
inline constexpr unsigned max_blocks = 4096;
struct geometry {
    unsigned blocks;
    unsigned threads;
};
inline geometry geometry_for(std::size_t count) {
    const std::size_t blocks = (count + threads_per_block - 1) / threads_per_block;
    return {static_cast<unsigned>(blocks == 0 ? 1 : (blocks < max_blocks ? blocks : max_blocks)), threads_per_block};
}

// The indices thread `thread` of block `block` visits: the body of every
// kernel, on the device (cuda.cuh) and in the emulation.
template <class F>
WST_HOST_DEVICE void grid_stride(const geometry& g, std::size_t block, std::size_t thread, std::size_t count, const F& f) {
    const std::size_t stride = static_cast<std::size_t>(g.blocks) * g.threads;
    for (std::size_t i = block * g.threads + thread; i < count; i += stride) f(i);
}

}  // namespace wst::launch
