"""The one seed rule of every simulator (LIF and rate networks).

Two seeds, named the same in every function, with the same defaults in ``simulate`` and ``sweep``:

``seed``
    The *dynamics* seed: the noise of the neurons and the initial condition (rate networks have
    no noise, so there it is the initial condition only).
``connectivity_seed``
    The *network realisation*: who connects to whom and the random weights.

Sweeps take the plural, ``seeds=`` and ``connectivity_seeds=``, and run every combination, so
averaging over network realisations is one argument. A point run by ``simulate`` or by
``sweep`` with the same two seeds gives identical spikes.
"""
from __future__ import annotations

import numbers

import numpy as np

#: default dynamics seed (noise and initial condition) of every simulator
SEED = 1
#: default connectivity seed (network realisation) of every simulator
CONNECTIVITY_SEED = 1

#: Seeds are integers in [0, SEED_LIMIT) (they travel as int64).
SEED_LIMIT = 2**63


def to_seed(value, name: str = "seed") -> int:
    """``value`` as a random seed, a Python int in ``[0, 2**63)``.

    An integer (Python or numpy), not a float or a bool: a ``TypeError`` otherwise, a
    ``ValueError`` outside the range, both naming the parameter ``name``.

    Examples
    --------
    >>> from brianmodels.seeds import to_seed
    >>> to_seed(7)
    7
    >>> to_seed(1.5)
    Traceback (most recent call last):
        ...
    TypeError: seed must be a non-negative integer (< 2**63); got float 1.5
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a non-negative integer (< 2**63); got "
                        f"{type(value).__name__} {value!r}")
    if not 0 <= int(value) < SEED_LIMIT:
        raise ValueError(f"{name} must be in [0, 2**63); got {value}")
    return int(value)


def to_seeds(values, name: str = "seeds") -> list:
    """A non-empty list of seeds (:func:`to_seed` each) from an int or a sequence of ints.

    Raises
    ------
    TypeError, ValueError
        Naming ``name`` (an element that is not a seed, or an empty sequence).

    Examples
    --------
    >>> from brianmodels.seeds import to_seeds
    >>> to_seeds(3), to_seeds([1, 2, 3], "connectivity_seeds")
    ([3], [1, 2, 3])
    """
    out = [to_seed(s, name) for s in np.atleast_1d(np.asarray(values, dtype=object))]
    if not out:
        raise ValueError(f"{name} must hold at least one seed; got an empty sequence")
    return out


__all__ = ["SEED", "CONNECTIVITY_SEED", "SEED_LIMIT", "to_seed", "to_seeds"]
