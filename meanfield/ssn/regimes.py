"""Operating regimes of the SSN over the input plane (mu_E, r): Fig 5 and S1 Fig of Ekelmans et al.

Inputs are mu_E^ext = mu_E, mu_I^ext = r mu_E (mV/s). Conditions (``docs/theory/ssn_lif.md``):

* steady states and their stability: §7 (characteristic function, parity rule, F' = -Delta);
* ISN: a stable state with g_E J_EE > 1 (Eq 7); boundary F(z_E^*; mu_E, r) = 0 (§10);
* supersaturation: a stable state with d nu_E/d mu_E < 0 along (1, r) (Eq S6); boundary
  F_I(w^*; mu_E, r) = 0 (§8);
* bistability: >= 2 stable states, delimited by saddle-node folds F = F' = 0 (§7.5); persistent
  activity when the bistable window along r contains mu_E = 0;
* balanced limit (N -> infinity): exists (Eq S2) and stable (Eq S4) -- depends on r only (mu_E > 0);
* no steady state: possible only for det J < 0 (even number of states, §7.3).

All functions take an :class:`meanfield.ssn.model.SSN` (duck-typed: ``params``, ``tau``, ``det_J``,
``balanced_state``, ...) and return a :class:`RegimeResult` (the :class:`brianmodels.result.Result`
convention) whose ``table`` is tidy.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from brianmodels.result import Result

from .._results import TableResult
from . import kernels as _k
from .._solvers import bisect
from .._validate import check_finite, check_int, check_vector
from .model import STATUS as _STEADY_STATUS
from .model import _check_states
from .symbolic import functions as _functions

__all__ = ["regime_map", "fold_curve", "isn_boundary", "supersaturation_boundary",
           "plot_regime_map", "RegimeResult", "REGIME_COLUMNS", "MU_E_RANGE"]

#: Columns of :func:`regime_map` (documented there).
REGIME_COLUMNS = ("r", "mu_E", "mu_I", "n_states", "n_stable", "balanced", "isn",
                  "supersaturating", "bistable", "persistent", "no_steady_state", "beyond_grid",
                  "parity_violated", "regime")

#: Default interval of mu_E scanned by :func:`fold_curve` and the boundary scans (mV/s).
MU_E_RANGE = (0.0, 100.0)

#: status codes of :class:`RegimeResult` (1 and 2 as :class:`meanfield.ssn.model.SteadyStates`)
STATUS = {
    0: "success",
    1: _STEADY_STATUS[1] + " (rows with beyond_grid)",
    2: _STEADY_STATUS[2] + " (rows with parity_violated)",
    3: "a fold was not resolved: the bisection did not end at a double root, or two folds share one "
       "scan cell; refine n_grid (rows with resolved False)",
}
# A boundary scan that finds no crossing at some ratio has answered the question (the boundary is
# not in the range there, or cannot exist: Eq 4): status 0, rows with found False, and the message
# names those ratios and why.


@dataclass
class RegimeResult(TableResult):
    """A regime map, fold curve or regime boundary of the SSN (:class:`brianmodels.result.Result`).

    Attributes
    ----------
    table : pandas.DataFrame
        The tidy table; its columns are documented by the function that made it.
    status : int
        0 success; 1 states beyond the scan grid; 2 parity rule violated (a root lost); 3 a fold not
        resolved (:data:`STATUS`). The rows concerned are marked in ``table``; ratios without a
        boundary crossing are rows with ``found`` False (status 0, named in ``message``).
    message : str
        What happened.
    params : dict
        ``ssn`` (:meth:`SSN.to_dict`), ``method`` and its settings.
    diagnostics : dict
        Counters (points, rows marked).
    """

    STATUS = STATUS

    def summary(self):
        """Regime maps: points per ``regime`` label (columns ``regime``, ``n_points``); else the table."""
        if self.params.get("method") != "regime_map":
            return self.table
        counts = self.table["regime"].value_counts(sort=False)
        return counts.rename_axis("regime").reset_index(name="n_points")


def _table_of(x, name, func, columns):
    """The DataFrame of a :class:`RegimeResult` or the DataFrame itself, with ``columns`` checked."""
    import pandas as pd

    table = x.table if isinstance(x, Result) else x
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{name} must be the result of {func} or its table (a DataFrame); "
                        f"got {type(x).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{name} lacks the {func} column(s) {missing}; it has {list(table.columns)}")
    return table


def _grid_axes(mu_E, r):
    return check_vector(mu_E, "mu_E", what="input"), check_vector(r, "r", what="input ratio")


def _check_ssn(ssn):
    """The duck-typed SSN every function here reads (``params``, ``tau``, regime methods)."""
    needed = ("params", "tau", "det_J", "to_dict", "isn_threshold", "supersaturation_condition",
              "balanced_state")
    missing = [a for a in needed if not hasattr(ssn, a)]
    if missing:
        raise TypeError(f"ssn must be a meanfield.SSN (attributes {', '.join(needed)}); "
                        f"{type(ssn).__name__} lacks {missing}")
    return ssn


def _scan_args(ssn, r_values, mu_E_range, n_grid):
    """Validate the common arguments of the scans; returns (r_values, lo, hi, n_grid)."""
    _check_ssn(ssn)
    r_values = check_vector(r_values, "r_values", what="input ratio")
    rng = check_finite(mu_E_range, "mu_E_range")
    if rng.shape != (2,) or not rng[1] > rng[0]:
        raise ValueError(f"mu_E_range must be (low, high) in mV/s with high > low; got {mu_E_range!r}")
    return r_values, float(rng[0]), float(rng[1]), check_int(n_grid, "n_grid", low=3)


def _point_flags(ssn, mu_E, mu_I, direction):
    """Per point: n_states, n_stable, any stable ISN / supersaturating state, beyond flag; and the scan."""
    P = ssn.params
    st = _k.states(mu_E, mu_I, P)
    la = _k.linear_analysis(st["x_E"], st["x_I"], P, ssn.tau[0], ssn.tau[1],
                            (direction[0][st["point"]], direction[1][st["point"]]))
    stable = _k.is_stable(la["det"], la["trace"], st["double"])
    m = mu_E.size
    pt = st["point"]

    def count(mask):
        return np.bincount(pt[mask], minlength=m)

    return dict(n_states=st["n_states"], n_stable=count(stable),
                isn=count(stable & (la["g_E"] * P[0] > 1)) > 0,  # Eq 7
                supersaturating=count(stable & (la["dnuE"] < 0)) > 0,  # Eq S6
                beyond=st["beyond"], scan=st)


def regime_map(ssn, mu_E, *, r=1.0):
    """Label every point of an (mu_E, r) grid with the SSN's operating regime (Fig 5, S1 Fig).

    Parameters
    ----------
    ssn : SSN
        The network.
    mu_E : array_like, shape (M,)
        External input to E (mV/s); mu_I = r mu_E.
    r : float or array_like, shape (R,)
        Input ratios mu_I / mu_E (default 1).

    Returns
    -------
    RegimeResult
        ``table``: R x M rows (r-major), columns :data:`REGIME_COLUMNS`: ``r``, ``mu_E``, ``mu_I``
        (mV/s), ``n_states``, ``n_stable``, ``balanced`` ('stable' / 'unstable' / 'none': Eqs S2,
        S4 for mu_E > 0; 'none' for mu_E <= 0), ``isn`` (a stable state is ISN, Eq 7),
        ``supersaturating`` (a stable state has d nu_E/d mu_E < 0 along (1, r), Eq S6),
        ``bistable`` (>= 2 stable states), ``persistent`` (bistable at this point and at every grid
        point of the same r down to mu_E = 0, where it is bistable too), ``no_steady_state``
        (n_states == 0), ``beyond_grid`` (a state with nu_E > 1e4 Hz exists, not counted),
        ``parity_violated`` (the number of states breaks the parity rule, §7.3: a root was lost),
        ``regime`` (text label: 'no steady state', or the '+'-joined flags among bistable, isn,
        supersaturating, else 'stable' / 'unstable'). ``status`` 1 / 2 when rows are marked
        ``beyond_grid`` / ``parity_violated``; ``summary()`` counts the points per regime.

    Examples
    --------
    >>> import numpy as np
    >>> from brianmodels import presets
    >>> from meanfield import SSN, regime_map
    >>> ssn = SSN.from_network(presets.get("supersaturating"))
    >>> res = regime_map(ssn, np.linspace(0.0, 50.0, 11), r=[0.5, 1.0, 1.5])
    >>> res.message
    'regimes of 11 mu_E x 3 r grid points labelled'
    >>> print(res.summary().to_string(index=False))
             regime  n_points
             stable        18
    supersaturating        15
    """
    import pandas as pd

    _check_ssn(ssn)
    mu, r = _grid_axes(mu_E, r)
    RR, MM = np.meshgrid(r, mu, indexing="ij")
    mu_E, rr = MM.ravel(), RR.ravel()
    mu_I = rr * mu_E
    fl = _point_flags(ssn, mu_E, mu_I, (np.ones_like(rr), rr))
    bistable = fl["n_stable"] >= 2
    # persistent activity: the bistable window along r reaches mu_E = 0 (where r is irrelevant)
    bist0 = bool(_point_flags(ssn, np.zeros(1), np.zeros(1), (np.ones(1), np.ones(1)))["n_stable"][0] >= 2)
    B = bistable.reshape(RR.shape)
    order = np.argsort(mu, kind="stable")
    pers = np.zeros_like(B)
    nonneg = order[mu[order] >= 0]
    if bist0 and nonneg.size:
        pers[:, nonneg] = np.logical_and.accumulate(B[:, nonneg], axis=1)
    # balanced limit: per r (Eqs S2, S4), only for positive input
    bal = np.array(["stable" if b["stable"] else ("unstable" if b["exists"] else "none")
                    for b in (ssn.balanced_state(float(x)) for x in r)], dtype=object)
    balanced = np.where(mu_E > 0, bal[np.repeat(np.arange(r.size), mu.size)], "none")
    no_state = fl["n_states"] == 0
    labels = np.full(mu_E.size, "", dtype=object)
    for name, flag in (("bistable", bistable), ("isn", fl["isn"]),
                       ("supersaturating", fl["supersaturating"])):
        labels = np.where(flag, np.where(labels == "", name, labels + "+" + name), labels)
    labels = np.where(labels == "", np.where(fl["n_stable"] > 0, "stable", "unstable"), labels)
    labels = np.where(no_state, "no steady state", labels)
    status, message, diag, parity_bad = _check_states(fl["scan"], ssn.det_J, mu_E.size)
    table = pd.DataFrame({
        "r": rr, "mu_E": mu_E, "mu_I": mu_I, "n_states": fl["n_states"],
        "n_stable": fl["n_stable"], "balanced": balanced, "isn": fl["isn"],
        "supersaturating": fl["supersaturating"], "bistable": bistable,
        "persistent": pers.ravel(), "no_steady_state": no_state, "beyond_grid": fl["beyond"],
        "parity_violated": parity_bad, "regime": labels})
    if status == 0:
        message = f"regimes of {mu.size} mu_E x {r.size} r grid points labelled"
    return RegimeResult(table=table, status=status, message=message, diagnostics=diag,
                        params=dict(ssn=ssn.to_dict(), method="regime_map", mu_E=mu.tolist(),
                                    r=r.tolist()))


def _roots_in_mu_E(G, mu_lo, mu_hi, n_grid, keys):
    """Zeros in mu_E of G(mu_E, key_index) for each key on [mu_lo, mu_hi] (scan + bisection)."""
    mu = np.linspace(mu_lo, mu_hi, int(n_grid))
    K = len(keys)
    kk, mm = np.meshgrid(np.arange(K), mu, indexing="ij")
    vals = G(mm.ravel(), kk.ravel()).reshape(K, mu.size)
    pos = vals > 0
    ki, mi = np.nonzero(pos[:, :-1] != pos[:, 1:])
    roots = bisect(lambda x, mask: G(x, ki[mask]), mu[mi], mu[mi + 1])
    return ki, roots


def fold_curve(ssn, r_values, *, mu_E_range=MU_E_RANGE, n_grid=401, n_bisect=45):
    """Saddle-node folds F = F' = 0 in the (mu_E, r) plane (``docs/theory/ssn_lif.md`` §7.5).

    For each r, the number of steady states is scanned on a mu_E grid; every change by two is a
    fold, located by bisection on mu_E (to ~1e-12 relative).

    Parameters
    ----------
    ssn : SSN
    r_values : array_like
        Input ratios mu_I / mu_E.
    mu_E_range : (float, float)
        Interval of mu_E scanned (mV/s; default :data:`MU_E_RANGE`).
    n_grid : int
        Scan points per r (integer >= 3; two folds closer than one grid step may be missed).
    n_bisect : int
        Bisection steps (integer in [1, 100]; about 60 halvings reach double precision).

    Returns
    -------
    RegimeResult
        ``table``: one row per fold, sorted by ``r``, ``mu_E``: ``r``, ``mu_E``, ``mu_I`` (mV/s),
        ``change`` (+2: two states appear as mu_E grows, -2: they vanish; ``|change|`` > 2: several
        folds in one scan cell), ``nu_E``, ``nu_I`` (Hz, of the double root), ``resolved`` (bool:
        a double root was found and the cell held one fold). ``status`` 3 when a row is not
        resolved (its rates are NaN when no double root was found).

    Examples
    --------
    >>> from meanfield import SSN
    >>> from meanfield.ssn.regimes import fold_curve
    >>> res = fold_curve(SSN.paper([[5, 10], [7, 11]]), [1.0], mu_E_range=(0.0, 10.0))
    >>> res.message
    '2 fold(s) located at 1 input ratio(s)'
    >>> res.table["mu_E"].round(2).tolist()            # the bistability window (mV/s)
    [2.19, 3.58]
    """
    import pandas as pd

    r_values, lo, hi, n_grid = _scan_args(ssn, r_values, mu_E_range, n_grid)
    n_bisect = check_int(n_bisect, "n_bisect", low=1, high=100)
    P = ssn.params
    mu = np.linspace(lo, hi, n_grid)
    RR, MM = np.meshgrid(r_values, mu, indexing="ij")
    counts = _k.states(MM.ravel(), (RR * MM).ravel(), P)["n_states"].reshape(RR.shape)
    jump = np.diff(counts, axis=1)
    ri, mi = np.nonzero((jump != 0) & (jump % 2 == 0))
    a, b = mu[mi].copy(), mu[mi + 1].copy()
    ca = counts[ri, mi]
    rr = r_values[ri]

    def same_count(x, mask):          # > 0 on the side of a (the count of the left grid point)
        return (_k.states(x, rr[mask] * x, P)["n_states"] == ca[mask]).astype(float)

    a, b = bisect(same_count, a, b, n_iter=int(n_bisect), rtol=0.0, lo_positive=True, return_bracket=True)
    # double root: the closest adjacent pair of states on the side with more states
    more = np.where(jump[ri, mi] > 0, b, a)
    st = _k.states(more, rr * more, P)
    nuE, nuI = np.full(ri.size, np.nan), np.full(ri.size, np.nan)
    for k in range(ri.size):
        sel = np.nonzero(st["point"] == k)[0]
        dbl = sel[st["double"][sel]]
        if dbl.size:  # the bisection ended inside the double-root tolerance band
            nuE[k], nuI[k] = st["nu_E"][dbl[0]], st["nu_I"][dbl[0]]
        elif sel.size >= 2:
            y = np.log1p(st["nu_E"][sel])
            j = int(np.argmin(np.diff(y)))
            nuE[k] = st["nu_E"][sel[j:j + 2]].mean()
            nuI[k] = st["nu_I"][sel[j:j + 2]].mean()
    change = jump[ri, mi]
    mid = 0.5 * (a + b)
    resolved = np.isfinite(nuE) & (np.abs(change) == 2)
    table = pd.DataFrame({"r": rr, "mu_E": mid, "mu_I": rr * mid, "change": change, "nu_E": nuE,
                          "nu_I": nuI, "resolved": resolved}).sort_values(["r", "mu_E"]).reset_index(drop=True)
    n_bad = int((~resolved).sum())
    if n_bad:
        bad = table[~table["resolved"]]
        message = (f"{n_bad} of {len(table)} fold(s) not resolved (at r = {sorted(set(bad['r'].round(6)))}); "
                   "refine n_grid")
    else:
        message = f"{len(table)} fold(s) located at {r_values.size} input ratio(s)"
    return RegimeResult(table=table, status=3 if n_bad else 0, message=message,
                        diagnostics=dict(n_folds=len(table), n_unresolved=n_bad),
                        params=dict(ssn=ssn.to_dict(), method="fold_curve", r_values=r_values.tolist(),
                                    mu_E_range=[lo, hi], n_grid=n_grid, n_bisect=n_bisect))


def _boundary_result(ssn, method, r_values, r_cross, mu_E, columns, lo, hi, n_grid, reasons=None):
    """The :class:`RegimeResult` of a boundary scan: the crossings (``found``) plus one ``found``
    False row per ratio without a crossing in [lo, hi] (NaN drive; ``columns`` values per ratio).

    ``columns``: name -> (values at the crossings, value per entry of ``r_values`` for the rows
    without one); ``reasons``: optional text per entry of ``r_values`` for the message.
    """
    import pandas as pd

    missing = ~np.isin(r_values, r_cross)
    n_miss = int(missing.sum())
    r_all = np.concatenate([r_cross, r_values[missing]])
    mu_all = np.concatenate([mu_E, np.full(n_miss, np.nan)])
    data = {"r": r_all, "mu_E": mu_all, "mu_I": r_all * mu_all}
    for name, (at_cross, per_r) in columns.items():
        data[name] = np.concatenate([np.asarray(at_cross), np.asarray(per_r)[missing]])
    data["found"] = np.r_[np.ones(r_cross.size, bool), np.zeros(n_miss, bool)]
    table = pd.DataFrame(data).sort_values(["r", "mu_E"], kind="stable").reset_index(drop=True)
    if n_miss:
        why = reasons if reasons is not None else np.full(r_values.size, "")
        groups = {}
        for x, w in zip(r_values[missing], np.asarray(why, dtype=object)[missing]):
            groups.setdefault(w or f"no crossing in mu_E in [{lo:g}, {hi:g}] mV/s", []).append(round(float(x), 6))
        message = (f"{r_cross.size} crossing(s) at {r_values.size} input ratio(s); none "
                   + "; ".join(f"({w}) at r = {rs}" for w, rs in groups.items()))
    else:
        message = f"{r_cross.size} crossing(s) at {r_values.size} input ratio(s)"
    return RegimeResult(table=table, status=0, message=message,
                        diagnostics=dict(n_crossings=int(r_cross.size), n_r_without_crossing=n_miss),
                        params=dict(ssn=ssn.to_dict(), method=method, r_values=r_values.tolist(),
                                    mu_E_range=[lo, hi], n_grid=n_grid))


def isn_boundary(ssn, r_values, *, mu_E_range=MU_E_RANGE, n_grid=2001):
    """ISN boundary in (mu_E, r): a steady state sits exactly at z = z_E^* (F(z_E^*; mu_E, r) = 0, §10).

    Parameters
    ----------
    ssn, r_values, mu_E_range
        As in :func:`fold_curve`.
    n_grid : int
        Scan points per r (integer >= 3) before the bisection of each sign change of F.

    Returns
    -------
    RegimeResult
        ``table``: one row per crossing and one per ratio without any (``found`` False, NaN drive),
        sorted by ``r``, ``mu_E``: ``r``, ``mu_E``, ``mu_I`` (mV/s), ``nu_E`` (= nu_E^ISN, Eq 7, Hz),
        ``found`` (bool). A ratio without a crossing in ``mu_E_range`` is a ``found`` False row
        (named in ``message``), not a failure.
    """
    r_values, lo, hi, n_grid = _scan_args(ssn, r_values, mu_E_range, n_grid)
    P = ssn.params
    nu_isn = ssn.isn_threshold()
    if not np.isfinite(nu_isn) or nu_isn == 0:
        ki, mu = np.zeros(0, int), np.zeros(0)
        why = np.full(r_values.size, "never ISN (nu_E^ISN = inf)" if nu_isn else "always ISN (nu_E^ISN = 0)")
    else:
        z_star = float(_functions().z_isn(*P))
        ki, mu = _roots_in_mu_E(lambda m, k: _k.F_value(z_star, m, r_values[k] * m, P), lo, hi, n_grid,
                                r_values)
        why = None
    return _boundary_result(ssn, "isn_boundary", r_values, r_values[ki], mu,
                            {"nu_E": (np.full(mu.size, nu_isn), np.full(r_values.size, nu_isn))},
                            lo, hi, n_grid, why)


def supersaturation_boundary(ssn, r_values, *, mu_E_range=MU_E_RANGE, n_grid=2001):
    """Supersaturation boundary in (mu_E, r): a state sits at w = w^*(r), i.e. F_I(w^*; mu_E, r) = 0 (§8).

    Only ratios with r J_EI > J_II (Eq 4) can supersaturate; the others get a ``found`` False row.

    Parameters
    ----------
    ssn, r_values, mu_E_range, n_grid
        As in :func:`isn_boundary` (the sign changes of F_I(w^*) are bisected).

    Returns
    -------
    RegimeResult
        ``table``: as :func:`isn_boundary`'s with ``nu_I`` (= nu_I^*(r), Eq S6, Hz; NaN where Eq 4
        fails) instead of ``nu_E``, and ``stable`` (the state on the boundary is stable, so it is a
        supersaturation onset rather than a saddle crossing). Ratios without a crossing (Eq 4 fails,
        or none in ``mu_E_range``) are ``found`` False rows; the message says which and why.
    """
    r_values, lo, hi, n_grid = _scan_args(ssn, r_values, mu_E_range, n_grid)
    P = ssn.params
    fn = _functions()
    ok = np.asarray(ssn.supersaturation_condition(r_values), bool)
    r_ok = r_values[ok]
    why = np.where(ok, "", "Eq 4 fails (r J_EI <= J_II)")
    nu_star = np.full(r_values.size, np.nan)
    ki, mu, nu_I, stable = np.zeros(0, int), np.zeros(0), np.zeros(0), np.zeros(0, bool)
    if r_ok.size:
        w_star = np.real(fn.w_supersat(r_ok, *P))
        nu_star[ok] = fn.rate(w_star, P[5], P[9])

        def G(m, k):
            w = w_star[k]
            up = np.maximum(fn.u_of_w(w, m, r_ok[k] * m, *P), 0.0)
            return fn.F_I(w, up, m, r_ok[k] * m, *P)

        ki, mu = _roots_in_mu_E(G, lo, hi, n_grid, r_ok)
        if mu.size:
            w = w_star[ki]
            u = fn.u_of_w(w, mu, r_ok[ki] * mu, *P)
            la = _k.linear_analysis(u, w, P, ssn.tau[0], ssn.tau[1])
            stable = _k.is_stable(la["det"], la["trace"])
            nu_I = fn.rate(w, P[5], P[9])
    return _boundary_result(ssn, "supersaturation_boundary", r_values, r_ok[ki], mu,
                            {"nu_I": (nu_I, nu_star), "stable": (stable, np.zeros(r_values.size, bool))},
                            lo, hi, n_grid, why)


def plot_regime_map(regimes, ax=None, folds=None, title=None):
    """Draw a regime map like Fig 5 of the paper.

    Parameters
    ----------
    regimes : RegimeResult or pandas.DataFrame
        The result of :func:`regime_map` or its ``table`` (a full (mu_E, r) grid).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure is made if None).
    folds : RegimeResult or pandas.DataFrame, optional
        The result of :func:`fold_curve` or its table, drawn as black dots.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        Regions: stable balanced limit (gray stripes), unstable balanced limit (gray
        back-stripes), ISN (blue), supersaturation (red), bistability (green), no steady state
        (dark gray); x: input mu_E^ext (mV/s), y: ratio r.

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from brianmodels import presets
    >>> from meanfield import SSN, plot_regime_map, regime_map
    >>> ssn = SSN.from_network(presets.get("supersaturating"))
    >>> ax = plot_regime_map(regime_map(ssn, np.linspace(0.0, 50.0, 11), r=[0.5, 1.0, 1.5]))
    >>> type(ax).__name__
    'Axes'

    The gallery example *Theory only* (``examples/plot_theory_only.py``) draws a finer map.
    """
    table = _table_of(regimes, "regimes", "regime_map",
                      ("mu_E", "r", "isn", "supersaturating", "bistable", "no_steady_state", "balanced"))
    if len(table) == 0 or len(table) != table["mu_E"].nunique() * table["r"].nunique():
        raise ValueError(f"regimes must be a full (mu_E, r) grid as regime_map returns; got {len(table)} rows "
                         f"for {table['mu_E'].nunique()} mu_E x {table['r'].nunique()} r values")
    if folds is not None:
        folds = _table_of(folds, "folds", "fold_curve", ("mu_E", "r"))
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    mu = np.unique(table["mu_E"].to_numpy())
    r = np.unique(table["r"].to_numpy())
    tab = table.sort_values(["r", "mu_E"])

    def grid(col):
        return tab[col].to_numpy().reshape(r.size, mu.size)

    layers = [("isn", "tab:blue", 0.35, "ISN"), ("supersaturating", "tab:red", 0.35, "supersaturation"),
              ("bistable", "tab:green", 0.5, "bistability"),
              ("no_steady_state", "0.25", 0.8, "no steady state")]
    handles = []
    for col, color, alpha, label in layers:
        Z = grid(col).astype(float)
        if Z.any():
            ax.contourf(mu, r, Z, levels=[0.5, 1.5], colors=[color], alpha=alpha)
            handles.append(Patch(facecolor=color, alpha=alpha, label=label))
    bal = grid("balanced")
    for value, hatch, label in (("stable", "///", "stable balanced limit"),
                                ("unstable", "\\\\\\", "unstable balanced limit")):
        Z = (bal == value).astype(float)
        if Z.any():
            ax.contourf(mu, r, Z, levels=[0.5, 1.5], colors="none", hatches=[hatch])
            handles.append(Patch(facecolor="none", edgecolor="0.4", hatch=hatch, label=label))
    if folds is not None and len(folds):
        ax.plot(folds["mu_E"], folds["r"], "k.", ms=2)
        handles.append(plt.Line2D([], [], color="k", marker=".", ls="", label="fold (F = F' = 0)"))
    ax.set_xlabel(r"input $\mu^{ext}_E$ (mV/s)")
    ax.set_ylabel(r"input ratio $r = \mu^{ext}_I / \mu^{ext}_E$")
    ax.set_xlim(mu.min(), mu.max())
    ax.set_ylim(r.min(), r.max())
    if title:
        ax.set_title(title)
    if handles:
        ax.legend(handles=handles, fontsize=7, loc="upper right", framealpha=0.8)
    return ax
