"""Operating regimes of the SSN over the input plane (mu, r): Fig 5 and S1 Fig of Ekelmans et al.

Inputs are mu_E^ext = mu, mu_I^ext = r mu (mV/s). Conditions (``docs/theory/ssn_lif.md``):

* steady states and their stability: §7 (characteristic function, parity rule, F' = -Delta);
* ISN: a stable state with g_E J_EE > 1 (Eq 7); boundary F(z_E^*; mu, r) = 0 (§10);
* supersaturation: a stable state with d nu_E/d mu < 0 along (1, r) (Eq S6); boundary
  F_I(w^*; mu, r) = 0 (§8);
* bistability: >= 2 stable states, delimited by saddle-node folds F = F' = 0 (§7.5); persistent
  activity when the bistable window along r contains mu = 0;
* balanced limit (N -> infinity): exists (Eq S2) and stable (Eq S4) -- depends on r only (mu > 0);
* no steady state: possible only for det J < 0 (even number of states, §7.3).

All functions take an :class:`meanfield.ssn.model.SSN` (duck-typed: ``params``, ``tau``, ``det_J``,
``balanced_state``) and return tidy pandas DataFrames.
"""
from __future__ import annotations

import numpy as np

from . import kernels as _k
from .._solvers import bisect
from .._validate import check_finite, check_int, check_vector
from .symbolic import functions as _functions

__all__ = ["regime_map", "fold_curve", "isn_boundary", "supersaturation_boundary",
           "plot_regime_map", "REGIME_COLUMNS"]

#: Columns of :func:`regime_map` (documented there).
REGIME_COLUMNS = ("mu", "r", "mu_E", "mu_I", "n_states", "n_stable", "balanced", "isn",
                  "supersaturating", "bistable", "persistent", "no_steady_state", "beyond_grid",
                  "regime")


def _grid_axes(mu_E, r):
    return check_vector(mu_E, "mu_E", what="input"), check_vector(r, "r", what="input ratio")


def _check_ssn(ssn):
    """The duck-typed SSN every function here reads (``params``, ``tau``, regime methods)."""
    missing = [a for a in ("params", "tau", "isn_threshold", "supersaturation_condition", "balanced_state")
               if not hasattr(ssn, a)]
    if missing:
        raise TypeError(f"ssn must be a meanfield.SSN (attributes params, tau, isn_threshold, "
                        f"supersaturation_condition, balanced_state); {type(ssn).__name__} lacks {missing}")
    return ssn


def _scan_args(ssn, r_values, mu_range, n_grid):
    """Validate the common arguments of the boundary scans; returns (r_values, lo, hi, n_grid)."""
    _check_ssn(ssn)
    r_values = check_vector(r_values, "r_values", what="input ratio")
    rng = check_finite(mu_range, "mu_range")
    if rng.shape != (2,) or not rng[1] > rng[0]:
        raise ValueError(f"mu_range must be (low, high) in mV/s with high > low; got {mu_range!r}")
    return r_values, float(rng[0]), float(rng[1]), check_int(n_grid, "n_grid", low=3)


def _point_flags(ssn, mu_E, mu_I, direction):
    """Per point: n_states, n_stable, any stable ISN / supersaturating state, beyond flag."""
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
                beyond=st["beyond"])


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
    pandas.DataFrame
        R x M rows (r-major). Columns: ``mu`` (= ``mu_E``, the position along the ray), ``r``,
        ``mu_E``, ``mu_I`` (mV/s), ``n_states``,
        ``n_stable``, ``balanced`` ('stable' / 'unstable' / 'none': Eqs S2, S4 for mu > 0;
        'none' for mu <= 0), ``isn`` (a stable state is ISN, Eq 7), ``supersaturating`` (a stable
        state has d nu_E/d mu < 0 along (1, r), Eq S6), ``bistable`` (>= 2 stable states),
        ``persistent`` (bistable at this point and at every grid point of the same r down to
        mu = 0, where it is bistable too), ``no_steady_state`` (n_states == 0), ``beyond_grid``
        (a state with nu_E > 1e4 Hz exists), ``regime`` (text label: 'no steady state', or the
        '+'-joined flags among bistable, isn, supersaturating, else 'stable' / 'unstable').
    """
    import pandas as pd

    _check_ssn(ssn)
    mu, r = _grid_axes(mu_E, r)
    RR, MM = np.meshgrid(r, mu, indexing="ij")
    mu_E, rr = MM.ravel(), RR.ravel()
    mu_I = rr * mu_E
    fl = _point_flags(ssn, mu_E, mu_I, (np.ones_like(rr), rr))
    bistable = fl["n_stable"] >= 2
    # persistent activity: the bistable window along r reaches mu = 0 (where r is irrelevant)
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
    return pd.DataFrame({
        "mu": mu_E, "r": rr, "mu_E": mu_E, "mu_I": mu_I, "n_states": fl["n_states"],
        "n_stable": fl["n_stable"], "balanced": balanced, "isn": fl["isn"],
        "supersaturating": fl["supersaturating"], "bistable": bistable,
        "persistent": pers.ravel(), "no_steady_state": no_state, "beyond_grid": fl["beyond"],
        "regime": labels})


def _roots_in_mu(G, mu_lo, mu_hi, n_grid, keys):
    """Zeros in mu of G(mu, key_index) for each key on [mu_lo, mu_hi] (scan + bisection)."""
    mu = np.linspace(mu_lo, mu_hi, int(n_grid))
    K = len(keys)
    kk, mm = np.meshgrid(np.arange(K), mu, indexing="ij")
    vals = G(mm.ravel(), kk.ravel()).reshape(K, mu.size)
    pos = vals > 0
    ki, mi = np.nonzero(pos[:, :-1] != pos[:, 1:])
    roots = bisect(lambda x, mask: G(x, ki[mask]), mu[mi], mu[mi + 1])
    return ki, roots


def fold_curve(ssn, r_values, mu_range=(0.0, 100.0), n_grid=401, n_bisect=45):
    """Saddle-node folds F = F' = 0 in the (mu, r) plane (``docs/theory/ssn_lif.md`` §7.5).

    For each r, the number of steady states is scanned on a mu grid; every change by two is a
    fold, located by bisection on mu (to ~1e-12 relative).

    Parameters
    ----------
    ssn : SSN
    r_values : array_like
        Input ratios.
    mu_range : (float, float)
        Input interval scanned (mV/s).
    n_grid : int
        Scan points per r (integer >= 3; two folds closer than one grid step may be missed).
    n_bisect : int
        Bisection steps (integer in [1, 100]; about 60 halvings reach double precision).

    Returns
    -------
    pandas.DataFrame
        One row per fold: ``r``, ``mu`` (mV/s), ``change`` (+2: two states appear as mu grows,
        -2: they vanish), ``nu_E``, ``nu_I`` (Hz, of the double root).
    """
    import pandas as pd

    r_values, lo, hi, n_grid = _scan_args(ssn, r_values, mu_range, n_grid)
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
    return pd.DataFrame({"r": rr, "mu": 0.5 * (a + b), "change": jump[ri, mi], "nu_E": nuE,
                         "nu_I": nuI}).sort_values(["r", "mu"]).reset_index(drop=True)


def isn_boundary(ssn, r_values, mu_range=(0.0, 100.0), n_grid=2001):
    """ISN boundary in (mu, r): a steady state sits exactly at z = z_E^* (F(z_E^*; mu, r) = 0, §10).

    Parameters
    ----------
    ssn : SSN
    r_values : array_like
        Input ratios.
    mu_range : (float, float)
        Input interval (mV/s).
    n_grid : int
        Scan points per r (integer >= 3).

    Returns
    -------
    pandas.DataFrame
        Columns ``r``, ``mu`` (mV/s), ``nu_E`` (= nu_E^ISN, Hz).
    """
    import pandas as pd

    r_values, lo, hi, n_grid = _scan_args(ssn, r_values, mu_range, n_grid)
    P = ssn.params
    nu_isn = ssn.isn_threshold()
    if not np.isfinite(nu_isn) or nu_isn == 0:
        return pd.DataFrame({"r": [], "mu": [], "nu_E": []})
    z_star = float(_functions().z_isn(*P))
    ki, mu = _roots_in_mu(lambda m, k: _k.F_value(z_star, m, r_values[k] * m, P), lo, hi, n_grid,
                          r_values)
    return pd.DataFrame({"r": r_values[ki], "mu": mu, "nu_E": np.full(mu.size, nu_isn)})


def supersaturation_boundary(ssn, r_values, mu_range=(0.0, 100.0), n_grid=2001):
    """Supersaturation boundary in (mu, r): a state sits at w = w^*(r), i.e. F_I(w^*; mu, r) = 0 (§8).

    Only ratios with r J_EI > J_II (Eq 4) can supersaturate; others give no rows.

    Parameters
    ----------
    ssn : SSN
    r_values : array_like
        Input ratios.
    mu_range : (float, float)
        Input interval (mV/s).
    n_grid : int
        Scan points per r (integer >= 3).

    Returns
    -------
    pandas.DataFrame
        Columns ``r``, ``mu`` (mV/s), ``nu_I`` (= nu_I^*(r), Hz), ``stable`` (the state on the
        boundary is stable, so it is a supersaturation onset rather than a saddle crossing).
    """
    import pandas as pd

    r_values, lo, hi, n_grid = _scan_args(ssn, r_values, mu_range, n_grid)
    P = ssn.params
    fn = _functions()
    ok = np.asarray(ssn.supersaturation_condition(r_values), bool)
    r_ok = r_values[ok]
    empty = pd.DataFrame({"r": [], "mu": [], "nu_I": [], "stable": []})
    if r_ok.size == 0:
        return empty
    w_star = np.real(fn.w_supersat(r_ok, *P))

    def G(m, k):
        w = w_star[k]
        up = np.maximum(fn.u_of_w(w, m, r_ok[k] * m, *P), 0.0)
        return fn.F_I(w, up, m, r_ok[k] * m, *P)

    ki, mu = _roots_in_mu(G, lo, hi, n_grid, r_ok)
    if mu.size == 0:
        return empty
    w = w_star[ki]
    mE, mI = mu, r_ok[ki] * mu
    u = fn.u_of_w(w, mE, mI, *P)
    la = _k.linear_analysis(u, w, P, ssn.tau[0], ssn.tau[1])
    stable = _k.is_stable(la["det"], la["trace"])
    return pd.DataFrame({"r": r_ok[ki], "mu": mu, "nu_I": fn.rate(w, P[5], P[9]), "stable": stable})


def plot_regime_map(table, ax=None, folds=None, title=None):
    """Draw a regime map like Fig 5 of the paper.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`regime_map`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure is made if None).
    folds : pandas.DataFrame, optional
        Output of :func:`fold_curve`, drawn as black dots.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        Regions: stable balanced limit (gray stripes), unstable balanced limit (gray
        back-stripes), ISN (blue), supersaturation (red), bistability (green), no steady state
        (dark gray); x: input mu_ext (mV/s), y: ratio r.
    """
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be the DataFrame of regime_map; got {type(table).__name__}")
    needed = ("mu", "r", "isn", "supersaturating", "bistable", "no_steady_state", "balanced")
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ValueError(f"table lacks the regime_map column(s) {missing}; it has {list(table.columns)}")
    if len(table) == 0 or len(table) != table["mu"].nunique() * table["r"].nunique():
        raise ValueError(f"table must be a full (mu, r) grid as regime_map returns; got {len(table)} rows "
                         f"for {table['mu'].nunique()} mu x {table['r'].nunique()} r values")
    if folds is not None:
        if not isinstance(folds, pd.DataFrame) or not {"mu", "r"} <= set(folds.columns):
            raise ValueError("folds must be the DataFrame of fold_curve (columns mu, r)")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    mu = np.unique(table["mu"].to_numpy())
    r = np.unique(table["r"].to_numpy())
    tab = table.sort_values(["r", "mu"])

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
        ax.plot(folds["mu"], folds["r"], "k.", ms=2)
        handles.append(plt.Line2D([], [], color="k", marker=".", ls="", label="fold (F = F' = 0)"))
    ax.set_xlabel(r"input $\mu_{ext}$ (mV/s)")
    ax.set_ylabel(r"input ratio $r = \mu^{ext}_I / \mu^{ext}_E$")
    ax.set_xlim(mu.min(), mu.max())
    ax.set_ylim(r.min(), r.max())
    if title:
        ax.set_title(title)
    if handles:
        ax.legend(handles=handles, fontsize=7, loc="upper right", framealpha=0.8)
    return ax
