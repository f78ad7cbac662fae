"""Tests of brianmodels.lif.analysis: firing rates, rate traces and windowed rates, on synthetic data with known
answers (tolerances: synthetic_data.py)."""
import math

import numpy as np
import pytest

from brianmodels.lif import analysis as A
from synthetic_data import poisson_trains


def test_poisson_population_and_neuron_rates():
    rng = np.random.default_rng(1)
    N, rate, T, warm = 400, 4.0, 20.0, 2.0
    i, t = poisson_trains(rng, N, rate, T)
    nu = A.population_rate(i, t, N, t_start=warm, t_stop=T)
    se = math.sqrt(rate / (N * (T - warm)))  # Poisson count SE of the pooled rate
    assert abs(nu - rate) < 5 * se
    per = A.firing_rates(i, t, N, t_start=warm, t_stop=T)
    ref = np.array([np.count_nonzero((i == n) & (t >= warm) & (t < T)) for n in range(N)]) / (T - warm)
    np.testing.assert_array_equal(per, ref)
    assert per.mean() == pytest.approx(nu, rel=1e-12)
    # across neurons, per-neuron rates have the Poisson variance rate / T_window
    assert per.var(ddof=1) == pytest.approx(rate / (T - warm), rel=5 * math.sqrt(2 / (N - 1)))


def test_rate_trace_matches_histogram_and_smoothing():
    rng = np.random.default_rng(2)
    N, T, dt = 50, 3.0, 0.01
    i, t = poisson_trains(rng, N, 10.0, T)
    tr = A.rate_trace(i, t, N, dt_bin=dt, t_start=0.5, t_stop=T)
    edges = 0.5 + dt * np.arange(251)
    counts, _ = np.histogram(t, bins=edges)
    np.testing.assert_allclose(tr.rate, counts / (N * dt), rtol=0, atol=1e-9)
    np.testing.assert_allclose(tr.t, 0.5 * (edges[1:] + edges[:-1]), atol=1e-12)
    # Gaussian smoothing of a single-bin impulse: peak = dt / (sqrt(2 pi) sigma), area kept
    x = np.zeros(401)
    x[200] = 1.0
    sig = 0.05
    g = A.smooth_rate(x, dt, kernel="gaussian", width=sig)
    assert g.sum() == pytest.approx(1.0, abs=1e-6)
    assert g[200] == pytest.approx(dt / (math.sqrt(2 * math.pi) * sig), rel=2e-3)
    b = A.smooth_rate(x, dt, kernel="boxcar", width=0.05)  # 5 bins, centred
    np.testing.assert_allclose(b[198:203], 0.2)
    assert b[197] == 0 and b[203] == 0
    # constant trace stays constant at the edges
    np.testing.assert_allclose(A.smooth_rate(np.full(50, 3.0), dt, width=0.1), 3.0)
    sm = A.rate_trace(i, t, N, dt_bin=dt, t_stop=T, smooth="boxcar", width=0.03)
    raw = A.rate_trace(i, t, N, dt_bin=dt, t_stop=T)
    np.testing.assert_allclose(sm.rate[1:-1], np.convolve(raw.rate, np.ones(3) / 3, "valid"))


def test_windowed_rates_follow_a_ramp():
    # inhomogeneous Poisson, rate(t) = 2 + 0.4 mu(t) Hz with mu(t) = 0.5 t (mV/s), by thinning
    rng = np.random.default_rng(3)
    N, T, rmax = 300, 40.0, 10.0
    mu = lambda tt: 0.5 * tt  # noqa: E731
    rate_of = lambda tt: 2.0 + 0.4 * mu(tt)  # noqa: E731
    i, t = poisson_trains(rng, N, rmax, T)
    keep = rng.uniform(0, rmax, t.size) < rate_of(t)
    i, t = i[keep], t[keep]
    df = A.windowed_rates(i, t, N, window=4.0, step=2.0, t_stop=T, mu_E=mu, r=0.5, population="E")
    assert list(df.columns) == ["population", "t", "t_lo", "t_hi", "mu_E", "mu_I", "direction",
                                "rate", "n_spikes", "n_neurons"]
    assert len(df) == 19  # windows [0,4), [2,6), ..., [36,40)
    np.testing.assert_allclose(df["mu_E"], 0.5 * df["t"])
    np.testing.assert_allclose(df["mu_I"], 0.25 * df["t"])
    assert (df["direction"] == "up").all()
    expected = rate_of(df["t"].to_numpy())  # linear rate: window mean = value at centre
    se = np.sqrt(expected / (N * 4.0))
    assert np.all(np.abs(df["rate"] - expected) < 5 * se)
    # input as samples or as a per-window array gives the same column
    tt = np.linspace(0, T, 11)
    df2 = A.windowed_rates(i, t, N, window=4.0, step=2.0, t_stop=T, mu_E=(tt, 0.5 * tt), mu_I=1.0)
    np.testing.assert_allclose(df2["mu_E"], df["mu_E"])
    assert (df2["mu_I"] == 1.0).all()
    df3 = A.windowed_rates(i, t, N, window=4.0, step=2.0, t_stop=T, mu_E=df["mu_E"].to_numpy())
    np.testing.assert_allclose(df3["mu_E"], df["mu_E"])
    assert df3["mu_I"].isna().all()
    # forward/backward ramp (mu_E 0 -> 10 -> 0) then constant mu_E with rising mu_I (Fig 3B):
    # directions follow the input that changes; constant input and no column without change
    ramp = (np.array([0, 10, 20, 30, 40.0]), np.array([0, 10, 0, 0, 0.0]))
    df4 = A.windowed_rates(i, t, N, window=2.0, t_stop=T, mu_E=ramp,
                           mu_I=(np.array([0, 20, 40.0]), np.array([0, 0, 5.0])))
    expect = ["up"] * 5 + ["down"] * 5 + ["up"] * 10
    assert df4["direction"].tolist() == expect
    assert "direction" not in A.windowed_rates(i, t, N, window=2.0, t_stop=T, mu_E=3.0).columns
