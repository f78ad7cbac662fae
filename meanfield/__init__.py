"""meanfield: theory for E-I networks (plain floats, no brian2).

Units everywhere in this package: rates in Hz, external drive mu in mV/s, noise
intensity sigma in mV/sqrt(s), voltages in mV (threshold 1 mV), times in seconds
(rate-network/DMFT quantities are dimensionless, time in units of tau).

``compare(sim, theory)`` lives in :mod:`meanfield.compare` (``from meanfield.compare import
compare``); input design and regime targeting in :mod:`meanfield.design`.

Public names are loaded lazily (PEP 562) so that ``import meanfield`` stays fast:
sympy, scipy and pandas are only imported when a solver is first used.
"""
from importlib import import_module as _import_module

__version__ = "0.1.0"

# public name -> submodule that defines it (one place for each)
_EXPORTS = {
    "phi": "meanfield.transfer",
    "phi_grad": "meanfield.transfer",
    "cv_isi": "meanfield.transfer",
    "fit_powerlaw": "meanfield.powerlaw",
    "PowerLaw": "meanfield.powerlaw",
    "SSN": "meanfield.ssn",
    "regime_map": "meanfield.regimes",
    "plot_regime_map": "meanfield.regimes",
    "selfconsistent": "meanfield.ricciardi",
    "solve_point": "meanfield.ricciardi",
    "size_scaling": "meanfield.scaling",
    "dmft": "meanfield.sparse_balance",
    "dmft_sweep": "meanfield.sparse_balance",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'meanfield' has no attribute {name!r}") from None
    value = getattr(_import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
