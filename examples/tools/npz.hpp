// Writing NumPy .npz archives (numpy.savez's layout: a zip of uncompressed
// .npy members) with libzip.
#pragma once

#include <wst/npy.hpp>

#include <zip.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace tools {

// One named array of an archive, its .npy bytes ready.
struct npz_member {
    std::string name;  // without ".npy"
    std::string bytes;
};

template <class Real>
npz_member make_member(std::string name, const Real* values, const std::vector<std::size_t>& shape) {
    std::ostringstream out;
    wst::npy::write(out, values, shape);
    return {std::move(name), out.str()};
}

inline void write_npz(const std::string& path, const std::vector<npz_member>& members) {
    int error = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
    if (z == nullptr) throw std::runtime_error("cannot create " + path);
    for (const auto& m : members) {
        zip_source_t* src = zip_source_buffer(z, m.bytes.data(), m.bytes.size(), 0);
        const zip_int64_t index = src == nullptr ? -1 : zip_file_add(z, (m.name + ".npy").c_str(), src, ZIP_FL_ENC_UTF_8);
        if (index < 0 || zip_set_file_compression(z, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0) < 0) {
            if (src != nullptr && index < 0) zip_source_free(src);
            const std::string why = zip_strerror(z);
            zip_discard(z);
            throw std::runtime_error("cannot add " + m.name + " to " + path + ": " + why);
        }
    }
    if (zip_close(z) < 0) {
        const std::string why = zip_strerror(z);
        zip_discard(z);
        throw std::runtime_error("cannot write " + path + ": " + why);
    }
}

// Reads every .npy member of an .npz archive, by name without ".npy".
inline std::map<std::string, wst::npy::array> read_npz(const std::string& path) {
    int error = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &error);
    if (z == nullptr) throw std::runtime_error(path + ": not a readable .npz (zip) archive");
    std::map<std::string, wst::npy::array> arrays;
    try {
        const zip_int64_t n = zip_get_num_entries(z, 0);
        for (zip_int64_t i = 0; i < n; ++i) {
            zip_stat_t st;
            if (zip_stat_index(z, static_cast<zip_uint64_t>(i), 0, &st) != 0 || st.name == nullptr)
                throw std::runtime_error(path + ": unreadable archive entry");
            std::string name = st.name;
            if (name.size() < 4 || name.substr(name.size() - 4) != ".npy")
                throw std::runtime_error(path + ": member " + name + " is not a .npy array");
            if (st.size > (zip_uint64_t{1} << 34)) throw std::runtime_error(path + ": member " + name + " is too large");
            // Read in blocks: the announced size is not trusted for allocation.
            std::string bytes;
            zip_file_t* f = zip_fopen_index(z, static_cast<zip_uint64_t>(i), 0);
            bool ok = f != nullptr;
            constexpr std::size_t block = 1 << 20;
            while (ok && bytes.size() < st.size) {
                const std::size_t old_size = bytes.size();
                const std::size_t want = std::min<std::size_t>(block, static_cast<std::size_t>(st.size) - old_size);
                bytes.resize(old_size + want);
                const zip_int64_t got = zip_fread(f, bytes.data() + old_size, want);
                ok = got == static_cast<zip_int64_t>(want);
            }
            if (f != nullptr) zip_fclose(f);
            if (!ok) throw std::runtime_error(path + ": cannot read member " + name);
            std::istringstream in(bytes);
            try {
                arrays[name.substr(0, name.size() - 4)] = wst::npy::read(in);
            } catch (const wst::npy::format_error& e) {
                throw std::runtime_error(path + ": member " + name + ": " + e.what());
            }
        }
    } catch (...) {
        zip_discard(z);
        throw;
    }
    zip_discard(z);
    return arrays;
}

}  // namespace tools
