"""``python -m benchmarks quick|list [NAME ...]``: a sanity subset of ALL benchmark scripts (< 5 min).

Each part runs in its own Python process (thread settings and Brian2's device state stay separate),
from this folder, with the script's own quick mode where it has one, else a small subset of its
functions called here. A part whose optional peer (NNMT, NEST) is not installed is reported as
skipped. Numbers from quick runs are sanity checks only: the recorded results come from full runs
of each script (``benchmarks/RESULTS.md``). Exit status: 1 if any part failed.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

#: name -> (what the quick subset covers, Python code run in a fresh process from this folder, optional module)
PARTS = {
    "phi": ("bench_phi.main: meanfield.phi on 1e5 random points vs naive scipy quad (300 points), speed ratio",
            "import bench_phi; bench_phi.main(n=100_000, n_naive=300)", None),
    "selfconsistent": ("bench_selfconsistent.main: Phi_sc sweep through the Fig 4 folds, 100 inputs, vs solve_point",
                       "import bench_selfconsistent as b; b.main(n=100, n_subset=5)", None),
    "regime_map": ("bench_regime_map.main: SSN regime map 200 x 200 vs per-point brentq (as the full script)",
                   "import bench_regime_map as b; b.main()", None),
    "dmft": ("bench_dmft (subset): one DMFT point (tanh) and a 4-value K sweep, status and phi_mean exponent",
             "import numpy as np, time\n"
             "from meanfield import dmft, dmft_sweep\n"
             "t0 = time.perf_counter(); r = dmft(phi='tanh', J0=3.0); t1 = time.perf_counter()\n"
             "print(f'one point tanh: {t1 - t0:.2f} s (first call, imports included), status {r.status}, beta {r.beta:.5f}')\n"
             "Ks = np.array([300.0, 1000.0, 3000.0, 10000.0]); t0 = time.perf_counter()\n"
             "df = dmft_sweep(K=Ks, phi='tanh', J0=3.0, progress=False).table\n"
             "e = np.polyfit(np.log(df.K.astype(float)), np.log(df.phi_mean), 1)[0]\n"
             "print(f'K sweep of 4: {time.perf_counter() - t0:.2f} s, all status 0: {bool((df.status == 0).all())}, "
             "phi_mean exponent {e:.3f}')", None),
    "nnmt": ("bench_nnmt.main(quick=True): phi vs NNMT Siegert (agreement vs mpmath, time/eval), Brunel network "
             "rates, bistable network branches (ours vs NNMT ODE/hysteresis/multi-start), SSN map 50 x 50",
             "import bench_nnmt; bench_nnmt.main(quick=True)", "nnmt"),
    "rate": ("bench_rate.main(quick=True): rate network per-step cost at N = K = 500, 1000: fast path vs NumPy dense "
             "vs Brian2 standalone (500 only; one compile)",
             "import bench_rate; bench_rate.main(quick=True)", None),
    "limit": ("bench_limit.main(quick=True): C++ microbenchmark (bm_rng normals/s, stream add, scatter-add) -> "
              "floor of the supersaturating network vs brianmodels.simulate's CPU s per simulated s (1 s vs 2 s runs)",
              "import bench_limit; bench_limit.main(quick=True)", None),
    "lif": ("bench_peers_lif.main(['--quick']): supersaturating (+ 1-step delay) at mu = 20, 1 s, in brianmodels, "
            "NEST (if installed), Brian2 runtime (Cython) and naive Brian2 standalone: RTF, build, peak RSS, events/s, "
            "rates within 3 %; Fig 2A end to end, 2 points x 1 s, ours (empty cache) vs naive on 2 processes",
            "import sys, bench_peers_lif\nsys.exit(bench_peers_lif.main(['--quick']))", None),
    "targets": ("bench_targets.main: supersaturating built for native and x86-64-v3, 1 s x 2 interleaved "
                "rounds: CPU s per simulated s, ratio, identical spikes",
                "import bench_targets; bench_targets.main(duration=1.0, rounds=2, "
                "targets=('native', 'x86-64-v3'))", None),
}


def _available(module):
    if module is None:
        return True
    import importlib.util
    return importlib.util.find_spec(module) is not None


def run_quick(names, timeout=300):
    """Run the quick parts ``names`` one after another; print each one's output and a summary table."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.dirname(HERE), HERE,
                                                        os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    summary, t_all = [], time.perf_counter()
    for name in names:
        covers, code, optional = PARTS[name]
        print(f"\n=== {name}: {covers}", flush=True)
        if not _available(optional):
            summary.append((name, "skipped", 0.0, f"{optional} not installed"))
            print(f"skipped: {optional} not installed")
            continue
        t0 = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, "-c", code], cwd=HERE, env=env, timeout=timeout)
            status = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
        except subprocess.TimeoutExpired:
            status = f"FAILED (timeout {timeout} s)"
        summary.append((name, status, time.perf_counter() - t0, ""))
    print(f"\n=== summary ({time.perf_counter() - t_all:.0f} s in all; load {os.getloadavg()[0]:.1f})")
    for name, status, dt, note in summary:
        print(f"  {name:15s} {status:22s} {dt:6.1f} s  {note}")
    return all(s[1] in ("ok", "skipped") for s in summary)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["quick", "list"], help="quick: run the sanity subset; list: what each part covers")
    ap.add_argument("names", nargs="*", help=f"parts to run (default all): {', '.join(PARTS)}")
    ap.add_argument("--timeout", type=float, default=300.0, help="per part, seconds")
    a = ap.parse_args(argv)
    unknown = [n for n in a.names if n not in PARTS]
    if unknown:
        ap.error(f"unknown part(s) {unknown}; choose from {list(PARTS)}")
    names = a.names or list(PARTS)
    if a.mode == "list":
        for n in names:
            print(f"{n:15s} {PARTS[n][0]}")
        return 0
    return 0 if run_quick(names, a.timeout) else 1


if __name__ == "__main__":
    sys.exit(main())
