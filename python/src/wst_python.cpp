// The compiled half of the Python package wst (wst._wst): Scattering1D on
// the CPU backend in float64 and float32, on C-contiguous NumPy arrays of
// shape (B, N). python/wst/scattering1d.py is the frontend that checks the
// arguments as Kymatio does and shapes the batch; this file only carries
// arrays across, without a copy of the input, and releases the GIL while a
// transform runs (a const transform may be called from many threads).
#include <wst/backend/fftw.hpp>
#include <wst/reconstruct.hpp>
#include <wst/scattering1d.hpp>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <variant>

namespace py = pybind11;

namespace {

template <class Real>
using array = py::array_t<Real, py::array::c_style>;

// A (B, N) C-contiguous array of Real, refused otherwise (the frontend
// converts before calling).
template <class Real>
void require_rows(const array<Real>& x, const char* name) {
    if (x.ndim() != 2) throw py::value_error(std::string(name) + " must have shape (B, N)");
}

// A (B, C, N_out) array as the C++ transform takes it (a copy: the
// coefficients are few beside the signals).
template <class Real>
wst::scattering_array<Real> coefficients(const array<Real>& a, const char* name) {
    if (a.ndim() != 3) throw py::value_error(std::string(name) + " must have shape (B, C, N_out)");
    wst::scattering_array<Real> out(static_cast<std::size_t>(a.shape(0)), static_cast<std::size_t>(a.shape(1)),
                                    static_cast<std::size_t>(a.shape(2)));
    std::memcpy(out.data(), a.data(), out.size() * sizeof(Real));
    return out;
}

// A name among choices, or Kymatio-style ValueError naming what is allowed.
template <class E>
E choose(const std::string& parameter, const std::string& value, const std::map<std::string, E>& choices) {
    const auto it = choices.find(value);
    if (it != choices.end()) return it->second;
    std::string allowed;
    for (const auto& [name, e] : choices) allowed += (allowed.empty() ? "'" : ", '") + name + "'";
    throw py::value_error(parameter + " must be one of " + allowed + ". Got: " + value);
}

wst::loss loss_kind(const std::string& name) {
    return choose<wst::loss>("loss", name, {{"norm", wst::loss::norm}, {"mse", wst::loss::mse},
                                            {"sum_squares", wst::loss::sum_squares}, {"l1", wst::loss::l1}});
}

py::dict progress(const wst::reconstruction_progress& p) {
    py::dict d;
    d["signal"] = p.signal;
    d["iteration"] = p.iteration;
    d["evaluations"] = p.evaluations;
    d["loss"] = p.loss;
    d["relative_error"] = p.relative_error;
    d["relative_error_by_order"] = p.relative_error_by_order;
    d["step"] = p.step;
    d["elapsed_seconds"] = p.elapsed_seconds;
    return d;
}

template <class Real>
class scattering1d {
public:
    using transform = wst::Scattering1D<wst::backend::fftw, Real>;

    // T: None (2^J), an integer, or "global"; stride: None or an integer.
    scattering1d(int J, long long shape, int q1, int q2, const std::variant<std::monostate, long long, std::string>& T,
                 std::optional<long long> stride, int max_order, const std::string& out_type, int threads)
        : S_(params(J, shape, q1, q2, T, stride, max_order, out_type), wst::execution{.threads = threads}) {}

    // (B, C, N_out)
    array<Real> scattering(const array<Real>& x) const {
        require_rows(x, "x");
        const auto B = static_cast<std::size_t>(x.shape(0)), N = static_cast<std::size_t>(x.shape(1));
        wst::scattering_array<Real> out;
        {
            py::gil_scoped_release unlocked;
            out = S_.scattering(x.data(), B, N);
        }
        array<Real> result({out.batch(), out.channels(), out.length()});
        std::copy(out.data(), out.data() + out.size(), result.mutable_data());
        return result;
    }

    // [(key, order, j, coef (B, length))] in Kymatio's order.
    py::list scattering_list(const array<Real>& x) const {
        require_rows(x, "x");
        const auto B = static_cast<std::size_t>(x.shape(0)), N = static_cast<std::size_t>(x.shape(1));
        std::vector<wst::scattering_path<Real>> paths;
        {
            py::gil_scoped_release unlocked;
            paths = S_.scattering_list(x.data(), B, N);
        }
        py::list out;
        for (const auto& p : paths) {
            array<Real> coef({static_cast<std::size_t>(p.coef.rows()), static_cast<std::size_t>(p.coef.cols())});
            std::copy(p.coef.data(), p.coef.data() + p.coef.size(), coef.mutable_data());
            out.append(py::make_tuple(p.key, p.order, p.j, coef));
        }
        return out;
    }

    // The gradient of sum(S(x) * g) with respect to x, (B, N).
    array<Real> backward(const array<Real>& x, const array<Real>& g) const {
        require_rows(x, "x");
        if (g.ndim() != 3) throw py::value_error("g must have shape (B, C, N_out)");
        const auto B = static_cast<std::size_t>(x.shape(0)), N = static_cast<std::size_t>(x.shape(1));
        wst::scattering_array<Real> cotangent(static_cast<std::size_t>(g.shape(0)), static_cast<std::size_t>(g.shape(1)),
                                              static_cast<std::size_t>(g.shape(2)));
        std::memcpy(cotangent.data(), g.data(), cotangent.size() * sizeof(Real));
        array<Real> grad({B, N});
        {
            py::gil_scoped_release unlocked;
            S_.backward(x.data(), B, N, cotangent, grad.mutable_data());
        }
        return grad;
    }

    // (loss per signal, its gradient (B, N), ||S_m(y) - S*_m||^2 per signal
    // and order) of the fused loss against target (B or 1, C, N_out).
    py::tuple loss_gradient(const array<Real>& y, const array<Real>& target, const std::string& loss,
                            const std::array<double, 3>& weights) const {
        require_rows(y, "y");
        const auto B = static_cast<Eigen::Index>(y.shape(0)), N = static_cast<Eigen::Index>(y.shape(1));
        const wst::scattering_array<Real> t = coefficients(target, "target");
        const wst::loss kind = loss_kind(loss);
        wst::loss_and_gradient<Real> r;
        {
            py::gil_scoped_release unlocked;
            r = S_.loss_gradient(Eigen::Map<const wst::signal_array<Real>>(y.data(), B, N), t, kind, weights);
        }
        array<Real> grad({static_cast<std::size_t>(B), static_cast<std::size_t>(N)});
        std::copy(r.gradient.data(), r.gradient.data() + r.gradient.size(), grad.mutable_data());
        return py::make_tuple(r.loss, grad, r.squared_error_by_order);
    }

    // wst::reconstruct from target (B, C, N_out): one dict per signal.
    // callback(progress dict) after every iteration, on the reconstruction's
    // threads with the GIL held; a False return stops that signal's problem
    // (None goes on).
    py::list reconstruct(const array<Real>& target, const std::string& optimizer, const std::string& init,
                         const std::string& loss, const std::array<double, 3>& weights, int max_evaluations,
                         int max_iterations, double target_error, double max_seconds, std::optional<double> learning_rate,
                         unsigned seed, std::optional<array<Real>> initial, std::optional<py::function> callback) const {
        wst::reconstruction_options o;
        o.optimizer = choose<wst::optimizer>("optimizer", optimizer,
                                             {{"lbfgs", wst::optimizer::lbfgs}, {"bold_driver", wst::optimizer::bold_driver},
                                              {"momentum", wst::optimizer::momentum}, {"sgd", wst::optimizer::sgd},
                                              {"adam", wst::optimizer::adam}});
        if (learning_rate) o.learning_rate = *learning_rate;
        else if (o.optimizer != wst::optimizer::lbfgs) o.learning_rate = wst::optimizer_options{}.learning_rate;
        o.init = initial ? wst::initialization::given
                         : choose<wst::initialization>("init", init,
                                                       {{"phase_gradient", wst::initialization::phase_gradient},
                                                        {"noise", wst::initialization::noise},
                                                        {"envelope", wst::initialization::envelope}});
        o.loss = loss_kind(loss);
        o.weights = weights;
        o.max_evaluations = max_evaluations;
        o.max_iterations = max_iterations;
        o.target_error = target_error;
        o.max_seconds = max_seconds;
        o.seed = seed;
        // An exception from the callback stops its problem and is raised
        // once the reconstruction has ended.
        std::exception_ptr raised;
        if (callback)
            o.on_iteration = [&callback, &raised](const wst::reconstruction_progress& p) {
                py::gil_scoped_acquire locked;
                if (raised) return false;
                try {
                    const py::object keep_going = (*callback)(progress(p));
                    return keep_going.is_none() || keep_going.cast<bool>();
                } catch (...) {
                    raised = std::current_exception();
                    return false;
                }
            };
        const wst::scattering_array<Real> t = coefficients(target, "target");
        wst::signal_array<Real> start;
        if (initial) {
            if (initial->ndim() != 2) throw py::value_error("initial must have shape (B, N) or (1, N)");
            start = Eigen::Map<const wst::signal_array<Real>>(initial->data(), initial->shape(0), initial->shape(1));
        }
        std::vector<wst::reconstruction_result<Real>> results;
        {
            py::gil_scoped_release unlocked;
            results = wst::reconstruct(S_, t, o, start);
        }
        if (raised) std::rethrow_exception(raised);
        py::list out;
        for (const auto& r : results) {
            py::dict d;
            array<Real> signal(static_cast<std::size_t>(r.signal.size()));
            std::copy(r.signal.data(), r.signal.data() + r.signal.size(), signal.mutable_data());
            d["signal"] = signal;
            d["stop_reason"] = r.stop_reason;
            d["final"] = progress(r.final);
            py::list history;
            for (const auto& h : r.history) history.append(progress(h));
            d["history"] = history;
            out.append(d);
        }
        return out;
    }

    // Kymatio's meta() fields: order, key, and the (C, max_order) arrays.
    py::dict meta() const {
        const wst::scattering_meta m = S_.meta();
        py::dict d;
        d["order"] = m.order;
        d["key"] = m.key;
        auto matrix = [](const Eigen::ArrayXXd& a) {
            py::array_t<double> out({static_cast<std::size_t>(a.rows()), static_cast<std::size_t>(a.cols())});
            for (Eigen::Index r = 0; r < a.rows(); ++r)
                for (Eigen::Index c = 0; c < a.cols(); ++c) out.mutable_at(r, c) = a(r, c);
            return out;
        };
        d["xi"] = matrix(m.xi);
        d["sigma"] = matrix(m.sigma);
        d["j"] = matrix(m.j);
        d["n"] = matrix(m.n);
        return d;
    }

    const transform& get() const { return S_; }

private:
    static wst::scattering1d_params params(int J, long long shape, int q1, int q2,
                                           const std::variant<std::monostate, long long, std::string>& T,
                                           std::optional<long long> stride, int max_order, const std::string& out_type) {
        wst::scattering1d_params p{.J = J, .shape = shape, .Q = {q1, q2}, .T = {}, .stride = stride, .max_order = max_order};
        if (const auto* t = std::get_if<long long>(&T)) p.T = *t;
        if (const auto* s = std::get_if<std::string>(&T)) {
            if (*s != "global") throw py::value_error("T must be None, an integer or 'global'");
            p.T = wst::global;
        }
        p.out_type = out_type == "list" ? wst::out_type::list : wst::out_type::array;
        return p;
    }

    transform S_;
};

template <class Real>
void bind(py::module_& m, const char* name) {
    using S = scattering1d<Real>;
    py::class_<S>(m, name)
        .def(py::init<int, long long, int, int, const std::variant<std::monostate, long long, std::string>&,
                      std::optional<long long>, int, const std::string&, int>(),
             py::arg("J"), py::arg("shape"), py::arg("q1"), py::arg("q2"), py::arg("T"), py::arg("stride"),
             py::arg("max_order"), py::arg("out_type"), py::arg("threads"))
        .def("scattering", &S::scattering, py::arg("x").noconvert())
        .def("scattering_list", &S::scattering_list, py::arg("x").noconvert())
        .def("backward", &S::backward, py::arg("x").noconvert(), py::arg("g").noconvert())
        .def("loss_gradient", &S::loss_gradient, py::arg("y").noconvert(), py::arg("target").noconvert(),
             py::arg("loss"), py::arg("weights"))
        .def("reconstruct", &S::reconstruct, py::arg("target").noconvert(), py::arg("optimizer"), py::arg("init"),
             py::arg("loss"), py::arg("weights"), py::arg("max_evaluations"), py::arg("max_iterations"),
             py::arg("target_error"), py::arg("max_seconds"), py::arg("learning_rate"), py::arg("seed"),
             py::arg("initial"), py::arg("callback"))
        .def("meta", &S::meta)
        .def_property_readonly("N_padded", [](const S& s) { return s.get().N_padded(); })
        .def_property_readonly("pad_left", [](const S& s) { return s.get().pad_left(); })
        .def_property_readonly("pad_right", [](const S& s) { return s.get().pad_right(); })
        .def_property_readonly("ind_start", [](const S& s) { return s.get().ind_start(); })
        .def_property_readonly("ind_end", [](const S& s) { return s.get().ind_end(); })
        .def_property_readonly("T", [](const S& s) { return s.get().T(); })
        .def_property_readonly("log2_T", [](const S& s) { return s.get().log2_T(); })
        .def_property_readonly("log2_stride", [](const S& s) { return s.get().log2_stride(); })
        .def_property_readonly("output_length", [](const S& s) { return s.get().output_length(); })
        .def_property_readonly("warnings", [](const S& s) {
            py::list out;
            for (const auto& w : s.get().warnings()) out.append(py::make_tuple(w.code, w.message));
            return out;
        });
}

}  // namespace

PYBIND11_MODULE(_wst, m) {
    m.doc() = "wst's compiled transforms; use the wst package's frontends";
    bind<double>(m, "Scattering1D_f64");
    bind<float>(m, "Scattering1D_f32");
}
