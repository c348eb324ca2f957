// Every invalid parameter and input is rejected with wst::invalid_argument
// naming the parameter, the value and what is allowed.
#include <wst/wst.hpp>

#include <catch2/catch.hpp>

#include <limits>
#include <string>

using wst::Scattering1D;
using fftw = wst::backend::fftw;
using Catch::Matchers::Contains;

namespace {

// Builds a transform from p and checks the error names `parameter` and contains `words`.
void rejects(const wst::scattering1d_params& p, const std::string& parameter, const std::string& words) {
    try {
        Scattering1D<fftw, double> S(p);
        FAIL("accepted invalid " << parameter);
    } catch (const wst::invalid_argument& e) {
        CHECK(e.parameter() == parameter);
        CHECK_THAT(e.what(), Contains(parameter + " = ") && Contains(words));
    }
}

}  // namespace

TEST_CASE("invalid parameters are rejected with a clear message", "[bad_input]") {
    rejects({.J = 0, .shape = 1024}, "J", "J must be an integer >= 1");
    rejects({.J = -3, .shape = 1024}, "J", ">= 1");
    rejects({.J = 11, .shape = 1024}, "J", "J <= 10");
    rejects({.J = 3, .shape = 5}, "J", "no samples");
    rejects({.J = 4, .shape = 0}, "shape", ">= 1");
    rejects({.J = 4, .shape = 1024, .Q = 0}, "Q", "from 1 to 256");
    rejects({.J = 4, .shape = 1024, .Q = {8, 0}}, "Q2", "from 1 to 256");
    rejects({.J = 4, .shape = 1024, .Q = 257}, "Q", "from 1 to 256");
    rejects({.J = 4, .shape = 1024, .Q = {8, 2147483647}}, "Q2", "from 1 to 256");
    rejects({.J = 4, .shape = (1LL << 31) + 1}, "shape", "longer than 2^31");
    rejects({.J = 4, .shape = 1024, .T = 2048}, "T", "cannot exceed the signal length 1024");
    rejects({.J = 4, .shape = 1024, .T = -1}, "T", "T must be 0");
    rejects({.J = 4, .shape = 1024, .stride = 3}, "stride", "power of two");
    rejects({.J = 4, .shape = 1024, .stride = 0}, "stride", "power of two");
    rejects({.J = 4, .shape = 1024, .stride = 32}, "stride", "must not exceed T = 16");
    rejects({.J = 4, .shape = 1024, .T = 0, .stride = 2, .out_type = wst::out_type::list}, "stride",
            "only allowed with local averaging");
    rejects({.J = 4, .shape = 1024, .T = wst::global, .stride = 2}, "stride", "T = global");
    rejects({.J = 4, .shape = 1024, .T = 0}, "out_type", "use out_type = list");
    rejects({.J = 4, .shape = 1024, .max_order = 3}, "max_order", "1 or 2");
    rejects({.J = 4, .shape = 1024, .max_order = 0}, "max_order", "1 or 2");
}

TEST_CASE("invalid inputs are rejected with a clear message", "[bad_input]") {
    const Scattering1D<fftw, double> S({.J = 4, .shape = 64});
    auto rejects_input = [&](const auto& call, const std::string& words) {
        try {
            call();
            FAIL("accepted invalid input");
        } catch (const wst::invalid_argument& e) {
            CHECK(e.parameter() == "x");
            CHECK_THAT(e.what(), Contains("x = ") && Contains(words));
        }
    };
    wst::signal_array<double> wrong(2, 63);
    wrong.setZero();
    rejects_input([&] { (void)S.scattering(wrong); }, "length shape = 64");
    wst::signal_array<double> empty(0, 64);
    rejects_input([&] { (void)S.scattering(empty); }, "at least one signal");
    wst::signal_array<double> nan = wst::signal_array<double>::Zero(2, 64);
    nan(1, 7) = std::numeric_limits<double>::quiet_NaN();
    rejects_input([&] { (void)S.scattering(nan); }, "signal 1, sample 7");
    wst::signal_array<double> inf = wst::signal_array<double>::Zero(1, 64);
    inf(0, 63) = -std::numeric_limits<double>::infinity();
    rejects_input([&] { (void)S.scattering(inf); }, "must be finite");
    rejects_input([&] { (void)S.scattering(nullptr, 1, 64); }, "null pointer");

    const Scattering1D<fftw, double> none({.J = 4, .shape = 64, .T = 0, .out_type = wst::out_type::list});
    try {
        (void)none.scattering(wst::signal_array<double>::Zero(1, 64).eval());
        FAIL("array output without averaging");
    } catch (const wst::invalid_argument& e) {
        CHECK_THAT(e.what(), Contains("scattering_list"));
    }
}
