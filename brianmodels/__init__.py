"""brianmodels: spiking and rate E-I networks as Brian2 equation strings, run with
Brian2's C++ standalone device.

Network descriptions and presets (``brianmodels.network``, ``brianmodels.presets``)
are plain Python and never import brian2; the simulation entry points load brian2
lazily on first use (PEP 562), so ``from brianmodels import presets`` is cheap.
"""
from importlib import import_module as _import_module

__version__ = "0.1.0"

# public name -> submodule that defines it (one place for each)
_EXPORTS = {
    "LIFNetwork": "brianmodels.network",
    "simulate": "brianmodels.lif.simulate",
    "sweep": "brianmodels.lif.sweep",
    "simulate_rate_network": "brianmodels.rate.simulate",
    "rate_sweep": "brianmodels.rate.sweep",
    "to_brian2": "brianmodels.lif.brian2_network",
    "from_brian2": "brianmodels.lif.brian2_runs",
}
_SUBMODULES = {"presets", "network", "units", "seeds", "result", "export"}

__all__ = sorted(set(_EXPORTS) | _SUBMODULES)


def __getattr__(name):
    if name in _SUBMODULES:
        value = _import_module(f"brianmodels.{name}")
    elif name in _EXPORTS:
        value = getattr(_import_module(_EXPORTS[name]), name)
    else:
        raise AttributeError(f"module 'brianmodels' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
