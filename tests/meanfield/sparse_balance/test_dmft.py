"""Sparse-balance DMFT (meanfield.dmft) against independent computations.

References: scipy.integrate.quad / mpmath quadrature of Eqs 23, 24 and the energy condition
(docs/theory/sparse_balance.md §3.1, §3.3), the ODE Eq 25 (beta from energy vs from the integrated
trajectory, separatrix orientation of pitfall 1), Heaviside identities and scaling (§3.1).
"""
import importlib
import math

import numpy as np
import pytest
from scipy.integrate import quad

dmft_mod = importlib.import_module("meanfield.sparse_balance.dmft_solver")
from meanfield.sparse_balance.activations import get_activation
from meanfield.sparse_balance.dmft_solver import dmft, dmft_sweep, effective_coupling
from meanfield.quadrature import two_point
from brianmodels.result import check_result

SQ2PI = math.sqrt(2 * math.pi)


def _E(h, u, var):
    """E[h(u + sqrt(var) z)] by adaptive quadrature on the half-line above the kink."""
    s = math.sqrt(var)
    lo = max(-u / s, -12.0)
    if lo >= 12.0:
        return 0.0
    return quad(lambda z: h(u + s * z) * math.exp(-z * z / 2) / SQ2PI, lo, 12.0, epsabs=0,
                epsrel=1e-12, limit=200)[0]


def _C(h, sig, u, s0):
    """int Dz [int Dxi h(u + sqrt(sig) z + sqrt(s0 - sig) xi)]^2 by nested quad."""
    r = math.sqrt(sig)
    inner = lambda z: _E(h, u + r * z, s0 - sig)  # noqa: E731
    zk, w = -u / r, math.sqrt(s0 - sig) / r           # kink and its smoothing width
    f = lambda z: inner(z) ** 2 * math.exp(-z * z / 2) / SQ2PI  # noqa: E731
    pts = sorted({-12.0, 12.0, zk, *(zk + k * w for k in (-8, -2, 2, 8))})
    return sum(quad(f, a, b, epsabs=0, epsrel=1e-11, limit=200)[0] for a, b in zip(pts, pts[1:]))


TANH = lambda x: math.tanh(x) if x > 0 else 0.0  # noqa: E731
LNCOSH = lambda x: math.log(math.cosh(x)) if x > 0 else 0.0  # noqa: E731
HEAV = lambda x: 1.0 if x > 0 else 0.0  # noqa: E731
RELU_INT = lambda x: x if x > 0 else 0.0  # noqa: E731


@pytest.fixture(scope="module")
def tanh_sol():
    return dmft(phi="tanh", J0=3.0, g=2.0, I0=1.0, K=1000)      # Fig 5 parameters


@pytest.fixture(scope="module")
def heav_sol():
    return dmft(phi="heaviside", J0=3.0, g=2.0, I0=1.0, K=1000)


@pytest.mark.parametrize("frac", [0.05, 0.35, 0.999])
def test_kernel_two_point_vs_nested_quad(frac):
    # C(sigma) and F(sigma) for rectified tanh at points typical of the solution, including
    # sigma -> sigma0 where the kink is barely smoothed (pitfall 5)
    act = get_activation("tanh")
    u, s0 = -1.9, 1.7
    sig = frac * s0
    assert two_point(act.phi, np.array([sig]), u, s0)[0] == pytest.approx(_C(TANH, sig, u, s0), rel=1e-8)
    assert two_point(act.Phi, np.array([sig]), u, s0)[0] == pytest.approx(_C(LNCOSH, sig, u, s0), rel=1e-8)


def test_eq23_residual_by_quad(tanh_sol):
    r = tanh_sol
    assert r.status == 0 and r.regime == "chaotic"
    m = _E(TANH, r.u, r.sigma0)
    assert r.u == pytest.approx(1.0 - 3.0 * math.sqrt(1000) * m, rel=1e-9, abs=1e-10)
    assert r.m == pytest.approx(m, rel=1e-8)                    # Eq 26 == direct mean
    assert r.f == pytest.approx(0.5 * math.erfc(-r.u / math.sqrt(2 * r.sigma0)), rel=1e-12)
    assert r.mu == pytest.approx(r.m / r.f, rel=1e-12)


def test_eq24_hilltop_by_quad(tanh_sol):
    r = tanh_sol
    geff2 = effective_coupling(2.0, 1000)
    assert geff2 == pytest.approx(4 * math.sqrt(1000))
    assert r.sigma_inf == pytest.approx(geff2 * _C(TANH, r.sigma_inf, r.u, r.sigma0), rel=1e-8)
    assert r.q == pytest.approx(r.sigma_inf / geff2, rel=1e-12)
    # hilltop, not valley: V'' = -1 + g_eff^2 C'(sigma_inf) < 0 (finite differences by quad)
    h = 1e-3 * r.sigma_inf
    dC = (_C(TANH, r.sigma_inf + h, r.u, r.sigma0) - _C(TANH, r.sigma_inf - h, r.u, r.sigma0)) / (2 * h)
    assert -1 + geff2 * dC == pytest.approx(r.diagnostics["V2_sigma_inf"], rel=1e-4)
    assert -1 + geff2 * dC < -0.1


def test_energy_condition_by_quad(heav_sol):
    # V(sigma0) = V(sigma_inf) with F from Phi = [x]_+ (Heaviside antiderivative), Sec 3.3
    r = heav_sol
    geff2 = effective_coupling(2.0, 1000)
    F0 = _E(lambda x: RELU_INT(x) ** 2, r.u, r.sigma0)
    Finf = _C(RELU_INT, r.sigma_inf, r.u, r.sigma0)
    lhs = (r.sigma0 ** 2 - r.sigma_inf ** 2) / 2
    assert lhs == pytest.approx(geff2 * (F0 - Finf), rel=1e-8)


def test_beta_energy_vs_ode_and_area_identity(tanh_sol, heav_sol):
    for r in (tanh_sol, heav_sol):
        d = r.diagnostics
        assert d["beta_rel_diff"] < 1e-4                  # brief asks ~2 %; we get ~1e-6
        R = r.R_eta
        # int R_eta = int (sigma - sigma_inf) (``docs/theory/sparse_balance.md`` §3.1 identity), by adaptive quad
        tc = R.tau_c
        area_sig = quad(lambda t: float(R.sigma(t)) - r.sigma_inf, 0, tc, limit=200,
                        epsrel=1e-10)[0] + (float(R.sigma(tc)) - r.sigma_inf) / R.lam
        area_R = quad(lambda t: float(R(t)), 0, tc, limit=200, epsrel=1e-10)[0] + float(R(tc)) / R.lam
        assert area_R == pytest.approx(area_sig, rel=1e-4)
        assert r.beta == pytest.approx(float(R(0.0)) / area_R, rel=1e-4)
        # R_eta(0) = g_eff^2 E[phi^2] - sigma_inf (Eq 21); table agrees with the callable
        tab = R.table
        assert tab["tau"].iloc[0] == 0 and tab["R_eta_norm"].iloc[0] == pytest.approx(1.0)
        np.testing.assert_allclose(tab["R_eta"].to_numpy()[::50], R(tab["tau"].to_numpy()[::50]))
        assert np.all(np.diff(tab["R_eta"].to_numpy()) <= 1e-12)      # monotone decay


def test_separatrix_orientation(tanh_sol):
    # pitfall 1: sigma0 slightly below the solution overshoots the hilltop, above turns back
    r = tanh_sol
    kern = dmft_mod._Kernel(get_activation("tanh"))
    geff2, JK = effective_coupling(2.0, 1000), 3.0 * math.sqrt(1000)
    events = {}
    for eps in (-1e-4, 1e-4):
        st = dmft_mod.evaluate(kern, r.sigma0 * (1 + eps), 1.0, JK, geff2)
        C, _ = dmft_mod._c_interpolant(kern, st.u, st.sigma0)
        events[eps] = dmft_mod._integrate_ode(C, st.sigma0, st.s_inf, geff2, 400.0)[2]
    assert events == {-1e-4: "crossed_sigma_inf", 1e-4: "sigma_dot_positive"}


def test_heaviside_identities_and_scaling():
    res = [dmft(phi="heaviside", J0=3.0, g=2.0, I0=1.0, K=K, ode=False) for K in (1e3, 1e4, 1e5)]
    for r in res:
        assert r.status == 0
        assert r.f == pytest.approx(r.m, rel=1e-9)             # phi_mean = f (§3.1)
        assert r.mu == pytest.approx(1.0, rel=1e-9)
    a2 = np.array([r.u ** 2 / r.sigma0 for r in res])           # |u|/sqrt(sigma0) ~ sqrt(log K)
    slope = np.diff(a2) / np.diff(np.log([1e3, 1e4, 1e5]))
    assert np.all(slope > 0.5) and np.all(slope < 1.2)
    f = np.array([r.f for r in res])
    expo = np.polyfit(np.log([1e3, 1e4, 1e5]), np.log(f), 1)[0]
    assert -0.6 < expo < -0.4                                   # f ~ K^(-1/2) roughly


def test_phi_mean_scaling_tanh():
    sw = dmft_sweep(K=[1000, 10000], phi="tanh", J0=3.0, ode=False, progress=False)
    check_result(sw)
    assert sw.success and len(sw.results) == 2 and sw.message == "2 of 2 point(s) succeeded"
    res = sw.table
    expo = np.polyfit(np.log(res["K"].astype(float)), np.log(res["phi_mean"]), 1)[0]
    assert -0.6 < expo < -0.4                                   # Fig 5A: ~K^(-1/2)
    assert list(res["status"]) == [0, 0]
    assert res["beta"].is_monotonic_increasing                  # Fig 5D: beta grows with K


def test_small_g_gives_static_solution():
    r = dmft(phi="tanh", J0=3.0, g=0.1, I0=1.0, K=1000)
    assert r.regime == "static" and r.status == 0
    geff2 = effective_coupling(0.1, 1000)
    assert r.sigma0 == r.sigma_inf
    assert r.sigma0 == pytest.approx(geff2 * _E(lambda x: TANH(x) ** 2, r.u, r.sigma0), rel=1e-8)
    assert r.u == pytest.approx(1 - 3 * math.sqrt(1000) * _E(TANH, r.u, r.sigma0), rel=1e-8)
    assert r.diagnostics["static_stability"] < 1
    assert float(r.R_eta(3.0)) == 0.0 and math.isnan(r.beta)
    r0 = dmft(phi="tanh", J0=3.0, g=0.0)                        # deterministic: u = I0 - J0 sqrt(K) tanh(u)
    assert r0.sigma0 == 0 and r0.u == pytest.approx(1 - 3 * math.sqrt(1000) * math.tanh(r0.u), abs=1e-12)


def test_nu_generalisation():
    # nu only enters through g_eff^2 = g^2 K^(1-nu): (g, nu=1) equals (g K^(1/4), nu=1/2)
    a = dmft(phi="heaviside", J0=3.0, g=2.0 * 1000 ** 0.25, K=1000, nu=1.0, ode=False)
    b = dmft(phi="heaviside", J0=3.0, g=2.0, K=1000, nu=0.5, ode=False)
    assert a.sigma0 == pytest.approx(b.sigma0, rel=1e-10)


def test_runaway_reported_not_silent():
    r = dmft(phi="relu", J0=3.0, g=2.0, I0=1.0, K=1000)
    assert r.status == 4 and not r.success and "runs away" in r.message
    assert math.isnan(r.sigma0)
    check_result(r)
    sw = dmft_sweep([1000], phi="relu", J0=3.0, g=2.0, progress=False)   # the sweep says so too
    check_result(sw)
    assert sw.status == 1 and "failed at K = [1000.0]" in sw.message and list(sw.table["status"]) == [4]


def test_result_convention(tanh_sol, heav_sol):
    for r in (tanh_sol, heav_sol):
        check_result(r)
        assert r.success and r.status == 0 and type(r.status) is int
        assert r.STATUS[4].startswith("no bounded solution")
    assert tanh_sol.params["weights"] == "normal"      # the DMFT is the theory of Gaussian weights


def test_one_default_for_simulation_and_theory():
    # issue 11: simulate_rate_network and dmft read their shared defaults from one place
    import inspect

    from brianmodels.rate.params import DEFAULTS
    from brianmodels.rate.simulate import simulate_rate_network

    sim = inspect.signature(simulate_rate_network).parameters
    th = inspect.signature(dmft).parameters
    for name in ("K", "J0", "g", "I0", "nu", "phi"):
        assert sim[name].default == th[name].default == getattr(DEFAULTS, name), name
    assert (DEFAULTS.J0, DEFAULTS.g, DEFAULTS.I0, DEFAULTS.nu) == (2.0, 2.0, 1.0, 0.5)  # Figs 1, 2, 4
    r = dmft(ode=False)
    assert r.success and r.params["J0"] == 2.0 and r.params["K"] == 1000


def test_other_phis_converge():
    for phi in ("relu", "quadratic", 1.5):
        r = dmft(phi=phi, J0=3.0, g=1.0, I0=1.0, K=1000)
        assert r.status == 0, r.message
        assert r.diagnostics["residual_max"] < 1e-10


def test_sweep_rows_match_single_points(heav_sol):
    df = dmft_sweep(K=[1000, 2000], phi="heaviside", J0=3.0, progress=False).table
    assert len(df) == 2 and {"K", "phi_mean", "f", "mu", "beta", "x_mean", "status"} <= set(df.columns)
    assert df.loc[0, "sigma0"] == pytest.approx(heav_sol.sigma0, rel=1e-12)
    # one column per quantity: the temporal variances carry the rate simulation's names
    assert df.loc[0, "tvar_x"] == pytest.approx(heav_sol.sigma0 - heav_sol.sigma_inf, rel=1e-12)
    assert not {"var_x", "var_x_quenched", "var_x_temporal", "var_eta_temporal"} & set(df.columns)
    assert heav_sol.to_frame().shape[0] == 1


@pytest.mark.parametrize("kw, name", [
    (dict(K=0), "K"), (dict(K=-5), "K"), (dict(g=-1.0), "g"), (dict(phi="sigmoid"), "phi"),
    (dict(phi=-1.0), "phi"), (dict(J0=float("nan")), "J0"), (dict(I0=float("inf")), "I0"),
    (dict(nu=float("nan")), "nu"), (dict(dtau=0.0), "dtau"),
])
def test_bad_input(kw, name):
    with pytest.raises(ValueError, match=name):
        dmft(**kw)
    if "K" not in kw:
        with pytest.raises(ValueError, match=name):
            dmft_sweep(K=[100, 200], **kw)


def test_bad_input_type():
    with pytest.raises(TypeError, match="K"):
        dmft(K="1000")


@pytest.mark.slow
def test_brute_force_network_simulation(tanh_sol):
    """Euler simulation of the Gaussian-weight network (N = K = 1000, T = 200) vs DMFT."""
    N = K = 1000
    J0, g, I0, dt, T, warm = 3.0, 2.0, 1.0, 0.05, 200.0, 20.0
    rng = np.random.default_rng(0)
    phi_means, fs = [], []
    for seed in range(2):
        rng = np.random.default_rng(seed)
        J = J0 / math.sqrt(K) + g * K ** -0.25 * rng.standard_normal((N, N))
        x = g * rng.standard_normal(N)
        acc_phi = acc_f = 0.0
        n = 0
        for step in range(int((T + warm) / dt)):
            ph = np.where(x > 0, np.tanh(x), 0.0)
            x = x + dt * (-x - J @ ph + I0)
            if step * dt >= warm:
                acc_phi += ph.mean()
                acc_f += (x > 0).mean()
                n += 1
        phi_means.append(acc_phi / n)
        fs.append(acc_f / n)
    assert np.mean(phi_means) == pytest.approx(tanh_sol.m, rel=0.1)
    assert np.mean(fs) == pytest.approx(tanh_sol.f, rel=0.1)
