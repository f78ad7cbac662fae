"""The balance factor of each neuron, BF_i = -<I^I_i> / (<I^E_i> + <I^ext_i>)
(``docs/theory/ssn_lif.md`` §12)."""
from __future__ import annotations

import numpy as np

from ._common import _float, _in_window


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
        its mean, the drive of the neurons' own population (``mu_E`` for E neurons, ``mu_I`` for
        I neurons; the noise averages out).
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

    Examples
    --------
    Time-averaged currents (mV/s) of two neurons with an external drive of 20 mV/s:

    >>> from brianmodels.lif import analysis
    >>> analysis.balance_factor([30.0, 40.0], [-45.0, -30.0], 20.0).round(3).tolist()
    [0.9, 0.5]

    Recorded traces, averaged over the last second only:

    >>> import numpy as np
    >>> t = np.arange(0.0, 2.0, 0.5)                          # recording times (s)
    >>> I_E, I_I = np.full((1, 4), 30.0), np.array([[-10.0, -10.0, -45.0, -45.0]])
    >>> analysis.balance_factor(I_E, I_I, 20.0, t=t, t_start=1.0).round(3).tolist()
    [0.9]
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
