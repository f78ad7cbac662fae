"""Compressed recurrent synapses (bm_syn.h, brianmodels.lif.engine) against Brian2's Synapses.

The file format is checked against the fixed in-degree generator it stores; the propagation is
checked against the Brian2 ``Synapses`` version of the same model (``synapses='brian2'``), which
must give the very same spikes without delays (same connections, same order of additions) and,
with delays and exponential currents, the same spikes up to the rounding of simultaneous
arrivals (counted, then multiplied by the weight).
"""
import numpy as np
import pytest

from brianmodels import presets, simulate
from brianmodels.lif import connectivity, engine
from networks import SUPERSATURATING

pytestmark = pytest.mark.standalone  # compiles or runs simulations (tests/conftest.py)

SS = SUPERSATURATING  # tests/networks.py


def test_file_holds_the_fixed_indegree_connections(tmp_path):
    N, K = [300, 100], [[20, 15], [40, 10]]
    syn = [["delta", "exp"], ["delta", "exp"]]
    delays = {"II": (0.001, 0.004)}
    f = tmp_path / "c.bin"
    n = engine.write_connectivity(f, N, K, syn, delays, conn_seed=7, dt=1e-4)
    assert n == 300 * 35 + 100 * 50
    paths = engine.read_connectivity(f)
    assert list(paths) == ["EE", "IE", "EI", "II"]  # E-sourced first: Brian2's order
    for x, X in enumerate("EI"):
        for y, Y in enumerate("EI"):
            p = paths[f"{X}{Y}"]
            assert p["kind"] == syn[x][y]
            assert (p["src_off"], p["n_src"]) == (300 * y, N[y])
            assert (p["tgt_off"], p["n_tgt"]) == (300 * x, N[x])
            pre, post = connectivity.fixed_indegree(N[x], N[y], K[x][y],
                                                    engine.pathway_seed(7, X, Y),
                                                    same_population=(x == y))
            # the same synapses, rows by source, targets ascending within a row
            src = np.repeat(np.arange(N[y]), np.diff(p["offsets"]))
            got = sorted(zip(src, p["targets"] - p["tgt_off"]))
            assert got == sorted(zip(pre.tolist(), post.tolist()))
            for s in range(N[y]):
                row = p["targets"][p["offsets"][s]:p["offsets"][s + 1]]
                assert np.all(np.diff(row) > 0)
            if (X, Y) == ("I", "I"):
                # delays: 10..40 steps of 0.1 ms, each synapse keeps its own (synapse order
                # of the generator = target-major), moved with its synapse
                ref = engine.delay_steps(7, "II", pre.size, 0.001, 0.004, 1e-4)
                assert ref.min() >= 10 and ref.max() <= 40
                order = np.lexsort((post, pre))  # source-major, target ascending
                assert np.array_equal(p["delays"], ref[order])
                assert p["max_delay"] == ref.max()
            else:
                assert p["delays"] is None


def test_bad_file_is_refused(tmp_path):
    f = tmp_path / "x.bin"
    f.write_bytes(b"not a connectivity file")
    with pytest.raises(ValueError, match="connectivity file"):
        engine.read_connectivity(f)


def _pair(net, **kw):
    a = simulate(net, synapses="compressed", progress=False, record_spikes="all", **kw)
    b = simulate(net, synapses="brian2", progress=False, record_spikes="all", **kw)
    return a, b


def test_no_delay_bit_identical_to_brian2_synapses():
    a, b = _pair(SS, mu_E=20.0, duration=1.0, warmup=0.2, seed=3, connectivity_seed=3)
    for X in "EI":
        ia, ta = a.spike_trains(X)
        ib, tb = b.spike_trains(X)
        assert ia.size > 100
        assert np.array_equal(ia, ib) and np.array_equal(ta, tb)
    cols = ["rate", "input_E", "input_I", "bf_mean", "cv_isi_mean", "v_end_mean"]
    assert np.array_equal(a.table[cols].to_numpy(), b.table[cols].to_numpy(), equal_nan=True)


def test_delays_and_exp_currents_match_brian2_synapses():
    # bistable preset: EE and II exponential with delays 0-100 ms, EI and IE delta, no delay;
    # above the bistable window (only the up state): every pathway carries many spikes
    net = presets.get("bistable")
    a, b = _pair(net, mu_E=12.0, duration=1.0, warmup=0.3, seed=2, connectivity_seed=2)
    for X in "EI":
        ra, rb = a.rate(X)[0], b.rate(X)[0]
        assert ra > 0.5
        # same connections and noise: identical unless two arrivals at one neuron in one step
        # round differently (then trajectories part); allow a 2% difference
        assert ra == pytest.approx(rb, rel=0.02)
    ia, ta = a.spike_trains("E")
    ib, tb = b.spike_trains("E")
    k = min(200, ia.size, ib.size)
    assert np.array_equal(ia[:k], ib[:k]) and np.array_equal(ta[:k], tb[:k])


def test_bad_synapses_option():
    with pytest.raises(ValueError, match="synapses"):
        simulate(SS, mu_E=20.0, duration=1.0, warmup=0.2, synapses="nest", progress=False)
