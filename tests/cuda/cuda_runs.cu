// The CUDA backend behind cuda_runs.hpp.
#include "cuda_runs.hpp"
#include "../device_checks.hpp"
#include "../flat_output.hpp"

#include <wst/backend/cuda.cuh>
#include <wst/scattering1d.hpp>
#include <wst/time_frequency_scattering.hpp>

#include <cuda_runtime.h>

namespace cuda_runs {

using gpu = wst::backend::cuda;

device_probe probe() {
    const auto s = wst::cuda::probe_devices();
    using wst::cuda::availability;
    return {s.state == availability::available, s.state == availability::no_device || s.state == availability::no_driver,
            s.message};
}

void configurations(const std::function<void(bool, const std::string&)>& check) {
    device_checks::configurations<gpu>(check);
}

std::size_t peak_device_memory() { return wst::cuda::memory().peak; }

std::string device_name() {
    cudaDeviceProp prop{};
    return cudaGetDeviceProperties(&prop, 0) == cudaSuccess ? std::string(prop.name) : std::string("unknown");
}

template <class Real>
std::vector<double> forward(const wst::scattering1d_params& p, const std::vector<Real>& x, std::size_t B) {
    return flat_output(wst::Scattering1D<gpu, Real>(p), x, B);
}

template <class Real>
std::vector<double> forward_on_device(const wst::scattering1d_params& p, const std::vector<Real>& x, std::size_t B) {
    const wst::Scattering1D<gpu, Real> S(p);
    const std::size_t N = x.size() / B, size = B * S.output_size() * S.output_length();
    wst::cuda::device_buffer<Real> d_x(x.size()), d_out(size);
    gpu::upload(x.data(), d_x.data(), x.size());
    S.scattering_in_backend(d_x.data(), B, N, d_out.data());
    std::vector<Real> out(size);
    gpu::download(d_out.data(), out.data(), size);
    return {out.begin(), out.end()};
}

template <class Real>
std::vector<double> gradient(const wst::scattering1d_params& p, const std::vector<Real>& x, std::size_t B,
                             const std::vector<Real>& g) {
    const wst::Scattering1D<gpu, Real> S(p);
    const std::size_t N = x.size() / B;
    wst::scattering_array<Real> cotangent(B, S.output_size(), S.output_length());
    std::copy(g.begin(), g.end(), cotangent.data());
    std::vector<Real> grad(B * N);
    S.backward(x.data(), B, N, cotangent, grad.data());
    return {grad.begin(), grad.end()};
}

template <class Real>
wst::loss_and_gradient<Real> loss_gradient(const wst::scattering1d_params& p, const wst::signal_array<Real>& y,
                                           const wst::scattering_array<Real>& target, wst::loss kind) {
    const wst::Scattering1D<gpu, Real> S(p);
    return S.loss_gradient(y, target, kind);
}

template <class Real>
std::vector<double> jtfs_forward(const wst::jtfs_params& p, const std::vector<Real>& x, std::size_t B) {
    const wst::TimeFrequencyScattering<gpu, Real> S(p);
    const auto out = S.scattering(x.data(), B, x.size() / B);
    return {out.data(), out.data() + out.size()};
}

template std::vector<double> forward<float>(const wst::scattering1d_params&, const std::vector<float>&, std::size_t);
template std::vector<double> forward<double>(const wst::scattering1d_params&, const std::vector<double>&, std::size_t);
template std::vector<double> forward_on_device<float>(const wst::scattering1d_params&, const std::vector<float>&,
                                                      std::size_t);
template std::vector<double> gradient<float>(const wst::scattering1d_params&, const std::vector<float>&, std::size_t,
                                             const std::vector<float>&);
template std::vector<double> gradient<double>(const wst::scattering1d_params&, const std::vector<double>&, std::size_t,
                                              const std::vector<double>&);
template wst::loss_and_gradient<float> loss_gradient<float>(const wst::scattering1d_params&, const wst::signal_array<float>&,
                                                            const wst::scattering_array<float>&, wst::loss);
template wst::loss_and_gradient<double> loss_gradient<double>(const wst::scattering1d_params&,
                                                              const wst::signal_array<double>&,
                                                              const wst::scattering_array<double>&, wst::loss);
template std::vector<double> jtfs_forward<float>(const wst::jtfs_params&, const std::vector<float>&, std::size_t);
template std::vector<double> jtfs_forward<double>(const wst::jtfs_params&, const std::vector<double>&, std::size_t);

}  // namespace cuda_runs
