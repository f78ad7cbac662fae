"""External input protocols mu_E(t), mu_I(t) (mV/s) of the LIF network simulations.

* :class:`Constant` — fixed mu_E, mu_I (``mu_I = r mu_E`` by default);
* :class:`PiecewiseLinear` — breakpoints (t, mu_E, mu_I), e.g. the paper's slow ramps
  (``presets.info(name)['protocol']``, :func:`from_preset`);
* :class:`Sampled` — arbitrary functions or arrays, e.g. the Eq 5 designed inputs.

A constant protocol is given to the compiled model as a per-neuron value; the others as a
table sampled every ``input_dt`` (the midpoint value of each sample interval, which is the
interval average for linear pieces) that the model reads with a TimedArray.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..units import to_float


def _finite(x, name):
    """``x`` as a float array; TypeError for non-numbers, ValueError for NaN/inf."""
    if x is None:
        raise TypeError(f"{name} must be a number or an array of numbers; got None")
    try:
        x = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or an array of numbers; got {x!r}") from None
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite (no NaN/inf); got {x!r}")
    return x


def _scalar(x, name):
    """A finite scalar (e.g. the input ratio r) as float."""
    x = _finite(x, name)
    if x.ndim:
        raise ValueError(f"{name} must be a finite scalar; got shape {x.shape}")
    return float(x)


@dataclass(frozen=True)
class Constant:
    """Constant external drive.

    Parameters
    ----------
    mu_E, mu_I : float
        Mean drive of E and I neurons in mV/s.

    Examples
    --------
    >>> from brianmodels.lif import inputs
    >>> c = inputs.Constant(mu_E=20.0, mu_I=25.0)
    >>> c.at([0.0, 1.5]).tolist()          # one row (mu_E, mu_I) in mV/s per time
    [[20.0, 25.0], [20.0, 25.0]]
    >>> c.to_dict()
    {'kind': 'constant', 'mu_E': 20.0, 'mu_I': 25.0}

    ``simulate(net, mu_E=20.0, mu_I=25.0)`` makes this protocol itself (:func:`resolve`).
    """

    mu_E: float
    mu_I: float
    timed = False

    def __post_init__(self):
        object.__setattr__(self, "mu_E", _scalar(self.mu_E, "mu_E"))
        object.__setattr__(self, "mu_I", _scalar(self.mu_I, "mu_I"))

    def at(self, t):
        """(len(t), 2) drive in mV/s at times ``t`` (s)."""
        t = np.atleast_1d(np.asarray(t, float))
        return np.tile([self.mu_E, self.mu_I], (t.size, 1))

    def mean(self, t_start, t_stop):
        """(2,) time-averaged drive over [t_start, t_stop) in mV/s."""
        return np.array([self.mu_E, self.mu_I])

    def to_dict(self):
        return {"kind": "constant", "mu_E": self.mu_E, "mu_I": self.mu_I}


@dataclass(frozen=True)
class PiecewiseLinear:
    """Piecewise-linear drive through breakpoints, held constant after the last one.

    Parameters
    ----------
    t : (n,) float
        Increasing breakpoint times in s (first one 0).
    mu_E, mu_I : (n,) float
        Drive at the breakpoints in mV/s.

    Examples
    --------
    >>> from brianmodels.lif import inputs
    >>> p = inputs.PiecewiseLinear(t=(0.0, 10.0), mu_E=(0.0, 20.0), mu_I=(0.0, 10.0))
    >>> p.at([0.0, 5.0, 20.0]).tolist()    # linear in between, held after the last breakpoint
    [[0.0, 0.0], [10.0, 5.0], [20.0, 10.0]]
    >>> p.mean(0.0, 10.0).round(3).tolist()  # time-averaged drive (mV/s) over [0, 10) s
    [10.0, 5.0]

    A simulation along it (``simulate(net, protocol=p, duration=10.0)``) is run in the gallery
    example *Designing inputs for a target trajectory* (``examples/plot_design_inputs.py``).
    """

    t: tuple
    mu_E: tuple
    mu_I: tuple
    timed = True

    def __post_init__(self):
        t = _finite(self.t, "t").ravel()
        e = _finite(self.mu_E, "mu_E").ravel()
        i = _finite(self.mu_I, "mu_I").ravel()
        if not (t.size == e.size == i.size) or t.size < 1:
            raise ValueError(f"t, mu_E and mu_I must have the same length >= 1; got lengths "
                             f"{t.size}, {e.size}, {i.size}")
        if np.any(np.diff(t) < 0) or t[0] < 0:
            raise ValueError(f"t must be non-negative and non-decreasing; got {t.tolist()}")
        for k, v in (("t", t), ("mu_E", e), ("mu_I", i)):
            object.__setattr__(self, k, tuple(v.tolist()))

    def at(self, t):
        t = np.atleast_1d(np.asarray(t, float))
        return np.stack([np.interp(t, self.t, self.mu_E), np.interp(t, self.t, self.mu_I)], axis=1)

    def mean(self, t_start, t_stop):
        tt = np.linspace(t_start, t_stop, 2001)
        return np.trapezoid(self.at(tt), tt, axis=0) / max(t_stop - t_start, 1e-300) \
            if t_stop > t_start else self.at([t_start])[0]

    def to_dict(self):
        return {"kind": "piecewise_linear", "t": list(self.t), "mu_E": list(self.mu_E),
                "mu_I": list(self.mu_I)}


class Sampled:
    """Arbitrary drive given as functions of time or as samples.

    Parameters
    ----------
    mu_E, mu_I : callable or array_like
        Functions ``f(t) -> mV/s`` of time in s (vectorised), or samples in mV/s taken every
        ``sample_dt``; ``mu_I`` may be omitted and is then ``r * mu_E``.
    sample_dt : float, optional
        Spacing (s) of array samples (required for arrays).
    r : float
        Ratio mu_I / mu_E when ``mu_I`` is None.

    Examples
    --------
    A function of time (s), with ``mu_I = r mu_E``:

    >>> import numpy as np
    >>> from brianmodels.lif import inputs
    >>> s = inputs.Sampled(lambda t: 20.0 + 5.0 * np.sin(2 * np.pi * t), r=1.2)
    >>> s.at([0.0, 0.25]).round(3).tolist()
    [[20.0, 24.0], [25.0, 30.0]]

    Samples (mV/s), each held for ``sample_dt`` s, the last one after the end:

    >>> s = inputs.Sampled([10.0, 20.0, 30.0], [5.0, 5.0, 5.0], sample_dt=1.0)
    >>> s.at([0.5, 1.5, 9.0]).tolist()
    [[10.0, 5.0], [20.0, 5.0], [30.0, 5.0]]

    The gallery example *Designing inputs for a target trajectory*
    (``examples/plot_design_inputs.py``) simulates the Eq 5 designed inputs given this way.
    """

    timed = True

    def __init__(self, mu_E, mu_I=None, *, sample_dt=None, r=1.0):
        self.r = _scalar(r, "r")
        arrays = [name for v, name in ((mu_E, "mu_E"), (mu_I, "mu_I"))
                  if v is not None and not callable(v)]
        if arrays:
            if sample_dt is None:
                raise ValueError(f"sample_dt (s, > 0) is required for sampled arrays ({arrays})")
            if _scalar(sample_dt, "sample_dt") <= 0:
                raise ValueError(f"sample_dt must be > 0 s; got {sample_dt!r}")
        self.sample_dt = None if sample_dt is None else _scalar(sample_dt, "sample_dt")
        vals = []
        for v, name in ((mu_E, "mu_E"), (mu_I, "mu_I")):
            if v is not None and not callable(v):
                v = _finite(v, name)
                if v.ndim != 1 or v.size == 0:
                    raise ValueError(f"{name} must be a function of t or a non-empty 1-D array of "
                                     f"samples (mV/s); got shape {v.shape}")
            vals.append(v)
        self._E, self._I = vals

    def _eval(self, f, t, name):
        if callable(f):
            v = np.asarray(f(t), dtype=float)
            if v.shape not in ((), t.shape):
                raise ValueError(f"Sampled {name}(t) must return one value per time (shape "
                                 f"{t.shape}); got shape {v.shape}")
            return _finite(np.broadcast_to(v, t.shape), f"Sampled {name}(t)")
        k = np.clip((t / self.sample_dt).astype(int), 0, f.size - 1)
        return f[k]

    def at(self, t):
        t = np.atleast_1d(np.asarray(t, float))
        e = self._eval(self._E, t, "mu_E")
        i = self.r * e if self._I is None else self._eval(self._I, t, "mu_I")
        return np.stack([e, i], axis=1)

    def mean(self, t_start, t_stop):
        tt = np.linspace(t_start, t_stop, 20001)
        return self.at(tt).mean(axis=0)

    def to_dict(self):
        return {"kind": "sampled", "sample_dt": self.sample_dt, "r": self.r}


def ramp(breakpoints, r=None):
    """Piecewise-linear protocol from (t [s], mu_E [mV/s], mu_I [mV/s]) breakpoints.

    Parameters
    ----------
    breakpoints : sequence of (t, mu_E, mu_I) or (t, mu_E)
        With two columns, ``mu_I = r * mu_E``.
    r : float, optional
        Input ratio for two-column breakpoints (default 1).

    Returns
    -------
    PiecewiseLinear

    Examples
    --------
    >>> from brianmodels.lif import inputs
    >>> p = inputs.ramp([(0.0, 0.0), (50.0, 50.0)], r=0.8)   # rows (t, mu_E): mu_I = 0.8 mu_E
    >>> p.mu_I
    (0.0, 40.0)
    >>> p.at([25.0]).tolist()
    [[25.0, 20.0]]
    >>> inputs.ramp([(0.0, 10.0, 5.0), (2.0, 30.0, 5.0)]).at([1.0]).tolist()  # (t, mu_E, mu_I)
    [[20.0, 5.0]]
    """
    bp = _finite(breakpoints, "breakpoints")
    if bp.ndim != 2 or bp.shape[1] not in (2, 3) or bp.shape[0] < 1:
        raise ValueError(f"breakpoints must be rows (t, mu_E, mu_I) or (t, mu_E); got shape "
                         f"{bp.shape}")
    if bp.shape[1] == 3 and r is not None:
        raise ValueError("r applies to two-column breakpoints (t, mu_E) only; got three columns")
    mu_I = bp[:, 2] if bp.shape[1] == 3 else bp[:, 1] * (1.0 if r is None else _scalar(r, "r"))
    return PiecewiseLinear(tuple(bp[:, 0]), tuple(bp[:, 1]), tuple(mu_I))


def from_preset(name, *, scale=1.0):
    """The paper's input protocol of preset ``name`` (``presets.info(name)['protocol']``).

    Parameters
    ----------
    name : str
        A preset name (``presets.names()``).
    scale : float
        Factor on the drive (e.g. ``net.mu_scale(N)`` for the sqrt(N) convention).

    Returns
    -------
    PiecewiseLinear

    Examples
    --------
    >>> from brianmodels.lif import inputs
    >>> p = inputs.from_preset("supersaturating")   # Fig 2A: 0 -> 50 mV/s in 50 s, mu_I = mu_E
    >>> p.t, p.mu_E, p.mu_I
    ((0.0, 50.0), (0.0, 50.0), (0.0, 50.0))
    >>> inputs.from_preset("supersaturating", scale=2.0).mu_E
    (0.0, 100.0)
    """
    from .. import presets

    bp = np.array(presets.info(name)["protocol"], float)
    bp[:, 1:] *= _scalar(scale, "scale")
    return ramp(bp)


def resolve(mu_E=None, r=None, mu_I=None, protocol=None):
    """One input protocol from the user's arguments (validated).

    Parameters
    ----------
    mu_E : float or Brian2 quantity, optional
        Constant drive of E in mV/s.
    r : float, optional
        mu_I / mu_E (default 1) when ``mu_I`` is not given.
    mu_I : float, optional
        Constant drive of I in mV/s (at most one of ``r`` and ``mu_I``).
    protocol : Constant, PiecewiseLinear or Sampled, optional
        Time-dependent input (then ``mu_E``/``mu_I`` must be None).

    Returns
    -------
    Constant, PiecewiseLinear or Sampled

    Examples
    --------
    >>> from brianmodels.lif import inputs
    >>> inputs.resolve(20.0, r=0.5)
    Constant(mu_E=20.0, mu_I=10.0)
    >>> inputs.resolve(20.0, mu_I=30.0)
    Constant(mu_E=20.0, mu_I=30.0)
    >>> inputs.resolve(protocol=inputs.from_preset("supersaturating")).timed
    True
    """
    if protocol is not None:
        if mu_E is not None or mu_I is not None:
            raise ValueError("give either protocol or mu_E/mu_I, not both")
        missing = [a for a in ("at", "mean", "timed", "to_dict") if not hasattr(protocol, a)]
        if missing:
            raise TypeError(f"protocol must be an input protocol (inputs.Constant, ramp(...), "
                            f"Sampled: with at(t), mean(t0, t1), timed, to_dict()); got "
                            f"{type(protocol).__name__} without {missing}")
        return protocol
    if mu_E is None:
        raise ValueError("mu_E (mV/s) is required when no protocol is given")
    if r is not None and mu_I is not None:
        raise ValueError("give either r or mu_I, not both")
    mu_E = to_float(mu_E, "drive", "mu_E")
    if np.ndim(mu_E):
        raise ValueError("mu_E must be a scalar here (use sweep() for several values)")
    rr = 1.0 if r is None else _scalar(r, "r")
    mI = rr * mu_E if mu_I is None else to_float(mu_I, "drive", "mu_I")
    return Constant(mu_E, mI)
