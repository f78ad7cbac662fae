"""``compare(sim, theory)``: line simulation results up with theory on shared keys.

Both sides are tidy tables (pandas), so this module needs neither a simulator nor a solver.

Spiking E-I networks (LIF simulation vs SSN / Phi_sc)
    * simulation: long table with columns ``mu_E, mu_I, population, rate`` (Hz), optionally
      ``seed`` and ``connectivity_seed`` (both averaged over: every row at one input point is a
      realisation, counted in ``n_seeds``; :mod:`brianmodels.seeds`), ``direction`` ('up'/'down' for ramps or ordered sweeps; used to
      follow hysteresis), ``t``;
    * theory: wide table with ``mu_E, mu_I, nu_E, nu_I, stable`` and optionally ``branch``
      (continuous along a sweep) and ``isn``; or any object with such a ``.table``.

Rate networks (simulation vs DMFT)
    * simulation: one row per (K, seed, connectivity seed) with statistics columns (averaged
      over both seeds) (``phi_mean, f, mu, beta, ...``);
    * theory: one row per K with ``m`` (or ``phi_mean``), ``f``, ``mu``, ``beta``.

Bad input is refused before any matching, with a ValueError/TypeError that names the table, the
column and the offending rows: missing or non-numeric columns, empty tables, non-finite or
negative inputs, unknown populations or directions, a ``stable`` column that is not boolean,
duplicate K rows in a DMFT table. Non-finite simulated values (a NaN rate, a NaN ``beta`` of a
too-short rate run) never enter the metrics silently: by default (``nan='raise'``) compare raises
naming the column and the rows; with ``nan='drop'`` those rows are left out with a
``RuntimeWarning``, listed in ``Comparison.dropped`` and counted in ``Comparison.n_dropped`` and
in the ``n_dropped`` column of :meth:`Comparison.summary`. NaN *theory* values mean "no state
there" (e.g. a DMFT point that did not converge) and are counted in ``n_unmatched``.

Multistable theory: every simulated point is matched to one *stable* theory state -- the one
closest to the simulated rates, or, along an ordered sweep with a ``direction``, the state that
continues the previously matched one (hysteresis) -- never an average across branches. Unstable
states at the simulated inputs are listed in ``Comparison.unstable``, not matched.
"""
from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from brianmodels.network import POPULATIONS

from ._validate import check_choice, check_float

__all__ = ["compare", "Comparison"]

#: columns that name a rate-network simulation's rows in messages
_RATE_KEYS = ["K", "seed", "connectivity_seed"]
#: DMFT result column <- simulation statistic of the same meaning
RATE_NET_QUANTITIES = {"phi_mean": ("m", "phi_mean"), "f": ("f",), "mu": ("mu",), "beta": ("beta",)}
#: allowed values of the simulation's ``direction`` column
DIRECTIONS = ("up", "down")
#: policies for non-finite simulated values (``compare(nan=...)``)
NAN_POLICIES = ("raise", "drop")


# --------------------------------------------------------------------------- input handling
def _as_frame(obj, what: str) -> pd.DataFrame:
    if isinstance(obj, pd.DataFrame):
        return obj.copy()
    for attr in ("table", "to_frame"):
        value = getattr(obj, attr, None)
        if value is not None:
            value = value() if callable(value) else value
            if isinstance(value, pd.DataFrame):
                return value.copy()
    raise TypeError(f"{what} must be a pandas DataFrame or an object with a .table DataFrame; "
                    f"got {type(obj).__name__}")


def _theories(theory) -> dict[str, pd.DataFrame]:
    if isinstance(theory, dict):
        items = list(theory.items())
    elif isinstance(theory, (list, tuple)):
        items = [(getattr(t, "name", None) or type(t).__name__, t) for t in theory]
    else:
        items = [(getattr(theory, "name", None) or type(theory).__name__, theory)]
    if not items:
        raise ValueError("theory must contain at least one theory result")
    out = {}
    for name, t in items:
        name = str(name)
        if name in out:
            raise ValueError(f"theory names must be unique; {name!r} appears twice (pass a dict name -> result)")
        out[name] = _as_frame(t, f"theory {name!r}")
    return out


def _require(df, cols, what):
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{what} lacks the column(s) {missing}; it has {list(df.columns)}")


def _nonempty(df, what):
    if len(df) == 0:
        raise ValueError(f"{what} has no rows (columns {list(df.columns)})")


def _numeric(df, cols, what):
    """Check that the columns hold real numbers (bools and strings are refused)."""
    for c in cols:
        col = df[c]
        if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col) \
                or pd.api.types.is_complex_dtype(col):
            example = col.iloc[0] if len(col) else None
            raise TypeError(f"{what} column {c!r} must hold real numbers; got dtype {col.dtype} "
                            f"(e.g. {example!r})")


def _rows(df, mask, keys):
    """Text naming the first offending rows by index and keys."""
    sel = df.loc[mask, [k for k in keys if k in df.columns]].head(5)
    def show(v):
        return f"{v:g}" if isinstance(v, numbers.Real) and not isinstance(v, bool) else repr(v)

    parts = [f"{i}: " + ", ".join(f"{k}={show(v)}" for k, v in row.items())
             for i, row in zip(sel.index, sel.to_dict("records"))]
    more = f" and {int(mask.sum()) - len(sel)} more" if int(mask.sum()) > len(sel) else ""
    return "rows [" + "; ".join(parts) + "]" + more


def _finite_keys(df, cols, what, keys):
    for c in cols:
        bad = ~np.isfinite(df[c].to_numpy(float))
        if bad.any():
            raise ValueError(f"{what} column {c!r} must be finite; {int(bad.sum())} non-finite value(s) at "
                             f"{_rows(df, bad, keys)}")


def _sim_values(df, cols, what, keys, nan):
    """Apply the ``nan`` policy to the simulated value columns.

    Raises for ``nan='raise'``; for ``nan='drop'`` returns the offending rows (one per non-finite
    value, with a ``column`` naming it; the caller leaves those values out) after a warning.
    """
    dropped = []
    for c in cols:
        bad = ~np.isfinite(df[c].to_numpy(float))
        if not bad.any():
            continue
        if nan == "raise":
            raise ValueError(f"{what} column {c!r} has {int(bad.sum())} non-finite value(s) (NaN/inf) at "
                             f"{_rows(df, bad, keys + [c])}; fix the simulation or pass nan='drop' to "
                             f"leave these rows out (reported in Comparison.dropped)")
        dropped.append(df[bad].assign(column=c))
    if not dropped:
        return pd.DataFrame(columns=list(df.columns) + ["column"])
    out = pd.concat(dropped)
    warnings.warn(f"compare: left out {len(out)} simulated value(s) that are not finite "
                  f"({', '.join(f'{c}: {n}' for c, n in out['column'].value_counts().items())}); "
                  f"see Comparison.dropped", RuntimeWarning, stacklevel=5)
    return out


def _boolean(df, col, what):
    """A bool column as numpy bools (numeric 0/1 or Python bools accepted, strings refused)."""
    v = df[col]
    if pd.api.types.is_bool_dtype(v):
        return v.to_numpy(bool)
    if pd.api.types.is_numeric_dtype(v) and not pd.api.types.is_complex_dtype(v) \
            and v.isin([0, 1]).all():
        return v.to_numpy().astype(bool)
    if v.dtype == object and all(isinstance(x, (bool, np.bool_)) for x in v):
        return v.to_numpy().astype(bool)
    bad = ~v.isin([True, False, 0, 1]) | v.map(lambda x: isinstance(x, str))
    raise TypeError(f"{what} column {col!r} must be boolean (True/False); got dtype {v.dtype}, e.g. "
                    f"{v[bad].iloc[0] if bad.any() else v.iloc[0]!r}")


def _is_rate_network(df) -> bool:
    """A rate-network table is keyed by K and has no E drive (spiking tables have mu_E)."""
    return "K" in df.columns and "mu_E" not in df.columns and "nu_E" not in df.columns


#: key columns of a rate-network simulation table (for error messages)
_RATE_KEYS = ["K", "seed", "connectivity_seed", "population"]


def _one_population(sim):
    """The rows of one population of a rate-network table: 'all' if present, else the only one."""
    if "population" not in sim.columns:
        return sim
    pops = list(dict.fromkeys(sim["population"]))
    if "all" in pops:
        return sim[sim["population"] == "all"]
    if len(pops) != 1:
        raise ValueError(f"sim column 'population' must hold one population (or 'all') to compare with "
                         f"a DMFT; got {pops}")
    return sim


# --------------------------------------------------------------------------- result object
@dataclass
class Comparison:
    """Simulation and theory aligned on shared keys (returned by :func:`compare`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per simulated point x population (spiking) or K x quantity (rate networks) x
        theory, with columns ``theory``, the keys, ``quantity``, ``sim``, ``sim_sem``,
        ``theory_value``, ``branch``, ``abs_err``, ``rel_err`` (and ``direction``, ``isn`` when
        known). Points where a theory has no stable state have NaN ``theory_value``.
    unstable : pandas.DataFrame
        Unstable theory states at the simulated inputs (reported, never matched).
    regimes : pandas.DataFrame
        Regime-level agreement: supersaturation peak position/height, bistability window edges,
        ISN fraction (spiking); DMFT quantities (rate networks).
    kind : {'lif', 'rate'}
    dropped : pandas.DataFrame
        Simulation rows left out because a compared value was not finite (``nan='drop'``), with
        a ``column`` naming it; empty otherwise.
    n_dropped : int
        ``len(dropped)``.

    Examples
    --------
    >>> import pandas as pd
    >>> from brianmodels import presets
    >>> from meanfield import SSN, compare
    >>> sim = pd.DataFrame({"mu_E": [20.0, 20.0], "mu_I": [20.0, 20.0], "population": ["E", "I"],
    ...                     "rate": [2.5, 0.9]})
    >>> cmp = compare(sim, {"SSN": SSN.from_network(presets.get("supersaturating")).steady_states(20.0)})
    >>> cmp.kind, len(cmp.table), cmp.n_dropped
    ('lif', 2, 0)
    >>> print(cmp.summary()[["n", "max_abs_err"]].round(3))
                       n  max_abs_err
    theory population
    SSN    E           1        0.056
           I           1        0.056
    """

    table: pd.DataFrame
    unstable: pd.DataFrame
    regimes: pd.DataFrame
    kind: str
    sim: pd.DataFrame = field(repr=False)
    theories: dict = field(repr=False)
    dropped: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def n_dropped(self) -> int:
        """Number of simulated values left out as non-finite (``compare(..., nan='drop')``)."""
        return int(len(self.dropped))

    def summary(self) -> pd.DataFrame:
        """Agreement metrics per theory x population (or quantity).

        Returns
        -------
        pandas.DataFrame
            Columns ``n`` (matched points), ``n_unmatched`` (no stable state), ``n_dropped``
            (simulated values left out as non-finite, ``nan='drop'``), ``rmse``, ``max_abs_err``,
            ``bias`` (mean of theory - sim), ``median_rel_err``; in the units of the compared
            quantity (Hz for rates).

        Examples
        --------
        >>> import pandas as pd
        >>> from meanfield import compare
        >>> sim = pd.DataFrame({"mu_E": [1.0, 2.0], "mu_I": [1.0, 2.0], "population": ["E", "E"],
        ...                     "rate": [1.0, 2.5]})
        >>> theory = pd.DataFrame({"mu_E": [1.0, 2.0], "mu_I": [1.0, 2.0], "nu_E": [1.2, 2.0],
        ...                        "nu_I": [0.5, 1.0], "stable": [True, True]})
        >>> s = compare(sim, {"T": theory}).summary()
        >>> float(s.loc[("T", "E"), "max_abs_err"]), round(float(s.loc[("T", "E"), "bias"]), 3)
        (0.5, -0.15)
        """
        group = ["theory", "population"] if self.kind == "lif" else ["theory", "quantity"]
        if len(self.dropped):
            key = "population" if self.kind == "lif" else "column"
            dropped_per = self.dropped[key].value_counts()
        else:
            dropped_per = pd.Series(dtype=int)

        def metrics(g):
            ok = g["theory_value"].notna()
            err = (g["theory_value"] - g["sim"])[ok]
            return pd.Series({
                "n": int(ok.sum()),
                "n_unmatched": int((~ok).sum()),
                "rmse": float(np.sqrt(np.mean(err ** 2))) if len(err) else np.nan,
                "max_abs_err": float(np.max(np.abs(err))) if len(err) else np.nan,
                "bias": float(np.mean(err)) if len(err) else np.nan,
                "median_rel_err": float(np.median(g["rel_err"][ok])) if len(err) else np.nan,
            })

        out = self.table.groupby(group, sort=False)[["theory_value", "sim", "rel_err"]].apply(metrics)
        out.insert(2, "n_dropped", [int(dropped_per.get(k[1], 0)) for k in out.index])
        return out.astype({"n": int, "n_unmatched": int, "n_dropped": int})

    def report(self) -> str:
        """A compact text report: the summary table followed by the regime-level agreement.

        Examples
        --------
        >>> import pandas as pd
        >>> from meanfield import compare
        >>> sim = pd.DataFrame({"mu_E": [1.0, 2.0], "mu_I": [1.0, 2.0], "population": ["E", "E"],
        ...                     "rate": [1.0, 2.5]})
        >>> theory = pd.DataFrame({"mu_E": [1.0, 2.0], "mu_I": [1.0, 2.0], "nu_E": [1.2, 2.0],
        ...                        "nu_I": [0.5, 1.0], "stable": [True, True]})
        >>> print(compare(sim, {"T": theory}).report().splitlines()[0])
        Agreement (theory - simulation):
        """
        with pd.option_context("display.width", 120, "display.max_columns", 20, "display.precision", 4):
            text = "Agreement (theory - simulation):\n" + self.summary().to_string()
            if len(self.regimes):
                text += "\n\nRegime-level agreement:\n" + self.regimes.to_string(index=False)
            if len(self.unstable):
                text += f"\n\n{len(self.unstable)} unstable theory state(s) at simulated inputs (not matched)."
            if self.n_dropped:
                text += f"\n\n{self.n_dropped} non-finite simulated value(s) left out (Comparison.dropped)."
        return text

    def __str__(self):
        return self.report()

    def plot(self, axes=None, theory_tables: dict | None = None):
        """Simulation points over theory lines (stable solid, unstable dashed).

        Parameters
        ----------
        axes : sequence of matplotlib Axes, optional
            Two axes (E, I) for spiking networks, one per quantity for rate networks.
        theory_tables : dict, optional
            Denser theory tables (name -> table) to draw as lines instead of the ones compared.

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import pandas as pd
        >>> from meanfield import compare
        >>> sim = pd.DataFrame({"mu_E": [1.0, 2.0], "mu_I": [1.0, 2.0], "population": ["E", "E"],
        ...                     "rate": [1.0, 2.5]})
        >>> theory = pd.DataFrame({"mu_E": [1.0, 2.0], "mu_I": [1.0, 2.0], "nu_E": [1.2, 2.0],
        ...                        "nu_I": [0.5, 1.0], "stable": [True, True]})
        >>> fig = compare(sim, {"T": theory}).plot()
        >>> len(fig.axes)
        2

        The gallery example *A sweep against SSN and Phi_sc* (``examples/plot_sweep_vs_theory.py``)
        draws it for a simulated sweep.
        """
        theories = self.theories if theory_tables is None else _theories(theory_tables)
        if axes is not None:
            n_axes = 2 if self.kind == "lif" else self.table["quantity"].nunique()
            try:
                ok = len(axes) >= n_axes and all(hasattr(ax, "plot") for ax in axes)
            except TypeError:
                ok = False
            if not ok:
                raise ValueError(f"axes must be a sequence of at least {n_axes} matplotlib Axes "
                                 f"({'E, I' if self.kind == 'lif' else 'one per compared quantity'}); "
                                 f"got {axes!r}")
        import matplotlib.pyplot as plt

        if self.kind == "lif":
            return _plot_lif(self, theories, axes, plt)
        return _plot_rate(self, theories, axes, plt)


# --------------------------------------------------------------------------- public entry
def compare(sim, theory, *, match: str = "auto", atol_input: float = 1e-9, nan: str = "raise") -> Comparison:
    """Align a simulation result with one or several theory results and measure agreement.

    Parameters
    ----------
    sim : DataFrame or object with ``.table``
        Spiking: long table ``mu_E, mu_I, population, rate`` [mV/s, mV/s, -, Hz] (optional
        ``seed``, ``direction``). Rate network: a ``simulate_rate_network`` or ``rate_sweep``
        result (or its table: one row per K x seed x connectivity_seed [x population] with
        statistics columns); the rows at one K are averaged over both kinds of seed (``sim_sem``,
        ``n_seeds`` = rows averaged).
    theory : result, DataFrame, list of them, or dict name -> result
        Spiking: ``mu_E, mu_I, nu_E, nu_I, stable`` [mV/s, mV/s, Hz, Hz, bool] (optional
        ``branch``, ``isn``). Rate network: one row per K with ``m``/``phi_mean``, ``f``, ``mu``,
        ``beta``. Several theories are compared side by side.
    match : {'auto', 'nearest', 'history'}
        How a simulated point picks among several stable theory states: the one nearest to the
        simulated rates, or (``'history'``, default when ``sim`` has a ``direction`` column) the
        one continuing the previously matched state along the sweep, which reproduces hysteresis.
    atol_input : float
        Inputs closer than this (mV/s, relative to their scale; >= 0) count as the same point;
        otherwise theory branches are interpolated linearly in mu_E along the sweep.
    nan : {'raise', 'drop'}
        What to do with non-finite simulated values (``rate``; the statistics columns of a rate
        network): ``'raise'`` (default) refuses them naming the column and rows; ``'drop'``
        leaves those rows out with a RuntimeWarning and reports them in ``Comparison.dropped``
        and the ``n_dropped`` column of the summary.

    Returns
    -------
    Comparison

    Raises
    ------
    ValueError
        Missing columns, empty tables, non-finite inputs, negative rates, non-finite simulated
        values (``nan='raise'``), unknown populations or directions, duplicate theory K values,
        no shared keys (inputs outside every theory's range, different populations, different K
        values), or an unknown ``match``/``nan``.
    TypeError
        Inputs that are not tables, non-numeric columns, a ``stable`` column that is not boolean.

    Examples
    --------
    A simulated table (rates in Hz at inputs in mV/s; a ``simulate``/``sweep`` result works the
    same) against the SSN of the network:

    >>> import pandas as pd
    >>> from brianmodels import presets
    >>> from meanfield import SSN, compare
    >>> sim = pd.DataFrame({"mu_E": [10.0, 10.0, 20.0, 20.0], "mu_I": [10.0, 10.0, 20.0, 20.0],
    ...                     "population": ["E", "I", "E", "I"], "rate": [1.6, 0.1, 2.5, 0.9]})
    >>> ssn = SSN.from_network(presets.get("supersaturating"))
    >>> cmp = compare(sim, {"SSN": ssn.steady_states([10.0, 20.0], r=1.0)})
    >>> print(cmp.table[["population", "mu_E", "sim", "theory_value"]].round(3).to_string(index=False))
    population  mu_E  sim  theory_value
             E  10.0  1.6         1.871
             I  10.0  0.1         0.095
             E  20.0  2.5         2.444
             I  20.0  0.9         0.844
    >>> cmp.summary()["n"].tolist()
    [2, 2]

    With simulations: the gallery examples *A sweep against SSN and Phi_sc*
    (``examples/plot_sweep_vs_theory.py``) and *Rate networks against the DMFT*
    (``examples/plot_rate_vs_dmft.py``).
    """
    match = check_choice(match, "match", ("auto", "nearest", "history"))
    nan = check_choice(nan, "nan", NAN_POLICIES)
    atol_input = check_float(atol_input, "atol_input", 0.0)
    sim_df = _as_frame(sim, "sim")
    _nonempty(sim_df, "sim")
    theories = _theories(theory)
    for name, th in theories.items():
        _nonempty(th, f"theory {name!r}")
    if _is_rate_network(sim_df):
        return _compare_rate(sim_df, theories, nan)
    return _compare_lif(sim_df, theories, match, atol_input, nan)


# --------------------------------------------------------------------------- spiking networks
def _check_lif_sim(sim: pd.DataFrame, nan: str):
    """Validate a spiking simulation table; returns (table to compare, dropped rows)."""
    _require(sim, ["mu_E", "mu_I", "population", "rate"], "sim")
    pops = set(sim["population"].unique())
    if not pops <= set(POPULATIONS):
        raise ValueError(f"sim populations must be among {POPULATIONS}; got {sorted(map(str, pops))}")
    _numeric(sim, ["mu_E", "mu_I", "rate"], "sim")
    keys = ["mu_E", "mu_I", "population"]
    _finite_keys(sim, ["mu_E", "mu_I"], "sim", keys)
    if "direction" in sim.columns:
        bad = ~sim["direction"].isin(DIRECTIONS)
        if bad.any():
            raise ValueError(f"sim column 'direction' must be one of {DIRECTIONS}; got "
                             f"{sorted(map(str, sim.loc[bad, 'direction'].unique()))} at {_rows(sim, bad, keys)}")
    rate = sim["rate"].to_numpy(float)
    negative = rate < 0
    if negative.any():
        raise ValueError(f"sim column 'rate' must be >= 0 Hz; got negative values at "
                         f"{_rows(sim, negative, keys + ['rate'])}")
    dropped = _sim_values(sim, ["rate"], "sim", keys, nan)
    if len(dropped):
        sim = sim[np.isfinite(rate)]
        if len(sim) == 0:
            raise ValueError("sim has no finite rate left to compare (every rate is NaN/inf)")
    return sim, dropped


def _check_lif_theory(th: pd.DataFrame, name: str) -> pd.DataFrame:
    what = f"theory {name!r}"
    _require(th, ["mu_E", "mu_I", "nu_E", "nu_I", "stable"], what)
    _numeric(th, ["mu_E", "mu_I", "nu_E", "nu_I"], what)
    _finite_keys(th, ["mu_E", "mu_I"], what, ["mu_E", "mu_I"])
    return th.assign(stable=_boolean(th, "stable", what))


def _sim_points(sim: pd.DataFrame) -> pd.DataFrame:
    """Wide table: one row per simulated input point (and direction), averaged over every row
    there (dynamics and connectivity seeds alike); ``n_seeds_X`` counts them."""
    keys = ["mu_E", "mu_I"] + (["direction"] if "direction" in sim.columns else [])
    order = sim.groupby(keys, sort=False).ngroup()
    sim = sim.assign(_order=order)
    g = sim.groupby(keys + ["population"], sort=False)
    agg = g.agg(rate=("rate", "mean"), rate_sem=("rate", "sem"), n_seeds=("rate", "size"),
                _order=("_order", "first")).reset_index()
    wide = agg.pivot_table(index=keys + ["_order"], columns="population",
                           values=["rate", "rate_sem", "n_seeds"], aggfunc="first")
    wide.columns = [f"{a}_{b}" for a, b in wide.columns]
    wide = wide.reset_index().sort_values("_order").reset_index(drop=True)
    return wide.drop(columns="_order")


def _theory_segments(th: pd.DataFrame):
    """Split a theory table's branches into segments along which mu_E is monotone and stability
    constant: ``[(branch id, rows), ...]``.

    A ``branch`` is a connected solution curve in path order (the SSN's sweeps); it is cut at
    every fold (where mu_E turns) and stability change. Tables that number the pieces of a branch
    between folds themselves (``segment``, as Phi_sc's) are cut per segment first.
    """
    if "branch" not in th.columns:
        return []
    keys = ["branch", "segment"] if "segment" in th.columns else "branch"
    segments = []
    for key, b in th.groupby(keys, sort=False):
        bid = key[0] if isinstance(key, tuple) else key
        mu = b["mu_E"].to_numpy(float)
        if len(mu) < 2:
            continue
        step = np.sign(np.diff(mu))
        stable = b["stable"].to_numpy(bool)
        start = 0
        for k in range(1, len(mu)):
            stability_changes = stable[k] != stable[k - 1]
            turns = k >= 2 and step[k - 1] * step[k - 2] < 0  # a fold at point k-1
            if stability_changes or turns:
                segments.append((bid, b.iloc[start:k]))
                start = k if stability_changes else k - 1
        segments.append((bid, b.iloc[start:]))
    return [(bid, r) for bid, r in segments if len(r) >= 2]


def _candidates(th: pd.DataFrame, runs, mu_E: float, mu_I: float, atol: float):
    """Theory states at one input point: exact rows if present, else interpolated runs."""
    scale = max(1.0, abs(mu_E), abs(mu_I))
    exact = th[(np.abs(th["mu_E"] - mu_E) <= atol * scale) & (np.abs(th["mu_I"] - mu_I) <= atol * scale)]
    if len(exact):
        return [dict(nu_E=r.nu_E, nu_I=r.nu_I, stable=bool(r.stable),
                     branch=getattr(r, "branch", k), isn=getattr(r, "isn", np.nan))
                for k, r in enumerate(exact.itertuples(index=False))]
    out = []
    for bid, run in runs:
        mu = run["mu_E"].to_numpy(float)
        lo, hi = mu.min(), mu.max()
        if not (lo - atol * scale <= mu_E <= hi + atol * scale):
            continue
        order = np.argsort(mu, kind="stable")   # ties keep the run order on every CPU (SIMD sorts differ)
        muI = np.interp(mu_E, mu[order], run["mu_I"].to_numpy(float)[order])
        if abs(muI - mu_I) > 1e-6 * scale:  # this run follows another input line
            continue
        vals = {c: float(np.interp(mu_E, mu[order], run[c].to_numpy(float)[order])) for c in ("nu_E", "nu_I")}
        isn = bool(run["isn"].iloc[0]) if "isn" in run.columns else np.nan
        out.append(dict(vals, stable=bool(run["stable"].iloc[0]), branch=bid, isn=isn))
    return out


def _distance(cand, point, pops):
    # a population whose simulated rate was left out (nan='drop') at this point does not count
    return sum((cand[f"nu_{p}"] - point[f"rate_{p}"]) ** 2 for p in pops if np.isfinite(point[f"rate_{p}"]))


def _compare_lif(sim, theories, match, atol, nan):
    sim, dropped = _check_lif_sim(sim, nan)
    theories = {name: _check_lif_theory(th, name) for name, th in theories.items()}
    points = _sim_points(sim)
    pops = [p for p in POPULATIONS if f"rate_{p}" in points.columns]
    has_dir = "direction" in points.columns
    use_history = match == "history" or (match == "auto" and has_dir)
    rows, unstable, regimes = [], [], []
    for name, th in theories.items():
        th = th[np.isfinite(th["nu_E"]) & np.isfinite(th["nu_I"])]
        if len(th) == 0:
            raise ValueError(f"theory {name!r} has no state with finite nu_E and nu_I")
        runs = _theory_segments(th)
        n_found = 0
        groups = points.groupby("direction", sort=False) if has_dir else [(None, points)]
        for direction, grp in groups:
            previous = None
            for point in grp.to_dict("records"):
                cands = _candidates(th, runs, point["mu_E"], point["mu_I"], atol)
                n_found += bool(cands)
                stable = [c for c in cands if c["stable"]]
                for c in cands:
                    if not c["stable"]:
                        unstable.append(dict(theory=name, mu_E=point["mu_E"], mu_I=point["mu_I"],
                                             nu_E=c["nu_E"], nu_I=c["nu_I"], branch=c["branch"]))
                if not stable:
                    chosen = None
                elif use_history and previous is not None:
                    chosen = min(stable, key=lambda c: (c["nu_E"] - previous["nu_E"]) ** 2
                                 + (c["nu_I"] - previous["nu_I"]) ** 2)
                else:
                    chosen = min(stable, key=lambda c: _distance(c, point, pops))
                previous = chosen
                for p in pops:
                    value = chosen[f"nu_{p}"] if chosen else np.nan
                    s = point[f"rate_{p}"]
                    if not np.isfinite(s):        # left out (nan='drop'): counted in n_dropped
                        continue
                    row = dict(theory=name, mu_E=point["mu_E"], mu_I=point["mu_I"], population=p,
                               quantity="rate", sim=s, sim_sem=point.get(f"rate_sem_{p}", np.nan),
                               theory_value=value, branch=chosen["branch"] if chosen else None,
                               n_stable=len(stable), isn=chosen["isn"] if chosen else np.nan)
                    if has_dir:
                        row["direction"] = direction
                    rows.append(row)
        if n_found == 0:
            raise ValueError(f"no shared keys: none of the simulated inputs (mu_E, mu_I) lies on theory "
                             f"{name!r}'s input points or branches")
        regimes.extend(_lif_regimes(name, th, points, has_dir))
    table = pd.DataFrame(rows)
    table["abs_err"] = (table["theory_value"] - table["sim"]).abs()
    table["rel_err"] = table["abs_err"] / table["sim"].abs().where(table["sim"].abs() > 0)
    return Comparison(table=table, unstable=pd.DataFrame(unstable), regimes=pd.DataFrame(regimes),
                      kind="lif", sim=points, theories=theories, dropped=dropped)


def _peak(mu, rate):
    """Position and height of an interior maximum of rate(mu) (None if monotone)."""
    k = int(np.nanargmax(rate))
    if k == 0 or k == len(rate) - 1:
        return None
    return float(mu[k]), float(rate[k])


def _lif_regimes(name, th, points, has_dir):
    out = []
    # supersaturation peak of nu_E along the sweep (over the simulated input range)
    lo, hi = points["mu_E"].min(), points["mu_E"].max()
    st = th[th["stable"].astype(bool) & (th["mu_E"] >= lo) & (th["mu_E"] <= hi)]
    up = points[points["direction"] == "up"] if has_dir else points
    if len(st) >= 3 and len(up) >= 3 and "rate_E" in up.columns:
        best = st.groupby("mu_E")["nu_E"].max().sort_index()
        tp = _peak(best.index.to_numpy(float), best.to_numpy(float))
        sp_ = up.groupby("mu_E")["rate_E"].mean().sort_index()
        sp = _peak(sp_.index.to_numpy(float), sp_.to_numpy(float))
        if tp or sp:
            for what, k in (("position [mV/s]", 0), ("height [Hz]", 1)):
                out.append(dict(theory=name, measure=f"supersaturation peak {what}",
                                sim=sp[k] if sp else np.nan, theory_value=tp[k] if tp else np.nan))
    # bistability window: theory = inputs with >= 2 stable states; sim = jumps up/down
    multi = _multistable_inputs(th)
    if has_dir and len(multi):
        t_lo, t_hi = float(multi.min()), float(multi.max())
        jumps = {}
        for d in ("up", "down"):
            g = points[points["direction"] == d].sort_values("mu_E")
            if len(g) >= 2 and "rate_E" in g.columns:
                # in increasing mu_E the E rate jumps up where either sweep changes branch
                k = int(np.argmax(np.diff(g["rate_E"].to_numpy(float))))
                jumps[d] = float(g["mu_E"].to_numpy(float)[k:k + 2].mean())
        out.append(dict(theory=name, measure="bistability window low edge [mV/s]",
                        sim=jumps.get("down", np.nan), theory_value=t_lo))
        out.append(dict(theory=name, measure="bistability window high edge [mV/s]",
                        sim=jumps.get("up", np.nan), theory_value=t_hi))
    if "isn" in th.columns:
        st_all = th[th["stable"].astype(bool)]
        if len(st_all):
            out.append(dict(theory=name, measure="fraction of stable states that are ISN",
                            sim=np.nan, theory_value=float(st_all["isn"].astype(bool).mean())))
    return out


def _multistable_inputs(th):
    """Inputs mu_E at which the theory has two or more stable states."""
    runs = [r for _, r in _theory_segments(th) if bool(r["stable"].iloc[0])]
    if not runs:  # a table of states per input point
        counts = th[th["stable"].astype(bool)].groupby("mu_E").size()
        return counts[counts >= 2].index.to_numpy(float)
    spans = np.array([(r["mu_E"].min(), r["mu_E"].max()) for r in runs])
    grid = np.unique(np.concatenate([spans.ravel(), np.linspace(spans.min(), spans.max(), 4001)]))
    cover = ((grid[:, None] >= spans[:, 0]) & (grid[:, None] <= spans[:, 1])).sum(axis=1)
    return grid[cover >= 2]


def _plot_lif(cmp, theories, axes, plt):
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), constrained_layout=True)
    fig = axes[0].figure
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, (name, th) in enumerate(theories.items()):
        c = colors[k % len(colors)]
        for ax, p in zip(axes, POPULATIONS):
            for stable, ls in ((True, "-"), (False, "--")):
                runs = _theory_segments(th) if "branch" in th.columns else []
                if runs:
                    first = True
                    for _, run in runs:
                        if bool(run["stable"].iloc[0]) != stable:
                            continue
                        ax.plot(run["mu_E"], run[f"nu_{p}"], ls, color=c, lw=1.5,
                                label=f"{name} ({'stable' if stable else 'unstable'})" if first else None)
                        first = False
                else:
                    sel = th[th["stable"].astype(bool) == stable]
                    ax.plot(sel["mu_E"], sel[f"nu_{p}"], "." if stable else "x", color=c, ms=3,
                            label=f"{name} ({'stable' if stable else 'unstable'})" if len(sel) else None)
    sim = cmp.sim
    groups = sim.groupby("direction", sort=False) if "direction" in sim.columns else [("sim", sim)]
    markers = {"up": "^", "down": "v"}
    for d, g in groups:
        for ax, p in zip(axes, POPULATIONS):
            if f"rate_{p}" in g.columns:
                ax.errorbar(g["mu_E"], g[f"rate_{p}"], yerr=g.get(f"rate_sem_{p}"), fmt=markers.get(d, "o"),
                            color="k", ms=4, mfc="none", label=f"simulation ({d})" if d != "sim" else "simulation")
    for ax, p in zip(axes, POPULATIONS):
        ax.set_xlabel(r"external input $\mu^{ext}_E$ (mV/s)")
        ax.set_ylabel(rf"$\nu_{p}$ (Hz)")
        ax.set_title(f"{p} population")
    axes[0].legend(fontsize=7, frameon=False)
    return fig


# --------------------------------------------------------------------------- rate networks
def _check_rate_tables(sim, theories, nan):
    """Validate the rate-network tables; returns (sim, dropped rows)."""
    _require(sim, ["K"], "sim")
    _numeric(sim, ["K"], "sim")
    _finite_keys(sim, ["K"], "sim", _RATE_KEYS)
    if (sim["K"] <= 0).any():
        raise ValueError(f"sim column 'K' must be > 0; got {_rows(sim, (sim['K'] <= 0).to_numpy(), ['K', 'seed'])}")
    quantities = [q for q in RATE_NET_QUANTITIES if q in sim.columns]
    _numeric(sim, quantities, "sim")
    for name, th in theories.items():
        what = f"theory {name!r}"
        _require(th, ["K"], what)
        _numeric(th, ["K"] + [c for q in RATE_NET_QUANTITIES.values() for c in q if c in th.columns], what)
        _finite_keys(th, ["K"], what, ["K"])
        dup = th["K"].duplicated(keep=False).to_numpy()
        if dup.any():
            raise ValueError(f"{what} must have one row per K; K = {sorted(th.loc[dup, 'K'].unique().tolist())} "
                             "appear(s) more than once")
    return sim, _sim_values(sim, quantities, "sim", _RATE_KEYS, nan)


def _compare_rate(sim, theories, nan):
    sim, dropped = _check_rate_tables(sim, theories, nan)
    rows, regimes = [], []
    for name, th in theories.items():
        shared_K = sorted(set(sim["K"].unique()) & set(th["K"].unique()))
        if not shared_K:
            raise ValueError(f"no shared keys: sim K values {sorted(sim['K'].unique())} and theory "
                             f"{name!r} K values {sorted(th['K'].unique())} do not overlap")
        found = False
        for q, th_names in RATE_NET_QUANTITIES.items():
            tcol = next((c for c in th_names if c in th.columns), None)
            if q not in sim.columns or tcol is None:
                continue
            found = True
            for K in shared_K:
                s = sim.loc[sim["K"] == K, q].astype(float)
                s = s[np.isfinite(s)]             # non-finite ones were refused or reported (nan policy)
                if len(s) == 0:
                    continue
                t = th.loc[th["K"] == K, tcol].astype(float)
                rows.append(dict(theory=name, K=K, quantity=q, sim=s.mean(), sim_sem=s.sem() if len(s) > 1 else np.nan,
                                 n_seeds=len(s), theory_value=float(t.iloc[0]), branch=None))
        if not found:
            raise ValueError(f"no shared quantities between sim {list(sim.columns)} and theory {name!r} "
                             f"{list(th.columns)}; expected some of {list(RATE_NET_QUANTITIES)}")
    table = pd.DataFrame(rows)
    table["abs_err"] = (table["theory_value"] - table["sim"]).abs()
    table["rel_err"] = table["abs_err"] / table["sim"].abs().where(table["sim"].abs() > 0)
    table["z"] = (table["theory_value"] - table["sim"]) / table["sim_sem"]
    # K-scaling exponents (Fig 1: phi_mean ~ K^-1/2) fitted on both sides
    for name in theories:
        for q in ("phi_mean", "f"):
            sel = table[(table["theory"] == name) & (table["quantity"] == q)]
            if len(sel) >= 3 and (sel["sim"] > 0).all() and (sel["theory_value"] > 0).all():
                lk = np.log(sel["K"].to_numpy(float))
                regimes.append(dict(theory=name, measure=f"d log {q} / d log K",
                                    sim=float(np.polyfit(lk, np.log(sel["sim"]), 1)[0]),
                                    theory_value=float(np.polyfit(lk, np.log(sel["theory_value"]), 1)[0])))
    return Comparison(table=table, unstable=pd.DataFrame(), regimes=pd.DataFrame(regimes), kind="rate",
                      sim=sim, theories=theories, dropped=dropped)


def _plot_rate(cmp, theories, axes, plt):
    qs = list(dict.fromkeys(cmp.table["quantity"]))
    if axes is None:
        fig, axes = plt.subplots(1, len(qs), figsize=(3.2 * len(qs), 3.2), constrained_layout=True, squeeze=False)
        axes = axes[0]
    fig = axes[0].figure
    for ax, q in zip(axes, qs):
        sel = cmp.table[cmp.table["quantity"] == q]
        for name, g in sel.groupby("theory", sort=False):
            th = theories[name]
            tcol = next(c for c in RATE_NET_QUANTITIES[q] if c in th.columns)
            ax.plot(th["K"], th[tcol], "-", label=f"{name}")
        first = sel.drop_duplicates("K")
        ax.errorbar(first["K"], first["sim"], yerr=first["sim_sem"], fmt="o", color="k", mfc="none", label="simulation")
        ax.set_xscale("log")
        ax.set_xlabel("K (in-degree)")
        ax.set_ylabel(q)
    axes[0].legend(fontsize=7, frameon=False)
    return fig
