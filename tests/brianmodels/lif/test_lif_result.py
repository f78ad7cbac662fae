"""SimulationResult follows the result convention (brianmodels.result.Result): status and
message read off the table (no simulation: synthetic tables)."""
import numpy as np
import pandas as pd
import pytest

from brianmodels.lif.result import SUMMARY_COLUMNS, SimulationResult
from brianmodels.result import ResultError, check_result

RATES = pd.DataFrame(columns=["point", "population", "t", "rate", "mu"])


def _result(cv=(1.0, 0.9), fraction=(1.0, 1.0), bf=(0.9, 0.8), **params):
    table = pd.DataFrame({"point": [0, 0], "population": ["E", "I"], "mu_E": 20.0, "mu_I": 20.0,
                          "rate": [5.0, 0.0], "cv_isi_mean": cv, "cv_isi_fraction": fraction,
                          "bf_mean": bf, "seed": 1, "connectivity_seed": 1, "dt": 5e-5})
    return SimulationResult(table=table, rates=RATES, params=dict(params))


def test_every_measurement_defined_is_success():
    res = _result(compiled=False, points_run=1, points_reused=0)
    check_result(res)
    assert res.status == 0 and res.success
    assert "1 point simulated" in res.message and "build from the cache" in res.message
    assert list(res.summary().columns) == [c for c in SUMMARY_COLUMNS if c in res.table]
    assert "dt" not in res.summary()
    assert res.raise_for_status() is res


def test_undefined_cv_or_balance_factor_is_status_1_naming_the_point():
    res = _result(cv=(1.0, np.nan), fraction=(1.0, 0.0))  # I silent: no CV
    check_result(res)
    assert res.status == 1 and not res.success
    assert "cv_isi undefined at point/population 0/I" in res.message
    with pytest.raises(ResultError, match="0/I"):
        res.raise_for_status()
    res = _result(bf=(0.9, np.nan))
    assert res.status == 1 and "balance factor undefined at point/population 0/I" in res.message


def test_cv_not_asked_for_is_not_undefined():
    # no spikes recorded (record_spikes=0): cv_isi_fraction is NaN, the CV was not asked for
    res = _result(cv=(np.nan, np.nan), fraction=(np.nan, np.nan))
    assert res.status == 0, res.message


def test_concat_refuses_shared_points_and_renumbers_on_request():
    a, b = _result(), _result()
    spikes = pd.DataFrame({"point": [0], "population": ["E"], "neuron": [3], "t": [0.5]})
    b.spikes = spikes
    with pytest.raises(ValueError, match="both hold point 0.*renumber=True"):
        SimulationResult.concat([a, b])
    joined = SimulationResult.concat([a, b, _result()], renumber=True)
    assert joined.table["point"].tolist() == [0, 0, 1, 1, 2, 2]
    assert joined.spikes["point"].tolist() == [1]   # b's spikes follow b's point
    assert b.table["point"].tolist() == [0, 0]      # the inputs are not changed
