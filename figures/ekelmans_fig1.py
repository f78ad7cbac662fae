"""Ekelmans et al. (2023) Fig 1: LIF F-I curves, the Ricciardi Phi (Eq 9) and the power-law fit (Eq 1).

Panels (panel A of the paper is a schematic and is not drawn):

* B — F-I curves of unconnected LIF neurons for (sigma, tau) = (1 mV/sqrt(s), 20 ms),
  (3, 15 ms), (5, 10 ms): simulation (points: mean over the neurons of a group, error bar SEM),
  Phi (Eq 9, line) and the power law fitted below 10 Hz (Eq 1, dashed; it diverges above).
  The vertical mark is b of the (1, 20 ms) curve (b < 0 for the other two).
* C — fitted a (log10), b and n over the sigma x tau grid; crosses at the E (3, 20 ms) and I
  (3, 10 ms) neurons of the networks, symbols at the three curves of B.
* D — RMS deviation of the fit from Phi over the fitted range (nu < 10 Hz).

Protocol. The paper stepped mu = 0, 5, ..., 50 mV/s every 10 s for 3 x 100 neurons at
dt = 0.01 ms. Here every (sigma, tau, mu) group is its own set of unconnected neurons driven at a
constant mu (one run of one build; the same stationary rates). Default: 100 neurons per group,
10 s (1 s discarded), dt = 0.01 ms, C on a 21 x 17 (sigma, tau) grid: ~3 min on 2 cores.
``--quick``: 30 neurons per group, 3 s, dt = 0.01 ms, a 9 x 9 grid: ~1 min incl. compile.
The step-wise threshold test biases simulated rates low (``docs/theory/ssn_lif.md`` §1): a few % at mu = 20 mV/s,
up to ~10% for noise-driven firing (sigma = 5, tau = 10 ms, mu ~ 0) at dt = 0.01 ms, ~20% at 0.05 ms.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._output import Outputs, label_panels, pyplot

DESCRIPTION = "Fig 1 (Ekelmans 2023): LIF F-I curves vs Phi (Eq 9) and the power-law fit (Eq 1)"
NAME = "ekelmans_fig1"
#: (sigma [mV/sqrt(s)], tau [s]) of the three curves of Fig 1B
CURVES = ((1.0, 0.020), (3.0, 0.015), (5.0, 0.010))
#: (sigma, tau) of the network populations (crosses in Fig 1C): E and I
NETWORK_NEURONS = {"E": (3.0, 0.020), "I": (3.0, 0.010)}
MARKERS = ("o", "s", "^")


def simulate_fi(mu, n_per_group, duration, warmup, dt, seed=1):
    """Rates of unconnected LIF neurons for every (curve, mu) group (one run of one build).

    Returns a DataFrame: ``sigma`` (mV/sqrt(s)), ``tau`` (s), ``mu`` (mV/s), ``rate`` (Hz, mean over
    the group), ``rate_sem`` (Hz), ``n_neurons``, ``phi`` (Eq 9, Hz), ``rel_err`` (sim/phi - 1).
    """
    from brianmodels import simulate
    from brianmodels.network import LIFNetwork
    from meanfield import phi

    groups = [(s, t, m) for s, t in CURVES for m in mu]
    n = len(groups) * n_per_group
    g = np.repeat(np.arange(len(groups)), n_per_group)
    sig, tau, mus = (np.array([gr[k] for gr in groups])[g] for k in range(3))
    net = LIFNetwork(N=(n, 1), p=0.0, j=0.0, name="fig1_single_neurons")
    res = simulate(net, mu_E=0.0, duration=duration, warmup=warmup, dt=dt, seed=seed,
                   record_spikes=(n, 0), progress=True,
                   neuron_params={"mu": np.r_[mus, 0.0], "sigma": np.r_[sig, 3.0], "tau": np.r_[tau, 0.01]})
    i, t = res.spike_trains("E")
    rates = np.bincount(i[t >= warmup], minlength=n) / (duration - warmup)
    rows = []
    for k, (s, ta, m) in enumerate(groups):
        r = rates[g == k]
        ref = float(phi(m, s, ta))
        rows.append(dict(sigma=s, tau=ta, mu=m, rate=r.mean(), rate_sem=r.std(ddof=1) / np.sqrt(r.size),
                         n_neurons=r.size, phi=ref, rel_err=r.mean() / ref - 1 if ref > 0 else np.nan,
                         dt=dt, duration=duration, warmup=warmup))
    return pd.DataFrame(rows)


def fit_grid(sigmas, taus):
    """Power-law fits (Eq 1) over a sigma x tau grid, continued from the neighbouring fit.

    Returns a DataFrame: ``sigma``, ``tau`` (s), ``a`` (Hz (mV/s)^-n), ``b`` (mV/s), ``n``,
    ``rms_error``, ``max_error`` (Hz), ``success``.
    """
    from meanfield import fit_powerlaw

    rows = []
    for s in sigmas:
        p0 = None
        for ta in taus:  # continuation along tau, as the authors did over their grid
            # the authors' start point or the neighbour's fit, whichever fits Phi better
            cands = [fit_powerlaw(s, ta)] + ([fit_powerlaw(s, ta, p0=p0)] if p0 is not None else [])
            f = min(cands, key=lambda c: c.rms_error if c.success else np.inf)
            p0 = (f.a, f.b, f.n)
            rows.append(dict(sigma=float(s), tau=float(ta), a=f.a, b=f.b, n=f.n, rms_error=f.rms_error,
                             max_error=f.max_error, success=f.success))
    return pd.DataFrame(rows)


def run(out, quick: bool = False) -> str:
    """Simulate, fit and draw Fig 1 into ``out``; return the text summary."""
    from meanfield import fit_powerlaw, phi

    plt = pyplot()
    o = Outputs(out, NAME)
    if quick:
        kw = dict(n_per_group=30, duration=3.0, warmup=0.5, dt=1e-5)
        sigmas, taus = np.linspace(1, 5, 9), np.linspace(0.007, 0.023, 9)
    else:
        kw = dict(n_per_group=100, duration=10.0, warmup=1.0, dt=1e-5)
        sigmas, taus = np.linspace(1, 5, 21), np.linspace(0.007, 0.023, 17)
    mu_sim = np.arange(0.0, 50.01, 5.0)
    sim = simulate_fi(mu_sim, **kw)
    grid = fit_grid(sigmas, taus)

    fig = plt.figure(figsize=(11, 6.4), constrained_layout=True)
    gs = fig.add_gridspec(2, 6)
    axB = fig.add_subplot(gs[0, :4])
    axD = fig.add_subplot(gs[0, 4:])
    axC = [fig.add_subplot(gs[1, 2 * k:2 * k + 2]) for k in range(3)]
    mu = np.linspace(-10, 50, 601)
    curves, lines = [], []
    for (s, ta), mk, c in zip(CURVES, MARKERS, ("tab:green", "tab:purple", "tab:orange")):
        f = fit_powerlaw(s, ta)
        nu_phi, nu_fit = phi(mu, s, ta), f(mu)
        lab = rf"$\sigma$ = {s:g} mV/$\sqrt{{s}}$, $\tau$ = {ta * 1e3:g} ms"
        axB.plot(mu, nu_phi, "-", color=c, lw=1.4, label=lab + r": $\Phi$ (Eq 9)")
        axB.plot(mu, nu_fit, "--", color=c, lw=1.2, label=f"power law: a={f.a:.3g}, b={f.b:.3g}, n={f.n:.3g}")
        d = sim[(sim["sigma"] == s) & (sim["tau"] == ta)]
        axB.errorbar(d["mu"], d["rate"], yerr=d["rate_sem"], fmt=mk, color=c, mfc="none", ms=5,
                     label="LIF simulation")
        if f.b > 0:
            axB.axvline(f.b, ymax=0.08, color=c, lw=2)
            axB.text(f.b, 1.0, " b", color=c, fontsize=8)
        curves.append(pd.DataFrame({"sigma": s, "tau": ta, "mu": mu, "phi": nu_phi, "powerlaw": nu_fit}))
        ok = d["phi"] > 2.0
        lines.append(f"sigma={s:g}, tau={ta * 1e3:g} ms: fit a={f.a:.4g}, b={f.b:.4g}, n={f.n:.4g} "
                     f"(rms {f.rms_error:.3f} Hz below 10 Hz); sim/Phi - 1 where Phi > 2 Hz: median "
                     f"{np.median(d['rel_err'][ok]):+.3f}, range [{d['rel_err'][ok].min():+.3f}, "
                     f"{d['rel_err'][ok].max():+.3f}]")
    axB.axhline(10.0, color="0.6", lw=0.8, ls=":")
    axB.text(-9, 10.5, "fit range: ν < 10 Hz", color="0.4", fontsize=7)
    axB.set_ylim(0, 40)
    axB.set_xlim(mu[0], mu[-1])
    axB.set_xlabel(r"input $\mu$ (mV/s)")
    axB.set_ylabel(r"firing rate $\nu$ (Hz)")
    axB.set_title(f"F-I curves: {kw['n_per_group']} neurons per point, {kw['duration']:g} s, "
                  f"dt = {kw['dt'] * 1e3:g} ms")
    axB.legend(ncol=3, fontsize=6, frameon=False, loc="upper left")

    S = np.unique(grid["sigma"])
    T = np.unique(grid["tau"]) * 1e3
    tab = grid.sort_values(["tau", "sigma"])
    panels = (("a", r"$\log_{10} a$ (a in Hz (mV/s)$^{-n}$)", np.log10(tab["a"].to_numpy())),
              ("b", "b (mV/s)", tab["b"].to_numpy()), ("n", "n", tab["n"].to_numpy()))
    for ax, (name, label, val) in zip(axC, panels):
        im = ax.pcolormesh(S, T, val.reshape(T.size, S.size), shading="nearest", cmap="viridis")
        fig.colorbar(im, ax=ax, label=label)
        ax.set_xlabel(r"noise $\sigma$ (mV/$\sqrt{s}$)")
        ax.set_ylabel(r"membrane time constant $\tau$ (ms)")
        ax.set_title(f"fitted {name}")
        for X, (s, ta) in NETWORK_NEURONS.items():
            ax.plot(s, ta * 1e3, "kx", ms=9, mew=2)
            ax.text(s + 0.1, ta * 1e3 + 0.3, X, fontsize=8)
        for (s, ta), mk in zip(CURVES, MARKERS):
            ax.plot(s, ta * 1e3, mk, color="w", mec="k", ms=6)
    im = axD.pcolormesh(S, T, tab["rms_error"].to_numpy().reshape(T.size, S.size), shading="nearest",
                        cmap="magma")
    fig.colorbar(im, ax=axD, label="RMS |fit - Φ| over ν < 10 Hz (Hz)")
    axD.set_xlabel(r"noise $\sigma$ (mV/$\sqrt{s}$)")
    axD.set_ylabel(r"membrane time constant $\tau$ (ms)")
    axD.set_title("quality of the power-law fit")
    label_panels({"B": axB, "D": axD, "C": axC[0]})

    o.csv("B_simulation", sim)
    o.csv("B_theory", pd.concat(curves, ignore_index=True))
    o.csv("C", grid)
    o.png(fig)
    o.json(dict(quick=quick, mu_sim=mu_sim.tolist(), curves=CURVES, **kw,
                sigmas=sigmas.tolist(), taus=taus.tolist()))
    lines.append(f"fit grid ({len(grid)} fits): n in [{grid['n'].min():.3g}, {grid['n'].max():.3g}] "
                 f"(paper: 2-4.6); rms error <= {grid['rms_error'].max():.3g} Hz; "
                 f"{int((~grid['success']).sum())} fits not converged")
    return "\n".join(lines)
