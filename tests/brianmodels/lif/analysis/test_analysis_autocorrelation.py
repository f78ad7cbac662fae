"""Tests of brianmodels.lif.analysis: the autocorrelation function and time, on synthetic data with known
answers (tolerances: synthetic_data.py)."""
import math

import numpy as np
import pytest

from brianmodels.lif import analysis as A
from brianmodels.result import check_result
from synthetic_data import ar1


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
    assert integ.status == 0 and integ.tau == pytest.approx(tau, rel=0.25)


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
    assert drift.status == A.AutocorrelationTime.NO_ZERO_CROSSING == 1
    with pytest.raises(ValueError, match="fit_until"):
        A.autocorrelation_time(y, dt, fit_until=1.5)


def test_autocorrelation_time_follows_the_result_convention():
    """Every outcome is a brianmodels.result.Result with an int status listed in STATUS."""
    rng = np.random.default_rng(22)
    dt = 1e-3
    x = ar1(rng, 0.05, dt, 40_000)
    white = rng.standard_normal(20_000)
    # 1.4 % of the variance correlated (tau 0.5 s) under white noise: below 3/sqrt(n) = 2.1 %
    # (status 3 for 27 of 30 seeds; seed 0 is one of them)
    weak_rng = np.random.default_rng(0)
    weak = 0.12 * ar1(weak_rng, 0.5, dt, 20_000) + weak_rng.standard_normal(20_000)
    AT = A.AutocorrelationTime
    cases = {
        AT.OK: A.autocorrelation_time(x, dt),
        AT.NO_ZERO_CROSSING: A.autocorrelation_time(np.linspace(0, 1, 4000), dt),
        AT.TOO_SHORT: A.autocorrelation_time(white, dt),
        AT.NOT_SIGNIFICANT: A.autocorrelation_time(weak, dt, fit_until=0.0),
        AT.FIT_FAILED: A.autocorrelation_time(np.ones(100), dt),
    }
    for code, res in cases.items():
        check_result(res)
        assert res.status == code, (code, res.message)
        assert res.table["status"].iloc[0] == code and res.params["dt_bin"] == res.acf.lag[1]
    ok = cases[AT.OK]
    row = ok.summary().iloc[0]
    assert row["tau"] == ok.tau and (row["fit_start"], row["fit_stop"]) == ok.fit_range
    assert ok.params["method"] == "exp_fit" and ok.params["n_bins"] == x.size
    integ = A.autocorrelation_time(x, dt, method="integral")
    check_result(integ)
    assert integ.table["method"].iloc[0] == "integral" and integ.amplitude == 1.0
