"""Bad input to meanfield's public functions and to compare() is refused before any work.

Each case asserts the exception type and that the message names the offending parameter (or
table column). The ``no_work`` fixture replaces the numerical cores (transfer-function kernel,
power-law fit, SSN root finder, Phi_sc point scan and continuation, DMFT solver, design
optimiser, compare's matching) by functions that fail the test if they are reached, so every
case also shows that the check happens before the computation starts.
"""
import numpy as np
import pandas as pd
import pytest

import meanfield
from meanfield import SSN, cv_isi, dmft, dmft_sweep, fit_powerlaw, phi, phi_grad, selfconsistent, \
    size_scaling, solve_point
from meanfield.ssn import design
from meanfield.sparse_balance import gammasum
from meanfield.ssn import regimes
from meanfield import compare
from meanfield._solvers import continue_curve, locate_fold
from meanfield.lif.powerlaw import PowerLaw
from meanfield.lif.selfconsistency import PhiNetwork

NAN, INF = float("nan"), float("inf")

SSN4 = SSN.paper([[5, 10], [7, 11]])                      # the paper's Fig 4 network (no fit needed)
PN = PhiNetwork.from_arrays([[1.0, 2.0], [1.5, 2.0]], K=100)  # a small Phi_sc network
MU = np.linspace(0.0, 10.0, 11)


class Scalable:
    """Duck-typed network for size_scaling: the PhiNetwork fields plus scaled(N)."""

    J, j, tau, sigma_ext, theta, v_reset = PN.J, PN.jv, PN.tau, PN.sigma_ext, PN.theta, PN.v_reset

    def scaled(self, N):
        return self


def _F(x):                      # the circle x0^2 + x1^2 = 1 as a curve with parameter x1
    return np.array([x[0] ** 2 + x[1] ** 2 - 1.0])


def _jac(x):
    return np.array([[2 * x[0], 2 * x[1]]])


def _s_curve(n=81):
    x = np.linspace(-3.0, 2.5, n)
    mu = x ** 3 - 3 * x + 5
    return pd.DataFrame(dict(mu_E=mu, mu_I=mu, nu_E=x + 3, nu_I=0.5 * (x + 3), stable=np.abs(x) > 1, branch=0))


TH = _s_curve()
SIM = pd.DataFrame(dict(mu_E=[0.25, 0.25, 9.75, 9.75, 5.25, 5.25], mu_I=[0.25, 0.25, 9.75, 9.75, 5.25, 5.25],
                        population=list("EIEIEI"), rate=[0.6, 0.3, 5.2, 2.6, 1.0, 0.5]))
K = np.array([250, 500, 1000])
RTH = pd.DataFrame(dict(K=K, m=0.5 / np.sqrt(K), f=0.1 + 0 * K, beta=1.0 + 0 * K))
RSIM = pd.DataFrame(dict(K=K, seed=0, phi_mean=0.5 / np.sqrt(K), f=0.1, beta=1.0))


@pytest.fixture(scope="module", autouse=True)
def warm_caches():
    """Pay the one-time costs (sympy lambdification, the tanh kernel) once, so that each case's
    time is that of its check."""
    from meanfield.sparse_balance.activations import get_activation
    from meanfield.ssn.symbolic import functions
    functions()
    get_activation("tanh")


@pytest.fixture
def no_work(monkeypatch):
    """Make every numerical core fail the test if a bad call reaches it."""
    def forbidden(*args, **kwargs):
        raise AssertionError("the computation started before the bad input was refused")

    for module, name in [("meanfield.lif.transfer", "_core"), ("meanfield.lif.selfconsistency", "_core"),
                         ("meanfield.lif.powerlaw", "_fit_cached"), ("meanfield.ssn.kernels", "states"),
                         ("meanfield.lif.selfconsistency", "_solve_point"), ("meanfield.lif.selfconsistency", "continue_curve"),
                         ("meanfield.sparse_balance.dmft_solver", "solve_u"), ("meanfield.sparse_balance.dmft_solver", "evaluate"),
                         ("meanfield.ssn.design", "_minimise"), ("meanfield.ssn.design", "_states"),
                         ("meanfield.comparison", "_theory_segments"), ("meanfield.comparison", "_candidates"),
                         ("meanfield._solvers", "newton"), ("meanfield._solvers", "_tangent")]:
        monkeypatch.setattr(f"{module}.{name}", forbidden)


# (id, call, exception, text the message must contain)
CASES = [
    # transfer function
    ("phi-mu-None", lambda: phi(None, 3, 0.02), TypeError, "mu"),
    ("phi-sigma-nan", lambda: phi(20, NAN, 0.02), ValueError, "sigma"),
    ("phi-tau-negative", lambda: phi(20, 3, -0.02), ValueError, "tau must be > 0"),
    ("phi-t_ref-negative", lambda: phi(20, 3, 0.02, t_ref=-1e-3), ValueError, "t_ref"),
    ("phi-theta-below-reset", lambda: phi(20, 3, 0.02, theta=0.0), ValueError, "theta must be > v_reset"),
    ("phi-theta-v_reset-shapes", lambda: phi(20, 3, 0.02, theta=[1, 1], v_reset=[0, 0, 0]), ValueError,
     "theta (2,), v_reset (3,)"),
    ("phi-allow_zero_sigma-str", lambda: phi(20, 0, 0.02, allow_zero_sigma="yes"), TypeError, "allow_zero_sigma"),
    ("phi_grad-shapes", lambda: phi_grad([1, 2, 3], [3, 3], 0.02), ValueError, "sigma (2,)"),
    ("cv_isi-mu-inf", lambda: cv_isi(INF, 3, 0.02), ValueError, "mu must be finite"),
    ("powerlaw-call-nan", lambda: PowerLaw(1e-4, -10.0, 3.0)(NAN), ValueError, "mu must be finite"),
    # power-law fit
    ("fit-p0-None", lambda: fit_powerlaw(3, 0.02, p0=None), TypeError, "p0"),
    ("fit-p0-nan", lambda: fit_powerlaw(3, 0.02, p0=(NAN, 1, 3)), ValueError, "p0"),
    ("fit-p0-short", lambda: fit_powerlaw(3, 0.02, p0=(1, 2)), ValueError, "p0"),
    ("fit-theta-nan", lambda: fit_powerlaw(3, 0.02, theta=NAN), ValueError, "theta"),
    ("fit-reset-above-theta", lambda: fit_powerlaw(3, 0.02, v_reset=2.0), ValueError, "v_reset"),
    # SSN
    ("ssn-paper-tau_E_fit-str", lambda: SSN.paper([[5, 10], [7, 11]], tau_E_fit="x"), TypeError, "tau_E_fit"),
    ("ssn-from_network-unknown-kwarg", lambda: SSN.from_network(Scalable(), foo=1), TypeError, "foo"),
    ("steady_states-empty", lambda: SSN4.steady_states([]), ValueError, "mu_E must hold at least 1"),
    ("steady_states-r-shape", lambda: SSN4.steady_states([1, 2, 3], r=[1, 2]), ValueError, "mu_E and r"),
    ("steady_states-grid-short", lambda: SSN4.steady_states(3.0, grid=[0.0, 2.0]), ValueError, "grid"),
    ("steady_states-grid-decreasing", lambda: SSN4.steady_states(3.0, grid=np.linspace(10, 0, 50)),
     ValueError, "grid must start at 0 and increase"),
    ("steady_states-grid-nan", lambda: SSN4.steady_states(3.0, grid=[0.0, 1.0, NAN]), ValueError, "grid"),
    ("state_counts-empty", lambda: SSN4.state_counts([]), ValueError, "mu_E"),
    ("sweep-empty", lambda: SSN4.sweep([]), ValueError, "mu_E must hold at least 1 input point"),
    ("sweep-2d", lambda: SSN4.sweep([[1, 2], [3, 4]]), ValueError, "mu_E must be a scalar or a 1-D"),
    ("sweep-refine-fraction", lambda: SSN4.sweep([1, 2], refine=1.5), ValueError, "refine"),
    ("sweep-refine-None", lambda: SSN4.sweep([1, 2], refine=None), TypeError, "refine"),
    ("sweep-refine-huge", lambda: SSN4.sweep([1, 2], refine=10 ** 9), ValueError,
     "refine must be an integer in [0, 60]"),
    ("fold_curve-n_bisect-huge", lambda: regimes.fold_curve(SSN4, [1.0], n_bisect=10 ** 9), ValueError, "n_bisect"),
    ("solve_point-n_grid-huge", lambda: solve_point(PN, 10.0, mu_I=10.0, n_grid=10 ** 9), ValueError, "n_grid"),
    ("sweep_path-empty", lambda: SSN4.sweep_path([], []), ValueError, "mu_E"),
    ("sweep_r-empty", lambda: SSN4.sweep_r([], mu_E=3.0), ValueError, "r_values"),
    ("onset-mu_E_max-negative", lambda: SSN4.supersaturation_onset(1.5, mu_E_max=-1), ValueError, "mu_E_max"),
    ("onset-n_grid-zero", lambda: SSN4.supersaturation_onset(1.5, n_grid=0), ValueError, "n_grid"),
    ("balanced_rates-r-nan", lambda: SSN4.balanced_rates(1.0, r=NAN), ValueError, "r must be finite"),
    ("balanced_state-r-nan", lambda: SSN4.balanced_state(NAN), ValueError, "r must be finite"),
    ("size_scan-N-empty", lambda: SSN4.size_scan([], [1, 2]), ValueError, "N_values"),
    ("size_scan-mu_hat-empty", lambda: SSN4.size_scan([4000], []), ValueError, "mu_hat"),
    ("size_scan-unknown-kwarg", lambda: SSN4.size_scan([4000], [1, 2], foo=1), TypeError, "foo"),
    ("inputs_for-check_stability-str", lambda: SSN4.inputs_for(2.0, 1.0, check_stability="no"), TypeError,
     "check_stability"),
    ("inputs_for-unknown-kwarg", lambda: SSN4.inputs_for(2.0, 1.0, foo=1), TypeError, "foo"),
    ("ssn-regime_map-unknown-kwarg", lambda: SSN4.regime_map([1.0], r=[1.0], foo=1), TypeError, "foo"),
    ("ssn-fold_curve-n_grid", lambda: SSN4.fold_curve([1.0], n_grid=2), ValueError, "n_grid"),
    ("weights_for-shapes", lambda: SSN4.weights_for([2.0, 3.0], 1.0, [3.0, 3.0, 3.0], 3.0), ValueError, "mu_E"),
    # regimes
    ("regime_map-ssn-None", lambda: meanfield.regime_map(None, [1.0], r=[1.0]), TypeError, "ssn"),
    ("regime_map-mu-empty", lambda: meanfield.regime_map(SSN4, [], r=[1.0]), ValueError, "mu_E"),
    ("fold_curve-r-empty", lambda: regimes.fold_curve(SSN4, []), ValueError, "r_values"),
    ("fold_curve-n_bisect-zero", lambda: regimes.fold_curve(SSN4, [1.0], n_bisect=0), ValueError, "n_bisect"),
    ("fold_curve-mu_E_range-one", lambda: regimes.fold_curve(SSN4, [1.0], mu_E_range=(0,)), ValueError,
     "mu_E_range"),
    ("fold_curve-mu_E_range-positional", lambda: regimes.fold_curve(SSN4, [1.0], (0, 1)), TypeError, "positional"),
    ("ssn-fold_curve-mu_range-old-name", lambda: SSN4.fold_curve([1.0], mu_range=(0, 1)), TypeError, "mu_range"),
    ("isn_boundary-n_grid-zero", lambda: regimes.isn_boundary(SSN4, [1.0], n_grid=0), ValueError, "n_grid"),
    ("ss_boundary-mu_E_range-reversed", lambda: regimes.supersaturation_boundary(SSN4, [1.0], mu_E_range=(5, 1)),
     ValueError, "mu_E_range"),
    ("plot_regime_map-None", lambda: meanfield.plot_regime_map(None), TypeError, "regimes must be the result"),
    ("plot_regime_map-columns", lambda: meanfield.plot_regime_map(pd.DataFrame(dict(mu=[1.0]))), ValueError,
     "regimes lacks"),
    # Ricciardi self-consistency
    ("phinet-K-shape", lambda: PhiNetwork.from_arrays([[1, 1], [1, 1]], K=[1, 2, 3]), ValueError, "K must be"),
    ("phinet-name-int", lambda: PhiNetwork.from_arrays([[1, 1], [1, 1]], K=100, name=5), TypeError, "name"),
    ("solve_point-n_grid-fraction", lambda: solve_point(PN, 10.0, mu_I=10.0, n_grid=50.7), ValueError, "n_grid"),
    ("solve_point-n_grid-str", lambda: solve_point(PN, 10.0, mu_I=10.0, n_grid="a"), TypeError, "n_grid"),
    ("selfconsistent-n_grid-zero", lambda: selfconsistent(PN, MU, n_grid=0), ValueError, "n_grid"),
    ("selfconsistent-n_grid-negative", lambda: selfconsistent(PN, MU, n_grid=-3), ValueError, "n_grid"),
    ("selfconsistent-tol-zero", lambda: selfconsistent(PN, MU, tol=0), ValueError, "tol"),
    ("selfconsistent-tol-nan", lambda: selfconsistent(PN, MU, tol=NAN), ValueError, "tol"),
    ("selfconsistent-tol-loose", lambda: selfconsistent(PN, MU, tol=1.0), ValueError, "tol must be in"),
    ("selfconsistent-n_check-fraction", lambda: selfconsistent(PN, MU, n_check=1.5), ValueError, "n_check"),
    ("selfconsistent-progress-str", lambda: selfconsistent(PN, MU, progress="yes"), TypeError, "progress"),
    ("selfconsistent-ds_max-zero", lambda: selfconsistent(PN, MU, ds_max=0), ValueError, "ds_max"),
    ("selfconsistent-mu-one-point", lambda: selfconsistent(PN, [1.0]), ValueError, "mu_E"),
    ("selfconsistent-mu-repeated", lambda: selfconsistent(PN, [1.0, 1.0, 2.0]), ValueError, "mu_E, mu_I"),
    ("size_scaling-N-empty", lambda: size_scaling(Scalable(), [], MU), ValueError, "N_values"),
    ("size_scaling-mu_hat-empty", lambda: size_scaling(Scalable(), [4000], []), ValueError, "mu_hat"),
    ("size_scaling-n_grid-zero", lambda: size_scaling(Scalable(), [4000], MU, n_grid=0), ValueError, "n_grid"),
    ("size_scaling-unknown-kwarg", lambda: size_scaling(Scalable(), [4000], MU, foo=1), TypeError, "foo"),
    # continuation kernel
    ("continue-F-not-callable", lambda: continue_curve(None, _jac, [1.0, 0.0]), TypeError, "F must be callable"),
    ("continue-x0-nan", lambda: continue_curve(_F, _jac, [NAN, 0.0]), ValueError, "x0"),
    ("continue-direction-zero", lambda: continue_curve(_F, _jac, [1.0, 0.0], direction=0), ValueError,
     "direction"),
    ("continue-bounds-reversed", lambda: continue_curve(_F, _jac, [1.0, 0.0], param_bounds=(1, 0)), ValueError,
     "param_bounds"),
    ("continue-tol-zero", lambda: continue_curve(_F, _jac, [1.0, 0.0], tol=0), ValueError, "tol"),
    ("continue-max_newton-one", lambda: continue_curve(_F, _jac, [1.0, 0.0], max_newton=1), ValueError,
     "max_newton"),
    ("continue-max_steps-zero", lambda: continue_curve(_F, _jac, [1.0, 0.0], max_steps=0), ValueError,
     "max_steps"),
    ("continue-scale-shape", lambda: continue_curve(_F, _jac, [1.0, 0.0], scale=[1.0]), ValueError, "scale"),
    ("locate_fold-max_iter-zero", lambda: locate_fold(_F, _jac, [1.0, 0.0], [0.0, 1.0], [1.0, 0.1], max_iter=0),
     ValueError, "max_iter"),
    # DMFT and gamma sums
    ("dmft-ode-str", lambda: dmft(ode="no"), TypeError, "ode"),
    ("dmft-K-zero", lambda: dmft(K=0), ValueError, "K must be > 0"),
    ("dmft-dtau-zero", lambda: dmft(dtau=0), ValueError, "dtau"),
    ("dmft_sweep-unknown-kwarg", lambda: dmft_sweep([100], progress=False, foo=1), TypeError, "foo"),
    ("dmft_sweep-K-negative", lambda: dmft_sweep([100, -1], progress=False), ValueError, "K must be > 0"),
    ("dmft_sweep-progress-str", lambda: dmft_sweep([100], progress="no"), TypeError, "progress"),
    ("eta_pdf-str", lambda: gammasum.eta_pdf("a", 0.5, 1, 1, 10), TypeError, "eta"),
    ("eta_cdf-nan", lambda: gammasum.eta_cdf(NAN, 0.5, 1, 1, 10), ValueError, "eta"),
    ("eta_gamma-f-above-one", lambda: gammasum.eta_gamma_params(1.5, 1, 1, 10), ValueError, "f must be in"),
    # design
    ("design-n_starts-zero", lambda: design.target_supersaturation(SSN4, 5.0, 10.0, r=1.5, n_starts=0),
     ValueError, "n_starts"),
    ("design-rtol-zero", lambda: design.target_supersaturation(SSN4, 5.0, r=1.5, rtol=0), ValueError, "rtol"),
    ("design-margin-nan", lambda: design.target_supersaturation(SSN4, 5.0, r=1.5, margin=NAN), ValueError,
     "margin"),
    ("design-seed-str", lambda: design.target_supersaturation(SSN4, 5.0, r=1.5, seed="a"), TypeError, "seed"),
    ("design-bounds-scalar", lambda: design.target_supersaturation(SSN4, 5.0, r=1.5, bounds={"EE": 5}),
     ValueError, "bounds['EE']"),
    ("design-bounds-nan", lambda: design.target_supersaturation(SSN4, 5.0, r=1.5, bounds={"EE": (NAN, 3)}),
     ValueError, "bounds['EE']"),
    ("design-network-duck", lambda: design.target_supersaturation(SSN4, 5.0, r=1.5, network=object()),
     TypeError, "network"),
    ("design-bistability-n_starts", lambda: design.target_bistability(SSN4, 1.0, 5.0, r=1.0, n_starts=-1),
     ValueError, "n_starts"),
    ("design-isn-bounds-key", lambda: design.target_isn(SSN4, 2.0, bounds={"EI": (1, 2)}), ValueError, "bounds"),
    ("design-balanced-n_starts", lambda: design.target_balanced(SSN4, 0.5, n_starts=0), ValueError, "n_starts"),
    # compare
    ("compare-sim-rate-nan", lambda: compare(SIM.assign(rate=[NAN] + [1.0] * 5), TH), ValueError,
     "column 'rate' has 1 non-finite"),
    ("compare-sim-rate-inf", lambda: compare(SIM.assign(rate=[INF] + [1.0] * 5), TH), ValueError, "'rate'"),
    ("compare-sim-rate-negative", lambda: compare(SIM.assign(rate=[-1.0] + [1.0] * 5), TH), ValueError,
     "'rate' must be >= 0"),
    ("compare-sim-rate-str", lambda: compare(SIM.assign(rate=["a"] * 6), TH), TypeError, "'rate'"),
    ("compare-sim-mu_E-str", lambda: compare(SIM.assign(mu_E=["x"] * 6), TH), TypeError, "'mu_E'"),
    ("compare-sim-mu_E-nan", lambda: compare(SIM.assign(mu_E=[NAN] + [1.0] * 5), TH), ValueError, "'mu_E'"),
    ("compare-sim-empty", lambda: compare(SIM.iloc[:0], TH), ValueError, "sim has no rows"),
    ("compare-sim-direction", lambda: compare(SIM.assign(direction="sideways"), TH), ValueError, "direction"),
    ("compare-theory-empty", lambda: compare(SIM, {"SSN": TH.iloc[:0]}), ValueError, "theory 'SSN' has no rows"),
    ("compare-theory-missing-column", lambda: compare(SIM, {"SSN": TH.drop(columns="nu_I")}), ValueError,
     "nu_I"),
    ("compare-theory-dict-list", lambda: compare(SIM, {"SSN": [1, 2]}), TypeError, "theory 'SSN'"),
    ("compare-theory-stable-str", lambda: compare(SIM, {"SSN": TH.assign(stable="yes")}), TypeError, "'stable'"),
    ("compare-theory-nu_E-str", lambda: compare(SIM, {"SSN": TH.assign(nu_E="a")}), TypeError, "'nu_E'"),
    ("compare-theory-mu_E-nan", lambda: compare(SIM, {"SSN": TH.assign(mu_E=NAN)}), ValueError, "'mu_E'"),
    ("compare-atol-negative", lambda: compare(SIM, TH, atol_input=-1), ValueError, "atol_input"),
    ("compare-atol-str", lambda: compare(SIM, TH, atol_input="a"), TypeError, "atol_input"),
    ("compare-nan-policy", lambda: compare(SIM, TH, nan="ignore"), ValueError, "nan must be one of"),
    ("compare-match-None", lambda: compare(SIM, TH, match=None), ValueError, "match"),
    ("compare-rate-sim-nan", lambda: compare(RSIM.assign(phi_mean=[NAN, 0.1, 0.1]), {"d": RTH}), ValueError,
     "'phi_mean'"),
    ("compare-rate-sim-K-nan", lambda: compare(RSIM.assign(K=[NAN, 500, 1000]), {"d": RTH}), ValueError, "'K'"),
    ("compare-rate-theory-duplicate-K", lambda: compare(RSIM, {"d": pd.concat([RTH, RTH])}), ValueError,
     "one row per K"),
    ("compare-rate-theory-str", lambda: compare(RSIM, {"d": RTH.assign(m="a")}), TypeError, "'m'"),
]


@pytest.mark.parametrize("call, exc, text", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_before_work(no_work, call, exc, text):
    with pytest.raises(exc) as info:
        call()
    assert text in str(info.value), str(info.value)


def test_case_count_and_unique_ids():
    assert len(CASES) >= 45
    assert len({c[0] for c in CASES}) == len(CASES)


def test_compare_plot_axes_checked():
    cmp = compare(SIM, {"S": TH})
    with pytest.raises(ValueError, match="axes"):
        cmp.plot(axes=[1])


def test_compare_nan_drop_leaves_rows_out_and_reports_them():
    """nan='drop': the NaN rate is left out with a warning, counted, and the metrics equal those of
    the table without that row."""
    bad = SIM.assign(rate=[NAN] + SIM["rate"].tolist()[1:])
    with pytest.warns(RuntimeWarning, match="left out 1 simulated value"):
        cmp = compare(bad, {"S": TH}, nan="drop")
    ref = compare(SIM.iloc[1:], {"S": TH})
    assert cmp.n_dropped == 1 and list(cmp.dropped["column"]) == ["rate"]
    s, r = cmp.summary(), ref.summary()
    assert s.loc[("S", "E"), "n_dropped"] == 1 and s.loc[("S", "I"), "n_dropped"] == 0
    cols = ["n", "rmse", "max_abs_err", "bias", "median_rel_err"]
    pd.testing.assert_frame_equal(s[cols].sort_index(), r[cols].sort_index())
    assert "1 non-finite simulated value(s) left out" in cmp.report()


def test_compare_nan_drop_rate_network_counts_per_quantity():
    bad = RSIM.assign(phi_mean=[NAN, 0.1, 0.1])
    with pytest.warns(RuntimeWarning):
        cmp = compare(bad, {"d": RTH}, nan="drop")
    s = cmp.summary()
    assert s.loc[("d", "phi_mean"), "n"] == 2 and s.loc[("d", "phi_mean"), "n_dropped"] == 1
    assert s.loc[("d", "f"), "n"] == 3 and s.loc[("d", "f"), "n_dropped"] == 0
    # the metrics use the two finite values only: theory - sim at K = 500, 1000
    err = 0.5 / np.sqrt([500, 1000]) - 0.1
    assert s.loc[("d", "phi_mean"), "rmse"] == pytest.approx(np.sqrt(np.mean(err ** 2)), rel=1e-12)


def test_clean_tables_report_zero_dropped():
    s = compare(SIM, {"S": TH}).summary()
    assert (s["n_dropped"] == 0).all() and compare(SIM, {"S": TH}).n_dropped == 0


def test_valid_edge_values_still_work():
    """What the checks must not refuse: integral floats for integer settings, empty element-wise
    input, a single input point for a sweep, fixed given as one string."""
    assert phi([], 3.0, 0.02).shape == (0,)
    a, b = solve_point(PN, 10.0, mu_I=10.0, n_grid=50.0), solve_point(PN, 10.0, mu_I=10.0, n_grid=50)
    np.testing.assert_array_equal(a.nu, b.nu)
    assert len(SSN4.sweep([3.0], refine=2.0).table) == 3             # three states at mu = 3 (bistable)
    fixed, bounds, n_starts, seed, rtol = design._check_search(SSN4, None, "EI", {"EE": (None, INF)}, 2.0, 0, 1e-3)
    assert fixed == ("EI",) and bounds == {"EE": (None, None)} and n_starts == 2
