// For the fuzz targets whose reader takes a path: the input bytes written
// to a private temporary file, removed afterwards.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace fuzz {

class temporary_file {
public:
    temporary_file(const std::uint8_t* data, std::size_t size, const std::string& extension)
        : path_((std::filesystem::temp_directory_path() / ("wst-fuzz-" + std::to_string(::getpid()) + extension)).string()) {
        std::ofstream out(path_, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    ~temporary_file() { std::remove(path_.c_str()); }
    temporary_file(const temporary_file&) = delete;
    temporary_file& operator=(const temporary_file&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace fuzz
