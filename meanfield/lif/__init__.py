"""Theory of LIF E-I networks (Ekelmans et al. 2023): the Ricciardi transfer function and ISI CV
(:mod:`.transfer`, Eq 9), its power-law fit (:mod:`.powerlaw`, Eq 1), the Ricciardi
self-consistent steady states Phi_sc (:mod:`.selfconsistency`, Eqs 12-14) and their network-size
scaling (:mod:`.scaling`, Fig 6)."""
from .transfer import cv_isi, phi, phi_grad
from .powerlaw import PowerLaw, fit_powerlaw
from .selfconsistency import PhiNetwork, selfconsistent, solve_point
from .scaling import size_scaling

__all__ = ["PhiNetwork", "PowerLaw", "cv_isi", "fit_powerlaw", "phi", "phi_grad", "selfconsistent",
           "size_scaling", "solve_point"]
