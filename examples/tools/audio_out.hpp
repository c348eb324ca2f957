// Writing a mono WAV file (32-bit float samples, so nothing is clipped)
// through libsndfile, as part of an output set.
#pragma once

#include "tools/output_file.hpp"

#include <sndfile.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace tools {

inline void write_wav(output_set& out, const std::string& path, const std::vector<double>& samples, int sample_rate) {
    out.add(path, [&](const std::string& tmp) {
        SF_INFO info{};
        info.samplerate = sample_rate;
        info.channels = 1;
        info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
        SNDFILE* f = sf_open(tmp.c_str(), SFM_WRITE, &info);
        if (f == nullptr) throw std::runtime_error("cannot write " + path + ": " + sf_strerror(nullptr));
        const sf_count_t n = static_cast<sf_count_t>(samples.size());
        const sf_count_t written = sf_writef_double(f, samples.data(), n);
        const int closed = sf_close(f);
        if (written != n || closed != 0) throw std::runtime_error("cannot write " + path + " (disk full?)");
    });
}

}  // namespace tools
