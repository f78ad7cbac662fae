"""Helpers shared by the Ekelmans et al. (2023) figure scripts (figures/ekelmans_*.py).

Plotting conventions (colours E blue / I red as in the paper, stable theory branches solid,
unstable dashed); panel letters and the :class:`~figures._output.Outputs` collector come from
:mod:`figures._output`.
"""
from __future__ import annotations


import numpy as np
import pandas as pd


#: Population colours of the paper (E blue, I red).
COLORS = {"E": "tab:blue", "I": "tab:red"}


def runs(table: pd.DataFrame, x="mu"):
    """Split a theory branch table (``branch``, ``order``, ``stable``) into runs of equal stability.

    Yields ``(stable, run_dataframe)``; consecutive runs share their end points so the drawn
    curve is continuous through stability changes.
    """
    if not len(table):
        return
    key = ["branch", "order"] if "order" in table.columns else ["branch", x]
    for _, g in table.sort_values(key).groupby("branch", sort=False):
        s = g["stable"].to_numpy(bool)
        cut = np.nonzero(s[1:] != s[:-1])[0] + 1
        edges = np.r_[0, cut, len(g)]
        for lo, hi in zip(edges[:-1], edges[1:]):
            yield bool(s[lo]), g.iloc[max(lo - 1, 0) if lo else 0:hi]


def plot_branches(ax, table, y, *, x="mu", color="k", label=None, lw=1.2, unstable=True, **kw):
    """Theory branches of ``table`` on ``ax``: stable solid (or ``ls``), unstable dashed/dotted (label once)."""
    first = True
    ls_stable = kw.pop("ls", "-")
    for stable, g in runs(table, x):
        if not stable and not unstable:
            continue
        ax.plot(g[x], g[y], ls=ls_stable if stable else (0, (1, 1.5)) if ls_stable != "-" else "--",
                color=color, lw=lw if stable else 0.8 * lw, label=label if (first and stable) else None, **kw)
        first = first and not stable
    return ax


def stable_curve(table, y, x="mu"):
    """Largest-nu stable branch value per x (for a one-valued comparison), as a Series."""
    st = table[table["stable"]]
    return st.groupby(x)[y].max()


def theory_long(table, name, extra=()):
    """Long CSV form of a theory sweep: one row per state x population."""
    cols = [c for c in ("N", "mu_hat", "mu", "mu_E", "mu_I", "r", "branch", "order", "stable", "isn",
                        *extra) if c in table.columns]
    frames = []
    for X in ("E", "I"):
        f = table[cols].copy()
        f.insert(0, "population", X)
        f.insert(0, "source", name)
        f["rate"] = table[f"nu_{X}"].to_numpy()
        frames.append(f)
    return pd.concat(frames, ignore_index=True)
