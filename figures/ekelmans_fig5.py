"""Ekelmans et al. (2023) Fig 5: regime maps of the SSN in the input plane (mu_E, r) (mu_I = r mu_E).

Theory only (:mod:`meanfield.ssn.regimes`). Both networks are mapped from their LIF presets
(``SSN.from_network``: power-law fits of Eq 1, couplings of Eq 13):

* A — the bistable network of Fig 4 (J = [5, 10, 7, 11] mV, det J = 15 > 0), mu_E in [0, 15] mV/s,
  r in [0, 5]: stable balanced limit (Eq S2/S4) below r = min(J_II/J_EI, J_IE/J_EE), ISN (Eq 7),
  supersaturation (Eq S6), bistability between the saddle-node folds (F = F' = 0, Eq S10).
* B — the det J < 0 network of Fig 5B/6E (J = [1.25, 1, 1, 1.25] mV), mu_E in [0, 50] mV/s: the
  balanced limit exists only for large r and is unstable; for large input and small r there is no
  steady state (even number of states, parity rule).

Run time: ~10 s (``--quick``: ~3 s on a coarser grid).
"""
from __future__ import annotations

import numpy as np

from ._output import Outputs, label_panels, pyplot

DESCRIPTION = "Fig 5 (Ekelmans 2023): SSN regime maps in (mu_E, r) for det J > 0 and det J < 0"
NAME = "ekelmans_fig5"
#: panel -> (preset, mu_E range (mV/s), r range) as in the paper (``docs/theory/ssn_lif.md`` §13)
PANELS = {"A": ("bistable", (0.0, 15.0), (0.0, 5.0)),
          "B": ("negative_det", (0.0, 50.0), (0.0, 5.0))}


def regime_panel(ax, preset, mu_E_range, r_range, n_mu, n_r, title):
    """Compute and draw one regime map; return (map table, fold table, SSN, summary lines)."""
    from brianmodels import presets
    from meanfield import SSN
    from meanfield.ssn.regimes import plot_regime_map

    ssn = SSN.from_network(presets.get(preset))
    mu_E = np.linspace(*mu_E_range, n_mu)
    r = np.linspace(*r_range, n_r)
    regimes = ssn.regime_map(mu_E, r=r)
    fold_res = ssn.fold_curve(np.linspace(*r_range, max(n_r // 2, 11)), mu_E_range=mu_E_range)
    plot_regime_map(regimes, ax=ax, folds=fold_res, title=title)
    table, folds = regimes.table, fold_res.table
    # the balanced-limit existence boundary (Eq S2): where 'balanced' changes along r
    bal = table.groupby("r")["balanced"].agg(lambda s: s[table.loc[s.index, "mu_E"] > 0].iloc[0])
    change = bal.index[1:][bal.to_numpy()[1:] != bal.to_numpy()[:-1]]
    for rc in change:
        ax.axhline(rc, color="0.5", lw=1.0)
    counts = table["regime"].value_counts().to_dict()
    lines = [f"{title}: det J = {ssn.det_J:.4g} mV^2; regimes on the grid: {counts}",
             f"  balanced limit changes at r = {[round(float(x), 3) for x in change]}; "
             f"{len(folds)} fold points"]
    lines += [f"  {what}: status {res.status}: {res.message}" for what, res in
              (("regime map", regimes), ("folds", fold_res)) if not res.success]
    return table, folds, ssn, lines


def draw_maps(out, name, panels, quick, notes=None) -> str:
    """Draw one regime map per panel side by side into ``out`` (PNG, CSVs, JSON).

    Parameters
    ----------
    out : path
        Output folder.
    name : str
        Figure name (file prefix).
    panels : dict
        Panel letter -> (preset, mu_E range (mV/s), r range).
    quick : bool
        Coarser grids.
    notes : callable, optional
        ``notes(preset, ssn, mu_E_range) -> list of str``: extra summary lines per panel.

    Returns
    -------
    str
        The summary.
    """
    plt = pyplot()
    o = Outputs(out, name)
    n_mu, n_r = (61, 41) if quick else (201, 151)
    fig, axes = plt.subplots(1, len(panels), figsize=(10, 4.2), constrained_layout=True)
    lines, params = [], {"quick": quick, "n_mu": n_mu, "n_r": n_r}
    for ax, (panel, (preset, mu_E_range, r_range)) in zip(axes, panels.items()):
        title = f"{panel}: {preset} network"
        table, folds, ssn, text = regime_panel(ax, preset, mu_E_range, r_range, n_mu, n_r, title)
        ax.set_title(f"{title} (J = {np.round(ssn.J.ravel(), 2).tolist()} mV, det J = {ssn.det_J:.3g})")
        o.csv(panel, table)
        o.csv(f"{panel}_folds", folds)
        params[panel] = dict(preset=preset, mu_E_range=mu_E_range, r_range=r_range, ssn=ssn.to_dict())
        lines += text + (notes(preset, ssn, mu_E_range) if notes else [])
    label_panels(dict(zip(panels, axes)))
    o.png(fig)
    o.json(params)
    return "\n".join(lines)


def run(out, quick: bool = False) -> str:
    """Compute and draw Fig 5 into ``out``; return the text summary."""
    return draw_maps(out, NAME, PANELS, quick)
