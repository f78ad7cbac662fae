"""Khajeh, Fumarola & Abbott (2022) Fig 1: low- vs high-variance networks.

Panels (as in the paper): A, B) rates phi(x) of 200 units over 50 tau (raster) and five example
traces, low (A) and high (B) variance, K = N = 1000; C) mean response phi_mean vs K with fitted
exponents (paper: K^-0.503 high, K^-0.513 low); D) fraction active f vs K; E) mean active
response mu vs K; F-H) phi_mean, f and mu vs the bias input I0 at K = 1000.
Parameters (caption): gamma weights, g = 2, N = K, phi = [tanh]_+, J0 = 2 (high variance,
nu = 1/2) and J0 = 1.05 (low variance, nu = 1), I0 = 1 in C-E. Simulation only: the paper's
theory (Fig 5) is for Gaussian weights.

Protocol. Paper: K from ~500 to ~10^4, T >= 1000 tau, dt < 0.05. Default here: K = 500, 1000,
2000, 4000, seeds 0-2, T = 1000, dt = 0.02 (the K > 4000 points cost 3-15 min per run on 2
cores: dropped); the I0 sweep uses I0 = 0.25 ... 4, seeds 0-1, T = 500. About 8 min on
2 cores. ``--quick``: K = 250 ... 2000, one seed, T = 200; I0 sweep at K = 500, T = 100
(about 40 s). The K sweep is shared with Fig 4 (same folder ``khajeh_sweep_runs``), so running
both costs one sweep; reruns resume from the saved points.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import _khajeh_common as kc
from ._output import Outputs, label_panels, pyplot

DESCRIPTION = "Fig 1 (Khajeh 2022): low vs high variance, phi_mean/f/mu vs K and vs I0"
NAME = "khajeh_fig1"
PAPER_EXPONENTS = {"high": -0.503, "low": -0.513}      # Fig 1C caption


def protocol(quick: bool) -> dict:
    """K sweep, I0 sweep and raster settings of the default or quick run."""
    if quick:
        return dict(K=[250, 500, 1000, 2000], seeds=[0], T=200.0, K_I0=500, I0=[0.5, 1.0, 2.0, 3.0],
                    seeds_I0=[0], T_I0=100.0, K_raster=500)
    return dict(K=[500, 1000, 2000, 4000], seeds=[0, 1, 2], T=1000.0, K_I0=1000,
                I0=[0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0], seeds_I0=[0, 1], T_I0=500.0, K_raster=1000)


def k_sweeps(out, quick: bool, n_jobs=2):
    """The high- and low-variance K sweeps of Figs 1 and 4 (shared, resumable).

    Returns
    -------
    (sweeps, stats) : dict, dict
        ``sweeps[var] = (table, R)`` of :func:`figures._khajeh_common.sweep` and
        ``stats[var]`` its mean and SEM over seeds per K (:func:`~figures._khajeh_common.mean_sem`),
        for ``var`` in 'high', 'low'.
    """
    p = protocol(quick)
    sweeps = {}
    for var, params in (("high", kc.HIGH), ("low", kc.LOW)):
        sweeps[var] = kc.sweep(Path(out) / "khajeh_sweep_runs", p["K"], p["seeds"], T=p["T"], n_jobs=n_jobs,
                               **params)
    return sweeps, {var: kc.mean_sem(wide) for var, (wide, _) in sweeps.items()}


def start(out, name: str, quick: bool, n_jobs: int):
    """What Figs 1 and 4 begin with: output folder, protocol, pyplot, the figure's outputs and the
    shared K sweeps; returns ``(out, protocol, plt, outputs, sweeps, stats)``."""
    out = Path(out)
    sweeps, stats = k_sweeps(out, quick, n_jobs)
    return out, protocol(quick), pyplot(), Outputs(out, name), sweeps, stats


def finish(fig, o, p, quick: bool, figure: str, title: str) -> list:
    """What Figs 1 and 4 end with: title, PNG, parameters JSON; returns the summary's first line."""
    fig.suptitle(f"Khajeh et al. 2022, {figure}: {title}" + (" [quick]" if quick else ""), fontsize=9)
    o.png(fig)
    o.json(dict(protocol=p, high=kc.HIGH, low=kc.LOW, quick=quick))
    return [f"{figure} ({'quick' if quick else 'default'} protocol): K = {p['K']}, seeds = {p['seeds']}, "
            f"T = {p['T']:g} tau"]


def nonlinearity(I0, y) -> float:
    """Largest deviation of y(I0) from its least-squares straight line, relative to y's range."""
    from brianmodels.rate.sweep import line_fit

    I0, y = np.asarray(I0, float), np.asarray(y, float)
    slope, intercept, _ = line_fit(I0, y, "y against I0")
    span = float(np.ptp(y))
    return float(np.max(np.abs(y - (intercept + slope * I0)))) / span if span > 0 else 0.0


def run(out, quick: bool = False, n_jobs: int = 2) -> str:
    """Simulate and draw Fig 1 into ``out``; return the text summary."""
    out, p, plt, o, sweeps, stats = start(out, NAME, quick, n_jobs)
    I0_rows = []
    for var, params in (("high", kc.HIGH), ("low", kc.LOW)):
        for I0 in p["I0"]:
            w, _ = kc.sweep(out / "khajeh_fig1_I0_runs", [p["K_I0"]], p["seeds_I0"], T=p["T_I0"], n_jobs=n_jobs,
                            **dict(params, I0=I0))
            I0_rows.append(w.assign(variance=var, I0=I0))
    I0_tab = pd.concat(I0_rows, ignore_index=True)
    I0_mean = I0_tab.groupby(["variance", "I0"])[["phi_mean", "f", "mu"]].agg(["mean", "sem"])
    I0_mean.columns = [a if b == "mean" else f"{a}_sem" for a, b in I0_mean.columns]
    I0_mean = I0_mean.reset_index().fillna(0.0)

    tr = {var: kc.traces(T_window=50.0, units={"I": 200}, N=p["K_raster"], K=p["K_raster"], seed=0,
                         connectivity_seed=0, **params)
          for var, params in (("high", kc.HIGH), ("low", kc.LOW))}

    fig = plt.figure(figsize=(10, 9), constrained_layout=True)
    gs = fig.add_gridspec(3, 6, height_ratios=[1.1, 1, 1])
    ax = {"A": fig.add_subplot(gs[0, 0:2]), "A2": fig.add_subplot(gs[0, 2]),
          "B": fig.add_subplot(gs[0, 3:5]), "B2": fig.add_subplot(gs[0, 5])}
    for i, L in enumerate("CDE"):
        ax[L] = fig.add_subplot(gs[1, 2 * i:2 * i + 2])
    for i, L in enumerate("FGH"):
        ax[L] = fig.add_subplot(gs[2, 2 * i:2 * i + 2])
    from brianmodels.rate.activations import get as get_phi
    phi = get_phi("tanh").numpy

    for L, var in (("A", "low"), ("B", "high")):
        t, x = tr[var]["t"], tr[var]["x"]["I"]
        r = phi(x)
        im = ax[L].imshow(r.T, aspect="auto", origin="lower", cmap="Greys", vmin=0, vmax=1,
                          extent=[t[0], t[-1], 0, r.shape[1]], interpolation="nearest")
        ax[L].set_xlabel(r"time ($\tau_x$)")
        ax[L].set_ylabel("unit")
        ax[L].set_title(f"{var} variance (K = N = {p['K_raster']})")
        for i, k in enumerate(np.argsort(r.mean(0))[::-1][:5]):       # the 5 most active units
            ax[L + "2"].plot(t, r[:, k] + 1.1 * i, lw=0.7)
        ax[L + "2"].set_yticks([])
        ax[L + "2"].set_xlabel(r"time ($\tau_x$)")
        ax[L + "2"].set_title(r"$\phi$ (5 units)")
        o.csv(L, pd.DataFrame({"t": np.repeat(t, r.shape[1]), "unit": np.tile(np.arange(r.shape[1]), len(t)),
                               "phi": r.ravel(), "x": x.ravel()}))
    fig.colorbar(im, ax=[ax["B"], ax["B2"]], label=r"$\phi$", shrink=0.8)

    fits = {}
    for L, q, lab in (("C", "phi_mean", r"mean response $\bar\phi$"), ("D", "f", "fraction active f"),
                      ("E", "mu", r"mean active response $\mu$")):
        rows = []
        for var in ("high", "low"):
            s = stats[var]
            a, se = kc.fit_power(sweeps[var][0]["K"], sweeps[var][0][q])
            fits[(var, q)] = (a, se)
            ax[L].errorbar(s["K"], s[q], yerr=s[f"{q}_sem"], fmt="o", color=kc.VAR_COLORS[var], ms=4,
                           label=f"{var}: $K^{{{a:.3f}}}$")
            kk = np.geomspace(s["K"].min(), s["K"].max(), 20)
            c = np.exp(np.mean(np.log(s[q]) - a * np.log(s["K"])))
            ax[L].plot(kk, c * kk ** a, "-", color=kc.VAR_COLORS[var], lw=0.8)
            rows.append(s[["K", q, f"{q}_sem", "n_seeds"]].assign(variance=var, fit_exponent=a, fit_stderr=se))
        ax[L].set_yscale("log")
        kc.k_axis(ax[L], p["K"])
        ax[L].set_ylabel(lab)
        ax[L].legend(frameon=False)
        o.csv(L, pd.concat(rows, ignore_index=True))
    ax["C"].plot([], [], " ", label=f"paper: $K^{{{PAPER_EXPONENTS['high']}}}$, $K^{{{PAPER_EXPONENTS['low']}}}$")
    ax["C"].legend(frameon=False)

    nonlin = {}
    for L, q, lab in (("F", "phi_mean", r"$\bar\phi$"), ("G", "f", "f"), ("H", "mu", r"$\mu$")):
        for var in ("high", "low"):
            s = I0_mean[I0_mean["variance"] == var]
            ax[L].errorbar(s["I0"], s[q], yerr=s[f"{q}_sem"], fmt="o-", color=kc.VAR_COLORS[var], ms=4,
                           label=f"{var} variance")
            nonlin[(var, q)] = nonlinearity(s["I0"], s[q])
        ax[L].set_xlabel(r"bias input $I_0$")
        ax[L].set_ylabel(lab)
        ax[L].set_ylim(bottom=0)
        ax[L].set_title(f"K = N = {p['K_I0']}")
        ax[L].legend(frameon=False)
        o.csv(L, I0_mean[["variance", "I0", q, f"{q}_sem"]])
    label_panels({k: v for k, v in ax.items() if len(k) == 1})
    lines = finish(fig, o, p, quick, "Fig 1", "low- vs high-variance networks (gamma weights, "
                   r"$g=2$, $\phi=[\tanh]_+$)")
    for var in ("high", "low"):
        lines.append(f"  {var:4s} variance: " + ", ".join(
            f"{q} ~ K^({fits[(var, q)][0]:+.3f} +- {fits[(var, q)][1]:.3f})" for q in ("phi_mean", "f", "mu"))
            + f"   [paper phi_mean: K^{PAPER_EXPONENTS[var]}]")
    lines.append("  phi_mean vs I0 at K = {}: largest deviation from a straight line / range: high {:.3f}, "
                 "low {:.3f} (paper: nonlinear for high, linear for low)".format(
                     p["K_I0"], nonlin[("high", "phi_mean")], nonlin[("low", "phi_mean")]))
    f1000 = {v: float(np.interp(np.log(1000), np.log(stats[v]["K"]), stats[v]["f"])) for v in stats}
    lines.append(f"  f at K = 1000: high {f1000['high']:.3f}, low {f1000['low']:.3f} "
                 f"(ratio {f1000['low'] / f1000['high']:.2f}; paper: high variance sparser by > 2x)")
    return "\n".join(lines)
