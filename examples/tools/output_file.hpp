// Writing output files so that a failure never leaves a partial file: the
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
#include <utility>
#include <vector>

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

// A new file in `dir` whose name starts with `stem` (mkstemp): its open
// descriptor and its path.
inline std::pair<int, std::string> create_temporary(const fs::path& dir, const std::string& stem) {
    std::string pattern = (dir / stem).string();
    pattern.append(6, 'X');  // mkstemp's template
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0) throw std::runtime_error("cannot create a file in " + dir.string() + ": " + std::strerror(errno));
    return {fd, pattern};
}

// Output files that appear together or not at all. add() writes a file to a
// temporary file in its target's folder at once (the writer receives the
// temporary path); commit() renames every one into place once all were
// written and flushed. Destroyed without commit() (an error on the way), the
// set removes its temporary files and leaves every target untouched: an
// interrupted or failed run never leaves a half-written or partial output.
class output_set {
public:
    output_set() = default;
    output_set(const output_set&) = delete;
    output_set& operator=(const output_set&) = delete;
    ~output_set() {
        std::error_code ec;
        for (const auto& f : pending_) fs::remove(f.temporary, ec);
    }

    void add(const fs::path& target, const std::function<void(const std::string&)>& write) {
        const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) throw std::runtime_error("output folder " + dir.string() + " does not exist");
        // Renaming over a device, a folder or a pipe would replace it: only
        // regular files are overwritten.
        if (fs::exists(target, ec) && !fs::is_regular_file(target, ec))
            throw std::runtime_error(target.string() + " exists and is not a regular file; refusing to replace it");
        // Appended piece by piece: "." + name + ".tmp-" trips GCC 12's
        // -Wrestrict false alarm (GCC bug 105651).
        std::string stem = ".";
        stem += target.filename().string();
        stem += ".tmp-";
        const auto [fd, pattern] = create_temporary(dir, stem);
        pending_.push_back({target, pattern});
        // mkstemp creates the file private (0600); give it the usual umask-based mode.
        const mode_t mask = ::umask(0);
        ::umask(mask);
        const int chmod_rc = ::fchmod(fd, 0666 & ~mask);
        ::close(fd);
        if (chmod_rc != 0) throw std::runtime_error("cannot set the mode of " + pattern + ": " + std::strerror(errno));
        write(pattern);
        const int sync_fd = ::open(pattern.c_str(), O_RDONLY);
        if (sync_fd >= 0) {
            const int rc = ::fsync(sync_fd);
            ::close(sync_fd);
            if (rc != 0) throw std::runtime_error("cannot flush " + target.string() + ": " + std::strerror(errno));
        }
    }

    void commit() {
        for (const auto& f : pending_) fs::rename(f.temporary, f.target);
        pending_.clear();
    }

private:
    struct file {
        fs::path target;
        std::string temporary;
    };
    std::vector<file> pending_;
};

// An output folder made ready before a long computation, so that a place
// where nothing can be written fails at once: the folder is created (with its
// parents) and a file is tried in it. If the folder was made here and is
// still empty when the object goes, it is removed again (the run failed).
class output_folder {
public:
    explicit output_folder(const fs::path& dir) : dir_(dir) {
        std::error_code ec;
        if (fs::exists(dir_, ec) && !fs::is_directory(dir_, ec))
            throw std::runtime_error("OUTDIR " + dir_.string() + " exists and is not a folder");
        created_ = !fs::exists(dir_, ec);
        fs::create_directories(dir_, ec);
        if (ec) throw std::runtime_error("cannot create the folder " + dir_.string() + ": " + ec.message());
        try {
            const auto [fd, probe] = create_temporary(dir_, ".write-test-");
            ::close(fd);
            fs::remove(probe, ec);
        } catch (...) {
            remove_if_made_and_empty();
            throw;
        }
    }
    ~output_folder() { remove_if_made_and_empty(); }
    output_folder(const output_folder&) = delete;
    output_folder& operator=(const output_folder&) = delete;

private:
    void remove_if_made_and_empty() {
        std::error_code ec;
        if (created_ && fs::is_empty(dir_, ec)) fs::remove(dir_, ec);
    }
    fs::path dir_;
    bool created_ = false;
};

// One output file, written as a set of one.
inline void write_atomically(const fs::path& target, const std::function<void(const std::string&)>& write) {
    output_set out;
    out.add(target, write);
    out.commit();
}

}  // namespace tools
