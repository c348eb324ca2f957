// The CUDA backend's transforms for the Python package, behind an interface
// free of CUDA's headers: wst_python.cpp (host compiler, pybind11) binds
// them, cuda_transforms.cu (nvcc) instantiates them. Built when the package
// is configured with WST_PYTHON_CUDA (python/CMakeLists.txt).
//
// Each transform lives on the CUDA device it was made for. The device-pointer
// calls take arrays already there (torch's CUDA tensors), complete on the
// device when called (the caller synchronizes the stream that wrote them),
// and leave the result complete when they return (cuda.cuh); the host-array
// calls stage through the backend's own transfers.
#pragma once

#include <wst/jtfs_parameters.hpp>
#include <wst/parameters.hpp>
#include <wst/scattering1d.hpp>

#include <cstddef>
#include <memory>
#include <string>

namespace wst_python::cuda {

// Why no CUDA device can be used here ("no CUDA device", "no NVIDIA
// driver ..."), empty when one can.
std::string unavailable();

template <class Params, class Real>
class transform {
public:
    transform(const Params& p, int device, int threads);
    ~transform();
    transform(const transform&) = delete;
    transform& operator=(const transform&) = delete;

    // Channels of the array output, and samples per channel.
    std::size_t output_size() const;
    std::size_t output_length() const;
    // The array output of x (B x N host samples) and the gradient of
    // <S(x), g> into grad (B x N), host memory, computed on the device.
    wst::scattering_array<Real> scattering(const Real* x, std::size_t B, std::size_t N) const;
    void backward(const Real* x, std::size_t B, std::size_t N, const wst::scattering_array<Real>& g, Real* grad) const;
    // The same on device pointers, nothing copied (Scattering1D only: a
    // TimeFrequencyScattering throws std::logic_error).
    void scattering_on_device(const Real* x, std::size_t B, std::size_t N, Real* out) const;
    void backward_on_device(const Real* x, std::size_t B, std::size_t N, const Real* g, Real* grad) const;

private:
    struct impl;
    std::unique_ptr<const impl> impl_;
};

}  // namespace wst_python::cuda
