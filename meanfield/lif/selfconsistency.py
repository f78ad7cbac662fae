"""Ricciardi self-consistent mean field Phi_sc of a two-population LIF network (Eqs 12-14).

Steady states solve (Ekelmans et al. 2023, Eq 14; ``docs/theory/ssn_lif.md`` §5)

    nu_X = Phi( mu_X^ext + J_XE nu_E - J_XI nu_I ,  sqrt(sigma_X^ext^2 + |j_XE| J_XE nu_E + |j_XI| J_XI nu_I) ; tau_X )

with Phi the transfer function of Eq 9 (:func:`meanfield.lif.transfer.phi`), J = K ``|j|`` (Eq 13) and the
recurrent variance of Eq 12. Stability refers to the rate dynamics
``tau_X dnu_X/dt = -nu_X + Phi_X(...)`` (Jacobian ``diag(1/tau) (DPhi - 1)``, derivatives of Phi
analytic, :func:`meanfield.lif.transfer.phi_grad`).

Two solvers:

* :func:`solve_point` - every steady state at one input (mu_E, mu_I): nu_I is eliminated through the
  I equation for each nu_E of a grid (one-variable reduction, like the SSN's characteristic function),
  sign changes of the remaining E equation are bracketed, and each root is polished by Newton's
  method on the full 2-D system.
* :func:`selfconsistent` - all branches along a sweep of inputs by pseudo-arclength continuation
  (:mod:`meanfield._solvers`) through folds, seeded and cross-checked by :func:`solve_point`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from brianmodels.result import Result

from .._results import TableResult
from .._validate import (as_float_array, check_bool, check_drive, check_finite, check_float, check_int,
                        check_nonnegative, check_pair, check_positive)
from .._solvers import _tangent, bisect, brentq, continue_curve, damped_newton, locate_fold
from .transfer import _core

__all__ = ["PhiNetwork", "selfconsistent", "solve_point", "SelfConsistentResult", "PointSolutions",
           "TABLE_COLUMNS"]

#: columns of :attr:`SelfConsistentResult.table` (and :attr:`PointSolutions.table`)
TABLE_COLUMNS = ("point", "mu_E", "mu_I", "nu_E", "nu_I", "stable", "branch", "segment", "state",
                 "sigma_E", "sigma_I", "eig_max", "residual")

_SIGN = np.array([1.0, -1.0])  # sign of the source population (E excitatory, I inhibitory)


@dataclass(frozen=True)
class PhiNetwork:
    """The numbers Eq 14 needs, as plain arrays (order (E, I), 2x2 arrays ``[target, source]``).

    Build it with :meth:`from_network` (any object with the attributes of
    ``brianmodels.network.LIFNetwork``, read by duck typing) or :meth:`from_arrays`.

    Attributes
    ----------
    J : (2, 2) ndarray
        Population couplings (magnitudes) in mV (= mV/s per Hz), Eq 13.
    jv : (2, 2) ndarray
        Synaptic weight magnitudes ``|j|`` in mV entering the recurrent variance, Eq 12.
    tau, sigma_ext, theta, v_reset, t_ref : (2,) ndarray
        Membrane time constants (s), external noise (mV/sqrt(s)), threshold and reset (mV),
        refractory periods (s).
    name : str
        Label.
    """

    J: np.ndarray
    jv: np.ndarray
    tau: np.ndarray
    sigma_ext: np.ndarray
    theta: np.ndarray
    v_reset: np.ndarray
    t_ref: np.ndarray
    name: str = "custom"

    def __post_init__(self):
        def mat(v, nm):
            a = check_nonnegative(v, nm, "mV")
            if a.ndim == 0:
                a = np.full((2, 2), float(a))
            if a.shape == (4,):
                a = a.reshape(2, 2)
            if a.shape != (2, 2):
                raise ValueError(f"{nm} must be 2x2 [[EE, EI], [IE, II]] or length 4; got shape {a.shape}")
            return a

        def vec(v, nm, check):
            return check_pair(v, nm, scalar=True, check=check)

        if not isinstance(self.name, str):
            raise TypeError(f"name must be a str (a label); got {self.name!r}")
        object.__setattr__(self, "J", mat(self.J, "J"))
        object.__setattr__(self, "jv", mat(self.jv, "j"))
        object.__setattr__(self, "tau", vec(self.tau, "tau", lambda v, n: check_positive(v, n, "s")))
        object.__setattr__(self, "sigma_ext", vec(self.sigma_ext, "sigma_ext",
                                                  lambda v, n: check_positive(v, n, "mV/sqrt(s)")))
        object.__setattr__(self, "theta", vec(self.theta, "theta", check_finite))
        object.__setattr__(self, "v_reset", vec(self.v_reset, "v_reset", check_finite))
        object.__setattr__(self, "t_ref", vec(self.t_ref, "t_ref", lambda v, n: check_nonnegative(v, n, "s")))
        if np.any(self.theta <= self.v_reset):
            raise ValueError(f"theta must be > v_reset; got theta={self.theta.tolist()}, "
                             f"v_reset={self.v_reset.tolist()}")

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_network(cls, net) -> "PhiNetwork":
        """Read a network description by duck typing (attributes J, j, tau, sigma_ext, theta,
        v_reset, t_ref as in ``brianmodels.network.LIFNetwork``; theta/v_reset/t_ref optional).

        Parameters
        ----------
        net : object
            E.g. ``brianmodels.presets.get('bistable')``.
        """
        if isinstance(net, cls):
            return net
        missing = [a for a in ("J", "j", "tau", "sigma_ext") if not hasattr(net, a)]
        if missing:
            raise TypeError(f"network must provide attributes J, j, tau, sigma_ext (like "
                            f"brianmodels.network.LIFNetwork); {type(net).__name__} lacks {missing}")
        return cls(J=np.asarray(net.J, float), jv=np.abs(np.asarray(net.j, float)), tau=net.tau,
                   sigma_ext=net.sigma_ext, theta=getattr(net, "theta", 1.0),
                   v_reset=getattr(net, "v_reset", 0.0), t_ref=getattr(net, "t_ref", 0.0),
                   name=str(getattr(net, "name", "network")))

    @classmethod
    def from_arrays(cls, J, j=None, K=None, tau=(0.020, 0.010), sigma_ext=3.0, theta=1.0, v_reset=0.0,
                    t_ref=0.0, name="custom") -> "PhiNetwork":
        """Build from couplings J and either the weights j or the in-degrees K (j = J / K).

        Parameters
        ----------
        J : array_like, (2, 2) or (4,)
            Couplings [[J_EE, J_EI], [J_IE, J_II]] in mV (magnitudes).
        j : array_like, optional
            Synaptic weight magnitudes in mV (give j or K; j = 0 drops the recurrent variance).
        K : array_like, optional
            In-degrees (> 0), used as j = J / K.
        tau : array_like
            (tau_E, tau_I) in s.
        sigma_ext : array_like
            External noise in mV/sqrt(s).
        theta, v_reset, t_ref : array_like
            Threshold, reset (mV) and refractory period (s).
        name : str
            Label.
        """
        J = check_nonnegative(J, "J", "mV")
        if (j is None) == (K is None):
            raise ValueError("give exactly one of j (synaptic weights, mV) or K (in-degrees)")
        if K is not None:
            K = check_positive(K, "K")
            if K.size == J.size:
                K = np.reshape(K, np.shape(J))
            elif K.ndim != 0:
                raise ValueError(f"K must be a scalar or hold one in-degree per coupling (the shape of J "
                                 f"{np.shape(J)}); got shape {K.shape}")
            j = J / K
        return cls(J=J, jv=np.abs(as_float_array(j, "j")), tau=tau, sigma_ext=sigma_ext, theta=theta,
                   v_reset=v_reset, t_ref=t_ref, name=name)

    # ------------------------------------------------------------------ Eq 12 / Eq 14
    def inputs(self, nu, mu_ext):
        """Total mean input mu_X (mV/s) and noise sigma_X (mV/sqrt(s)) for rates nu (Hz), Eq 12.

        Parameters
        ----------
        nu : array_like, (..., 2)
            Rates (nu_E, nu_I) in Hz.
        mu_ext : array_like, (..., 2)
            External mean drives (mu_E, mu_I) in mV/s.
        """
        nu = np.asarray(nu, float)
        mu = np.asarray(mu_ext, float) + nu @ (self.J * _SIGN).T          # Eq 12, mean
        var = self.sigma_ext ** 2 + np.maximum(nu, 0.0) @ (self.jv * self.J).T  # Eq 12, variance
        return mu, np.sqrt(var)

    def rates(self, nu, mu_ext):
        """Right-hand side Phi_X(mu_X, sigma_X) of Eq 14 in Hz (same shapes as ``nu``)."""
        mu, sig = self.inputs(nu, mu_ext)
        shape = mu.shape
        m, s = mu.reshape(-1, 2), sig.reshape(-1, 2)
        k = m.shape[0]
        out = _core(m.ravel(), s.ravel(), np.tile(self.tau, k), np.tile(self.theta, k),
                    np.tile(self.v_reset, k), np.tile(self.t_ref, k))
        return out.reshape(shape)

    def _eval(self, nu, mu_ext):
        """Residual F = Phi - nu, dF/dnu (2x2) and dPhi/dmu (2,) at one point."""
        mu, sig = self.inputs(nu, mu_ext)
        ph, dmu, dsig = _core(mu, sig, self.tau, self.theta, self.v_reset, self.t_ref, grad=True)
        # d sigma_X / d nu_Y = |j_XY| J_XY / (2 sigma_X)
        dF = dmu[:, None] * (self.J * _SIGN) + (dsig / (2.0 * sig))[:, None] * (self.jv * self.J)
        dF -= np.eye(2)
        return ph - nu, dF, dmu

    def jacobian_dynamics(self, nu, mu_ext):
        """Jacobian of ``tau_X dnu_X/dt = -nu_X + Phi_X`` at (nu, mu_ext), in 1/s (2x2)."""
        _, dF, _ = self._eval(np.asarray(nu, float), np.asarray(mu_ext, float))
        return dF / self.tau[:, None]


def _as_phinet(network) -> PhiNetwork:
    return PhiNetwork.from_network(network)


def _stability(pn: PhiNetwork, nu, mu_ext):
    """(stable, max real part of the eigenvalues in 1/s, residual) at a steady state."""
    F, dF, _ = pn._eval(nu, mu_ext)
    eig = np.linalg.eigvals(dF / pn.tau[:, None])
    emax = float(np.max(eig.real))
    return emax < 0.0, emax, float(np.max(np.abs(F)))


# ============================================================================ single input point
#: status codes of :class:`PointSolutions`
POINT_STATUS = {
    0: "every bracketed steady state found and polished",
    1: "a bracketed root could not be polished (reported, not returned)",
    2: "Phi_E - nu_E > 0 at nu_max: a state above nu_max or runaway activity is possible (not reported)",
}


@dataclass
class PointSolutions(Result):
    """All steady states of Eq 14 at one input point (the :class:`brianmodels.result.Result` convention).

    Attributes
    ----------
    mu_ext : ndarray (2,)
        (mu_E, mu_I) external drives in mV/s.
    nu : ndarray (k, 2)
        Steady-state rates (nu_E, nu_I) in Hz, sorted by nu_E.
    stable : ndarray (k,) bool
        Linear stability under the rate dynamics.
    eig_max : ndarray (k,)
        Largest real part of the Jacobian's eigenvalues (1/s).
    residual : ndarray (k,)
        max ``|Phi - nu|`` (Hz) at each solution.
    status : int
        0 success; 1 a bracketed root could not be polished (reported, not returned);
        2 the E equation is still positive at nu_max (a solution or runaway may lie above nu_max)
        (:data:`POINT_STATUS`).
    message : str
        What happened.
    params : dict
        ``network`` (its name), ``nu_max`` (Hz), ``n_grid``.
    table : pandas.DataFrame
        One row per steady state: ``state`` (index at this point, 0 = lowest nu_E), ``mu_E``,
        ``mu_I`` (mV/s), ``nu_E``, ``nu_I`` (Hz), ``stable`` (bool), ``eig_max`` (1/s),
        ``residual`` (Hz).
    """

    STATUS = POINT_STATUS

    mu_ext: np.ndarray
    nu: np.ndarray
    stable: np.ndarray
    eig_max: np.ndarray
    residual: np.ndarray
    status: int = 0
    message: str = "ok"
    params: dict = field(default_factory=dict)

    @property
    def table(self):
        """Tidy DataFrame: state, mu_E, mu_I, nu_E, nu_I, stable, eig_max, residual (one row per state)."""
        import pandas as pd

        return pd.DataFrame({"state": np.arange(len(self.nu)), "mu_E": self.mu_ext[0], "mu_I": self.mu_ext[1],
                             "nu_E": self.nu[:, 0], "nu_I": self.nu[:, 1], "stable": self.stable,
                             "eig_max": self.eig_max, "residual": self.residual})


def _solve_nu_I(pn: PhiNetwork, nu_E, mu_ext, n_iter=40):
    """nu_I solving the I equation for each nu_E (vectorised bisection on a bracket [0, U]; relative
    precision 2^-40 of U, enough to bracket the E equation, whose roots are then polished in 2-D)."""
    nu_E = np.asarray(nu_E, float)
    k = nu_E.size

    def h(nu_I, mask=None):
        nE = nu_E if mask is None else nu_E[mask]
        return pn.rates(np.column_stack([nE, nu_I]), np.broadcast_to(mu_ext, (nE.size, 2)))[:, 1] - nu_I

    lo = np.zeros(k)
    hi = np.maximum(h(lo), 1.0) * 2.0
    for _ in range(60):
        bad = h(hi) >= 0
        if not bad.any():
            break
        hi = np.where(bad, hi * 4.0, hi)
    # the right-hand side Phi_I > 0 decreases with nu_I: h(0) > 0 and h(hi) < 0
    return bisect(h, lo, hi, n_iter=n_iter, rtol=0.0, lo_positive=True)


def _rel_err(F, x):
    """max |Phi_X - nu_X| / max(1, nu_X): the convergence measure of :func:`_polish`."""
    return float(np.max(np.abs(F) / np.maximum(1.0, x)))


def _polish(pn, nu0, mu_ext, tol=1e-12, max_iter=50):
    """Damped Newton (:func:`meanfield._solvers.damped_newton`) on the 2-D system at fixed input;
    returns (nu, converged).

    Converged means max |Phi_X - nu_X| <= tol * max(1, nu_X) (relative for rates above 1 Hz). Rates
    are >= 0 (Phi > 0): trial points are projected onto nu >= 0, not rejected.
    """
    mu_ext = np.asarray(mu_ext, float)
    last = {}

    def ev(x):
        key = x.tobytes()
        if last.get("key") != key:
            F, dF, _ = pn._eval(x, mu_ext)
            last.update(key=key, F=F, dF=dF)
        return last

    x, ok, _ = damped_newton(lambda x: ev(x)["F"], lambda x: ev(x)["dF"], np.maximum(np.asarray(nu0, float), 0.0),
                             tol=tol, max_iter=max_iter, norm=_rel_err, max_halvings=40, lam_min=1e-6,
                             project=lambda x: np.maximum(x, 0.0))
    return x, ok


def _point_drive(mu_E, r, mu_I):
    """(mu_E, mu_I) of one input point as a length-2 array (mV/s)."""
    mu_E, mu_I, _ = check_drive(mu_E, r, mu_I)
    if mu_E.ndim != 0:
        raise ValueError(f"solve_point solves one input point: mu_E, r and mu_I must be scalars; got shape "
                         f"{mu_E.shape}")
    return np.array([float(mu_E), float(mu_I)])


def solve_point(network, mu_E, *, r=None, mu_I=None, nu_max: float = 500.0, n_grid: int = 400) -> PointSolutions:
    """Every steady state of Eq 14 at one input point (mu_E, mu_I).

    For each nu_E of a grid (0 and ``n_grid`` log-spaced values up to ``nu_max``) the I equation is
    solved for nu_I (the right-hand side decreases with nu_I); sign changes of the remaining E
    equation ``Phi_E - nu_E`` bracket the solutions, which are then polished by Newton's method on
    the 2-D system (residual <= 1e-12 relative). Two solutions closer than the grid spacing (next to
    a fold) can be missed; :func:`selfconsistent` follows folds by continuation instead.

    Parameters
    ----------
    network : LIFNetwork-like or PhiNetwork
        The network (duck-typed: J, j, tau, sigma_ext, theta, v_reset, t_ref).
    mu_E : float
        External mean drive of E in mV/s.
    r : float, optional
        Input ratio mu_I / mu_E (give ``r`` or ``mu_I``, not both; neither: r = 1).
    mu_I : float, optional
        External mean drive of I in mV/s.
    nu_max : float
        Largest rate searched (Hz, > 0). Without refractoriness Phi is unbounded, so solutions above
        ``nu_max`` (or runaway) are reported through ``status = 2``, not returned.
    n_grid : int
        Number of grid values of nu_E (integer in [10, 1e6]).

    Returns
    -------
    PointSolutions

    Examples
    --------
    The bistable network (Fig 4) at mu_E = mu_I = 3 mV/s: three self-consistent states, the middle
    one unstable:

    >>> from brianmodels import presets
    >>> from meanfield import solve_point
    >>> res = solve_point(presets.get("bistable"), 3.0)
    >>> res.message
    '3 steady state(s) at (mu_E, mu_I) = (3, 3) mV/s'
    >>> print(res.table[["state", "nu_E", "nu_I", "stable"]].round(3).to_string(index=False))
     state  nu_E  nu_I  stable
         0 0.839 0.016    True
         1 2.534 0.125   False
         2 5.192 0.893    True
    """
    pn = _as_phinet(network)
    mu_ext = _point_drive(mu_E, r, mu_I)
    nu_max = check_float(nu_max, "nu_max", 0.0, low_inclusive=False, unit="Hz")
    n_grid = check_int(n_grid, "n_grid", low=N_GRID_MIN, high=N_GRID_MAX)
    return _solve_point(pn, mu_ext, nu_max, n_grid)


def _solve_point(pn, mu_ext, nu_max, n_grid):
    grid = np.concatenate([[0.0], np.geomspace(1e-10, nu_max, n_grid)])
    nuI = _solve_nu_I(pn, grid, mu_ext)
    G = pn.rates(np.column_stack([grid, nuI]), np.broadcast_to(mu_ext, (grid.size, 2)))[:, 0] - grid
    sols, status, msgs = [], 0, []
    idx = np.nonzero(np.sign(G[:-1]) != np.sign(G[1:]))[0]
    for i in idx:
        a, b = grid[i], grid[i + 1]
        # interpolate the root of G in the bracket, then polish in 2-D
        w = G[i] / (G[i] - G[i + 1])
        x0 = np.array([a + w * (b - a), nuI[i] + w * (nuI[i + 1] - nuI[i])])
        nu, ok = _polish(pn, x0, mu_ext)
        if not (ok and a * (1 - 1e-9) - 1e-300 <= nu[0] <= b * (1 + 1e-9) + 1e-300):
            # fall back to a scalar bracketed solve of the reduced equation

            def g(x):
                ni = _solve_nu_I(pn, np.array([x]), mu_ext)[0]
                return pn.rates(np.array([x, ni]), mu_ext)[0] - x

            try:
                xe = brentq(g, a, b, xtol=1e-300, rtol=4e-16, maxiter=200)
                nu, ok = _polish(pn, np.array([xe, _solve_nu_I(pn, np.array([xe]), mu_ext)[0]]), mu_ext)
            except ValueError:
                ok = False
        if ok:
            sols.append(nu)
        else:
            status = 1
            msgs.append(f"root bracketed in nu_E in [{a:.4g}, {b:.4g}] Hz could not be polished")
    if G[-1] > 0:
        status = status or 2
        msgs.append(f"Phi_E - nu_E > 0 at nu_E = nu_max = {nu_max:g} Hz: a solution above nu_max or "
                    "runaway activity is possible")
    # deduplicate
    uniq = []
    for s in sorted(sols, key=lambda v: v[0]):
        if not uniq or np.max(np.abs(s - uniq[-1]) / np.maximum(1e-12, np.abs(s))) > 1e-7:
            uniq.append(s)
    nu = np.array(uniq).reshape(-1, 2)
    st = [_stability(pn, v, mu_ext) for v in nu]
    return PointSolutions(mu_ext=mu_ext, nu=nu, stable=np.array([s[0] for s in st], bool),
                          eig_max=np.array([s[1] for s in st]), residual=np.array([s[2] for s in st]),
                          status=status, message="; ".join(msgs) if msgs else
                          f"{len(nu)} steady state(s) at (mu_E, mu_I) = ({mu_ext[0]:g}, {mu_ext[1]:g}) mV/s",
                          params=dict(network=pn.name, nu_max=float(nu_max), n_grid=int(n_grid)))


# ============================================================================ sweeps
@dataclass(kw_only=True)
class SelfConsistentResult(TableResult):
    """Steady states of Eq 14 along an input sweep (all branches; the :class:`brianmodels.result.Result`
    convention).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per input point x steady state, columns ``TABLE_COLUMNS``:
        ``point`` (index of the input point), ``mu_E``, ``mu_I`` (external drives, mV/s),
        ``nu_E``, ``nu_I`` (Hz), ``stable`` (bool, rate dynamics with tau_X = membrane tau),
        ``branch`` (int; the connected solution curve, continuous through folds, as the SSN's
        sweeps), ``segment`` (int; a piece of a branch between folds, numbered over the whole
        table so that at an S-shaped curve 0/1/2 are the low/middle/high segments; each segment is
        monotone in the input path), ``state`` (index of the solution within its input point,
        0 = lowest nu_E, as the SSN's ``steady_states``), ``sigma_E``, ``sigma_I`` (total noise,
        mV/sqrt(s)), ``eig_max`` (largest real part of the Jacobian's eigenvalues, 1/s),
        ``residual`` (max ``|Phi - nu|``, Hz).
    folds : pandas.DataFrame
        Saddle-node points: ``mu_E``, ``mu_I``, ``nu_E``, ``nu_I``, ``branch``, ``lam`` (position on
        the input path in units of the point index).
    curves : list of ContinuationResult
        The dense continuation curves (x = (nu_E, nu_I, lam)), one per branch.
    status : int
        0 success; 1 some continuation or polish failed (see message); 2 a branch left the rate range
        [0, nu_max] (runaway activity, ``diagnostics['runaway']``) or a scan found the E equation still
        positive at nu_max (states above nu_max possible, ``diagnostics['above_nu_max']``)
        (``STATUS``; also :class:`~meanfield.lif.scaling.SizeScalingResult`'s).
    message : str
        What happened.
    diagnostics : dict
        Counters (steps, Newton iterations, rejected steps), max residual, seeds, check points.
    params : dict
        ``network`` (name) and the solver settings.
    """

    #: status codes (code -> meaning)
    STATUS = {
        0: "every branch followed and polished within the rate range",
        1: "a continuation or polish failed (see message)",
        2: "a branch left the rate range [0, nu_max] (runaway activity) or states above nu_max are possible",
    }

    folds: object
    curves: list

    def long(self):
        """The table in long format: one row per input point x steady state x population.

        Columns: point, mu_E, mu_I, branch, segment, state, stable, population ('E' or 'I'), nu (Hz),
        mu_ext (mV/s), sigma (mV/sqrt(s)).
        """
        import pandas as pd

        t = self.table
        parts = []
        for pop in ("E", "I"):
            d = t[["point", "mu_E", "mu_I", "branch", "segment", "state", "stable"]].copy()
            d["population"] = pop
            d["nu"] = t[f"nu_{pop}"].to_numpy()
            d["mu_ext"] = t[f"mu_{pop}"].to_numpy()
            d["sigma"] = t[f"sigma_{pop}"].to_numpy()
            parts.append(d)
        return pd.concat(parts, ignore_index=True).sort_values(["point", "segment", "population"],
                                                               ignore_index=True)


#: status codes of :class:`SelfConsistentResult` (and :class:`~meanfield.lif.scaling.SizeScalingResult`)
STATUS = SelfConsistentResult.STATUS


class _Path:
    """Piecewise-linear input path mu_ext(lam), lam in [0, n-1] (lam = k at input point k)."""

    def __init__(self, mu_E, mu_I):
        self.mu = np.column_stack([mu_E, mu_I])
        self.n = len(mu_E)
        self.d = np.diff(self.mu, axis=0)
        self.length = float(np.sum(np.hypot(self.d[:, 0], self.d[:, 1])))

    def at(self, lam):
        k = int(min(max(math.floor(lam), 0), self.n - 2))
        return self.mu[k] + (lam - k) * self.d[k], self.d[k]


#: smallest and largest nu_E grid of the scans (:func:`solve_point`, :func:`selfconsistent`)
N_GRID_MIN, N_GRID_MAX = 10, 1_000_000
#: loosest corrector tolerance of :func:`selfconsistent` (Hz): a looser corrector can step onto
#: another branch near a fold
TOL_MAX = 1e-6


def _check_settings(nu_max, n_check, n_grid, ds_max, tol, progress):
    """Validate the solver settings of :func:`selfconsistent` (also used by ``size_scaling``)."""
    return dict(nu_max=check_float(nu_max, "nu_max", 0.0, low_inclusive=False, unit="Hz"),
                n_check=check_int(n_check, "n_check", low=0),
                n_grid=check_int(n_grid, "n_grid", low=N_GRID_MIN, high=N_GRID_MAX),
                ds_max=None if ds_max is None else check_float(ds_max, "ds_max", 0.0, low_inclusive=False),
                tol=check_float(tol, "tol", 0.0, TOL_MAX, low_inclusive=False, unit="Hz"),
                progress=check_bool(progress, "progress"))


def _input_arrays(mu_E, r, mu_I, name_E="mu_E", name_I="mu_I"):
    """The sweep path (mu_E, mu_I) from mu_E and at most one of r / mu_I (:func:`check_drive`)."""
    mu_E = check_finite(mu_E, name_E)
    if mu_E.ndim != 1 or mu_E.size < 2:
        raise ValueError(f"{name_E} must be a 1-D array of >= 2 input values (mV/s); got shape {mu_E.shape}")
    if mu_I is None:
        r = check_float(1.0 if r is None else r, "r")
    elif np.shape(mu_I) != mu_E.shape:
        raise ValueError(f"{name_I} must have the shape of {name_E} {mu_E.shape}; got {np.shape(mu_I)}")
    mu_E, mu_I, _ = check_drive(mu_E, r, mu_I, names=(name_E, "r", name_I))
    same = np.all(np.diff(np.column_stack([mu_E, mu_I]), axis=0) == 0, axis=1)
    if np.any(same):
        raise ValueError(f"consecutive input points ({name_E}, {name_I}) must differ (the sweep path needs a "
                         f"direction); points {np.nonzero(same)[0][:5].tolist()} and the next are equal")
    return mu_E, mu_I


def selfconsistent(network, mu_E, *, r: Optional[float] = None, mu_I=None, nu_max: float = 500.0, n_check: int = 6,
                   n_grid: int = 300, ds_max: Optional[float] = None, tol: float = 1e-11,
                   progress: bool = False) -> SelfConsistentResult:
    """All steady states of the Ricciardi self-consistency (Eq 14) along an input sweep.

    The sweep is the piecewise-linear path through the input points (mu_E[k], mu_I[k]). Solution
    curves (nu_E, nu_I, lam) are followed by pseudo-arclength continuation through folds; they are
    seeded by :func:`solve_point` at the first and last input point and at ``n_check`` interior
    points (solutions there that no curve passes through seed further curves, which catches
    disconnected branches). Each curve is then cut at every input point and polished by Newton's
    method, giving one row per input point x branch.

    Parameters
    ----------
    network : LIFNetwork-like or PhiNetwork
        Duck-typed network (J, j, tau, sigma_ext, theta, v_reset, t_ref), e.g.
        ``brianmodels.presets.get('bistable')``; or :meth:`PhiNetwork.from_arrays`.
    mu_E : array_like (n,)
        External drive of E in mV/s at the input points (n >= 2).
    r : float, optional
        Input ratio: mu_I = r * mu_E (give ``r`` or ``mu_I``, not both; neither: r = 1).
    mu_I : array_like (n,), optional
        External drive of I in mV/s.
    nu_max : float
        Rates above this (Hz, > 0, finite) end a curve (runaway: Phi is unbounded without
        refractoriness).
    n_check : int
        Interior input points scanned for solutions off the continued curves (integer >= 0).
    n_grid : int
        nu_E grid size of the scans (:func:`solve_point`; integer in [10, 1e6]).
    ds_max : float, optional
        Largest continuation step in arclength units (1 unit = 1 mV/s of input path or 1 Hz; > 0);
        default path length / 40.
    tol : float
        Residual tolerance (Hz) of the continuation corrector, in (0, 1e-6]; final points are
        polished to ~1e-12.
    progress : bool
        Show a tqdm progress bar over seeds.

    Raises
    ------
    ValueError, TypeError
        Before any solving, for a bad network, inputs (non-finite, fewer than 2 points, repeated
        consecutive points, mismatched shapes) or settings out of the ranges above.

    Returns
    -------
    SelfConsistentResult

    Examples
    --------
    >>> from brianmodels import presets
    >>> from meanfield import selfconsistent
    >>> res = selfconsistent(presets.get("supersaturating"), [10.0, 20.0, 30.0], r=1.0)
    >>> res.message
    '1 branch(es), 0 fold(s) along 3 input points'
    >>> print(res.table[["mu_E", "nu_E", "nu_I", "stable"]].round(3).to_string(index=False))
     mu_E  nu_E  nu_I  stable
     10.0 1.739 0.125    True
     20.0 2.555 0.940    True
     30.0 2.115 1.947    True

    The bistable network folds twice; the folds bound its hysteresis window (mV/s, Hz):

    >>> import numpy as np
    >>> res = selfconsistent(presets.get("bistable"), np.linspace(0, 10, 101))
    >>> print(res.folds[["mu_E", "nu_E"]].round(1).to_string(index=False))
     mu_E  nu_E
      3.6   1.5
      2.0   4.1
    """
    pn = _as_phinet(network)
    mu_E, mu_I = _input_arrays(mu_E, r, mu_I)
    settings = _check_settings(nu_max, n_check, n_grid, ds_max, tol, progress)
    nu_max, n_check, n_grid, tol = (settings[k] for k in ("nu_max", "n_check", "n_grid", "tol"))
    path = _Path(mu_E, mu_I)
    n = path.n
    lam_scale = (n - 1) / path.length          # 1 scaled unit of lam = 1 mV/s of input path
    scale = np.array([1.0, 1.0, lam_scale])
    ds_max = path.length / 40.0 if ds_max is None else settings["ds_max"]

    cache = {}

    def ev(x):
        key = x.tobytes()
        if key not in cache:
            if len(cache) > 8:
                cache.clear()
            mu_ext, dmu_dlam = path.at(x[2])
            F, dF, dphi = pn._eval(x[:2], mu_ext)
            cache[key] = (F, np.column_stack([dF, dphi * dmu_dlam]))
        return cache[key]

    def F(x):
        return ev(x)[0]

    def jac(x):
        return ev(x)[1]

    def in_domain(x):
        return bool(np.all(x[:2] >= -1e-9) and np.all(x[:2] <= nu_max))

    check_pts = sorted(set([0, n - 1] + [int(round(v)) for v in np.linspace(0, n - 1, n_check + 2)[1:-1]]))
    seeds = {}
    status, msgs, above = 0, [], []
    for k in check_pts:
        ps = _solve_point(pn, path.mu[k], nu_max, n_grid)
        seeds[k] = ps
        if ps.status == 1:
            status = 1
            msgs.append(f"input point {k}: {ps.message}")
        elif ps.status == 2:
            above.append(k)

    curves = []
    runaway = []

    def covered(k, nu):
        for c in curves:
            lam = _snap(c.x[:, 2])
            hit = np.nonzero((lam[:-1] - k) * (lam[1:] - k) <= 0)[0]
            for i in hit:
                a, b = c.x[i], c.x[i + 1]
                w = 0.0 if b[2] == a[2] else (k - a[2]) / (b[2] - a[2])
                guess = a[:2] + w * (b[:2] - a[:2])
                if np.all(np.abs(guess - nu) <= 1e-3 * np.maximum(np.abs(nu), 1e-3) + 0.2 * ds_max):
                    return True
        return False

    def run(x0, direction):
        return continue_curve(F, jac, x0, direction=direction, param_bounds=(0.0, n - 1.0), scale=scale,
                              ds=ds_max / 4, ds_max=ds_max, tol=tol, in_domain=in_domain)

    order = [0, n - 1] + [k for k in check_pts if k not in (0, n - 1)]
    it = order
    if progress:
        from tqdm.auto import tqdm
        it = tqdm(order, desc="Phi_sc seeds")
    for k in it:
        for nu in seeds[k].nu:
            if covered(k, nu):
                continue
            x0 = np.array([nu[0], nu[1], float(k)])
            if k == 0:
                parts = [run(x0, +1.0)]
            elif k == n - 1:
                parts = [run(x0, -1.0)]
            else:
                parts = [run(x0, -1.0), run(x0, +1.0)]
            for c in parts:
                if not c.success:
                    status = 1
                    msgs.append(f"continuation from input point {k} stopped: {c.message}")
                if c.end == "domain":
                    runaway.append(float(c.x[-1, 2]))
            if len(parts) == 2:  # join the two halves into one curve running in +lam direction
                a, b = parts
                c = b
                c.x = np.vstack([a.x[::-1], b.x[1:]])
                c.tangent = np.vstack([-a.tangent[::-1], b.tangent[1:]])
                c.folds = [len(a.x) - 2 - i for i in a.folds][::-1] + [len(a.x) - 1 + i for i in b.folds]
                c.n_steps += a.n_steps
                c.n_newton += a.n_newton
                c.n_rejected += a.n_rejected
                c.max_residual = max(a.max_residual, b.max_residual)
                if a.status != 0 or b.status != 0 or a.end != "bound" or b.end != "bound":
                    c.status = a.status if a.status != 0 else b.status
                    c.end = None if c.status else (a.end if a.end != "bound" else b.end)
                    c.message = f"backward: {a.message}; forward: {b.message}"
                curves.append(c)
            else:
                curves.append(parts[0])

    table, folds = _tabulate(pn, path, curves, scale, tol)
    if runaway:
        status = status or 2
        msgs.append(f"{len(runaway)} branch end(s) left [0, {nu_max:g}] Hz (runaway activity) near input "
                    f"point(s) {sorted(set(round(v, 2) for v in runaway))}")
    if above:
        status = status or 2
        msgs.append(f"Phi_E - nu_E > 0 at nu_max = {nu_max:g} Hz at input point(s) {above}: states above "
                    "nu_max (or runaway activity) are not reported")
    diag = {
        "above_nu_max": above,
        "n_curves": len(curves),
        "n_steps": int(sum(c.n_steps for c in curves)),
        "n_newton": int(sum(c.n_newton for c in curves)),
        "n_rejected": int(sum(c.n_rejected for c in curves)),
        "max_residual": float(table["residual"].max()) if len(table) else 0.0,
        "check_points": check_pts,
        "n_solutions_at_checks": {k: int(len(seeds[k].nu)) for k in check_pts},
        "runaway": runaway,
    }
    if len(table) and diag["max_residual"] > 1e-8:
        status = 1
        msgs.append(f"max residual {diag['max_residual']:.2e} Hz exceeds 1e-8")
    message = "; ".join(msgs) if msgs else (f"{len(curves)} branch(es), {len(folds)} fold(s) along "
                                            f"{n} input points")
    params = dict(network=pn.name, nu_max=float(nu_max), n_check=int(n_check), n_grid=int(n_grid),
                  ds_max=float(ds_max), tol=float(tol))
    return SelfConsistentResult(table=table, folds=folds, curves=curves, status=status, message=message,
                                diagnostics=diag, params=params)


def _tabulate(pn, path, curves, scale, tol):
    """Cut the curves at every input point, polish, classify; number the branches and segments."""
    import pandas as pd

    rows, fold_rows = [], []
    # order curves by their rate at the lowest lam they reach, so that numbering is reproducible
    order = sorted(range(len(curves)), key=lambda i: (curves[i].x[:, 2].min(), curves[i].x[0, 0]))
    segment_id = {}
    for ci_new, ci in enumerate(order):
        c = curves[ci]
        X = c.x
        seg = np.zeros(len(X), int)
        for f in c.folds:
            seg[f + 1:] += 1
        for f in c.folds:  # refine each fold
            xf = locate_fold(lambda x: _F_at(pn, path, x), lambda x: _J_at(pn, path, x), X[f], c.tangent[f],
                             X[f + 1], scale=scale, tol=tol)
            if xf is not None:
                mu_ext, _ = path.at(xf[2])
                fold_rows.append({"mu_E": mu_ext[0], "mu_I": mu_ext[1], "nu_E": xf[0], "nu_I": xf[1],
                                  "branch": ci_new, "lam": xf[2]})
        lam = _snap(X[:, 2])
        for k in range(path.n):
            hits = np.nonzero(((lam[:-1] - k) * (lam[1:] - k) <= 0) & (lam[:-1] != lam[1:]))[0]
            hits = list(hits) + [i for i in np.nonzero(lam == k)[0] if i == len(lam) - 1]
            seen = []
            for i in hits:
                if i + 1 < len(X):
                    a, b = X[i], X[i + 1]
                    w = (k - a[2]) / (b[2] - a[2]) if b[2] != a[2] else 0.0
                    guess = a[:2] + w * (b[:2] - a[:2])
                else:
                    guess = X[i, :2]
                mu_ext = path.mu[k]
                nu, ok = _polish(pn, guess, mu_ext)
                if not ok:
                    continue
                s = seg[i]
                if i + 1 < len(X) and seg[i + 1] != seg[i]:
                    # a fold lies between X[i] and X[i+1]: the side follows from the local tangent
                    t = _tangent(_J_at(pn, path, np.append(nu, k)) * scale[None, :], c.tangent[i])
                    if t[2] * c.tangent[i][2] < 0:
                        s = seg[i + 1]
                if any(np.all(np.abs(nu - q) <= 1e-9 * np.maximum(1.0, np.abs(q))) for q in seen):
                    continue
                seen.append(nu)
                stable, emax, res = _stability(pn, nu, mu_ext)
                _, sig = pn.inputs(nu, mu_ext)
                key = (ci_new, int(s))       # (branch, piece of it between folds)
                segment_id.setdefault(key, None)
                rows.append({"point": k, "mu_E": mu_ext[0], "mu_I": mu_ext[1], "nu_E": nu[0], "nu_I": nu[1],
                             "stable": bool(stable), "branch": ci_new, "segment": key,
                             "sigma_E": sig[0], "sigma_I": sig[1], "eig_max": emax, "residual": res})
    for i, key in enumerate(sorted(segment_id)):
        segment_id[key] = i
    for row in rows:
        row["segment"] = segment_id[row["segment"]]
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    if len(table):
        table = table.sort_values(["point", "nu_E"], ignore_index=True)
        table["state"] = table.groupby("point").cumcount()
        table["stable"] = table["stable"].astype(bool)
    folds = pd.DataFrame(fold_rows, columns=["mu_E", "mu_I", "nu_E", "nu_I", "branch", "lam"])
    return table, folds


def _snap(lam):
    """Path positions within 1e-9 of an input point are put exactly on it (crossing tests)."""
    r = np.round(lam)
    return np.where(np.abs(lam - r) <= 1e-9, r, lam)


def _F_at(pn, path, x):
    mu_ext, _ = path.at(x[2])
    return pn._eval(x[:2], mu_ext)[0]


def _J_at(pn, path, x):
    mu_ext, d = path.at(x[2])
    F, dF, dphi = pn._eval(x[:2], mu_ext)
    return np.column_stack([dF, dphi * d])
