"""Per-synapse recurrent weights (issue 3): run-time values of the compressed engine.

References: (1) the file must hold each synapse's weight next to its (pre, post) pair of
``engine.connections``; (2) uniform weights w = f j must give the very spikes of the network with
j scaled by f (same additions in the same order); (3) the time-averaged recurrent input of each
neuron is exactly sum_e w_e n_pre(e) / T (the accumulators add w_e per arriving spike, no delays);
(4) a sweep over weight sets reuses one build. The simulations share the builds of
``tests/brianmodels/lif/test_lif_engine.py`` (same structure and settings: no extra compile).
"""
import numpy as np
import pytest

from brianmodels import presets, simulate, sweep
from brianmodels.lif import build, engine
from brianmodels.lif import simulate as lifsim
from brianmodels.network import LIFNetwork
from networks import SUPERSATURATING

pytestmark = pytest.mark.standalone  # compiles or runs simulations (tests/conftest.py)

SS = SUPERSATURATING  # tests/networks.py
#: settings of test_lif_engine's supersaturating runs (shared build)
KW = dict(mu_E=20.0, duration=1.0, warmup=0.2, progress=False, record_spikes="all")


def _uniform(net, seed, factor):
    """Weights w = factor[x, y] * j[x, y] on every pathway, in connections() order."""
    out = {}
    for key, (pre, _) in engine.connections(net, seed).items():
        x, y = "EI".index(key[0]), "EI".index(key[1])
        out[key] = np.full(pre.size, net.j[x, y] * factor[x][y])
    return out


def test_connections_and_file_keep_each_synapse_weight(tmp_path):
    net = LIFNetwork(N=(300, 100), p=[[0.1, 0.2], [0.3, 0.1]], j=0.1,
                     synapse=[["delta", "exp"], ["delta", "delta"]], tau_s=[[0, 0.005], [0, 0]],
                     delay_max=[[0, 0], [0, 0.004]])
    conn = engine.connections(net, 5)
    assert list(conn) == ["EE", "EI", "IE", "II"]
    # weights that encode their synapse: 1e-3 * (pre + N_src * post) is unique per synapse
    weights = {k: 1e-3 * (pre + net.N["EI".index(k[1])] * post.astype(np.int64))
               for k, (pre, post) in conn.items() if k != "IE"}
    for k, (pre, post) in conn.items():
        x = "EI".index(k[0])
        assert pre.size == net.N[x] * net.K["EI".index(k[0]), "EI".index(k[1])]
        assert np.all(np.diff(post) >= 0)  # post-major
    f = tmp_path / "c.bin"
    engine.write_connectivity(f, net.N, net.K, net.synapse.tolist(), {"II": (0.0, 0.004)},
                              engine.check_weights(weights, net.N, net.K), conn_seed=5, dt=1e-4)
    paths = engine.read_connectivity(f)
    for k, p in paths.items():
        pre, post = conn[k]
        n_src = p["n_src"]
        src = np.repeat(np.arange(n_src), np.diff(p["offsets"]))
        tgt = p["targets"] - p["tgt_off"]
        assert sorted(zip(src, tgt)) == sorted(zip(pre.tolist(), post.tolist()))
        if k == "IE":
            assert p["weights"] is None
            continue
        assert np.array_equal(p["weights"], 1e-3 * (src + n_src * tgt.astype(np.int64)))
    # delays and weights travel together with their synapse (pathway II has both)
    pre, post = conn["II"]
    order = np.lexsort((post, pre))
    ref = engine.delay_steps(5, "II", pre.size, 0.0, 0.004, 1e-4)
    assert np.array_equal(paths["II"]["delays"], ref[order])
    assert np.array_equal(paths["II"]["weights"], weights["II"][order])


def test_uniform_weights_bit_identical_to_scaled_j():
    # every pathway weighted (both signs, the EE weights doubled) against net.j scaled alike
    factor = [[2.0, 1.0], [1.0, 1.0]]
    a = simulate(SS, seed=3, connectivity_seed=3, synapse_weights=_uniform(SS, 3, factor), **KW)
    b = simulate(SS.replace(j=SS.j * np.array(factor)), seed=3, connectivity_seed=3, **KW)
    for X in "EI":
        ia, ta = a.spike_trains(X)
        ib, tb = b.spike_trains(X)
        assert ia.size > 1000
        assert np.array_equal(ia, ib) and np.array_equal(ta, tb)
    cols = ["rate", "input_E", "input_I", "bf_mean", "v_end_mean"]
    assert np.array_equal(a.table[cols].to_numpy(), b.table[cols].to_numpy(), equal_nan=True)
    assert a.params["synapse_weights"]["EE"]["mean"] == pytest.approx(2 * SS.j[0, 0], rel=1e-12)
    # and the weights change the dynamics: E rate differs from the unweighted network's
    c = simulate(SS, seed=3, connectivity_seed=3, **KW)
    assert abs(a.rate("E")[0] - c.rate("E")[0]) > 0.1 * c.rate("E")[0]


def test_lognormal_weights_recurrent_input_is_sum_of_weights_times_rates():
    rng = np.random.default_rng(11)
    conn = engine.connections(SS, 4)
    weights = {}
    for k, (pre, _) in conn.items():
        j = SS.j["EI".index(k[0]), "EI".index(k[1])]
        s = 0.8  # lognormal with mean j: exp(m + s^2/2) = j
        weights[k] = rng.lognormal(np.log(j) - s**2 / 2, s, pre.size)
    res = simulate(SS, seed=4, connectivity_seed=4, synapse_weights=weights, **KW)
    T0, T1 = res.table.t_start.iloc[0], res.table.t_stop.iloc[0]
    counts = {X: np.bincount(res.spike_trains(X)[0][res.spike_trains(X)[1] >= T0],
                             minlength=SS.N["EI".index(X)]) for X in "EI"}
    assert counts["E"].sum() > 1000 and counts["I"].sum() > 500
    for X in "EI":
        row = res.table.set_index("population").loc[X]
        for Y, col in (("E", "input_E"), ("I", "input_I")):
            pre, _ = conn[X + Y]
            w = weights[X + Y]
            # sE/sI add w_e at each arriving spike after the warm-up: exact up to rounding
            ref = np.sum(w * counts[Y][pre]) / (T1 - T0) / SS.N["EI".index(X)]
            assert row[col] == pytest.approx(ref, rel=1e-9)
            # the homogeneous-j prediction differs by far more than the tolerance
            hom = np.sum(SS.j["EI".index(X), "EI".index(Y)] * counts[Y][pre]) / (T1 - T0) \
                / SS.N["EI".index(X)]
            assert abs(hom - ref) > 1e-5 * ref


def test_delays_and_exp_currents_with_uniform_weights_match_homogeneous():
    # bistable: EE and II exponential with delays (weight sums in the double ring), EI and IE
    # delta without. Uniform weights = j: the delayed pathways add sum(w) instead of count * a,
    # and exp synapses w (1 - ds) instead of a (rounding apart), so trajectories agree until two
    # roundings differ; same tolerance as test_lif_engine's delayed comparison
    net = presets.get("bistable")
    kw = dict(KW, mu_E=12.0, warmup=0.3, seed=2, connectivity_seed=2)
    a = simulate(net, synapse_weights=_uniform(net, 2, [[1.0, 1.0], [1.0, 1.0]]), **kw)
    b = simulate(net, **kw)
    for X in "EI":
        assert a.rate(X)[0] > 0.5
        assert a.rate(X)[0] == pytest.approx(b.rate(X)[0], rel=0.02)
    ia, ta = a.spike_trains("E")
    ib, tb = b.spike_trains("E")
    k = min(200, ia.size, ib.size)
    assert np.array_equal(ia[:k], ib[:k]) and np.array_equal(ta[:k], tb[:k])


def test_sweep_over_weight_sets_uses_one_build():
    spec = lifsim.settings(SS, duration=1.0, record_spikes="all").spec(SS)
    b = build.get_build(spec, progress=False)  # make sure it exists (shared with the tests above)
    mtime = (b.directory / "main").stat().st_mtime_ns
    pre, _ = engine.connections(SS, 1)["EE"]
    w_lo = np.full(pre.size, 0.5 * SS.j[0, 0])
    w_hi = np.random.default_rng(5).lognormal(np.log(1.5 * SS.j[0, 0]) - 0.125, 0.5, pre.size)
    res = sweep(SS, mu_E=20.0, duration=1.0, warmup=0.2, record_spikes="all", n_jobs=2,
                variants=[{"synapse_weights": {"EE": w_lo}}, {"synapse_weights": {"EE": w_hi}}],
                progress=False)
    # no compile: the sweep found the build, whose binary is untouched ...
    assert res.params["compiled"] is False and res.params["build_key"] == b.directory.name
    assert (b.directory / "main").stat().st_mtime_ns == mtime
    # ... and each weight set has its own connectivity file next to it
    descs = [f.read_text() for f in (b.directory / "conn").glob("*/desc.json")]
    for w in (w_lo, w_hi):
        digest = engine.weights_digest(engine.check_weights({"EE": w}, SS.N, SS.K))
        assert sum(digest in d for d in descs) == 1
    t = res.table.set_index(["variant", "population"])
    lo, hi = t.loc[(0, "E"), "rate"], t.loc[(1, "E"), "rate"]
    # 3x the mean EE weight: inhibition holds E back (ISN), but the E rate still rises by ~30 %,
    # far beyond the spread of a 3000-neuron population rate over 0.8 s (~1 %)
    assert hi > 1.1 * lo
    assert '"EE"' in t.loc[(1, "E"), "variant_synapse_weights"]
    # a sweep point is the same run as simulate() with the same weights and seeds
    one = simulate(SS, seed=1, connectivity_seed=1, synapse_weights={"EE": w_hi}, **KW)
    assert one.rate("E")[0] == hi


@pytest.mark.parametrize("weights, match", [
    ({"EX": np.ones(3)}, "keys must be among"),
    ({"EE": np.ones(10)}, r"shape \(585000,\)"),
    ({"EE": -np.ones(585000)}, ">= 0 mV"),
    ({"II": np.full(100000, np.nan)}, "finite"),
    ([np.ones(3)], "must be a dict"),
])
def test_bad_weights_are_refused_before_compiling(weights, match):
    with pytest.raises((ValueError, TypeError), match=match):
        simulate(SS, mu_E=20.0, synapse_weights=weights, progress=False)
    with pytest.raises((ValueError, TypeError), match=r"variants\[1\]"):
        sweep(SS, mu_E=20.0, variants=[{}, {"synapse_weights": weights}], progress=False)


def test_weights_need_compressed_synapses_and_an_existing_pathway():
    w = {"EE": np.ones(SS.N[0] * SS.K[0, 0])}
    with pytest.raises(ValueError, match="synapses='compressed'"):
        simulate(SS, mu_E=20.0, synapse_weights=w, synapses="brian2", progress=False)
    net = LIFNetwork(N=(100, 20), p=[[0.0, 0.1], [0.1, 0.1]], j=0.1)
    with pytest.raises(ValueError, match="no EE synapses"):
        simulate(net, mu_E=20.0, synapse_weights={"EE": np.ones(10)}, progress=False)
    with pytest.raises(ValueError, match="connectivity_seed"):
        engine.connections(net, -1)


# ------------------------------------------------------------------ bm_syn.h alone, in C++
_HARNESS = r"""
#include "bm_syn.h"
// in.bin: int32 n, steps, warm_step; double wE, wI, aE, aI, dsE, dsI [n each];
// per step: int32 count, int32 spikes[count]. out.bin: double v, xE, xI, sE, sI [n each]
int main(int argc, char** argv) {
    FILE* f = fopen(argv[2], "rb");
    int32_t h[3];
    if (fread(h, 4, 3, f) != 3) return 2;
    const int32_t n = h[0], steps = h[1], warm = h[2];
    std::vector<double> in(6 * (size_t)n), st(5 * (size_t)n, 0.0);
    if (fread(in.data(), 8, in.size(), f) != in.size()) return 2;
    std::vector<int32_t> spk(n + 1);
    bm_syn::load(argv[1], n);
    bm_syn::Group g;
    g.n = n; g.spikes = spk.data();
    g.wE = &in[0]; g.wI = &in[n]; g.aE = &in[2 * n]; g.aI = &in[3 * n];
    g.dsE = &in[4 * n]; g.dsI = &in[5 * n];
    g.v = &st[0]; g.xE = &st[n]; g.xI = &st[2 * n]; g.sE = &st[3 * n]; g.sI = &st[4 * n];
    for (int32_t s = 0; s < steps; s++) {
        if (fread(&spk[n], 4, 1, f) != 1) return 2;
        if (spk[n] && fread(spk.data(), 4, spk[n], f) != (size_t)spk[n]) return 2;
        bm_syn::propagate(g, s >= warm);
    }
    FILE* o = fopen(argv[3], "wb");
    fwrite(st.data(), 8, st.size(), o);
    fclose(o);
    return 0;
}
"""


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    import shutil
    import subprocess

    if shutil.which("g++") is None:
        pytest.skip("no g++")
    d = tmp_path_factory.mktemp("bmsyn")
    (d / "h.cpp").write_text(_HARNESS)
    subprocess.run(["g++", "-O2", "-std=c++11", f"-I{engine.HEADER.parent}", "h.cpp", "-o", "h"],
                   cwd=d, check=True)
    return d / "h"


@pytest.mark.parametrize("weighted", [False, True])
def test_bm_syn_propagation_against_python_reference(harness, tmp_path, weighted):
    """Every pathway variant of bm_syn.h (delta/exp x delayed/undelayed x weighted/homogeneous)
    against a synapse-by-synapse Python reference of Eqs 10-11: random spike trains, no neuron
    dynamics, so v / x / s hold the summed arrivals. The ring wraps (40 steps, delays <= 8)."""
    import subprocess

    dt = 1e-4
    net = LIFNetwork(N=(60, 20), p=[[0.2, 0.3], [0.25, 0.2]], j=[[0.1, 0.4], [0.2, 0.3]],
                     synapse=[["exp", "delta"], ["exp", "delta"]], tau_s=[[0.003, 0], [0.002, 0]],
                     delay_min=[[0.0002, 0.0001], [0, 0]], delay_max=[[0.0008, 0.0005], [0, 0]])
    n, NE, steps, warm = 80, 60, 40, 15
    delays = {"EE": (0.0002, 0.0008), "EI": (0.0001, 0.0005)}
    conn = engine.connections(net, 9)
    rng = np.random.default_rng(3)
    weights = {k: rng.lognormal(-2, 1, pre.size) for k, (pre, _) in conn.items()} \
        if weighted else {}
    f = tmp_path / "c.bin"
    engine.write_connectivity(f, net.N, net.K, net.synapse.tolist(), delays, weights,
                              conn_seed=9, dt=dt)
    pop = np.r_[np.zeros(NE, int), np.ones(n - NE, int)]
    ds = np.where(net.synapse[pop] == "exp", np.exp(-dt / np.where(net.tau_s[pop] > 0,
                                                                    net.tau_s[pop], 1)), 0.0)
    w, a = net.j[pop], net.j[pop] * (1 - ds)  # (n, 2): per target, from E / I
    spikes = [np.sort(rng.choice(n, rng.integers(0, 12), replace=False)) for _ in range(steps)]
    with open(tmp_path / "in.bin", "wb") as fh:
        np.array([n, steps, warm], np.int32).tofile(fh)
        np.concatenate([w[:, 0], w[:, 1], a[:, 0], a[:, 1], ds[:, 0], ds[:, 1]]).tofile(fh)
        for s in spikes:
            np.r_[s.size, s].astype(np.int32).tofile(fh)
    subprocess.run([str(harness), str(f), str(tmp_path / "in.bin"), str(tmp_path / "out.bin")],
                   check=True)
    got = np.fromfile(tmp_path / "out.bin").reshape(5, n)
    ref = np.zeros((5, n))  # v, xE, xI, sE, sI
    for key, (pre, post) in conn.items():
        x, y = "EI".index(key[0]), "EI".index(key[1])
        tgt = post + NE * x
        d = engine.delay_steps(9, key, pre.size, *delays[key], dt) if key in delays else \
            np.zeros(pre.size, int)
        we = weights.get(key, net.j[x, y] * np.ones(pre.size))
        for step, s in enumerate(spikes):
            for e in np.flatnonzero(np.isin(pre + NE * y, s)):
                arrive = step + int(d[e])
                if arrive >= steps:
                    continue
                t = tgt[e]
                if net.synapse[x, y] == "delta":  # Eq 10
                    ref[0, t] += we[e] if y == 0 else -we[e]
                else:  # Eq 11: area w per spike
                    ref[1 + y, t] += we[e] * (1 - ds[t, y])
                if arrive >= warm:
                    ref[3 + y, t] += we[e]
    assert np.abs(ref).max() > 1  # many arrivals
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12)
