// cos(40 t) on 2048 samples (t = linspace(0, 1, 2048)), J = 6, Q = 8,
// reconstructed from noise by SGD with momentum 0.9, lr 500, on the mean
// squared error between scattering coefficients, for 100 iterations.
//
// Usage: reconstruct_cosine [OUTDIR]   (default: cosine_reconstruction)
#include "tools/reconstruction_report.hpp"

#include <wst/wst.hpp>

#include <cmath>
#include <iostream>

int main(int argc, char** argv) try {
    const std::string out = argc > 1 ? argv[1] : "cosine_reconstruction";

    const Eigen::ArrayXd t = Eigen::ArrayXd::LinSpaced(2048, 0.0, 1.0);
    const Eigen::ArrayXd x = (40 * t).cos();
    const wst::Scattering1D<wst::backend::fftw, double> S({.J = 6, .shape = 2048, .Q = 8});

    wst::reconstruction_options options;
    options.optimizer = wst::optimizer::sgd;
    options.momentum = 0.9;
    options.learning_rate = 500;
    options.loss = wst::loss::mse;
    options.init = wst::initialization::noise;
    options.max_iterations = 100;
    options.max_evaluations = 0;
    options.on_iteration = [](const wst::reconstruction_progress& p) {
        if (p.iteration % 10 == 0)
            std::cout << "iteration " << p.iteration << "  mse " << p.loss << "  relative error " << p.relative_error << '\n';
        return true;
    };
    const auto result = wst::reconstruct_signals(S, x.transpose(), options)[0];
    std::cout << "final relative scattering error " << result.final.relative_error << '\n';

    tools::write_reconstruction_report(out, std::vector<double>(x.begin(), x.end()),
                                       std::vector<double>(result.signal.begin(), result.signal.end()), result.history,
                                       2048, "cos(40 t)");
    std::cout << "wrote " << out << "/{original,reconstruction}.{npy,wav,png}, loss.csv, loss.png, "
              << "spectrogram_{original,reconstruction}.png\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "reconstruct_cosine: " << e.what() << '\n';
    return 1;
}
