// Reading and writing NumPy's .npy format (version 1.0 written; 1.0, 2.0 and
// 3.0 read), for float32 and float64 arrays in C order, so that numpy.load
// reads wst's output unchanged and wst reads numpy.save's.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <istream>
#include <limits>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace wst::npy {

// A malformed, truncated or unsupported .npy file.
class format_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// An array read from a .npy file, its values widened to double.
struct array {
    std::vector<std::size_t> shape;
    bool is_float32 = false;  // the file held float32 ('<f4') rather than float64
    std::vector<double> values;

    std::size_t size() const {
        std::size_t n = 1;
        for (auto d : shape) n *= d;
        return n;
    }
};

namespace detail {

inline constexpr char magic[] = "\x93NUMPY";

inline std::string header_value(const std::string& header, const std::string& key) {
    const std::string quoted = "'" + key + "'";
    const auto k = header.find(quoted);
    if (k == std::string::npos) throw format_error("the .npy header has no '" + key + "' entry");
    auto v = header.find(':', k + quoted.size());
    if (v == std::string::npos) throw format_error("the .npy header entry '" + key + "' has no value");
    ++v;
    while (v < header.size() && header[v] == ' ') ++v;
    if (v >= header.size()) throw format_error("the .npy header entry '" + key + "' has no value");
    if (header[v] == '(') {
        const auto e = header.find(')', v);
        if (e == std::string::npos) throw format_error("the .npy shape is not closed by ')'");
        return header.substr(v, e - v + 1);
    }
    if (header[v] == '\'') {
        const auto e = header.find('\'', v + 1);
        if (e == std::string::npos) throw format_error("the .npy header entry '" + key + "' is not closed");
        return header.substr(v + 1, e - v - 1);
    }
    const auto e = header.find_first_of(",}", v);
    return header.substr(v, e == std::string::npos ? std::string::npos : e - v);
}

inline std::vector<std::size_t> parse_shape(const std::string& tuple) {
    std::vector<std::size_t> shape;
    std::size_t i = 1;  // after '('
    while (i < tuple.size()) {
        while (i < tuple.size() && (tuple[i] == ' ' || tuple[i] == ',')) ++i;
        if (i >= tuple.size() || tuple[i] == ')') break;
        if (tuple[i] < '0' || tuple[i] > '9') throw format_error("the .npy shape " + tuple + " is not a tuple of integers");
        std::size_t v = 0;
        while (i < tuple.size() && tuple[i] >= '0' && tuple[i] <= '9') {
            const std::size_t digit = static_cast<std::size_t>(tuple[i] - '0');
            if (v > (std::numeric_limits<std::size_t>::max() - digit) / 10)
                throw format_error("the .npy shape " + tuple + " is too large");
            v = v * 10 + digit;
            ++i;
        }
        shape.push_back(v);
    }
    return shape;
}

inline bool little_endian_host() {
    const std::uint16_t one = 1;
    unsigned char first;
    std::memcpy(&first, &one, 1);
    return first == 1;
}

}  // namespace detail

// Reads a whole .npy stream. Throws format_error naming what is wrong.
inline array read(std::istream& in) {
    char head[10];
    if (!in.read(head, 10)) throw format_error("not a .npy file: shorter than its 10-byte preamble");
    if (std::memcmp(head, detail::magic, 6) != 0) throw format_error("not a .npy file: the magic string \\x93NUMPY is missing");
    const int major = static_cast<unsigned char>(head[6]);
    std::size_t header_len = 0;
    if (major == 1) {
        header_len = static_cast<unsigned char>(head[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(head[9])) << 8);
    } else if (major == 2 || major == 3) {
        char more[2];
        if (!in.read(more, 2)) throw format_error("truncated .npy preamble");
        header_len = static_cast<unsigned char>(head[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(head[9])) << 8) |
                     (static_cast<std::size_t>(static_cast<unsigned char>(more[0])) << 16) |
                     (static_cast<std::size_t>(static_cast<unsigned char>(more[1])) << 24);
    } else {
        throw format_error("unsupported .npy format version " + std::to_string(major));
    }
    if (header_len > (1u << 20)) throw format_error("the .npy header length " + std::to_string(header_len) + " is absurd");
    std::string header(header_len, '\0');
    if (!in.read(header.data(), static_cast<std::streamsize>(header_len))) throw format_error("truncated .npy header");

    const std::string descr = detail::header_value(header, "descr");
    const std::string fortran = detail::header_value(header, "fortran_order");
    array a;
    a.shape = detail::parse_shape(detail::header_value(header, "shape"));
    std::size_t item = 0;
    if (descr == "<f8" || (descr == "=f8" && detail::little_endian_host())) {
        item = 8;
    } else if (descr == "<f4" || (descr == "=f4" && detail::little_endian_host())) {
        item = 4;
        a.is_float32 = true;
    } else {
        throw format_error("unsupported .npy dtype '" + descr +
                           "': only little-endian float32 ('<f4') and float64 ('<f8') are read");
    }
    if (fortran.find("False") == std::string::npos && a.shape.size() > 1)
        throw format_error("Fortran-ordered .npy arrays are not supported: save with C order");
    std::size_t n = 1;
    for (auto d : a.shape) {
        if (d != 0 && n > std::numeric_limits<std::size_t>::max() / d / item)
            throw format_error("the .npy shape announces more data than can exist");
        n *= d;
    }
    // Compare the announced size with what the stream holds before allocating.
    const auto here = in.tellg();
    if (here != std::streampos(-1)) {
        in.seekg(0, std::ios::end);
        const auto end = in.tellg();
        in.seekg(here);
        if (end != std::streampos(-1) && static_cast<std::size_t>(end - here) < n * item)
            throw format_error("truncated .npy data: the shape announces " + std::to_string(n * item) +
                               " bytes, the file holds " + std::to_string(static_cast<std::size_t>(end - here)));
    }
    std::vector<char> raw(n * item);
    if (!in.read(raw.data(), static_cast<std::streamsize>(raw.size()))) throw format_error("truncated .npy data");
    if (!detail::little_endian_host()) throw format_error("reading .npy needs a little-endian machine");
    a.values.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (item == 8) {
            double v;
            std::memcpy(&v, raw.data() + i * 8, 8);
            a.values[i] = v;
        } else {
            float v;
            std::memcpy(&v, raw.data() + i * 4, 4);
            a.values[i] = v;
        }
    }
    return a;
}

inline array load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw format_error("cannot open " + path + " for reading");
    try {
        return read(in);
    } catch (const format_error& e) {
        throw format_error(path + ": " + e.what());
    }
}

// Writes values (C order) with the given shape as a version 1.0 .npy, the
// header padded with spaces to a multiple of 64 bytes as numpy.save does.
template <class Real>
void write(std::ostream& out, const Real* values, const std::vector<std::size_t>& shape) {
    static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>, "float or double");
    std::ostringstream dict;
    dict << "{'descr': '<f" << sizeof(Real) << "', 'fortran_order': False, 'shape': (";
    for (std::size_t i = 0; i < shape.size(); ++i) dict << shape[i] << (shape.size() == 1 || i + 1 < shape.size() ? "," : "") << (i + 1 < shape.size() ? " " : "");
    dict << "), }";
    std::string header = dict.str();
    const std::size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header.push_back('\n');
    char pre[10] = {'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0};
    pre[8] = static_cast<char>(header.size() & 0xff);
    pre[9] = static_cast<char>((header.size() >> 8) & 0xff);
    out.write(pre, 10);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    std::size_t n = 1;
    for (auto d : shape) n *= d;
    out.write(reinterpret_cast<const char*>(values), static_cast<std::streamsize>(n * sizeof(Real)));
}

}  // namespace wst::npy
