// wst-reconstruct's --backend cuda: the reconstruction on the CUDA backend,
// compiled by nvcc in reconstruct_on_gpu.cu when the tool is built with it
// (WST_HAVE_CUDA), called from the tool's C++ code.
#pragma once

#include <wst/parameters.hpp>
#include <wst/reconstruct.hpp>

namespace tools {

// Throws std::runtime_error naming --backend when no GPU can be used.
template <class Real>
wst::reconstruction_result<Real> reconstruct_on_gpu(const wst::scattering1d_params& p, int threads,
                                                    const Eigen::Array<Real, 1, Eigen::Dynamic>& x,
                                                    const wst::reconstruction_options& o);

}  // namespace tools
