"""Response functions phi of the sparse-balance rate model, for the DMFT.

The table lives in :mod:`brianmodels.rate.activations` (one table for the simulation and the
theory, accepting the same names; plain NumPy at import, sympy on first use of Phi). This module
re-exports it under the theory's names: :func:`get_activation` is
:func:`brianmodels.rate.activations.get`.
"""
from __future__ import annotations

from brianmodels.rate.activations import ACTIVATION_NAMES, ALIASES, Activation, get_activation

__all__ = ["Activation", "get_activation", "ACTIVATION_NAMES", "ALIASES"]
