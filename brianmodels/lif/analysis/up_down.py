"""Up and down states of bistable networks: a Schmitt trigger on the smoothed rate with
thresholds from the best two-group split, spontaneous switches, dwell times and the
hysteresis loop [mu_down, mu_up] of a forward/backward input ramp."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...result import Result
from ._common import _float, _input_at, _trace
from .rates import smooth_rate


UP, DOWN = 1, 0
STATE_NAMES = {DOWN: "down", UP: "up"}
#: status codes of :class:`StateDetection` (0 = states detected)
OK, NOT_BIMODAL, SINGLE_STATE = 0, 1, 2


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

    Examples
    --------
    >>> from brianmodels.lif import analysis
    >>> analysis.two_means_split([0.5, 0.7, 0.6, 8.0, 9.0])      # rates in Hz
    (4.35, 0.6, 8.5)
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
    return float(0.5 * (x[m - 1] + x[m])), float(x[:m].mean()), float(x[m:].mean())


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
class StateDetection(Result):
    """Up/down states of a population-rate trace (result of :func:`detect_states`).

    Follows :class:`brianmodels.result.Result` (``status`` an int listed in :attr:`STATUS`,
    ``success`` is ``status == 0``, ``table`` one row per bin, ``summary()`` one row).

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
    status : int
        0 states detected; 1 not bimodal (automatic thresholds on a rate distribution without
        two separated groups: states and switches are unreliable); 2 single state (one state
        throughout, no switch).
    message : str
        What happened, in words.
    params : dict
        The detection settings: ``dt_bin`` (s), ``thresholds`` (Hz, None if automatic),
        ``threshold_fractions``, ``smooth``, ``width`` (s), ``min_dwell`` (s), ``settle_time``
        (s), ``max_transition_fraction``, ``input_given`` (None where a setting does not apply).
    table : pandas.DataFrame
        One row per bin: ``t`` (s), ``rate`` (smoothed, Hz), ``mu`` (mV/s), ``state`` (0 down,
        1 up).

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
    status: int
    message: str
    params: dict = field(default_factory=dict)

    OK, NOT_BIMODAL, SINGLE_STATE = OK, NOT_BIMODAL, SINGLE_STATE  # status codes
    STATUS = {OK: "states detected",
              NOT_BIMODAL: "the rate has no two separated levels: states and switches are "
                           "unreliable",
              SINGLE_STATE: "one state throughout, no switch"}

    @property
    def table(self) -> pd.DataFrame:
        """One row per bin: t (s), rate (Hz), mu (mV/s), state (0 down, 1 up)."""
        return pd.DataFrame({"t": self.t, "rate": self.rate, "mu": self.mu,
                             "state": self.state.astype(np.int64)})

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

    def summary(self) -> pd.DataFrame:
        """One row of scalar results: ``status``, ``n_switches``, ``n_spontaneous``, ``mu_down``,
        ``mu_up`` (mV/s), ``threshold_low``, ``threshold_high``, ``rate_low``, ``rate_high``
        (Hz), ``transition_fraction``, ``fraction_up`` (fraction of bins in the up state), and
        mean uncensored dwell times ``dwell_up_mean``, ``dwell_down_mean`` (s, NaN if none)."""
        up, down = self.dwell_times("up"), self.dwell_times("down")
        return pd.DataFrame([{"status": self.status, "n_switches": self.n_switches,
                "n_spontaneous": self.n_spontaneous, "mu_down": self.mu_down, "mu_up": self.mu_up,
                "threshold_low": self.threshold_low, "threshold_high": self.threshold_high,
                "rate_low": self.rate_low, "rate_high": self.rate_high,
                "transition_fraction": self.transition_fraction,
                "fraction_up": float(np.mean(self.state == UP)),
                "dwell_up_mean": float(up.mean()) if up.size else np.nan,
                "dwell_down_mean": float(down.mean()) if down.size else np.nan}])

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
        With automatic thresholds, ``status`` is 1 (not bimodal) if more than this fraction of
        bins lies between the thresholds. Default 0.1.

    Returns
    -------
    StateDetection
        States, transitions (driven / spontaneous), dwell times, ``mu_up``, ``mu_down``,
        ``window``, ``n_switches``, ``n_spontaneous``, with ``status`` and ``message``.

    Examples
    --------
    A forward/backward ramp of mu from 0 to 10 mV/s and back (10 s each way, 10-ms bins): the
    rate jumps from 1 to 20 Hz at mu = 7 mV/s on the way up and back at 3 mV/s on the way down.

    >>> import numpy as np
    >>> from brianmodels.lif import analysis
    >>> t = (np.arange(2000) + 0.5) * 0.01
    >>> mu = np.where(t < 10.0, t, 20.0 - t)
    >>> up = ((t < 10.0) & (mu >= 7.0)) | ((t >= 10.0) & (mu > 3.0))
    >>> res = analysis.detect_states(np.where(up, 20.0, 1.0), 0.01, mu=(t, mu))
    >>> res.message, res.n_switches, res.n_spontaneous
    ('states detected', 2, 0)
    >>> round(res.mu_down, 1), round(res.mu_up, 1)        # the hysteresis window (mV/s)
    (3.0, 7.0)
    >>> print(res.transitions[["t", "direction", "mu", "kind"]].round(2).to_string(index=False))
        t direction   mu   kind
     7.02        up 7.02 driven
    17.02      down 2.98 driven
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
    params = {"dt_bin": dt_bin, "thresholds": None if thresholds is None else [lo, hi],
              "threshold_fractions": None if thresholds is not None else [f_lo, f_hi],
              "smooth": smooth, "width": None if smooth is None else float(width),
              "min_dwell": min_dwell, "settle_time": settle_time,
              "max_transition_fraction": max_tf, "input_given": mu is not None}

    status, message = OK, "states detected"
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
        status = NOT_BIMODAL
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
    if status == OK and k.size == 0:
        status = SINGLE_STATE
        message = f"the network stayed in the {STATE_NAMES[int(state[0])]} state throughout"
    return StateDetection(t=t, rate=x, mu=mu_b, state=state, threshold_low=float(lo),
                          threshold_high=float(hi), rate_low=float(lo_mean), rate_high=float(hi_mean),
                          transition_fraction=tf, transitions=transitions, dwell=dwell,
                          status=status, message=message, params=params)
