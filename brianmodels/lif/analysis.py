"""Measurements on spike trains and population activity of the LIF network simulations.

Pure numpy / scipy / pandas: this module never imports brian2, so every measurement can be
tested on synthetic data and applied to results loaded from disk.

Units (SPEC §3): times in s, rates in Hz, currents (membrane-potential velocities) in mV/s,
external input ``mu`` in mV/s.

Inputs are plain arrays:

* spikes of one population of ``N`` neurons as neuron indices ``i`` (ints in ``[0, N)``) and
  spike times ``t`` (s). ``t`` need not be sorted (a Brian2 ``SpikeMonitor`` gives it sorted,
  which is used as a fast path);
* binned population-rate traces ``rate`` (Hz) with bin width ``dt_bin`` (s);
* recorded currents per neuron, shape ``(n_neurons,)`` (time averages) or
  ``(n_neurons, n_times)``.

Measurements, as defined by Ekelmans et al. (2023) (``theory/ssn_lif.md`` §12):

* firing rates after a warm-up (:func:`firing_rates`, :func:`population_rate`), binned and
  smoothed population rate (:func:`rate_trace`, :func:`smooth_rate`), windowed rates along an
  input ramp (:func:`windowed_rates`);
* ISI coefficient of variation per neuron, CV = std(ISI)/mean(ISI) (:func:`isi_statistics`);
* balance factor per neuron, BF_i = -<I^I_i> / (<I^E_i> + <I^ext_i>) (:func:`balance_factor`);
* autocorrelation function and time of population activity (:func:`autocorrelation`,
  :func:`autocorrelation_time`);
* up/down states of bistable networks with a Schmitt trigger, spontaneous switches, dwell
  times and the hysteresis loop [mu_down, mu_up] of a forward/backward ramp
  (:func:`detect_states`);
* everything per population and measurement window as one tidy table
  (:func:`measurements_table`).
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import ndimage, optimize

__all__ = [
    "SpikeTrains",
    "RateTrace",
    "ACF",
    "ISIStats",
    "AutocorrelationTime",
    "StateDetection",
    "firing_rates",
    "population_rate",
    "rate_trace",
    "smooth_rate",
    "windowed_rates",
    "isi_statistics",
    "balance_factor",
    "summary_stats",
    "autocorrelation",
    "autocorrelation_time",
    "two_means_split",
    "detect_states",
    "measurements_table",
]

SMOOTHING_KERNELS = ("gaussian", "boxcar")
ACF_METHODS = ("exp_fit", "integral")
UP, DOWN = 1, 0
STATE_NAMES = {DOWN: "down", UP: "up"}


# --------------------------------------------------------------------------------------------
# input validation (parameter handling; kernels below take clean arrays)
# --------------------------------------------------------------------------------------------

def _int(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        else:
            raise TypeError(f"{name} must be an integer >= {minimum}; got {value!r}")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}")
    return value


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
    N = _int(N, "N", 1)
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


# --------------------------------------------------------------------------------------------
# containers
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class SpikeTrains:
    """Spikes of one population, validated once.

    Parameters
    ----------
    i : (n_spikes,) int array
        Neuron index of each spike, in ``[0, N)``.
    t : (n_spikes,) float array
        Spike times in s (any order).
    N : int
        Number of neurons in the population (neurons that never fire count).
    """

    i: np.ndarray
    t: np.ndarray
    N: int

    def __post_init__(self):
        i, t, N = _spikes(self.i, self.t, self.N)
        object.__setattr__(self, "i", i)
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "N", N)

    @classmethod
    def coerce(cls, value, name="spikes"):
        """Return ``value`` as SpikeTrains (accepts SpikeTrains or a tuple ``(i, t, N)``)."""
        if isinstance(value, cls):
            return value
        if isinstance(value, tuple) and len(value) == 3:
            return cls(*value)
        raise TypeError(f"{name} must be SpikeTrains or a tuple (i, t, N); got {type(value).__name__}")


class RateTrace(NamedTuple):
    """Binned population rate: ``t`` bin centres (s), ``rate`` (Hz), ``dt_bin`` (s)."""

    t: np.ndarray
    rate: np.ndarray
    dt_bin: float


class ACF(NamedTuple):
    """Normalised autocorrelation function: ``lag`` (s) and ``acf`` (dimensionless, acf[0] = 1)."""

    lag: np.ndarray
    acf: np.ndarray


# --------------------------------------------------------------------------------------------
# rates
# --------------------------------------------------------------------------------------------

def _in_window(t, lo, hi):
    return (t >= lo) & (t < hi)


def firing_rates(i, t, N, *, t_stop, t_start=0.0):
    """Per-neuron firing rates in a time window (e.g. after a warm-up).

    Parameters
    ----------
    i : (n_spikes,) int array
        Neuron indices in ``[0, N)``.
    t : (n_spikes,) float array
        Spike times in s (any order).
    N : int
        Number of neurons.
    t_stop : float
        End of the window in s (exclusive); usually the simulated duration.
    t_start : float, optional
        Start of the window in s (inclusive): the warm-up to discard. Default 0.

    Returns
    -------
    (N,) float array
        Spike count in ``[t_start, t_stop)`` divided by ``t_stop - t_start``, in Hz.
    """
    i, t, N = _spikes(i, t, N)
    t_start, t_stop = _interval(t_start, t_stop)
    keep = _in_window(t, t_start, t_stop)
    return np.bincount(i[keep], minlength=N) / (t_stop - t_start)


def population_rate(i, t, N, *, t_stop, t_start=0.0):
    """Mean population firing rate in a time window.

    Parameters
    ----------
    i, t, N : see :func:`firing_rates`.
    t_stop, t_start : float
        Window ``[t_start, t_stop)`` in s.

    Returns
    -------
    float
        Number of spikes in the window / (N (t_stop - t_start)), in Hz (the mean of
        :func:`firing_rates`).
    """
    i, t, N = _spikes(i, t, N)
    t_start, t_stop = _interval(t_start, t_stop)
    return np.count_nonzero(_in_window(t, t_start, t_stop)) / (N * (t_stop - t_start))


def smooth_rate(rate, dt_bin, *, kernel="gaussian", width):
    """Smooth a binned rate trace.

    Parameters
    ----------
    rate : (n_bins,) float array
        Rate per bin in Hz.
    dt_bin : float
        Bin width in s.
    kernel : {'gaussian', 'boxcar'}
        'gaussian': Gaussian kernel with standard deviation ``width`` (truncated at 4 SD);
        'boxcar': centred moving average over ``width`` / ``dt_bin`` bins (rounded down to
        an integer, plus one if even, so that the window is centred).
    width : float
        Kernel width in s (> 0), see ``kernel``.

    Returns
    -------
    (n_bins,) float array
        Smoothed rate in Hz. Edges use 'nearest' padding (the edge value is repeated), so a
        constant trace stays constant and no rate leaks away at the ends.
    """
    rate = _trace(rate)
    dt_bin = _float(dt_bin, "dt_bin", positive=True)
    width = _float(width, "width", positive=True)
    if kernel == "gaussian":
        return ndimage.gaussian_filter1d(rate, sigma=width / dt_bin, mode="nearest", truncate=4.0)
    if kernel == "boxcar":
        size = 2 * int(math.floor(0.5 * width / dt_bin + 1e-9)) + 1
        return ndimage.uniform_filter1d(rate, size=size, mode="nearest")
    raise ValueError(f"kernel must be one of {SMOOTHING_KERNELS}; got {kernel!r}")


def _bin_counts(t, t_start, dt_bin, n_bins):
    k = np.floor((t - t_start) / dt_bin).astype(np.int64)
    k = k[(k >= 0) & (k < n_bins)]
    return np.bincount(k, minlength=n_bins)


def _n_bins(t_start, t_stop, dt_bin):
    n = int(math.floor((t_stop - t_start) / dt_bin + 1e-9))
    if n < 1:
        raise ValueError(f"dt_bin must be <= t_stop - t_start = {t_stop - t_start} s; got {dt_bin}")
    return n


def rate_trace(i, t, N, *, dt_bin, t_stop, t_start=0.0, smooth=None, width=None):
    """Time-resolved population rate (spike-count histogram), optionally smoothed.

    Parameters
    ----------
    i, t, N : see :func:`firing_rates`.
    dt_bin : float
        Bin width in s. Bins are ``[t_start + k dt_bin, t_start + (k+1) dt_bin)``; a last
        partial bin before ``t_stop`` is dropped.
    t_stop, t_start : float
        Time range in s.
    smooth : {None, 'gaussian', 'boxcar'}
        Optional smoothing, see :func:`smooth_rate`.
    width : float, optional
        Smoothing width in s (required when ``smooth`` is given).

    Returns
    -------
    RateTrace
        ``t`` bin centres (s), ``rate`` = count / (N dt_bin) in Hz, ``dt_bin`` (s).
    """
    i, t, N = _spikes(i, t, N)
    t_start, t_stop = _interval(t_start, t_stop)
    dt_bin = _float(dt_bin, "dt_bin", positive=True)
    if smooth is not None:
        if smooth not in SMOOTHING_KERNELS:
            raise ValueError(f"smooth must be None or one of {SMOOTHING_KERNELS}; got {smooth!r}")
        if width is None:
            raise ValueError("width (s) is required when smooth is given")
    n_bins = _n_bins(t_start, t_stop, dt_bin)
    rate = _bin_counts(t, t_start, dt_bin, n_bins) / (N * dt_bin)
    if smooth is not None:
        rate = smooth_rate(rate, dt_bin, kernel=smooth, width=width)
    centres = t_start + (np.arange(n_bins) + 0.5) * dt_bin
    return RateTrace(centres, rate, dt_bin)


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


def windowed_rates(i, t, N, *, window, t_stop, step=None, t_start=0.0, mu_E=None, mu_I=None,
                   r=None, population="E"):
    """Population rate in sliding windows, e.g. along a slow input ramp.

    Parameters
    ----------
    i, t, N : see :func:`firing_rates`.
    window : float
        Window length in s.
    t_stop : float
        End of the analysed range in s; only windows that fit entirely are used.
    step : float, optional
        Distance between window starts in s. Default ``window`` (non-overlapping).
    t_start : float, optional
        Start of the first window in s (warm-up to discard). Default 0.
    mu_E, mu_I : None, float, callable, (t_samples, mu_samples) or array, optional
        External inputs of the E and I populations (mV/s), evaluated at the window centres: a
        number, a callable ``mu(t)``, a pair of arrays interpolated linearly, or an array with
        one value per window. For a linear ramp the value at the centre is the window average.
        None gives NaN.
    r : float, optional
        Instead of ``mu_I``: mu_I = r mu_E (the paper's input ratio).
    population : str, optional
        Label for the ``population`` column. Default 'E'.

    Returns
    -------
    pandas.DataFrame
        One row per window with columns ``population``, ``t`` (window centre, s), ``t_lo``,
        ``t_hi`` (s), ``mu_E``, ``mu_I`` (mV/s), ``direction`` (only if the input changes:
        'up' on rising, 'down' on falling input), ``rate`` (Hz), ``n_spikes``,
        ``n_neurons``. The columns ``mu_E, mu_I, population, rate, direction`` are what
        :func:`meanfield.compare.compare` reads from a simulation.
    """
    i, t, N = _spikes(i, t, N)
    lo, hi = _window_args(t_start, t_stop, window, step)
    ts = np.sort(t)
    counts = np.searchsorted(ts, hi, side="left") - np.searchsorted(ts, lo, side="left")
    centre = 0.5 * (lo + hi)
    df = pd.DataFrame({"population": population, "t": centre, "t_lo": lo, "t_hi": hi})
    for key, col in _input_columns(mu_E, mu_I, r, lo, hi).items():
        df[key] = col
    df["rate"] = counts / (N * (hi - lo))
    df["n_spikes"] = counts.astype(np.int64)
    df["n_neurons"] = N
    return df


# --------------------------------------------------------------------------------------------
# ISI statistics
# --------------------------------------------------------------------------------------------

NUMBA_MIN_SPIKES = 200_000  # below this the numpy kernel is faster than a first JIT compile
_numba_kernel = None


def _time_order(t):
    """Indices that sort ``t`` (None if it is already non-decreasing, as monitors record it)."""
    if t.size < 2 or np.all(t[1:] >= t[:-1]):
        return None
    return np.argsort(t, kind="stable")


def _isi_moments_numpy(i, t, N):
    """Per-neuron ISI count, mean and sum of squared deviations; ``t`` sorted in time.

    Sort by neuron (stable, keeps time order), diff, bincount; two-pass variance.
    """
    order = np.argsort(i, kind="stable")
    i_s, t_s = i[order], t[order]
    same = i_s[1:] == i_s[:-1]
    owner, isi = i_s[1:][same], np.diff(t_s)[same]
    n_isi = np.bincount(owner, minlength=N)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(owner, weights=isi, minlength=N) / n_isi
    dev = isi - mean[owner]
    return n_isi, mean, np.bincount(owner, weights=dev * dev, minlength=N)


def _isi_welford(i, t, N):
    """Per-neuron ISI count, mean and sum of squared deviations in one pass over spikes
    sorted in time (Welford's update per neuron). Plain Python; compiled by numba."""
    last = np.empty(N)
    seen = np.zeros(N, np.bool_)
    n_isi = np.zeros(N, np.int64)
    mean = np.zeros(N)
    m2 = np.zeros(N)
    for k in range(i.size):
        n = i[k]
        if seen[n]:
            x = t[k] - last[n]
            n_isi[n] += 1
            d = x - mean[n]
            mean[n] += d / n_isi[n]
            m2[n] += d * (x - mean[n])
        seen[n] = True
        last[n] = t[k]
    for n in range(N):
        if n_isi[n] == 0:
            mean[n] = np.nan
    return n_isi, mean, m2


def _get_numba_kernel():
    global _numba_kernel
    if _numba_kernel is None:
        import numba  # lazy: importing this module stays cheap

        _numba_kernel = numba.njit(cache=True, nogil=True)(_isi_welford)
    return _numba_kernel


def _isi_moments(i, t, N):
    """Dispatch: numba single pass for large inputs, numpy sort + bincount otherwise."""
    if i.size >= NUMBA_MIN_SPIKES:
        return _get_numba_kernel()(i, t, N)
    return _isi_moments_numpy(i, t, N)


def _cv_from_moments(n_isi, mean, m2, ddof):
    with np.errstate(invalid="ignore", divide="ignore"):
        cv = np.sqrt(m2 / (n_isi - ddof)) / mean
    cv[~(n_isi > ddof) | ~(mean > 0)] = np.nan
    return cv


@dataclass(frozen=True, eq=False)
class ISIStats:
    """Per-neuron inter-spike-interval statistics of one population (§12).

    Attributes
    ----------
    cv : (N,) float array
        CV_ISI = std(ISI) / mean(ISI) (dimensionless); NaN for neurons with fewer than
        ``min_spikes`` spikes in the window.
    mean_isi : (N,) float array
        Mean ISI in s (NaN for neurons with < 2 spikes).
    n_spikes : (N,) int array
        Spikes per neuron in the window.
    min_spikes : int
        Minimum number of spikes for a neuron's CV to count.
    ddof : int
        Delta degrees of freedom of the ISI standard deviation.
    """

    cv: np.ndarray
    mean_isi: np.ndarray
    n_spikes: np.ndarray
    min_spikes: int
    ddof: int

    @property
    def valid(self):
        """(N,) bool: neurons whose CV counts (>= ``min_spikes`` spikes)."""
        return np.isfinite(self.cv)

    @property
    def rate_isi(self):
        """(N,) float: 1 / mean ISI in Hz (the authors' per-neuron rate; NaN if < 2 spikes)."""
        with np.errstate(divide="ignore"):
            return 1.0 / self.mean_isi

    @property
    def n_valid(self):
        """Number of neurons with a CV."""
        return int(np.count_nonzero(self.valid))

    @property
    def n_excluded(self):
        """Number of neurons without a CV (too few spikes)."""
        return self.cv.size - self.n_valid

    @property
    def fraction_valid(self):
        """Fraction of neurons with >= ``min_spikes`` spikes."""
        return self.n_valid / self.cv.size

    def summary(self):
        """Dict: ``cv_mean``, ``cv_median``, ``cv_std``, ``cv_q25``, ``cv_q75`` over neurons with
        a CV, ``cv_n`` (neurons with a CV), ``cv_excluded``, ``cv_fraction`` (fraction with a CV)."""
        s = summary_stats(self.cv)
        return {"cv_mean": s["mean"], "cv_median": s["median"], "cv_std": s["std"],
                "cv_q25": s["q25"], "cv_q75": s["q75"], "cv_n": self.n_valid,
                "cv_excluded": self.n_excluded, "cv_fraction": self.fraction_valid}


def _check_min_spikes(min_spikes, ddof):
    ddof = _int(ddof, "ddof", 0)
    if ddof > 1:
        raise ValueError(f"ddof must be 0 or 1; got {ddof}")
    min_spikes = _int(min_spikes, "min_spikes", ddof + 2)
    return min_spikes, ddof


def _isi_stats(i, t, N, min_spikes, ddof):
    """ISIStats of spikes already restricted to the window and sorted in time."""
    n_isi, mean, m2 = _isi_moments(i, t, N)
    cv = _cv_from_moments(n_isi, mean, m2, ddof)
    n_spikes = np.bincount(i, minlength=N)
    cv[n_spikes < min_spikes] = np.nan
    return ISIStats(cv=cv, mean_isi=mean, n_spikes=n_spikes, min_spikes=min_spikes, ddof=ddof)


def isi_statistics(i, t, N, *, t_start=0.0, t_stop=np.inf, min_spikes=3, ddof=1):
    """Coefficient of variation of the inter-spike intervals of every neuron (§12).

    CV_i = std(ISI_i) / mean(ISI_i) using the spikes of neuron i in ``[t_start, t_stop)``
    (the authors use spikes after t = 10 s). Small inputs: stable sort by neuron, ``np.diff``
    and ``np.bincount``; from ``NUMBA_MIN_SPIKES`` spikes on, one compiled pass in time
    order (Welford's update per neuron), O(n_spikes), about 0.1 s for 10^7 time-sorted
    spikes. Unsorted ``t`` is sorted first.

    Parameters
    ----------
    i, t, N : see :func:`firing_rates`.
    t_start : float, optional
        Ignore spikes before this time (s). Default 0.
    t_stop : float, optional
        Ignore spikes at or after this time (s). Default inf.
    min_spikes : int, optional
        Neurons with fewer spikes get CV = NaN and are counted as excluded. Must be
        >= ddof + 2 (at least 1 + ddof intervals). Default 3.
    ddof : {0, 1}, optional
        Delta degrees of freedom of the ISI standard deviation. Default 1 (MATLAB's ``std``,
        as in the authors' scripts).

    Returns
    -------
    ISIStats
        Per-neuron CV, mean ISI, spike counts; ``.summary()`` gives mean / median CV and the
        fraction of neurons with enough spikes.
    """
    i, t, N = _spikes(i, t, N)
    t_start, t_stop = _interval(t_start, t_stop, stop_may_be_inf=True)
    min_spikes, ddof = _check_min_spikes(min_spikes, ddof)
    keep = _in_window(t, t_start, t_stop)
    i, t = i[keep], t[keep]
    order = _time_order(t)
    if order is not None:
        i, t = i[order], t[order]
    return _isi_stats(i, t, N, min_spikes, ddof)


# --------------------------------------------------------------------------------------------
# balance factor
# --------------------------------------------------------------------------------------------

def _time_mean(x, name, times, t_start, t_stop):
    x = np.asarray(x, dtype=float)
    if x.ndim == 0:
        return x
    if x.ndim == 1:
        return x
    if x.ndim != 2:
        raise ValueError(f"{name} must have shape (n_neurons,) or (n_neurons, n_times); got {x.shape}")
    if times is None:
        if t_start is not None or t_stop is not None:
            raise ValueError("t (recording times, s) is required to use t_start/t_stop")
        sel = slice(None)
    else:
        if times.shape != (x.shape[1],):
            raise ValueError(f"t must have one entry per recorded time ({x.shape[1]}) of {name}; "
                             f"got shape {times.shape}")
        lo = -np.inf if t_start is None else _float(t_start, "t_start")
        hi = np.inf if t_stop is None else _float(t_stop, "t_stop", allow_inf=True)
        sel = _in_window(times, lo, hi)
        if not np.any(sel):
            raise ValueError(f"no recorded time of {name} lies in [t_start, t_stop) = [{lo}, {hi})")
    if x.shape[1] == 0:
        raise ValueError(f"{name} has no recorded time points")
    return x[:, sel].mean(axis=1)


def balance_factor(I_E, I_I, I_ext, *, t=None, t_start=None, t_stop=None):
    """Balance factor of each neuron from recorded input currents (§12, Fig 2C, 4C).

    BF_i = -<I^I_i> / (<I^E_i> + <I^ext_i>), the fraction of the excitatory drive (recurrent E
    plus external) cancelled by recurrent inhibition; <.> is a time average. BF = 1 is tight
    balance. (The mean-field version with rates and couplings belongs to ``meanfield``.)

    Parameters
    ----------
    I_E : (n_neurons,) or (n_neurons, n_times) array
        Recurrent excitatory input current in mV/s (>= 0), or its time average.
    I_I : array like ``I_E``
        Recurrent inhibitory input current in mV/s, signed as recorded (<= 0 on average).
    I_ext : float or array like ``I_E``
        External input current in mV/s: the recorded external current (mean + noise) or simply
        its mean ``mu_ext`` (the noise averages out).
    t : (n_times,) float array, optional
        Recording times in s of 2-D inputs (needed for ``t_start``/``t_stop``).
    t_start, t_stop : float, optional
        Average only over recording times in ``[t_start, t_stop)`` (s); the authors average the
        last 1 s.

    Returns
    -------
    (n_neurons,) float array
        BF per neuron (dimensionless); NaN where the excitatory drive <I^E> + <I^ext> is <= 0
        (BF is defined for positive drive). Summarise with :func:`summary_stats`.

    Raises
    ------
    ValueError
        If the time-averaged inhibitory current of some neuron is > 0 (it must be passed
        with its sign), or shapes do not match.
    """
    times = None if t is None else np.asarray(t, dtype=float)
    mE = _time_mean(I_E, "I_E", times, t_start, t_stop)
    mI = _time_mean(I_I, "I_I", times, t_start, t_stop)
    mX = _time_mean(I_ext, "I_ext", times, t_start, t_stop)
    if mE.ndim != 1 or mI.shape != mE.shape:
        raise ValueError(f"I_E and I_I must have the same number of neurons; got shapes "
                         f"{np.shape(I_E)} and {np.shape(I_I)}")
    try:
        mE, mI, mX = np.broadcast_arrays(mE, mI, mX)
    except ValueError:
        raise ValueError(f"I_ext must be a scalar or have the shape of I_E; got {np.shape(I_ext)}") from None
    if not (np.all(np.isfinite(mE)) and np.all(np.isfinite(mI)) and np.all(np.isfinite(mX))):
        raise ValueError("I_E, I_I and I_ext must be finite")
    if np.any(mI > 0):
        raise ValueError(f"I_I must be the signed recurrent inhibitory current (time average <= 0); "
                         f"{np.count_nonzero(mI > 0)} neuron(s) have a positive average")
    drive = mE + mX
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(drive > 0, -mI / drive, np.nan)


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


# --------------------------------------------------------------------------------------------
# autocorrelation
# --------------------------------------------------------------------------------------------

def _acf_kernel(x, n_lags):
    """Normalised autocorrelation (mean removed, unbiased 1/(n-k) per lag) by FFT."""
    n = x.size
    y = x - x.mean()
    nfft = 1 << int(2 * n - 1).bit_length()
    f = np.fft.rfft(y, nfft)
    c = np.fft.irfft(f * np.conj(f), nfft)[:n_lags] / (n - np.arange(n_lags))
    if not c[0] > 0:
        return np.full(n_lags, np.nan)
    return c / c[0]


def autocorrelation(x, dt_bin, *, max_lag=None):
    """Autocorrelation function of a binned activity trace.

    ACF(k dt) = C(k) / C(0) with C(k) = sum_t (x_t - xbar)(x_{t+k} - xbar) / (n - k)
    (mean removed, unbiased normalisation per lag), computed by FFT.

    Parameters
    ----------
    x : (n_bins,) float array
        Population rate (Hz) or any activity trace, one value per bin.
    dt_bin : float
        Bin width in s.
    max_lag : float, optional
        Largest lag in s. Default: a quarter of the trace duration.

    Returns
    -------
    ACF
        ``lag`` (s, from 0 in steps of dt_bin) and ``acf`` (acf[0] = 1; NaN if x is constant).
    """
    x = _trace(x, "x")
    dt_bin = _float(dt_bin, "dt_bin", positive=True)
    if x.size < 4:
        raise ValueError(f"x must have at least 4 bins; got {x.size}")
    if max_lag is None:
        n_lags = x.size // 4
    else:
        max_lag = _float(max_lag, "max_lag", positive=True)
        n_lags = int(math.floor(max_lag / dt_bin + 1e-9))
        if not 1 <= n_lags < x.size:
            raise ValueError(f"max_lag must be in [dt_bin, duration) = [{dt_bin}, {x.size * dt_bin}) s; "
                             f"got {max_lag}")
    n_lags = max(n_lags, 2) + 1
    return ACF(np.arange(n_lags) * dt_bin, _acf_kernel(x, n_lags))


@dataclass(frozen=True, eq=False)
class AutocorrelationTime:
    """Autocorrelation time of an activity trace (result of :func:`autocorrelation_time`).

    Attributes
    ----------
    tau : float
        Autocorrelation time in s (NaN if it could not be measured; see ``status``).
    method : str
        'exp_fit' or 'integral'.
    amplitude : float
        'exp_fit': fitted A of A exp(-lag/tau) (< 1 when the trace carries white noise, e.g.
        Poisson spike-count noise); 'integral': 1.
    offset : float
        Fitted constant B ('exp_fit' with ``offset=True``), else 0.
    fit_range : (float, float)
        Lags (s) used for the fit or the integral.
    acf : ACF
        The autocorrelation function it was measured from.
    status : str
        'ok', 'no_zero_crossing' (the ACF stays above 0 ('integral') or above the end of the
        fit range ('exp_fit') up to max_lag: the trace is too short or drifts, tau is
        unreliable), 'too_short' (fewer than 3 lags to fit: bins too coarse),
        'not_significant' (fitted correlation at one bin below the white-noise level
        3/sqrt(n_bins); tau is NaN) or 'fit_failed'.
    message : str
        Human-readable explanation of ``status``.
    """

    tau: float
    method: str
    amplitude: float
    offset: float
    fit_range: tuple
    acf: ACF
    status: str
    message: str

    @property
    def success(self):
        """True if ``status == 'ok'``."""
        return self.status == "ok"


def autocorrelation_time(x, dt_bin, *, method="exp_fit", max_lag=None, fit_until=math.exp(-1),
                         offset=False):
    """Autocorrelation time of population activity.

    Two definitions (choose with ``method``):

    * ``'exp_fit'`` (default; the timescale of Murray et al. 2014, which Ekelmans et al. cite
      for their ~300 ms): least-squares fit of A exp(-lag/tau) (+ B if ``offset``) to the ACF
      on lags from one bin up to (excluding) the first lag where the ACF falls to
      ``fit_until`` x ACF(one bin) or to 0 (or ``max_lag``). Lag 0 is excluded, so white noise
      on the trace (Poisson spike-count noise, which only adds to the ACF at lag 0) does not
      bias tau; it lowers A instead. Fitting only the well-estimated top of the ACF keeps the
      estimate nearly unbiased: for AR(1) traces of duration T = 4000 tau, 40 seeds gave a
      mean of 1.005 tau and an SD of 3 % with ``fit_until = 1/e``, versus +3 % bias and 5 %
      SD when fitting to the first zero crossing (the ACF's estimation error is correlated
      over lags, so its tail wanders positive). For a non-exponential ACF, tau describes the
      ACF's initial decay (down to ``fit_until``).
    * ``'integral'``: tau = integral of the ACF from lag 0 to its first zero crossing
      (trapezoid rule). Exact for any ACF shape of a smooth trace (for an AR(1)/OU trace it
      equals the correlation time up to O((dt/tau)^2)), but white noise on the trace scales it
      down by the ACF's drop between lag 0 and lag dt, and it is noisier (AR(1), T = 4000 tau:
      +4 % bias, 8 % SD over 40 seeds).

    Parameters
    ----------
    x : (n_bins,) float array
        Population rate in Hz (or any activity trace).
    dt_bin : float
        Bin width in s (should be well below tau).
    method : {'exp_fit', 'integral'}
        See above.
    max_lag : float, optional
        Largest lag considered, in s. Default: a quarter of the trace duration.
    fit_until : float, optional
        'exp_fit' only: relative ACF level in (0, 1) where the fit range ends (see above).
        Default 1/e.
    offset : bool, optional
        'exp_fit' only: also fit a constant B (slow drifts); use with a wide fit range
        (``fit_until=0``). Default False.

    Returns
    -------
    AutocorrelationTime
        ``tau`` in s with ``status``/``message`` and the ACF used.
    """
    if method not in ACF_METHODS:
        raise ValueError(f"method must be one of {ACF_METHODS}; got {method!r}")
    fit_until = _float(fit_until, "fit_until")
    if not 0 <= fit_until < 1:
        raise ValueError(f"fit_until must be in [0, 1); got {fit_until}")
    ac = autocorrelation(x, dt_bin, max_lag=max_lag)
    dt_bin = float(dt_bin)
    lag, acf = ac
    if not np.all(np.isfinite(acf)):
        return AutocorrelationTime(np.nan, method, np.nan, 0.0, (0.0, 0.0), ac, "fit_failed",
                                   "x is constant: the autocorrelation is undefined")
    status, message = "ok", "autocorrelation time measured"
    level = 0.0 if method == "integral" else fit_until * acf[1]
    below = np.flatnonzero(acf[1:] <= level)
    if below.size:
        end = int(below[0]) + 1
    else:
        end = acf.size
        status = "no_zero_crossing"
        message = (f"the ACF stays above {level:.3g} up to max_lag = {lag[-1]:g} s: the trace is "
                   f"too short or drifts; tau is unreliable (likely underestimated)")
    if method == "integral":
        tau = float(np.trapezoid(acf[:end], dx=dt_bin))
        return AutocorrelationTime(tau, method, 1.0, 0.0, (0.0, float(lag[end - 1])), ac,
                                   status, message)
    sel = slice(1, end)
    n_fit = end - 1
    if n_fit < (4 if offset else 3):
        return AutocorrelationTime(np.nan, method, np.nan, 0.0, (dt_bin, float(lag[end - 1])), ac,
                                   "too_short", f"only {n_fit} positive ACF lags to fit: dt_bin "
                                   f"{dt_bin:g} s is too coarse for this trace's correlation time")
    lx, ly = lag[sel], acf[sel]
    # start values: log-linear slope of the first lags
    k0 = max(2, min(n_fit, int(np.searchsorted(-ly, -ly[0] / math.e)) + 1))
    slope = np.polyfit(lx[:k0], np.log(ly[:k0]), 1)[0]
    tau0 = -1.0 / slope if slope < 0 else lx[-1]
    a0 = float(ly[0] * math.exp(lx[0] / tau0))
    if offset:
        model = lambda s, a, tau, b: a * np.exp(-s / tau) + b  # noqa: E731
        p0, bounds = (a0, tau0, 0.0), ([0, dt_bin * 1e-3, -1], [2, np.inf, 1])
    else:
        model = lambda s, a, tau: a * np.exp(-s / tau)  # noqa: E731
        p0, bounds = (a0, tau0), ([0, dt_bin * 1e-3], [2, np.inf])
    try:
        p, _ = optimize.curve_fit(model, lx, ly, p0=p0, bounds=bounds)
    except (RuntimeError, ValueError) as err:
        return AutocorrelationTime(np.nan, method, np.nan, 0.0, (float(lx[0]), float(lx[-1])), ac,
                                   "fit_failed", f"exponential fit failed: {err}")
    fit_range = (float(lx[0]), float(lx[-1]))
    # white noise gives ACF estimates of SD ~ 1/sqrt(n) at every lag > 0 (Bartlett)
    noise = 3.0 / math.sqrt(np.asarray(x).size)
    if p[0] * math.exp(-lx[0] / p[1]) < noise:
        return AutocorrelationTime(np.nan, method, float(p[0]), float(p[2]) if offset else 0.0,
                                   fit_range, ac, "not_significant",
                                   f"the fitted ACF at lag {lx[0]:g} s is below the white-noise "
                                   f"level 3/sqrt(n) = {noise:.3g}: no correlation longer than a bin")
    return AutocorrelationTime(float(p[1]), method, float(p[0]), float(p[2]) if offset else 0.0,
                               fit_range, ac, status, message)


# --------------------------------------------------------------------------------------------
# up / down states
# --------------------------------------------------------------------------------------------

def two_means_split(values):
    """Best split of 1-D data into a low and a high group (Otsu's method, exact).

    Minimises the summed within-group squared deviation (= 2-means clustering in 1-D) over
    every split point of the sorted data.

    Parameters
    ----------
    values : array
        Data, e.g. smoothed population rates (Hz); NaNs are not allowed.

    Returns
    -------
    threshold : float
        Midpoint between the largest low value and the smallest high value.
    mean_low, mean_high : float
        Means of the two groups.
    """
    x = np.sort(_trace(np.ravel(values), "values"))
    if x.size < 2 or x[0] == x[-1]:
        raise ValueError("values must contain at least two distinct numbers to split")
    n = x.size
    cs = np.cumsum(x - x.mean())  # centred for precision
    k = np.arange(1, n)
    # between-group sum of squares for a split after k points: S_k^2 n / (k (n-k))
    between = cs[:-1] ** 2 * n / (k * (n - k))
    between[x[1:] == x[:-1]] = -1.0  # only split between distinct values
    m = int(np.argmax(between)) + 1
    return 0.5 * (x[m - 1] + x[m]), float(x[:m].mean()), float(x[m:].mean())


def _schmitt(x, lo, hi):
    """Two-threshold state: up once x >= hi, down once x <= lo, else keep the last state."""
    set_up, set_down = x >= hi, x <= lo
    idx = np.where(set_up | set_down, np.arange(x.size), -1)
    last = np.maximum.accumulate(idx)
    first_state = UP if x[0] >= 0.5 * (lo + hi) else DOWN
    state = np.where(last >= 0, set_up[np.maximum(last, 0)].astype(np.int8), first_state)
    return state.astype(np.int8)


def _runs(state):
    """Start indices and lengths of runs of equal values."""
    starts = np.flatnonzero(np.r_[True, state[1:] != state[:-1]])
    lengths = np.diff(np.r_[starts, state.size])
    return starts, lengths


def _merge_short(state, min_bins):
    """Give interior runs shorter than ``min_bins`` the state of the run before them."""
    starts, lengths = _runs(state)
    short = lengths < min_bins
    short[0] = False
    if not np.any(short):
        return state
    run_state = state[starts].copy()
    keep_idx = np.where(~short, np.arange(starts.size), -1)
    run_state = run_state[np.maximum.accumulate(keep_idx)]
    return np.repeat(run_state, lengths).astype(np.int8)


def _input_trend(mu_b, tol, settle_bins):
    """+1 / -1 / 0 trend of the input for every bin (the step into the bin decides)."""
    d = np.diff(mu_b)
    step = np.where(d > tol, 1, np.where(d < -tol, -1, 0))
    trend = np.r_[step[:1], step] if step.size else np.zeros(mu_b.size, int)
    if settle_bins > 0:
        # the first settle_bins of a constant stretch still belong to the preceding ramp/step
        starts, lengths = _runs(trend)
        for s, n in zip(starts[1:], lengths[1:]):
            if trend[s] == 0 and trend[s - 1] != 0:
                trend[s:s + min(n, settle_bins)] = trend[s - 1]
    return trend.astype(np.int8)


@dataclass(frozen=True, eq=False)
class StateDetection:
    """Up/down states of a population-rate trace (result of :func:`detect_states`).

    Attributes
    ----------
    t : (n_bins,) float array
        Bin centres in s.
    rate : (n_bins,) float array
        The (smoothed) rate the states were detected on, Hz.
    mu : (n_bins,) float array
        External input at the bin centres, mV/s (NaN if not given).
    state : (n_bins,) int8 array
        0 = down, 1 = up.
    threshold_low, threshold_high : float
        Schmitt-trigger thresholds in Hz (down when rate <= low, up when rate >= high).
    rate_low, rate_high : float
        Mean rate (Hz) of the low and high group of the two-means split.
    transition_fraction : float
        Fraction of bins whose rate lies strictly between the two thresholds; small for two
        well-separated states (~0.02 for two Gaussians 6 SD apart), about 1/6 - 1/5 for a
        uniform or single-peaked rate distribution.
    transitions : pandas.DataFrame
        One row per switch: ``t`` (s, bin edge where the state changes), ``direction``
        ('up'/'down'), ``mu`` (mV/s), ``input_trend`` (+1 rising, -1 falling, 0 constant
        input), ``kind`` ('driven' or 'spontaneous').
    dwell : pandas.DataFrame
        One row per stay: ``state`` ('down'/'up'), ``t_start``, ``t_end``, ``duration`` (s),
        ``censored`` (True for the first and last stay, cut by the record), ``mu_start``,
        ``mu_end`` (mV/s).
    status : str
        'ok', 'not_bimodal' (automatic thresholds on a rate distribution without two separated
        groups: states and switches are unreliable) or 'single_state' (one state throughout).
    message : str
        Explanation of ``status``.

    Notes
    -----
    A switch is *driven* if it is the last switch inside a stretch of monotonically rising
    (falling) input and goes up (down): the fold transition of a hysteresis loop. Every other
    switch (during constant input, against the ramp direction, or followed by another switch
    in the same stretch) is *spontaneous*.
    """

    t: np.ndarray
    rate: np.ndarray
    mu: np.ndarray
    state: np.ndarray
    threshold_low: float
    threshold_high: float
    rate_low: float
    rate_high: float
    transition_fraction: float
    transitions: pd.DataFrame
    dwell: pd.DataFrame
    status: str
    message: str

    @property
    def n_switches(self):
        """Total number of state switches."""
        return len(self.transitions)

    @property
    def n_spontaneous(self):
        """Number of spontaneous switches (see Notes)."""
        return int((self.transitions["kind"] == "spontaneous").sum())

    @property
    def hysteresis(self):
        """DataFrame of the driven switches (the hysteresis loop), columns as ``transitions``."""
        return self.transitions[self.transitions["kind"] == "driven"].reset_index(drop=True)

    @property
    def mu_up(self):
        """Input (mV/s) at the driven up-switch on rising input (mean over ramps; NaN if none)."""
        h = self.hysteresis
        v = h.loc[h["direction"] == "up", "mu"]
        return float(v.mean()) if len(v) else np.nan

    @property
    def mu_down(self):
        """Input (mV/s) at the driven down-switch on falling input (mean over ramps; NaN if none)."""
        h = self.hysteresis
        v = h.loc[h["direction"] == "down", "mu"]
        return float(v.mean()) if len(v) else np.nan

    @property
    def window(self):
        """Simulated bistability window ``(mu_down, mu_up)`` in mV/s (compare with SSN folds)."""
        return self.mu_down, self.mu_up

    def summary(self):
        """Dict of scalar results: ``status``, ``n_switches``, ``n_spontaneous``, ``mu_down``,
        ``mu_up`` (mV/s), ``threshold_low``, ``threshold_high``, ``rate_low``, ``rate_high``
        (Hz), ``transition_fraction``, ``fraction_up`` (fraction of bins in the up state), and
        mean uncensored dwell times ``dwell_up_mean``, ``dwell_down_mean`` (s, NaN if none)."""
        up, down = self.dwell_times("up"), self.dwell_times("down")
        return {"status": self.status, "n_switches": self.n_switches,
                "n_spontaneous": self.n_spontaneous, "mu_down": self.mu_down, "mu_up": self.mu_up,
                "threshold_low": self.threshold_low, "threshold_high": self.threshold_high,
                "rate_low": self.rate_low, "rate_high": self.rate_high,
                "transition_fraction": self.transition_fraction,
                "fraction_up": float(np.mean(self.state == UP)),
                "dwell_up_mean": float(up.mean()) if up.size else np.nan,
                "dwell_down_mean": float(down.mean()) if down.size else np.nan}

    def dwell_times(self, state="up", censored=False):
        """Durations (s) of the stays in ``state`` ('up' or 'down'); censored stays excluded
        unless ``censored=True``."""
        if state not in ("up", "down"):
            raise ValueError(f"state must be 'up' or 'down'; got {state!r}")
        d = self.dwell[self.dwell["state"] == state]
        if not censored:
            d = d[~d["censored"]]
        return d["duration"].to_numpy()


def detect_states(rate, dt_bin, *, t=None, mu=None, thresholds=None, smooth="gaussian",
                  width=0.05, threshold_fractions=(1 / 3, 2 / 3), min_dwell=0.0,
                  settle_time=0.0, max_transition_fraction=0.1):
    """Up/down states, switches and the hysteresis loop of a bistable network.

    The rate is smoothed, split into a low and a high group (:func:`two_means_split`) unless
    ``thresholds`` are given, and a two-threshold (Schmitt) trigger assigns the state: up once
    the rate reaches ``threshold_high``, down once it falls to ``threshold_low``. With an input
    ``mu(t)``, switches are classified as driven (fold transitions of a forward/backward ramp)
    or spontaneous (see :class:`StateDetection`), giving the simulated bistability window
    [mu_down, mu_up] to compare with the SSN fold points.

    Parameters
    ----------
    rate : (n_bins,) float array
        Binned population rate in Hz (e.g. ``rate_trace(...).rate``, E population).
    dt_bin : float
        Bin width in s.
    t : (n_bins,) float array, optional
        Bin centres in s. Default ``(k + 1/2) dt_bin``.
    mu : None, float, callable, (t_samples, mu_samples) or (n_bins,) array, optional
        External input in mV/s that is ramped (usually mu_E; forms as for ``mu_E`` of
        :func:`windowed_rates`). None: constant input, so every switch is spontaneous.
    thresholds : (float, float), optional
        (low, high) thresholds in Hz, low < high. Default: automatic, at
        ``threshold_fractions`` of the way from the low-group mean to the high-group mean.
    smooth : {'gaussian', 'boxcar', None}
        Smoothing kernel applied first (see :func:`smooth_rate`). Default 'gaussian'.
    width : float
        Smoothing width in s. Default 0.05.
    threshold_fractions : (float, float)
        Positions of the automatic thresholds between the two group means, 0 <= f_low < f_high <= 1.
    min_dwell : float
        Interior stays shorter than this (s) are merged into the preceding state. Default 0.
    settle_time : float
        Time (s) after a ramp or step ends during which switches still count as driven by it
        (the network's delayed response to a step). Default 0.
    max_transition_fraction : float
        With automatic thresholds, ``status`` is 'not_bimodal' if more than this fraction of
        bins lies between the thresholds. Default 0.1.

    Returns
    -------
    StateDetection
        States, transitions (driven / spontaneous), dwell times, ``mu_up``, ``mu_down``,
        ``window``, ``n_switches``, ``n_spontaneous``, with ``status`` and ``message``.
    """
    rate = _trace(rate)
    dt_bin = _float(dt_bin, "dt_bin", positive=True)
    if rate.size < 2:
        raise ValueError(f"rate must have at least 2 bins; got {rate.size}")
    if t is None:
        t = (np.arange(rate.size) + 0.5) * dt_bin
    else:
        t = _trace(t, "t")
        if t.shape != rate.shape:
            raise ValueError(f"t must have one entry per bin of rate ({rate.size}); got {t.size}")
    min_dwell = _float(min_dwell, "min_dwell", minimum=0.0)
    settle_time = _float(settle_time, "settle_time", minimum=0.0)
    max_tf = _float(max_transition_fraction, "max_transition_fraction", minimum=0.0)
    if thresholds is not None:
        lo, hi = (_float(v, "thresholds") for v in thresholds)
        if not lo < hi:
            raise ValueError(f"thresholds must be (low, high) with low < high (Hz); got {thresholds}")
    else:
        f_lo, f_hi = (_float(v, "threshold_fractions") for v in threshold_fractions)
        if not 0 <= f_lo < f_hi <= 1:
            raise ValueError(f"threshold_fractions must satisfy 0 <= low < high <= 1; got "
                             f"{threshold_fractions}")
    mu_b = _input_at(mu, t)
    x = rate if smooth is None else smooth_rate(rate, dt_bin, kernel=smooth, width=width)

    status, message = "ok", "states detected"
    if np.ptp(x) == 0:
        m = float(x[0])
        lo_mean = hi_mean = m
        if thresholds is None:
            lo, hi = m - 1.0, m + 1.0
    else:
        _, lo_mean, hi_mean = two_means_split(x)
        if thresholds is None:
            lo = lo_mean + f_lo * (hi_mean - lo_mean)
            hi = lo_mean + f_hi * (hi_mean - lo_mean)
    tf = float(np.mean((x > lo) & (x < hi)))
    state = _schmitt(x, lo, hi)
    if min_dwell > 0:
        state = _merge_short(state, int(math.ceil(min_dwell / dt_bin - 1e-9)))
    if thresholds is None and (np.ptp(x) == 0 or tf > max_tf):
        status = "not_bimodal"
        message = (f"{tf:.1%} of bins lie between the automatic thresholds ({lo:.3g}, {hi:.3g}) Hz "
                   f"(> {max_tf:.0%}): the rate has no two separated levels, so the detected "
                   f"states and switches are unreliable")

    # transitions
    k = np.flatnonzero(state[1:] != state[:-1]) + 1
    t_sw = t[k] - 0.5 * (t[k] - t[k - 1])
    mu_sw = 0.5 * (mu_b[k] + mu_b[k - 1])
    direction = np.where(state[k] == UP, "up", "down")
    if mu is None:
        trend = np.zeros(mu_b.size, np.int8)
    else:
        tol = 1e-9 * max(1.0, float(np.nanmax(np.abs(mu_b))))
        trend = _input_trend(mu_b, tol, int(round(settle_time / dt_bin)))
    tr_k = trend[k]
    kind = np.full(k.size, "spontaneous", dtype=object)
    seg_starts, _ = _runs(trend)
    seg_of = np.searchsorted(seg_starts, k, side="right") - 1
    if k.size:
        last_in_seg = np.r_[seg_of[1:] != seg_of[:-1], True]
        matches = ((tr_k == 1) & (state[k] == UP)) | ((tr_k == -1) & (state[k] == DOWN))
        kind[last_in_seg & matches] = "driven"
    transitions = pd.DataFrame({"t": t_sw, "direction": direction, "mu": mu_sw,
                                "input_trend": tr_k.astype(np.int64), "kind": kind.astype(str)})

    # dwell times
    starts, lengths = _runs(state)
    edges = np.r_[t[0] - 0.5 * (t[1] - t[0]), t_sw, t[-1] + 0.5 * (t[-1] - t[-2])]
    ends_idx = starts + lengths - 1
    censored = np.zeros(starts.size, bool)
    censored[[0, -1]] = True
    dwell = pd.DataFrame({
        "state": np.where(state[starts] == UP, "up", "down"),
        "t_start": edges[:-1], "t_end": edges[1:], "duration": np.diff(edges),
        "censored": censored, "mu_start": mu_b[starts], "mu_end": mu_b[ends_idx],
    })
    if status == "ok" and k.size == 0:
        status = "single_state"
        message = f"the network stayed in the {STATE_NAMES[int(state[0])]} state throughout"
    return StateDetection(t=t, rate=x, mu=mu_b, state=state, threshold_low=float(lo),
                          threshold_high=float(hi), rate_low=float(lo_mean), rate_high=float(hi_mean),
                          transition_fraction=tf, transitions=transitions, dwell=dwell,
                          status=status, message=message)


# --------------------------------------------------------------------------------------------
# tidy table
# --------------------------------------------------------------------------------------------

_CURRENT_KEYS = ("I_E", "I_I", "I_ext")


def _check_currents(currents, populations):
    if currents is None:
        return {}
    if not isinstance(currents, Mapping):
        raise TypeError("currents must be a mapping population -> {'I_E', 'I_I', 'I_ext'[, 't']}")
    out = {}
    for pop, rec in currents.items():
        if pop not in populations:
            raise ValueError(f"currents has population {pop!r} that is not in spikes {list(populations)}")
        if not isinstance(rec, Mapping) or any(key not in rec for key in _CURRENT_KEYS):
            raise ValueError(f"currents[{pop!r}] must be a mapping with keys {_CURRENT_KEYS} "
                             f"(and 't' for 2-D recordings)")
        unknown = set(rec) - set(_CURRENT_KEYS) - {"t"}
        if unknown:
            raise ValueError(f"currents[{pop!r}] has unknown keys {sorted(unknown)}")
        balance_factor(rec["I_E"], rec["I_I"], rec["I_ext"], t=rec.get("t"))  # validate now
        times = None if rec.get("t") is None else np.asarray(rec["t"], dtype=float)
        out[pop] = (rec, times)
    return out


def measurements_table(spikes, *, t_stop, t_start=0.0, window=None, step=None, mu_E=None,
                       mu_I=None, r=None, min_spikes=3, ddof=1, currents=None, acf_bin=None,
                       progress=False):
    """All measurements per population and measurement window, as one tidy table.

    Parameters
    ----------
    spikes : mapping str -> SpikeTrains or (i, t, N)
        Spikes per population, e.g. ``{'E': (i_E, t_E, 3000), 'I': (i_I, t_I, 1000)}``.
    t_stop : float
        End of the analysed range in s.
    t_start : float, optional
        Start of the analysed range in s (warm-up discarded). Default 0.
    window : float, optional
        Window length in s. Default: one window ``[t_start, t_stop)``.
    step : float, optional
        Distance between window starts in s. Default ``window``.
    mu_E, mu_I, r : see :func:`windowed_rates`, optional
        External inputs (mV/s) evaluated at the window centres (the same columns on every
        population's rows, so rows align with theory tables on (mu_E, mu_I, population)).
    min_spikes, ddof : int, optional
        CV_ISI settings, see :func:`isi_statistics`; ISIs count in a window if both spikes lie
        in it.
    currents : mapping str -> mapping, optional
        Recorded currents per population for the balance factor: ``{'I_E': ..., 'I_I': ...,
        'I_ext': ..., 't': ...}`` as for :func:`balance_factor`; 2-D recordings are averaged
        over the recording times inside each window (windows without recorded times get
        NaN); 1-D time averages are used for every window.
    acf_bin : float, optional
        If given, the population rate is binned at ``acf_bin`` (s) in each window and its
        autocorrelation time measured (:func:`autocorrelation_time`, 'exp_fit').
    progress : bool, optional
        Show a tqdm progress bar over windows. Default False.

    Returns
    -------
    pandas.DataFrame
        One row per population x window. Columns: ``population``; ``t``, ``t_lo``, ``t_hi``
        (window centre and edges, s); ``mu_E``, ``mu_I`` (mV/s, NaN if not given);
        ``direction`` (as in :func:`windowed_rates`, only if the input changes); ``rate`` (population
        rate, Hz); ``rate_sd`` (SD across neurons of per-neuron rates, Hz); ``n_neurons``;
        ``n_spikes``; ``cv_mean``, ``cv_median`` (CV_ISI over neurons with >= ``min_spikes``
        spikes); ``cv_n`` (such neurons); ``cv_fraction`` (their fraction). With
        ``currents``: ``bf_mean``, ``bf_median``, ``bf_q25``, ``bf_q75``, ``bf_n`` (NaN /
        0 for populations without currents). With ``acf_bin``: ``tau_ac`` (s) and
        ``tau_ac_status``.
    """
    if not isinstance(spikes, Mapping) or not spikes:
        raise TypeError("spikes must be a non-empty mapping population -> SpikeTrains or (i, t, N)")
    pops = {str(k): SpikeTrains.coerce(v, f"spikes[{k!r}]") for k, v in spikes.items()}
    lo, hi = _window_args(t_start, t_stop, window, step)
    min_spikes, ddof = _check_min_spikes(min_spikes, ddof)
    cur = _check_currents(currents, pops)
    if acf_bin is not None:
        acf_bin = _float(acf_bin, "acf_bin", positive=True)
        if (hi[0] - lo[0]) / acf_bin < 16:
            raise ValueError(f"acf_bin must be <= window/16 = {(hi[0] - lo[0]) / 16:g} s to measure "
                             f"an autocorrelation; got {acf_bin}")
    centre = 0.5 * (lo + hi)
    inputs = _input_columns(mu_E, mu_I, r, lo, hi)

    rows = []
    iterator = range(lo.size)
    if progress:
        from tqdm.auto import tqdm
        iterator = tqdm(iterator, desc="windows", unit="window")
    prepared = {}
    for name, sp in pops.items():
        order = _time_order(sp.t)
        prepared[name] = (sp.i, sp.t) if order is None else (sp.i[order], sp.t[order])
    for w in iterator:
        a, b = lo[w], hi[w]
        for name, sp in pops.items():
            i_s, t_s = prepared[name]
            s0, s1 = np.searchsorted(t_s, [a, b], side="left")
            stats = _isi_stats(i_s[s0:s1], t_s[s0:s1], sp.N, min_spikes, ddof)
            counts = stats.n_spikes
            rates = counts / (b - a)
            row = {"population": name, "t": centre[w], "t_lo": a, "t_hi": b}
            row.update({key: col[w] for key, col in inputs.items()})
            row.update({"rate": counts.sum() / (sp.N * (b - a)),
                   "rate_sd": float(rates.std(ddof=1)) if sp.N > 1 else np.nan,
                   "n_neurons": sp.N, "n_spikes": int(s1 - s0)})
            summ = stats.summary()
            row.update(cv_mean=summ["cv_mean"], cv_median=summ["cv_median"], cv_n=summ["cv_n"],
                       cv_fraction=summ["cv_fraction"])
            if cur:
                rec, times = cur.get(name, (None, None))
                if rec is not None and (times is None or np.any(_in_window(times, a, b))):
                    bf = balance_factor(rec["I_E"], rec["I_I"], rec["I_ext"], t=times,
                                        t_start=None if times is None else a,
                                        t_stop=None if times is None else b)
                    s = summary_stats(bf)
                    row.update(bf_mean=s["mean"], bf_median=s["median"], bf_q25=s["q25"],
                               bf_q75=s["q75"], bf_n=s["n_valid"])
                else:
                    row.update(bf_mean=np.nan, bf_median=np.nan, bf_q25=np.nan, bf_q75=np.nan,
                               bf_n=0)
            if acf_bin is not None:
                n_bins = _n_bins(a, b, acf_bin)
                r = _bin_counts(t_s[s0:s1], a, acf_bin, n_bins) / (sp.N * acf_bin)
                if np.ptp(r) == 0:
                    row.update(tau_ac=np.nan, tau_ac_status="fit_failed")
                else:
                    ac = autocorrelation_time(r, acf_bin)
                    row.update(tau_ac=ac.tau, tau_ac_status=ac.status)
            rows.append(row)
    df = pd.DataFrame(rows)
    return df.sort_values(["population", "t"], kind="stable").reset_index(drop=True)
