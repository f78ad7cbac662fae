"""Every SSN result follows the one result convention; one stability rule for model and design."""
import numpy as np
import pytest

from brianmodels.result import check_result
from meanfield import SSN
from meanfield.ssn import design, kernels

J_FIG4 = [[5, 10], [7, 11]]


def test_ssn_tables_are_results():
    ssn = SSN.paper(J_FIG4)
    for res in (ssn.steady_states([1.0, 3.0], r=1.0), ssn.state_counts([1.0, 3.0], mu_I=[1.0, 3.0]),
                ssn.sweep(np.linspace(0, 10, 21), r=1.0), ssn.sweep_path([0.0, 5.0], [0.0, 5.0]),
                ssn.sweep_r([0.5, 1.0], mu_E=3.0), ssn.size_scan([4000, 16000], [0.01, 0.05])):
        check_result(res)
        assert res.status == 0 and res.params["ssn"] == ssn.to_dict()
    assert "state" in ssn.steady_states(3.0).table.columns
    assert "branch" not in ssn.steady_states(3.0).table.columns


def test_steady_states_status_beyond_grid():
    # far above any input of the paper the E rate of the upper state passes the z-grid (1e4 Hz)
    res = SSN.paper([[2.5, 1.3], [2.4, 1.0]]).steady_states(1e6, r=0.0)
    check_result(res)
    assert res.status in (0, 1) and (res.status == 1) == (res.diagnostics["n_beyond_grid"] > 0)


def test_design_result_is_a_result():
    res = design.target_isn(SSN.paper(J_FIG4), 3.0)
    check_result(res)
    assert res.success and list(res.table.quantity) == ["nu_isn"] and res.params["target"] == "isn"
    bad = design.target_balanced(SSN.paper([[1.25, 1], [1, 1.25]]), 3.0, fixed=("EE", "EI", "IE", "II"))
    check_result(bad)
    assert bad.status == 1 and not bad.success


def test_one_stability_rule():
    ssn = SSN.paper(J_FIG4)
    tab = ssn.steady_states(np.linspace(0, 10, 101), r=1.0).table
    eig_rule = (np.maximum(tab.eig1_re, tab.eig2_re) < 0) & ~tab.fold
    np.testing.assert_array_equal(tab.stable.to_numpy(), eig_rule.to_numpy())
    np.testing.assert_array_equal(kernels.is_stable(tab.delta, tab.trace, tab.fold), tab.stable.to_numpy())


def test_drive_names():
    ssn = SSN.paper(J_FIG4)
    with pytest.raises(TypeError):
        ssn.steady_states(3.0, 3.0)        # r and mu_I are keyword-only
    e, i = ssn.balanced_rates(np.array([1.0, 2.0]), r=0.5)
    e2, i2 = ssn.balanced_rates(np.array([1.0, 2.0]), mu_I=np.array([0.5, 1.0]))
    np.testing.assert_allclose(e2, e, rtol=1e-12)
    np.testing.assert_allclose(i2, i, rtol=1e-12)
