"""Measurements on spike trains and population activity of the LIF network simulations.

Pure numpy / scipy / pandas: this module never imports brian2, so every measurement can be
tested on synthetic data and applied to results loaded from disk.

Units (``docs/theory/README.md``, conventions): times in s, rates in Hz, currents (membrane-potential velocities) in mV/s,
external input ``mu`` in mV/s.

Inputs are plain arrays:

* spikes of one population of ``N`` neurons as neuron indices ``i`` (ints in ``[0, N)``) and
  spike times ``t`` (s). ``t`` need not be sorted (a Brian2 ``SpikeMonitor`` gives it sorted,
  which is used as a fast path);
* binned population-rate traces ``rate`` (Hz) with bin width ``dt_bin`` (s);
* recorded currents per neuron, shape ``(n_neurons,)`` (time averages) or
  ``(n_neurons, n_times)``.

Measurements, as defined by Ekelmans et al. (2023) (``docs/theory/ssn_lif.md`` §12), one module per
concept (every public name is importable from ``brianmodels.lif.analysis`` itself):

* :mod:`.rates` -- firing rates after a warm-up (:func:`firing_rates`,
  :func:`population_rate`), binned and smoothed population rate (:func:`rate_trace`,
  :func:`smooth_rate`), windowed rates along an input ramp (:func:`windowed_rates`);
* :mod:`.isi` -- ISI coefficient of variation per neuron, CV = std(ISI)/mean(ISI)
  (:func:`isi_statistics`);
* :mod:`.balance` -- balance factor per neuron, BF_i = -<I^I_i> / (<I^E_i> + <I^ext_i>)
  (:func:`balance_factor`);
* :mod:`.timescales` -- autocorrelation function and time of population activity
  (:func:`autocorrelation`, :func:`autocorrelation_time`);
* :mod:`.up_down` -- up/down states of bistable networks with a Schmitt trigger, spontaneous
  switches, dwell times and the hysteresis loop [mu_down, mu_up] of a forward/backward ramp
  (:func:`detect_states`);
* :mod:`.table` -- everything per population and measurement window as one tidy table
  (:func:`measurements_table`).

:mod:`._common` holds the argument checks, measurement windows and :func:`summary_stats`
that several of them share.
"""
from __future__ import annotations

from ._common import summary_stats
from .timescales import (ACF, ACF_METHODS, AutocorrelationTime, autocorrelation,
                              autocorrelation_time)
from .balance import balance_factor
from .isi import NUMBA_MIN_SPIKES, ISIStats, isi_statistics
from .rates import (SMOOTHING_KERNELS, RateTrace, firing_rates, population_rate, rate_trace,
                    smooth_rate, windowed_rates)
from .table import SpikeTrains, measurements_table
from .up_down import DOWN, STATE_NAMES, UP, StateDetection, detect_states, two_means_split

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
    "SMOOTHING_KERNELS",
    "ACF_METHODS",
    "NUMBA_MIN_SPIKES",
    "UP",
    "DOWN",
    "STATE_NAMES",
]
