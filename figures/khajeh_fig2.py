"""Khajeh, Fumarola & Abbott (2022) Fig 2: sparse balance gives non-Gaussian currents with a subthreshold mean.

Panels: distributions of the currents x (over time and units) for several K, A) low variance
(nu = 1) and B) high variance (nu = 1/2); dashed lines mark the means x_mean, the solid line the
threshold x = 0 (area above it = fraction active f); thin dotted curves are Gaussians with the
same mean and variance (for reference: A is Gaussian, B is not).
Parameters (caption): g = J0 = 2, I0 = 1, gamma weights, N = K, phi = [tanh]_+.

Protocol. The authors' histogram script records 1000 units over T = 500 tau (100 bins). Default
here: K = 500, 1000, 2000, 4000, seed 0, T = 500, dt = 0.02, the first 1000 units of each run,
100-120 bins on a fixed range per panel (about 4 min on 2 cores). ``--quick``: K = 500, 1000, 2000,
T = 100 (about 20 s). Runs are cached in ``khajeh_fig2_runs`` (reruns resume).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import _khajeh_common as kc
from ._output import Outputs, label_panels, pyplot

DESCRIPTION = "Fig 2 (Khajeh 2022): distributions of x, low vs high variance, several K"
NAME = "khajeh_fig2"
#: Histogram ranges (x), wide enough that < 1e-4 of the samples fall outside (measured), and
#: bin counts that put a bin edge at the threshold x = 0 (bin widths 0.01 and 0.1).
RANGES = {"low": (-0.6, 0.4), "high": (-10.0, 2.0)}
BINS = {"low": 100, "high": 120}


def protocol(quick: bool) -> dict:
    """Settings of the default or quick run."""
    if quick:
        return dict(K=[500, 1000, 2000], seed=0, T=100.0)
    return dict(K=[500, 1000, 2000, 4000], seed=0, T=500.0)


def shape_stats(hist: pd.DataFrame) -> dict:
    """Mean, variance, skewness, excess kurtosis and mass above 0 of a binned density."""
    c, w = hist["x_center"].to_numpy(), hist["count"].to_numpy(float)
    w = w / w.sum()
    m = float(np.sum(w * c))
    v = float(np.sum(w * (c - m) ** 2))
    return dict(mean_hist=m, var_hist=v, skew=float(np.sum(w * (c - m) ** 3) / v ** 1.5),
                excess_kurtosis=float(np.sum(w * (c - m) ** 4) / v ** 2 - 3.0),
                mass_above_0=float(np.sum(w[hist["x_left"].to_numpy() >= 0.0])))


def run(out, quick: bool = False) -> str:
    """Simulate and draw Fig 2 into ``out``; return the text summary."""
    out = Path(out)
    p = protocol(quick)
    plt = pyplot()
    o = Outputs(out, NAME)
    params = {"low": kc.LOW_FIG2, "high": dict(kc.HIGH)}

    fig, axs = plt.subplots(1, 2, figsize=(10, 3.6), constrained_layout=True)
    ax = dict(zip("AB", axs))
    cmap = plt.get_cmap("viridis")
    summary_rows = []
    for L, var in (("A", "low"), ("B", "high")):
        hists = []
        for i, K in enumerate(p["K"]):
            tabs = kc.cached_run(out / "khajeh_fig2_runs", N=K, K=K, T=p["T"], seed=p["seed"],
                                 connectivity_seed=p["seed"], hist_bins=BINS[var],
                                 hist_range=RANGES[var], **params[var])
            h = tabs["hist_x"].assign(K=K, variance=var)
            hists.append(h)
            st = shape_stats(h)
            xm, var_x = kc.stat(tabs, "x_mean"), kc.stat(tabs, "tvar_x") + kc.stat(tabs, "qvar_x")
            summary_rows.append(dict(variance=var, K=K, x_mean=xm, var_x=var_x, f=kc.stat(tabs, "f"),
                                     outside=kc.stat(tabs, "hist_outside_fraction"), **st))
            col = cmap(i / max(1, len(p["K"]) - 1))
            ax[L].plot(h["x_center"], h["density"], color=col, lw=1.2, label=f"K = {K}")
            ax[L].axvline(xm, color=col, ls="--", lw=0.9)
            gx = h["x_center"].to_numpy()
            ax[L].plot(gx, np.exp(-(gx - st["mean_hist"]) ** 2 / (2 * st["var_hist"]))
                       / np.sqrt(2 * np.pi * st["var_hist"]), ":", color=col, lw=0.8)
        ax[L].axvline(0.0, color="k", lw=1.0)
        ax[L].set_xlabel("current x")
        ax[L].set_ylabel("density")
        ax[L].set_xlim(*RANGES[var])
        ax[L].set_title(f"{var} variance (" + (r"$\nu=1$" if var == "low" else r"$\nu=1/2$") + ")")
        ax[L].plot([], [], "k:", lw=0.8, label="Gaussian, same mean/var")
        ax[L].plot([], [], "k--", lw=0.9, label=r"mean $\bar x$")
        ax[L].legend(frameon=False, loc="upper left")
        o.csv(L, pd.concat(hists, ignore_index=True))
    label_panels(ax)
    fig.suptitle("Khajeh et al. 2022, Fig 2: distributions of x (gamma weights, g = J0 = 2, I0 = 1, "
                 r"$\phi=[\tanh]_+$, N = K)" + (" [quick]" if quick else ""), fontsize=9)
    o.png(fig)
    summ = pd.DataFrame(summary_rows)
    o.csv("summary", summ)
    o.json(dict(protocol=p, params=params, ranges=RANGES, quick=quick))

    lines = [f"Fig 2 ({'quick' if quick else 'default'} protocol): K = {p['K']}, T = {p['T']:g} tau, seed {p['seed']}"]
    with pd.option_context("display.width", 140, "display.precision", 4):
        lines.append(summ[["variance", "K", "x_mean", "var_x", "f", "mass_above_0", "skew",
                           "excess_kurtosis"]].to_string(index=False))
    lines.append("  paper: low variance Gaussian, mean -> 0 and variance falls with K (f ~ constant); "
                 "high variance non-Gaussian, mean below threshold and ~independent of K, mass above 0 falls with K")
    return "\n".join(lines)
