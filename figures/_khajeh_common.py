"""Helpers shared by the Khajeh, Fumarola & Abbott (2022) figure scripts (figures/khajeh_*.py).

* the paper's parameter sets (Fig 1/2/4 high and low variance, Fig 3, Fig 5) in one place;
* :func:`sweep` -- a resumable :func:`brianmodels.rate_sweep` K sweep: its tidy table (one row
  per K x seed) and its R_eta(tau) curves;
* :func:`cached_run` -- one :func:`brianmodels.simulate_rate_network` run whose tables
  (statistics, x histogram, R_eta, ON-time fractions) are cached as parquet so reruns resume;
* :func:`traces` -- the first stretch of the same run recorded unit by unit (rasters, example
  traces, active fraction f(t)), which ``simulate_rate_network`` does not return;
* plotting helpers (shared with the Ekelmans figures: :mod:`figures._ekelmans_common`).

Times are in units of tau_x (dimensionless), as in the paper.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from brianmodels import atomic
from brianmodels.rate.params import DEFAULTS as D
from brianmodels.seeds import CONNECTIVITY_SEED, SEED


#: Fig 1, 2 (ν = 1/2) and 4 parameters shared by both variance settings (captions).
BASE = dict(g=2.0, I0=1.0, weights="gamma", phi="tanh")
#: High variance (sparse balance): weight variance g^2/sqrt(K); J0 = 2 (Fig 1/4 captions).
HIGH = dict(BASE, nu=0.5, J0=2.0)
#: Low variance: weight variance g^2/K; J0 = 1.05 so that phi_mean overlaps (Fig 1/4 captions).
LOW = dict(BASE, nu=1.0, J0=1.05)
#: Fig 2 uses g = J0 = 2 for both variances (caption).
LOW_FIG2 = dict(BASE, nu=1.0, J0=2.0)
#: Fig 3: g = J0 = I0 = 2, gamma weights, K = N = 1000 (caption).
FIG3 = dict(g=2.0, J0=2.0, I0=2.0, nu=0.5, weights="gamma")
#: Fig 5: Gaussian weights, J0 = 3, g = 2, I0 = 1, rectified tanh (caption).
FIG5 = dict(g=2.0, J0=3.0, I0=1.0, nu=0.5, weights="normal", phi="tanh")
#: The four response functions of Fig 3, in the paper's order, with display names.
PHIS = {"heaviside": "Heaviside", "tanh": r"$[\tanh]_+$", "relu": "rect. linear", "quadratic": "rect. quadratic"}
#: Colours for high / low variance (paper: dark vs light).
VAR_COLORS = {"high": "tab:blue", "low": "tab:orange"}
#: Quantities copied from the sweep's long table into the wide one.
SWEEP_QUANTITIES = ("phi_mean", "f", "mu", "beta", "x_mean", "var_eta_over_var_x", "tvar_x", "qvar_x",
                    "tvar_eta", "qvar_eta", "chi2_phi", "R_eta0")


def sweep(out_dir, K, seeds, *, T, dt=0.02, n_jobs=2, **params):
    """Resumable K sweep (:func:`brianmodels.rate_sweep`), N = K, in ``out_dir``.

    Seed ``s`` of ``seeds`` is the network with ``seed = connectivity_seed = s`` (each seed value
    gives its own initial condition and its own connectivity, the figures' realisations).

    Returns
    -------
    table : pandas.DataFrame
        One row per (K, seed): ``K, seed, connectivity_seed`` and the columns of
        :data:`SWEEP_QUANTITIES` (rows of :attr:`RateSweepResult.table`).
    R : pandas.DataFrame
        ``K, seed, lag, R_eta, R_x`` (unnormalised autocovariances, lags in tau;
        :attr:`RateSweepResult.R_eta`).
    """
    from brianmodels import rate_sweep

    runs = [rate_sweep(K, seeds=[s], connectivity_seeds=[s], out=out_dir, n_jobs=n_jobs, T=T, dt=dt,
                       **params) for s in np.atleast_1d(seeds)]
    for r in runs:
        r.raise_for_status()
    order = ["K", "seed"]
    table = pd.concat([r.table for r in runs]).sort_values(order, kind="stable").reset_index(drop=True)
    table = table[["K", "seed", "connectivity_seed"] + [q for q in SWEEP_QUANTITIES if q in table.columns]]
    R = pd.concat([r.R_eta for r in runs]).sort_values(order, kind="stable").reset_index(drop=True)
    return table, R[["K", "seed", "lag", "R_eta", "R_x"]]


def mean_sem(table: pd.DataFrame, by: str = "K") -> pd.DataFrame:
    """Mean and standard error over seeds of every statistic of a sweep table (:func:`sweep`).

    Returns one row per ``by`` value with columns ``<q>`` (mean), ``<q>_sem`` and ``n_seeds``.
    """
    cols = [c for c in table.columns if c not in (by, "seed", "connectivity_seed")]
    g = table.groupby(by)[cols]
    mean = g.mean()
    sem = g.sem().fillna(0.0).add_suffix("_sem")
    out = pd.concat([mean, sem], axis=1).reset_index()
    out["n_seeds"] = table.groupby(by).size().to_numpy()
    return out


def fit_power(x, y):
    """Exponent a and its standard error for ``y ~ c x^a`` (log-log least squares).

    Delegates to :func:`brianmodels.rate.sweep.fit_exponent` (the one place that owns the fit).
    """
    from brianmodels.rate.sweep import fit_exponent

    t = pd.DataFrame({"K": np.asarray(x, float), "q": np.asarray(y, float), "population": "p"})
    r = fit_exponent(t, "q", "p")
    return r["exponent"], r["stderr"]


def _key(kwargs) -> str:
    """Content key of a cached run: SHA-256 (hex) of its arguments (numbers exactly, as JSON)."""
    return hashlib.sha256(json.dumps(kwargs, sort_keys=True, default=repr).encode()).hexdigest()


def cached_run(cache_dir, **kwargs) -> dict:
    """One :func:`brianmodels.simulate_rate_network` run, cached as parquet in ``cache_dir``.

    Parameters
    ----------
    cache_dir : path
        Folder of the cache (created). The file names carry a hash of all arguments.
    **kwargs
        Passed to ``simulate_rate_network`` (``progress`` is forced off).

    Returns
    -------
    dict
        ``stats`` (:attr:`RateResult.table <brianmodels.rate.simulate.RateResult.table>`: one row
        per population, one column per statistic), ``hist_x``, ``R_eta``, ``on_time`` (the
        :class:`~brianmodels.rate.simulate.RateResult` tables).
    """
    from brianmodels import simulate_rate_network

    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    key = _key(kwargs)
    name = f"run-{key[:12]}"
    parts = ("hist_x", "R_eta", "on_time", "stats")
    suffixes = [f".{p}.parquet" for p in parts]
    # checked against the manifest (key, sizes, SHA-256): damaged runs are recomputed, with a warning
    got = atomic.load_frames(cache_dir, name, key, suffixes, f"figure run {name}")
    if got is not None:
        return {p: got[s] for p, s in zip(parts, suffixes)}
    res = simulate_rate_network(progress=False, **kwargs).raise_for_status()
    tabs = dict(hist_x=res.hist_x, R_eta=res.R_eta, on_time=res.on_time, stats=res.table)
    atomic.store_frames(cache_dir, name, {s: tabs[p] for p, s in zip(parts, suffixes)}, key,
                        meta=json.loads(json.dumps(kwargs, default=repr)))
    return tabs


def stat(tabs: dict, quantity: str, population: str | None = None) -> float:
    """Scalar ``quantity`` of population (default: 'all' if present, else the only one)."""
    t = tabs["stats"]
    if population is None:
        population = "all" if (t["population"] == "all").any() else t["population"].iloc[0]
    return float(t.loc[t["population"] == population, quantity].iloc[0])


def traces(*, T_window, units, seed=SEED, connectivity_seed=CONNECTIVITY_SEED, warmup=10.0, dt=0.02,
           every=5, ei=None, N=D.N, K=D.K, J0=D.J0, g=D.g, I0=D.I0, nu=D.nu, weights=D.weights, phi=D.phi):
    """Record x(t) of selected units over the first ``T_window`` tau after the warm-up.

    Uses the same building blocks and seeds as :func:`brianmodels.simulate_rate_network`
    (weights from ``connectivity_seed``, x(0) from ``seed``, fast-path Euler), so these are the first
    ``T_window`` tau of the run whose statistics the figure shows.

    Parameters
    ----------
    T_window : float
        Recorded duration (tau).
    units : dict
        Population name -> number of units to keep (the first ones of each population).
    every : int
        Keep every ``every``-th Euler step.
    ei, N, K, J0, g, I0, nu, weights, phi, seed, connectivity_seed, warmup, dt
        As in ``simulate_rate_network``.

    Returns
    -------
    dict
        ``t`` (n,), ``x`` population -> (n, units) currents, ``f`` population (and 'all' for
        E-I) -> (n,) fraction of the population's units with x > 0 at each kept step.
    """
    import scipy.sparse

    from brianmodels.rate import activations
    from brianmodels.rate.fastpath import SparseStepper
    from brianmodels.rate.simulate import CSC_MAX_DENSITY, initial_condition, make_spec
    from brianmodels.rate.weights import weight_matrix

    spec = make_spec(N, K, J0, g, I0, nu, weights, phi, ei)
    W = weight_matrix(spec, connectivity_seed, np.float32)
    if not spec.dense and float((spec.K / spec.N).max()) <= CSC_MAX_DENSITY:
        W = scipy.sparse.csc_matrix(W)
    st = SparseStepper(W, initial_condition(spec, seed), spec.unit_input(), dt, activations.get(spec.phi).code)
    st.advance(int(round(warmup / dt)))
    n_keep = int(round(T_window / dt)) // every
    n = spec.n_total
    X = np.empty((every, n))
    E = np.empty((every, n))
    keep = {p: np.empty((n_keep, units.get(p, 0))) for p in spec.pops}
    fr = {p: np.empty(n_keep) for p in spec.pops}
    for k in range(n_keep):
        st.advance(every, X, E)
        x = X[-1]
        for p, sl in spec.slices.items():
            keep[p][k] = x[sl][:units.get(p, 0)]
            fr[p][k] = np.mean(x[sl] > 0)
    if len(spec.pops) > 1:
        w = np.array([spec.slices[p].stop - spec.slices[p].start for p in spec.pops], float)
        fr["all"] = sum(fr[p] * wi for p, wi in zip(spec.pops, w)) / w.sum()
    t = (np.arange(n_keep) + 1) * every * dt
    return dict(t=t, x=keep, f=fr)


def k_axis(ax, Ks):
    """Log-scaled K axis with plain tick labels at the simulated in-degrees."""
    from matplotlib.ticker import NullFormatter, NullLocator

    ax.set_xscale("log")
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(list(Ks))
    ax.set_xticklabels([f"{int(k)}" for k in Ks])
    ax.set_xlabel("K (in-degree)")


def intermittent_units(x, n, target=0.3):
    """Indices of the ``n`` columns of ``x`` (time x units) whose fraction of time with x > 0 is
    closest to ``target``: example cells that switch on and off within the window."""
    on = (np.asarray(x) > 0).mean(0)
    return np.argsort(np.abs(on - target), kind="stable")[:n]


def kde(samples, grid, bw=None):
    """Gaussian kernel density estimate of ``samples`` on ``grid`` (Scott's bandwidth by default)."""
    from scipy.stats import gaussian_kde

    samples = np.asarray(samples, float)
    if np.ptp(samples) == 0:
        return np.zeros_like(np.asarray(grid, float))
    return gaussian_kde(samples, bw_method=bw)(grid)
