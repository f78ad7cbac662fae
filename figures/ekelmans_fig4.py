"""Ekelmans et al. (2023) Fig 4: bistability and persistent activity of the Fig 4 network.

* A — hysteresis: a forward (0 -> 10 mV/s) then backward (10 -> 0) input ramp at r = 1 (preset
  ``bistable``, J = [5, 10, 7, 11] mV, EE/II exponential synapses). The E rate (1-s windows; up/down
  states detected with a Schmitt trigger, :func:`brianmodels.lif.analysis.detect_states`) jumps up
  near the upper SSN fold and down near the lower one; SSN branches (stable solid, unstable dashed)
  and Phi_sc (Eq 14) drawn over it.
* B — the SSN bistability window versus tau_E = 18, 20, 22 ms (theory: the E power law refitted
  for each tau_E, Table D): larger tau_E widens the window and shifts it left; at 22 ms it contains
  mu = 0 (persistent activity). At 18 ms this SSN has no fold at all (nu_E rises steeply but
  monotonically near 6.5 mV/s): the window has closed, whereas the paper's panel suggests a narrow one.
* C/D — persistent up state: a kick (input 22.15 -> 6 mV/s in the first 3 s) then constant 6 mV/s;
  per-neuron balance factor (C, 100 recorded neurons per population, BF = -<I_I>/(<I_E> + mu_ext))
  and CV_ISI (D) measured in the up state.

Protocol. The paper ramps over 500 + 500 s. Here both runs (A's ramp and C/D's kick) share ONE
compiled build and run in parallel. Default: ramps of 2 x 100 s (the kick run also lasts 200 s),
~8 min on 2 cores. ``--quick``: 2 x 12 s, ~140 s CPU (~70 s on 2 quiet cores) incl. the compile.
Quick-run numbers: SSN window [2.17, 3.57] mV/s, simulated up-jump at 5.7 and down-jump at 0.9 mV/s
(the 12-s ramps lag the folds by ~2 s); up state at 6 mV/s 7.4 Hz (SSN 7.8 Hz); BF E/I 0.42/0.34 (=
the mean-field BF from the rates); CV_ISI 0.83/0.94. Faster ramps lag behind the
folds (the up-jump happens later, the down-jump earlier), and finite-size fluctuations cause
spontaneous switches near the folds (the paper's inset), so the simulated window is compared with
the SSN window within a tolerance.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._ekelmans_common import COLORS, balance_and_cv, draw_balance, plot_branches, theory_long
from ._output import Outputs, label_panels, pyplot

DESCRIPTION = "Fig 4 (Ekelmans 2023): bistability (hysteresis vs SSN folds), tau_E window, persistent activity"
NAME = "ekelmans_fig4"
PRESET = "bistable"
KICK = (22.15, 6.0, 3.0)  # kick from 22.15 to 6 mV/s over the first 3 s, then hold (``docs/theory/ssn_lif.md`` §13)


def protocols(T_half):
    """Ramp 0 -> 10 -> 0 mV/s over 2 T_half (s) and the kick protocol of the same duration (r = 1)."""
    from brianmodels.lif.inputs import ramp

    mu_max = 10.0
    up_down = ramp([(0.0, 0.0), (T_half, mu_max), (2 * T_half, 0.0)], r=1.0)
    kick = ramp([(0.0, KICK[0]), (KICK[2], KICK[1]), (2 * T_half, KICK[1])], r=1.0)
    return up_down, kick, mu_max


def run(out, quick: bool = False) -> str:
    """Simulate, solve, compare and draw Fig 4 into ``out``; return the text summary."""
    from brianmodels import presets, sweep
    from brianmodels.lif import analysis
    from meanfield import SSN, selfconsistent
    from meanfield import compare
    from meanfield.ssn.regimes import fold_curve

    plt = pyplot()
    o = Outputs(out, NAME)
    T_half, window = (12.0, 0.5) if quick else (100.0, 1.0)
    up_down, kick, mu_max = protocols(T_half)
    net = presets.get(PRESET)
    ssn = SSN.from_network(net)
    T = 2 * T_half
    res = sweep(net, protocols=[up_down, kick], duration=T, warmup=KICK[2] + 2.0, seeds=(1,),
                record_spikes=(1000, 1000), record_currents=(100, 100), dt=presets.info(PRESET)["dt"],
                rate_bin=0.01)
    lines = []

    # ---- A: hysteresis
    rates = res.rates[(res.rates["point"] == 0) & (res.rates["population"] == "E")]
    det = analysis.detect_states(rates["rate"].to_numpy(), 0.01, t=rates["t"].to_numpy() + 0.005,
                                 mu=(rates["t"].to_numpy() + 0.005, rates["mu"].to_numpy()), width=0.2,
                                 min_dwell=0.5)
    folds = fold_curve(ssn, [1.0], mu_E_range=(0.0, mu_max)).table
    fold_mu = np.sort(folds["mu_E"].to_numpy())
    spk = res.spikes[res.spikes["point"] == 0]
    win = []
    for X, N in zip(("E", "I"), (1000, 1000)):
        s = spk[spk["population"] == X]
        win.append(analysis.windowed_rates(s["neuron"].to_numpy(), s["t"].to_numpy(), N, window=window,
                                           t_stop=T, mu_E=lambda t: up_down.at(t)[:, 0], r=1.0,
                                           population=X))
    simA = pd.concat(win, ignore_index=True)
    dense = np.linspace(0, mu_max, 401)
    th = {"SSN": ssn.sweep(dense, r=1.0).table, "Phi_sc": selfconsistent(net, dense, r=1.0).table}
    cmp = compare(simA, th)
    fig = plt.figure(figsize=(11, 7.5), constrained_layout=True)
    gs = fig.add_gridspec(2, 3)
    axA, axB = fig.add_subplot(gs[0, :2]), fig.add_subplot(gs[0, 2])
    axC, axD, axK = fig.add_subplot(gs[1, 0]), fig.add_subplot(gs[1, 1]), fig.add_subplot(gs[1, 2])
    for X in ("E", "I"):
        plot_branches(axA, th["SSN"], f"nu_{X}", color=COLORS[X], label=f"SSN {X}")
        plot_branches(axA, th["Phi_sc"], f"nu_{X}", x="mu_E", color=COLORS[X], lw=0.7, alpha=0.5,
                      label=rf"$\Phi_{{sc}}$ {X}")
        for d, mk in (("up", "^"), ("down", "v")):
            g = simA[(simA["population"] == X) & (simA["direction"] == d)]
            axA.plot(g["mu_E"], g["rate"], mk, color=COLORS[X], mfc="none", ms=4,
                     label=f"LIF {X}, {'forward' if d == 'up' else 'backward'} ramp")
    for m in fold_mu:
        axA.axvline(m, color="0.5", lw=0.8, ls=":")
    if np.isfinite(det.mu_up):
        axA.annotate("", xy=(det.mu_up, det.rate_high), xytext=(det.mu_up, det.rate_low),
                     arrowprops=dict(arrowstyle="->", color="k"))
    if np.isfinite(det.mu_down):
        axA.annotate("", xy=(det.mu_down, det.rate_low), xytext=(det.mu_down, det.rate_high),
                     arrowprops=dict(arrowstyle="->", color="k"))
    axA.set_xlabel(r"external input $\mu^{ext}$ (mV/s), r = 1")
    axA.set_ylabel("firing rate (Hz)")
    axA.set_title(f"A: hysteresis, ramp 0 -> {mu_max:g} -> 0 mV/s over 2 x {T_half:g} s; "
                  f"SSN folds at {np.round(fold_mu, 2).tolist()} mV/s (dotted)")
    axA.legend(ncol=4, frameon=False, fontsize=6, loc="upper left")
    axA.set_ylim(0, 1.35 * th["SSN"]["nu_E"].max())
    lines.append(f"A: SSN bistability window {np.round(fold_mu, 3).tolist()} mV/s; simulated switches: up at "
                 f"mu = {det.mu_up:.3g}, down at mu = {det.mu_down:.3g} mV/s ({det.status}: {det.message}; "
                 f"{det.n_switches} switches, {det.n_spontaneous} spontaneous)")
    lines.append("  " + cmp.report().replace("\n", "\n  "))

    # ---- B: window vs tau_E (theory)
    winB = []
    for k, tau_name in enumerate(("bistable_tauE18", PRESET, "bistable_tauE22")):
        nb = presets.get(tau_name)
        sb = SSN.from_network(nb)
        tb = sb.sweep(np.linspace(-4, mu_max, 401), r=1.0).table
        fb = fold_curve(sb, [1.0], mu_E_range=(-4.0, mu_max)).table
        c = plt.get_cmap("viridis")(k / 2.5)
        plot_branches(axB, tb, "nu_E", color=c, label=rf"$\tau_E$ = {nb.tau[0] * 1e3:g} ms")
        for m in fb["mu_E"]:
            axB.axvline(m, color=c, lw=0.6, ls=":")
        winB.append(dict(tau_E=nb.tau[0], mu_low=fb["mu_E"].min() if len(fb) else np.nan,
                         mu_high=fb["mu_E"].max() if len(fb) else np.nan, n_folds=len(fb)))
        o.csv(f"B_tauE{nb.tau[0] * 1e3:g}", theory_long(tb, "SSN"))
    winB = pd.DataFrame(winB)
    winB["persistent"] = winB["mu_low"] < 0
    axB.axvline(0, color="k", lw=0.8)
    axB.set_xlabel(r"external input $\mu^{ext}$ (mV/s)")
    axB.set_ylabel(r"$\nu_E$ (Hz)")
    axB.set_title("B: SSN bistability window vs " + r"$\tau_E$")
    axB.set_ylim(0, 15)
    axB.legend(frameon=False)
    lines.append("B: SSN windows (mV/s): " + "; ".join(
        f"tau_E = {r.tau_E * 1e3:g} ms: [{r.mu_low:.3g}, {r.mu_high:.3g}]" + (" persistent" if r.persistent else "")
        for r in winB.itertuples()))

    # ---- C/D: persistent up state after the kick
    t0 = KICK[2] + 2.0
    per, cvs = balance_and_cv(res.currents[res.currents["point"] == 1], res.spikes[res.spikes["point"] == 1],
                              KICK[1], r=1.0, t_start=t0, t_stop=T)  # the kick protocol has r = 1
    bf_mf = draw_balance(axC, per, cvs, net.J, KICK[1], r=1.0)
    axC.set_title(f"C: BF in the up state (mu = {KICK[1]:g} mV/s)")
    axC.set_ylim(0, 1.05)
    for X in ("E", "I"):
        v = cvs.loc[cvs["population"] == X, "cv_isi"].dropna()
        axD.hist(v, bins=30, range=(0, 2), histtype="step", color=COLORS[X], label=f"{X} (median {v.median():.2f})")
    axD.set_xlabel(r"CV$_{ISI}$")
    axD.set_ylabel("neurons")
    axD.set_title("D: CV_ISI in the up state")
    axD.legend(frameon=False)
    rk = res.rates[(res.rates["point"] == 1)]
    for X in ("E", "I"):
        g = rk[rk["population"] == X]
        sm = g["rate"].rolling(50, center=True, min_periods=1).mean()  # 0.5 s, no zero-padded edges
        axK.plot(g["t"], sm, color=COLORS[X], lw=0.8, label=f"{X} (0.5 s average)")
    ss = ssn.steady_states(KICK[1], r=1.0).table
    up = ss[ss["stable"]].sort_values("nu_E").iloc[-1]
    axK.axhline(up["nu_E"], color=COLORS["E"], ls="--", lw=0.8, label="SSN up state E")
    axK2 = axK.twinx()
    tt = np.linspace(0, T, 500)
    axK2.plot(tt, kick.at(tt)[:, 0], "k-", lw=0.8)
    axK2.set_ylabel(r"$\mu^{ext}$ (mV/s)")
    axK.set_xlabel("time (s)")
    axK.set_ylabel("population rate (Hz)")
    axK.set_title("inset of C: kick into the up state")
    axK.legend(frameon=False, fontsize=6)
    tabK = res.table[res.table["point"] == 1]
    lines.append(f"C/D: after the kick, mu = {KICK[1]:g} mV/s: sim nu_E = "
                 f"{tabK.loc[tabK.population == 'E', 'rate'].iloc[0]:.3g} Hz (SSN up state {up['nu_E']:.3g} Hz); "
                 "median BF E/I = " + "/".join(f"{per.loc[per.population == X, 'BF'].median():.2f}" for X in "EI")
                 + " (mean field from the rates " + "/".join(f"{bf_mf[X]:.2f}" for X in "EI") + ")"
                 + "; median CV_ISI E/I = " + "/".join(
                     f"{cvs.loc[cvs.population == X, 'cv_isi'].median():.2f}" for X in "EI"))
    label_panels({"A": axA, "B": axB, "C": axC, "D": axD})

    o.csv("A_simulation", simA)
    o.csv("A_theory", pd.concat([theory_long(v, k) for k, v in th.items()], ignore_index=True))
    o.csv("A_states", det.summary())
    o.csv("A_folds", folds)
    o.csv("B_windows", winB)
    o.csv("C", per)
    o.csv("D", cvs)
    o.png(fig)
    o.json(dict(quick=quick, T_half=T_half, window=window, kick=KICK, network=net.to_dict()))
    return "\n".join(lines)
