"""Every result of the LIF theory follows the one result convention (brianmodels.result)."""
import numpy as np
import pytest

from brianmodels import presets
from brianmodels.result import check_result
from meanfield import fit_powerlaw, selfconsistent, size_scaling, solve_point
from meanfield._solvers import continue_curve


def test_powerlaw_fit_is_a_result():
    fit = fit_powerlaw(3.0, 0.02)
    check_result(fit)
    assert fit.status == 0 and fit.success and list(fit.table.columns[:3]) == ["a", "b", "n"]
    assert fit.params["sigma"] == 3.0 and fit.coefficients == (fit.a, fit.b, fit.n)


def test_point_solutions_and_sweep_are_results():
    net = presets.get("bistable")
    ps = solve_point(net, 3.0, r=1.0)
    check_result(ps)
    assert ps.success and list(ps.table.state) == [0, 1, 2]
    res = selfconsistent(net, np.linspace(0.0, 10.0, 41))
    check_result(res)
    assert res.success and res.params["nu_max"] == 500.0
    assert {"branch", "segment", "state"} <= set(res.table.columns) and "curve" not in res.table.columns


def test_size_scaling_is_a_result():
    net = presets.get("supersaturating")
    res = size_scaling(net, [4000, 40000], np.linspace(0.0, 0.5, 6), n_check=0)
    check_result(res)
    assert res.params["sizes"] == [4000, 40000] and "mu_hat_E" in res.table.columns


def test_continuation_result_success_is_status_zero_with_its_end():
    F = lambda v: np.array([v[0] ** 2 + v[1] ** 2 - 1.0])       # noqa: E731
    J = lambda v: np.array([[2 * v[0], 2 * v[1]]])             # noqa: E731
    loop = continue_curve(F, J, [1.0, 0.0], param_bounds=(-5, 5), ds=0.05, ds_max=0.1)
    check_result(loop)
    assert loop.success and loop.end == "loop" and loop.table["fold"].sum() == 2
    short = continue_curve(F, J, [1.0, 0.0], param_bounds=(-5, 5), ds=0.05, ds_max=0.1, max_steps=3)
    check_result(short)
    assert short.status == 1 and not short.success and short.end is None


def test_drive_is_given_once():
    net = presets.get("bistable")
    with pytest.raises(ValueError, match="not both"):
        selfconsistent(net, [0.0, 1.0], r=1.0, mu_I=[0.0, 1.0])
    with pytest.raises(ValueError, match="not both"):
        solve_point(net, 3.0, r=1.0, mu_I=3.0)
    with pytest.raises(TypeError):
        solve_point(net, 3.0, 3.0)          # mu_I is keyword-only
    a, b = solve_point(net, 3.0), solve_point(net, 3.0, mu_I=3.0)   # neither: r = 1
    np.testing.assert_array_equal(a.nu, b.nu)
