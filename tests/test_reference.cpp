// The transform against Kymatio 0.4's own outputs (tests/data/reference).
#include "flat_output.hpp"
#include "reference.hpp"

#include <wst/wst.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include "compare.hpp"

using test_compare::max_abs;
using test_compare::max_abs_diff;

using wst::Scattering1D;
using fftw = wst::backend::fftw;

namespace {

// Runs the transform on the case's x: its coefficients flattened like the reference's.
template <class Real>
std::vector<double> run_case(const std::string& name, const Scattering1D<fftw, Real>& S) {
    const auto x = ref::array(name, "x.npy");
    return flat_output(S, std::vector<Real>(x.values.begin(), x.values.end()), x.shape[0]);
}


std::string expected_file(const std::string& name) { return ref::has(name, "S.npy") ? "S.npy" : "S_flat.npy"; }

}  // namespace

TEST_CASE("derived sizes equal Kymatio's", "[reference]") {
    const std::string name = GENERATE(from_range(ref::cases()));
    INFO(name);
    const auto p = ref::json(name, "params.json");
    const Scattering1D<fftw, double> S(ref::params(name));
    CHECK(S.N_padded() == p["N_padded"].get<long long>());
    CHECK(S.pad_left() == p["pad_left"].get<long long>());
    CHECK(S.pad_right() == p["pad_right"].get<long long>());
    CHECK(S.T() == p["T_resolved"].get<long long>());
    CHECK(S.output_size() == p["output_size"].get<std::size_t>());
    if (p["log2_stride"].is_null())
        CHECK(S.average() != wst::averaging::mode::local);
    else
        CHECK(S.log2_stride() == p["log2_stride"].get<int>());
    const auto& start = p["ind_start"];
    REQUIRE(S.ind_start().size() == start.size());
    for (std::size_t j = 0; j < start.size(); ++j) {
        CHECK(S.ind_start()[j] == start[std::to_string(j)].get<long long>());
        CHECK(S.ind_end()[j] == p["ind_end"][std::to_string(j)].get<long long>());
    }
    const std::string average = p["average"].is_boolean() ? "none" : p["average"].get<std::string>();
    CHECK(average == (S.average() == wst::averaging::mode::local    ? "local"
                      : S.average() == wst::averaging::mode::global ? "global"
                                                                    : "none"));
    if (p.contains("S_shape")) CHECK(S.output_length() == p["S_shape"][2].get<std::size_t>());
    if (p.contains("S_paths")) {
        const auto& paths = p["S_paths"];
        REQUIRE(paths.size() == S.output_size());
        for (std::size_t c = 0; c < paths.size(); ++c) CHECK(S.path_length(c) == paths[c][1].get<std::size_t>());
    }
}

TEST_CASE("meta equals Kymatio's", "[reference]") {
    const std::string name = GENERATE(from_range(ref::cases()));
    INFO(name);
    const auto m = ref::json(name, "meta.json");
    const Scattering1D<fftw, double> S(ref::params(name));
    const auto meta = S.meta();
    REQUIRE(meta.order.size() == m["order"].size());
    for (std::size_t c = 0; c < meta.order.size(); ++c) {
        INFO("channel " << c);
        CHECK(meta.order[c] == m["order"][c].get<int>());
        CHECK(meta.key[c] == m["key"][c].get<std::vector<int>>());
        for (const char* field : {"xi", "sigma", "j"}) {
            const auto& column = std::string(field) == "xi" ? meta.xi : std::string(field) == "sigma" ? meta.sigma : meta.j;
            const auto& expected = m[field][c];
            REQUIRE(static_cast<std::size_t>(column.cols()) == expected.size());
            for (std::size_t o = 0; o < expected.size(); ++o) {
                const double got = column(static_cast<Eigen::Index>(c), static_cast<Eigen::Index>(o));
                if (expected[o].is_null())
                    CHECK(std::isnan(got));
                else
                    CHECK(got == expected[o].get<double>());
            }
        }
    }
}

TEST_CASE("double output within 1e-10 max|S| of Kymatio", "[reference]") {
    const std::string name = GENERATE(from_range(ref::cases()));
    INFO(name);
    const Scattering1D<fftw, double> S(ref::params(name));
    const auto expected = ref::array(name, expected_file(name)).values;
    const auto got = run_case(name, S);
    CHECK(max_abs_diff(got, expected) <= 1e-10 * max_abs(expected));
}

TEST_CASE("float output within 1e-5 max|S| of Kymatio", "[reference]") {
    const std::string name = GENERATE(from_range(ref::cases()));
    INFO(name);
    const Scattering1D<fftw, float> S(ref::params(name));
    const auto expected = ref::array(name, expected_file(name)).values;
    const auto got = run_case(name, S);
    CHECK(max_abs_diff(got, expected) <= 1e-5 * max_abs(expected));
}

TEST_CASE("Kymatio's border warning is reported, not printed", "[reference]") {
    std::vector<wst::warning> seen;
    const Scattering1D<fftw, double> S(ref::params("tiny"), {}, [&](const wst::warning& w) { seen.push_back(w); });
    REQUIRE(S.warnings().size() == 1);
    CHECK(S.warnings()[0].code == "border_effects");
    CHECK(S.warnings()[0].message == "Signal support is too small to avoid border effects");
    CHECK(seen.size() == 1);
    const Scattering1D<fftw, double> quiet(ref::params("speech"));
    CHECK(quiet.warnings().empty());
}
