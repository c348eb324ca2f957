// The .npy reader and writer: the exact bytes numpy.save produces, round
// trips, and clear errors for malformed files.
#include <wst/npy.hpp>

#include <catch2/catch.hpp>

#include <sstream>

using Catch::Matchers::Contains;

TEST_CASE("writes the bytes numpy.save writes", "[npy]") {
    // numpy.save(f, np.array([[1., 2., 3.]])) : a 128-byte file (header padded to 64).
    const double v[3] = {1, 2, 3};
    std::ostringstream out;
    wst::npy::write(out, v, {1, 3});
    const std::string bytes = out.str();
    REQUIRE(bytes.size() == 128 + 24);
    CHECK(bytes.substr(0, 8) == std::string("\x93NUMPY\x01\x00", 8));
    CHECK(static_cast<unsigned char>(bytes[8]) == 118);
    CHECK(bytes.substr(10, 118) ==
          "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3), }" + std::string(58, ' ') + "\n");

    std::ostringstream one;
    const float f[2] = {1, 2};
    wst::npy::write(one, f, {2});
    CHECK(one.str().find("'shape': (2,), }") != std::string::npos);
}

TEST_CASE("round trip of float32 and float64", "[npy]") {
    const float f[6] = {1.5f, -2, 3, 4, 5, 6};
    std::stringstream io;
    wst::npy::write(io, f, {2, 3});
    const auto a = wst::npy::read(io);
    CHECK(a.is_float32);
    CHECK(a.shape == std::vector<std::size_t>{2, 3});
    CHECK(a.values == std::vector<double>{1.5, -2, 3, 4, 5, 6});
}

TEST_CASE("malformed files give clear errors", "[npy]") {
    auto fails = [](const std::string& bytes, const std::string& words) {
        std::istringstream in(bytes);
        CHECK_THROWS_WITH(wst::npy::read(in), Contains(words));
    };
    fails("", "shorter than its 10-byte preamble");
    fails("PK\x03\x04 not npy at all", "magic string");
    const double v[2] = {1, 2};
    std::ostringstream good;
    wst::npy::write(good, v, {2});
    const std::string g = good.str();
    fails(g.substr(0, g.size() - 3), "truncated .npy data");
    std::string ints = g;
    ints.replace(ints.find("<f8"), 3, "<i8");
    fails(ints, "unsupported .npy dtype '<i8'");
    std::string cplx = g;
    cplx.replace(cplx.find("<f8"), 3, "<c8");
    fails(cplx, "unsupported .npy dtype '<c8'");
    std::string huge = g;
    huge.replace(huge.find("(2,)"), 4, "(99999999999999999,)");
    huge.erase(huge.find("}") + 1, 16);  // keep the header length consistent
    fails(huge, "announces");
}
