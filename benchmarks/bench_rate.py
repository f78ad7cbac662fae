"""Benchmark of the sparse-balance rate-network paths, measured side by side in one run.

    python benchmarks/bench_rate.py [--sizes 500 1000 2000 4000 8000] [--T-short 20] [--full]
                                    [--no-brian2] [--brian2-max 4000] [--sweep] [--quick]

* For each N = K: wall time per step of (a) the fast path (numba, float32 W, online statistics
  included), (b) the NumPy dense path (float64 ``W @ phi`` BLAS matvec + the same statistics),
  (c) a bare NumPy dense float64 matvec loop (no statistics: the §5 cost model baseline) and
  (d) the Brian2 standalone binary (run time with new values, compile time reported apart), all
  on a short run of ``T_short`` tau after a 10 tau warm-up. Ratios are against (c). Above
  ``--brian2-max`` (default 4000) a full Brian2 run is impractical (N^2 synapse updates per step,
  ~4 min at N = 8000): its per-step cost is measured by differencing a 10-step and a 110-step run.
* ``--full``: the target run N = K = 4000, T = 1000, dt = 0.02 (50 000 steps) on the fast path,
  with the dense baseline measured on 1000 steps in the same run and scaled to 50 000 steps.
* ``--sweep``: K = 500 .. 4000 (N = K), T = 1000, connectivity seeds 0, 1 through ``rate_sweep`` (2
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


def brian2_per_step(N, steps=(10, 110)):
    """Brian2 standalone binary cost per step at N = K from two short runs (differenced, so the binary's
    start-up, the loading of the N^2 weights and the monitor read-back cancel); compile times returned too.

    Used above ``--brian2-max`` where a full T_short run is clearly too long (N^2 synapses per step)."""
    from brianmodels.rate.simulate import simulate_rate_network as sim
    out = []
    for n in steps:
        r = sim(N=N, K=N, T=n * 0.02, warmup=0.02, method="brian2", progress=False)
        out.append((r.timing["run_binary"], r.timing["build"]))
    per_step = (out[1][0] - out[0][0]) / (steps[1] - steps[0])
    if per_step <= 0:       # start-up noise (loading N^2 weights) exceeded the extra steps' cost
        per_step = float("nan")
    return per_step, max(b for _, b in out)


def run_sizes(sizes, T_short, brian2=True, brian2_max=4000, numpy_max=8000, brian2_extrapolate=True):
    from brianmodels.rate.simulate import simulate_rate_network as sim
    rows = []
    n_steps = int(round(T_short / 0.02))
    sim(N=200, K=200, T=1.0, progress=False)          # numba compile / cache load outside timings
    for N in sizes:
        row = dict(N=N)
        r = sim(N=N, K=N, T=T_short, method="fast", progress=False)
        row["fast_s_per_step"] = (r.timing["total"] - r.timing["weights"]) / (n_steps + 500)
        row["f"] = r.stats["f"]
        if N <= numpy_max:
            r = sim(N=N, K=N, T=T_short, method="numpy", progress=False)
            row["numpy_s_per_step"] = (r.timing["total"] - r.timing["weights"]) / (n_steps + 500)
        row["bare_dense_s_per_step"] = bare_dense_loop(N, min(n_steps, 500)) / min(n_steps, 500)
        if brian2 and N <= brian2_max:
            r = sim(N=N, K=N, T=T_short, method="brian2", progress=False)
            row["brian2_compile_s"] = r.timing["build"]
            row["brian2_s_per_step"] = r.timing["run_binary"] / (n_steps + 500)
        elif brian2 and brian2_extrapolate:
            # a full run is N^2 x (n_steps + 500) synapse updates: measure 10 and 110 steps, extrapolate
            row["brian2_s_per_step"], row["brian2_compile_s"] = brian2_per_step(N)
            row["brian2_extrapolated"] = True
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
    if row.get("brian2_extrapolated"):
        out.append("brian2 per step from 10- and 110-step runs (differenced)")
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
    res = rate_sweep(K=[500, 1000, 2000, 4000], seeds=[0], connectivity_seeds=[0, 1], T=1000.0, n_jobs=2,
                     out=os.environ.get("BENCH_RATE_SWEEP_DIR", "out/bench_rate_sweep"))
    print(f"sweep K=500..4000 x 2 connectivity seeds, T=1000: {time.perf_counter() - t0:.0f} s wall ({res.message})")
    df = res.table
    print(df.groupby("K")[["phi_mean", "f", "mu", "x_mean", "beta", "chi2_phi"]].mean().to_string())
    for q in ("phi_mean", "f", "mu"):
        fit = fit_exponent(res, q)
        print(f"  {q}: exponent {fit['exponent']:+.3f} +- {fit['stderr']:.3f}")
    return df


def main(quick: bool = False):
    """Per-step costs at N = K = 500 .. 8000 (``quick``: N = K = 500 and 1000, T_short = 2, Brian2 at 500 only)."""
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
          f"load {os.getloadavg()[0]:.1f}, numpy {np.__version__}")
    if quick:
        return run_sizes([500, 1000], 2.0, brian2=True, brian2_max=500, numpy_max=1000, brian2_extrapolate=False)
    return run_sizes([500, 1000, 2000, 4000, 8000], 20.0)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[500, 1000, 2000, 4000, 8000])
    ap.add_argument("--T-short", type=float, default=20.0)
    ap.add_argument("--brian2-max", type=int, default=4000,
                    help="largest N for a full Brian2 run; above: 10- and 110-step runs, extrapolated")
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--no-brian2", action="store_true")
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--quick", action="store_true", help="sanity subset (~1 min)")
    a = ap.parse_args()
    if a.quick:
        main(quick=True)
        raise SystemExit(0)
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
          f"load {os.getloadavg()[0]:.1f}, numpy {np.__version__}")
    if a.sizes:
        run_sizes(a.sizes, a.T_short, brian2=not a.no_brian2, brian2_max=a.brian2_max)
    if a.full:
        run_full()
    if a.sweep:
        run_sweep()
