"""Shared by the export tests: a synthetic SimulationResult shaped like simulate's (no
simulation): two points, the first neurons of each population recorded, one of them silent,
every table present."""
import numpy as np
import pandas as pd

from brianmodels import presets
from brianmodels.lif.result import SimulationResult

DURATION = 2.0
RECORDED = (4, 3)  # neurons recorded per population (E, I); E neuron 2 and I neuron 1 are silent


def make_result():
    rng = np.random.default_rng(7)
    spikes, rates, currents, rows = [], [], [], []
    t_bins = np.arange(0, DURATION, 0.1)
    for p, mu in enumerate((15.0, 25.0)):
        for x, X in enumerate("EI"):
            for n in range(RECORDED[x]):
                if n == 2 - x:
                    continue  # silent neuron: recorded, no spike
                # times that are not short decimals, so that an inexact round trip shows
                t = np.sort(rng.uniform(0, DURATION, rng.integers(3, 12)))
                spikes.append(pd.DataFrame({"point": p, "population": X,
                                            "neuron": np.full(t.size, n, np.int32), "t": t}))
            rates.append(pd.DataFrame({"point": p, "population": X, "t": t_bins,
                                       "rate": rng.uniform(0, 10, t_bins.size), "mu": mu}))
            currents.append(pd.DataFrame({"point": p, "population": X, "neuron": 0,
                                          "t": t_bins, "I_E": rng.normal(size=t_bins.size),
                                          "I_I": -rng.random(t_bins.size)}))
            rows.append({"point": p, "population": X, "mu_E": mu, "mu_I": mu / 3,
                         "rate": rng.uniform(1, 9), "rate_std": 1 / 3, "cv_isi_mean": np.nan,
                         "bf_mean": np.pi, "seed": 11 + p, "connectivity_seed": 5,
                         "t_start": 0.5, "t_stop": DURATION, "duration": DURATION, "N": 4000,
                         "variant": p, "variant_mu": '[1.0, 2.0]'})
    table = pd.DataFrame(rows)
    # cells that are not strings (a user's own labels) and a missing text value survive too
    table["labels"] = pd.Series([[1, 2], None, {"a": 1.5}, "x"], dtype=object)
    table.loc[3, "variant_mu"] = np.nan
    spikes = pd.concat(spikes, ignore_index=True)
    # simulate's order: per point and population, in time (then neuron) order
    spikes = spikes.sort_values(["point", "population", "t", "neuron"], kind="stable",
                                ignore_index=True)
    net = presets.get("supersaturating")
    params = {"network": net.to_dict(), "settings": {"dt": 5e-5, "duration": DURATION,
                                                     "record_spikes": list(RECORDED)},
              "mu_E": [15.0, 25.0], "note": None}
    return SimulationResult(table=table, rates=pd.concat(rates, ignore_index=True),
                            spikes=spikes, currents=pd.concat(currents, ignore_index=True),
                            params=params)


def assert_same_result(a, b, *, currents=True):
    """Equal tables (dtypes and values, float64 to the bit; NaN where NaN) and params."""
    pd.testing.assert_frame_equal(a.spikes, b.spikes, check_exact=True)
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)
    pd.testing.assert_frame_equal(a.rates, b.rates, check_exact=True)
    if currents:
        pd.testing.assert_frame_equal(a.currents, b.currents, check_exact=True)
    assert a.params == b.params
