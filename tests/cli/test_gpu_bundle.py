#!/usr/bin/env python3
"""The GPU check's bundle (scripts/gpu-check.sh), tested on a machine without
a GPU: gathered from this build, it is under 64 MiB, runs from its folder
with only its own libraries (besides CUDA's and glibc's), reports that the
GPU tests were skipped, and a required GPU (WST_REQUIRE_GPU=1) that is
missing fails. On a machine with a GPU this test is skipped: the bundle's
run there is the real check, too long for CTest.

Usage: test_gpu_bundle.py SCRIPT BUILD_DIR WORK_DIR
"""
import os
import shutil
import subprocess
import sys

SKIP = 77


def main():
    script, build, work = sys.argv[1:4]
    if shutil.which("nvidia-smi") and subprocess.run(["nvidia-smi", "-L"], capture_output=True).returncode == 0:
        print("a GPU is present: run scripts/gpu-check.sh --run on a bundle instead")
        return SKIP
    bundle = os.path.join(work, "gpu-bundle")
    gathered = subprocess.run([script, "--gather", build, bundle], capture_output=True, text=True)
    assert gathered.returncode == 0, gathered.stdout + gathered.stderr
    assert gathered.stdout.strip().splitlines()[-1] == bundle, gathered.stdout
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(bundle) for f in files)
    assert size < 64 << 20, "bundle of %d bytes" % size

    ran = subprocess.run([script, "--run", bundle], capture_output=True, text=True)
    report = open(os.path.join(bundle, "report.md")).read()
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "Overall: **passed**" in report, report
    assert "the GPU tests were skipped" in report, report
    assert "Every library from the bundle, CUDA or glibc." in report, report
    assert "wst-reconstruct --backend cpu on the harmonic signal" in report, report
    # The report's GPU half, which only a GPU machine reaches, renders from
    # logs that are missing (a run that stopped early) with Kymatio's times.
    gpu_half = subprocess.run([sys.executable, os.path.join(bundle, "gpu_report.py"), bundle, "yes", "1"],
                              capture_output=True, text=True)
    assert gpu_half.returncode == 0, gpu_half.stdout + gpu_half.stderr
    assert "| speech | float | 32 |" in gpu_half.stdout, gpu_half.stdout

    # The libraries really are the bundle's: each one ldd resolves, that is
    # not CUDA's or glibc's, lies in the bundle.
    listing = open(os.path.join(bundle, "logs", "libraries.txt")).read().splitlines()
    own = [line for line in listing if os.path.join(bundle, "lib") in line]
    assert any("libfftw3" in line for line in own), listing
    assert any("libsndfile" in line for line in own), listing

    env = dict(os.environ, WST_REQUIRE_GPU="1", LD_LIBRARY_PATH=os.path.join(bundle, "lib"),
               WST_REFERENCE_DIR=os.path.join(bundle, "data", "reference"))
    required = subprocess.run([os.path.join(bundle, "bin", "wst_cuda_tests")], capture_output=True, text=True, env=env)
    assert required.returncode == 1, required.stdout
    assert "a GPU is required" in required.stdout, required.stdout
    print("bundle of %.1f MiB: runs from its folder, skips without a GPU, fails when one is required" % (size / 2**20))
    return 0


if __name__ == "__main__":
    sys.exit(main())
