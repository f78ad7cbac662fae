"""Shared pieces of the measurements: argument checks (the kernels take clean arrays),
measurement windows and bins, the input columns of windowed tables, and :func:`summary_stats`."""
from __future__ import annotations

import math
import numbers

import numpy as np

from ...units import to_int


def _float(value, name, *, minimum=None, positive=False, allow_inf=False):
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number; got {value!r}") from None
    if math.isnan(value) or (math.isinf(value) and not allow_inf):
        raise ValueError(f"{name} must be a finite number; got {value}")
    if positive and not value > 0:
        raise ValueError(f"{name} must be > 0; got {value}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}")
    return value


def _interval(t_start, t_stop, *, stop_may_be_inf=False):
    t_start = _float(t_start, "t_start")
    t_stop = _float(t_stop, "t_stop", allow_inf=stop_may_be_inf)
    if not t_stop > t_start:
        raise ValueError(f"t_stop must be > t_start (s); got t_start={t_start}, t_stop={t_stop}")
    return t_start, t_stop


def _spikes(i, t, N):
    """Validate one population's spikes; return (i as intp, t as float64, N)."""
    N = to_int(N, "N", lo=1)
    i = np.asarray(i)
    t = np.asarray(t, dtype=float)
    if i.ndim != 1 or t.ndim != 1:
        raise ValueError(f"i and t must be 1-D arrays; got shapes {i.shape} and {t.shape}")
    if i.shape != t.shape:
        raise ValueError(f"i and t must have the same length; got {i.size} and {t.size}")
    if i.size and not np.issubdtype(i.dtype, np.integer):
        if np.issubdtype(i.dtype, np.floating) and np.all(np.mod(i, 1) == 0):
            i = i.astype(np.intp)
        else:
            raise TypeError(f"i must hold integer neuron indices; got dtype {i.dtype}")
    i = i.astype(np.intp, copy=False)
    if i.size:
        lo, hi = int(i.min()), int(i.max())
        if lo < 0 or hi >= N:
            raise ValueError(f"i must be neuron indices in [0, N-1] = [0, {N - 1}]; "
                             f"got values in [{lo}, {hi}]")
        if not np.all(np.isfinite(t)):
            raise ValueError("t must hold finite spike times (s); got NaN or inf")
    return i, t, N


def _trace(x, name="rate"):
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array (one value per time bin); got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite; got NaN or inf")
    return x


def _input_at(mu, times, name="mu"):
    """Evaluate the external input ``mu`` (mV/s) at ``times`` (s).

    ``mu`` may be None (-> NaN), a scalar, a callable ``mu(times) -> array``, a pair
    ``(t_samples, mu_samples)`` (linear interpolation), or a 1-D array already sampled at
    ``times`` (same length).
    """
    times = np.asarray(times, dtype=float)
    if mu is None:
        return np.full(times.shape, np.nan)
    if callable(mu):
        out = np.asarray(mu(times), dtype=float)
        if out.ndim == 0:
            out = np.full(times.shape, float(out))
        if out.shape != times.shape:
            raise ValueError(f"{name}(t) must return an array shaped like t {times.shape}; "
                             f"got {out.shape}")
        return out
    if isinstance(mu, (numbers.Real, np.floating, np.integer)) and not isinstance(mu, bool):
        return np.full(times.shape, float(mu))
    if isinstance(mu, tuple) and len(mu) == 2:
        ts, ms = (np.asarray(a, dtype=float) for a in mu)
        if ts.ndim != 1 or ts.shape != ms.shape or ts.size < 1:
            raise ValueError(f"{name} given as (t_samples, mu_samples) needs two 1-D arrays of "
                             f"equal length; got shapes {ts.shape} and {ms.shape}")
        if np.any(np.diff(ts) <= 0):
            raise ValueError(f"{name}: t_samples must be strictly increasing")
        return np.interp(times, ts, ms)
    arr = np.asarray(mu, dtype=float)
    if arr.ndim == 1 and arr.shape == times.shape:
        return arr.copy()
    raise TypeError(f"{name} must be None, a number, a callable mu(t), a pair (t_samples, "
                    f"mu_samples) or an array with one value per time point ({times.size}); "
                    f"got {type(mu).__name__} with shape {np.shape(mu)}")


def _in_window(t, lo, hi):
    return (t >= lo) & (t < hi)


def _bin_counts(t, t_start, dt_bin, n_bins):
    k = np.floor((t - t_start) / dt_bin).astype(np.int64)
    k = k[(k >= 0) & (k < n_bins)]
    return np.bincount(k, minlength=n_bins)


def _n_bins(t_start, t_stop, dt_bin):
    n = int(math.floor((t_stop - t_start) / dt_bin + 1e-9))
    if n < 1:
        raise ValueError(f"dt_bin must be <= t_stop - t_start = {t_stop - t_start} s; got {dt_bin}")
    return n


def _windows(t_start, t_stop, window, step):
    """Left/right edges of windows of length ``window`` every ``step`` inside [t_start, t_stop]."""
    n = int(math.floor((t_stop - t_start - window) / step + 1e-9)) + 1
    if n < 1:
        raise ValueError(f"window must be <= t_stop - t_start = {t_stop - t_start} s; got {window}")
    lo = t_start + step * np.arange(n)
    return lo, lo + window


def _window_args(t_start, t_stop, window, step):
    t_start, t_stop = _interval(t_start, t_stop)
    if window is None:
        window = t_stop - t_start
    window = _float(window, "window", positive=True)
    step = window if step is None else _float(step, "step", positive=True)
    return _windows(t_start, t_stop, window, step)


def _input_columns(mu_E, mu_I, r, lo, hi):
    """Columns ``mu_E``, ``mu_I`` (mV/s) at the window centres, plus ``direction`` if the input
    changes: 'up' where it rises, 'down' where it falls across a window (mu_E decides where it
    changes, else mu_I; windows with constant input take the direction of the preceding one).
    The change is mu(t_hi) - mu(t_lo), or the central difference between window centres for
    inputs given as one value per window."""
    centre = 0.5 * (lo + hi)
    if r is not None:
        if mu_I is not None:
            raise ValueError("give either mu_I or r (mu_I = r mu_E), not both")
        r = _float(r, "r")
    e = _input_at(mu_E, centre, "mu_E")
    i = r * e if r is not None else _input_at(mu_I, centre, "mu_I")
    cols = {"mu_E": e, "mu_I": i}
    if centre.size < 2:
        return cols

    def change(mu, values):
        if mu is None:
            return np.zeros(centre.size)
        if np.ndim(mu) == 1 and not isinstance(mu, tuple):  # one value per window
            return np.gradient(values)
        return _input_at(mu, hi) - _input_at(mu, lo)

    trend = np.zeros(centre.size, np.int8)
    for mu, values in ((mu_I, i), (mu_E, e)) if r is None else ((mu_E, e),):
        d = change(mu, values)
        tol = 1e-9 * max(1.0, float(np.nanmax(np.abs(values))) if np.any(np.isfinite(values)) else 1.0)
        sgn = np.where(d > tol, 1, np.where(d < -tol, -1, 0))
        trend = np.where(sgn != 0, sgn, trend).astype(np.int8)
    if not np.any(trend):
        return cols
    last = np.maximum.accumulate(np.where(trend != 0, np.arange(trend.size), -1))
    first = trend[np.flatnonzero(trend)[0]]
    filled = np.where(last < 0, first, trend[np.maximum(last, 0)])
    cols["direction"] = np.where(filled > 0, "up", "down")
    return cols


def summary_stats(values):
    """Summary of a per-neuron measurement, ignoring NaN (neurons without a value).

    Parameters
    ----------
    values : array
        Per-neuron values (e.g. CV_ISI or BF), NaN where undefined.

    Returns
    -------
    dict
        ``n`` (all neurons), ``n_valid`` (finite values), ``mean``, ``median``, ``std`` (ddof 1),
        ``q25``, ``q75`` (quartiles, as in a box plot); statistics are NaN if no value is finite.

    Examples
    --------
    >>> import numpy as np
    >>> from brianmodels.lif import analysis
    >>> s = analysis.summary_stats([0.8, 0.9, 1.0, np.nan])      # e.g. CV_ISI per neuron
    >>> {k: round(v, 3) for k, v in s.items()}
    {'n': 4, 'n_valid': 3, 'mean': 0.9, 'median': 0.9, 'std': 0.1, 'q25': 0.85, 'q75': 0.95}
    """
    x = np.asarray(values, dtype=float).ravel()
    v = x[np.isfinite(x)]
    out = {"n": int(x.size), "n_valid": int(v.size)}
    if v.size == 0:
        out.update(mean=np.nan, median=np.nan, std=np.nan, q25=np.nan, q75=np.nan)
        return out
    q25, med, q75 = np.percentile(v, [25, 50, 75])
    out.update(mean=float(v.mean()), median=float(med),
               std=float(v.std(ddof=1)) if v.size > 1 else np.nan, q25=float(q25), q75=float(q75))
    return out
