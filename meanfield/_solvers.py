"""The shared numerical solvers of :mod:`meanfield`: root bracketing and bisection, Brent's method,
damped Newton, and pseudo-arclength continuation of a solution curve ``F(x) = 0``.

* :func:`bisect` -- vectorised bisection of many brackets at once (the SSN's characteristic
  function, fold and boundary scans, the I equation of Phi_sc);
* :func:`brentq` -- scipy's Brent method, imported only when first used (scalar brackets);
* :func:`damped_newton` -- Newton's method with step halving on a square system; :func:`newton`
  solves n equations in n+1 unknowns with one component held fixed (the continuation corrector);
* :func:`continue_curve` -- pseudo-arclength continuation, the kernel behind the sweeps of
  :mod:`meanfield.lif.selfconsistency` (continuation as in the authors' ``solve_Phi_continuation``,
  ``docs/theory/ssn_lif.md`` §16 item 4, but with the tangent from the Jacobian's null vector instead of
  the secant of the last two points): from a point on the curve the unit tangent ``t`` (null vector
  of the Jacobian, oriented like the previous one) gives a predictor ``x_p = x + ds t``; Newton's
  method then solves ``F(y) = 0`` together with the hyperplane constraint ``t . (y - x_p) = 0``.
  Because the parameter is one of the unknowns, the curve is followed through folds (saddle-node
  points), where the parameter component of ``t`` changes sign; :func:`locate_fold` refines them.

The module is problem-agnostic (plain numpy; scipy only inside :func:`brentq`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from brianmodels.result import Result

from ._validate import check_finite, check_float, check_int, check_positive

__all__ = ["ContinuationResult", "continue_curve", "newton", "damped_newton", "locate_fold",
           "fd_jacobian", "bisect", "brentq", "BISECT_ITER"]

#: default number of halvings of :func:`bisect` (60 reach double precision from any bracket)
BISECT_ITER = 60


def bisect(fun, lo, hi, n_iter=BISECT_ITER, rtol=4e-16, lo_positive=None, return_bracket=False):
    """Vectorised bisection of many brackets at once, each holding a sign change of ``fun``.

    A bracket keeps the half whose ends differ in the sign test ``fun(x) > 0``; it stops when it is
    shorter than ``rtol`` times its size (or after ``n_iter`` halvings).

    Parameters
    ----------
    fun : callable
        ``fun(x, mask)``: the function at the points ``x`` of the brackets selected by the boolean
        ``mask`` (so per-bracket data can be indexed with it).
    lo, hi : numpy.ndarray
        Bracket ends (same shape); copies are refined.
    n_iter : int
        Maximum number of halvings.
    rtol : float
        Relative bracket width at which a bracket stops (0: always ``n_iter`` halvings).
    lo_positive : bool or numpy.ndarray of bool, optional
        The sign test at ``lo`` when known (e.g. True for a decreasing function with its root
        above ``lo``); evaluated with ``fun`` when not given.
    return_bracket : bool
        Return the final brackets ``(lo, hi)`` instead of their midpoints.

    Returns
    -------
    numpy.ndarray
        Midpoints of the final brackets (or ``(lo, hi)``).
    """
    lo = np.array(lo, dtype=float)
    hi = np.array(hi, dtype=float)
    if lo.size == 0:
        return (lo, hi) if return_bracket else lo
    if lo_positive is None:
        pos_lo = fun(lo, np.ones(lo.shape, bool)) > 0
    else:
        pos_lo = np.broadcast_to(np.asarray(lo_positive, bool), lo.shape)
    for _ in range(n_iter):
        active = (hi - lo) > rtol * np.maximum(np.abs(hi), np.abs(lo)) + 1e-300
        if not active.any():
            break
        idx = np.nonzero(active)[0]
        mid = 0.5 * (lo[idx] + hi[idx])
        pos_mid = fun(mid, active) > 0
        same = pos_mid == pos_lo[idx]
        lo[idx[same]] = mid[same]
        hi[idx[~same]] = mid[~same]
    return (lo, hi) if return_bracket else 0.5 * (lo + hi)


def brentq(fun, a, b, **kwargs):
    """Root of a scalar function in the bracket [a, b] by Brent's method (:func:`scipy.optimize.brentq`).

    scipy is imported on the first call only (``import meanfield`` stays light). With
    ``full_output=True`` the result is ``(root, RootResults)`` and non-convergence is reported in
    ``RootResults.converged`` instead of raising (``disp=False``).

    Parameters
    ----------
    fun : callable
        ``fun(x) -> float`` with opposite signs at ``a`` and ``b``.
    a, b : float
        Bracket ends.
    **kwargs
        ``xtol``, ``rtol``, ``maxiter``, ``full_output`` as in :func:`scipy.optimize.brentq`.

    Raises
    ------
    ValueError
        When ``fun(a)`` and ``fun(b)`` have the same sign (scipy's message).
    """
    from scipy.optimize import brentq as _brentq

    if kwargs.get("full_output"):
        kwargs.setdefault("disp", False)
    return _brentq(fun, a, b, **kwargs)


#: status codes of :class:`ContinuationResult`
STATUS = {
    0: "the curve was followed to a natural end (see ContinuationResult.end)",
    1: "maximum number of steps reached",
    2: "corrector failed with the minimum step size",
}
#: how a successful continuation ended (``ContinuationResult.end``) -> message
ENDS = {
    "bound": "reached the parameter bound",
    "domain": "left the admissible domain (state bound)",
    "loop": "closed loop: returned to the start point",
}


@dataclass
class ContinuationResult(Result):
    """A traced solution curve (the :class:`brianmodels.result.Result` convention).

    Attributes
    ----------
    x : ndarray, shape (m, n+1)
        Points on the curve, in order (unscaled variables).
    tangent : ndarray, shape (m, n+1)
        Unit tangents at the points (in the scaled variables used for the arclength).
    folds : list of int
        Indices i such that the parameter component of the tangent changes sign between point i
        and i+1 (a fold lies between them).
    status : int
        0 followed to a natural end (``end`` says which), 1 max steps, 2 corrector failure
        (:data:`STATUS`).
    message : str
        What happened.
    end : str or None
        For status 0: ``'bound'`` (parameter bound reached), ``'domain'`` (admissible domain
        left) or ``'loop'`` (closed loop); None otherwise.
    n_steps, n_rejected, n_newton : int
        Accepted steps, rejected (halved) steps and total corrector iterations.
    max_residual : float
        Largest ``max|F|`` over the returned points.
    params : dict
        The continuation settings.
    table : pandas.DataFrame
        One row per curve point: ``x0`` ... ``xn`` (the components, unscaled) and ``fold``
        (True where a fold lies between this point and the next).
    """

    STATUS = STATUS

    x: np.ndarray
    tangent: np.ndarray
    folds: list
    status: int
    message: str
    end: Optional[str] = None
    n_steps: int = 0
    n_rejected: int = 0
    n_newton: int = 0
    max_residual: float = 0.0
    info: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)

    @property
    def table(self):
        """The curve points as a tidy DataFrame (columns ``x0`` ... ``xn``, ``fold``)."""
        import pandas as pd

        X = np.atleast_2d(self.x)
        df = pd.DataFrame(X, columns=[f"x{k}" for k in range(X.shape[1])])
        df["fold"] = np.isin(np.arange(len(df)), self.folds)
        return df


def fd_jacobian(F: Callable, x: np.ndarray, f0: Optional[np.ndarray] = None, rel_step: float = 1e-7):
    """Forward-difference Jacobian of ``F`` at ``x`` (helper for callers without an analytic one).

    Parameters
    ----------
    F : callable
        ``F(x) -> ndarray (n,)``.
    x : ndarray (n+1,)
        Point.
    f0 : ndarray, optional
        ``F(x)`` if already known.
    rel_step : float
        Relative step (absolute floor ``rel_step``).
    """
    x = np.asarray(x, float)
    f0 = F(x) if f0 is None else f0
    J = np.empty((f0.size, x.size))
    for k in range(x.size):
        h = rel_step * max(1.0, abs(x[k]))
        xp = x.copy()
        xp[k] += h
        J[:, k] = (F(xp) - f0) / h
    return J


def damped_newton(F: Callable, jac: Callable, x0, *, tol: float, max_iter: int, norm: Optional[Callable] = None,
                  max_halvings: int = 30, lam_min: float = 1e-3, project: Optional[Callable] = None,
                  admissible: Optional[Callable] = None):
    """Newton's method with step halving on a square system ``F(x) = 0`` (n equations, n unknowns).

    Each Newton step ``dx = -J^-1 F`` is halved until the error ``norm(F(x + lam dx), x + lam dx)``
    decreases (a step with ``lam < lam_min`` is taken anyway, as long as F is finite there).

    Parameters
    ----------
    F, jac : callable
        ``F(x) -> (n,)`` and ``jac(x) -> (n, n)``.
    x0 : array_like (n,)
        Start point.
    tol : float
        Convergence when ``norm(F(x), x) <= tol``.
    max_iter : int
        Maximum Newton steps.
    norm : callable, optional
        ``norm(f, x) -> float`` (default ``max|f|``).
    max_halvings : int
        Step halvings before the solve gives up.
    lam_min : float
        Steps shorter than this fraction of the Newton step are accepted without decrease.
    project : callable, optional
        ``project(x) -> x`` applied to every trial point (e.g. onto rates >= 0).
    admissible : callable, optional
        ``admissible(x) -> bool``; trial points outside are halved without evaluating F.

    Returns
    -------
    x : ndarray
        Final iterate.
    converged : bool
        Whether ``norm(F(x), x) <= tol``.
    n_iter : int
        Newton steps used.
    """
    norm = (lambda f, x: float(np.max(np.abs(f)))) if norm is None else norm
    x = np.array(x0, float)
    f = F(x)
    for it in range(max_iter):
        err = norm(f, x)
        if err <= tol:
            return x, True, it
        try:
            dx = np.linalg.solve(jac(x), -f)
        except np.linalg.LinAlgError:
            return x, False, it
        lam = 1.0
        for _ in range(max_halvings):
            xn = x + lam * dx
            if project is not None:
                xn = project(xn)
            if admissible is None or admissible(xn):
                fn = F(xn)
                if np.all(np.isfinite(fn)) and (norm(fn, xn) < err or lam < lam_min):
                    break
            lam *= 0.5
        else:
            return x, False, it
        x, f = xn, fn
    return x, bool(norm(f, x) <= tol), max_iter


def newton(F: Callable, jac: Callable, x0: np.ndarray, *, fixed: Optional[int] = None, tol: float = 1e-10,
           max_iter: int = 30, bounds: Optional[Callable] = None):
    """Damped Newton solve of ``F(x) = 0`` for n unknowns, with one component of x held fixed.

    :func:`damped_newton` on the n free components.

    Parameters
    ----------
    F, jac : callable
        ``F(x) -> (n,)`` and ``jac(x) -> (n, n+1)`` on the full vector of n+1 components.
    x0 : ndarray (n+1,)
        Start point; component ``fixed`` is not changed.
    fixed : int or None
        Index of the component held fixed (default: the last one, the parameter).
    tol : float
        Convergence when ``max|F| <= tol`` (absolute).
    max_iter : int
        Maximum iterations.
    bounds : callable or None
        ``bounds(x) -> bool``; steps leaving the admissible set are halved.

    Returns
    -------
    x : ndarray
        Final iterate.
    converged : bool
        Whether ``max|F| <= tol``.
    n_iter : int
        Iterations used.
    """
    x = np.array(x0, float)
    fixed = x.size - 1 if fixed is None else fixed
    free = np.array([k for k in range(x.size) if k != fixed])

    def full(xf):
        y = x.copy()
        y[free] = xf
        return y

    xf, ok, it = damped_newton(lambda xf: F(full(xf)), lambda xf: jac(full(xf))[:, free], x[free], tol=tol,
                               max_iter=max_iter, admissible=None if bounds is None else (lambda xf: bounds(full(xf))))
    return full(xf), ok, it


def _tangent(Js: np.ndarray, t_prev: np.ndarray) -> np.ndarray:
    """Unit null vector of the (n, n+1) Jacobian Js, oriented along t_prev."""
    A = np.vstack([Js, t_prev])
    rhs = np.zeros(A.shape[0])
    rhs[-1] = 1.0
    try:
        t = np.linalg.solve(A, rhs)
    except np.linalg.LinAlgError:
        # fall back to the SVD null vector
        t = np.linalg.svd(Js)[2][-1]
        if t @ t_prev < 0:
            t = -t
    return t / np.linalg.norm(t)


def continue_curve(F: Callable, jac: Callable, x0, *, direction: float = 1.0, param_index: int = -1,
                   param_bounds=(-np.inf, np.inf), scale=None, ds: float = 0.05, ds_min: float = 1e-7,
                   ds_max: float = 1.0, tol: float = 1e-10, max_newton: int = 8, max_steps: int = 20000,
                   in_domain: Optional[Callable] = None, min_cos: float = 0.8) -> ContinuationResult:
    """Follow the curve ``F(x) = 0`` from ``x0`` by pseudo-arclength continuation.

    Parameters
    ----------
    F : callable
        ``F(x) -> ndarray (n,)`` for ``x`` of length n+1 (one component is the parameter).
    jac : callable
        ``jac(x) -> ndarray (n, n+1)``, the full Jacobian (use :func:`fd_jacobian` if none).
    x0 : array_like (n+1,)
        Start point; it is first corrected onto the curve at fixed parameter.
    direction : float
        +1 to start towards increasing parameter, -1 towards decreasing.
    param_index : int
        Index of the parameter component (default last).
    param_bounds : (float, float)
        The curve is followed until the parameter leaves this interval; the last point is placed
        exactly on the bound it crossed.
    scale : array_like (n+1,), optional
        Typical size of each component; arclength is measured in ``x / scale``.
    ds, ds_min, ds_max : float
        Initial, minimum and maximum step (scaled arclength). The step grows after easy corrector
        solves and is halved after failures.
    tol : float
        Absolute residual tolerance ``max|F|`` of every accepted point.
    max_newton : int
        Corrector iterations before a step is rejected.
    max_steps : int
        Maximum accepted steps.
    in_domain : callable, optional
        ``in_domain(x) -> bool``; the curve ends (status 0, ``end='domain'``) when a corrected
        point leaves it.
    min_cos : float
        Minimum cosine between successive tangents (guards against branch jumping).

    Returns
    -------
    ContinuationResult

    Raises
    ------
    ValueError, TypeError
        Before any evaluation, for non-callable F/jac/in_domain, a start point that is not a
        finite 1-D vector of >= 2 components, a zero or non-finite direction, param_bounds that
        are not (low, high) with low < high, a scale that is not positive per component, steps or
        tol not > 0, max_newton < 2 (the corrector tests convergence from its second iterate),
        max_steps < 1, min_cos outside [-1, 1].
    """
    x0, p, scale = _check_curve_args(F, jac, x0, param_index, scale)
    m = x0.size
    direction = check_float(direction, "direction")
    if direction == 0:
        raise ValueError("direction must be +1 (increasing parameter) or -1 (decreasing); got 0")
    bounds = np.asarray(param_bounds, dtype=float) if not isinstance(param_bounds, str) else None
    if bounds is None or bounds.shape != (2,) or np.isnan(bounds).any() or not bounds[0] < bounds[1]:
        raise ValueError(f"param_bounds must be (low, high) with low < high (inf allowed); got {param_bounds!r}")
    lo, hi = (float(v) for v in bounds)
    for name, value in (("ds", ds), ("ds_min", ds_min), ("ds_max", ds_max), ("tol", tol)):
        check_float(value, name, 0.0, low_inclusive=False)
    max_newton = check_int(max_newton, "max_newton", low=2)
    max_steps = check_int(max_steps, "max_steps", low=1)
    min_cos = check_float(min_cos, "min_cos", -1.0, 1.0)
    if in_domain is not None and not callable(in_domain):
        raise TypeError(f"in_domain must be callable (x -> bool) or None; got {in_domain!r}")

    def Fs(y):
        return F(y * scale)

    def Js(y):
        return jac(y * scale) * scale[None, :]

    # correct the start point at fixed parameter
    params = dict(direction=direction, param_index=p, param_bounds=(lo, hi), scale=scale.tolist(), ds=ds,
                  ds_min=ds_min, ds_max=ds_max, tol=tol, max_newton=max_newton, max_steps=max_steps,
                  min_cos=min_cos)
    y, ok, it = newton(Fs, Js, x0 / scale, fixed=p, tol=tol)
    n_newton = it
    if not ok:
        return ContinuationResult(x0[None, :], np.zeros((1, m)), [], 2,
                                  "start point could not be corrected onto the curve", n_newton=it,
                                  params=params)
    e = np.zeros(m)
    e[p] = 1.0 if direction >= 0 else -1.0
    t = _tangent(Js(y), e)
    pts, tans = [y.copy()], [t.copy()]
    folds = []
    status, end, n_rej, h = 1, None, 0, ds
    start = y.copy()
    travelled = 0.0
    bound_hit = None
    for _step in range(max_steps):
        accepted = False
        while h >= ds_min:
            yp = y + h * t
            z = yp.copy()
            conv = False
            for k in range(max_newton):
                f = Fs(z)
                g = np.append(f, t @ (z - yp))
                n_newton += 1
                if not np.all(np.isfinite(g)):
                    break
                if np.max(np.abs(f)) <= tol and k > 0:
                    conv = True
                    break
                A = np.vstack([Js(z), t])
                try:
                    z = z - np.linalg.solve(A, g)
                except np.linalg.LinAlgError:
                    break
            if conv:
                t_new = _tangent(Js(z), t)
                if t_new @ t >= min_cos:
                    accepted = True
                    break
            h *= 0.5
            n_rej += 1
        if not accepted:
            status = 2
            break
        # the parameter left its interval: place the last point on the bound
        if not (lo <= z[p] * scale[p] <= hi):
            bound = hi if z[p] * scale[p] > hi else lo
            w = (bound / scale[p] - y[p]) / (z[p] - y[p]) if z[p] != y[p] else 1.0
            zb = y + w * (z - y)
            zb[p] = bound / scale[p]
            zb, okb, itb = newton(Fs, Js, zb, fixed=p, tol=tol)
            n_newton += itb
            if okb and (in_domain is None or in_domain(zb * scale)):
                bound_hit = bound
                tb = _tangent(Js(zb), t)
                if tb[p] * t[p] < 0:
                    folds.append(len(pts) - 1)
                pts.append(zb)
                tans.append(tb)
            status, end = 0, "bound"
            break
        if in_domain is not None and not in_domain(z * scale):
            status, end = 0, "domain"
            break
        if t_new[p] * t[p] < 0:
            folds.append(len(pts) - 1)
        travelled += np.linalg.norm(z - y)
        y, t = z, t_new
        pts.append(y.copy())
        tans.append(t.copy())
        if travelled > 4 * ds_max and np.linalg.norm(y - start) < 0.5 * h and (t @ tans[0]) > 0:
            status, end = 0, "loop"
            break
        if k <= 2:
            h = min(h * 1.6, ds_max)
    X = np.array(pts) * scale[None, :]
    if end == "bound" and bound_hit is not None:
        X[-1, p] = bound_hit            # exactly on the bound (no round-off from the scaling)
    res = max(float(np.max(np.abs(F(xx)))) for xx in X)
    return ContinuationResult(X, np.array(tans), folds, status, ENDS[end] if end else STATUS[status], end=end,
                              n_steps=len(pts) - 1, n_rejected=n_rej, n_newton=n_newton, max_residual=res,
                              info={"scale": scale, "param_index": p}, params=params)


def _check_curve_args(F, jac, x0, param_index, scale, name="x0"):
    """Shared checks of :func:`continue_curve` and :func:`locate_fold`; returns (x0, p, scale)."""
    for nm, fun in (("F", F), ("jac", jac)):
        if not callable(fun):
            raise TypeError(f"{nm} must be callable; got {fun!r}")
    x0 = check_finite(x0, name)
    if x0.ndim != 1 or x0.size < 2:
        raise ValueError(f"{name} must be a 1-D point (state components and the parameter, >= 2 values); "
                         f"got shape {x0.shape}")
    m = x0.size
    p = check_int(param_index, "param_index", low=-m, high=m - 1) % m
    if scale is None:
        return x0, p, np.ones(m)
    scale = check_positive(scale, "scale")
    if scale.shape != (m,):
        raise ValueError(f"scale must hold one positive size per component of {name} ({m}); got shape {scale.shape}")
    return x0, p, scale


def locate_fold(F: Callable, jac: Callable, xa, ta, xb, *, param_index: int = -1, scale=None,
                tol: float = 1e-10, xtol: float = 1e-10, max_iter: int = 60):
    """Refine a fold between two curve points whose tangents have opposite parameter components.

    Bisection on the arclength ``h`` along the tangent ``ta`` at ``xa``: each trial point
    ``xa + h ta`` (scaled) is corrected onto the curve in the hyperplane orthogonal to ``ta``
    and the sign of the parameter component of its tangent decides the half.

    Parameters
    ----------
    F, jac : callable
        As in :func:`continue_curve`.
    xa, xb : array_like
        Consecutive curve points (unscaled) bracketing the fold.
    ta : array_like
        Unit tangent at ``xa`` in scaled variables (``ContinuationResult.tangent``).
    param_index : int
        Index of the parameter.
    scale : array_like, optional
        The scale used for the continuation.
    tol : float
        Residual tolerance of the corrector.
    xtol : float
        Stop when the bracket in h is shorter than this.
    max_iter : int
        Maximum bisection steps.

    Returns
    -------
    x : ndarray or None
        The fold point (unscaled), None if the corrector failed.
    """
    xa, p, scale = _check_curve_args(F, jac, xa, param_index, scale, name="xa")
    xb, ta = check_finite(xb, "xb"), check_finite(ta, "ta")
    if xb.shape != xa.shape or ta.shape != xa.shape:
        raise ValueError(f"xa, xb and ta must have the same shape; got {xa.shape}, {xb.shape}, {ta.shape}")
    for name, value in (("tol", tol), ("xtol", xtol)):
        check_float(value, name, 0.0, low_inclusive=False)
    max_iter = check_int(max_iter, "max_iter", low=1)
    ya, yb = xa / scale, xb / scale

    def Fs(y):
        return F(y * scale)

    def Js(y):
        return jac(y * scale) * scale[None, :]

    def point(h):
        yp = ya + h * ta
        z = yp.copy()
        for _ in range(30):
            f = Fs(z)
            if np.max(np.abs(f)) <= tol:
                break
            z = z - np.linalg.solve(np.vstack([Js(z), ta]), np.append(f, ta @ (z - yp)))
        else:
            return None, None
        return z, _tangent(Js(z), ta)

    h0, h1 = 0.0, float(ta @ (yb - ya))
    best = None
    for _ in range(max_iter):
        hm = 0.5 * (h0 + h1)
        z, tz = point(hm)
        if z is None:
            return None
        best = z
        if tz[p] * ta[p] > 0:
            h0 = hm
        else:
            h1 = hm
        if abs(h1 - h0) < xtol:
            break
    return None if best is None else best * scale
