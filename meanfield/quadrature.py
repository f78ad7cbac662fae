"""Plain-float Gaussian quadrature kernels for rectified functions (no parameter handling).

Everything here integrates a function ``h`` that vanishes for arguments <= 0 (a rectified
response phi or its antiderivative Phi, see :mod:`meanfield.sparse_balance.activations`) against standard
normal measures Dz = exp(-z^2/2) dz / sqrt(2 pi). The rectification kink makes plain
Gauss-Hermite converge slowly (``docs/theory/sparse_balance.md`` §3.4 pitfall 5), so

* inner integrals run over the half-line where the argument is positive, with a fixed
  Gauss-Legendre rule mapped onto [max(-a/s, -L), L], or in closed form when h = c x**n with
  integer n (Heaviside, ReLU, their antiderivatives, the quadratic ...);
* outer integrals are split at 0, at the kink z* = -u/sqrt(sigma) and at the edges of the
  region where the inner Gaussian smooths it, into five Gauss-Legendre panels.

All functions are numpy-vectorised over their array arguments. ``L`` is the truncation of the
Gaussian (the mass beyond 9 standard deviations is 2e-19).
"""
from __future__ import annotations

import functools
import math
from typing import Callable, Optional, Tuple

import numpy as np
from scipy.special import erfc, erfcx, roots_jacobi

__all__ = [
    "gauss_legendre", "gauss_jacobi", "power_moment", "gaussian_mean", "two_point",
    "N_INNER", "N_OUTER", "L_TRUNC", "KINK_WIDTH",
]

L_TRUNC = 9.0   #: Gaussian truncation in standard deviations
N_INNER = 40    #: Gauss-Legendre nodes of an inner (half-line) integral
N_OUTER = 24    #: Gauss-Legendre nodes per outer panel (five panels: at 0 and around the kink)
KINK_WIDTH = 8.0  #: half-width of the kink panels, in inner standard deviations

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


@functools.lru_cache(maxsize=None)
def gauss_jacobi(n: int, p: float) -> Tuple[np.ndarray, np.ndarray]:
    """Gauss-Jacobi nodes/weights on [-1, 1] for the weight (1 + t)**p (cached, read-only)."""
    t, w = roots_jacobi(int(n), 0.0, float(p))
    t.setflags(write=False)
    w.setflags(write=False)
    return t, w


@functools.lru_cache(maxsize=None)
def gauss_legendre(n: int) -> Tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes (ascending) and weights on [-1, 1] (cached, read-only).

    Newton's method on the three-term recurrence of the Legendre polynomial P_n, in plain floats:
    unlike ``numpy.polynomial.legendre.leggauss`` (an eigenvalue problem solved by LAPACK) the rule
    has the same bits under every BLAS/LAPACK build, so the tables built from it do too. Nodes
    agree with leggauss to 1 ulp; the weights, computed from the angle, are accurate to ~1e-14
    relative at n = 40 (leggauss: ~7e-13) against 40-digit values.
    """
    n = int(n)
    if n < 1:
        raise ValueError(f"n (number of Gauss-Legendre nodes) must be >= 1; got {n}")
    t, w = np.empty(n), np.empty(n)

    def legendre(x):  # (P_{n-1}(x), P_n(x)) by the three-term recurrence
        p_prev, p = 1.0, x
        for k in range(2, n + 1):
            p_prev, p = p, ((2 * k - 1) * x * p - (k - 1) * p_prev) / k
        return p_prev, p

    for i in range((n + 1) // 2):
        # Newton in the angle (x = cos th), so that 1 - x^2 = sin(th)^2 keeps full precision near
        # the ends; d P_n(cos th) / d th = -n (P_{n-1} - x P_n) / sin th. Tricomi's start.
        th = math.pi * (i + 0.75) / (n + 0.5)
        for _ in range(100):
            x, sn = math.cos(th), math.sin(th)
            p_prev, p = legendre(x)
            dth = p * sn / (n * (p_prev - x * p))          # Newton step: th - P_n / (dP_n/dth)
            th += dth
            if abs(dth) <= 1e-15:
                break
        x, sn = math.cos(th), math.sin(th)
        p_prev, p = legendre(x)
        t[n - 1 - i], t[i] = x, -x
        # w = 2 / ((1 - x^2) P_n'(x)^2) = 2 sin^2 th / (n (P_{n-1} - x P_n))^2
        w[n - 1 - i] = w[i] = 2.0 * sn * sn / (n * (p_prev - x * p)) ** 2
    if n % 2:
        t[n // 2] = 0.0
    t.setflags(write=False)
    w.setflags(write=False)
    return t, w


def _pdf(x):
    return _INV_SQRT_2PI * np.exp(-0.5 * x * x)


def power_moment(n: int, t) -> np.ndarray:
    """E[(t + xi)_+^n] for xi ~ N(0, 1) and integer n >= 0, in closed form.

    Stein's identity gives M_0 = Phi_N(t), M_1 = t Phi_N(t) + pdf(t) and
    M_n = t M_{n-1} + (n-1) M_{n-2}. For t <= 0 the recursion runs on P_n = M_n / pdf(t)
    (P_0 = sqrt(pi/2) erfcx(-t/sqrt 2)), which avoids underflow and most of the
    cancellation far in the lower tail; for t > 0 it runs on M_n directly.
    """
    t = np.clip(np.asarray(t, dtype=float), -50.0, np.inf)  # pdf(-50) underflows to 0 anyway
    neg = t <= 0
    tn = np.where(neg, t, 0.0)
    tp = np.where(neg, 0.0, t)
    # lower half (t <= 0): M_n = pdf(t) P_n(t), P_0 = Mills-type ratio Phi_N(t)/pdf(t)
    R = math.sqrt(math.pi / 2.0) * erfcx(-tn / _SQRT2)
    # upper half (t > 0): the textbook recursion on M_n itself has no cancellation
    m0 = 0.5 * erfc(-tp / _SQRT2)
    lo_prev, lo = R, tn * R + 1.0
    up_prev, up = m0, tp * m0 + _pdf(tp)
    if n == 0:
        lo, up = R, m0
    for k in range(2, n + 1):
        lo_prev, lo = lo, tn * lo + (k - 1) * lo_prev
        up_prev, up = up, tp * up + (k - 1) * up_prev
    return np.where(neg, _pdf(tn) * lo, up)


def _inner_nodes(a, s, n_inner: int):
    """Nodes xi (..., n) and weights*pdf on the half-line where a + s xi > 0 (s > 0)."""
    t, w = gauss_legendre(n_inner)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.clip(-a / s, -L_TRUNC, L_TRUNC)
    half = 0.5 * (L_TRUNC - lo)[..., None]
    xi = lo[..., None] + half * (t + 1.0)
    return xi, half * w * _pdf(xi)


def gaussian_mean(h: Callable, a, s, monomial: Optional[Tuple[float, int]] = None,
                  n_inner: int = N_INNER) -> np.ndarray:
    """Inner integral M(a, s) = int Dxi h(a + s xi) for a rectified h (h = 0 for x <= 0).

    Parameters
    ----------
    h : callable
        Vectorised rectified function.
    a, s : array_like
        Mean and standard deviation (s >= 0) of the Gaussian argument; broadcast together.
    monomial : (c, n) or None
        If h(x) = c x**n for x > 0: for integer n the closed form c s**n M_n(a/s) is used,
        otherwise a Gauss-Jacobi rule with the weight (xi + a/s)**n on the half-line.
    n_inner : int
        Gauss-Legendre nodes on the half-line (generic h only).

    Returns
    -------
    ndarray
        M(a, s), broadcast shape of a and s; equals h(a) where s == 0.
    """
    a, s = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(s, dtype=float))
    pos = s > 0
    s_safe = np.where(pos, s, 1.0)
    if monomial is not None and float(monomial[1]).is_integer():
        c, n = monomial
        val = c * s_safe ** n * power_moment(int(n), a / s_safe)
    elif monomial is not None:
        # c (a + s xi)^p = c s^p (xi - lo)^p on [lo, L]: Gauss-Jacobi takes the endpoint
        # singularity of the non-integer power into its weight
        # (valid where the kink -a/s lies inside [-L, L]; elsewhere the integrand is smooth on
        # the truncated range and plain Gauss-Legendre applies)
        c, p = monomial
        t, w = gauss_jacobi(n_inner, p)
        lo_raw = -a / s_safe
        lo = np.clip(lo_raw, -L_TRUNC, L_TRUNC)
        half = 0.5 * (L_TRUNC - lo)[..., None]
        xi = lo[..., None] + half * (t + 1.0)
        val = c * s_safe ** p * np.sum(half ** (p + 1.0) * w * _pdf(xi), axis=-1)
        wide = lo_raw < -L_TRUNC
        if np.any(wide):
            xi, wx = _inner_nodes(a, s_safe, n_inner)
            smooth = np.sum(wx * h(a[..., None] + s_safe[..., None] * xi), axis=-1)
            val = np.where(wide, smooth, val)
    else:
        xi, wx = _inner_nodes(a, s_safe, n_inner)
        val = np.sum(wx * h(a[..., None] + s_safe[..., None] * xi), axis=-1)
    return np.where(pos, val, h(a))


def _outer_nodes(u, sig, s_in, n_outer: int):
    """Outer nodes z (..., 5n) and weights*pdf on five Gauss-Legendre panels.

    The panel edges are -L, 0, L, the kink z* = -u/sqrt(sig) and z* -+ w, where
    w = KINK_WIDTH * s_in / sqrt(sig) is the width over which the inner integral (standard
    deviation s_in) smooths the kink; for sigma -> sigma0 this feature becomes narrow.
    The edge at 0 keeps every panel within one half of the Gaussian (one 24-node panel
    over [-9, 9] would only reach 2e-6).
    """
    t, w = gauss_legendre(n_outer)
    rs = np.sqrt(sig)
    pos = rs > 0
    rs_safe = np.where(pos, rs, 1.0)
    zk = np.where(pos, -u / rs_safe, np.sign(-u) * np.inf)
    width = np.where(pos, KINK_WIDTH * s_in / rs_safe, np.inf)
    with np.errstate(invalid="ignore"):
        edges = np.stack([np.full_like(zk, -L_TRUNC), np.zeros_like(zk), np.full_like(zk, L_TRUNC),
                          zk - width, zk, zk + width], axis=-1)
    edges = np.sort(np.clip(np.nan_to_num(edges, nan=L_TRUNC), -L_TRUNC, L_TRUNC), axis=-1)
    lo, hi = edges[..., :-1, None], edges[..., 1:, None]
    half = 0.5 * (hi - lo)
    z = (lo + half * (t + 1.0)).reshape(*zk.shape, -1)
    wz = (half * w).reshape(*zk.shape, -1)
    return z, wz * _pdf(z)


def two_point(h: Callable, sigma, u: float, sigma0: float,
              monomial: Optional[Tuple[float, int]] = None,
              n_outer: int = N_OUTER, n_inner: int = N_INNER) -> np.ndarray:
    """Two-time correlation int Dz [ int Dxi h(u + sqrt(sigma) z + sqrt(sigma0 - sigma) xi) ]^2.

    This is E[h(X1) h(X2)] for jointly Gaussian X1, X2 with mean u, variance sigma0 and
    covariance sigma (``docs/theory/sparse_balance.md`` §3.1, C_phi; with h = Phi it is F of §3.3).

    Parameters
    ----------
    h : callable
        Vectorised rectified function (phi or Phi).
    sigma : array_like
        Covariances, 0 <= sigma <= sigma0 (values are clipped into that range).
    u, sigma0 : float
        Mean and variance of the Gaussian current.
    monomial, n_outer, n_inner
        See :func:`gaussian_mean`; ``n_outer`` nodes per panel (five panels).

    Returns
    -------
    ndarray
        Same shape as ``sigma``.
    """
    sig = np.clip(np.asarray(sigma, dtype=float), 0.0, sigma0)
    s_in = np.sqrt(sigma0 - sig)
    z, wz = _outer_nodes(u, sig, s_in, n_outer)
    a = u + np.sqrt(sig)[..., None] * z
    s = s_in[..., None]
    inner = gaussian_mean(h, a, s, monomial=monomial, n_inner=n_inner)
    return np.sum(wz * inner * inner, axis=-1)
