"""Spiking benchmarks against the peers (issue 6), side by side in ONE run.

1. Peers: the ``supersaturating`` (Fig 2) and ``allen_v1`` (Fig 3A) networks at three inputs each
   (r = 1; supersaturating mu = 10, 20, 40 mV/s: rising, near the peak, falling; allen_v1
   mu = 20, 50, 100 mV/s along its Fig 3A ramp), each simulator in its own process:

   * ``ours``: ``brianmodels.simulate`` (build compiled once per network into an empty cache,
     then one process per point);
   * ``nest``: NEST 3.10, one thread (``iaf_psc_delta`` + ``noise_generator``; mapping in
     ``bench_lif``);
   * ``runtime``: Brian2's runtime device, Cython target, the plain model of ``bench_lif`` (a
     fresh Cython cache per network: the first point's build is the cold compile);
   * ``standalone``: naive Brian2 standalone, a fresh ``cpp_standalone`` project per point
     (build + compile + run: what a user without this package does).

   All four run the SAME network: the preset with a one-step delay (dt, NEST's minimum) on every
   pathway, the preset's dt (supersaturating 0.05 ms, allen_v1 0.1 ms), brianmodels' fixed
   in-degree arrays (connectivity seed 1). Columns:

   * ``rtf``: CPU seconds of the network run per simulated second (std::clock in the binaries,
     ``time.process_time`` around NEST's ``Simulate`` and around Brian2 runtime's ``run``), so
     the load of a shared machine mostly cancels;
   * ``build_s``: time before the first step: ours = compile of the cached build (once per
     network, shown at its first point; later points 0 = cache hit), NEST = node creation and
     connection (wall), runtime = network construction + first ``run(0 s)`` (code generation
     and Cython compile; cold at a network's first point, cache load at the others),
     standalone = network construction + code generation + C++ compile (every point);
   * ``rss_MB``: peak RSS of the process that simulates (ours and standalone: the compiled
     binary alone; NEST and runtime: the Python process holding the simulator);
     ``driver_MB``: the Python process of ours/standalone (connectivity, results);
   * ``events_per_s``: synaptic events delivered per CPU second of the run, counted from the
     spikes of the whole run: sum over source populations Y of spikes_Y x mean out-degree
     (sum_X K_XY N_X / N_Y);
   * ``E``, ``I``: rates after the warm-up (Hz), ``dE``, ``dI``: relative deviation from ours,
     ``zE``, ``zI``: that deviation in units of the Poisson standard error of a difference of
     two independent population-rate estimates, sqrt(2 nu / (N T)) (a lower bound: network
     fluctuations are correlated across neurons). ``|d| > 3%`` is flagged.
2. Fig 2A end to end: ``supersaturating`` (preset, no delay) at 21 inputs mu = 0..50 mV/s, 10 s
   each: ours from an empty cache (``BRIANMODELS_CACHE`` = a new temp folder) with n_jobs = 1
   and 2, vs the naive standalone sweep (one fresh project per point: codegen + compile + run)
   with 1 and 2 points at a time in separate processes. Wall time, load average.

Usage::

    python benchmarks/bench_peers_lif.py [--duration 10] [--points 21] [--sweep-duration 10]
        [--jobs 1 2] [--networks supersaturating allen_v1] [--no-peers] [--no-fig2a]
        [--out results.json] [--quick]

``--quick`` (< 2 min on a quiet machine): supersaturating at mu = 20 only, 1 s, ours from the
user's cache, runtime from the default Cython cache; Fig 2A with 2 points x 1 s on 2 processes.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import importlib.util
import json
import math
import os
import platform
import shutil
import sys
import tempfile
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_lif  # noqa: E402  (this folder: the shared benchmark network and simulator runners)
from brianmodels import atomic, presets  # noqa: E402
from brianmodels.lif import build  # noqa: E402
from brianmodels.lif.simulate import settings  # noqa: E402
from brianmodels.lif.sweep import sweep  # noqa: E402

#: Inputs mu_E = mu_I (mV/s, r = 1) per network: three regimes each.
NETWORKS = {"supersaturating": (10.0, 20.0, 40.0), "allen_v1": (20.0, 50.0, 100.0)}
SIMULATORS = ("ours", "nest", "runtime", "standalone")
FLAG = 0.03  # rates of the peers must agree with ours within 3 %


# ------------------------------------------------------------------------------ helpers
@contextlib.contextmanager
def temp_cache(enabled=True):
    """Point ``BRIANMODELS_CACHE`` at a new empty folder (children inherit it); restore after."""
    if not enabled:
        yield None
        return
    old = os.environ.get("BRIANMODELS_CACHE")
    d = tempfile.mkdtemp(prefix="bmcache.")
    os.environ["BRIANMODELS_CACHE"] = d
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)
        if old is None:
            os.environ.pop("BRIANMODELS_CACHE", None)
        else:
            os.environ["BRIANMODELS_CACHE"] = old


def synapses_per_source(net):
    """Number of synapses leaving population Y (E, I): sum_X K_XY N_X."""
    return (np.asarray(net.K) * np.asarray(net.N)[:, None]).sum(axis=0)


def poisson_z(d_rel, nu, N, T):
    """Relative rate difference in units of the Poisson SE of a difference of two estimates."""
    se = math.sqrt(2.0 * nu / (N * T)) if nu > 0 else float("nan")
    return d_rel * nu / se if se > 0 else float("nan")


def markdown(df, floatfmt=None):
    """A pandas DataFrame as a GitHub markdown table (no tabulate dependency)."""
    floatfmt = floatfmt or {}

    def fmt(c, v):
        if isinstance(v, float):
            return "" if not np.isfinite(v) else format(v, floatfmt.get(c, ".3g"))
        return str(v)
    lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(fmt(c, v) for c, v in zip(df.columns, row)) + " |"
              for row in df.itertuples(index=False)]
    return "\n".join(lines)


def machine():
    """Machine and versions, for the record."""
    cpu = platform.processor()
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    import brian2
    try:
        import nest
        nest_v = nest.__version__
    except Exception:  # pragma: no cover
        nest_v = "not installed"
    return {"date": time.strftime("%Y-%m-%d %H:%M"), "nproc": os.cpu_count(), "cpu": cpu,
            "python": platform.python_version(), "brian2": brian2.__version__, "nest": nest_v,
            "loadavg_start": os.getloadavg()[0]}


# ------------------------------------------------------------------------------ 1. peers
def _row(name, mu, sim, d, cfg, build_s, ours):
    net = bench_lif.bench_network(name, cfg["dt"])
    T_meas = cfg["duration"] - cfg["warmup"]
    nsyn = synapses_per_source(net)
    events = d["spikes_E"] * nsyn[0] / net.N[0] + d["spikes_I"] * nsyn[1] / net.N[1]
    rss = d.get("maxrss_sim_kB") or (d["maxrss_children_kB"] if sim == "ours" else d["maxrss_self_kB"])
    row = {"network": name, "mu": mu, "simulator": sim, "rtf": d["run"] / cfg["duration"],
           "build_s": build_s, "rss_MB": rss / 1024,
           "driver_MB": d["maxrss_self_kB"] / 1024 if sim in ("ours", "standalone") else np.nan,
           "events_per_s": events / d["run"], "E": d["E"], "I": d["I"]}
    for X, x in (("E", 0), ("I", 1)):
        rel = d[X] / ours[X] - 1.0 if ours and ours[X] > 0 else np.nan
        row[f"d{X}"] = rel
        row[f"z{X}"] = poisson_z(rel, ours[X], net.N[x], T_meas) if ours else np.nan
    row["vs_ours"] = d["run"] / ours["run"] if ours else np.nan
    return row


def bench_peers(networks=None, duration=10.0, warmup=0.5, simulators=SIMULATORS,
                fresh_cache=True, cold_cython=True, timeout=None, progress=True):
    """Part 1: every simulator at every (network, input), one process each.

    Returns
    -------
    pandas.DataFrame
        One row per network x mu x simulator with the columns of the module docstring.
    """
    networks = networks or NETWORKS
    rows, errors = [], []
    if "nest" in simulators and importlib.util.find_spec("nest") is None:
        print("NEST not installed: skipped", file=sys.stderr)
        simulators = [s for s in simulators if s != "nest"]
    for name, mus in networks.items():
        cfg0 = bench_lif.config(name, duration=duration, warmup=warmup)
        net = bench_lif.bench_network(name, cfg0["dt"])
        with temp_cache(fresh_cache), contextlib.ExitStack() as stack:
            ours_build = np.nan
            if "ours" in simulators:  # compile once per network (what every later point reuses)
                b = build.get_build(settings(net, duration=duration, dt=cfg0["dt"]).spec(net),
                                    progress=False)
                ours_build = b.manifest["build_seconds"] if not b.cached else 0.0
            cy = stack.enter_context(tempfile.TemporaryDirectory(prefix="cython.")) \
                if cold_cython else None
            for k, mu in enumerate(mus):
                cfg = dict(cfg0, mu=float(mu))
                ours = None
                for sim in simulators:
                    t0 = time.perf_counter()
                    if sim == "ours":
                        d, err = bench_lif.in_child("run_ours", cfg, timeout)
                    elif sim == "nest":
                        d, err = bench_lif.bench_nest(duration, cfg)
                    else:
                        c = dict(cfg, target=sim)
                        if sim == "runtime" and cy:
                            c["cython_cache"] = cy
                        d, err = bench_lif.in_child("run_brian2", c, timeout)
                    if d is None:
                        errors.append((name, mu, sim, err))
                        print(f"  {name} mu={mu} {sim}: FAILED\n{err[-1500:]}", file=sys.stderr)
                        continue
                    if sim == "ours":
                        ours = d
                        bs = ours_build if k == 0 else 0.0
                    else:
                        bs = d.get("setup", 0.0) + d.get("build", 0.0)
                    rows.append(_row(name, mu, sim, d, cfg, bs, ours))
                    if progress:
                        print(f"  {name} mu={mu:g} {sim:10s} RTF {d['run'] / duration:7.3f}  "
                              f"E {d['E']:.3f} I {d['I']:.3f} Hz  ({time.perf_counter() - t0:.0f} s wall; "
                              f"load {os.getloadavg()[0]:.1f})", flush=True)
    df = pd.DataFrame(rows)
    df.attrs["errors"] = errors
    return df


def report_peers(df, duration):
    """Print the peers table and the rate check."""
    cols = ["network", "mu", "simulator", "rtf", "vs_ours", "build_s", "rss_MB", "driver_MB",
            "events_per_s", "E", "I", "dE", "dI", "zE", "zI"]
    print(f"\n== peers: {duration:g} s simulated per point, one core each")
    print(markdown(df[cols], {"rtf": ".3f", "vs_ours": ".2f", "build_s": ".1f", "rss_MB": ".0f",
                              "driver_MB": ".0f", "events_per_s": ".3g", "E": ".3f", "I": ".3f",
                              "dE": "+.1%", "dI": "+.1%", "zE": "+.1f", "zI": "+.1f"}))
    flagged = df[(df.dE.abs() > FLAG) | (df.dI.abs() > FLAG)]
    if flagged.empty:
        print(f"rates: every simulator within {FLAG:.0%} of ours at every point")
    for r in flagged.itertuples():
        within = max(abs(r.zE), abs(r.zI)) < 3
        print(f"rate deviation > {FLAG:.0%}: {r.network} mu={r.mu:g} {r.simulator}: E {r.dE:+.1%} "
              f"(z {r.zE:+.1f}), I {r.dI:+.1%} (z {r.zI:+.1f}) -> "
              f"{'within 3 Poisson SE (sampling noise)' if within else 'beyond 3 Poisson SE'}")
    for e in df.attrs.get("errors", []):
        print(f"FAILED: {e[0]} mu={e[1]} {e[2]}")


# ------------------------------------------------------------------------------ 2. Fig 2A sweep
def bench_fig2a(points=21, duration=10.0, warmup=2.0, jobs=(1, 2), naive=True, ours=True,
                timeout=None):
    """Part 2: the Fig 2A curve end to end, ours (empty cache) vs the naive standalone sweep.

    Returns
    -------
    pandas.DataFrame
        One row per (method, n_jobs): ``wall_s`` (end to end), ``compile_s`` (ours: the one
        build; naive: sum over points of construction + codegen + compile), ``rate_E_max_dev``
        (largest |nu_E naive - nu_E ours| over the points, Hz), ``load`` (1-min load average at
        the end).
    """
    name = "supersaturating"
    net = presets.get(name)
    mu = np.linspace(0.0, 50.0, points)
    rows, ours_E = [], None
    for j in jobs if ours else ():
        try:
            with temp_cache():
                t0 = time.perf_counter()
                res = sweep(net, mu_E=mu, duration=duration, warmup=warmup, n_jobs=j,
                            progress=False)
                wall = time.perf_counter() - t0
                b = build.get_build(settings(net, duration=duration).spec(net), progress=False)
        except Exception as exc:  # keep going: the naive sweep does not depend on ours
            print(f"  Fig 2A ours n_jobs={j}: FAILED ({exc!r:.1500})", file=sys.stderr, flush=True)
            continue
        ours_E = np.asarray(res.rate("E"))
        rows.append({"method": "ours (empty cache)", "n_jobs": j, "points": points,
                     "duration": duration, "wall_s": wall, "compile_s": b.manifest["build_seconds"],
                     "rate_E_max_dev": 0.0, "load": os.getloadavg()[0]})
        print(f"  Fig 2A ours n_jobs={j}: {wall:.1f} s (compile {rows[-1]['compile_s']:.0f} s; "
              f"load {os.getloadavg()[0]:.1f})", flush=True)
    if naive:
        cfgs = [bench_lif.config(name, mu=m, duration=duration, warmup=warmup, delay=False,
                                 target="standalone") for m in mu]
        for j in jobs:
            t0 = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(j) as ex:
                out = list(ex.map(lambda c: bench_lif.in_child("run_brian2", c, timeout), cfgs))
            wall = time.perf_counter() - t0
            ok = [d for d, _ in out if d]
            E = np.array([d["E"] if d else np.nan for d, _ in out])
            dev = float(np.nanmax(np.abs(E - ours_E))) if ours_E is not None else np.nan
            rows.append({"method": "naive standalone (compile per point)", "n_jobs": j,
                         "points": points, "duration": duration, "wall_s": wall,
                         "compile_s": sum(d["setup"] + d["build"] for d in ok),
                         "rate_E_max_dev": dev, "load": os.getloadavg()[0]})
            print(f"  Fig 2A naive {j} at a time: {wall:.1f} s ({len(ok)}/{points} ok; compile "
                  f"{rows[-1]['compile_s']:.0f} s in all; max |dE| vs ours {dev:.3f} Hz; "
                  f"load {os.getloadavg()[0]:.1f})", flush=True)
    df = pd.DataFrame(rows)
    print(f"\n== Fig 2A: {points} inputs x {duration:g} s (warm-up {warmup:g} s), end to end")
    print(markdown(df, {"wall_s": ".1f", "compile_s": ".1f", "rate_E_max_dev": ".3f",
                        "load": ".1f"}))
    for j in jobs:
        o = df[(df.n_jobs == j) & df.method.str.startswith("ours")].wall_s
        n = df[(df.n_jobs == j) & df.method.str.startswith("naive")].wall_s
        if len(o) and len(n):
            print(f"n_jobs={j}: ours {float(n.iloc[0]) / float(o.iloc[0]):.1f}x faster than naive")
    return df


# ------------------------------------------------------------------------------ main
def _write_json(path, data):
    def write(tmp):
        with open(tmp, "w") as fh:
            json.dump(data, fh, indent=1, default=float)

    atomic.atomic_write(path, write)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="sanity run (< 2 min)")
    ap.add_argument("--duration", type=float, default=10.0, help="simulated s per peer point")
    ap.add_argument("--warmup", type=float, default=0.5, help="s excluded from peer rates")
    ap.add_argument("--networks", nargs="*", default=list(NETWORKS), choices=list(NETWORKS))
    ap.add_argument("--simulators", nargs="*", default=list(SIMULATORS), choices=list(SIMULATORS))
    ap.add_argument("--points", type=int, default=21, help="Fig 2A inputs (0..50 mV/s)")
    ap.add_argument("--sweep-duration", type=float, default=10.0, help="simulated s per Fig 2A point")
    ap.add_argument("--jobs", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--no-fig2a", action="store_true")
    ap.add_argument("--no-naive", action="store_true", help="Fig 2A: ours only")
    ap.add_argument("--no-ours-sweep", action="store_true", help="Fig 2A: naive only")
    ap.add_argument("--mu", type=float, nargs="*", help="peer inputs (mV/s) instead of each "
                    "network's three")
    ap.add_argument("--out", help="write machine info and both tables as JSON here")
    a = ap.parse_args(argv)
    for arg in ("duration", "sweep_duration"):
        if not getattr(a, arg) > 0:
            ap.error(f"--{arg.replace('_', '-')} must be > 0 s")
    if not 0 <= a.warmup < a.duration:
        ap.error("--warmup must be in [0, duration)")
    if a.points < 2 or any(j < 1 for j in a.jobs):
        ap.error("--points must be >= 2 and --jobs >= 1")
    info = machine()
    print(f"== bench_peers_lif {info}")
    commit = os.popen("git -C %s log -1 --format='%%h %%cd' -- brianmodels/lif/bm_rng.h"
                      % os.path.dirname(os.path.dirname(os.path.abspath(__file__)))).read().strip()
    info["bm_rng_commit"] = commit
    print(f"bm_rng.h last commit: {commit}")
    out = {"machine": info}
    t_all = time.perf_counter()
    if a.quick:
        nets = {"supersaturating": (20.0,)}
        peers = None if a.no_peers else bench_peers(nets, 1.0, 0.25, a.simulators, fresh_cache=False,
                                                   cold_cython=False, timeout=300)
        if peers is not None:
            report_peers(peers, 1.0)
        fig = None if a.no_fig2a else bench_fig2a(2, 1.0, 0.25, jobs=(2,), naive=not a.no_naive,
                                                  timeout=300)
    else:
        nets = {n: tuple(a.mu) if a.mu else NETWORKS[n] for n in a.networks}
        peers = None if a.no_peers else bench_peers(nets, a.duration, a.warmup, a.simulators)
        if peers is not None:
            report_peers(peers, a.duration)
        fig = None if a.no_fig2a else bench_fig2a(a.points, a.sweep_duration,
                                                  min(2.0, a.sweep_duration / 4), tuple(a.jobs),
                                                  naive=not a.no_naive, ours=not a.no_ours_sweep)
    info["loadavg_end"] = os.getloadavg()[0]
    info["total_s"] = time.perf_counter() - t_all
    print(f"\ntotal {info['total_s']:.0f} s; load average now {os.getloadavg()}")
    if a.out:
        out["peers"] = None if peers is None else peers.to_dict(orient="records")
        out["fig2a"] = None if fig is None else fig.to_dict(orient="records")
        _write_json(a.out, out)
    failed = peers is not None and bool(peers.attrs.get("errors"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
