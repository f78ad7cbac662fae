"""meanfield: theory for E-I networks (plain floats, no brian2).

Units everywhere in this package: rates in Hz, external drive mu in mV/s, noise
intensity sigma in mV/sqrt(s), voltages in mV (threshold 1 mV), times in seconds
(rate-network/DMFT quantities are dimensionless, time in units of tau).

Layout: :mod:`meanfield.lif` (Ricciardi transfer function, power-law fit, self-consistent rates
Phi_sc, size scaling), :mod:`meanfield.ssn` (the SSN: steady states, regimes, design),
:mod:`meanfield.sparse_balance` (DMFT of the rate networks), over the shared
:mod:`meanfield._solvers`, :mod:`meanfield.quadrature` and :mod:`meanfield._validate`;
``compare(sim, theory)`` (:mod:`meanfield.comparison`) lines simulations up with any of them.
The mathematics, with the papers' equation numbers: ``docs/theory/``.

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
    "compare": "meanfield.comparison",
    "Comparison": "meanfield.comparison",
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
