// Access to the Kymatio reference cases copied into tests/data/reference.
#pragma once

#include <wst/npy.hpp>
#include <wst/parameters.hpp>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace ref {

// The cases' folder: the source tree's, or $WST_REFERENCE_DIR (a GPU bundle
// carries its own copy, scripts/gpu-check.sh).
inline std::filesystem::path dir(const std::string& name) {
    const char* moved = std::getenv("WST_REFERENCE_DIR");
    return std::filesystem::path(moved != nullptr && *moved != '\0' ? moved : WST_REFERENCE_DIR) / name;
}

inline const std::vector<std::string>& cases() {
    static const std::vector<std::string> all = {
        "kymatio_test_1d", "seed_harmonic", "seed_cosine", "eeg", "speech", "music", "q_tuple_T64_n3000",
        "T256_J5_n1000", "order1", "no_averaging", "global_n777", "stride16", "tiny"};
    return all;
}

inline nlohmann::json json(const std::string& name, const std::string& file) {
    std::ifstream in(dir(name) / file);
    return nlohmann::json::parse(in);
}

inline bool has(const std::string& name, const std::string& file) { return std::filesystem::exists(dir(name) / file); }

inline wst::npy::array array(const std::string& name, const std::string& file) {
    return wst::npy::load((dir(name) / file).string());
}

// The Kymatio arguments of a case as wst parameters.
inline wst::scattering1d_params params(const std::string& name) {
    const auto p = json(name, "params.json");
    wst::scattering1d_params s;
    s.J = p["J"];
    s.shape = p["shape"];
    s.Q = wst::quality_factors(p["Q"][0].get<int>(), p["Q"][1].get<int>());
    if (p.contains("T") && !p["T"].is_null()) {
        if (p["T"].is_string())
            s.T = wst::global;
        else
            s.T = p["T"].get<long long>();
    }
    if (p.contains("stride") && !p["stride"].is_null()) s.stride = p["stride"].get<long long>();
    if (p.contains("max_order")) s.max_order = p["max_order"];
    if (p.contains("out_type") && p["out_type"] == "list") s.out_type = wst::out_type::list;
    return s;
}

}  // namespace ref
