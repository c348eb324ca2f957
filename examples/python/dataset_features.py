#!/usr/bin/env python3
"""Scattering features of a folder of audio files, computed on Dask.

    dataset_features.py INPUT_DIR OUTPUT_DIR [--J 8] [--Q 8] [--workers 2]
                        [--scheduler tcp://host:8786]

Every audio file under INPUT_DIR (what libsndfile reads: WAV, FLAC, OGG,
...) becomes OUTPUT_DIR/<its path>.npy: its scattering coefficients,
float32, of shape (channels, C, N_out). Each file is one task: a worker
reads it, computes wst.Scattering1D (one transform per signal length,
built once per worker), and writes the .npy to a temporary file beside the
target that it then renames, so that an interrupted run leaves no
half-written file. Files whose .npy exists are skipped, so a run can be
resumed. By default the work runs on a LocalCluster of --workers
processes; --scheduler sends it to a running Dask scheduler instead (its
workers must import wst and read INPUT_DIR and OUTPUT_DIR).
"""
import argparse
import os
import sys
import tempfile

AUDIO = ('.wav', '.flac', '.ogg', '.aiff', '.aif', '.au')

# A worker's transforms, by (J, Q, length).
_transforms = {}


def features(path, out_path, J, Q):
    """Reads path, writes its coefficients to out_path (atomically); returns out_path."""
    import numpy as np
    import soundfile
    import wst
    x, _ = soundfile.read(path, dtype='float32', always_2d=True)  # (frames, channels)
    key = (J, Q, x.shape[0])
    if key not in _transforms:
        _transforms[key] = wst.Scattering1D(J=J, shape=x.shape[0], Q=Q)
    S = _transforms[key](np.ascontiguousarray(x.T))
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(out_path), suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f:
            np.save(f, S)
        os.replace(tmp, out_path)
    except BaseException:
        os.unlink(tmp)
        raise
    return out_path


def audio_files(root):
    for folder, _, names in sorted(os.walk(root)):
        for name in sorted(names):
            if name.lower().endswith(AUDIO):
                yield os.path.join(folder, name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('input_dir')
    ap.add_argument('output_dir')
    ap.add_argument('--J', type=int, default=8)
    ap.add_argument('--Q', type=int, default=8)
    ap.add_argument('--workers', type=int, default=2, help='LocalCluster worker processes (default 2)')
    ap.add_argument('--scheduler', help='address of a running Dask scheduler, instead of a LocalCluster')
    a = ap.parse_args()
    if not os.path.isdir(a.input_dir):
        sys.exit('dataset_features.py: INPUT_DIR %s is not a folder' % a.input_dir)
    inputs = os.path.realpath(a.input_dir)
    outputs = os.path.realpath(a.output_dir)
    if outputs == inputs or outputs.startswith(inputs + os.sep):
        sys.exit('dataset_features.py: OUTPUT_DIR %s lies inside INPUT_DIR %s: give a folder of its own' %
                 (a.output_dir, a.input_dir))
    if a.workers < 1:
        sys.exit('dataset_features.py: --workers %d: give at least 1' % a.workers)
    todo, skipped = [], 0
    for path in audio_files(inputs):
        out = os.path.join(outputs, os.path.relpath(path, inputs) + '.npy')
        if os.path.exists(out):
            skipped += 1
        else:
            todo.append((path, out))
    print('%d files to do, %d already done' % (len(todo), skipped))
    if not todo:
        return 0

    from dask.distributed import Client, LocalCluster, as_completed
    from tqdm import tqdm
    if a.scheduler:
        client = Client(a.scheduler)
    else:
        client = Client(LocalCluster(n_workers=a.workers, threads_per_worker=1, dashboard_address=None))
    failed = []
    with client:
        futures = {client.submit(features, path, out, a.J, a.Q, pure=False): path for path, out in todo}
        for future in tqdm(as_completed(futures), total=len(futures), unit='file'):
            if future.status == 'error':
                failed.append((futures[future], future.exception()))
    for path, error in failed:
        print('failed: %s: %s' % (path, error), file=sys.stderr)
    print('%d written, %d failed' % (len(todo) - len(failed), len(failed)))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
