"""Khajeh et al. (2022) figure scripts: each quick figure runs and its key claim holds on its own CSVs.

All six figures write into one module-scoped folder, so Fig 4 reuses Fig 1's K sweep (as a real
rerun would). References are the paper's statements and numbers (captions/text), exact
identities, and the DMFT (Fig 5). Tolerances are set by the quick protocols' noise (one seed,
T = 100-200 tau), stated next to each assertion. Whole file: about 3 min on 2 shared cores.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from figures import load

pytestmark = pytest.mark.standalone  # compiles or runs simulations (tests/conftest.py)


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return tmp_path_factory.mktemp("khajeh_figs")


def _run(name, out):
    summary = load(name).run(out, quick=True)
    assert (out / f"{name}.png").stat().st_size > 10_000
    assert isinstance(summary, str) and summary
    return summary


def test_fig1_rates_scale_as_inverse_sqrt_K_and_sparsity(out):
    _run("khajeh_fig1", out)
    C = pd.read_csv(out / "khajeh_fig1_C.csv")
    D = pd.read_csv(out / "khajeh_fig1_D.csv")
    for var, paper in (("high", -0.503), ("low", -0.513)):
        a = C.loc[C["variance"] == var, "fit_exponent"].iloc[0]
        # paper Fig 1C; quick fit stderr ~0.01 (4 K values, one seed), so 0.05 is ~4 standard errors
        assert abs(a - paper) < 0.05, (var, a)
    f_high = D.loc[D["variance"] == "high", "fit_exponent"].iloc[0]
    f_low = D.loc[D["variance"] == "low", "fit_exponent"].iloc[0]
    assert f_high < -0.2          # Fig 1D: f sparsens with K for high variance (measured -0.29 +- 0.01)
    assert abs(f_low) < 0.12      # ... and stays roughly constant for low variance (measured -0.06 +- 0.015)
    at = D[D["K"] == 1000].set_index("variance")["f"]
    assert at["low"] / at["high"] > 2.0        # Fig 1G: high variance sparser by more than twofold
    F = pd.read_csv(out / "khajeh_fig1_F.csv")
    from figures.khajeh_fig1 import nonlinearity
    nonlin = {var: nonlinearity(g["I0"], g["phi_mean"]) for var, g in F.groupby("variance")}
    # Fig 1F: phi_mean(I0) linear for low, nonlinear for high variance (measured 0.004 vs 0.029)
    assert nonlin["low"] < 0.015 and nonlin["high"] > 3 * nonlin["low"], nonlin


def test_fig2_x_distributions(out):
    _run("khajeh_fig2", out)
    s = pd.read_csv(out / "khajeh_fig2_summary.csv")
    # mass of the histogram above the threshold is the active fraction (bin edge at 0; <1e-4 outside);
    # the histogram holds the first 1000 units, f all of them, so compare where that is every unit
    full = s[s["K"] <= 1000]
    assert np.allclose(full["mass_above_0"], full["f"], atol=2e-3)
    hi, lo = s[s["variance"] == "high"].sort_values("K"), s[s["variance"] == "low"].sort_values("K")
    # Fig 2B: mean well below threshold and insensitive to K; non-Gaussian (strong left skew)
    assert (hi["x_mean"] < -0.7).all() and np.ptp(hi["x_mean"]) < 0.15
    assert (hi["skew"] < -1.0).all()
    assert np.all(np.diff(hi["mass_above_0"]) < 0)           # fraction above threshold drops with K
    # Fig 2A: low variance close to Gaussian, mean near 0, variance falls with K
    assert (lo["skew"].abs() < 0.5).all() and (lo["x_mean"].abs() < 0.1).all()
    assert np.all(np.diff(lo["var_x"]) < 0)


def test_fig3_four_response_functions(out):
    _run("khajeh_fig3", out)
    s = pd.read_csv(out / "khajeh_fig3_summary.csv").set_index("phi")
    assert list(s.index) == ["heaviside", "tanh", "relu", "quadratic"]
    assert s.loc["heaviside", "mu"] == pytest.approx(1.0, abs=1e-12)   # Heaviside: mu = 1, phi_mean = f
    assert (s["f"] < 0.2).all()                                       # sparse for every phi
    assert (s["chi2_phi"] < 1e-3).all()                               # paper: synchrony ~1e-4 (measured 1-3e-4)
    assert (s["on_time_median"] < s["f"]).all()                       # Fig 3D: ON-time skewed to small values
    E = pd.read_csv(out / "khajeh_fig3_E.csv")
    for name, g in E.groupby("phi_name"):                              # Fig 3E: most mass below threshold
        w = g["count"] / g["count"].sum()
        assert w[g["x_left"] >= 0].sum() == pytest.approx(s.loc[name, "f"], abs=5e-3)


def test_fig4_beta_grows_with_K_for_high_variance(out):
    _run("khajeh_fig4", out)
    B = pd.read_csv(out / "khajeh_fig4_B.csv")
    hi = B[B["variance"] == "high"].sort_values("K")
    # Fig 4B: beta grows with K (quick: 0.26 at K = 250 -> 0.76 at 2000; single-seed spread ~30 %)
    assert hi["beta"].iloc[-1] > 1.5 * hi["beta"].iloc[0]
    C = pd.read_csv(out / "khajeh_fig4_C.csv").sort_values("K")
    r = C["var_eta_over_var_x"].to_numpy()
    # Fig 4C: var(eta)/var(x) > 1 and grows ~log K (authors' data 1.15 -> 1.47 over K = 500..8811)
    assert (r > 1.0).all() and r[-1] - r[0] > 0.1
    A = pd.read_csv(out / "khajeh_fig4_A.csv")
    assert np.allclose(A.groupby("K")["R_eta_norm"].first(), 1.0)


def test_fig5_simulation_matches_dmft(out):
    _run("khajeh_fig5", out)
    t = pd.read_csv(out / "khajeh_fig5_comparison.csv")
    dm = t[t["theory"] == "DMFT"]
    # Fig 5A/B: measured rel. errors <= 4.5 % (one seed, T = 200: sampling error ~2-3 %, plus O(1/N))
    for q in ("phi_mean", "f"):
        assert (dm.loc[dm["quantity"] == q, "rel_err"] < 0.07).all(), dm[dm["quantity"] == q]
    C = pd.read_csv(out / "khajeh_fig5_C.csv")
    for K, g in C.groupby("K"):               # Fig 5C: R_eta(tau)/R_eta(0), sim vs DMFT at tau = 1, 2
        sim = g[g["source"] == "simulation"].set_index("tau")["R_eta_norm"]
        th = g[g["source"] == "DMFT"].set_index("tau")["R_eta_norm"]
        for tau in (1.0, 2.0):
            s_val = np.interp(tau, sim.index, sim.to_numpy())
            t_val = np.interp(tau, th.index, th.to_numpy())
            assert abs(s_val - t_val) < 0.06, (K, tau, s_val, t_val)


def test_fig6_ei_active_fractions(out):
    _run("khajeh_fig6", out)
    s = pd.read_csv(out / "khajeh_fig6_summary.csv")
    for w in ("lognormal", "gamma"):
        d = s[s["weights"] == w].set_index("population")
        # paper: ~10 % of E and 20-30 % of I units active (quick, T = 100: measured 0.11-0.13, 0.26-0.28)
        assert 0.07 < d.loc["E", "f"] < 0.15, (w, d.loc["E", "f"])
        assert 0.18 < d.loc["I", "f"] < 0.33, (w, d.loc["I", "f"])
        # ON more than half the time: paper 2-5 % of E, 15-20 % of I cells
        assert d.loc["E", "frac_on_gt_half"] < 0.1 and 0.1 < d.loc["I", "frac_on_gt_half"] < 0.3
