#!/usr/bin/env python3
"""Runs Kymatio's own 1-D frontend tests against wst: kymatio.Scattering1D
is replaced by wst.Scattering1D, dropping only Kymatio's backend objects
from the arguments (issue 16). Kymatio's tests are not part of this
repository; give the folder that holds them (tests/scattering1d of a
Kymatio 0.4 checkout) and a Kymatio 0.4 source tree, whose internals
(filter_bank, utils, the backends the tests import) stay Kymatio's own.

Usage: run.py KYMATIO_TESTS_DIR KYMATIO_SOURCE_DIR [pytest arguments...]
   (PYTHONPATH must reach wst: <build>/python.)

Where the folder lacks Kymatio's test_data_1d.npz (kept out of the stored
repository), it is made from tests/data/reference/kymatio_test_1d, the same
input (J 6, Q 16, 4 signals of 512) and Kymatio 0.4's output for it.
"""
import os
import shutil
import subprocess
import sys
import tempfile

SHIM = {
    "kymatio/__init__.py": '''
import os
__path__.append(os.path.join({source!r}, "kymatio"))
__version__ = "0.4.0 (wst)"


def Scattering1D(*args, backend=None, **kwargs):
    import wst
    return wst.Scattering1D(*args, **kwargs)


def TimeFrequencyScattering(*args, backend=None, **kwargs):
    import wst
    return wst.TimeFrequencyScattering(*args, **kwargs)
''',
    # kymatio.numpy / kymatio.torch / kymatio.sklearn: wst's frontends under Kymatio's names.
    "kymatio/numpy.py": '''
from . import Scattering1D as _entry
def Scattering1D(*args, **kwargs): return _entry(*args, frontend="numpy", **kwargs)
''',
    "kymatio/torch.py": '''
from . import Scattering1D as _entry
def Scattering1D(*args, **kwargs): return _entry(*args, frontend="torch", **kwargs)
''',
    "kymatio/sklearn.py": '''
from . import Scattering1D as _entry
def Scattering1D(*args, **kwargs): return _entry(*args, frontend="sklearn", **kwargs)
''',
}


REFERENCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "data", "reference",
                         "kymatio_test_1d")


def main():
    tests, source = sys.argv[1], os.path.abspath(sys.argv[2])
    with tempfile.TemporaryDirectory() as shim:
        if not os.path.exists(os.path.join(tests, "test_data_1d.npz")):
            import numpy as np
            copy = os.path.join(shim, "tests")
            shutil.copytree(tests, copy)
            tests = copy
            np.savez(os.path.join(tests, "test_data_1d.npz"), x=np.load(os.path.join(REFERENCE, "x.npy")).astype(np.float32),
                     J=6, Q=16, Sx=np.load(os.path.join(REFERENCE, "S.npy")).astype(np.float32))
        for path, text in SHIM.items():
            os.makedirs(os.path.dirname(os.path.join(shim, path)), exist_ok=True)
            with open(os.path.join(shim, path), "w") as f:
                f.write(text.replace("{source!r}", repr(source)))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([shim, os.environ.get("PYTHONPATH", "")]),
                   PYTHONDONTWRITEBYTECODE="1")
        return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", tests] + sys.argv[3:],
                              env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
