"""Speed of the LIF simulator, side by side in ONE run (ratios; absolute times are noisy).

1. ``supersaturating`` network at mu = 20 mV/s, one core: wall time per simulated second (RTF)
   of (a) brianmodels (fast RNG, cached build), (b) NEST 3.10 (iaf_psc_delta + one
   noise_generator per neuron, same network and dt) if importable, (c) a plain Brian2
   standalone model of the same network (xi noise, default randn). Rates are printed to check
   the three simulate the same thing.
2. ``--fig2a``: the Fig 2A curve (21 points x 10 s) from a cold cache, compile included,
   with 1 and 2 parallel runs (parallel efficiency).

Usage: ``python benchmarks/bench_lif.py [--duration 10] [--fig2a]``.

NEST's noise_generator injects a current whose value is redrawn every dt with std ``std``
(pA); with C_m and tau_m the membrane sees sigma_V(dt) per step = std dt / C_m. To give the
white noise of intensity sigma (mV/sqrt(s)) we need std dt / C_m = sigma sqrt(dt), i.e.
``std = C_m sigma / sqrt(dt)`` (pA, with C_m in pF, dt in s). mu enters as I_e = C_m mu.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

from brianmodels import presets
from brianmodels.lif import build, connectivity
from brianmodels.lif.simulate import simulate
from brianmodels.lif.sweep import sweep

MU, DT = 20.0, 5e-5


def bench_ours(net, duration):
    simulate(net, mu_ext=MU, duration=duration, warmup=0.5, progress=False)  # make sure it's built
    t0 = time.perf_counter()
    res = simulate(net, mu_ext=MU, duration=duration, warmup=0.5, progress=False)
    wall = time.perf_counter() - t0
    return wall, res.rate("E")[0], res.rate("I")[0]


_NEST_SCRIPT = r'''
import sys, time, numpy as np
import nest
from brianmodels import presets
from brianmodels.lif.build import _connect_arrays, model_spec, synapse_objects
net = presets.get("supersaturating"); duration = float(sys.argv[1]); MU, DT = %r, %r
nest.set_verbosity("M_ERROR"); nest.ResetKernel()
nest.SetKernelStatus({"resolution": DT * 1e3, "local_num_threads": 1, "rng_seed": 1})
NE, NI = (int(n) for n in net.N); Cm = 1.0
pops = []
for x, n in enumerate((NE, NI)):
    tau = net.tau[x] * 1e3
    # I_e in pA with C_m in pF: dV/dt = I_e / C_m (mV/ms) = MU mV/s -> I_e = C_m MU / 1000
    p = nest.Create("iaf_psc_delta", n, params={"C_m": Cm, "tau_m": tau, "E_L": 0.0, "V_th": 1.0,
                    "V_reset": 0.0, "t_ref": 0.0, "V_m": 0.0, "I_e": Cm * MU / 1000.0})
    noise = nest.Create("noise_generator", n, params={"mean": 0.0,
                        "std": Cm * net.sigma_ext[x] / np.sqrt(DT) / 1000.0})
    nest.Connect(noise, p, "one_to_one")
    pops.append(p)
spec = model_spec(net, dt=DT, duration=duration)
offs = (0, NE)
for name, info in synapse_objects(spec).items():
    pre, post = _connect_arrays(spec, info, seed=1)
    y = "EI".index(info["source"])
    src = np.asarray(pops[y].tolist())[pre]
    tgt_all = np.r_[np.asarray(pops[0].tolist()), np.asarray(pops[1].tolist())]
    tgt = tgt_all[post]
    xs = (post >= NE).astype(int)
    w = np.where(y == 0, 1, -1) * net.j[xs, y]
    nest.Connect(src, tgt, "one_to_one", {"synapse_model": "static_synapse", "weight": w,
                                           "delay": np.full(len(src), DT * 1e3)})
sr = nest.Create("spike_recorder"); nest.Connect(pops[0] + pops[1], sr)
t0 = time.perf_counter(); nest.Simulate(duration * 1e3); wall = time.perf_counter() - t0
ev = sr.get("events"); s = np.asarray(ev["senders"]); t = np.asarray(ev["times"])
keep = t >= 500.0
e0 = int(pops[0].tolist()[0]); i0 = int(pops[1].tolist()[0])
nE = np.count_nonzero(keep & (s < i0)); nI = np.count_nonzero(keep & (s >= i0))
T = duration - 0.5
print("RESULT", wall, nE / NE / T, nI / NI / T)
''' % (MU, DT)


def bench_nest(duration):
    try:
        import nest  # noqa: F401  (GPL: benchmark only, never imported by the package)
    except Exception as exc:  # pragma: no cover
        return None, f"NEST not available ({exc})"
    proc = subprocess.run([sys.executable, "-c", _NEST_SCRIPT, str(duration)],
                          capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT"):
            return tuple(float(v) for v in line.split()[1:]), ""
    return None, proc.stderr[-2000:]


_PLAIN_SCRIPT = r'''
import sys, time, numpy as np
from brian2 import *
from brianmodels import presets
from brianmodels.lif.build import _connect_arrays, model_spec, synapse_objects
net = presets.get("supersaturating"); duration = float(sys.argv[1]); d = sys.argv[2]
set_device("cpp_standalone", directory=d); prefs.devices.cpp_standalone.openmp_threads = 0
defaultclock.dt = %r * second
NE, NI = (int(n) for n in net.N)
eqs = "dv/dt = -v/tau + mu + sigma*xi*sqrt(second) : 1\ntau : second (constant)\nmu : Hz (constant)\nsigma : Hz (constant)"
G = NeuronGroup(NE + NI, eqs, threshold="v > 1", reset="v = 0", method="euler")
G.tau = np.r_[np.full(NE, net.tau[0]), np.full(NI, net.tau[1])] * second
G.mu = %r * Hz; G.sigma = np.r_[np.full(NE, net.sigma_ext[0]), np.full(NI, net.sigma_ext[1])] * Hz
G.v = "rand()"
spec = model_spec(net, dt=%r, duration=duration)
objs = []
for name, info in synapse_objects(spec).items():
    pre, post = _connect_arrays(spec, info, seed=1)
    y = "EI".index(info["source"])
    S = Synapses(G[:NE] if y == 0 else G[NE:], G, "w : 1 (constant)", on_pre="v_post += w")
    S.connect(i=pre, j=post); S.w = (1 if y == 0 else -1) * net.j[(post >= NE).astype(int), y]
    objs.append(S)
sm = SpikeMonitor(G)
run(duration * second)
T = duration - 0.5; t = np.asarray(sm.t / second); i = np.asarray(sm.i)
k = t >= 0.5
print("RESULT", device._last_run_time, np.count_nonzero(k & (i < NE)) / NE / T,
      np.count_nonzero(k & (i >= NE)) / NI / T)
''' % (DT, MU, DT)


def bench_plain_brian2(duration):
    d = tempfile.mkdtemp(prefix="plainb2.")
    try:
        proc = subprocess.run([sys.executable, "-c", _PLAIN_SCRIPT, str(duration), d],
                              capture_output=True, text=True)
        for line in proc.stdout.splitlines():
            if line.startswith("RESULT"):
                return tuple(float(v) for v in line.split()[1:]), ""
        return None, proc.stderr[-2000:]
    finally:
        shutil.rmtree(d, ignore_errors=True)


def bench_fig2a():
    net = presets.get("supersaturating")
    mu = np.arange(0, 51, 2.5)
    out = {}
    for jobs in (1, 2):
        cache = tempfile.mkdtemp(prefix="bmcache.")
        os.environ["BRIANMODELS_CACHE"] = cache  # cold start
        try:
            t0 = time.perf_counter()
            b = build.get_build(__import__("brianmodels.lif.simulate", fromlist=["x"]).settings(
                net, duration=10.0).spec(net), progress=False)
            t_build = time.perf_counter() - t0
            sweep(net, mu_ext=mu, duration=10.0, warmup=2.0, n_jobs=jobs, progress=False)
            out[jobs] = (time.perf_counter() - t0, t_build, b.manifest.get("build_seconds"))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
            os.environ.pop("BRIANMODELS_CACHE")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--fig2a", action="store_true")
    ap.add_argument("--connectivity-only", action="store_true")
    a = ap.parse_args()
    net = presets.get("supersaturating")
    if not a.connectivity_only:
        wall, nE, nI = bench_ours(net, a.duration)
        print(f"brianmodels : RTF {wall / a.duration:.3f} (whole call incl. I/O)  rates E {nE:.3f} I {nI:.3f} Hz")
        nest_r, msg = bench_nest(a.duration)
        if nest_r:
            print(f"NEST 3.10   : RTF {nest_r[0] / a.duration:.3f}  rates E {nest_r[1]:.3f} I {nest_r[2]:.3f} Hz"
                  f"   ratio NEST/ours {nest_r[0] / wall:.2f}")
        else:
            print("NEST        : skipped:", msg[-300:])
        plain, msg = bench_plain_brian2(a.duration)
        if plain:
            print(f"plain Brian2: RTF {plain[0] / a.duration:.3f}  rates E {plain[1]:.3f} I {plain[2]:.3f} Hz"
                  f"   ratio plain/ours {plain[0] / wall:.2f}")
        else:
            print("plain Brian2: failed:", msg[-500:])
    # connectivity generation at the Fig 6 size (N = 4e4)
    big = net.scaled(40000)
    t0 = time.perf_counter()
    n = 0
    for x in range(2):
        for y in range(2):
            pre, _ = connectivity.fixed_indegree(big.N[x], big.N[y], big.K[x][y], seed=1,
                                                 same_population=(x == y))
            n += pre.size
            del pre
    print(f"connectivity N=4e4: {n:.3g} synapses in {time.perf_counter() - t0:.1f} s")
    if a.fig2a:
        res = bench_fig2a()
        for jobs, (total, tb, _) in res.items():
            print(f"Fig 2A cold (21 x 10 s), {jobs} process(es): {total:.1f} s (compile {tb:.1f} s)")
        print(f"parallel speed-up of the runs, 2 vs 1: "
              f"{(res[1][0] - res[1][1]) / (res[2][0] - res[2][1]):.2f}x")


if __name__ == "__main__":
    main()
