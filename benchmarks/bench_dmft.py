"""Benchmark of meanfield.dmft: one DMFT point and a 15-value K sweep (targets: <= 2 s, <= 20 s).

Prints wall times measured side by side in one run (the machine is shared: compare ratios, not
absolute numbers across runs). Run: python benchmarks/bench_dmft.py
"""
import time

import numpy as np


def _t(fun):
    t0 = time.perf_counter()
    out = fun()
    return time.perf_counter() - t0, out


def main():
    t_import, _ = _t(lambda: __import__("meanfield.sparse_balance.dmft_solver"))
    from meanfield.sparse_balance.dmft_solver import dmft, dmft_sweep
    t_cold, _ = _t(lambda: dmft(phi="tanh", J0=3.0))          # includes sympy/scipy imports
    print(f"import meanfield.sparse_balance.dmft_solver: {t_import:.3f} s; first call (sympy import + solve): {t_cold:.2f} s")
    rows = []
    for phi in ("tanh", "heaviside", "relu", "quadratic"):
        g = 2.0 if phi in ("tanh", "heaviside") else 1.0
        for ode in (True, False):
            dt, r = _t(lambda: dmft(phi=phi, J0=3.0, g=g, ode=ode))   # Fig 5's J0
            rows.append((phi, g, ode, dt, r.status, r.diagnostics.get("beta_rel_diff", np.nan)))
            print(f"one point phi={phi:9s} g={g} ode={ode!s:5s}: {dt:6.2f} s  status={r.status} "
                  f"beta={r.beta:.5f} |beta_E-beta_ODE|/beta={rows[-1][-1]:.1e}")
    Ks = np.unique(np.round(np.geomspace(300, 1e5, 15)))
    for phi in ("tanh", "heaviside"):
        dt, sw = _t(lambda: dmft_sweep(K=Ks, phi=phi, J0=3.0, progress=False))
        df = sw.table
        print(f"K sweep of {len(Ks)} values phi={phi}: {dt:.2f} s (target <= 20 s); "
              f"all status 0: {bool((df.status == 0).all())}; "
              f"phi_mean exponent {np.polyfit(np.log(df.K.astype(float)), np.log(df.phi_mean), 1)[0]:.3f}")


if __name__ == "__main__":
    main()
