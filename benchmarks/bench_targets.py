"""What each CPU target costs: the LIF simulator built for every ``BRIANMODELS_TARGET``, side by side.

A build cache shared by a cluster of mixed CPU kinds is compiled for one portable target
(``BRIANMODELS_TARGET=x86-64-v3``, or ``x86-64``) instead of each machine's own (``native``). This
script measures what that costs on this machine: the ``supersaturating`` network at mu = 20 mV/s
(r = 1, dt = 0.05 ms, one core) built for ``native``, ``native -mno-avx512f`` (this CPU as if it had
no AVX-512), ``x86-64-v3`` (AVX2 + FMA), ``x86-64-v2`` (SSE4.2) and ``x86-64`` (SSE2), run in
interleaved rounds (every target once per round, so a change of the machine's load hits all of
them alike). The figure of merit is the CPU seconds of the network run per simulated second
(Brian2's ``std::clock`` timer of ``run()``, ``run_seconds``): the load of this shared machine
mostly cancels; the printed ratios are medians over the rounds against ``native``.

Every build must give the same spikes (the package compiles without target-dependent
contraction or reassociation, ``brianmodels.lif.target``): the script checks that the rates and
recorded spikes (neuron and time) of every target equal those of ``native`` bit for bit and says so.

Run: ``python benchmarks/bench_targets.py [--duration 3] [--rounds 5] [--targets native x86-64]``.
Compiles one build per target on first use (cached afterwards, ~30-60 s each on 2 cores).
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np

from brianmodels import presets
from brianmodels.lif import target
from brianmodels.lif.simulate import simulate

MU = 20.0
WARMUP = 0.5
TARGETS = ("native", target.NO_AVX512, "x86-64-v3", "x86-64-v2", "x86-64")


def run(name: str, duration: float):
    """One simulation of the benchmark point with the build for target ``name``."""
    os.environ[target.ENV] = name
    res = simulate(presets.get("supersaturating"), mu_E=MU, r=1.0, duration=duration,
                   warmup=WARMUP, seed=1, record_spikes="all", progress=False)
    row = res.table.iloc[0]
    return {"rtf": float(row.run_seconds) / duration, "wall": float(row.wall_seconds),
            "rates": res.table.rate.to_numpy(), "spikes": res.spikes.reset_index(drop=True),
            "compiled": bool(res.params.get("compiled"))}


def main(duration=3.0, rounds=5, targets=TARGETS):
    saved = os.environ.get(target.ENV)
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            info = fh.read()
        cpu = next((ln.split(":", 1)[1].strip() for ln in info.splitlines()
                    if ln.startswith("model name")), cpu)
        simd = [f for f in ("avx512f", "avx2", "fma", "sse4_2") if f" {f} " in info]
    except OSError:
        simd = []
    print(f"== CPU: {cpu}; SIMD: {' '.join(simd)}; {os.cpu_count()} cores; "
          f"load {os.getloadavg()[0]:.2f}")
    print(f"== supersaturating, mu = {MU} mV/s, {duration} s simulated, {rounds} rounds")
    try:
        for name in targets:  # build (or find) every target first; builds are not timed
            t0 = time.perf_counter()
            first = run(name, 0.6)
            what = f"compiled in {time.perf_counter() - t0:.0f} s" if first["compiled"] \
                else "cached"
            print(f"   {name!r:24s} {what}; {target.describe(target.identity(name))}")
        times = {name: [] for name in targets}
        ref = {}
        for k in range(rounds):
            for name in targets:
                r = run(name, duration)
                times[name].append(r["rtf"])
                if name not in ref:
                    ref[name] = r
        base = ref[targets[0]]
        med0 = statistics.median(times[targets[0]])
        print(f"{'target':26s} {'CPU s / sim s (median)':>24s} {'min':>7s} {'ratio':>7s}  same spikes")
        for name in targets:
            med = statistics.median(times[name])
            same = np.array_equal(ref[name]["rates"], base["rates"]) and \
                ref[name]["spikes"].equals(base["spikes"])
            print(f"{name!r:26s} {med:24.3f} {min(times[name]):7.3f} {med / med0:7.3f}  "
                  f"{'yes' if same else 'NO'}")
    finally:
        if saved is None:
            os.environ.pop(target.ENV, None)
        else:
            os.environ[target.ENV] = saved


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=3.0, help="simulated seconds per run")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    ap.add_argument("--targets", nargs="+", default=list(TARGETS), help="targets to compare")
    a = ap.parse_args()
    main(a.duration, a.rounds, tuple(a.targets))
