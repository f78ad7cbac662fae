"""Ekelmans et al. (2023) Fig 6: network size N and the (absent) convergence to the balanced state.

Size scaling in the balanced-state convention (``docs/theory/ssn_lif.md`` §11): p and the 3:1 split fixed,
j ∝ 1/sqrt(N) so J(N) = J(4000) sqrt(N/4000), external mean mu = mu_hat sqrt(N), sigma_ext fixed.

* A/B — supersaturating network of Fig 2 (det J > 0, r = 1; no balanced limit, Eq S2):
  A: nu_E versus the effective input mu (mV/s): LIF simulations at two sizes (points) over the SSN
  of the same size; B: nu_E versus mu_hat = mu/sqrt(N) for N = 4000 x 10^(0 ... 2.1) (SSN, colours)
  with the Ricciardi self-consistency Phi_sc (Eq 14) at three sizes (thin black).
* C/D — bistable network of Fig 4 (det J > 0, r = 1; stable balanced limit, dashed in D).
* E/F — det J < 0 network of Fig 5B at r = 3: the branches separate as N grows (no steady state
  in between); the balanced limit (dashed in F) exists but is unstable.

Simulations (A only; the paper's 1000-s hysteresis ramps of C and the large-N runs of E are beyond
2 cores): constant inputs, one build per size. Default: N = 4000 and 10000, 11 inputs each,
6 s (1 s warm-up) -> ~10 min on 2 cores. ``--quick``: N = 4000 (6 inputs) and 8000 (3 inputs),
3 s (1 s warm-up), every third SSN size -> ~1-2 min incl. the N = 8000 compile.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ._ekelmans_common import plot_branches, theory_long
from ._output import Outputs, label_panels, pyplot

DESCRIPTION = "Fig 6 (Ekelmans 2023): size scaling N = 4e3 ... 5e5, SSN, Phi_sc, balanced limit, sims"
NAME = "ekelmans_fig6"
N_REF = 4000
#: row -> (preset, r, mu_hat range (mV/s), sizes drawn in the mu panel (None: the simulated ones))
ROWS = {"AB": ("supersaturating", 1.0, (0.0, 50 / math.sqrt(N_REF)), None),
        "CD": ("bistable", 1.0, (-0.03, 10 / math.sqrt(N_REF)), (4000, 40000)),
        "EF": ("negative_det", 3.0, (0.0, 0.8), (4000, 20000, 40000))}


def sim_protocol(quick):
    """Simulated sizes, mu_hat points per size and (duration, warm-up) of panel A."""
    mh = 50 / math.sqrt(N_REF)
    if quick:  # N = 4000 at 3 s shares its build with Fig 2A --quick and the package tests
        return (4000, 8000), [np.linspace(0, mh, 6), np.linspace(0, mh, 3)], (3.0, 1.0)
    return (4000, 10000), [np.linspace(0, mh, 11), np.linspace(0, mh, 11)], (6.0, 1.0)


def sizes(quick):
    """SSN sizes N = 4000 x 10^(k/10), k = 0..21 (every third k with ``quick``), multiples of 4."""
    from meanfield.lif.scaling import default_sizes

    s = default_sizes()
    return s[::3] if quick else s


def simulate_sizes(net, N_values, mu_hat, r, duration, warmup):
    """LIF sweeps of ``net`` scaled to each N at inputs mu = mu_hat sqrt(N); stacked table with ``N``."""
    from brianmodels import sweep

    frames = []
    for N, mh in zip(N_values, mu_hat):
        scaled = net.scaled(N)
        res = sweep(scaled, mu_E=np.asarray(mh) * math.sqrt(N), r=r, duration=duration, warmup=warmup,
                    seeds=(1,))
        t = res.table.copy()
        t.insert(0, "N_total", N)
        t.insert(1, "mu_hat", t["mu_E"] / math.sqrt(N))
        frames.append(t)
    return pd.concat(frames, ignore_index=True)


def run(out, quick: bool = False) -> str:
    """Simulate, solve and draw Fig 6 into ``out``; return the text summary."""
    from brianmodels import presets
    from meanfield import SSN
    from meanfield import compare
    from meanfield.lif.scaling import size_scaling

    plt = pyplot()
    o = Outputs(out, NAME)
    Ns = sizes(quick)
    cmap = plt.get_cmap("coolwarm")
    norm = lambda N: math.log10(N / Ns[0]) / math.log10(Ns[-1] / Ns[0])  # noqa: E731
    fig, axes = plt.subplots(3, 2, figsize=(10, 11), constrained_layout=True)
    lines, params = [], dict(quick=quick, sizes=Ns)
    for row, (axL, axR) in zip(ROWS, axes):
        preset, r, (mh_min, mh_max), drawn = ROWS[row]
        simN, mh, (duration, warmup) = sim_protocol(quick)
        drawn = drawn or simN
        net = presets.get(preset)
        ssn = SSN.from_network(net)
        mu_hat = np.linspace(mh_min, mh_max, 161 if quick else 321)
        scan = ssn.size_scan(Ns, mu_hat, r=r).table
        phisc = size_scaling(net, [Ns[0], 40000, 400000], mu_hat[::4], r=r)
        # right panel: nu_E vs mu_hat for every N (SSN), Phi_sc at three sizes, balanced limit
        for N in Ns:
            plot_branches(axR, scan[scan["N"] == N], "nu_E", x="mu_hat_E", color=cmap(norm(N)), lw=1.0,
                          label=f"SSN N = {N:.3g}" if N in (Ns[0], Ns[-1]) else None)
        for k, N in enumerate(sorted(phisc.results)):
            plot_branches(axR, phisc.table[phisc.table["N"] == N], "nu_E", x="mu_hat_E", color="k", lw=0.7,
                          label=r"$\Phi_{sc}$ (Eq 14), N = 4e3, 4e4, 4e5" if k == 0 else None)
        bal = ssn.balanced_state(r)
        if bal["exists"]:
            mpos = mu_hat[mu_hat >= 0]
            axR.plot(mpos, mpos * math.sqrt(N_REF) * bal["nu_E_per_mu"], "k--", lw=1.2,
                     label=f"balanced limit (Eq S1; {'stable' if bal['stable'] else 'unstable'})")
        axR.set_xlabel(r"input before scaling $\hat\mu = \mu^{ext}/\sqrt{N}$ (mV/s)")
        # left panel: nu_E vs the effective mu at the drawn sizes
        for k, N in enumerate(drawn):
            c = plt.get_cmap("tab10")(k)
            t = ssn.scaled(N, N_REF).sweep(mu_hat * math.sqrt(N), r=r).table
            plot_branches(axL, t, "nu_E", color=c, label=f"SSN, N = {N:g}")
        axL.set_xlabel(r"effective input $\mu^{ext}$ (mV/s)")
        for ax in (axL, axR):
            ax.set_ylabel(r"$\nu_E$ (Hz)")
            ax.set_ylim(bottom=-0.2)
        top = {"AB": 12, "CD": 12, "EF": 25}[row]
        axL.set_ylim(top=top)
        axR.set_ylim(top=top)
        axL.set_title(f"{row[0]}: {preset} network (J = {np.round(net.J.ravel(), 2).tolist()} mV at N = 4000, "
                      f"r = {r:g})")
        axR.set_title(f"{row[1]}: {preset}, N = {Ns[0]:g} ... {Ns[-1]:.3g}")
        o.csv(row[1], pd.concat([theory_long(scan, "SSN"), theory_long(phisc.table, "Phi_sc")],
                                ignore_index=True))
        lines.append(f"{preset} (r = {r:g}, det J = {ssn.det_J:.4g}): balanced limit exists = {bal['exists']}, "
                     f"stable = {bal['stable']}; Phi_sc status {phisc.status} ({phisc.message[:120]})")
        for N in (Ns[0], Ns[-1]):
            s = scan[(scan["N"] == N) & scan["stable"]]
            lines.append(f"  N = {N:.3g}: max stable nu_E = {s['nu_E'].max():.3g} Hz at mu_hat = "
                         f"{s.loc[s['nu_E'].idxmax(), 'mu_hat_E']:.3g} mV/s")
        left = [ssn.scaled(N, N_REF).sweep(mu_hat * math.sqrt(N), r=r).table.assign(N=N) for N in drawn]
        if row == "AB":
            sim = simulate_sizes(net, simN, mh, r, duration, warmup)
            for k, N in enumerate(simN):
                d = sim[(sim["N_total"] == N) & (sim["population"] == "E")]
                axL.plot(d["mu_E"], d["rate"], "o", mfc="none", color=plt.get_cmap("tab10")(k + 3),
                         label=f"LIF simulation, N = {N:g}")
                th = ssn.scaled(N, N_REF).sweep(np.linspace(mh_min, mh_max, 201) * math.sqrt(N), r=r)
                cmp = compare(sim[sim["N_total"] == N], {"SSN": th})
                lines.append(f"  simulation N = {N}: " + cmp.report().replace("\n", "\n    "))
            o.csv("A_simulation", sim)
            params["simulation"] = dict(N=simN, mu_hat=[m.tolist() for m in mh], duration=duration,
                                        warmup=warmup)
        o.csv(row[0], theory_long(pd.concat(left, ignore_index=True), "SSN"))
        axL.legend(frameon=False)
        axR.legend(frameon=False)
    label_panels({L: ax for L, ax in zip("ABCDEF", axes.ravel())})
    o.png(fig)
    o.json(params)
    return "\n".join(lines)
