"""Bad parameters raise ValueError/TypeError naming the parameter, before any work."""
import pytest

from brianmodels.rate.simulate import simulate_rate_network
from brianmodels.rate.sweep import rate_sweep


@pytest.mark.parametrize("kw, name", [
    (dict(N=100, K=200), "K"),
    (dict(N=0, K=0), "N"),
    (dict(N=-5, K=1), "N"),
    (dict(g=-1.0), "g"),
    (dict(J0=-1.0), "J0"),
    (dict(weights="bernoulli", K=100, N=100, J0=11.0), "J0"),
    (dict(phi="sigmoid"), "phi"),
    (dict(weights="uniform"), "weights"),
    (dict(dt=0.06), "dt"),
    (dict(dt=0.0), "dt"),
    (dict(dt=-0.01), "dt"),
    (dict(T=0.0), "T"),
    (dict(method="gpu"), "method"),
    (dict(seed=-1), "seed"),
    (dict(connectivity_seed=-1), "connectivity_seed"),
    (dict(seed_ic=0), "seed_ic"),                      # gone: seed is the initial condition now
    (dict(phi=1.5), "phi"),                            # theory-only exponent: no simulation kernel
    (dict(ei=dict(N_E=100, K_E=200)), "K_E"),
    (dict(ei=dict(J_EI=-2.0)), "J_EI"),
    (dict(ei=dict(foo=1)), "ei"),
    (dict(N=200000, K=200000, T=1000.0, method="brian2"), "brian2"),
])
def test_bad_input(kw, name):
    with pytest.raises((ValueError, TypeError), match=name):
        simulate_rate_network(**{**dict(N=100, K=100, T=1.0, progress=False), **kw})


@pytest.mark.standalone
def test_bernoulli_boundary_ok():
    # J0/sqrt(K) = 1 is the largest allowed connection probability
    r = simulate_rate_network(N=100, K=100, J0=10.0, weights="bernoulli", T=1.0, warmup=0.0, progress=False)
    assert r.stats["n_steps"] == 50


def test_sweep_validates_all_points_first(tmp_path):
    with pytest.raises(ValueError, match="K"):
        rate_sweep(K=[100, 500], N=200, T=1.0, out=tmp_path, progress=False)
    assert not list(tmp_path.iterdir())
