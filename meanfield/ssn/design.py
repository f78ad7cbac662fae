"""Input design, weight inversion and regime targeting for the two-population SSN.

Ekelmans, Kraynyukova & Tchumatchenko (2023), reconstructed in ``docs/theory/ssn_lif.md``:

* :func:`inputs_for` -- Eq 5: the external inputs mu_E(t), mu_I(t) that make a target rate
  trajectory nu_E(t), nu_I(t) a steady state of Eq 3 (``docs/theory/ssn_lif.md`` §9);
* :func:`weights_for` -- Eq 6 variant: two chosen couplings J_XY(t) that do the same with
  constant inputs (``docs/theory/ssn_lif.md`` §9, "plastic-weight" variant);
* regime targeting, each returning a :class:`DesignResult` (scipy-``OptimizeResult`` style:
  ``success``, ``status``, ``message``, requested vs achieved values, diagnostics):

  - :func:`target_supersaturation` -- a supersaturation peak of given height (and position),
    via the Fig 2B invariance (``docs/theory/ssn_lif.md`` §8) and constrained least change;
  - :func:`target_bistability` -- a bistability window [mu_1, mu_2] (fold points, ``docs/theory/ssn_lif.md`` §7.5);
  - :func:`target_isn` -- a given ISN onset rate nu_E^ISN (Eq 7, closed form for J_EE);
  - :func:`target_balanced` -- a balanced state that exists and is stable (Eq S2/S4, ``docs/theory/ssn_lif.md`` §11).

Every function takes an ``ssn`` object first (duck-typed: attributes ``J`` (2x2 magnitudes
[[J_EE, J_EI], [J_IE, J_II]] in mV), ``a``, ``b``, ``n``, ``tau`` and the methods of
:class:`meanfield.ssn.model.SSN`). Units: rates Hz, inputs mV/s, couplings mV, times s.

Targeting functions optionally take a ``network`` (duck-typed ``brianmodels.network.LIFNetwork``:
attributes ``K``, ``j``, ``J`` and a ``replace(**changes)`` method) and then also return
``network.replace(j=J_new / K)``, so the designed circuit can be simulated directly.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from brianmodels.result import Result
from brianmodels.units import to_mapping

from .._solvers import brentq
from .._validate import (as_float, broadcast, check_bool, check_finite, check_float, check_int,
                         check_pair)
from .kernels import is_stable

__all__ = [
    "PATHWAYS",
    "DesignResult",
    "inputs_for",
    "weights_for",
    "target_supersaturation",
    "target_bistability",
    "target_isn",
    "target_balanced",
]

#: Names of the four couplings, row-major order of the 2x2 arrays ([target, source]).
PATHWAYS = ("EE", "EI", "IE", "II")
_INDEX = {name: divmod(k, 2) for k, name in enumerate(PATHWAYS)}

# status codes of DesignResult
_OK, _INFEASIBLE, _NOT_CONVERGED, _NOT_VERIFIED = 0, 1, 2, 3
_STATUS_TEXT = {
    _OK: "target reached and verified with the SSN's own functions",
    _INFEASIBLE: "target unreachable under the given constraints",
    _NOT_CONVERGED: "optimiser found no (J, r) satisfying the target equations",
    _NOT_VERIFIED: "closed forms satisfied, but the recomputed regime differs from the request",
}


# =====================================================================================
# result object
# =====================================================================================
@dataclass
class DesignResult(Result):
    """Outcome of a regime-targeting call (the :class:`brianmodels.result.Result` convention).

    Attributes
    ----------
    status : int
        0 success: the optimiser converged *and* the regime recomputed with the SSN's own
        functions matches the request within ``rtol``; 1 target unreachable under the constraints
        (proved before/without optimising); 2 optimiser did not find a solution; 3 solution found
        but verification failed (:data:`STATUS`).
    success : bool
        ``status == 0``.
    message : str
        What happened (what failed and why).
    target : str
        ``'supersaturation'``, ``'bistability'``, ``'isn'`` or ``'balanced'``.
    J : numpy.ndarray or None
        (2, 2) designed couplings [[J_EE, J_EI], [J_IE, J_II]] in mV (None if unreachable).
    r : float or None
        Designed input ratio r = mu_I^ext / mu_E^ext (None where r plays no role).
    ssn : object or None
        A new SSN (same class as the input one) with couplings ``J``.
    network : object or None
        ``network.replace(j=J / K)`` when a network was given, else None.
    requested : dict
        The requested regime values (Hz, mV/s).
    achieved : dict
        The same quantities recomputed from ``ssn`` (NaN where not computable).
    diagnostics : dict
        Solver details: starting point, relative change of each weight, optimiser messages,
        residuals, number of starts, ...
    table : pandas.DataFrame
        One row per targeted quantity: ``quantity``, ``requested``, ``achieved`` (units of the
        quantity: Hz for rates, mV/s for inputs; flags as bool).
    params : dict
        ``target``, ``requested`` and the designed ``J`` (mV) and ``r``.
    """

    STATUS = _STATUS_TEXT

    target: str
    status: int
    message: str
    J: Optional[np.ndarray] = None
    r: Optional[float] = None
    ssn: object = None
    network: object = None
    requested: dict = field(default_factory=dict)
    achieved: dict = field(default_factory=dict)
    diagnostics: dict = field(default_factory=dict)

    @property
    def table(self):
        """Requested vs achieved values, one row per quantity."""
        import pandas as pd

        keys = list(self.requested) + [k for k in self.achieved if k not in self.requested]
        return pd.DataFrame({"quantity": keys, "requested": [self.requested.get(k, np.nan) for k in keys],
                             "achieved": [self.achieved.get(k, np.nan) for k in keys]})

    @property
    def params(self):
        """JSON-able description: target, requested values, designed J (mV) and r."""
        return dict(target=self.target, requested=dict(self.requested),
                    J=None if self.J is None else np.asarray(self.J).tolist(), r=self.r)

    def __repr__(self):
        keys = ("success", "status", "message", "target", "J", "r", "requested", "achieved")
        lines = [f"{k:>10}: {getattr(self, k)!r}" for k in keys]
        return "DesignResult(\n" + "\n".join(lines) + "\n)"


def _result(target, status, message, *, J=None, r=None, ssn=None, network=None,
            requested=None, achieved=None, diagnostics=None) -> DesignResult:
    return DesignResult(
        target=target, status=status, message=message,
        J=None if J is None else np.array(J, dtype=float), r=None if r is None else float(r),
        ssn=ssn, network=network, requested=dict(requested or {}), achieved=dict(achieved or {}),
        diagnostics=dict(diagnostics or {}))


# =====================================================================================
# plain-float kernels (no parameter handling)
# =====================================================================================
def _inverse_powerlaw(nu, a, b, n):
    """Input mu (mV/s) that gives rate nu (Hz) through Eq 1, nu = a (mu - b)^n, for nu > 0."""
    return (nu / a) ** (1.0 / n) + b


def _eq5(nu_E, nu_I, J, a, b, n):
    """Eq 5: external inputs (mu_E, mu_I) in mV/s for steady rates (nu_E, nu_I) > 0 Hz.

    The total input above threshold needed for rate nu is x = (nu/a)^(1/n) (Eq 1 inverted); the
    recurrent part is Eq 2's input at zero external drive (``ssn_symbolic`` ``inputs``), so
    mu^ext = x - inputs(nu, mu^ext=0). ``J`` may be (2, 2) or (..., 2, 2).
    """
    x0_E, x0_I = _fns().inputs(nu_E, nu_I, 0.0, 0.0, *_P(J, a, b, n))
    return (_inverse_powerlaw(nu_E, a[0], 0.0, n[0]) - x0_E,
            _inverse_powerlaw(nu_I, a[1], 0.0, n[1]) - x0_I)


def _eq6(nu_E, nu_I, mu_E, mu_I, J, a, b, n, pair):
    """Eq 6 variant: the two couplings of ``pair`` (one per row) solving Eq 3 at constant inputs.

    Eq 3 is linear in each row of J at fixed rates:
    ``R_E = (nu_E/a_E)^(1/n_E) + b_E - mu_E = J_EE nu_E - J_EI nu_I`` and
    ``R_I = (nu_I/a_I)^(1/n_I) + b_I - mu_I = J_IE nu_E - J_II nu_I``.
    """
    R = (_inverse_powerlaw(nu_E, a[0], b[0], n[0]) - mu_E,
         _inverse_powerlaw(nu_I, a[1], b[1], n[1]) - mu_I)
    out = []
    for name in pair:
        row, col = _INDEX[name]
        other = J[row, 1 - col]
        if col == 0:   # J_X E = (R_X + J_X I nu_I) / nu_E
            out.append((R[row] + other * nu_I) / nu_E)
        else:          # J_X I = (J_X E nu_E - R_X) / nu_I
            out.append((other * nu_E - R[row]) / nu_I)
    return tuple(out)


def _fold_rates_I(nu_E, J, a, b, n):
    """nu_I (Hz) on the fold curve Delta = 0 (``docs/theory/ssn_lif.md`` §7.4) in rate space, for given nu_E.

    Delta = det(1 - G J) is affine in the I gain, Delta = D0 + g_I D1, so the fold curve is
    g_I = -D0 / D1; with g_I(x) = g_I(1) x^(n_I - 1) (x = mu_I - b_I, Eq 1) the I rate is
    a_I x^n_I. NaN where no positive g_I exists. Used to seed the bistability search.
    """
    f = _fns()
    nu_E = np.asarray(nu_E, dtype=float)
    g_E = f.gain(_inverse_powerlaw(nu_E, a[0], 0.0, n[0]), a[0], n[0])
    P = _P(J, a, b, n)
    d0 = f.delta(g_E, 0.0 * g_E, *P)
    d1 = f.delta(g_E, 1.0 + 0.0 * g_E, *P) - d0
    with np.errstate(divide="ignore", invalid="ignore"):
        g_I = np.where(d1 != 0, -d0 / d1, np.nan)
        g_I = np.where(g_I > 0, g_I, np.nan)
        x = (g_I / f.gain(1.0, a[1], n[1])) ** (1.0 / (n[1] - 1.0))
    return f.rate(x, a[1], n[1])


# --- SSN quantities: every formula comes from the one symbolic derivation (ssn_symbolic) ---------
def _fns():
    from .symbolic import functions
    return functions()


def _P(J, a, b, n):
    """Parameter tuple in ssn_symbolic.PARAM_NAMES order; J may be (..., 2, 2)."""
    J = np.asarray(J, dtype=float)
    return (J[..., 0, 0], J[..., 0, 1], J[..., 1, 0], J[..., 1, 1], a[0], a[1], b[0], b[1], n[0], n[1])


def _delta_trace(nu_E, nu_I, J, a, n, tau, b=(0.0, 0.0)):
    """Delta = det(1 - G J) and the trace of the Jacobian of Eq 2 (1/s) at rates (nu_E, nu_I) > 0.

    Stable steady state <=> Delta > 0 and trace < 0 (``docs/theory/ssn_lif.md`` §7.4). Gains, Delta and the Jacobian
    are the SSN's own symbolic functions (``ssn_symbolic``), evaluated at x_X = (nu_X/a_X)^(1/n_X);
    ``J`` may be (2, 2) or (..., 2, 2).
    """
    f = _fns()
    P = _P(J, a, b, n)
    g_E = f.gain(_inverse_powerlaw(np.asarray(nu_E, float), a[0], 0.0, n[0]), a[0], n[0])
    g_I = f.gain(_inverse_powerlaw(np.asarray(nu_I, float), a[1], 0.0, n[1]), a[1], n[1])
    shape = np.broadcast_shapes(np.shape(g_E), np.shape(g_I), *(np.shape(v) for v in P[:4]))
    g_E, g_I = np.broadcast_to(g_E, shape), np.broadcast_to(g_I, shape)
    P = tuple(np.broadcast_to(v, shape) for v in P[:4]) + P[4:]
    delta = np.broadcast_to(np.asarray(f.delta(g_E, g_I, *P), float), shape)
    jac = f.jacobian(g_E, g_I, tau[0], tau[1], *P)
    trace = np.broadcast_to(np.asarray(jac[0][0], float) + np.asarray(jac[1][1], float), shape)
    return delta, trace


def _nu_I_star(J, r, a, b, n):
    """Eq S6: supersaturation threshold nu_I* (Hz) at input ratio r; NaN unless r J_EI > J_II."""
    J = np.asarray(J, dtype=float)
    if not r * J[0, 1] > J[1, 1]:
        return np.nan
    w = _fns().w_supersat(r, *_P(J, a, b, n))
    return float(a[1] * np.real(w) ** n[1])


# =====================================================================================
# parameter handling helpers
# =====================================================================================
def _params(ssn):
    """(J, a, b, n, tau) of a duck-typed SSN as float arrays, validated."""
    for attr in ("J", "a", "b", "n", "tau"):
        if not hasattr(ssn, attr):
            raise TypeError(f"ssn must have attributes J, a, b, n, tau (an SSN); missing {attr!r}")
    J = np.array(ssn.J, dtype=float).reshape(2, 2)
    a, b, n, tau = (check_pair(getattr(ssn, k), f"ssn.{k}") for k in ("a", "b", "n", "tau"))
    return J, a, b, n, tau


def _rates(nu_E, nu_I):
    nu_E = check_finite(nu_E, "nu_E")
    nu_I = check_finite(nu_I, "nu_I")
    try:
        nu_E, nu_I = np.broadcast_arrays(nu_E, nu_I)
    except ValueError:
        raise ValueError(f"nu_E and nu_I must have matching (broadcastable) shapes; got "
                         f"{np.shape(nu_E)} and {np.shape(nu_I)}") from None
    for name, arr in (("nu_E", nu_E), ("nu_I", nu_I)):
        bad = arr <= 0
        if np.any(bad):
            idx = np.argwhere(np.atleast_1d(bad)).ravel()[:5].tolist()
            raise ValueError(f"{name} must be > 0 Hz everywhere (Eq 5 inverts the power law only "
                             f"for positive rates); failing indices {idx} (of {bad.sum()})")
    return nu_E.astype(float), nu_I.astype(float)


def _unstable_error(nu_E, nu_I, delta, trace, what):
    bad = ~is_stable(delta, trace)
    if np.any(bad):
        flat = np.flatnonzero(np.atleast_1d(bad))
        shown = ", ".join(
            f"#{i}: (nu_E={np.ravel(nu_E)[i]:.4g}, nu_I={np.ravel(nu_I)[i]:.4g}) Hz, "
            f"Delta={np.ravel(delta)[i]:.3g}, trace={np.ravel(trace)[i]:.3g}/s" for i in flat[:5])
        raise ValueError(
            f"{what}: {flat.size} of {bad.size} target point(s) are not stable steady states "
            f"(need Delta = det(1 - G J) > 0 and trace < 0, ``docs/theory/ssn_lif.md`` §7.4): {shown}"
            + (" ..." if flat.size > 5 else "")
            + ". Pass check_stability=False to get the inputs anyway.")


def _out(x):
    return float(x) if np.ndim(x) == 0 else x


# =====================================================================================
# Eq 5 and Eq 6
# =====================================================================================
def inputs_for(ssn, nu_E, nu_I, *, check_stability=True):
    """External inputs that make target rates a steady state of the SSN (Eq 5).

    mu_E = (nu_E/a_E)^(1/n_E) + b_E - J_EE nu_E + J_EI nu_I,
    mu_I = (nu_I/a_I)^(1/n_I) + b_I - J_IE nu_E + J_II nu_I.

    Valid for a slowly varying target trajectory (the paper's Fig 2E/F: autocorrelation
    ~300 ms) made of *stable* steady states.

    Parameters
    ----------
    ssn : SSN
        Network (duck-typed: ``J``, ``a``, ``b``, ``n``, ``tau``).
    nu_E, nu_I : float or array_like
        Target rates in Hz (> 0, finite), any matching (broadcastable) shapes, e.g. a
        trajectory sampled in time.
    check_stability : bool, optional
        If True (default), raise where a target is not a stable steady state of Eq 2
        (Delta = det(1 - G J) > 0 and negative Jacobian trace with the SSN's ``tau``).

    Returns
    -------
    mu_E, mu_I : float or numpy.ndarray
        External inputs in mV/s (broadcast shape of the rates; floats for scalar input). They
        may be negative.

    Raises
    ------
    ValueError
        If a rate is <= 0 or not finite, shapes do not match, or (``check_stability``) some
        target is unstable; the message lists the failing points.

    Examples
    --------
    Paper check (``docs/theory/ssn_lif.md`` §9, Fig 2E/F, rounded fits): the target (5.860, 1.042) Hz
    has the simulator input (24.0582, 1.3468) mV/s; Eq 5 reproduces it to the rounding of the
    targets.

    >>> from brianmodels import presets
    >>> from meanfield import SSN
    >>> from meanfield.ssn.design import inputs_for
    >>> mu_E, mu_I = inputs_for(SSN.paper(presets.get("supersaturating").J), 5.860, 1.042)
    >>> round(mu_E, 2), round(mu_I, 2)
    (24.06, 1.35)
    """
    J, a, b, n, tau = _params(ssn)
    nu_E, nu_I = _rates(nu_E, nu_I)
    if check_bool(check_stability, "check_stability"):
        delta, trace = _delta_trace(nu_E, nu_I, J, a, n, tau)
        _unstable_error(nu_E, nu_I, delta, trace, "inputs_for")
    mu_E, mu_I = _eq5(nu_E, nu_I, J, a, b, n)
    return _out(mu_E), _out(mu_I)


def _pair(pair):
    if isinstance(pair, str) or len(pair) != 2:
        raise ValueError(f"pair must be two coupling names out of {PATHWAYS}; got {pair!r}")
    pair = tuple(str(p).upper() for p in pair)
    for p in pair:
        if p not in _INDEX:
            raise ValueError(f"pair entries must be among {PATHWAYS}; got {p!r}")
    if _INDEX[pair[0]][0] == _INDEX[pair[1]][0]:
        raise ValueError(
            f"pair={pair!r} names two couplings onto the same population; Eq 3 gives one equation "
            "per target population, so the pair must contain one weight onto E (EE or EI) and one "
            "onto I (IE or II)")
    return pair


def weights_for(ssn, nu_E, nu_I, mu_E, mu_I, pair=("EI", "IE"), *, check_stability=True):
    """Couplings that make target rates a steady state at constant inputs (Eq 6 variant).

    Solves Eq 3 for the two couplings named in ``pair`` (the other two stay at ``ssn.J``).
    Eq 3 is linear in each row of J, so the pair must hold one weight onto E and one onto I;
    e.g. (``docs/theory/ssn_lif.md`` §9) ``J_EI = [J_EE nu_E + mu_E - b_E - (nu_E/a_E)^(1/n_E)] / nu_I`` and
    ``J_IE = [(nu_I/a_I)^(1/n_I) + b_I + J_II nu_I - mu_I] / nu_E``.

    Parameters
    ----------
    ssn : SSN
        Network (duck-typed: ``J``, ``a``, ``b``, ``n``, ``tau``).
    nu_E, nu_I : float or array_like
        Target rates in Hz (> 0, finite), matching shapes.
    mu_E, mu_I : float or array_like
        External inputs in mV/s (finite), broadcastable to the rates (typically constants).
    pair : tuple of two str, optional
        The plastic couplings, among ``'EE', 'EI', 'IE', 'II'``, one per row
        (``('EE'|'EI', 'IE'|'II')``). Default ``('EI', 'IE')``.
    check_stability : bool, optional
        If True (default), raise where the target is unstable with the new couplings.

    Returns
    -------
    J_1, J_2 : float or numpy.ndarray
        The couplings of ``pair`` (in that order) in mV, broadcast shape of the inputs.

    Raises
    ------
    ValueError
        Bad rates/inputs/pair; a solved coupling is negative (impossible: couplings are
        magnitudes with signs fixed by the source population) or, with ``check_stability``,
        the target is not a stable steady state with the solved couplings.
    """
    pair = _pair(pair)
    J, a, b, n, tau = _params(ssn)
    nu_E, nu_I = _rates(nu_E, nu_I)
    mu_E = check_finite(mu_E, "mu_E")
    mu_I = check_finite(mu_I, "mu_I")
    check_stability = check_bool(check_stability, "check_stability")
    nu_E, nu_I, mu_E, mu_I = broadcast(nu_E=nu_E, nu_I=nu_I, mu_E=mu_E, mu_I=mu_I)
    w = _eq6(nu_E, nu_I, mu_E, mu_I, J, a, b, n, pair)
    for name, val in zip(pair, w):
        bad = val < 0
        if np.any(bad):
            idx = np.flatnonzero(np.atleast_1d(bad))
            raise ValueError(
                f"weights_for: J_{name} would have to be negative at {idx.size} point(s) "
                f"(first indices {idx[:5].tolist()}, values {np.ravel(val)[idx[:3]].round(4).tolist()} mV); "
                f"impossible since couplings keep the sign of their source population. Choose another "
                f"pair or other constant inputs.")
    if check_stability:
        Jt = np.broadcast_to(J, nu_E.shape + (2, 2)).copy()
        for name, val in zip(pair, w):
            Jt[(...,) + _INDEX[name]] = val
        delta, trace = _delta_trace(nu_E, nu_I, Jt, a, n, tau)
        _unstable_error(nu_E, nu_I, delta, trace, f"weights_for(pair={pair})")
    return tuple(_out(v) for v in w)


# =====================================================================================
# regime targeting: shared machinery
# =====================================================================================
def _new_ssn(ssn, J):
    """An SSN like ``ssn`` with couplings ``J`` (same class when it takes (J, a, b, n, tau))."""
    J = np.array(J, dtype=float)
    try:
        return type(ssn)(J, ssn.a, ssn.b, ssn.n, tau=ssn.tau)
    except TypeError:
        import copy
        new = copy.copy(ssn)
        new.J = J
        return new


def _check_network(network):
    for attr in ("K", "j", "J", "replace"):
        if not hasattr(network, attr):
            raise TypeError(f"network must have attributes K, j, J and a replace() method "
                            f"(a brianmodels.network.LIFNetwork); missing {attr!r}")
    return network


def _new_network(network, J):
    """``network.replace(j=J / K)`` for a duck-typed LIFNetwork (None passes through)."""
    if network is None:
        return None
    _check_network(network)
    K = np.asarray(network.K, dtype=float).reshape(2, 2)
    J = np.asarray(J, dtype=float)
    if np.any((K == 0) & (J != 0)):
        raise ValueError(f"network has in-degree K = 0 on a pathway whose designed coupling is "
                         f"nonzero (K = {K.tolist()}); cannot realise J = {J.round(6).tolist()}")
    j = np.where(K > 0, J / np.where(K > 0, K, 1.0), np.asarray(network.j, float).reshape(2, 2))
    return network.replace(j=j)


def _states(J, a, b, n, tau, mu_E, mu_I):
    """All steady states at inputs (mu_E, mu_I) via the SSN's kernels, with stability flags."""
    from .kernels import linear_analysis, states
    P = _P(J, a, b, n)
    st = states(np.atleast_1d(np.asarray(mu_E, float)), np.atleast_1d(np.asarray(mu_I, float)), P)
    la = linear_analysis(st["x_E"], st["x_I"], P, tau[0], tau[1])
    st["stable"] = is_stable(la["det"], la["trace"], st["double"])
    return st


def _n_stable(J, a, b, n, tau, mu, r):
    st = _states(J, a, b, n, tau, mu, r * np.asarray(mu, float))
    return np.bincount(st["point"][st["stable"]], minlength=np.size(mu))


class _Free:
    """Log-parametrisation of the free couplings (and r) with bounds.

    x = log of the free values, in the order of ``names``; the objective of every targeting
    optimisation is the squared relative (log) change ``sum (x - x_ref)^2``.
    """

    def __init__(self, J0, r0, fixed, bounds, free_r, extra=()):
        self.J0 = np.array(J0, dtype=float)
        self.r0 = None if r0 is None else float(r0)
        fixed = tuple("r" if str(f).lower() == "r" else str(f).upper() for f in (fixed or ()))
        for f in fixed:
            if f not in _INDEX and f != "r":
                raise ValueError(f"fixed entries must be among {PATHWAYS} or 'r'; got {f!r}")
        self.fixed = fixed
        self.names = [p for p in PATHWAYS if p not in fixed]
        if free_r and "r" not in fixed and r0 is not None:
            self.names.append("r")
        self.nparam = len(self.names)
        self.names += list(extra)
        bounds = dict(bounds or {})
        for key in bounds:
            if key not in _INDEX and key != "r":
                raise ValueError(f"bounds keys must be among {PATHWAYS} or 'r'; got {key!r}")
        self.bounds = {}
        for name in self.names[:self.nparam]:
            lo, hi = bounds.get(name, (None, None))
            lo = None if lo is None or lo <= 0 else float(lo)
            hi = None if hi is None or not np.isfinite(hi) else float(hi)
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"bounds[{name!r}] must satisfy low <= high; got {(lo, hi)}")
            self.bounds[name] = (lo, hi)

    def value0(self, name):
        return self.r0 if name == "r" else float(self.J0[_INDEX[name]])

    def lo_hi(self, name):
        """(low, high) of a coupling or r: fixed -> its value, else its bounds (0, inf default)."""
        if name not in self.names[:self.nparam]:
            v = self.value0(name)
            return v, v
        lo, hi = self.bounds[name]
        return (0.0 if lo is None else lo), (np.inf if hi is None else hi)

    def log_bounds(self):
        return [tuple(None if v is None else np.log(v) for v in self.bounds[n])
                for n in self.names[:self.nparam]]

    def pack(self, J, r):
        return np.log([r if nm == "r" else J[_INDEX[nm]] for nm in self.names[:self.nparam]])

    def unpack(self, x):
        J = self.J0.copy()
        r = self.r0
        for nm, v in zip(self.names[:self.nparam], x[:self.nparam]):
            if nm == "r":
                r = float(np.exp(v))
            else:
                J[_INDEX[nm]] = np.exp(v)
        return J, r

    def in_bounds(self, J, r, rtol=1e-9):
        for nm in self.names[:self.nparam]:
            lo, hi = self.lo_hi(nm)
            v = r if nm == "r" else J[_INDEX[nm]]
            if v < lo * (1 - rtol) or v > hi * (1 + rtol):
                return False
        return True


def _minimise(free, x_ref, x_starts, eq, ineq, extra_bounds=(), tol=1e-9):
    """Least relative change from ``x_ref`` subject to eq(x) = 0, ineq(x) >= 0 (SLSQP, multi-start).

    Returns (best x or None, diagnostics dict).
    """
    from scipy.optimize import minimize

    k = free.nparam

    def safe(fun):
        def wrapped(x):
            v = np.atleast_1d(np.asarray(fun(x), dtype=float))
            return np.where(np.isfinite(v), v, -1e3)
        return wrapped

    eq_s, ineq_s = safe(eq), safe(ineq)
    cons = [] if eq is None else [{"type": "eq", "fun": eq_s}]
    if ineq is not None:
        cons.append({"type": "ineq", "fun": ineq_s})
    bounds = free.log_bounds() + list(extra_bounds)

    def objective(x):
        d = x[:k] - x_ref[:k]
        return float(d @ d)

    def jac(x):
        g = np.zeros_like(x)
        g[:k] = 2 * (x[:k] - x_ref[:k])
        return g

    best, best_obj, messages = None, np.inf, []
    for x0 in x_starts:
        x0 = np.array(x0, dtype=float)
        lo = np.array([-np.inf if b[0] is None else b[0] for b in bounds])
        hi = np.array([np.inf if b[1] is None else b[1] for b in bounds])
        x0 = np.clip(x0, lo, hi)
        with np.errstate(all="ignore"):
            res = minimize(objective, x0, jac=jac, method="SLSQP", bounds=bounds or None,
                           constraints=cons, options=dict(maxiter=500, ftol=1e-14))
            resid = 0.0 if eq is None else float(np.max(np.abs(eq_s(res.x))))
            ok_eq = resid < 1e-7
            ok_in = ineq is None or np.min(ineq_s(res.x)) > -1e-9
        messages.append(f"{res.message} (eq residual {resid:.2g})")
        if ok_eq and ok_in and res.fun < best_obj - tol:
            best, best_obj = res.x, res.fun
    return best, dict(n_starts=len(x_starts), optimiser_messages=messages,
                      objective=None if best is None else best_obj)


def _starts(x_ref, n_starts, seed, scale=0.3, extra=None):
    rng = np.random.default_rng(seed)
    xs = [np.array(x_ref, float)]
    for _ in range(max(n_starts - 1, 0)):
        x = np.array(x_ref, float) + scale * rng.standard_normal(len(x_ref))
        if extra is not None:
            x[len(x) - len(extra):] = extra
        xs.append(x)
    return xs


def _change(J0, r0, J, r):
    out = {f"J_{p}": float(J[_INDEX[p]] / J0[_INDEX[p]] - 1.0) for p in PATHWAYS}
    if r0 is not None and r is not None:
        out["r"] = float(r / r0 - 1.0)
    return out


def _close(requested, achieved, rtol, atol=0.0):
    for k, v in requested.items():
        got = achieved.get(k, np.nan)
        if isinstance(v, (bool, np.bool_)):
            if bool(got) != bool(v):
                return False
        elif not (np.isfinite(got) and abs(got - v) <= rtol * abs(v) + atol):
            return False
    return True


def _finish(target, ssn, network, free, J, r, requested, achieved, diagnostics, rtol, atol=0.0):
    J0 = free.J0
    diagnostics = dict(diagnostics)
    diagnostics["relative_change"] = _change(J0, free.r0, J, r)
    new = _new_ssn(ssn, J)
    net = _new_network(network, J)
    if net is not None:
        diagnostics["network_J"] = np.asarray(net.J, float)
        diagnostics["network_J_rel_error"] = float(np.max(np.abs(np.asarray(net.J) - J) / J))
    if _close(requested, achieved, rtol, atol):
        status, msg = _OK, (f"{target} target reached: requested {_fmt(requested)}, achieved "
                            f"{_fmt(achieved)} (recomputed with the SSN's steady states)")
    else:
        status, msg = _NOT_VERIFIED, (f"{target}: closed forms solved, but the recomputed regime "
                                      f"is {_fmt(achieved)} instead of {_fmt(requested)} (rtol={rtol})")
    return _result(target, status, msg, J=J, r=r, ssn=new, network=net, requested=requested,
                   achieved=achieved, diagnostics=diagnostics)


def _fmt(d):
    return "{" + ", ".join(f"{k}={v:.6g}" if isinstance(v, (float, int)) else f"{k}={v}"
                           for k, v in d.items()) + "}"


def _trace_branch(J, a, b, n, tau, r, mu_grid):
    """Stable branch followed from mu_grid[0] along inputs (mu, r mu); NaN once it ends/jumps."""
    st = _states(J, a, b, n, tau, mu_grid, r * mu_grid)
    nu_E = np.full(mu_grid.size, np.nan)
    nu_I = np.full(mu_grid.size, np.nan)
    prev = None
    for i in range(mu_grid.size):
        sel = (st["point"] == i) & st["stable"]
        if not np.any(sel):
            break
        cand_E, cand_I = st["nu_E"][sel], st["nu_I"][sel]
        k = 0 if prev is None else int(np.argmin(np.abs(cand_E - prev[0]) + np.abs(cand_I - prev[1])))
        nu_E[i], nu_I[i] = cand_E[k], cand_I[k]
        prev = (nu_E[i], nu_I[i])
    return nu_E, nu_I


def _state_near(J, a, b, n, tau, mu, r, ref):
    st = _states(J, a, b, n, tau, mu, r * mu)
    if not np.any(st["stable"]):
        return np.nan, np.nan
    e, i = st["nu_E"][st["stable"]], st["nu_I"][st["stable"]]
    k = int(np.argmin(np.abs(e - ref[0]) + np.abs(i - ref[1])))
    return e[k], i[k]


def _check_search(ssn, network, fixed, bounds, n_starts, seed, rtol, bound_names=None):
    """Validate the arguments every targeting function shares, before any solving.

    Returns ``(fixed, bounds, n_starts, seed, rtol)`` normalised: ``fixed`` a tuple of names (a
    single string is one name), ``bounds`` a dict name -> (low or None, high or None).
    """
    _params(ssn)
    if network is not None:
        _check_network(network)
    names = PATHWAYS + ("r",)
    if fixed is None:
        fixed = ()
    if isinstance(fixed, str):
        fixed = (fixed,)
    try:
        fixed = tuple(fixed)
    except TypeError:
        raise TypeError(f"fixed must be a sequence of names among {names}; got {fixed!r}") from None
    for f in fixed:
        if not isinstance(f, str) or ("r" if f.lower() == "r" else f.upper()) not in names:
            raise ValueError(f"fixed entries must be among {PATHWAYS} or 'r'; got {f!r}")
    allowed = names if bound_names is None else bound_names
    bounds = to_mapping(bounds, "bounds", allowed, what=f"name -> (low, high) with names among {allowed}")
    checked = {}
    for key, value in bounds.items():
        if isinstance(value, str) or not hasattr(value, "__len__") or len(value) != 2:
            raise ValueError(f"bounds[{key!r}] must be a pair (low, high) (mV for couplings; None: "
                             f"unbounded); got {value!r}")
        lo, hi = (_bound(v, key) for v in value)
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"bounds[{key!r}] must satisfy low <= high; got {(lo, hi)}")
        checked[key] = (lo, hi)
    n_starts = check_int(n_starts, "n_starts", low=1)
    seed = check_int(seed, "seed", low=0)
    rtol = check_float(rtol, "rtol", 0.0, 1.0, low_inclusive=False, high_inclusive=False)
    return fixed, checked, n_starts, seed, rtol


def _bound(v, key):
    """One end of a bounds pair: None or +-inf mean unbounded; NaN is refused."""
    if v is None:
        return None
    x = as_float(v, f"bounds[{key!r}]")
    if math.isnan(x):
        raise ValueError(f"bounds[{key!r}] must be numbers or None (unbounded); got NaN")
    return None if math.isinf(x) else x


def _check_target(x, name, unit, positive=True):
    x = as_float(x, name)
    if not np.isfinite(x) or (positive and x <= 0):
        raise ValueError(f"{name} must be a finite number{' > 0' if positive else ''} {unit}; got {x!r}")
    return x


# =====================================================================================
# (a) supersaturation peak
# =====================================================================================
def _peak_inputs(J, r, P_height, a, b, n):
    """Eq 5 inputs at the would-be peak (nu_E, nu_I) = (P_height, nu_I*(J, r)) (``docs/theory/ssn_lif.md`` §8)."""
    nu_star = _nu_I_star(J, r, a, b, n)
    mu_E, mu_I = _eq5(P_height, nu_star, J, a, b, n)
    return nu_star, float(mu_E), float(mu_I)


def _measure_peak(J, a, b, n, tau, r, mu_hint, n_grid=400):
    """Peak of nu_E along the stable branch followed from mu = 0 at ratio r (NaNs if none)."""
    from scipy.optimize import minimize_scalar
    mu_max = 3.0 * max(abs(mu_hint), 1.0)
    grid = np.linspace(0.0, mu_max, n_grid)
    nu_E, nu_I = _trace_branch(J, a, b, n, tau, r, grid)
    ok = np.isfinite(nu_E)
    if ok.sum() < 3:
        return dict(nu_peak=np.nan, mu_peak=np.nan, branch_end=float(grid[ok][-1]) if ok.any() else 0.0)
    k = int(np.nanargmax(nu_E))
    last = int(np.flatnonzero(ok)[-1])
    if k == 0 or k >= last:
        return dict(nu_peak=np.nan, mu_peak=np.nan, branch_end=float(grid[last]))
    ref = (nu_E[k], nu_I[k])
    res = minimize_scalar(lambda m: -_state_near(J, a, b, n, tau, m, r, ref)[0],
                          bounds=(grid[k - 1], grid[k + 1]), method="bounded",
                          options=dict(xatol=1e-9 * mu_max))
    return dict(nu_peak=float(-res.fun), mu_peak=float(res.x), branch_end=float(grid[last]))


def target_supersaturation(ssn, nu_peak, mu_peak=None, *, r, network=None, fixed=(), bounds=None,
                           margin=0.05, n_starts=6, seed=0, rtol=1e-3):
    """Couplings and input ratio that give a supersaturation peak of given height (and position).

    Along inputs (mu, r mu), nu_E peaks where nu_I crosses nu_I* (Eq S6, ``docs/theory/ssn_lif.md`` §8), so the peak
    is the steady state (nu_peak, nu_I*) whose Eq 5 inputs lie on the ray: this gives two closed-form
    equations in (J, r). Step 1: the Fig 2B map (J_EI, J_IE, r) -> (f J_EI, J_IE/f, r/f) keeps
    det J and nu_I* and sets the height; f solves a linear equation exactly. Step 2 (only if
    ``mu_peak`` is given, or step 1 is not allowed by ``fixed``/``bounds``): the smallest relative
    change of the free couplings and r from the step-1 point that puts the peak at
    (``mu_peak``, ``nu_peak``), with Eq 4 (r J_EI > J_II by ``margin`` in log) and stability of
    the peak state enforced (SLSQP, several starts). The result is verified by following the
    stable branch from mu = 0 with the SSN's steady states and measuring its maximum.

    Parameters
    ----------
    ssn : SSN
        Starting network (duck-typed: ``J``, ``a``, ``b``, ``n``, ``tau``).
    nu_peak : float
        Requested peak E rate (Hz, > 0).
    mu_peak : float, optional
        Requested external input mu_E at the peak (mV/s); None: only the height is targeted.
    r : float
        Starting input ratio mu_I^ext / mu_E^ext (> 0).
    network : LIFNetwork, optional
        Network to return with the designed weights (``network.replace(j=J / K)``).
    fixed : sequence of str, optional
        Couplings (``'EE', 'EI', 'IE', 'II'``) and/or ``'r'`` that must not change.
    bounds : dict, optional
        ``{name: (low, high)}`` for couplings (mV) and/or ``'r'``.
    margin : float, optional
        Required log-margin in Eq 4, log(r J_EI / J_II) >= margin (default 0.05).
    n_starts : int, optional
        Number of optimiser starts (step 2). ``seed`` seeds the perturbed starts.
    rtol : float, optional
        Relative tolerance for the verification (default 1e-3).

    Returns
    -------
    DesignResult
        ``requested``/``achieved`` hold ``nu_peak`` (Hz) and ``mu_peak`` (mV/s);
        ``diagnostics`` holds ``f`` (step 1), ``nu_I_star`` (Hz), the closed-form peak position and
        optimiser messages. status 1 if Eq 4 cannot hold within ``fixed``/``bounds``.
    """
    nu_peak = _check_target(nu_peak, "nu_peak", "Hz")
    M = None if mu_peak is None else _check_target(mu_peak, "mu_peak", "mV/s", positive=False)
    r0 = _check_target(r, "r", "(ratio mu_I/mu_E)")
    margin = check_float(margin, "margin", 0.0, unit="(log units)")
    fixed, bounds, n_starts, seed, rtol = _check_search(ssn, network, fixed, bounds, n_starts, seed, rtol)
    J0, a, b, n, tau = _params(ssn)
    free = _Free(J0, r0, fixed, bounds, free_r=True)
    requested = {"nu_peak": nu_peak} if M is None else {"nu_peak": nu_peak, "mu_peak": M}
    diag = {}
    # Eq 4 feasibility: r J_EI > J_II needs max(r) max(J_EI) > min(J_II)
    best = free.lo_hi("r")[1] * free.lo_hi("EI")[1] / max(free.lo_hi("II")[0], 1e-300)
    if not best > np.exp(margin):
        return _result("supersaturation", _INFEASIBLE,
                       f"unreachable: supersaturation needs r > J_II/J_EI (Eq 4, with log-margin {margin}), "
                       f"but the largest r J_EI / J_II allowed by fixed={tuple(free.fixed)} and bounds is "
                       f"{best:.4g}", requested=requested, diagnostics=diag)
    J_ref, r_ref = J0, r0
    step1 = {"EI", "IE", "r"} <= set(free.names[:free.nparam])
    nu_star0 = _nu_I_star(J0, r0, a, b, n)
    if step1 and np.isfinite(nu_star0):
        nu_star, mu_E1, mu_I1 = _peak_inputs(J0, r0, nu_peak, a, b, n)
        JEI, JIE = J0[0, 1], J0[1, 0]
        # mu_I(f) = r0/f mu_E(f) at fixed (nu_peak, nu_I*) is linear in f (Eq 5 under the map)
        f = (r0 * (mu_E1 - JEI * nu_star) + JIE * nu_peak) / (mu_I1 + JIE * nu_peak - r0 * JEI * nu_star)
        diag["f"] = float(f)
        if f > 0:
            J1 = J0.copy()
            J1[0, 1] *= f
            J1[1, 0] /= f
            if free.in_bounds(J1, r0 / f):
                J_ref, r_ref = J1, r0 / f
    x_ref = free.pack(J_ref, r_ref)
    scale = 1.0 + abs(M if M is not None else _peak_inputs(J_ref, r_ref, nu_peak, a, b, n)[1])

    def eq(x):
        J, rr = free.unpack(x)
        _, mE, mI = _peak_inputs(J, rr, nu_peak, a, b, n)
        if M is None:
            return [(mI - rr * mE) / scale]
        return [(mE - M) / scale, (mI - rr * M) / scale]

    def ineq(x):
        J, rr = free.unpack(x)
        nu_star = _nu_I_star(J, rr, a, b, n)
        delta, trace = _delta_trace(nu_peak, nu_star, J, a, n, tau)
        return [np.log(rr * J[0, 1] / J[1, 1]) - margin, float(delta) - 1e-6, -float(trace) * tau[1] - 1e-6]

    if "f" in diag and J_ref is not J0 and M is None:
        J, rr = J_ref, r_ref  # step 1 alone is exact
    else:
        xb, info = _minimise(free, x_ref, _starts(x_ref, n_starts, seed), eq, ineq)
        diag.update(info)
        if xb is None:
            return _result("supersaturation", _NOT_CONVERGED,
                           f"no couplings/ratio found that place a stable supersaturation peak at "
                           f"{_fmt(requested)} within fixed={tuple(free.fixed)} and bounds "
                           f"({info['n_starts']} starts)", requested=requested, diagnostics=diag)
        J, rr = free.unpack(xb)
    nu_star, mE, _ = _peak_inputs(J, rr, nu_peak, a, b, n)
    diag.update(nu_I_star=float(nu_star), closed_form_mu_peak=float(mE))
    meas = _measure_peak(J, a, b, n, tau, rr, mE)
    diag["branch_end"] = meas.pop("branch_end")
    achieved = {k: meas[k] for k in requested}
    return _finish("supersaturation", ssn, network, free, J, rr, requested, achieved, diag, rtol)


# =====================================================================================
# (b) bistability window
# =====================================================================================
def _fold_candidates(J, r, a, b, n, n_grid=300):
    """Fold points of the SSN along the ray (mu, r mu), from the rate-space fold curve (seeds)."""
    f = _fns()
    z = f.z_isn(*_P(J, a, b, n))
    nu_isn = float(f.rate(np.real(z), a[0], n[0]))
    nu_E = nu_isn * np.logspace(1e-6, 4, n_grid)
    nu_I = _fold_rates_I(nu_E, J, a, b, n)
    mu_E, mu_I = _eq5(nu_E, nu_I, J, a, b, n)
    q = mu_I - r * mu_E
    ok = np.isfinite(q)
    idx = np.flatnonzero(ok[:-1] & ok[1:] & (np.sign(q[:-1]) != np.sign(q[1:])))
    return nu_E, nu_I, mu_E, [(nu_E[i], nu_I[i], mu_E[i]) for i in idx]


def _measure_window(J, a, b, n, tau, r, mu_1, mu_2, n_grid=201, rounds=3):
    """Edges of the input range with >= 2 stable states along (mu, r mu), refined on nested grids."""
    width = max(mu_2 - mu_1, 1e-6)
    lo_mu, hi_mu = mu_1 - width, mu_2 + width
    grid = np.linspace(lo_mu, hi_mu, n_grid)
    bi = _n_stable(J, a, b, n, tau, grid, r) >= 2
    if not bi.any():
        return dict(mu_1=np.nan, mu_2=np.nan)
    k = np.flatnonzero(bi)
    edges = []
    for i_in, i_out in ((k[0], k[0] - 1), (k[-1], k[-1] + 1)):
        if i_out < 0 or i_out >= n_grid:
            edges.append(np.nan)   # window extends past the scanned range
            continue
        a_in, a_out = grid[i_in], grid[i_out]
        for _ in range(rounds):
            g = np.linspace(a_out, a_in, n_grid)
            inside = _n_stable(J, a, b, n, tau, g, r) >= 2
            first = int(np.argmax(inside))
            a_out, a_in = g[first - 1], g[first]
        edges.append(0.5 * (a_in + a_out))
    return dict(mu_1=float(edges[0]), mu_2=float(edges[1]))


def target_bistability(ssn, mu_1, mu_2, *, r, network=None, fixed=(), bounds=None, n_starts=4,
                       seed=0, rtol=1e-3):
    """Couplings (and input ratio) whose bistability window along (mu, r mu) is [mu_1, mu_2].

    The window edges are the two fold (saddle-node) points of the steady-state curve (theory
    §7.5). A fold is a steady state with Delta = det(1 - G J) = 0; writing it through Eq 5 gives,
    for each edge k, unknown rates (nu_Ek, nu_Ik) with Delta = 0, mu_E^ext = mu_k and
    mu_I^ext = r mu_k. These six equations are solved together with the smallest relative change
    of the free couplings (and r unless fixed) -- SLSQP from several starts seeded by the
    rate-space fold curve -- requiring the upper fold (at mu_1) to have the higher nu_E and
    negative Jacobian trace at both folds (the adjacent branches are stable nodes). The result is
    verified by counting stable steady states on input grids (SSN kernels) and locating the edges
    of the 2-stable-state range. ``mu_1 < 0`` asks for persistent activity (window containing 0).

    Parameters
    ----------
    ssn : SSN
        Starting network.
    mu_1, mu_2 : float
        Requested window edges in mV/s, ``mu_1 < mu_2``.
    r : float
        Input ratio mu_I^ext / mu_E^ext (> 0); kept if ``'r'`` is in ``fixed``.
    network, fixed, bounds, n_starts, seed, rtol :
        As in :func:`target_supersaturation`. ``rtol`` is relative to max(|mu_k|, mu_2 - mu_1).

    Returns
    -------
    DesignResult
        ``requested``/``achieved``: ``mu_1``, ``mu_2`` (mV/s); ``diagnostics``: the fold rates.
    """
    mu_1 = _check_target(mu_1, "mu_1", "mV/s", positive=False)
    mu_2 = _check_target(mu_2, "mu_2", "mV/s", positive=False)
    if not mu_1 < mu_2:
        raise ValueError(f"mu_1 must be < mu_2 (a window [mu_1, mu_2] in mV/s); got {mu_1}, {mu_2}")
    r0 = _check_target(r, "r", "(ratio mu_I/mu_E)")
    fixed, bounds, n_starts, seed, rtol = _check_search(ssn, network, fixed, bounds, n_starts, seed, rtol)
    J0, a, b, n, tau = _params(ssn)
    free = _Free(J0, r0, fixed, bounds, free_r=True)
    requested = {"mu_1": mu_1, "mu_2": mu_2}
    k = free.nparam
    x_ref = free.pack(J0, r0)
    scale = 1.0 + max(abs(mu_1), abs(mu_2))

    def split(x):
        J, rr = free.unpack(x)
        return J, rr, np.exp(x[k:])

    cache = {}

    def folds(x):
        key = x.tobytes()
        if key not in cache:
            J, rr, nu = split(x)
            nE, nI = nu[0::2], nu[1::2]
            delta, trace = _delta_trace(nE, nI, J, a, n, tau)
            mE, mI = _eq5(nE, nI, J, a, b, n)
            cache.clear()
            cache[key] = (J, rr, delta, trace, mE, mI)
        return cache[key]

    def eq(x):
        J, rr, delta, _, mE, mI = folds(x)
        m = np.array([mu_1, mu_2])
        return np.concatenate([delta, (mE - m) / scale, (mI - rr * m) / scale])

    def ineq(x):
        J, rr, _, trace, _, _ = folds(x)
        # upper fold (mu_1) has the higher nu_E; stable nodes next to both folds; det J > 0 so the
        # upper branch exists (odd number of states, ``docs/theory/ssn_lif.md`` §7.3)
        return np.concatenate([[x[k] - x[k + 2] - 0.01,
                                np.log(J[0, 1] * J[1, 0] / (J[0, 0] * J[1, 1])) - 0.01],
                               -trace * tau[1] - 1e-6])

    # seeds: folds of the starting network on the ray, else points of its fold curve near mu_k
    nu_E, nu_I, mu_E, cands = _fold_candidates(J0, r0, a, b, n)
    seeds = []
    if len(cands) >= 2:
        for hi_c, lo_c in zip(cands[1:], cands[:-1]):
            seeds.append(np.log([hi_c[0], hi_c[1], lo_c[0], lo_c[1]]))
    fin = np.flatnonzero(np.isfinite(nu_I))
    if fin.size >= 2:
        for frac in (0.25, 0.5, 0.75):
            i2 = fin[int(frac * 0.5 * (fin.size - 1))]
            i1 = fin[min(int((0.5 + frac * 0.5) * (fin.size - 1)), fin.size - 1)]
            seeds.append(np.log([nu_E[i1], nu_I[i1], nu_E[i2], nu_I[i2]]))
    if not seeds:
        return _result("bistability", _NOT_CONVERGED,
                       "no fold curve (Delta = 0 with nu > 0) for the starting couplings: the E "
                       "subnetwork never becomes unstable (g_E J_EE < 1) in the scanned range; start "
                       "from a network with stronger J_EE", requested=requested)
    starts = []
    for i, x0 in enumerate(_starts(x_ref, n_starts, seed, scale=0.2)):
        starts.append(np.concatenate([x0, seeds[i % len(seeds)]]))
    xb, info = _minimise(free, np.concatenate([x_ref, np.zeros(4)]), starts, eq, ineq,
                         extra_bounds=[(None, None)] * 4)
    diag = dict(info, n_seeds=len(seeds))
    if xb is None:
        return _result("bistability", _NOT_CONVERGED,
                       f"no couplings found with folds at mu = {mu_1:g} and {mu_2:g} mV/s (r = {r0:g}) "
                       f"within fixed={tuple(free.fixed)} and bounds ({len(starts)} starts)",
                       requested=requested, diagnostics=diag)
    J, rr, nu = split(xb)
    diag["fold_rates"] = {"mu_1": (float(nu[0]), float(nu[1])), "mu_2": (float(nu[2]), float(nu[3]))}
    achieved = _measure_window(J, a, b, n, tau, rr, mu_1, mu_2)
    atol = rtol * max(abs(mu_1), abs(mu_2), mu_2 - mu_1)
    return _finish("bistability", ssn, network, free, J, rr, requested, achieved, diag, 0.0, atol)


# =====================================================================================
# (c) ISN onset rate
# =====================================================================================
def target_isn(ssn, nu_isn, *, r=None, network=None, bounds=None, rtol=1e-6):
    """J_EE that puts the ISN onset (Eq 7) at a given E rate; other couplings unchanged.

    Eq 7: the network is inhibition-stabilised iff g_E J_EE > 1, i.e. nu_E > nu_E^ISN; solving for
    J_EE gives the closed form J_EE = 1 / g_E(nu_isn) = (nu_isn^((1-n_E)/n_E)) / (n_E a_E^(1/n_E)).
    Verified with the SSN's own Eq 7 threshold. If ``r`` is given, the inputs mu at which the
    stable branch along (mu, r mu) crosses nu_isn are also reported; if no stable state with
    nu_E = nu_isn exists on that ray the network never becomes ISN there (status 3).

    Parameters
    ----------
    ssn : SSN
        Starting network.
    nu_isn : float
        Requested ISN onset rate nu_E^ISN (Hz, > 0).
    r : float, optional
        Input ratio for reporting the onset input (mV/s).
    network : LIFNetwork, optional
        Network to return with the new J_EE (``network.replace(j=J / K)``).
    bounds : dict, optional
        ``{'EE': (low, high)}`` allowed J_EE (mV); outside -> status 1.
    rtol : float, optional
        Verification tolerance (default 1e-6).

    Returns
    -------
    DesignResult
        ``requested``/``achieved``: ``nu_isn`` (Hz); with ``r`` also ``achieved['mu_isn']`` (mV/s,
        smallest stable onset input mu_E) and ``diagnostics['onsets']`` (one dict per onset on the
        ray: ``mu_E`` (mV/s), ``nu_I`` (Hz), ``stable``).
    """
    nu_isn = _check_target(nu_isn, "nu_isn", "Hz")
    r0 = None if r is None else _check_target(r, "r", "(ratio mu_I/mu_E)")
    _, bounds, _, _, rtol = _check_search(ssn, network, (), bounds, 1, 0, rtol, bound_names=("EE",))
    J0, a, b, n, tau = _params(ssn)
    free = _Free(J0, r0, ("EI", "IE", "II", "r"), bounds, free_r=False)
    f = _fns()
    g_E = f.gain(_inverse_powerlaw(nu_isn, a[0], 0.0, n[0]), a[0], n[0])
    J = J0.copy()
    J[0, 0] = 1.0 / g_E  # Eq 7 at equality: g_E(nu_isn) J_EE = 1
    requested = {"nu_isn": nu_isn}
    diag = {"det_J_before": float(f.det_J(*_P(J0, a, b, n))), "det_J_after": float(f.det_J(*_P(J, a, b, n)))}
    lo, hi = free.lo_hi("EE")
    if not lo <= J[0, 0] <= hi:
        return _result("isn", _INFEASIBLE, f"unreachable: Eq 7 needs J_EE = {J[0, 0]:.6g} mV for "
                       f"nu_E^ISN = {nu_isn:g} Hz, outside bounds['EE'] = ({lo:g}, {hi:g})",
                       requested=requested, diagnostics=diag)
    new = _new_ssn(ssn, J)
    if hasattr(new, "isn_threshold"):   # the SSN's own Eq 7
        achieved = {"nu_isn": float(new.isn_threshold())}
    else:
        achieved = {"nu_isn": float(f.rate(np.real(f.z_isn(*_P(J, a, b, n))), a[0], n[0]))}
    res = _finish("isn", ssn, network, free, J, r0, requested, achieved, diag, rtol)
    if r0 is None or not res.success:
        return res
    # onset along the ray: Eq 5 at (nu_isn, nu_I) must lie on (mu, r mu): scan nu_I, refine
    def q(nu_I):
        mE, mI = _eq5(nu_isn, nu_I, J, a, b, n)
        return mI - r0 * mE

    grid = np.logspace(-6, 4, 400)
    qs = q(grid)
    onsets = []
    for i in np.flatnonzero(np.sign(qs[:-1]) != np.sign(qs[1:])):
        nu_I = brentq(q, grid[i], grid[i + 1], xtol=1e-14, rtol=1e-14)
        mu = float(_eq5(nu_isn, nu_I, J, a, b, n)[0])
        delta, trace = _delta_trace(nu_isn, nu_I, J, a, n, tau)
        onsets.append(dict(mu_E=mu, nu_I=float(nu_I), stable=bool(is_stable(delta, trace))))
    res.diagnostics["onsets"] = onsets
    stable = [o["mu_E"] for o in onsets if o["stable"]]
    if not stable:
        res.status = _NOT_VERIFIED
        res.message = (f"J_EE set for nu_E^ISN = {nu_isn:g} Hz, but along r = {r0:g} no stable steady "
                       f"state reaches it: the network never becomes ISN on that ray")
        return res
    res.achieved["mu_isn"] = min(stable)
    return res


# =====================================================================================
# (d) balanced state that exists and is stable
# =====================================================================================
def target_balanced(ssn, r, *, mu_E=None, margin=0.1, network=None, fixed=(), bounds=None,
                    n_starts=3, seed=0):
    """Nearest couplings (relative change) with a balanced state that exists and is stable.

    Eq S4 (``docs/theory/ssn_lif.md`` §11): r < J_II/J_EI < J_IE/J_EE (existence, Eq S2, with det J > 0, needed for
    stability). In log-couplings these are linear inequalities, imposed with ``margin``:
    log(J_II/(r J_EI)) >= margin and log(J_EI J_IE/(J_EE J_II)) >= margin. Feasibility under
    ``fixed``/``bounds`` is decided first by linear programming (status 1 if none), then the
    nearest point is found by SLSQP. If ``mu_E`` is given, the leading-order trace condition of the
    large-N linearisation, g_E J_EE/tau_E < g_I J_II/tau_I at the balanced rates for input
    mu (``docs/theory/ssn_lif.md`` §11), is imposed too. The result is checked with the SSN's balanced-state
    rates (Eq S1).

    Parameters
    ----------
    ssn : SSN
        Starting network.
    r : float
        Input ratio mu_I^ext / mu_E^ext (> 0); may change unless ``'r'`` is in ``fixed``.
    mu_E : float, optional
        External input mu_E^ext (mV/s, > 0) at which to impose the trace condition.
    margin : float, optional
        Log-margin of the inequalities (default 0.1, i.e. about 10 %).
    network, fixed, bounds, n_starts, seed :
        As in :func:`target_supersaturation`.

    Returns
    -------
    DesignResult
        ``requested`` = {exists: True, stable: True}; ``achieved`` the flags recomputed from the
        designed J and r; ``diagnostics``: balanced rates per unit input (Hz per mV/s), det J,
        J_II/J_EI, J_IE/J_EE.
    """
    r0 = _check_target(r, "r", "(ratio mu_I/mu_E)")
    mu = None if mu_E is None else _check_target(mu_E, "mu_E", "mV/s")
    margin = check_float(margin, "margin", 0.0, unit="(log units)")
    fixed, bounds, n_starts, seed, _ = _check_search(ssn, network, fixed, bounds, n_starts, seed, 0.5)
    from scipy.optimize import linprog
    J0, a, b, n, tau = _params(ssn)
    free = _Free(J0, r0, fixed, bounds, free_r=True)
    requested = {"exists": True, "stable": True}
    order = ("EE", "EI", "IE", "II", "r")
    # A y <= c over y = log(J_EE, J_EI, J_IE, J_II, r): the two Eq S4 inequalities
    A = np.array([[0, 1, 0, -1, 1], [1, -1, -1, 1, 0]], dtype=float)
    c = -margin * np.ones(2)
    k = free.nparam
    cols = [order.index(nm) for nm in free.names[:k]]
    fixed_cols = [i for i in range(5) if i not in cols]
    y_fixed = np.log([free.value0(order[i]) for i in fixed_cols])
    c_free = c - A[:, fixed_cols] @ y_fixed
    lp = linprog(np.zeros(k), A_ub=A[:, cols], b_ub=c_free, bounds=[
        (lo, hi) for lo, hi in (tuple(v if v is not None else None for v in bd) for bd in free.log_bounds())],
        method="highs") if k else None
    feasible = bool(np.all(c_free >= 0)) if k == 0 else lp.status == 0
    if not feasible:
        return _result("balanced", _INFEASIBLE,
                       f"unreachable: a stable balanced state needs r < J_II/J_EI < J_IE/J_EE (Eq S4, "
                       f"det J > 0) with log-margin {margin}; no couplings/ratio satisfy it with "
                       f"fixed={tuple(free.fixed)} and bounds", requested=requested)
    x_ref = free.pack(J0, r0)
    f = _fns()

    def lin(x):
        y = np.empty(5)
        y[cols] = x
        y[fixed_cols] = y_fixed
        return c - A @ y   # >= 0

    def leading_trace(J, rr):
        nu = np.asarray(f.balanced(rr, *_P(J, a, b, n)), float) * mu
        if np.any(nu <= 0):
            return -1.0
        # trace is affine in J at fixed gains: its J-linear (large-N leading) part
        _, t1 = _delta_trace(nu[0], nu[1], J, a, n, tau)
        _, t2 = _delta_trace(nu[0], nu[1], 2 * J, a, n, tau)
        return -float(t2 - t1) * tau[1]

    def ineq(x):
        J, rr = free.unpack(x)
        out = list(lin(x))
        if mu is not None:
            out.append(leading_trace(J, rr) - 1e-6)
        return out

    xb, info = _minimise(free, x_ref, _starts(x_ref, n_starts, seed), None, lambda x: list(lin(x)))
    if xb is not None and mu is not None:  # phase 2 from the Eq S4 solution (balanced rates > 0)
        xb, info = _minimise(free, x_ref, [xb] + _starts(xb, n_starts, seed)[1:], None, ineq)
    if xb is None:
        return _result("balanced", _NOT_CONVERGED, "Eq S4 is feasible but the optimiser found no point "
                       "that also satisfies the trace condition", requested=requested, diagnostics=info)
    J, rr = free.unpack(xb)
    per_unit = np.asarray(f.balanced(rr, *_P(J, a, b, n)), float)
    det = float(f.det_J(*_P(J, a, b, n)))
    new = _new_ssn(ssn, J)
    if hasattr(new, "balanced_state"):   # the SSN's own Eq S1/S2/S4 flags
        flags = new.balanced_state(rr)
        exists, stable = bool(flags["exists"]), bool(flags["stable"])
    else:
        exists = bool(np.all(per_unit > 0))
        stable = exists and det > 0
    stable = bool(stable and (mu is None or leading_trace(J, rr) > 0))
    diag = dict(info, balanced_rates_per_unit_mu=per_unit, det_J=det,
                J_II_over_J_EI=float(J[1, 1] / J[0, 1]), J_IE_over_J_EE=float(J[1, 0] / J[0, 0]))
    return _finish("balanced", ssn, network, free, J, rr, requested,
                   {"exists": exists, "stable": stable}, diag, 0.0)
