// The filter bank against Kymatio's filters and against its own formulas.
#include "reference.hpp"

#include <wst/wst.hpp>

#include <catch2/catch.hpp>

#include <cmath>

namespace {

// Compares every level of `f` with row `row` of a Kymatio filter array (levels
// concatenated, zero-filled to the widest row).
void check_levels(const wst::filter& f, const wst::npy::array& a, std::size_t row) {
    const std::size_t width = a.shape[1];
    std::size_t offset = 0;
    double worst = 0;
    for (const auto& level : f.levels) {
        REQUIRE(offset + level.size() <= width);
        for (std::size_t k = 0; k < level.size(); ++k)
            worst = std::max(worst, std::abs(level[k] - a.values[row * width + offset + k]));
        offset += level.size();
    }
    for (; offset < width; ++offset) CHECK(a.values[row * width + offset] == 0.0);
    CHECK(worst <= 1e-12);
}

}  // namespace

TEST_CASE("filters equal Kymatio's at every level", "[filter_bank][reference]") {
    const std::string name = GENERATE(from_range(ref::cases()));
    INFO(name);
    const auto p = ref::json(name, "params.json");
    const auto info = ref::json(name, "filters.json");
    const auto params = ref::params(name);
    const wst::Scattering1D<wst::backend::fftw, double> S(params);
    const auto bank = wst::scattering_filter_factory(static_cast<std::size_t>(p["N_padded"].get<long long>()),
                                                     params.J, params.Q.q1, params.Q.q2, S.T());
    auto same = [](const wst::filter& f, const nlohmann::json& j) {
        CHECK(f.xi == j["xi"].get<double>());
        CHECK(f.sigma == j["sigma"].get<double>());
        CHECK(f.j == j["j"].get<int>());
        CHECK(f.levels.size() == j["levels"].get<std::size_t>());
    };
    same(bank.phi, info["phi"]);
    REQUIRE(bank.psi1.size() == info["psi1"].size());
    REQUIRE(bank.psi2.size() == info["psi2"].size());
    for (std::size_t n = 0; n < bank.psi1.size(); ++n) same(bank.psi1[n], info["psi1"][n]);
    for (std::size_t n = 0; n < bank.psi2.size(); ++n) same(bank.psi2[n], info["psi2"][n]);

    if (!ref::has(name, "phi.npy")) return;  // large cases ship no filter values
    check_levels(bank.phi, ref::array(name, "phi.npy"), 0);
    const auto psi1 = ref::array(name, "psi1.npy");
    const auto psi2 = ref::array(name, "psi2.npy");
    for (std::size_t n = 0; n < bank.psi1.size(); ++n) check_levels(bank.psi1[n], psi1, n);
    for (std::size_t n = 0; n < bank.psi2.size(); ++n) check_levels(bank.psi2[n], psi2, n);
}

TEST_CASE("filter formulas", "[filter_bank]") {
    // sigma = xi (1 - 2^{-1/Q}) / (1 + 2^{-1/Q}) / sqrt(2 log sqrt 2) for r = 1/sqrt 2.
    CHECK(wst::compute_sigma_psi(0.35, 1) == Approx(0.35 * (1.0 / 3.0) / std::sqrt(std::log(2.0))));
    CHECK(wst::compute_xi_max(1) == 0.35);
    CHECK(wst::compute_xi_max(16) == Approx(1.0 / (1.0 + std::pow(2.0, 3.0 / 16))));
    CHECK(wst::get_max_dyadic_subsampling(0.35, 0.01) == 0);       // 0.4 -> floor(1.32) - 1
    CHECK(wst::get_max_dyadic_subsampling(0.01, 0.001) == 5);      // 0.015 -> floor(6.06) - 1
    CHECK(wst::adaptive_choice_P(0.1) == 2);

    // Q = 1: xi halves at each octave until sigma reaches sigma0 / 2^J.
    const auto bands = wst::anden_generator(4, 1);
    REQUIRE(bands.size() >= 2);
    for (std::size_t i = 1; i < bands.size(); ++i) CHECK(bands[i].xi == Approx(bands[i - 1].xi / 2));

    // A Morlet wavelet has zero mean (hat psi(0) = 0) and unit l1 norm in time;
    // phi is an even real Gaussian that peaks at 0.
    const auto psi = wst::morlet_1d(256, 0.2, 0.05);
    CHECK(std::abs(psi[0]) < 1e-15);
    const auto phi = wst::gauss_1d(256, 0.01);
    CHECK(phi[0] == Approx(*std::max_element(phi.begin(), phi.end())));
    for (std::size_t k = 1; k < 128; ++k) CHECK(phi[k] == Approx(phi[256 - k]).margin(1e-15));

    // Summing 2^level periods keeps the value at frequency 0 of phi's level.
    const auto level2 = wst::periodize_filter_fourier(phi, 2);
    REQUIRE(level2.size() == 64);
    CHECK(level2[0] == Approx(phi[0] + phi[64] + phi[128] + phi[192]));
}

// compact() against the definition: the window it keeps holds every value
// above the floor, and is as short as possible (checked by brute force over
// every circular window).
TEST_CASE("compact keeps the shortest circular window above the floor", "[filter_bank]") {
    auto check = [](const std::vector<double>& level, std::size_t expected_start, std::size_t expected_length) {
        const auto c = wst::compact(level, 0.1);
        CHECK(c.n == level.size());
        CHECK(c.start == expected_start);
        REQUIRE(c.values.size() == expected_length);
        for (std::size_t i = 0; i < c.values.size(); ++i) CHECK(c.values[i] == level[(c.start + i) % c.n]);
    };
    check({0, 0, 1, 2, 1, 0, 0, 0}, 2, 3);              // inside
    check({2, 1, 0, 0, 0, 0, 0, 1}, 7, 3);              // wrapping around n
    check({5, 0, 0, 0, 0, 0, 0, 0}, 0, 1);              // one bin
    check({0, 0, 0, 0, 0, 0, 0, 0}, 0, 0);              // nothing above the floor
    check({1, 1, 1, 1}, 0, 4);                          // everything
    check({1, 0.01, 0.01, 1, 0.01, 1, 0.01, 0.01}, 3, 6);  // gaps 1..2 and 6..7 tie: the first is dropped
    check({-3, 0, 0, 0.5, 0, 0, 0, 0}, 0, 4);           // magnitudes, not signed values
}

// The l1 norm that normalizes each filter, taken on a coarse grid for narrow
// filters (filter_bank.hpp, l1_norm_in_time), against the norm over every one
// of the N samples (Kymatio's definition), for the wavelets and low-pass of
// two banks of 2^14 bins; and the folding it rests on: the norm of the filter
// folded onto M bins is the sum of every (N/M)-th sample of |h| (from FFTW's
// complex transform of the whole filter), times N/M.
TEST_CASE("the l1 norm on a folded grid equals the norm over all samples", "[filter_bank]") {
    const std::size_t N = std::size_t{1} << 14;
    std::size_t folded_cases = 0;
    for (int Q : {1, 8}) {
        const auto bank = wst::scattering_filter_factory(N, 10, Q, 1, 1 << 10);
        std::vector<const std::vector<double>*> filters{&bank.phi.levels[0]};
        for (const auto& f : bank.psi1) filters.push_back(&f.levels[0]);
        for (const auto& f : bank.psi2) filters.push_back(&f.levels[0]);
        for (const auto* h : filters) {
            wst::fftw::aligned_buffer<double> h_f(N);
            std::copy(h->begin(), h->end(), h_f.data());
            const double full = wst::detail::inverse_fft_l1_norm(h_f, N);
            CHECK(std::abs(wst::detail::l1_norm_in_time(h_f, N) - full) <= 1e-13 * full);

            const auto w = wst::detail::window_above(*h, 0.0);
            std::size_t M = 1;
            while (M < w.length) M *= 2;
            if (4 * M > N) continue;
            ++folded_cases;
            wst::fftw::aligned_buffer<std::complex<double>> spectrum(N), samples(N);
            for (std::size_t k = 0; k < N; ++k) spectrum.data()[k] = (*h)[k];
            wst::fftw::plan<double>(wst::fftw::transform::complex_backward, N).c2c(spectrum.data(), samples.data());
            double every_nth = 0;
            for (std::size_t t = 0; t < N; t += N / M) every_nth += std::abs(samples.data()[t]) / static_cast<double>(N);
            every_nth *= static_cast<double>(N / M);
            CHECK(std::abs(wst::detail::folded_l1_norm(h_f, N, w, M) - every_nth) <= 1e-13 * every_nth);
        }
    }
    CHECK(folded_cases > 20);  // most of the narrow wavelets fit a coarse grid
}
