"""Khajeh, Fumarola & Abbott (2022) Fig 6: asynchronous irregular activity in an E-I network with small input.

Panels, for lognormal (left/solid) and gamma (right/dashed) weights: A) rates of 500 E (red) and
500 I (blue) units over 50 tau; B) current x (light) and rate (dark) of two E and two I cells (those ON ~30 % of the window);
C) fraction of active units f(t) of E (red), I (blue) and the whole network (gray);
D) distribution of the ON-time fraction (time above threshold) per unit and population.
Paper: ~10 % of E and 20-30 % of I units active; ON-time > 1/2 for 5 % of E and 20 % of I cells
(lognormal), 2 % of E and 15 % of I (gamma); none always on.
Parameters (caption): g = 1, J_EE = J_IE = 1, J_EI = 2, J_II = 1.2, I_E = 2, I_I = 1,
N_E = N_I = 3000, K = 600 (300 from each population, Bernoulli(0.1) connections, weights
scaled with K_b = 300; theory notes §1.4), phi = [tanh]_+, nu = 1/2.

Protocol. Default: the paper's network, T = 1000, dt = 0.02, seed 0 (about 6 min on 2 cores for
both networks). ``--quick``: N_E = N_I = 1500 with the same in-degrees K_E = K_I = 300
(connection probability 0.2; results depend on K, not N, S3 Fig), T = 100 (about 30 s).
Runs are cached in ``khajeh_fig6_runs``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import _khajeh_common as kc
from ._output import Outputs, label_panels, pyplot

DESCRIPTION = "Fig 6 (Khajeh 2022): E-I network, lognormal and gamma weights: activity and ON-time"
NAME = "khajeh_fig6"
WEIGHTS = {"lognormal": "-", "gamma": "--"}
POP_COLORS = {"E": "tab:red", "I": "tab:blue", "all": "0.5"}
#: Paper's statements (Fig 6 text): active fractions and fractions of cells ON more than half the time.
PAPER = {"f": {"E": 0.10, "I": (0.20, 0.30)},
         "on_gt_half": {"lognormal": {"E": 0.05, "I": 0.20}, "gamma": {"E": 0.02, "I": 0.15}}}


def protocol(quick: bool) -> dict:
    """Settings of the default or quick run."""
    if quick:
        return dict(ei=dict(N_E=1500, N_I=1500), T=100.0, seed=0, T_window=50.0, n_raster=500)
    return dict(ei=True, T=1000.0, seed=0, T_window=50.0, n_raster=500)


def run(out, quick: bool = False) -> str:
    """Simulate and draw Fig 6 into ``out``; return the text summary."""
    from brianmodels.rate.activations import get as get_phi

    out = Path(out)
    p = protocol(quick)
    plt = pyplot()
    o = Outputs(out, NAME)
    phi = get_phi("tanh").numpy
    runs, trs = {}, {}
    for w in WEIGHTS:
        runs[w] = kc.cached_run(out / "khajeh_fig6_runs", ei=p["ei"], weights=w, phi="tanh", T=p["T"], seed=p["seed"],
                                connectivity_seed=p["seed"])
        trs[w] = kc.traces(ei=p["ei"], weights=w, phi="tanh", seed=p["seed"], connectivity_seed=p["seed"],
                           T_window=p["T_window"],
                           units={"E": p["n_raster"], "I": p["n_raster"]})

    fig = plt.figure(figsize=(11, 8), constrained_layout=True)
    gs = fig.add_gridspec(3, 2, height_ratios=[1.3, 1, 1])
    ax = {"A": [fig.add_subplot(gs[0, i]) for i in range(2)], "B": [fig.add_subplot(gs[1, i]) for i in range(2)],
          "C": fig.add_subplot(gs[2, 0]), "D": fig.add_subplot(gs[2, 1])}
    rows = {L: [] for L in "ABCD"}
    summary = []
    for i, w in enumerate(WEIGHTS):
        tr, tabs = trs[w], runs[w]
        t = tr["t"]
        n = p["n_raster"]
        for pop, cmap, y0 in (("I", "Blues", 0), ("E", "Reds", n)):
            r = phi(tr["x"][pop])
            ax["A"][i].imshow(r.T, aspect="auto", origin="lower", cmap=cmap, vmin=0, vmax=1,
                              extent=[t[0], t[-1], y0, y0 + n], interpolation="nearest")
            rows["A"].append(pd.DataFrame({"weights": w, "population": pop, "t": np.repeat(t, n),
                                           "unit": np.tile(np.arange(n), len(t)), "phi": r.ravel()}))
        ax["A"][i].set_ylim(0, 2 * n)
        ax["A"][i].set_yticks([n / 2, 1.5 * n])
        ax["A"][i].set_yticklabels([f"I ({n})", f"E ({n})"])
        ax["A"][i].set_xlabel(r"time ($\tau_x$)")
        ax["A"][i].set_title(f"{w} weights")

        k = 0
        for pop in ("E", "I"):
            x = tr["x"][pop]
            for u in kc.intermittent_units(x, 2):
                off = 4.0 * k
                ax["B"][i].plot(t, x[:, u] + off, color=POP_COLORS[pop], alpha=0.35, lw=0.8)
                ax["B"][i].plot(t, phi(x[:, u]) + off, color=POP_COLORS[pop], lw=1.0)
                ax["B"][i].axhline(off, color="0.8", lw=0.5)
                rows["B"].append(pd.DataFrame({"weights": w, "population": pop, "unit": int(u), "t": t,
                                               "x": x[:, u], "phi": phi(x[:, u])}))
                k += 1
        ax["B"][i].set_yticks([0, 4, 8, 12])
        ax["B"][i].set_yticklabels(["E", "E", "I", "I"])
        ax["B"][i].set_ylim(-3.5, 15)
        ax["B"][i].set_xlabel(r"time ($\tau_x$)")
        ax["B"][i].set_title(f"{w}: x (light), $\\phi$ (dark), offset by 4")

        for pop in ("E", "I", "all"):
            ax["C"].plot(t, tr["f"][pop], WEIGHTS[w], color=POP_COLORS[pop], lw=0.9,
                         label=f"{pop}, {w}")
            rows["C"].append(pd.DataFrame({"weights": w, "population": pop, "t": t, "f_t": tr["f"][pop]}))
        on = tabs["on_time"]
        bins = np.linspace(0, 1, 41)
        for pop in ("E", "I"):
            v = on.loc[on["population"] == pop, "on_time"].to_numpy()
            dens, _ = np.histogram(v, bins=bins, density=True)
            ax["D"].step(bins[:-1], dens, WEIGHTS[w], where="post", color=POP_COLORS[pop], label=f"{pop}, {w}")
            rows["D"].append(pd.DataFrame({"weights": w, "population": pop, "on_time_left": bins[:-1],
                                           "on_time_right": bins[1:], "density": dens}))
            summary.append(dict(weights=w, population=pop, f=kc.stat(tabs, "f", pop),
                                phi_mean=kc.stat(tabs, "phi_mean", pop), mu=kc.stat(tabs, "mu", pop),
                                x_mean=kc.stat(tabs, "x_mean", pop),
                                frac_on_gt_half=kc.stat(tabs, "frac_units_on_gt_half", pop),
                                frac_never_on=kc.stat(tabs, "frac_units_never_on", pop),
                                max_on_time=float(v.max()), chi2_phi=kc.stat(tabs, "chi2_phi", pop)))
        summary.append(dict(weights=w, population="all", f=kc.stat(tabs, "f", "all"),
                            phi_mean=kc.stat(tabs, "phi_mean", "all"), mu=kc.stat(tabs, "mu", "all"),
                            frac_on_gt_half=kc.stat(tabs, "frac_units_on_gt_half", "all"),
                            frac_never_on=kc.stat(tabs, "frac_units_never_on", "all"),
                            max_on_time=float(on["on_time"].max()), chi2_phi=kc.stat(tabs, "chi2_phi", "all")))
    ax["C"].set_xlabel(r"time ($\tau_x$)")
    ax["C"].set_ylabel("fraction active f(t)")
    ax["C"].set_ylim(0, 0.4)
    ax["C"].legend(frameon=False, ncol=2, fontsize=6)
    ax["D"].set_xlabel("ON-time fraction")
    ax["D"].set_ylabel("density")
    ax["D"].set_yscale("log")
    ax["D"].legend(frameon=False, fontsize=6)
    for L in "ABCD":
        o.csv(L, pd.concat(rows[L], ignore_index=True))
    label_panels({"A": ax["A"][0], "B": ax["B"][0], "C": ax["C"], "D": ax["D"]})
    N = p["ei"]["N_E"] if isinstance(p["ei"], dict) else 3000
    fig.suptitle(f"Khajeh et al. 2022, Fig 6: E-I network (N_E = N_I = {N}, K_E = K_I = 300, g = 1, "
                 r"$I_E=2$, $I_I=1$, $\phi=[\tanh]_+$)" + (" [quick]" if quick else ""), fontsize=9)
    o.png(fig)
    summ = pd.DataFrame(summary)
    o.csv("summary", summ)
    o.json(dict(protocol=p, paper=PAPER, quick=quick))
    with pd.option_context("display.width", 160, "display.precision", 4):
        table = summ.to_string(index=False)
    return "\n".join([f"Fig 6 ({'quick' if quick else 'default'} protocol): N_E = N_I = {N}, T = {p['T']:g} tau",
                      table,
                      "  paper: f_E ~ 0.10, f_I ~ 0.20-0.30; ON > half the time: lognormal 5 % E / 20 % I, "
                      "gamma 2 % E / 15 % I; no unit always on"])
