"""Ricciardi (Siegert) transfer function of the LIF neuron, its derivatives and the ISI CV.

The LIF neuron ``dV/dt = -V/tau + mu + sigma xi(t)`` (threshold ``theta``, reset ``v_reset``,
refractory period ``t_ref``) fires at the stationary rate (Ekelmans et al. 2023, Eq 9)

    nu = 1 / (t_ref + tau sqrt(pi) I),   I = int_{y_R}^{y_Theta} f(u) du,   f(u) = e^{u^2} (1 + erf u),

    y_Theta = (theta - mu tau) / (sigma sqrt(tau)),   y_R = (v_reset - mu tau) / (sigma sqrt(tau)).

Units: mu in mV/s, sigma in mV/sqrt(s), tau and t_ref in s, theta and v_reset in mV, rates in Hz.

Numerical method (all in double precision, vectorised)
------------------------------------------------------
``f(u) = erfcx(-u)``. With ``E(x) = int_0^x erfcx(s) ds`` (x >= 0) and the Dawson function ``D``
the antiderivative ``F(y) = int_0^y f`` is exactly

    F(y) = -E(-y)                          (y <= 0)
    F(y) = 2 e^{y^2} D(y) - E(y)           (y > 0, because f(u) = 2 e^{u^2} - erfcx(u)),

so ``I = F(y_Theta) - F(y_R)`` needs only ``E`` and ``scipy.special.dawsn``. Where ``y_Theta > 0`` the
factor ``e^{y_Theta^2}`` is pulled out analytically (``I = Q e^{s}``, ``s = y_Theta^2``), so the rate
``e^{-s} / (t_ref e^{-s} + tau sqrt(pi) Q)`` underflows gracefully far below threshold and never
overflows. ``E`` is tabulated once (on first use) as piecewise Chebyshev interpolants on [0, 25]
built by Gauss-Legendre quadrature of ``erfcx``; beyond 25 the exact asymptotic form
``E(x) = (ln x - K(1/x^2)) / sqrt(pi) + c_inf`` is used, with ``K`` the (convergent to 1e-16)
term-by-term integral of the asymptotic series of ``sqrt(pi) x erfcx(x) - 1``. When both
``y`` are beyond 25 (mean-driven, weak noise) the difference is formed as ``log1p(L / x_Theta)``, which
reproduces the deterministic limit ``tau ln((mu tau - v_reset)/(mu tau - theta))`` without cancellation.
Relative accuracy against 30-digit quadrature: better than 1e-12 over mu in [-2000, 2000] mV/s,
sigma in [0.1, 50] mV/sqrt(s), tau in [1, 100] ms (tests/meanfield/lif/test_transfer.py).
"""
from __future__ import annotations

import functools
import math

import numpy as np

from .._validate import broadcast, check_bool, check_finite, check_nonnegative, check_positive

__all__ = ["phi", "phi_grad", "phi_deterministic", "cv_isi"]

_SQRT_PI = math.sqrt(math.pi)
_X_ASYM = 25.0        # E(x) uses its asymptotic form for x >= _X_ASYM
_N_INT = 200          # Chebyshev pieces on [0, _X_ASYM] (width 0.125)
_DEG = 10             # degree of each piece (max rel. error 2e-15, see tests)
_H = _X_ASYM / _N_INT
_K_TERMS = 8          # terms of the series K(t), t <= 1/_X_ASYM**2 (last term < 1e-19)


# ----------------------------------------------------------------------------- E(x) = int_0^x erfcx
def _K_coefficients():
    """Coefficients k_m of K(t) = sum_m k_m t^m = 1/2 int_0^t g(t')/t' dt', where
    g(t) = sqrt(pi) x erfcx(x) - 1 ~ sum_m (-1)^m (2m-1)!! (t/2)^m, t = 1/x^2 (A&S 7.1.23)."""
    out, dfact = [], 1.0
    for m in range(1, _K_TERMS + 1):
        dfact *= 2 * m - 1
        out.append(0.5 * (-1) ** m * dfact / (2.0 ** m * m))
    return np.array(out)


def _K(t):
    """K(t) by Horner, for an array t in [0, 1/_X_ASYM**2]."""
    k = _K_COEF
    p = np.full_like(t, k[-1])
    for c in k[-2::-1]:
        p = p * t + c
    return p * t


_K_COEF = _K_coefficients()


def _chebyshev_to_monomial(n):
    """(n, n) matrix M with T_k(s) = sum_m M[k, m] s^m (Chebyshev polynomials of the first kind).

    Built by the recurrence T_{k+1} = 2 s T_k - T_{k-1}; every entry is an integer below 2^n, so the
    matrix is exact in double precision for n <= 53.
    """
    M = np.zeros((n, n))
    M[0, 0] = 1.0
    if n > 1:
        M[1, 1] = 1.0
    for k in range(2, n):
        M[k, 1:] = 2.0 * M[k - 1, :-1]
        M[k] -= M[k - 2]
    return M


@functools.lru_cache(maxsize=None)
def _E_table():
    """Monomial coefficients (in the local variable s in [-1, 1]) of the pieces of E, and c_inf.

    Returns ``coef`` of shape ``(_DEG + 1, _N_INT)`` (row k: coefficient of s^k) and ``c_inf``.
    Built from erfcx by Gauss-Legendre quadrature (30 nodes per sub-interval, exact to rounding
    for this entire integrand on intervals of length <= 0.25) and Chebyshev interpolation at the
    first-kind points. The interpolation coefficients come from the closed-form discrete cosine
    transform and are converted to monomials with the exact integer matrix of
    :func:`_chebyshev_to_monomial`, with elementwise products and sums only: no least-squares solve
    (whose last bits depend on the BLAS kernel) and no helper that trims zero coefficients (such as
    ``numpy.polynomial.chebyshev.cheb2poly``, which shortened a piece whose top coefficient came out
    exactly 0.0 under some OpenBLAS kernels), so the shape is fixed and the table's bits do not
    depend on the BLAS/LAPACK library.
    """
    from scipy.special import erfcx

    from ..quadrature import gauss_legendre

    gx, gw = gauss_legendre(30)   # plain-float Newton rule: no LAPACK

    def integral(a, b):  # int_a^b erfcx, vectorised over arrays a, b
        mid, half = 0.5 * (a + b), 0.5 * (b - a)
        return (erfcx(mid[..., None] + half[..., None] * gx) * gw).sum(-1) * half

    n = _DEG + 1
    left = np.arange(_N_INT) * _H
    E_left = np.concatenate([[0.0], np.cumsum(integral(left, left + _H))])[:-1]
    # Chebyshev points of the first kind in each piece, s_j = cos(theta_j)
    theta = [math.pi * (j + 0.5) / n for j in range(n)]
    nodes = np.array([math.cos(t) for t in theta])
    x = left[:, None] + 0.5 * _H * (nodes[None, :] + 1.0)
    vals = E_left[:, None] + integral(np.broadcast_to(left[:, None], x.shape), x)   # (_N_INT, n)
    # interpolant sum_k c_k T_k(s): c_k = (2/n) sum_j vals_j T_k(s_j), c_0 halved (DCT-II)
    Tkj = np.array([[math.cos(k * t) for t in theta] for k in range(n)])          # T_k(s_j)
    cheb = (2.0 / n) * (vals[:, None, :] * Tkj[None, :, :]).sum(-1)                # (_N_INT, n)
    cheb[:, 0] *= 0.5
    M = _chebyshev_to_monomial(n)
    coef = (cheb[:, :, None] * M[None, :, :]).sum(1).T                             # (n, _N_INT)
    E_end = E_left[-1] + integral(np.array([left[-1]]), np.array([_X_ASYM]))[0]
    t0 = 1.0 / _X_ASYM ** 2
    c_inf = E_end - (math.log(_X_ASYM) - float(_K(np.array([t0]))[0])) / _SQRT_PI
    return np.ascontiguousarray(coef), c_inf


def _E(x):
    """E(x) = int_0^x erfcx(s) ds for an array x >= 0 (relative accuracy ~1e-15)."""
    coef, c_inf = _E_table()
    out = np.empty_like(x)
    small = x < _X_ASYM
    if small.all():
        xs = x
    else:
        xl = x[~small]
        out[~small] = (np.log(xl) - _K(1.0 / (xl * xl))) / _SQRT_PI + c_inf
        xs = x[small]
    if xs.size:
        idx = np.minimum((xs * (1.0 / _H)).astype(np.intp), _N_INT - 1)
        s = (xs - (idx + 0.5) * _H) * (2.0 / _H)
        p = coef[_DEG][idx]
        for k in range(_DEG - 1, -1, -1):
            p *= s
            p += coef[k][idx]
        if small.all():
            return p
        out[small] = p
    return out


def _E_diff(x_hi, x_lo):
    """E(x_hi) - E(x_lo) for arrays x_hi > x_lo >= 0, without cancellation when both are large."""
    out = np.empty_like(x_hi)
    both = x_lo >= _X_ASYM
    if both.any():
        h, lo = x_hi[both], x_lo[both]
        out[both] = (np.log1p((h - lo) / lo) - _K(1.0 / (h * h)) + _K(1.0 / (lo * lo))) / _SQRT_PI
        rest = ~both
        out[rest] = _E(x_hi[rest]) - _E(x_lo[rest])
    else:
        out[:] = _E(x_hi) - _E(x_lo)
    return out


# ----------------------------------------------------------------------------- the integral of Eq 9
def _scaled_integral(yT, yR):
    """Return (Q, s) with I = int_{yR}^{yT} e^{u^2}(1+erf u) du = Q e^{s}, s = max(yT, 0)^2.

    yT > yR elementwise (1-D float arrays of equal length).
    """
    from scipy.special import dawsn

    Q = np.empty_like(yT)
    s = np.zeros_like(yT)
    neg = yT <= 0.0
    if neg.any():                                   # mean-driven: both limits <= 0
        Q[neg] = _E_diff(-yR[neg], -yT[neg])
    pos = ~neg
    if pos.any():
        t, r = yT[pos], yR[pos]
        s_p = t * t
        s[pos] = s_p
        eps = np.exp(-s_p)
        q = 2.0 * dawsn(t)
        rneg = r <= 0.0
        # F(yT) - F(yR) with F(y) = 2 e^{y^2} D(y) - E(y) (y > 0), -E(-y) (y <= 0)
        q -= eps * (_E(t) - _E(np.abs(r)))
        if not rneg.all():
            rp = np.where(rneg, 0.0, r)
            # e^{yR^2 - yT^2} = e^{-(yT - yR)(yT + yR)}
            q -= np.where(rneg, 0.0, 2.0 * np.exp(-(t - rp) * (t + rp)) * dawsn(rp))
        Q[pos] = q
    return Q, s


def _prepare(mu, sigma, tau, theta, v_reset, t_ref, allow_zero_sigma=False):
    """Validate and broadcast the arguments of :func:`phi`; returns flat arrays and the shape."""
    mu = check_finite(mu, "mu")
    sigma = (check_nonnegative if allow_zero_sigma else check_positive)(sigma, "sigma", "mV/sqrt(s)")
    tau = check_positive(tau, "tau", "s")
    theta = check_finite(theta, "theta")
    v_reset = check_finite(v_reset, "v_reset")
    t_ref = check_nonnegative(t_ref, "t_ref", "s")
    arrs = broadcast(mu=mu, sigma=sigma, tau=tau, theta=theta, v_reset=v_reset, t_ref=t_ref)
    if np.any(arrs[3] <= arrs[4]):
        raise ValueError(f"theta must be > v_reset (mV); got theta={theta.tolist()}, "
                         f"v_reset={v_reset.tolist()}")
    shape = arrs[0].shape
    return [a.ravel() for a in arrs], shape


# ----------------------------------------------------------------------------- scalar fast path
# The same formulas as _E / _scaled_integral / _core, written with Python floats: for the 2-element
# calls of the self-consistency solvers numpy's per-call overhead dominates (~10x slower).
@functools.lru_cache(maxsize=None)
def _E_rows():
    coef, c_inf = _E_table()
    return [tuple(col) for col in coef.T], c_inf


def _E_scalar(x):
    rows, c_inf = _E_rows()
    if x >= _X_ASYM:
        return (math.log(x) - _K_scalar(1.0 / (x * x))) / _SQRT_PI + c_inf
    i = min(int(x * (1.0 / _H)), _N_INT - 1)
    s = (x - (i + 0.5) * _H) * (2.0 / _H)
    c = rows[i]
    p = c[_DEG]
    for k in range(_DEG - 1, -1, -1):
        p = p * s + c[k]
    return p


def _K_scalar(t):
    p = 0.0
    for c in _K_COEF_T:
        p = p * t + c
    return p * t


_K_COEF_T = tuple(float(c) for c in _K_COEF[::-1])


def _core_scalar(mu, sigma, tau, theta, v_reset, t_ref, grad):
    from scipy.special import dawsn, erfc, erfcx

    sq = math.sqrt(tau)
    ssq = sigma * sq
    mt = mu * tau
    yT = (theta - mt) / ssq
    yR = (v_reset - mt) / ssq
    if yT <= 0.0:
        s = 0.0
        xT, xR = -yT, -yR
        if xT >= _X_ASYM:
            Q = (math.log1p((xR - xT) / xT) - _K_scalar(1.0 / (xR * xR)) + _K_scalar(1.0 / (xT * xT))) / _SQRT_PI
        else:
            Q = _E_scalar(xR) - _E_scalar(xT)
    else:
        s = yT * yT
        Q = 2.0 * float(dawsn(yT)) - math.exp(-s) * (_E_scalar(yT) - _E_scalar(abs(yR)))
        if yR > 0.0:
            Q -= 2.0 * math.exp(-(yT - yR) * (yT + yR)) * float(dawsn(yR))
    es = math.exp(-s)
    P = 1.0 / (t_ref * es + tau * _SQRT_PI * Q)
    nu = es * P
    if not grad:
        return nu, 0.0, 0.0

    def fs(y):
        if y > 0.0:
            return math.exp(min(y * y - s, 0.0)) * float(erfc(-y))
        return es * float(erfcx(-y))

    fT, fR = fs(yT), fs(yR)
    common = P * P * es * tau * _SQRT_PI
    return nu, common * (sq / sigma) * (fT - fR), common * (yT * fT - yR * fR) / sigma


def _core(mu, sigma, tau, theta, v_reset, t_ref, grad=False):
    """Rate (and optionally d nu/d mu, d nu/d sigma) for validated flat arrays with sigma > 0."""
    if mu.size <= 4:
        out = [_core_scalar(*args, grad) for args in zip(mu.tolist(), sigma.tolist(), tau.tolist(),
                                                          theta.tolist(), v_reset.tolist(), t_ref.tolist())]
        arr = np.array(out, dtype=float).reshape(-1, 3)
        return (arr[:, 0], arr[:, 1], arr[:, 2]) if grad else arr[:, 0]
    return _core_vector(mu, sigma, tau, theta, v_reset, t_ref, grad)


def _core_vector(mu, sigma, tau, theta, v_reset, t_ref, grad=False):
    """Vectorised implementation of :func:`_core`."""
    sq = np.sqrt(tau)
    ssq = sigma * sq
    mt = mu * tau
    yT = (theta - mt) / ssq
    yR = (v_reset - mt) / ssq
    Q, s = _scaled_integral(yT, yR)
    es = np.exp(-s)
    P = 1.0 / (t_ref * es + tau * _SQRT_PI * Q)        # nu = e^{-s} P
    nu = es * P
    if not grad:
        return nu
    from scipy.special import erfc, erfcx

    def fs(y):  # e^{-s} f(y), f(y) = e^{y^2}(1 + erf y), computed without overflow (y <= yT)
        return np.where(y > 0, np.exp(np.minimum(y * y - s, 0.0)) * erfc(-y), es * erfcx(-np.minimum(y, 0.0)))

    fT, fR = fs(yT), fs(yR)
    common = P * P * es * tau * _SQRT_PI
    # d nu / d mu = nu^2 tau sqrt(pi) (sqrt(tau)/sigma) (f(yT) - f(yR))       (derivative of Eq 9)
    dmu = common * (sq / sigma) * (fT - fR)
    # d nu / d sigma = nu^2 tau sqrt(pi) (yT f(yT) - yR f(yR)) / sigma
    dsig = common * (yT * fT - yR * fR) / sigma
    return nu, dmu, dsig


def phi_deterministic(mu, tau, theta=1.0, v_reset=0.0, t_ref=0.0):
    """Noise-free LIF rate, the sigma -> 0 limit of :func:`phi`.

    ``nu = 1 / (t_ref + tau ln((mu tau - v_reset) / (mu tau - theta)))`` for ``mu tau > theta``, else 0.

    Parameters
    ----------
    mu : array_like
        Mean drive in mV/s.
    tau : array_like
        Membrane time constant in s (> 0).
    theta, v_reset : array_like
        Threshold and reset in mV (theta > v_reset).
    t_ref : array_like
        Refractory period in s (>= 0).

    Returns
    -------
    numpy.ndarray or float
        Rate in Hz (broadcast shape of the inputs; a float for scalar inputs).
    """
    (mu, _, tau, theta, v_reset, t_ref), shape = _prepare(mu, 1.0, tau, theta, v_reset, t_ref)
    mt = mu * tau
    above = mt > theta
    with np.errstate(divide="ignore", invalid="ignore"):
        T = t_ref + tau * np.log1p((theta - v_reset) / np.where(above, mt - theta, 1.0))
        nu = np.where(above, 1.0 / T, 0.0)
    return _shape_out(nu, shape)


def _shape_out(x, shape):
    x = x.reshape(shape)
    return float(x) if x.ndim == 0 else x


def phi(mu, sigma, tau, theta=1.0, v_reset=0.0, t_ref=0.0, *, allow_zero_sigma=False):
    """Stationary firing rate of the LIF neuron driven by white noise (Ricciardi/Siegert, Eq 9).

    ``nu = [t_ref + tau sqrt(pi) int_{y_R}^{y_Theta} e^{u^2}(1 + erf u) du]^{-1}`` with
    ``y_Theta = (theta - mu tau)/(sigma sqrt(tau))``, ``y_R = (v_reset - mu tau)/(sigma sqrt(tau))``,
    for ``dV/dt = -V/tau + mu + sigma xi(t)``. All arguments broadcast (numpy rules).

    Parameters
    ----------
    mu : array_like
        Mean external drive in mV/s (free mean potential mu*tau in mV).
    sigma : array_like
        Noise intensity in mV/sqrt(s) (> 0; free potential SD sigma*sqrt(tau/2) mV).
    tau : array_like
        Membrane time constant in **seconds** (> 0), e.g. 0.02.
    theta : array_like, optional
        Threshold in mV (default 1, the paper's convention).
    v_reset : array_like, optional
        Reset potential in mV (default 0; must be < theta).
    t_ref : array_like, optional
        Absolute refractory period in s (default 0, >= 0).
    allow_zero_sigma : bool, optional
        If True, ``sigma == 0`` is allowed and gives the deterministic limit
        (:func:`phi_deterministic`); otherwise sigma <= 0 raises ValueError.

    Returns
    -------
    numpy.ndarray or float
        Rate in Hz, finite and >= 0 (underflows to 0 far below threshold). A float for all-scalar
        input, else an array of the broadcast shape.

    Raises
    ------
    ValueError
        Non-finite input, sigma <= 0, tau <= 0, t_ref < 0 or theta <= v_reset.
    TypeError
        Non-numeric input.

    Examples
    --------
    The rate of a neuron with tau = 20 ms and sigma = 3 mV/sqrt(s) at three drives (mV/s):

    >>> import numpy as np
    >>> from meanfield import phi
    >>> round(phi(20.0, 3.0, 0.02), 3)          # Hz; docs/theory/ssn_lif.md §1: 4.34 Hz
    4.336
    >>> np.round(phi([10.0, 20.0, 30.0], 3.0, 0.02), 3)
    array([ 1.267,  4.336, 10.029])
    """
    (mu, sigma, tau, theta, v_reset, t_ref), shape = _prepare(
        mu, sigma, tau, theta, v_reset, t_ref, check_bool(allow_zero_sigma, "allow_zero_sigma"))
    zero = sigma == 0
    if zero.any():
        nu = np.empty_like(mu)
        nu[zero] = np.reshape(phi_deterministic(mu[zero], tau[zero], theta[zero], v_reset[zero],
                                                t_ref[zero]), -1)
        nz = ~zero
        nu[nz] = _core(mu[nz], sigma[nz], tau[nz], theta[nz], v_reset[nz], t_ref[nz])
    else:
        nu = _core(mu, sigma, tau, theta, v_reset, t_ref)
    return _shape_out(nu, shape)


def phi_grad(mu, sigma, tau, theta=1.0, v_reset=0.0, t_ref=0.0):
    """Rate of Eq 9 and its analytic partial derivatives with respect to mu and sigma.

    Parameters
    ----------
    mu, sigma, tau, theta, v_reset, t_ref : array_like
        As in :func:`phi` (sigma > 0).

    Returns
    -------
    nu : numpy.ndarray or float
        Rate in Hz.
    dnu_dmu : numpy.ndarray or float
        d nu / d mu in Hz per (mV/s).
    dnu_dsigma : numpy.ndarray or float
        d nu / d sigma in Hz per (mV/sqrt(s)).

    Examples
    --------
    >>> from meanfield import phi_grad
    >>> nu, dnu_dmu, dnu_dsigma = phi_grad(20.0, 3.0, 0.02)
    >>> round(nu, 3), round(dnu_dmu, 4), round(dnu_dsigma, 4)   # Hz, Hz/(mV/s), Hz/(mV/sqrt(s))
    (4.336, 0.4398, 4.6302)
    """
    arrs, shape = _prepare(mu, sigma, tau, theta, v_reset, t_ref)
    return tuple(_shape_out(x, shape) for x in _core(*arrs, grad=True))


# ----------------------------------------------------------------------------- ISI CV (Brunel 2000)
def _cv_single(yT, yR, tau, t_ref):
    """CV of the ISI for scalar limits: CV^2 = 2 pi (nu tau)^2 int_{yR}^{yT} dx e^{x^2}
    int_{-inf}^{x} dy e^{y^2} (1 + erf y)^2  (Brunel 2000, J Comput Neurosci 8:183, Appendix A; ``docs/theory/ssn_lif.md`` §2)."""
    from scipy.integrate import quad
    from scipy.special import erfc, erfcx

    Q, s = _scaled_integral(np.array([yT]), np.array([yR]))
    Q, s = float(Q[0]), float(s[0])

    # integrand scaled by e^{-2 s}; every exponent below is <= 0 on the domain y <= x <= yT
    def inner(x):
        def g(y):
            if y >= 0.0:
                return math.exp(x * x + y * y - 2 * s) * erfc(-y) ** 2
            return math.exp(x * x - y * y - 2 * s) * erfcx(-y) ** 2
        lo = min(x, 0.0)
        val = 0.0
        if x > 0.0:
            val += quad(g, 0.0, x, epsabs=0, epsrel=1e-12, limit=200)[0]
        # y < 0 part: decays like e^{-y^2}; cut where the integrand is < 1e-300 relative
        a = lo - 40.0
        val += quad(g, a, lo, epsabs=0, epsrel=1e-12, limit=200)[0]
        return val

    pts = [p for p in (0.0,) if yR < p < yT]
    total = quad(inner, yR, yT, points=pts or None, epsabs=0, epsrel=1e-10, limit=400)[0]
    # (nu tau)^2 e^{2s} = (tau / (t_ref e^{-s} + tau sqrt(pi) Q))^2
    nt = tau / (t_ref * math.exp(-s) + tau * _SQRT_PI * Q)
    return math.sqrt(2 * math.pi * nt * nt * total)


def cv_isi(mu, sigma, tau, theta=1.0, v_reset=0.0, t_ref=0.0):
    """Coefficient of variation of the interspike intervals of the same LIF process as :func:`phi`.

    ``CV^2 = 2 pi (nu tau)^2 int_{y_R}^{y_Theta} dx e^{x^2} int_{-inf}^{x} dy e^{y^2}(1 + erf y)^2``
    (Brunel 2000; ``docs/theory/ssn_lif.md`` §2), evaluated by adaptive quadrature in a scaled form that
    never overflows. Slower than :func:`phi` (milliseconds per point); intended for tables.

    Parameters
    ----------
    mu, sigma, tau, theta, v_reset, t_ref : array_like
        As in :func:`phi` (mV/s, mV/sqrt(s), s, mV, mV, s); broadcast together.

    Returns
    -------
    numpy.ndarray or float
        CV (dimensionless, >= 0; -> 1 far below threshold, -> 0 for strong mean drive).

    Examples
    --------
    >>> from meanfield import cv_isi
    >>> round(cv_isi(10.0, 3.0, 0.02), 3)      # docs/theory/ssn_lif.md §2
    0.969
    """
    (mu, sigma, tau, theta, v_reset, t_ref), shape = _prepare(mu, sigma, tau, theta, v_reset, t_ref)
    ssq = sigma * np.sqrt(tau)
    yT = (theta - mu * tau) / ssq
    yR = (v_reset - mu * tau) / ssq
    out = np.array([_cv_single(a, b, c, d) for a, b, c, d in zip(yT, yR, tau, t_ref)])
    return _shape_out(out, shape)
