"""wst.Scattering1D(..., frontend=...): the frontend's object, as Kymatio's
entry classes (kymatio/frontend/entry.py) make it: 'numpy' (the default),
'torch' (a torch.nn.Module) or 'sklearn' (a scikit-learn transformer).
torch and scikit-learn are imported only when asked for."""

FRONTENDS = ('numpy', 'torch', 'sklearn')


class Scattering1D:
    def __new__(cls, *args, frontend='numpy', **kwargs):
        frontend = frontend.lower()
        if frontend == 'numpy':
            from .scattering1d import ScatteringNumPy1D as frontend_class
        elif frontend == 'torch':
            from .torch_frontend import ScatteringTorch1D as frontend_class
        elif frontend == 'sklearn':
            from .sklearn_frontend import ScatteringTransformer1D as frontend_class
        else:
            # Kymatio's message, its stray double quote included.
            raise RuntimeError("The frontend '{}\" is not valid. Must be one of '{}', or '{}'.".format(
                frontend, "', '".join(FRONTENDS[:-1]), FRONTENDS[-1]))
        return frontend_class(*args, **kwargs)
