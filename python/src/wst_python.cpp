// The compiled half of the Python package wst (wst._wst): Scattering1D and
// TimeFrequencyScattering on the CPU backend in float64 and float32, on
// C-contiguous NumPy arrays of shape (B, N); with WST_PYTHON_CUDA, the same
// on the CUDA backend (cuda_transforms.hpp), on NumPy arrays and on device
// pointers (torch's CUDA tensors). python/wst/scattering1d.py and
// jtfs.py are the frontends that check the arguments as Kymatio does and
// shape the batch; this file only carries
// arrays across, without a copy of the input, and releases the GIL while a
// transform runs (a const transform may be called from many threads).
#include <wst/backend/fftw.hpp>
#include <wst/reconstruct.hpp>
#include <wst/scattering1d.hpp>
#include <wst/time_frequency_scattering.hpp>

#ifdef WST_PYTHON_CUDA
#include "cuda_transforms.hpp"
#endif

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
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

// T or F: None (the default), an integer, or "global".
using averaging_arg = std::variant<std::monostate, long long, std::string>;

wst::averaging averaging_of(const averaging_arg& a, const char* name) {
    if (const auto* t = std::get_if<long long>(&a)) return *t;
    if (const auto* s = std::get_if<std::string>(&a)) {
        if (*s != "global") throw py::value_error(std::string(name) + " must be None, an integer or 'global'");
        return wst::global;
    }
    return {};
}

wst::out_type out_type_of(const std::string& name) { return name == "list" ? wst::out_type::list : wst::out_type::array; }

// The parameters of both transforms from the frontends' arguments (the CPU
// and CUDA engines take the same).
wst::scattering1d_params scattering1d_params_of(int J, long long shape, int q1, int q2, const averaging_arg& T,
                                                std::optional<long long> stride, int max_order, const std::string& out_type) {
    return {.J = J, .shape = shape, .Q = {q1, q2}, .T = averaging_of(T, "T"), .stride = stride, .max_order = max_order,
            .out_type = out_type_of(out_type)};
}
wst::jtfs_params jtfs_params_of(int J, int J_fr, int q1, int q2, long long shape, const averaging_arg& T,
                                std::optional<long long> stride, int Q_fr, const averaging_arg& F,
                                std::optional<long long> stride_fr, const std::string& out_type, const std::string& format) {
    return {.J = J, .J_fr = J_fr, .Q = {q1, q2}, .shape = shape, .T = averaging_of(T, "T"), .stride = stride,
            .Q_fr = Q_fr, .F = averaging_of(F, "F"), .stride_fr = stride_fr, .out_type = out_type_of(out_type),
            .format = format == "joint" ? wst::jtfs_format::joint : wst::jtfs_format::time};
}

// (C, M) of a meta array as NumPy's.
py::array_t<double> matrix(const Eigen::ArrayXXd& a) {
    py::array_t<double> out({static_cast<std::size_t>(a.rows()), static_cast<std::size_t>(a.cols())});
    for (Eigen::Index r = 0; r < a.rows(); ++r)
        for (Eigen::Index c = 0; c < a.cols(); ++c) out.mutable_at(r, c) = a(r, c);
    return out;
}

template <class Real>
array<Real> to_numpy(const wst::scattering_array<Real>& a) {
    array<Real> out({a.batch(), a.channels(), a.length()});
    std::copy(a.data(), a.data() + a.size(), out.mutable_data());
    return out;
}

template <class Real>
array<Real> rows_of(const wst::signal_array<Real>& a) {
    array<Real> out({static_cast<std::size_t>(a.rows()), static_cast<std::size_t>(a.cols())});
    std::copy(a.data(), a.data() + a.size(), out.mutable_data());
    return out;
}

// The array output (B, rows, N_out) of x (B, N) and the gradient of
// sum(S(x) * g), (B, N), of a transform with the C++ frontends' pointer
// calls (either backend), the GIL released while it runs.
template <class Transform, class Real>
array<Real> scattering_of(const Transform& S, const array<Real>& x) {
    require_rows(x, "x");
    wst::scattering_array<Real> out;
    {
        py::gil_scoped_release unlocked;
        out = S.scattering(x.data(), static_cast<std::size_t>(x.shape(0)), static_cast<std::size_t>(x.shape(1)));
    }
    return to_numpy(out);
}
template <class Transform, class Real>
array<Real> backward_of(const Transform& S, const array<Real>& x, const array<Real>& g) {
    require_rows(x, "x");
    const auto B = static_cast<std::size_t>(x.shape(0)), N = static_cast<std::size_t>(x.shape(1));
    const wst::scattering_array<Real> cotangent = coefficients(g, "g");
    array<Real> grad({B, N});
    {
        py::gil_scoped_release unlocked;
        S.backward(x.data(), B, N, cotangent, grad.mutable_data());
    }
    return grad;
}

// What both transforms offer, the same way: the array output (B, rows,
// N_out), its gradient, the fused loss and the reconstruction.
template <class Transform>
class bound {
public:
    using Real = typename Transform::real_type;

    template <class Params>
    bound(const Params& p, int threads) : S_(p, wst::execution{.threads = threads}) {}

    const Transform& get() const { return S_; }

    array<Real> scattering(const array<Real>& x) const { return scattering_of(S_, x); }
    // The gradient of sum(S(x) * g) with respect to x, (B, N); g (B, rows, N_out).
    array<Real> backward(const array<Real>& x, const array<Real>& g) const { return backward_of(S_, x, g); }

    // (loss per signal, its gradient (B, N), ||S_m(y) - S*_m||^2 per signal
    // and order) of the fused loss against target (B or 1, rows, N_out).
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
        return py::make_tuple(r.loss, rows_of(r.gradient), r.squared_error_by_order);
    }

    // wst::reconstruct from target (B, rows, N_out): one dict per signal.
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

private:
    Transform S_;
};

template <class Real>
using scattering1d = bound<wst::Scattering1D<wst::backend::fftw, Real>>;
template <class Real>
using jtfs = bound<wst::TimeFrequencyScattering<wst::backend::fftw, Real>>;

// Scattering1D's list output: [(key, order, j, coef (B, length))] in Kymatio's order.
template <class Real>
py::list scattering_list(const scattering1d<Real>& S, const array<Real>& x) {
    require_rows(x, "x");
    std::vector<wst::scattering_path<Real>> paths;
    {
        py::gil_scoped_release unlocked;
        paths = S.get().scattering_list(x.data(), static_cast<std::size_t>(x.shape(0)), static_cast<std::size_t>(x.shape(1)));
    }
    py::list out;
    for (const auto& p : paths) out.append(py::make_tuple(p.key, p.order, p.j, rows_of(p.coef)));
    return out;
}

// JTFS's list output: one dict of Kymatio's fields per entry, coef (B, rows, N_out).
template <class Real>
py::list jtfs_list(const jtfs<Real>& S, const array<Real>& x) {
    require_rows(x, "x");
    std::vector<wst::jtfs_path_output<Real>> entries;
    {
        py::gil_scoped_release unlocked;
        entries = S.get().scattering_list(x.data(), static_cast<std::size_t>(x.shape(0)), static_cast<std::size_t>(x.shape(1)));
    }
    py::list out;
    for (const auto& e : entries) {
        py::dict d;
        d["n"] = e.n;
        d["j"] = e.j;
        d["order"] = e.order;
        d["n_fr"] = e.n_fr;
        d["j_fr"] = e.j_fr;
        d["spin"] = e.spin;
        d["n1_max"] = e.n1_max;
        d["n1_stride"] = e.n1_stride;
        d["coef"] = to_numpy(e.coef);
        out.append(d);
    }
    return out;
}

// The gradient of the sum over the list output's entries of <S_e(x), g_e>,
// g a list of one cotangent per entry: (B, length) for Scattering1D,
// (B, rows, N_out) for JTFS.
template <class Real>
array<Real> backward_list(const scattering1d<Real>& S, const array<Real>& x, const std::vector<array<Real>>& g) {
    require_rows(x, "x");
    std::vector<wst::scattering_path<Real>> paths;
    for (const auto& e : g) {
        if (e.ndim() != 2) throw py::value_error("each entry of g must have shape (B, length)");
        paths.push_back({{}, 0, {}, Eigen::Map<const wst::signal_array<Real>>(e.data(), e.shape(0), e.shape(1))});
    }
    wst::signal_array<Real> grad;
    {
        py::gil_scoped_release unlocked;
        grad = S.get().backward(Eigen::Map<const wst::signal_array<Real>>(x.data(), x.shape(0), x.shape(1)), paths);
    }
    return rows_of(grad);
}
template <class Real>
array<Real> backward_list(const jtfs<Real>& S, const array<Real>& x, const std::vector<array<Real>>& g) {
    require_rows(x, "x");
    std::vector<wst::jtfs_path_output<Real>> entries;
    for (const auto& e : g) entries.push_back({{}, coefficients(e, "each entry of g")});
    const auto B = static_cast<std::size_t>(x.shape(0)), N = static_cast<std::size_t>(x.shape(1));
    array<Real> grad({B, N});
    {
        py::gil_scoped_release unlocked;
        S.get().backward(x.data(), B, N, entries, grad.mutable_data());
    }
    return grad;
}

// Kymatio's meta() fields of both transforms: order, key, and the (rows,
// max_order) arrays n, xi, sigma and j; JTFS's frequential fields besides.
template <class Meta>
py::dict time_meta(const Meta& m) {
    py::dict d;
    d["order"] = m.order;
    d["key"] = m.key;
    d["n"] = matrix(m.n);
    d["xi"] = matrix(m.xi);
    d["sigma"] = matrix(m.sigma);
    d["j"] = matrix(m.j);
    return d;
}
template <class Real>
py::dict meta(const scattering1d<Real>& S) {
    return time_meta(S.get().meta());
}
template <class Real>
py::dict meta(const jtfs<Real>& S) {
    const wst::jtfs_meta m = S.get().meta();
    py::dict d = time_meta(m);
    for (const auto& [name, a] : {std::pair{"n_fr", &m.n_fr}, {"xi_fr", &m.xi_fr}, {"sigma_fr", &m.sigma_fr},
                                  {"j_fr", &m.j_fr}, {"spin", &m.spin}})
        d[name] = py::array_t<double>(static_cast<std::size_t>(a->size()), a->data());
    return d;
}

template <class Bound, class... Init>
py::class_<Bound> bind_common(py::module_& m, const char* name, Init&&... init) {
    py::class_<Bound> c(m, name);
    c.def(std::forward<Init>(init)...)
        .def("scattering", &Bound::scattering, py::arg("x").noconvert())
        .def("backward", &Bound::backward, py::arg("x").noconvert(), py::arg("g").noconvert())
        .def("loss_gradient", &Bound::loss_gradient, py::arg("y").noconvert(), py::arg("target").noconvert(),
             py::arg("loss"), py::arg("weights"))
        .def("reconstruct", &Bound::reconstruct, py::arg("target").noconvert(), py::arg("optimizer"), py::arg("init"),
             py::arg("loss"), py::arg("weights"), py::arg("max_evaluations"), py::arg("max_iterations"),
             py::arg("target_error"), py::arg("max_seconds"), py::arg("learning_rate"), py::arg("seed"),
             py::arg("initial"), py::arg("callback"))
        .def("meta", [](const Bound& S) { return meta(S); })
        .def("backward_list", [](const Bound& S, const array<typename Bound::Real>& x,
                                 const std::vector<array<typename Bound::Real>>& g) { return backward_list(S, x, g); },
             py::arg("x").noconvert(), py::arg("g"))
        .def_property_readonly("N_padded", [](const Bound& S) { return S.get().N_padded(); })
        .def_property_readonly("T", [](const Bound& S) { return S.get().T(); })
        .def_property_readonly("log2_stride", [](const Bound& S) { return S.get().log2_stride(); })
        .def_property_readonly("output_length", [](const Bound& S) { return S.get().output_length(); });
    return c;
}

template <class Real>
void bind_scattering1d(py::module_& m, const char* name) {
    using S = scattering1d<Real>;
    bind_common<S>(m, name,
                   py::init([](int J, long long shape, int q1, int q2, const averaging_arg& T, std::optional<long long> stride,
                               int max_order, const std::string& out_type, int threads) {
                       return std::make_unique<S>(scattering1d_params_of(J, shape, q1, q2, T, stride, max_order, out_type),
                                                  threads);
                   }),
                   py::arg("J"), py::arg("shape"), py::arg("q1"), py::arg("q2"), py::arg("T"), py::arg("stride"),
                   py::arg("max_order"), py::arg("out_type"), py::arg("threads"))
        .def("scattering_list", &scattering_list<Real>, py::arg("x").noconvert())
        .def("filters", [](const S& s) {
            // Kymatio's phi_f, psi1_f, psi2_f: dicts of xi, sigma, j and levels (every level in full).
            auto dict_of = [](const wst::filter& f) {
                py::dict d;
                d["xi"] = f.xi;
                d["sigma"] = f.sigma;
                d["j"] = f.j;
                py::list levels;
                for (const auto& l : f.levels) levels.append(py::array_t<double>(l.size(), l.data()));
                d["levels"] = levels;
                return d;
            };
            const wst::filter_bank& bank = s.get().filters();
            py::list psi1, psi2;
            for (const auto& f : bank.psi1) psi1.append(dict_of(f));
            for (const auto& f : bank.psi2) psi2.append(dict_of(f));
            return py::make_tuple(dict_of(bank.phi), psi1, psi2);
        })
        .def_property_readonly("pad_left", [](const S& s) { return s.get().pad_left(); })
        .def_property_readonly("pad_right", [](const S& s) { return s.get().pad_right(); })
        .def_property_readonly("ind_start", [](const S& s) { return s.get().ind_start(); })
        .def_property_readonly("ind_end", [](const S& s) { return s.get().ind_end(); })
        .def_property_readonly("log2_T", [](const S& s) { return s.get().log2_T(); })
        .def_property_readonly("warnings", [](const S& s) {
            py::list out;
            for (const auto& w : s.get().warnings()) out.append(py::make_tuple(w.code, w.message));
            return out;
        });
}

template <class Real>
void bind_jtfs(py::module_& m, const char* name) {
    using S = jtfs<Real>;
    bind_common<S>(m, name,
                   py::init([](int J, int J_fr, int q1, int q2, long long shape, const averaging_arg& T,
                               std::optional<long long> stride, int Q_fr, const averaging_arg& F,
                               std::optional<long long> stride_fr, const std::string& out_type, const std::string& format,
                               int threads) {
                       return std::make_unique<S>(
                           jtfs_params_of(J, J_fr, q1, q2, shape, T, stride, Q_fr, F, stride_fr, out_type, format), threads);
                   }),
                   py::arg("J"), py::arg("J_fr"), py::arg("q1"), py::arg("q2"), py::arg("shape"), py::arg("T"),
                   py::arg("stride"), py::arg("Q_fr"), py::arg("F"), py::arg("stride_fr"), py::arg("out_type"),
                   py::arg("format"), py::arg("threads"))
        .def("scattering_list", &jtfs_list<Real>, py::arg("x").noconvert())
        .def_property_readonly("output_shape", [](const S& s) { return s.get().output_shape(); })
        .def_property_readonly("list_keys", [](const S& s) {
            py::list out;  // each list entry's n, in the list output's order
            for (const auto& k : s.get().list_keys()) out.append(py::tuple(py::cast(k.n)));
            return out;
        })
        .def_property_readonly("F", [](const S& s) { return s.get().F(); })
        .def_property_readonly("N_padded_fr", [](const S& s) { return s.get().N_padded_fr(); })
        .def_property_readonly("log2_stride_fr", [](const S& s) { return s.get().log2_stride_fr(); });
}

#ifdef WST_PYTHON_CUDA
// A transform on the CUDA backend, made for one device: scattering and
// backward on NumPy arrays (staged by the C++ frontend) and on device
// pointers given as integers (tensor.data_ptr()), the GIL released.
template <class Params, class Real>
class bound_cuda {
public:
    using transform = wst_python::cuda::transform<Params, Real>;
    bound_cuda(const Params& p, int device, int threads) : S_(p, device, threads) {}
    const transform& get() const { return S_; }

    array<Real> scattering(const array<Real>& x) const { return scattering_of(S_, x); }
    array<Real> backward(const array<Real>& x, const array<Real>& g) const { return backward_of(S_, x, g); }
    void scattering_on_device(std::uintptr_t x, std::size_t B, std::size_t N, std::uintptr_t out) const {
        py::gil_scoped_release unlocked;
        S_.scattering_on_device(reinterpret_cast<const Real*>(x), B, N, reinterpret_cast<Real*>(out));
    }
    void backward_on_device(std::uintptr_t x, std::size_t B, std::size_t N, std::uintptr_t g, std::uintptr_t grad) const {
        py::gil_scoped_release unlocked;
        S_.backward_on_device(reinterpret_cast<const Real*>(x), B, N, reinterpret_cast<const Real*>(g),
                              reinterpret_cast<Real*>(grad));
    }

private:
    transform S_;
};

template <class Bound>
py::class_<Bound> bind_cuda_common(py::module_& m, const char* name) {
    py::class_<Bound> c(m, name);
    c.def("scattering", &Bound::scattering, py::arg("x").noconvert())
        .def("backward", &Bound::backward, py::arg("x").noconvert(), py::arg("g").noconvert())
        .def("scattering_on_device", &Bound::scattering_on_device, py::arg("x"), py::arg("B"), py::arg("N"), py::arg("out"))
        .def("backward_on_device", &Bound::backward_on_device, py::arg("x"), py::arg("B"), py::arg("N"), py::arg("g"),
             py::arg("grad"))
        .def_property_readonly("output_size", [](const Bound& S) { return S.get().output_size(); })
        .def_property_readonly("output_length", [](const Bound& S) { return S.get().output_length(); });
    return c;
}

template <class Real>
void bind_scattering1d_cuda(py::module_& m, const char* name) {
    using S = bound_cuda<wst::scattering1d_params, Real>;
    bind_cuda_common<S>(m, name).def(
        py::init([](int J, long long shape, int q1, int q2, const averaging_arg& T, std::optional<long long> stride,
                    int max_order, const std::string& out_type, int threads, int device) {
            return std::make_unique<S>(scattering1d_params_of(J, shape, q1, q2, T, stride, max_order, out_type), device,
                                       threads);
        }),
        py::arg("J"), py::arg("shape"), py::arg("q1"), py::arg("q2"), py::arg("T"), py::arg("stride"), py::arg("max_order"),
        py::arg("out_type"), py::arg("threads"), py::arg("device"));
}

template <class Real>
void bind_jtfs_cuda(py::module_& m, const char* name) {
    using S = bound_cuda<wst::jtfs_params, Real>;
    bind_cuda_common<S>(m, name).def(
        py::init([](int J, int J_fr, int q1, int q2, long long shape, const averaging_arg& T, std::optional<long long> stride,
                    int Q_fr, const averaging_arg& F, std::optional<long long> stride_fr, const std::string& out_type,
                    const std::string& format, int threads, int device) {
            return std::make_unique<S>(
                jtfs_params_of(J, J_fr, q1, q2, shape, T, stride, Q_fr, F, stride_fr, out_type, format), device, threads);
        }),
        py::arg("J"), py::arg("J_fr"), py::arg("q1"), py::arg("q2"), py::arg("shape"), py::arg("T"), py::arg("stride"),
        py::arg("Q_fr"), py::arg("F"), py::arg("stride_fr"), py::arg("out_type"), py::arg("format"), py::arg("threads"),
        py::arg("device"));
}
#endif

}  // namespace

PYBIND11_MODULE(_wst, m) {
    m.doc() = "wst's compiled transforms; use the wst package's frontends";
    bind_scattering1d<double>(m, "Scattering1D_f64");
    bind_scattering1d<float>(m, "Scattering1D_f32");
    bind_jtfs<double>(m, "TimeFrequencyScattering_f64");
    bind_jtfs<float>(m, "TimeFrequencyScattering_f32");
#ifdef WST_PYTHON_CUDA
    m.attr("has_cuda") = true;
    m.def("cuda_unavailable", &wst_python::cuda::unavailable,
          "Why no CUDA device can be used here; empty when one can");
    bind_scattering1d_cuda<double>(m, "Scattering1D_cuda_f64");
    bind_scattering1d_cuda<float>(m, "Scattering1D_cuda_f32");
    bind_jtfs_cuda<double>(m, "TimeFrequencyScattering_cuda_f64");
    bind_jtfs_cuda<float>(m, "TimeFrequencyScattering_cuda_f32");
#else
    m.attr("has_cuda") = false;
#endif
}
