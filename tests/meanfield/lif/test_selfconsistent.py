"""Tests of the Ricciardi self-consistency Phi_sc (Eqs 12-14), its continuation kernel and size scaling.

Independent references: Eq 14 re-evaluated here from the network's K, j and the public ``phi``;
brute-force Euler integration of the rate dynamics; closed-form folds of a cubic; the paper's
statements (bistable window ~2-4 mV/s, supersaturation peak, Fig 6 trends) and the balanced-state
formula Eq S1 written out here from J.
"""
import math

import numpy as np
import pandas as pd
import pytest

from brianmodels import presets
from meanfield import phi, selfconsistent
from meanfield._solvers import continue_curve, locate_fold
from meanfield.lif.scaling import default_sizes, size_scaling
from meanfield.lif.selfconsistency import TABLE_COLUMNS, PhiNetwork, solve_point


# ----------------------------------------------------------------------------- independent Eq 12/14
def rhs(net, nu, mu_ext):
    """Phi_X(mu_X, sigma_X) of Eq 14 for rates nu (..., 2), written from K and j (Eqs 12, 13)."""
    K, j = np.asarray(net.K, float), np.asarray(net.j, float)
    J = K * j
    nu = np.asarray(nu, float)
    mu = mu_ext + np.stack([J[0, 0] * nu[..., 0] - J[0, 1] * nu[..., 1],
                            J[1, 0] * nu[..., 0] - J[1, 1] * nu[..., 1]], -1)
    var = net.sigma_ext ** 2 + np.stack([K[0, 0] * j[0, 0] ** 2 * nu[..., 0] + K[0, 1] * j[0, 1] ** 2 * nu[..., 1],
                                         K[1, 0] * j[1, 0] ** 2 * nu[..., 0] + K[1, 1] * j[1, 1] ** 2 * nu[..., 1]], -1)
    return phi(mu, np.sqrt(var), net.tau, net.theta, net.v_reset, net.t_ref)


@pytest.fixture(scope="module")
def bistable():
    net = presets.get("bistable")
    return net, selfconsistent(net, np.linspace(0.0, 10.0, 101))


@pytest.fixture(scope="module")
def supersat():
    net = presets.get("supersaturating")
    return net, selfconsistent(net, np.linspace(0.0, 50.0, 51))


# ----------------------------------------------------------------------------- continuation kernel
def test_continuation_follows_cubic_through_both_folds():
    # F(x, lam) = x^3 - x - lam: folds at x = -+1/sqrt(3), lam = +-2/(3 sqrt(3))
    F = lambda v: np.array([v[0] ** 3 - v[0] - v[1]])          # noqa: E731
    J = lambda v: np.array([[3 * v[0] ** 2 - 1, -1.0]])        # noqa: E731
    res = continue_curve(F, J, [-1.3, -1.0], param_bounds=(-1.0, 1.0), ds=0.05, ds_max=0.1, tol=1e-13)
    assert res.status == 0 and res.success
    assert res.x[-1, 1] == pytest.approx(1.0, abs=1e-14)
    assert res.max_residual < 1e-12
    assert len(res.folds) == 2
    lam_f = 2 / (3 * math.sqrt(3))
    found = [locate_fold(F, J, res.x[i], res.tangent[i], res.x[i + 1], tol=1e-14) for i in res.folds]
    np.testing.assert_allclose(found[0], [-1 / math.sqrt(3), lam_f], atol=1e-7)
    np.testing.assert_allclose(found[1], [1 / math.sqrt(3), -lam_f], atol=1e-7)
    # the end point is the largest root of x^3 - x - 1 = 0 (plastic number 1.3247...)
    assert res.x[-1, 0] == pytest.approx(1.324717957244746, rel=1e-12)


def test_continuation_detects_closed_loop():
    F = lambda v: np.array([v[0] ** 2 + v[1] ** 2 - 1.0])       # noqa: E731
    J = lambda v: np.array([[2 * v[0], 2 * v[1]]])             # noqa: E731
    res = continue_curve(F, J, [1.0, 0.0], param_bounds=(-5, 5), ds=0.05, ds_max=0.1)
    assert res.status == 0 and res.end == "loop" and len(res.folds) == 2
    assert np.allclose(np.hypot(res.x[:, 0], res.x[:, 1]), 1.0, atol=1e-10)


# ----------------------------------------------------------------------------- bistable network (Fig 4)
def test_bistable_fold_pair_between_2_and_4(bistable):
    net, res = bistable
    assert res.status == 0, res.message
    folds = np.sort(res.folds.mu_E.to_numpy())
    assert folds.size == 2
    # paper: bistable for mu_ext in about 2-4 mV/s (Fig 4A)
    assert 1.5 < folds[0] < 2.5 and 3.0 < folds[1] < 4.5
    t = res.table
    counts = t.groupby("point").size()
    mu = t.groupby("point").mu_E.first()
    inside = (mu > folds[0]) & (mu < folds[1])
    assert np.all(counts[inside] == 3) and np.all(counts[~inside] == 1)
    # inside the window: low stable, middle saddle, high stable
    for _, g in t[t.point.isin(counts[inside].index)].groupby("point"):
        assert g.sort_values("nu_E").stable.tolist() == [True, False, True]
    # three segments (low, middle, high) between the folds, numbered in order of nu_E
    assert sorted(t.segment.unique()) == [0, 1, 2]
    assert t.groupby("segment").nu_E.mean().is_monotonic_increasing
    # ... of one branch: the S-shaped curve is connected through both folds
    assert t.branch.nunique() == 1 and set(res.folds.branch) == {0}


def test_every_point_satisfies_eq14(bistable, supersat):
    for net, res in (bistable, supersat):
        t = res.table
        nu = t[["nu_E", "nu_I"]].to_numpy()
        mu_ext = t[["mu_E", "mu_I"]].to_numpy()
        resid = np.abs(rhs(net, nu, mu_ext) - nu)
        assert resid.max() <= 1e-8, resid.max()
        assert list(t.columns[:len(TABLE_COLUMNS)]) == list(TABLE_COLUMNS)


def test_stability_agrees_with_euler_integration(bistable):
    net, res = bistable
    t = res.table
    rows = pd.concat([t[t.point == 28], t[t.point == 70]])   # mu = 2.8 (3 states), 7.0 (1 state)
    assert len(rows) == 4
    rng = np.random.default_rng(1)
    nu0 = np.repeat(rows[["nu_E", "nu_I"]].to_numpy(), 3, axis=0)
    mu_ext = np.repeat(rows[["mu_E", "mu_I"]].to_numpy(), 3, axis=0)
    delta = rng.normal(size=nu0.shape)
    delta *= 1e-3 * (nu0 + 0.01) / np.linalg.norm(delta, axis=1, keepdims=True)
    nu = nu0 + delta
    dt, T = 5e-4, 0.6   # |eigenvalues| <= ~50/s: dt |lambda| <= 0.025, and e^{+-0.6 |lambda|} separates
    for _ in range(int(T / dt)):        # tau_X dnu_X/dt = -nu_X + Phi_X, explicit Euler
        nu = nu + dt / net.tau * (rhs(net, nu, mu_ext) - nu)
    growth = np.linalg.norm(nu - nu0, axis=1) / np.linalg.norm(delta, axis=1)
    stable = np.repeat(rows.stable.to_numpy(), 3)
    assert stable.sum() == 9
    assert np.all(growth[stable] < 0.1) and np.all(growth[~stable] > 10)


def test_solve_point_finds_all_states_and_agrees_with_sweep(bistable):
    net, res = bistable
    ps = solve_point(net, 3.0, mu_I=3.0)
    assert ps.success and len(ps.nu) == 3
    assert ps.stable.tolist() == [True, False, True]
    row = res.table[res.table.point == 30].sort_values("nu_E")
    np.testing.assert_allclose(ps.nu, row[["nu_E", "nu_I"]].to_numpy(), rtol=1e-9)
    assert ps.residual.max() < 1e-10
    assert len(solve_point(net, 6.0, mu_I=6.0).nu) == 1


def test_long_format(bistable):
    _, res = bistable
    lf = res.long()
    assert len(lf) == 2 * len(res.table)
    assert set(lf.population) == {"E", "I"}
    e = lf[lf.population == "E"].sort_values(["point", "segment"])
    t = res.table.sort_values(["point", "segment"])
    np.testing.assert_array_equal(e.nu.to_numpy(), t.nu_E.to_numpy())


# ----------------------------------------------------------------------------- supersaturating network (Fig 2A)
def test_supersaturating_network_peaks(supersat):
    net, res = supersat
    t = res.table
    assert res.status == 0 and t.groupby("point").size().max() == 1
    k = t.nu_E.idxmax()
    # nu_E rises, peaks (the paper's BF/CV runs sit at the peak, mu = 19 mV/s) and falls again
    assert 15.0 <= t.mu_E[k] <= 25.0
    assert t.nu_E[k] > 2 * t.nu_E.iloc[0] and t.nu_E.iloc[-1] < 0.5 * t.nu_E[k]
    assert t.stable.all()


# ----------------------------------------------------------------------------- plain-array form and validation
def test_from_arrays_equals_from_network():
    net = presets.get("bistable")
    a = PhiNetwork.from_network(net)
    b = PhiNetwork.from_arrays(net.J, K=net.K, tau=net.tau, sigma_ext=net.sigma_ext)
    np.testing.assert_allclose(a.jv, b.jv, rtol=1e-14)
    pa, pb = solve_point(a, 3.0, mu_I=3.0), solve_point(b, 3.0, mu_I=3.0)
    np.testing.assert_allclose(pa.nu, pb.nu, rtol=1e-10)


@pytest.mark.parametrize("kwargs,exc,name", [
    (dict(mu_E=[1.0]), ValueError, "mu_E"),
    (dict(mu_E=[0.0, np.nan]), ValueError, "mu_E"),
    (dict(mu_E=[0.0, 1.0], mu_I=[0.0]), ValueError, "mu_I"),
    (dict(mu_E=[0.0, 1.0], nu_max=-1.0), ValueError, "nu_max"),
    (dict(mu_E=[0.0, 0.0]), ValueError, "differ"),
    (dict(mu_E=[0.0, 1.0], r="a"), TypeError, "r"),
])
def test_invalid_sweep_input(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        selfconsistent(presets.get("bistable"), **kwargs)


def test_invalid_network():
    with pytest.raises(TypeError, match="J, j, tau"):
        selfconsistent(object(), [0.0, 1.0])
    with pytest.raises(ValueError, match="tau"):
        PhiNetwork.from_arrays([5, 10, 7, 11], j=0.01, tau=(0.02, -0.01))
    with pytest.raises(ValueError, match="exactly one"):
        PhiNetwork.from_arrays([5, 10, 7, 11])


# ----------------------------------------------------------------------------- size scaling (Fig 6)
def _balanced(J, mu, r):
    """Eq S1: nu^inf = mu (J_II - r J_EI, J_IE - r J_EE) / det J, det J = J_EI J_IE - J_EE J_II."""
    d = J[0, 1] * J[1, 0] - J[0, 0] * J[1, 1]
    return mu * (J[1, 1] - r * J[0, 1]) / d, mu * (J[1, 0] - r * J[0, 0]) / d


def test_default_sizes_span_fig6():
    N = default_sizes()
    assert N[0] == 4000 and 5.0e5 < N[-1] < 5.1e5 and len(N) == 22 and all(n % 4 == 0 for n in N)


def test_fig6b_supersaturating_network_silences_E_as_N_grows():
    net = presets.get("supersaturating")
    mu_hat = np.linspace(0.0, 50 / math.sqrt(4000), 21)
    res = size_scaling(net, [4000, 40000, 504000], mu_hat, n_check=2)
    assert res.status == 0, res.message
    t = res.table
    assert set(t.N) == {4000, 40000, 504000} and {"mu_hat_E", "mu_hat_I"} <= set(t.columns)
    np.testing.assert_allclose(t.mu_hat_E * np.sqrt(t.N), t.mu_E, rtol=1e-12)
    peak = t.groupby("N").nu_E.max()
    end = t[t.point == 20].set_index("N").nu_E
    # "As N grows, the excitatory activity peak becomes smaller and in the limit of very large
    # networks, the excitatory population remains silenced" (Fig 6B); no balanced state exists:
    assert peak[4000] > 2 * peak[40000] > 4 * peak[504000]
    assert end[504000] < 1e-3 < end[4000]
    J = net.scaled(504000).J
    assert _balanced(J, 1.0, 1.0)[0] < 0        # Eq S1 gives a negative E rate (Eq S2 violated)


def test_fig6d_bistable_network_converges_slowly_to_balanced_limit():
    net = presets.get("bistable")
    mu_hat = np.array([0.0, 10 / math.sqrt(4000)])
    res = size_scaling(net, [4000, 40000, 504000], mu_hat, n_check=0)
    t = res.table[res.table.point == 1].set_index("N")
    dev = {}
    for N in (4000, 40000, 504000):
        nu_bal = _balanced(net.scaled(N).J, t.mu_E[N], 1.0)[0]
        dev[N] = abs(t.nu_E[N] / nu_bal - 1)
    # approaches the balanced limit (Eq S1) but "even at N = 5e5 ... still do not converge"
    assert dev[4000] > dev[40000] > dev[504000] > 0.5


def test_fig6f_negative_det_unstable_branch_approaches_balanced_state():
    net = presets.get("negative_det")
    res = size_scaling(net, [20000, 504000], np.linspace(0.0, 0.2, 41), r=3.0, n_check=2)
    t = res.table[res.table.point == 40]
    nu_bal = {N: _balanced(net.scaled(N).J, g.mu_E.iloc[0], 3.0)[0] for N, g in t.groupby("N")}
    dev = {N: abs(g[~g.stable].nu_E.iloc[0] / nu_bal[N] - 1) for N, g in t.groupby("N")}
    low = {N: g[g.stable].nu_E.iloc[0] for N, g in t.groupby("N")}
    # "The unstable network solution approaches the balanced state, while the stable solution
    # tends to 0 as N increases" (Fig 6F)
    assert dev[504000] < 0.5 * dev[20000] and dev[504000] < 0.2
    assert low[504000] < 0.01 * low[20000]
