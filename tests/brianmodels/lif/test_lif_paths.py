"""LIF simulator paths beyond constant drive: time-dependent inputs (TimedArray orientation),
refractoriness (F-I vs Phi with t_ref), Poisson (XOR) inputs, per-pathway sweeps, the Dask
path, resuming a crashed sweep.

Every test here shares ONE compiled build (one model structure: 400 + 400 neurons, K = 40 per
pathway, refractory, one XOR-type Poisson input population, time-dependent input over 4 s):
values that differ between tests (weights, drives, time constants, refractory periods, Poisson
rates) are run-time values. Unconnected behaviour is obtained with run-time weights j = 0.
"""
import json

import numpy as np
import pytest

import meanfield
from brianmodels.lif import inputs, sweep as sweep_mod
from brianmodels.lif.simulate import fi_curve, simulate
from brianmodels.lif.sweep import sweep
from brianmodels.network import LIFNetwork
from networks import PATHS, PATHS_KW

pytestmark = pytest.mark.standalone  # compiles or runs simulations (tests/conftest.py)

T, WARM = 4.0, 1.0
BASE = PATHS  # the shared network of tests/networks.py (one build for several test modules)
SIGMA = float(BASE.sigma_ext[0])
UNCONNECTED = BASE.replace(j=0.0)
POISSON = PATHS_KW["poisson_inputs"]  # N = 2000, p = 0.5 (K = 1000), j = 0.0025 mV onto E and I
KW = dict(duration=T, warmup=WARM, **PATHS_KW)


def const(mu_E, mu_I):
    """A constant drive given as a (time-dependent) ramp, so every test shares the build."""
    return inputs.ramp([(0.0, mu_E, mu_I), (T, mu_E, mu_I)])


def run(net, protocol, **kw):
    return simulate(net, protocol=protocol, **{**KW, **kw})


#: Discrete-time threshold test: a walk with Gaussian steps of SD s = sigma sqrt(dt) crosses a
#: barrier ~beta s later than the continuous process, beta = -zeta(1/2)/sqrt(2 pi) = 0.5826
#: (Siegmund's correction), so the simulated rate lies between Phi at theta and Phi at
#: theta + beta sigma sqrt(dt) (``docs/theory/ssn_lif.md`` §1: simulated 4.08 Hz at dt = 0.05 ms,
#: Phi 4.34 Hz, shifted Phi 4.06 Hz for mu = 20, sigma = 3, tau = 20 ms).
THETA_SHIFT = 0.5826 * SIGMA * np.sqrt(5e-5)


def phi_bracket(mu, tau, t_ref):
    """(low, high) rate bounds in Hz: Phi with the shifted and with the true threshold."""
    mu = np.atleast_1d(mu)
    return (meanfield.phi(mu, SIGMA, tau, theta=1.0 + THETA_SHIFT, t_ref=t_ref).mean(),
            meanfield.phi(mu, SIGMA, tau, t_ref=t_ref).mean())


def assert_in_bracket(sim, mu, tau, t_ref, n_spikes_per_hz, what):
    """sim within the Phi bracket widened by 3 counting standard errors (Poisson counts)."""
    lo, hi = phi_bracket(mu, tau, t_ref)
    se = 1.0 / np.sqrt(max(lo * n_spikes_per_hz, 1.0))
    assert lo * (1 - 3 * se) < sim < hi * (1 + 3 * se), (what, sim, lo, hi, se)


def test_ramps_reach_their_own_population():
    # E ramps UP 10 -> 60 mV/s while I ramps DOWN 60 -> 10 mV/s (unconnected neurons): each
    # population's windowed rate must follow Phi of ITS OWN drive (a transposed input table
    # would swap the trends): within the discrete-time Phi bracket (THETA_SHIFT) averaged over
    # the window's drive, plus 3 SE of the counts (400 neurons x 0.5 s). The slow ramp lags
    # by ~tau (< 1% of the window's change).
    proto = inputs.ramp([(0.0, 10.0, 60.0), (T, 60.0, 10.0)])
    res = run(UNCONNECTED, proto)
    r = res.rates
    assert np.allclose(r[r.population == "E"].mu, proto.at(r[r.population == "E"].t + 5e-4)[:, 0])
    assert np.allclose(r[r.population == "I"].mu, proto.at(r[r.population == "I"].t + 5e-4)[:, 1])
    checked = 0
    for x, X in enumerate("EI"):
        rx = r[r.population == X]
        for t0 in np.arange(0.5, T, 0.5):  # skip the initial transient
            sim = rx[(rx.t >= t0) & (rx.t < t0 + 0.5)].rate.mean()
            mu = proto.at(np.linspace(t0, t0 + 0.5, 201))[:, x]
            if meanfield.phi(mu, SIGMA, BASE.tau[x]).mean() < 2.0:
                continue
            assert_in_bracket(sim, mu, BASE.tau[x], BASE.t_ref[x], 400 * 0.5, (X, t0))
            checked += 1
    assert checked >= 8
    e = r[r.population == "E"].groupby(r.t // 1.0).rate.mean().to_numpy()
    i = r[r.population == "I"].groupby(r.t // 1.0).rate.mean().to_numpy()
    assert np.all(np.diff(e) > 0) and np.all(np.diff(i) < 0)


def test_refractory_fi_curve_matches_phi():
    # Mean-driven E neurons (mu tau = 1.2 mV > theta): 4 groups of 100 with t_ref = 0, 2, 5,
    # 10 ms; Phi with t_ref (Eq 9) drops from ~29 to ~24, ~18, ~13 Hz. Each group's rate must
    # lie in the discrete-time Phi bracket (100 neurons x 3 s counts), and decrease with t_ref.
    t_ref = np.r_[np.repeat([0.0, 0.002, 0.005, 0.010], 100), np.full(400, 0.002)]
    res = run(UNCONNECTED, const(60.0, 60.0), neuron_params={"t_ref": t_ref})
    i, t = res.spike_trains("E")
    rates = np.bincount(i[t >= WARM], minlength=400) / (T - WARM)
    prev = np.inf
    for g, tr in enumerate([0.0, 0.002, 0.005, 0.010]):
        sim = rates[100 * g:100 * (g + 1)].mean()
        assert_in_bracket(sim, 60.0, 0.02, tr, 100 * (T - WARM), ("E", tr))
        assert sim < prev
        prev = sim
    # I neurons (tau = 10 ms, fluctuation-driven at mu tau = 0.6 mV, t_ref = 2 ms)
    assert_in_bracket(res.rate("I")[0], 60.0, 0.01, 0.002, 400 * (T - WARM), "I")


def test_poisson_inputs_add_mean_drive():
    # Non-firing neurons (theta = 1e9 mV) with external drive mu and one Poisson population of
    # rate nu_X (K = 1000 inputs of 0.0025 mV): mean V -> tau (mu + K j nu_X) = tau (mu + 2.5
    # nu_X) (``docs/theory/ssn_lif.md`` §13). At nu_X = 8 Hz the Poisson part is 20 mV/s, i.e. 0.4 mV for E,
    # 0.2 mV for I. SD of V across 400 neurons: ~0.3 mV (white noise) and sqrt(tau K j^2 nu / 2)
    # ~ 0.01 mV (shot noise) -> SE of the mean ~0.015 mV; allow 0.05 mV.
    theta = np.full(800, 1e9)
    res = run(UNCONNECTED, const(10.0, 10.0), neuron_params={"theta": theta},
              poisson_rates=[8.0])
    tab = res.table.set_index("population")
    for X, tau in (("E", 0.02), ("I", 0.01)):
        assert tab.loc[X, "input_ext"] == pytest.approx(10.0 + 2.5 * 8.0)
        assert tab.loc[X, "v_end_mean"] == pytest.approx(tau * (10.0 + 2.5 * 8.0), abs=0.05)
    assert res.rate("E")[0] == 0.0


def test_pathway_sweep_and_dask_match_process_pool(tmp_path):
    # A per-pathway sweep (variants of j): each point's recorded mean recurrent inputs must be
    # J_XY nu_Y with ITS OWN j (so the run-time weights reach the binary), up to the
    # out-degree/rate correlation of a K = 40 network (2%; 400 neurons: allow 4%).
    variants = [{"j": [[0.02, 0.05], [0.02, 0.02]]}, {"j": [[0.02, 0.10], [0.02, 0.02]]}]
    proto = [const(40.0, 40.0)]
    res = sweep(BASE, protocols=proto, variants=variants, n_jobs=2, **KW)
    for v, var in enumerate(variants):
        J = np.asarray(var["j"]) * BASE.K
        t = res.table[res.table.variant == v].set_index("population")
        assert t.loc["E", "input_I"] == pytest.approx(J[0, 1] * t.loc["I", "rate"], rel=0.04)
        assert t.loc["E", "input_E"] == pytest.approx(J[0, 0] * t.loc["E", "rate"], rel=0.04)
    rE = res.table[res.table.population == "E"].sort_values("variant").rate.to_numpy()
    assert rE[1] < rE[0]  # stronger inhibition onto E lowers its rate
    # the same sweep on a local Dask cluster gives the same table (same seeds -> same spikes)
    pytest.importorskip("dask.distributed")
    dres = sweep(BASE, protocols=proto, variants=variants, n_jobs=2, scheduler="local-dask",
                 **KW)
    cols = ["point", "population", "rate", "input_E", "input_I", "cv_isi_mean", "variant"]
    a = res.table.sort_values(["point", "population"])[cols].reset_index(drop=True)
    b = dres.table.sort_values(["point", "population"])[cols].reset_index(drop=True)
    assert a.equals(b)


def test_crashed_sweep_resumes_without_redoing_points(tmp_path, monkeypatch):
    protos = [const(m, m) for m in (20.0, 30.0, 40.0, 50.0)]
    calls, crash = [], [True]
    real = sweep_mod._task

    def flaky(spec, st, point, index, workdir=None):
        calls.append(index)
        if index == 2 and crash[0]:
            raise RuntimeError("simulated crash")
        return real(spec, st, point, index, workdir)

    monkeypatch.setattr(sweep_mod, "_task", flaky)
    with pytest.raises(RuntimeError, match="simulated crash"):
        sweep(UNCONNECTED, protocols=protos, out=tmp_path, n_jobs=1, **KW)
    mus = [20.0, 30.0, 40.0, 50.0]  # stored points are keyed by content: index via the manifest
    saved = sorted(mus.index(json.loads((p / "manifest.json").read_text())["meta"]["input"]
                             ["mu_E"][0]) for p in (tmp_path / "points").iterdir()
                   if (p / "manifest.json").exists())
    assert 2 not in saved and len(saved) >= 2  # points 0, 1 (and 3 if it ran) kept
    first = list(calls)
    crash[0] = False
    res = sweep(UNCONNECTED, protocols=protos, out=tmp_path, n_jobs=1, **KW)
    redone = calls[len(first):]
    assert sorted(redone) == sorted(set(range(4)) - set(saved))
    assert list(res.table.groupby("point").size()) == [2, 2, 2, 2]
    # loaded points are the saved ones, bit for bit; E rates rise with the drive (Phi)
    rE = res.rate("E")
    assert np.all(np.diff(rE) > 0)
    again = sweep(UNCONNECTED, protocols=protos, out=tmp_path, n_jobs=1, **KW)
    assert len(calls) == len(first) + len(redone)  # nothing left to run
    assert np.array_equal(again.rate("E"), rE)


_BUILD_ONE = r"""
import json, sys
from brianmodels.lif import build
b = build.get_build(json.loads(sys.argv[1]), progress=False)
print("CACHED", b.cached, b.directory.name)
"""


def test_two_processes_building_the_same_model(tmp_path, monkeypatch):
    # Both start from an empty cache at the same time: one compiles, the other waits on the
    # lock and then uses that build; one build folder results, no temporary leftovers.
    import json
    import os
    import subprocess
    import sys

    from brianmodels.lif import build

    spec = build.model_spec(LIFNetwork(N=(10, 10), p=0.0, j=0.0), dt=1e-4, duration=0.1)
    env = {**os.environ, "BRIANMODELS_CACHE": str(tmp_path)}
    procs = [subprocess.Popen([sys.executable, "-c", _BUILD_ONE, json.dumps(spec)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outs]
    lines = sorted(o[0].split("CACHED")[1].split() for o in outs)
    assert [c for c, _ in lines] == ["False", "True"] and lines[0][1] == lines[1][1]
    entries = sorted(p.name for p in tmp_path.iterdir())
    assert entries == sorted([lines[0][1], lines[0][1] + ".lock"])
    # the build runs (a cache hit in this process too)
    monkeypatch.setenv("BRIANMODELS_CACHE", str(tmp_path))
    b = build.get_build(spec, progress=False)
    assert b.cached and (b.directory / "main").exists()


def test_fi_curve_matches_phi():
    # fi_curve: 8 (mu, tau) points x 100 unconnected neurons, sigma = 3 mV/sqrt(s), 10 s at
    # dt = 0.05 ms, one run. Each point's rate within the discrete-time Phi bracket (Eq 9 at
    # theta and at theta + THETA_SHIFT) widened by 3 SE of its 100 x 9.5 s counts.
    mus, taus = [10.0, 20.0, 40.0, 60.0], [0.02, 0.01]
    mu, tau = np.repeat(mus, 2), np.tile(taus, 4)
    fi = fi_curve(mu, SIGMA, tau, n_per_point=100, duration=10.0, warmup=0.5, progress=False)
    assert np.allclose(fi.mu, mu) and np.allclose(fi.tau, tau) and (fi.n_neurons == 100).all()
    checked = 0
    for row in fi.itertuples():
        if meanfield.phi(row.mu, SIGMA, row.tau) < 1.0:
            continue  # too few spikes for a % comparison
        assert_in_bracket(row.rate, row.mu, row.tau, 0.0, 100 * 9.5, (row.mu, row.tau))
        checked += 1
    assert checked >= 6
