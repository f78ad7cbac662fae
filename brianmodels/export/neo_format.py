"""Spikes and population rates of a :class:`~brianmodels.lif.result.SimulationResult` as a
``neo.Block``, and back.

The block is made of neo's standard objects, so ``elephant`` (rates, CV, correlations,
spectra) and neo's writers (NIX, pickle, ...) work on it:

* one ``Segment`` per input point (``index`` = point; annotations ``point``, ``mu_E``, ``mu_I``
  (mV/s), ``seed``, ``connectivity_seed``);
* in each segment one ``SpikeTrain`` per recorded neuron (silent ones empty): times in s,
  ``t_start`` 0 s, ``t_stop`` the run's duration (warm-up included), annotations
  ``population``, ``neuron`` (index within the population), ``point``, ``mu_E``, ``mu_I``,
  ``seed``, ``connectivity_seed``;
* in each segment one ``IrregularlySampledSignal`` per population for the population rate
  (Hz, at the ``rates`` table's bin starts, s) and one for the drive ``mu`` (mV/s), annotated
  ``population`` and ``quantity`` ('rate' or 'mu');
* block annotations ``brianmodels_format``, ``params`` (JSON text) and ``table`` (JSON text,
  exact to the bit), so that :func:`from_neo` rebuilds the result.

The ``currents`` table is not carried (use :func:`~brianmodels.export.to_nwb` for it).
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from . import _shared

_WHAT = "brianmodels.export.to_neo/from_neo"


def _neo():
    neo = _shared.require("neo", "neo", _WHAT)
    pq = _shared.require("quantities", "neo", _WHAT)
    return neo, pq


def to_neo(result):
    """The spikes, population rates, table and params of ``result`` as a ``neo.Block``.

    Parameters
    ----------
    result : SimulationResult
        From :func:`~brianmodels.simulate`, :func:`~brianmodels.sweep` or
        :func:`~brianmodels.from_brian2`.

    Returns
    -------
    neo.Block
        One ``Segment`` per point with one ``SpikeTrain`` per recorded neuron (times in s,
        ``t_start`` 0, ``t_stop`` the run's duration) and the population rates (Hz) and drives
        (mV/s) as ``IrregularlySampledSignal`` s; see the module docstring for the
        annotations. :func:`from_neo` reads it back.

    Raises
    ------
    TypeError
        If ``result`` is not a SimulationResult.
    ImportError
        If neo is not installed (``pip install "brianmodels[neo]"``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from brianmodels.lif.result import SimulationResult
    >>> from brianmodels.export import to_neo
    >>> table = pd.DataFrame({"point": [0, 0], "population": ["E", "I"], "mu_E": 20.0,
    ...                       "mu_I": 20.0, "rate": [1.0, 0.5], "duration": 2.0})
    >>> spikes = pd.DataFrame({"point": 0, "population": ["E", "E", "I"],
    ...                        "neuron": np.array([0, 1, 0], np.int32), "t": [0.1, 0.5, 1.5]})
    >>> res = SimulationResult(table=table, rates=pd.DataFrame(), spikes=spikes)
    >>> block = to_neo(res)
    >>> train = block.segments[0].spiketrains[0]
    >>> train.annotations["population"], train.annotations["neuron"], float(train.t_stop)
    ('E', 0, 2.0)
    """
    _shared.check_result(result)
    neo, pq = _neo()
    params = result.params or {}
    name = params.get("network", {}).get("name") if isinstance(params.get("network"), dict) \
        else None
    block = neo.Block(name=f"brianmodels simulation{f' of {name}' if name else ''}",
                      description="spike trains of the recorded neurons, one segment per "
                                  "input point (brianmodels.export.to_neo)",
                      brianmodels_format=_shared.FORMAT, params=_shared.dumps(params),
                      table=_shared.dumps(_shared.frame_to_json(result.table)))
    segments = {}
    for p in _shared.points(result):
        info = _shared.point_info(result, p)
        ann = {k: v for k, v in info.items() if k != "t_stop" and v is not None}
        seg = neo.Segment(name=f"point {p}", index=p, point=p, **ann)
        segments[p] = (seg, info, ann)
        block.segments.append(seg)
    trains = {p: [] for p in segments}  # assigned at once: appending checks every train
    for p, X, n, times in _shared.spike_trains(result):
        seg, info, ann = segments[p]
        train = neo.SpikeTrain(np.array(times, np.float64), units=pq.s, t_start=0.0 * pq.s,
                               t_stop=info["t_stop"] * pq.s,
                               name=f"{X}{n}", population=X, neuron=n, point=p, **ann)
        trains[p].append(train)
    for p, (seg, _, _) in segments.items():
        seg.spiketrains = trains[p]
        for train in trains[p]:
            train.segment = seg
    rates = result.rates
    if rates is not None and len(rates):
        for (p, X), df in rates.groupby(["point", "population"], sort=True):
            if int(p) not in segments:
                continue
            seg = segments[int(p)][0]
            t = df["t"].to_numpy(np.float64)
            for quantity, unit in (("rate", pq.Hz), ("mu", pq.mV / pq.s)):
                if quantity not in df:
                    continue
                seg.irregularlysampledsignals.append(neo.IrregularlySampledSignal(
                    t * pq.s, df[quantity].to_numpy(np.float64)[:, None] * unit,
                    name=f"{quantity} {X}", population=str(X), point=int(p),
                    quantity=quantity))
        block.annotate(rates_dtypes=_shared.dumps(_shared.dtypes(rates)))
    return block


def from_neo(block):
    """The :class:`~brianmodels.lif.result.SimulationResult` held by a ``neo.Block``.

    A block written by :func:`to_neo` gives back the result's spikes (float64 for float64),
    table, population rates and params. A block from elsewhere is read when each
    ``SpikeTrain`` is annotated with ``population`` ('E' or 'I') and ``neuron`` (index within
    the population; ``point`` from the train, its segment's annotation or the segment's
    position): its table then holds, per point and population, the rate, its SD and CV_ISI
    statistics over the trains' window, and ``params`` is ``{'source': 'neo', ...}``.

    Parameters
    ----------
    block : neo.Block

    Returns
    -------
    SimulationResult
        ``spikes`` sorted by point, population, time and neuron (the order of
        :func:`~brianmodels.simulate`).

    Raises
    ------
    TypeError
        If ``block`` is not a ``neo.Block``.
    ValueError
        If a SpikeTrain lacks the ``population``/``neuron`` annotations (naming it), has a
        population other than 'E'/'I', or the block was written by a newer format.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from brianmodels.lif.result import SimulationResult
    >>> from brianmodels.export import to_neo, from_neo
    >>> table = pd.DataFrame({"point": [0, 0], "population": ["E", "I"], "rate": [1.0, 0.5],
    ...                       "duration": 2.0})
    >>> spikes = pd.DataFrame({"point": 0, "population": ["E", "E", "I"],
    ...                        "neuron": np.array([0, 1, 0], np.int32), "t": [0.1, 0.5, 1.5]})
    >>> res = SimulationResult(table=table, rates=pd.DataFrame(), spikes=spikes)
    >>> back = from_neo(to_neo(res))
    >>> back.spikes.equals(res.spikes), back.table.equals(res.table)
    (True, True)
    """
    neo, pq = _neo()
    if not isinstance(block, neo.Block):
        raise TypeError(f"block must be a neo.Block; got {type(block).__name__}")
    from ..lif.result import SimulationResult

    ann = block.annotations
    fmt = ann.get("brianmodels_format")
    if fmt is not None and int(fmt) > _shared.FORMAT:
        raise ValueError(f"block was written by a newer brianmodels (format {fmt}; this "
                         f"version reads up to {_shared.FORMAT}): upgrade brianmodels")
    cols = {k: [] for k in ("point", "population", "neuron", "t_start", "t_stop", "count")}
    times, info, rate_frames = [], {}, []
    for k, seg in enumerate(block.segments):
        seg_point = seg.annotations.get("point", seg.index if seg.index is not None else k)
        info[int(seg_point)] = {c: seg.annotations[c] for c in
                                ("mu_E", "mu_I", "seed", "connectivity_seed")
                                if c in seg.annotations}
        for j, train in enumerate(seg.spiketrains):
            a = train.annotations
            where = f"block.segments[{k}].spiketrains[{j}] (name {train.name!r})"
            missing = [c for c in ("population", "neuron") if c not in a]
            if missing:
                raise ValueError(
                    f"{where} has no {' or '.join(repr(c) for c in missing)} annotation: "
                    "from_neo reads blocks written by to_neo, or SpikeTrains annotated with "
                    "population ('E' or 'I') and neuron (index within the population)")
            X = str(a["population"])
            if X not in _shared.POPULATIONS:
                raise ValueError(f"{where} has population {a['population']!r}; it must be "
                                 f"one of {list(_shared.POPULATIONS)}")
            t = np.asarray(train.times.rescale(pq.s).magnitude, np.float64).ravel()
            cols["point"].append(int(a.get("point", seg_point)))
            cols["population"].append(X)
            cols["neuron"].append(int(a["neuron"]))
            cols["t_start"].append(float(train.t_start.rescale(pq.s).magnitude))
            cols["t_stop"].append(float(train.t_stop.rescale(pq.s).magnitude))
            cols["count"].append(t.size)
            times.append(t)
        rate_frames += _rates_of(seg, int(seg_point), pq)
    times = np.concatenate(times) if times else np.zeros(0)
    spikes = _shared.spikes_frame(cols["point"], cols["population"], cols["neuron"], times,
                                  cols["count"])
    if "table" in ann:
        table = _shared.frame_from_json(json.loads(ann["table"]))
    else:
        table = _shared.table_from_trains(cols["point"], cols["population"], cols["t_start"],
                                          cols["t_stop"], times, cols["count"], info)
    params = json.loads(ann["params"]) if "params" in ann else \
        {"source": "neo", "block": block.name, "settings": {}}
    rates = _join_rates(rate_frames)
    if "rates_dtypes" in ann and len(rates):
        rates = _shared.restore_dtypes(rates, json.loads(ann["rates_dtypes"]))
    return SimulationResult(table=table, rates=rates, spikes=spikes, params=params)


def _rates_of(seg, point, pq):
    """(population, quantity, times, values) of the rate and drive signals of a segment."""
    out = []
    for sig in seg.irregularlysampledsignals:
        a = sig.annotations
        if a.get("quantity") not in ("rate", "mu") or "population" not in a:
            continue
        unit = pq.Hz if a["quantity"] == "rate" else pq.mV / pq.s
        out.append((int(a.get("point", point)), str(a["population"]), a["quantity"],
                    np.asarray(sig.times.rescale(pq.s).magnitude, np.float64),
                    np.asarray(sig.rescale(unit).magnitude, np.float64)[:, 0]))
    return out


def _join_rates(frames):
    """The ``rates`` table from :func:`_rates_of` entries (rate and mu share the bins)."""
    cols = list(_shared.RATE_COLUMNS)
    by = {}
    for p, X, q, t, v in frames:
        by.setdefault((p, X), {"t": t})[q] = v
    parts = []
    for (p, X), d in sorted(by.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        n = d["t"].size
        parts.append(pd.DataFrame({"point": np.full(n, p, np.int64), "population": X,
                                   "t": d["t"], "rate": d.get("rate", np.full(n, np.nan)),
                                   "mu": d.get("mu", np.full(n, np.nan))}))
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    out["population"] = out["population"].astype(str)
    return out
