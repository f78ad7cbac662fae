"""Tests of meanfield.ssn.design: Eq 5 / Eq 6 inversion and regime targeting.

References: the paper's Fig 2E/F breakpoint (docs/theory/ssn_lif.md §9), the Fig 2B networks
(J = [2, 15, 4.8, 1], r = 0.8 for f = 1.25; Table B), the Allen-ISN network (J_EE = 4.75 for
nu_E^ISN = 1.5 Hz, §10/§13), and independent recomputation with the SSN's steady-state solver.
"""
import numpy as np
import pytest

from meanfield.ssn.design import inputs_for, target_balanced, target_bistability, target_isn, \
    target_supersaturation, weights_for
from meanfield.ssn.model import SSN

# rounded fits used in the authors' scripts (``docs/theory/ssn_lif.md`` §3)
A, B, NEXP = (1.079e-4, 2.210e-6), (-11.14, 4.77), (3.081, 3.815)


def ssn(J):
    return SSN(np.reshape(J, (2, 2)), A, B, NEXP)


SUPERSAT = ssn([2, 12, 6, 1])
BISTABLE = ssn([5, 10, 7, 11])


def _match(ss, nu_E, nu_I):
    """Largest relative distance from each target to the nearest returned steady state."""
    worst = 0.0
    for k, (e, i) in enumerate(zip(np.ravel(nu_E), np.ravel(nu_I))):
        rows = ss[ss["point"] == k] if "point" in ss else ss.iloc[[k]]
        d = np.min(np.abs(rows["nu_E"].to_numpy() - e) / e + np.abs(rows["nu_I"].to_numpy() - i) / i)
        worst = max(worst, d)
    return worst


def test_eq5_round_trip_trajectory():
    t = np.linspace(0, 1, 25)
    nu_E = 3 + 2 * np.sin(2 * np.pi * t)           # 1..5 Hz, rising side of the supersat curve
    nu_I = 0.3 + 0.2 * np.cos(2 * np.pi * t)
    mu_E, mu_I = inputs_for(SUPERSAT, nu_E, nu_I)
    assert mu_E.shape == t.shape
    ss = SUPERSAT.steady_states(mu_E, mu_I=mu_I).table
    got = []
    for k in range(t.size):
        rows = ss[(ss["mu_E"] == mu_E[k]) & (ss["mu_I"] == mu_I[k]) & ss["stable"]]
        j = np.argmin(np.abs(rows["nu_E"].to_numpy() - nu_E[k]))
        got.append((rows["nu_E"].to_numpy()[j], rows["nu_I"].to_numpy()[j]))
    got = np.array(got)
    np.testing.assert_allclose(got[:, 0], nu_E, rtol=1e-8)
    np.testing.assert_allclose(got[:, 1], nu_I, rtol=1e-8)


def test_eq5_paper_breakpoint():
    # ``docs/theory/ssn_lif.md`` §9: (5.860, 1.042) Hz -> (24.0582, 1.3468) mV/s; targets are rounded to 1e-3 Hz, so
    # the tolerance is |d mu/d nu| * 5e-4 Hz summed: <= 0.006 (E) and 0.0074 (I) mV/s.
    mu_E, mu_I = inputs_for(SUPERSAT, 5.860, 1.042)
    assert abs(mu_E - 24.0582) < 0.006 and abs(mu_I - 1.3468) < 0.0074
    # converse, independent of Eq 5: the steady state at the paper's inputs rounds to the target
    ss = SUPERSAT.steady_states(24.0582, mu_I=1.3468).table
    st = ss[ss["stable"]]
    k = np.argmin(np.abs(st["nu_E"].to_numpy() - 5.86))
    assert round(st["nu_E"].to_numpy()[k], 3) == 5.860 and round(st["nu_I"].to_numpy()[k], 3) == 1.042


def test_eq5_rejects_unstable_and_bad_rates():
    ss = BISTABLE.steady_states(3.0, mu_I=3.0).table   # inside its bistability window [2.19, 3.58]
    saddle = ss[~ss["stable"] & (ss["nu_E"] > 0)].iloc[0]
    with pytest.raises(ValueError, match="not stable"):
        inputs_for(BISTABLE, [1.0, saddle["nu_E"]], [0.01, saddle["nu_I"]])
    mu_E, _ = inputs_for(BISTABLE, saddle["nu_E"], saddle["nu_I"], check_stability=False)
    assert mu_E == pytest.approx(3.0, rel=1e-9)
    with pytest.raises(ValueError, match="nu_E must be > 0"):
        inputs_for(SUPERSAT, [1.0, 0.0], 1.0)
    with pytest.raises(ValueError, match="finite"):
        inputs_for(SUPERSAT, np.nan, 1.0)


@pytest.mark.parametrize("pair", [("EI", "IE"), ("EE", "II"), ("EI", "II"), ("EE", "IE")])
def test_eq6_round_trip(pair):
    nu_E, nu_I = np.array([1.0, 2.0, 4.0]), np.array([0.1, 0.2, 0.5])
    mu_E, mu_I = inputs_for(SUPERSAT, nu_E, nu_I)
    w = weights_for(SUPERSAT, nu_E, nu_I, mu_E, mu_I, pair=pair)
    for name, val in zip(pair, w):
        idx = ("EE", "EI", "IE", "II").index(name)
        np.testing.assert_allclose(val, SUPERSAT.J.ravel()[idx], rtol=1e-10)


def test_eq6_time_varying_and_errors():
    # constant inputs, moving target: the solved couplings make each target a steady state
    mu_E, mu_I = 20.0, 10.0
    nu_E, nu_I = np.array([1.5, 2.0]), np.array([0.4, 0.5])
    J_EI, J_IE = weights_for(SUPERSAT, nu_E, nu_I, mu_E, mu_I)
    for k in range(2):
        J = SUPERSAT.J.copy()
        J[0, 1], J[1, 0] = J_EI[k], J_IE[k]
        ss = ssn(J).steady_states(mu_E, mu_I=mu_I).table
        assert _match(ss.assign(point=0), [nu_E[k]], [nu_I[k]]) < 1e-8
    with pytest.raises(ValueError, match="same population"):
        weights_for(SUPERSAT, 1.0, 0.1, 10.0, 1.0, pair=("EE", "EI"))
    with pytest.raises(ValueError, match="negative"):
        weights_for(SUPERSAT, 1.0, 0.1, -500.0, 1.0)


def test_supersaturation_fig2b_invariance():
    # measured peak of the paper's f = 1.25 network (J_EI 15, J_IE 4.8, r 0.8) -> the design from
    # the f = 1 network must recover exactly that network (``docs/theory/ssn_lif.md`` §8, Fig 2B).
    from meanfield.ssn.design import _measure_peak
    peak = _measure_peak(np.array([[2, 15], [4.8, 1.0]]), np.array(A), np.array(B), np.array(NEXP),
                         np.array([0.02, 0.01]), 0.8, 20.0)
    res = target_supersaturation(SUPERSAT, peak["nu_peak"], r=1.0)
    assert res.success, res.message
    np.testing.assert_allclose(res.J, [[2, 15], [4.8, 1]], rtol=1e-9)
    assert res.r == pytest.approx(0.8, rel=1e-9)
    assert res.diagnostics["f"] == pytest.approx(1.25, rel=1e-9)


def test_supersaturation_height_and_position():
    res = target_supersaturation(SUPERSAT, 6.0, 25.0, r=1.0)
    assert res.success, res.message
    # independent check: follow the new SSN's steady states along the ray and find the maximum
    mu = np.linspace(0, 60, 1201)
    ss = res.ssn.steady_states(mu, mu_I=res.r * mu).table
    st = ss[ss["stable"]].groupby("mu_E")["nu_E"].min()   # lowest stable branch (monostable here)
    assert st.max() == pytest.approx(6.0, rel=1e-3)
    assert st.idxmax() == pytest.approx(25.0, abs=0.1)
    assert res.r * res.J[0, 1] > res.J[1, 1]     # Eq 4


def test_supersaturation_impossible():
    res = target_supersaturation(SUPERSAT, 6.0, 25.0, r=0.05, fixed=("EI", "II"), bounds={"r": (0, 0.07)})
    assert not res.success and res.status == 1 and "Eq 4" in res.message


def test_bistability_window():
    res = target_bistability(BISTABLE, 3.0, 6.0, r=1.0, fixed=("r",))
    assert res.success, res.message
    assert res.achieved["mu_1"] == pytest.approx(3.0, abs=3e-3)
    assert res.achieved["mu_2"] == pytest.approx(6.0, abs=3e-3)
    # independent check: 3 states (2 stable) inside, 1 outside
    inside = res.ssn.steady_states(4.5, mu_I=4.5).table
    outside = res.ssn.steady_states(np.array([2.9, 6.1]), mu_I=np.array([2.9, 6.1])).table
    assert inside["stable"].sum() == 2 and len(inside) == 3
    assert outside["stable"].sum() == 2 and len(outside) == 2


def test_isn_onset_allen():
    allen = ssn([0.672, 13.173, 23.675, 11.846])
    res = target_isn(allen, 1.5, r=0.5)
    assert res.success, res.message
    assert res.ssn.isn_threshold() == pytest.approx(1.5, rel=1e-10)
    # paper (Fig 3B, Table B): J_EE = 4.75 gives onset "nu_E > 1.5 Hz" (rounded)
    assert res.J[0, 0] == pytest.approx(4.75, rel=0.01)
    # the stable state at the reported onset input has nu_E = 1.5 Hz
    ss = res.ssn.steady_states(res.achieved["mu_isn"], mu_I=0.5 * res.achieved["mu_isn"]).table
    assert np.min(np.abs(ss[ss["stable"]]["nu_E"] - 1.5)) < 1e-6


def test_balanced_nearest_and_impossible():
    res = target_balanced(SUPERSAT, 1.0)
    assert res.success, res.message
    J, r = res.J, res.r
    # Eq S4 with the requested margin (0.1 in log), checked directly
    assert np.log(J[1, 1] / (r * J[0, 1])) >= 0.1 - 1e-8
    assert np.log(J[0, 1] * J[1, 0] / (J[0, 0] * J[1, 1])) >= 0.1 - 1e-8
    assert res.ssn.balanced_state(r)["stable"]
    # det J < 0 forced (Fig 5B network, all couplings fixed): impossible
    bad = target_balanced(ssn([1.25, 1, 1, 1.25]), 3.0, fixed=("EE", "EI", "IE", "II"))
    assert not bad.success and bad.status == 1 and "Eq S4" in bad.message
    # r fixed above J_II/J_EI with those couplings fixed: impossible
    bad = target_balanced(SUPERSAT, 1.0, fixed=("r", "EI", "II"))
    assert bad.status == 1


def test_network_returned():
    presets = pytest.importorskip("brianmodels.presets")
    net = presets.get("supersaturating")
    res = target_isn(SUPERSAT, 2.0, network=net)
    np.testing.assert_allclose(res.network.J, res.J, rtol=1e-12)
    np.testing.assert_array_equal(res.network.K, net.K)
