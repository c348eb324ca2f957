// A program built against the installed wst package.
#include <wst/wst.hpp>

#include <iostream>

int main() {
    const wst::Scattering1D<wst::backend::fftw, float> S({.J = 4, .shape = 256, .Q = 4});
    const Eigen::ArrayXf x = Eigen::ArrayXf::LinSpaced(256, 0.0f, 50.0f).sin();
    const auto Sx = S.scattering(x);
    std::cout << Sx.channels() << " channels of " << Sx.length() << " samples\n";
    return Sx.channels() == S.output_size() ? 0 : 1;
}
