"""LIF simulations against theory: network rates vs Phi_sc (Eq 14) (F-I curves vs Phi: test_lif_paths),
supersaturation, reproducibility, exponential-synapse mean input, build cache, bad input.

Compiled builds are shared through the on-disk cache (``BRIANMODELS_CACHE``): three small
builds (~20-60 s each when cold on 2 busy cores), re-runs take seconds.
"""
import time

import numpy as np
import pytest

import meanfield
from brianmodels import seeds, simulate, sweep
from brianmodels.lif import build
from brianmodels.result import check_result
from brianmodels.network import LIFNetwork
from networks import SUPERSATURATING

pytestmark = pytest.mark.standalone  # compiles or runs simulations (tests/conftest.py)

SS = SUPERSATURATING  # tests/networks.py
SS_KW = dict(duration=3.0, warmup=1.0)


@pytest.fixture(scope="module")
def ss_sweep():
    return sweep(SS, mu_E=[10.0, 20.0, 40.0], seeds=[1], progress=False, **SS_KW)


def test_network_rates_match_phi_sc_and_supersaturate(ss_sweep):
    # Eq 14 (Phi_sc) at the simulated inputs; the simulation (N = 4000, finite K, dt bias of
    # a few %) agrees within 12% (E) and 15% + 0.03 Hz (I, lower rates: larger dt bias).
    mu = np.array([10.0, 20.0, 40.0])
    th = meanfield.selfconsistent(SS, mu).table
    for X, rel in (("E", 0.12), ("I", 0.15)):
        sim = ss_sweep.rate(X)
        ref = th.sort_values("mu_E")[f"nu_{X}"].to_numpy()
        assert np.all(np.abs(sim - ref) <= rel * ref + 0.03), (X, sim, ref)
    nu_E = ss_sweep.rate("E")
    assert nu_E[1] > nu_E[0] and nu_E[1] > 1.4 * nu_E[2]  # supersaturation: E falls at mu = 40


def test_table_columns_and_mean_inputs(ss_sweep):
    check_result(ss_sweep)
    t = ss_sweep.table
    for col in ("population", "rate", "mu_E", "mu_I", "cv_isi_mean", "bf_mean", "seed",
                "connectivity_seed", "duration", "input_E", "input_I"):
        assert col in t
    # Recorded mean recurrent inputs = J nu (Eq 12 mean) from the measured rates; exact up to
    # the correlation of out-degrees (binomial, SD/mean ~ 7%) with rates: allow 2%.
    E, I = (t[t.population == X].sort_values("point") for X in "EI")
    assert np.allclose(E.input_E, SS.J[0, 0] * E.rate.to_numpy(), rtol=0.02)
    assert np.allclose(E.input_I, SS.J[0, 1] * I.rate.to_numpy(), rtol=0.02)
    # population-rate trace averages to the per-neuron rates (same spikes, bins after warm-up)
    r = ss_sweep.rates
    m = r[(r.point == 1) & (r.population == "E") & (r.t >= 1.0)].rate.mean()
    assert m == pytest.approx(E.rate.iloc[1], rel=0.01)


def test_same_seed_same_spikes_other_seed_differs():
    a = simulate(SS, mu_E=20.0, seed=5, progress=False, **SS_KW)
    b = simulate(SS, mu_E=20.0, seed=5, progress=False, **SS_KW)
    c = simulate(SS, mu_E=20.0, seed=6, progress=False, **SS_KW)
    ia, ta = a.spike_trains("E")
    ib, tb = b.spike_trains("E")
    ic, tc = c.spike_trains("E")
    assert np.array_equal(ia, ib) and np.array_equal(ta, tb)
    assert not (ia.size == ic.size and np.array_equal(ta, tc))
    # different realisations, same statistics (3000 neurons x 2 s: rates agree within 5%)
    assert c.rate("E")[0] == pytest.approx(a.rate("E")[0], rel=0.05)


def test_one_point_by_simulate_or_sweep_is_the_same_run():
    """brianmodels.seeds: the same two seeds give the same spikes in simulate and sweep (same
    defaults); a sweep runs the product of dynamics and connectivity seeds and labels both."""
    kw = dict(duration=1.0, warmup=0.5, progress=False)
    one = simulate(SS, 20.0, seed=3, **kw)
    grid = sweep(SS, [20.0], seeds=[3, 4], connectivity_seeds=[seeds.CONNECTIVITY_SEED, 2],
                 n_jobs=2, **kw)
    t = grid.table
    pairs = t[t.population == "E"].sort_values("point")[["seed", "connectivity_seed"]]
    assert [tuple(p) for p in pairs.to_numpy()] == [(3, 1), (3, 2), (4, 1), (4, 2)]
    assert (one.table.connectivity_seed == seeds.CONNECTIVITY_SEED).all()
    other = simulate(SS, 20.0, seed=3, connectivity_seed=2, **kw)
    for X in "EI":
        i1, t1 = one.spike_trains(X)
        i0, t0 = grid.spike_trains(X, point=0)  # seed 3, default connectivity seed
        assert np.array_equal(i1, i0) and np.array_equal(t1, t0)
        i2, t2 = other.spike_trains(X)
        i3, t3 = grid.spike_trains(X, point=1)  # seed 3, connectivity seed 2
        assert np.array_equal(i2, i3) and np.array_equal(t2, t3)
        assert not (i1.size == i2.size and np.array_equal(t1, t2))  # another realisation
    assert grid.params["seeds"] == [3, 4] and grid.params["connectivity_seeds"] == [1, 2]
    for res in (one, grid, other):
        check_result(res)
        assert res.status in (0, 1) and "point" in res.message


def test_exponential_synapses_keep_mean_input():
    # E neurons never fire (theta huge) and receive exponential inhibition (tau_s = 10 ms,
    # delays U[0, 5 ms]) from noise-driven I neurons. Their mean potential is then
    # tau_E (mu_E - J_EI nu_I) (Eq 12 mean with the delta-synapse area j), independent of tau_s.
    net = LIFNetwork(N=(1000, 500), p=(0.0, 0.2, 0.0, 0.0), j=(0.0, 0.05, 0.0, 0.0),
                     synapse=("delta", "exp", "delta", "delta"), tau_s=(0.0, 0.010, 0.0, 0.0),
                     delay_max=(0.0, 0.005, 0.0, 0.0))
    theta = np.r_[np.full(1000, 1e9), np.ones(500)]
    res = simulate(net, mu_E=100.0, mu_I=60.0, duration=2.0, warmup=0.5, progress=False,
                   record_spikes=0, neuron_params={"theta": theta})
    nu_I = res.rate("I")[0]
    v_end = res.table[res.table.population == "E"].v_end_mean.iloc[0]
    expected = 0.02 * (100.0 - net.J[0, 1] * nu_I)
    # SD of V across neurons ~0.3 mV (noise) + input shot noise: SE of the mean of 1000 ~0.015 mV
    assert v_end == pytest.approx(expected, abs=0.05)
    assert nu_I > 5.0  # the test is meaningful: inhibition moves the mean by > 1 mV


def test_build_cache_hit_is_fast():
    st_spec = build.model_spec(SS, dt=5e-5, duration=3.0, record_spikes=(1000, 1000),
                               record_currents=(0, 0))
    t0 = time.perf_counter()
    b = build.get_build(st_spec, progress=False)
    assert b.cached and time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("kwargs, match", [
    (dict(mu_E=float("nan")), "mu_E must be finite"),
    (dict(mu_E=20.0, dt=0.0), "dt must be > 0"),
    (dict(mu_E=20.0, dt=-1e-4), "dt must be > 0"),
    (dict(mu_E=20.0, duration=1.0, warmup=2.0), "warmup must be shorter"),
    (dict(mu_E=20.0, seed=-1), "seed"),
    (dict(), "mu_E"),
])
def test_bad_input_fails_before_compiling(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        simulate(SS, **kwargs)


def test_bad_units_and_networks():
    from brian2 import mV, second

    with pytest.raises(TypeError, match="mu_E"):
        simulate(SS, mu_E=20 * mV)  # mV/s required
    with pytest.raises(TypeError, match="duration"):
        simulate(SS, mu_E=20.0, duration=3 * mV)
    with pytest.raises(ValueError, match="N"):
        LIFNetwork(N=(0, 10), p=0.1, j=0.1)
    with pytest.raises(ValueError, match="p"):
        LIFNetwork(N=(10, 10), p=1.5, j=0.1)
    with pytest.raises(ValueError, match="in-degrees"):
        simulate(LIFNetwork(N=(10, 10), p=1.0, j=0.1), mu_E=1.0)  # K_EE = 10 > N_E - 1
    with pytest.raises(TypeError, match="LIFNetwork"):
        simulate("supersaturating", mu_E=1.0)
    assert simulate.__module__ == "brianmodels.lif.simulate" and second  # quantity import ok
