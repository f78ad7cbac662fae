"""Brian2 C++ standalone path vs the NumPy/numba paths (one compiled build for the session)."""
import os

import numpy as np
import pytest

from brianmodels.rate import activations
from brianmodels.rate.fastpath import NumpyStepper
from brianmodels.rate.measures import RateStatsAccumulator
from brianmodels.rate.params import RateNetworkSpec
from brianmodels.rate.simulate import initial_condition, simulate_rate_network
from brianmodels.rate.weights import weight_matrix

pytestmark = pytest.mark.standalone  # compiles or runs simulations (tests/conftest.py)

N, T, DT, WARM = 500, 100.0, 0.02, 10.0


class _Recorder(RateStatsAccumulator):
    """Accumulator that also keeps the raw chunks (to compare trajectories)."""

    def update(self, X, E):
        self.X = np.concatenate([getattr(self, "X", np.empty((0, X.shape[1]))), X])
        self.E = np.concatenate([getattr(self, "E", np.empty((0, E.shape[1]))), E])
        super().update(X, E)


@pytest.fixture(scope="session")
def brian2_runs(tmp_path_factory):
    if "BRIANMODELS_CACHE" not in os.environ:
        os.environ["BRIANMODELS_CACHE"] = str(tmp_path_factory.mktemp("brianmodels_cache"))
    from brianmodels.rate import brian2_model
    spec = RateNetworkSpec.inhibitory(N=N, K=N)
    res = simulate_rate_network(N=N, K=N, T=T, dt=DT, warmup=WARM, seed=0, connectivity_seed=0, method="brian2", progress=False)
    # a second run with other values reuses the compiled binary (same N, dt, steps, phi)
    W, x0 = weight_matrix(spec, 5), initial_condition(spec, 5)
    act = activations.get(spec.phi)
    rec = _Recorder(spec.slices, act, DT, {"I": 1.0}, max_lag=1.0)
    info = brian2_model.run(spec, W, x0, DT, int(WARM / DT), int(T / DT), rec, progress=False)
    return dict(res=res, rec=rec, info=info, W=W, x0=x0, spec=spec)


def test_brian2_reuses_build(brian2_runs):
    assert brian2_runs["info"]["build"] < 1.0            # no code generation / compile the 2nd time
    assert brian2_runs["res"].method == "brian2"


def test_brian2_trajectory_matches_numpy(brian2_runs):
    # same W, x(0): Brian2's Euler step (summed variable before the state update, monitor at 'end')
    # must reproduce the NumPy float64 trajectory; -ffast-math rounding differences grow
    # chaotically, so compare the first 5 tau after the 10 tau warm-up.
    b = brian2_runs
    spec = b["spec"]
    st = NumpyStepper(b["W"], b["x0"], spec.unit_input(), DT, activations.get(spec.phi).numpy)
    st.advance(int(WARM / DT))
    n = 250
    X, E = np.empty((n, N)), np.empty((n, N))
    st.advance(n, X, E)
    np.testing.assert_allclose(b["rec"].X[:n], X, rtol=0, atol=1e-6)
    np.testing.assert_allclose(b["rec"].E[:n], E, rtol=0, atol=1e-6)


def test_brian2_statistics_agree_with_fast_path(brian2_runs):
    # same network, independent chaotic trajectories: phi_mean and f agree within the
    # run-to-run spread at T = 100 (seed sd ~3 % for phi_mean, ~1.5 % for f at T = 200).
    sb = brian2_runs["res"].stats
    sf = simulate_rate_network(N=N, K=N, T=T, dt=DT, warmup=WARM, seed=0, connectivity_seed=0, method="fast", progress=False).stats
    assert sb["phi_mean"] == pytest.approx(sf["phi_mean"], rel=0.08)
    assert sb["f"] == pytest.approx(sf["f"], rel=0.05)
    assert sb["mu"] == pytest.approx(sf["mu"], rel=0.08)
