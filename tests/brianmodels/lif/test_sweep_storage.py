"""Stored sweep results cannot be silently lost or mixed (issue 10).

A sweep with ``out=`` stores each finished point in ``out/points/<content key>/`` with a
manifest (key, parameters, size and SHA-256 of each file) written last. References: an
uninterrupted sweep of the same grid (same table values apart from wall-clock columns, same
rates, same spikes, bit for bit: the runs are deterministic) and the counts of points run and
reused (``params['points_run']``, ``params['points_reused']``).

The runs use the time-dependent build of ``test_lif_paths``/``test_lif_duration`` (400 + 400
neurons, K = 40, refractory, one Poisson input population), 0.2 s per point (~0.1 s of wall
time each): with a warm cache nothing is compiled here and the file takes ~20 s.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from brianmodels import atomic
from brianmodels.lif import inputs, sweep as sweep_mod
from brianmodels.lif.result import SimulationResult
from brianmodels.lif.sweep import sweep
from networks import PATHS, PATHS_KW

NET = PATHS  # the shared network of tests/networks.py
POISSON = {k: PATHS_KW["poisson_inputs"][k] for k in ("N", "p", "j")}  # 2000 inputs, K = 1000, 0 Hz
KW = dict(PATHS_KW, poisson_inputs=POISSON, duration=0.2, warmup=0.05, n_jobs=1)
MUS = (30.0, 45.0, 60.0)
SEEDS = (1, 2)
VARIANTS = [{"j": 0.02}, {"j": 0.0}]  # 'variant' is a positional label: 0, 1
N_POINTS = len(MUS) * len(SEEDS) * len(VARIANTS)
TIMING = ["wall_seconds", "run_seconds"]


def grid(mus=MUS, variants=VARIANTS, **kw):
    """The sweep's arguments for constant drives ``mus`` given as ramps (the shared build)."""
    return dict(protocols=[inputs.ramp([(0.0, m, m), (1.0, m, m)]) for m in mus], seeds=SEEDS,
                variants=variants, **KW, **kw)


def run(**kw):
    return sweep(NET, **grid(**kw))


@pytest.fixture(scope="module")
def ref():
    """The uninterrupted sweep (nothing stored)."""
    return run()


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A folder holding every point of the grid (copied by the tests that damage it)."""
    out = tmp_path_factory.mktemp("stored")
    res = run(out=out)
    assert res.params["points_run"] == N_POINTS and res.params["points_reused"] == 0
    return out


def assert_same(res, ref):
    """Same rows, rates and spikes as the uninterrupted sweep (wall-clock columns aside)."""
    a = res.table.drop(columns=TIMING).sort_values(["point", "population"])
    b = ref.table.drop(columns=TIMING).sort_values(["point", "population"])
    assert len(a) == 2 * N_POINTS
    assert a.reset_index(drop=True).equals(b.reset_index(drop=True))
    for name in ("rates", "spikes"):
        a, b = (getattr(r, name).sort_values(["point", "population"], kind="stable")
                .reset_index(drop=True) for r in (res, ref))
        assert a.equals(b), name
    assert res.params["points"] == ref.params["points"]


def folder_of(out, ref, k):
    """The stored folder of grid point ``k`` (found through the manifests' parameters)."""
    want = ref.params["points"][k]
    hits = []
    for p in (Path(out) / "points").iterdir():
        meta = json.loads((p / atomic.MANIFEST).read_text())["meta"]
        if meta["input"] == want["input"] and meta["seed"] == want["seed"] and \
                meta["variant"] == want["variant"]:
            hits.append(p)
    assert len(hits) == 1
    return hits[0]


def other_file(out, ref, k, name):
    return folder_of(out, ref, (k + 1) % N_POINTS) / name


def _delete(f, out, ref, k):
    f.unlink()


def _truncate(f, out, ref, k):
    data = f.read_bytes()
    f.write_bytes(data[:len(data) // 2])


def _foreign(f, out, ref, k):  # a valid file of another point copied in
    shutil.copyfile(other_file(out, ref, k, f.name), f)


def _corrupt(f, out, ref, k):
    f.write_text(f.read_text()[:40])


def _foreign_folder(f, out, ref, k):  # another point's whole folder (manifest included)
    src = other_file(out, ref, k, "x").parent
    for g in src.iterdir():
        shutil.copyfile(g, f.parent / g.name)


def _extra(f, out, ref, k):  # an unlisted table copied in
    shutil.copyfile(other_file(out, ref, k, "spikes.parquet"), f.parent / "currents.parquet")


DAMAGE = {  # case: (file, damage, problem named by the warning)
    "delete table.parquet": ("table.parquet", _delete, "table.parquet is missing"),
    "delete spikes.parquet": ("spikes.parquet", _delete, "spikes.parquet is missing"),
    "truncate rates.parquet": ("rates.parquet", _truncate, "rates.parquet has .* bytes"),
    "foreign table.parquet": ("table.parquet", _foreign, "table.parquet .*(SHA-256|bytes)"),
    "foreign folder": ("manifest.json", _foreign_folder, "another content key"),
    "unlisted file": ("manifest.json", _extra, "currents.parquet not listed"),
    "corrupt manifest": ("manifest.json", _corrupt, "manifest.json is unreadable"),
    "delete manifest": ("manifest.json", _delete, "manifest.json is missing"),
}


@pytest.mark.standalone
@pytest.mark.parametrize("case", list(DAMAGE))
def test_damaged_point_is_recomputed_with_a_warning(case, stored, ref, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(stored, out)
    k = 7  # mu = 45 mV/s, seed 2, variant 1
    name, damage, problem = DAMAGE[case]
    pdir = folder_of(out, ref, k)
    damage(pdir / name, out, ref, k)
    with pytest.warns(UserWarning, match=rf"point {k} \(input .*45\.0.*seed 2, "
                                         rf"connectivity_seed 1\) is damaged and "
                                         rf"is recomputed: .*{problem}") as rec:
        res = run(out=out)
    assert len([w for w in rec if "damaged" in str(w.message)]) == 1
    assert res.params["points_run"] == 1 and res.params["points_reused"] == N_POINTS - 1
    assert_same(res, ref)
    # the point is stored again, whole; nothing else is left in points/
    atomic.check_manifest(pdir, key=json.loads((pdir / atomic.MANIFEST).read_text())["key"])
    assert len(list((out / "points").iterdir())) == N_POINTS
    again = run(out=out)
    assert again.params["points_run"] == 0
    assert_same(again, ref)


_CHILD = r"""
import sys, time
sys.path[:0] = [sys.argv[2], sys.argv[3]]
import test_sweep_storage as T
from brianmodels.lif import sweep as sweep_mod

real = sweep_mod._task


def slowed(spec, st, point, index, workdir=None):
    if index >= 3:  # leave the parent time to kill this process mid-sweep
        time.sleep(0.3)
    return real(spec, st, point, index, workdir)


sweep_mod._task = slowed
T.run(out=sys.argv[1])
print("FINISHED")
"""


def _stored(out):
    pts = Path(out) / "points"
    return [p for p in pts.iterdir() if (p / atomic.MANIFEST).exists()] if pts.is_dir() else []


@pytest.mark.standalone
def test_sweep_killed_mid_run_resumes_to_the_uninterrupted_result(ref, tmp_path):
    # ref has run: the build is cached, the child compiles nothing
    out = tmp_path / "out"
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(out), str(Path(__file__).parent),
                              str(Path(__file__).parents[2])],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t0 = time.monotonic()
    while len(_stored(out)) < 3:
        assert child.poll() is None, child.communicate()[1][-3000:]
        assert time.monotonic() - t0 < 120, "the child stored no points"
        time.sleep(0.005)
    os.kill(child.pid, signal.SIGKILL)
    child.communicate()
    assert child.returncode == -signal.SIGKILL
    n_stored = len(_stored(out))
    assert 3 <= n_stored < N_POINTS
    # what a writer killed mid-save leaves behind: hidden temporaries named by host and pid
    host = socket.gethostname().replace(".", "_")
    left = out / "points" / f".abc.tmp.{host}.{child.pid}.x1"
    left.mkdir()
    (left / "table.parquet").write_bytes(b"half")
    (out / "points" / f".table.parquet.tmp.{host}.{child.pid}.x2.parquet").write_bytes(b"h")
    res = run(out=out)
    assert res.params["points_reused"] == n_stored
    assert res.params["points_run"] == N_POINTS - n_stored
    assert_same(res, ref)
    assert sorted(p.name for p in (out / "points").iterdir() if p.name.startswith(".")) == []
    # the joined result: written atomically with a manifest, reads back equal
    joined = SimulationResult.load(out / "result")
    assert joined.table.equals(res.table) and joined.spikes.equals(res.spikes)
    assert joined.params["points_run"] == N_POINTS - n_stored


@pytest.mark.standalone
def test_grid_with_points_added_and_reordered_reuses_every_stored_point(stored, ref, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(stored, out)
    (out / "points" / "00000_0123456789ab").mkdir()  # a folder of the older layout: ignored
    (out / "points" / "00000_0123456789ab" / "params.json").write_text("{}")
    mus = (20.0, 60.0, 30.0, 45.0, 30.0)  # one new at the front, reordered, one twice
    with pytest.warns(UserWarning, match="older position-keyed layout"):
        res = run(out=out, mus=mus, variants=VARIANTS[::-1])
    new = len(SEEDS) * len(VARIANTS)  # the points of mu = 20: the only ones run
    assert res.params["points_run"] == new and res.params["points_reused"] == N_POINTS
    assert len(res.table) == 2 * len(mus) * new
    # rows are labelled by their position in THIS grid; values are the stored ones
    pts = res.params["points"]
    assert sorted(res.table.point.unique()) == list(range(len(pts)))
    key = ["mu_E", "seed", "variant_j", "population"]
    vals = [c for c in ref.table if c not in TIMING + ["point", "variant"]]
    old = ref.table.set_index(key)
    for k, p in enumerate(pts):
        rows = res.table[res.table.point == k]
        assert (rows.variant == p["variant"]).all() and (rows.seed == p["seed"]).all()
        assert np.allclose(rows.mu_E, p["input"]["mu_E"][0], rtol=1e-12)
        if p["input"]["mu_E"][0] == 20.0:
            continue
        got = rows.set_index(key)[[c for c in vals if c not in key]]
        assert got.equals(old.loc[got.index, got.columns]), k
        j = old.loc[got.index[0], "point"]
        a, b = (s[s.point == i].drop(columns="point").reset_index(drop=True)
                for s, i in ((res.spikes, k), (ref.spikes, j)))
        assert len(a) > 0 and a.equals(b), k
    # the repeated mu = 30 mV/s: the same stored run at both positions
    r30 = [res.table[res.table.point == k].drop(columns=["point"]).reset_index(drop=True)
           for k, p in enumerate(pts) if p["input"]["mu_E"][0] == 30.0]
    assert len(r30) == 2 * new and r30[0].equals(r30[new])


@pytest.mark.standalone
def test_store_made_for_one_cpu_target_is_reused_under_another(stored, tmp_path, monkeypatch):
    """Stored points are keyed by what the build computes (builds for every target give the
    same spikes, test_lif_build_portability), not by the binary: a store on a cluster's shared
    folder serves every CPU kind without recomputing, and needs no build to be read back."""
    out = tmp_path / "out"
    shutil.copytree(stored, out)
    monkeypatch.setenv("BRIANMODELS_TARGET", "x86-64")
    monkeypatch.setenv("BRIANMODELS_CACHE", str(tmp_path / "empty_cache"))
    res = run(out=out)
    assert res.params["points_run"] == 0 and res.params["points_reused"] == N_POINTS
    assert res.params["compiled"] is False
    assert not (tmp_path / "empty_cache").exists() or not any((tmp_path / "empty_cache").iterdir())


@pytest.mark.standalone
def test_unusable_out_fails_before_any_build_or_run(tmp_path, monkeypatch):
    def boom(*a, **k):
        raise AssertionError("built or ran before checking out")

    monkeypatch.setattr(sweep_mod.build, "get_build", boom)
    monkeypatch.setattr(sweep_mod, "_task", boom)
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ValueError, match=r"out=.*file.: .*file is an existing file"):
        run(out=f)
    with pytest.raises(ValueError, match=r"out='.*file/sub': cannot create or write"):
        run(out=f / "sub")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "points").write_text("x")
    with pytest.raises(ValueError, match=r"out='.*a': .*points is an existing file"):
        run(out=tmp_path / "a")
    with pytest.raises(TypeError, match="out must be a folder path"):
        run(out=3.5)
    if os.geteuid() != 0:  # root writes anywhere
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        try:
            with pytest.raises(PermissionError, match=r"out='.*ro'"):
                run(out=ro)
        finally:
            ro.chmod(0o700)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "file"] + \
        (["ro"] if os.geteuid() != 0 else [])


# ------------------------------------------------------------------ the helpers (no build)
def test_atomic_dir_replaces_whole_or_not_at_all(tmp_path):
    d = tmp_path / "d"
    atomic.atomic_dir(d, lambda t: (t / "a").write_text("1"))
    atomic.atomic_dir(d, lambda t: (t / "b").write_text("2"))
    assert [p.name for p in d.iterdir()] == ["b"]

    def fail(t):
        (t / "c").write_text("3")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic.atomic_dir(d, fail)
    assert [p.name for p in d.iterdir()] == ["b"]
    atomic.atomic_dir(d, lambda t: (t / "e").write_text("4"), replace=False)  # first wins
    assert [p.name for p in d.iterdir()] == ["b"]
    assert [p.name for p in tmp_path.iterdir()] == ["d"]


def test_manifest_names_each_kind_of_damage(tmp_path):
    (tmp_path / "x.bin").write_bytes(b"0123456789")
    atomic.write_manifest(tmp_path, key="k1", meta={"seed": 1})
    man = atomic.check_manifest(tmp_path, key="k1")
    assert man["files"] == {"x.bin": {"size": 10, "sha256": (
        "84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882")}}
    with pytest.raises(atomic.IntegrityError, match="another content key"):
        atomic.check_manifest(tmp_path, key="k2")
    (tmp_path / "x.bin").write_bytes(b"0123456780")
    with pytest.raises(atomic.IntegrityError, match="x.bin does not match its SHA-256"):
        atomic.check_manifest(tmp_path)
    (tmp_path / "x.bin").write_bytes(b"01234")
    with pytest.raises(atomic.IntegrityError, match="x.bin has 5 bytes, the manifest says 10"):
        atomic.check_manifest(tmp_path)


def test_leftovers_of_dead_writers_are_removed_and_live_ones_kept(tmp_path):
    host = socket.gethostname().replace(".", "_")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    names = {f".p.tmp.{host}.{dead}.a": False, f".p.old.{host}.{dead}.b": False,
             f".p.tmp.{host}.{os.getpid()}.c": True, f".p.tmp.otherhost.{dead}.d": True,
             "p": True}
    for n in names:
        (tmp_path / n).mkdir()
    removed = atomic.clean_leftovers(tmp_path)
    assert sorted(p.name for p in removed) == sorted(n for n, keep in names.items() if not keep)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for n, k in names.items() if k)


def test_point_key_covers_every_run_value_and_not_the_position():
    from dataclasses import replace

    from brianmodels.lif import simulate as sim

    st = sim.settings(NET, duration=0.2, timed=True)
    st2 = sim.settings(NET, duration=0.3, timed=True)
    ramp = inputs.ramp([(0.0, 30.0, 30.0), (1.0, 30.0, 30.0)])
    w = np.linspace(0.0, 0.04, 400 * 40)
    base = sim.Point(protocol=ramp, seed=1, connectivity_seed=1, net=NET, warmup=0.05,
                     neuron_params={"theta": np.ones(800)}, poisson_rates=[1.0],
                     poisson_weights=[[0.0025, 0.0025]], synapse_weights={"EE": w},
                     labels={"variant": 0, "variant_j": "0.02"})
    key = sweep_mod._point_hash("build", base, st)
    assert len(key) == 64
    same = [replace(base, labels={"variant": 5, "variant_j": "0.02"}),  # position only
            replace(base, neuron_params={"theta": np.ones(800).copy()},  # equal content
                    synapse_weights={"EE": w.copy()})]
    assert all(sweep_mod._point_hash("build", p, st) == key for p in same)
    changed = {
        "build": ("other build", base, st), "duration": ("build", base, st2),
        "seed": ("build", replace(base, seed=2), st),
        "connectivity_seed": ("build", replace(base, connectivity_seed=2), st),
        "warmup": ("build", replace(base, warmup=0.06), st),
        "net": ("build", replace(base, net=NET.replace(tau=(0.02, 0.011))), st),
        "protocol": ("build", replace(base, protocol=inputs.ramp([(0.0, 30.0, 30.0),
                                                                 (1.0, 31.0, 30.0)])), st),
        "poisson_rates": ("build", replace(base, poisson_rates=[2.0]), st),
        "poisson_weights": ("build", replace(base, poisson_weights=[[0.003, 0.0025]]), st),
        "neuron_params": ("build", replace(base, neuron_params={"theta": np.r_[np.ones(799),
                                                                               1.5]}), st),
        "synapse_weights": ("build", replace(base, synapse_weights={"EE": w * (1 + 1e-15)}), st),
        "labels": ("build", replace(base, labels={"variant": 0, "variant_j": "0.03"}), st),
    }
    keys = {what: sweep_mod._point_hash(*args) for what, args in changed.items()}
    assert key not in keys.values() and len(set(keys.values())) == len(keys), keys


# ------------------------------------------------------------------ rate sweeps (no build)
RATE_KW = dict(T=20.0, dt=0.05, warmup=2.0, n_jobs=1, progress=False, method="numpy")


@pytest.fixture(scope="module")
def rate_ref():
    from brianmodels.rate.sweep import rate_sweep

    return rate_sweep([20, 40], seeds=(0, 1), **RATE_KW).table


def _rate_files(out, K, seed, suffix):
    (f,) = [p for p in Path(out).glob(f"rate-K{K}-N{K}-s{seed}-*{suffix}")
            if suffix != ".parquet" or ".R." not in p.name]
    return f


@pytest.mark.standalone
@pytest.mark.parametrize("case", ["delete R", "truncate table", "foreign table",
                                  "delete manifest", "foreign manifest"])
def test_damaged_rate_point_is_recomputed_with_a_warning(case, rate_ref, tmp_path, monkeypatch):
    from brianmodels.rate import sweep as rs

    rate_sweep = rs.rate_sweep
    a = rate_sweep([20, 40], seeds=(0, 1), out=tmp_path, **RATE_KW).table
    assert a.drop(columns="wall_s").equals(rate_ref.drop(columns="wall_s"))
    table, R, man = (_rate_files(tmp_path, 40, 1, s)
                     for s in (".parquet", ".R.parquet", ".manifest.json"))
    other = {s: _rate_files(tmp_path, 20, 0, s) for s in (".parquet", ".manifest.json")}
    problem = {"delete R": (R.unlink, "R.parquet is missing"),
               "truncate table": (lambda: table.write_bytes(table.read_bytes()[:99]),
                                  "has 99 bytes"),
               "foreign table": (lambda: shutil.copyfile(other[".parquet"], table),
                                 r"s1-c1-\w+\.parquet (has|does not match)"),
               "delete manifest": (man.unlink, "manifest.json is missing"),
               "foreign manifest": (lambda: shutil.copyfile(other[".manifest.json"], man),
                                    "another content key")}[case]
    problem[0]()
    runs = []
    real = rs._run_point
    monkeypatch.setattr(rs, "_run_point", lambda *a: runs.append(a[:4]) or real(*a))
    with pytest.warns(UserWarning, match=rf"rate point K=40, N=40, seed=1, connectivity_seed=1 .* is damaged and "
                                         rf"is recomputed: .*{problem[1]}"):
        b = rate_sweep([20, 40], seeds=(0, 1), out=tmp_path, **RATE_KW).table
    assert runs == [(40, 40, 1, 1)]
    assert b.drop(columns="wall_s").equals(rate_ref.drop(columns="wall_s"))
    runs.clear()
    c = rate_sweep([20, 40], seeds=(0, 1), out=tmp_path, **RATE_KW).table
    assert runs == [] and c.equals(b)


def test_rate_sweep_unusable_out_fails_before_any_run(tmp_path, monkeypatch):
    from brianmodels.rate import sweep as rs

    monkeypatch.setattr(rs, "_run_point", lambda *a: pytest.fail("ran before checking out"))
    (tmp_path / "f").write_text("x")
    with pytest.raises(ValueError, match=r"out=.*f.: .* is an existing file"):
        rs.rate_sweep([20], out=tmp_path / "f", **RATE_KW)


@pytest.mark.standalone
def test_figure_run_cache_detects_damage(tmp_path):
    from figures import _khajeh_common as kc

    kw = dict(N=20, K=20, T=10.0, dt=0.05, warmup=2.0, method="numpy", seed=0, connectivity_seed=0)
    a = kc.cached_run(tmp_path, **kw)
    next(tmp_path.glob("*.stats.parquet")).write_bytes(b"x")
    with pytest.warns(UserWarning, match=r"figure run .* is damaged .*stats.parquet has 1 bytes"):
        b = kc.cached_run(tmp_path, **kw)
    c = kc.cached_run(tmp_path, **kw)  # stored again: read back
    assert all(a[k].equals(b[k]) and b[k].equals(c[k]) for k in a)
    assert len(list(tmp_path.iterdir())) == 5  # four tables and their manifest
