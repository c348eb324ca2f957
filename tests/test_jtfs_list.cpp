// TimeFrequencyScattering's list output (out_type list, scattering_list())
// against Kymatio 0.4's own list (tests/data/reference/jtfs_list, made by
// tests/reference_model/make_jtfs_list_cases.py), both formats; its
// backward pass; and its errors.
#include "compare.hpp"
#include "noise.hpp"
#include "reference.hpp"

#include <wst/backend/fftw.hpp>
#include <wst/time_frequency_scattering.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace jtfs_list_test {

using jtfs = wst::TimeFrequencyScattering<wst::backend::fftw, double>;

const std::vector<std::string>& list_cases() {
    static const std::vector<std::string> all = {"small", "T_F_stride_fr", "Qfr2_F16", "F_zero", "F_T_global"};
    return all;
}

std::string list_folder(const std::string& name) { return "jtfs_list/" + name; }

const char* list_format_name(wst::jtfs_format format) { return format == wst::jtfs_format::joint ? "joint" : "time"; }

// A case's Kymatio arguments as wst parameters, out_type list.
wst::jtfs_params list_params(const std::string& name, wst::jtfs_format format) {
    const auto k = ref::json(list_folder(name), "params.json")["kymatio"];
    wst::jtfs_params p{.J = k["J"], .J_fr = k["J_fr"], .Q = k["Q"].get<int>(), .shape = k["shape"]};
    auto averaging = [](const nlohmann::json& v) {
        return v.is_string() ? wst::averaging(wst::global) : wst::averaging(v.get<long long>());
    };
    if (k.contains("T")) p.T = averaging(k["T"]);
    if (k.contains("F")) p.F = averaging(k["F"]);
    if (k.contains("stride")) p.stride = k["stride"].get<long long>();
    if (k.contains("stride_fr")) p.stride_fr = k["stride_fr"].get<long long>();
    if (k.contains("Q_fr")) p.Q_fr = k["Q_fr"];
    p.out_type = wst::out_type::list;
    p.format = format;
    return p;
}

wst::signal_array<double> list_signals(const std::string& name) {
    const auto x = ref::array(list_folder(name), "x.npy");
    wst::signal_array<double> s(static_cast<Eigen::Index>(x.shape[0]), static_cast<Eigen::Index>(x.shape[1]));
    std::copy(x.values.begin(), x.values.end(), s.data());
    return s;
}

// The list's coefficients as the reference stores them: (B, total rows,
// N_out), every entry's rows in list order.
template <class Real>
std::vector<double> list_stacked(const std::vector<wst::jtfs_path_output<Real>>& list) {
    std::vector<double> out;
    const std::size_t B = list.front().coef.batch();
    for (std::size_t b = 0; b < B; ++b)
        for (const auto& e : list)
            for (std::size_t r = 0; r < e.coef.channels(); ++r)
                for (std::size_t t = 0; t < e.coef.length(); ++t) out.push_back(static_cast<double>(e.coef(b, r, t)));
    return out;
}

std::vector<int> list_ints(const nlohmann::json& v) { return v.get<std::vector<int>>(); }

// A cotangent shaped like the list, of noise.
std::vector<wst::jtfs_path_output<double>> list_noise_like(const std::vector<wst::jtfs_path_output<double>>& list,
                                                      unsigned seed) {
    std::vector<wst::jtfs_path_output<double>> g = list;
    std::mt19937 gen(seed);
    std::normal_distribution<double> d;
    for (auto& e : g)
        for (std::size_t i = 0; i < e.coef.size(); ++i) e.coef.data()[i] = d(gen);
    return g;
}

double list_inner(const std::vector<wst::jtfs_path_output<double>>& a, const std::vector<wst::jtfs_path_output<double>>& b) {
    double s = 0;
    for (std::size_t e = 0; e < a.size(); ++e)
        for (std::size_t i = 0; i < a[e].coef.size(); ++i) s += a[e].coef.data()[i] * b[e].coef.data()[i];
    return s;
}

}  // namespace jtfs_list_test

TEST_CASE("JTFS list output equals Kymatio's list: entries, their fields and coefficients, both formats",
          "[jtfs][list][reference]") {
    using namespace jtfs_list_test;
    for (const auto& name : list_cases()) {
        INFO(name);
        const auto x = list_signals(name);
        const auto entries = ref::json(list_folder(name), "entries.json");
        for (const auto format : {wst::jtfs_format::time, wst::jtfs_format::joint}) {
            INFO(list_format_name(format));
            const jtfs S(list_params(name, format), {.threads = 2});
            const auto list = S.scattering_list(x);
            const auto& expected = entries[list_format_name(format)];
            REQUIRE(list.size() == expected.size());
            REQUIRE(S.list_size() == list.size());
            for (std::size_t e = 0; e < list.size(); ++e) {
                INFO("entry " << e);
                const auto& k = expected[e];
                const auto& got = list[e];
                // The dict's keys: coef, j, n and order, then at orders 1 and 2
                // j_fr, n_fr and spin, and in format joint n1_max and n1_stride.
                std::set<std::string> keys(k["keys"].begin(), k["keys"].end());
                std::set<std::string> fields = {"coef", "j", "n", "order"};
                if (got.order > 0) fields.insert({"j_fr", "n_fr", "spin"});
                if (got.order > 0 && format == wst::jtfs_format::joint) fields.insert({"n1_max", "n1_stride"});
                CHECK(keys == fields);
                CHECK(got.n == list_ints(k["n"]));
                CHECK(got.j == list_ints(k["j"]));
                // Kymatio's format time dicts say order len(n) - 1 before n1
                // is prepended: one less than the order at orders 1 and 2
                // (its meta() and format joint say the order).
                const int kymatio_order = k["order"];
                CHECK(got.order == (format == wst::jtfs_format::time && !got.n.empty() ? kymatio_order + 1 : kymatio_order));
                CHECK(got.coef.batch() == static_cast<std::size_t>(x.rows()));
                CHECK(got.coef.length() == S.output_length());
                CHECK(got.coef.channels() == (format == wst::jtfs_format::joint ? k["rows"].get<std::size_t>() : 1));
                CHECK(got.rows == got.coef.channels());
                if (got.order == 0) {
                    CHECK(got.n_fr == -1);
                    CHECK(got.j_fr == -1);
                    continue;
                }
                CHECK(got.n_fr == k["n_fr"][0].get<int>());
                CHECK(got.j_fr == k["j_fr"][0].get<int>());
                CHECK(got.spin == static_cast<int>(k["spin"].get<double>()));
                if (format == wst::jtfs_format::joint) {
                    CHECK(got.n1_max == k["n1_max"].get<std::size_t>());
                    CHECK(got.n1_stride == k["n1_stride"].get<std::size_t>());
                }
            }
            const auto reference = ref::array(list_folder(name), std::string("S_") + list_format_name(format) + ".npy");
            const auto values = list_stacked(list);
            REQUIRE(values.size() == reference.values.size());
            const double error = test_compare::max_abs_diff(values, reference.values);
            const double scale = test_compare::max_abs(reference.values);
            CHECK(error <= 1e-10 * scale);
            // The list's fields are those of list_keys(), without coefficients.
            for (std::size_t e = 0; e < list.size(); ++e) CHECK(S.list_keys()[e].n == list[e].n);
        }
    }
}

TEST_CASE("JTFS list output in float is Kymatio's to float precision", "[jtfs][list][reference]") {
    using namespace jtfs_list_test;
    for (const std::string name : {"small", "F_zero"}) {
        INFO(name);
        const auto x = list_signals(name);
        const wst::signal_array<float> xf = x.cast<float>();
        for (const auto format : {wst::jtfs_format::time, wst::jtfs_format::joint}) {
            INFO(list_format_name(format));
            const wst::TimeFrequencyScattering<wst::backend::fftw, float> S(list_params(name, format));
            const auto values = list_stacked(S.scattering_list(xf));
            const auto reference = ref::array(list_folder(name), std::string("S_") + list_format_name(format) + ".npy").values;
            REQUIRE(values.size() == reference.size());
            CHECK(test_compare::max_abs_diff(values, reference) <= 1e-5 * test_compare::max_abs(reference));
        }
    }
}

TEST_CASE("JTFS list output is the array output's rows: every channel (time, bit for bit), each path's first rows (joint)",
          "[jtfs][list]") {
    using namespace jtfs_list_test;
    const auto x = list_signals("small");
    // out_type array gives the list too (as Scattering1D's).
    wst::jtfs_params p = list_params("small", wst::jtfs_format::time);
    p.out_type = wst::out_type::array;
    const jtfs time(p);
    const auto array = time.scattering(x);
    const auto list = time.scattering_list(x);
    REQUIRE(list.size() == array.channels());
    bool same = true;
    for (std::size_t c = 0; c < list.size(); ++c)
        for (std::size_t b = 0; b < array.batch(); ++b)
            for (std::size_t t = 0; t < array.length(); ++t) same = same && list[c].coef(b, 0, t) == array(b, c, t);
    CHECK(same);

    p.format = wst::jtfs_format::joint;
    const jtfs joint(p);
    const auto joint_array = joint.scattering(x);
    const auto joint_list = joint.scattering_list(x);
    REQUIRE(joint_list.size() == 1 + joint.paths().size());
    // The same rows to rounding: the averaging along n1 computes only the
    // rows a path keeps, as a matrix product whose rounding may depend on
    // how many.
    const std::size_t R = joint.rows_per_path();
    bool order_0 = true;
    double difference = 0, largest = 0;
    for (std::size_t b = 0; b < array.batch(); ++b)
        for (std::size_t t = 0; t < array.length(); ++t) order_0 = order_0 && joint_list[0].coef(b, 0, t) == array(b, 0, t);
    for (std::size_t e = 1; e < joint_list.size(); ++e) {
        const auto& c = joint_list[e].coef;
        CHECK(c.channels() <= R);
        for (std::size_t b = 0; b < c.batch(); ++b)
            for (std::size_t r = 0; r < c.channels(); ++r)
                for (std::size_t t = 0; t < c.length(); ++t) {
                    difference = std::max(difference, std::abs(c(b, r, t) - joint_array(b, (e - 1) * R + r, t)));
                    largest = std::max(largest, std::abs(c(b, r, t)));
                }
    }
    CHECK(order_0);
    CHECK(difference <= 1e-14 * largest);

    // meta() follows the output of out_type: with out_type list, format
    // joint has order 0 first, as Kymatio's meta() and list.
    const auto m_array = joint.meta();
    const jtfs joint_listed(list_params("small", wst::jtfs_format::joint));
    const auto m_list = joint_listed.meta();
    REQUIRE(m_list.order.size() == m_array.order.size() + 1);
    CHECK(m_list.order[0] == 0);
    CHECK(m_list.key[0].empty());
    CHECK(std::vector<std::vector<int>>(m_list.key.begin() + 1, m_list.key.end()) == m_array.key);
    for (std::size_t e = 0; e < joint_list.size(); ++e) CHECK(m_list.key[e] == joint_list[e].n);
}

TEST_CASE("JTFS backward of a list cotangent: the array's (format time), central differences (format joint)",
          "[jtfs][list][gradient]") {
    using namespace jtfs_list_test;
    {
        // Format time: the list's cotangent is the array's, channel by channel.
        const auto x = list_signals("small");
        const jtfs S(list_params("small", wst::jtfs_format::time), {.threads = 2});
        const auto g = list_noise_like(S.scattering_list(x), 5);
        wst::scattering_array<double> G(static_cast<std::size_t>(x.rows()), g.size(), S.output_length());
        for (std::size_t c = 0; c < g.size(); ++c)
            for (std::size_t b = 0; b < G.batch(); ++b)
                for (std::size_t t = 0; t < G.length(); ++t) G(b, c, t) = g[c].coef(b, 0, t);
        const wst::signal_array<double> from_list = S.backward(x, g);
        const wst::signal_array<double> from_array = S.backward(x, G);
        CHECK((from_list == from_array).all());
    }
    {
        // Format joint, against the joint array's backward: the list's rows
        // at the first rows of each path, zeros elsewhere and at order 0.
        const auto x = list_signals("small");
        wst::jtfs_params p = list_params("small", wst::jtfs_format::joint);
        const jtfs S(p, {.threads = 2});
        auto g = list_noise_like(S.scattering_list(x), 6);
        std::fill_n(g[0].coef.data(), g[0].coef.size(), 0.0);
        const std::size_t R = S.rows_per_path();
        wst::scattering_array<double> G(static_cast<std::size_t>(x.rows()), S.output_rows(), S.output_length());
        for (std::size_t e = 1; e < g.size(); ++e)
            for (std::size_t b = 0; b < G.batch(); ++b)
                for (std::size_t r = 0; r < g[e].coef.channels(); ++r)
                    for (std::size_t t = 0; t < G.length(); ++t) G(b, (e - 1) * R + r, t) = g[e].coef(b, r, t);
        const wst::signal_array<double> from_list = S.backward(x, g);
        const wst::signal_array<double> from_array = S.backward(x, G);
        REQUIRE(from_array.abs().maxCoeff() > 0);
        CHECK(((from_list - from_array).abs().maxCoeff()) <= 1e-13 * from_array.abs().maxCoeff());
    }
    // Format joint with rows the array cannot hold (F = 0: rows of the
    // padding; F global; F = 16 > 2^J_fr), order 0 included: the gradient
    // is the forward's, by central differences.
    for (const std::string name : {"F_zero", "F_T_global", "Qfr2_F16"}) {
        INFO(name);
        const auto x = list_signals(name);
        const jtfs S(list_params(name, wst::jtfs_format::joint));
        const auto g = list_noise_like(S.scattering_list(x), 7);
        const auto v = test_signals::noise(x.rows(), x.cols(), 8);
        const double h = 1e-5;
        const double fd = (list_inner(S.scattering_list((x + h * v).eval()), g) - list_inner(S.scattering_list((x - h * v).eval()), g)) /
                          (2 * h);
        const double ad = (S.backward(x, g) * v).sum();
        CHECK(std::isfinite(ad));
        CHECK(std::abs(fd - ad) <= 1e-6 * std::abs(ad));
    }
}

TEST_CASE("JTFS list output: bad parameters and inputs, each named, with what is allowed", "[jtfs][list][errors]") {
    using namespace jtfs_list_test;
    using Catch::Matchers::Contains;
    const wst::jtfs_params ok{.J = 5, .J_fr = 2, .Q = 4, .shape = 256, .out_type = wst::out_type::list};
    auto with = [&](auto change) {
        wst::jtfs_params p = ok;
        change(p);
        return p;
    };
    // T = 0: Kymatio allows it with out_type list; wst does not compute it.
    CHECK_THROWS_WITH(jtfs(with([](auto& p) { p.T = 0; })),
                      Contains("T = 0 is invalid") && Contains("Kymatio allows T = 0 with out_type = list"));
    CHECK_THROWS_WITH(jtfs(with([](auto& p) { p.T = 0, p.out_type = wst::out_type::array; })), Contains("T = 0 is invalid"));
    // Format joint without an array (F = 0, F global, stride_fr > 2^J_fr):
    // rejected with out_type array, built with out_type list, whose array
    // calls say why and what to call instead.
    CHECK_THROWS_WITH(jtfs(with([](auto& p) { p.F = 0, p.format = wst::jtfs_format::joint, p.out_type = wst::out_type::array; })),
                      Contains("F = 0 is invalid") && Contains("out_type = list"));
    const auto x = test_signals::noise(2, 256, 3);
    for (const auto& p : {with([](auto& q) { q.F = 0, q.format = wst::jtfs_format::joint; }),
                          with([](auto& q) { q.F = wst::global, q.format = wst::jtfs_format::joint; }),
                          with([](auto& q) { q.F = 8, q.format = wst::jtfs_format::joint; })}) {
        const jtfs S(p);
        const std::string why = p.F.value() == 8 ? "stride_fr <= 2^J_fr = 4" : "format joint needs F >= 1";
        CHECK_THROWS_WITH(S.scattering(x), Contains(why) && Contains("scattering_list()"));
        CHECK_THROWS_WITH(S.output_shape(), Contains(why));
        CHECK_THROWS_WITH(S.backward(x, wst::scattering_array<double>(2, 1, S.output_length())), Contains(why));
        CHECK_THROWS_WITH(S.loss_gradient(x, wst::scattering_array<double>(2, 1, S.output_length()), wst::loss::norm),
                          Contains(why));
        CHECK_NOTHROW(S.meta());
        CHECK(S.scattering_list(x).size() == S.list_size());
    }
    // Bad signals and cotangents.
    const jtfs S(ok);
    CHECK_THROWS_WITH(S.scattering_list(test_signals::noise(1, 255, 1)), Contains("x = a signal of length 255 is invalid"));
    wst::signal_array<double> bad = x;
    bad(1, 7) = std::nan("");
    CHECK_THROWS_WITH(S.scattering_list(bad), Contains("at signal 1, sample 7"));
    const auto list = S.scattering_list(x);
    auto fewer = list;
    fewer.pop_back();
    CHECK_THROWS_WITH(S.backward(x, fewer), Contains("g = " + std::to_string(list.size() - 1) + " entries is invalid") &&
                                                Contains("one per entry of the list output (" + std::to_string(list.size()) + ")"));
    auto wrong = list;
    wrong[3].coef = wst::scattering_array<double>(2, 1, S.output_length() + 1);
    CHECK_THROWS_WITH(S.backward(x, wrong), Contains("g = entry 3 of shape (2, 1, " + std::to_string(S.output_length() + 1) +
                                                     ") is invalid: (2, 1, " + std::to_string(S.output_length()) + ")"));
    auto batch = list;
    batch[0].coef = wst::scattering_array<double>(1, 1, S.output_length());
    CHECK_THROWS_WITH(S.backward(x, batch), Contains("g = entry 0 of shape (1, 1,"));
    auto nan = list;
    nan[2].coef(1, 0, 0) = std::nan("");
    CHECK_THROWS_WITH(S.backward(x, nan), Contains("g = ") && Contains("values must be finite"));
}
