// FFTW's wisdom (what its planner learnt by measuring) kept per user, so that
// measured planning, the default, is paid once per machine and size.
//
// FFTW's conventions come first: the system's wisdom (fftw-wisdom writes it
// to /etc/fftw/wisdom, fftw_import_system_wisdom reads it), then the user's
// cache, both precisions (files path + ".f64" and ".f32"). The cache is
// written after a transform has measured a plan it did not have: the
// process's wisdom (which holds what the file held) to a temporary file
// beside it, then renamed over it, so that no reader sees half a file. A
// file FFTW cannot read in full is treated as absent. Every call takes the
// planner lock (fftw_plan.hpp): FFTW's wisdom is process-wide state.
#pragma once

#include "wst/backend/fftw_plan.hpp"

#include <fftw3.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <system_error>
#include <unistd.h>

namespace wst::fftw {

// The cache's path (without the ".f64" / ".f32" suffixes): $WST_FFTW_WISDOM
// when set ("off" or empty: no cache), else $XDG_CACHE_HOME/wst/fftw-wisdom,
// else $HOME/.cache/wst/fftw-wisdom; empty (no cache) when none is set.
inline std::string wisdom_cache_path() {
    auto env = [](const char* name) -> std::string {
        const char* v = std::getenv(name);
        return v ? v : "";
    };
    if (std::getenv("WST_FFTW_WISDOM") != nullptr) {
        const std::string v = env("WST_FFTW_WISDOM");
        return v == "off" ? "" : v;
    }
    if (!env("XDG_CACHE_HOME").empty()) return env("XDG_CACHE_HOME") + "/wst/fftw-wisdom";
    if (!env("HOME").empty()) return env("HOME") + "/.cache/wst/fftw-wisdom";
    return "";
}

namespace detail {

// FFTW's wisdom functions of one precision.
template <class Real>
struct wisdom_api;
template <>
struct wisdom_api<double> {
    static constexpr const char* suffix = ".f64";
    static int import_string(const char* s) { return fftw_import_wisdom_from_string(s); }
    static char* export_string() { return fftw_export_wisdom_to_string(); }
    static int import_system() { return fftw_import_system_wisdom(); }
    static void forget() { fftw_forget_wisdom(); }
};
template <>
struct wisdom_api<float> {
    static constexpr const char* suffix = ".f32";
    static int import_string(const char* s) { return fftwf_import_wisdom_from_string(s); }
    static char* export_string() { return fftwf_export_wisdom_to_string(); }
    static int import_system() { return fftwf_import_system_wisdom(); }
    static void forget() { fftwf_forget_wisdom(); }
};

// The process's wisdom of one precision, as FFTW writes it.
template <class Real>
std::string exported() {
    const std::unique_ptr<char, decltype(&std::free)> s(wisdom_api<Real>::export_string(), &std::free);
    return s ? std::string(s.get()) : std::string();
}

// The process's wisdom when the cache was last read or written (or tried),
// per precision: a save that has nothing new to add writes nothing.
template <class Real>
std::string& last_cached() {
    static std::string s;
    return s;
}

// The file's wisdom added to the process's (the caller holds the planner
// lock); false when it is absent or FFTW cannot read it in full, in which
// case whatever it had read is forgotten and the system's wisdom read again.
template <class Real>
bool import_file(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return false;
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad() || text.empty() || wisdom_api<Real>::import_string(text.c_str()) == 0) {
        wisdom_api<Real>::forget();
        wisdom_api<Real>::import_system();
        return false;
    }
    return true;
}

// The process's wisdom, merged with what `file` holds now (another process
// may have added to it), to `file` through a temporary file beside it and a
// rename (the caller holds the planner lock); false when it cannot be
// written (the cache is an optimization: nothing else depends on it).
template <class Real>
bool export_file(const std::string& file) {
    std::error_code ec;
    const std::filesystem::path target(file);
    if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
    const std::string own = exported<Real>();
    // An unreadable file makes import_file forget everything: this
    // process's own plans come back from their text.
    if (!import_file<Real>(file) && !own.empty()) wisdom_api<Real>::import_string(own.c_str());
    const std::string text = exported<Real>();
    std::ostringstream temporary_name;
    temporary_name << file << ".tmp." << ::getpid();
    const std::string temporary = temporary_name.str();
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << text;
        out.close();
        if (!out) {
            std::filesystem::remove(temporary, ec);
            return false;
        }
    }
    std::filesystem::rename(temporary, target, ec);
    if (ec) {
        std::filesystem::remove(temporary, ec);
        return false;
    }
    return true;
}

}  // namespace detail

// The wisdom at path (path + ".f64", path + ".f32") added to the process's;
// false when either file is absent or unreadable (an unreadable one is
// ignored as described above).
inline bool load_wisdom(const std::string& path) {
    std::lock_guard<std::mutex> lock(planner_mutex());
    const bool f64 = detail::import_file<double>(path + detail::wisdom_api<double>::suffix);
    const bool f32 = detail::import_file<float>(path + detail::wisdom_api<float>::suffix);
    return f64 && f32;
}

// The process's wisdom written to path's two files, atomically; false when
// one cannot be written.
inline bool save_wisdom(const std::string& path) {
    std::lock_guard<std::mutex> lock(planner_mutex());
    const bool f64 = detail::export_file<double>(path + detail::wisdom_api<double>::suffix);
    const bool f32 = detail::export_file<float>(path + detail::wisdom_api<float>::suffix);
    return f64 && f32;
}

// Once per process, before the first plan: the system's wisdom and the
// user's cache (wisdom_cache_path()).
inline void load_cached_wisdom_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        {
            std::lock_guard<std::mutex> lock(planner_mutex());
            fftw_import_system_wisdom();
            fftwf_import_system_wisdom();
        }
        const std::string path = wisdom_cache_path();
        if (!path.empty()) load_wisdom(path);
        std::lock_guard<std::mutex> lock(planner_mutex());
        detail::last_cached<double>() = detail::exported<double>();
        detail::last_cached<float>() = detail::exported<float>();
    });
}

// After a transform's plans: the cache rewritten if the process learnt
// something since it last read or wrote it (a plan measured for a new
// size). A write that fails is not retried until there is more to add.
template <class Real>
void save_cached_wisdom_if_new() {
    const std::string path = wisdom_cache_path();
    if (path.empty()) return;
    std::lock_guard<std::mutex> lock(planner_mutex());
    if (detail::exported<Real>() == detail::last_cached<Real>()) return;
    detail::export_file<Real>(path + detail::wisdom_api<Real>::suffix);
    detail::last_cached<Real>() = detail::exported<Real>();
}

}  // namespace wst::fftw
