// The ratios the performance goals are stated in, printed by wst-bench after
// its runs: wst against Kymatio 0.4's torch frontend on the CPU (times read
// from the JSON file that bench/compare_kymatio.py --write makes), and the
// one-thread forward against the FFT floor (fft_roofline, the same run).
#pragma once

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {

// Kymatio's times in ms per configuration (Scattering1D's names, and
// jtfs/<name>): forward, and forward with backward.
struct kymatio_times {
    std::string description;
    std::map<std::string, std::pair<std::optional<double>, std::optional<double>>> ms;
};

inline kymatio_times read_kymatio_times(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("--kymatio " + path + ": cannot open it (bench/compare_kymatio.py --write makes it)");
    nlohmann::json j;
    try {
        in >> j;
        kymatio_times t{j.at("description").get<std::string>(), {}};
        for (const auto& [config, v] : j.at("times_ms").items()) {
            auto value = [&](const char* key) {
                return v.contains(key) && !v[key].is_null() ? std::optional<double>(v[key].get<double>()) : std::nullopt;
            };
            t.ms[config] = {value("forward"), value("forward_backward")};
        }
        return t;
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error("--kymatio " + path + ": not compare_kymatio.py's format (" + e.what() + ")");
    }
}

// The report of the format asked for (--benchmark_format), with each
// benchmark's real time (ms) kept: with --benchmark_repetitions=K, the
// fastest of its K runs. On a machine shared with others, runs of the same
// benchmark a minute apart differ by a third and more, and even the medians
// of interleaved repetitions by a fifth; what the others take only adds
// time, so the fastest run is the closest to the program's own.
class recording_reporter : public benchmark::BenchmarkReporter {
public:
    recording_reporter() : display_(benchmark::CreateDefaultDisplayReporter()) {}
    bool ReportContext(const Context& context) override { return display_->ReportContext(context); }
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& r : runs) {
            if (r.error_occurred || r.run_type != Run::RT_Iteration) continue;
            std::string name = r.benchmark_name();  // with UseRealTime's suffix
            const std::string suffix = "/real_time";
            if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
                name.resize(name.size() - suffix.size());
            runs_[name].push_back(r.GetAdjustedRealTime() * milliseconds_per(r.time_unit));
        }
        display_->ReportRuns(runs);
    }
    void Finalize() override { display_->Finalize(); }
    // Each benchmark's fastest real time.
    std::map<std::string, double> ms() const {
        std::map<std::string, double> out;
        for (const auto& [name, times] : runs_) out[name] = *std::min_element(times.begin(), times.end());
        return out;
    }

private:
    static double milliseconds_per(benchmark::TimeUnit u) {
        switch (u) {
            case benchmark::kNanosecond: return 1e-6;
            case benchmark::kMicrosecond: return 1e-3;
            case benchmark::kMillisecond: return 1;
            default: return 1e3;
        }
    }
    std::unique_ptr<benchmark::BenchmarkReporter> display_;
    std::map<std::string, std::vector<double>> runs_;
};

// The goals of issues 14 and 15 where they apply (0: none).
inline double kymatio_goal(const std::string& op, const std::string& config) {
    if (config.rfind("jtfs/", 0) == 0) return op == "forward" ? 10 : 15;
    if (config == "speech" && op == "forward") return 15;
    if (config == "seed" && op == "forward_vjp") return 25;
    return 0;
}

// Prints to stderr (stdout stays the report, JSON or CSV included), for
// every float benchmark of the run that has a counterpart: wst's time, the
// other's, and the ratio.
inline void print_ratios(const std::map<std::string, double>& ms, const kymatio_times* kymatio) {
    auto find = [&](const std::string& name) { const auto it = ms.find(name); return it == ms.end() ? 0.0 : it->second; };
    if (kymatio) {
        std::fprintf(stderr, "\nAgainst Kymatio 0.4, torch CPU (%s):\n", kymatio->description.c_str());
        std::fprintf(stderr, "%-34s %12s %12s %8s %8s\n", "wst benchmark", "wst", "Kymatio", "ratio", "goal");
        for (const auto& [config, times] : kymatio->ms) {
            const std::pair<std::string, std::optional<double>> ops[] = {{"forward", times.first},
                                                                         {"forward_vjp", times.second}};
            for (const auto& [op, theirs] : ops) {
                const std::string name = op + "/" + config + "/float/t2";
                const double ours = find(name);
                if (ours <= 0 || !theirs) continue;
                const double goal = kymatio_goal(op, config);
                std::fprintf(stderr, "%-34s %9.2f ms %9.2f ms %7.1fx %8s\n", name.c_str(), ours, *theirs, *theirs / ours,
                            goal > 0 ? (">= " + std::to_string(static_cast<int>(goal)) + "x").c_str() : "");
            }
        }
    }
    bool header = false;
    for (const auto& [name, floor] : ms) {
        if (name.rfind("fft_roofline/", 0) != 0 || name.find("/float/") == std::string::npos) continue;
        const std::string forward = "forward/" + name.substr(std::string("fft_roofline/").size());
        const double ours = find(forward);
        if (ours <= 0) continue;
        if (!header)
            std::fprintf(stderr, "\nAgainst the FFT floor (fft_roofline: FFTW alone, measured plans, one thread; goals 1.25x in the "
                        "default build, 1.15x tuned):\n%-34s %12s %12s %8s\n",
                        "wst benchmark", "wst", "FFTs alone", "ratio");
        header = true;
        std::fprintf(stderr, "%-34s %9.2f ms %9.2f ms %7.2fx\n", forward.c_str(), ours, floor, ours / floor);
    }
}

}  // namespace bench
