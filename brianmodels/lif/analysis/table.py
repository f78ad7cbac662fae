"""Every measurement per population and measurement window as one tidy table
(:func:`measurements_table`), over validated spike trains (:class:`SpikeTrains`)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._common import (_bin_counts, _float, _in_window, _input_columns, _n_bins, _spikes,
                      _window_args, summary_stats)
from .timescales import autocorrelation_time
from .balance import balance_factor
from .isi import _check_min_spikes, _isi_stats, _time_order


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

    Examples
    --------
    >>> from brianmodels.lif import analysis
    >>> s = analysis.SpikeTrains([0, 1, 1], [0.1, 0.2, 0.5], N=3)   # neuron 2 never fires
    >>> s.N, s.i.tolist(), s.t.tolist()
    (3, [0, 1, 1], [0.1, 0.2, 0.5])
    >>> analysis.SpikeTrains.coerce(([0], [0.1], 2)).N                # from a tuple (i, t, N)
    2
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
        ``tau_ac_status`` (int, :attr:`AutocorrelationTime.STATUS`; 0 = measured).

    Examples
    --------
    One regular neuron per population (E at 10 Hz, I at 4 Hz) for 2 s, measured after a
    1-s warm-up at a constant input:

    >>> import numpy as np
    >>> from brianmodels.lif import analysis
    >>> t_E, t_I = np.arange(0.05, 2.0, 0.1), np.arange(0.1, 2.0, 0.25)
    >>> spikes = {"E": (np.zeros(t_E.size, int), t_E, 1), "I": (np.zeros(t_I.size, int), t_I, 1)}
    >>> tab = analysis.measurements_table(spikes, t_stop=2.0, t_start=1.0, mu_E=20.0, r=1.0)
    >>> print(tab[["population", "mu_E", "rate", "n_spikes", "cv_mean"]].round(3)
    ...       .to_string(index=False))
    population  mu_E  rate  n_spikes  cv_mean
             E  20.0  10.0        10      0.0
             I  20.0   4.0         4      0.0

    In 1-s windows along a ramp ``mu_E(t) = 10 t`` mV/s (the input at each window's centre):

    >>> tab = analysis.measurements_table(spikes, t_stop=2.0, window=1.0, mu_E=lambda t: 10 * t)
    >>> print(tab[["population", "t", "mu_E", "rate"]].to_string(index=False))
    population   t  mu_E  rate
             E 0.5   5.0  10.0
             E 1.5  15.0  10.0
             I 0.5   5.0   4.0
             I 1.5  15.0   4.0
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
            stats = _isi_stats(i_s[s0:s1], t_s[s0:s1], sp.N, min_spikes, ddof, a, b)
            counts = stats.n_spikes
            rates = counts / (b - a)
            row = {"population": name, "t": centre[w], "t_lo": a, "t_hi": b}
            row.update({key: col[w] for key, col in inputs.items()})
            row.update({"rate": counts.sum() / (sp.N * (b - a)),
                   "rate_sd": float(rates.std(ddof=1)) if sp.N > 1 else np.nan,
                   "n_neurons": sp.N, "n_spikes": int(s1 - s0)})
            summ = stats._summary_row()
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
                ac = autocorrelation_time(r, acf_bin)  # a constant trace: status FIT_FAILED
                row.update(tau_ac=ac.tau, tau_ac_status=ac.status)
            rows.append(row)
    df = pd.DataFrame(rows)
    return df.sort_values(["population", "t"], kind="stable").reset_index(drop=True)
