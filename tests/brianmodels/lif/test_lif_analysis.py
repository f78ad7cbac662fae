"""Tests of brianmodels.lif.analysis on synthetic data with known answers.

Every statistical tolerance is a multiple (4-5) of a standard error computed from the
generating process (Poisson counts, delta-method SE of the CV estimator, measured spread of
the autocorrelation-time estimator), so a failure means a bug, not bad luck.
"""
import math

import numpy as np
import pytest
from scipy.signal import lfilter

from brianmodels.lif import analysis as A


# ---------------------------------------------------------------- synthetic spike trains

def poisson_trains(rng, N, rate, T):
    """Homogeneous Poisson trains: Poisson counts per neuron, uniform times (unsorted)."""
    counts = rng.poisson(rate * T, N)
    i = np.repeat(np.arange(N), counts)
    t = rng.uniform(0.0, T, i.size)
    perm = rng.permutation(i.size)
    return i[perm], t[perm]


def renewal_trains(rng, N, n_isi, draw):
    """Renewal trains from ISI draws ``draw(size)``; returns time-sorted (i, t)."""
    isi = draw((N, n_isi))
    t = np.cumsum(isi, axis=1).ravel()
    i = np.repeat(np.arange(N), n_isi)
    order = np.argsort(t, kind="stable")
    return i[order], t[order]


def cv_estimator_se(k, n):
    """Delta-method SE of the sample CV of n gamma(k) intervals (scale 1).

    Moments of gamma(k): mean k, variance k, 3rd central 2k, 4th central 3k^2 + 6k.
    CV_hat = sqrt(s2)/m; grad = (-sqrt(s2)/m^2, 1/(2 m sqrt(s2))).
    """
    m, var, m3, m4 = k, k, 2 * k, 3 * k**2 + 6 * k
    s = math.sqrt(var)
    g_m, g_v = -s / m**2, 1 / (2 * m * s)
    return math.sqrt((g_m**2 * var + g_v**2 * (m4 - var**2) + 2 * g_m * g_v * m3) / n)


def brute_force_cv(i, t, N, min_spikes, ddof=1):
    """Per-neuron loop reference for the CV."""
    out = np.full(N, np.nan)
    for n in range(N):
        ts = np.sort(t[i == n])
        if ts.size >= min_spikes:
            isi = np.diff(ts)
            out[n] = isi.std(ddof=ddof) / isi.mean()
    return out


# ---------------------------------------------------------------- rates

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


# ---------------------------------------------------------------- CV_ISI

@pytest.mark.parametrize("k", [1, 4])
def test_cv_of_gamma_renewal_trains(k):
    """Poisson (k=1, CV 1) and gamma(k) renewal trains (CV 1/sqrt(k))."""
    rng = np.random.default_rng(10 + k)
    N, n_isi = 150, 1000  # 150k spikes: numpy path (the compiled one is tested below)
    i, t = renewal_trains(rng, N, n_isi, lambda size: rng.gamma(k, 1.0 / (5.0 * k), size))
    st = A.isi_statistics(i, t, N)
    assert st.n_valid == N and st.fraction_valid == 1.0
    cv_true = 1 / math.sqrt(k)
    se = cv_estimator_se(k, n_isi) / math.sqrt(N)  # SE of the mean over N neurons
    bias = 2.0 / n_isi  # O(1/n) bias of the ratio estimator, generous
    assert abs(st.summary()["cv_mean"] - cv_true) < 5 * se + bias
    # per-neuron spread matches the delta-method SE (checks the estimator, not just the mean)
    assert np.nanstd(st.cv) == pytest.approx(cv_estimator_se(k, n_isi), rel=0.25)
    # rate from mean ISI: 5 Hz within the SE of N x n_isi intervals
    assert np.nanmean(st.rate_isi) == pytest.approx(5.0, rel=5 * cv_true / math.sqrt(N * n_isi) + 1e-3)


def test_cv_regular_trains_and_brute_force_reference():
    N = 20
    periods = 0.05 + 0.01 * np.arange(N)
    i = np.repeat(np.arange(N), 40)
    t = (np.tile(np.arange(1, 41), N) * np.repeat(periods, 40))
    st = A.isi_statistics(i, t, N)
    assert np.all(st.cv < 1e-9)
    np.testing.assert_allclose(st.mean_isi, periods, rtol=1e-12)
    # random trains with few spikes, shuffled (lexsort path) and time-sorted (fast path)
    rng = np.random.default_rng(5)
    i, t = poisson_trains(rng, 300, 2.0, 3.0)
    ref = brute_force_cv(i, t, 300, min_spikes=3)
    for order in (np.arange(t.size), np.argsort(t)):
        st = A.isi_statistics(i[order], t[order], 300, min_spikes=3)
        np.testing.assert_allclose(st.cv, ref, rtol=1e-10, equal_nan=True)
    ref0 = brute_force_cv(i, t, 300, min_spikes=2, ddof=0)
    np.testing.assert_allclose(A.isi_statistics(i, t, 300, min_spikes=2, ddof=0).cv, ref0,
                               rtol=1e-10, equal_nan=True)


def test_compiled_and_numpy_isi_kernels_agree(monkeypatch):
    """The O(n) compiled pass (large inputs) and the sort + bincount path give the same CVs."""
    rng = np.random.default_rng(6)
    i, t = poisson_trains(rng, 500, 5.0, 4.0)
    i = np.r_[i, 500, 500]  # neuron 500 fires twice: one ISI, excluded from the CV
    t = np.r_[t, 4.5, 4.75]
    ref = A.isi_statistics(i, t, 501)
    monkeypatch.setattr(A, "NUMBA_MIN_SPIKES", 0)
    fast = A.isi_statistics(i, t, 501)
    np.testing.assert_allclose(fast.cv, ref.cv, rtol=1e-10, equal_nan=True)
    np.testing.assert_allclose(fast.mean_isi, ref.mean_isi, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(fast.cv, brute_force_cv(i, t, 501, 3), rtol=1e-10, equal_nan=True)


def test_cv_edge_cases():
    # neuron 0: 0 spikes, 1: one spike, 2: two spikes, 3: five spikes (some before t_start)
    i = np.array([1, 2, 2, 3, 3, 3, 3, 3])
    t = np.array([1.0, 1.0, 2.0, 0.1, 1.0, 1.5, 3.0, 3.2])
    st = A.isi_statistics(i, t, 5, t_start=0.5, min_spikes=3)
    np.testing.assert_array_equal(st.n_spikes, [0, 1, 2, 4, 0])
    assert np.isnan(st.cv[:3]).all() and np.isnan(st.cv[4])
    isi = np.array([0.5, 1.5, 0.2])
    assert st.cv[3] == pytest.approx(isi.std(ddof=1) / isi.mean(), rel=1e-12)
    s = st.summary()
    assert s["cv_n"] == 1 and s["cv_excluded"] == 4 and s["cv_fraction"] == pytest.approx(0.2)
    # empty input
    e = A.isi_statistics([], [], 7)
    assert e.n_valid == 0 and np.isnan(e.summary()["cv_mean"]) and e.summary()["cv_fraction"] == 0
    assert A.population_rate([], [], 7, t_stop=1.0) == 0.0
    np.testing.assert_array_equal(A.firing_rates(np.array([], int), [], 3, t_stop=2.0), 0.0)


# ---------------------------------------------------------------- balance factor

def test_balance_factor_known_currents():
    n, nt = 6, 1000
    tt = np.arange(nt) * 1e-3  # 1 s at 1 ms
    mE = np.linspace(5, 30, n)[:, None]
    mI = -np.linspace(1, 12, n)[:, None]
    mext = 19.0  # constant mu_ext
    wiggle = np.sin(2 * np.pi * 10 * tt)  # zero mean over whole periods
    I_E = mE + 3 * wiggle
    I_I = mI - 2 * wiggle
    I_ext = mext + 5 * np.cos(2 * np.pi * 50 * tt) + 0 * mE
    bf = A.balance_factor(I_E, I_I, I_ext, t=tt)
    np.testing.assert_allclose(bf, (-mI / (mE + mext)).ravel(), rtol=1e-10)
    # time-averaged inputs and a scalar external current give the same
    np.testing.assert_allclose(A.balance_factor(mE.ravel(), mI.ravel(), mext), bf, rtol=1e-10)
    # averaging window: inhibition doubles in the last 0.5 s only
    I_I2 = np.where(tt >= 0.5, 2 * mI, mI)
    late = A.balance_factor(I_E, I_I2, I_ext, t=tt, t_start=0.5, t_stop=1.0)
    np.testing.assert_allclose(late, (-2 * mI / (mE + mext)).ravel(), rtol=1e-10)
    # no excitatory drive -> NaN; summary counts it out
    bf3 = A.balance_factor([10.0, -5.0], [-2.0, -1.0], [0.0, 0.0])
    assert bf3[0] == pytest.approx(0.2) and np.isnan(bf3[1])
    s = A.summary_stats(bf3)
    assert s["n"] == 2 and s["n_valid"] == 1 and s["median"] == pytest.approx(0.2)
    with pytest.raises(ValueError, match="I_I"):
        A.balance_factor([1.0], [0.5], 1.0)
    with pytest.raises(ValueError, match="t_start"):
        A.balance_factor(I_E, I_I, I_ext, t_start=0.5)


# ---------------------------------------------------------------- autocorrelation

def ar1(rng, tau, dt, n):
    phi = math.exp(-dt / tau)
    x = lfilter([1.0], [1.0, -phi], rng.standard_normal(n))
    return x * math.sqrt(1 - phi**2)  # unit variance


def test_acf_and_time_of_ar1_trace():
    rng = np.random.default_rng(20)
    tau, dt, n = 0.05, 1e-3, 400_000  # T = 8000 tau
    x = ar1(rng, tau, dt, n)
    lag, acf = A.autocorrelation(x, dt, max_lag=0.2)
    # Bartlett: SD of the ACF estimate of an AR(1) at lag k <= sqrt((1+phi^2)/(1-phi^2)/n)
    phi = math.exp(-dt / tau)
    se = math.sqrt((1 + phi**2) / (1 - phi**2) / n)
    assert np.all(np.abs(acf - np.exp(-lag / tau)) < 5 * se)
    # measured over 40 seeds at T = 4000 tau: exp_fit SD 3 %, bias < 1 %; integral SD 8 %,
    # bias +4 % -> at T = 8000 tau the SDs are ~2.1 % and 5.5 %: tolerances ~4.5 SD
    fit = A.autocorrelation_time(x, dt)
    assert fit.success and fit.tau == pytest.approx(tau, rel=0.10)
    assert fit.amplitude == pytest.approx(1.0, abs=0.05)
    integ = A.autocorrelation_time(x, dt, method="integral")
    assert integ.status == "ok" and integ.tau == pytest.approx(tau, rel=0.25)


def test_acf_time_with_counting_noise_and_white_noise():
    rng = np.random.default_rng(21)
    tau, dt, n = 0.05, 1e-3, 400_000
    y = ar1(rng, tau, dt, n) + rng.standard_normal(n)  # equal signal and white-noise variance
    fit = A.autocorrelation_time(y, dt)
    assert fit.tau == pytest.approx(tau, rel=0.15)  # noisier ACF: looser
    assert fit.amplitude == pytest.approx(0.5, abs=0.03)  # signal / total variance
    # the integral is scaled down by the same factor, as documented
    assert A.autocorrelation_time(y, dt, method="integral").tau == pytest.approx(0.5 * tau, rel=0.3)
    white = A.autocorrelation_time(rng.standard_normal(20_000), dt)
    assert not white.success and math.isnan(white.tau)
    # a drifting trace (ramp) never decorrelates: flagged, not silently fitted
    drift = A.autocorrelation_time(np.linspace(0, 1, 4000) + 0.01 * rng.standard_normal(4000), dt)
    assert drift.status == "no_zero_crossing"
    with pytest.raises(ValueError, match="fit_until"):
        A.autocorrelation_time(y, dt, fit_until=1.5)


# ---------------------------------------------------------------- up/down states

def hysteresis_protocol(rng, dt=0.05, N=3000):
    """0 -> 10 mV/s over 500 s and back; up at mu = 4 (forward), down at mu = 2 (backward);
    spontaneous excursions: up [150, 170) s and down [820, 840) s."""
    t = (np.arange(int(round(1000 / dt))) + 0.5) * dt
    mu = np.where(t < 500, t / 50, 10 - (t - 500) / 50)
    up = ((t >= 200) & (t < 900)) | ((t >= 150) & (t < 170))
    up &= ~((t >= 820) & (t < 840))
    rate = np.where(up, 5.0 + 0.2 * mu, 0.5)
    counts = rng.poisson(rate * N * dt)  # population spike counts
    return t, mu, counts / (N * dt)


def test_detect_states_hysteresis_loop():
    rng = np.random.default_rng(30)
    dt = 0.05
    t, mu, rate = hysteresis_protocol(rng, dt)
    ramp = (np.array([0.0, 500.0, 1000.0]), np.array([0.0, 10.0, 0.0]))
    res = A.detect_states(rate, dt, t=t, mu=ramp)
    assert res.status == "ok", res.message
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
    assert flat.status == "not_bimodal"
    # one-state record
    one = A.detect_states(np.full(100, 3.0), dt, thresholds=(1.0, 2.0))
    assert one.status == "single_state" and one.n_switches == 0 and one.state.all()


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


# ---------------------------------------------------------------- tidy table

def test_measurements_table_matches_single_measurements():
    rng = np.random.default_rng(50)
    T = 12.0
    iE, tE = poisson_trains(rng, 300, 3.0, T)
    iI, tI = poisson_trains(rng, 100, 8.0, T)
    tt = np.arange(7.0, T, 0.01)  # currents recorded from 7 s on: no BF in the first window
    cur = {"E": {"I_E": np.full((10, tt.size), 20.0), "I_I": np.full((10, tt.size), -8.0),
                 "I_ext": 19.0, "t": tt}}
    df = A.measurements_table({"E": (iE, tE, 300), "I": A.SpikeTrains(iI, tI, 100)},
                              t_start=2.0, t_stop=T, window=5.0, mu_E=lambda s: 2 * s, r=1.0,
                              currents=cur, acf_bin=0.01)
    assert len(df) == 4 and list(df["population"]) == ["E", "E", "I", "I"]
    for col in ["t", "t_lo", "t_hi", "mu_E", "mu_I", "direction", "rate", "rate_sd", "n_neurons",
                "n_spikes", "cv_mean",
                "cv_median", "cv_n", "cv_fraction", "bf_mean", "bf_median", "bf_n", "tau_ac"]:
        assert col in df.columns
    for (_, row), (i, t, N) in zip(df.iterrows(), [(iE, tE, 300)] * 2 + [(iI, tI, 100)] * 2):
        a, b = row["t_lo"], row["t_hi"]
        assert row["rate"] == pytest.approx(A.population_rate(i, t, N, t_start=a, t_stop=b), rel=1e-12)
        sel = (t >= a) & (t < b)
        st = A.isi_statistics(i[sel], t[sel], N)
        assert row["cv_mean"] == pytest.approx(st.summary()["cv_mean"], rel=1e-12)
        assert row["cv_n"] == st.n_valid
        assert row["mu_E"] == row["mu_I"] == pytest.approx(2 * row["t"])
    bfE = df.loc[df.population == "E", "bf_mean"].to_numpy()
    assert np.isnan(bfE[0]) and bfE[1] == pytest.approx(8.0 / 39.0, rel=1e-12)
    assert df.loc[df.population == "I", "bf_n"].eq(0).all()
    # Poisson trains: CV ~ 1 (few ISIs per neuron: small-sample bias of the CV < 0.1)
    assert np.all(np.abs(df["cv_mean"] - 1) < 0.1)
    # states summary is a flat dict of scalars (one table row per run)
    res = A.detect_states(np.r_[np.zeros(50), np.full(50, 5.0)], 0.1, smooth=None)
    summ = res.summary()
    assert summ["n_switches"] == 1 and summ["fraction_up"] == 0.5 and summ["status"] == "ok"
    assert np.isnan(summ["dwell_up_mean"])  # both stays are censored
    # Poisson spikes have no correlation beyond a bin
    assert (df["tau_ac_status"] != "ok").all()


# ---------------------------------------------------------------- validation

@pytest.mark.parametrize("call, exc, match", [
    (lambda: A.firing_rates([0, 5], [0.1, 0.2], 5, t_stop=1), ValueError, "i must be neuron indices"),
    (lambda: A.firing_rates([0, 1], [0.1], 5, t_stop=1), ValueError, "same length"),
    (lambda: A.firing_rates([0.5], [0.1], 5, t_stop=1), TypeError, "integer"),
    (lambda: A.firing_rates([0], [0.1], 0, t_stop=1), ValueError, "N must be"),
    (lambda: A.firing_rates([0], [np.nan], 2, t_stop=1), ValueError, "finite"),
    (lambda: A.population_rate([0], [0.1], 2, t_start=1, t_stop=1), ValueError, "t_stop must be > t_start"),
    (lambda: A.rate_trace([0], [0.1], 2, dt_bin=0, t_stop=1), ValueError, "dt_bin"),
    (lambda: A.rate_trace([0], [0.1], 2, dt_bin=0.1, t_stop=1, smooth="tri", width=1), ValueError, "smooth"),
    (lambda: A.smooth_rate([1.0, 2.0], 0.1, kernel="tri", width=1), ValueError, "kernel"),
    (lambda: A.isi_statistics([0], [0.1], 2, min_spikes=2), ValueError, "min_spikes"),
    (lambda: A.windowed_rates([0], [0.1], 2, window=2, t_stop=1), ValueError, "window"),
    (lambda: A.windowed_rates([0], [0.1], 2, window=0.5, t_stop=1, mu_E=[1, 2, 3]), TypeError, "mu_E"),
    (lambda: A.windowed_rates([0], [0.1], 2, window=0.5, t_stop=1, mu_I=1, r=1), ValueError,
     "either mu_I or r"),
    (lambda: A.autocorrelation_time(np.ones(100), 0.1, method="fft"), ValueError, "method"),
    (lambda: A.detect_states(np.ones(10), 0.1, thresholds=(2, 1)), ValueError, "thresholds"),
    (lambda: A.measurements_table({"E": (1, 2)}, t_stop=1), TypeError, "spikes"),
])
def test_bad_input_names_the_parameter(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_module_does_not_import_brian2():
    import ast
    tree = ast.parse(open(A.__file__).read())
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(str(n).split(".")[0] in ("brian2", "brianmodels") for n in names)
