// The parameters, frequential filters, paths and meta() of joint
// time-frequency scattering against Kymatio 0.4's (tests/data/reference/jtfs).
#include "jtfs_reference.hpp"
#include "reference.hpp"

#include <wst/frequency_filter_bank.hpp>
#include <wst/jtfs_paths.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <map>
#include <string>

namespace {

// What the layout functions need, from the parameters.
struct jtfs_layout {
    wst::jtfs_params params;
    wst::jtfs_geometry g;
    std::vector<wst::filter_spec> time_filters;
    wst::frequency_filter_bank bank;
    std::vector<wst::joint_path> paths;

    explicit jtfs_layout(const wst::jtfs_params& p)
        : params(p), g(wst::make_jtfs_geometry(p)),
          time_filters(wst::scattering_filter_specs(p.J, p.Q.q1, p.Q.q2, g.time.T)),
          bank(wst::frequency_filter_factory(static_cast<std::size_t>(g.N_padded_fr), p.J_fr, p.Q_fr, g.F,
                                             g.log2_stride_fr + 1)),
          paths(wst::joint_paths(g, p.format, time_filters, bank)) {}
};

// The reference meta's row for key k, as a map from key strings.
std::string key_string(const std::vector<int>& key) {
    std::string s = "(";
    for (std::size_t i = 0; i < key.size(); ++i) s += (i ? ", " : "") + std::to_string(key[i]);
    return s + ")";
}

double meta_value(const nlohmann::json& field, std::size_t row, std::size_t column) {
    const auto& shape = field["shape"];
    const std::size_t columns = shape.size() > 1 ? shape[1].get<std::size_t>() : 1;
    const auto& v = field["values"][row * columns + column];
    return v.is_null() ? std::nan("") : v.get<double>();
}

bool same_or_both_nan(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

}  // namespace

TEST_CASE("JTFS geometry: Kymatio's frequency padding and channel counts", "[jtfs]") {
    // N_padded_fr from Kymatio's TimeFrequencyScatteringBase.build for each case.
    const std::map<std::string, long long> N_padded_fr = {
        {"jtfs/jtfs_small", 120}, {"jtfs/jtfs_chirp", 224}, {"jtfs/jtfs_F_T", 128}, {"jtfs/jtfs_Qfr2_stride", 240}};
    for (const auto& name : jtfs_ref::cases()) {
        INFO(name);
        const auto shapes = ref::json(name, "params.json")["shapes"];
        const jtfs_layout time(jtfs_ref::params(name, wst::jtfs_format::time));
        CHECK(time.g.N_padded_fr == N_padded_fr.at(name));
        CHECK(wst::joint_output_size(time.paths, wst::jtfs_format::time) == shapes["S"][1].get<std::size_t>());
        const jtfs_layout joint(jtfs_ref::params(name, wst::jtfs_format::joint));
        CHECK(wst::joint_output_size(joint.paths, wst::jtfs_format::joint) == shapes["S_joint"][1].get<std::size_t>());
        for (const auto& p : joint.paths) CHECK(p.rows == shapes["S_joint"][2].get<std::size_t>());
    }
}

TEST_CASE("JTFS meta() has Kymatio's rows, one per channel in the output's order", "[jtfs]") {
    for (const auto& name : jtfs_ref::cases()) {
        INFO(name);
        const jtfs_layout L(jtfs_ref::params(name, wst::jtfs_format::time));
        const wst::jtfs_meta m = wst::joint_meta(L.paths, wst::jtfs_format::time, L.time_filters, L.bank);
        const auto reference = ref::json(name, "meta.json");
        std::map<std::string, std::size_t> reference_row;
        for (std::size_t i = 0; i < reference["key"].size(); ++i) reference_row[reference["key"][i]] = i;
        REQUIRE(m.key.size() == reference_row.size());
        std::size_t matched = 0;
        for (std::size_t c = 0; c < m.key.size(); ++c) {
            const auto found = reference_row.find(key_string(m.key[c]));
            REQUIRE(found != reference_row.end());
            const std::size_t r = found->second;
            const auto i = static_cast<Eigen::Index>(c);
            bool same = static_cast<double>(m.order[c]) == meta_value(reference["order"], r, 0);
            for (std::size_t col = 0; col < 2; ++col) {
                const auto ci = static_cast<Eigen::Index>(col);
                same = same && same_or_both_nan(m.n(i, ci), meta_value(reference["n"], r, col)) &&
                       same_or_both_nan(m.xi(i, ci), meta_value(reference["xi"], r, col)) &&
                       same_or_both_nan(m.sigma(i, ci), meta_value(reference["sigma"], r, col)) &&
                       same_or_both_nan(m.j(i, ci), meta_value(reference["j"], r, col));
            }
            same = same && same_or_both_nan(m.n_fr[i], meta_value(reference["n_fr"], r, 0)) &&
                   same_or_both_nan(m.xi_fr[i], meta_value(reference["xi_fr"], r, 0)) &&
                   same_or_both_nan(m.sigma_fr[i], meta_value(reference["sigma_fr"], r, 0)) &&
                   same_or_both_nan(m.j_fr[i], meta_value(reference["j_fr"], r, 0)) &&
                   same_or_both_nan(m.spin[i], meta_value(reference["spin"], r, 0));
            if (!same) FAIL_CHECK("channel " << c << " key " << key_string(m.key[c]) << " differs from Kymatio's");
            matched += same;
        }
        CHECK(matched == m.key.size());
    }
}

TEST_CASE("JTFS output order: order 1 by n_fr then n1, order 2 by n2, n_fr, n1", "[jtfs]") {
    // jtfs_small: 38 first-order wavelets, K = 4 per spin, stride_fr = F = 8.
    const jtfs_layout L(jtfs_ref::params("jtfs/jtfs_small", wst::jtfs_format::time));
    const wst::jtfs_meta m = wst::joint_meta(L.paths, wst::jtfs_format::time, L.time_filters, L.bank);
    CHECK(m.key[0].empty());
    CHECK(m.key[1] == std::vector<int>{0, 0});
    CHECK(m.key[2] == std::vector<int>{8, 0});  // phi along n1 of width 2^J_fr = 8, n1 every 8
    CHECK(m.key[6] == std::vector<int>{0, 1});
    const auto first_order2 = std::find(m.order.begin(), m.order.end(), 2) - m.order.begin();
    CHECK(m.key[static_cast<std::size_t>(first_order2)][2] == 0);  // n_fr = 0 first
}

TEST_CASE("JTFS parameters: every bad value named, with what is allowed", "[jtfs][errors]") {
    using Catch::Matchers::Contains;
    const wst::jtfs_params ok{.J = 6, .J_fr = 3, .Q = 8, .shape = 1024};
    auto with = [&](auto change) {
        wst::jtfs_params p = ok;
        change(p);
        return p;
    };
    CHECK_NOTHROW(wst::make_jtfs_geometry(ok));
    CHECK_THROWS_WITH(wst::make_jtfs_geometry(with([](auto& p) { p.J_fr = 0; })), Contains("J_fr = 0 is invalid"));
    CHECK_THROWS_WITH(wst::make_jtfs_geometry(with([](auto& p) { p.J_fr = 7; })), Contains("from 1 to 6"));
    CHECK_THROWS_WITH(wst::make_jtfs_geometry(with([](auto& p) { p.Q_fr = 0; })), Contains("Q_fr = 0 is invalid"));
    CHECK_THROWS_WITH(wst::make_jtfs_geometry(with([](auto& p) { p.F = 57; })), Contains("1..56"));
    CHECK_THROWS_WITH(wst::make_jtfs_geometry(with([](auto& p) { p.F = -1; })), Contains("F = -1 is invalid"));
    CHECK_THROWS_WITH(wst::make_jtfs_geometry(with([](auto& p) { p.T = 0; })), Contains("T = 0 is invalid"));
    CHECK_THROWS_WITH(wst::make_jtfs_geometry(with([](auto& p) { p.stride_fr = 3; })), Contains("power of two"));
    CHECK_THROWS_WITH(wst::make_jtfs_geometry(with([](auto& p) { p.stride_fr = 16; })), Contains("must not exceed F = 8"));
    CHECK_THROWS_WITH(wst::make_jtfs_geometry(with([](auto& p) { p.F = 0, p.stride_fr = 2; })),
                      Contains("only allowed with local averaging"));
    CHECK_NOTHROW(wst::make_jtfs_geometry(with([](auto& p) { p.out_type = wst::out_type::list; })));
    // Kymatio fails in np.stack on these; wst says why.
    CHECK_THROWS_WITH(wst::make_jtfs_geometry(with([](auto& p) { p.F = wst::global, p.format = wst::jtfs_format::joint; })),
                      Contains("format joint needs F >= 1"));
    CHECK_THROWS_WITH(wst::make_jtfs_geometry(with([](auto& p) { p.F = 16, p.format = wst::jtfs_format::joint; })),
                      Contains("stride_fr <= 2^J_fr = 8"));
    // Kymatio's N_padded_fr (15 x 8 = 120) is not a multiple of F = 16: wst pads to 128.
    CHECK(wst::make_jtfs_geometry(with([](auto& p) { p.F = 16; })).N_padded_fr == 128);
    // Time parameters go through Scattering1D's checks.
    CHECK_THROWS_WITH(wst::make_jtfs_geometry(with([](auto& p) { p.J = 0; })), Contains("J = 0 is invalid"));
}

TEST_CASE("JTFS averaging along n1 as a matrix: the Fourier route's lowpass, computed by naive DFTs", "[jtfs]") {
    // N_padded_fr = 224 (speech-length, J_fr = 4), not a power of two; F = 16, stride_fr = 16.
    const std::size_t n0 = 224;
    const int log2_stride_fr = 4;
    const wst::frequency_filter_bank bank = wst::frequency_filter_factory(n0, 4, 1, 16, log2_stride_fr + 1);
    std::vector<double> u(n0);
    for (std::size_t t = 0; t < n0; ++t) u[t] = std::sin(0.37 * static_cast<double>(t * t % 97)) + 0.25;
    const double two_pi = 2.0 * std::acos(-1.0);
    for (int k = 0; k <= log2_stride_fr; ++k) {
        const std::vector<double>& level = bank.phi_F.levels[static_cast<std::size_t>(k)];
        const std::size_t n = level.size(), step = std::size_t{1} << (log2_stride_fr - k), n_out = n / step;
        const wst::dense_matrix A = wst::averaging_matrix(wst::compact(level), log2_stride_fr - k);
        REQUIRE(A.rows == n_out);
        REQUIRE(A.cols == n);
        // Spectrum of u's first n values times the level, periodized step
        // times, and the normalized inverse DFT of length n_out (real part).
        std::vector<std::complex<double>> product(n);
        for (std::size_t b = 0; b < n; ++b) {
            std::complex<double> s = 0;
            for (std::size_t t = 0; t < n; ++t) s += u[t] * std::polar(1.0, -two_pi * static_cast<double>(b * t % n) / static_cast<double>(n));
            product[b] = s * level[b];
        }
        double largest = 0.0, worst = 0.0;
        for (std::size_t r = 0; r < n_out; ++r) {
            std::complex<double> y = 0;
            for (std::size_t b = 0; b < n_out; ++b) {
                std::complex<double> periodized = 0;
                for (std::size_t m = 0; m < step; ++m) periodized += product[b + m * n_out];
                y += periodized / static_cast<double>(step) *
                     std::polar(1.0, two_pi * static_cast<double>(b * r % n_out) / static_cast<double>(n_out));
            }
            const double expected = y.real() / static_cast<double>(n_out);
            double got = 0.0;
            for (std::size_t i = 0; i < n; ++i) got += A.values[r * n + i] * u[i];
            largest = std::max(largest, std::abs(expected));
            worst = std::max(worst, std::abs(got - expected));
        }
        INFO("level " << k);
        CHECK(worst <= 1e-13 * largest);
    }
}
