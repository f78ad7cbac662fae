"""Generic pseudo-arclength continuation of a solution curve ``F(x) = 0``, ``F: R^(n+1) -> R^n``.

This is the numerical kernel behind the sweeps of :mod:`meanfield.lif.selfconsistency` (the authors'
``solve_Phi_continuation`` scheme, ``theory/ssn_lif.md`` §16 item 4): from a point on the curve the
unit tangent ``t`` (null vector of the Jacobian, oriented like the previous one) gives a predictor
``x_p = x + ds t``; Newton's method then solves ``F(y) = 0`` together with the hyperplane constraint
``t . (y - x_p) = 0``. Because the parameter is one of the unknowns, the curve is followed through
folds (saddle-node points), where the parameter component of ``t`` changes sign.

The module is problem-agnostic (plain numpy); other solvers may reuse :func:`continue_curve` and
:func:`newton`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from ._validate import check_finite, check_float, check_int, check_positive

__all__ = ["ContinuationResult", "continue_curve", "newton", "locate_fold", "fd_jacobian"]

#: status codes of :class:`ContinuationResult`
STATUS = {
    0: "reached the parameter bound",
    1: "left the admissible domain (state bound)",
    2: "closed loop: returned to the start point",
    3: "maximum number of steps reached",
    4: "corrector failed with the minimum step size",
}


@dataclass
class ContinuationResult:
    """A traced solution curve (like scipy.optimize's result objects).

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
        0 parameter bound reached, 1 state bound left, 2 closed loop, 3 max steps, 4 corrector failure.
    message : str
        Human-readable status.
    success : bool
        True for status 0, 1 or 2 (the curve was followed to a natural end).
    n_steps, n_rejected, n_newton : int
        Accepted steps, rejected (halved) steps and total corrector iterations.
    max_residual : float
        Largest ``max|F|`` over the returned points.
    """

    x: np.ndarray
    tangent: np.ndarray
    folds: list
    status: int
    message: str
    n_steps: int = 0
    n_rejected: int = 0
    n_newton: int = 0
    max_residual: float = 0.0
    info: dict = field(default_factory=dict)

    @property
    def success(self) -> bool:
        """True when the curve ended naturally (bound reached, domain left, loop closed)."""
        return self.status in (0, 1, 2)


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


def newton(F: Callable, jac: Callable, x0: np.ndarray, *, fixed: Optional[int] = None, tol: float = 1e-10,
           max_iter: int = 30, bounds: Optional[Callable] = None):
    """Damped Newton solve of ``F(x) = 0`` for n unknowns, with one component of x held fixed.

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
    f = F(x)
    for it in range(max_iter):
        if np.max(np.abs(f)) <= tol:
            return x, True, it
        J = jac(x)[:, free]
        try:
            dx = np.linalg.solve(J, -f)
        except np.linalg.LinAlgError:
            return x, False, it
        lam = 1.0
        norm0 = np.max(np.abs(f))
        for _ in range(30):
            xn = x.copy()
            xn[free] += lam * dx
            if bounds is None or bounds(xn):
                fn = F(xn)
                if np.all(np.isfinite(fn)) and (np.max(np.abs(fn)) < norm0 or lam < 1e-3):
                    break
            lam *= 0.5
        else:
            return x, False, it
        x, f = xn, fn
    return x, bool(np.max(np.abs(f)) <= tol), max_iter


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
        ``in_domain(x) -> bool``; the curve ends (status 1) when a corrected point leaves it.
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
    y, ok, it = newton(Fs, Js, x0 / scale, fixed=p, tol=tol)
    n_newton = it
    if not ok:
        return ContinuationResult(x0[None, :], np.zeros((1, m)), [], 4,
                                  "start point could not be corrected onto the curve", n_newton=it)
    e = np.zeros(m)
    e[p] = 1.0 if direction >= 0 else -1.0
    t = _tangent(Js(y), e)
    pts, tans = [y.copy()], [t.copy()]
    folds = []
    status, n_rej, h = 3, 0, ds
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
            status = 4
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
            status = 0
            break
        if in_domain is not None and not in_domain(z * scale):
            status = 1
            break
        if t_new[p] * t[p] < 0:
            folds.append(len(pts) - 1)
        travelled += np.linalg.norm(z - y)
        y, t = z, t_new
        pts.append(y.copy())
        tans.append(t.copy())
        if travelled > 4 * ds_max and np.linalg.norm(y - start) < 0.5 * h and (t @ tans[0]) > 0:
            status = 2
            break
        if k <= 2:
            h = min(h * 1.6, ds_max)
    X = np.array(pts) * scale[None, :]
    if status == 0 and bound_hit is not None:
        X[-1, p] = bound_hit            # exactly on the bound (no round-off from the scaling)
    res = max(float(np.max(np.abs(F(xx)))) for xx in X)
    return ContinuationResult(X, np.array(tans), folds, status, STATUS[status], n_steps=len(pts) - 1,
                              n_rejected=n_rej, n_newton=n_newton, max_residual=res,
                              info={"scale": scale, "param_index": p})


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
    m = xa.size
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
