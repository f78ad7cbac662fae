"""``compare(sim, theory)``: line simulation results up with theory on shared keys.

Both sides are tidy tables (pandas), so this module needs neither a simulator nor a solver.

Spiking E-I networks (LIF simulation vs SSN / Phi_sc)
    * simulation: long table with columns ``mu_E, mu_I, population, rate`` (Hz), optionally
      ``seed`` (averaged over), ``direction`` ('up'/'down' for ramps or ordered sweeps; used to
      follow hysteresis), ``t``;
    * theory: wide table with ``mu_E, mu_I, nu_E, nu_I, stable`` and optionally ``branch``
      (continuous along a sweep) and ``isn``; or any object with such a ``.table``.

Rate networks (simulation vs DMFT)
    * simulation: one row per (K, seed) with statistics columns (``phi_mean, f, mu, beta, ...``);
    * theory: one row per K with ``m`` (or ``phi_mean``), ``f``, ``mu``, ``beta``.

Multistable theory: every simulated point is matched to one *stable* theory state -- the one
closest to the simulated rates, or, along an ordered sweep with a ``direction``, the state that
continues the previously matched one (hysteresis) -- never an average across branches. Unstable
states at the simulated inputs are listed in ``Comparison.unstable``, not matched.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["compare", "Comparison"]

POPULATIONS = ("E", "I")
#: DMFT result column <- simulation statistic of the same meaning
RATE_NET_QUANTITIES = {"phi_mean": ("m", "phi_mean"), "f": ("f",), "mu": ("mu",), "beta": ("beta",)}


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


def _is_rate_network(df) -> bool:
    return "K" in df.columns and "population" not in df.columns and "nu_E" not in df.columns


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
    """

    table: pd.DataFrame
    unstable: pd.DataFrame
    regimes: pd.DataFrame
    kind: str
    sim: pd.DataFrame = field(repr=False)
    theories: dict = field(repr=False)

    def summary(self) -> pd.DataFrame:
        """Agreement metrics per theory x population (or quantity).

        Returns
        -------
        pandas.DataFrame
            Columns ``n`` (matched points), ``n_unmatched`` (no stable state), ``rmse``,
            ``max_abs_err``, ``bias`` (mean of theory - sim), ``median_rel_err``; in the units of
            the compared quantity (Hz for rates).
        """
        group = ["theory", "population"] if self.kind == "lif" else ["theory", "quantity"]

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
        return out.astype({"n": int, "n_unmatched": int})

    def report(self) -> str:
        """A compact text report: the summary table followed by the regime-level agreement."""
        with pd.option_context("display.width", 120, "display.max_columns", 20, "display.precision", 4):
            text = "Agreement (theory - simulation):\n" + self.summary().to_string()
            if len(self.regimes):
                text += "\n\nRegime-level agreement:\n" + self.regimes.to_string(index=False)
            if len(self.unstable):
                text += f"\n\n{len(self.unstable)} unstable theory state(s) at simulated inputs (not matched)."
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
        """
        import matplotlib.pyplot as plt

        theories = theory_tables or self.theories
        if self.kind == "lif":
            return _plot_lif(self, theories, axes, plt)
        return _plot_rate(self, theories, axes, plt)


# --------------------------------------------------------------------------- public entry
def compare(sim, theory, *, match: str = "auto", atol_input: float = 1e-9) -> Comparison:
    """Align a simulation result with one or several theory results and measure agreement.

    Parameters
    ----------
    sim : DataFrame or object with ``.table``
        Spiking: long table ``mu_E, mu_I, population, rate`` [mV/s, mV/s, -, Hz] (optional
        ``seed``, ``direction``). Rate network: one row per (K, seed) with statistics columns.
    theory : result, DataFrame, list of them, or dict name -> result
        Spiking: ``mu_E, mu_I, nu_E, nu_I, stable`` [mV/s, mV/s, Hz, Hz, bool] (optional
        ``branch``, ``isn``). Rate network: one row per K with ``m``/``phi_mean``, ``f``, ``mu``,
        ``beta``. Several theories are compared side by side.
    match : {'auto', 'nearest', 'history'}
        How a simulated point picks among several stable theory states: the one nearest to the
        simulated rates, or (``'history'``, default when ``sim`` has a ``direction`` column) the
        one continuing the previously matched state along the sweep, which reproduces hysteresis.
    atol_input : float
        Inputs closer than this (mV/s, relative to their scale) count as the same point;
        otherwise theory branches are interpolated linearly in mu_E along the sweep.

    Returns
    -------
    Comparison

    Raises
    ------
    ValueError
        Missing columns, no shared keys (inputs outside every theory's range, different
        populations, different K values), or an unknown ``match``.
    TypeError
        Inputs that are not tables.
    """
    if match not in ("auto", "nearest", "history"):
        raise ValueError(f"match must be 'auto', 'nearest' or 'history'; got {match!r}")
    sim_df = _as_frame(sim, "sim")
    theories = _theories(theory)
    if _is_rate_network(sim_df):
        return _compare_rate(sim_df, theories)
    return _compare_lif(sim_df, theories, match, atol_input)


# --------------------------------------------------------------------------- spiking networks
def _sim_points(sim: pd.DataFrame) -> pd.DataFrame:
    """Wide table: one row per simulated input point (and direction), seeds averaged."""
    _require(sim, ["mu_E", "mu_I", "population", "rate"], "sim")
    pops = set(sim["population"].unique())
    if not pops <= set(POPULATIONS):
        raise ValueError(f"sim populations must be among {POPULATIONS}; got {sorted(pops)}")
    if not np.all(np.isfinite(sim[["mu_E", "mu_I"]].to_numpy(float))):
        raise ValueError("sim has non-finite mu_E/mu_I")
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


def _theory_runs(th: pd.DataFrame):
    """Split a theory table into runs along which mu_E is monotone and stability constant."""
    if "branch" not in th.columns:
        return []
    runs = []
    for bid, b in th.groupby("branch", sort=False):
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
                runs.append((bid, b.iloc[start:k]))
                start = k if stability_changes else k - 1
        runs.append((bid, b.iloc[start:]))
    return [(bid, r) for bid, r in runs if len(r) >= 2]


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
        order = np.argsort(mu)
        muI = np.interp(mu_E, mu[order], run["mu_I"].to_numpy(float)[order])
        if abs(muI - mu_I) > 1e-6 * scale:  # this run follows another input line
            continue
        vals = {c: float(np.interp(mu_E, mu[order], run[c].to_numpy(float)[order])) for c in ("nu_E", "nu_I")}
        isn = bool(run["isn"].iloc[0]) if "isn" in run.columns else np.nan
        out.append(dict(vals, stable=bool(run["stable"].iloc[0]), branch=bid, isn=isn))
    return out


def _distance(cand, point, pops):
    return sum((cand[f"nu_{p}"] - point[f"rate_{p}"]) ** 2 for p in pops)


def _compare_lif(sim, theories, match, atol):
    points = _sim_points(sim)
    pops = [p for p in POPULATIONS if f"rate_{p}" in points.columns]
    has_dir = "direction" in points.columns
    use_history = match == "history" or (match == "auto" and has_dir)
    rows, unstable, regimes = [], [], []
    for name, th in theories.items():
        _require(th, ["mu_E", "mu_I", "nu_E", "nu_I", "stable"], f"theory {name!r}")
        th = th[np.isfinite(th["nu_E"]) & np.isfinite(th["nu_I"])]
        runs = _theory_runs(th)
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
                      kind="lif", sim=points, theories=theories)


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
    runs = [r for _, r in _theory_runs(th) if bool(r["stable"].iloc[0])]
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
                runs = _theory_runs(th) if "branch" in th.columns else []
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
def _compare_rate(sim, theories):
    _require(sim, ["K"], "sim")
    rows, regimes = [], []
    for name, th in theories.items():
        _require(th, ["K"], f"theory {name!r}")
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
                      sim=sim, theories=theories)


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
