// wst-scatter: the scattering transform of a .npy or audio file, written as
// .npy (array output) or .npz (one array per path, T = 0), for users and for
// checks from outside (numpy.load reads the output).
#include "tools/npz.hpp"
#include "tools/output_file.hpp"
#include "tools/parse.hpp"
#include "tools/signal_io.hpp"

#include <wst/wst.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <iostream>
#include <optional>

namespace {

struct options {
    std::string input, output, meta, Q = "1", T, precision;
    int J = 0;
    std::optional<long long> stride;
    int max_order = 2;
};

// Kymatio's path names in an .npz: p, p_<n1>, p_<n1>_<n2>.
std::string path_name(const std::vector<int>& key) {
    std::string name = "p";
    for (int n : key) name += "_" + std::to_string(n);
    return name;
}

nlohmann::json meta_json(const wst::scattering_meta& m) {
    auto column = [](const Eigen::ArrayXXd& a) {
        nlohmann::json rows = nlohmann::json::array();
        for (Eigen::Index c = 0; c < a.rows(); ++c) {
            nlohmann::json row = nlohmann::json::array();
            for (Eigen::Index o = 0; o < a.cols(); ++o)
                row.push_back(std::isnan(a(c, o)) ? nlohmann::json(nullptr) : nlohmann::json(a(c, o)));
            rows.push_back(row);
        }
        return rows;
    };
    return {{"order", m.order}, {"key", m.key}, {"xi", column(m.xi)}, {"sigma", column(m.sigma)}, {"j", column(m.j)}};
}

template <class Real>
void scatter(const options& o, const tools::signals& x, const wst::scattering1d_params& params) {
    const wst::Scattering1D<wst::backend::fftw, Real> S(params);
    const std::vector<Real> values(x.values.begin(), x.values.end());
    if (params.out_type == wst::out_type::array) {
        const auto Sx = S.scattering(values.data(), x.B, x.N);
        std::vector<std::size_t> shape{Sx.channels(), Sx.length()};
        if (!x.one_dimensional) shape.insert(shape.begin(), Sx.batch());
        tools::write_atomically(o.output, [&](const std::string& tmp) {
            std::ofstream out(tmp, std::ios::binary);
            wst::npy::write(out, Sx.data(), shape);
            out.close();
            if (!out) throw std::runtime_error("cannot write " + o.output);
        });
    } else {
        const auto paths = S.scattering_list(values.data(), x.B, x.N);
        std::vector<tools::npz_member> members;
        for (const auto& p : paths)
            members.push_back(tools::make_member(path_name(p.key), p.coef.data(),
                                                 {static_cast<std::size_t>(p.coef.rows()), static_cast<std::size_t>(p.coef.cols())}));
        tools::write_atomically(o.output, [&](const std::string& tmp) { tools::write_npz(tmp, members); });
    }
    if (!o.meta.empty())
        tools::write_atomically(o.meta, [&](const std::string& tmp) {
            std::ofstream out(tmp);
            out << meta_json(S.meta()).dump() << '\n';
            out.close();
            if (!out) throw std::runtime_error("cannot write " + o.meta);
        });
}

int run(const options& o) {
    wst::scattering1d_params params;
    params.J = o.J;
    params.Q = tools::parse_Q(o.Q);
    if (!o.T.empty()) params.T = tools::parse_T(o.T);
    params.stride = o.stride;
    params.max_order = o.max_order;
    const bool no_averaging = !params.T.is_default() && !params.T.is_global() && params.T.value() == 0;
    params.out_type = no_averaging ? wst::out_type::list : wst::out_type::array;

    const std::string wanted = no_averaging ? ".npz" : ".npy";
    if (tools::extension(o.output) != wanted)
        throw std::runtime_error("OUTPUT " + o.output + " must end in " + wanted +
                                 (no_averaging ? " (T = 0 gives paths of different lengths)" : " (array output)"));
    tools::refuse_overwrite(o.input, o.output, "OUTPUT");
    if (!o.meta.empty()) {
        tools::refuse_overwrite(o.input, o.meta, "--meta");
        if (tools::fs::weakly_canonical(o.meta) == tools::fs::weakly_canonical(o.output))
            throw std::runtime_error("--meta " + o.meta + " is the same file as OUTPUT");
    }

    const tools::signals x = tools::read_signals(o.input);
    params.shape = static_cast<long long>(x.N);
    const std::string precision = o.precision.empty() ? (x.float32 ? "float" : "double") : o.precision;
    if (precision == "float")
        scatter<float>(o, x, params);
    else
        scatter<double>(o, x, params);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Scattering transform of a signal file (Kymatio 0.4's Scattering1D).", "wst-scatter"};
    options o;
    app.add_option("INPUT", o.input, ".npy of shape (N,) or (B, N), float32 or float64; or audio (.wav, .flac, .ogg)")
        ->required();
    app.add_option("OUTPUT", o.output, ".npy (B, C, N_out) or (C, N_out); .npz of paths when T = 0")->required();
    app.add_option("--J", o.J, "maximal scale 2^J (required)")->required();
    app.add_option("--Q", o.Q, "wavelets per octave: Q1 or Q1,Q2 (default 1)");
    app.add_option("--T", o.T, "averaging support: an integer, 0 (none) or global (default 2^J)");
    app.add_option("--stride", o.stride, "output stride, a power of two <= T");
    app.add_option("--max-order", o.max_order, "1 or 2 (default 2)");
    app.add_option("--precision", o.precision, "float or double (default: the input's; float for audio)")
        ->check(CLI::IsMember({"float", "double"}));
    app.add_option("--meta", o.meta, "write order, key, xi, sigma, j per channel to this JSON file");
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return 0;
    } catch (const CLI::ParseError& e) {
        std::cerr << "wst-scatter: " << e.what() << " (see --help)\n";
        return 2;
    }
    try {
        return run(o);
    } catch (const std::exception& e) {
        std::cerr << "wst-scatter: " << e.what() << '\n';
        return 1;
    }
}
