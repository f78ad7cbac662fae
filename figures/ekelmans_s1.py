"""Ekelmans et al. (2023) S1 Fig: SSN regime maps of the Allen V1 network and the Fig 2 network.

Theory only, drawn like Fig 5 (:func:`figures.ekelmans_fig5.regime_panel`):

* A — Allen mouse V1 network of Fig 3A (J = [0.672, 13.17, 23.68, 11.85] mV), mu in [0, 1000] mV/s,
  r in [0, 2]: balanced limit only for r < J_II/J_EI = 0.90; at r = 1 supersaturation starts only
  above ~150 mV/s; ISN needs very large inputs (~1000 mV/s at r ~ 0.1).
* B — supersaturating network of Fig 2 (J = [2, 12, 6, 1] mV), mu in [0, 100] mV/s, r in [0, 1].

Run time: ~10 s (``--quick``: ~3 s).
"""
from __future__ import annotations


from .ekelmans_fig5 import draw_maps

DESCRIPTION = "S1 Fig (Ekelmans 2023): SSN regime maps of the Allen V1 and the Fig 2 networks"
NAME = "ekelmans_s1"
PANELS = {"A": ("allen_v1", (0.0, 1000.0), (0.0, 2.0)),
          "B": ("supersaturating", (0.0, 100.0), (0.0, 1.0))}


def _allen_notes(preset, ssn, mu_E_range):
    if preset != "allen_v1":
        return []
    onset = ssn.supersaturation_onset(1.0, mu_E_max=mu_E_range[1])
    return [f"  Allen, r = 1: supersaturation onset at mu_E = {onset:.4g} mV/s (paper: > 150); "
            f"ISN threshold nu_E = {ssn.isn_threshold():.4g} Hz (paper: > 27 Hz)"]


def run(out, quick: bool = False) -> str:
    """Compute and draw S1 Fig into ``out``; return the text summary."""
    return draw_maps(out, NAME, PANELS, quick, notes=_allen_notes)
