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
   for a short run: first call (compile + connectivity) and a later call, peak RSS of the
   simulation binary (polled with psutil) and of the driver, bytes per synapse.

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
import contextlib
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


def bench_network(name="supersaturating", dt=None, delay=True):
    """Preset ``name`` with a one-step delay (``dt``, default the preset's) on every pathway.

    The one-step delay is NEST's minimum, so all simulators run the same network; with
    ``delay=False`` the preset itself (no delay) is returned.
    """
    dt = presets.info(name).get("dt", DT) if dt is None else dt
    net = presets.get(name)
    return net.replace(delay_min=dt, delay_max=dt) if delay else net


def config(name="supersaturating", mu=MU, dt=None, duration=10.0, warmup=WARMUP, delay=True,
           **extra):
    """One benchmark point as a JSON-able dict (what the per-simulator child processes read)."""
    dt = presets.info(name).get("dt", DT) if dt is None else dt
    return dict(name=name, mu=float(mu), dt=float(dt), duration=float(duration),
                warmup=float(warmup), delay=bool(delay), **extra)


def shared_connectivity(cfg):
    """Yield ``(y, pre, post, w)`` per synapse object: source population y (0 = E, 1 = I), pre
    indices in the source population, post indices in the whole group (E first), signed weights
    (mV). These are brianmodels' own fixed in-degree arrays (connectivity seed 1), so every
    simulator runs the SAME connectivity."""
    net = bench_network(cfg["name"], cfg["dt"], cfg["delay"])
    spec = build.model_spec(presets.get(cfg["name"]), dt=cfg["dt"], duration=cfg["duration"])
    NE = int(net.N[0])
    for info in build.synapse_objects(spec).values():
        pre, post = build._connect_arrays(spec, info, seed=1)
        y = "EI".index(info["source"])
        yield y, pre, post, (1.0 if y == 0 else -1.0) * net.j[(post >= NE).astype(int), y]


def _maxrss():
    return {"maxrss_self_kB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "maxrss_children_kB": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}


def _counts(s_E, s_I, t, cfg, NE, NI):
    """Rates after the warm-up (Hz) and spike counts of the whole run from spike arrays."""
    keep = t >= cfg["warmup"]
    T = cfg["duration"] - cfg["warmup"]
    return {"E": float(np.count_nonzero(keep & s_E)) / NE / T,
            "I": float(np.count_nonzero(keep & s_I)) / NI / T,
            "spikes_E": int(np.count_nonzero(s_E)), "spikes_I": int(np.count_nonzero(s_I))}


def run_ours(cfg):
    """brianmodels.simulate for ``cfg`` (in a child process: its RUSAGE_CHILDREN is the binary
    when the build is cached). ``run`` is the binary's CPU time of the network run (s)."""
    net = bench_network(cfg["name"], cfg["dt"], cfg["delay"])
    with tempfile.TemporaryDirectory() as d, _measured_binaries(os.path.join(d, "rss")):
        t0 = time.perf_counter()
        res = simulate(net, mu_E=cfg["mu"], r=1.0, duration=cfg["duration"],
                       warmup=cfg["warmup"], dt=cfg["dt"], seed=1, progress=False)
        wall = time.perf_counter() - t0
        with open(os.path.join(d, "rss")) as fh:
            rss = int(fh.read())
    row = res.table.iloc[0]
    tr = res.rates
    rate_bin = res.params["settings"]["rate_bin"]
    spikes = {f"spikes_{X}": int(round(float(tr[tr.population == X].rate.sum()) * net.N[x] * rate_bin))
              for x, X in enumerate("EI")}
    return {"wall": wall, "binary": float(row.wall_seconds), "run": float(row.run_seconds),
            "E": float(res.rate("E")[0]), "I": float(res.rate("I")[0]), **spikes,
            "maxrss_sim_kB": rss, **_maxrss()}


def run_nest(cfg):
    """NEST 3.10, one thread: iaf_psc_delta + noise_generator (mapping in the module docstring).
    ``setup`` = wall time of node creation and connection, ``run`` = CPU time of Simulate."""
    import nest  # GPL: benchmark only, never imported by the package
    net = bench_network(cfg["name"], cfg["dt"], cfg["delay"])
    dt, mu, duration = cfg["dt"], cfg["mu"], cfg["duration"]
    nest.set_verbosity("M_ERROR")
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": dt * 1e3, "local_num_threads": 1, "rng_seed": 1})
    NE, NI = (int(n) for n in net.N)
    Cm, h = 1.0, dt * 1e3
    pops = []
    t_setup = time.perf_counter()
    for x, n in enumerate((NE, NI)):
        tau = net.tau[x] * 1e3
        p = nest.Create("iaf_psc_delta", n, params={
            "C_m": Cm, "tau_m": tau, "E_L": 0.0, "V_th": float(net.theta[x]),
            "V_reset": float(net.v_reset[x]), "t_ref": float(net.t_ref[x]) * 1e3,
            "I_e": Cm * mu / 1000.0})
        p.V_m = nest.random.uniform(0.0, 1.0)
        std = Cm * net.sigma_ext[x] * np.sqrt(dt) / (tau * (1.0 - np.exp(-h / tau)))
        noise = nest.Create("noise_generator", params={"mean": 0.0, "std": std, "dt": h})
        nest.Connect(noise, p)  # all_to_all: every target gets its own independent current
        pops.append(p)
    ids = [np.asarray(p.tolist()) for p in pops]
    tgt_all = np.r_[ids[0], ids[1]]
    for y, pre, post, w in shared_connectivity(cfg):
        nest.Connect(ids[y][pre], tgt_all[post], "one_to_one",
                     {"synapse_model": "static_synapse", "weight": w,
                      "delay": np.full(pre.size, h)})
    sr = nest.Create("spike_recorder")
    nest.Connect(pops[0] + pops[1], sr)
    t_setup = time.perf_counter() - t_setup
    t0 = time.process_time()
    nest.Simulate(duration * 1e3)
    run = time.process_time() - t0
    ev = sr.get("events")
    s, t = np.asarray(ev["senders"]), np.asarray(ev["times"]) * 1e-3
    return {"run": run, "setup": t_setup, **_counts(s < ids[1][0], s >= ids[1][0], t, cfg, NE, NI),
            **_maxrss()}


#: Launcher: runs ``argv[1:]`` as a child and, if ``BENCH_MAXRSS_FILE`` is set, writes that child's
#: peak RSS (kB) there. Linux hands a spawned process the peak RSS of its parent's memory at
#: spawn time (a child of a 600 MB Python reports >= 600 MB), so every measured process is
#: started from this small launcher: its own peak (~10 MB) is all the measurement inherits.
_RSS_WRAPPER = ("import os, resource, subprocess, sys; rc = subprocess.call(sys.argv[1:]); "
                "f = os.environ.get('BENCH_MAXRSS_FILE'); "
                "f and open(f, 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
                "sys.exit(rc)")


@contextlib.contextmanager
def _measured_binaries(path):
    """Run every compiled ``main`` that ``subprocess.run`` starts through :data:`_RSS_WRAPPER`
    (its peak RSS lands in ``path``); benchmark-only patch of brianmodels' binary launch."""
    orig = subprocess.run

    def run(cmd, *args, **kwargs):
        if isinstance(cmd, (list, tuple)) and str(cmd[0]).endswith("/main"):
            cmd = [sys.executable, "-c", _RSS_WRAPPER, *map(str, cmd)]
            kwargs["env"] = dict(kwargs.get("env") or os.environ, BENCH_MAXRSS_FILE=path)
        return orig(cmd, *args, **kwargs)
    subprocess.run = run
    try:
        yield
    finally:
        subprocess.run = orig


def run_brian2(cfg):
    """Plain Brian2 model of the same network (xi noise, Euler, default randn), in this process.

    ``cfg['target']``: ``'standalone'`` (default; a fresh C++ project in ``cfg['directory']``:
    build + compile + run, what a user without brianmodels does per point) or ``'runtime'``
    (Cython; ``cfg['cython_cache']`` as cache folder: a fresh folder gives a cold compile).
    Returns ``run`` (CPU s of the network run: std::clock in the binary, process_time in
    runtime), ``build`` (standalone: code generation + compile; runtime: the first ``run(0 s)``,
    which generates and compiles every code object), ``binary`` (wall s of the standalone
    binary) and peak RSS of the process that simulates (``maxrss_sim_kB``).
    """
    import brian2 as b2
    target = cfg.get("target", "standalone")
    net = bench_network(cfg["name"], cfg["dt"], cfg["delay"])
    dt, duration = cfg["dt"], cfg["duration"]
    if target == "runtime":
        b2.set_device("runtime")
        b2.prefs.codegen.target = "cython"
        if cfg.get("cython_cache"):
            b2.prefs.codegen.runtime.cython.cache_dir = cfg["cython_cache"]
    else:
        d = cfg["directory"]
        b2.set_device("cpp_standalone", directory=d, build_on_run=False)
        b2.prefs.devices.cpp_standalone.openmp_threads = 0
        b2.prefs.devices.cpp_standalone.run_cmd_unix = [sys.executable, "-c", _RSS_WRAPPER, "./main"]
        os.environ["BENCH_MAXRSS_FILE"] = os.path.join(d, "maxrss.txt")
    b2.prefs.logging.file_log = False
    b2.defaultclock.dt = dt * b2.second
    NE, NI = (int(n) for n in net.N)
    pop = np.r_[np.zeros(NE, int), np.ones(NI, int)]
    eqs = """dv/dt = -v/tau + mu + sigma*xi*sqrt(second) : 1
    tau : second (constant)
    mu : Hz (constant)
    sigma : Hz (constant)"""
    t_setup = time.perf_counter()
    G = b2.NeuronGroup(NE + NI, eqs, threshold="v > 1", reset="v = 0", method="euler")
    G.tau = net.tau[pop] * b2.second
    G.mu = cfg["mu"] * b2.Hz
    G.sigma = net.sigma_ext[pop] * b2.Hz
    G.v = "rand()"
    objs = [G]
    for y, pre, post, w in shared_connectivity(cfg):
        S = b2.Synapses(G[:NE] if y == 0 else G[NE:], G, "w : 1 (constant)", on_pre="v_post += w",
                        delay=(dt if cfg["delay"] else 0.0) * b2.second)
        S.connect(i=pre, j=post)
        S.w = w
        objs.append(S)
    sm = b2.SpikeMonitor(G)
    network = b2.Network(*objs, sm)  # explicit: the magic network misses list members
    out = {}
    if target == "runtime":
        t0 = time.perf_counter()
        network.run(0 * b2.second)  # code generation + Cython compile (or cache load)
        out["build"] = time.perf_counter() - t0
        out["setup"] = t0 - t_setup
        t0 = time.process_time()
        network.run(duration * b2.second)
        out["run"] = time.process_time() - t0
        out["maxrss_sim_kB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    else:
        network.run(duration * b2.second)
        t0 = time.perf_counter()
        b2.device.build(directory=d, compile=True, run=False)
        out["build"] = time.perf_counter() - t0
        out["setup"] = t0 - t_setup
        t0 = time.perf_counter()
        b2.device.run(directory=d, with_output=False)
        out["binary"] = time.perf_counter() - t0
        out["run"] = float(b2.device._last_run_time)
        with open(os.path.join(d, "maxrss.txt")) as fh:
            out["maxrss_sim_kB"] = int(fh.read())
    t, i = np.asarray(sm.t / b2.second), np.asarray(sm.i)
    return {**out, **_counts(i < NE, i >= NE, t, cfg, NE, NI), **_maxrss()}


def in_child(func, cfg, timeout=None):
    """Run ``func(cfg)`` (a name in this module) in a fresh Python process; (result dict, error).

    A fresh process per simulator keeps Brian2's device state and NEST's kernel apart and makes
    ``ru_maxrss`` the peak of that simulator alone.
    """
    here = os.path.dirname(os.path.abspath(__file__))
    code = ("import sys, json; sys.path.insert(0, sys.argv[2]); import bench_lif; "
            f"print('RESULT', json.dumps(bench_lif.{func}(json.loads(sys.argv[1]))))")
    tmp = None
    if func == "run_brian2" and cfg.get("target", "standalone") == "standalone" \
            and not cfg.get("directory"):
        tmp = tempfile.mkdtemp(prefix="plainb2.")
        cfg = dict(cfg, directory=tmp)
    try:
        env = {k: v for k, v in os.environ.items() if k != "BENCH_MAXRSS_FILE"}
        proc = subprocess.run([sys.executable, "-c", _RSS_WRAPPER, sys.executable, "-c", code,
                               json.dumps(cfg), here], capture_output=True, text=True,
                              timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return None, f"timeout {timeout} s"
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT"):
            return json.loads(line[6:]), ""
    return None, proc.stderr[-3000:]


def bench_ours(net, duration):
    simulate(net, mu_E=MU, duration=duration, warmup=WARMUP, progress=False)  # built + cached
    t0 = time.perf_counter()
    res = simulate(net, mu_E=MU, duration=duration, warmup=WARMUP, progress=False)
    wall = time.perf_counter() - t0
    row = res.table.iloc[0]
    return {"wall": wall, "binary": row.wall_seconds, "run": row.run_seconds,
            "E": res.rate("E")[0], "I": res.rate("I")[0]}


def bench_nest(duration, cfg=None):
    """NEST on ``cfg`` (default: the supersaturating benchmark point) in a child process."""
    try:
        import nest  # noqa: F401  (GPL: benchmark only, never imported by the package)
    except Exception as exc:  # pragma: no cover
        return None, f"NEST not available ({exc})"
    return in_child("run_nest", cfg or config(duration=duration))


def bench_plain_brian2(duration, cfg=None):
    """Plain Brian2 (standalone unless ``cfg['target']`` says otherwise) in a child process."""
    return in_child("run_brian2", cfg or config(duration=duration))


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
        res = sweep(net, mu_E=mu, duration=10.0, warmup=2.0, n_jobs=2, progress=False)
        out["cold_2"] = time.perf_counter() - t0
        st = settings(net, duration=10.0)
        out["compile"] = build.get_build(st.spec(net), progress=False).manifest["build_seconds"]
        for jobs in (1, 2):
            t0 = time.perf_counter()
            sweep(net, mu_E=mu, duration=10.0, warmup=2.0, n_jobs=jobs, progress=False)
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
import sys, time, resource, json, threading
import psutil
from brianmodels import presets
from brianmodels.lif.simulate import simulate
N = int(sys.argv[1]); T = float(sys.argv[2])
net = presets.get("supersaturating").scaled(N)
kw = dict(mu_E=20.0 * net.mu_scale(N), duration=T, warmup=T / 2, record_spikes=0, progress=False)
peak, done = [0], []
def poll():  # RSS of the simulation binary itself ("main"); Linux would report the parent's peak
    me = psutil.Process()
    while not done:
        for c in me.children(recursive=True):
            try:
                if c.name() == "main":
                    peak[0] = max(peak[0], c.memory_info().rss)
            except psutil.Error:
                pass
        time.sleep(0.05)
threading.Thread(target=poll, daemon=True).start()
t0 = time.perf_counter(); first = simulate(net, **kw); t_first = time.perf_counter() - t0
t0 = time.perf_counter(); res = simulate(net, **kw); t_later = time.perf_counter() - t0
done.append(1)
row = res.table.iloc[0]
print("RESULT", json.dumps({"N": N, "synapses": int(net.n_synapses), "first": t_first, "later": t_later,
      "binary": float(row.wall_seconds), "run": float(row.run_seconds),
      "rate_E": float(res.rate("E")[0]), "rate_I": float(res.rate("I")[0]),
      "binary_rss_B": peak[0], "driver_rss_kB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
'''


def bench_scale(N, T=0.2):
    """Size-N Fig 6 network: first call (compile + connectivity) and a later call, peak RSS of the
    simulation binary (polled) and of the driver (which generates the connectivity)."""
    proc = subprocess.run([sys.executable, "-c", _SCALE_SCRIPT, str(N), str(T)],
                          capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT"):
            d = json.loads(line[6:])
            S = d["synapses"]
            print(f"scale N={N}: {S:.3g} synapses, first call {d['first']:.1f} s, later call "
                  f"{d['later']:.2f} s (binary {d['binary']:.2f} s, network run {d['run']:.2f} s for {T} s: "
                  f"RTF {d['run'] / T:.1f}); peak RSS binary {d['binary_rss_B'] / 2**30:.2f} GB "
                  f"({d['binary_rss_B'] / S:.2f} B/synapse, pages touched), driver "
                  f"{d['driver_rss_kB'] / 2**20:.2f} GB; rates E {d['rate_E']:.3f} I {d['rate_I']:.3f} Hz")
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
