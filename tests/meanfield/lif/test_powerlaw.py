"""Tests of meanfield.lif.powerlaw against Table D of S1 Text (reconstructed in docs/theory/ssn_lif.md §3)."""
import numpy as np
import pytest

from meanfield import PowerLaw, fit_powerlaw, phi
from meanfield.lif.powerlaw import MU_GRID, NU_MAX

# (sigma mV/sqrt(s), tau ms, a, b mV/s, n) -- docs/theory/ssn_lif.md §3, Table D
TABLE_D = [
    (3, 20, 1.0792e-4, -11.1425, 3.0814),
    (3, 10, 2.2099e-6, 4.7670, 3.8150),
    (3, 18, 7.8904e-5, -9.4929, 3.1357),
    (3, 22, 1.5997e-4, -12.1213, 3.0053),
    (1, 20, 3.9147e-2, 31.630, 2.1534),
    (3, 15, 3.2340e-5, -6.381, 3.3066),
]
#: Table D's last row (Fig 1B curve 3). It is not a least-squares optimum: the authors' MATLAB fit
#: (grid continuation from sigma = 3, tau = 20 ms) stopped early in a flat valley. Its sum of squares
#: on the recipe's data is 4.6% above the optimum that both a direct fit and a scipy re-run of the
#: authors' grid continuation reach (a = 2.52e-8, b = -65.22, n = 4.328).
TABLE_D_LAST = (5, 10, 4.8957e-8, -62.968, 4.2043)


def _data(sigma, tau):
    lo, hi, step = MU_GRID
    mu = np.arange(lo, hi + step / 2, step)
    nu = phi(mu, sigma, tau)
    keep = np.isfinite(nu) & (nu < NU_MAX)
    return mu[keep], nu[keep]


@pytest.mark.parametrize("sigma,tau_ms,a,b,n", TABLE_D)
def test_reproduces_table_d(sigma, tau_ms, a, b, n):
    fit = fit_powerlaw(sigma, tau_ms * 1e-3)
    assert fit.success, fit.message
    # brief: within 0.5% (achieved: <= 0.11%)
    assert fit.a == pytest.approx(a, rel=5e-3)
    assert fit.b == pytest.approx(b, rel=5e-3)
    assert fit.n == pytest.approx(n, rel=5e-3)
    # ``docs/theory/ssn_lif.md`` §3: RMS error ~0.02-0.03 Hz, max ~0.1 Hz over 0-10 Hz
    assert 0.015 < fit.rms_error < 0.035 and fit.max_error < 0.16


def test_last_table_d_row_is_an_early_stopped_fit():
    sigma, tau_ms, *table = TABLE_D_LAST
    fit = fit_powerlaw(sigma, tau_ms * 1e-3)
    x, y = _data(sigma, tau_ms * 1e-3)
    sse_fit = np.sum((fit(x) - y) ** 2)
    sse_table = np.sum((PowerLaw(*table)(x) - y) ** 2)
    assert sse_fit < sse_table                      # ours is the better least-squares fit
    assert sse_table / sse_fit == pytest.approx(1.046, abs=0.01)
    # and both describe the same curve over the fitted range to < 0.1 Hz
    assert np.max(np.abs(fit(x) - PowerLaw(*table)(x))) < 0.1
    assert fit.n == pytest.approx(4.3282, rel=1e-3) and fit.b == pytest.approx(-65.217, rel=1e-3)


def test_powerlaw_methods():
    p = PowerLaw(1.0792e-4, -11.1425, 3.0814)
    mu = np.array([-20.0, -11.1425, 0.0, 10.0, 30.0])
    z = np.maximum(mu + 11.1425, 0)
    np.testing.assert_allclose(p(mu), 1.0792e-4 * z ** 3.0814, rtol=1e-15)        # Eq 1
    h = 1e-5
    np.testing.assert_allclose(p.gain(mu[2:]), (p(mu[2:] + h) - p(mu[2:] - h)) / (2 * h), rtol=1e-8)
    assert p.gain(-20.0) == 0.0
    np.testing.assert_allclose(p.inverse(p(mu[2:])), mu[2:], rtol=1e-12, atol=1e-12)
    assert p.inverse(0.0) == p.b
    assert isinstance(p(1.0), float)
    with pytest.raises(ValueError, match="nu"):
        p.inverse(-1.0)
    with pytest.raises(ValueError, match="a"):
        PowerLaw(-1.0, 0.0, 2.0)


def test_fit_is_cached_on_rounded_arguments():
    f1 = fit_powerlaw(3.0, 0.02)
    f2 = fit_powerlaw(3, 0.020000000000000004)
    assert f1 is f2
    assert (f1.sigma, f1.tau, f1.theta, f1.v_reset) == (3.0, 0.02, 1.0, 0.0)


@pytest.mark.parametrize("kwargs,name", [(dict(sigma=0.0), "sigma"), (dict(tau=-1.0), "tau"),
                                         (dict(sigma=np.nan), "sigma")])
def test_invalid_input(kwargs, name):
    args = dict(sigma=3.0, tau=0.02)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        fit_powerlaw(**args)
    with pytest.raises(TypeError, match="sigma"):
        fit_powerlaw("3", 0.02)


@pytest.mark.parametrize("sigma, tau", [(3.0, 0.02), (4.0, 0.01), (2.0, 0.01), (5.0, 0.02)])
def test_fit_is_polished_to_the_least_squares_stationary_point(sigma, tau):
    # curve_fit stops on ftol ~1e-7 away from the optimum, at a point that depends on the BLAS
    # kernel (issue 10); the Gauss-Newton polish leaves a scaled gradient J^T r at rounding level
    from meanfield.lif.powerlaw import MU_GRID, _jac, _model
    from meanfield.lif.transfer import phi

    f = fit_powerlaw(sigma, tau)
    lo, hi, step = MU_GRID
    mu = lo + step * np.arange(int(round((hi - lo) / step)) + 1)
    nu = phi(mu, sigma, tau)
    x, y = mu[nu < 10.0], nu[nu < 10.0]
    J = _jac(x, *f.coefficients)
    Js = J / np.sqrt(np.sum(J * J, axis=0))
    r = _model(x, *f.coefficients) - y
    assert f.success and f.n_points == x.size
    assert np.max(np.abs(Js.T @ r)) / np.linalg.norm(r) < 1e-10


@pytest.mark.parametrize("sigma, tau", [(6.0, 0.02), (8.0, 0.01), (8.0, 0.05), (12.0, 0.05)])
def test_fit_of_a_noisy_neuron_leaves_the_start_point(sigma, tau):
    # these neurons reach 10 Hz below the authors' start b = 4.77 mV/s: the clipped start was 0 at
    # every fitted point, the solver stopped at once on it (rms error 4-9 Hz, reported success)
    f = fit_powerlaw(sigma, tau)
    assert f.success and "nfev=1)" not in f.message
    assert f.rms_error < 0.1 and f.max_error < 0.5      # Hz; the paper's fits: rms ~0.02-0.03 Hz
