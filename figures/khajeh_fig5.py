"""Khajeh, Fumarola & Abbott (2022) Fig 5: network simulations vs dynamic mean-field theory (DMFT).

Panels: A) mean response phi_mean (= m) and B) fraction active f vs K; C) autocorrelation of the
synaptic input R_eta(tau)/R_eta(0) for each K; D) decorrelation rate beta (Eq 27) vs K.
Simulation: points, mean +- SEM over connectivity seeds; DMFT (corrected Eqs 23-27,
:func:`meanfield.dmft`): crosses (C: dashed lines).
Parameters (caption): J0 = 3, g = 2, I0 = 1, Gaussian weights (mean J0/sqrt(K), variance
g^2/sqrt(K), not sign-constrained), N = K, phi = [tanh]_+.

Protocol. Paper: 10 seeds per K, T >= 1000. Default here: K = 500, 1000, 2000, 4000, seeds 0-2,
T = 1000, dt = 0.02 (about 5 min on 2 cores; DMFT about 5 s per K). ``--quick``: K = 500,
1000, 2000, one seed, T = 200 (about 40 s); beta from T = 200 is biased upwards (the per-unit
time mean removes part of the slow correlations) and noisy, so the quick beta is indicative only. The summary therefore also compares with the DMFT beta
mapped to the estimator's expectation at that T (:func:`beta_estimator_expectation`).
Runs are saved in ``khajeh_fig5_runs`` (reruns resume).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import _khajeh_common as kc
from ._output import Outputs, label_panels, pyplot

DESCRIPTION = "Fig 5 (Khajeh 2022): Gaussian weights, simulation vs DMFT (m, f, R_eta, beta)"
NAME = "khajeh_fig5"


def protocol(quick: bool) -> dict:
    """Settings of the default or quick run."""
    if quick:
        return dict(K=[500, 1000, 2000], seeds=[0], T=200.0)
    return dict(K=[500, 1000, 2000, 4000], seeds=[0, 1, 2], T=1000.0)


def theory(Ks) -> tuple[pd.DataFrame, pd.DataFrame]:
    """DMFT at each K (:func:`meanfield.dmft_sweep`): (one row per K, tidy R_eta table with a K column)."""
    from meanfield import dmft_sweep

    dm = dmft_sweep(Ks, progress=False, **{k: kc.FIG5[k] for k in ("J0", "g", "I0", "nu", "phi")})
    dm.raise_for_status()
    rows = dm.table
    rows["K"] = rows["K"].astype(int)
    R = dm.R_eta
    R["K"] = R["K"].astype(int)
    return rows, R


def beta_estimator_expectation(beta, T, max_lag=40.0):
    """Expected value of the simulation's beta estimator for a true ``beta`` and duration ``T``.

    The estimator demeans each unit by its own time mean over T, which lowers every lag of R_eta
    by Var(time mean) ~ 2 A / T (A = int_0^inf R_eta); integrated over [0, max_lag) this gives
    ``beta_T = beta (1 - 2/(beta T)) / (1 - 2 max_lag / T)`` to first order in 1/T
    (+8 % at T = 1000, +64 % at T = 200).
    """
    beta = np.asarray(beta, float)
    return beta * (1.0 - 2.0 / (beta * T)) / (1.0 - 2.0 * max_lag / T)


def run(out, quick: bool = False, n_jobs: int = 2) -> str:
    """Simulate, solve the DMFT, compare and draw Fig 5 into ``out``; return the summary."""
    from meanfield import compare

    out = Path(out)
    p = protocol(quick)
    plt = pyplot()
    o = Outputs(out, NAME)
    wide, Rsim = kc.sweep(out / "khajeh_fig5_runs", p["K"], p["seeds"], T=p["T"], n_jobs=n_jobs, **kc.FIG5)
    th, Rth = theory(p["K"])
    th_T = th.assign(beta=beta_estimator_expectation(th["beta"], p["T"]))
    cmp = compare(wide[["K", "seed", "connectivity_seed", "phi_mean", "f", "mu", "beta"]],
                  {"DMFT": th, "DMFT, finite-T estimator": th_T})
    s = kc.mean_sem(wide)

    fig, axs = plt.subplots(1, 4, figsize=(12, 3.3), constrained_layout=True)
    ax = dict(zip("ABCD", axs))
    for L, q, lab in (("A", "phi_mean", r"mean response $\bar\phi$ (= m)"), ("B", "f", "fraction active f"),
                      ("D", "beta", r"decorrelation rate $\beta$")):
        ax[L].errorbar(s["K"], s[q], yerr=s[f"{q}_sem"], fmt="o", color="tab:blue", ms=5, label="simulation")
        ax[L].plot(th["K"], th[q], "x", color="k", ms=8, mew=1.5, label="DMFT")
        if q == "beta":
            ax[L].plot(th["K"], th_T[q], "+", color="0.5", ms=9, mew=1.2,
                       label=f"DMFT, expected estimate at T = {p['T']:g}")
        kc.k_axis(ax[L], p["K"])
        ax[L].set_ylabel(lab)
        ax[L].legend(frameon=False)
        o.csv(L, cmp.table[cmp.table["quantity"] == q])
    ax["D"].set_ylim(0, 1.25 * max(s["beta"].max(), th_T["beta"].max()))
    ax["D"].legend(frameon=False, loc="lower right")
    ax["A"].set_yscale("log")
    ax["B"].set_yscale("log")

    R = Rsim.copy()
    R["R_eta_norm"] = R["R_eta"] / R.groupby(["K", "seed"])["R_eta"].transform("first")
    Rm = R.groupby(["K", "lag"], as_index=False)["R_eta_norm"].mean()
    cmap = plt.get_cmap("viridis")
    for i, K in enumerate(p["K"]):
        col = cmap(i / max(1, len(p["K"]) - 1))
        g = Rm[(Rm["K"] == K) & (Rm["lag"] <= 8.0)]
        ax["C"].plot(g["lag"], g["R_eta_norm"], color=col, label=f"K = {K}")
        t = Rth[(Rth["K"] == K) & (Rth["tau"] <= 8.0)]
        ax["C"].plot(t["tau"], t["R_eta_norm"], "--", color=col, lw=1.0)
    ax["C"].plot([], [], "k--", lw=1.0, label="DMFT")
    ax["C"].axhline(0, color="0.7", lw=0.6)
    ax["C"].set_xlabel(r"lag $\tau$ ($\tau_x$)")
    ax["C"].set_ylabel(r"$R_\eta(\tau)/R_\eta(0)$")
    ax["C"].legend(frameon=False)
    o.csv("C", pd.concat([Rm.assign(source="simulation").rename(columns={"lag": "tau"}),
                          Rth[["K", "tau", "R_eta_norm"]].assign(source="DMFT")], ignore_index=True))
    label_panels(ax)
    fig.suptitle("Khajeh et al. 2022, Fig 5: simulation vs DMFT (Gaussian weights, J0 = 3, g = 2, I0 = 1, "
                 r"$\phi=[\tanh]_+$, N = K)" + (" [quick]" if quick else ""), fontsize=9)
    o.png(fig)
    o.csv("simulation", wide)
    o.csv("dmft", th)
    o.csv("comparison", cmp.table)
    o.json(dict(protocol=p, params=kc.FIG5, quick=quick))
    head = (f"Fig 5 ({'quick' if quick else 'default'} protocol): K = {p['K']}, seeds = {p['seeds']}, "
            f"T = {p['T']:g} tau")
    with pd.option_context("display.width", 140, "display.precision", 4):
        per_k = cmp.table[cmp.table["theory"] == "DMFT"][["K", "quantity", "sim", "sim_sem", "theory_value",
                                                           "rel_err"]].to_string(index=False)
    return "\n".join([head, cmp.report(), "", per_k])
