"""Speed of the Fig 5 regime map: 200 x 200 (mu, r) grid, all steady states with stability.

Target (issue): <= 2 s. Prints the vectorised time and, measured side by side in the same run,
a per-point reference (Python loop: F on the same z-grid, scipy.optimize.brentq on each
bracket) on a subset, extrapolated to the full grid, as a ratio.

Run: python benchmarks/bench_regime_map.py
"""
import os
import sys
import time

import numpy as np
from scipy.optimize import brentq

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

from meanfield.ssn import kernels as K
from meanfield.ssn.regimes import regime_map
from meanfield.ssn.model import SSN


def per_point_reference(ssn, mu_E, mu_I):
    P = ssn.params
    grid = K.z_grid(P)
    n = 0
    for mE, mI in zip(mu_E, mu_I):
        F = K.F_value(grid, mE, mI, P)
        for k in np.nonzero((F[:-1] > 0) != (F[1:] > 0))[0]:
            brentq(lambda z: K.F_value(z, mE, mI, P), grid[k], grid[k + 1])
            n += 1
    return n


def best_of(fun, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fun()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    ssn = SSN.paper([[5, 10], [7, 11]])  # Fig 5A network
    mu, r = np.linspace(0, 15, 200), np.linspace(0, 5, 200)
    regime_map(ssn, mu[:5], r=r[:5])  # warm up: sympy derivation + lambdify (cached)
    t_map = best_of(lambda: regime_map(ssn, mu, r=r))
    res = regime_map(ssn, mu, r=r)
    tab = res.table
    rng = np.random.default_rng(0)
    sub = rng.choice(tab.index, 400, replace=False)
    t_ref = best_of(lambda: per_point_reference(ssn, tab.mu_E[sub].to_numpy(), tab.mu_I[sub].to_numpy()), 1)
    t_ref_full = t_ref * len(tab) / sub.size
    print(f"regime_map 200 x 200 (40000 points, {int(tab.n_states.sum())} states, stability, flags): "
          f"{t_map:.2f} s (target <= 2 s); status {res.status} ({res.message})")
    print(f"per-point brentq reference (roots only, extrapolated from 400 points): {t_ref_full:.1f} s")
    print(f"speed-up of the vectorised kernels: {t_ref_full / t_map:.0f}x")


if __name__ == "__main__":
    main()
