"""Ekelmans et al. (2023) Fig 2 B-G: the supersaturating network (panel A: ``ekelmans_fig2a``).

* B — peak control: (J_EI, J_IE, r) -> (f J_EI, J_IE/f, r/f) with f = 1, 1.25, 1.5 (presets
  ``supersaturating``, ``_f125``, ``_f150``) raises the nu_E peak (SSN lines, LIF points).
* C/D — exponential synapses (``supersaturating_exp``) at the peak input mu = 19 mV/s: per-neuron
  balance factor (C; far from 1: loose balance) and CV_ISI (D; close to 1), inset rate distribution.
* E/F — a target trajectory (nu_E(t), nu_I(t)) in the E-I plane (a figure of eight, 5 s), the inputs
  designed by inverting the SSN (Eq 5, :func:`meanfield.ssn.design.inputs_for`) and the LIF response.
* G — XOR: two Poisson populations X1, X2 (2000 neurons, p = 0.5, j = 0.0025 mV onto E and I, so
  each adds 2.5 nu_X mV/s); nu_E is high only when exactly one input is on.

Protocols (constant inputs unless stated; each panel's runs share one build). Default: B 11 inputs
per f, 10 s; C/D 20 s at dt = 0.01 ms (paper: 50 s); E/F 5 s at dt = 0.01 ms; G 4 input pairs,
10 s -> ~15 min on 2 cores. ``--quick`` (reduced): B 6 inputs per f, C/D, G 3 s and E/F 5 s at
dt = 0.05 ms -> ~3 min CPU (~1.5 min on 2 quiet cores) incl. three compiles (the B build is shared
with ``ekelmans_fig2a --quick`` and ``ekelmans_fig6 --quick``). Quick-run numbers: SSN peaks 2.47 /
3.35 / 4.29 Hz vs LIF 2.61 / 3.56 / 4.57 Hz; BF E/I 0.35 / 0.02 (= mean field from the rates); CV_ISI
0.75 / 0.71, as for Poisson trains observed over the same 2 s (short windows bias CV low); tracking
RMS error 0.21 Hz (E) for a 1.2-4.8 Hz target; XOR nu_E 0.22 / 2.43 / 2.43 / 0.64 Hz.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._ekelmans_common import COLORS, balance_and_cv, draw_balance, plot_branches, theory_long
from ._output import Outputs, label_panels, pyplot

DESCRIPTION = "Fig 2 B-G (Ekelmans 2023): peak control, balance factor/CV_ISI, designed trajectory, XOR"
NAME = "ekelmans_fig2"
PEAK_PRESETS = {1.0: "supersaturating", 1.25: "supersaturating_f125", 1.5: "supersaturating_f150"}
MU_BF = 19.0  # constant input of the BF/CV run (``docs/theory/ssn_lif.md`` §13)
T_TARGET = 5.0


def target(t):
    """Target trajectory (Hz): a figure of eight around (3, 1) Hz with period T_TARGET."""
    ph = 2 * np.pi * np.asarray(t) / T_TARGET
    return 3.0 + 1.8 * np.sin(ph), 1.0 + 0.45 * np.sin(2 * ph)


def run(out, quick: bool = False) -> str:
    """Simulate, solve, compare and draw Fig 2 B-G into ``out``; return the text summary."""
    from brianmodels import presets, simulate, sweep
    from brianmodels.lif import analysis
    from brianmodels.lif.inputs import Sampled
    from meanfield import SSN
    from meanfield import compare
    from meanfield.ssn.design import inputs_for

    plt = pyplot()
    o = Outputs(out, NAME)
    if quick:
        nB, TB, Tcd, dt_fine, TG = 6, 3.0, 3.0, 5e-5, 3.0
    else:
        nB, TB, Tcd, dt_fine, TG = 11, 10.0, 20.0, 1e-5, 10.0
    fig = plt.figure(figsize=(12, 7.5), constrained_layout=True)
    gs = fig.add_gridspec(2, 4)
    axB, axC, axD = fig.add_subplot(gs[0, 0:2]), fig.add_subplot(gs[0, 2]), fig.add_subplot(gs[0, 3])
    axE, axF, axG = fig.add_subplot(gs[1, 0]), fig.add_subplot(gs[1, 1:3]), fig.add_subplot(gs[1, 3])
    lines = []

    # ---- B: peak control
    simB, theoB = [], []
    for k, (f, name) in enumerate(PEAK_PRESETS.items()):
        net = presets.get(name)
        r = presets.info(name)["r"]
        ssn = SSN.from_network(net)
        th = ssn.sweep(np.linspace(0, 50, 201), r=r).table
        s = sweep(net, mu_E=np.linspace(0, 50, nB), r=r, duration=TB, warmup=1.0, seeds=(1,)).table
        s["f"] = f
        simB.append(s)
        theoB.append(theory_long(th, "SSN").assign(f=f))
        c = plt.get_cmap("viridis")(k / 2.5)
        plot_branches(axB, th, "nu_E", color=c, label=f"SSN, f = {f:g} (r = {r:.3g})")
        e = s[s["population"] == "E"]
        axB.plot(e["mu_E"], e["rate"], "o", mfc="none", color=c, label=f"LIF, f = {f:g}")
        cmp = compare(s, {"SSN": th})
        peak = th[th["stable"]]["nu_E"].max()
        lines.append(f"B, f = {f:g}: SSN peak nu_E = {peak:.3g} Hz, sim max {e['rate'].max():.3g} Hz; "
                     + cmp.report().split("\n\n")[0].replace("\n", "\n    "))
    axB.set_xlabel(r"external input $\mu^{ext}_E$ (mV/s), $\mu^{ext}_I = r\mu^{ext}_E$, r = 1/f")
    axB.set_ylabel(r"$\nu_E$ (Hz)")
    axB.set_title(r"B: peak control $(J_{EI}, J_{IE}, r) \to (fJ_{EI}, J_{IE}/f, r/f)$")
    axB.legend(frameon=False, ncol=2)
    o.csv("B_simulation", pd.concat(simB, ignore_index=True))
    o.csv("B_theory", pd.concat(theoB, ignore_index=True))

    # ---- C/D: balance factor and CV_ISI with exponential synapses at the peak
    netx = presets.get("supersaturating_exp")
    rx = simulate(netx, mu_E=MU_BF, r=1.0, duration=Tcd, warmup=1.0, dt=dt_fine, record_spikes=(1000, 1000),
                  record_currents=(100, 100))
    per, cvs = balance_and_cv(rx.currents, rx.spikes, MU_BF, r=1.0, t_start=1.0, t_stop=Tcd)
    bf_mf = draw_balance(axC, per, cvs, netx.J, MU_BF, r=1.0)
    axC.set_ylim(-0.05, 1.05)
    axC.set_title(f"C: BF at the peak (mu = {MU_BF:g} mV/s)")
    insD = axD.inset_axes([0.62, 0.6, 0.35, 0.33])
    for X in ("E", "I"):
        v = cvs.loc[cvs["population"] == X]
        axD.hist(v["cv_isi"].dropna(), bins=30, range=(0, 2), histtype="step", color=COLORS[X],
                 label=f"{X}: median {v['cv_isi'].median():.2f}")
        insD.hist(v["rate"], bins=20, histtype="step", color=COLORS[X])
    insD.set_xlabel("rate (Hz)", fontsize=6)
    axD.set_ylim(0, 1.9 * axD.get_ylim()[1])  # head room for the legend and the rate inset
    insD.tick_params(labelsize=6)
    axD.set_xlabel(r"CV$_{ISI}$")
    axD.set_ylabel("neurons")
    axD.set_title("D: irregular firing")
    axD.legend(frameon=False, loc="upper left")
    o.csv("C", per)
    o.csv("D", cvs)
    lines.append(f"C/D (exp synapses, mu = {MU_BF:g}, {Tcd:g} s, dt = {dt_fine * 1e3:g} ms): median BF E/I = "
                 + "/".join(f"{per.loc[per.population == X, 'BF'].median():.2f}" for X in "EI")
                 + " (paper ~0.4 / ~0; mean field from the rates " + "/".join(f"{bf_mf[X]:.2f}" for X in "EI")
                 + "); median CV_ISI E/I = "
                 + "/".join(f"{cvs.loc[cvs.population == X, 'cv_isi'].median():.2f}" for X in "EI")
                 + " (paper ~1); rates E/I = " + "/".join(f"{v:.3g}" for v in rx.table['rate']) + " Hz")

    # ---- E/F: designed inputs following a target trajectory (Eq 5)
    net = presets.get("supersaturating")
    ssn = SSN.from_network(net)
    pre = 0.5  # s at the start point before the trajectory begins (settling)
    tt = np.arange(0, T_TARGET + pre, 1e-3)
    nuE_t, nuI_t = target(np.clip(tt - pre, 0, None))
    mu_E, mu_I = inputs_for(ssn, nuE_t, nuI_t)  # raises if a target state is unstable
    proto = Sampled(mu_E, mu_I, sample_dt=1e-3)
    rf = simulate(net, protocol=proto, duration=T_TARGET + pre, warmup=pre, dt=dt_fine, record_spikes=0,
                  rate_bin=1e-3)
    traj = {}
    for X in ("E", "I"):
        g = rf.rates[rf.rates["population"] == X]
        traj[X] = np.convolve(g["rate"].to_numpy(), np.ones(100) / 100, mode="same")  # 100 ms box
        traj["t"] = g["t"].to_numpy() + 5e-4
    sel = (traj["t"] >= pre + 0.1) & (traj["t"] <= T_TARGET + pre - 0.1)
    tgtE, tgtI = target(traj["t"][sel] - pre)
    errE = np.sqrt(np.mean((traj["E"][sel] - tgtE) ** 2))
    errI = np.sqrt(np.mean((traj["I"][sel] - tgtI) ** 2))
    axE.plot(nuE_t, nuI_t, "k-", lw=2, label="target")
    axE.plot(traj["E"][sel], traj["I"][sel], "-", color=COLORS["E"], lw=0.8, label="LIF (100 ms average)")
    axE.set_xlabel(r"$\nu_E$ (Hz)")
    axE.set_ylabel(r"$\nu_I$ (Hz)")
    axE.set_title("E: target trajectory in the E-I plane")
    axE.legend(frameon=False, fontsize=6)
    tr = traj["t"] - pre
    for X, tg in (("E", target(np.clip(tr, 0, None))[0]), ("I", target(np.clip(tr, 0, None))[1])):
        axF.plot(tr[sel], traj[X][sel], color=COLORS[X], lw=0.8, label=f"LIF {X}")
        axF.plot(tr[sel], tg[sel], "k--", lw=1)
    axF2 = axF.twinx()
    axF2.plot(tt - pre, mu_E, color=COLORS["E"], alpha=0.35, lw=1.5)
    axF2.plot(tt - pre, mu_I, color=COLORS["I"], alpha=0.35, lw=1.5)
    axF2.set_ylabel("designed input (mV/s, faint; Eq 5)")
    axF.set_xlabel("time (s)")
    axF.set_ylabel("rate (Hz); target dashed")
    axF.set_title(f"F: tracking (RMS error E {errE:.2f} Hz, I {errI:.2f} Hz)")
    axF.legend(frameon=False, loc="upper left")
    o.csv("E", pd.DataFrame({"t": tt - pre, "target_nu_E": nuE_t, "target_nu_I": nuI_t, "mu_E": mu_E, "mu_I": mu_I}))
    o.csv("F", pd.DataFrame({"t": tr, "nu_E": traj["E"], "nu_I": traj["I"]}))
    try:  # the paper quotes ~300 ms for its target trajectory
        acf_tau = analysis.autocorrelation_time(traj["E"][sel], 1e-3, max_lag=2.0).tau
    except ValueError:
        acf_tau = float("nan")
    lines.append(f"E/F: designed-input tracking RMS error nu_E {errE:.3f} Hz, nu_I {errI:.3f} Hz "
                 f"(target ranges {nuE_t.min():.2f}-{nuE_t.max():.2f}, {nuI_t.min():.2f}-{nuI_t.max():.2f} Hz); "
                 f"nu_E autocorrelation time {acf_tau:.3g} s")

    # ---- G: XOR with Poisson inputs
    xor = presets.XOR_INPUTS
    hi = xor["rate_range"][1]
    pairs = [(0.0, 0.0), (hi, 0.0), (0.0, hi), (hi, hi)]
    sg = sweep(net, mu_E=0.0, r=1.0, duration=TG, warmup=1.0, seeds=(1,), record_spikes=0,
               poisson_inputs=[dict(N=xor["N"], p=xor["p"], j=xor["j"])] * 2, poisson_rates=pairs).table
    sg["X1"] = [pairs[p][0] for p in sg["point"]]
    sg["X2"] = [pairs[p][1] for p in sg["point"]]
    e = sg[sg["population"] == "E"].sort_values("point")
    drive = [xor["N"] * xor["p"] * xor["j"] * (a + b) for a, b in pairs]  # mV/s onto E and I
    ss = [ssn.steady_states(m, r=1.0).table.query("stable")["nu_E"].max() for m in drive]
    x = np.arange(4)
    axG.bar(x - 0.2, e["rate"], 0.4, color=COLORS["E"], alpha=0.6, label="LIF")
    axG.bar(x + 0.2, ss, 0.4, color="0.4", alpha=0.6, label="SSN")
    axG.set_xticks(x, [f"X1={'on' if a else 'off'}\nX2={'on' if b else 'off'}" for a, b in pairs], fontsize=6)
    axG.set_ylabel(r"$\nu_E$ (Hz)")
    axG.set_title(f"G: XOR ({hi:g}-Hz inputs,\n2 x {xor['N']} Poisson neurons)")
    axG.legend(frameon=False)
    o.csv("G", sg)
    lines.append("G: nu_E for (X1, X2) = " + ", ".join(
        f"({a:g},{b:g}) -> {r:.3g} Hz (SSN {s:.3g}, drive {d:g} mV/s)"
        for (a, b), r, s, d in zip(pairs, e["rate"], ss, drive)))
    label_panels({"B": axB, "C": axC, "D": axD, "E": axE, "F": axF, "G": axG})
    o.png(fig)
    o.json(dict(quick=quick, nB=nB, TB=TB, Tcd=Tcd, dt_fine=dt_fine, TG=TG, pairs=pairs, target_period=T_TARGET))
    return "\n".join(lines)
