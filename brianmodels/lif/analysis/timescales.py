"""Autocorrelation function of population activity and its time constant (exponential
fit or integral)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import optimize

from ...result import Result
from ._common import _float, _trace


ACF_METHODS = ("exp_fit", "integral")


class ACF(NamedTuple):
    """Normalised autocorrelation function: ``lag`` (s) and ``acf`` (dimensionless, acf[0] = 1)."""

    lag: np.ndarray
    acf: np.ndarray


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

    Examples
    --------
    An AR(1) trace (a rate fluctuating around 5 Hz) with correlation time 0.1 s, in 10-ms bins:

    >>> import numpy as np
    >>> from scipy.signal import lfilter
    >>> from brianmodels.lif import analysis
    >>> rng = np.random.default_rng(1)
    >>> x = 5.0 + lfilter([1.0], [1.0, -np.exp(-0.01 / 0.1)], rng.standard_normal(40_000))
    >>> ac = analysis.autocorrelation(x, 0.01, max_lag=0.3)
    >>> ac.lag[:3].round(3).tolist(), ac.acf[:3].round(1).tolist()   # exp(-lag / 0.1 s)
    ([0.0, 0.01, 0.02], [1.0, 0.9, 0.8])
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


#: status codes of :class:`AutocorrelationTime` (0 = measured)
OK, NO_ZERO_CROSSING, TOO_SHORT, NOT_SIGNIFICANT, FIT_FAILED = range(5)


@dataclass(frozen=True, eq=False)
class AutocorrelationTime(Result):
    """Autocorrelation time of an activity trace (result of :func:`autocorrelation_time`).

    Follows :class:`brianmodels.result.Result`: ``status`` is an int listed in :attr:`STATUS`,
    ``success`` is ``status == 0``.

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
    status : int
        0 measured; 1 no zero crossing (the ACF stays above 0 ('integral') or above the end of
        the fit range ('exp_fit') up to max_lag: the trace is too short or drifts, tau is
        unreliable); 2 too short (fewer than 3 lags to fit: bins too coarse; tau is NaN);
        3 not significant (fitted correlation at one bin below the white-noise level
        3/sqrt(n_bins); tau is NaN); 4 fit failed (constant trace or no exponential fit; tau
        is NaN).
    message : str
        What happened, in words.
    params : dict
        The settings: ``method``, ``dt_bin`` (s), ``max_lag`` (s), ``fit_until``, ``offset``,
        ``n_bins``.
    table : pandas.DataFrame
        One row: ``tau`` (s), ``amplitude``, ``offset`` (dimensionless), ``fit_start``,
        ``fit_stop`` (lags of the fit range, s), ``method``, ``status``.
    """

    tau: float
    method: str
    amplitude: float
    offset: float
    fit_range: tuple
    acf: ACF
    status: int
    message: str
    params: dict = field(default_factory=dict)

    # status codes, also as class attributes (``AutocorrelationTime.FIT_FAILED``)
    OK, NO_ZERO_CROSSING, TOO_SHORT, NOT_SIGNIFICANT, FIT_FAILED = \
        OK, NO_ZERO_CROSSING, TOO_SHORT, NOT_SIGNIFICANT, FIT_FAILED
    STATUS = {OK: "autocorrelation time measured",
              NO_ZERO_CROSSING: "the ACF does not fall to the end of the fit range before "
                                "max_lag: tau is unreliable",
              TOO_SHORT: "fewer than 3 ACF lags to fit: dt_bin too coarse",
              NOT_SIGNIFICANT: "no correlation above the white-noise level beyond one bin",
              FIT_FAILED: "constant trace or exponential fit failed"}

    @property
    def table(self) -> pd.DataFrame:
        """One row: tau (s), amplitude, offset, fit_start, fit_stop (s), method, status."""
        return pd.DataFrame({"tau": [self.tau], "amplitude": [self.amplitude],
                             "offset": [self.offset], "fit_start": [float(self.fit_range[0])],
                             "fit_stop": [float(self.fit_range[1])], "method": [self.method],
                             "status": [self.status]})


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
        ``tau`` in s with ``status`` (int, :attr:`AutocorrelationTime.STATUS`), ``message``,
        ``params`` and the ACF used.

    Examples
    --------
    An AR(1) trace (a rate fluctuating around 5 Hz) with correlation time 0.1 s, in 10-ms bins:

    >>> import numpy as np
    >>> from scipy.signal import lfilter
    >>> from brianmodels.lif import analysis
    >>> rng = np.random.default_rng(1)
    >>> x = 5.0 + lfilter([1.0], [1.0, -np.exp(-0.01 / 0.1)], rng.standard_normal(40_000))
    >>> res = analysis.autocorrelation_time(x, 0.01)
    >>> round(res.tau, 2), res.status, res.message
    (0.1, 0, 'autocorrelation time measured')
    >>> round(analysis.autocorrelation_time(x, 0.01, method="integral").tau, 2)
    0.1
    """
    if method not in ACF_METHODS:
        raise ValueError(f"method must be one of {ACF_METHODS}; got {method!r}")
    fit_until = _float(fit_until, "fit_until")
    if not 0 <= fit_until < 1:
        raise ValueError(f"fit_until must be in [0, 1); got {fit_until}")
    ac = autocorrelation(x, dt_bin, max_lag=max_lag)
    dt_bin = float(dt_bin)
    lag, acf = ac
    params = {"method": method, "dt_bin": dt_bin, "max_lag": float(lag[-1]),
              "fit_until": fit_until, "offset": bool(offset), "n_bins": int(np.asarray(x).size)}

    def result(tau, amplitude, fit_range, status, message, b=0.0):
        return AutocorrelationTime(tau, method, amplitude, b, fit_range, ac, status, message,
                                   params)

    if not np.all(np.isfinite(acf)):
        return result(np.nan, np.nan, (0.0, 0.0), FIT_FAILED,
                      "x is constant: the autocorrelation is undefined")
    status, message = OK, "autocorrelation time measured"
    level = 0.0 if method == "integral" else fit_until * acf[1]
    below = np.flatnonzero(acf[1:] <= level)
    if below.size:
        end = int(below[0]) + 1
    else:
        end = acf.size
        status = NO_ZERO_CROSSING
        message = (f"the ACF stays above {level:.3g} up to max_lag = {lag[-1]:g} s: the trace is "
                   f"too short or drifts; tau is unreliable (likely underestimated)")
    if method == "integral":
        tau = float(np.trapezoid(acf[:end], dx=dt_bin))
        return result(tau, 1.0, (0.0, float(lag[end - 1])), status, message)
    sel = slice(1, end)
    n_fit = end - 1
    if n_fit < (4 if offset else 3):
        return result(np.nan, np.nan, (dt_bin, float(lag[end - 1])), TOO_SHORT,
                      f"only {n_fit} positive ACF lags to fit: dt_bin {dt_bin:g} s is too coarse "
                      f"for this trace's correlation time")
    lx, ly = lag[sel], acf[sel]
    fit_range = (float(lx[0]), float(lx[-1]))
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
        return result(np.nan, np.nan, fit_range, FIT_FAILED, f"exponential fit failed: {err}")
    b = float(p[2]) if offset else 0.0
    # white noise gives ACF estimates of SD ~ 1/sqrt(n) at every lag > 0 (Bartlett)
    noise = 3.0 / math.sqrt(np.asarray(x).size)
    if p[0] * math.exp(-lx[0] / p[1]) < noise:
        return result(np.nan, float(p[0]), fit_range, NOT_SIGNIFICANT,
                      f"the fitted ACF at lag {lx[0]:g} s is below the white-noise level "
                      f"3/sqrt(n) = {noise:.3g}: no correlation longer than a bin", b)
    return result(float(p[1]), float(p[0]), fit_range, status, message, b)
