"""A :class:`~brianmodels.lif.result.SimulationResult` as an NWB file (Neurodata Without
Borders, written with ``pynwb``), and back.

Layout of the file:

* ``units`` (the NWB Units table): one row per recorded neuron (silent ones with no spikes),
  ``spike_times`` in s from the start of the run, ``obs_intervals`` ``[[0, duration]]`` (s) and
  the columns ``population`` ('E'/'I'), ``neuron`` (index within the population) and ``point``;
* processing module ``brianmodels``: the result's ``table``, ``rates`` and ``currents`` (when
  present) as ``DynamicTable`` s with the result's columns (units in each column's
  description; text cells that are not strings are stored as JSON text);
* scratch ``brianmodels``: JSON text with the format version, ``params`` and the dtypes of every
  table, so that :func:`from_nwb` gives the result back exactly.

The file is written atomically (a temporary file in the same folder, then renamed:
:func:`brianmodels.atomic.atomic_write`): a reader sees the old file or the whole new one.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

from .. import atomic
from . import _shared

_WHAT = "brianmodels.export.to_nwb/from_nwb"
_MODULE = "brianmodels"            # processing module and scratch entry
_TABLES = ("table", "rates", "currents")
#: units of the columns, written into the DynamicTables' column descriptions
_UNITS = {"mu_E": "mV/s", "mu_I": "mV/s", "rate": "Hz", "rate_std": "Hz", "mu": "mV/s",
          "input_E": "mV/s", "input_I": "mV/s", "input_ext": "mV/s", "I_E": "mV/s",
          "I_I": "mV/s", "v_end_mean": "mV", "v_end_std": "mV", "t": "s", "t_start": "s",
          "t_stop": "s", "duration": "s", "dt": "s", "wall_seconds": "s", "run_seconds": "s"}


def _pynwb():
    return _shared.require("pynwb", "nwb", _WHAT)


def _path(path, must_exist):
    try:
        p = Path(os.fspath(path))
    except TypeError:
        raise TypeError(f"path must be a file path (str or path-like); got "
                        f"{type(path).__name__}") from None
    if p.is_dir():
        raise ValueError(f"path={str(path)!r} is a folder; give the name of an .nwb file")
    if must_exist and not p.is_file():
        raise FileNotFoundError(f"path={str(path)!r}: no such file")
    return p


def to_nwb(result, path, *, session_description=None, identifier=None,
           session_start_time=None):
    """Write ``result`` into the NWB file ``path``, atomically (an existing file is replaced).

    Parameters
    ----------
    result : SimulationResult
        From :func:`~brianmodels.simulate`, :func:`~brianmodels.sweep` or
        :func:`~brianmodels.from_brian2`.
    path : str or path-like
        The file to write (conventionally ``*.nwb``); its folder is created if missing.
    session_description : str, optional
        Default: the network's name, the number of points and the drives.
    identifier : str, optional
        The file's unique identifier (default: a random UUID).
    session_start_time : datetime.datetime, optional
        Time zone aware start of the "session" (default: now, UTC); spike times are relative
        to it.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    TypeError
        If ``result`` is not a SimulationResult, ``path`` is not path-like or
        ``session_start_time`` is not a datetime.
    ValueError
        If ``path`` is a folder or cannot be written, or ``session_start_time`` has no time
        zone.
    ImportError
        If pynwb is not installed (``pip install "brianmodels[nwb]"``).

    Examples
    --------
    >>> import tempfile, numpy as np, pandas as pd
    >>> from brianmodels.lif.result import SimulationResult
    >>> from brianmodels.export import to_nwb, from_nwb
    >>> table = pd.DataFrame({"point": [0, 0], "population": ["E", "I"], "rate": [1.0, 0.5],
    ...                       "duration": 2.0})
    >>> spikes = pd.DataFrame({"point": 0, "population": ["E", "E", "I"],
    ...                        "neuron": np.array([0, 1, 0], np.int32), "t": [0.1, 0.5, 1.5]})
    >>> res = SimulationResult(table=table, rates=pd.DataFrame(), spikes=spikes)
    >>> path = to_nwb(res, tempfile.mkdtemp() + "/run.nwb")
    >>> from_nwb(path).spikes.equals(res.spikes)
    True
    """
    _shared.check_result(result)
    path = _path(path, must_exist=False)
    if session_start_time is None:
        session_start_time = _dt.datetime.now(_dt.timezone.utc)
    if not isinstance(session_start_time, _dt.datetime):
        raise TypeError(f"session_start_time must be a datetime.datetime; got "
                        f"{type(session_start_time).__name__}")
    if session_start_time.tzinfo is None:
        raise ValueError("session_start_time must be time zone aware, e.g. "
                         "datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)")
    for name, v in (("session_description", session_description), ("identifier", identifier)):
        if v is not None and not isinstance(v, str):
            raise TypeError(f"{name} must be a str; got {type(v).__name__}")
    try:  # before any work: a folder that cannot be created is the caller's mistake
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ValueError(f"path={str(path)!r}: cannot create its folder "
                         f"({err.strerror or err})") from None
    pynwb = _pynwb()
    from hdmf.common import DynamicTable, VectorData, VectorIndex  # a dependency of pynwb
    from pynwb.misc import Units

    params = result.params or {}
    net = params.get("network", {}) if isinstance(params.get("network"), dict) else {}
    pts = _shared.points(result)
    if session_description is None:
        session_description = (f"brianmodels simulation of the LIF E-I network "
                               f"{net.get('name') or '(unnamed)'}: {len(pts)} input point"
                               f"{'s' if len(pts) != 1 else ''}")
    nwb = pynwb.NWBFile(session_description=session_description,
                        identifier=identifier or str(uuid.uuid4()),
                        session_start_time=session_start_time,
                        source_script="brianmodels.export.to_nwb",
                        source_script_file_name="brianmodels/export/nwb_format.py")

    # Units: built column by column (add_unit per row takes ~0.5 ms a neuron)
    stops = {p: _shared.point_info(result, p)["t_stop"] for p in pts}
    rows = list(_shared.spike_trains(result))
    n = len(rows)
    times = np.concatenate([r[3] for r in rows]) if rows else np.zeros(0)
    st = VectorData(name="spike_times", description="spike times of the neuron (s, from the "
                    "start of the run, warm-up included)", data=times)
    obs = VectorData(name="obs_intervals", description="the run's window [0, duration] (s)",
                     data=np.array([[0.0, stops[r[0]]] for r in rows], float).reshape(n, 2))
    ends = np.cumsum([r[3].size for r in rows], dtype=np.int64)
    columns = [
        st, VectorIndex(name="spike_times_index", target=st, data=ends),
        obs, VectorIndex(name="obs_intervals_index", target=obs,
                         data=np.arange(1, n + 1, dtype=np.int64)),
        VectorData(name="population", description="population ('E' or 'I')",
                   data=[r[1] for r in rows]),
        VectorData(name="neuron", description="index of the neuron within its population",
                   data=np.array([r[2] for r in rows], np.int64)),
        VectorData(name="point", description="input point (the result's 'point')",
                   data=np.array([r[0] for r in rows], np.int64))]
    units = Units(name="units", description="recorded neurons of the simulation, one per row",
                  id=np.arange(n), columns=columns)
    if n:  # an empty Units table cannot be written (its text column has no dtype)
        nwb.units = units

    meta = {"format": _shared.FORMAT, "params": params, "dtypes": {}, "json_columns": {}}
    module = nwb.create_processing_module(_MODULE, "measurements of the simulation "
                                                   "(brianmodels SimulationResult tables)")
    for name in _TABLES:
        df = getattr(result, name)
        if df is None:
            continue
        meta["dtypes"][name] = _shared.dtypes(df)
        if not len(df.columns) or not len(df):
            continue  # nothing to store; the dtypes give the empty table back
        cols, as_json = [], []
        for c in df.columns:
            data, encoded = _column(df[c])
            if encoded:
                as_json.append(str(c))
            unit = _UNITS.get(str(c))
            cols.append(VectorData(name=str(c), data=data,
                                   description=(f"{c} ({unit})" if unit else str(c)) +
                                   ("; JSON text" if encoded else "")))
        meta["json_columns"][name] = as_json
        module.add(DynamicTable(name=name, description=f"SimulationResult.{name}",
                                id=np.arange(len(df)), columns=cols))
    nwb.add_scratch(_shared.dumps(meta), name=_MODULE,
                    description="brianmodels: format, params (JSON) and table dtypes")

    def write(tmp):
        with pynwb.NWBHDF5IO(tmp, "w") as io:
            io.write(nwb)

    try:
        return atomic.atomic_write(path, write)
    except (PermissionError, FileNotFoundError, IsADirectoryError, NotADirectoryError) as err:
        # OS errors of the file itself (h5py's own errors pass unchanged)
        raise ValueError(f"path={str(path)!r}: cannot write the file ({err.strerror or err})") \
            from None


def _column(series):
    """(data for a VectorData, whether the cells were JSON-encoded)."""
    if series.dtype.kind in "biuf":
        return series.to_numpy(), False
    values = series.tolist()
    if all(isinstance(v, str) for v in values):
        return values, False
    return [json.dumps(v, default=_shared.json_default) for v in values], True


def from_nwb(path):
    """Read a :class:`~brianmodels.lif.result.SimulationResult` from an NWB file.

    A file written by :func:`to_nwb` gives back the spikes (float64 for float64), the tables
    and the params. Another NWB file is read when its Units table has the columns
    ``population`` ('E'/'I') and ``neuron`` (``point`` optional, default 0): its table then
    holds, per point and population, the rate, its SD and CV_ISI statistics over the units'
    ``obs_intervals`` (else from 0 to the last spike).

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    SimulationResult
        ``spikes`` sorted by point, population, time and neuron (the order of
        :func:`~brianmodels.simulate`).

    Raises
    ------
    TypeError
        If ``path`` is not path-like.
    FileNotFoundError
        If there is no file ``path``.
    ValueError
        If ``path`` is a folder, not an NWB file, has no Units table or its Units table lacks
        the ``population``/``neuron`` columns, or was written by a newer format.
    ImportError
        If pynwb is not installed (``pip install "brianmodels[nwb]"``).

    Examples
    --------
    >>> import tempfile, numpy as np, pandas as pd
    >>> from brianmodels.lif.result import SimulationResult
    >>> from brianmodels.export import to_nwb, from_nwb
    >>> table = pd.DataFrame({"point": [0, 0], "population": ["E", "I"], "rate": [1.0, 0.5],
    ...                       "duration": 2.0})
    >>> res = SimulationResult(table=table, rates=pd.DataFrame())
    >>> from_nwb(to_nwb(res, tempfile.mkdtemp() + "/run.nwb")).table.equals(table)
    True
    """
    path = _path(path, must_exist=True)
    pynwb = _pynwb()
    from ..lif.result import SimulationResult

    io = None
    try:
        io = pynwb.NWBHDF5IO(str(path), "r")
        nwb = io.read()
    except Exception as err:  # h5py/hdmf errors of a file that is not NWB
        if io is not None:
            io.close()
        raise ValueError(f"path={str(path)!r} is not a readable NWB file "
                         f"({type(err).__name__}: {err})") from None
    with io:
        meta = None
        if _MODULE in nwb.scratch:
            meta = json.loads(nwb.scratch[_MODULE].data)
            if int(meta.get("format", 0)) > _shared.FORMAT:
                raise ValueError(f"path={str(path)!r} was written by a newer brianmodels "
                                 f"(format {meta['format']}; this version reads up to "
                                 f"{_shared.FORMAT}): upgrade brianmodels")
        units = nwb.units
        if units is None and meta is None:
            raise ValueError(f"path={str(path)!r} has no Units table (no spike trains)")
        if units is None:  # written by to_nwb for a result without recorded neurons
            point, population, neuron = np.zeros(0, np.int64), [], np.zeros(0, np.int64)
            times, counts = np.zeros(0), np.zeros(0, np.int64)
        else:
            point, population, neuron, times, counts = _read_units(units, path)
        frames = {}
        if meta is not None and _MODULE in nwb.processing:
            module = nwb.processing[_MODULE]
            for name in meta["dtypes"]:
                if name in module.data_interfaces:
                    tab = module[name]
                    frames[name] = pd.DataFrame({c: _cells(tab[c].data[:], c in meta[
                        "json_columns"].get(name, [])) for c in tab.colnames})
        if meta is None:
            t0, t1 = _windows(units, len(counts), times)
    spikes = _shared.spikes_frame(point, population, neuron, times, counts)
    if meta is None:
        table = _shared.table_from_trains(point, population, t0, t1, times, counts)
        return SimulationResult(table=table, rates=pd.DataFrame(columns=list(_shared.RATE_COLUMNS)),
                                spikes=spikes, params={"source": "nwb", "path": str(path),
                                                       "settings": {}})
    kw = {}
    for name in _TABLES:
        kinds = meta["dtypes"].get(name)
        if kinds is None:
            kw[name] = None
        else:
            df = frames.get(name, pd.DataFrame(index=pd.RangeIndex(0)))
            kw[name] = _shared.restore_dtypes(df, kinds)
    if kw["rates"] is None:
        kw["rates"] = pd.DataFrame(columns=list(_shared.RATE_COLUMNS))
    return SimulationResult(spikes=spikes, params=meta["params"], **kw)


def _read_units(units, path):
    """(point, population, neuron, times, counts) of every row of a Units table."""
    missing = [c for c in ("population", "neuron") if c not in units.colnames]
    if missing:
        raise ValueError(f"path={str(path)!r}: its Units table has no "
                         f"{' or '.join(repr(c) for c in missing)} column; from_nwb reads "
                         "files written by to_nwb, or Units with population ('E' or 'I') "
                         "and neuron (index within the population) columns")
    n = len(units.id.data)
    if "spike_times" in units.colnames:
        times = np.asarray(units["spike_times"].target.data[:], np.float64)
        ends = np.asarray(units["spike_times_index"].data[:], np.int64)
    else:
        times, ends = np.zeros(0), np.zeros(n, np.int64)
    population = [_text(v) for v in units["population"].data[:]]
    bad = sorted(set(population) - set(_shared.POPULATIONS))
    if bad:
        raise ValueError(f"path={str(path)!r}: Units population {bad[0]!r} is not one of "
                         f"{list(_shared.POPULATIONS)}")
    neuron = np.asarray(units["neuron"].data[:], np.int64)
    point = np.asarray(units["point"].data[:], np.int64) if "point" in units.colnames \
        else np.zeros(n, np.int64)
    return point, population, neuron, times, np.diff(np.r_[0, ends])


def _text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def _cells(data, encoded):
    """A stored column as a pandas-ready array or list."""
    if getattr(data, "dtype", None) is not None and data.dtype.kind in "biuf":
        return data
    values = [_text(v) for v in data]
    return [json.loads(v) for v in values] if encoded else values


def _windows(units, n, times):
    """(t_start, t_stop) per unit: its first obs_interval, else [0, last spike]."""
    if "obs_intervals" in units.colnames:
        iv = np.asarray(units["obs_intervals"].target.data[:], float).reshape(-1, 2)
        first = np.r_[0, np.asarray(units["obs_intervals_index"].data[:], np.int64)[:-1]]
        if iv.shape[0] and first.size == n:
            return iv[first, 0], iv[np.asarray(units["obs_intervals_index"].data[:]) - 1, 1]
    last = times.max() if times.size else 0.0
    return np.zeros(n), np.full(n, last)
