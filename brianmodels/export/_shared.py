"""What the neo and NWB exports share: the optional imports, the exact table codec and the
recorded spike trains of a :class:`~brianmodels.lif.result.SimulationResult`, one per neuron.

Both formats hold one spike train per *recorded* neuron (silent ones included, as empty
trains), labelled by ``point``, ``population`` and ``neuron`` (index within the population),
with the run's window ``[0, duration]`` s; the tables and ``params`` travel with them so that
reading a file back gives the same result, float64 for float64.
"""
from __future__ import annotations

import importlib
import json

import numpy as np
import pandas as pd

from ..lif.result import _json_default as _result_json_default, cv_isi_columns

#: version of the layout written by :func:`~brianmodels.export.to_neo` and
#: :func:`~brianmodels.export.to_nwb` (stored in the files; readers refuse newer ones)
FORMAT = 1
POPULATIONS = ("E", "I")
SPIKE_COLUMNS = ("point", "population", "neuron", "t")
RATE_COLUMNS = ("point", "population", "t", "rate", "mu")


def require(module: str, extra: str, what: str):
    """Import the optional dependency ``module`` or raise an ImportError naming the extra."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise ImportError(f"{what} needs the optional package {module.split('.')[0]!r} "
                          f"({err}); install it with: pip install \"brianmodels[{extra}]\"") \
            from None


def check_result(result, name="result"):
    """``result`` if it is a SimulationResult, else a TypeError naming the argument."""
    from ..lif.result import SimulationResult

    if not isinstance(result, SimulationResult):
        raise TypeError(f"{name} must be a brianmodels SimulationResult (from simulate, sweep "
                        f"or from_brian2); got {type(result).__name__}")
    return result


# ------------------------------------------------------------------------------ tables
#: JSON encoding of numpy scalars and arrays (params and object cells): the one that
#: SimulationResult.save uses, so a result's params read the same from every format.
json_default = _result_json_default


def dtypes(df) -> dict:
    """column -> dtype name, in column order."""
    return {str(c): str(d) for c, d in df.dtypes.items()}


def restore_dtypes(df, kinds: dict):
    """``df`` with the columns, order and dtypes of ``kinds`` (from :func:`dtypes`)."""
    out = {}
    for col, kind in kinds.items():
        values = df[col] if col in df else pd.Series([], dtype=object)
        try:
            out[col] = values.astype(kind)
        except (TypeError, ValueError):  # a dtype this pandas does not know (e.g. 'str' < 3.0)
            out[col] = values.astype(object)
    return pd.DataFrame(out, index=pd.RangeIndex(len(df)))


def frame_to_json(df) -> dict:
    """A JSON-able dict that gives ``df`` back exactly (:func:`frame_from_json`).

    Floats are written by Python's ``repr`` (shortest text that reads back to the same float64,
    NaN and inf as ``NaN``/``Infinity``), so the round trip is exact to the bit."""
    return {"dtypes": dtypes(df),
            "data": {str(c): df[c].tolist() for c in df.columns}}


def frame_from_json(obj) -> pd.DataFrame:
    """The DataFrame encoded by :func:`frame_to_json`."""
    data = {c: pd.Series(v, dtype=object) for c, v in obj["data"].items()}
    n = len(next(iter(data.values()))) if data else 0
    return restore_dtypes(pd.DataFrame(data, index=pd.RangeIndex(n)), obj["dtypes"])


# ------------------------------------------------------------------------------ spikes
def points(result) -> list:
    """Sorted point numbers of ``result`` (table and spikes)."""
    pts = set()
    for df in (result.table, result.spikes):
        if df is not None and "point" in df and len(df):
            pts.update(int(p) for p in df["point"].unique())
    return sorted(pts)


def point_info(result, point) -> dict:
    """``mu_E``, ``mu_I`` (mV/s), ``seed``, ``connectivity_seed`` and ``t_stop`` (s) of a point.

    ``t_stop`` is the run's duration (the table's ``duration``, else the settings'), or the
    last spike if neither is known."""
    t = result.table
    rows = t[t["point"] == point] if t is not None and "point" in t else t.iloc[:0]
    info = {}
    for col in ("mu_E", "mu_I", "seed", "connectivity_seed"):
        v = rows[col].iloc[0] if col in rows and len(rows) else None
        if v is not None and not pd.isna(v):
            v = int(v) if col.endswith("seed") else float(v)
        else:
            v = None
        info[col] = v
    stop = None
    if "duration" in rows and len(rows) and np.isfinite(rows["duration"].iloc[0]):
        stop = float(rows["duration"].iloc[0])
    elif (result.params or {}).get("settings", {}).get("duration") is not None:
        stop = float(result.params["settings"]["duration"])
    s = result.spikes
    if s is not None and len(s):
        last = s.loc[s["point"] == point, "t"]
        if len(last) and (stop is None or last.max() > stop):
            stop = float(last.max())
    info["t_stop"] = 0.0 if stop is None else stop
    return info


def spike_trains(result):
    """Yield ``(point, population, neuron, times)`` of every recorded neuron, in that order.

    The recorded neurons are the first ``settings['record_spikes'][x]`` of each population
    (how :func:`~brianmodels.simulate` records them; silent ones give empty trains) together
    with every neuron that has a spike (results without that setting, e.g. ``from_brian2``).
    ``times`` (s) keep the order of the spikes table (increasing in time)."""
    s = result.spikes
    rec = (result.params or {}).get("settings", {}).get("record_spikes")
    if s is None and not rec:
        return
    if s is None:
        s = pd.DataFrame({c: [] for c in SPIKE_COLUMNS})
    for p in points(result):
        sp = s[s["point"] == p]
        for x, X in enumerate(POPULATIONS):
            sx = sp[sp["population"] == X]
            neuron = sx["neuron"].to_numpy(np.int64)
            times = sx["t"].to_numpy(np.float64)
            ids = set(np.unique(neuron).tolist())
            if rec:
                ids.update(range(int(rec[x])))
            if not ids:
                continue
            order = np.argsort(neuron, kind="stable")  # per neuron, the table's (time) order
            neuron, times = neuron[order], times[order]
            for n in sorted(ids):
                lo, hi = np.searchsorted(neuron, [n, n + 1])
                yield p, X, int(n), times[lo:hi]


def spikes_frame(point, population, neuron, times, counts) -> pd.DataFrame | None:
    """The spikes table from per-train ``point``, ``population``, ``neuron`` and concatenated
    ``times`` (``counts`` spikes each): sorted by point, population (E, I), time and neuron,
    the order :func:`~brianmodels.simulate` records them in; None if no spike."""
    counts = np.asarray(counts, np.int64)
    if not counts.sum():
        return None
    rep = lambda a, dt: np.repeat(np.asarray(a, dt), counts)  # noqa: E731
    pop = rep(population, object)
    df = pd.DataFrame({"point": rep(point, np.int64), "population": pop,
                       "neuron": rep(neuron, np.int32), "t": np.asarray(times, np.float64)})
    rank = np.array([POPULATIONS.index(X) if X in POPULATIONS else 2 for X in pop])
    order = np.lexsort((df["neuron"].to_numpy(), df["t"].to_numpy(), rank, df["point"].to_numpy()))
    df = df.iloc[order].reset_index(drop=True)
    df["population"] = df["population"].astype(str)
    return df


def table_from_trains(point, population, t_start, t_stop, times, counts, info=None):
    """A minimal ``table`` for spike trains from elsewhere: per point x population the rate
    (Hz: mean over trains of count / window), its SD, CV_ISI statistics over the window and
    the window itself; ``info`` maps point -> {'mu_E', 'mu_I', 'seed', ...} when known."""
    from ..lif import analysis

    point, population = np.asarray(point, np.int64), np.asarray(population, object)
    t_start, t_stop = np.asarray(t_start, float), np.asarray(t_stop, float)
    ends = np.cumsum(counts)
    starts = ends - np.asarray(counts)
    rows = []
    for p in np.unique(point):
        for X in POPULATIONS:
            sel = np.flatnonzero((point == p) & (population == X))
            if not sel.size:
                continue
            T0, T1 = float(t_start[sel].min()), float(t_stop[sel].max())
            T = T1 - T0
            n_spk = np.array([ends[k] - starts[k] for k in sel], float)
            rates = n_spk / T if T > 0 else np.full(sel.size, np.nan)
            i = np.concatenate([np.full(ends[k] - starts[k], j) for j, k in enumerate(sel)])
            t = np.concatenate([times[starts[k]:ends[k]] for k in sel])
            cv = analysis.isi_statistics(i.astype(np.int64), t, sel.size, t_start=T0,
                                         t_stop=T1).cv
            extra = dict((info or {}).get(int(p), {}))
            rows.append({"point": int(p), "population": X,
                         "mu_E": extra.pop("mu_E", np.nan), "mu_I": extra.pop("mu_I", np.nan),
                         "rate": rates.mean(), "rate_std": rates.std(),
                         **cv_isi_columns(cv), "t_start": T0, "t_stop": T1,
                         "duration": T1, "N": int(sel.size), **extra})
    return pd.DataFrame(rows)


def dumps(obj) -> str:
    """JSON text of ``obj`` (numpy values allowed)."""
    return json.dumps(obj, default=json_default)
