"""Gamma-sum predictions (Khajeh et al. 2022, Eqs 9-12) against definitions and Monte Carlo."""
import math

import numpy as np
import pytest
from scipy import stats

from meanfield.sparse_balance.gammasum import (eta_cdf, eta_distribution, eta_gamma_params, eta_pdf,
                                weight_gamma_params)


def test_eq9_moments_and_theory_table_values():
    # docs/theory/sparse_balance.md §1.3: nu = 1/2, K = 1000, J0 = g = 2 -> kappa ~ 0.0316, theta ~ 2
    kappa, theta = weight_gamma_params(2.0, 2.0, 1000, 0.5)
    assert kappa == pytest.approx(1000 ** -0.5, rel=1e-12)
    assert theta == pytest.approx(2.0, rel=1e-12)
    for J0, g, K, nu in [(3.0, 2.0, 1000, 0.5), (1.05, 2.0, 500, 1.0), (2.0, 0.7, 8811, 0.5)]:
        kappa, theta = weight_gamma_params(J0, g, K, nu)
        assert kappa * theta == pytest.approx(J0 / math.sqrt(K), rel=1e-12)       # mean
        assert kappa * theta ** 2 == pytest.approx(g ** 2 / K ** nu, rel=1e-12)   # variance


def test_eq11_eq12_mean_and_variance():
    f, J0, g, K = 0.05, 2.0, 2.0, 1000
    d = eta_distribution(f, J0, g, K)
    assert d.mean() == pytest.approx(J0 * f * math.sqrt(K), rel=1e-12)           # Eq 11
    assert d.var() == pytest.approx(g ** 2 * f * K ** 0.5, rel=1e-12)             # Eq 12
    alpha, theta = eta_gamma_params(f, J0, g, K)
    assert alpha == pytest.approx(f * J0 ** 2 / g ** 2 * K ** 0.5, rel=1e-12)


def test_sum_of_active_gamma_weights_is_gamma_monte_carlo():
    # eta = sum of fK gamma(kappa, theta) weights (Eq 10); fK = 50 active inputs
    f, J0, g, K = 0.05, 2.0, 2.0, 1000
    kappa, theta = weight_gamma_params(J0, g, K)
    rng = np.random.default_rng(1)
    eta = rng.gamma(kappa, theta, size=(20000, int(f * K))).sum(axis=1)
    ks = stats.kstest(eta, eta_distribution(f, J0, g, K).cdf)
    assert ks.pvalue > 1e-3
    x = np.array([0.5, 2.0, 5.0])
    # pdf/cdf consistency: numerical derivative of the cdf equals the pdf
    h = 1e-5
    dcdf = (eta_cdf(x + h, f, J0, g, K) - eta_cdf(x - h, f, J0, g, K)) / (2 * h)
    np.testing.assert_allclose(dcdf, eta_pdf(x, f, J0, g, K), rtol=1e-6)


@pytest.mark.parametrize("kw, name", [
    (dict(f=0.0, J0=2, g=2, K=100), "f"), (dict(f=1.5, J0=2, g=2, K=100), "f"),
    (dict(f=0.1, J0=-1, g=2, K=100), "J0"), (dict(f=0.1, J0=2, g=0, K=100), "g"),
    (dict(f=0.1, J0=2, g=2, K=0), "K"), (dict(f=0.1, J0=2, g=2, K=float("nan")), "K"),
])
def test_bad_input(kw, name):
    with pytest.raises(ValueError, match=name):
        eta_gamma_params(**kw)
