"""Tests of meanfield.ssn.model / ssn_kernels / ssn_symbolic against independent references.

References: brute-force Euler integration of Eq 2, finite differences, the theory file's
hand-written formulas (``docs/theory/ssn_lif.md`` §6-§11) and the paper's stated values (Ekelmans et al. 2023).
"""
import math

import numpy as np
import pytest

from meanfield.ssn import kernels as K
from meanfield.ssn.model import PAPER_FITS, SSN

# Paper SSN couplings (``docs/theory/ssn_lif.md`` §13, Table B), [[J_EE, J_EI], [J_IE, J_II]] in mV.
J_FIG2 = [[2, 12], [6, 1]]
J_ALLEN = [[0.672, 13.173], [23.675, 11.846]]
J_ALLEN_ISN = [[4.75, 13.173], [23.675, 11.846]]
J_FIG4 = [[5, 10], [7, 11]]
J_NEGDET = [[1.25, 1], [1, 1.25]]


def euler(ssn, mu_E, mu_I, nu0, T=1.5, dt=2.5e-4):
    """Brute-force forward-Euler integration of Eq 2 for many initial conditions at once."""
    a, b, n, tau, J = ssn.a, ssn.b, ssn.n, ssn.tau, ssn.J
    nu = np.array(nu0, float)
    for _ in range(int(T / dt)):
        xE = J[0, 0] * nu[:, 0] - J[0, 1] * nu[:, 1] + mu_E - b[0]
        xI = J[1, 0] * nu[:, 0] - J[1, 1] * nu[:, 1] + mu_I - b[1]
        fE = a[0] * np.maximum(xE, 0) ** n[0]
        fI = a[1] * np.maximum(xI, 0) ** n[1]
        nu = nu + dt * np.stack([(-nu[:, 0] + fE) / tau[0], (-nu[:, 1] + fI) / tau[1]], 1)
        nu = np.minimum(nu, 1e4)  # blow-up guard
    return nu


def drift(ssn, nu, mu_E, mu_I):
    a, b, n, tau, J = ssn.a, ssn.b, ssn.n, ssn.tau, ssn.J
    xE = J[0, 0] * nu[0] - J[0, 1] * nu[1] + mu_E - b[0]
    xI = J[1, 0] * nu[0] - J[1, 1] * nu[1] + mu_I - b[1]
    return np.array([(-nu[0] + a[0] * max(xE, 0) ** n[0]) / tau[0],
                     (-nu[1] + a[1] * max(xI, 0) ** n[1]) / tau[1]])


# --------------------------------------------------------------------------- steady states
def test_steady_states_are_fixed_points_and_euler_finds_exactly_the_stable_ones():
    ssn = SSN.paper(J_FIG4)
    tab = ssn.steady_states(3.0, r=1.0).table
    assert list(tab["stability"]) == ["stable", "saddle", "stable"]  # bistable at mu = 3 (Fig 4A)
    for _, row in tab.iterrows():  # residual of Eq 3 at every state (relative to the rates)
        res = drift(ssn, (row.nu_E, row.nu_I), 3.0, 3.0) * ssn.tau
        assert np.all(np.abs(res) <= 1e-9 * (1 + row.nu_E + row.nu_I))
    # 64 initial conditions on a grid: every trajectory ends on a stable state, and both are hit
    g = np.linspace(0, 12, 8)
    nu0 = np.array([(e, i) for e in g for i in np.linspace(0, 3, 8)])
    end = euler(ssn, 3.0, 3.0, nu0)
    stable = tab[tab.stable][["nu_E", "nu_I"]].to_numpy()
    dist = np.abs(end[:, None, :] - stable[None]).max(-1)
    assert np.all(dist.min(1) < 1e-3)  # Euler (dt = 0.25 ms << tau) converges to the fixed point
    assert set(dist.argmin(1)) == {0, 1}


def test_saddle_is_left_along_its_unstable_direction():
    ssn = SSN.paper(J_FIG4)
    tab = ssn.steady_states(3.0, r=1.0).table
    s = tab.iloc[1]
    start = np.array([[s.nu_E * 1.01, s.nu_I], [s.nu_E * 0.99, s.nu_I]])
    end = euler(ssn, 3.0, 3.0, start)
    assert end[0, 0] == pytest.approx(tab.nu_E.iloc[2], rel=1e-3)  # up state
    assert end[1, 0] == pytest.approx(tab.nu_E.iloc[0], rel=1e-3)  # down state


def test_silent_state_with_fig2_network_at_high_input_ratio():
    ssn = SSN.paper(J_ALLEN)
    tab = ssn.steady_states(120.0, r=1.5).table  # Fig 3A inset: E silent near 100 mV/s at r = 1.5
    assert list(tab["kind"]) == ["silent"]
    row = tab.iloc[0]
    assert row.nu_E == 0 and row.stable and row.x_E < 0
    # nu_I solves nu = a_I (r mu - J_II nu - b_I)^n_I (``docs/theory/ssn_lif.md`` §7.2)
    a, b, n = ssn.a[1], ssn.b[1], ssn.n[1]
    assert row.nu_I == pytest.approx(a * (180.0 - J_ALLEN[1][1] * row.nu_I - b) ** n, rel=1e-10)
    end = euler(ssn, 120.0, 180.0, [[5.0, 5.0]], T=1.0)
    assert end[0, 0] == pytest.approx(0, abs=1e-6) and end[0, 1] == pytest.approx(row.nu_I, rel=1e-4)


def test_gains_jacobian_and_linear_response_match_finite_differences():
    ssn = SSN.paper(J_FIG4)
    mu, r, h = 6.0, 1.0, 1e-5
    row = ssn.steady_states(mu, r=r).table.iloc[0]
    nu = np.array([row.nu_E, row.nu_I])
    # Jacobian of Eq 2 by central differences of the drift
    Jfd = np.column_stack([(drift(ssn, nu + h * e, mu, mu) - drift(ssn, nu - h * e, mu, mu)) / (2 * h)
                           for e in np.eye(2)])
    tr, det = np.trace(Jfd), np.linalg.det(Jfd)
    assert row.trace == pytest.approx(tr, rel=1e-6) and row.det == pytest.approx(det, rel=1e-6)
    # gains: slope of the power law at the operating point
    a, b, n = ssn.a[0], ssn.b[0], ssn.n[0]
    gfd = (a * (row.x_E + h) ** n - a * (row.x_E - h) ** n) / (2 * h)
    assert row.g_E == pytest.approx(gfd, rel=1e-8)
    # linear response: re-solve at perturbed inputs
    up = ssn.steady_states(mu + h, mu_I=mu).table.iloc[0]
    dn = ssn.steady_states(mu - h, mu_I=mu).table.iloc[0]
    assert row.R_EE == pytest.approx((up.nu_E - dn.nu_E) / (2 * h), rel=1e-5)
    assert row.R_IE == pytest.approx((up.nu_I - dn.nu_I) / (2 * h), rel=1e-5)
    up = ssn.steady_states(mu, mu_I=mu + h).table.iloc[0]
    dn = ssn.steady_states(mu, mu_I=mu - h).table.iloc[0]
    assert row.R_II == pytest.approx((up.nu_I - dn.nu_I) / (2 * h), rel=1e-5)
    up = ssn.steady_states(mu + h, r=r).table.iloc[0]
    dn = ssn.steady_states(mu - h, r=r).table.iloc[0]
    assert row.dnuE_dmu == pytest.approx((up.nu_E - dn.nu_E) / (2 * h), rel=1e-5)


def test_symbolic_delta_and_response_equal_theory_closed_forms():
    """Theory §6 hand-written Delta and d nu/d mu (independent of the sympy derivation)."""
    from meanfield.ssn.symbolic import functions
    fn = functions()
    rng = np.random.default_rng(0)
    for _ in range(20):
        JEE, JEI, JIE, JII = rng.uniform(0.1, 10, 4)
        gE, gI, r = rng.uniform(0, 2, 3)
        P = (JEE, JEI, JIE, JII, 1e-4, 2e-6, -11.0, 4.8, 3.0, 3.8)
        delta = (1 - gE * JEE) * (1 + gI * JII) + gE * gI * JEI * JIE
        assert fn.delta(gE, gI, *P) == pytest.approx(delta, rel=1e-12)
        R = np.array(fn.response(gE, gI, *P), float)
        assert R[0] @ [1, r] == pytest.approx(gE * (1 + gI * (JII - r * JEI)) / delta, rel=1e-10)
        assert R[1, 1] == pytest.approx(gI * (1 - gE * JEE) / delta, rel=1e-10)


def test_F_prime_equals_minus_delta_at_roots():
    ssn = SSN.paper(J_FIG4)
    tab = ssn.steady_states([3.0, 6.0], r=1.0).table
    tab = tab[tab.kind == "active"]
    h = 1e-6
    for _, row in tab.iterrows():
        z = row.x_E
        dF = (K.F_value(z + h, row.mu_E, row.mu_I, ssn.params)
              - K.F_value(z - h, row.mu_E, row.mu_I, ssn.params)) / (2 * h)
        assert dF == pytest.approx(-row.delta, rel=1e-5)  # ``docs/theory/ssn_lif.md`` §7.4


def test_parity_rule_on_300_random_networks():
    """Theory §7.3: odd number of states for det J > 0, even for det J < 0."""
    rng = np.random.default_rng(1)
    n_bad, n_multi, n_none = 0, 0, 0
    for _ in range(300):
        J = rng.uniform(0.2, 15, (2, 2))
        ssn = SSN.paper(J)
        mu = rng.uniform(-5, 60, 4)
        r = rng.uniform(0, 4, 4)
        tab = ssn.state_counts(mu, mu_I=r * mu).table
        ok = ~tab.beyond_grid
        parity = tab.n_states[ok] % 2
        n_bad += int(np.sum(parity != (1 if ssn.det_J > 0 else 0)))
        n_multi += int(np.sum(tab.n_states >= 3))
        n_none += int(np.sum(tab.n_states == 0))
    assert n_bad == 0
    assert n_multi > 0 and n_none > 0  # the sample covers multistability and blow-up


def test_near_fold_pairs_are_not_lost():
    """Just inside a fold the two merging roots are closer than the z-grid spacing."""
    from meanfield.ssn.regimes import fold_curve
    ssn = SSN.paper(J_FIG4)
    folds = fold_curve(ssn, [1.0], mu_E_range=(0, 10)).table
    mu_hi = folds.mu_E.iloc[1]  # upper fold (states vanish as mu grows)
    for eps in (1e-3, 1e-6, 1e-9):
        res = ssn.steady_states(mu_hi - eps * mu_hi, r=1.0)
        assert len(res.table) == 3 and res.status == 0


# --------------------------------------------------------------------------- sweeps
def test_sweep_follows_the_s_curve_of_fig4_through_both_folds():
    ssn = SSN.paper(J_FIG4)
    sw = ssn.sweep(np.linspace(0, 10, 81), r=1.0).table
    assert sw.branch.nunique() == 1
    step = np.diff(sw.mu_E.to_numpy())
    turns = np.sum(np.diff(np.sign(step[step != 0])) != 0)
    assert turns == 2  # forward, back along the saddle branch, forward again
    stab = sw.stability.to_numpy()
    assert list(dict.fromkeys(stab)) == ["stable", "saddle"]
    assert np.all(np.diff(sw.nu_E.to_numpy()) > 0)  # along the S-curve nu_E keeps increasing


def test_sweep_continues_into_the_silent_state():
    ssn = SSN.paper(J_ALLEN)
    sw = ssn.sweep(np.linspace(0, 150, 151), r=1.5).table
    assert sw.branch.nunique() == 1
    assert sw.kind.iloc[-1] == "silent" and sw.kind.iloc[0] == "active"
    assert sw.stable.all()


def test_supersaturation_peak_sits_at_nu_I_star_fig2():
    """Eq S6: the peak of nu_E(mu) is where nu_I crosses nu_I*; Eq 4: r > J_II/J_EI needed."""
    ssn = SSN.paper(J_FIG2)
    sw = ssn.sweep(np.linspace(0, 50, 2001), r=1.0).table
    st = sw[sw.stable]
    k = st.nu_E.idxmax()
    nu_star = ssn.supersaturation_threshold(1.0)
    assert st.loc[k, "nu_I"] == pytest.approx(nu_star, rel=0.01)
    assert ssn.supersaturation_onset(1.0) == pytest.approx(st.loc[k, "mu_E"], abs=0.03)
    assert st.supersaturating.any()
    assert ssn.supersaturation_condition(1.0) and not ssn.supersaturation_condition(1 / 12 - 1e-3)
    low = ssn.sweep(np.linspace(0, 500, 201), r=0.05).table  # r < J_II/J_EI: never supersaturating
    assert not low.supersaturating.any()
    assert ssn.supersaturation_threshold(0.05) == math.inf


# --------------------------------------------------------------------------- paper statements
def test_allen_network_balance_and_isn_threshold():
    ssn = SSN.paper(J_ALLEN)
    assert not ssn.balanced_state(1.0)["exists"]  # "no balanced state solution for r = 1"
    assert ssn.balanced_state(0.89)["exists"] and ssn.balanced_state(0.89)["stable"]
    assert not ssn.balanced_state(0.9)["exists"]  # "requires r < 0.9" (J_II/J_EI = 0.8993)
    assert ssn.isn_threshold() == pytest.approx(27.4, abs=0.5)  # "nu_E > 27 Hz"
    sw = ssn.sweep(np.linspace(0, 200, 101), r=1.0).table
    assert sw[sw.stable].nu_E.max() < 27  # hence never ISN at r = 1
    assert not sw[sw.stable].isn.any()


def test_modified_allen_network_is_isn_and_paradoxical():
    ssn = SSN.paper(J_ALLEN_ISN)
    assert ssn.isn_threshold() == pytest.approx(1.5, abs=0.05)  # "nu_E > 1.5 Hz"
    tab = ssn.steady_states(100.0, mu_I=[50.0, 75.0, 100.0]).table  # Fig 3B second phase
    assert tab.stable.all() and tab.isn.all() and tab.paradoxical.all()
    assert np.all(np.diff(tab.nu_I) < 0)  # I rate falls while its input grows


def test_fig4_bistability_window_and_persistent_activity():
    from meanfield.ssn.regimes import fold_curve
    f20 = fold_curve(SSN.paper(J_FIG4), [1.0], mu_E_range=(0, 10)).table
    assert len(f20) == 2
    assert 1.8 < f20.mu_E.iloc[0] < 2.6 and 3.2 < f20.mu_E.iloc[1] < 4.2  # "2-4 mV/s"
    # tau_E = 18 ms: a narrow window (~0.003 mV/s) near 6.57 mV/s, so scan finely
    f18 = fold_curve(SSN.paper(J_FIG4, tau_E_fit=0.018), [1.0], mu_E_range=(5, 8), n_grid=3001).table
    f22 = fold_curve(SSN.paper(J_FIG4, tau_E_fit=0.022), [1.0], mu_E_range=(-5, 10)).table
    w = [np.ptp(f.mu_E) for f in (f18, f20, f22)]
    assert w[0] < w[1] < w[2]  # larger tau_E: broader window ...
    assert f18.mu_E.iloc[0] > f20.mu_E.iloc[0] > f22.mu_E.iloc[0]  # ... shifted left
    assert f22.mu_E.iloc[0] < 0 < f22.mu_E.iloc[1]  # window contains mu = 0: persistent activity
    assert SSN.paper(J_FIG4, tau_E_fit=0.022).state_counts(0.0).table.n_stable.iloc[0] == 2


def test_balanced_rates_eq_s1_and_negative_det_instability():
    ssn = SSN.paper(J_FIG4)
    e, i = ssn.balanced_rates(np.array([1.0, 2.0]), r=0.5)
    J = np.array(J_FIG4, float) * [1, -1]
    assert np.allclose(J @ np.array([e, i]) + np.outer([1, 0.5], [1, 2]), 0, atol=1e-12)
    neg = SSN.paper(J_NEGDET).balanced_state(3.0)
    assert neg["exists"] and not neg["stable"]  # Fig 5B / 6F


def test_size_scaling_trends_fig6():
    mu_hat = np.linspace(0, 0.79, 80)
    sup = SSN.paper(J_FIG2).size_scan([4000, 40000, 400000], mu_hat, r=1.0).table
    peaks = sup[sup.stable].groupby("N").nu_E.max()
    assert peaks.is_monotonic_decreasing and peaks.iloc[-1] < 0.5 * peaks.iloc[0]  # Fig 6B
    assert np.allclose(SSN.paper(J_FIG2).scaled(16000).J, 2 * np.array(J_FIG2))
    neg = SSN.paper(J_NEGDET)
    small = neg.scaled(4000).state_counts(np.linspace(1, 50, 50), r=3.0).table
    big = neg.scaled(400000).state_counts(np.linspace(1, 50, 50) * 10, r=3.0).table
    assert (small.n_states > 0).all() and (big.n_states == 0).any()  # Fig 6E gap


# --------------------------------------------------------------------------- mapping, input checks
def test_from_network_maps_fits_and_couplings(monkeypatch):
    import meanfield.lif.powerlaw as pl
    from brianmodels import presets

    class Fit:
        def __init__(self, sigma, tau, **kw):
            self.a, self.b, self.n = sigma * tau, -tau * 100, 2 + tau * 50

    monkeypatch.setattr(pl, "fit_powerlaw", lambda **kw: Fit(**kw))
    net = presets.get("bistable_tauE22")
    ssn = SSN.from_network(net)
    assert np.array_equal(ssn.J, net.J) and ssn.network is net
    assert np.allclose(ssn.a, 3 * net.tau) and np.allclose(ssn.tau, net.tau)


def test_bad_input_is_rejected_with_the_parameter_name():
    good = dict(J=J_FIG4, a=PAPER_FITS["a"], b=PAPER_FITS["b"], n=PAPER_FITS["n"])
    cases = [(dict(J=[[1, 2, 3]]), "J"), (dict(J=[[-1, 1], [1, 1]]), "J"), (dict(J=[[1, 0], [1, 1]]), "J_EI"),
             (dict(J=[[np.nan, 1], [1, 1]]), "J"), (dict(a=(0, 1)), "a"), (dict(n=(0.5, 3)), "n"),
             (dict(b=(1, 2, 3)), "b"), (dict(tau=(0.02, -1)), "tau")]
    for change, name in cases:
        with pytest.raises(ValueError, match=name):
            SSN(**{**good, **change})
    with pytest.raises(TypeError, match="J"):
        SSN(**{**good, "J": "abc"})
    ssn = SSN(**good)
    with pytest.raises(ValueError, match="mu_E"):
        ssn.steady_states([1.0, np.inf])
    with pytest.raises(ValueError, match="mu_I"):
        ssn.steady_states(1.0, mu_I=np.nan)
    with pytest.raises(ValueError, match="either mu_I"):
        ssn.steady_states(1.0, mu_I=1.0, r=1.0)
    with pytest.raises(ValueError, match="N_total"):
        ssn.scaled(-5)
    with pytest.raises(ValueError, match="tau_E_fit"):
        SSN.paper(J_FIG4, tau_E_fit=0.03)
