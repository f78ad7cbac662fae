"""Ekelmans et al. (2023) Fig 3: the Allen mouse V1 network (A) and its ISN variant with the paradoxical effect (B).

* A — network with Allen Institute V1 L2/3 connectivity (preset ``allen_v1``): nu_E, nu_I versus
  mu_ext at r = 1 (E saturates, no ISN: the Eq 7 threshold ~27 Hz is never reached on a stable
  branch) and, inset, r = 1.5 where nu_E declines (supersaturation).
* B — ``allen_v1_isn`` (J_EE raised to ~4.75 mV): ISN above nu_E = 1.5 Hz (Eq 7, dotted). Protocol
  of the paper: first mu_E 0 -> 100, mu_I 0 -> 50 mV/s (r = 0.5), then mu_E = 100 while mu_I
  50 -> 100 mV/s; on the second leg both rates FALL as mu_I grows (paradoxical effect, inset).

Protocol here: each point of the paper's ramps is simulated as its own constant-input run (steady
state, no ramp lag) of ONE compiled build shared by A and B (the two networks differ only in a
weight, a run-time value), at the paper's dt = 0.1 ms; the paper's ramps themselves (A: 0 -> 100
mV/s over 50 s; B: the two 50-s legs; ``--quick``: 10 s and 2 x 5 s) are run too and drawn as
thin lines (rates in 1-s windows; 0.5 s with ``--quick``). Theory: SSN (Eqs 1-3, dashed) and Phi_sc
(Eq 14, dotted), compared at the simulated inputs. Default: 11 + 7 (A) and 11 + 11 (B) points,
10 s each (2 s warm-up): ~8 min on 2 cores. ``--quick``: 6 + 4 (A) and 5 + 5 (B) points of 5 s (1 s
warm-up; not shorter because the paradoxical dip of nu_I is only ~1-3 %): ~1.5 min CPU (~45 s on
2 quiet cores) including the one compile. The simulated I rates run ~5-10 % above the SSN (closer to
Phi_sc); along leg 2 the simulated nu_I dips by ~0.15 Hz, between the SSN (0.28 Hz) and Phi_sc
(0.1 Hz, then rising again) predictions, and nu_E falls from ~3.6 to ~1.5 Hz as in the paper.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._ekelmans_common import COLORS, plot_branches, ramp_windows, theory_long
from ._output import Outputs, label_panels, pyplot

DESCRIPTION = "Fig 3 (Ekelmans 2023): Allen V1 network (saturation, r = 1.5 supersaturation) and ISN variant"
NAME = "ekelmans_fig3"


def protocol_B(n):
    """The Fig 3B input path as points: (t [s], mu_E, mu_I [mV/s]); legs of n points each."""
    from brianmodels import presets

    bp = np.array(presets.info("allen_v1_isn")["protocol"], float)  # (t, mu_E, mu_I) breakpoints
    t = np.r_[np.linspace(bp[0, 0], bp[1, 0], n), np.linspace(bp[1, 0], bp[2, 0], n)[1:]]
    return t, np.interp(t, bp[:, 0], bp[:, 1]), np.interp(t, bp[:, 0], bp[:, 2])


def _paper_ramp(preset, T=None):
    """The paper's input protocol of ``preset`` (time-dependent), compressed to ``T`` s if given."""
    from brianmodels.lif.inputs import from_preset, ramp

    p = from_preset(preset)
    if T is None:
        return p
    t = np.asarray(p.t, float)
    return ramp(np.c_[t * T / t[-1], p.mu_E, p.mu_I])


def run(out, quick: bool = False) -> str:
    """Simulate, solve, compare and draw Fig 3 into ``out``; return the text summary."""
    from brianmodels import presets, sweep
    from meanfield import SSN, selfconsistent
    from meanfield import compare

    plt = pyplot()
    o = Outputs(out, NAME)
    if quick:  # 5 s: the paradoxical dip of nu_I is only ~0.1-0.3 Hz (1-3 %); one duration = one build
        nA, nA2, nB, duration, warmup = 6, 4, 5, 5.0, 1.0
    else:
        nA, nA2, nB, duration, warmup = 11, 7, 11, 10.0, 2.0
    dt = presets.info("allen_v1")["dt"]
    kw = dict(duration=duration, warmup=warmup, dt=dt, seeds=(1,))
    netA, netB = presets.get("allen_v1"), presets.get("allen_v1_isn")
    ssnA, ssnB = SSN.from_network(netA), SSN.from_network(netB)
    lines = []

    # ---- A: r = 1 (main) and r = 1.5 (inset)
    muA, muA2 = np.linspace(0, 100, nA), np.linspace(0, 150, nA2)
    simA = sweep(netA, mu_E=np.r_[muA, muA2], mu_I=np.r_[muA, 1.5 * muA2], **kw).table
    simA["r"] = np.where(simA["point"] < nA, 1.0, 1.5)
    fig = plt.figure(figsize=(13, 4.8), constrained_layout=True)
    gs = fig.add_gridspec(2, 3, height_ratios=(3, 1), width_ratios=(1.1, 1, 0.42))
    axA = fig.add_subplot(gs[:, 0])
    axB, axBmu = fig.add_subplot(gs[0, 1]), fig.add_subplot(gs[1, 1])
    insB, axLeg = fig.add_subplot(gs[0, 2]), fig.add_subplot(gs[1, 2])  # B's close-up and legend
    insA = axA.inset_axes([0.58, 0.55, 0.38, 0.38])
    theoA = {}
    for r, ax, mu_max in ((1.0, axA, 100.0), (1.5, insA, 150.0)):
        dense = np.linspace(0, mu_max, 301)
        th = {"SSN": ssnA.sweep(dense, r=r).table, "Phi_sc": selfconsistent(netA, dense, r=r).table}
        theoA[r] = th
        for X in ("E", "I"):
            plot_branches(ax, th["SSN"], f"nu_{X}", color=COLORS[X], ls=(0, (4, 2)),
                          label=f"SSN {X}" if r == 1 else None)
            plot_branches(ax, th["Phi_sc"], f"nu_{X}", x="mu_E", color=COLORS[X], lw=0.8, alpha=0.6,
                          label=rf"$\Phi_{{sc}}$ {X}" if r == 1 else None)
            d = simA[(simA["r"] == r) & (simA["population"] == X)]
            ax.plot(d["mu_E"], d["rate"], "o", color=COLORS[X], mfc="none", ms=5 if r == 1 else 3,
                    label=f"LIF {X}" if r == 1 else None)
        cmp = compare(simA[simA["r"] == r], th)
        lines.append(f"A, Allen V1, r = {r:g}:\n  " + cmp.report().replace("\n", "\n  "))
    rampA = ramp_windows(netA, _paper_ramp("allen_v1", 10.0 if quick else None), dt=dt,
                         window=0.5 if quick else 1.0)
    for X in ("E", "I"):
        g = rampA[rampA["population"] == X]
        axA.plot(g["mu_E"], g["rate"], ls=(0, (1, 1)), color=COLORS[X], lw=1.1,
                 label=f"LIF {X}, paper's ramp")
    axA.set_xlabel(r"external input $\mu^{ext}$ (mV/s)")
    axA.set_ylabel("firing rate (Hz)")
    axA.set_title(f"A: Allen V1 network, r = 1 (J = {np.round(netA.J.ravel(), 2).tolist()} mV)")
    axA.legend(loc="upper left", frameon=False, ncol=3)
    insA.set_title("r = 1.5", fontsize=7)
    insA.set_xlabel(r"$\mu^{ext}$ (mV/s)", fontsize=7)
    insA.set_ylabel("rate (Hz)", fontsize=7)
    insA.tick_params(labelsize=6)
    axA.set_ylim(0, None)
    lines.append(f"  Allen: ISN threshold nu_E = {ssnA.isn_threshold():.3g} Hz (Eq 7; paper 27 Hz); "
                 f"max stable SSN nu_E at r = 1: {theoA[1.0]['SSN'].query('stable')['nu_E'].max():.3g} Hz")

    # ---- B: ISN network, paradoxical effect along the paper's path
    tB, mEB, mIB = protocol_B(nB)
    simB = sweep(netB, mu_E=mEB, mu_I=mIB, **kw).table
    simB["t_protocol"] = tB[simB["point"].to_numpy()]
    td, mEd, mId = protocol_B(201)
    pathB = ssnB.sweep_path(mEd, mId).table
    pathB["t_protocol"] = np.interp(pathB["t"], np.arange(td.size), td)
    phiB = selfconsistent(netB, mEd, mu_I=mId).table
    phiB["t_protocol"] = td[phiB["point"].to_numpy()]
    leg2 = pathB["t_protocol"] >= 50
    for X in ("E", "I"):
        plot_branches(axB, pathB, f"nu_{X}", x="t_protocol", color=COLORS[X], ls=(0, (4, 2)), label=f"SSN {X}")
        plot_branches(axB, phiB, f"nu_{X}", x="t_protocol", color=COLORS[X], lw=0.8, alpha=0.6,
                      label=rf"$\Phi_{{sc}}$ {X}")
        d = simB[simB["population"] == X]
        axB.plot(d["t_protocol"], d["rate"], "o", color=COLORS[X], mfc="none", ms=5, label=f"LIF {X}")
    rampB = ramp_windows(netB, _paper_ramp("allen_v1_isn", 10.0 if quick else None), dt=dt,
                         window=0.5 if quick else 1.0)
    T_B = float(rampB["t_stop"].max())
    for X in ("E", "I"):  # on the protocol's time axis (quick: compressed 10x)
        g = rampB[rampB["population"] == X]
        axB.plot(g["t_mid"] * 100.0 / T_B, g["rate"], ls=(0, (1, 1)), color=COLORS[X], lw=1.1,
                 label=f"LIF {X}, paper's ramp")
    d = simB[(simB["population"] == "I") & (simB["t_protocol"] >= 50)]
    plot_branches(insB, pathB[leg2], "nu_I", x="mu_I", color=COLORS["I"], ls=(0, (4, 2)))
    plot_branches(insB, phiB[phiB["t_protocol"] >= 50], "nu_I", x="mu_I", color=COLORS["I"], lw=0.8, alpha=0.6)
    insB.plot(d["mu_I"], d["rate"], "o", color=COLORS["I"], mfc="none", ms=4)
    insB.set_xlabel(r"$\mu^{ext}_I$ (mV/s), $\mu^{ext}_E$ = 100 mV/s")
    insB.set_ylabel(r"$\nu_I$ (Hz)")
    insB.set_title("B, close-up of leg 2:\nparadoxical effect", fontsize=7)
    nu_isn = ssnB.isn_threshold()
    axB.axhline(nu_isn, color=COLORS["E"], lw=0.8, ls=":", label=rf"ISN threshold $\nu_E$ = {nu_isn:.2f} Hz (Eq 7)")
    axB.axvline(50, color="0.6", lw=0.6)
    axB.set_ylabel("firing rate (Hz)")
    axB.set_title(f"B: Allen V1 with J_EE = {netB.J[0, 0]:.3g} mV (ISN)")
    axLeg.axis("off")
    axLeg.legend(*axB.get_legend_handles_labels(), loc="center", frameon=False, fontsize=6.5)
    axB.set_xticklabels([])
    axBmu.plot(td, mEd, color=COLORS["E"], label=r"$\mu^{ext}_E$")
    axBmu.plot(td, mId, color=COLORS["I"], label=r"$\mu^{ext}_I$")
    axBmu.set_xlabel("protocol time (s) (points: constant-input runs; dotted: the ramp)")
    axBmu.set_ylabel("input (mV/s)")
    axBmu.legend(frameon=False, ncol=2)
    for ax in (axB, axBmu):
        ax.set_xlim(0, 100)
    cmpB = compare(simB, {"SSN": ssnB.steady_states(mEB, mu_I=mIB),
                          "Phi_sc": selfconsistent(netB, mEB, mu_I=mIB).table})
    lines.append("B, Allen V1 ISN variant (paper's two-leg path):\n  " + cmpB.report().replace("\n", "\n  "))
    s2 = simB[(simB["t_protocol"] >= 50)].sort_values("t_protocol")
    p2 = pathB[leg2 & pathB["stable"]]
    for X in ("E", "I"):
        r2 = s2[s2["population"] == X]["rate"].to_numpy()
        lines.append(f"  leg 2 (mu_I 50 -> 100 at mu_E = 100): sim nu_{X} " + " -> ".join(f"{v:.3g}" for v in r2)
                     + f" Hz; SSN {p2[f'nu_{X}'].iloc[0]:.3g} -> {p2[f'nu_{X}'].iloc[-1]:.3g} Hz")
    lines.append(f"  SSN: paradoxical (dnu_I/dmu_I < 0) at {p2['paradoxical'].mean():.0%} of leg-2 states")
    label_panels({"A": axA, "B": axB})

    o.csv("A_ramp", rampA)
    o.csv("B_ramp", rampB)
    o.csv("A_simulation", simA)
    o.csv("A_theory", pd.concat([theory_long(theoA[r][k], k).assign(r=r) for r in theoA for k in theoA[r]],
                                ignore_index=True))
    o.csv("B_simulation", simB)
    o.csv("B_theory", pd.concat([theory_long(pathB, "SSN", extra=("t_protocol",)),
                                 theory_long(phiB, "Phi_sc", extra=("t_protocol",))], ignore_index=True))
    o.png(fig)
    o.json(dict(quick=quick, dt=dt, duration=duration, warmup=warmup, networks=[netA.to_dict(), netB.to_dict()]))
    return "\n".join(lines)
