"""Benchmark of the sparse-balance rate-network paths, measured side by side in one run.

    python benchmarks/bench_rate.py [--sizes 500 1000 2000 4000] [--T-short 20] [--full]
                                    [--no-brian2] [--sweep]

* For each N = K: wall time per step of (a) the fast path (numba, float32 W, online statistics
  included), (b) the NumPy dense path (float64 ``W @ phi`` BLAS matvec + the same statistics),
  (c) a bare NumPy dense float64 matvec loop (no statistics: the §5 cost model baseline) and
  (d) the Brian2 standalone binary (run time with new values, compile time reported apart), all
  on a short run of ``T_short`` tau after a 10 tau warm-up. Ratios are against (c).
* ``--full``: the target run N = K = 4000, T = 1000, dt = 0.02 (50 000 steps) on the fast path,
  with the dense baseline measured on 1000 steps in the same run and scaled to 50 000 steps.
* ``--sweep``: K = 500 .. 4000 (N = K), T = 1000, seeds 0, 1 through ``rate_sweep`` (2
  processes); prints the fitted exponents of phi_mean, f and mu (Fig 1C-E).

Machines are shared and noisy: only the ratios within one run mean something.
"""
from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np


def bare_dense_loop(N, n_steps, seed=0):
    """The baseline: x <- x + dt(-x + W @ phi(x) + I) with dense float64 W (no statistics)."""
    from brianmodels.rate.params import RateNetworkSpec
    from brianmodels.rate.weights import weight_matrix
    from brianmodels.rate.simulate import initial_condition
    spec = RateNetworkSpec.inhibitory(N=N, K=N)
    W = np.ascontiguousarray(weight_matrix(spec, seed))
    x = initial_condition(spec, seed)
    I, dt = spec.unit_input(), 0.02
    t0 = time.perf_counter()
    for _ in range(n_steps):
        phi = np.where(x > 0, np.tanh(np.maximum(x, 0)), 0.0)
        x = x + dt * (-x + W @ phi + I)
    return time.perf_counter() - t0


def run_sizes(sizes, T_short, brian2=True):
    from brianmodels.rate.simulate import simulate_rate_network as sim
    rows = []
    n_steps = int(round(T_short / 0.02))
    sim(N=200, K=200, T=1.0, progress=False)          # numba compile / cache load outside timings
    for N in sizes:
        row = dict(N=N)
        r = sim(N=N, K=N, T=T_short, method="fast", progress=False)
        row["fast_s_per_step"] = (r.timing["total"] - r.timing["weights"]) / (n_steps + 500)
        row["f"] = r.stats["f"]
        if N <= 4000:
            r = sim(N=N, K=N, T=T_short, method="numpy", progress=False)
            row["numpy_s_per_step"] = (r.timing["total"] - r.timing["weights"]) / (n_steps + 500)
        row["bare_dense_s_per_step"] = bare_dense_loop(N, min(n_steps, 500)) / min(n_steps, 500)
        if brian2 and N <= 4000:
            r = sim(N=N, K=N, T=T_short, method="brian2", progress=False)
            row["brian2_compile_s"] = r.timing["build"]
            row["brian2_s_per_step"] = r.timing["run_binary"] / (n_steps + 500)
        rows.append(row)
        print(_fmt_row(row), flush=True)
    return rows


def _fmt_row(row):
    base = row["bare_dense_s_per_step"]
    out = [f"N=K={row['N']:5d}", f"f={row['f']:.3f}", f"bare dense {base * 1e3:8.3f} ms/step"]
    for k in ("fast", "numpy", "brian2"):
        v = row.get(f"{k}_s_per_step")
        if v is not None:
            out.append(f"{k} {v * 1e3:8.3f} ms/step (x{base / v:6.2f} vs bare dense)")
    if "brian2_compile_s" in row:
        out.append(f"brian2 compile {row['brian2_compile_s']:.1f} s")
    return " | ".join(out)


def run_full():
    from brianmodels.rate.simulate import simulate_rate_network as sim
    sim(N=200, K=200, T=1.0, progress=False)
    base_steps = 1000
    t_base = bare_dense_loop(4000, base_steps)
    r = sim(N=4000, K=4000, T=1000.0, dt=0.02, method="fast", progress=False)
    total_steps = 50_000 + 500
    base_full = t_base / base_steps * total_steps
    print(f"FULL N=K=4000 T=1000 dt=0.02 (50 500 steps incl. warm-up), fast path: "
          f"total {r.timing['total']:.1f} s (weights {r.timing['weights']:.1f} s, simulate+stats "
          f"{r.timing['simulate']:.1f} s); bare dense float64 baseline {t_base:.2f} s for {base_steps} "
          f"steps -> {base_full:.0f} s scaled; speed-up x{base_full / r.timing['total']:.1f}")
    print("   stats:", {k: round(r.stats[k], 5) for k in ("phi_mean", "f", "mu", "x_mean", "beta", "chi2_phi")})
    return r


def run_sweep():
    from brianmodels.rate.sweep import fit_exponent, rate_sweep
    t0 = time.perf_counter()
    df = rate_sweep(K=[500, 1000, 2000, 4000], seeds=[0, 1], T=1000.0, n_jobs=2,
                    out_dir=os.environ.get("BENCH_RATE_SWEEP_DIR", "out/bench_rate_sweep"))
    print(f"sweep K=500..4000 x 2 seeds, T=1000: {time.perf_counter() - t0:.0f} s wall")
    piv = df.pivot_table(index="K", columns="quantity", values="value", aggfunc="mean")
    print(piv[["phi_mean", "f", "mu", "x_mean", "beta", "chi2_phi"]].to_string())
    for q in ("phi_mean", "f", "mu"):
        fit = fit_exponent(df, q)
        print(f"  {q}: exponent {fit['exponent']:+.3f} +- {fit['stderr']:.3f}")
    return df


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[500, 1000, 2000, 4000])
    ap.add_argument("--T-short", type=float, default=20.0)
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--no-brian2", action="store_true")
    ap.add_argument("--sweep", action="store_true")
    a = ap.parse_args()
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
          f"load {os.getloadavg()[0]:.1f}, numpy {np.__version__}")
    if a.sizes:
        run_sizes(a.sizes, a.T_short, brian2=not a.no_brian2)
    if a.full:
        run_full()
    if a.sweep:
        run_sweep()
