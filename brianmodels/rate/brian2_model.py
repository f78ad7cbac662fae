"""Brian2 path: the rate network as equation strings on the C++ standalone device.

Model (tau = 1, represented as 1 ms of Brian2 time; Euler, ``docs/theory/sparse_balance.md`` §1.1)::

    dx/dt = (-x + eta + I) / tau_unit : 1
    phi : 1          # = <activation of x>, refreshed each step at 'start' (run_regularly)
    eta : 1          # set each step by the synapses' summed variable
    I : 1

    Synapses:  w : 1 ;  eta_post = w * phi_pre : 1 (summed)

The summed-variable updater runs in the 'groups' slot *before* the state updater, so each step
computes ``eta = W phi(t)`` and then ``x <- x + dt (-x + eta + I)``, the authors' order; a
StateMonitor at ``when='end'`` records x(t+dt) and the eta of that step, like the NumPy paths.

Connectivity is always the full N x N list of synapses (explicit ``i``, ``j`` arrays in a known
order, so the weights can be passed as a run argument); masked-out entries (K < N) have w = 0.
Only N, dt, the number of warm-up/recorded steps and phi are compiled in; W, x(0) and I are
``run_args``, so one compiled binary serves every seed and every J0, g, I0, nu, K and weight
distribution (measured: a cold compile ~20-40 s, a re-run with new values only the simulation).

Build cache: ``$BRIANMODELS_CACHE`` (default ``~/.cache/brianmodels``)/``rate-<hash>``, the hash
of everything compiled in (the cache of the LIF builds, :mod:`brianmodels.lif.cache`). Processes
share a build directory under its file lock (code generation
rewrites identical files, so make is a no-op) and run it with their own results directory, so
parallel sweeps are safe. Brian2's standalone device can build once per process: switching to a
different model calls ``device.reinit()`` / ``device.activate()`` first.

Memory: the monitor holds x and eta of all N units for every recorded step in RAM (and on disk
while loading), 16 N n_T bytes; :func:`check_memory` refuses runs above ``MAX_RECORD_BYTES``.
Use the fast path for long runs.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time

import numpy as np

from . import activations
from ..lif import cache

MAX_RECORD_BYTES = 2 * 1024 ** 3


def _lock(directory):
    """The build's inter-process lock, ``<directory>.lock`` (:func:`brianmodels.lif.cache.locked`)."""
    return cache.locked(f"{directory}.lock")


_STATE = {"key": None, "objs": None, "dir": None, "runs": 0}


def check_memory(n_units: int, n_steps: int) -> None:
    """Raise ``ValueError`` if recording x and eta would need more than ``MAX_RECORD_BYTES``."""
    need = 16 * int(n_units) * int(n_steps)
    if need > MAX_RECORD_BYTES:
        raise ValueError(
            f"T/dt x N too large for method='brian2': recording x and eta of all {n_units} units for "
            f"{n_steps} steps needs {need / 2**30:.1f} GiB (limit {MAX_RECORD_BYTES / 2**30:.0f} GiB); "
            "use method='fast' or a shorter T")


def _model_key(n, phi_expr, dt, n_warm, n_steps):
    from ..lif import target  # compiler and CPU target: a shared cache never mixes CPUs

    desc = dict(model="rate-v1", n=int(n), phi=phi_expr, dt=repr(float(dt)), n_warm=int(n_warm),
                n_steps=int(n_steps), target=target.identity()["digest"])
    return hashlib.sha1(json.dumps(desc, sort_keys=True).encode()).hexdigest()[:16]


def _build(n, phi_expr, dt, n_warm, n_steps, directory):
    import brian2 as b2
    from brian2 import ms
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice
    from brian2.devices.device import get_device

    device = get_device()
    if isinstance(device, CPPStandaloneDevice):
        # this process built before (ours or someone else's model): start from a clean device
        device.reinit()
        device.activate(directory=str(directory), build_on_run=False)
    else:
        b2.set_device("cpp_standalone", directory=str(directory), build_on_run=False)
    device = get_device()
    from ..lif import target  # the flags of every C++ build of the package (BRIANMODELS_TARGET)

    target.set_brian2_flags(b2.prefs)
    b2.defaultclock.dt = dt * ms
    ns = {"tau_unit": 1 * ms}
    G = b2.NeuronGroup(n, """dx/dt = (-x + eta + I) / tau_unit : 1
                            phi : 1
                            eta : 1
                            I : 1""", method="euler", namespace=ns, name="rate_units")
    # phi as a state variable refreshed once per step at 'start' (before the summed variable in
    # 'groups'): a subexpression would be re-evaluated for each of the N^2 synapses (measured ~3x slower)
    G.run_regularly(f"phi = {phi_expr}", when="start", name="rate_phi")
    S = b2.Synapses(G, G, "w : 1\neta_post = w * phi_pre : 1 (summed)", name="rate_weights")
    pre, post = np.divmod(np.arange(n * n, dtype=np.int64), n)   # synapse k = (pre, post), pre-major
    S.connect(i=pre.astype(np.int32), j=post.astype(np.int32))
    S.w = 0.0
    G.x = 0.0
    G.I = 0.0
    mon = b2.StateMonitor(G, ["x", "eta"], record=True, when="end", name="rate_monitor")
    net = b2.Network(G, S, mon)
    mon.active = False
    net.run(n_warm * dt * ms, namespace=ns)
    mon.active = True
    net.run(n_steps * dt * ms, namespace=ns)
    directory.mkdir(parents=True, exist_ok=True)
    with _lock(directory):
        device.build(directory=str(directory), compile=True, run=False, with_output=False)
    return dict(G=G, S=S, mon=mon, net=net)


def run(spec, W, x0, dt, n_warm, n_steps, acc, progress=True) -> dict:
    """Simulate with Brian2 standalone and feed the recorded steps to ``acc``.

    Parameters
    ----------
    spec : RateNetworkSpec
    W : ndarray (N, N)
        Signed weights [post, pre].
    x0 : ndarray (N,)
        Initial currents.
    dt : float
        Euler step (tau).
    n_warm, n_steps : int
        Warm-up and recorded steps.
    acc : RateStatsAccumulator
        Receives the recorded (x, eta) chunks.
    progress : bool
        Print a tqdm bar over the stages (build, run, load).

    Returns
    -------
    dict
        Wall times ``build`` (code generation + compile, 0 if reused) and ``run_binary`` (s).
    """
    from brian2.devices.device import get_device
    from tqdm.auto import tqdm

    n = spec.n_total
    check_memory(n, n_steps)
    phi_expr = activations.get(spec.phi).brian2
    key = _model_key(n, phi_expr, dt, n_warm, n_steps)
    directory = cache.cache_root() / f"rate-{key}"
    out = {}
    with tqdm(total=3, desc="brian2 rate network", disable=not progress, leave=False) as bar:
        t0 = time.perf_counter()
        if _STATE["key"] != key:
            _STATE["objs"] = _build(n, phi_expr, dt, n_warm, n_steps, directory)
            _STATE["key"], _STATE["dir"] = key, directory
        out["build"] = time.perf_counter() - t0
        bar.update(1)
        objs = _STATE["objs"]
        device = get_device()
        _STATE["runs"] += 1
        results = f"results_{os.getpid()}_{_STATE['runs']}"
        # weights in the synapse order of _build: k = pre * n + post  ->  W.T raveled in C order
        w = np.ascontiguousarray(np.asarray(W, dtype=np.float64).T).ravel()
        t1 = time.perf_counter()
        with _lock(directory):
            pass                    # wait until a concurrent build of the same model is finished
        device.run(directory=str(directory), results_directory=results, with_output=False,
                   run_args={objs["G"].x: np.asarray(x0, dtype=np.float64),
                             objs["G"].I: spec.unit_input(), objs["S"].w: w})
        out["run_binary"] = time.perf_counter() - t1
        bar.update(1)
        mon = objs["mon"]
        X = np.asarray(mon.x)          # (n, n_steps)
        E = np.asarray(mon.eta)
        if X.shape != (n, n_steps):
            raise RuntimeError(f"Brian2 monitor returned shape {X.shape}, expected {(n, n_steps)}")
        chunk = max(1, (1 << 21) // n)
        for s in range(0, n_steps, chunk):
            acc.update(X[:, s:s + chunk].T, E[:, s:s + chunk].T)
        del X, E
        shutil.rmtree(directory / results, ignore_errors=True)
        for f in device.run_args_arrays:            # the per-run value files of run_args
            try:
                os.remove(directory / "static_arrays" / f)
            except OSError:
                pass
        bar.update(1)
    return out
