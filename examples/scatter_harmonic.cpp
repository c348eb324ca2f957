// The scattering transform of the harmonic test signal (Kymatio's
// reconstruction example: 7 Hann-windowed notes, N = 2^13), J = 6, Q = 16,
// with plots of the signal and of its first- and second-order coefficients.
//
// Usage: scatter_harmonic [OUTDIR]   (default: harmonic_scattering)
#include "tools/gnuplot.hpp"
#include "tools/harmonic.hpp"

#include <wst/wst.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

int main(int argc, char** argv) try {
    const std::filesystem::path out = argc > 1 ? argv[1] : "harmonic_scattering";
    std::filesystem::create_directories(out);

    // The signal and the transform, as in Kymatio: Scattering1D(J=6, shape=8192, Q=16).
    const std::vector<float> signal = tools::harmonic_signal(8192);
    const Eigen::ArrayXd x = Eigen::Map<const Eigen::ArrayXf>(signal.data(), 8192).cast<double>();
    const wst::Scattering1D<wst::backend::fftw, double> S({.J = 6, .shape = 8192, .Q = 16});
    const auto Sx = S.scattering(x);
    const auto counts = S.output_size_by_order();
    std::cout << "S(x): " << Sx.channels() << " channels (" << counts[0] << " + " << counts[1] << " + " << counts[2]
              << ") of " << Sx.length() << " samples\n";

    // Coefficients as .npy, (C, N_out), for numpy.load; the files appear
    // together once all are written.
    tools::output_set files;
    files.add(out / "scattering.npy", [&](const std::string& tmp) {
        std::ofstream f(tmp, std::ios::binary);
        wst::npy::write(f, Sx.data(), {Sx.channels(), Sx.length()});
    });

    // The signal.
    tools::line_plot(files, (out / "signal.png").string(), {"Harmonic test signal (N = 8192)", "sample", "amplitude"},
                     {std::vector<double>(x.begin(), x.end())}, {"x"});

    // First order: one row per wavelet, highest frequency on top; log scale
    // shows the weaker notes.
    const std::size_t n1 = counts[1], n2 = counts[2], T = Sx.length();
    Eigen::ArrayXXd order1(static_cast<Eigen::Index>(n1), static_cast<Eigen::Index>(T));
    for (std::size_t c = 0; c < n1; ++c)
        order1.row(static_cast<Eigen::Index>(n1 - 1 - c)) = (Sx.channel(0, 1 + c).transpose() + 1e-6).log10();
    tools::image_plot(files, (out / "order1.png").string(),
                      {"First-order scattering log10 S1 (rows: wavelets, low to high frequency)", "time / 64", "lambda1"},
                      order1);

    // Second order: all (lambda1, lambda2) paths, in Kymatio's order.
    Eigen::ArrayXXd order2(static_cast<Eigen::Index>(n2), static_cast<Eigen::Index>(T));
    for (std::size_t c = 0; c < n2; ++c)
        order2.row(static_cast<Eigen::Index>(c)) = (Sx.channel(0, 1 + n1 + c).transpose() + 1e-6).log10();
    tools::image_plot(files, (out / "order2.png").string(),
                      {"Second-order scattering log10 S2 (rows: paths (n1, n2))", "time / 64", "path"}, order2);
    files.commit();

    std::cout << "wrote " << (out / "signal.png").string() << ", " << (out / "order1.png").string() << ", "
              << (out / "order2.png").string() << " and " << (out / "scattering.npy").string() << '\n';
    return 0;
} catch (const std::exception& e) {
    std::cerr << "scatter_harmonic: " << e.what() << '\n';
    return 1;
}
