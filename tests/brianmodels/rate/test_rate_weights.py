"""Weight distributions of the sparse-balance networks vs their definitions (``docs/theory/sparse_balance.md`` §1.2-1.4)."""
import math

import numpy as np
import pytest

from brianmodels.rate.params import RateNetworkSpec
from brianmodels.rate.weights import block_moments, weight_matrix

K = 400
J0, G = 2.0, 2.0


def _mags(weights, nu=0.5, N=K, K_=K, seed=0):
    spec = RateNetworkSpec.inhibitory(N=N, K=K_, J0=J0, g=G, nu=nu, weights=weights)
    return spec, -weight_matrix(spec, seed)       # inhibitory: W = -J


def test_moment_formulas():
    # §1.2: mean J0/sqrt(K), sd g K^(-nu/2); the paper's numbers: K=1000, nu=1/2 -> gamma k=0.0316, theta=2
    m, s = block_moments("gamma", 2.0, 2.0, 0.5, 1000)
    assert m == pytest.approx(2 / math.sqrt(1000))
    assert (m / s) ** 2 == pytest.approx(0.0316, abs=5e-5)      # shape J0^2 K^(nu-1)/g^2
    assert s * s / m == pytest.approx(2.0)                       # scale g^2 K^(1/2-nu)/J0
    assert block_moments("gamma", 2.0, 2.0, 1.0, 1000)[1] == pytest.approx(2 / math.sqrt(1000))


@pytest.mark.parametrize("nu", [0.5, 1.0])
def test_gamma_moments(nu):
    spec, J = _mags("gamma", nu)
    m, s = block_moments("gamma", J0, G, nu, K)
    n = J.size
    assert J.min() >= 0
    # sample mean within 5 standard errors; variance within 5 se of the sample variance
    # (se^2 = (kurtosis_excess + 2) var^2 / n, gamma excess kurtosis 6/k)
    assert J.mean() == pytest.approx(m, abs=5 * s / math.sqrt(n))
    k = (m / s) ** 2
    assert J.var() == pytest.approx(s * s, rel=5 * math.sqrt((6 / k + 2) / n))


def test_lognormal_exact_log_moments():
    spec, J = _mags("lognormal")
    m, s = block_moments("lognormal", J0, G, 0.5, K)
    S2 = math.log(1 + (s / m) ** 2)
    M = math.log(m * m / math.sqrt(m * m + s * s))
    lj = np.log(J)
    n = J.size
    assert lj.mean() == pytest.approx(M, abs=5 * math.sqrt(S2 / n))
    assert lj.var() == pytest.approx(S2, rel=5 * math.sqrt(2 / n))
    assert M + S2 / 2 == pytest.approx(math.log(m))           # implies E[J] = Jbar exactly


def test_normal_moments_and_sign():
    spec, J = _mags("normal")
    m, s = block_moments("normal", J0, G, 0.5, K)
    n = J.size
    assert J.mean() == pytest.approx(m, abs=5 * s / math.sqrt(n))
    assert J.var() == pytest.approx(s * s, rel=5 * math.sqrt(2 / n))
    # not sign-constrained: P(J < 0) = Phi(-m/s)
    from scipy.stats import norm
    assert (J < 0).mean() == pytest.approx(norm.cdf(-m / s), abs=5 * 0.5 / math.sqrt(n))


def test_bernoulli_unit_weights():
    spec, J = _mags("bernoulli")
    p = J0 / math.sqrt(K)
    n = J.size
    assert set(np.unique(J)) <= {0.0, 1.0}
    assert J.mean() == pytest.approx(p, abs=5 * math.sqrt(p * (1 - p) / n))
    assert block_moments("bernoulli", J0, G, 0.5, K) == pytest.approx((p, math.sqrt(p * (1 - p))))


def test_mask_binomial_indegree_and_fortran_order():
    N, K_ = 2000, 200
    spec, J = _mags("gamma", N=N, K_=K_)
    W = weight_matrix(spec, 0)
    assert W.flags.f_contiguous and W.shape == (N, N)
    indeg = (J > 0).sum(1)          # gamma draws are > 0 a.s., so nonzero = connected
    p = K_ / N
    assert indeg.mean() == pytest.approx(K_, abs=5 * math.sqrt(N * p * (1 - p) / N))
    assert indeg.var() == pytest.approx(N * p * (1 - p), rel=0.2)   # Binomial(N, K/N), 2000 samples
    # the weight scaling uses the nominal K: mean of nonzero weights = J0/sqrt(K)
    m, s = block_moments("gamma", J0, G, 0.5, K_)
    nz = J[J > 0]
    assert nz.mean() == pytest.approx(m, abs=5 * s / math.sqrt(nz.size))


def test_dtype_and_seed_reproducible():
    spec = RateNetworkSpec.inhibitory(N=300, K=300)
    a = weight_matrix(spec, 3)
    b = weight_matrix(spec, 3, np.float32)
    assert np.array_equal(a.astype(np.float32), b)
    assert not np.array_equal(a, weight_matrix(spec, 4))


def test_ei_blocks_signs_and_means():
    spec = RateNetworkSpec.ei(N_E=1000, N_I=1000, K_E=200, K_I=200)
    W = weight_matrix(spec, 0)
    sl = spec.slices
    for a, pa in enumerate("EI"):
        for b, pb in enumerate("EI"):
            blk = W[sl[pa], sl[pb]]
            assert np.all(blk >= 0) if pb == "E" else np.all(blk <= 0)
            # mean over all entries = p * J_ab/sqrt(K_b) = K_b/N_b * J_ab / sqrt(K_b)
            m, s = block_moments("gamma", spec.J[a, b], spec.g[a, b], 0.5, 200)
            p = 0.2
            sd_all = math.sqrt(p * (s * s + m * m) - (p * m) ** 2)
            assert abs(blk).mean() == pytest.approx(p * m, abs=5 * sd_all / 1000)
    # Fig 6 reading of J_EI: I -> E has mean 2/sqrt(K_I)
    assert spec.J[0, 1] == 2.0 and spec.J[1, 0] == 1.0 and spec.J[1, 1] == 1.2
