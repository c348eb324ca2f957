// wst-memory: peak memory of the fused loss-and-gradient (sum_squares) on one
// configuration, either wst's own (`lean`: one first-order subtree at a time)
// or a reverse mode that stores the whole forward pass before going back
// (`tape`, what an autograd framework keeps), written here with the same
// backend primitives. Prints the resident memory before the call and at its
// peak, and checks that both give the same gradient.
//   wst-memory lean music     wst-memory tape music
#include "configurations.hpp"

#include <fstream>
#include <iostream>
#include <string>

namespace {

using fftw = wst::backend::fftw;
using Real = float;
using cplx = std::complex<Real>;
using cbuf = wst::fftw::aligned_buffer<cplx>;
using rbuf = wst::fftw::aligned_buffer<Real>;

// Resident set size now and at its peak, in MiB (Linux /proc/self/status).
std::pair<double, double> rss_mib() {
    std::ifstream status("/proc/self/status");
    std::string key;
    double now = 0, peak = 0;
    while (status >> key) {
        double kib = 0;
        if (key == "VmRSS:" && status >> kib) now = kib / 1024;
        if (key == "VmHWM:" && status >> kib) peak = kib / 1024;
    }
    return {now, peak};
}

void reset_peak() { std::ofstream("/proc/self/clear_refs") << "5"; }

// Gradient of 0.5 ||S(x) - target||^2 for one signal, keeping every
// intermediate of every path until the backward sweep (local averaging).
std::vector<Real> tape_gradient(const wst::Scattering1D<fftw, Real>& S, const fftw::context<Real>& ctx,
                                const Real* x, const Real* target) {
    const auto& g = S.geometry();
    const auto& bank = S.filters();
    fftw::workspace<Real> w(ctx, 1);
    const std::size_t Np = static_cast<std::size_t>(g.N_padded), L = S.output_length();
    const int ls = g.log2_stride;
    Real* tmp = w.real_buffer(0);
    Real* u = w.real_buffer(1);
    Real* grad = w.real_buffer(2);
    cplx* product = w.complex_buffer(0);
    cplx* grad_hat = w.complex_buffer(1);

    struct node {
        std::size_t n, len, periods;
        int level;
        fftw::context<Real>::window psi;
        cbuf z, u_hat, grad_u_hat;
        std::size_t channel;
    };
    rbuf x_pad(Np);
    cbuf u0_hat(Np), grad_u0_hat(Np);
    std::vector<Real> residual(S.output_size() * L);  // S - target, the cotangent of sum_squares

    // phi-average channel c of a spectrum (n bins at level k): its residual.
    auto average = [&](std::size_t c, const cplx* u_hat, std::size_t n, int k) {
        const int kJ = std::max(ls - k, 0);
        w.filter_subsample(u_hat, ctx.phi(k), 1, n, std::size_t{1} << kJ, product, Real(1));
        w.irfft(product, tmp, 1, n >> kJ);
        w.unpad(tmp, 1, n >> kJ, static_cast<std::size_t>(g.ind_start[ls]), static_cast<std::size_t>(g.ind_end[ls]),
                residual.data() + c * L, L);
        for (std::size_t t = 0; t < L; ++t) residual[c * L + t] -= target[c * L + t];
    };
    auto average_adjoint = [&](std::size_t c, std::size_t n, int k, cplx* grad_u_hat) {
        const int kJ = std::max(ls - k, 0);
        w.unpad_adjoint(residual.data() + c * L, L, 1, static_cast<std::size_t>(g.ind_start[ls]),
                        static_cast<std::size_t>(g.ind_end[ls]), n >> kJ, tmp);
        w.irfft_adjoint(tmp, product, 1, n >> kJ);
        w.filter_subsample_adjoint(product, ctx.phi(k), 1, n, std::size_t{1} << kJ, grad_u_hat, Real(1));
    };
    // z = ifft(subsample(u_hat * psi)) (the ifft's 1/len in the product
    // pass), |z| and its spectrum, all kept.
    auto wavelet = [&](node& a, const cplx* u_hat, std::size_t n) {
        a.z = cbuf(a.len);
        a.u_hat = cbuf(a.len);
        a.grad_u_hat = cbuf(a.len);
        w.filter_subsample(u_hat, a.psi, 1, n, a.periods, product, Real(1) / static_cast<Real>(a.len));
        w.inverse_dft(product, a.z.data(), 1, a.len);
        w.modulus(a.z.data(), u, 1, a.len);
        w.rfft(u, a.u_hat.data(), 1, a.len);
        w.zero(a.grad_u_hat.data(), a.len);
        average(a.channel, a.u_hat.data(), a.len, a.level);
    };
    auto wavelet_adjoint = [&](node& a, std::size_t n, cplx* grad_parent) {
        average_adjoint(a.channel, a.len, a.level, a.grad_u_hat.data());
        w.rfft_adjoint(a.grad_u_hat.data(), grad, 1, a.len);
        w.modulus(a.z.data(), u, 1, a.len);  // |z| again, in the forward sweep's scratch
        w.modulus_adjoint(a.z.data(), u, grad, product, 1, a.len);
        w.inverse_dft_adjoint(product, grad_hat, 1, a.len);
        w.filter_subsample_adjoint(grad_hat, a.psi, 1, n, a.periods, grad_parent, Real(1) / static_cast<Real>(a.len));
    };

    // Forward sweep, keeping everything.
    w.pad(x, 1, static_cast<std::size_t>(g.N), static_cast<std::size_t>(g.pad_left), Np, x_pad.data());
    w.rfft(x_pad.data(), u0_hat.data(), 1, Np);
    average(0, u0_hat.data(), Np, 0);
    std::vector<node> first, second;
    std::vector<std::size_t> parent;
    std::size_t channel2 = 1 + bank.psi1.size();
    for (std::size_t n1 = 0; n1 < bank.psi1.size(); ++n1) {
        const int k1 = std::min(bank.psi1[n1].j, ls);
        first.push_back({n1, Np >> k1, std::size_t{1} << k1, k1, ctx.psi1(n1, 0), {}, {}, {}, 1 + n1});
        wavelet(first.back(), u0_hat.data(), Np);
        for (std::size_t n2 = 0; n2 < bank.psi2.size(); ++n2) {
            if (bank.psi2[n2].j <= bank.psi1[n1].j) continue;
            const int k2 = std::max(std::min(bank.psi2[n2].j, ls) - k1, 0);
            const std::size_t len1 = Np >> k1;
            second.push_back({n2, len1 >> k2, std::size_t{1} << k2, k1 + k2, ctx.psi2(n2, k1), {}, {}, {}, channel2++});
            wavelet(second.back(), first.back().u_hat.data(), len1);
            parent.push_back(n1);
        }
    }
    // Backward sweep over what was kept.
    w.zero(grad_u0_hat.data(), Np);
    average_adjoint(0, Np, 0, grad_u0_hat.data());
    for (std::size_t i = second.size(); i-- > 0;) {
        node& p = first[parent[i]];
        wavelet_adjoint(second[i], p.len, p.grad_u_hat.data());
    }
    for (auto& a : first) wavelet_adjoint(a, Np, grad_u0_hat.data());
    w.rfft_adjoint(grad_u0_hat.data(), x_pad.data(), 1, Np);
    std::vector<Real> gx(static_cast<std::size_t>(g.N));
    w.pad_adjoint(x_pad.data(), 1, static_cast<std::size_t>(g.N), static_cast<std::size_t>(g.pad_left), Np, gx.data());
    return gx;
}

}  // namespace

int main(int argc, char** argv) try {
    if (argc != 3 || (std::string(argv[1]) != "lean" && std::string(argv[1]) != "tape"))
        throw std::invalid_argument("usage: wst-memory lean|tape CONFIGURATION");
    const bool tape = std::string(argv[1]) == "tape";
    const auto& c = bench::find(argv[2]);
    const wst::Scattering1D<fftw, Real> S(c.params());
    const auto x = bench::noise<Real>(1, c.N, 1);
    const auto target = S.scattering(bench::noise<Real>(1, c.N, 2));
    std::unique_ptr<fftw::context<Real>> ctx;
    if (tape) {
        auto compact_all = [](const wst::filter& f) {
            std::vector<wst::compact_level> levels;
            for (const auto& l : f.levels) levels.push_back(wst::compact(l));
            return levels;
        };
        std::vector<std::vector<wst::compact_level>> psi1, psi2;
        for (const auto& f : S.filters().psi1) psi1.push_back(compact_all(f));
        for (const auto& f : S.filters().psi2) psi2.push_back(compact_all(f));
        ctx = std::make_unique<fftw::context<Real>>(psi1, psi2, compact_all(S.filters().phi),
                                                    static_cast<std::size_t>(S.N_padded()));
    }

    reset_peak();
    const double before = rss_mib().first;
    if (!tape) {  // the forward pass alone
        const auto Sx = S.scattering(x);
        std::cout << "forward " << c.name << " (one signal of " << c.N << " samples, float): peak "
                  << rss_mib().second << " MiB, extra " << rss_mib().second - before << " MiB\n";
        reset_peak();
    }
    std::vector<Real> gx;
    if (tape) {
        gx = tape_gradient(S, *ctx, x.data(), target.data());
    } else {
        const auto r = S.loss_gradient(x, target, wst::loss::sum_squares);
        gx.assign(r.gradient.data(), r.gradient.data() + r.gradient.size());
    }
    const double peak = rss_mib().second;
    const auto check = S.loss_gradient(x, target, wst::loss::sum_squares).gradient;
    double diff = 0, scale = 0;
    for (std::size_t i = 0; i < gx.size(); ++i) {
        diff = std::max(diff, static_cast<double>(std::abs(gx[i] - check.data()[i])));
        scale = std::max(scale, static_cast<double>(std::abs(check.data()[i])));
    }
    std::cout << argv[1] << " " << c.name << " (one signal, float): resident " << before << " MiB before, peak "
              << peak << " MiB, extra " << peak - before << " MiB; gradient vs wst's: max diff "
              << diff / scale << " of max\n";
    return diff <= 1e-5 * scale ? 0 : 1;
} catch (const std::exception& e) {
    std::cerr << "wst-memory: " << e.what() << '\n';
    return 1;
}
