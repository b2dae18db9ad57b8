#!/usr/bin/python3
"""Single-precision matrix-product throughput of numpy's OpenBLAS on the shapes of
benchmarks/Backprop.Benchmarks/Matrix/MatMulBenchmarks.cs, with 1 and 2 threads.

Run with /usr/bin/python3 (Debian's python3-numpy linked against libopenblas0-pthread).
"""
import ctypes
import os
import sys
import timeit


def best_openblas_core():
    """OpenBLAS's fastest kernels for this CPU. The environment may force its AVX2 (Haswell) kernels,
    and OpenBLAS 0.3.21's own detection takes a virtual CPU that reports a generic model name for a
    Prescott (SSE3), so choose from the instruction sets the kernel reports instead."""
    with open("/proc/cpuinfo") as cpuinfo:
        flags = next((line.split(":", 1)[1].split() for line in cpuinfo if line.startswith("flags")), [])
    if "avx512_bf16" in flags:
        return "Cooperlake"
    if "avx512f" in flags:
        return "SkylakeX"
    return None  # no AVX-512: let OpenBLAS detect


os.environ.pop("OPENBLAS_CORETYPE", None)
CORE = best_openblas_core()
if CORE:
    os.environ["OPENBLAS_CORETYPE"] = CORE

import numpy as np  # noqa: E402  (OpenBLAS reads OPENBLAS_CORETYPE when numpy loads it)


def load_openblas():
    """The OpenBLAS library numpy has loaded, to set its thread count and report its kernels."""
    with open("/proc/self/maps") as maps:
        paths = sorted({line.split()[-1] for line in maps if "libopenblas" in line})
    if not paths:
        sys.exit("numpy is not using OpenBLAS; install python3-numpy and libopenblas0-pthread")
    return paths[0], ctypes.CDLL(paths[0])


# (name, m, k, n, transpose_a, transpose_b): C (m×n) = op(A)·op(B) with inner dimension k.
SHAPES = [
    ("X·W 100x784·784x100", 100, 784, 100, False, False),
    ("H·W2 100x100·100x10", 100, 100, 10, False, False),
    ("Xᵀ·dY 784x100·100x100", 784, 100, 100, True, False),
    ("dY·Wᵀ 100x100·100x784", 100, 100, 784, False, True),
    ("1024³", 1024, 1024, 1024, False, False),
]


def gflops(m, k, n, transpose_a, transpose_b, rng):
    a = rng.standard_normal((k, m) if transpose_a else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if transpose_b else (k, n), dtype=np.float32)
    op_a = a.T if transpose_a else a
    op_b = b.T if transpose_b else b
    c = np.empty((m, n), dtype=np.float32)
    run = lambda: np.matmul(op_a, op_b, out=c)  # noqa: E731
    calls = max(10, int(1e10 / (2 * m * n * k)))  # about 100 ms per repeat, as the C# benchmarks
    run()
    best = min(timeit.repeat(run, number=calls, repeat=20)) / calls
    return 2 * m * n * k / best / 1e9


def main():
    rng = np.random.default_rng(1)
    path, openblas = load_openblas()
    openblas.openblas_get_config.restype = ctypes.c_char_p
    core = openblas.openblas_get_corename
    core.restype = ctypes.c_char_p
    print(f"numpy {np.__version__}; {path}; {openblas.openblas_get_config().decode()}; core {core().decode()}")
    print("| shape | OpenBLAS 1 thread GFLOP/s | OpenBLAS 2 threads GFLOP/s |")
    print("|---|---:|---:|")
    for name, m, k, n, transpose_a, transpose_b in SHAPES:
        row = []
        for threads in (1, 2):
            openblas.openblas_set_num_threads(threads)
            row.append(gflops(m, k, n, transpose_a, transpose_b, rng))
        print(f"| {name} | {row[0]:.1f} | {row[1]:.1f} |")


if __name__ == "__main__":
    main()
