// wst: the 1-D wavelet scattering transform, Kymatio 0.4-compatible.
#pragma once

#include "wst/backend/fftw.hpp"
#include "wst/error.hpp"
#include "wst/filter_bank.hpp"
#include "wst/npy.hpp"
#include "wst/parameters.hpp"
#include "wst/scattering1d.hpp"
#include "wst/time_frequency_scattering.hpp"
#include "wst/optimize.hpp"
#include "wst/phase_gradient.hpp"
#include "wst/preplan.hpp"
#include "wst/reconstruct.hpp"
