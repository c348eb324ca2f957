// What the GPU tests ask of the CUDA backend, as plain functions: defined in
// cuda_runs.cu (compiled by nvcc, where the kernels are), called from
// test_cuda.cpp (compiled by the C++ compiler, with the reference reader).
#pragma once

#include <wst/jtfs_parameters.hpp>
#include <wst/parameters.hpp>
#include <wst/reconstruct.hpp>

#include <functional>
#include <string>
#include <vector>

namespace cuda_runs {

// Whether the GPU tests can run: "available", or why not, with whether
// that is a machine without a GPU (skip) or a GPU machine in error (fail).
struct device_probe {
    bool available, no_gpu;
    std::string message;
};
device_probe probe();
std::string device_name();

// device_checks::configurations on the GPU (B = 130 on four streams, the
// per-subtree paths, jvp, the double device-pointer API).
void configurations(const std::function<void(bool, const std::string&)>& check);

// Peak device memory of this process so far, in bytes.
std::size_t peak_device_memory();

// The coefficients of B signals (x: B x N, row-major), flattened like the
// reference's S.npy (array) or S_flat.npy (list, T = 0).
template <class Real>
std::vector<double> forward(const wst::scattering1d_params& p, const std::vector<Real>& x, std::size_t B);

// The same through the device-pointer API (x uploaded, S computed and kept
// on the device, then downloaded): array output only.
template <class Real>
std::vector<double> forward_on_device(const wst::scattering1d_params& p, const std::vector<Real>& x, std::size_t B);

// The gradient of sum(S(x) * g) for a cotangent g shaped like the array output.
template <class Real>
std::vector<double> gradient(const wst::scattering1d_params& p, const std::vector<Real>& x, std::size_t B,
                             const std::vector<Real>& g);

// The fused loss and its gradient against a target shaped like the array output.
template <class Real>
wst::loss_and_gradient<Real> loss_gradient(const wst::scattering1d_params& p, const wst::signal_array<Real>& y,
                                           const wst::scattering_array<Real>& target, wst::loss kind);

// TimeFrequencyScattering's output of B signals (x: B x N, row-major),
// flattened like the JTFS reference's S.npy (format time) or S_joint.npy
// (format joint).
template <class Real>
std::vector<double> jtfs_forward(const wst::jtfs_params& p, const std::vector<Real>& x, std::size_t B);

}  // namespace cuda_runs
