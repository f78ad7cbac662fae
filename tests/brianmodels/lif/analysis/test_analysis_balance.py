"""Tests of brianmodels.lif.analysis: the balance factor, on synthetic data with known
answers (tolerances: synthetic_data.py)."""
import numpy as np
import pytest

from brianmodels.lif import analysis as A


def test_balance_factor_known_currents():
    n, nt = 6, 1000
    tt = np.arange(nt) * 1e-3  # 1 s at 1 ms
    mE = np.linspace(5, 30, n)[:, None]
    mI = -np.linspace(1, 12, n)[:, None]
    mext = 19.0  # constant external drive of the population (mV/s)
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
