// Strict parsing of the command-line values shared by the wst tools.
#pragma once

#include <wst/parameters.hpp>

#include <charconv>
#include <stdexcept>
#include <string>

namespace tools {

// The whole of `text` as an integer, or an error naming the option.
inline long long parse_integer(const std::string& option, const std::string& text) {
    long long v = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc() || ptr != end)
        throw std::runtime_error(option + ": '" + text + "' is not an integer");
    return v;
}

inline int parse_int(const std::string& option, const std::string& text) {
    const long long v = parse_integer(option, text);
    if (v < -2147483647LL || v > 2147483647LL) throw std::runtime_error(option + ": " + text + " is out of range");
    return static_cast<int>(v);
}

// --Q: "Q1" or "Q1,Q2".
inline wst::quality_factors parse_Q(const std::string& text) {
    const auto comma = text.find(',');
    if (comma == std::string::npos) return parse_int("--Q", text);
    if (text.find(',', comma + 1) != std::string::npos)
        throw std::runtime_error("--Q: '" + text + "' must be one integer Q1 or two, Q1,Q2");
    return {parse_int("--Q", text.substr(0, comma)), parse_int("--Q", text.substr(comma + 1))};
}

// --T, --F: an integer (0 = no averaging) or "global".
inline wst::averaging parse_averaging(const std::string& option, const std::string& text) {
    if (text == "global") return wst::global;
    return parse_integer(option, text);
}

inline void check_threads(int threads) {
    if (threads < 1 || threads > 1024)
        throw std::runtime_error("--threads " + std::to_string(threads) + ": give 1 to 1024 threads");
}

// The transform parameters both tools take from --J, --Q, --T and
// --max-order, for a signal of `shape` samples (checked by
// wst::make_geometry when the transform is built).
inline wst::scattering1d_params transform_params(int J, long long shape, const std::string& Q, const std::string& T,
                                                 int max_order) {
    wst::scattering1d_params params;
    params.J = J;
    params.shape = shape;
    params.Q = parse_Q(Q);
    if (!T.empty()) params.T = parse_averaging("--T", T);
    params.max_order = max_order;
    return params;
}

}  // namespace tools
