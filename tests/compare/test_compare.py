"""compare(sim, theory) on synthetic tables whose right answer is known by construction."""
import numpy as np
import pandas as pd
import pytest

from meanfield import compare


def s_curve(n=801):
    """An S-shaped branch: mu(x) = x^3 - 3x + 5 folds at x = -1 (mu = 7) and x = +1 (mu = 3)."""
    x = np.linspace(-3.0, 2.5, n)
    mu = x ** 3 - 3 * x + 5
    nu_E = x + 3.0
    return pd.DataFrame(dict(mu_E=mu, mu_I=mu, nu_E=nu_E, nu_I=0.5 * nu_E, stable=np.abs(x) > 1, branch=0))


def branch_values(mu, upper):
    """Stable state of the S curve at mu: the root of x^3 - 3x + 5 - mu with |x| > 1 on the chosen side."""
    roots = np.roots([1, 0, -3, 5 - mu])
    roots = roots[np.abs(roots.imag) < 1e-9].real
    x = roots.max() if upper else roots.min()
    assert abs(x) > 1
    return x + 3.0


def hysteresis_sim(noise=0.0, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    mus = np.arange(0.25, 10.0, 0.5)  # avoids the fold points themselves
    for direction, order in (("up", mus), ("down", mus[::-1])):
        for mu in order:
            upper = mu > 7 if direction == "up" else mu >= 3
            nu_E = branch_values(mu, upper)
            for pop, nu in (("E", nu_E), ("I", 0.5 * nu_E)):
                rows.append(dict(mu_E=mu, mu_I=mu, population=pop, rate=nu + noise * rng.standard_normal(),
                                 direction=direction))
    return pd.DataFrame(rows)


def test_history_matching_follows_hysteresis_and_never_averages():
    cmp = compare(hysteresis_sim(), {"S": s_curve()})
    t = cmp.table
    at5 = t[(t.mu_E == 5.25) & (t.population == "E")].set_index("direction")
    assert at5.loc["up", "theory_value"] == pytest.approx(branch_values(5.25, upper=False), abs=2e-3)
    assert at5.loc["down", "theory_value"] == pytest.approx(branch_values(5.25, upper=True), abs=2e-3)
    # interpolation error of a 601-point branch is tiny: every matched point agrees
    assert t["abs_err"].max() < 5e-3
    assert (t["n_stable"] <= 2).all() and (t.loc[t.mu_E.between(3.01, 6.99), "n_stable"] == 2).all()
    summary = cmp.summary()
    assert summary.loc[("S", "E"), "n"] == 40 and summary.loc[("S", "E"), "rmse"] < 5e-3
    # unstable middle branch is reported at inputs inside the window, not matched
    assert len(cmp.unstable) > 0 and cmp.unstable["mu_E"].between(3, 7).all()


def test_bistability_window_edges_against_folds():
    cmp = compare(hysteresis_sim(), {"S": s_curve()})
    reg = cmp.regimes.set_index("measure")
    lo, hi = reg.loc["bistability window low edge [mV/s]"], reg.loc["bistability window high edge [mV/s]"]
    assert lo["theory_value"] == pytest.approx(3.0, abs=0.02)
    assert hi["theory_value"] == pytest.approx(7.0, abs=0.02)
    # sim jumps between grid points 3.25 -> 2.75 (down) and 6.75 -> 7.25 (up): midpoints
    assert lo["sim"] == pytest.approx(3.0) and hi["sim"] == pytest.approx(7.0)


def test_nearest_matching_without_direction_and_seed_averaging():
    sim = hysteresis_sim(noise=0.01, seed=1)
    sim = sim[sim.direction == "down"].drop(columns="direction")
    sim2 = sim.assign(rate=sim.rate + 0.02, seed=2)
    both = pd.concat([sim.assign(seed=1), sim2])
    cmp = compare(both, s_curve())
    t = cmp.table[cmp.table.population == "E"].set_index("mu_E")
    assert t.loc[5.25, "theory_value"] == pytest.approx(branch_values(5.25, upper=True), abs=2e-3)
    # two seeds averaged: sim = truth + mean noise + 0.01
    assert t.loc[5.25, "sim"] - branch_values(5.25, True) == pytest.approx(0.01, abs=0.02)
    assert np.isfinite(t["sim_sem"]).all()


def test_exact_grid_points_and_several_theories():
    mus = np.arange(0.25, 10.0, 0.5)
    rows = []
    for mu in mus:  # a 'theory' evaluated exactly at the sim's points, with 1 or 3 states
        for x in np.roots([1, 0, -3, 5 - mu]):
            if abs(x.imag) < 1e-9:
                x = x.real
                rows.append(dict(mu_E=mu, mu_I=mu, nu_E=x + 3, nu_I=0.5 * (x + 3), stable=abs(x) > 1))
    exact = pd.DataFrame(rows)
    cmp = compare(hysteresis_sim(), {"exact": exact, "interp": s_curve()})
    s = cmp.summary()
    assert set(s.index.get_level_values(0)) == {"exact", "interp"}
    assert s.loc[("exact", "E"), "max_abs_err"] < 1e-9
    assert "S" not in str(cmp) and "Agreement" in str(cmp)


def test_supersaturation_peak_reported():
    mu = np.linspace(0, 50, 201)
    nu = 10 * np.exp(-((mu - 20) / 10) ** 2)
    th = pd.DataFrame(dict(mu_E=mu, mu_I=mu, nu_E=nu, nu_I=nu / 2, stable=True, branch=0))
    smu = np.arange(0, 51, 2.5)
    snu = 10 * np.exp(-((smu - 20) / 10) ** 2) * 1.05
    sim = pd.concat([pd.DataFrame(dict(mu_E=smu, mu_I=smu, population="E", rate=snu)),
                     pd.DataFrame(dict(mu_E=smu, mu_I=smu, population="I", rate=snu / 2))])
    reg = compare(sim, th).regimes.set_index("measure")
    assert reg.loc["supersaturation peak position [mV/s]", "theory_value"] == pytest.approx(20, abs=0.3)
    assert reg.loc["supersaturation peak position [mV/s]", "sim"] == pytest.approx(20)
    assert reg.loc["supersaturation peak height [Hz]", "sim"] == pytest.approx(10.5)


def test_rate_network_dmft_comparison():
    K = np.array([250, 500, 1000, 2000])
    th = pd.DataFrame(dict(K=K, m=0.5 / np.sqrt(K), f=0.1 + 0 * K, beta=1 + np.log(K) / 10))
    sims = []
    for seed in range(3):
        sims.append(pd.DataFrame(dict(K=K, seed=seed, phi_mean=0.5 / np.sqrt(K) * (1 + 0.01 * (seed - 1)),
                                      f=0.1, beta=1 + np.log(K) / 10)))
    cmp = compare(pd.concat(sims), {"dmft": th})
    t = cmp.table.set_index(["quantity", "K"])
    assert t.loc[("phi_mean", 1000), "rel_err"] < 1e-12
    reg = cmp.regimes.set_index("measure")
    assert reg.loc["d log phi_mean / d log K", "sim"] == pytest.approx(-0.5, abs=1e-9)


def test_mismatched_inputs_get_clear_errors():
    th = s_curve()
    far = pd.DataFrame(dict(mu_E=[100.0], mu_I=[100.0], population=["E"], rate=[1.0]))
    with pytest.raises(ValueError, match="no shared keys"):
        compare(far, th)
    with pytest.raises(ValueError, match="populations"):
        compare(far.assign(population="X"), th)
    with pytest.raises(ValueError, match="column"):
        compare(far.drop(columns="rate"), th)
    with pytest.raises(TypeError, match="DataFrame"):
        compare([1, 2], th)
    with pytest.raises(ValueError, match="match"):
        compare(far, th, match="magic")
    K = pd.DataFrame(dict(K=[10], f=[0.1]))
    with pytest.raises(ValueError, match="no shared keys"):
        compare(K, pd.DataFrame(dict(K=[20], f=[0.1])))


def test_plot_draws_both_sides(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    fig = compare(hysteresis_sim(), {"S": s_curve()}).plot()
    assert len(fig.axes) == 2 and all(len(ax.lines) >= 3 for ax in fig.axes)
    fig.savefig(tmp_path / "c.png")


def test_public_compare_is_the_function_after_any_import_order():
    """``from meanfield import compare`` is the function even once the module defining it is
    imported (a submodule named like the function would shadow it on the package)."""
    import importlib

    import meanfield

    importlib.import_module("meanfield.comparison")
    from meanfield import Comparison, compare
    assert callable(compare) and compare.__module__ == "meanfield.comparison"
    assert isinstance(Comparison, type)
    for name in meanfield.__all__:
        assert not isinstance(getattr(meanfield, name), type(meanfield)), name
