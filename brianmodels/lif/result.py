"""Result of LIF network simulations: tidy tables plus parameters, saved atomically.

Tables (pandas, long format):

``table`` — one row per input point x population:
    ``point`` (int), ``population`` ('E'/'I'), ``mu_E``, ``mu_I`` (mean external drive over the
    measurement window, mV/s), ``rate`` (Hz, mean over neurons of spike count / window),
    ``rate_std`` (Hz, across neurons), ``cv_isi_mean``, ``cv_isi_median`` (CV of the ISIs of the
    recorded neurons, dimensionless), ``cv_isi_fraction`` (fraction of recorded neurons with
    enough spikes for a CV), ``bf_mean``, ``bf_median``, ``bf_std`` (balance factor per neuron,
    §12), ``input_E``, ``input_I``, ``input_ext`` (population means of the recurrent E input,
    recurrent I input (magnitude) and external drive, mV/s), ``v_end_mean``, ``v_end_std``
    (membrane potential across the population at the end of the run, mV), ``seed``, ``connectivity_seed``,
    ``t_start``, ``t_stop`` (measurement window, s), ``duration`` (s), ``dt`` (s), ``N``,
    ``wall_seconds`` (wall time of the compiled binary, start-up and output included, s),
    ``run_seconds`` (Brian2's own time of the network run inside it, s), plus any sweep
    parameter columns.
``rates`` — time-resolved population rates: ``point``, ``population``, ``t`` (start of the
    bin, s), ``rate`` (Hz), ``mu`` (drive at the bin's centre, mV/s).
``spikes`` — optional: ``point``, ``population``, ``neuron`` (index within the population),
    ``t`` (s).
``currents`` — optional: ``point``, ``population``, ``neuron``, ``t`` (bin start, s), ``I_E``,
    ``I_I`` (recurrent inputs averaged over the bin, mV/s; ``I_I`` signed, <= 0).

``params`` is a JSON-able dict: the network (``LIFNetwork.to_dict()``), the run settings and
per-point inputs.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

_TABLES = ("table", "rates", "spikes", "currents")


@dataclass
class SimulationResult:
    """Tables and parameters of one or more simulations of a LIF network.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per point x population (see module docstring for columns).
    rates : pandas.DataFrame
        Time-resolved population rates.
    spikes, currents : pandas.DataFrame or None
        Recorded spike trains and recurrent inputs, if requested.
    params : dict
        Network, settings and inputs.
    """

    table: pd.DataFrame
    rates: pd.DataFrame
    spikes: pd.DataFrame | None = None
    currents: pd.DataFrame | None = None
    params: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ convenience
    @property
    def network(self):
        """The simulated :class:`~brianmodels.network.LIFNetwork`."""
        from ..network import LIFNetwork

        return LIFNetwork.from_dict(self.params["network"])

    def rate(self, population="E"):
        """(n_points,) array of mean rates (Hz) of ``population`` in point order."""
        t = self.table[self.table["population"] == population].sort_values("point")
        return t["rate"].to_numpy()

    def spike_trains(self, population="E", point=0):
        """(i, t) arrays of the recorded spikes of ``population`` at ``point``."""
        if self.spikes is None:
            raise ValueError("no spikes were recorded (use record_spikes=...)")
        s = self.spikes[(self.spikes["population"] == population) & (self.spikes["point"] == point)]
        return s["neuron"].to_numpy(), s["t"].to_numpy()

    def __repr__(self):
        cols = [c for c in ("point", "population", "mu_E", "mu_I", "rate", "cv_isi_mean",
                            "bf_mean") if c in self.table]
        return f"SimulationResult({self.params.get('network', {}).get('name', '?')!r})\n" + \
            self.table[cols].to_string(index=False)

    @classmethod
    def concat(cls, results, params=None):
        """Join results of several points (their ``point`` columns must already differ)."""
        out = {}
        for name in _TABLES:
            frames = [getattr(r, name) for r in results if getattr(r, name) is not None]
            out[name] = pd.concat(frames, ignore_index=True) if frames else None
        if out["rates"] is None:
            out["rates"] = pd.DataFrame(columns=["point", "population", "t", "rate", "mu"])
        return cls(params=params if params is not None else
                   (results[0].params if results else {}), **out)

    # ------------------------------------------------------------------ persistence
    def save(self, folder):
        """Write every table as Parquet and ``params.json`` into ``folder`` (atomically).

        The folder is first written under a temporary name and then renamed; an existing
        folder of the same name is replaced.

        Parameters
        ----------
        folder : str or path

        Returns
        -------
        pathlib.Path
        """
        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".tmp.", dir=folder.parent))
        for name in _TABLES:
            df = getattr(self, name)
            if df is not None:
                df.to_parquet(tmp / f"{name}.parquet", index=False)
        (tmp / "params.json").write_text(json.dumps(self.params, indent=1, default=_json_default))
        if folder.exists():
            old = Path(tempfile.mkdtemp(prefix=folder.name + ".old.", dir=folder.parent))
            os.replace(folder, old / "x")
            os.replace(tmp, folder)
            import shutil

            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, folder)
        return folder

    @classmethod
    def load(cls, folder):
        """Read a result written by :meth:`save`."""
        folder = Path(folder)
        if not (folder / "params.json").exists():
            raise FileNotFoundError(f"{folder} holds no saved SimulationResult (no params.json)")
        kw = {}
        for name in _TABLES:
            f = folder / f"{name}.parquet"
            kw[name] = pd.read_parquet(f) if f.exists() else None
        return cls(params=json.loads((folder / "params.json").read_text()), **kw)


def _json_default(o):
    import numpy as np

    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")
