"""from_brian2: a user's Brian2 monitors read back as the SimulationResult of simulate.

One small to_brian2 network (400 neurons, exponential synapses, EE delays) runs twice with
Brian2's runtime numpy target (~3 s in all, module fixture): the measurements are checked against
values computed by hand from the monitors, compare() and the analysis functions run on the
result, two runs concatenate, and every bad input gets an error naming the parameter.
"""
import numpy as np
import pytest

from brianmodels import presets, to_brian2, from_brian2
from brianmodels.lif import analysis
from brianmodels.lif.result import SimulationResult
from meanfield import SSN, compare

NET = presets.get("supersaturating_exp").scaled(400)
MU, MU2 = 19.0, 25.0
T_RUN, WARM = 0.3, 0.1
DT = 1e-4


@pytest.fixture(scope="module")
def runs():
    """Two runs of one to_brian2 network (the second at a new drive), their monitors and
    results."""
    import brian2 as b2
    from brian2.devices import device as devmod

    before, target = devmod.get_device(), b2.prefs.codegen.target
    b2.set_device("runtime")
    b2.prefs.codegen.target = "numpy"
    try:
        bn = to_brian2(NET, MU, dt=DT, seed=2, connectivity_seed=3)
        m = dict(spk_E=b2.SpikeMonitor(bn["E"]), spk_I=b2.SpikeMonitor(bn["I"]),
                 prm_E=b2.PopulationRateMonitor(bn["E"]),
                 st_E=b2.StateMonitor(bn["E"], ["sE", "sI"], record=range(30), dt=5 * b2.ms),
                 sub_E=b2.SpikeMonitor(bn["E"][50:150]),
                 subprm_I=b2.PopulationRateMonitor(bn["I"][20:60]))
        bn.add(list(m.values()))
        bn.run(T_RUN * b2.second)
        first = from_brian2([m["spk_E"], m["spk_I"], m["prm_E"], m["st_E"]], NET, warmup=WARM,
                            seed=2, connectivity_seed=3)
        sub = from_brian2({"E": [m["sub_E"]], "I": m["subprm_I"]}, NET, mu_E=MU, warmup=WARM)
        snap = {k: (np.array(v.i[:]), np.array(v.t[:])) for k, v in m.items()
                if isinstance(v, b2.SpikeMonitor)}
        snap["prm_E"] = (np.array(m["prm_E"].t[:]), np.array(m["prm_E"].rate[:]))
        snap["subprm_I"] = (np.array(m["subprm_I"].t[:]), np.array(m["subprm_I"].rate[:]))
        snap["st_E"] = (np.array(m["st_E"].t[:]), np.array(m["st_E"].sE[:] / b2.mV),
                        np.array(m["st_E"].sI[:] / b2.mV))
        bn["E"].mu = MU2 * b2.mV / b2.second
        bn["I"].mu = MU2 * b2.mV / b2.second
        bn.run(T_RUN * b2.second)
        second = from_brian2([m["spk_E"], m["spk_I"]], NET, warmup=T_RUN + WARM)
        yield dict(b2=b2, bn=bn, m=m, first=first, sub=sub, snap=snap, second=second)
    finally:
        b2.prefs.codegen.target = target
        devmod.set_device(before)


pytestmark = pytest.mark.standalone  # runs Brian2 simulations (runtime target)


def _cv_by_hand(i, t, n, t0, t1):
    cv = np.full(n, np.nan)
    for k in range(n):
        s = np.sort(t[(i == k) & (t >= t0) & (t < t1)])
        if s.size >= 3:
            isi = np.diff(s)
            cv[k] = isi.std(ddof=1) / isi.mean()  # isi_statistics' defaults: ddof 1, >= 3 spikes
    return cv


def test_measurements_equal_hand_computation(runs):
    t, snap = runs["first"].table.set_index("population"), runs["snap"]
    T = T_RUN - WARM
    for X, N in zip("EI", NET.N):
        i, ts = snap[f"spk_{X}"]
        counts = np.bincount(i[ts >= WARM], minlength=N) / T
        assert t.loc[X, "rate"] == pytest.approx(counts.mean(), rel=1e-12)
        assert t.loc[X, "rate_std"] == pytest.approx(counts.std(), rel=1e-12)
        cv = _cv_by_hand(i, ts, N, WARM, T_RUN)
        ok = np.isfinite(cv)
        assert t.loc[X, "cv_isi_fraction"] == pytest.approx(ok.mean())
        if ok.any():
            assert t.loc[X, "cv_isi_mean"] == pytest.approx(cv[ok].mean(), rel=1e-9)
        assert t.loc[X, "t_start"] == WARM and t.loc[X, "t_stop"] == pytest.approx(T_RUN)
        assert t.loc[X, "seed"] == 2 and t.loc[X, "connectivity_seed"] == 3
    assert 0.5 < t.loc["E", "rate"] < 50  # the network runs
    # balance factor (§12) from the accumulators' slopes after the warm-up
    ts, sE, sI = snap["st_E"]
    sel = np.flatnonzero(ts >= WARM - 1e-12)
    a, b = sel[0], sel[-1]
    I_E = (sE[:, b] - sE[:, a]) / (ts[b] - ts[a])
    I_I = (sI[:, b] - sI[:, a]) / (ts[b] - ts[a])
    assert t.loc["E", "input_E"] == pytest.approx(I_E.mean(), rel=1e-9)
    assert t.loc["E", "input_I"] == pytest.approx(I_I.mean(), rel=1e-9)
    assert t.loc["E", "bf_mean"] == pytest.approx(np.mean(I_I / (I_E + MU)), rel=1e-9)
    assert np.isnan(t.loc["I", "bf_mean"])  # no StateMonitor of I: not measurable
    # the mean recurrent E input is J_EE nu_E up to the in-degree sample of 30 neurons (Eq 12):
    # the recorded neurons' inputs come from the same spikes, so only the sampling differs
    assert t.loc["E", "input_E"] == pytest.approx(NET.J[0, 0] * t.loc["E", "rate"], rel=0.35)
    # the same columns as simulate's table
    cols = ["point", "population", "mu_E", "mu_I", "rate", "rate_std", "input_E", "input_I",
            "input_ext", "v_end_mean", "v_end_std", "bf_mean", "bf_median", "bf_std",
            "cv_isi_mean", "cv_isi_median", "cv_isi_fraction", "seed", "connectivity_seed",
            "t_start", "t_stop", "duration", "dt", "N", "wall_seconds", "run_seconds"]
    assert list(runs["first"].table.columns) == cols
    assert t.loc["E", "mu_E"] == MU and t.loc["I", "input_ext"] == MU  # read from the groups


def test_rate_traces_and_subgroups(runs):
    first, sub, snap = runs["first"], runs["sub"], runs["snap"]
    r = first.rates
    # E: the PopulationRateMonitor's per-step rate averaged per 1-ms bin
    tE, rE = snap["prm_E"]
    trace = r[r.population == "E"]
    assert len(trace) == round(T_RUN / 1e-3)
    assert trace.rate.iloc[5] == pytest.approx(rE[(tE >= 0.005 - 1e-9) & (tE < 0.006 - 1e-9)].mean())
    # I: no rate monitor, so the trace is binned from the spikes; it averages to the rate
    i, ts = snap["spk_I"]
    trI = r[r.population == "I"]
    assert trI.rate.sum() * 1e-3 * NET.N[1] == pytest.approx(i.size)
    # a Subgroup counts only its own neurons; indices move to the population's
    iE, tE_ = snap["spk_E"]
    keep = (iE >= 50) & (iE < 150) & (tE_ >= WARM)
    s = sub.table.set_index("population")
    assert s.loc["E", "rate"] == pytest.approx(keep.sum() / (100 * (T_RUN - WARM)), rel=1e-12)
    assert sub.spikes.neuron.min() >= 50 and sub.spikes.neuron.max() < 150
    tI, rI = snap["subprm_I"]
    assert s.loc["I", "rate"] == pytest.approx(rI[tI >= WARM - 1e-12].mean(), rel=1e-12)
    assert np.isnan(s.loc["I", "cv_isi_mean"])  # no spikes recorded for I


def test_compare_and_analysis_work_on_it(runs):
    first = runs["first"]
    theory = SSN.from_network(NET).sweep([MU], r=1.0)
    cmp = compare(first, theory)
    assert np.all(np.isfinite(cmp.summary()["rmse"].to_numpy(float)))
    i, t = first.spike_trains("E")
    stats = analysis.isi_statistics(i, t, int(NET.N[0]), t_start=WARM, t_stop=T_RUN)
    ok = np.isfinite(stats.cv)
    assert np.mean(stats.cv[ok]) == pytest.approx(first.table.cv_isi_mean[0], rel=1e-12)
    assert first.status in (0, 1) and "1 point simulated" in first.message


def test_two_runs_concatenate(runs):
    both = SimulationResult.concat([runs["first"], runs["second"]], renumber=True)
    t = both.table
    assert sorted(t.point.unique()) == [0, 1]
    assert t[t.point == 1].mu_E.iloc[0] == MU2 and t[t.point == 0].mu_E.iloc[0] == MU
    assert set(both.spikes.point) == {0, 1}
    assert compare(both, SSN.from_network(NET).sweep([MU, MU2], r=1.0)).summary() is not None
    with pytest.raises(ValueError, match="renumber"):
        SimulationResult.concat([runs["first"], runs["second"]])


def test_bad_inputs_name_the_parameter(runs):
    b2, bn, m = runs["b2"], runs["bn"], runs["m"]
    good = [m["spk_E"], m["spk_I"]]
    with pytest.raises(ValueError, match="at least one"):
        from_brian2([], NET, warmup=WARM)
    with pytest.raises(TypeError, match=r"monitors\[1\]"):
        from_brian2([m["spk_E"], "spikes"], NET, warmup=WARM)
    with pytest.raises(TypeError, match="warmup"):
        from_brian2(good, NET, warmup=0.1 * b2.mV)
    with pytest.raises(ValueError, match="warmup must be shorter"):
        from_brian2(good, NET, warmup=5 * T_RUN)
    with pytest.raises(ValueError, match="warmup must be shorter"):
        from_brian2(good, NET, warmup=5 * T_RUN * b2.second)
    with pytest.raises(TypeError, match="net must be"):
        from_brian2(good, "supersaturating_exp", warmup=WARM)
    with pytest.raises(ValueError, match="N_E"):           # sizes differ
        from_brian2(good, presets.get("supersaturating_exp"), warmup=WARM)
    with pytest.raises(ValueError, match="N_E"):           # a group of I's size passed as E
        from_brian2({"E": [m["spk_I"]]}, NET, mu_E=MU2, warmup=WARM)
    with pytest.raises(ValueError, match="keys must be among"):
        from_brian2({"X": m["spk_E"]}, NET, warmup=WARM)
    with pytest.raises(ValueError, match="mu_E gives 19"):   # the groups now run at 25 mV/s
        from_brian2(good, NET, mu_E=MU, warmup=WARM)
    with pytest.raises(ValueError, match="several SpikeMonitors"):
        from_brian2([m["spk_E"], m["spk_E"]], NET, warmup=WARM)
    other = b2.NeuronGroup(300, "v : 1", threshold="False", name="other")
    with pytest.raises(ValueError, match="neither 'E' nor 'I'"):
        from_brian2([b2.SpikeMonitor(other)], NET, warmup=WARM)
    with pytest.raises(ValueError, match="not part of any run"):
        from_brian2([b2.SpikeMonitor(bn["E"])], NET, warmup=WARM)
    fresh = b2.NeuronGroup(300, "v : 1", threshold="False", name="E")
    mon = b2.SpikeMonitor(fresh)
    b2.Network(fresh, mon).run(0 * b2.ms)
    with pytest.raises(ValueError, match="has not been run"):
        from_brian2([mon], NET, mu_E=MU, warmup=0.0)
    with pytest.raises(TypeError, match="point"):
        from_brian2(good, NET, warmup=WARM, point=-1)


NOT_RUN_SCRIPT = r"""
import sys
import brian2 as b2
from brianmodels import presets, to_brian2, from_brian2
net = presets.get("supersaturating").scaled(400)
b2.set_device("cpp_standalone", build_on_run=False, directory=sys.argv[1])
bn = to_brian2(net, 20.0)
mon = b2.SpikeMonitor(bn["E"])
bn.add(mon)
bn.run(10 * b2.ms)          # records the run; nothing is built or run yet
try:
    from_brian2([mon], net, warmup=0.0)
except ValueError as err:
    print("REFUSED", err)
"""


def test_standalone_run_not_yet_run_is_refused(tmp_path):
    # code generation only happens at device.build, so this compiles nothing
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", NOT_RUN_SCRIPT, str(tmp_path / "sa")],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "REFUSED monitors[0]" in out.stdout and "device.run()" in out.stdout, out.stdout
