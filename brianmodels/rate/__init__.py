"""Sparse-balance random rate networks (Khajeh, Fumarola & Abbott 2022).

Modules: :mod:`.params` (validated parameters and the network's defaults, ``DEFAULTS``, shared
with the DMFT of :mod:`meanfield.sparse_balance`), :mod:`.activations` (the one phi table of
simulation and theory),
:mod:`.weights` (the four weight distributions), :mod:`.fastpath` (numba activity-sparse and
NumPy dense kernels), :mod:`.brian2_model` (Brian2 C++ standalone path), :mod:`.measures`
(online observables, ``docs/theory/sparse_balance.md`` §2), :mod:`.simulate` (``simulate_rate_network``) and
:mod:`.sweep` (``rate_sweep``, parallel and resumable K sweeps).

Importing this package does not import brian2 or numba; the submodules load them when used.
"""
from importlib import import_module as _import_module

_EXPORTS = {
    "simulate_rate_network": "brianmodels.rate.simulate",
    "RateResult": "brianmodels.rate.simulate",
    "rate_sweep": "brianmodels.rate.sweep",
    "RateSweepResult": "brianmodels.rate.sweep",
    "DEFAULTS": "brianmodels.rate.params",
    "RateNetworkSpec": "brianmodels.rate.params",
    "weight_matrix": "brianmodels.rate.weights",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(_import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'brianmodels.rate' has no attribute {name!r}")
