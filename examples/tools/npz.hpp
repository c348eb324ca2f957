// Writing NumPy .npz archives (numpy.savez's layout: a zip of uncompressed
// .npy members) with libzip.
#pragma once

#include <wst/npy.hpp>

#include <zip.h>

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

}  // namespace tools
