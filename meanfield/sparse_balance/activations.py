"""Rectified response functions of the sparse-balance rate model and their antiderivatives.

The family (Khajeh, Fumarola & Abbott 2022, Eqs 2-3, with the exponent of Eq 3 read as
lambda, see ``theory/sparse_balance.md`` §1.1) is

* ``'tanh'``      rectified tanh, phi(x) = tanh(x) for x > 0, else 0 (Eq 2);
* ``'heaviside'`` phi(x) = 1 for x > 0, else 0 (Eq 3 with lambda = 0);
* ``'relu'``      phi(x) = x for x > 0, else 0 (lambda = 1);
* ``'quadratic'`` phi(x) = x**2 for x > 0, else 0 (lambda = 2);
* a number lambda >= 0: rectified power phi(x) = x**lambda for x > 0, else 0.

Every member vanishes for x <= 0. Only the positive branch is written down (as a sympy
expression); sympy derives the antiderivative Phi (with Phi(0) = 0, needed by the energy
method of ``theory/sparse_balance.md`` §3.3) and the derivative once, and ``lambdify`` turns
them into numpy functions. Where a branch is a monomial c*x**n, the Gaussian
kernels in :mod:`meanfield.quadrature` use closed forms (integer n) or a Gauss-Jacobi rule
(non-integer n) instead of plain quadrature; that is
detected here from the sympy expression, not typed by hand per function.

All quantities are dimensionless (x is the rate-model current, time in units of tau).
"""
from __future__ import annotations

import functools
import math
import numbers
from dataclasses import dataclass
from typing import Callable, Optional, Tuple

import numpy as np

__all__ = ["Activation", "get_activation", "ACTIVATION_NAMES"]

#: named members of the family: name -> exponent lambda of the rectified power (None: tanh)
_NAMED = {"heaviside": 0, "relu": 1, "quadratic": 2, "tanh": None}
ACTIVATION_NAMES = tuple(_NAMED)


@dataclass(frozen=True)
class Activation:
    """A rectified response function with its sympy-derived antiderivative.

    Attributes
    ----------
    name : str
        Canonical name ('tanh', 'heaviside', 'relu', 'quadratic' or 'power<lambda>').
    power : float or None
        Exponent lambda of the rectified power x**lambda; None for rectified tanh.
    phi, Phi, dphi : callable
        Vectorised numpy functions of x (dimensionless current): the response phi(x),
        its antiderivative Phi(x) = int_0^x phi (so Phi = 0 for x <= 0) and the derivative
        phi'(x) away from the kink (the Heaviside delta at 0 is not represented).
    phi_max : float
        Supremum of phi (1 for tanh and Heaviside, inf for unbounded powers).
    phi_monomial, Phi_monomial : tuple (c, n) or None
        (coefficient, exponent) when the positive branch is c*x**n; enables the closed-form
        (integer n) or Gauss-Jacobi (non-integer n) Gaussian integrals of
        :mod:`meanfield.quadrature`.
    phi_expr, Phi_expr : str
        The positive branches as text (for reports).
    """

    name: str
    power: Optional[float]
    phi: Callable[[np.ndarray], np.ndarray]
    Phi: Callable[[np.ndarray], np.ndarray]
    dphi: Callable[[np.ndarray], np.ndarray]
    phi_max: float
    phi_monomial: Optional[Tuple[float, int]]
    Phi_monomial: Optional[Tuple[float, int]]
    phi_expr: str
    Phi_expr: str


def _monomial(expr, x) -> Optional[Tuple[float, float]]:
    """(c, n) if the sympy expression is c*x**n with a real n >= 0, else None."""
    coef, expo = expr.as_coeff_exponent(x)
    if coef.has(x) or not expo.is_real or expo.has(x) or expo < 0:
        return None
    if (coef * x ** expo - expr).simplify() != 0:
        return None
    return float(coef), float(expo)


def _rectified(fun: Callable) -> Callable[[np.ndarray], np.ndarray]:
    """Vectorised x -> fun(x) for x > 0, 0 otherwise (fun only sees positive arguments)."""

    def rect(x):
        x = np.asarray(x, dtype=float)
        pos = x > 0
        xp = np.where(pos, x, 1.0)
        return np.where(pos, np.broadcast_to(fun(xp), x.shape), 0.0)

    return rect


def _check_lambda(value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"phi must be one of {ACTIVATION_NAMES} or a real exponent lambda >= 0, got {value!r}")
    lam = float(value)
    if not math.isfinite(lam) or lam < 0:
        raise ValueError(f"phi: exponent lambda must be finite and >= 0, got {value!r}")
    return lam


def get_activation(phi) -> Activation:
    """Return the :class:`Activation` for a name or an exponent.

    Parameters
    ----------
    phi : str or float or Activation
        'tanh' (rectified tanh, Eq 2), 'heaviside', 'relu', 'quadratic', or a number
        lambda >= 0 for the rectified power x**lambda (Eq 3). Integer-valued numbers map to
        the named members (0 -> 'heaviside', 1 -> 'relu', 2 -> 'quadratic').

    Returns
    -------
    Activation
        Cached; building one costs a sympy integration (~10 ms after sympy is imported).

    Raises
    ------
    ValueError
        Unknown name, negative or non-finite lambda.
    TypeError
        Neither a string nor a real number.
    """
    if isinstance(phi, Activation):
        return phi
    if isinstance(phi, str):
        key = phi.strip().lower()
        if key not in _NAMED:
            raise ValueError(
                f"phi: unknown response function {phi!r}; allowed: {ACTIVATION_NAMES} "
                "or a number lambda >= 0 (rectified power)")
        return _build(key, _NAMED[key])
    lam = _check_lambda(phi)
    for name, power in _NAMED.items():
        if power is not None and lam == power:
            return _build(name, power)
    return _build(f"power{lam:g}", lam)


@functools.lru_cache(maxsize=None)
def _build(name: str, power) -> Activation:
    import sympy as sp  # deferred: keeps `import meanfield` fast

    x = sp.Symbol("x", positive=True)
    if power is None:
        expr = sp.tanh(x)
        phi_max = 1.0
    else:
        expr = x ** sp.nsimplify(power)
        phi_max = 1.0 if power == 0 else math.inf
    Phi_expr = sp.simplify(sp.integrate(expr, (x, 0, x)))  # Phi(0) = 0, Phi' = phi
    d_expr = sp.diff(expr, x)
    lam = functools.partial(sp.lambdify, x, modules="numpy")
    return Activation(
        name=name,
        power=None if power is None else float(power),
        phi=_rectified(lam(expr)),
        Phi=_rectified(lam(Phi_expr)),
        dphi=_rectified(lam(d_expr)),
        phi_max=phi_max,
        phi_monomial=_monomial(expr, x),
        Phi_monomial=_monomial(Phi_expr, x),
        phi_expr=str(expr),
        Phi_expr=str(Phi_expr),
    )
