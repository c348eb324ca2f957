// libFuzzer target: the tools' input path (tools::read_signals: .npy through
// the npy reader, audio through libsndfile). The first byte picks the file
// type, the rest is the file. A signal comes back with B x N finite-or-not
// samples as announced, or std::runtime_error is thrown.
#include "fuzz_file.hpp"
#include "tools/signal_io.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const char* const extensions[] = {".npy", ".wav", ".flac", ".ogg", ".aiff"};
    const fuzz::temporary_file file(data + 1, size - 1, extensions[data[0] % 5]);
    try {
        const tools::signals s = tools::read_signals(file.path());
        if (s.B == 0 || s.N == 0 || s.values.size() != s.B * s.N) std::abort();
    } catch (const std::runtime_error&) {
    }
    return 0;
}
