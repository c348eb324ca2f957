// The benchmark configurations (Kymatio's own benchmark set, the
// reconstruction example's, and one long signal), shared by the benchmark
// binaries.
#pragma once

#include "tools/harmonic.hpp"

#include <wst/wst.hpp>

#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {

struct configuration {
    std::string name;
    int J;
    int Q;
    long long N;
    long long B;

    wst::scattering1d_params params() const { return {.J = J, .shape = N, .Q = Q}; }
};

inline const std::vector<configuration>& configurations() {
    static const std::vector<configuration> all = {
        {"eeg", 8, 1, 1024, 32},
        {"speech", 8, 8, 4096, 32},
        {"music", 13, 12, 65536, 32},
        {"seed", 6, 16, 8192, 1},
        {"large", 13, 1, 1 << 22, 1},  // the reliability issue's long signal
    };
    return all;
}

inline const configuration& find(const std::string& name) {
    for (const auto& c : configurations())
        if (c.name == name) return c;
    throw std::invalid_argument("unknown configuration '" + name + "' (eeg, speech, music, seed, large)");
}

// Joint time-frequency scattering's configurations (wst-bench jtfs/<name>):
// Kymatio's test sizes, a chirp-like audio frame and a speech-length signal.
struct jtfs_configuration {
    std::string name;
    int J, J_fr, Q;
    long long N, B;

    wst::jtfs_params params() const { return {.J = J, .J_fr = J_fr, .Q = Q, .shape = N}; }
};

inline const std::vector<jtfs_configuration>& jtfs_configurations() {
    static const std::vector<jtfs_configuration> all = {
        {"small", 6, 3, 8, 1024, 8},
        {"chirp", 8, 4, 12, 4096, 4},
        {"speech", 8, 4, 12, 1 << 15, 1},
    };
    return all;
}

template <class Real>
wst::signal_array<Real> noise(long long B, long long N, unsigned seed) {
    std::mt19937 gen(seed);
    std::normal_distribution<double> d;
    wst::signal_array<Real> x(B, N);
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<Real>(d(gen));
    return x;
}

// B harmonic signals of N samples (tools::harmonic_signal, random states 42,
// 43, ...): the reconstruction benchmarks' targets.
inline wst::signal_array<float> harmonic_signals(long long B, long long N) {
    wst::signal_array<float> x(B, N);
    for (long long b = 0; b < B; ++b) {
        const auto h = tools::harmonic_signal(static_cast<std::size_t>(N), 4, static_cast<unsigned>(42 + b));
        x.row(b) = Eigen::Map<const Eigen::RowVectorXf>(h.data(), N);
    }
    return x;
}

}  // namespace bench
