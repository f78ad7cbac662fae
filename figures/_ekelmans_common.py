"""Helpers shared by the Ekelmans et al. (2023) figure scripts (figures/ekelmans_*.py).

Plotting conventions (colours E blue / I red as in the paper, stable theory branches solid,
unstable dashed), panel letters, and an :class:`Outputs` collector that writes the PNG, one CSV
per panel and a JSON side-car atomically through :mod:`figures._output`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ._output import save_csv, save_figure, save_json

#: Population colours of the paper (E blue, I red).
COLORS = {"E": "tab:blue", "I": "tab:red"}


def pyplot():
    """matplotlib.pyplot with the non-interactive Agg backend and compact fonts."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 8, "axes.titlesize": 8, "axes.labelsize": 8,
                         "legend.fontsize": 6.5, "xtick.labelsize": 7, "ytick.labelsize": 7})
    return plt


def label_panels(axes: dict):
    """Bold panel letters at the top left of each axes (``{'A': ax, ...}``)."""
    for letter, ax in axes.items():
        ax.text(-0.16, 1.06, letter, transform=ax.transAxes, fontsize=11, fontweight="bold",
                va="bottom", ha="left")


class Outputs:
    """Collects a figure's files in ``out``: ``<name>.png``, ``<name>_<panel>.csv``, params JSON.

    Parameters
    ----------
    out : str or path
        Output folder.
    name : str
        Figure name (e.g. ``'ekelmans_fig5'``).
    """

    def __init__(self, out, name):
        self.out = Path(out)
        self.name = name
        self.files = []

    def csv(self, panel: str, df: pd.DataFrame):
        """Write the data behind ``panel`` as ``<name>_<panel>.csv``."""
        self.files.append(save_csv(df, self.out / f"{self.name}_{panel}.csv"))
        return df

    def png(self, fig, dpi=150):
        """Write the figure as ``<name>.png`` and close it."""
        import matplotlib.pyplot as plt

        self.files.append(save_figure(fig, self.out / f"{self.name}.png", dpi=dpi))
        plt.close(fig)

    def json(self, params: dict):
        """Write the parameters as ``<name>_params.json``."""
        self.files.append(save_json(params, self.out / f"{self.name}_params.json"))


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
