"""Speed and accuracy of the Ricciardi transfer function ``meanfield.phi`` (Eq 9).

Target (issue 2): >= 1e6 evaluations per second on ONE core at relative accuracy <= 1e-9, over
mu in [-2000, 2000] mV/s, sigma in [0.1, 50] mV/sqrt(s), tau in [1, 100] ms. Measures phi on 1e6
random points (best of 3) and, side by side in the same run, a naive implementation (scipy.integrate.quad
of erfcx(-u) for every point) on a subset, extrapolated, as a ratio. Thread pools are limited to one
thread before numpy is imported.

Run: python benchmarks/bench_phi.py
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_v] = "1"

import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from scipy.integrate import quad  # noqa: E402
from scipy.special import erfcx  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

from meanfield.lif.transfer import phi  # noqa: E402


def naive_phi(mu, sigma, tau):
    """Eq 9 by adaptive quadrature, one point at a time (the obvious implementation)."""
    s = sigma * math.sqrt(tau)
    yT, yR = (1.0 - mu * tau) / s, -mu * tau / s
    with np.errstate(over="ignore"):
        val = quad(lambda u: erfcx(-u), yR, yT, limit=200)[0]
    return 1.0 / (tau * math.sqrt(math.pi) * val)


def main(n=1_000_000, n_naive=3000, seed=0):
    rng = np.random.default_rng(seed)
    mu = rng.uniform(-2000, 2000, n)
    sigma = rng.uniform(0.1, 50, n)
    tau = rng.uniform(0.001, 0.1, n)
    phi(mu[:10], sigma[:10], tau[:10])  # build the table once (not timed)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        nu = phi(mu, sigma, tau)
        times.append(time.perf_counter() - t0)
    t_fast = min(times)
    idx = rng.choice(n, n_naive, replace=False)
    t0 = time.perf_counter()
    with np.errstate(all="ignore"):
        ref = np.array([naive_phi(mu[i], sigma[i], tau[i]) for i in idx])
    t_naive = (time.perf_counter() - t0) / n_naive * n
    ok = np.isfinite(ref) & (ref > 1e-250)
    rel = np.abs(nu[idx][ok] - ref[ok]) / ref[ok]
    print(f"phi: {n:.0e} random points in {t_fast:.3f} s -> {n / t_fast / 1e6:.2f} M evaluations/s (1 thread)")
    print(f"naive scipy quad: {n_naive} points, extrapolated {t_naive:.1f} s for {n:.0e} "
          f"-> {n / t_naive:.3g} evaluations/s")
    print(f"speed ratio phi / naive quad: {t_naive / t_fast:.0f}x")
    print(f"finite: {np.isfinite(nu).all()}, non-negative: {(nu >= 0).all()}; fraction of points with "
          f"nu < 1e-300 Hz: {np.mean(nu < 1e-300):.2f}")
    print(f"median / max relative difference to the naive quad on {ok.sum()} comparable points: "
          f"{np.median(rel):.1e} / {rel.max():.1e} (quad's own error dominates; accuracy vs mpmath: tests)")


if __name__ == "__main__":
    main()
