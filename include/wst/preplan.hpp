// Plans the FFTs of given configurations ahead of their first use, so that
// the first transform a program builds does not pay for measuring them: the
// plans go to FFTW's wisdom and, through it, to the per-user cache
// (wst/backend/fftw_wisdom.hpp), where every later process finds them.
// FFTW's own fftw-wisdom tool does the same for the system's wisdom.
#pragma once

#include "wst/backend/fftw.hpp"
#include "wst/parameters.hpp"
#include "wst/scattering1d.hpp"
#include "wst/time_frequency_scattering.hpp"

#include <vector>

namespace wst {

// Builds (and drops) the CPU transforms of each configuration in float and
// double with the given planning (automatic: as a transform built without
// one would plan).
inline void preplan(const std::vector<scattering1d_params>& scattering, const std::vector<jtfs_params>& joint = {},
                    planning rigor = planning::automatic) {
    const execution exec{.planning = rigor};
    for (const auto& p : scattering) {
        const Scattering1D<backend::fftw, float> f(p, exec);
        const Scattering1D<backend::fftw, double> d(p, exec);
    }
    for (const auto& p : joint) {
        const TimeFrequencyScattering<backend::fftw, float> f(p, exec);
        const TimeFrequencyScattering<backend::fftw, double> d(p, exec);
    }
}

}  // namespace wst
