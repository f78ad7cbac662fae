"""Theory of sparse-balance random rate networks (Khajeh, Fumarola & Abbott 2022): the dynamic
mean-field theory (:mod:`.dmft_solver`, Eqs 20-27), the gamma-sum predictions (:mod:`.gammasum`,
Eqs 9-12) and the activation functions phi with their Gaussian averages (:mod:`.activations`)."""
from .dmft_solver import dmft, dmft_sweep

__all__ = ["dmft", "dmft_sweep"]
