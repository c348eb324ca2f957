"""wst.Scattering1D(..., frontend=...): the frontend's object, as Kymatio's
entry classes (kymatio/frontend/entry.py) make it: 'numpy' (the default),
'torch' (a torch.nn.Module) or 'sklearn' (a scikit-learn transformer).
torch and scikit-learn are imported only when asked for."""

FRONTENDS = ('numpy', 'torch', 'sklearn')


def _frontend_class(frontend, numpy, torch, sklearn):
    """The class of a frontend: (module, class name) per frontend."""
    frontend = frontend.lower()
    if frontend not in FRONTENDS:
        # Kymatio's message, its stray double quote included.
        raise RuntimeError("The frontend '{}\" is not valid. Must be one of '{}', or '{}'.".format(
            frontend, "', '".join(FRONTENDS[:-1]), FRONTENDS[-1]))
    import importlib
    module, name = {'numpy': numpy, 'torch': torch, 'sklearn': sklearn}[frontend]
    return getattr(importlib.import_module(module, __package__), name)


class Scattering1D:
    def __new__(cls, *args, frontend='numpy', **kwargs):
        return _frontend_class(frontend, ('.scattering1d', 'ScatteringNumPy1D'), ('.torch_frontend', 'ScatteringTorch1D'),
                               ('.sklearn_frontend', 'ScatteringTransformer1D'))(*args, **kwargs)


class TimeFrequencyScattering:
    def __new__(cls, *args, frontend='numpy', **kwargs):
        return _frontend_class(frontend, ('.jtfs', 'TimeFrequencyScatteringNumPy'),
                               ('.torch_frontend', 'TimeFrequencyScatteringTorch'),
                               ('.sklearn_frontend', 'TimeFrequencyScatteringTransformer'))(*args, **kwargs)
