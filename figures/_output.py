"""Figure outputs: atomic writers (PNG, CSV, JSON side-cars), the Outputs collector, panel letters."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from brianmodels.atomic import atomic_write


def save_figure(fig, path, dpi=150):
    """Save a matplotlib figure atomically (temporary name, then rename)."""
    return atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=dpi, format=Path(path).suffix.lstrip(".")))


def save_csv(df, path):
    """Save a DataFrame as CSV atomically."""
    return atomic_write(path, lambda tmp: df.to_csv(tmp, index=False))


def save_json(obj, path):
    """Save JSON atomically."""
    def write(tmp):
        with open(tmp, "w") as fh:
            json.dump(obj, fh, indent=2, sort_keys=True, default=str)
    return atomic_write(path, write)


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
