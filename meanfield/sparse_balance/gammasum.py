"""Gamma-sum prediction for the synaptic input of sparse-balance networks (Eqs 9-12).

Khajeh, Fumarola & Abbott 2022: with gamma-distributed weights of mean J0/sqrt(K) and variance
g^2/K^nu, the weights are gamma(kappa, theta) with (Eq 9)

    kappa = J0^2 / g^2 * K^(nu - 1),    theta = g^2 / J0 * K^(1/2 - nu).

For a Heaviside response, eta_i is the sum of the f K weights of the active inputs, hence
(Eq 10) eta ~ gamma(alpha, theta) with alpha = f K kappa, mean alpha theta = J0 f sqrt(K)
(Eq 11) and variance alpha theta^2 = g^2 f K^(1-nu) (Eq 12). eta is the paper's positive
quantity (the network's input is -eta). Everything is dimensionless.
"""
from __future__ import annotations

import math
from typing import Tuple

from .._validate import check_finite, check_float

__all__ = ["weight_gamma_params", "eta_gamma_params", "eta_distribution", "eta_pdf", "eta_cdf"]


def _pos(name, v, *, strict=True, upper=None):
    """A finite real >= 0 (> 0 if ``strict``), <= ``upper`` if given; see ``_validate.check_float``."""
    return check_float(v, name, 0.0, math.inf if upper is None else upper, low_inclusive=not strict)


def _eta(eta):
    """Points at which the density/CDF of eta is evaluated (finite reals, any shape)."""
    return check_finite(eta, "eta")


def weight_gamma_params(J0: float, g: float, K: float, nu: float = 0.5) -> Tuple[float, float]:
    """Shape kappa and scale theta of the gamma weight distribution (Eq 9).

    Parameters
    ----------
    J0 : float
        Mean-coupling strength (weight mean J0/sqrt(K)), > 0.
    g : float
        Weight spread (weight variance g^2/K^nu), > 0.
    K : float
        In-degree, > 0.
    nu : float
        Variance exponent (1/2: high variance, 1: low variance), >= 0.

    Returns
    -------
    (kappa, theta) : tuple of float
        Shape (dimensionless) and scale (weight units) with kappa*theta = J0/sqrt(K) and
        kappa*theta^2 = g^2/K^nu.
    """
    J0, g, K = _pos("J0", J0), _pos("g", g), _pos("K", K)
    nu = _pos("nu", nu, strict=False)
    return J0 ** 2 / g ** 2 * K ** (nu - 1.0), g ** 2 / J0 * K ** (0.5 - nu)


def eta_gamma_params(f: float, J0: float, g: float, K: float, nu: float = 0.5) -> Tuple[float, float]:
    """Shape alpha = f K kappa and scale theta of the synaptic input eta (Eq 10).

    Parameters
    ----------
    f : float
        Fraction of active units, 0 < f <= 1 (from a simulation or :func:`meanfield.dmft`).
    J0, g, K, nu
        As in :func:`weight_gamma_params`.

    Returns
    -------
    (alpha, theta) : tuple of float
        Mean alpha*theta = J0 f sqrt(K) (Eq 11), variance alpha*theta^2 = g^2 f K^(1-nu) (Eq 12).
    """
    f = _pos("f", f, upper=1.0)
    kappa, theta = weight_gamma_params(J0, g, K, nu)
    return f * K * kappa, theta


def eta_distribution(f: float, J0: float, g: float, K: float, nu: float = 0.5):
    """Frozen ``scipy.stats.gamma`` distribution of eta (Eq 10); see :func:`eta_gamma_params`."""
    from scipy.stats import gamma
    alpha, theta = eta_gamma_params(f, J0, g, K, nu)
    return gamma(alpha, scale=theta)


def eta_pdf(eta, f: float, J0: float, g: float, K: float, nu: float = 0.5):
    """Probability density of eta at the given values (array_like), Eq 10."""
    eta = _eta(eta)
    return eta_distribution(f, J0, g, K, nu).pdf(eta)


def eta_cdf(eta, f: float, J0: float, g: float, K: float, nu: float = 0.5):
    """Cumulative distribution of eta at the given values (array_like), Eq 10."""
    eta = _eta(eta)
    return eta_distribution(f, J0, g, K, nu).cdf(eta)
