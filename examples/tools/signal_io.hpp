// Reading signals for the command-line tools: .npy arrays (N,) or (B, N), and
// audio files through libsndfile (one row per channel).
#pragma once

#include <wst/npy.hpp>

#include <sndfile.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace tools {

struct signals {
    std::vector<double> values;  // B x N, row-major
    std::size_t B = 0, N = 0;
    bool one_dimensional = false;  // a (N,) array: the output drops the batch axis
    bool float32 = false;          // stored as float32 (audio counts as float32)
    int sample_rate = 0;           // audio only
};

inline std::string extension(const std::filesystem::path& p) {
    std::string e = p.extension().string();
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return e;
}

inline signals read_npy(const std::string& path) {
    const auto a = wst::npy::load(path);
    signals s;
    s.float32 = a.is_float32;
    if (a.shape.size() == 1) {
        s.B = 1;
        s.N = a.shape[0];
        s.one_dimensional = true;
    } else if (a.shape.size() == 2) {
        s.B = a.shape[0];
        s.N = a.shape[1];
    } else {
        throw std::runtime_error(path + ": a " + std::to_string(a.shape.size()) +
                                 "-D array; the input must have shape (N,) or (B, N)");
    }
    if (s.B == 0 || s.N == 0) throw std::runtime_error(path + ": the input holds no samples (an empty array)");
    s.values = a.values;
    return s;
}

// The frame count in the header is not trusted for allocation (a damaged or
// hostile file may announce any number): frames are read in blocks until the
// decoder stops, and must then number what the header announced.
inline signals read_audio(const std::string& path) {
    SF_INFO info{};
    SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
    if (f == nullptr) throw std::runtime_error(path + ": cannot read audio: " + sf_strerror(nullptr));
    signals s;
    s.B = static_cast<std::size_t>(info.channels);
    s.float32 = true;
    s.sample_rate = info.samplerate;
    std::vector<double> interleaved;
    constexpr sf_count_t block = 1 << 16;
    bool bad_header = info.channels < 1 || info.channels > 1024 || info.samplerate < 1 || info.frames < 0;
    while (!bad_header) {
        const std::size_t old_size = interleaved.size();
        interleaved.resize(old_size + static_cast<std::size_t>(block) * s.B);
        const sf_count_t got = sf_readf_double(f, interleaved.data() + old_size, block);
        interleaved.resize(old_size + static_cast<std::size_t>(std::max<sf_count_t>(got, 0)) * s.B);
        if (got < block) break;
    }
    // libsndfile reads what is there of a truncated file and notes in its
    // log that a chunk is shorter than its header says ("data : 1024 (should
    // be 156)"): a truncated file is an error, not a shorter signal.
    std::string log(4096, '\0');
    sf_command(f, SFC_GET_LOG_INFO, log.data(), static_cast<int>(log.size()));
    sf_close(f);
    std::string short_chunk;
    for (std::size_t start = 0, end; start < log.size() && log[start] != '\0'; start = end + 1) {
        end = std::min(log.find('\n', start), log.size());
        const std::string line = log.substr(start, end - start);
        if ((line.rfind("data", 0) == 0 || line.rfind("SSND", 0) == 0) && line.find("should be") != std::string::npos)
            short_chunk = line;
    }
    if (!short_chunk.empty())
        throw std::runtime_error(path + ": truncated audio data (libsndfile: " + short_chunk.substr(0, short_chunk.find_last_not_of(" \r") + 1) + ")");
    if (bad_header)
        throw std::runtime_error(path + ": implausible audio header (" + std::to_string(info.channels) + " channels, " +
                                 std::to_string(info.samplerate) + " Hz)");
    s.N = interleaved.size() / s.B;
    if (static_cast<sf_count_t>(s.N) != info.frames)
        throw std::runtime_error(path + ": truncated audio data (" + std::to_string(s.N) + " of " +
                                 std::to_string(info.frames) + " frames)");
    if (s.N == 0) throw std::runtime_error(path + ": the audio file holds no samples");
    s.values.resize(s.B * s.N);
    for (std::size_t t = 0; t < s.N; ++t)
        for (std::size_t c = 0; c < s.B; ++c) s.values[c * s.N + t] = interleaved[t * s.B + c];
    return s;
}

// Reads INPUT by its extension: .npy, or an audio format libsndfile knows.
inline signals read_signals(const std::string& path) {
    if (!std::filesystem::is_regular_file(path)) throw std::runtime_error(path + ": no such file");
    const std::string e = extension(path);
    if (e == ".npy") return read_npy(path);
    if (e == ".wav" || e == ".flac" || e == ".ogg" || e == ".oga" || e == ".aiff" || e == ".aif") return read_audio(path);
    throw std::runtime_error(path + ": unknown input type '" + e + "' (expected .npy, .wav, .flac, .ogg or .oga)");
}

}  // namespace tools
