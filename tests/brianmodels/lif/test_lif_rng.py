"""The fast C++ normal generator (bm_rng.h): exact moments, uniformity, seeding."""
import numpy as np
import pytest
from scipy import stats

from brianmodels.lif import fastrng

pytestmark = pytest.mark.standalone  # compiles the C++ generator harness

N_DRAWS = 2_000_000


@pytest.fixture(scope="module", params=["normal", "normal_block"])
def normals(request):
    # the scalar generator and the block generator the neuron update uses (fast path +
    # finished rejections must still be exactly N(0, 1))
    return fastrng.sample(N_DRAWS, seed=12345, kind=request.param)


def test_normal_moments(normals):
    # Standard errors at n = 2e6: mean 1/sqrt(n) = 7e-4, variance sqrt(2/n) = 1e-3,
    # skewness sqrt(6/n) = 1.7e-3, excess kurtosis sqrt(24/n) = 3.5e-3; allow 5 SE.
    n = normals.size
    assert abs(normals.mean()) < 5 / np.sqrt(n)
    assert abs(normals.var() - 1.0) < 5 * np.sqrt(2 / n)
    assert abs(stats.skew(normals)) < 5 * np.sqrt(6 / n)
    assert abs(stats.kurtosis(normals)) < 5 * np.sqrt(24 / n)


def test_normal_distribution_and_tails(normals):
    # Kolmogorov-Smirnov against N(0,1) and the tail mass beyond the ziggurat's R = 3.44
    # (exercises the tail sampler): P(|x| > 3.442619855899) = 5.76e-4.
    assert stats.kstest(normals[:500_000], "norm").pvalue > 1e-3
    p_tail = 2 * stats.norm.sf(3.442619855899)
    k = np.count_nonzero(np.abs(normals) > 3.442619855899)
    assert abs(k - p_tail * normals.size) < 5 * np.sqrt(p_tail * normals.size)


def test_uniform_and_seeds():
    u = fastrng.sample(1_000_000, seed=7, kind="uniform")
    assert 0 < u.min() and u.max() < 1
    assert abs(u.mean() - 0.5) < 5 * np.sqrt(1 / 12 / u.size)
    same = fastrng.sample(1000, seed=7)
    assert np.array_equal(same, fastrng.sample(1000, seed=7))
    other = fastrng.sample(1000, seed=8)
    assert abs(np.corrcoef(same, other)[0, 1]) < 5 / np.sqrt(1000)  # independent streams


def test_derive_seed_distinct():
    seeds = {fastrng.derive_seed(s, st) for s in range(100) for st in fastrng.STREAMS}
    assert len(seeds) == 200 and all(0 <= s < 2**31 for s in seeds)
    with pytest.raises(ValueError, match="stream"):
        fastrng.derive_seed(1, "nope")


def test_block_streams_independent_and_seeded():
    # consecutive blocks and neighbouring neurons are uncorrelated (lag-1 and lag-4001, i.e.
    # the same neuron one step later, and lag-4: the same lane); same seed, same numbers
    x = fastrng.sample(400_100, seed=3, kind="normal_block")
    for lag in (1, 4, 4001):
        assert abs(np.corrcoef(x[:-lag], x[lag:])[0, 1]) < 5 / np.sqrt(x.size)
    assert np.array_equal(x[:5000], fastrng.sample(5000, seed=3, kind="normal_block"))
    assert not np.array_equal(x[:5000], fastrng.sample(5000, seed=4, kind="normal_block"))


def test_block_paths_identical():
    # The AVX-512 block path (where the CPU has it) and the portable one must give the very
    # same numbers: same lanes, same layer/uniform bits, rejected draws finished in the same
    # order from the same scalar stream. 400 100 draws = 100 blocks (~4 800 rejections).
    fast = fastrng.sample(400_100, seed=11, kind="normal_block")
    portable = fastrng.sample(400_100, seed=11, kind="normal_block", portable=True)
    assert np.array_equal(fast, portable)
