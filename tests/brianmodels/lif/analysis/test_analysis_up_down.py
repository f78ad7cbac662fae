"""Tests of brianmodels.lif.analysis: up/down state detection, on synthetic data with known
answers (tolerances: synthetic_data.py)."""
import numpy as np
import pytest

from brianmodels.lif import analysis as A
from brianmodels.result import check_result
from synthetic_data import hysteresis_protocol


def test_detect_states_hysteresis_loop():
    rng = np.random.default_rng(30)
    dt = 0.05
    t, mu, rate = hysteresis_protocol(rng, dt)
    ramp = (np.array([0.0, 500.0, 1000.0]), np.array([0.0, 10.0, 0.0]))
    res = A.detect_states(rate, dt, t=t, mu=ramp)
    assert res.status == 0, res.message
    check_result(res)
    tr = res.transitions
    np.testing.assert_allclose(tr["t"], [150, 170, 200, 820, 840, 900], atol=0.15)
    assert list(tr["direction"]) == ["up", "down", "up", "down", "up", "down"]
    assert list(tr["kind"]) == ["spontaneous", "spontaneous", "driven",
                                "spontaneous", "spontaneous", "driven"]
    assert res.n_switches == 6 and res.n_spontaneous == 4
    # mu changes by 0.001 mV/s per bin; smoothing shifts a crossing by < 0.1 s (0.002 mV/s)
    assert res.mu_up == pytest.approx(4.0, abs=0.005)
    assert res.mu_down == pytest.approx(2.0, abs=0.005)
    assert res.window == (res.mu_down, res.mu_up)
    np.testing.assert_allclose(res.dwell_times("up"), [20, 620, 60], atol=0.3)
    np.testing.assert_allclose(res.dwell_times("down"), [30, 20], atol=0.3)
    assert res.dwell["censored"].tolist() == [True] + [False] * 5 + [True]
    # automatic thresholds sit between the levels (0.5 Hz and 5-7 Hz)
    assert 0.5 < res.threshold_low < res.threshold_high < 5.0
    # a callable input and given thresholds reproduce the loop
    res2 = A.detect_states(rate, dt, t=t, mu=lambda s: np.interp(s, *ramp), thresholds=(2.0, 3.5))
    assert res2.mu_up == pytest.approx(4.0, abs=0.005) and res2.n_spontaneous == 4


def test_detect_states_telegraph_constant_input():
    rng = np.random.default_rng(31)
    dt, T = 0.01, 200.0
    t = (np.arange(int(T / dt)) + 0.5) * dt
    # known switch times: exponential dwell times with mean 5 s, at least 1 s each
    sw = np.cumsum(1.0 + rng.exponential(4.0, 100))
    sw = sw[sw < T - 1]
    state = (np.searchsorted(sw, t) % 2).astype(int)
    rate = np.where(state == 1, 8.0, 1.0) + rng.normal(0, 0.8, t.size)  # noisy levels
    res = A.detect_states(rate, dt, width=0.05)
    assert res.n_switches == sw.size and res.n_spontaneous == sw.size
    np.testing.assert_allclose(res.transitions["t"], sw, atol=0.05)
    np.testing.assert_allclose(res.dwell["duration"][1:-1], np.diff(sw), atol=0.1)
    # a unimodal trace is flagged, not silently split
    flat = A.detect_states(rng.normal(5, 1, 5000), dt)
    assert flat.status == A.StateDetection.NOT_BIMODAL == 1
    check_result(flat)
    # one-state record
    one = A.detect_states(np.full(100, 3.0), dt, thresholds=(1.0, 2.0))
    assert one.status == A.StateDetection.SINGLE_STATE == 2 and one.n_switches == 0 and one.state.all()
    check_result(one)


def test_detect_states_step_input_settle_time_and_min_dwell():
    dt = 0.01
    t = (np.arange(2000) + 0.5) * dt
    mu = np.where(t < 10, 0.0, 5.0)  # step at 10 s
    rate = np.where(t >= 10.3, 6.0, 0.5)  # network jumps up 0.3 s after the step
    rate[500:503] = 6.0  # a 30 ms blip at 5 s
    r0 = A.detect_states(rate, dt, mu=mu, smooth=None)
    assert list(r0.transitions["kind"]) == ["spontaneous"] * 3
    r1 = A.detect_states(rate, dt, mu=mu, smooth=None, settle_time=0.5, min_dwell=0.1)
    assert list(r1.transitions["kind"]) == ["driven"]
    assert r1.transitions["t"].iloc[0] == pytest.approx(10.3) and r1.mu_up == 5.0


def test_two_means_split_is_the_best_split():
    rng = np.random.default_rng(40)
    x = np.r_[rng.normal(0, 1, 60), rng.normal(4, 1.5, 30)]
    thr, m0, m1 = A.two_means_split(x)
    xs = np.sort(x)
    sse = [((xs[:k] - xs[:k].mean()) ** 2).sum() + ((xs[k:] - xs[k:].mean()) ** 2).sum()
           for k in range(1, xs.size)]
    k = int(np.argmin(sse)) + 1
    assert thr == pytest.approx(0.5 * (xs[k - 1] + xs[k]))
    assert (m0, m1) == pytest.approx((xs[:k].mean(), xs[k:].mean()))


def test_state_detection_table_summary_and_params():
    rate = np.r_[np.zeros(50), np.full(50, 5.0)]
    res = A.detect_states(rate, 0.1, mu=np.linspace(0, 1, 100), smooth=None, min_dwell=0.2)
    check_result(res)
    assert list(res.table.columns) == ["t", "rate", "mu", "state"] and len(res.table) == 100
    assert res.table["state"].tolist() == [0] * 50 + [1] * 50
    np.testing.assert_allclose(res.table["mu"], np.linspace(0, 1, 100))
    summ = res.summary()
    assert len(summ) == 1 and summ["status"].iloc[0] == 0 and summ["n_switches"].iloc[0] == 1
    assert res.params["smooth"] is None and res.params["width"] is None
    assert res.params["min_dwell"] == 0.2 and res.params["input_given"] is True
    assert res.params["thresholds"] is None and res.params["threshold_fractions"] == [1 / 3, 2 / 3]
    given = A.detect_states(rate, 0.1, thresholds=(1.0, 2.0))
    assert given.params["thresholds"] == [1.0, 2.0] and given.params["threshold_fractions"] is None
    assert given.params["width"] == 0.05
