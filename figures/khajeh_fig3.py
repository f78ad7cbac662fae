"""Khajeh, Fumarola & Abbott (2022) Fig 3: asynchronous irregular activity for four response functions.

Panels, one colour per response function phi (Heaviside, [tanh]_+, rectified linear, rectified
quadratic): A) rates of 200 units over 50 tau (raster); B) rate phi(x) (dark) over the current
x (light) of an example unit (ON ~30 % of the window), with the synchrony index chi^2 (Golomb & Hansel 2000, computed on
the rates; paper: ~1e-4); C) fraction of active units f(t); D) distribution (kernel density) of
the ON-time fraction per unit; E) distribution of x; F) population-averaged autocorrelation of
x, R_x(tau)/R_x(0).
Parameters (caption): g = J0 = I0 = 2, gamma weights, N = K = 1000, nu = 1/2.

Protocol. Paper: T >= 1000 tau, dt < 0.05. Default: T = 1000, dt = 0.02, seed 0 (statistics of
all four networks, about 3 min on 2 cores). A-C show the first 50 tau after the 10-tau warm-up of
the same runs (recorded separately). ``--quick``: T = 100 (about 25 s).
Runs are cached in ``khajeh_fig3_runs``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import _khajeh_common as kc
from ._output import Outputs, label_panels, pyplot

DESCRIPTION = "Fig 3 (Khajeh 2022): four response functions at K = 1000: rasters, f(t), ON-time, x, R_x"
NAME = "khajeh_fig3"
K = 1000
#: Histogram range of x (x <= max(x(0), I0) in a purely inhibitory network) with a bin edge at 0.
X_RANGE, X_BINS = (-12.0, 3.0), 150
COLORS = dict(zip(kc.PHIS, ("k", "tab:blue", "tab:green", "tab:red")))


def protocol(quick: bool) -> dict:
    """Settings of the default or quick run."""
    return dict(K=K, T=100.0 if quick else 1000.0, seed=0, T_window=50.0, n_raster=200)


def run(out, quick: bool = False) -> str:
    """Simulate and draw Fig 3 into ``out``; return the text summary."""
    from brianmodels.rate.activations import get as get_phi

    out = Path(out)
    p = protocol(quick)
    plt = pyplot()
    o = Outputs(out, NAME)

    runs, trs = {}, {}
    for name in kc.PHIS:
        runs[name] = kc.cached_run(out / "khajeh_fig3_runs", N=K, K=K, T=p["T"], seed=p["seed"],
                                   connectivity_seed=p["seed"], phi=name,
                                   hist_bins=X_BINS, hist_range=X_RANGE, **kc.FIG3)
        trs[name] = kc.traces(T_window=p["T_window"], units={"I": p["n_raster"]}, N=K, K=K, seed=p["seed"],
                              connectivity_seed=p["seed"],
                              phi=name, **kc.FIG3)

    fig = plt.figure(figsize=(11, 8.5), constrained_layout=True)
    gs = fig.add_gridspec(3, 4, height_ratios=[1.2, 0.8, 1])
    axA = [fig.add_subplot(gs[0, i]) for i in range(4)]
    axB = [fig.add_subplot(gs[1, i]) for i in range(4)]
    ax = {L: fig.add_subplot(gs[2, i]) for i, L in enumerate("CDEF")}
    rows = {L: [] for L in "ABCDEF"}
    summary = []
    for i, (name, label) in enumerate(kc.PHIS.items()):
        tr, tabs, col = trs[name], runs[name], COLORS[name]
        t, x = tr["t"], tr["x"]["I"]
        r = get_phi(name).numpy(x)
        vmax = float(np.quantile(r[r > 0], 0.99)) if np.any(r > 0) else 1.0
        im = axA[i].imshow(r.T, aspect="auto", origin="lower", cmap="Greys", vmin=0, vmax=vmax,
                           extent=[t[0], t[-1], 0, r.shape[1]], interpolation="nearest")
        fig.colorbar(im, ax=axA[i], pad=0.01, fraction=0.06)
        axA[i].set_title(label, color=col)
        axA[i].set_xlabel(r"time ($\tau_x$)")
        if i == 0:
            axA[i].set_ylabel("unit")
        rows["A"].append(pd.DataFrame({"phi_name": name, "t": np.repeat(t, r.shape[1]),
                                       "unit": np.tile(np.arange(r.shape[1]), len(t)), "phi": r.ravel()}))
        u = int(kc.intermittent_units(x, 1)[0])
        axB[i].plot(t, x[:, u], color=col, alpha=0.35, lw=0.8, label="x")
        axB[i].plot(t, r[:, u], color=col, lw=1.0, label=r"$\phi(x)$")
        axB[i].axhline(0, color="0.6", lw=0.5)
        chi2 = kc.stat(tabs, "chi2_phi")
        axB[i].set_title(f"unit {u}; synchrony $\\chi^2$ = {chi2:.1e}")
        axB[i].set_xlabel(r"time ($\tau_x$)")
        axB[i].legend(frameon=False, loc="lower left", ncol=2)
        rows["B"].append(pd.DataFrame({"phi_name": name, "unit": u, "t": t, "x": x[:, u], "phi": r[:, u],
                                       "chi2_phi": chi2}))

        ax["C"].plot(t, tr["f"]["I"], color=col, lw=0.9, label=label)
        rows["C"].append(pd.DataFrame({"phi_name": name, "t": t, "f_t": tr["f"]["I"]}))

        on = tabs["on_time"]["on_time"].to_numpy()
        grid = np.linspace(0, 1, 201)
        dens = kc.kde(on, grid)
        ax["D"].plot(grid, dens, color=col, label=label)
        rows["D"].append(pd.DataFrame({"phi_name": name, "on_time": grid, "density": dens}))

        h = tabs["hist_x"]
        ax["E"].plot(h["x_center"], h["density"], color=col, label=label)
        rows["E"].append(h.assign(phi_name=name))

        R = tabs["R_eta"]
        Rn = R["R_x"] / R["R_x"].iloc[0]
        sel = R["lag"] <= 15.0
        ax["F"].plot(R["lag"][sel], Rn[sel], color=col, label=label)
        rows["F"].append(pd.DataFrame({"phi_name": name, "lag": R["lag"], "R_x": R["R_x"], "R_x_norm": Rn}))
        summary.append(dict(phi=name, phi_mean=kc.stat(tabs, "phi_mean"), f=kc.stat(tabs, "f"),
                            mu=kc.stat(tabs, "mu"), x_mean=kc.stat(tabs, "x_mean"), chi2_phi=chi2,
                            chi2_x=kc.stat(tabs, "chi2_x"), on_time_median=float(np.median(on)),
                            frac_units_never_on=kc.stat(tabs, "frac_units_never_on"),
                            frac_units_on_gt_half=kc.stat(tabs, "frac_units_on_gt_half"),
                            beta=kc.stat(tabs, "beta")))
    axB[0].set_ylabel(r"x (light), $\phi$ (dark)")
    ax["C"].set_xlabel(r"time ($\tau_x$)")
    ax["C"].set_ylabel("fraction active f(t)")
    ax["C"].set_ylim(0, None)
    ax["D"].set_xlabel("ON-time fraction")
    ax["D"].set_ylabel("density (KDE)")
    ax["E"].axvline(0, color="k", lw=0.8)
    ax["E"].set_xlabel("current x")
    ax["E"].set_ylabel("density")
    ax["E"].set_xlim(*X_RANGE)
    ax["F"].axhline(0, color="0.7", lw=0.6)
    ax["F"].set_xlabel(r"lag $\tau$ ($\tau_x$)")
    ax["F"].set_ylabel(r"$R_x(\tau)/R_x(0)$")
    ax["C"].legend(frameon=False, fontsize=6)
    for L in "CDEF":
        o.csv(L, pd.concat(rows[L], ignore_index=True))
    o.csv("A", pd.concat(rows["A"], ignore_index=True))
    o.csv("B", pd.concat(rows["B"], ignore_index=True))
    label_panels({"A": axA[0], "B": axB[0], **ax})
    fig.suptitle(f"Khajeh et al. 2022, Fig 3: sparse balance with four response functions (K = N = {K}, "
                 "g = J0 = I0 = 2, gamma weights)" + (" [quick]" if quick else ""), fontsize=9)
    o.png(fig)
    summ = pd.DataFrame(summary)
    o.csv("summary", summ)
    o.json(dict(protocol=p, params=kc.FIG3, quick=quick))
    with pd.option_context("display.width", 160, "display.precision", 4):
        table = summ.to_string(index=False)
    return "\n".join([f"Fig 3 ({'quick' if quick else 'default'} protocol): K = N = {K}, T = {p['T']:g} tau", table,
                      "  paper: sparse activity for every phi, ON-time skewed to small values, non-Gaussian x, "
                      "synchrony index ~1e-4"])
