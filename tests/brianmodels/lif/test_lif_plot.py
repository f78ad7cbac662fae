"""SimulationResult.plot: raster of the recorded spikes above the population rates (synthetic
results, no simulation; Agg backend)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from brianmodels.lif.plotting import plot  # noqa: E402
from brianmodels.lif.result import SimulationResult  # noqa: E402

N_REC = (30, 10)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _result(spikes=True, rates=True):
    rng = np.random.default_rng(3)
    table = pd.DataFrame({"point": [0, 0, 1, 1], "population": ["E", "I"] * 2,
                          "mu_E": [10.0, 10.0, 20.0, 20.0], "mu_I": [10.0, 10.0, 20.0, 20.0],
                          "rate": [3.0, 5.0, 4.0, 6.0], "seed": 1, "connectivity_seed": 2,
                          "t_start": 0.5, "duration": 2.0})
    sp = pd.DataFrame({"point": rng.integers(0, 2, 2000),
                       "population": rng.choice(["E", "I"], 2000),
                       "neuron": rng.integers(0, N_REC[0], 2000).astype(np.int32),
                       "t": rng.uniform(0, 2.0, 2000)})
    sp = sp[(sp.population == "E") | (sp.neuron < N_REC[1])].reset_index(drop=True)
    t = np.arange(0, 2.0, 0.001)
    rt = pd.concat([pd.DataFrame({"point": p, "population": X, "t": t,
                                  "rate": rng.uniform(0, 10, t.size), "mu": 10.0 * (p + 1)})
                    for p in (0, 1) for X in "EI"], ignore_index=True)
    return SimulationResult(table=table, rates=rt if rates else
                            pd.DataFrame(columns=["point", "population", "t", "rate", "mu"]),
                            spikes=sp if spikes else None,
                            params={"settings": {"record_spikes": list(N_REC)}})


def _lines(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def test_raster_points_are_the_spikes_in_range_and_rates_are_drawn():
    res = _result()
    fig = res.plot(1, t_range=(0.25, 1.5), max_neurons=20)
    raster, rate = fig.axes[0], fig.axes[1]
    lines = _lines(raster)
    s = res.spikes
    for X, shown in (("E", 20), ("I", 10)):  # at most max_neurons of each population
        want = s[(s.point == 1) & (s.population == X) & (s.neuron < shown) & (s.t >= 0.25) &
                 (s.t < 1.5)]
        got = lines[f"{X} spikes"]
        assert len(got.get_xdata()) == len(want) > 0
        assert np.array_equal(np.sort(got.get_xdata()), np.sort(want.t.to_numpy()))
    # I neurons are stacked above the shown E ones
    assert lines["I spikes"].get_ydata().min() >= 20
    rl = _lines(rate)
    assert {"E rate (mean 4.00 Hz)", "I rate (mean 6.00 Hz)"} <= set(rl)
    t = rl["E rate (mean 4.00 Hz)"].get_xdata()
    assert t.min() >= 0.25 and t.max() < 1.5 and len(t) == 1250   # 1-ms bins in range
    mu = _lines(fig.axes[2])                                       # the twin axis: drives
    assert set(np.unique(mu["E mu"].get_ydata())) == {20.0}
    assert rate.get_xlim() == (0.25, 1.5)


def test_one_population_into_given_axes():
    fig0, axes = plt.subplots(2, 1)
    fig = plot(_result(), 0, populations=["I"], axes=axes)
    assert fig is fig0
    assert set(_lines(axes[0])) == {"I spikes"}
    assert axes[0].get_xlim() == axes[1].get_xlim() == (0.0, 2.0)  # default: the whole run


def test_without_spikes_only_the_rates_are_drawn():
    with pytest.warns(UserWarning, match="no spikes were recorded"):
        fig = _result(spikes=False).plot(0)
    assert len(fig.axes) == 2  # the rate axis and its twin
    assert any(lab.startswith("E rate") for lab in _lines(fig.axes[0]))
    with pytest.raises(ValueError, match="point=0 has neither recorded spikes"):
        _result(spikes=False, rates=False).plot(0)


@pytest.mark.parametrize("kw, exc, match", [
    (dict(point=5), ValueError, r"point=5 is not in the result \(its points: 0, 1\)"),
    (dict(point=0.5), TypeError, "point must be an int"),
    (dict(populations=("E", "X")), ValueError, "populations must be"),
    (dict(populations=()), ValueError, "populations must be"),
    (dict(t_range=(1.0, 0.5)), ValueError, "t_range must be finite with t_start < t_stop"),
    (dict(t_range="all"), TypeError, "t_range must be None or"),
    (dict(max_neurons=0), ValueError, "max_neurons must be >= 1"),
    (dict(max_neurons=2.5), TypeError, "max_neurons must be an int"),
    (dict(axes="ax"), TypeError, "axes must be None or a pair"),
])
def test_bad_arguments_name_the_parameter(kw, exc, match):
    with pytest.raises(exc, match=match):
        _result().plot(**kw)
