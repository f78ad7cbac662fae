"""Many simulations of one compiled network: ``sweep(net, np.arange(0, 51, 2.5), ...)``.

All points share ONE standalone build (compiled once, or found in the on-disk cache); each
point re-runs the binary with its own inputs, seeds (dynamics and network realisation,
:mod:`brianmodels.seeds`) and parameter values (network values,
per-neuron arrays, per-synapse weights: all run-time values). Points run in
parallel as separate processes — the compiled binaries, driven from a thread pool — on all
local cores by default, or as tasks on a Dask cluster (``scheduler=`` an address, a
``dask.distributed.Client``, or ``'local-dask'`` for a local cluster).

Resumable: with ``out=FOLDER`` every finished point is written atomically (a temporary
folder, renamed) to ``FOLDER/points/<content key>/`` and reused by any later sweep that has a
point of the same content, whatever its position in the grid (the key covers the build and
everything the point's run depends on, see :func:`_point_hash`). Each point folder holds a
``manifest.json``, written last, with the key, the point's parameters and the size and SHA-256
of each file: a point whose files are missing, truncated, altered or copied in from another
point, or whose manifest is missing, unreadable or for another key, is recomputed with a
warning that names it. The joined result is saved the same way to ``FOLDER/result/``.
Folders of the older position-keyed layout (``<index>_<hash>``) are ignored with a warning.
"""
from __future__ import annotations

import concurrent.futures as cf
import hashlib
import itertools
import json
import os
import warnings
from pathlib import Path

import numpy as np

from . import build, engine, inputs
from .. import atomic
from .. import seeds as _seeds
from . import simulate as sim
from .result import SimulationResult
from ..units import to_float, to_int


def _per_point(values, n, name):
    """A scalar or one value per mu_E point, as an (n,) array (ValueError naming ``name``)."""
    v = np.atleast_1d(values).ravel()
    if v.size not in (1, n):
        raise ValueError(f"{name} must be a scalar or one value per mu_E point ({n}); got "
                         f"{v.size} values")
    return np.broadcast_to(v, (n,))


def _protocols(mu_E, r, mu_I, protocols):
    if protocols is not None:
        if mu_E is not None or mu_I is not None:
            raise ValueError("give either protocols or mu_E/mu_I, not both")
        if isinstance(protocols, (str, dict)) or not hasattr(protocols, "__iter__"):
            raise TypeError(f"protocols must be a sequence of input protocols (inputs.ramp(...), "
                            f"Sampled, Constant); got {type(protocols).__name__}")
        protos = []
        for k, p in enumerate(protocols):
            try:
                protos.append(inputs.resolve(protocol=p))
            except (TypeError, ValueError) as err:
                raise type(err)(f"protocols[{k}]: {err}") from None
        if not protos:
            raise ValueError("protocols must not be empty")
        return protos
    if mu_E is None:
        raise ValueError("mu_E (mV/s; scalar or array of points) is required without protocols")
    mE = np.atleast_1d(to_float(mu_E, "drive", "mu_E")).ravel()
    if mE.size == 0:
        raise ValueError("mu_E must contain at least one value")
    if mu_I is not None:
        if r is not None:
            raise ValueError("give either r or mu_I, not both")
        mI = _per_point(to_float(mu_I, "drive", "mu_I"), mE.size, "mu_I")
    else:
        rr = _per_point(inputs._finite(1.0 if r is None else r, "r"), mE.size, "r")
        mI = rr * mE
    return [inputs.Constant(e, i) for e, i in zip(mE, mI)]


def _variants(net, variants, synapses="compressed"):
    """(network, neuron_params, synapse_weights, labels) of each variant, validated."""
    if variants is None:
        return [(net, {}, {}, {})]
    if not isinstance(variants, (list, tuple)):
        raise TypeError(f"variants must be a list of dicts (one per variant); got "
                        f"{type(variants).__name__}")
    if not variants:
        raise ValueError("variants must hold at least one dict ([{}] is the network itself)")
    out = []
    for k, v in enumerate(variants):
        if not isinstance(v, dict):
            raise TypeError(f"variants[{k}] must be a dict of LIFNetwork fields (and optionally "
                            f"'neuron_params', 'synapse_weights'); got {type(v).__name__}")
        v = dict(v)
        npar = v.pop("neuron_params", None)
        try:
            sw = sim.check_synapse_weights(v.pop("synapse_weights", None), net, synapses)
            n = net.replace(**v) if v else net
            npar = sim.check_neuron_params(npar, net)
        except (TypeError, ValueError) as err:
            raise type(err)(f"variants[{k}]: {err}") from None
        for f in ("N", "K", "synapse"):
            if not np.array_equal(getattr(n, f), getattr(net, f)):
                raise ValueError(f"variants[{k}] changes {f}: a sweep shares one build; "
                                 "run a separate sweep for another structure")
        if not np.array_equal(n.delay_max > 0, net.delay_max > 0) or \
                (np.any(n.t_ref > 0) != np.any(net.t_ref > 0)):
            raise ValueError(f"variants[{k}] switches delays or refractoriness on/off (structure)")
        labels = {f"variant_{key}": json.dumps(np.asarray(val).tolist()) for key, val in v.items()}
        if sw:  # mean, std (mV) and digest per pathway, not the arrays
            labels["variant_synapse_weights"] = json.dumps(engine.weights_summary(sw),
                                                           sort_keys=True)
        labels["variant"] = k
        out.append((n, npar, sw, labels))
    return out


#: Labels that give a point's position in the grid, not its content: left out of the content
#: key and set again from the current grid when a stored point is reused.
_POSITION_LABELS = ("variant",)
#: Version of the stored-point layout and key (a change here makes new points, never mixes).
_LAYOUT = "brianmodels.lif.sweep.points/2"
#: Hex digits of the content key used as a point's folder name (the manifest holds all 64).
_NAME_LEN = 24


def _point_hash(key, point: sim.Point, st, memo=None) -> str:
    """Content key of a sweep point: SHA-256 (hex) of everything its result depends on.

    Covers the model key (:func:`brianmodels.lif.build.model_key`: structure, dt, recording,
    Poisson structure, synapse kind, generating code; not the CPU target), the
    duration, warmup, noise and connectivity seeds, the network's values, the input protocol
    (its description and the exact values the run and the measurement read of it, so
    ``Sampled`` functions are covered), Poisson rates and weights, per-neuron parameters,
    per-synapse weights and the sweep labels except positional ones (``variant``). Not the
    point's position in the grid: a grid that gains or reorders points reuses stored ones.
    ``memo`` (a dict kept for one sweep call) holds the digests of per-neuron and per-synapse
    arrays by object, so arrays shared by many points (up to 10^9 weights) are hashed once.
    """
    h = hashlib.sha256()
    memo = {} if memo is None else memo

    def digest(x):  # SHA-256 of an array's float64 values, without copying a contiguous one
        if id(x) not in memo:
            memo[id(x)] = (x, hashlib.sha256(np.ascontiguousarray(x, np.float64).data).digest())
        return memo[id(x)][1]

    def add(tag, data: bytes):  # length-prefixed, so no two inputs concatenate alike
        h.update(tag.encode() + b"\0" + len(data).to_bytes(8, "little") + data)

    def floats(x):
        return None if x is None else np.asarray(x, float).tolist()

    proto = point.protocol
    add("layout", _LAYOUT.encode())
    add("build", key.encode())
    add("protocol", json.dumps(proto.to_dict(), sort_keys=True, default=repr).encode())
    t_bins = (np.arange(int(round(st.duration / st.rate_bin))) + 0.5) * st.rate_bin
    samples = [proto.mean(0.0, st.duration), proto.mean(point.warmup, st.duration),
               proto.at(t_bins)]
    if st.timed:
        samples.append(proto.at((np.arange(st.input_samples) + 0.5) * st.input_dt))
    for x in samples:
        add("samples", np.ascontiguousarray(x, np.float64).tobytes())
    labels = {k: v for k, v in point.labels.items() if k not in _POSITION_LABELS}
    add("values", json.dumps({
        "duration": st.duration, "seed": point.seed, "connectivity_seed": point.connectivity_seed,
        "warmup": point.warmup, "net": point.net.to_dict(), "labels": labels,
        "poisson_rates": floats(point.poisson_rates),
        "poisson_weights": floats(point.poisson_weights)},
        sort_keys=True, default=repr).encode())
    for k in sorted(point.neuron_params):
        add(f"neuron_params.{k}", digest(point.neuron_params[k]))
    for k in sorted(point.synapse_weights):
        add(f"synapse_weights.{k}", digest(point.synapse_weights[k]))
    return h.hexdigest()


def _describe(k, point: sim.Point) -> str:
    """'point 3 (input {...}, seed 1, connectivity_seed 1)': how warnings name a point."""
    return (f"point {k} (input {json.dumps(point.protocol.to_dict(), default=repr)}, "
            f"seed {point.seed}, connectivity_seed {point.connectivity_seed})")


def _prepare_out(out) -> Path:
    """Check that ``out`` can hold the sweep's files (before anything is built or run)."""
    if out is not None and not isinstance(out, (str, os.PathLike)):
        raise TypeError(f"out must be a folder path (str or path-like) or None; got "
                        f"{type(out).__name__}")
    folder = atomic.writable_folder(out, "out", sub="points")
    if (folder / "result").exists() and not (folder / "result").is_dir():
        raise ValueError(f"out={str(out)!r}: {folder / 'result'} is an existing file; it must "
                         "be a folder (the joined result goes there)")
    return folder


def _scan_points(points: Path):
    """Remove dead writers' leftovers in ``points``; warn about entries of other layouts."""
    atomic.clean_leftovers(points)
    other = sorted(p.name for p in points.iterdir() if not p.name.startswith(".")
                   and not (len(p.name) == _NAME_LEN and all(c in "0123456789abcdef"
                                                             for c in p.name)))
    if other:
        warnings.warn(f"sweep: ignoring {len(other)} entries in {points} that are not stored "
                      f"points of this version (e.g. {other[0]!r}; folders named "
                      "<index>_<hash> are of the older position-keyed layout and are never "
                      "reused); delete them to free the space", stacklevel=3)


def _reindex(res: SimulationResult, k: int, point: sim.Point) -> SimulationResult:
    """``res`` (a stored or shared result) labelled for position ``k`` of the current grid."""
    tabs = {}
    for name in ("table", "rates", "spikes", "currents"):
        df = getattr(res, name)
        if df is not None and "point" in df and len(df) and (df["point"] != k).any():
            df = df.assign(point=k)
        tabs[name] = df
    for label in _POSITION_LABELS:
        if label in point.labels and label in tabs["table"] and \
                (tabs["table"][label] != point.labels[label]).any():
            tabs["table"] = tabs["table"].assign(**{label: point.labels[label]})
    return SimulationResult(params=res.params, **tabs)


def _task(spec, st, point, index, workdir=None):
    """One point (runs in a thread here, or on a Dask worker: builds there if needed)."""
    b = build.get_build(spec, progress=False)
    return sim.run_point(b, st, point, index, workdir=workdir)


def _dask_client(scheduler, n_jobs):
    from dask.distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        return scheduler, None
    if scheduler == "local-dask":
        cluster = LocalCluster(n_workers=n_jobs or os.cpu_count(), threads_per_worker=1,
                               processes=True, dashboard_address=None)
        return Client(cluster), cluster
    if isinstance(scheduler, str):
        return Client(scheduler), None
    raise TypeError("scheduler must be None, 'local-dask', a scheduler address (str) or a "
                    f"dask.distributed.Client; got {type(scheduler).__name__}")


def sweep(net, mu_E=None, *, r=None, mu_I=None, protocols=None, seeds=(_seeds.SEED,),
          connectivity_seeds=(_seeds.CONNECTIVITY_SEED,), variants=None,
          poisson_rates=None, poisson_inputs=None, duration=12.0, warmup=2.0, dt=None,
          rate_bin=None, input_dt=None, record_spikes=None, record_currents=None, out=None,
          n_jobs=None, scheduler=None, synapses="compressed", progress=True) -> SimulationResult:
    """Simulate a network at many points with one compiled build, in parallel, resumably.

    Points are the Cartesian product inputs x seeds x connectivity seeds x variants (x Poisson
    rates). A point gives the same spikes as :func:`~brianmodels.lif.simulate.simulate` with the
    same input and the same two seeds (:mod:`brianmodels.seeds`).

    Parameters
    ----------
    net : LIFNetwork
    mu_E : float, array_like or Brian2 quantity
        Constant drives of E in mV/s, one point each.
    r : float or array_like, optional
        mu_I / mu_E per input (default 1).
    mu_I : array_like, optional
        Constant drives of I in mV/s (instead of ``r``; at most one of the two).
    protocols : sequence of input protocols, optional
        Time-dependent inputs (instead of ``mu_E``), one point each.
    seeds : int or sequence of int
        Dynamics seeds (noise and initial condition), one point each (default
        ``(brianmodels.seeds.SEED,)``).
    connectivity_seeds : int or sequence of int
        Network realisations (connections, delays), one point each (default
        ``(brianmodels.seeds.CONNECTIVITY_SEED,)``); several average over realisations.
    variants : non-empty list of dict, optional
        Changes of run-time network values per point, ``LIFNetwork.replace`` keywords (``j``,
        ``tau``, ``sigma_ext``, ``theta``, ``v_reset``, ``t_ref``, ``tau_s``, delays), an
        optional ``'neuron_params'`` dict of per-neuron arrays and an optional
        ``'synapse_weights'`` dict of per-synapse weights (pathway -> ``N_target * K`` values
        in mV, in the order of :func:`brianmodels.lif.engine.connections` for the point's
        connectivity seed; see :func:`brianmodels.lif.simulate.simulate`); the structure
        (N, K, synapse kinds) must stay the same. All variants share the build; weights are
        summarised in a ``variant_synapse_weights`` column (mean, std in mV and a digest per
        pathway).
    poisson_rates : sequence, optional
        Rates (Hz, >= 0) of the Poisson input populations, one entry (float or per-population
        sequence) per point (a single float: one point). Only with ``poisson_inputs``.
    poisson_inputs : dict or list of dict, optional
        Poisson input populations (see :func:`brianmodels.lif.simulate.poisson_structure`).
    duration, warmup, dt, rate_bin, input_dt, record_spikes, record_currents
        As in :func:`brianmodels.lif.simulate.simulate`.
    out : str or path, optional
        Folder for finished points (resume; keyed by content, checked against their
        manifests) and the joined result. Checked before anything is built or run: an
        existing file, or a folder where ``out/points`` cannot be created and written, is
        refused (``ValueError``, ``PermissionError``).
    n_jobs : int, optional
        Parallel runs (default: all local cores; Dask: workers of ``'local-dask'``).
    scheduler : None, 'local-dask', str or dask.distributed.Client
        Run on a Dask cluster instead of local processes.
    synapses : {'compressed', 'brian2'}
        Recurrent synapses as compressed connectivity propagated by ``bm_syn.h`` (default:
        4 bytes per synapse, fast start-up; :mod:`brianmodels.lif.engine`) or as Brian2
        ``Synapses`` objects (~42 bytes per synapse; same spikes without delays).
    progress : bool
        Show a tqdm progress bar (points done, time left); the runs of single points show
        no bar of their own (unlike :func:`~brianmodels.lif.simulate.simulate`).

    Returns
    -------
    SimulationResult
        ``table`` with ``point``, ``seed`` and ``connectivity_seed`` columns (and
        ``variant``/``variant_*`` columns), time-resolved ``rates``; ``params['points']``
        lists every point's input, seeds and labels,
        ``params['build_key']`` is the build's cache key and ``params['compiled']`` says whether
        this call compiled it (None when Dask workers built it if needed);
        ``params['points_reused']`` counts the points read from ``out`` and
        ``params['points_run']`` those simulated (points of equal content run once).

    Warns
    -----
    UserWarning
        For each stored point that is damaged (named by index, input and seed, with the
        problem) and is recomputed, and for entries of ``out/points`` that are ignored.

    Examples
    --------
    Three inputs of the Fig 2A network, 3 s each (one build, compiled on the first call; the
    points run in parallel), against the Ricciardi self-consistent rates:

    >>> from brianmodels import presets, sweep
    >>> from meanfield import compare, selfconsistent
    >>> net = presets.get("supersaturating")
    >>> sim = sweep(net, mu_E=[10.0, 20.0, 40.0], duration=3.0, warmup=1.0)  # doctest: +SKIP
    >>> print(sim.table[["mu_E", "population", "rate"]].round(2)
    ...       .to_string(index=False))                               # doctest: +SKIP
     mu_E population  rate
     10.0          E  1.63
     10.0          I  0.10
     20.0          E  2.61
     20.0          I  0.86
     40.0          E  1.44
     40.0          I  2.92
    >>> print(compare(sim, selfconsistent(net, [10.0, 20.0, 40.0])).report())  # doctest: +SKIP

    Several seeds, stored and resumable: ``sweep(net, mu_E=..., seeds=[1, 2],
    connectivity_seeds=[1, 2, 3], out="runs/fig2a")``. The gallery example *A sweep against
    SSN and Φ_sc* (``examples/plot_sweep_vs_theory.py``) runs a sweep and compares it with
    both theories.
    """
    protos = _protocols(mu_E, r, mu_I, protocols)
    sim.check_network(net)
    seeds = _seeds.to_seeds(seeds, "seeds")
    cseeds = _seeds.to_seeds(connectivity_seeds, "connectivity_seeds")
    vlist = _variants(net, variants, synapses)
    timed = {p.timed for p in protos}
    if len(timed) != 1:
        raise ValueError("protocols must all be constant or all time-dependent (one build)")
    pstruct, pweights = sim.poisson_structure(poisson_inputs, net)
    if poisson_rates is None:
        prates = [None]
    else:
        prates = list(poisson_rates) if isinstance(poisson_rates, (list, tuple, np.ndarray)) \
            else [poisson_rates]
        if not prates:
            raise ValueError("poisson_rates must hold at least one entry (one per point)")
        for k, pr in enumerate(prates):
            sim.check_poisson_rates(pr, pstruct, f"poisson_rates[{k}]")
    if n_jobs is not None:
        n_jobs = to_int(n_jobs, "n_jobs", lo=1)
    if scheduler is not None and not (isinstance(scheduler, str) and scheduler):
        if isinstance(scheduler, str):
            raise ValueError("scheduler must be None, 'local-dask', a scheduler address or a "
                             "dask.distributed.Client; got ''")
        try:
            from dask.distributed import Client
        except ImportError:
            Client = ()
        if not isinstance(scheduler, Client):
            raise TypeError("scheduler must be None, 'local-dask', a scheduler address (str) or "
                            f"a dask.distributed.Client; got {type(scheduler).__name__}")
    st = sim.settings(net, duration=duration, dt=dt, rate_bin=rate_bin, input_dt=input_dt,
                      record_spikes=record_spikes, record_currents=record_currents,
                      timed=timed.pop(), poisson=pstruct, synapses=synapses)
    warm = sim._time(warmup, "warmup", positive=False)
    if warm >= st.duration:
        raise ValueError(f"warmup must be shorter than duration ({st.duration} s); got {warm}")
    spec, checked = st.spec(net), set()  # (no compile) the run-time values are checked
    points = []                          # against the build's structure, once per content
    for (ip, proto), seed, cseed, (iv, (n, npar, sw, labels)), (ir, pr) in itertools.product(
            enumerate(protos), seeds, cseeds, enumerate(vlist), enumerate(prates)):
        lab = dict(labels)
        if pr is not None:
            lab["poisson_rates"] = json.dumps(np.atleast_1d(pr).tolist())
        points.append(sim.Point(protocol=proto, seed=seed, connectivity_seed=cseed, net=n,
                                warmup=warm, neuron_params=npar, poisson_rates=pr,
                                poisson_weights=pweights, synapse_weights=sw, labels=lab))
        if (ip, iv, ir) not in checked:
            checked.add((ip, iv, ir))
            try:
                sim.check_point(points[-1], st, spec)
            except (TypeError, ValueError) as err:
                where = [f"{'mu_E' if protocols is None else 'protocols'}[{ip}]"]
                where += [f"variants[{iv}]"] if variants is not None else []
                where += [f"poisson_rates[{ir}]"] if poisson_rates is not None else []
                raise type(err)(f"{', '.join(where)}: {err}") from None
    key = build.spec_key(spec)
    content = build.model_key(spec)  # CPU-target independent: stored points serve every machine
    folder = None if out is None else _prepare_out(out)  # before any compile or run
    done, todo, same, hashes, reused = {}, [], {}, [], 0
    if folder is not None:
        _scan_points(folder / "points")
    first, memo = {}, {}  # content key -> first position with it (equal points run once)
    for k, p in enumerate(points):
        if folder is None:
            todo.append((k, p, None, None))
            continue
        h = _point_hash(content, p, st, memo)
        hashes.append(h)
        if h in first:
            same[k] = first[h]
            continue
        first[h] = k
        pdir = folder / "points" / h[:_NAME_LEN]
        if pdir.exists() or pdir.is_symlink():
            try:
                done[k] = _reindex(SimulationResult.load(pdir, key=h), k, p)
                reused += 1
                continue
            except (atomic.IntegrityError, OSError) as err:
                warnings.warn(f"sweep: stored {_describe(k, p)} is damaged and is recomputed: "
                              f"{err}", stacklevel=2)
                atomic.remove_path(pdir)
        todo.append((k, p, pdir, h))
    compiled = False if not todo else None  # None: unknown (built on Dask workers if needed)
    if todo and scheduler is None:
        compiled = not build.get_build(spec, progress=progress).cached  # once, before fanning out
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(points), initial=len(done) + len(same), desc=f"sweep {net.name}",
                   unit="pt")

    def finish(k, res, pdir, h):
        if pdir is not None:  # content key and parameters in the manifest, written last
            res.save(pdir, key=h, meta={"build_key": key, "input": points[k].protocol.to_dict(),
                                        "seed": points[k].seed, "duration": st.duration,
                                        "warmup": warm,
                                        "connectivity_seed": points[k].connectivity_seed,
                                        **points[k].labels})
        done[k] = res
        if bar is not None:
            bar.update(1)

    try:
        if scheduler is None:
            workers = n_jobs or os.cpu_count() or 1
            with cf.ThreadPoolExecutor(max_workers=workers) as ex:
                futs = {ex.submit(_task, spec, st, p, k): (k, pdir, h)
                        for k, p, pdir, h in todo}
                try:
                    for f in cf.as_completed(futs):
                        k, pdir, h = futs[f]
                        finish(k, f.result(), pdir, h)
                except BaseException:
                    for f in futs:
                        f.cancel()
                    raise
        elif todo:
            from dask.distributed import as_completed

            client, cluster = _dask_client(scheduler, n_jobs)
            try:
                futs = {client.submit(_task, spec, st, p, k, pure=False): (k, pdir, h)
                        for k, p, pdir, h in todo}
                for f in as_completed(list(futs)):
                    k, pdir, h = futs[f]
                    finish(k, f.result(), pdir, h)
            finally:
                if cluster is not None:
                    client.close()
                    cluster.close()
    finally:
        if bar is not None:
            bar.close()
    for k, j in same.items():  # equal content: the one run, labelled for each position
        done[k] = _reindex(done[j], k, points[k])
    res = SimulationResult.concat([done[k] for k in sorted(done)])
    res.params = sim.params_dict(net, st, warmup=warm, seeds=seeds, connectivity_seeds=cseeds,
                                 build_key=key, compiled=compiled, points_reused=reused,
                                 points_run=len(todo),
                                 points=[{"point": k, "input": p.protocol.to_dict(),
                                          "seed": p.seed,
                                          "connectivity_seed": p.connectivity_seed, **p.labels}
                                         for k, p in enumerate(points)])
    if folder is not None:  # atomic, with a manifest keyed by the build and the points in order
        whole = hashlib.sha256(json.dumps([content, hashes]).encode()).hexdigest()
        res.save(folder / "result", key=whole, meta={"build_key": key, "points": len(points)})
    return res
