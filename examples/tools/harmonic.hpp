// The harmonic test signal of Kymatio's reconstruction example
// (examples/1d/reconstruct_torch.py, generate_harmonic_signal), reproduced
// bit for bit: numpy's RandomState(42).rand is MT19937 seeded by
// init_genrand(42) with 53-bit doubles, np.hanning is 0.5 + 0.5 cos(pi n /
// (M - 1)) for n = 1 - M, 3 - M, ..., M - 1, and the notes are accumulated in
// a float32 array.
#pragma once

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

namespace tools {

// numpy.random.RandomState(seed).rand(): (a 2^26 + b) / 2^53 from two 32-bit draws.
class numpy_random_state {
public:
    explicit numpy_random_state(unsigned seed) : mt_(seed) {}
    double rand() {
        const auto a = static_cast<double>(mt_() >> 5);
        const auto b = static_cast<double>(mt_() >> 6);
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

private:
    std::mt19937 mt_;
};

// 2 num_intervals - 1 Hann-windowed cosine notes of support T / num_intervals
// with half overlap; fundamental 0.1 rand + 0.05 (cycles per sample) and
// phase 2 pi rand per note. Kymatio's version sums one harmonic (k = 0), so
// gamma never weighs anything; it is kept for the signature's sake.
inline std::vector<float> harmonic_signal(std::size_t T, std::size_t num_intervals = 4, unsigned random_state = 42) {
    numpy_random_state rng(random_state);
    const std::size_t num_notes = 2 * (num_intervals - 1) + 1;
    const std::size_t support = T / num_intervals;
    const std::size_t half_support = support / 2;
    std::vector<double> base_freq(num_notes), phase(num_notes);
    for (auto& f : base_freq) f = 0.1 * rng.rand() + 0.05;
    for (auto& p : phase) p = 2 * std::numbers::pi * rng.rand();

    std::vector<double> window(support);
    for (std::size_t i = 0; i < support; ++i) {
        const double n = 1.0 - static_cast<double>(support) + 2.0 * static_cast<double>(i);
        window[i] = 0.5 + 0.5 * std::cos(std::numbers::pi * n / static_cast<double>(support - 1));
    }
    std::vector<float> x(T, 0.0f);
    for (std::size_t i = 0; i < num_notes; ++i) {
        const std::size_t start = i * half_support;
        for (std::size_t t = 0; t < support; ++t) {
            const double u = 2 * std::numbers::pi * static_cast<double>(t);
            const double note = std::cos(u * base_freq[i] + phase[i]);
            x[start + t] = static_cast<float>(static_cast<double>(x[start + t]) + note * window[t]);
        }
    }
    return x;
}

}  // namespace tools
