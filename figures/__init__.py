"""Scripts that reproduce the figures of the two papers: ``python -m figures NAME [--quick] [--out DIR]``.

Each figure is a module ``figures/<name>.py`` with a function ``run(out, quick)`` that writes a
PNG laid out like the paper's figure and a CSV of the data behind every panel into ``out``, and
returns a text summary (its ``compare`` report where simulation meets theory).
"""
FIGURES = {
    # name: (module, one-line description)
    "ekelmans_fig2a": ("figures.ekelmans_fig2a",
                       "Fig 2A (Ekelmans 2023): supersaturating network, simulation vs SSN and Phi_sc"),
}


def names():
    """Figure names, one per line for ``python -m figures list``."""
    return list(FIGURES)
