// cuda_transforms.hpp on the CUDA backend (wst/backend/cuda.cuh).
#include "cuda_transforms.hpp"

#include <wst/backend/cuda.cuh>
#include <wst/scattering1d.hpp>
#include <wst/time_frequency_scattering.hpp>

#include <stdexcept>
#include <type_traits>

namespace wst_python::cuda {

using gpu = wst::backend::cuda;

std::string unavailable() {
    const auto s = wst::cuda::probe_devices();
    return s.state == wst::cuda::availability::available ? std::string() : s.message;
}

template <class Params, class Real>
struct transform<Params, Real>::impl {
    using type = std::conditional_t<std::is_same_v<Params, wst::scattering1d_params>, wst::Scattering1D<gpu, Real>,
                                    wst::TimeFrequencyScattering<gpu, Real>>;
    impl(const Params& p, int threads) : S(p, wst::execution{.threads = threads}) {}
    type S;
};

// The transform's context keeps the device current when it is made
// (device.hpp) and makes it current for each call.
template <class Params, class Real>
transform<Params, Real>::transform(const Params& p, int device, int threads) {
    wst::cuda::device::activate(device);
    impl_ = std::make_unique<const impl>(p, threads);
}
template <class Params, class Real>
transform<Params, Real>::~transform() = default;

template <class Params, class Real>
std::size_t transform<Params, Real>::output_size() const {
    return impl_->S.output_size();
}
template <class Params, class Real>
std::size_t transform<Params, Real>::output_length() const {
    return impl_->S.output_length();
}
template <class Params, class Real>
wst::scattering_array<Real> transform<Params, Real>::scattering(const Real* x, std::size_t B, std::size_t N) const {
    return impl_->S.scattering(x, B, N);
}
template <class Params, class Real>
void transform<Params, Real>::backward(const Real* x, std::size_t B, std::size_t N, const wst::scattering_array<Real>& g,
                                       Real* grad) const {
    impl_->S.backward(x, B, N, g, grad);
}
template <class Params, class Real>
void transform<Params, Real>::scattering_on_device(const Real* x, std::size_t B, std::size_t N, Real* out) const {
    if constexpr (std::is_same_v<Params, wst::scattering1d_params>)
        impl_->S.scattering_in_backend(x, B, N, out);
    else
        throw std::logic_error("TimeFrequencyScattering takes host arrays only");
}
template <class Params, class Real>
void transform<Params, Real>::backward_on_device(const Real* x, std::size_t B, std::size_t N, const Real* g,
                                                 Real* grad) const {
    if constexpr (std::is_same_v<Params, wst::scattering1d_params>)
        impl_->S.backward_in_backend(x, B, N, g, grad);
    else
        throw std::logic_error("TimeFrequencyScattering takes host arrays only");
}

template class transform<wst::scattering1d_params, float>;
template class transform<wst::scattering1d_params, double>;
template class transform<wst::jtfs_params, float>;
template class transform<wst::jtfs_params, double>;

}  // namespace wst_python::cuda
