"""Speed of the Ricciardi self-consistency sweep ``meanfield.selfconsistent`` (Eq 14).

Target (issue 2): a 300-point sweep through the Fig 4 bistability fold pair (bistable network,
J = [[5, 10], [7, 11]], r = 1, mu = 0..10 mV/s) in <= 2 s, all branches with stability and folds.
Prints the best of 3 runs and, side by side, the cost of the point-by-point alternative (scanning all
solutions at each of the 300 inputs with ``solve_point``, measured on a subset and extrapolated) as a
ratio.

Run: python benchmarks/bench_selfconsistent.py
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

from brianmodels import presets  # noqa: E402
from meanfield.lif.selfconsistency import selfconsistent, solve_point  # noqa: E402


def main(n=300, n_subset=20):
    net = presets.get("bistable")
    mu = np.linspace(0.0, 10.0, n)
    selfconsistent(net, mu[:5])  # imports, table build (not timed)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        res = selfconsistent(net, mu)
        times.append(time.perf_counter() - t0)
    t_sweep = min(times)
    sub = np.linspace(0, n - 1, n_subset).astype(int)
    t0 = time.perf_counter()
    counts = [len(solve_point(net, mu[k], mu_I=mu[k]).nu) for k in sub]
    t_points = (time.perf_counter() - t0) / n_subset * n
    t = res.table
    print(f"selfconsistent: {n} input points, {len(t)} rows, {t.branch.nunique()} branch(es) in {t.segment.nunique()} segments, "
          f"{len(res.folds)} folds at mu_E = {np.round(np.sort(res.folds.mu_E.to_numpy()), 4).tolist()} mV/s")
    print(f"  best of 3: {t_sweep:.3f} s (target <= 2 s); status {res.status} ({res.message}); "
          f"max residual {res.diagnostics['max_residual']:.1e} Hz; {res.diagnostics['n_steps']} continuation steps")
    print(f"point-by-point solve_point at all {n} inputs (extrapolated from {n_subset}): {t_points:.2f} s "
          f"-> ratio {t_points / t_sweep:.1f}x (and it can miss state pairs next to a fold); "
          f"states per subset point: {counts}")


if __name__ == "__main__":
    main()
