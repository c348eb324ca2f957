// libFuzzer target: the .npy reader on arbitrary bytes returns an array
// whose values match its shape, or throws wst::npy::format_error; anything
// else (a crash, another exception, a huge allocation) is a finding.
#include <wst/npy.hpp>

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    try {
        const wst::npy::array a = wst::npy::read(in);
        std::size_t n = 1;
        for (std::size_t d : a.shape) n *= d;
        if (n != a.values.size()) std::abort();
    } catch (const wst::npy::format_error&) {
    }
    return 0;
}
