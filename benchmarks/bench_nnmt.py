"""Mean field against the peer users would pick instead: NNMT 1.3 (Layer et al. 2022), side by side in ONE run.

1. Transfer function: ``meanfield.phi`` vs NNMT's Siegert (``nnmt.lif.delta._firing_rates_for_given_input``)
   on the 40-digit mpmath reference points of ``tests/meanfield/lif/data/phi_reference.csv`` (both against the
   reference; and against each other), and the time per evaluation: one point per call (how a
   fixed-point solver calls it) and one vectorised call on an array (NNMT picks one Gauss-Legendre
   order per call from the widest |y| range, so a vectorised call over a wide range can fail; the
   failure is reported, not hidden).
2. Self-consistent rates of two Brunel-type networks (E and I populations, fixed in-degree, delta
   synapses, white-noise external drive):
   a. Brunel (2000) model A regime, g = 5, nu_ext = 2 nu_thr, V_th = 20 mV, V_r = 10 mV, t_ref = 2 ms
      (one stable state): ``meanfield.lif.selfconsistency.solve_point`` vs ``nnmt.lif.delta._firing_rates``.
   b. The paper's bistable network (Ekelmans et al. 2023 Fig 4, J = [[5, 10], [7, 11]] mV, delta
      synapses here) along mu_E = mu_I = 0..10 mV/s: ``meanfield.selfconsistent`` (all branches by
      continuation) vs NNMT's ODE fixed-point iteration from its default start (nu = 0), vs NNMT swept
      up and down with warm starts (hysteresis, how one finds both stable branches with NNMT), and,
      at three inputs inside the bistable range, NNMT's LSTSQ solver multi-started from a grid of
      initial guesses (the only way NNMT reaches the unstable middle state).
3. SSN regime map (``meanfield.ssn.regimes.regime_map``, 200 x 200 grid): time; NNMT has no SSN, so the
   only NNMT alternative to a steady-state map is one fixed-point solve per grid point (extrapolated
   from the time per point measured in 2b, and it finds one state per start).

Unit conversion to NNMT's (Brunel) convention (``docs/theory/ssn_lif.md`` §1): mu_B = tau mu,
sigma_B = sigma sqrt(tau), V_th = 1 mV, V_0 = 0, t_ref = 0; NNMT's network input is
mu_B = tau (sum_Y K_XY J_XY nu_Y + sum_ext K J nu + I_ext / C) and sigma_B^2 = tau (sum K J^2 nu),
so our network (couplings J = K |j| in mV, signed by the source) is NNMT's (J = +-j, K), our
external drive mu_ext [mV/s] is NNMT's I_ext / C (with C = 1), and our external noise
sigma_ext^2 [mV^2/s] is a pair of external Poisson sources of weights +a and -a (mean inputs cancel)
at rate sigma_ext^2 / (2 a^2) each.

NNMT is GPL: it is imported only here and in ``tests/meanfield/lif/test_peers_nnmt.py`` (optional), never by the package.

Run: ``python benchmarks/bench_nnmt.py [--quick]``.
"""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

REFERENCE_CSV = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                             "tests", "data", "phi_reference.csv")

#: weight (mV) of the +a / -a external Poisson pair that carries our white external noise into NNMT
NOISE_PAIR_WEIGHT = 0.1


# ------------------------------------------------------------------------------------------------ helpers
def _best_of(fun, repeat=3):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fun()
        best = min(best, time.perf_counter() - t0)
    return best, out


def nnmt_siegert(mu, sigma, tau, theta=1.0, v_reset=0.0, t_ref=0.0):
    """NNMT's Siegert at OUR inputs (mu mV/s, sigma mV/sqrt(s), tau s): converted to Brunel units."""
    from nnmt.lif.delta import _firing_rates_for_given_input
    mu, sigma, tau = np.asarray(mu, float), np.asarray(sigma, float), np.asarray(tau, float)
    with np.errstate(all="ignore"):
        return _firing_rates_for_given_input(mu * tau, sigma * np.sqrt(tau), v_reset, theta, tau, t_ref)


def nnmt_network_args(J, K, tau, sigma_ext, theta=1.0, v_reset=0.0, t_ref=0.0, a=NOISE_PAIR_WEIGHT):
    """NNMT ``_firing_rates`` keyword arguments for our 2-population network (module docstring).

    ``J`` (2x2, magnitudes, mV) and ``K`` (2x2 in-degrees) as in ``brianmodels.network.LIFNetwork``;
    the external drive mu_ext is passed separately as ``I_ext`` (scalar: NNMT applies one I_ext / C
    to all populations, so mu_E = mu_I here).
    """
    K = np.asarray(K, float)
    j_signed = np.asarray(J, float) / K * np.array([1.0, -1.0])
    s2 = np.broadcast_to(np.asarray(sigma_ext, float) ** 2, (2,))
    # one +a / -a source pair per population (K_ext masks the other population's pair)
    J_ext = np.array([[a, -a, 0.0, 0.0], [0.0, 0.0, a, -a]])
    K_ext = np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]])
    nu_ext = np.repeat(s2 / (2 * a * a), 2)
    return dict(J=j_signed, K=K, V_0_rel=v_reset, V_th_rel=theta, tau_m=np.asarray(tau, float), tau_r=t_ref,
                J_ext=J_ext, K_ext=K_ext, nu_ext=nu_ext, C=1.0)


def nnmt_rates(args, mu_ext, nu_0=None, method="ODE"):
    """NNMT's self-consistent rates at external drive mu_ext (mV/s) from start nu_0 (Hz), or None."""
    from nnmt.lif.delta import _firing_rates
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return np.asarray(_firing_rates(I_ext=float(mu_ext), nu_0=None if nu_0 is None else np.asarray(nu_0, float),
                                            fixpoint_method=method, **args), float)
    except (RuntimeError, AssertionError, ValueError):
        return None


def _distinct(sols, rtol=1e-3):
    out = []
    for s in sols:
        if s is not None and np.all(np.isfinite(s)) and not any(np.allclose(s, o, rtol=rtol, atol=1e-9) for o in out):
            out.append(s)
    return sorted(out, key=lambda v: v[0])


def _match_rel(sol, states):
    """Relative distance of one NNMT solution to the nearest of our states (max over E, I)."""
    d = [np.max(np.abs(sol - s) / np.maximum(np.abs(s), 1e-300)) for s in states]
    return min(d) if d else np.inf


# ------------------------------------------------------------------------------------------------ 1. phi
def bench_phi(quick=False):
    import pandas as pd

    from meanfield.lif.transfer import phi
    ref = pd.read_csv(REFERENCE_CSV, dtype={"nu": str})
    ref["nu"] = ref["nu"].astype(float)
    if quick:
        ref = ref.groupby("regime", group_keys=False).head(15)
    cols = [ref[c].to_numpy() for c in ("mu", "sigma", "tau", "theta", "v_reset", "t_ref")]
    n = len(ref)
    ours = phi(*cols)
    t_ours_vec, _ = _best_of(lambda: phi(*cols))
    # one point per call (both)
    t0 = time.perf_counter()
    for i in range(n):
        phi(*(c[i] for c in cols))
    t_ours_pt = (time.perf_counter() - t0) / n
    nn = np.full(n, np.nan)
    failures = 0
    t0 = time.perf_counter()
    for i in range(n):
        try:
            nn[i] = nnmt_siegert(*(c[i] for c in cols))
        except RuntimeError:
            failures += 1
    t_nn_pt = (time.perf_counter() - t0) / n
    # vectorised NNMT: on the whole set (wide |y| range) and on one narrow regime
    try:
        t_nn_vec, _ = _best_of(lambda: nnmt_siegert(*cols), 1)
        vec_msg = f"{t_nn_vec / n * 1e6:.1f} us/point"
    except RuntimeError as e:
        t_nn_vec, vec_msg = np.nan, f"FAILS on the whole set ({str(e).split('.')[0]})"
    m = (ref.regime == "fluct").to_numpy()
    sub = [c[m] for c in cols]
    t_nn_fl, _ = _best_of(lambda: nnmt_siegert(*sub))
    t_our_fl, _ = _best_of(lambda: phi(*sub))
    # NNMT's limitation: mu tau midway between reset and threshold (|y_th| = |y_r|: empty interval in its
    # Gauss-Legendre order search, 0/0) raises; ours is finite there
    t0 = time.perf_counter()
    try:
        nnmt_siegert(25.0, 3.0, 0.02)
        midway = "NNMT ok"
    except RuntimeError as e:
        midway = f"NNMT raises after {time.perf_counter() - t0:.1f} s ({str(e).split('.')[0]})"
    midway += f"; ours {phi(25.0, 3.0, 0.02):.6g} Hz"
    ok = (ref.nu > 1e-300).to_numpy()
    rel_ours = np.abs(ours - ref.nu) / ref.nu
    rel_nn = np.abs(nn - ref.nu) / ref.nu
    with np.errstate(all="ignore"):
        rel_x = np.abs(nn - ours) / ours
    by = pd.DataFrame({"regime": ref.regime, "ours_vs_mpmath": rel_ours, "nnmt_vs_mpmath": rel_nn,
                       "nnmt_vs_ours": rel_x})[ok].groupby("regime").max()
    print(f"[phi] {n} reference points ({int(ok.sum())} with nu > 1e-300 Hz), incl. t_ref > 0 rows; "
          f"NNMT per-point failures: {failures}")
    print("  max relative error by regime:\n" + by.to_string(float_format=lambda v: f"{v:.1e}"))
    print(f"  one point per call: ours {t_ours_pt * 1e6:.1f} us, NNMT {t_nn_pt * 1e6:.0f} us "
          f"-> ours x{t_nn_pt / t_ours_pt:.0f} faster")
    print(f"  vectorised, all {n} points: ours {t_ours_vec / n * 1e6:.2f} us/point; NNMT {vec_msg}")
    print(f"  midway input mu tau = (theta + v_reset) / 2 (mu = 25 mV/s, sigma = 3, tau = 20 ms): {midway}")
    print(f"  vectorised, {int(m.sum())} fluctuation-driven points: ours {t_our_fl / m.sum() * 1e6:.2f} us/point, "
          f"NNMT {t_nn_fl / m.sum() * 1e6:.1f} us/point -> x{t_nn_fl / t_our_fl:.0f}")
    return dict(max_rel_ours=float(np.nanmax(rel_ours[ok])), max_rel_nnmt=float(np.nanmax(rel_nn[ok])),
                max_rel_between=float(np.nanmax(rel_x[ok])), t_point_ratio=t_nn_pt / t_ours_pt)


# ------------------------------------------------------------------------------------------------ 2a. Brunel
def brunel_A(g=5.0, nu_ext_rel=2.0):
    """Brunel (2000) parameters: N_E = 10000, N_I = 2500, eps = 0.1 (K_E = 1000, K_I = 250), J = 0.1 mV,
    tau = 20 ms, V_th = 20 mV, V_r = 10 mV, t_ref = 2 ms, external K_ext = K_E Poisson inputs of weight J at
    nu_ext = nu_ext_rel * nu_thr, nu_thr = V_th / (J K_E tau). Returns (our J, K, tau, mu_ext, sigma_ext,
    theta, v_reset, t_ref) in our units."""
    J_syn, K_E, K_I, tau, V_th, V_r, t_ref = 0.1, 1000, 250, 0.02, 20.0, 10.0, 0.002
    K = np.array([[K_E, K_I], [K_E, K_I]], float)
    J = K * np.array([[J_syn, g * J_syn], [J_syn, g * J_syn]])          # Eq 13, magnitudes (mV)
    nu_ext = nu_ext_rel * V_th / (J_syn * K_E * tau)
    mu_ext = K_E * J_syn * nu_ext                                         # mV/s
    sigma_ext = np.sqrt(K_E * J_syn ** 2 * nu_ext)                        # mV/sqrt(s)
    return dict(J=J, K=K, tau=np.array([tau, tau]), mu_ext=mu_ext, sigma_ext=sigma_ext, theta=V_th,
                v_reset=V_r, t_ref=t_ref)


def bench_brunel(quick=False):
    from meanfield.lif.selfconsistency import PhiNetwork, solve_point
    rows = []
    for g, rel in ([(5.0, 2.0)] if quick else [(5.0, 2.0), (4.5, 0.9), (6.0, 4.0)]):
        p = brunel_A(g, rel)
        pn = PhiNetwork.from_arrays(J=p["J"], K=p["K"], tau=p["tau"], sigma_ext=p["sigma_ext"], theta=p["theta"],
                                    v_reset=p["v_reset"], t_ref=p["t_ref"], name=f"brunel g={g}")
        args = nnmt_network_args(p["J"], p["K"], p["tau"], p["sigma_ext"], p["theta"], p["v_reset"], p["t_ref"])
        t_ours, res = _best_of(lambda: solve_point(pn, p["mu_ext"], mu_I=p["mu_ext"], nu_max=1.0 / p["t_ref"] * 0.999))
        t_nn, sol = _best_of(lambda: nnmt_rates(args, p["mu_ext"]), 1)
        diff = _match_rel(sol, res.nu) if sol is not None else np.nan
        print(f"[brunel] g={g} nu_ext/nu_thr={rel}: ours {len(res.nu)} state(s) {np.round(res.nu, 6).tolist()} Hz "
              f"(stable {res.stable.tolist()}) in {t_ours * 1e3:.1f} ms; NNMT "
              f"{None if sol is None else np.round(sol, 6).tolist()} Hz in {t_nn * 1e3:.0f} ms; "
              f"max rel diff {diff:.1e}; NNMT/ours time x{t_nn / t_ours:.0f}")
        rows.append(dict(g=g, nu_ext_rel=rel, rel_diff=diff, ratio=t_nn / t_ours))
    return rows


# ------------------------------------------------------------------------------------------------ 2b. bistable
def bistable_network():
    """The paper's bistable network (preset 'bistable': J, K, tau, sigma_ext), delta synapses."""
    from brianmodels import presets
    net = presets.get("bistable")
    return dict(J=np.asarray(net.J, float), K=np.asarray(net.K, float), tau=np.asarray(net.tau, float),
                sigma_ext=np.asarray(net.sigma_ext, float))


def bench_bistable(quick=False):
    from meanfield.lif.selfconsistency import PhiNetwork, selfconsistent
    p = bistable_network()
    pn = PhiNetwork.from_arrays(J=p["J"], K=p["K"], tau=p["tau"], sigma_ext=p["sigma_ext"], name="bistable (delta)")
    args = nnmt_network_args(p["J"], p["K"], p["tau"], p["sigma_ext"])
    n = 11 if quick else 41
    mu = np.linspace(0.0, 10.0, n)
    selfconsistent(pn, mu[:3])                                   # warm-up (imports, tables)
    t_ours, res = _best_of(lambda: selfconsistent(pn, mu, r=1.0), 1 if quick else 3)
    tab = res.table
    states = {k: g[["nu_E", "nu_I"]].to_numpy() for k, g in tab.groupby("point")}
    n_ours = np.array([len(states.get(k, [])) for k in range(n)])
    # NNMT default: ODE from nu = 0 at every point
    t0 = time.perf_counter()
    default = [nnmt_rates(args, m) for m in mu]
    t_nn = time.perf_counter() - t0
    # NNMT hysteresis: sweep up and down with warm starts
    t0 = time.perf_counter()
    up, prev = [], None
    for m in mu:
        prev = nnmt_rates(args, m, prev)
        up.append(prev)
    down, prev = [None] * n, np.array([50.0, 50.0])
    for k in range(n - 1, -1, -1):
        prev = nnmt_rates(args, mu[k], prev)
        down[k] = prev
    t_hyst = time.perf_counter() - t0
    hyst = [_distinct([u, d]) for u, d in zip(up, down)]
    n_hyst = np.array([len(h) for h in hyst])
    rel = max(max(_match_rel(s, states[k]) for s in hyst[k]) for k in range(n) if hyst[k])
    rel_def = max(_match_rel(s, states[k]) for k, s in enumerate(default) if s is not None)
    print(f"[bistable] mu_E = mu_I = 0..10 mV/s, {n} points; folds (ours) at "
          f"{np.round(np.sort(res.folds.mu_E.to_numpy()), 4).tolist()} mV/s")
    print(f"  ours selfconsistent: {t_ours:.3f} s, {int(n_ours.sum())} states ({int((n_ours == 3).sum())} points "
          f"with 3: low stable / middle unstable / high stable), status {res.status}, max residual "
          f"{res.diagnostics['max_residual']:.0e} Hz")
    print(f"  NNMT ODE from nu=0 (default): {t_nn:.2f} s (x{t_nn / t_ours:.0f} ours), one state per point, "
          f"{sum(s is None for s in default)} failures; max rel diff to our nearest state {rel_def:.1e}")
    print(f"  NNMT up/down hysteresis sweep: {t_hyst:.2f} s (x{t_hyst / t_ours:.0f} ours), points with 2 states: "
          f"{int((n_hyst == 2).sum())} (ours: {int((n_ours >= 2).sum())} with >= 2); max rel diff {rel:.1e}")
    # LSTSQ multi-start at three bistable inputs
    guesses = [np.array([e, i]) for e in (0.3, 1.0, 3.0, 10.0) for i in (0.01, 0.1, 1.0)]
    pts = [2.5, 3.0] if quick else [2.25, 2.75, 3.25]
    t0 = time.perf_counter()
    found = {}
    for m in pts:
        found[m] = _distinct([nnmt_rates(args, m, g0, "LSTSQ") for g0 in guesses]
                             + [nnmt_rates(args, m, g0, "ODE") for g0 in guesses[::3]])
    t_ms = time.perf_counter() - t0
    from meanfield.lif.selfconsistency import solve_point
    t0 = time.perf_counter()
    ours_pts = {m: solve_point(pn, m, mu_I=m) for m in pts}
    t_sp = time.perf_counter() - t0
    print(f"  NNMT multi-start ({len(guesses)} LSTSQ + {len(guesses[::3])} ODE starts) at mu = {pts}: "
          f"{[len(found[m]) for m in pts]} distinct states in {t_ms:.1f} s; ours solve_point "
          f"{[len(ours_pts[m].nu) for m in pts]} in {t_sp:.3f} s (x{t_ms / t_sp:.0f}); max rel diff "
          f"{max(_match_rel(s, ours_pts[m].nu) for m in pts for s in found[m]):.1e}")
    return dict(t_ours=t_ours, t_nnmt=t_nn, t_hyst=t_hyst, n_ours=n_ours, n_hyst=n_hyst, rel=rel,
                t_per_point_nnmt=t_nn / n)


# ------------------------------------------------------------------------------------------------ 3. SSN map
def bench_regime_map(t_per_point_nnmt, quick=False):
    from meanfield.ssn.regimes import regime_map
    from meanfield.ssn.model import SSN
    ssn = SSN.paper([[5, 10], [7, 11]])
    m = 50 if quick else 200
    mu, r = np.linspace(0, 15, m), np.linspace(0, 5, m)
    regime_map(ssn, mu[:5], r=r[:5])
    t_map, res = _best_of(lambda: regime_map(ssn, mu, r=r), 1 if quick else 3)
    tab = res.table
    print(f"[regime map] SSN {m} x {m} (mu, r) grid, all states + stability + regime flags: {t_map:.2f} s "
          f"({int(tab.n_states.sum())} states). NNMT has no SSN; one NNMT fixed-point solve per grid point "
          f"(one state each) would take ~{t_per_point_nnmt * m * m:.0f} s (x{t_per_point_nnmt * m * m / t_map:.0f})")
    return dict(t_map=t_map)


def main(quick: bool = False):
    """Run all mean-field comparisons (``quick``: fewer points, about 30 s). Returns a dict of key numbers."""
    import platform

    import nnmt  # noqa: F401  (fail early if missing)
    print(f"# {platform.machine()}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}, numpy {np.__version__}, "
          f"nnmt {getattr(nnmt, '__version__', '?')}, quick={quick}")
    out = dict(phi=bench_phi(quick), brunel=bench_brunel(quick), bistable=bench_bistable(quick))
    out["map"] = bench_regime_map(out["bistable"]["t_per_point_nnmt"], quick)
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer points (~30 s)")
    main(ap.parse_args().quick)
