"""A user's own Brian2 run, read back into the package: ``from_brian2``.

:func:`from_brian2` turns the monitors of a Brian2 run of an E-I network (built with
:func:`~brianmodels.lif.brian2_network.to_brian2`, or any network with one group per
population) into the :class:`~brianmodels.lif.result.SimulationResult` that
:func:`brianmodels.simulate` returns, with the same ``table`` columns (NaN where the monitors
do not allow a measurement), so ``meanfield.compare(sim, theory)``, ``SimulationResult.concat``
and :mod:`brianmodels.lif.analysis` work on it:

* ``SpikeMonitor`` -> ``rate``, ``rate_std`` (spike counts after the warm-up), CV_ISI
  (:func:`~brianmodels.lif.analysis.isi_statistics`), the ``spikes`` table and, without a
  ``PopulationRateMonitor``, the ``rates`` trace (spikes binned by ``rate_bin``);
* ``PopulationRateMonitor`` -> the ``rates`` trace (its rate averaged per ``rate_bin``), and
  ``rate`` when the population has no ``SpikeMonitor``;
* ``StateMonitor`` of ``sE`` and ``sI`` (the recurrent-input accumulators of ``to_brian2``) ->
  the mean recurrent inputs ``input_E``, ``input_I``, the balance factor (``docs/theory/ssn_lif.md``
  §12) of the recorded neurons and the ``currents`` table; of ``v`` -> nothing more (``v_end_*``
  come from the group itself).

A monitor of a ``Subgroup`` counts only that subgroup: rates are divided by its size, and its
neuron indices are shifted to indices within the population.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import analysis, inputs
from .result import SimulationResult, balance_columns, cv_isi_columns
from .simulate import DEFAULT_RATE_BIN, _time, check_network
from .. import seeds as _seeds
from ..network import POPULATIONS
from ..units import is_quantity, to_float

_KINDS = ("SpikeMonitor", "PopulationRateMonitor", "StateMonitor")


def _kind(mon):
    """'SpikeMonitor', 'PopulationRateMonitor' or 'StateMonitor' (None for anything else)."""
    import brian2 as b2

    for name in _KINDS:
        if isinstance(mon, getattr(b2, name)):
            return name
    return None


def _where(mon):
    """(group, start, stop) of what ``mon`` records: the full group and the recorded range."""
    src = mon.source
    parent = getattr(src, "source", None)
    if parent is not None and hasattr(src, "start") and hasattr(src, "stop"):  # Subgroup
        return parent, int(src.start), int(src.stop)
    return src, 0, len(src)


def _by_population(monitors, net):
    """Population -> list of (label, monitor, kind, group, start, stop); checks types and sizes."""
    if isinstance(monitors, dict):
        bad = [k for k in monitors if k not in POPULATIONS]
        if bad:
            raise ValueError(f"monitors keys must be among {list(POPULATIONS)}; got {bad[0]!r}")
        items = [(f"monitors[{X!r}]", X, m) for X, ms in monitors.items()
                 for m in (ms if isinstance(ms, (list, tuple)) else [ms])]
    elif isinstance(monitors, (list, tuple)):
        items = [(f"monitors[{k}]", None, m) for k, m in enumerate(monitors)]
    else:
        items = [("monitors", None, monitors)]
    if not items:
        raise ValueError("monitors must hold at least one SpikeMonitor, PopulationRateMonitor or "
                         "StateMonitor")
    out = {X: [] for X in POPULATIONS}
    for label, X, mon in items:
        kind = _kind(mon)
        if kind is None:
            raise TypeError(f"{label} must be a brian2 SpikeMonitor, PopulationRateMonitor or "
                            f"StateMonitor; got {type(mon).__name__}")
        group, start, stop = _where(mon)
        if X is None:
            X = group.name
            if X not in POPULATIONS:
                raise ValueError(f"{label} records the group {group.name!r}, which is neither "
                                 f"'E' nor 'I' (the groups of to_brian2): pass monitors as a dict "
                                 f"{{'E': [...], 'I': [...]}} for groups named otherwise")
        x = POPULATIONS.index(X)
        if len(group) != int(net.N[x]):
            raise ValueError(f"{label} records the group {group.name!r} of {len(group)} neurons "
                             f"as population {X}, but net has N_{X} = {int(net.N[x])}")
        if not getattr(mon, "_code_objects", [None]):  # Brian2 fills it when a run includes it
            raise ValueError(f"{label} ({mon.name!r}) was not part of any run: add it to the "
                             f"Network (b2.add(monitor)) before running")
        try:
            mon.t[:]
        except NotImplementedError:  # standalone, before device.run
            raise ValueError(f"{label} ({mon.name!r}) has no results yet: the standalone "
                             f"simulation has not been run (device.run())") from None
        out[X].append((label, mon, kind, group, start, stop))
    for X, mons in out.items():
        for kind in _KINDS[:2]:
            same = [m[0] for m in mons if m[2] == kind]
            if len(same) > 1:
                raise ValueError(f"monitors: population {X} has several {kind}s ({', '.join(same)}); "
                                 f"give one per population")
    return out


def _run_end(label, group):
    """Time (s) the group's clock has reached, i.e. the run's length (ValueError if not run)."""
    try:
        t = float(np.asarray(group.t / _second()))
    except NotImplementedError:  # standalone, before device.run
        t = 0.0
    if not t > 0:
        raise ValueError(f"{label}: the network of group {group.name!r} has not been run yet "
                         f"(its clock is at t = 0): call run() before from_brian2")
    return t


def _second():
    import brian2 as b2

    return b2.second


def _drive_of(group):
    """The group's uniform drive ``mu`` in mV/s, or None (no such variable, not uniform)."""
    if "mu" not in getattr(group, "variables", {}):
        return None
    try:
        mu = group.mu[:]
        vals = np.asarray(to_float(mu, "drive", "mu"), float) if is_quantity(mu) else None
    except (TypeError, ValueError, NotImplementedError):
        return None
    if vals is None or vals.size == 0 or not np.allclose(vals, vals.flat[0], rtol=1e-12, atol=0):
        return None
    return float(vals.flat[0])


def _drives(mu_E, r, mu_I, groups):
    """The constant drive (mu_E, mu_I) in mV/s: from the arguments, else from the groups' mu."""
    if mu_E is None and mu_I is None and r is None:
        mu = [_drive_of(groups[X]) if X in groups else None for X in POPULATIONS]
        if any(m is None for m in mu):
            raise ValueError("mu_E (mV/s) is required: the monitored groups do not give a uniform "
                             "drive 'mu' for both E and I")
        return inputs.Constant(*mu)
    proto = inputs.resolve(mu_E, r, mu_I)
    for x, X in enumerate(POPULATIONS):
        got = _drive_of(groups[X]) if X in groups else None
        want = (proto.mu_E, proto.mu_I)[x]
        if got is not None and not np.isclose(got, want, rtol=1e-9, atol=1e-12):
            name = "mu_E" if x == 0 else "mu_I (or r)"
            raise ValueError(f"{name} gives {want:g} mV/s for {X}, but group {X!r} ran with mu = "
                             f"{got:g} mV/s")
    return proto


def _bins(t, rate_bin, t_end):
    """Bin index of each time (s) and the number of full bins in [0, t_end)."""
    n = int(np.floor(t_end / rate_bin + 1e-9))
    return np.floor(np.asarray(t, float) / rate_bin + 1e-9).astype(np.int64), n


def from_brian2(monitors, net, mu_E=None, *, r=None, mu_I=None, warmup, seed=None,
                connectivity_seed=None, rate_bin=None, point=0, labels=None) -> SimulationResult:
    """A ``SimulationResult`` from the monitors of a Brian2 run of ``net``.

    Parameters
    ----------
    monitors : list of brian2 monitors, or dict
        ``SpikeMonitor``, ``PopulationRateMonitor`` and ``StateMonitor`` objects, populations
        identified by the name (``'E'``, ``'I'``) of the group they record (or its parent
        group, for a ``Subgroup``); for groups named otherwise a dict ``{'E': [...],
        'I': [...]}``. At most one spike and one rate monitor per population; a
        ``StateMonitor`` recording ``sE`` and ``sI`` (:func:`~brianmodels.lif.brian2_network.to_brian2`'s
        accumulators, in volt) gives the balance factor.
    net : LIFNetwork
        The network that ran (sizes are checked against the groups).
    mu_E : float or Brian2 quantity, optional
        Constant drive of E in mV/s; default: read from the groups' ``mu`` (as set by
        ``to_brian2`` or ``run_args``). Given, it must match the groups' ``mu`` where they
        have one.
    r : float, optional
        mu_I / mu_E (default 1; at most one of ``r`` and ``mu_I``).
    mu_I : float or Brian2 quantity, optional
        Constant drive of I in mV/s.
    warmup : float or Brian2 quantity
        Start of the measurement window (s); shorter than the run.
    seed, connectivity_seed : int, optional
        The run's seeds, written into the table (NaN when not given).
    rate_bin : float or Brian2 quantity, optional
        Bin of the ``rates`` trace (s), default 1 ms, as ``simulate``.
    point : int
        Point number of the rows (default 0; ``SimulationResult.concat(results,
        renumber=True)`` numbers several runs anew).
    labels : dict, optional
        Extra table columns (e.g. a sweep value ``{'g': 5.0}``).

    Returns
    -------
    SimulationResult
        ``table`` with ``simulate``'s columns, one row per monitored population (``rate`` in
        Hz after the warm-up, ``cv_isi_*``, ``bf_*``, ``input_E``/``input_I`` in mV/s, NaN
        where not measurable; ``wall_seconds``/``run_seconds`` NaN), ``rates`` (Hz per bin),
        ``spikes`` (``population``, ``neuron`` within the population, ``t`` in s) and
        ``currents`` (from ``sE``/``sI``), ``params`` (network, settings, seeds, input).

    Raises
    ------
    TypeError
        A monitor that is not one of the three kinds, a quantity with wrong units (e.g.
        ``warmup`` in mV).
    ValueError
        Naming the parameter: a monitor of a group that is not E or I of ``net`` or whose size
        differs, a network not yet run, ``warmup`` not shorter than the run, a drive that
        differs from the groups' ``mu``.

    Examples
    --------
    A run of the :func:`~brianmodels.lif.brian2_network.to_brian2` network (the README section
    *From a Brian2 script* and ``examples/plot_brian2_script.py`` run it; measured at 3 s with
    0.5 s warm-up: E 2.62 Hz, I 0.865 Hz):

    >>> import brian2 as b2                                              # doctest: +SKIP
    >>> from brianmodels import presets, to_brian2, from_brian2          # doctest: +SKIP
    >>> net = presets.get("supersaturating")                             # doctest: +SKIP
    >>> bn = to_brian2(net, mu_E=20.0)                                   # doctest: +SKIP
    >>> mons = [b2.SpikeMonitor(bn["E"]), b2.SpikeMonitor(bn["I"])]      # doctest: +SKIP
    >>> bn.add(mons)                                                     # doctest: +SKIP
    >>> bn.run(2 * b2.second)                                            # doctest: +SKIP
    >>> sim = from_brian2(mons, net, warmup=0.5 * b2.second)             # doctest: +SKIP
    >>> sim.table[["population", "rate", "cv_isi_mean"]]                 # doctest: +SKIP
    """
    # ---- arguments that need no monitor
    check_network(net)
    warm = _time(warmup, "warmup", positive=False)
    bin_ = DEFAULT_RATE_BIN if rate_bin is None else _time(rate_bin, "rate_bin")
    seed_v = np.nan if seed is None else _seeds.to_seed(seed, "seed")
    cseed_v = np.nan if connectivity_seed is None else \
        _seeds.to_seed(connectivity_seed, "connectivity_seed")
    if isinstance(point, bool) or not isinstance(point, (int, np.integer)) or point < 0:
        raise TypeError(f"point must be an integer >= 0; got {point!r}")
    if labels is not None and not isinstance(labels, dict):
        raise TypeError(f"labels must be a dict of extra table columns; got {type(labels).__name__}")
    labels = dict(labels or {})

    # ---- the monitors
    by_pop = _by_population(monitors, net)
    groups = {X: ms[0][3] for X, ms in by_pop.items() if ms}
    ends = {X: _run_end(by_pop[X][0][0], g) for X, g in groups.items()}
    T1 = max(ends.values())
    if warm >= T1:
        raise ValueError(f"warmup must be shorter than the run ({T1:g} s); got {warm:g} s")
    dts = {X: float(g.clock.dt / _second()) for X, g in groups.items()}
    dt = dts.get("E", dts.get("I"))
    proto = _drives(mu_E, r, mu_I, groups)
    drive = np.array([proto.mu_E, proto.mu_I])
    T = T1 - warm

    rows, rate_frames, spike_frames, cur_frames = [], [], [], []
    for x, X in enumerate(POPULATIONS):
        mons = by_pop[X]
        if not mons:
            continue
        spk = next((m for m in mons if m[2] == "SpikeMonitor"), None)
        prm = next((m for m in mons if m[2] == "PopulationRateMonitor"), None)
        stm = next((m for m in mons if m[2] == "StateMonitor"
                    and {"sE", "sI"} <= set(m[1].record_variables)), None)
        row = {"point": int(point), "population": X, "mu_E": drive[0], "mu_I": drive[1],
               "rate": np.nan, "rate_std": np.nan, "input_E": np.nan, "input_I": np.nan,
               "input_ext": float(drive[x]), "v_end_mean": np.nan, "v_end_std": np.nan,
               "bf_mean": np.nan, "bf_median": np.nan, "bf_std": np.nan,
               "cv_isi_mean": np.nan, "cv_isi_median": np.nan, "cv_isi_fraction": np.nan}
        # spikes: rate, CV_ISI, spikes table
        if spk is not None:
            _, mon, _, group, start, stop = spk
            n = stop - start
            i = np.asarray(mon.i[:], np.int64)
            t = np.asarray(mon.t[:] / _second(), float)
            counts = np.bincount(i[t >= warm], minlength=n)[:n] / T
            row.update(rate=counts.mean(), rate_std=counts.std())
            row.update(cv_isi_columns(
                analysis.isi_statistics(i, t, n, t_start=warm, t_stop=T1).cv))
            spike_frames.append(pd.DataFrame({"point": int(point), "population": X,
                                              "neuron": (i + start).astype(np.int32), "t": t}))
            if prm is None:  # the trace binned from the spikes
                b, nb = _bins(t, bin_, T1)
                c = np.bincount(b[b < nb], minlength=nb)
                rate_frames.append(pd.DataFrame({"point": int(point), "population": X,
                                                 "t": np.arange(nb) * bin_,
                                                 "rate": c / (n * bin_), "mu": drive[x]}))
        # population rate: the trace (its per-step rate averaged per bin)
        if prm is not None:
            mon = prm[1]
            t = np.asarray(mon.t[:] / _second(), float)
            rate = np.asarray(mon.rate[:] / (1 / _second()), float)
            b, nb = _bins(t, bin_, T1)
            keep = b < nb
            with np.errstate(invalid="ignore"):
                per_bin = np.bincount(b[keep], rate[keep], nb) / np.bincount(b[keep], None, nb)
            rate_frames.append(pd.DataFrame({"point": int(point), "population": X,
                                             "t": np.arange(nb) * bin_, "rate": per_bin,
                                             "mu": drive[x]}))
            if spk is None and np.any(t >= warm):
                row["rate"] = float(rate[t >= warm].mean())
        # recurrent inputs: slopes of the accumulators sE, sI after the warm-up (§12)
        if stm is not None:
            _, mon, _, group, start, stop = stm
            t = np.asarray(mon.t[:] / _second(), float)
            sel = np.flatnonzero(t >= warm)
            sE = np.asarray(mon.sE / _mV(), float)
            sI = np.asarray(mon.sI / _mV(), float)
            if sel.size >= 2 and sE.shape[0]:
                a, b = sel[0], sel[-1]
                I_E = (sE[:, b] - sE[:, a]) / (t[b] - t[a])
                I_I = -(sI[:, b] - sI[:, a]) / (t[b] - t[a])
                row.update(input_E=I_E.mean(), input_I=-I_I.mean(),
                           **balance_columns(analysis.balance_factor(I_E, I_I, drive[x])))
                dtc = np.diff(t)
                rec = np.asarray(mon.record, np.int64) + start
                for k in range(sE.shape[0]):
                    cur_frames.append(pd.DataFrame({
                        "point": int(point), "population": X, "neuron": int(rec[k]),
                        "t": t[:-1], "I_E": np.diff(sE[k]) / dtc, "I_I": -np.diff(sI[k]) / dtc}))
        # membrane potentials at the end: the monitored (sub)group's state
        try:
            _, mon = mons[0][:2]
            v = np.asarray(mon.source.v[:] / _mV(), float)
            row.update(v_end_mean=v.mean(), v_end_std=v.std())
        except (AttributeError, KeyError, TypeError, NotImplementedError):
            pass
        row.update(seed=seed_v, connectivity_seed=cseed_v, t_start=warm, t_stop=T1,
                   duration=T1, dt=dt, N=int(net.N[x]), wall_seconds=np.nan,
                   run_seconds=np.nan, **labels)
        rows.append(row)

    params = {"network": net.to_dict(),
              "settings": {"dt": dt, "duration": T1, "rate_bin": bin_, "engine": "brian2"},
              "warmup": warm, "seed": None if seed is None else int(seed_v),
              "connectivity_seed": None if connectivity_seed is None else int(cseed_v),
              "input": proto.to_dict()}
    return SimulationResult(
        table=pd.DataFrame(rows),
        rates=pd.concat(rate_frames, ignore_index=True) if rate_frames else
        pd.DataFrame(columns=["point", "population", "t", "rate", "mu"]),
        spikes=pd.concat(spike_frames, ignore_index=True) if spike_frames else None,
        currents=pd.concat(cur_frames, ignore_index=True) if cur_frames else None,
        params=params)


def _mV():
    import brian2 as b2

    return b2.mV
