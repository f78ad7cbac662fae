"""Interspike-interval statistics: the CV_ISI = std(ISI) / mean(ISI) of each neuron
(``docs/theory/ssn_lif.md`` §12), by a sort + bincount pass or, for large inputs, one
compiled (numba) pass in time."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...result import Result
from ...units import to_int
from ._common import _in_window, _interval, _spikes, summary_stats


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


#: status codes of :class:`ISIStats` (0 = at least one neuron has a CV)
OK, NO_CV = 0, 1


@dataclass(frozen=True, eq=False)
class ISIStats(Result):
    """Per-neuron inter-spike-interval statistics of one population (§12).

    Follows :class:`brianmodels.result.Result`: ``status`` 0 when at least one neuron has
    enough spikes for a CV, 1 when none has (every CV is NaN).

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
    t_start, t_stop : float
        The window [t_start, t_stop) the spikes were taken from, s (t_stop may be inf).
    table : pandas.DataFrame
        One row per neuron: ``neuron`` (index), ``cv`` (dimensionless, NaN without a CV),
        ``mean_isi`` (s), ``rate_isi`` (1 / mean ISI, Hz), ``n_spikes``.
    params : dict
        ``N``, ``min_spikes``, ``ddof``, ``t_start``, ``t_stop`` (s).
    """

    cv: np.ndarray
    mean_isi: np.ndarray
    n_spikes: np.ndarray
    min_spikes: int
    ddof: int
    t_start: float = 0.0
    t_stop: float = np.inf

    OK, NO_CV = OK, NO_CV  # status codes
    STATUS = {OK: "CV_ISI measured for at least one neuron",
              NO_CV: "no neuron has enough spikes for a CV_ISI"}

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

    # ------------------------------------------------------------------ result convention
    @property
    def status(self) -> int:
        """0: some neuron has a CV; 1: none has (see :attr:`STATUS`)."""
        return OK if self.n_valid else NO_CV

    @property
    def message(self) -> str:
        """How many neurons have a CV."""
        text = (f"CV_ISI of {self.n_valid} of {self.cv.size} neurons (>= {self.min_spikes} "
                f"spikes in [{self.t_start:g}, {self.t_stop:g}) s)")
        return text if self.n_valid else text + ": no neuron has enough spikes for a CV"

    @property
    def params(self) -> dict:
        """``N``, ``min_spikes``, ``ddof``, ``t_start``, ``t_stop`` (s)."""
        return {"N": int(self.cv.size), "min_spikes": self.min_spikes, "ddof": self.ddof,
                "t_start": float(self.t_start), "t_stop": float(self.t_stop)}

    @property
    def table(self) -> pd.DataFrame:
        """One row per neuron: neuron, cv, mean_isi (s), rate_isi (Hz), n_spikes."""
        return pd.DataFrame({"neuron": np.arange(self.cv.size), "cv": self.cv,
                             "mean_isi": self.mean_isi, "rate_isi": self.rate_isi,
                             "n_spikes": self.n_spikes})

    def _summary_row(self) -> dict:
        """The row of :meth:`summary` as a dict of scalars."""
        s = summary_stats(self.cv)
        return {"cv_mean": s["mean"], "cv_median": s["median"], "cv_std": s["std"],
                "cv_q25": s["q25"], "cv_q75": s["q75"], "cv_n": self.n_valid,
                "cv_excluded": self.n_excluded, "cv_fraction": self.fraction_valid}

    def summary(self) -> pd.DataFrame:
        """One row: ``cv_mean``, ``cv_median``, ``cv_std``, ``cv_q25``, ``cv_q75`` over neurons
        with a CV, ``cv_n`` (neurons with a CV), ``cv_excluded``, ``cv_fraction`` (fraction with
        a CV)."""
        return pd.DataFrame([self._summary_row()])


def _check_min_spikes(min_spikes, ddof):
    ddof = to_int(ddof, "ddof", lo=0)
    if ddof > 1:
        raise ValueError(f"ddof must be 0 or 1; got {ddof}")
    min_spikes = to_int(min_spikes, "min_spikes", lo=ddof + 2)
    return min_spikes, ddof


def _isi_stats(i, t, N, min_spikes, ddof, t_start=0.0, t_stop=np.inf):
    """ISIStats of spikes already restricted to the window [t_start, t_stop) and sorted in time."""
    n_isi, mean, m2 = _isi_moments(i, t, N)
    cv = _cv_from_moments(n_isi, mean, m2, ddof)
    n_spikes = np.bincount(i, minlength=N)
    cv[n_spikes < min_spikes] = np.nan
    return ISIStats(cv=cv, mean_isi=mean, n_spikes=n_spikes, min_spikes=min_spikes, ddof=ddof,
                    t_start=t_start, t_stop=t_stop)


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
        Per-neuron CV, mean ISI, spike counts (``table``: one row per neuron); ``summary()``
        gives mean / median CV and the fraction of neurons with enough spikes (one row).

    Examples
    --------
    Neuron 0 fires regularly (CV 0), neuron 1 irregularly, neuron 2 not at all:

    >>> import numpy as np
    >>> from brianmodels.lif import analysis
    >>> t = np.r_[np.arange(0.05, 2.0, 0.1), [0.1, 0.3, 0.4, 0.8, 0.9, 1.5]]
    >>> i = np.r_[np.zeros(20, int), np.ones(6, int)]
    >>> s = analysis.isi_statistics(i, t, 3)
    >>> s.cv.round(3).tolist()
    [0.0, 0.774, nan]
    >>> s.message
    'CV_ISI of 2 of 3 neurons (>= 3 spikes in [0, inf) s)'
    >>> print(s.summary()[["cv_mean", "cv_n", "cv_excluded"]].round(3).to_string(index=False))
     cv_mean  cv_n  cv_excluded
       0.387     2            1
    """
    i, t, N = _spikes(i, t, N)
    t_start, t_stop = _interval(t_start, t_stop, stop_may_be_inf=True)
    min_spikes, ddof = _check_min_spikes(min_spikes, ddof)
    keep = _in_window(t, t_start, t_stop)
    i, t = i[keep], t[keep]
    order = _time_order(t)
    if order is not None:
        i, t = i[order], t[order]
    return _isi_stats(i, t, N, min_spikes, ddof, t_start, t_stop)
