// wst-scatter: the scattering transform of a .npy or audio file, written as
// .npy (array output) or .npz (one array per path, T = 0), for users and for
// checks from outside (numpy.load reads the output). --jtfs: the joint
// time-frequency scattering instead, an .npy array.
#include "tools/cli.hpp"
#include "tools/npz.hpp"
#include "tools/output_file.hpp"
#include "tools/scatter_options.hpp"
#include "tools/signal_io.hpp"

#include <wst/time_frequency_scattering.hpp>
#include <wst/wst.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>

namespace {

using options = tools::scatter_options;

// Kymatio's path names in an .npz: p, p_<n1>, p_<n1>_<n2>.
std::string path_name(const std::vector<int>& key) {
    std::string name = "p";
    for (int n : key) name += "_" + std::to_string(n);
    return name;
}

// Meta fields as JSON: a list per channel (rows of a C x 2 array) or a value
// per channel, null for NaN.
nlohmann::json number(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

nlohmann::json column(const Eigen::ArrayXXd& a) {
    nlohmann::json rows = nlohmann::json::array();
    for (Eigen::Index c = 0; c < a.rows(); ++c) {
        nlohmann::json row = nlohmann::json::array();
        for (Eigen::Index o = 0; o < a.cols(); ++o) row.push_back(number(a(c, o)));
        rows.push_back(row);
    }
    return rows;
}

nlohmann::json column(const Eigen::ArrayXd& a) {
    nlohmann::json values = nlohmann::json::array();
    for (double v : a) values.push_back(number(v));
    return values;
}

nlohmann::json meta_json(const wst::scattering_meta& m) {
    return {{"order", m.order}, {"key", m.key}, {"xi", column(m.xi)}, {"sigma", column(m.sigma)}, {"j", column(m.j)}};
}

// Kymatio's JTFS meta() has n (n1, n2) as well: it tells the channels of a path apart.
nlohmann::json meta_json(const wst::jtfs_meta& m) {
    return {{"order", m.order}, {"key", m.key}, {"n", column(m.n)}, {"xi", column(m.xi)}, {"sigma", column(m.sigma)},
            {"j", column(m.j)}, {"n_fr", column(m.n_fr)}, {"xi_fr", column(m.xi_fr)}, {"sigma_fr", column(m.sigma_fr)},
            {"j_fr", column(m.j_fr)}, {"spin", column(m.spin)}};
}

// One signal's output shape with the batch axis in front, but for 1-D input.
std::vector<std::size_t> batch_shape(std::vector<std::size_t> shape, const tools::signals& x) {
    if (!x.one_dimensional) shape.insert(shape.begin(), x.B);
    return shape;
}

template <class Real>
void write_npy(tools::output_set& files, const std::string& path, const Real* values, const std::vector<std::size_t>& shape) {
    files.add(path, [&](const std::string& tmp) {
        std::ofstream out(tmp, std::ios::binary);
        wst::npy::write(out, values, shape);
        out.close();
        if (!out) throw std::runtime_error("cannot write " + path);
    });
}

void write_json(tools::output_set& files, const std::string& path, const nlohmann::json& value) {
    files.add(path, [&](const std::string& tmp) {
        std::ofstream out(tmp);
        out << value.dump() << '\n';
        out.close();
        if (!out) throw std::runtime_error("cannot write " + path);
    });
}

// An array output's cotangent into g: an .npy of the shape the tool writes
// for S(x) (`shape`, g's values in C order).
template <class Real>
void read_cotangent(const std::string& file, const std::vector<std::size_t>& shape, wst::scattering_array<Real>& g) {
    if (tools::extension(file) != ".npy") throw std::runtime_error("--cotangent " + file + " must be an .npy array");
    const auto a = wst::npy::load(file);
    if (a.shape != shape) {
        std::string dims;
        for (auto d : shape) dims += (dims.empty() ? "" : ", ") + std::to_string(d);
        throw std::runtime_error("--cotangent " + file + " must have the output's shape (" + dims + ")");
    }
    std::copy(a.values.begin(), a.values.end(), g.data());
}

// The cotangent file in the layout the tool writes for S(x): an .npy array
// (B, C, N_out), or (C, N_out) for 1-D input; an .npz of named paths.
template <class Real>
wst::signal_array<Real> gradient(const wst::Scattering1D<wst::backend::fftw, Real>& S, const std::vector<Real>& x,
                                 const tools::signals& input, const std::string& file) {
    const Eigen::Map<const wst::signal_array<Real>> xs(x.data(), static_cast<Eigen::Index>(input.B),
                                                            static_cast<Eigen::Index>(input.N));
    if (S.average() != wst::averaging::mode::none) {
        wst::scattering_array<Real> g(input.B, S.output_size(), S.output_length());
        read_cotangent(file, batch_shape({S.output_size(), S.output_length()}, input), g);
        return S.backward(xs, g);
    }
    if (tools::extension(file) != ".npz") throw std::runtime_error("--cotangent " + file + " must be an .npz of paths (T = 0)");
    auto members = tools::read_npz(file);
    auto paths = S.scattering_list(xs);  // keys and shapes of the paths
    for (auto& p : paths) {
        const std::string name = path_name(p.key);
        const auto it = members.find(name);
        if (it == members.end()) throw std::runtime_error("--cotangent " + file + " has no path " + name);
        const auto& a = it->second;
        if (a.shape != std::vector<std::size_t>{input.B, static_cast<std::size_t>(p.coef.cols())})
            throw std::runtime_error("--cotangent " + file + ": path " + name + " must have shape (" +
                                     std::to_string(input.B) + ", " + std::to_string(p.coef.cols()) + ")");
        std::copy(a.values.begin(), a.values.end(), p.coef.data());
        members.erase(it);
    }
    if (!members.empty()) throw std::runtime_error("--cotangent " + file + " has an unknown path " + members.begin()->first);
    return S.backward(xs, paths);
}

// Computes everything first, then writes: a bad cotangent leaves no file.
template <class Real>
void scatter(const options& o, const tools::signals& x, const wst::scattering1d_params& params) {
    const wst::Scattering1D<wst::backend::fftw, Real> S(params, {.threads = o.threads});
    const std::vector<Real> values(x.values.begin(), x.values.end());
    std::function<void(const std::string&)> write_output;
    if (params.out_type == wst::out_type::array) {
        auto Sx = std::make_shared<wst::scattering_array<Real>>(S.scattering(values.data(), x.B, x.N));
        const auto shape = batch_shape({Sx->channels(), Sx->length()}, x);
        write_output = [Sx, shape, &o](const std::string& tmp) {
            std::ofstream out(tmp, std::ios::binary);
            wst::npy::write(out, Sx->data(), shape);
            out.close();
            if (!out) throw std::runtime_error("cannot write " + o.output);
        };
    } else {
        std::vector<tools::npz_member> members;
        for (const auto& p : S.scattering_list(values.data(), x.B, x.N))
            members.push_back(tools::make_member(path_name(p.key), p.coef.data(),
                                                 {static_cast<std::size_t>(p.coef.rows()), static_cast<std::size_t>(p.coef.cols())}));
        write_output = [members](const std::string& tmp) { tools::write_npz(tmp, members); };
    }
    wst::signal_array<Real> grad;
    if (!o.grad.empty()) grad = gradient(S, values, x, o.cotangent);

    tools::output_set files;  // every output, or none
    files.add(o.output, write_output);
    if (!o.grad.empty()) write_npy(files, o.grad, grad.data(), batch_shape({x.N}, x));
    if (!o.meta.empty()) write_json(files, o.meta, meta_json(S.meta()));
    files.commit();
}

// Joint scattering: an .npy array, (B, C, N_out) in format time, (B,
// n_paths, n_fr, N_out) in format joint, as Kymatio gives them; the
// cotangent has that shape too. Computes everything first, then writes.
template <class Real>
void scatter_jtfs(const options& o, const tools::signals& x, const wst::jtfs_params& params) {
    const wst::TimeFrequencyScattering<wst::backend::fftw, Real> S(params, {.threads = o.threads});
    const std::vector<Real> values(x.values.begin(), x.values.end());
    const auto Sx = S.scattering(values.data(), x.B, x.N);
    const auto shape = batch_shape(S.output_shape(), x);
    wst::signal_array<Real> grad;
    if (!o.grad.empty()) {
        wst::scattering_array<Real> g(Sx.batch(), Sx.channels(), Sx.length());
        read_cotangent(o.cotangent, shape, g);
        grad = S.backward(Eigen::Map<const wst::signal_array<Real>>(values.data(), static_cast<Eigen::Index>(x.B),
                                                                    static_cast<Eigen::Index>(x.N)),
                          g);
    }

    tools::output_set files;  // every output, or none
    write_npy(files, o.output, Sx.data(), shape);
    if (!o.grad.empty()) write_npy(files, o.grad, grad.data(), batch_shape({x.N}, x));
    if (!o.meta.empty()) write_json(files, o.meta, meta_json(S.meta()));
    files.commit();
}

int run(const options& o) {
    tools::check_threads(o.threads);
    // The options' values first (shape: the input's, once read); joint
    // scattering's output is always an array.
    wst::scattering1d_params params;
    wst::jtfs_params joint;
    if (o.jtfs)
        joint = tools::jtfs_params(o, 1);
    else
        params = tools::scatter_params(o, 1);
    const bool no_averaging = !o.jtfs && params.out_type == wst::out_type::list;
    const std::string wanted = no_averaging ? ".npz" : ".npy";
    if (tools::extension(o.output) != wanted)
        throw std::runtime_error("OUTPUT " + o.output + " must end in " + wanted +
                                 (no_averaging ? " (T = 0 gives paths of different lengths)" : " (array output)"));
    tools::refuse_overwrite(o.input, o.output, "OUTPUT");
    if (o.cotangent.empty() != o.grad.empty()) throw std::runtime_error("--cotangent and --grad go together");
    std::vector<std::string> written{o.output};
    for (const auto& [option, path] : {std::pair<std::string, std::string>{"--meta", o.meta}, {"--grad", o.grad}}) {
        if (path.empty()) continue;
        tools::refuse_overwrite(o.input, path, option);
        for (const auto& other : written)
            if (tools::fs::weakly_canonical(path) == tools::fs::weakly_canonical(other))
                throw std::runtime_error(option + " " + path + " is the same file as another output");
        written.push_back(path);
    }
    if (!o.cotangent.empty())
        for (const auto& path : written) tools::refuse_overwrite(o.cotangent, path, "an output");
    if (!o.grad.empty() && tools::extension(o.grad) != ".npy")
        throw std::runtime_error("--grad " + o.grad + " must end in .npy");

    const tools::signals x = tools::read_signals(o.input);
    params.shape = joint.shape = static_cast<long long>(x.N);
    const std::string precision = o.precision.empty() ? (x.float32 ? "float" : "double") : o.precision;
    if (precision == "float")
        o.jtfs ? scatter_jtfs<float>(o, x, joint) : scatter<float>(o, x, params);
    else
        o.jtfs ? scatter_jtfs<double>(o, x, joint) : scatter<double>(o, x, params);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Scattering transform of a signal file (Kymatio 0.4's Scattering1D, or TimeFrequencyScattering with --jtfs).",
                 "wst-scatter"};
    options o;
    tools::add_scatter_options(app, o);
    return tools::parse_and_run(app, argc, argv, [&] { return run(o); });
}
