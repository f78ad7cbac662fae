"""Tests of meanfield.lif.transfer: Ricciardi rate (Eq 9), its gradient, the deterministic limit, the ISI CV.

References: tests/meanfield/lif/data/phi_reference.csv and cv_reference.csv, computed with mpmath at 40/25 digits
by tests/meanfield/lif/data/make_transfer_reference.py in representations independent of the implementation;
values stated in docs/theory/ssn_lif.md §1-§2.
"""
import math
import os

import numpy as np
import pandas as pd
import pytest

from meanfield import cv_isi, phi
from meanfield.lif.transfer import phi_deterministic, phi_grad

DATA = os.path.join(os.path.dirname(__file__), "data")
TINY = 1e-300  # references below this are outside the normal double range


@pytest.fixture(scope="module")
def ref():
    return pd.read_csv(os.path.join(DATA, "phi_reference.csv"))


@pytest.mark.parametrize("regime", ["uniform", "mean", "fluct", "sub", "far_sub", "near_det", "general"])
def test_phi_matches_mpmath_in_every_regime(ref, regime):
    d = ref[ref.regime == regime]
    assert len(d) >= 20
    nu = phi(d.mu.values, d.sigma.values, d.tau.values, d.theta.values, d.v_reset.values, d.t_ref.values)
    nu_ref = d.nu.values
    normal = nu_ref >= TINY
    # brief: relative error <= 1e-9 (achieved: < 1e-12, see benchmarks/RESULTS.md)
    if normal.any():
        rel = np.abs(nu[normal] - nu_ref[normal]) / nu_ref[normal]
        assert rel.max() <= 1e-9, (regime, rel.max())
    # rates that underflow in mpmath's exact value must come out as (sub)normal tiny numbers or 0
    assert np.all(nu[~normal] >= 0) and np.all(nu[~normal] <= 1e-290)


def test_scalar_path_agrees_with_vector_path(ref):
    d = ref.iloc[::7]
    vec = phi(d.mu.values, d.sigma.values, d.tau.values, d.theta.values, d.v_reset.values, d.t_ref.values)
    sca = np.array([phi(*row) for row in d[["mu", "sigma", "tau", "theta", "v_reset", "t_ref"]].itertuples(index=False)])
    scale = np.maximum(np.abs(vec), 1e-300)
    assert np.max(np.abs(sca - vec) / scale) < 1e-13


def test_phi_value_stated_in_theory():
    # ``docs/theory/ssn_lif.md`` §1: single LIF, mu = 20 mV/s, sigma = 3 mV/sqrt(s), tau = 20 ms: Phi = 4.34 Hz
    assert phi(20.0, 3.0, 0.02) == pytest.approx(4.34, abs=0.005)


def test_finite_nonnegative_and_increasing_over_whole_domain():
    rng = np.random.default_rng(0)
    sigma = rng.uniform(0.1, 50, (200, 1))
    tau = rng.uniform(0.001, 0.1, (200, 1))
    mu = np.linspace(-2000, 2000, 401)[None, :]
    nu = phi(mu, sigma, tau)               # broadcasting (200, 1) x (1, 401)
    assert nu.shape == (200, 401)
    assert np.all(np.isfinite(nu)) and np.all(nu >= 0)
    # Phi increases with mu (the integrand is positive and both limits decrease with mu)
    assert np.all(np.diff(nu, axis=1) >= 0)
    # far below threshold it underflows to exactly 0 rather than producing NaN/inf
    assert phi(-2000.0, 0.1, 0.1) == 0.0


def test_deterministic_limit():
    tau = np.array([0.001, 0.01, 0.02, 0.1])
    for mt in (1.05, 2.0, 50.0, 200.0):
        mu = mt / tau
        det = 1.0 / (tau * np.log(mt / (mt - 1.0)))   # closed form, theta = 1, v_reset = 0
        assert np.allclose(phi_deterministic(mu, tau), det, rtol=1e-14)
        # small noise converges to it; the correction is O(sigma^2)
        err = [np.max(np.abs(phi(mu, s, tau) / det - 1)) for s in (1e-2, 1e-3)]
        assert err[1] < 1e-4 and err[1] < err[0] / 50
    assert phi_deterministic(0.5 / 0.02, 0.02) == 0.0
    assert phi([10.0, 100.0], 0.0, 0.02, allow_zero_sigma=True).tolist() == \
        pytest.approx([0.0, 1 / (0.02 * math.log(2.0 / 1.0))], rel=1e-14)
    # with a refractory period and general theta/reset
    assert phi_deterministic(300.0, 0.02, theta=2.0, v_reset=-1.0, t_ref=0.002) == \
        pytest.approx(1 / (0.002 + 0.02 * math.log((6 + 1) / (6 - 2))), rel=1e-14)


@pytest.mark.parametrize("mu,sigma,tau", [(20.0, 3.0, 0.02), (-30.0, 2.0, 0.01), (150.0, 0.5, 0.01),
                                          (55.0, 10.0, 0.05), (1000.0, 40.0, 0.003), (-200.0, 20.0, 0.1)])
def test_gradient_matches_central_differences(mu, sigma, tau):
    nu, dmu, dsig = phi_grad(mu, sigma, tau)
    assert nu == pytest.approx(phi(mu, sigma, tau), rel=1e-14)

    def richardson(f, x, h):  # central differences extrapolated to O(h^4)
        d1 = (f(x + h) - f(x - h)) / (2 * h)
        d2 = (f(x + h / 2) - f(x - h / 2)) / h
        return (4 * d2 - d1) / 3

    h = 1e-3 * max(abs(mu), 1.0)
    k = 1e-3 * sigma
    fd_mu = richardson(lambda m: phi(m, sigma, tau), mu, h)
    fd_sig = richardson(lambda s: phi(mu, s, tau), sigma, k)
    # truncation O(h^4) (d ln nu / d ln sigma <= ~100 here) ~ 1e-8; rounding ~1e-13 nu / h
    assert dmu == pytest.approx(fd_mu, rel=1e-6, abs=1e-12 * nu / h)
    assert dsig == pytest.approx(fd_sig, rel=1e-6, abs=1e-12 * nu / k)


def test_gradient_has_no_overflow_far_below_threshold():
    nu, dmu, dsig = phi_grad(np.array([-2000.0, -500.0]), 0.1, 0.1)
    assert np.all(np.isfinite(dmu)) and np.all(np.isfinite(dsig)) and np.all(nu == 0)


def test_cv_matches_mpmath_and_theory_values():
    d = pd.read_csv(os.path.join(DATA, "cv_reference.csv")).iloc[[0, 1, 5, 7]]  # incl. weak noise
    cv = cv_isi(d.mu.values, d.sigma.values, d.tau.values)
    np.testing.assert_allclose(cv, d.cv.values, rtol=1e-8)
    # docs/theory/ssn_lif.md §2: mu = 10 -> 0.969, mu = 20 -> 0.894 (sigma = 3, tau = 20 ms)
    assert d.mu.values[:2].tolist() == [10.0, 20.0] and d.sigma.values[0] == 3.0 and d.tau.values[0] == 0.02
    assert cv[:2] == pytest.approx([0.969, 0.894], abs=5e-4)


@pytest.mark.parametrize("kwargs,name", [
    (dict(sigma=0.0), "sigma"), (dict(sigma=-1.0), "sigma"), (dict(tau=0.0), "tau"),
    (dict(tau=-0.01), "tau"), (dict(mu=np.nan), "mu"), (dict(mu=np.inf), "mu"),
    (dict(theta=0.0, v_reset=0.5), "theta"), (dict(t_ref=-0.001), "t_ref"),
])
def test_invalid_input_names_the_parameter(kwargs, name):
    args = dict(mu=10.0, sigma=3.0, tau=0.02)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        phi(**args)


def test_non_numeric_input_is_a_type_error():
    with pytest.raises(TypeError, match="mu"):
        phi("10", 3.0, 0.02)
    with pytest.raises(ValueError, match="broadcast"):
        phi(np.zeros(3), np.ones(2), 0.02)


# ----------------------------------------------------------------------------- the table of E(x)
def test_E_table_matches_independent_quadrature_in_every_piece():
    # E(x) = int_0^x erfcx by adaptive quadrature (QUADPACK, a method independent of the table's
    # Gauss-Legendre + Chebyshev construction), at 3 points inside each of the 200 pieces, piece 6
    # included (the piece whose top coefficient came out exactly 0.0 under OpenBLAS's Haswell/Zen
    # kernel, issue 10). quad is asked for 1e-13; the table is good to ~5e-15.
    from scipy.integrate import quad
    from scipy.special import erfcx

    from meanfield.lif.transfer import _DEG, _E, _E_table, _H, _N_INT

    coef, c_inf = _E_table()
    assert coef.shape == (_DEG + 1, _N_INT) and np.all(np.isfinite(coef)) and math.isfinite(c_inf)
    x = ((np.arange(_N_INT)[:, None] + np.array([0.05, 0.5, 0.95])) * _H).ravel()
    ref = np.array([quad(erfcx, 0.0, xi, epsabs=0, epsrel=1e-13, limit=200)[0] for xi in x])
    assert np.max(np.abs(_E(x) - ref) / ref) < 1e-13


@pytest.mark.parametrize("value, expected", [(0.0, lambda x: 0.0 * x), (1.0, lambda x: x)])
def test_E_table_keeps_its_shape_when_coefficients_are_exactly_zero(monkeypatch, value, expected):
    # Regression (issue 10): cheb2poly dropped a top coefficient that was exactly 0.0, and
    # "could not broadcast (10,) into (11,)" followed in every phi call. With erfcx replaced by a
    # constant, E is linear (or 0) and every coefficient above s^1 is (exactly or nearly) zero:
    # the table must keep _DEG + 1 rows and reproduce E exactly.
    import scipy.special

    from meanfield.lif.transfer import _DEG, _E_table, _H, _N_INT

    monkeypatch.setattr(scipy.special, "erfcx", lambda z: np.full_like(z, value))
    coef, _ = _E_table.__wrapped__()          # the uncached builder, with the patched erfcx
    assert coef.shape == (_DEG + 1, _N_INT)
    if value == 0.0:
        assert np.all(coef == 0.0)
    # Horner in the local variable s of piece i: x = (i + 1/2 + s/2) H
    i = np.arange(_N_INT)
    for s in (-1.0, -0.3, 0.0, 0.7, 1.0):
        p = np.zeros(_N_INT)
        for k in range(_DEG, -1, -1):
            p = p * s + coef[k]
        assert np.allclose(p, expected((i + 0.5 + 0.5 * s) * _H), rtol=1e-14, atol=1e-14)
