"""Tests of brianmodels.lif.analysis: the tidy measurements table, on synthetic data with known
answers (tolerances: synthetic_data.py)."""
import numpy as np
import pytest

from brianmodels.lif import analysis as A
from synthetic_data import poisson_trains


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
        assert row["cv_mean"] == pytest.approx(st.summary()["cv_mean"].iloc[0], rel=1e-12)
        assert row["cv_n"] == st.n_valid
        assert row["mu_E"] == row["mu_I"] == pytest.approx(2 * row["t"])
    bfE = df.loc[df.population == "E", "bf_mean"].to_numpy()
    assert np.isnan(bfE[0]) and bfE[1] == pytest.approx(8.0 / 39.0, rel=1e-12)
    assert df.loc[df.population == "I", "bf_n"].eq(0).all()
    # Poisson trains: CV ~ 1 (few ISIs per neuron: small-sample bias of the CV < 0.1)
    assert np.all(np.abs(df["cv_mean"] - 1) < 0.1)
    # states summary is one row of scalars (one table row per run)
    res = A.detect_states(np.r_[np.zeros(50), np.full(50, 5.0)], 0.1, smooth=None)
    summ = res.summary()
    assert len(summ) == 1
    summ = summ.iloc[0]
    assert summ["n_switches"] == 1 and summ["fraction_up"] == 0.5 and summ["status"] == 0
    assert np.isnan(summ["dwell_up_mean"])  # both stays are censored
    # Poisson spikes have no correlation beyond a bin
    assert (df["tau_ac_status"] != 0).all()
