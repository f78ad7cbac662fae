"""Scripts that reproduce the figures of the two papers: ``python -m figures NAME [--quick] [--out DIR]``.

Each figure is a module ``figures/<paper>_<figure>.py`` (``ekelmans_*`` for Ekelmans et al. 2023,
``khajeh_*`` for Khajeh et al. 2022) with a one-line ``DESCRIPTION`` and a function
``run(out, quick=False) -> str`` that writes a PNG laid out like the paper's figure and a CSV of
the data behind every panel into ``out``, and returns a text summary (its ``compare`` report
where simulation meets theory). Modules are discovered by name, so adding a figure is adding a
file.
"""
from __future__ import annotations

import importlib
import pkgutil

PREFIXES = ("ekelmans_", "khajeh_")


def names() -> list[str]:
    """Figure names, sorted (``python -m figures list`` prints one per line)."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith(PREFIXES))


def load(name: str):
    """The module of figure ``name`` (ValueError for unknown names)."""
    if name not in names():
        raise ValueError(f"unknown figure {name!r}; choose from: {', '.join(names())}")
    return importlib.import_module(f"{__name__}.{name}")
