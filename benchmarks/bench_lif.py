"""Speed of the LIF simulator, side by side in ONE run (ratios; absolute times are noisy).

1. ``supersaturating`` network at mu = 20 mV/s, one core: wall time per simulated second (RTF)
   of (a) brianmodels (fast RNG, cached build), (b) NEST 3.10 (iaf_psc_delta + noise_generator,
   same network and dt) if importable, (c) a plain Brian2 standalone model of the same network
   (xi noise, default randn). All three use the SAME connectivity (our fixed in-degree arrays,
   connectivity seed 1) and a synaptic delay of one step dt (NEST's minimum; our preset has no
   delay, so the benchmark network is ``supersaturating`` with delay_min = delay_max = dt). The
   rates of the three must agree within 3%; brianmodels is also timed on the preset itself
   (no delay) and the whole ``simulate()`` call is split into binary start-up and network run.
2. ``--fig2a``: the Fig 2A curve (21 points x 10 s) from a cold cache (compile included) with
   2 parallel runs, then the same points again on the warm cache with 1 and 2 runs (parallel
   efficiency).
3. ``--scale N``: the Fig 6 network at total size N (``scaled(N)``, mu scaled by ``mu_scale``)
   for a short run: peak memory (RSS) of build and run, bytes per synapse.

"RTF run" is CPU time of the network run per simulated second for all three (Brian2 measures
its run with ``std::clock``; NEST's ``Simulate`` is timed with ``time.process_time`` in a
one-thread kernel), so the load of this shared machine cancels; "RTF call" is the wall time
of the whole ``simulate()`` call (ours) or of the compiled binary (plain Brian2).

Usage: ``python benchmarks/bench_lif.py [--duration 10] [--fig2a] [--scale 40000]``.

Unit mapping for NEST (iaf_psc_delta: V in mV, I in pA, C_m in pF, times in ms; membrane
dV/dt = -V/tau_m + I/C_m in mV/ms):

* drive: mu [mV/s] = I_e / C_m * 1000, so ``I_e = C_m mu / 1000`` (pA);
* noise: noise_generator redraws a current every ``dt`` (its own parameter, default 1 ms: it
  must be set to the resolution) and holds it for that step; iaf_psc_delta integrates it
  exactly, so one step moves V by ``I tau_m / C_m (1 - e^{-h/tau_m})`` (mV). White noise of
  intensity sigma [mV/sqrt(s)] moves V by ``sigma sqrt(dt)`` (SD) per step, hence
  ``std = C_m sigma sqrt(dt) / (tau_m (1 - e^{-h/tau_m}))`` pA (dt in s, h and tau_m in ms);
* delta synapses: weight = +-j in mV, delay = h = dt (NEST's minimum);
* V_th = 1, V_reset = 0, E_L = 0, t_ref = 0.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

from brianmodels import presets
from brianmodels.lif import build, connectivity
from brianmodels.lif.simulate import settings, simulate
from brianmodels.lif.sweep import sweep

MU, DT = 20.0, 5e-5
WARMUP = 0.5


def bench_network():
    """``supersaturating`` with a one-step delay on every pathway (the common benchmark net)."""
    return presets.get("supersaturating").replace(delay_min=DT, delay_max=DT)


def bench_ours(net, duration):
    simulate(net, mu_ext=MU, duration=duration, warmup=WARMUP, progress=False)  # built + cached
    t0 = time.perf_counter()
    res = simulate(net, mu_ext=MU, duration=duration, warmup=WARMUP, progress=False)
    wall = time.perf_counter() - t0
    row = res.table.iloc[0]
    return {"wall": wall, "binary": row.wall_seconds, "run": row.run_seconds,
            "E": res.rate("E")[0], "I": res.rate("I")[0]}


_NEST_SCRIPT = r'''
import sys, time, numpy as np
import nest
sys.path.insert(0, sys.argv[2])
from bench_lif import bench_network, MU, DT, WARMUP
from brianmodels import presets
from brianmodels.lif.build import _connect_arrays, model_spec, synapse_objects
net = bench_network(); duration = float(sys.argv[1])
nest.set_verbosity("M_ERROR"); nest.ResetKernel()
nest.SetKernelStatus({"resolution": DT * 1e3, "local_num_threads": 1, "rng_seed": 1})
NE, NI = (int(n) for n in net.N); Cm = 1.0; h = DT * 1e3
pops = []
t_setup = time.perf_counter()
for x, n in enumerate((NE, NI)):
    tau = net.tau[x] * 1e3
    p = nest.Create("iaf_psc_delta", n, params={"C_m": Cm, "tau_m": tau, "E_L": 0.0, "V_th": 1.0,
                    "V_reset": 0.0, "t_ref": 0.0, "I_e": Cm * MU / 1000.0})
    p.V_m = nest.random.uniform(0.0, 1.0)
    std = Cm * net.sigma_ext[x] * np.sqrt(DT) / (tau * (1.0 - np.exp(-h / tau)))
    noise = nest.Create("noise_generator", params={"mean": 0.0, "std": std, "dt": h})
    nest.Connect(noise, p)  # all_to_all: every target gets its own independent current
    pops.append(p)
ids = [np.asarray(p.tolist()) for p in pops]
tgt_all = np.r_[ids[0], ids[1]]
spec = model_spec(presets.get("supersaturating"), dt=DT, duration=duration)
for name, info in synapse_objects(spec).items():
    pre, post = _connect_arrays(spec, info, seed=1)
    y = "EI".index(info["source"])
    xs = (post >= NE).astype(int)
    w = (1.0 if y == 0 else -1.0) * net.j[xs, y]
    nest.Connect(ids[y][pre], tgt_all[post], "one_to_one",
                 {"synapse_model": "static_synapse", "weight": w, "delay": np.full(pre.size, h)})
sr = nest.Create("spike_recorder"); nest.Connect(pops[0] + pops[1], sr)
t_setup = time.perf_counter() - t_setup
t0 = time.process_time(); nest.Simulate(duration * 1e3); wall = time.process_time() - t0
ev = sr.get("events"); s = np.asarray(ev["senders"]); t = np.asarray(ev["times"])
keep = t >= WARMUP * 1e3
T = duration - WARMUP
print("RESULT", wall, np.count_nonzero(keep & (s < ids[1][0])) / NE / T,
      np.count_nonzero(keep & (s >= ids[1][0])) / NI / T, t_setup)
'''


def bench_nest(duration):
    try:
        import nest  # noqa: F401  (GPL: benchmark only, never imported by the package)
    except Exception as exc:  # pragma: no cover
        return None, f"NEST not available ({exc})"
    here = os.path.dirname(os.path.abspath(__file__))
    proc = subprocess.run([sys.executable, "-c", _NEST_SCRIPT, str(duration), here],
                          capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT"):
            v = [float(x) for x in line.split()[1:]]
            return {"run": v[0], "E": v[1], "I": v[2], "setup": v[3]}, ""
    return None, proc.stderr[-2000:]


_PLAIN_SCRIPT = r'''
import sys, time, numpy as np
from brian2 import *
sys.path.insert(0, sys.argv[3])
from bench_lif import bench_network, MU, DT, WARMUP
from brianmodels import presets
from brianmodels.lif.build import _connect_arrays, model_spec, synapse_objects
net = bench_network(); duration = float(sys.argv[1]); d = sys.argv[2]
set_device("cpp_standalone", directory=d, build_on_run=False); prefs.devices.cpp_standalone.openmp_threads = 0
prefs.logging.file_log = False
defaultclock.dt = DT * second
NE, NI = (int(n) for n in net.N)
eqs = """dv/dt = -v/tau + mu + sigma*xi*sqrt(second) : 1
tau : second (constant)
mu : Hz (constant)
sigma : Hz (constant)"""
G = NeuronGroup(NE + NI, eqs, threshold="v > 1", reset="v = 0", method="euler")
G.tau = np.r_[np.full(NE, net.tau[0]), np.full(NI, net.tau[1])] * second
G.mu = MU * Hz
G.sigma = np.r_[np.full(NE, net.sigma_ext[0]), np.full(NI, net.sigma_ext[1])] * Hz
G.v = "rand()"
spec = model_spec(presets.get("supersaturating"), dt=DT, duration=duration)
objs = [G]
for name, info in synapse_objects(spec).items():
    pre, post = _connect_arrays(spec, info, seed=1)
    y = "EI".index(info["source"])
    S = Synapses(G[:NE] if y == 0 else G[NE:], G, "w : 1 (constant)", on_pre="v_post += w",
                 delay=DT * second)
    S.connect(i=pre, j=post)
    S.w = (1 if y == 0 else -1) * net.j[(post >= NE).astype(int), y]
    objs.append(S)
sm = SpikeMonitor(G)
Network(*objs, sm).run(duration * second)  # explicit: the magic network misses list members
t0 = time.perf_counter(); device.build(directory=d, compile=True, run=False)
t_build = time.perf_counter() - t0
t0 = time.perf_counter(); device.run(directory=d, with_output=False); wall = time.perf_counter() - t0
T = duration - WARMUP; t = np.asarray(sm.t / second); i = np.asarray(sm.i)
k = t >= WARMUP
print("RESULT", device._last_run_time, np.count_nonzero(k & (i < NE)) / NE / T,
      np.count_nonzero(k & (i >= NE)) / NI / T, wall)
'''


def bench_plain_brian2(duration):
    d = tempfile.mkdtemp(prefix="plainb2.")
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        proc = subprocess.run([sys.executable, "-c", _PLAIN_SCRIPT, str(duration), d, here],
                              capture_output=True, text=True)
        for line in proc.stdout.splitlines():
            if line.startswith("RESULT"):
                v = [float(x) for x in line.split()[1:]]
                return {"run": v[0], "E": v[1], "I": v[2], "binary": v[3]}, ""
        return None, proc.stderr[-3000:]
    finally:
        shutil.rmtree(d, ignore_errors=True)


def bench_speed(duration):
    print(f"== supersaturating, mu = {MU} mV/s, dt = {DT * 1e3} ms, {duration} s simulated "
          f"(rates after {WARMUP} s), one core; load {os.getloadavg()[0]:.2f}")
    net = bench_network()
    ours = bench_ours(net, duration)
    ours0 = bench_ours(presets.get("supersaturating"), duration)
    nest_r, msg_n = bench_nest(duration)
    plain, msg_p = bench_plain_brian2(duration)
    ours_b = bench_ours(net, duration)  # again after the others: load drift check
    ref = ours["run"]
    print(f"{'':22s} {'RTF run':>8s} {'RTF call':>9s} {'E (Hz)':>8s} {'I (Hz)':>8s} "
          f"{'vs ours':>8s}")

    def line(name, d, call=None):
        rtf = d["run"] / duration
        c = f"{call / duration:9.3f}" if call is not None else f"{'':9s}"
        dE, dI = d["E"] / ours["E"] - 1, d["I"] / ours["I"] - 1
        print(f"{name:22s} {rtf:8.3f} {c} {d['E']:8.3f} {d['I']:8.3f} {d['run'] / ref:7.2f}x"
              f"   rates vs ours: E {dE:+.1%} I {dI:+.1%}")

    line("brianmodels (delay dt)", ours, ours["wall"])
    line("  same, repeated", ours_b, ours_b["wall"])
    line("brianmodels (no delay)", ours0, ours0["wall"])
    if nest_r:
        line("NEST 3.10", nest_r)
    else:
        print("NEST: skipped:", msg_n[-500:])
    if plain:
        line("plain Brian2", plain, plain["binary"])
    else:
        print("plain Brian2: failed:", msg_p[-1500:])
    print(f"brianmodels simulate() call {ours['wall']:.2f} s = binary {ours['binary']:.2f} s "
          f"(network run {ours['run']:.2f} s) + Python {ours['wall'] - ours['binary']:.2f} s")
    return {"ours": ours, "ours_nodelay": ours0, "ours_repeat": ours_b, "nest": nest_r,
            "plain": plain}


def bench_connectivity():
    big = presets.get("supersaturating").scaled(40000)
    t0 = time.perf_counter()
    n = 0
    for x in range(2):
        for y in range(2):
            pre, _ = connectivity.fixed_indegree(big.N[x], big.N[y], big.K[x][y], seed=1,
                                                 same_population=(x == y))
            n += pre.size
            del pre
    dt = time.perf_counter() - t0
    print(f"connectivity N=4e4: {n:.3g} synapses in {dt:.1f} s")
    return n, dt


def bench_fig2a():
    net = presets.get("supersaturating")
    mu = np.arange(0, 51, 2.5)
    out = {}
    old = os.environ.get("BRIANMODELS_CACHE")
    cache = tempfile.mkdtemp(prefix="bmcache.")
    os.environ["BRIANMODELS_CACHE"] = cache  # cold start: empty cache
    try:
        t0 = time.perf_counter()
        res = sweep(net, mu_ext=mu, duration=10.0, warmup=2.0, n_jobs=2, progress=False)
        out["cold_2"] = time.perf_counter() - t0
        st = settings(net, duration=10.0)
        out["compile"] = build.get_build(st.spec(net), progress=False).manifest["build_seconds"]
        for jobs in (1, 2):
            t0 = time.perf_counter()
            sweep(net, mu_ext=mu, duration=10.0, warmup=2.0, n_jobs=jobs, progress=False)
            out[f"warm_{jobs}"] = time.perf_counter() - t0
        out["rates_E"] = res.rate("E").round(3).tolist()
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        if old is None:
            os.environ.pop("BRIANMODELS_CACHE")
        else:
            os.environ["BRIANMODELS_CACHE"] = old
    print(f"Fig 2A cold (21 x 10 s, empty cache, 2 processes): {out['cold_2']:.1f} s "
          f"(compile {out['compile']:.1f} s); load {os.getloadavg()[0]:.2f}")
    print(f"warm cache: 1 process {out['warm_1']:.1f} s, 2 processes {out['warm_2']:.1f} s "
          f"-> parallel speed-up {out['warm_1'] / out['warm_2']:.2f}x")
    return out


_SCALE_SCRIPT = r'''
import sys, time, resource, json
from brianmodels import presets
from brianmodels.lif.simulate import simulate
N = int(sys.argv[1]); T = float(sys.argv[2])
net = presets.get("supersaturating").scaled(N)
t0 = time.perf_counter()
res = simulate(net, mu_ext=20.0 * net.mu_scale(N), duration=T, warmup=T / 2, record_spikes=0,
               progress=False)
wall = time.perf_counter() - t0
row = res.table.iloc[0]
print("RESULT", json.dumps({"N": N, "synapses": int(net.n_synapses), "wall": wall,
      "binary": float(row.wall_seconds), "run": float(row.run_seconds),
      "rate_E": float(res.rate("E")[0]), "rate_I": float(res.rate("I")[0]),
      "maxrss_children_kB": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
      "maxrss_self_kB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
'''


def bench_scale(N, T=0.2):
    """Peak RSS of the largest child (build or run) and of the driver for a size-N network."""
    proc = subprocess.run([sys.executable, "-c", _SCALE_SCRIPT, str(N), str(T)],
                          capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT"):
            d = json.loads(line[6:])
            peak = max(d["maxrss_children_kB"], d["maxrss_self_kB"]) * 1024
            print(f"scale N={N}: {d['synapses']:.3g} synapses, first call {d['wall']:.0f} s "
                  f"(binary {d['binary']:.1f} s, network run {d['run']:.1f} s for {T} s: "
                  f"RTF {d['run'] / T:.1f}); peak RSS child {d['maxrss_children_kB'] / 2**20:.2f} GB, "
                  f"driver {d['maxrss_self_kB'] / 2**20:.2f} GB -> {peak / d['synapses']:.1f} "
                  f"bytes/synapse; rates E {d['rate_E']:.2f} I {d['rate_I']:.2f} Hz")
            return d
    print(f"scale N={N} failed:", proc.stderr[-2000:])
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--fig2a", action="store_true")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--scale", type=int, nargs="*", default=[])
    a = ap.parse_args()
    if not a.no_speed:
        bench_speed(a.duration)
        bench_connectivity()
    if a.fig2a:
        bench_fig2a()
    for N in a.scale:
        bench_scale(N)


if __name__ == "__main__":
    main()
