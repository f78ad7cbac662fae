"""meanfield: theory for E-I networks (plain floats, no brian2).

Units everywhere in this package: rates in Hz, external drive mu in mV/s, noise
intensity sigma in mV/sqrt(s), voltages in mV (threshold 1 mV), times in seconds
(rate-network/DMFT quantities are dimensionless, time in units of tau).

``compare(sim, theory)`` lives in :mod:`meanfield.compare` (``from meanfield.compare import
compare``); input design and regime targeting in :mod:`meanfield.ssn.design`.

Public names are loaded lazily (PEP 562) so that ``import meanfield`` stays fast:
sympy, scipy and pandas are only imported when a solver is first used.
"""
from importlib import import_module as _import_module

__version__ = "0.1.0"

# public name -> submodule that defines it (one place for each)
_EXPORTS = {
    "phi": "meanfield.lif.transfer",
    "phi_grad": "meanfield.lif.transfer",
    "cv_isi": "meanfield.lif.transfer",
    "fit_powerlaw": "meanfield.lif.powerlaw",
    "PowerLaw": "meanfield.lif.powerlaw",
    "SSN": "meanfield.ssn.model",
    "regime_map": "meanfield.ssn.regimes",
    "plot_regime_map": "meanfield.ssn.regimes",
    "selfconsistent": "meanfield.lif.selfconsistency",
    "solve_point": "meanfield.lif.selfconsistency",
    "size_scaling": "meanfield.lif.scaling",
    "dmft": "meanfield.sparse_balance.dmft_solver",
    "dmft_sweep": "meanfield.sparse_balance.dmft_solver",
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
