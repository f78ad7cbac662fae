"""K sweeps of the sparse-balance rate network: parallel over processes, resumable, tidy output.

Each (K, seed) point runs :func:`~brianmodels.rate.simulate.simulate_rate_network` in a worker
process and is written atomically (temporary file + ``os.replace``) to ``out_dir`` as
``<name>.parquet`` (scalar table) and ``<name>.R.parquet`` (R_eta, R_x), then
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
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from .. import atomic
from .simulate import check_args, simulate_rate_network
from ..units import to_int, to_seed

TABLE_COLUMNS = ["K", "N", "seed", "population", "quantity", "value"]


def _point_name(K, N, seed, kwargs, key=None):
    """File-name stem of a point: K, N, seed and the start of its content key (:func:`_point_key`)."""
    key = _point_key(K, N, seed, kwargs) if key is None else key
    return f"rate-K{int(K)}-N{int(N)}-s{int(seed)}-{key[:10]}"


#: The files of a stored point: scalar table, R_eta(tau) (next to ``<name>.manifest.json``).
_SUFFIXES = (".parquet", ".R.parquet")


def _point_key(K, N, seed, kwargs) -> str:
    """Content key of a point (SHA-256 hex of its arguments; numbers exactly, as JSON)."""
    def plain(o):
        if isinstance(o, (np.generic, np.ndarray)):
            return o.tolist()
        return repr(o)

    blob = json.dumps(dict(K=int(K), N=int(N), seed=int(seed), **kwargs), sort_keys=True,
                      default=plain)
    return hashlib.sha256(("brianmodels.rate.sweep/2" + blob).encode()).hexdigest()


def _run_point(K, N, seed, kwargs, out_dir, name, key=None):
    res = simulate_rate_network(N=N, K=K, seed=seed, progress=False, **kwargs)
    tab = res.table.assign(K=int(K), N=int(N), seed=int(seed))
    tab["method"] = res.method
    tab["wall_s"] = res.timing["total"]
    R = res.R_eta.assign(K=int(K), N=int(N), seed=int(seed))
    if out_dir is not None:  # both files, then the manifest (last: marks "done")
        atomic.store_frames(out_dir, name, dict(zip(_SUFFIXES, (tab, R))), key,
                            meta=json.loads(json.dumps(dict(K=int(K), N=int(N), seed=int(seed),
                                                            **kwargs), default=repr)))
    return tab


def rate_sweep(K, seeds=(0,), N=None, out_dir=None, n_jobs=2, progress=True, **kwargs) -> pd.DataFrame:
    """Run the rate network for every in-degree K and seed; return one tidy table.

    Parameters
    ----------
    K : sequence of int
        In-degrees.
    seeds : sequence of int
        Connectivity seeds (the initial-condition seed follows ``seed`` unless ``seed_ic`` is given).
    N : int, sequence of int or None
        Network sizes: None -> ``N = K`` (all-to-all, the paper's choice); an int -> the same N for
        all K; a sequence -> one N per K.
    out_dir : str or Path, optional
        Folder for the per-point files (created, and checked writable before any run: an
        existing file or an unwritable folder raises ``ValueError``/``PermissionError``).
        Without it nothing is written or resumed. Damaged stored points are recomputed
        with a warning (module docstring).
    n_jobs : int
        Worker processes (default 2, the cores of the project machines; 1 runs in-process).
    progress : bool
        tqdm bar over points.
    **kwargs
        Passed to :func:`simulate_rate_network` (J0, g, I0, nu, weights, phi, T, dt, method, ...).

    Returns
    -------
    pandas.DataFrame
        Columns ``K, N, seed, population, quantity, value, method, wall_s``, sorted by K, seed.
        ``quantity`` ranges over the keys of ``RateResult.stats`` (phi_mean, f, mu, beta, ...).

    Raises
    ------
    ValueError, TypeError
        For invalid parameters of any point, unknown keyword arguments included (every point
        goes through :func:`~brianmodels.rate.simulate.check_args` before anything runs).
    """
    Ks = [to_int(k, "K", lo=1) for k in np.atleast_1d(np.asarray(K, dtype=object))]
    seeds = [to_seed(s, "seeds") for s in np.atleast_1d(np.asarray(seeds, dtype=object))]
    if not Ks or not seeds:
        raise ValueError("K and seeds must be non-empty sequences of integers")
    if N is None:
        Ns = Ks
    elif np.ndim(N) == 0:
        Ns = [to_int(N, "N", lo=1)] * len(Ks)
    else:
        Ns = [to_int(n, "N", lo=1) for n in N]
        if len(Ns) != len(Ks):
            raise ValueError(f"N must be None, an int or have one entry per K ({len(Ks)}); got {len(Ns)}")
    n_jobs = to_int(n_jobs, "n_jobs", lo=1)
    if kwargs.get("ei") not in (None, False):
        raise ValueError("ei: rate_sweep sweeps K of the inhibitory network; run E-I networks "
                         "with simulate_rate_network(ei=...)")
    kwargs.pop("progress", None)
    allowed = sorted(set(inspect.signature(simulate_rate_network).parameters)
                     - {"N", "K", "seed", "progress"})
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        raise TypeError(f"rate_sweep got unknown keyword argument(s) {unknown} (N, K and seeds are "
                        f"rate_sweep's own; the others go to simulate_rate_network: {allowed})")
    # validate every point before running anything
    for k_, n_ in zip(Ks, Ns):
        for s in seeds:
            check_args(N=n_, K=k_, seed=s, **kwargs)

    points = [(k_, n_, s) for k_, n_ in zip(Ks, Ns) for s in seeds]
    out = None if out_dir is None else atomic.writable_folder(out_dir, "out_dir")
    tables, todo = [], []
    for k_, n_, s in points:
        key = _point_key(k_, n_, s, kwargs)
        name = _point_name(k_, n_, s, kwargs, key)
        got = None if out is None else atomic.load_frames(
            out, name, key, _SUFFIXES, f"rate point K={k_}, N={n_}, seed={s}")
        if got is not None:
            tables.append(got[".parquet"])
        else:
            todo.append((k_, n_, s, name, key))
    with tqdm(total=len(points), initial=len(points) - len(todo), desc="rate sweep", unit="point",
              disable=not progress) as bar:
        if n_jobs == 1 or len(todo) <= 1:
            for k_, n_, s, name, key in todo:
                tables.append(_run_point(k_, n_, s, kwargs, out, name, key))
                bar.update(1)
        else:
            # 'spawn': numba/OpenMP thread pools and Brian2's device state are not fork-safe
            with ProcessPoolExecutor(max_workers=n_jobs, mp_context=get_context("spawn")) as ex:
                futs = [ex.submit(_run_point, k_, n_, s, kwargs, out, name, key)
                        for k_, n_, s, name, key in todo]
                for fu in as_completed(futs):
                    tables.append(fu.result())
                    bar.update(1)
    df = pd.concat(tables, ignore_index=True)
    cols = TABLE_COLUMNS + [c for c in df.columns if c not in TABLE_COLUMNS]
    return df[cols].sort_values(["K", "seed", "population", "quantity"], kind="stable").reset_index(drop=True)


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


def fit_exponent(table: pd.DataFrame, quantity: str = "phi_mean", population: str | None = None) -> dict:
    """Least-squares fit ``quantity ~ c K^a`` in log-log over all rows of a sweep table.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`rate_sweep`.
    quantity : str
        Which observable (e.g. ``'phi_mean'``, ``'f'``, ``'mu'``).
    population : str, optional
        Population to use (default: ``'all'`` if present, else the only one).

    Returns
    -------
    dict
        ``exponent`` a, ``prefactor`` c, ``stderr`` (standard error of a), ``n`` points.
    """
    for col in ("K", "population", "quantity", "value"):
        if not isinstance(table, pd.DataFrame) or col not in table:
            raise ValueError(f"table must be a rate_sweep table with a {col!r} column")
    t = table[table["quantity"] == quantity]
    if t.empty:
        raise ValueError(f"quantity must be one of the table's quantities "
                         f"{sorted(table['quantity'].unique())}; got {quantity!r}")
    if population is None:
        population = "all" if (t["population"] == "all").any() else t["population"].iloc[0]
    if population not in set(t["population"]):
        raise ValueError(f"population must be one of {sorted(t['population'].unique())} for "
                         f"{quantity!r}; got {population!r}")
    t = t[t["population"] == population]
    if len(t) < 2 or t["K"].nunique() < 2:
        raise ValueError("fit_exponent needs at least two distinct K values")
    K, v = t["K"].to_numpy(float), t["value"].to_numpy(float)
    if not (np.all(K > 0) and np.all(v > 0)):
        raise ValueError(f"fit_exponent fits log {quantity} against log K: K and the values must be > 0; "
                         f"got K={K.tolist()}, {quantity}={v.tolist()}")
    slope, intercept, se = line_fit(np.log(K), np.log(v), f"log {quantity}")
    return dict(exponent=slope, prefactor=float(np.exp(intercept)), stderr=se, n=len(K))
