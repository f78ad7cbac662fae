"""Khajeh, Fumarola & Abbott (2022) Fig 4: the time scale of fluctuations adjusts to keep activity sparse.

Panels: A) population-averaged autocorrelation R_eta(tau)/R_eta(0) of the synaptic input for
each K (high variance); B) decorrelation rate beta = R_eta(0) / int R_eta (Eq 14, integral
over lags [0, 40) tau) vs K, low and high variance; C) beta (solid, left axis) and
var(eta)/var(x) (total variances, dashed, right axis) vs K, high variance. Error bars: SEM
over connectivity seeds.
Parameters (caption): J0 = 2 (high, nu = 1/2) and 1.05 (low, nu = 1), g = 2, I0 = 1, gamma
weights, N = K, phi = [tanh]_+. (The caption says var(x)/var(eta); the quantity the text
describes as growing logarithmically is var(eta)/var(x), theory notes §2.)

Protocol. Paper: 10 seeds per K, T >= 1000. Default here: the Fig 1 sweep (K = 500 ... 4000,
3 seeds, T = 1000; shared folder ``khajeh_sweep_runs``, about 6 min on 2 cores, nothing
recomputed when Fig 1 has run). ``--quick``: Fig 1's quick sweep (K = 250 ... 2000, one seed,
T = 200; beta from T = 200 has a seed-to-seed spread of ~30 %, so only the trend is meaningful).
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from . import _khajeh_common as kc
from ._output import label_panels
from .khajeh_fig1 import finish, start

DESCRIPTION = "Fig 4 (Khajeh 2022): R_eta(tau), beta and var(eta)/var(x) vs K"
NAME = "khajeh_fig4"


def log_slope(K, y) -> tuple[float, float]:
    """Slope b (and its standard error) of the least-squares line ``y = a + b ln K``."""
    from brianmodels.rate.sweep import line_fit

    slope, _, se = line_fit(np.log(np.asarray(K, float)), y, "y against ln K")
    return slope, se


def run(out, quick: bool = False, n_jobs: int = 2) -> str:
    """Simulate (or reuse Fig 1's sweep) and draw Fig 4 into ``out``; return the text summary."""
    out, p, plt, o, sweeps, stats = start(out, NAME, quick, n_jobs)

    fig, axs = plt.subplots(1, 3, figsize=(11, 3.4), constrained_layout=True)
    ax = dict(zip("ABC", axs))

    R = sweeps["high"][1].copy()
    R["R_eta_norm"] = R["R_eta"] / R.groupby(["K", "seed"])["R_eta"].transform("first")
    Rm = R.groupby(["K", "lag"], as_index=False)["R_eta_norm"].mean()
    cmap = plt.get_cmap("viridis")
    for i, (K, g) in enumerate(Rm.groupby("K")):
        g = g[g["lag"] <= 10.0]
        ax["A"].plot(g["lag"], g["R_eta_norm"], color=cmap(i / max(1, len(p["K"]) - 1)), label=f"K = {K}")
    ax["A"].axhline(0, color="0.7", lw=0.6)
    ax["A"].set_xlabel(r"lag $\tau$ ($\tau_x$)")
    ax["A"].set_ylabel(r"$R_\eta(\tau)/R_\eta(0)$")
    ax["A"].set_title("high variance")
    ax["A"].legend(frameon=False)
    o.csv("A", Rm[Rm["lag"] <= 10.0])

    slopes = {}
    rows = []
    for var in ("high", "low"):
        s = stats[var]
        ax["B"].errorbar(s["K"], s["beta"], yerr=s["beta_sem"], fmt="o-", color=kc.VAR_COLORS[var], ms=4,
                         label=f"{var} variance")
        slopes[(var, "beta")] = log_slope(sweeps[var][0]["K"], sweeps[var][0]["beta"])
        slopes[(var, "var_eta_over_var_x")] = log_slope(sweeps[var][0]["K"], sweeps[var][0]["var_eta_over_var_x"])
        rows.append(s[["K", "beta", "beta_sem", "n_seeds"]].assign(variance=var))
    kc.k_axis(ax["B"], p["K"])
    ax["B"].set_ylabel(r"decorrelation rate $\beta=\tau_x/\tau_\eta$")
    ax["B"].set_ylim(bottom=0)
    ax["B"].legend(frameon=False)
    o.csv("B", pd.concat(rows, ignore_index=True))

    s = stats["high"]
    c1, c2 = kc.VAR_COLORS["high"], "tab:green"
    ax["C"].errorbar(s["K"], s["beta"], yerr=s["beta_sem"], fmt="o-", color=c1, ms=4, label=r"$\beta$")
    kc.k_axis(ax["C"], p["K"])
    ax["C"].set_ylabel(r"$\beta$ (solid)", color=c1)
    axr = ax["C"].twinx()
    axr.errorbar(s["K"], s["var_eta_over_var_x"], yerr=s["var_eta_over_var_x_sem"], fmt="s--", color=c2, ms=4,
                 label=r"var($\eta$)/var($x$)")
    axr.set_ylabel(r"var($\eta$)/var($x$) (dashed)", color=c2)
    ax["C"].set_title("high variance")
    h1, l1 = ax["C"].get_legend_handles_labels()
    h2, l2 = axr.get_legend_handles_labels()
    ax["C"].legend(h1 + h2, l1 + l2, frameon=False, loc="upper left")
    o.csv("C", s[["K", "beta", "beta_sem", "var_eta_over_var_x", "var_eta_over_var_x_sem", "tvar_x", "qvar_x",
                  "tvar_eta", "qvar_eta", "n_seeds"]])
    label_panels(ax)
    lines = finish(fig, o, p, quick, "Fig 4", "time scale of fluctuations vs K (gamma weights, g = 2, "
                   r"$\phi=[\tanh]_+$)")
    for var in ("high", "low"):
        b = stats[var]["beta"]
        lines.append(f"  {var:4s} variance: beta {b.iloc[0]:.3f} -> {b.iloc[-1]:.3f}, d beta / d ln K = "
                     f"{slopes[(var, 'beta')][0]:+.3f} +- {slopes[(var, 'beta')][1]:.3f}; var(eta)/var(x) "
                     f"{stats[var]['var_eta_over_var_x'].iloc[0]:.3f} -> {stats[var]['var_eta_over_var_x'].iloc[-1]:.3f}"
                     f" (d/d ln K = {slopes[(var, 'var_eta_over_var_x')][0]:+.3f})")
    lines.append("  paper: beta grows ~ log K for high variance and is constant for low variance; "
                 "var(eta)/var(x) grows ~ log K (authors' data: 1.15 -> 1.47 over K = 500 ... 8811)")
    return "\n".join(lines)
