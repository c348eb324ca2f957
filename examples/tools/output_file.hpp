// Writing an output file so that a failure never leaves a partial file: the
// bytes go to a temporary file in the target folder, which is renamed over
// the target only once everything was written and flushed.
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tools {

namespace fs = std::filesystem;

// Refuses to write `output` when it is the same file as `input`.
inline void refuse_overwrite(const fs::path& input, const fs::path& output, const std::string& what) {
    std::error_code ec;
    if (fs::exists(output, ec) && fs::equivalent(input, output, ec))
        throw std::runtime_error(what + " " + output.string() + " is the input file; refusing to overwrite it");
    if (fs::weakly_canonical(input, ec) == fs::weakly_canonical(output, ec))
        throw std::runtime_error(what + " " + output.string() + " is the input file; refusing to overwrite it");
}

// Calls write(temporary_path) and then moves the temporary file onto `target`.
// On any failure the temporary file is removed and the target is untouched.
inline void write_atomically(const fs::path& target, const std::function<void(const std::string&)>& write) {
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw std::runtime_error("output folder " + dir.string() + " does not exist");
    // Renaming over a device, a folder or a pipe would replace it: only
    // regular files are overwritten.
    if (fs::exists(target, ec) && !fs::is_regular_file(target, ec))
        throw std::runtime_error(target.string() + " exists and is not a regular file; refusing to replace it");
    std::string leaf = ".";
    leaf += target.filename().string();
    leaf += ".tmp-";
    leaf.append(6, 'X');  // mkstemp's template
    std::string pattern = (dir / leaf).string();
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0)
        throw std::runtime_error("cannot create a file in " + dir.string() + ": " + std::strerror(errno));
    // mkstemp creates the file private (0600); give it the usual umask-based mode.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    const int chmod_rc = ::fchmod(fd, 0666 & ~mask);
    ::close(fd);
    try {
        if (chmod_rc != 0) throw std::runtime_error("cannot set the mode of " + pattern + ": " + std::strerror(errno));
        write(pattern);
        const int sync_fd = ::open(pattern.c_str(), O_RDONLY);
        if (sync_fd >= 0) {
            const int rc = ::fsync(sync_fd);
            ::close(sync_fd);
            if (rc != 0) throw std::runtime_error("cannot flush " + target.string() + ": " + std::strerror(errno));
        }
        fs::rename(pattern, target);
    } catch (...) {
        fs::remove(pattern, ec);
        throw;
    }
}

}  // namespace tools
