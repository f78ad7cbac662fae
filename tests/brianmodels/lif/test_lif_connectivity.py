"""Fixed in-degree connectivity: exact in-degrees, distinct sources, uniform choice, seeds."""
import numpy as np
import pytest

from brianmodels.lif.connectivity import fixed_indegree


def test_exact_indegree_distinct_no_self():
    pre, post = fixed_indegree(500, 500, 60, seed=3, same_population=True)
    rows = pre.reshape(500, 60)
    assert np.all(post == np.repeat(np.arange(500), 60))
    assert all(np.unique(r).size == 60 for r in rows)
    assert not np.any(rows == np.arange(500)[:, None])  # no autapses


def test_uniform_sources_and_seed():
    # Out-degrees of sampling K of N without replacement for n_t targets: mean n_t K / N,
    # variance n_t (K/N)(1 - K/N). Check both and a chi-square-like bound.
    n_t, N, K = 2000, 1000, 100
    pre, _ = fixed_indegree(n_t, N, K, seed=1)
    out = np.bincount(pre, minlength=N)
    p = K / N
    assert out.mean() == pytest.approx(n_t * p)
    assert out.var() == pytest.approx(n_t * p * (1 - p), rel=0.15)  # 1000 samples: SE ~4.5%
    assert np.array_equal(pre, fixed_indegree(n_t, N, K, seed=1)[0])
    assert not np.array_equal(pre, fixed_indegree(n_t, N, K, seed=2)[0])


def test_bad_arguments():
    with pytest.raises(ValueError, match="K must be in"):
        fixed_indegree(10, 10, 10, seed=0, same_population=True)
    with pytest.raises(ValueError, match="positive"):
        fixed_indegree(0, 10, 1, seed=0)
    with pytest.raises(ValueError, match="seed"):
        fixed_indegree(10, 10, 1, seed=-1)
