"""Input checks shared by the ``meanfield`` solvers.

Every helper raises a ``ValueError`` (bad value) or ``TypeError`` (bad kind) whose message names
the parameter and the allowed range, so that bad input is rejected *before* any long computation.
They return plain floats / float numpy arrays so callers can use the result directly.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "as_float_array",
    "as_float",
    "check_finite",
    "check_positive",
    "check_nonnegative",
    "check_in_range",
    "check_less",
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
    """Return ``x`` as a float array after checking that it is finite and > 0.

    Parameters
    ----------
    x : array_like
        Values to check.
    name : str
        Parameter name used in error messages.
    unit : str
        Unit shown in the message (e.g. ``'s'``).
    """
    arr = check_finite(x, name)
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be > 0{_u(unit)}; got {_show(arr, arr <= 0)}")
    return arr


def check_nonnegative(x, name: str, unit: str = "") -> np.ndarray:
    """Return ``x`` as a float array after checking that it is finite and >= 0.

    Parameters
    ----------
    x : array_like
        Values to check.
    name : str
        Parameter name used in error messages.
    unit : str
        Unit shown in the message.
    """
    arr = check_finite(x, name)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0{_u(unit)}; got {_show(arr, arr < 0)}")
    return arr


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
        lb = "[" if low_inclusive else "("
        hb = "]" if high_inclusive else ")"
        raise ValueError(f"{name} must lie in {lb}{low:g}, {high:g}{hb}{_u(unit)}; "
                         f"got {_show(arr, ~(ok_low & ok_high))}")
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
