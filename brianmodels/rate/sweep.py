"""K sweeps of the sparse-balance rate network: parallel over processes, resumable, tidy output.

:func:`rate_sweep` runs every (K, seed, connectivity_seed) point (the Cartesian product of the
in-degrees and both kinds of seed, :mod:`brianmodels.seeds`) through
:func:`~brianmodels.rate.simulate.simulate_rate_network` in worker processes and returns a
:class:`RateSweepResult` (the result convention of :mod:`brianmodels.result`).

Each point is written atomically (temporary file + ``os.replace``) to ``out`` as
``<name>.parquet`` (its rows of the tidy table) and ``<name>.R.parquet`` (R_eta, R_x), then
``<name>.manifest.json`` (the point's content key and parameters, size and SHA-256 of both
files; written last). A rerun with the same arguments reuses the points whose files check
against their manifest, so an interrupted sweep resumes without redoing finished points; a
point whose files are missing, truncated, altered or copied from another point, or whose
manifest is missing or for another key, is recomputed with a warning that names it. The file
name carries a hash of all arguments, so changing any parameter makes new files instead of
reusing stale ones.
"""
from __future__ import annotations

import hashlib
import inspect
import json
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from .. import atomic
from ..result import Result
from ..seeds import CONNECTIVITY_SEED, SEED
from .simulate import KEY_COLUMNS, check_args, simulate_rate_network, summary_table
from ..seeds import to_seeds
from ..units import to_int

#: the columns that follow the statistics in a sweep's table
RUN_COLUMNS = ["method", "wall_s", "status"]
#: the columns of a sweep's R_eta table
R_COLUMNS = KEY_COLUMNS + ["lag", "R_eta", "R_x"]
#: names of the sweep's own arguments (the rest go to simulate_rate_network)
_OWN = {"N", "K", "seed", "connectivity_seed", "progress"}


def _point_name(K, N, seed, connectivity_seed, kwargs, key=None):
    """File-name stem of a point: K, N, both seeds and the start of its content key (:func:`_point_key`)."""
    key = _point_key(K, N, seed, connectivity_seed, kwargs) if key is None else key
    return f"rate-K{int(K)}-N{int(N)}-s{int(seed)}-c{int(connectivity_seed)}-{key[:10]}"


#: The files of a stored point: its table rows, R_eta(tau) (next to ``<name>.manifest.json``).
_SUFFIXES = (".parquet", ".R.parquet")


def _point_key(K, N, seed, connectivity_seed, kwargs) -> str:
    """Content key of a point (SHA-256 hex of its arguments; numbers exactly, as JSON)."""
    def plain(o):
        if isinstance(o, (np.generic, np.ndarray)):
            return o.tolist()
        return repr(o)

    blob = json.dumps(dict(K=int(K), N=int(N), seed=int(seed), connectivity_seed=int(connectivity_seed),
                           **kwargs), sort_keys=True, default=plain)
    return hashlib.sha256(("brianmodels.rate.sweep/3" + blob).encode()).hexdigest()


def _run_point(K, N, seed, connectivity_seed, kwargs, out_dir, name, key=None):
    """Simulate one point; returns (table rows, R_eta rows) and stores them when ``out_dir``."""
    res = simulate_rate_network(N=N, K=K, seed=seed, connectivity_seed=connectivity_seed, progress=False,
                                **kwargs)
    tab = res.table.assign(method=res.method, wall_s=res.timing["total"], status=res.status)
    R = res.R_eta.assign(K=int(K), N=int(N), seed=int(seed), connectivity_seed=int(connectivity_seed))
    R = R[R_COLUMNS]
    if out_dir is not None:  # both files, then the manifest (last: marks "done")
        meta = dict(K=int(K), N=int(N), seed=int(seed), connectivity_seed=int(connectivity_seed), **kwargs)
        atomic.store_frames(out_dir, name, dict(zip(_SUFFIXES, (tab, R))), key,
                            meta=json.loads(json.dumps(meta, default=repr)))
    return tab, R


@dataclass
class RateSweepResult(Result):
    """Result of :func:`rate_sweep` (the result convention of :mod:`brianmodels.result`).

    Attributes
    ----------
    table : pandas.DataFrame
        Tidy: one row per K x seed x connectivity_seed x population, sorted in that order.
        Columns ``K`` (in-degree), ``N`` (units), ``seed`` (dynamics seed: initial condition),
        ``connectivity_seed`` (weights), ``population``, one column per statistic of
        :attr:`brianmodels.rate.simulate.RateResult.stats` (``phi_mean``, ``f``, ``mu``,
        ``beta`` [1/tau], ``x_mean``, ...; dimensionless unless stated, definitions in
        :mod:`brianmodels.rate.measures`), then ``method``, ``wall_s`` (s) and ``status`` (the
        point's :class:`~brianmodels.rate.simulate.RateResult` status).
    R_eta : pandas.DataFrame
        Columns ``K, N, seed, connectivity_seed, population, lag`` (tau), ``R_eta``, ``R_x``:
        the autocovariances of every point (as :attr:`RateResult.R_eta`).
    status : int
        0 when every point succeeded; 1 when at least one diverged (its rows have ``status`` 1).
    message : str
        How many points were run and read back, and which failed.
    params : dict
        ``K``, ``N``, ``seeds``, ``connectivity_seeds`` and the arguments passed to
        :func:`~brianmodels.rate.simulate.simulate_rate_network`.
    """

    STATUS = {0: "success", 1: "at least one point diverged (its rows have status 1)"}

    table: pd.DataFrame
    R_eta: pd.DataFrame
    params: dict
    status: int = 0
    message: str = "success"
    n_loaded: int = field(default=0, repr=False)

    def summary(self) -> pd.DataFrame:
        """The keys and the main statistics of :attr:`table` (:func:`~.simulate.summary_table`)."""
        return summary_table(self.table)


def rate_sweep(K, *, seeds=(SEED,), connectivity_seeds=(CONNECTIVITY_SEED,), N=None, out=None,
               n_jobs=None, progress=True, **kwargs) -> RateSweepResult:
    """Run the rate network for every in-degree K and every pair of seeds; return one tidy result.

    Parameters
    ----------
    K : sequence of int
        In-degrees.
    seeds : sequence of int
        Dynamics seeds (initial conditions), default ``(brianmodels.seeds.SEED,)``.
    connectivity_seeds : sequence of int
        Network realisations (weights), default ``(brianmodels.seeds.CONNECTIVITY_SEED,)``.
        Every K is run for every (seed, connectivity_seed) combination; one point equals
        ``simulate_rate_network(N=N, K=K, seed=s, connectivity_seed=c, ...)``.
    N : int, sequence of int or None
        Network sizes: None -> ``N = K`` (all-to-all, the paper's choice); an int -> the same N for
        all K; a sequence -> one N per K.
    out : str or Path, optional
        As ``out`` of :func:`brianmodels.lif.sweep.sweep`: folder for the per-point files (created, and checked writable before any run: an
        existing file or an unwritable folder raises ``ValueError``/``PermissionError``).
        Without it nothing is written or resumed. Damaged stored points are recomputed
        with a warning (module docstring).
    n_jobs : int, optional
        Worker processes (default: all local cores, as :func:`brianmodels.lif.sweep.sweep`; 1 runs
        in-process).
    progress : bool
        tqdm bar over points.
    **kwargs
        Passed to :func:`simulate_rate_network` (J0, g, I0, nu, weights, phi, T, dt, method, ...;
        defaults :data:`brianmodels.rate.params.DEFAULTS`).

    Returns
    -------
    RateSweepResult
        ``table`` one row per K x seed x connectivity_seed x population, ``R_eta`` the
        autocovariances, ``status``, ``message``, ``params``.

    Raises
    ------
    ValueError, TypeError
        For invalid parameters of any point, unknown keyword arguments included (every point
        goes through :func:`~brianmodels.rate.simulate.check_args` before anything runs).

    Examples
    --------
    Three in-degrees, two network realisations each, against the DMFT (runs simulations; with
    the default ``n_jobs`` in worker processes, so a script needs an
    ``if __name__ == "__main__":`` guard):

    >>> from brianmodels import rate_sweep
    >>> from meanfield import compare, dmft_sweep
    >>> Ks = [250, 500, 1000]
    >>> sims = rate_sweep(Ks, connectivity_seeds=[1, 2], J0=3.0, weights="normal",
    ...                   T=300.0, n_jobs=1)                               # doctest: +SKIP
    >>> print(compare(sims, dmft_sweep(Ks, J0=3.0)).summary())            # doctest: +SKIP

    The gallery example *Rate networks against the DMFT* (``examples/plot_rate_vs_dmft.py``)
    runs this sweep and plots the comparison.
    """
    Ks = [to_int(k, "K", lo=1) for k in np.atleast_1d(np.asarray(K, dtype=object))]
    seeds = to_seeds(seeds, "seeds")
    cseeds = to_seeds(connectivity_seeds, "connectivity_seeds")
    if not Ks:
        raise ValueError("K must be a non-empty sequence of integers")
    if N is None:
        Ns = Ks
    elif np.ndim(N) == 0:
        Ns = [to_int(N, "N", lo=1)] * len(Ks)
    else:
        Ns = [to_int(n, "N", lo=1) for n in N]
        if len(Ns) != len(Ks):
            raise ValueError(f"N must be None, an int or have one entry per K ({len(Ks)}); got {len(Ns)}")
    n_jobs = (os.cpu_count() or 1) if n_jobs is None else to_int(n_jobs, "n_jobs", lo=1)
    if kwargs.get("ei") not in (None, False):
        raise ValueError("ei: rate_sweep sweeps K of the inhibitory network; run E-I networks "
                         "with simulate_rate_network(ei=...)")
    kwargs.pop("progress", None)
    allowed = sorted(set(inspect.signature(simulate_rate_network).parameters) - _OWN)
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        raise TypeError(f"rate_sweep got unknown keyword argument(s) {unknown} (N, K, seeds and "
                        f"connectivity_seeds are rate_sweep's own; the others go to "
                        f"simulate_rate_network: {allowed})")
    points = [(k_, n_, s, c) for k_, n_ in zip(Ks, Ns) for s in seeds for c in cseeds]
    for k_, n_, s, c in points:          # validate every point before running anything
        check_args(N=n_, K=k_, seed=s, connectivity_seed=c, **kwargs)

    out = None if out is None else atomic.writable_folder(out, "out")
    parts, todo = [], []
    for k_, n_, s, c in points:
        key = _point_key(k_, n_, s, c, kwargs)
        name = _point_name(k_, n_, s, c, kwargs, key)
        got = None if out is None else atomic.load_frames(
            out, name, key, _SUFFIXES, f"rate point K={k_}, N={n_}, seed={s}, connectivity_seed={c}")
        if got is not None:
            parts.append((got[".parquet"], got[".R.parquet"]))
        else:
            todo.append((k_, n_, s, c, name, key))
    n_loaded = len(parts)
    with tqdm(total=len(points), initial=n_loaded, desc="rate sweep", unit="point",
              disable=not progress) as bar:
        if n_jobs == 1 or len(todo) <= 1:
            for k_, n_, s, c, name, key in todo:
                parts.append(_run_point(k_, n_, s, c, kwargs, out, name, key))
                bar.update(1)
        else:
            # 'spawn': numba/OpenMP thread pools and Brian2's device state are not fork-safe
            with ProcessPoolExecutor(max_workers=n_jobs, mp_context=get_context("spawn")) as ex:
                futs = [ex.submit(_run_point, k_, n_, s, c, kwargs, out, name, key)
                        for k_, n_, s, c, name, key in todo]
                for fu in as_completed(futs):
                    parts.append(fu.result())
                    bar.update(1)
    order = ["K", "seed", "connectivity_seed", "population"]
    df = pd.concat([t for t, _ in parts], ignore_index=True)
    stats = [c for c in df.columns if c not in KEY_COLUMNS + RUN_COLUMNS]
    df = df[KEY_COLUMNS + stats + RUN_COLUMNS].sort_values(order, kind="stable").reset_index(drop=True)
    R = pd.concat([r for _, r in parts], ignore_index=True)
    R = R.sort_values(order + ["lag"], kind="stable").reset_index(drop=True)
    failed = df.loc[df["status"] != 0, ["K", "seed", "connectivity_seed"]].drop_duplicates()
    status = 1 if len(failed) else 0
    message = (f"{len(points)} point(s) (K x seeds x connectivity_seeds = {len(Ks)} x {len(seeds)} x "
               f"{len(cseeds)}): {len(todo)} simulated, {n_loaded} read from out")
    if status:
        message = (RateSweepResult.STATUS[1] + f" at (K, seed, connectivity_seed) = "
                   f"{[tuple(map(int, r)) for r in failed.to_numpy()]}; " + message)
    params = json.loads(json.dumps(dict(K=Ks, N=Ns, seeds=seeds, connectivity_seeds=cseeds, **kwargs),
                                   default=repr))
    return RateSweepResult(table=df, R_eta=R, params=params, status=status, message=message,
                           n_loaded=n_loaded)


def line_fit(x, y, name: str = "y") -> tuple[float, float, float]:
    """Least-squares straight line ``y = intercept + slope x`` in closed form.

    The centred normal equations (``slope = sum dx dy / sum dx^2``) need no LAPACK call, so the
    result does not depend on the BLAS kernel and never on the shape of a solver's residual
    output (``lstsq``'s is empty for a rank-deficient or exactly determined system).

    Parameters
    ----------
    x, y : array_like (n,)
        Abscissae (at least two distinct values) and ordinates, finite, same length.
    name : str
        What y is, for error messages.

    Returns
    -------
    slope, intercept, stderr : float
        Slope (units of y per unit of x), intercept (units of y) and the standard error of the
        slope (residual variance over max(n - 2, 1) degrees of freedom: 0 for two points).

    Examples
    --------
    >>> from brianmodels.rate.sweep import line_fit
    >>> [round(v, 6) for v in line_fit([1.0, 2.0, 3.0], [2.0, 4.0, 6.0])]
    [2.0, 0.0, 0.0]
    """
    x, y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
    if x.size != y.size:
        raise ValueError(f"{name}: x and y must have the same length; got {x.size} and {y.size}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError(f"{name}: a line fit needs finite values (for a log-log fit: all values > 0); "
                         f"got x={x.tolist()}, y={y.tolist()}")
    dx = x - x.mean()
    sxx = float(np.sum(dx * dx))
    if np.unique(x).size < 2 or not sxx > 0:
        raise ValueError(f"{name}: a line fit needs at least two distinct x values; got {np.unique(x).tolist()}")
    slope = float(np.sum(dx * (y - y.mean()))) / sxx
    intercept = float(y.mean()) - slope * float(x.mean())
    resid = y - (intercept + slope * x)
    stderr = float(np.sqrt(float(np.sum(resid * resid)) / max(x.size - 2, 1) / sxx))
    return slope, intercept, stderr


def fit_exponent(table, quantity: str = "phi_mean", population: str | None = None) -> dict:
    """Least-squares fit ``quantity ~ c K^a`` in log-log over all rows of a sweep table.

    Parameters
    ----------
    table : RateSweepResult or pandas.DataFrame
        Output of :func:`rate_sweep` (or its ``table``): columns ``K``, ``population`` and one
        column per statistic.
    quantity : str
        Which statistic (a column, e.g. ``'phi_mean'``, ``'f'``, ``'mu'``).
    population : str, optional
        Population to use (default: ``'all'`` if present, else the only one).

    Returns
    -------
    dict
        ``exponent`` a, ``prefactor`` c (units of the quantity), ``stderr`` (standard error of
        a), ``n`` points (every seed of every K).

    Examples
    --------
    A mean rate falling as 2 / sqrt(K) (a table shaped like ``rate_sweep(...).table``):

    >>> import pandas as pd
    >>> from brianmodels.rate.sweep import fit_exponent
    >>> K = [100, 400, 1600]
    >>> table = pd.DataFrame({"K": K, "population": "I", "phi_mean": [2 * k ** -0.5 for k in K]})
    >>> fit = fit_exponent(table, "phi_mean")
    >>> round(fit["exponent"], 3), round(fit["prefactor"], 3), fit["n"]
    (-0.5, 2.0, 3)
    """
    if isinstance(table, RateSweepResult):
        table = table.table
    for col in ("K", "population"):
        if not isinstance(table, pd.DataFrame) or col not in table:
            raise ValueError(f"table must be a rate_sweep table with a {col!r} column")
    stat_cols = [c for c in table.columns if c not in KEY_COLUMNS + RUN_COLUMNS]
    if not isinstance(quantity, str) or quantity not in stat_cols:
        raise ValueError(f"quantity must be one of the table's statistics {sorted(stat_cols)}; got {quantity!r}")
    t = table
    if population is None:
        population = "all" if (t["population"] == "all").any() else t["population"].iloc[0]
    if population not in set(t["population"]):
        raise ValueError(f"population must be one of {sorted(t['population'].unique())} for "
                         f"{quantity!r}; got {population!r}")
    t = t[t["population"] == population]
    if len(t) < 2 or t["K"].nunique() < 2:
        raise ValueError("fit_exponent needs at least two distinct K values")
    K, v = t["K"].to_numpy(float), t[quantity].to_numpy(float)
    if not (np.all(K > 0) and np.all(v > 0)):
        raise ValueError(f"fit_exponent fits log {quantity} against log K: K and the values must be > 0; "
                         f"got K={K.tolist()}, {quantity}={v.tolist()}")
    slope, intercept, se = line_fit(np.log(K), np.log(v), f"log {quantity}")
    return dict(exponent=slope, prefactor=float(np.exp(intercept)), stderr=se, n=len(K))
