"""Tests of meanfield.ssn.regimes: Fig 5 maps, fold curves and regime boundaries.

References: the paper's Fig 5 / S1 Fig statements (Ekelmans et al. 2023), the closed forms of
``docs/theory/ssn_lif.md`` §8, §10, §11 (Eq 4, Eq 7, Eqs S2/S4) and direct state counts of meanfield.ssn.model.
"""
import numpy as np
import pytest

from meanfield.ssn import regimes as R
from meanfield.ssn.model import SSN

J_FIG4 = [[5, 10], [7, 11]]  # Fig 5A (det J = 15 > 0)
J_NEGDET = [[1.25, 1], [1, 1.25]]  # Fig 5B (det J = -0.5625 < 0)


@pytest.fixture(scope="module")
def map_a():
    return R.regime_map(SSN.paper(J_FIG4), np.linspace(0, 15, 61), r=np.linspace(0, 5, 41)).table


@pytest.fixture(scope="module")
def map_b():
    return R.regime_map(SSN.paper(J_NEGDET), np.linspace(0, 50, 51), r=np.linspace(0, 5, 41)).table


def at(table, mu, r):
    i = ((table.mu_E - mu) ** 2 + (table.r - r) ** 2).idxmin()
    return table.loc[i]


def test_fig5a_labels(map_a):
    p = at(map_a, 3.0, 1.0)
    assert p.bistable and p.n_states == 3 and p.n_stable == 2  # Fig 4A window at r = 1
    p = at(map_a, 10.0, 0.5)
    assert p.isn and p.balanced == "stable" and not p.supersaturating
    p = at(map_a, 12.0, 4.0)
    assert p.supersaturating and not p.bistable
    p = at(map_a, 1.0, 1.0)
    assert p.regime == "stable" and not p.isn  # low activity, not inhibition-stabilised
    assert not map_a.no_steady_state.any()  # det J > 0: always >= 1 state (parity rule)
    # balanced limit stable exactly for r < J_II/J_EI = 1.1 (Eq S4), for mu > 0
    pos = map_a[map_a.mu_E > 0]
    assert np.array_equal(pos.balanced == "stable", pos.r < 1.1)
    # Eq 4: supersaturation only where r > J_II/J_EI
    assert (map_a[map_a.supersaturating].r > 1.1).all()


def test_fig5b_labels(map_b):
    p = at(map_b, 40.0, 0.5)
    assert p.no_steady_state and p.regime == "no steady state"
    p = at(map_b, 5.0, 3.0)
    assert p.balanced == "unstable"  # Eq S2 holds (r > 1.25) but det J < 0 (Eq S4)
    assert (map_b.n_states % 2 == 0).all()  # det J < 0: even number of states
    assert (map_b[map_b.mu_E > 0].balanced != "stable").all()
    assert at(map_b, 30.0, 4.0).supersaturating
    assert not at(map_b, 45.0, 4.0).supersaturating  # E already silenced there (d nu_E/d mu = 0)
    assert at(map_b, 5.0, 1.0).n_states == 2  # stable state paired with an unstable one


def test_persistent_activity_region():
    tab = R.regime_map(SSN.paper(J_FIG4, tau_E_fit=0.022), np.linspace(0, 3, 31), r=[0.5, 1.0]).table
    r1 = tab[tab.r == 1.0]
    assert r1.persistent.iloc[0] and r1.bistable.iloc[0]
    # persistent exactly where the window that contains mu = 0 continues (upper fold ~1.40 mV/s)
    assert r1[r1.persistent].mu_E.max() == pytest.approx(1.4, abs=0.1)
    tab20 = R.regime_map(SSN.paper(J_FIG4), np.linspace(0, 5, 21), r=[1.0]).table
    assert tab20.bistable.any() and not tab20.persistent.any()


def test_fold_curve_matches_state_counts():
    ssn = SSN.paper(J_FIG4)
    folds = R.fold_curve(ssn, [0.5, 1.0, 1.5], mu_E_range=(0, 10)).table
    assert folds.resolved.all()
    for r, grp in folds.groupby("r"):
        lo, hi = grp.mu_E.min(), grp.mu_E.max()
        c = ssn.state_counts([lo - 1e-6, lo + 1e-6, hi - 1e-6, hi + 1e-6], r=r).table.n_states.tolist()
        assert c == [1, 3, 3, 1]
    # at a fold F = F' = 0: Delta = 0 at the double root
    f = folds.iloc[0]
    res = ssn.steady_states(f.mu_E + 1e-9, r=f.r)
    tab = res.table
    pair = tab[(tab.nu_E - f.nu_E).abs() < 0.05]  # a double root, or two roots closer than 0.05 Hz
    assert len(pair) in (1, 2) and np.all(np.abs(pair.delta) < 1e-3)
    assert res.diagnostics["n_parity_violations"] == 0  # the double root counts twice


def test_isn_boundary_separates_isn_states():
    ssn = SSN.paper(J_FIG4)
    res = R.isn_boundary(ssn, [0.5, 2.0], mu_E_range=(0, 15))
    bnd = res.table
    assert res.success and bnd.found.all()
    assert len(bnd) >= 2
    for _, b in bnd.iterrows():  # a steady state sits exactly at nu_E^ISN on the boundary (§10)
        tab = ssn.steady_states(b.mu_E, r=b.r).table
        assert np.min(np.abs(tab.nu_E / ssn.isn_threshold() - 1)) < 1e-6
        assert b.nu_E == pytest.approx(ssn.isn_threshold())


def test_supersaturation_boundary_is_the_peak_of_nu_E():
    ssn = SSN.paper(J_FIG4)
    res = R.supersaturation_boundary(ssn, [2.0, 0.5], mu_E_range=(0, 15))
    bnd = res.table[res.table.found]
    assert set(bnd.r) == {2.0}  # r = 0.5 < J_II/J_EI: Eq 4 fails, no boundary
    assert res.success and "Eq 4 fails" in res.message and "0.5" in res.message
    mu = bnd.mu_E.iloc[0]
    tab = ssn.steady_states([mu - 1e-3, mu + 1e-3], r=2.0).table
    assert list(tab.supersaturating) == [False, True] and tab.stable.all()
    assert tab.nu_I.iloc[0] == pytest.approx(ssn.supersaturation_threshold(2.0), rel=1e-3)


def test_plot_regime_map(map_a):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    folds = R.fold_curve(SSN.paper(J_FIG4), np.linspace(0, 2, 5), mu_E_range=(0, 15))
    ax = R.plot_regime_map(map_a, folds=folds, title="Fig 5A")    # a table and a result
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"ISN", "supersaturation", "bistability", "stable balanced limit"} <= set(labels)
    assert "mV/s" in ax.get_xlabel()
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="folds lacks the fold_curve column"):
        R.plot_regime_map(map_a, folds=folds.table.rename(columns={"mu_E": "mu"}))


def test_bad_grid_input():
    ssn = SSN.paper(J_FIG4)
    with pytest.raises(ValueError, match="mu"):
        R.regime_map(ssn, [np.nan, 1.0], r=[1.0])
    with pytest.raises(ValueError, match="mu_E_range"):
        R.fold_curve(ssn, [1.0], mu_E_range=(5, 1))
    with pytest.raises(TypeError, match="positional"):
        R.fold_curve(ssn, [1.0], (0, 5))   # the range is keyword-only


# ---------------------------------------------------------------- result convention (RegimeResult)
def test_results_follow_the_convention():
    from brianmodels.result import check_result

    ssn = SSN.paper(J_FIG4)
    res = R.regime_map(ssn, np.linspace(0, 5, 6), r=[0.5, 1.0])
    check_result(res)
    assert res.status == 0 and list(res.table.columns) == list(R.REGIME_COLUMNS)
    assert res.summary()["n_points"].sum() == 12 and not res.table.parity_violated.any()
    assert res.params["method"] == "regime_map" and res.params["r"] == [0.5, 1.0]
    for res in (R.fold_curve(ssn, [1.0], mu_E_range=(0, 10)), ssn.fold_curve([1.0], mu_E_range=(0, 10)),
                R.isn_boundary(ssn, [1.0], mu_E_range=(0, 15)),
                R.supersaturation_boundary(ssn, [2.0], mu_E_range=(0, 15))):
        check_result(res)
        assert res.status == 0 and len(res.table) and res.params["mu_E_range"] == [0.0, res.params["mu_E_range"][1]]
    assert np.allclose(res.table.mu_I, 2.0 * res.table.mu_E)


def test_boundary_not_found_is_a_marked_row_not_a_failure():
    from brianmodels.result import check_result

    ssn = SSN.paper(J_FIG4)
    res = R.isn_boundary(ssn, [0.5, 2.0], mu_E_range=(0, 1))  # the ISN boundary lies above 3 mV/s
    check_result(res)
    assert res.status == 0 and "no crossing" in res.message and "0 crossing(s)" in res.message
    assert len(res.table) == 2 and not res.table.found.any() and res.table.mu_E.isna().all()
    ss = R.supersaturation_boundary(ssn, [0.5], mu_E_range=(0, 15))
    check_result(ss)
    assert ss.status == 0 and "Eq 4 fails" in ss.message and not ss.table.found.any()


def test_unresolved_fold_is_status_3(monkeypatch):
    """Two folds in one scan cell (a count jump of 4) cannot be told apart: status 3, row marked."""
    from brianmodels.result import check_result

    states = R._k.states

    def doubled(mu_E, mu_I, P, grid=None):   # 1 -> 1 and 3 -> 5 states: every fold jumps by 4
        st = states(mu_E, mu_I, P, grid)
        return {**st, "n_states": 2 * st["n_states"] - 1}

    monkeypatch.setattr(R._k, "states", doubled)
    res = R.fold_curve(SSN.paper(J_FIG4), [1.0], mu_E_range=(0, 10))
    check_result(res)
    assert res.status == 3 and not res.success and "not resolved" in res.message
    assert len(res.table) == 2 and not res.table.resolved.any() and set(res.table.change) == {4, -4}
