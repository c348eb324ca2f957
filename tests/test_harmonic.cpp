// The examples' harmonic signal is Kymatio's, bit for bit (row 0 of the
// seed_harmonic reference input was made by numpy).
#include "reference.hpp"
#include "tools/harmonic.hpp"

#include <catch2/catch.hpp>

TEST_CASE("harmonic signal equals numpy's generate_harmonic_signal", "[examples]") {
    const auto x = tools::harmonic_signal(8192);
    const auto expected = ref::array("seed_harmonic", "x.npy");
    REQUIRE(expected.shape[1] == x.size());
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(static_cast<double>(x[i]) == expected.values[i]);
}

TEST_CASE("numpy RandomState(42).rand", "[examples]") {
    // np.random.RandomState(42).rand(3)
    tools::numpy_random_state rng(42);
    CHECK(rng.rand() == 0.3745401188473625);
    CHECK(rng.rand() == 0.9507143064099162);
    CHECK(rng.rand() == 0.7319939418114051);
}
