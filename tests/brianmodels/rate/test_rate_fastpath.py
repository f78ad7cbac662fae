"""The activity-sparse fast path against the NumPy references (same seed)."""
import numpy as np
import pytest

from brianmodels.rate import activations
from brianmodels.rate.fastpath import NumpyStepper, SparseStepper
from brianmodels.rate.params import RateNetworkSpec
from brianmodels.rate.simulate import initial_condition, simulate_rate_network
from brianmodels.rate.weights import weight_matrix

pytestmark = pytest.mark.standalone  # compiles or runs simulations (tests/conftest.py)

N, DT, STEPS = 200, 0.02, 600


def _traj(stepper, n=STEPS):
    X, E = np.empty((n, N)), np.empty((n, N))
    stepper.advance(n, X, E)
    return X, E


@pytest.mark.parametrize("phi", ["relu", "heaviside", "quadratic"])
def test_fast_path_bit_identical_to_numpy_column_order(phi):
    spec = RateNetworkSpec.inhibitory(N=N, K=N, phi=phi)
    W, x0, act = weight_matrix(spec, 1), initial_condition(spec, 1), activations.get(phi)
    Xf, Ef = _traj(SparseStepper(W, x0, spec.unit_input(), DT, act.code))
    Xp, Ep = _traj(SparseStepper(W, x0, spec.unit_input(), DT, act.code, parallel=True))
    Xn, En = _traj(NumpyStepper(W, x0, spec.unit_input(), DT, act.numpy, column_order=True))
    # identical float64 trajectories over 12 tau of chaotic dynamics (any rounding difference
    # would be amplified far above 0)
    np.testing.assert_array_equal(Xf, Xn)
    np.testing.assert_array_equal(Ef, En)
    np.testing.assert_array_equal(Xf, Xp)
    assert np.ptp(Xf[-1]) > 1.0                       # not a fixed point


def test_fast_path_matches_blas_dense_before_chaos_amplifies():
    # BLAS sums in another order: differences start at 1e-16 and grow by e^(lambda t); over
    # 2 tau they stay < 1e-10 (the sparse sum skips only exact zeros, it is not an approximation).
    spec = RateNetworkSpec.inhibitory(N=N, K=N, phi="tanh")
    W, x0, act = weight_matrix(spec, 2), initial_condition(spec, 2), activations.get("tanh")
    Xf, Ef = _traj(SparseStepper(W, x0, spec.unit_input(), DT, act.code), 100)
    Xn, En = _traj(NumpyStepper(W, x0, spec.unit_input(), DT, act.numpy), 100)
    np.testing.assert_allclose(Xf, Xn, rtol=0, atol=1e-10)
    np.testing.assert_allclose(Ef, En, rtol=0, atol=1e-10)


def test_euler_step_by_hand():
    # one step of Eq 1 with tau = 1 computed directly: x1 = x0 + dt(-x0 + W phi(x0) + I)
    spec = RateNetworkSpec.inhibitory(N=N, K=N, phi="tanh", I0=1.3)
    W, x0 = weight_matrix(spec, 0), initial_condition(spec, 0)
    X, E = _traj(SparseStepper(W, x0, spec.unit_input(), DT, 1), 1)
    phi0 = np.where(x0 > 0, np.tanh(x0), 0.0)
    np.testing.assert_allclose(E[0], W @ phi0, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(X[0], x0 + DT * (-x0 + W @ phi0 + 1.3), rtol=1e-12, atol=1e-12)
    assert np.std(x0) == pytest.approx(2.0, rel=0.15)           # x(0) ~ N(0, g^2), g = 2


def test_float32_weights_same_statistics():
    # float32 W changes trajectories (chaos) but not the statistics. Measured over 6 seeds at
    # N = K = 500, T = 200 (benchmarks/RESULTS.md, "Rate networks"): seed means agree within one SEM, and the
    # same-seed relative differences float32 - float64 have sd 1.5 % (phi_mean), 0.9 % (f),
    # 2.2 % (mu), 2.7 % (x_mean), 4.2 % (tvar_x): tolerances are ~3.3 of those sds.
    kw = dict(N=500, K=500, T=200.0, seed=0, connectivity_seed=0, progress=False)
    r32 = simulate_rate_network(method="fast", dtype="float32", **kw).stats
    r64 = simulate_rate_network(method="fast", dtype="float64", **kw).stats
    rnp = simulate_rate_network(method="numpy", **kw).stats
    tol = dict(phi_mean=0.05, f=0.03, mu=0.07, x_mean=0.09, tvar_x=0.14)
    for other in (r64, rnp):
        for k, rel in tol.items():
            assert r32[k] == pytest.approx(other[k], rel=rel), k


def test_csc_kernel_bit_identical_to_dense_for_masked_networks():
    # K < N (Bernoulli mask): the compressed-sparse-column kernel skips only exact zeros and keeps
    # the per-element summation order, so float64 trajectories equal the dense kernel's.
    import scipy.sparse as sp
    spec = RateNetworkSpec.ei(N_E=300, N_I=300, K_E=60, K_I=60)
    W, x0 = weight_matrix(spec, 0), initial_condition(spec, 0)
    n, n_steps = spec.n_total, 600
    out = []
    for M in (W, sp.csc_matrix(W)):
        X, E = np.empty((n_steps, n)), np.empty((n_steps, n))
        SparseStepper(M, x0, spec.unit_input(), DT, activations.get("tanh").code).advance(n_steps, X, E)
        out.append((X, E))
    np.testing.assert_array_equal(out[0][0], out[1][0])
    np.testing.assert_array_equal(out[0][1], out[1][1])
    assert 0.05 < (out[0][0][-200:] > 0).mean() < 0.5           # chaotic sparse activity, not silent
