#!/usr/bin/python3
"""OpenBLAS sgemm anchor for engine/nn's BenchmarkSgemm: the same shapes through numpy.

Run with Debian's numpy (/usr/bin/python3) and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset
(they force the Haswell kernels); the thread count comes from OPENBLAS_NUM_THREADS:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/sgemm_anchor.py

Prints the BLAS libraries numpy loaded, then one line per shape,
"anchor-sgemm <m>x<n>x<k>[T] threads=<t> <median> GFLOP/s (<min> .. <max>) <median> GFLOP/cpu-s"
(wall rate over rounds, and flops per CPU-second of the process, which is what a shared
machine measures reliably), names matching BenchmarkSgemm's sub-benchmarks.
"""
import os
import statistics
import sys
import time

import numpy as np

SHAPES = [(4096, 256, 256, False), (3968, 256, 1024, False), (256, 256, 3968, True)]


def bench(m, n, k, ta, rounds, min_time):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((k, m) if ta else (m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    c = np.empty((m, n), dtype=np.float32)
    op = a.T if ta else a
    np.matmul(op, b, out=c)  # warm-up
    rates, cpu_rates = [], []
    for _ in range(rounds):
        reps, t0, c0 = 0, time.perf_counter(), time.process_time()
        while True:
            np.matmul(op, b, out=c)
            reps += 1
            dt = time.perf_counter() - t0
            if dt >= min_time:
                break
        flops = 2 * m * n * k * reps
        rates.append(flops / dt / 1e9)
        cpu_rates.append(flops / max(time.process_time() - c0, 1e-9) / 1e9)
    return rates, cpu_rates


def blas_libraries():
    """The BLAS shared objects numpy has loaded (after one matmul), from /proc/self/maps."""
    np.matmul(np.ones((64, 64), np.float32), np.ones((64, 64), np.float32))
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1]
            if "blas" in os.path.basename(path).lower():
                libs.add(os.path.realpath(path))
    return sorted(libs)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "?")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            print(f"warning: {var} is set; the anchor may run the wrong kernels", file=sys.stderr)
    libs = blas_libraries()
    print(f"anchor-sgemm blas: {' '.join(libs) or 'unknown'}", flush=True)
    if not any("openblas" in l.lower() for l in libs):
        # Debian's python3-numpy only recommends libopenblas0; without it numpy runs the
        # reference BLAS (≈ 7 GFLOP/s here), which is no anchor at all.
        print("warning: numpy is not using OpenBLAS (install libopenblas0-pthread); "
              "the figures below are not an OpenBLAS anchor", file=sys.stderr)
    for m, n, k, ta in SHAPES:
        r, rc = bench(m, n, k, ta, rounds, 0.3)
        name = f"{m}x{n}x{k}" + ("T" if ta else "")
        print(f"anchor-sgemm {name} threads={threads} {statistics.median(r):.1f} GFLOP/s "
              f"({min(r):.1f} .. {max(r):.1f}) {statistics.median(rc):.1f} GFLOP/cpu-s", flush=True)


main()
