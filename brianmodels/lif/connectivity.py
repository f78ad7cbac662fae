"""Fixed in-degree random connectivity, generated fast (numba) and reproducibly from a seed.

Every target neuron receives exactly ``K`` inputs from ``K`` distinct, uniformly chosen source
neurons (Brunel 2000; ``docs/theory/ssn_lif.md`` §4). Within one population (``same_population``)
self-connections are excluded. Sampling without replacement uses Floyd's algorithm per target
(O(K) per target, no O(N) scan), so a 4·10^4-neuron network's ~2·10^8 synapses take seconds.
"""
from __future__ import annotations

import numpy as np

try:  # numba is a dependency; keep a (slow) numpy fallback for odd platforms
    import numba

    _njit = numba.njit(cache=True, nogil=True)
except ImportError:  # pragma: no cover
    numba = None

    def _njit(f):
        return f


@_njit
def _floyd_rows(n_target, n_source, K, exclude_self, seed, out):
    """Fill ``out`` (n_target * K,) with source indices; row t holds target t's inputs."""
    np.random.seed(seed)
    n_pool = n_source - 1 if exclude_self else n_source
    mark = np.zeros(n_pool, dtype=np.bool_)
    chosen = np.empty(K, dtype=np.int64)
    for t in range(n_target):
        # Floyd: for j = n-K .. n-1 pick r in [0, j]; take r unless taken, else take j
        for k in range(K):
            jj = n_pool - K + k
            r = np.random.randint(0, jj + 1)
            if mark[r]:
                r = jj
            mark[r] = True
            chosen[k] = r
        base = t * K
        for k in range(K):
            c = chosen[k]
            mark[c] = False
            if exclude_self and c >= t:
                c += 1
            out[base + k] = c


def fixed_indegree(n_target: int, n_source: int, K: int, seed: int, *,
                   same_population: bool = False):
    """Presynaptic and postsynaptic indices of a fixed in-degree pathway.

    Parameters
    ----------
    n_target, n_source : int
        Sizes of the target and source populations (> 0).
    K : int
        In-degree, ``0 <= K <= n_source`` (``<= n_source - 1`` when ``same_population``).
    seed : int
        Seed (>= 0); the same seed gives the same connections.
    same_population : bool
        Source and target are the same population: no self-connections.

    Returns
    -------
    pre, post : numpy.ndarray of int32, shape (n_target * K,)
        Synapse ``s`` connects source ``pre[s]`` to target ``post[s]``; synapses are grouped by
        target (``post`` is non-decreasing).
    """
    n_target, n_source, K = int(n_target), int(n_source), int(K)
    if n_target <= 0 or n_source <= 0:
        raise ValueError(f"n_target and n_source must be positive; got {n_target}, {n_source}")
    kmax = n_source - 1 if same_population else n_source
    if not 0 <= K <= kmax:
        raise ValueError(f"K must be in [0, {kmax}] (distinct sources"
                         f"{', no self-connections' if same_population else ''}); got {K}")
    if int(seed) < 0:
        raise ValueError(f"seed must be >= 0; got {seed}")
    out = np.empty(n_target * K, dtype=np.int32)
    if K:
        _floyd_rows(n_target, n_source, K, bool(same_population), int(seed) % (2**32), out)
    post = np.repeat(np.arange(n_target, dtype=np.int32), K)
    return out, post
