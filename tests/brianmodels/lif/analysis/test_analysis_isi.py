"""Tests of brianmodels.lif.analysis: CV_ISI, on synthetic data with known
answers (tolerances: synthetic_data.py)."""
import math

import numpy as np
import pytest

from brianmodels.lif import analysis as A
from brianmodels.result import check_result
from synthetic_data import poisson_trains, renewal_trains, cv_estimator_se, brute_force_cv


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
    assert abs(st.summary()["cv_mean"].iloc[0] - cv_true) < 5 * se + bias
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
    monkeypatch.setattr(A.isi, "NUMBA_MIN_SPIKES", 0)
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
    s = st.summary().iloc[0]
    assert s["cv_n"] == 1 and s["cv_excluded"] == 4 and s["cv_fraction"] == pytest.approx(0.2)
    # empty input
    e = A.isi_statistics([], [], 7)
    assert e.n_valid == 0 and np.isnan(e.summary()["cv_mean"].iloc[0])
    assert e.summary()["cv_fraction"].iloc[0] == 0
    assert A.population_rate([], [], 7, t_stop=1.0) == 0.0
    np.testing.assert_array_equal(A.firing_rates(np.array([], int), [], 3, t_stop=2.0), 0.0)


def test_isi_stats_follow_the_result_convention():
    i = np.array([1, 2, 2, 3, 3, 3, 3, 3])
    t = np.array([1.0, 1.0, 2.0, 0.1, 1.0, 1.5, 3.0, 3.2])
    st = A.isi_statistics(i, t, 5, t_start=0.5, t_stop=4.0, min_spikes=3)
    check_result(st)
    assert st.status == 0 and "1 of 5 neurons" in st.message
    assert st.params == {"N": 5, "min_spikes": 3, "ddof": 1, "t_start": 0.5, "t_stop": 4.0}
    tab = st.table
    assert list(tab.columns) == ["neuron", "cv", "mean_isi", "rate_isi", "n_spikes"]
    np.testing.assert_array_equal(tab["n_spikes"], st.n_spikes)
    np.testing.assert_allclose(tab["cv"], st.cv, equal_nan=True)
    assert tab["rate_isi"].iloc[3] == pytest.approx(1 / st.mean_isi[3])
    summ = st.summary()
    assert len(summ) == 1 and summ["cv_n"].iloc[0] == 1
    empty = A.isi_statistics([], [], 7)
    check_result(empty)
    assert empty.status == 1 and not empty.success and "no neuron" in empty.message
