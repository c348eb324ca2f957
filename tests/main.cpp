// The test runner. The tests plan FFTs the quick way and write no FFTW
// wisdom cache, unless the environment says otherwise (as CTest's does not):
// tests/CMakeLists.txt gives the other test programs the same environment.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

int main(int argc, char* argv[]) {
    setenv("WST_FFTW_PLANNING", "estimate", 0);
    setenv("WST_FFTW_WISDOM", "off", 0);
    return Catch::Session().run(argc, argv);
}
