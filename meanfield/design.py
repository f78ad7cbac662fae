"""Input design, weight inversion and regime targeting for the two-population SSN.

Ekelmans, Kraynyukova & Tchumatchenko (2023), reconstructed in ``shared/theory/ssn_lif.md``:

* :func:`inputs_for` -- Eq 5: the external inputs mu_E(t), mu_I(t) that make a target rate
  trajectory nu_E(t), nu_I(t) a steady state of Eq 3 (theory §9);
* :func:`weights_for` -- Eq 6 variant: two chosen couplings J_XY(t) that do the same with
  constant inputs (theory §9, "plastic-weight" variant);
* regime targeting, each returning a :class:`DesignResult` (scipy-``OptimizeResult`` style:
  ``success``, ``status``, ``message``, requested vs achieved values, diagnostics):

  - :func:`target_supersaturation` -- a supersaturation peak of given height (and position),
    via the Fig 2B invariance (theory §8) and constrained least change;
  - :func:`target_bistability` -- a bistability window [mu_1, mu_2] (fold points, theory §7.5);
  - :func:`target_isn` -- a given ISN onset rate nu_E^ISN (Eq 7, closed form for J_EE);
  - :func:`target_balanced` -- a balanced state that exists and is stable (Eq S2/S4, theory §11).

Every function takes an ``ssn`` object first (duck-typed: attributes ``J`` (2x2 magnitudes
[[J_EE, J_EI], [J_IE, J_II]] in mV), ``a``, ``b``, ``n``, ``tau`` and the methods of
:class:`meanfield.ssn.SSN`). Units: rates Hz, inputs mV/s, couplings mV, times s.

Targeting functions optionally take a ``network`` (duck-typed ``brianmodels.network.LIFNetwork``:
attributes ``K``, ``j``, ``J`` and a ``replace(**changes)`` method) and then also return
``network.replace(j=J_new / K)``, so the designed circuit can be simulated directly.
"""
from __future__ import annotations

import numpy as np

from ._validate import as_float, as_float_array, check_finite

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
class DesignResult(dict):
    """Outcome of a regime-targeting call (like :class:`scipy.optimize.OptimizeResult`).

    A ``dict`` with attribute access. Keys always present:

    Attributes
    ----------
    success : bool
        True iff the optimiser converged *and* the regime recomputed with the SSN's own
        functions matches the request within ``rtol``.
    status : int
        0 success; 1 target unreachable under the constraints (proved before/without optimising);
        2 optimiser did not find a solution; 3 solution found but verification failed.
    message : str
        Human-readable explanation (what failed and why).
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
    """

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    __setattr__ = dict.__setitem__
    __delattr__ = dict.__delitem__

    def __repr__(self):
        keys = ("success", "status", "message", "target", "J", "r", "requested", "achieved")
        lines = [f"{k:>10}: {self[k]!r}" for k in keys if k in self]
        return "DesignResult(\n" + "\n".join(lines) + "\n)"

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self.keys()))


def _result(target, status, message, *, J=None, r=None, ssn=None, network=None,
            requested=None, achieved=None, diagnostics=None) -> DesignResult:
    return DesignResult(
        success=(status == _OK), status=status, message=message, target=target,
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
    """nu_I (Hz) on the fold curve Delta = 0 (theory §7.4) in rate space, for given nu_E.

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
    from .ssn_symbolic import functions
    return functions()


def _P(J, a, b, n):
    """Parameter tuple in ssn_symbolic.PARAM_NAMES order; J may be (..., 2, 2)."""
    J = np.asarray(J, dtype=float)
    return (J[..., 0, 0], J[..., 0, 1], J[..., 1, 0], J[..., 1, 1], a[0], a[1], b[0], b[1], n[0], n[1])


def _delta_trace(nu_E, nu_I, J, a, n, tau, b=(0.0, 0.0)):
    """Delta = det(1 - G J) and the trace of the Jacobian of Eq 2 (1/s) at rates (nu_E, nu_I) > 0.

    Stable steady state <=> Delta > 0 and trace < 0 (theory §7.4); computed by the SSN's own
    ``ssn_kernels.linear_analysis`` at x_X = (nu_X / a_X)^(1/n_X).
    """
    from .ssn_kernels import linear_analysis
    P = _P(J, a, b, n)
    x_E = _inverse_powerlaw(np.asarray(nu_E, float), a[0], 0.0, n[0])
    x_I = _inverse_powerlaw(np.asarray(nu_I, float), a[1], 0.0, n[1])
    shape = np.broadcast_shapes(x_E.shape, x_I.shape, *(np.shape(v) for v in P[:4]))
    x_E, x_I = np.broadcast_to(x_E, shape), np.broadcast_to(x_I, shape)
    P = tuple(np.broadcast_to(v, shape) for v in P[:4]) + P[4:]
    la = linear_analysis(x_E, x_I, P, tau[0], tau[1])
    return la["delta"], la["trace"]


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
    a = np.array(ssn.a, dtype=float).reshape(2)
    b = np.array(ssn.b, dtype=float).reshape(2)
    n = np.array(ssn.n, dtype=float).reshape(2)
    tau = np.array(ssn.tau, dtype=float).reshape(2)
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
    bad = ~((delta > 0) & (trace < 0))
    if np.any(bad):
        flat = np.flatnonzero(np.atleast_1d(bad))
        shown = ", ".join(
            f"#{i}: (nu_E={np.ravel(nu_E)[i]:.4g}, nu_I={np.ravel(nu_I)[i]:.4g}) Hz, "
            f"Delta={np.ravel(delta)[i]:.3g}, trace={np.ravel(trace)[i]:.3g}/s" for i in flat[:5])
        raise ValueError(
            f"{what}: {flat.size} of {bad.size} target point(s) are not stable steady states "
            f"(need Delta = det(1 - G J) > 0 and trace < 0, theory §7.4): {shown}"
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
    Paper check (theory §9, Fig 2E/F): (5.860, 1.042) Hz -> (24.0582, 1.3468) mV/s.
    """
    J, a, b, n, tau = _params(ssn)
    nu_E, nu_I = _rates(nu_E, nu_I)
    if check_stability:
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
    e.g. (theory §9) ``J_EI = [J_EE nu_E + mu_E - b_E - (nu_E/a_E)^(1/n_E)] / nu_I`` and
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
    try:
        nu_E, nu_I, mu_E, mu_I = np.broadcast_arrays(nu_E, nu_I, mu_E, mu_I)
    except ValueError:
        raise ValueError("mu_E and mu_I must broadcast to the shape of nu_E, nu_I") from None
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
