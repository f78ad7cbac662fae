"""Random weight matrices of the sparse-balance networks (``docs/theory/sparse_balance.md`` §1.2-1.4).

Magnitudes ``J_ij >= 0`` of block (a <- b) have mean ``Jbar = J_ab / sqrt(K_b)`` and standard
deviation ``sigma_J = g_ab * K_b**(-nu/2)`` (variance ``g^2 / K^nu``):

* ``gamma``: shape ``(Jbar/sigma_J)^2``, scale ``sigma_J^2/Jbar`` (paper Eq 9);
* ``lognormal``: ``ln J ~ N(M, S^2)``, ``M = ln(Jbar^2/sqrt(Jbar^2+sigma_J^2))``,
  ``S^2 = ln(1 + sigma_J^2/Jbar^2)`` (exact moment match);
* ``normal``: ``Jbar + sigma_J xi`` (not sign-constrained; the DMFT model, Fig 5);
* ``bernoulli``: ``J in {0, 1}`` with ``P(J=1) = Jbar``; g and nu are ignored (S1 Fig).

The signed matrix is ``W_ij = sign_b J_ij`` (sign -1 for inhibitory presynaptic units).
Blocks with ``K_b < N_b`` are multiplied by a Bernoulli(K_b/N_b) mask (binomial in-degree);
self-couplings are kept. W is returned column-major (Fortran order) so that a column -- the
outputs of one presynaptic unit -- is contiguous, which the sparse fast path streams.
"""
from __future__ import annotations

import math

import numpy as np

from .params import RateNetworkSpec
from ..seeds import CONNECTIVITY_SEED
from ..seeds import to_seed

_CHUNK = 1 << 21     # entries drawn per call: bounds the temporaries for large N


def block_moments(weights: str, J: float, g: float, nu: float, K: int) -> tuple[float, float]:
    """Mean and standard deviation of one block's weight magnitudes (before masking).

    Parameters
    ----------
    weights : str
        Distribution name (``gamma``, ``lognormal``, ``normal``, ``bernoulli``).
    J, g : float
        Mean- and spread-parameters of the block (dimensionless).
    nu : float
        Variance exponent: variance ``g^2 K^-nu``.
    K : int
        Nominal in-degree of the presynaptic population.

    Returns
    -------
    mean, sd : float
        ``J/sqrt(K)`` and ``g K^(-nu/2)``; for ``bernoulli`` ``sd = sqrt(mean (1 - mean))``.

    Examples
    --------
    >>> from brianmodels.rate.weights import block_moments
    >>> [round(v, 4) for v in block_moments("gamma", J=2.0, g=2.0, nu=0.5, K=100)]
    [0.2, 0.6325]
    """
    mean = J / math.sqrt(K)                      # §1.2: Jbar = J0 K^(-1/2)
    if weights == "bernoulli":
        return mean, math.sqrt(mean * (1.0 - mean))
    return mean, g * K ** (-nu / 2.0)            # §1.2: sigma_J = g K^(-nu/2)


def draw_magnitudes(rng: np.random.Generator, weights: str, mean: float, sd: float, size) -> np.ndarray:
    """Draw weight magnitudes with the given mean and sd from one of the four distributions.

    Parameters
    ----------
    rng : numpy.random.Generator
    weights : str
        ``gamma``, ``lognormal``, ``normal`` or ``bernoulli`` (for which ``P(1) = mean``).
    mean, sd : float
        Target mean and standard deviation (sd ignored for ``bernoulli``).
    size : int or tuple

    Returns
    -------
    ndarray of float64

    Examples
    --------
    >>> import numpy as np
    >>> from brianmodels.rate.weights import draw_magnitudes
    >>> J = draw_magnitudes(np.random.default_rng(0), "gamma", 0.2, 0.63, 100_000)
    >>> round(float(J.mean()), 1), round(float(J.std()), 1), bool(J.min() >= 0)
    (0.2, 0.6, True)
    """
    if weights == "bernoulli":
        return (rng.random(size) < mean).astype(np.float64)
    if sd == 0.0 or mean == 0.0:
        # degenerate: constant weights (sd = 0); gamma/lognormal with mean 0 were refused upstream
        return mean + sd * rng.standard_normal(size) if weights == "normal" else np.full(size, mean)
    if weights == "gamma":
        return rng.gamma((mean / sd) ** 2, sd * sd / mean, size)           # Eq 9
    if weights == "lognormal":
        s2 = math.log1p((sd / mean) ** 2)
        return rng.lognormal(math.log(mean) - 0.5 * s2, math.sqrt(s2), size)  # M = ln(Jbar^2/sqrt(Jbar^2+sd^2))
    if weights == "normal":
        return mean + sd * rng.standard_normal(size)
    raise ValueError(f"weights must be one of gamma, lognormal, normal, bernoulli; got {weights!r}")


def weight_matrix(spec: RateNetworkSpec, connectivity_seed: int = CONNECTIVITY_SEED,
                  dtype=np.float64) -> np.ndarray:
    """Draw the signed connectivity ``W`` (shape (N, N), [post, pre], Fortran order).

    Parameters
    ----------
    spec : RateNetworkSpec
        The network.
    connectivity_seed : int
        Network realisation (:mod:`brianmodels.seeds`). Each block (a, b) uses its own stream
        ``default_rng([connectivity_seed, a, b, 0])`` for the magnitudes and
        ``[connectivity_seed, a, b, 1]`` for the mask, so the result does not depend on
        the chunking or on dtype (values are drawn in float64 and then cast).
    dtype : numpy dtype
        ``float64`` or ``float32``.

    Returns
    -------
    W : ndarray, shape (N_total, N_total), Fortran-contiguous
        ``W[i, j]`` is the signed weight from unit j onto unit i.

    Examples
    --------
    >>> import numpy as np
    >>> from brianmodels.rate.params import RateNetworkSpec
    >>> from brianmodels.rate.weights import weight_matrix
    >>> spec = RateNetworkSpec.inhibitory(N=200, K=100)       # gamma weights, p = 1/2
    >>> W = weight_matrix(spec, connectivity_seed=1)
    >>> W.shape, bool(W.flags.f_contiguous), bool(np.all(W <= 0))   # inhibitory: W <= 0
    ((200, 200), True, True)
    >>> round(float((W != 0).sum(axis=1).mean() / 100), 1)    # in-degree ~ K
    1.0
    >>> round(float(-W.sum(axis=1).mean()), 0)                # total weight ~ J0 sqrt(K)
    20.0
    """
    if not isinstance(spec, RateNetworkSpec):
        raise TypeError(f"spec must be a RateNetworkSpec; got {type(spec).__name__}")
    seed = to_seed(connectivity_seed, "connectivity_seed")
    dtype = np.dtype(dtype)
    if dtype not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ValueError(f"dtype must be float64 or float32; got {dtype}")
    n = spec.n_total
    WT = np.empty((n, n), dtype=dtype)       # WT[pre, post]; C-order, so WT.T is Fortran-order W
    sl = list(spec.slices.values())
    for a, post in enumerate(sl):
        for b, pre in enumerate(sl):
            mean, sd = block_moments(spec.weights, spec.J[a, b], spec.g[a, b], spec.nu, int(spec.K[b]))
            rng_w = np.random.default_rng([seed, a, b, 0])
            p = float(spec.p_connect[b])
            rng_m = np.random.default_rng([seed, a, b, 1]) if p < 1.0 else None
            n_post = post.stop - post.start
            rows = max(1, _CHUNK // max(n_post, 1))
            for r0 in range(pre.start, pre.stop, rows):
                r1 = min(pre.stop, r0 + rows)
                block = draw_magnitudes(rng_w, spec.weights, mean, sd, (r1 - r0, n_post))
                if rng_m is not None:
                    block *= rng_m.random((r1 - r0, n_post)) < p
                block *= spec.sign[b]
                WT[r0:r1, post] = block
    return WT.T
