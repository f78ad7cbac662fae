"""Firing rates: per neuron and per population after a warm-up, binned and smoothed
population-rate traces, and windowed rates along a time-dependent input
(``docs/theory/ssn_lif.md`` §12)."""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import ndimage

from ._common import (_bin_counts, _float, _in_window, _input_columns, _interval, _n_bins, _spikes,
                      _trace, _window_args)


SMOOTHING_KERNELS = ("gaussian", "boxcar")


class RateTrace(NamedTuple):
    """Binned population rate: ``t`` bin centres (s), ``rate`` (Hz), ``dt_bin`` (s)."""

    t: np.ndarray
    rate: np.ndarray
    dt_bin: float


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

    Examples
    --------
    Two neurons firing regularly, at 10 Hz and at 4 Hz, for 2 s:

    >>> import numpy as np
    >>> from brianmodels.lif import analysis
    >>> t0, t1 = np.arange(0.05, 2.0, 0.1), np.arange(0.1, 2.0, 0.25)
    >>> i, t = np.r_[np.zeros(t0.size, int), np.ones(t1.size, int)], np.r_[t0, t1]
    >>> analysis.firing_rates(i, t, 2, t_stop=2.0, t_start=1.0).tolist()   # Hz, after 1 s
    [10.0, 4.0]
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

    Examples
    --------
    Two neurons firing regularly, at 10 Hz and at 4 Hz, for 2 s:

    >>> import numpy as np
    >>> from brianmodels.lif import analysis
    >>> t0, t1 = np.arange(0.05, 2.0, 0.1), np.arange(0.1, 2.0, 0.25)
    >>> i, t = np.r_[np.zeros(t0.size, int), np.ones(t1.size, int)], np.r_[t0, t1]
    >>> float(analysis.population_rate(i, t, 2, t_stop=2.0, t_start=1.0))  # (10 + 4) / 2 Hz
    7.0
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

    Examples
    --------
    >>> from brianmodels.lif import analysis
    >>> rate = [0.0, 0.0, 30.0, 0.0, 0.0]                       # Hz in 1-ms bins
    >>> analysis.smooth_rate(rate, 0.001, kernel="boxcar", width=0.003).round(2).tolist()
    [0.0, 10.0, 10.0, 10.0, 0.0]
    >>> g = analysis.smooth_rate([0.0] * 10 + [30.0] + [0.0] * 10, 0.001, width=0.002)
    >>> round(float(g.sum()), 6), round(float(g[10]), 2)   # the spikes are kept, spread out
    (30.0, 5.98)
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

    Examples
    --------
    Two neurons firing regularly, at 10 Hz and at 4 Hz, for 2 s:

    >>> import numpy as np
    >>> from brianmodels.lif import analysis
    >>> t0, t1 = np.arange(0.05, 2.0, 0.1), np.arange(0.1, 2.0, 0.25)
    >>> i, t = np.r_[np.zeros(t0.size, int), np.ones(t1.size, int)], np.r_[t0, t1]
    >>> tr = analysis.rate_trace(i, t, 2, dt_bin=0.5, t_stop=2.0)
    >>> tr.t.tolist(), tr.rate.tolist()                       # bin centres (s), Hz
    ([0.25, 0.75, 1.25, 1.75], [7.0, 7.0, 7.0, 7.0])
    >>> sm = analysis.rate_trace(i, t, 2, dt_bin=0.01, t_stop=2.0, smooth="gaussian", width=0.1)
    >>> round(float(sm.rate[50:150].mean()), 1)               # smoothed, 10-ms bins
    7.0
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
        :func:`meanfield.comparison.compare` reads from a simulation.

    Examples
    --------
    Two neurons firing regularly, at 10 Hz and at 4 Hz, for 2 s:

    >>> import numpy as np
    >>> from brianmodels.lif import analysis
    >>> t0, t1 = np.arange(0.05, 2.0, 0.1), np.arange(0.1, 2.0, 0.25)
    >>> i, t = np.r_[np.zeros(t0.size, int), np.ones(t1.size, int)], np.r_[t0, t1]
    >>> w = analysis.windowed_rates(i, t, 2, window=0.5, t_stop=2.0, mu_E=lambda x: 10.0 * x,
    ...                             r=0.5)                  # a ramp of 10 mV/s per s
    >>> print(w[["t", "mu_E", "mu_I", "direction", "rate"]].round(2).to_string(index=False))
       t  mu_E  mu_I direction  rate
    0.25   2.5  1.25        up   7.0
    0.75   7.5  3.75        up   7.0
    1.25  12.5  6.25        up   7.0
    1.75  17.5  8.75        up   7.0
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
