// wst-reconstruct: reconstructs a signal from the scattering coefficients of
// an audio or .npy file, starting from noise, and writes the result, the
// loss history, plots and summary.json to OUTDIR.
#include "tools/cli.hpp"
#include "tools/output_file.hpp"
#include "tools/parse.hpp"
#include "tools/reconstruction_report.hpp"
#include "tools/signal_io.hpp"

#include <wst/wst.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <optional>

namespace {

struct options {
    std::string input, outdir, Q = "1", T, optimizer = "lbfgs", loss = "norm", init = "noise", precision = "float";
    int J = 0, max_order = 2, iterations = 0, evals = 200, sample_rate = 8000;
    double target_error = 0;
    std::optional<double> lr;
    unsigned seed = 0;
    int threads = 1;
};

const std::map<std::string, wst::optimizer> optimizers = {{"bold-driver", wst::optimizer::bold_driver},
                                                          {"momentum", wst::optimizer::momentum},
                                                          {"sgd", wst::optimizer::sgd},
                                                          {"adam", wst::optimizer::adam},
                                                          {"lbfgs", wst::optimizer::lbfgs}};
const std::map<std::string, wst::loss> losses = {
    {"norm", wst::loss::norm}, {"mse", wst::loss::mse}, {"sum_squares", wst::loss::sum_squares}, {"l1", wst::loss::l1}};
// Learning rates that work on audio-like signals when --lr is not given.
const std::map<std::string, double> default_lr = {
    {"bold-driver", 100}, {"momentum", 100}, {"sgd", 500}, {"adam", 0.01}, {"lbfgs", 1}};

// One signal: a .npy of shape (N,) or (1, N), or audio mixed to mono.
tools::signals read_mono(const std::string& path) {
    tools::signals s = tools::read_signals(path);
    if (tools::extension(path) == ".npy") {
        if (s.B != 1) throw std::runtime_error(path + ": expected one signal, shape (N,); got " + std::to_string(s.B) + " rows");
        return s;
    }
    std::vector<double> mono(s.N, 0.0);
    for (std::size_t c = 0; c < s.B; ++c)
        for (std::size_t t = 0; t < s.N; ++t) mono[t] += s.values[c * s.N + t] / static_cast<double>(s.B);
    s.values = mono;
    s.B = 1;
    return s;
}

// A progress bar on a terminal, one line every 10 iterations otherwise.
class progress_display {
public:
    explicit progress_display(int total) : total_(total), tty_(::isatty(STDERR_FILENO) != 0) {}
    void operator()(const wst::reconstruction_progress& p) {
        if (tty_) {
            const int width = 30;
            const double done = total_ > 0 ? std::min(1.0, static_cast<double>(p.evaluations) / total_) : 0;
            const int filled = static_cast<int>(done * width);
            std::fprintf(stderr, "\r[%s%s] %3d%%  iteration %d  evaluations %d  relative error %.4g ",
                         std::string(static_cast<std::size_t>(filled), '#').c_str(),
                         std::string(static_cast<std::size_t>(width - filled), '.').c_str(), static_cast<int>(100 * done),
                         p.iteration, p.evaluations, p.relative_error);
        } else if (p.iteration % 10 == 0) {
            std::fprintf(stderr, "iteration %d  evaluations %d  loss %.6g  relative error %.6g  %.1f s\n", p.iteration,
                         p.evaluations, p.loss, p.relative_error, p.elapsed_seconds);
        }
    }
    ~progress_display() {
        if (tty_) std::fputc('\n', stderr);
    }

private:
    int total_;
    bool tty_;
};

template <class Real>
int reconstruct(const options& o, const tools::signals& x, wst::scattering1d_params params) {
    const wst::Scattering1D<wst::backend::fftw, Real> S(params, {.threads = o.threads});
    wst::reconstruction_options r;
    r.optimizer = optimizers.at(o.optimizer);
    r.loss = losses.at(o.loss);
    r.learning_rate = o.lr.value_or(default_lr.at(o.optimizer));
    r.init = o.init == "envelope" ? wst::initialization::envelope : wst::initialization::noise;
    r.seed = o.seed;
    r.max_iterations = o.iterations;
    r.max_evaluations = o.evals;
    r.target_error = o.target_error;
    if (!(r.learning_rate > 0)) throw std::runtime_error("--lr " + std::to_string(r.learning_rate) + ": the learning rate must be > 0");
    std::filesystem::create_directories(o.outdir);
    progress_display show(o.evals > 0 ? o.evals : o.iterations);
    r.on_iteration = [&](const wst::reconstruction_progress& p) {
        show(p);
        return true;
    };
    const Eigen::Array<Real, 1, Eigen::Dynamic> signal =
        Eigen::Map<const Eigen::Array<double, 1, Eigen::Dynamic>>(x.values.data(), static_cast<Eigen::Index>(x.N)).cast<Real>();
    const auto result = wst::reconstruct_signals(S, signal, r)[0];

    const std::vector<double> y(result.signal.begin(), result.signal.end());
    const int rate = x.sample_rate > 0 ? x.sample_rate : o.sample_rate;
    tools::write_reconstruction_report(o.outdir, x.values, y, result.history, rate,
                                       std::filesystem::path(o.input).filename().string());
    const auto& f = result.final;
    auto nan_to_null = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
    nlohmann::json by_order = nlohmann::json::array();
    for (int m = 0; m <= S.max_order(); ++m) by_order.push_back(nan_to_null(f.relative_error_by_order[static_cast<std::size_t>(m)]));
    const nlohmann::json summary = {
        {"input", o.input},
        {"sample_rate", rate},
        {"relative_error", f.relative_error},
        {"relative_error_by_order", by_order},
        {"loss", f.loss},
        {"iterations", f.iteration},
        {"gradient_evaluations", f.evaluations},
        {"wall_seconds", f.elapsed_seconds},
        {"stop_reason", result.stop_reason},
        {"optimizer", o.optimizer},
        {"loss_function", o.loss},
        {"learning_rate", r.learning_rate},
        {"init", o.init},
        {"seed", o.seed},
        {"precision", o.precision},
        {"transform",
         {{"J", S.J()}, {"Q", {params.Q.q1, params.Q.q2}}, {"T", S.average() == wst::averaging::mode::global ? nlohmann::json("global") : nlohmann::json(S.T())},
          {"max_order", S.max_order()}, {"shape", S.shape()}, {"N_padded", S.N_padded()}, {"channels", S.output_size()}}}};
    tools::write_atomically(std::filesystem::path(o.outdir) / "summary.json", [&](const std::string& tmp) {
        std::ofstream out(tmp);
        out << summary.dump(2) << '\n';
        out.close();
        if (!out) throw std::runtime_error("cannot write summary.json");
    });
    std::cout << "relative scattering error " << f.relative_error << " after " << f.evaluations
              << " gradient evaluations (" << f.elapsed_seconds << " s); results in " << o.outdir << '\n';
    return 0;
}

int run(const options& o) {
    if (o.J < 1) throw std::runtime_error("--J: give the scale J >= 1");
    wst::scattering1d_params params;
    params.J = o.J;
    params.Q = tools::parse_Q(o.Q);
    if (!o.T.empty()) params.T = tools::parse_T(o.T);
    params.max_order = o.max_order;
    if (o.iterations <= 0 && o.evals <= 0 && o.target_error <= 0)
        throw std::runtime_error("give a stopping rule: --iterations, --evals or --target-error");

    // Refuse to write any output over the input.
    for (const char* name : {"original.npy", "original.wav", "reconstruction.npy", "reconstruction.wav", "loss.csv",
                             "summary.json", "original.png", "reconstruction.png", "loss.png",
                             "spectrogram_original.png", "spectrogram_reconstruction.png"})
        tools::refuse_overwrite(o.input, std::filesystem::path(o.outdir) / name, "output");

    const tools::signals x = read_mono(o.input);
    params.shape = static_cast<long long>(x.N);
    return o.precision == "double" ? reconstruct<double>(o, x, params) : reconstruct<float>(o, x, params);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Reconstructs a signal from its scattering coefficients, starting from noise.", "wst-reconstruct"};
    options o;
    app.add_option("INPUT", o.input, "audio (.wav, .flac, .ogg; mixed to mono) or .npy of shape (N,)")->required();
    app.add_option("OUTDIR", o.outdir, "folder for the reconstruction, loss history, plots and summary.json")->required();
    app.add_option("--J", o.J, "maximal scale 2^J (required)")->required();
    app.add_option("--Q", o.Q, "wavelets per octave: Q1 or Q1,Q2 (default 1)");
    app.add_option("--T", o.T, "averaging support: an integer >= 1 or global (default 2^J)");
    app.add_option("--max-order", o.max_order, "1 or 2 (default 2)");
    app.add_option("--optimizer", o.optimizer, "bold-driver, momentum, sgd, adam or lbfgs (default lbfgs)")
        ->check(CLI::IsMember({"bold-driver", "momentum", "sgd", "adam", "lbfgs"}));
    app.add_option("--iterations", o.iterations, "stop after this many iterations");
    app.add_option("--evals", o.evals, "stop after this many gradient evaluations (default 200)");
    app.add_option("--target-error", o.target_error, "stop when ||S(y) - S(x)|| / ||S(x)|| is at most this");
    app.add_option("--lr", o.lr, "learning rate (default: 100 bold-driver/momentum, 500 sgd, 0.01 adam, 1 lbfgs)");
    app.add_option("--loss", o.loss, "norm, mse, sum_squares or l1 (default norm)")
        ->check(CLI::IsMember({"norm", "mse", "sum_squares", "l1"}));
    app.add_option("--init", o.init, "noise or envelope (default noise)")->check(CLI::IsMember({"noise", "envelope"}));
    app.add_option("--seed", o.seed, "seed of the initial noise (default 0)");
    app.add_option("--precision", o.precision, "float or double (default float)")->check(CLI::IsMember({"float", "double"}));
    app.add_option("--threads", o.threads, "threads for the transform (default 1; the result does not depend on it)");
    app.add_option("--sample-rate", o.sample_rate, "sample rate of the .wav output for .npy input (default 8000)");
    return tools::parse_and_run(app, argc, argv, [&] { return run(o); });
}
