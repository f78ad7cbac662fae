"""Paper-level checks: phi_mean ~ K^(-1/2) (Fig 1C) and the E-I active fractions (Fig 6C-D)."""
import pytest

from brianmodels.rate.simulate import simulate_rate_network
from brianmodels.rate.sweep import fit_exponent, rate_sweep
from brianmodels.result import check_result

pytestmark = pytest.mark.standalone  # compiles or runs simulations (tests/conftest.py)


def test_phi_mean_scales_as_inverse_sqrt_K(tmp_path):
    # Fig 1C (gamma, rectified tanh, J0 = g = 2, I0 = 1, N = K): fitted exponent 0.503 in the
    # paper; a short sweep (K = 250 .. 2000, T = 200, one seed) gives -0.51 +- 0.01 (stderr);
    # test at +-0.05 as the issue asks.
    kw = dict(K=[250, 500, 1000, 2000], seeds=[0], connectivity_seeds=[0], T=200.0, out=tmp_path,
              progress=False)
    res = rate_sweep(**kw)
    check_result(res)
    df = res.table
    fit = fit_exponent(res, "phi_mean")
    assert fit["exponent"] == pytest.approx(-0.5, abs=0.05)
    # f falls with K (sparsening) and phi_mean = f mu holds to ~1 % (mu is the mean of ratios, §2)
    piv = df.set_index("K")            # tidy: one row per K x seed x connectivity_seed x population
    assert piv["f"].is_monotonic_decreasing
    assert (piv["phi_mean"] / (piv["f"] * piv["mu"])).between(0.97, 1.03).all()
    # resumable: a rerun reads every point from disk and returns the same table
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len([f for f in files if f.endswith(".parquet") and not f.endswith(".R.parquet")]) == 4
    assert len([f for f in files if f.endswith(".manifest.json")]) == 4
    again = rate_sweep(**kw)
    assert again.n_loaded == 4 and again.table.equals(df) and again.R_eta.equals(res.R_eta)


def test_ei_network_fig6_active_fractions():
    # Fig 6C: roughly 10 % of E and 20-30 % of I units active; Fig 6D (gamma): ~2 % of E and ~15 %
    # of I cells above threshold more than half of the time. Reduced size N_E = N_I = 1000 with the
    # paper's in-degrees K_E = K_I = 300 (the statistics depend on K, not N; measured at full size
    # 3000 + 3000: f_E 0.11, f_I 0.26).
    r = simulate_rate_network(ei=dict(N_E=1000, N_I=1000), weights="gamma", T=100.0, seed=0,
                              connectivity_seed=0, progress=False)
    E, I = r.stats_by_pop["E"], r.stats_by_pop["I"]
    assert 0.07 < E["f"] < 0.14
    assert 0.20 < I["f"] < 0.30
    assert E["frac_units_on_gt_half"] < 0.05
    assert 0.08 < I["frac_units_on_gt_half"] < 0.25
    assert E["frac_units_on_gt_half"] < I["frac_units_on_gt_half"]
    assert r.stats["f"] == pytest.approx(0.5 * (E["f"] + I["f"]), rel=1e-12)   # N_E = N_I
    assert set(r.R_eta["population"]) == {"E", "I"}
