"""Portable builds (issue 10): the cache key covers compiler and CPU target, builds for other
targets give bit-identical results, damaged builds and leftovers are repaired, a binary dying
by a signal says what to do, and no binary outlives its driver.

References: the native build's own results (every operation is rounded as written on every
target: ``-ffp-contract=off -fno-associative-math``, see ``brianmodels.lif.target``), the
manifest's SHA-256, process states in ``/proc``.

Cost: four small builds (native, AVX-512 off, x86-64-v3 = AVX2, x86-64 = SSE2 only; ~20-50 s
each when cold on 2 busy cores), four ~1-s compiles of the RNG harness; the rest runs in
seconds on those builds.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from brianmodels import atomic, simulate
from brianmodels.lif import build, cache, fastrng, target
from brianmodels.network import LIFNetwork

#: Every code path of the generated C++: noise blocks, delta and exponential synapses, delayed
#: pathways (rings), refractoriness, Poisson inputs (uniform draws). 201 neurons: the noise
#: block is not a multiple of the 8 SIMD lanes.
NET = LIFNetwork(N=(160, 41), p=0.2, j=(0.1, 0.3, 0.2, 0.3), t_ref=(0.002, 0.001),
                 synapse=("delta", "exp", "exp", "delta"), tau_s=(0.0, 0.005, 0.003, 0.0),
                 delay_max=(0.002, 0.0, 0.0, 0.001), sigma_ext=(4.0, 4.0))
KW = dict(mu_E=55.0, duration=0.5, warmup=0.1, seed=7, connectivity_seed=7, record_spikes="all",
          progress=False, poisson_inputs=dict(N=50, j=0.05, p=0.2), poisson_rates=20.0)
#: The targets compared with the native build (SSE2 only, AVX2 + FMA, native without AVX-512).
TARGETS = ("x86-64", "x86-64-v3", target.NO_AVX512)


def _run(monkeypatch, value, **kw):
    """simulate(NET) for target ``value``, with the binary's raw per-neuron outputs."""
    raw = {}
    run = build.run_binary

    def keep(*a, **k):
        out = run(*a, **k)
        raw.update(out)
        return out

    with monkeypatch.context() as m:
        m.setenv(target.ENV, value)
        m.setattr(build, "run_binary", keep)
        res = simulate(NET, **{**KW, **kw})
    return res, raw


@pytest.fixture(scope="module")
def native_run():
    with pytest.MonkeyPatch.context() as mp:
        return _run(mp, "native")


@pytest.fixture(scope="module")
def runs(native_run):
    with pytest.MonkeyPatch.context() as mp:
        return {"native": native_run, **{t: _run(mp, t) for t in TARGETS}}


@pytest.fixture(scope="module")
def native_build(native_run):
    """The native build of NET (compiled by ``native_run``)."""
    d = cache.cache_root() / native_run[0].params["build_key"]
    return build.Build(d, json.loads((d / "manifest.json").read_text()), True)


def _fake_build(folder: Path, script: str, built_for="x86-64-v3") -> build.Build:
    """A build whose ``main`` is a shell script (no compile)."""
    folder.mkdir(parents=True)
    main = folder / "main"
    main.write_text("#!/bin/sh\n" + script)
    main.chmod(0o755)
    man = {"static_arrays": [], "results": {}, "target": target.identity(built_for)}
    return build.Build(folder, man, True)


# ------------------------------------------------------------------------------ target
def test_target_values_are_checked_before_any_compile(monkeypatch, tmp_path):
    assert target.target_name("  x86-64-v3 ") == "x86-64-v3"
    assert target.arch_flags(target.NO_AVX512) == ["-march=native", "-mno-avx512f"]
    for bad in ("native; rm -rf ~", "-march=native", "x86-64 avx2", ""):
        if bad:
            with pytest.raises(ValueError, match=target.ENV):
                target.target_name(bad)
    assert target.target_name("") == "native"  # empty = unset
    with pytest.raises(ValueError, match=rf"{target.ENV}='no-such-cpu'.*refuses -march=no-such"):
        target.identity("no-such-cpu")
    with pytest.raises(TypeError, match=target.ENV):
        target.target_name(3)
    # through the public API: the error comes before anything is built or run
    monkeypatch.setenv("BRIANMODELS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv(target.ENV, "no-such-cpu")
    with pytest.raises(ValueError, match=target.ENV):
        simulate(NET, **KW)
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_key_covers_compiler_and_target(monkeypatch, tmp_path):
    spec = build.model_spec(NET, dt=5e-5)
    keys = {}
    for value in ("native", "x86-64-v3", "x86-64", target.NO_AVX512):
        monkeypatch.setenv(target.ENV, value)
        keys[value] = build.spec_key(spec)
    assert len(set(keys.values())) == 4
    monkeypatch.setenv(target.ENV, "native")
    assert build.spec_key(spec) == keys["native"]  # deterministic
    # what the targets resolve to (GCC on x86-64): native is a CPU name; v3 = AVX2 + FMA
    nat, v3, sse2 = (target.identity(v) for v in ("native", "x86-64-v3", "x86-64"))
    assert nat["march"] != "native" and v3["march"] == "x86-64-v3"
    assert {"AVX", "AVX2", "FMA"} <= set(v3["features"]) and "AVX512F" not in v3["features"]
    assert not {"AVX", "SSE4_2"} & set(sse2["features"])
    assert target.missing_here(sse2) == []
    foreign = {**v3, "all_features": v3["all_features"] + ["NO_SUCH_ISA"]}
    assert target.missing_here(foreign) == ["NO_SUCH_ISA"]
    with pytest.warns(RuntimeWarning, match="uses NO_SUCH_ISA, which this CPU lacks"):
        target.warn_if_foreign(foreign)
    # another compiler (a wrapper with another path and --version) is another key
    fake = tmp_path / "other-g++"
    fake.write_text('#!/bin/sh\n[ "$1" = --version ] && { echo "other g++ 99"; exit 0; }\n'
                    'exec g++ "$@"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("CXX", str(fake))
    ident = target.identity()
    assert ident["compiler"] == os.path.realpath(fake)
    assert ident["compiler_version"] == "other g++ 99"
    assert build.spec_key(spec) != keys["native"]


@pytest.mark.standalone
def test_rng_harness_same_numbers_on_every_target():
    # bm_rng.h: the AVX-512 block path and the portable one, scalar draws, on SSE2 / AVX2 /
    # no-AVX-512 / native code: the very same numbers (400 100 draws: ~4 800 rejections)
    ref = {k: fastrng.sample(400_100, seed=11, kind=k) for k in ("normal", "uniform",
                                                                  "normal_block")}
    for value in TARGETS:
        for kind, x in ref.items():
            assert np.array_equal(fastrng.sample(400_100, seed=11, kind=kind, target=value), x), \
                (value, kind)
    with pytest.raises(ValueError, match="portable"):
        fastrng.sample(10, portable=True, target="x86-64")


# ------------------------------------------------------------------------------ bit-identity
@pytest.mark.standalone
def test_generated_cpp_bit_identical_on_every_target(runs):
    res0, raw0 = runs["native"]
    assert res0.spikes.shape[0] > 2000  # an active network: ~26 Hz (E), ~56 Hz (I)
    keys = {r.params["build_key"] for r, _ in runs.values()}
    assert len(keys) == 4  # four builds
    for value in TARGETS:
        res, raw = runs[value]
        pd.testing.assert_frame_equal(res.spikes, res0.spikes, check_exact=True)
        pd.testing.assert_frame_equal(res.rates, res0.rates, check_exact=True)
        cols = [c for c in res0.table.columns if c not in ("wall_seconds", "run_seconds")]
        pd.testing.assert_frame_equal(res.table[cols], res0.table[cols], check_exact=True)
        for name in ("neurons.v", "neurons.sE", "neurons.sI", "neurons.nspk"):
            assert np.array_equal(raw[name], raw0[name]), (value, name)  # every bit


# ------------------------------------------------------------------------------ damage
def _copy_cache(b: build.Build, root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copytree(b.directory, root / b.directory.name, symlinks=True)
    return root / b.directory.name


def _damage_main_byte(d):
    with open(d / "main", "r+b") as fh:
        fh.seek(4000)
        byte = fh.read(1)
        fh.seek(4000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    return "main does not match its SHA-256"


def _damage_main_truncated(d):
    with open(d / "main", "r+b") as fh:
        fh.truncate(1000)
    return "main has 1000 bytes"


def _damage_manifest_json(d):
    (d / "manifest.json").write_text('{"spec": ')
    return "manifest.json is unreadable"


def _damage_manifest_keys(d):
    man = json.loads((d / "manifest.json").read_text())
    del man["results"]
    (d / "manifest.json").write_text(json.dumps(man))
    return "lacks results"


def _damage_static_array(d):
    victim = sorted((d / "static_arrays").iterdir())[0]
    victim.unlink()
    return f"static_arrays/{victim.name} is missing"


@pytest.mark.standalone
@pytest.mark.parametrize("damage", [_damage_main_byte, _damage_main_truncated,
                                    _damage_manifest_json, _damage_manifest_keys,
                                    _damage_static_array])
def test_damaged_build_is_reported_and_rebuilt(damage, native_build, native_run, monkeypatch,
                                              tmp_path):
    # a copy of the native build in a fresh cache, damaged; "compiling" copies the pristine
    # project (the real compile is the one of the fixture), so the test costs no compile
    monkeypatch.setenv(target.ENV, "native")
    root = tmp_path / "cache"
    d = _copy_cache(native_build, root)
    monkeypatch.setenv("BRIANMODELS_CACHE", str(root))
    expected = damage(d)
    compiled = []

    def fake_compile(spec, project, ident):  # fills the (temporary) build folder
        compiled.append(spec)
        shutil.copytree(native_build.directory, project, symlinks=True, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("conn"))

    monkeypatch.setattr(build, "_compile", fake_compile)
    with pytest.warns(RuntimeWarning, match=expected) as rec:
        res, _ = _run(monkeypatch, "native")
    (msg,) = [str(w.message) for w in rec if str(w.message).startswith("brianmodels:")]
    assert str(d) in msg and "rebuilding" in msg
    assert len(compiled) == 1 and res.params["compiled"] is True
    pd.testing.assert_frame_equal(res.spikes, native_run[0].spikes, check_exact=True)
    # repaired: the next call uses it as it is
    res2, _ = _run(monkeypatch, "native")
    assert res2.params["compiled"] is False and len(compiled) == 1
    assert not [p for p in root.iterdir() if ".tmp." in p.name or ".old." in p.name]


@pytest.mark.standalone
@pytest.mark.parametrize("how", ["altered", "truncated", "unlisted", "manifest"])
def test_damaged_connectivity_is_reported_and_rewritten(how, native_build, native_run,
                                                        monkeypatch, tmp_path):
    monkeypatch.setenv(target.ENV, "native")
    root = tmp_path / "cache"
    d = _copy_cache(native_build, root)
    monkeypatch.setenv("BRIANMODELS_CACHE", str(root))
    (conn,) = [p for p in (d / "conn").iterdir() if p.is_dir()]
    data = conn / "bm_synapses.bin"
    if how == "altered":
        raw = bytearray(data.read_bytes())
        raw[-8] ^= 0x01
        data.write_bytes(bytes(raw))
        expected = "bm_synapses.bin does not match"
    elif how == "truncated":
        data.write_bytes(data.read_bytes()[:-100])
        expected = "bm_synapses.bin has"
    elif how == "unlisted":
        (conn / "extra.bin").write_bytes(b"x")
        expected = "extra.bin not listed"
    else:
        (conn / "manifest.json").unlink()
        expected = "manifest.json is missing"
    with pytest.warns(RuntimeWarning, match=expected):
        res, _ = _run(monkeypatch, "native")
    assert res.params["compiled"] is False
    pd.testing.assert_frame_equal(res.spikes, native_run[0].spikes, check_exact=True)
    assert sorted(p.name for p in conn.iterdir()) == sorted(
        p.name for p in (native_build.directory / "conn" / conn.name).iterdir())


# ------------------------------------------------------------------------------ leftovers
def _dead_pid():
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


@pytest.mark.standalone
def test_stale_temporary_folders_are_removed_on_the_next_start(monkeypatch, tmp_path):
    root = tmp_path / "cache"
    host = atomic.owner_tag().rsplit(".", 1)[0]
    dead = _dead_pid()
    stale_old = root / ("a" * 24 + ".tmp.x1y2")                        # older versions' name
    stale = root / f".{'b' * 24}.tmp.otherhost.{os.getpid()}.q"        # another host, no lock
    busy = root / f".{'c' * 24}.tmp.{host}.{os.getpid()}.r"            # its key is being built
    dead_removal = root / f".{'d' * 24}.old.{host}.{dead}.s"           # interrupted removal
    for p in (stale_old, stale, busy, dead_removal):
        (p / "project").mkdir(parents=True)
    (root / ("a" * 24)).mkdir()                                         # a build: kept
    with cache.locked(root / f"{'c' * 24}.lock"):                      # as a builder holds it
        removed = build.clean_cache(root)
    assert sorted(removed) == sorted([stale_old, stale, dead_removal])
    assert busy.exists() and (root / ("a" * 24)).exists()
    # connectivity and run folders of dead processes (named by host and pid), via the first
    # use in a process; a live process's ones are kept
    work = tmp_path / "work"
    for d in (work / f".bmrun.tmp.{host}.{dead}.a", work / f".bmrun.tmp.{host}.{os.getpid()}.b"):
        d.mkdir(parents=True)
    monkeypatch.setattr(cache, "_CLEANED", set())
    fake = _fake_build(tmp_path / "fake", "exit 0\n")
    assert build.run_binary(fake, {}, {}, workdir=work)["wall_seconds"] >= 0
    assert sorted(p.name for p in work.iterdir()) == [f".bmrun.tmp.{host}.{os.getpid()}.b"]


# ------------------------------------------------------------------------------ signals
@pytest.mark.standalone
@pytest.mark.parametrize("sig", ["ILL", "SEGV", "KILL"])
def test_binary_killed_by_a_signal_says_what_to_do(sig, tmp_path):
    fake = _fake_build(tmp_path / "0123abcd", f"kill -{sig} $$\n", built_for="x86-64-v3")
    with pytest.raises(RuntimeError) as err:
        build.run_binary(fake, {}, {}, workdir=tmp_path)
    msg = str(err.value)
    assert f"died with SIG{sig}" in msg and str(fake.directory / "main") in msg
    assert "build 0123abcd" in msg
    assert "BRIANMODELS_TARGET='x86-64-v3' (-march=x86-64-v3: AVX2, FMA, AVX" in msg  # built for
    assert f"-march={target.identity('native')['march']}" in msg                    # this machine
    if sig == "ILL":
        assert "BRIANMODELS_TARGET=x86-64-v3" in msg and f"delete {fake.directory}" in msg
    elif sig == "SEGV":
        assert f"delete {fake.directory}" in msg
    else:
        assert "out-of-memory" in msg
    assert not [p for p in tmp_path.iterdir() if "bmrun" in p.name]


# ------------------------------------------------------------------------------ orphans
@pytest.mark.standalone
def test_binary_started_from_a_pool_thread_runs_to_its_end(tmp_path):
    # PR_SET_PDEATHSIG fires when the *thread* that started the binary ends; sweeps start them
    # from a thread pool whose threads wait for their binaries, and pools end their threads
    # only after the work: a binary of 0.3 s in a pool of short-lived threads finishes
    import concurrent.futures as cf

    out = tmp_path / "done"
    fake = _fake_build(tmp_path / "fake", f"sleep 0.3\necho ok >> {out}\n")
    with cf.ThreadPoolExecutor(max_workers=2) as ex:
        list(ex.map(lambda _: build.run_binary(fake, {}, {}, workdir=tmp_path), range(4)))
    assert out.read_text() == "ok\n" * 4


def _children(pid):
    """Pids of the children of ``pid`` (by the parent pid in ``/proc/*/stat``)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _gone(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")  # a zombie no one has reaped yet is dead too


@pytest.mark.standalone
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_binaries_die_with_their_driver_and_leave_no_run_folder(native_build, monkeypatch,
                                                                tmp_path):
    # a driver process runs a long simulation (1000 s of the network: minutes) on the cached
    # native build; it is SIGKILLed while the binary runs
    work = tmp_path / "tmp"
    work.mkdir()
    env = {**os.environ, "TMPDIR": str(work), target.ENV: "native",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parent),
                                                       os.environ.get("PYTHONPATH")]))}
    code = textwrap.dedent("""
        import test_lif_build_portability as t
        from brianmodels import simulate
        simulate(t.NET, **{**t.KW, "duration": 1000.0})
    """)
    driver = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=tmp_path)
    try:
        main = os.path.realpath(native_build.directory / "main")
        deadline, binary = time.time() + 120, None
        while binary is None and time.time() < deadline and driver.poll() is None:
            for c in _children(driver.pid):
                try:
                    if os.readlink(f"/proc/{c}/exe") == main:
                        binary = c
                except OSError:
                    pass
            time.sleep(0.05)
        assert binary is not None, "the driver never started the simulation binary"
        assert [p.name for p in work.iterdir() if p.name.startswith(".bmrun.tmp.")]
        driver.send_signal(signal.SIGKILL)
        driver.wait()
        deadline = time.time() + 5
        while not _gone(binary) and time.time() < deadline:
            time.sleep(0.05)
        assert _gone(binary), "the simulation binary outlived its driver"
    finally:
        if driver.poll() is None:
            driver.kill()
    assert [p for p in work.iterdir() if p.name.startswith(".bmrun.tmp.")]  # left by the dead one
    # the next start (a run in this process, same temporary folder) removes it
    monkeypatch.setattr(cache, "_CLEANED", set())
    fake = _fake_build(tmp_path / "fake", "exit 0\n")
    build.run_binary(fake, {}, {}, workdir=work)
    assert not [p for p in work.iterdir() if "bmrun" in p.name]
