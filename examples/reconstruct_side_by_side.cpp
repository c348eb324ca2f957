// The harmonic signal (N = 2^13, J = 6, Q = 16) reconstructed twice from its
// scattering coefficients with the same budget, 200 gradient evaluations:
//   bold driver  the seed's method: Gaussian noise, then gradient steps with
//                the bold driver (lr 100, x1.1 / x0.55);
//   default      wst::reconstruct's defaults: the phase-gradient start, then
//                L-BFGS.
// For each it prints the relative scattering error per order and the
// spectral convergence, computed from the reconstructed signal, writes its
// report to OUTDIR/bold_driver or OUTDIR/default, and OUTDIR/comparison.png
// plots both errors against the gradient evaluations spent.
//
// Usage: reconstruct_side_by_side [OUTDIR]   (default: side_by_side)
#include "tools/harmonic.hpp"
#include "tools/quality.hpp"
#include "tools/reconstruction_report.hpp"

#include <wst/wst.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <thread>

int main(int argc, char** argv) try {
    const std::string out = argc > 1 ? argv[1] : "side_by_side";
    const std::vector<float> harmonic = tools::harmonic_signal(8192);
    const Eigen::ArrayXf x = Eigen::Map<const Eigen::ArrayXf>(harmonic.data(), 8192);
    const std::vector<double> original(x.begin(), x.end());
    const wst::scattering1d_params params{.J = 6, .shape = 8192, .Q = 16};
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const wst::Scattering1D<wst::backend::fftw, float> S(params, {.threads = cores});

    wst::reconstruction_options bold;  // the seed's method
    bold.optimizer = wst::optimizer::bold_driver;
    bold.learning_rate = 100;
    bold.init = wst::initialization::noise;
    const wst::reconstruction_options by_default;  // phase-gradient start, L-BFGS, 200 evaluations

    std::vector<std::vector<double>> error_curves, evaluation_axes;
    std::printf("%-12s %10s %10s %10s %12s %8s\n", "method", "total", "order 1", "order 2", "spectral c.", "seconds");
    for (const auto& [name, options] : {std::pair{"bold_driver", bold}, std::pair{"default", by_default}}) {
        const auto r = wst::reconstruct_signals(S, x.transpose(), options)[0];
        const std::vector<double> y(r.signal.begin(), r.signal.end());
        const tools::reconstruction_quality q = tools::quality(params, original, y, cores);
        std::printf("%-12s %10.5f %10.5f %10.5f %12.4f %8.2f\n", name, q.relative_error, q.relative_error_by_order[1],
                    q.relative_error_by_order[2], q.spectral_convergence, r.final.elapsed_seconds);
        tools::write_reconstruction_report(std::filesystem::path(out) / name, original, y, r.history, 8192,
                                           std::string("Harmonic signal, ") + name);
        std::vector<double> errors, evaluations;
        for (const auto& p : r.history) {
            errors.push_back(p.relative_error);
            evaluations.push_back(p.evaluations);
        }
        error_curves.push_back(errors);
        evaluation_axes.push_back(evaluations);
    }
    tools::output_set plot;
    tools::xy_plot(plot, (std::filesystem::path(out) / "comparison.png").string(),
                   {"Harmonic signal: ||S(y) - S(x)|| / ||S(x)||", "gradient evaluations", ""}, evaluation_axes,
                   error_curves, {"bold driver from noise", "default: phase-gradient start, L-BFGS"}, "set logscale y\n");
    plot.commit();
    std::cout << "wrote " << out << "/{bold_driver,default}/ and " << out << "/comparison.png\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "reconstruct_side_by_side: " << e.what() << '\n';
    return 1;
}
