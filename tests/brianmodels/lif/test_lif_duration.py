"""The simulated duration is a run-time value (issue 3): one build serves every duration.

References: brute-force step counts (a neuron driven far above threshold spikes on every step,
so its spike count IS the number of steps run) and the longer run itself (the same seed gives
the same spikes on the steps two runs share, bit for bit).

The runs reuse the builds of ``test_lif_simulate`` (supersaturating network, constant drive)
and ``test_lif_paths`` (time-dependent input): with a warm cache no compile happens here; the
file takes ~5 s (plus up to two cold builds, ~30 s each on 2 busy cores, if run alone).
"""
import numpy as np
import pytest

from brianmodels import simulate, sweep
from brianmodels.lif import build, inputs
from networks import PATHS, PATHS_KW, SUPERSATURATING

pytestmark = pytest.mark.standalone  # compiles or runs simulations (tests/conftest.py)

SS = SUPERSATURATING
DT = 5e-5
# PATHS, PATHS_KW: the time-dependent build of test_lif_paths (tests/networks.py)


def _spikes(res):
    s = res.spikes
    return s.population.to_numpy(), s.neuron.to_numpy(), s.t.to_numpy()


def test_duration_is_not_part_of_the_build():
    # structure only: every duration maps to one key; a time-dependent table is bucketed
    a = build.model_spec(SS, dt=DT, duration=3.0)
    assert a == build.model_spec(SS, dt=DT, duration=12.0) == build.model_spec(SS, dt=DT)
    assert "duration" not in a
    ramp = [build.model_spec(SS, dt=DT, timed_input_samples=n, input_dt=1e-3)
            for n in (1, 4000, build.MIN_INPUT_ROWS, build.MIN_INPUT_ROWS + 1)]
    assert ramp[0] == ramp[1] == ramp[2] != ramp[3]
    assert [build.input_table_rows(n) for n in (1, 2**16, 2**16 + 1, 2**18 + 1, 10**6)] == \
        [2**16, 2**16, 2**18, 2**20, 2**20]
    with pytest.raises(ValueError, match="duration/dt"):
        build.model_spec(SS, dt=DT, duration=(build.MAX_STEPS + 1) * DT)
    with pytest.raises(ValueError, match="duration/dt"):
        simulate(SS, mu_E=20.0, duration=(build.MAX_STEPS + 1) * DT, warmup=0.0)


def test_exactly_duration_over_dt_steps_run_without_recompiling():
    # Neurons 0-9 (E) get a drive of 50 mV per step (threshold 1 mV, reset 0, no refractory
    # period): they spike on every step, so each one's spikes are the steps t = k dt,
    # k = 0 .. n_steps - 1. Durations that are not multiples of the rate bin or the input
    # spacing (6001 steps) included; the second and third durations reuse the first's build.
    theta = np.r_[np.ones(10), np.full(790, 1e9)]
    proto = inputs.ramp([(0.0, 1e6, 0.0), (1.0, 1e6, 0.0)])
    results = []
    for duration in (0.25, 0.30005, 0.0001):
        res = simulate(PATHS, protocol=proto, duration=duration, warmup=0.0, seed=3,
                       connectivity_seed=3, neuron_params={"theta": theta, "t_ref": np.zeros(800)}, **PATHS_KW)
        n_steps = round(duration / DT)
        pop, i, t = _spikes(res)
        assert np.all(pop == "E") and np.array_equal(np.bincount(i), np.full(10, n_steps))
        for k in range(10):
            np.testing.assert_allclose(t[i == k], np.arange(n_steps) * DT, rtol=0, atol=1e-12)
        results.append(res)
    assert len({r.params["build_key"] for r in results}) == 1
    assert [r.params["compiled"] for r in results[1:]] == [False, False]


def _short_run_is_prefix(net, t_short, t_long, kw):
    """Simulate ``net`` for ``t_short`` and ``t_long`` s with the same settings ``kw`` (one build,
    compiled at most once); check that the short run's spikes are the long run's before
    ``t_short``, bit for bit. Returns (short, long, short spike times, long spike times)."""
    short = simulate(net, duration=t_short, **kw)
    long = simulate(net, duration=t_long, **kw)
    assert short.params["build_key"] == long.params["build_key"] and not long.params["compiled"]
    ps, i_s, ts = _spikes(short)
    pl, il, tl = _spikes(long)
    first = tl < t_short
    assert np.array_equal(ps, pl[first]) and np.array_equal(i_s, il[first])
    assert np.array_equal(ts, tl[first])
    return short, long, ts, tl


def test_shorter_run_is_the_start_of_the_longer_one_constant_drive():
    # Connected, noisy network (Fig 2A, 4000 neurons): same seed, 1.0 s and 1.5 s. Every spike
    # and every population-rate bin of the 1.0-s run equals the 1.5-s run's, bit for bit.
    kw = dict(mu_E=20.0, warmup=0.5, seed=11, connectivity_seed=11, progress=False)
    short, long, ts, tl = _short_run_is_prefix(SS, 1.0, 1.5, kw)
    assert ts.size > 1000 and ts.max() < 1.0 and tl.max() >= 1.0
    rs, rl = short.rates, long.rates
    merged = rs.merge(rl, on=["population", "t"], suffixes=("_s", "_l"))
    assert len(merged) == len(rs) == 2 * (round(1.0 / 1e-3) - 1)  # every bin of the short run
    assert np.array_equal(merged.rate_s, merged.rate_l)


def test_shorter_run_is_the_start_of_the_longer_one_timed_input():
    # Time-dependent drive (TimedArray of 2**16 rows, padded differently for 0.3 and 0.5 s):
    # a ramp onto the connected 800-neuron network; spikes of the shared 0.3 s are identical.
    proto = inputs.ramp([(0.0, 0.0, 0.0), (0.5, 100.0, 100.0)])
    kw = dict(protocol=proto, warmup=0.1, seed=4, connectivity_seed=4, **PATHS_KW)
    _, _, ts, tl = _short_run_is_prefix(PATHS, 0.3, 0.5, kw)
    assert ts.size > 100 and (tl >= 0.3).sum() > ts.size  # the ramp's later part fires more


def test_resumed_sweep_does_not_reuse_points_of_another_duration(tmp_path):
    # the build key no longer holds the duration, so the saved points' hashes must
    unconnected = PATHS.replace(j=0.0)
    protos = [inputs.ramp([(0.0, m, m), (1.0, m, m)]) for m in (30.0, 60.0)]
    kw = dict(protocols=protos, warmup=0.0, out=tmp_path, n_jobs=1, **PATHS_KW)
    a = sweep(unconnected, duration=0.1, **kw)
    b = sweep(unconnected, duration=0.2, **kw)
    assert (a.table.duration == 0.1).all() and (b.table.duration == 0.2).all()
    assert len(list((tmp_path / "points").iterdir())) == 4
    assert b.params["compiled"] is False
