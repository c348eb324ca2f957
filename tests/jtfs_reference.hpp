// Kymatio 0.4's JTFS reference cases (tests/data/reference/jtfs): their
// names, their constructor arguments as wst parameters and a backend's
// output for their signals, shared by the CPU tests (test_jtfs.cpp,
// test_jtfs_device.cpp) and the GPU tests (tests/cuda/test_cuda.cpp).
#pragma once

#include "reference.hpp"

#include <wst/jtfs_parameters.hpp>
#include <wst/time_frequency_scattering.hpp>

#include <string>
#include <vector>

namespace jtfs_ref {

inline const std::vector<std::string>& cases() {
    static const std::vector<std::string> all = {"jtfs/jtfs_small", "jtfs/jtfs_chirp", "jtfs/jtfs_F_T",
                                                 "jtfs/jtfs_Qfr2_stride"};
    return all;
}

inline wst::jtfs_params params(const std::string& name, wst::jtfs_format format) {
    const auto k = ref::json(name, "params.json")["kymatio"];
    wst::jtfs_params p{.J = k["J"], .J_fr = k["J_fr"], .Q = k["Q"].get<int>(), .shape = k["shape"]};
    if (k.contains("T")) p.T = k["T"].get<long long>();
    if (k.contains("stride")) p.stride = k["stride"].get<long long>();
    if (k.contains("Q_fr")) p.Q_fr = k["Q_fr"];
    if (k.contains("F")) p.F = k["F"].get<long long>();
    p.format = format;
    return p;
}

// The reference output of each format.
inline const char* output_file(wst::jtfs_format format) {
    return format == wst::jtfs_format::joint ? "S_joint.npy" : "S.npy";
}

// The output of case `name` in `format` on a backend, its signals rounded to
// Real, flattened (format joint: (B, n_paths, rows, N_out) in C order, like
// S_joint.npy).
template <class Backend, class Real>
std::vector<double> output(const std::string& name, wst::jtfs_format format, const wst::execution& exec = {}) {
    const auto x = ref::array(name, "x.npy");
    const wst::TimeFrequencyScattering<Backend, Real> S(params(name, format), exec);
    const std::vector<Real> xr(x.values.begin(), x.values.end());
    const auto out = S.scattering(xr.data(), x.shape[0], x.shape[1]);
    return {out.data(), out.data() + out.size()};
}

}  // namespace jtfs_ref
