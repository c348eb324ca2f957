// libFuzzer target: the .npz reader of the command-line tools (libzip, then
// the .npy reader per member) returns arrays or throws std::runtime_error.
#include "fuzz_file.hpp"
#include "tools/npz.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const fuzz::temporary_file file(data, size, ".npz");
    try {
        for (const auto& member : tools::read_npz(file.path())) {
            const auto& a = member.second;
            std::size_t n = 1;
            for (std::size_t d : a.shape) n *= d;
            if (n != a.values.size()) std::abort();
        }
    } catch (const std::runtime_error&) {
    }
    return 0;
}
