"""Input checks shared by the ``meanfield`` solvers.

Every helper raises a ``ValueError`` (bad value) or ``TypeError`` (bad kind) whose message names
the parameter and the allowed range, so that bad input is rejected *before* any long computation.
They return plain floats / float numpy arrays so callers can use the result directly.

Conventions shared by the public functions of ``meanfield``:

* element-wise functions (``phi``, ``phi_grad``, ``cv_isi``, ``inputs_for``, ...) follow numpy:
  an empty array gives an empty result;
* solvers, sweeps and table builders need at least one input point (:func:`check_nonempty`),
  and their integer settings (grid sizes, iteration counts, refinements) are real integers in a
  stated range (:func:`check_int`), tolerances finite and > 0 (:func:`check_float`), flags real
  booleans (:func:`check_bool`);
* unknown keyword arguments forwarded to another function are refused up front, naming the
  allowed ones (:func:`check_kwargs`).
"""
from __future__ import annotations

import numbers

import numpy as np

from brianmodels.units import to_int as _to_int   # the one integer check of both packages

__all__ = [
    "as_float_array",
    "as_float",
    "check_finite",
    "check_positive",
    "check_nonnegative",
    "check_in_range",
    "check_less",
    "check_float",
    "check_int",
    "check_bool",
    "check_choice",
    "check_nonempty",
    "check_vector",
    "broadcast",
    "check_kwargs",
    "check_pair",
    "check_drive",
]


def as_float_array(x, name: str, *, ndim=None) -> np.ndarray:
    """Convert ``x`` to a float64 numpy array, rejecting non-numeric input.

    Parameters
    ----------
    x : array_like
        Value to convert (numbers, sequences of numbers, numpy arrays).
    name : str
        Parameter name used in error messages.
    ndim : int or None
        If given, the required number of dimensions.

    Returns
    -------
    numpy.ndarray
        ``x`` as float64 (a copy only when a conversion is needed).

    Raises
    ------
    TypeError
        If ``x`` is not numeric (strings, objects, complex numbers, None).
    ValueError
        If ``ndim`` is given and does not match.
    """
    if x is None or isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be a real number or an array of real numbers; got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except Exception as exc:  # pragma: no cover - exotic inputs
        raise TypeError(f"{name} must be a real number or an array of real numbers; got {x!r}") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a real number or an array of real numbers; got dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s); got shape {arr.shape}")
    return arr


def as_float(x, name: str) -> float:
    """Convert a real scalar to ``float`` (TypeError for non-real or non-scalar input).

    Parameters
    ----------
    x : real number
        Value to convert.
    name : str
        Parameter name used in error messages.
    """
    if isinstance(x, bool) or not isinstance(x, (numbers.Real, np.floating, np.integer)):
        arr = np.asarray(x) if not isinstance(x, (str, bytes)) else None
        if arr is None or arr.ndim != 0 or arr.dtype.kind not in "iuf":
            raise TypeError(f"{name} must be a real scalar; got {x!r}")
        x = arr.item()
    return float(x)


def check_finite(x, name: str) -> np.ndarray:
    """Return ``x`` as a float array after checking that every element is finite.

    Parameters
    ----------
    x : array_like
        Values to check.
    name : str
        Parameter name used in error messages.
    """
    arr = as_float_array(x, name)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf); got {_show(arr, ~np.isfinite(arr))}")
    return arr


def check_positive(x, name: str, unit: str = "") -> np.ndarray:
    """Return ``x`` as a float array after checking that it is finite and > 0 (``name``: the
    parameter named in the message, ``unit``: its unit, e.g. ``'s'``); :func:`check_in_range`
    with low = 0 excluded."""
    return check_in_range(x, name, 0.0, low_inclusive=False, unit=unit)


def check_nonnegative(x, name: str, unit: str = "") -> np.ndarray:
    """Return ``x`` as a float array after checking that it is finite and >= 0 (arguments as
    :func:`check_positive`); :func:`check_in_range` with low = 0."""
    return check_in_range(x, name, 0.0, unit=unit)


def check_in_range(x, name: str, low=-np.inf, high=np.inf, *, low_inclusive=True,
                   high_inclusive=True, unit: str = "") -> np.ndarray:
    """Return ``x`` as a float array after checking ``low <= x <= high`` (inclusivity selectable).

    Parameters
    ----------
    x : array_like
        Values to check (must also be finite).
    name : str
        Parameter name used in error messages.
    low, high : float
        Bounds of the allowed interval.
    low_inclusive, high_inclusive : bool
        Whether the bounds themselves are allowed.
    unit : str
        Unit shown in the message.
    """
    arr = check_finite(x, name)
    ok_low = arr >= low if low_inclusive else arr > low
    ok_high = arr <= high if high_inclusive else arr < high
    if not (np.all(ok_low) and np.all(ok_high)):
        if np.isinf(high):
            allowed = f"{'>=' if low_inclusive else '>'} {low:g}"
        elif np.isinf(low):
            allowed = f"{'<=' if high_inclusive else '<'} {high:g}"
        else:
            allowed = (f"in {'[' if low_inclusive else '('}{low:g}, {high:g}"
                       f"{']' if high_inclusive else ')'}")
        raise ValueError(f"{name} must be {allowed}{_u(unit)}; got {_show(arr, ~(ok_low & ok_high))}")
    return arr


def check_less(a, b, name_a: str, name_b: str) -> None:
    """Check elementwise ``a < b`` (after broadcasting), naming both parameters.

    Parameters
    ----------
    a, b : array_like
        Values to compare.
    name_a, name_b : str
        Their parameter names.
    """
    a, b = np.broadcast_arrays(np.asarray(a), np.asarray(b))
    ok = a < b
    if not np.all(ok):
        raise ValueError(f"{name_a} must be < {name_b}; got {name_a}={_show(a, ~ok)}, {name_b}={_show(b, ~ok)}")


def _u(unit):
    return f" {unit}" if unit else ""


def _show(arr, bad=None):
    """Short text of a value; for arrays, the first offending elements (mask ``bad``)."""
    arr = np.asarray(arr)
    if arr.ndim == 0:
        return repr(arr.item())
    sel = arr[np.broadcast_to(bad, arr.shape)] if bad is not None else arr.ravel()
    return f"{sel[:4].tolist()} (array of shape {arr.shape})"


def check_float(x, name: str, low=-np.inf, high=np.inf, *, low_inclusive=True, high_inclusive=True,
                unit: str = "") -> float:
    """Return a real scalar as ``float`` after checking that it is finite and in range.

    Parameters
    ----------
    x : real number
        Value to check (TypeError for arrays, strings, None, bools).
    name : str
        Parameter name used in error messages.
    low, high : float
        Bounds of the allowed interval (default: any finite value).
    low_inclusive, high_inclusive : bool
        Whether the bounds themselves are allowed.
    unit : str
        Unit shown in the message.

    Returns
    -------
    float
    """
    value = as_float(x, name)
    return float(check_in_range(value, name, low, high, low_inclusive=low_inclusive,
                                high_inclusive=high_inclusive, unit=unit))


def check_int(x, name: str, low=None, high=None) -> int:
    """Return an integer setting (grid size, iteration count, ...) after checking its range.

    Integral floats (``300.0``) are accepted; fractional values, bools, strings and None are not.

    Parameters
    ----------
    x : int
        Value to check.
    name : str
        Parameter name used in error messages.
    low, high : int or None
        Inclusive bounds (None: unbounded).

    Returns
    -------
    int
    """
    return _to_int(x, name, lo=low, hi=high)


def check_bool(x, name: str) -> bool:
    """Return a flag after checking that it is a bool (``True``/``False``, numpy bools too).

    Parameters
    ----------
    x : bool
        Value to check (strings such as ``'no'`` are refused: they would count as True).
    name : str
        Parameter name used in error messages.
    """
    if not isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {x!r}")
    return bool(x)


def check_choice(x, name: str, choices) -> str:
    """Return ``x`` after checking that it is one of ``choices`` (exact match).

    Parameters
    ----------
    x : object
        Value to check.
    name : str
        Parameter name used in error messages.
    choices : sequence
        Allowed values.
    """
    if not isinstance(x, str) or x not in choices:
        raise ValueError(f"{name} must be one of {', '.join(repr(c) for c in choices)}; got {x!r}")
    return x


def check_nonempty(arr, name: str, min_size: int = 1, what: str = "value") -> np.ndarray:
    """Check that an array holds at least ``min_size`` elements (solvers need input points).

    Parameters
    ----------
    arr : numpy.ndarray
        Array to check (already converted).
    name : str
        Parameter name used in error messages.
    min_size : int
        Smallest allowed number of elements.
    what : str
        What one element is, for the message (e.g. ``'input point'``).
    """
    if np.size(arr) < min_size:
        plural = "s" if min_size != 1 else ""
        raise ValueError(f"{name} must hold at least {min_size} {what}{plural}; got {np.size(arr)} "
                         f"(shape {np.shape(arr)})")
    return arr


def check_vector(x, name: str, *, min_size: int = 1, what: str = "value") -> np.ndarray:
    """A scalar or 1-D sequence of finite reals as a 1-D float array with >= ``min_size`` elements.

    Parameters
    ----------
    x : float or array_like
        Values (a scalar counts as one element; 2-D and higher input is refused, not flattened).
    name : str
        Parameter name used in error messages.
    min_size : int
        Smallest allowed number of elements.
    what : str
        What one element is, for the message.
    """
    arr = check_finite(x, name)
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or a 1-D sequence of {what}s; got shape {arr.shape}")
    arr = np.atleast_1d(arr)
    return check_nonempty(arr, name, min_size, what)


def broadcast(**arrays):
    """Broadcast named arrays together; a ValueError names them and their shapes on mismatch.

    Parameters
    ----------
    **arrays : array_like
        Parameter name -> value, in argument order.

    Returns
    -------
    list of numpy.ndarray
        The broadcast arrays (views), in the order given.
    """
    try:
        return list(np.broadcast_arrays(*(np.asarray(a) for a in arrays.values())))
    except ValueError:
        names = list(arrays)
        shapes = ", ".join(f"{k} {np.shape(v)}" for k, v in arrays.items())
        raise ValueError(f"{', '.join(names[:-1])} and {names[-1]} must broadcast to a common shape; "
                         f"got shapes {shapes}") from None


def check_pair(x, name: str, unit: str = "", *, scalar: bool = False, check=None, minimum=None) -> np.ndarray:
    """One value per population (E, I) as a float array of shape (2,).

    The one place that turns a per-population parameter (a scalar or an (E, I) pair) into a
    length-2 array.

    Parameters
    ----------
    x : float or array_like
        ``(value_E, value_I)``, or one value for both when ``scalar`` is True.
    name : str
        Parameter name used in error messages.
    unit : str
        Unit named in error messages (e.g. ``'s'``).
    scalar : bool
        Whether a scalar is accepted (and used for both populations).
    check : callable, optional
        ``check(arr, name)`` applied to the array first (default :func:`check_finite`), e.g.
        ``lambda a, n: check_positive(a, n, 's')``.
    minimum : float, optional
        Smallest allowed value (inclusive).

    Returns
    -------
    numpy.ndarray, shape (2,)
    """
    arr = as_float_array(x, name)
    if arr.ndim == 0 and not scalar:
        raise ValueError(f"{name} must be a length-2 sequence (E, I){_u(unit)}; got a scalar {x!r}")
    arr = (check or check_finite)(arr, name)
    if arr.ndim == 0:
        arr = np.full(2, float(arr))
    if arr.shape != (2,):
        what = "a scalar or a length-2 sequence" if scalar else "a length-2 sequence"
        raise ValueError(f"{name} must be {what} (E, I); got shape {arr.shape}")
    if minimum is not None and np.any(arr < minimum):
        raise ValueError(f"{name} must be >= {minimum:g} (E, I); got {arr.tolist()}")
    return arr


def check_drive(mu_E, r=None, mu_I=None, *, names=("mu_E", "r", "mu_I")):
    """The external drive (mu_E, mu_I) from ``mu_E`` and at most one of ``r`` and ``mu_I``.

    The one rule of every theory function ``f(obj, mu_E, *, r=None, mu_I=None)``: give the I drive
    either as the ratio ``r = mu_I / mu_E`` or directly as ``mu_I`` (mV/s), not both; with neither,
    ``r = 1``.

    Parameters
    ----------
    mu_E : float or array_like
        External drive of E (mV/s), finite.
    r : float or array_like, optional
        Input ratio mu_I / mu_E, finite, broadcast against ``mu_E``.
    mu_I : float or array_like, optional
        External drive of I (mV/s), finite, broadcast against ``mu_E``.
    names : (str, str, str)
        Parameter names used in error messages (e.g. ``('mu_hat_E', 'r', 'mu_hat_I')``).

    Returns
    -------
    mu_E, mu_I, r : numpy.ndarray
        Broadcast float arrays; ``r`` is ``mu_I / mu_E`` (NaN where mu_E = 0 with explicit mu_I).
    """
    nE, nr, nI = names
    if r is not None and mu_I is not None:
        raise ValueError(f"give either {nI} (mV/s) or {nr} = {nI}/{nE}, not both")
    mu_E = check_finite(mu_E, nE)
    if mu_I is None:
        r = check_finite(1.0 if r is None else r, nr)
        mu_E, r = broadcast(**{nE: mu_E, nr: r})
        return mu_E, r * mu_E, r
    mu_I = check_finite(mu_I, nI)
    mu_E, mu_I = broadcast(**{nE: mu_E, nI: mu_I})
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(mu_E != 0, mu_I / np.where(mu_E != 0, mu_E, 1.0), np.nan)
    return mu_E, mu_I, r


def check_kwargs(kwargs, allowed, where: str) -> dict:
    """Refuse keyword arguments that ``where`` would only reject after work has started.

    Parameters
    ----------
    kwargs : dict
        The keyword arguments given.
    allowed : iterable of str
        Accepted names.
    where : str
        The function they are passed to, for the message.
    """
    allowed = sorted(set(allowed))
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        raise TypeError(f"unknown keyword argument(s) {unknown} for {where}; allowed: {allowed}")
    return kwargs
