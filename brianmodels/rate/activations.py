"""The one table of response functions phi(x) of the sparse-balance rate model (Khajeh et al. 2022, Eqs 2-3).

Used by the simulation (this package) and by the theory (:mod:`meanfield.sparse_balance`, which
imports this module: the import direction is theory -> foundation, never the reverse). Both
accept the same names, through :func:`get`:

* ``'tanh'``      rectified tanh, phi(x) = tanh(x) for x > 0, else 0 (Eq 2);
* ``'heaviside'`` phi(x) = 1 for x > 0, else 0 (Eq 3 with lambda = 0);
* ``'relu'``      phi(x) = x for x > 0, else 0 (lambda = 1);
* ``'quadratic'`` phi(x) = x**2 for x > 0, else 0 (lambda = 2);
* aliases (case-insensitive): ``rect_tanh``, ``recttanh`` -> tanh; ``step`` -> heaviside;
  ``linear``, ``rectlin``, ``rect_linear``, ``rectified_linear`` -> relu; ``square`` -> quadratic;
* a number lambda >= 0: the rectified power x**lambda (Eq 3); 0, 1, 2 are the named members.
  Only the four named members have simulation kernels; other exponents are theory-only.

Each entry carries every spelling of its function:

``numpy`` (= ``phi``)
    Vectorised NumPy phi (offline statistics, the NumPy reference path, the DMFT quadrature).
``code``
    Integer of the numba kernels (:func:`brianmodels.rate.fastpath.phi_scalar`); None for
    theory-only exponents.
``brian2``
    The same function as a Brian2 expression in the state variable ``x`` (C++ standalone).
``Phi``, ``dphi``, ``phi_monomial``, ``Phi_monomial``, ``phi_expr``, ``Phi_expr``
    Derived by sympy from the positive branch on first use (sympy is imported only then, so the
    simulation never loads it): the antiderivative Phi(x) = int_0^x phi (Phi = 0 for x <= 0, used
    by the energy method of ``docs/theory/sparse_balance.md`` §3.3), the derivative away from the
    kink, and (c, n) when the branch is the monomial c x**n, which lets the Gaussian kernels of
    :mod:`meanfield.quadrature` use closed forms (integer n) or a Gauss-Jacobi rule.

All functions vanish for x <= 0, so "active" (phi > 0) is the same as x > 0
(``docs/theory/sparse_balance.md`` §2). Everything is dimensionless (x is the rate-model current,
time in units of tau). This module needs only NumPy at import (no brian2, numba or sympy).
"""
from __future__ import annotations

import functools
import math
import numbers
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Optional

import numpy as np

__all__ = ["Activation", "get", "get_activation", "ACTIVATIONS", "ACTIVATION_NAMES", "ALIASES"]


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


def _rectified(fun: Callable) -> Callable[[np.ndarray], np.ndarray]:
    """Vectorised x -> fun(x) for x > 0, 0 otherwise (fun only sees positive arguments)."""

    def rect(x):
        x = np.asarray(x, dtype=float)
        pos = x > 0
        xp = np.where(pos, x, 1.0)
        return np.where(pos, np.broadcast_to(fun(xp), x.shape), 0.0)

    return rect


@dataclass(frozen=True)
class Activation:
    """One rectified response function, in every spelling the packages use.

    Attributes
    ----------
    name : str
        Canonical name: ``'heaviside'``, ``'tanh'``, ``'relu'``, ``'quadratic'`` or
        ``'power<lambda>'`` (theory-only exponents).
    power : float or None
        Exponent lambda of the rectified power ``[x]_+^lambda`` (Eq 3); None for tanh (Eq 2).
    numpy : callable
        ``numpy(x) -> ndarray``: elementwise phi of a float array (dimensionless).
    code : int or None
        Integer of the numba kernels (:func:`brianmodels.rate.fastpath.phi_scalar`); None when
        there is no simulation kernel.
    brian2 : str or None
        The same function as a Brian2 expression in ``x``; None without a simulation kernel.
    phi_max : float
        Supremum of phi (1 for tanh and Heaviside, inf for unbounded powers).
    """

    name: str
    power: Optional[float]
    numpy: Callable[[np.ndarray], np.ndarray]
    code: Optional[int]
    brian2: Optional[str]
    phi_max: float

    # ------------------------------------------------------------------ plain aliases
    @property
    def phi(self) -> Callable[[np.ndarray], np.ndarray]:
        """The response phi(x) (same callable as :attr:`numpy`)."""
        return self.numpy

    @property
    def lam(self) -> float:
        """Exponent lambda (Eq 3), NaN for the rectified tanh."""
        return math.nan if self.power is None else float(self.power)

    # ------------------------------------------------------------------ sympy-derived, lazy
    @cached_property
    def _sym(self) -> dict:
        return _symbolic(self.name, self.power)

    @property
    def Phi(self) -> Callable[[np.ndarray], np.ndarray]:
        """Antiderivative Phi(x) = int_0^x phi (0 for x <= 0), vectorised."""
        return self._sym["Phi"]

    @property
    def dphi(self) -> Callable[[np.ndarray], np.ndarray]:
        """Derivative phi'(x) away from the kink (the Heaviside delta at 0 is not represented)."""
        return self._sym["dphi"]

    @property
    def phi_monomial(self):
        """(c, n) when the positive branch of phi is c x**n, else None."""
        return self._sym["phi_monomial"]

    @property
    def Phi_monomial(self):
        """(c, n) when the positive branch of Phi is c x**n, else None."""
        return self._sym["Phi_monomial"]

    @property
    def phi_expr(self) -> str:
        """Positive branch of phi as text."""
        return self._sym["phi_expr"]

    @property
    def Phi_expr(self) -> str:
        """Positive branch of Phi as text."""
        return self._sym["Phi_expr"]


ACTIVATIONS = {
    "heaviside": Activation("heaviside", 0.0, _heaviside, 0, "1.0*int(x > 0)", 1.0),   # Eq 3, lambda=0
    "tanh": Activation("tanh", None, _tanh, 1, "int(x > 0)*tanh(x)", 1.0),             # Eq 2
    "relu": Activation("relu", 1.0, _relu, 2, "int(x > 0)*x", math.inf),               # Eq 3, lambda=1
    "quadratic": Activation("quadratic", 2.0, _quadratic, 3, "int(x > 0)*x*x", math.inf),  # lambda=2
}
#: canonical names, in the order of Eq 3 then Eq 2
ACTIVATION_NAMES = tuple(ACTIVATIONS)
#: alternative spellings accepted by :func:`get` (lower case)
ALIASES = {"rect_tanh": "tanh", "recttanh": "tanh", "step": "heaviside", "linear": "relu",
           "rectlin": "relu", "rect_linear": "relu", "rectified_linear": "relu", "square": "quadratic"}


def get(phi) -> Activation:
    """Return the :class:`Activation` for a name, an alias or an exponent.

    Parameters
    ----------
    phi : str or float or Activation
        ``'tanh'`` (rectified tanh, Eq 2), ``'heaviside'``, ``'relu'``, ``'quadratic'``, one of
        :data:`ALIASES` (case-insensitive), or a number lambda >= 0 for the rectified power
        x**lambda (Eq 3; 0, 1, 2 give the named members).

    Returns
    -------
    Activation

    Raises
    ------
    ValueError
        Unknown name, negative or non-finite lambda.
    TypeError
        Neither a string nor a real number.

    Examples
    --------
    >>> import numpy as np
    >>> from brianmodels.rate import activations
    >>> phi = activations.get("tanh")                  # rectified tanh, Eq 2
    >>> phi.numpy(np.array([-1.0, 0.0, 0.5])).round(3).tolist()
    [0.0, 0.0, 0.462]
    >>> phi.brian2, phi.phi_max
    ('int(x > 0)*tanh(x)', 1.0)
    >>> activations.get("linear").name, activations.get(2).name, activations.get(1.5).name
    ('relu', 'quadratic', 'power1.5')
    """
    if isinstance(phi, Activation):
        return phi
    if isinstance(phi, str):
        key = phi.strip().lower()
        key = ALIASES.get(key, key)
        if key not in ACTIVATIONS:
            raise ValueError(f"phi must be one of {sorted(ACTIVATIONS)} (or an alias "
                             f"{sorted(ALIASES)}, or a number lambda >= 0 for the rectified power); "
                             f"got {phi!r}")
        return ACTIVATIONS[key]
    if isinstance(phi, bool) or not isinstance(phi, numbers.Real):
        raise TypeError(f"phi must be a string naming the response function {ACTIVATION_NAMES} or a "
                        f"real exponent lambda >= 0; got {type(phi).__name__} {phi!r}")
    lam = float(phi)
    if not math.isfinite(lam) or lam < 0:
        raise ValueError(f"phi: exponent lambda must be finite and >= 0; got {phi!r}")
    for act in ACTIVATIONS.values():
        if act.power is not None and lam == act.power:
            return act
    return _power(lam)


#: the theory side's name for :func:`get`
get_activation = get


@functools.lru_cache(maxsize=None)
def _power(lam: float) -> Activation:
    """Theory-only rectified power x**lam (no simulation kernel)."""
    import sympy as sp  # deferred: only theory-only exponents need it for phi itself

    x = sp.Symbol("x", positive=True)
    fun = _rectified(sp.lambdify(x, x ** sp.nsimplify(lam), modules="numpy"))
    return Activation(f"power{lam:g}", lam, fun, None, None, math.inf)


def _monomial(expr, x):
    """(c, n) if the sympy expression is c*x**n with a real n >= 0, else None."""
    coef, expo = expr.as_coeff_exponent(x)
    if coef.has(x) or not expo.is_real or expo.has(x) or expo < 0:
        return None
    if (coef * x ** expo - expr).simplify() != 0:
        return None
    return float(coef), float(expo)


@functools.lru_cache(maxsize=None)
def _symbolic(name: str, power) -> dict:
    """Phi, phi', monomial forms and text of one member, derived once by sympy (~10 ms)."""
    import sympy as sp  # deferred: keeps the simulation and `import meanfield` free of sympy

    x = sp.Symbol("x", positive=True)
    expr = sp.tanh(x) if power is None else x ** sp.nsimplify(power)
    Phi_expr = sp.simplify(sp.integrate(expr, (x, 0, x)))  # Phi(0) = 0, Phi' = phi
    lam = functools.partial(sp.lambdify, x, modules="numpy")
    return dict(Phi=_rectified(lam(Phi_expr)), dphi=_rectified(lam(sp.diff(expr, x))),
                phi_monomial=_monomial(expr, x), Phi_monomial=_monomial(Phi_expr, x),
                phi_expr=str(expr), Phi_expr=str(Phi_expr))
