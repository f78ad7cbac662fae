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

#: default dynamics seed (noise and initial condition) of every simulator
SEED = 1
#: default connectivity seed (network realisation) of every simulator
CONNECTIVITY_SEED = 1

__all__ = ["SEED", "CONNECTIVITY_SEED"]
