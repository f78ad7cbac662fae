"""The stabilized supralinear network (SSN) fitted to a LIF network (Ekelmans et al. 2023):
the model and its steady states (:mod:`.model`), the sympy-derived closed forms
(:mod:`.symbolic`) and plain-float kernels built from them (:mod:`.kernels`), regime maps and
fold curves (:mod:`.regimes`), and input / weight design and regime targeting (:mod:`.design`)."""
from .model import SSN

__all__ = ["SSN"]
