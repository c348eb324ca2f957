// A transform's output for B signals flattened in the layout of the
// reference's S.npy (array) or S_flat.npy (list, T = 0: per signal, the
// paths one after the other), for any backend.
#pragma once

#include <wst/scattering1d.hpp>

#include <vector>

template <class Backend, class Real>
std::vector<double> flat_output(const wst::Scattering1D<Backend, Real>& S, const std::vector<Real>& x, std::size_t B) {
    const std::size_t N = x.size() / B;
    std::vector<double> flat;
    if (S.average() == wst::averaging::mode::none) {
        const auto paths = S.scattering_list(x.data(), B, N);
        for (std::size_t b = 0; b < B; ++b)
            for (const auto& p : paths)
                for (Eigen::Index t = 0; t < p.coef.cols(); ++t) flat.push_back(p.coef(static_cast<Eigen::Index>(b), t));
    } else {
        const auto out = S.scattering(x.data(), B, N);
        flat.assign(out.data(), out.data() + out.size());
    }
    return flat;
}
