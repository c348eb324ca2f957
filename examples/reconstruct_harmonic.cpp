// The reconstruction example the project started from (Kymatio's
// examples/1d/reconstruct_torch.py): the harmonic test signal, N = 2^13,
// J = 6, Q = 16, reconstructed from Gaussian noise by gradient descent with
// the bold driver (lr 100, x1.1 after an improvement, x0.55 and retract
// after a worsening) for 200 iterations on ||S(y) - S(x)||. The library's
// default method does far better: see reconstruct_side_by_side.
//
// Usage: reconstruct_harmonic [OUTDIR]   (default: harmonic_reconstruction)
#include "tools/harmonic.hpp"
#include "tools/reconstruction_report.hpp"

#include <wst/wst.hpp>

#include <algorithm>
#include <iostream>
#include <thread>

int main(int argc, char** argv) try {
    const std::string out = argc > 1 ? argv[1] : "harmonic_reconstruction";

    const std::vector<float> harmonic = tools::harmonic_signal(8192);
    const Eigen::ArrayXf x = Eigen::Map<const Eigen::ArrayXf>(harmonic.data(), 8192);
    // Every core of the machine: the results are the same bits for any
    // number of threads, only sooner.
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const wst::Scattering1D<wst::backend::fftw, float> S({.J = 6, .shape = 8192, .Q = 16}, {.threads = cores});

    wst::reconstruction_options options;  // loss norm
    options.optimizer = wst::optimizer::bold_driver;  // x1.1 / x0.55
    options.learning_rate = 100;
    options.init = wst::initialization::noise;
    options.max_iterations = 200;
    options.max_evaluations = 0;
    options.on_iteration = [](const wst::reconstruction_progress& p) {
        if (p.iteration % 20 == 0)
            std::cout << "iteration " << p.iteration << "  loss " << p.loss << "  relative error " << p.relative_error
                      << "  lr " << p.step << '\n';
        return true;
    };
    const auto result = wst::reconstruct_signals(S, x.transpose(), options)[0];
    std::cout << "final relative scattering error " << result.final.relative_error << " after "
              << result.final.evaluations << " gradient evaluations, " << result.final.elapsed_seconds << " s\n";

    tools::write_reconstruction_report(out, std::vector<double>(x.begin(), x.end()),
                                       std::vector<double>(result.signal.begin(), result.signal.end()), result.history,
                                       8192, "Harmonic signal");
    std::cout << "wrote " << out << "/{original,reconstruction}.{npy,wav,png}, loss.csv, loss.png, "
              << "spectrogram_{original,reconstruction}.png\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "reconstruct_harmonic: " << e.what() << '\n';
    return 1;
}
