"""Response functions phi(x) of the sparse-balance rate networks (Khajeh et al. 2022, Eqs 2-3).

One table, three spellings of each function: a NumPy ufunc-style callable (offline statistics,
NumPy reference), an integer code (numba kernels) and a Brian2 expression (C++ standalone).
``meanfield`` keeps its own copy for the DMFT: it must never import ``brianmodels``.

All functions are zero for ``x <= 0``, so "active" (``phi > 0``) is the same as ``x > 0``
(theory ``sparse_balance.md`` §2).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Activation:
    """One rectified response function.

    Attributes
    ----------
    name : str
        Canonical name (``'heaviside'``, ``'tanh'``, ``'relu'``, ``'quadratic'``).
    code : int
        Integer used by the numba kernels (:func:`brianmodels.rate.fastpath.phi_scalar`).
    numpy : callable
        ``numpy(x) -> ndarray``, elementwise phi of a float array (dimensionless).
    brian2 : str
        The same function as a Brian2 expression in the state variable ``x``.
    lam : float
        Exponent lambda of the rectified power family ``[x]_+^lambda`` (Eq 3), or NaN for tanh.
    """

    name: str
    code: int
    numpy: Callable[[np.ndarray], np.ndarray]
    brian2: str
    lam: float


def _heaviside(x):
    return (np.asarray(x) > 0).astype(float)


def _tanh(x):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, np.tanh(np.maximum(x, 0.0)), 0.0)


def _relu(x):
    return np.maximum(np.asarray(x, dtype=float), 0.0)


def _quadratic(x):
    x = np.maximum(np.asarray(x, dtype=float), 0.0)
    return x * x


ACTIVATIONS = {
    "heaviside": Activation("heaviside", 0, _heaviside, "1.0*int(x > 0)", 0.0),   # Eq 3, lambda=0
    "tanh": Activation("tanh", 1, _tanh, "int(x > 0)*tanh(x)", float("nan")),      # Eq 2
    "relu": Activation("relu", 2, _relu, "int(x > 0)*x", 1.0),                      # Eq 3, lambda=1
    "quadratic": Activation("quadratic", 3, _quadratic, "int(x > 0)*x*x", 2.0),     # Eq 3, lambda=2
}
_ALIASES = {"rect_tanh": "tanh", "recttanh": "tanh", "step": "heaviside", "linear": "relu",
            "rectlin": "relu", "rect_linear": "relu", "rectified_linear": "relu", "square": "quadratic"}


def get(name) -> Activation:
    """Return the :class:`Activation` called ``name`` (case-insensitive; a few aliases).

    Raises
    ------
    ValueError
        If ``name`` is not one of ``heaviside``, ``tanh``, ``relu``, ``quadratic``.
    """
    if isinstance(name, Activation):
        return name
    if not isinstance(name, str):
        raise TypeError(f"phi must be a string naming the response function; got {type(name).__name__}")
    key = name.lower()
    key = _ALIASES.get(key, key)
    if key not in ACTIVATIONS:
        raise ValueError(f"phi must be one of {sorted(ACTIVATIONS)}; got {name!r}")
    return ACTIVATIONS[key]
