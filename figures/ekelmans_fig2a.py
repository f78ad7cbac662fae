"""Ekelmans et al. (2023) Fig 2A: the supersaturating network, spiking simulation vs SSN and Phi_sc.

Protocol. The paper drove the N = 4000 network with a slow ramp (mu_E = mu_I from 0 to 50 mV/s
over 50 s, r = 1). Both are run here: the paper's ramp (rates in 1-s windows, i.e. 1 mV/s of
input each; ``presets.info('supersaturating')['protocol']``), and each input as its own
steady-state run (one compiled binary re-run for every input, in parallel) -- the same curve
without ramp lag, and what the theory predicts. Default: 21 inputs 0, 2.5, ..., 50 mV/s, 11 s
each with 1 s warm-up, and the 50-s ramp; ``--quick``: 11 inputs, 3 s each, and a 10-s ramp.

Panels: nu_E and nu_I versus mu_ext; steady-state simulation (points) and the ramp (thin line)
over the SSN (power-law fit, Eq 1-3) and the Ricciardi self-consistent rates Phi_sc (Eq 12-14);
stable branches solid.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ._ekelmans_common import ramp_windows

DESCRIPTION = "Fig 2A (Ekelmans 2023): supersaturating network, simulation vs SSN and Phi_sc"
PRESET = "supersaturating"


def theory(net, mu):
    """SSN and Phi_sc curves of ``net`` along mu_E = mu_I = mu (dense)."""
    from meanfield import SSN, selfconsistent

    ssn = SSN.from_network(net)
    return ssn, {"SSN": ssn.sweep(mu, r=1.0).table, "Phi_sc": selfconsistent(net, mu, r=1.0).table}


def regime_lines(ssn, r=1.0) -> list[str]:
    """The paper's regime statements for this network, computed from the SSN."""
    J = ssn.J
    bal = ssn.balanced_state(r)
    lines = [
        f"SSN fit: a = {ssn.a[0]:.4g}, {ssn.a[1]:.4g} Hz (mV/s)^-n; b = {ssn.b[0]:.4g}, {ssn.b[1]:.4g} mV/s; "
        f"n = {ssn.n[0]:.4g}, {ssn.n[1]:.4g}",
        f"Supersaturation possible (Eq 4: r = {r:g} > J_II/J_EI = {J[1, 1] / J[0, 1]:.4g}): "
        f"{bool(ssn.supersaturation_condition(r))}; nu_E falls once nu_I > nu_I* = "
        f"{ssn.supersaturation_threshold(r):.4g} Hz (Eq S6)",
        f"ISN above nu_E = {ssn.isn_threshold():.4g} Hz (Eq 7)",
        f"Balanced state at r = {r:g} (Eq S2/S4): exists = {bal['exists']}, stable = {bal['stable']}",
    ]
    return lines


def paper_ramp(quick: bool):
    """The paper's input ramp, 0 -> 50 mV/s at r = 1 over 50 s (``quick``: over 10 s)."""
    from brianmodels.lif.inputs import from_preset, ramp

    return ramp([(0.0, 0.0), (10.0, 50.0)], r=1.0) if quick else from_preset(PRESET)


def run(out, quick: bool = False, n_jobs=None) -> str:
    """Simulate, solve, compare and draw Fig 2A into ``out``; return the text summary."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from brianmodels import presets, sweep
    from meanfield import compare

    from ._output import save_csv, save_figure, save_json

    out = Path(out)
    net = presets.get(PRESET)
    mu_sim = np.arange(0.0, 50.01, 5.0 if quick else 2.5)
    duration, warmup = (3.0, 1.0) if quick else (11.0, 1.0)
    sim = sweep(net, mu_E=mu_sim, r=1.0, duration=duration, warmup=warmup, seeds=(1,),
                out=out / "ekelmans_fig2a_runs", n_jobs=n_jobs)
    ssn, curves = theory(net, np.linspace(0.0, 50.0, 201))
    cmp = compare(sim.table, curves)  # dense branches, interpolated at the simulated inputs
    ramp = ramp_windows(net, paper_ramp(quick))

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), constrained_layout=True)
    cmp.plot(axes)
    T_ramp = ramp["t_stop"].max()
    for ax, X in zip(axes, ("E", "I")):
        g = ramp[ramp["population"] == X]
        ax.plot(g["mu_E"], g["rate"], "-", color="0.35", lw=0.8,
                label=f"LIF, {T_ramp:g}-s ramp (paper's protocol)")
        ax.legend(fontsize=7, frameon=False)
    fig.suptitle(f"Fig 2A: supersaturating network (N = {net.N_total}, J = {np.round(net.J.ravel(), 2).tolist()} mV, "
                 f"r = 1)", fontsize=10)
    axes[1].axhline(ssn.supersaturation_threshold(1.0), color="0.6", lw=0.8, ls=":",
                    label=r"$\nu_I^*$ (Eq S6)")
    axes[1].legend(fontsize=7, frameon=False)
    save_figure(fig, out / "ekelmans_fig2a.png")
    plt.close(fig)

    save_csv(sim.table, out / "ekelmans_fig2a_simulation.csv")
    for name, table in curves.items():
        save_csv(table, out / f"ekelmans_fig2a_{name.lower()}.csv")
    save_csv(cmp.table, out / "ekelmans_fig2a_comparison.csv")
    save_csv(ramp, out / "ekelmans_fig2a_ramp.csv")
    save_json(dict(network=net.to_dict(), mu_sim=mu_sim.tolist(), duration=duration, warmup=warmup,
                   quick=quick, ssn=ssn.to_dict()), out / "ekelmans_fig2a_params.json")
    peak = lambda t: t.loc[t["rate"].idxmax(), "mu_E"]  # noqa: E731
    ramp_E = ramp[ramp["population"] == "E"]
    sim_E = sim.table[sim.table["population"] == "E"]
    ramp_line = (f"Ramp ({T_ramp:g} s, 1-s windows): E peaks at mu = {peak(ramp_E):.1f} mV/s "
                 f"({ramp_E['rate'].max():.2f} Hz); steady-state runs: {peak(sim_E):.1f} mV/s "
                 f"({sim_E['rate'].max():.2f} Hz)")
    return "\n".join(regime_lines(ssn) + [ramp_line, "", cmp.report()])
