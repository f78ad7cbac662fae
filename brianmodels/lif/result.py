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

A :class:`SimulationResult` follows the result convention of the package
(:class:`brianmodels.result.Result`): ``status`` 0 when every point ran and every measurement of
``table`` is defined, 1 when every point ran but some measurement is undefined (listed in
``message``); a run that fails raises instead of returning a result.
"""
from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import atomic
from ..result import Result

_TABLES = ("table", "rates", "spikes", "currents")
#: columns of :meth:`SimulationResult.summary` (those present)
SUMMARY_COLUMNS = ("point", "population", "mu_E", "mu_I", "rate", "rate_std", "cv_isi_mean",
                   "bf_mean", "seed", "connectivity_seed")


@dataclass
class SimulationResult(Result):
    """Tables and parameters of one or more simulations of a LIF network.

    ``status`` and ``message`` (:class:`brianmodels.result.Result`) are read off the table, so a
    result loaded from disk says the same as the one that was saved:

    * 0 -- every point ran and every measurement is defined;
    * 1 -- every point ran (the rates are valid), but some measurement is undefined (NaN): the
      CV_ISI of a population whose recorded neurons all have fewer than the 3 spikes a CV needs
      (a silent or nearly silent population), or a balance factor whose denominator
      ``input_E + input_ext`` is 0 (:func:`brianmodels.lif.analysis.balance_factor`).
      ``message`` names the points and populations.

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

    STATUS = {0: "every point ran and every measurement is defined",
              1: "every point ran, but some measurements are undefined (NaN CV_ISI or balance "
                 "factor, e.g. of a silent population)"}

    # ------------------------------------------------------------------ result convention
    def _undefined(self) -> dict:
        """Measurement -> list of 'point/population' where it is NaN though it was asked for."""
        t = self.table
        out = {}
        if t is None or not len(t):
            return out
        where = (t["point"].astype(str) + "/" + t["population"].astype(str)
                 if "point" in t and "population" in t else pd.Series(t.index.astype(str)))
        if "cv_isi_mean" in t and "cv_isi_fraction" in t:  # fraction NaN: no spikes recorded
            bad = np.isfinite(t["cv_isi_fraction"].to_numpy(float)) & \
                ~np.isfinite(t["cv_isi_mean"].to_numpy(float))
            if bad.any():
                out["cv_isi"] = where[bad].tolist()
        if "bf_mean" in t:
            bad = ~np.isfinite(t["bf_mean"].to_numpy(float))
            if bad.any():
                out["balance factor"] = where[bad].tolist()
        return out

    @property
    def status(self) -> int:
        """0: every measurement defined; 1: some undefined (see :attr:`STATUS`)."""
        return 1 if self._undefined() else 0

    @property
    def message(self) -> str:
        """What ran (points run / reused, whether the build was compiled) and what is
        undefined."""
        p, t = self.params, self.table
        n = int(t["point"].nunique()) if t is not None and "point" in t else 0
        parts = [f"{n} point{'s' if n != 1 else ''} simulated"]
        if "points_run" in p:
            parts.append(f"{p['points_run']} run, {p.get('points_reused', 0)} reused from storage")
        if "compiled" in p:
            parts.append({True: "build compiled", False: "build from the cache",
                          None: "built by the workers if needed"}.get(p["compiled"], "build ?"))
        text = "; ".join(parts)
        for what, rows in self._undefined().items():
            shown = ", ".join(rows[:6]) + (f" and {len(rows) - 6} more" if len(rows) > 6 else "")
            text += f"; {what} undefined at point/population {shown}"
        return text

    def summary(self) -> pd.DataFrame:
        """One row per point x population: inputs, rate, CV_ISI, balance factor and seeds
        (:data:`SUMMARY_COLUMNS` that are present)."""
        return self.table[[c for c in SUMMARY_COLUMNS if c in self.table]]

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
    def concat(cls, results, params=None, *, renumber=False):
        """Join results of several points into one.

        Parameters
        ----------
        results : sequence of SimulationResult
            Their ``point`` columns must differ, unless ``renumber``.
        params : dict, optional
            ``params`` of the joined result (default: the first result's).
        renumber : bool
            Number the points anew, in order: the first result's points become 0, 1, ...,
            the next result's follow (e.g. separate runs of a user's own Brian2 sweep, each
            read with :func:`~brianmodels.lif.brian2_runs.from_brian2` as point 0).

        Raises
        ------
        ValueError
            If two results share a point number and ``renumber`` is False.
        """
        results = list(results)
        if renumber:
            results = [_shift_points(r, off) for r, off in
                       zip(results, np.cumsum([0] + [_n_points(r) for r in results[:-1]]))]
        else:
            seen = {}
            for k, r in enumerate(results):
                for p in (r.table["point"].unique() if "point" in r.table else []):
                    if p in seen:
                        raise ValueError(f"results[{seen[p]}] and results[{k}] both hold point "
                                         f"{p}: pass renumber=True to number the points anew")
                    seen[p] = k
        out = {}
        for name in _TABLES:
            frames = [getattr(r, name) for r in results if getattr(r, name) is not None]
            out[name] = pd.concat(frames, ignore_index=True) if frames else None
        if out["rates"] is None:
            out["rates"] = pd.DataFrame(columns=["point", "population", "t", "rate", "mu"])
        return cls(params=params if params is not None else
                   (results[0].params if results else {}), **out)

    # ------------------------------------------------------------------ plots and export
    def plot(self, point=0, *, populations=("E", "I"), t_range=None, max_neurons=200,
             axes=None):
        """Raster of the recorded spikes above the population rates of one point.

        Delegates to :func:`brianmodels.lif.plotting.plot` (see it for the parameters).

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np, pandas as pd
        >>> from brianmodels.lif.result import SimulationResult
        >>> table = pd.DataFrame({"point": [0, 0], "population": ["E", "I"], "mu_E": 20.0,
        ...                       "mu_I": 20.0, "rate": [1.0, 0.5], "duration": 1.0})
        >>> rates = pd.DataFrame({"point": 0, "population": ["E", "I"], "t": [0.0, 0.0],
        ...                       "rate": [1.0, 0.5], "mu": 20.0})
        >>> spikes = pd.DataFrame({"point": 0, "population": ["E", "I"],
        ...                        "neuron": np.array([0, 0], np.int32), "t": [0.2, 0.7]})
        >>> fig = SimulationResult(table=table, rates=rates, spikes=spikes).plot()
        >>> len(fig.axes) >= 2
        True
        """
        from .plotting import plot

        return plot(self, point, populations=populations, t_range=t_range,
                    max_neurons=max_neurons, axes=axes)

    def to_neo(self):
        """The spikes, rates, table and params as a ``neo.Block``
        (:func:`brianmodels.export.to_neo`; needs ``pip install "brianmodels[neo]"``).

        Returns
        -------
        neo.Block
            One ``Segment`` per point, one ``SpikeTrain`` per recorded neuron (s).

        Examples
        --------
        >>> import pandas as pd
        >>> from brianmodels.lif.result import SimulationResult
        >>> table = pd.DataFrame({"point": [0, 0], "population": ["E", "I"], "duration": 1.0})
        >>> len(SimulationResult(table=table, rates=pd.DataFrame()).to_neo().segments)
        1
        """
        from ..export import to_neo

        return to_neo(self)

    def to_nwb(self, path, **kwargs):
        """Write the result into the NWB file ``path``, atomically
        (:func:`brianmodels.export.to_nwb`, whose keyword arguments it takes; needs
        ``pip install "brianmodels[nwb]"``).

        Returns
        -------
        pathlib.Path

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> from brianmodels.lif.result import SimulationResult
        >>> table = pd.DataFrame({"point": [0, 0], "population": ["E", "I"], "duration": 1.0})
        >>> res = SimulationResult(table=table, rates=pd.DataFrame())
        >>> res.to_nwb(tempfile.mkdtemp() + "/run.nwb").name
        'run.nwb'
        """
        from ..export import to_nwb

        return to_nwb(self, path, **kwargs)

    @classmethod
    def from_neo(cls, block):
        """The result held by a ``neo.Block`` (:func:`brianmodels.export.from_neo`).

        Returns
        -------
        SimulationResult

        Examples
        --------
        >>> import pandas as pd
        >>> from brianmodels.lif.result import SimulationResult
        >>> table = pd.DataFrame({"point": [0, 0], "population": ["E", "I"], "duration": 1.0})
        >>> res = SimulationResult(table=table, rates=pd.DataFrame())
        >>> SimulationResult.from_neo(res.to_neo()).table.equals(table)
        True
        """
        from ..export import from_neo

        return from_neo(block)

    @classmethod
    def from_nwb(cls, path):
        """Read a result from an NWB file (:func:`brianmodels.export.from_nwb`).

        Returns
        -------
        SimulationResult

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> from brianmodels.lif.result import SimulationResult
        >>> table = pd.DataFrame({"point": [0, 0], "population": ["E", "I"], "duration": 1.0})
        >>> path = SimulationResult(table=table, rates=pd.DataFrame()).to_nwb(
        ...     tempfile.mkdtemp() + "/run.nwb")
        >>> SimulationResult.from_nwb(path).table.equals(table)
        True
        """
        from ..export import from_nwb

        return from_nwb(path)

    # ------------------------------------------------------------------ persistence
    def save(self, folder, key=None, meta=None):
        """Write every table as Parquet, ``params.json`` and a manifest into ``folder``, atomically.

        The folder is filled under a temporary name and then renamed (an existing folder of
        the same name is replaced; :func:`brianmodels.atomic.atomic_dir`). Its
        ``manifest.json``, written last, lists the size and SHA-256 of every file with the
        content ``key`` and ``meta``, so :meth:`load` detects missing, truncated, altered or
        foreign files.

        Parameters
        ----------
        folder : str or path
        key : str, optional
            Content key of the result (e.g. a sweep point's hash), checked by ``load(key=)``.
        meta : dict, optional
            JSON-able description stored in the manifest (e.g. the point's parameters).

        Returns
        -------
        pathlib.Path
        """
        def fill(tmp):
            for name in _TABLES:
                df = getattr(self, name)
                if df is not None:
                    df.to_parquet(tmp / f"{name}.parquet", index=False)
            (tmp / "params.json").write_text(json.dumps(self.params, indent=1,
                                                        default=_json_default))
            atomic.write_manifest(tmp, key=key, meta=meta)  # last: marks the folder complete

        return atomic.atomic_dir(folder, fill)

    @classmethod
    def load(cls, folder, key=None):
        """Read a result written by :meth:`save`, checking it against its manifest.

        Parameters
        ----------
        folder : str or path
        key : str, optional
            Expected content key; a folder stored for another key is refused.

        Returns
        -------
        SimulationResult

        Raises
        ------
        brianmodels.atomic.IntegrityError
            (a ``ValueError``) naming the folder, the file and the problem: the manifest is
            missing (with ``key``; without it an older, manifest-less result is read with a
            warning) or unreadable, or a file is missing, truncated, altered, unlisted or
            unreadable.
        FileNotFoundError
            If ``folder`` holds no saved result.
        """
        folder = Path(folder)
        if not folder.is_dir() or not ((folder / atomic.MANIFEST).exists() or
                                       (folder / "params.json").exists()):
            raise FileNotFoundError(f"{folder} holds no saved SimulationResult "
                                    f"(no {atomic.MANIFEST} or params.json)")
        if key is None and not (folder / atomic.MANIFEST).exists():
            warnings.warn(f"{folder} has no {atomic.MANIFEST} (saved by an older version): "
                          "its files cannot be checked", stacklevel=2)
            names = ["params.json"] + [f"{n}.parquet" for n in _TABLES
                                       if (folder / f"{n}.parquet").exists()]
        else:
            try:
                names = list(atomic.check_manifest(folder, key)["files"])
            except atomic.IntegrityError as err:
                raise atomic.IntegrityError(f"{folder}: {err}") from None
        if "params.json" not in names:
            raise atomic.IntegrityError(f"{folder}: params.json is not listed in its manifest")
        kw = {}
        try:
            for name in _TABLES:
                kw[name] = pd.read_parquet(folder / f"{name}.parquet") \
                    if f"{name}.parquet" in names else None
            params = json.loads((folder / "params.json").read_text())
        except Exception as err:  # pyarrow, OS and JSON errors: the stored file is bad
            raise atomic.IntegrityError(f"{folder}: unreadable file ({type(err).__name__}: "
                                        f"{err})") from None
        if kw["table"] is None or kw["rates"] is None:
            raise atomic.IntegrityError(f"{folder}: table.parquet or rates.parquet is missing")
        return cls(params=params, **kw)


def cv_isi_columns(cv) -> dict:
    """The ``cv_isi_mean``, ``cv_isi_median`` and ``cv_isi_fraction`` columns of a ``table`` row
    from the per-neuron CV_ISI of the recorded neurons (NaN where a neuron has too few spikes).

    Examples
    --------
    >>> import numpy as np
    >>> cv_isi_columns(np.array([0.8, 1.0, np.nan, 0.9]))
    {'cv_isi_mean': 0.9, 'cv_isi_median': 0.9, 'cv_isi_fraction': 0.75}
    """
    cv = np.asarray(cv, float)
    ok = np.isfinite(cv)
    return {"cv_isi_mean": float(cv[ok].mean()) if ok.any() else np.nan,
            "cv_isi_median": float(np.median(cv[ok])) if ok.any() else np.nan,
            "cv_isi_fraction": float(ok.mean()) if cv.size else np.nan}


def balance_columns(bf) -> dict:
    """The ``bf_mean``, ``bf_median`` and ``bf_std`` (ddof 0) columns of a ``table`` row from
    per-neuron balance factors (NaN where undefined; all NaN if none is defined).

    Examples
    --------
    >>> balance_columns([0.25, 0.75, float("nan")])
    {'bf_mean': 0.5, 'bf_median': 0.5, 'bf_std': 0.25}
    """
    bf = np.asarray(bf, float)
    if not np.any(np.isfinite(bf)):
        return {"bf_mean": np.nan, "bf_median": np.nan, "bf_std": np.nan}
    return {"bf_mean": float(np.nanmean(bf)), "bf_median": float(np.nanmedian(bf)),
            "bf_std": float(np.nanstd(bf))}


def _n_points(result) -> int:
    t = result.table
    return int(t["point"].max()) + 1 if t is not None and "point" in t and len(t) else 0


def _shift_points(result, offset):
    """A copy of ``result`` whose ``point`` numbers are moved up by ``offset`` in every table."""
    kw = {}
    for name in _TABLES:
        df = getattr(result, name)
        if df is not None and "point" in df:
            df = df.copy()
            df["point"] = df["point"] + int(offset)
        kw[name] = df
    return type(result)(params=result.params, **kw)


def _json_default(o):
    import numpy as np

    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")
