#!/usr/bin/python3
"""OpenBLAS sgemm anchor for engine/nn's BenchmarkSgemm: the same shapes through numpy.

Run with Debian's numpy (/usr/bin/python3) and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset
(they force the Haswell kernels); the thread count comes from OPENBLAS_NUM_THREADS:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/sgemm_anchor.py

Prints one line per shape, "anchor-sgemm <m>x<n>x<k>[T] threads=<t> <GFLOP/s median> GFLOP/s
(min .. max over rounds)", names matching BenchmarkSgemm's sub-benchmarks.
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
    rates = []
    for _ in range(rounds):
        reps, t0 = 0, time.perf_counter()
        while True:
            np.matmul(op, b, out=c)
            reps += 1
            dt = time.perf_counter() - t0
            if dt >= min_time:
                break
        rates.append(2 * m * n * k * reps / dt / 1e9)
    return rates


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "?")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            print(f"warning: {var} is set; the anchor may run the wrong kernels", file=sys.stderr)
    for m, n, k, ta in SHAPES:
        r = bench(m, n, k, ta, rounds, 0.3)
        name = f"{m}x{n}x{k}" + ("T" if ta else "")
        print(f"anchor-sgemm {name} threads={threads} {statistics.median(r):.1f} GFLOP/s "
              f"({min(r):.1f} .. {max(r):.1f})", flush=True)


main()
