"""One real run (simulate, the Fig 2A network for 1 s) through neo, NWB and the plot: the
spikes come back bit for bit and in simulate's order.

Uses the default recording of ``test_lif_simulate`` (same structure, so the same cached build:
no compile when that module ran first; one ~30-60 s compile when run alone)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from brianmodels import simulate  # noqa: E402
from brianmodels.lif.result import SimulationResult  # noqa: E402
from networks import SUPERSATURATING  # noqa: E402


@pytest.mark.standalone
def test_simulation_round_trips_through_neo_and_nwb_and_plots(tmp_path):
    res = simulate(SUPERSATURATING, mu_E=20.0, duration=1.0, warmup=0.5, progress=False)
    n_rec = res.params["settings"]["record_spikes"]
    assert res.spikes is not None and len(res.spikes) > 1000

    block = res.to_neo()
    trains = block.segments[0].spiketrains
    assert len(trains) == sum(n_rec)                       # one per recorded neuron
    assert sum(len(st) for st in trains) == len(res.spikes)
    for back in (SimulationResult.from_neo(block),
                 SimulationResult.from_nwb(res.to_nwb(tmp_path / "run.nwb"))):
        # exactly simulate's spikes, in its order (point, population, time, neuron)
        pd.testing.assert_frame_equal(back.spikes, res.spikes, check_exact=True)
        pd.testing.assert_frame_equal(back.table, res.table, check_exact=True)
        pd.testing.assert_frame_equal(back.rates, res.rates, check_exact=True)
        assert back.params == res.params
        assert back.network.to_dict() == SUPERSATURATING.to_dict()

    fig = res.plot(t_range=(0.5, 1.0), max_neurons=100)
    e = next(line for line in fig.axes[0].get_lines() if line.get_label() == "E spikes")
    s = res.spikes
    want = ((s.population == "E") & (s.neuron < 100) & (s.t >= 0.5) & (s.t < 1.0)).sum()
    assert len(e.get_xdata()) == want > 0
    assert np.isfinite(fig.axes[1].get_lines()[0].get_ydata()).all()
    fig.savefig(tmp_path / "plot.png")
    plt.close(fig)
