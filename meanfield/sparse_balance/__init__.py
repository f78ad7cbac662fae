"""Theory of sparse-balance random rate networks (Khajeh, Fumarola & Abbott 2022): the dynamic
mean-field theory (:mod:`.dmft_solver`, Eqs 20-27), the gamma-sum predictions (:mod:`.gammasum`,
Eqs 9-12) and the response functions phi (:mod:`.activations`, the one table shared with the
simulation, :mod:`brianmodels.rate.activations`). Defaults: :data:`brianmodels.rate.params.DEFAULTS`."""
from .dmft_solver import DMFTResult, DMFTSweepResult, dmft, dmft_sweep

__all__ = ["dmft", "dmft_sweep", "DMFTResult", "DMFTSweepResult"]
