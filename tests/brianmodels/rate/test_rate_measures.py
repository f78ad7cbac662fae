"""Online estimators vs brute-force computations of ``docs/theory/sparse_balance.md`` §2 on fully recorded trajectories."""
import numpy as np
import pytest

from brianmodels.rate import activations
from brianmodels.rate.fastpath import SparseStepper
from brianmodels.rate.measures import LaggedAutocov
from brianmodels.rate.params import RateNetworkSpec
from brianmodels.rate.simulate import initial_condition, simulate_rate_network
from brianmodels.rate.weights import weight_matrix


def _ref_autocov(y, max_lag):
    """Authors' estimator by np.correlate: per-unit demeaned, unbiased (divide lag l by L - l)."""
    L = len(y)
    out = np.full((max_lag, y.shape[1]), np.nan)
    k = min(L, max_lag)
    for u in range(y.shape[1]):
        d = y[:, u] - y[:, u].mean()
        out[:k, u] = np.correlate(d, d, "full")[L - 1:L - 1 + k] / (L - np.arange(k))
    return out


@pytest.mark.parametrize("L", [10, 299, 300, 700, 1099, 1100, 5000])
@pytest.mark.parametrize("chunk", [1, 37, 100000])
def test_lagged_autocov_exact(L, chunk):
    rng = np.random.default_rng(L + chunk)
    y = 3.0 + np.cumsum(rng.standard_normal((L, 3)), 0) * 0.05 + rng.standard_normal((L, 3))
    ac = LaggedAutocov(3, 300, block=400)
    for i in range(0, L, chunk):
        ac.push(y[i:i + chunk])
    R, var = ac.finalize()
    ref = _ref_autocov(y, 300)
    np.testing.assert_array_equal(np.isnan(R), np.isnan(ref))
    np.testing.assert_allclose(R, ref, rtol=0, atol=1e-12 * np.nanmax(np.abs(ref)))


def test_lagged_autocov_float32_fft():
    rng = np.random.default_rng(5)
    y = -2.0 + rng.standard_normal((3000, 4))
    ac = LaggedAutocov(4, 250, fft_dtype=np.float32)
    ac.push(y)
    R, _ = ac.finalize()
    ref = _ref_autocov(y, 250)
    np.testing.assert_allclose(R, ref, rtol=0, atol=2e-5 * np.abs(ref).max())


@pytest.mark.standalone
def test_simulation_statistics_match_brute_force():
    """Every §2 observable of simulate_rate_network vs the definition on the full recorded arrays."""
    N, T, dt, warm, lag = 150, 30.0, 0.02, 2.0, 5.0
    kw = dict(N=N, K=N, J0=2.0, g=2.0, I0=1.0, phi="tanh", weights="gamma")
    res = simulate_rate_network(**kw, T=T, dt=dt, warmup=warm, seed=3, connectivity_seed=3, method="fast",
                                dtype="float64",
                                n_rec=40, max_lag=lag, hist_range=(-8.0, 4.0), hist_bins=60, progress=False)
    spec = RateNetworkSpec.inhibitory(**kw)
    st = SparseStepper(weight_matrix(spec, 3), initial_condition(spec, 3), spec.unit_input(), dt, 1)
    st.advance(int(round(warm / dt)))
    n = int(round(T / dt))
    X, E = np.empty((n, N)), np.empty((n, N))
    st.advance(n, X, E)
    eta = -E                                   # paper sign
    P = np.where(X > 0, np.tanh(X), 0.0)
    A = X > 0
    s = res.stats
    exp = dict(
        phi_mean=P.mean(), f=A.mean(), var_f=A.mean(1).var(),
        mu=np.mean(P.sum(1) / A.sum(1)), x_mean=X.mean(), eta_mean=eta.mean(),
        tvar_x=np.mean(X.var(0)), qvar_x=X.mean(0).var(), tvar_eta=np.mean(eta.var(0)),
        qvar_eta=eta.mean(0).var(),
        chi2_phi=P.mean(1).var() / np.mean(P.var(0)), chi2_x=X.mean(1).var() / np.mean(X.var(0)),
        chi2_eta=eta.mean(1).var() / np.mean(eta.var(0)),
        on_time_mean=A.mean(), frac_units_on_gt_half=np.mean(A.mean(0) > 0.5),
        chi_balance=X.mean() / 1.0)
    exp["var_eta_over_var_x"] = (exp["tvar_eta"] + exp["qvar_eta"]) / (exp["tvar_x"] + exp["qvar_x"])
    assert np.all(A.sum(1) > 0)
    for k, v in exp.items():
        assert s[k] == pytest.approx(v, rel=1e-9, abs=1e-12), k
    assert s["eta_mean"] > 0                     # paper sign convention: net inhibition positive
    np.testing.assert_allclose(res.on_time["on_time"], A.mean(0), rtol=1e-12)
    # R_eta and R_x over the first 40 units, lags 0 .. 5 tau (exclusive); beta (Eq 14)
    L_max = int(round(lag / dt))
    Re = _ref_autocov(eta[:, :40], L_max).mean(1)
    Rx = _ref_autocov(X[:, :40], L_max).mean(1)
    np.testing.assert_allclose(res.R_eta["R_eta"], Re, rtol=1e-4, atol=1e-6 * Re[0])   # float32 FFT
    np.testing.assert_allclose(res.R_eta["R_x"], Rx, rtol=1e-4, atol=1e-6 * Rx[0])
    np.testing.assert_allclose(res.R_eta["lag"], np.arange(L_max) * dt)
    assert s["beta"] == pytest.approx(Re[0] / np.trapezoid(Re, dx=dt), rel=1e-4)
    assert s["R_eta0"] == pytest.approx(np.mean(eta[:, :40].var(0)), rel=1e-5)
    # histogram of the recorded units' x
    counts, _ = np.histogram(X[:, :40], bins=np.linspace(-8, 4, 61))
    np.testing.assert_array_equal(res.hist_x["count"], counts)
    outside = np.mean((X[:, :40] < -8) | (X[:, :40] > 4))
    assert s["hist_outside_fraction"] == pytest.approx(outside)


@pytest.mark.standalone
def test_result_table_and_params():
    from brianmodels import seeds
    from brianmodels.result import check_result

    res = simulate_rate_network(N=100, K=100, T=5.0, warmup=1.0, max_lag=1.0, progress=False)
    check_result(res)
    assert res.success and res.status == 0 and "100 units" in res.message
    t = res.table                      # tidy: one row per population, one column per statistic
    assert list(t.columns[:5]) == ["K", "N", "seed", "connectivity_seed", "population"]
    assert len(t) == 1 and t["population"].iloc[0] == "I"
    assert t["phi_mean"].iloc[0] == pytest.approx(res.stats["phi_mean"])
    assert set(res.stats) <= set(t.columns)
    # the seed rule's defaults (brianmodels.seeds), recorded in params and in the table
    assert res.params["seed"] == seeds.SEED and res.params["connectivity_seed"] == seeds.CONNECTIVITY_SEED
    assert (t["seed"].iloc[0], t["connectivity_seed"].iloc[0]) == (seeds.SEED, seeds.CONNECTIVITY_SEED)
    assert res.method == "fast" and res.params["dt"] == 0.02
    assert res.stats["n_steps"] == 250
    assert res.hist_x["density"].sum() * (res.hist_x["x_right"] - res.hist_x["x_left"]).iloc[0] == \
        pytest.approx(1 - res.stats["hist_outside_fraction"])
