"""Generate the high-precision references used by tests/meanfield/lif/test_transfer.py.

Run from the repository root:  ``python tests/meanfield/lif/data/make_transfer_reference.py [phi] [cv]``
(about 8 minutes for phi, 1 for cv, on one busy core).

* ``phi_reference.csv``: the Ricciardi rate (Eq 9) by mpmath quadrature at 40 digits in the
  representation ``sqrt(pi) I = int_0^inf e^{-x^2} (e^{2 yT x} - e^{2 yR x}) / x dx``
  (from erfcx(-u) = 2/sqrt(pi) int_0^inf e^{-x^2 + 2ux} dx), which is independent of the
  E/Dawson decomposition used by ``meanfield.lif.transfer``. Points are drawn per regime.
* ``cv_reference.csv``: the ISI CV (Brunel 2000 double integral) by nested mpmath quadrature
  at 25 digits (inner integral in the shifted variable v = x - y, split at its 1/(2|x|) scale).

Every number is written with 17 significant digits (exact round trip of the double inputs).
"""
from __future__ import annotations

import csv
import os

import mpmath as mp
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def rate_mp(mu, sigma, tau, theta=1.0, v_reset=0.0, t_ref=0.0):
    """Eq 9 at mp.dps digits, exact in the given double inputs."""
    mu, sigma, tau, theta, v_reset, t_ref = map(mp.mpf, (mu, sigma, tau, theta, v_reset, t_ref))
    ssq = sigma * mp.sqrt(tau)
    yT = (theta - mu * tau) / ssq
    yR = (v_reset - mu * tau) / ssq
    L = yT - yR

    def g(x):  # e^{-x^2} (e^{2 yT x} - e^{2 yR x}) / x, no cancellation near x = 0
        return mp.exp(-x * x + 2 * yR * x) * mp.expm1(2 * L * x) / x

    if yT > 0:  # Gaussian bump of width 1 around x = yT dominates
        pts = [0, yT / 2, max(yT - 8, yT / 2), yT, yT + 8, mp.inf]
        pts = sorted(set(pts))
    else:  # scales 1/|yR| ... 1/|yT|
        lo = 1 / (2 * abs(yR))
        hi = 1 / (2 * max(abs(yT), mp.mpf(1e-30)))
        pts = [0]
        x = lo / 16
        while x < min(hi * 16, 20):
            pts.append(x)
            x *= 4
        pts += [max(pts[-1] * 2, 20), mp.inf]
    spI = mp.quad(g, pts)
    return 1 / (t_ref + tau * spI)


def cv_mp(mu, sigma, tau, theta=1.0, v_reset=0.0):
    """Brunel's CV by nested quadrature (mp.dps digits)."""
    mu, sigma, tau, theta, v_reset = map(mp.mpf, (mu, sigma, tau, theta, v_reset))
    ssq = sigma * mp.sqrt(tau)
    yT = (theta - mu * tau) / ssq
    yR = (v_reset - mu * tau) / ssq
    nu = rate_mp(mu, sigma, tau, theta, v_reset)

    def inner(x):  # e^{x^2} int_{-inf}^x e^{y^2} erfc(-y)^2 dy with y = x - v (peak width 1/(2|x|) at v = 0)
        w = 1 / (2 * max(abs(x), 1))
        return mp.quad(lambda v: mp.exp(x * x + (x - v) ** 2) * mp.erfc(v - x) ** 2,
                       [0, w, 4 * w, 16 * w, 64 * w, max(x, 0) + 10, mp.inf])

    outer = mp.quad(inner, mp.linspace(yR, yT, 9))
    return mp.sqrt(2 * mp.pi * (nu * tau) ** 2 * outer)


def _points(rng):
    """(regime, mu, sigma, tau, theta, v_reset, t_ref) rows."""
    rows = []

    def add(regime, mu, sigma, tau, theta=1.0, v_reset=0.0, t_ref=0.0):
        rows.append((regime, float(mu), float(sigma), float(tau), float(theta), float(v_reset), float(t_ref)))

    n = 120
    # 1. uniform over the whole stated domain (mixes all regimes)
    for _ in range(n):
        add("uniform", rng.uniform(-2000, 2000), rng.uniform(0.1, 50), rng.uniform(0.001, 0.1))
    # 2. mean-driven (mu tau well above threshold), small and large noise
    for _ in range(n):
        tau = rng.uniform(0.001, 0.1)
        add("mean", rng.uniform(1.2, 200) / tau, 10 ** rng.uniform(-1, np.log10(50)), tau)
    # 3. fluctuation-driven: y_Theta in [-3, 3]
    for _ in range(n):
        tau, sigma = rng.uniform(0.001, 0.1), 10 ** rng.uniform(-1, np.log10(50))
        yT = rng.uniform(-3, 3)
        add("fluct", (1 - yT * sigma * np.sqrt(tau)) / tau, sigma, tau)
    # 4. sub-threshold: y_Theta in [3, 26] (rates down to ~1e-290 Hz)
    for _ in range(n):
        tau, sigma = rng.uniform(0.001, 0.1), 10 ** rng.uniform(-1, np.log10(50))
        yT = rng.uniform(3, 26)
        mu = (1 - yT * sigma * np.sqrt(tau)) / tau
        if -2000 <= mu <= 2000:
            add("sub", mu, sigma, tau)
    # 5. far sub-threshold (underflow to 0)
    for _ in range(20):
        add("far_sub", rng.uniform(-2000, -500), rng.uniform(0.1, 2), rng.uniform(0.01, 0.1))
    # 6. near-deterministic (small sigma, just above threshold)
    for _ in range(60):
        tau = rng.uniform(0.001, 0.1)
        add("near_det", (1 + 10 ** rng.uniform(-3, 0)) / tau, rng.uniform(0.1, 0.3), tau)
    # 7. other theta / v_reset / t_ref
    for _ in range(60):
        tau = rng.uniform(0.005, 0.05)
        add("general", rng.uniform(-500, 2000), rng.uniform(0.5, 20), tau, theta=rng.uniform(0.5, 20),
            v_reset=rng.uniform(-10, 0.4), t_ref=rng.uniform(0, 0.005))
    return rows


def main(which=("phi", "cv")):
    rng = np.random.default_rng(20230517)
    mp.mp.dps = 40
    if "phi" in which:
        _write_phi(rng)
    if "cv" in which:
        _write_cv()


def _write_phi(rng):
    path = os.path.join(HERE, "phi_reference.csv")
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["regime", "mu", "sigma", "tau", "theta", "v_reset", "t_ref", "nu"])
        for regime, *args in _points(rng):
            nu = rate_mp(*args)
            w.writerow([regime] + [repr(a) for a in args] + [mp.nstr(nu, 20, min_fixed=0, max_fixed=0)])
    os.replace(tmp, path)


def _write_cv():
    mp.mp.dps = 25
    cases = [(10.0, 3.0, 0.02), (20.0, 3.0, 0.02), (60.0, 3.0, 0.02), (0.0, 3.0, 0.02), (-20.0, 5.0, 0.01),
             (45.0, 1.0, 0.02), (100.0, 10.0, 0.01), (120.0, 0.5, 0.01), (30.0, 3.0, 0.01), (5.0, 2.0, 0.05)]
    path = os.path.join(HERE, "cv_reference.csv")
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["mu", "sigma", "tau", "cv"])
        for mu, sigma, tau in cases:
            w.writerow([repr(mu), repr(sigma), repr(tau), mp.nstr(cv_mp(mu, sigma, tau), 15)])
    os.replace(tmp, path)


if __name__ == "__main__":
    import sys

    main(tuple(sys.argv[1:]) or ("phi", "cv"))
