"""The one place where Brian2 quantities and user numbers become the plain floats and ints of
the theory, and back.

``meanfield`` works in plain floats (``docs/theory/README.md``, conventions): rates in Hz, drive mu in mV/s, noise sigma in
mV/sqrt(s), potentials in mV, times in s. The Brian2 side accepts either Brian2 quantities or
plain floats already in those units. This module imports brian2 only when it meets a quantity
(or when asked for a Brian2 unit), so it is safe to use from brian2-free code.

Examples
--------
>>> from brianmodels.units import to_float
>>> to_float(2.5, "time", "duration")
2.5
"""
from __future__ import annotations

import math
import numbers

import numpy as np


#: kind -> (meanfield unit as text, Brian2 expression of that unit)
KINDS = {
    "time": ("s", "second"),
    "rate": ("Hz", "Hz"),
    "voltage": ("mV", "mV"),
    "drive": ("mV/s", "mV/second"),
    "noise": ("mV/sqrt(s)", "mV/second**0.5"),
}


def brian_unit(kind: str):
    """The Brian2 quantity equal to one meanfield unit of ``kind`` (imports brian2).

    Parameters
    ----------
    kind : {'time', 'rate', 'voltage', 'drive', 'noise'}

    Examples
    --------
    >>> from brianmodels.units import brian_unit
    >>> print(brian_unit("rate"))
    Hz
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}; got {kind!r}")
    import brian2

    return eval(KINDS[kind][1], {}, vars(brian2))  # expressions above are fixed literals


def is_quantity(value) -> bool:
    """True if ``value`` carries Brian2 physical dimensions.

    Examples
    --------
    >>> import brian2
    >>> from brianmodels.units import is_quantity
    >>> is_quantity(3.0), is_quantity(3.0 * brian2.ms)
    (False, True)
    """
    return hasattr(value, "dim") and hasattr(value, "dimensions")


def to_float(value, kind: str, name: str, *, finite: bool = True):
    """Convert ``value`` to a float (or float array) in the meanfield unit of ``kind``.

    Parameters
    ----------
    value : float, array_like or brian2.Quantity
        Plain numbers are taken to be in the meanfield unit already (s, Hz, mV, mV/s, mV/sqrt(s)).
    kind : {'time', 'rate', 'voltage', 'drive', 'noise'}
        Physical kind of the value.
    name : str
        Parameter name, used in error messages.
    finite : bool
        Reject NaN and infinities.

    Returns
    -------
    float or numpy.ndarray
        In the meanfield unit of ``kind``.

    Raises
    ------
    TypeError
        A quantity of the wrong dimensions, or a non-numeric value.
    ValueError
        Non-finite values when ``finite`` is true.

    Examples
    --------
    Plain numbers are already in the package's units; Brian2 quantities are converted:

    >>> import brian2
    >>> from brianmodels.units import to_float
    >>> to_float(2.5, "time", "duration")
    2.5
    >>> round(to_float(2.0 * brian2.ms, "time", "duration"), 6)          # s
    0.002
    >>> round(to_float(20 * brian2.mV / brian2.second, "drive", "mu_E"), 6)   # mV/s
    20.0
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}; got {kind!r}")
    if value is None:
        raise TypeError(f"{name} must be a number or array in {KINDS[kind][0]} "
                        f"(or a Brian2 quantity); got None")
    if is_quantity(value):
        unit = brian_unit(kind)
        if value.dim != unit.dim:
            raise TypeError(f"{name} must be a {kind} in units of {KINDS[kind][0]}; "
                            f"got a quantity with dimensions {value.dim}")
        out = np.asarray(value / unit, dtype=float)
    else:
        try:
            out = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a number or array in {KINDS[kind][0]} "
                            f"(or a Brian2 quantity); got {type(value).__name__}") from None
    if finite and not np.all(np.isfinite(out)):
        raise ValueError(f"{name} must be finite; got {value!r}")
    return float(out) if out.ndim == 0 else out


def int_range(lo=None, hi=None) -> str:
    """The range of an integer setting as text for messages: ``" in [lo, hi]"``, ``" >= lo"``,
    ``" <= hi"`` or ``""``.

    Examples
    --------
    >>> from brianmodels.units import int_range
    >>> int_range(1, 10), int_range(lo=0), int_range()
    (' in [1, 10]', ' >= 0', '')
    """
    if lo is not None and hi is not None:
        return f" in [{lo}, {hi}]"
    if lo is not None:
        return f" >= {lo}"
    if hi is not None:
        return f" <= {hi}"
    return ""


def to_mapping(value, name: str, allowed, *, what: str, keys_note: str = "") -> dict:
    """An optional mapping argument whose keys are among ``allowed`` (None -> ``{}``).

    The one check of dict-valued settings (per-neuron overrides, per-pathway weights): the type
    and the keys are checked before any value is looked at.

    Parameters
    ----------
    value : dict or None
    name : str
        Parameter name, used in error messages.
    allowed : sequence of str
        The accepted keys, in the order the messages list them.
    what : str
        What the dict maps, for the TypeError (``f"{name} must be a dict {what}"``).
    keys_note : str, optional
        Appended to the list of allowed keys in the ValueError (e.g. ``" (target then source)"``).

    Returns
    -------
    dict
        ``value`` itself (not copied), or ``{}`` for None.

    Raises
    ------
    TypeError
        ``value`` is not a dict.
    ValueError
        A key is not among ``allowed``.

    Examples
    --------
    >>> from brianmodels.units import to_mapping
    >>> to_mapping(None, "synapse_weights", ["EE", "EI"], what="pathway -> weights")
    {}
    >>> to_mapping({"XX": 1}, "synapse_weights", ["EE", "EI"], what="pathway -> weights")
    Traceback (most recent call last):
        ...
    ValueError: synapse_weights keys must be among ['EE', 'EI']; got 'XX'
    """
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError(f"{name} must be a dict {what}; got {type(value).__name__}")
    allowed = list(allowed)
    for key in value:
        if key not in allowed:
            raise ValueError(f"{name} keys must be among {allowed}{keys_note}; got {key!r}")
    return value


def to_int(value, name: str, *, lo=None, hi=None) -> int:
    """An integer-valued number (an int, or a float with an integer value) as a Python int.

    The one check of integer settings (sizes, counts, grid sizes, iteration counts) in both
    packages: ``meanfield._validate.check_int`` is this function.

    Parameters
    ----------
    value : int or float
        Python or numpy integers, or real numbers with an integer value (``300.0``); booleans,
        strings, None and other objects are refused.
    name : str
        Parameter name, used in error messages.
    lo, hi : int, optional
        Inclusive bounds (None: unbounded).

    Returns
    -------
    int

    Raises
    ------
    TypeError
        Not a real number (or a bool).
    ValueError
        Not an integer value, or outside ``[lo, hi]``.

    Examples
    --------
    >>> from brianmodels.units import to_int
    >>> to_int(300.0, "n_grid", lo=3)
    300
    >>> to_int(2, "n_grid", lo=3)
    Traceback (most recent call last):
        ...
    ValueError: n_grid must be an integer >= 3; got 2
    """
    rng = int_range(lo, hi)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be an integer{rng}; got {type(value).__name__} {value!r}")
    if not isinstance(value, numbers.Integral):
        if not math.isfinite(value) or value != math.floor(value):
            raise ValueError(f"{name} must be an integer{rng}; got {value!r}")
    v = int(value)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ValueError(f"{name} must be an integer{rng}; got {value!r}")
    return v


def to_quantity(value, kind: str):
    """A plain float (meanfield unit of ``kind``) as a Brian2 quantity (imports brian2).

    Examples
    --------
    >>> from brianmodels.units import to_quantity
    >>> print(to_quantity(0.02, "time"))
    20. ms
    """
    return np.asarray(value, dtype=float) * brian_unit(kind)
