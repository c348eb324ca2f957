// The CUDA side of reconstruct_on_gpu.hpp.
#include "reconstruct_on_gpu.hpp"

#include <wst/backend/cuda.cuh>
#include <wst/scattering1d.hpp>

#include <stdexcept>

namespace tools {

template <class Real>
wst::reconstruction_result<Real> reconstruct_on_gpu(const wst::scattering1d_params& p, int threads,
                                                    const Eigen::Array<Real, 1, Eigen::Dynamic>& x,
                                                    const wst::reconstruction_options& o) {
    if (const auto probe = wst::cuda::probe_devices(); probe.state != wst::cuda::availability::available)
        throw std::runtime_error("--backend cuda: " + probe.message);
    const wst::Scattering1D<wst::backend::cuda, Real> S(p, {.threads = threads});
    return wst::reconstruct_signals(S, x, o)[0];
}

template wst::reconstruction_result<float> reconstruct_on_gpu<float>(const wst::scattering1d_params&, int,
                                                                     const Eigen::Array<float, 1, Eigen::Dynamic>&,
                                                                     const wst::reconstruction_options&);
template wst::reconstruction_result<double> reconstruct_on_gpu<double>(const wst::scattering1d_params&, int,
                                                                       const Eigen::Array<double, 1, Eigen::Dynamic>&,
                                                                       const wst::reconstruction_options&);

}  // namespace tools
