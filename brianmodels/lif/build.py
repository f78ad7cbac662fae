"""Standalone builds: generate and compile the network once, cache it on disk, run it many times.

A build is determined by the *structure* of the model (:func:`model_spec`): sizes, in-degrees,
synapse kinds, which pathways have delays, refractoriness, dt, input mode (and the bucketed
length of a time-dependent input table), what is recorded, plus a fingerprint of the code that
generates it (this package's equation and RNG sources, the Brian2 version, compiler flags). Its
key is the SHA-256 of that description, so the key is known *before* Brian2 is imported: a
cache hit never touches Brian2.

Everything else — weights (per pathway, or per synapse), time constants, thresholds, noise,
inputs, seeds, initial voltages, the connectivity itself and the per-connection delays (same
counts for every seed, because the in-degree is fixed) — is given to the compiled binary at run time: per-neuron variables through
Brian2's ``run_args`` command-line format, and connectivity as a file per connectivity seed
(cached next to the build): by default the recurrent pathways are compressed rows read and
propagated by ``bm_syn.h`` (:mod:`brianmodels.lif.engine`: 4 bytes per synapse, no Brian2
``Synapses``), and Brian2 ``Synapses`` (Poisson inputs, or ``synapses='brian2'``) get their
static arrays replaced in a per-run ``static_arrays`` folder. A new value never recompiles.

The simulated duration is a run-time value too. The binary is compiled as one
``run(CAPACITY_STEPS * dt)`` and stops early: the once-per-step neuron update calls
``bm_stop_after(t_in_timesteps, n_steps)`` (:func:`stop_function`), which sets Brian2's
``Network::_globally_stopped`` after integer step ``n_steps - 1``, so exactly ``n_steps`` steps
run (``n_steps`` is set through ``run_args``). Every step that runs is the same as in a build
compiled for that duration, so a shorter run's spikes are the first part of a longer one's.
Monitors grow as they record (nothing is preallocated for a duration). The one array whose
length Brian2 compiles in (it does not accept a TimedArray of another length through
``run_args``), the TimedArray of time-dependent inputs, is bucketed: its row count is one of
2**16, 2**18, ... (:func:`input_table_rows`), and the unused tail holds the last value.

Cache layout (``BRIANMODELS_CACHE``, default ``~/.cache/brianmodels``)::

    <key>/main, <key>/static_arrays/, <key>/manifest.json   a finished build
    <key>/conn/<hash>/                                       connectivity for one seed
                                                             (bm_synapses.bin, static arrays,
                                                             desc.json, manifest.json)
    <key>.lock, <key>/conn/<hash>.lock                       held while building / writing

Concurrent builders of the same key serialise on the lock file (``fcntl.flock``); the build
is generated in a temporary folder and renamed into place, so a reader never sees half a build.
Brian2 code generation runs in a child process (Brian2's standalone device can build only once
per process), which also keeps the caller free of Brian2 state.

Portability and integrity:

* The key covers the compiler (resolved path, ``--version``) and the CPU target its flags
  resolve to here (:func:`brianmodels.lif.target.identity`: what ``-march=native`` means on this
  CPU, the instruction sets enabled), so a cache shared by machines of different CPU kinds holds
  one build per kind and never runs a binary built for another CPU. ``BRIANMODELS_TARGET``
  (:mod:`brianmodels.lif.target`) selects a portable target instead, e.g. ``x86-64-v3``: one
  build for every AVX2 machine sharing the cache.
* A binary that dies by a signal (an illegal instruction, a segmentation fault, ...) raises a
  ``RuntimeError`` naming the build folder, the signal, the target it was built for and this
  machine's, and what to do.
* The manifest records the size and SHA-256 of ``main`` and of every static array, a
  connectivity folder those of its files; both are checked when first used in a process
  (sizes on every use). A corrupt, truncated or unreadable build or connectivity folder is
  reported (a warning naming the file), removed and rebuilt under its lock.
* Leftovers of interrupted work are removed on the next start (the first build or run of a
  process): temporary build folders whose key lock nobody holds, connectivity and run folders of
  dead processes on this host (their names carry host and pid).
* A simulation binary dies with the Python process that started it (Linux:
  ``PR_SET_PDEATHSIG``; even a SIGKILLed driver leaves no running binary), and the run folder
  it leaves is removed by the next start.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import engine, equations, fastrng, target
from .cache import cache_root, locked, once
from .. import atomic
from ..network import POPULATIONS, pathway_name

#: Bump to invalidate every cached build when the generated model changes meaning.
BUILD_FORMAT = 3
#: Most time steps one run may have: the step count ``n_steps`` is a Brian2 ``integer`` (int32).
MAX_STEPS = 2**31 - 1
#: Steps of the compiled ``run()`` (one more than :data:`MAX_STEPS`, so the clock never ends a
#: run before ``bm_stop_after`` does).
CAPACITY_STEPS = MAX_STEPS + 1
#: Rows of the smallest time-dependent input table (65.5 s at the default 1 ms spacing; 1 MB
#: of values per run): every shorter protocol shares this one build.
MIN_INPUT_ROWS = 2**16
#: Growth factor between input-table buckets: 2**16, 2**18, 2**20 rows cover runs up to 65 s,
#: 262 s, 1049 s at 1 ms (a run pays at most 4x its own table in padding).
INPUT_ROWS_FACTOR = 4
#: Start of the progress lines the binary writes to stderr: ``bm_progress <steps done> <n_steps>``.
PROGRESS_PREFIX = "bm_progress "
#: A run reports its progress about this many times (every ``n_steps // PROGRESS_LINES`` steps) ...
PROGRESS_LINES = 1000
#: ... but at most once every this many steps (short runs write a few lines only).
PROGRESS_MIN_STEPS = 1000
#: Seconds (wall clock) before a run's progress bar appears: shorter runs print nothing.
PROGRESS_DELAY = 1.5


def _brian2_version():
    try:
        from importlib.metadata import version

        return version("brian2")
    except Exception:  # pragma: no cover
        return "unknown"


def code_fingerprint() -> str:
    """Hash of the code that generates a build: this package's C++ and code-generating sources,
    the Brian2 and Python versions. Independent of the compiler and CPU target (builds for every
    target give bit-identical spikes, ``tests/portability/test_lif_build_portability.py``), so it keys what a
    build *computes*: :func:`model_key`, the key of stored sweep points."""
    import inspect

    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in ("equations.py", "bm_rng.h", "bm_syn.h", "engine.py"):  # engine: file format
        h.update((here / name).read_bytes())
    for f in (_generate, _only_write, synapse_objects, _connect_arrays, fastrng.brian2_functions,
              stop_function, _propagate_function):
        h.update(inspect.getsource(f).encode())  # the code that generates the project
    h.update(f"{BUILD_FORMAT}|{_brian2_version()}|{sys.version_info[:2]}".encode())
    h.update(f"{PROGRESS_PREFIX}|{PROGRESS_LINES}|{PROGRESS_MIN_STEPS}".encode())  # in the C++
    return h.hexdigest()


def fingerprint() -> str:
    """Hash of everything besides the model spec that shapes the generated code or its binary:
    :func:`code_fingerprint` and the compiler and CPU target
    (:func:`brianmodels.lif.target.identity`; a ``ValueError`` for a ``BRIANMODELS_TARGET`` the
    compiler refuses)."""
    h = hashlib.sha256(code_fingerprint().encode())
    h.update(target.identity()["digest"].encode())
    return h.hexdigest()


def input_table_rows(n_samples: int) -> int:
    """Rows compiled into the time-dependent input table for ``n_samples`` needed samples.

    The smallest ``MIN_INPUT_ROWS * INPUT_ROWS_FACTOR**k`` (k >= 0) holding ``n_samples``: all
    durations up to that many input samples share one build (e.g. every run up to 65.5 s at
    1 ms), and a run fills the rows it does not reach with its last value.

    Parameters
    ----------
    n_samples : int
        Samples the run needs (>= 1).

    Returns
    -------
    int

    Examples
    --------
    >>> input_table_rows(1000), input_table_rows(70_000)   # 65.5 s, 262 s at 1 ms
    (65536, 262144)
    """
    n = int(n_samples)
    if n < 1:
        raise ValueError(f"n_samples must be >= 1; got {n_samples!r}")
    rows = MIN_INPUT_ROWS
    while rows < n:
        rows *= INPUT_ROWS_FACTOR
    return rows


def model_spec(net, *, dt, duration=None, timed_input_samples=0, input_dt=None,
               rate_bin=1e-3, record_spikes=(0, 0), record_currents=(0, 0), poisson=None,
               synapses="compressed"):
    """The structural description of a build (a JSON-able dict; values already validated).

    Parameters
    ----------
    net : LIFNetwork
    dt : float
        Time step (s).
    duration : float, optional
        Simulated time (s). Not part of the build (a run-time value, as is the warm-up); when
        given, it is only checked to fit into :data:`MAX_STEPS` steps.
    timed_input_samples : int
        0 for constant per-neuron drive, else the number of input-table samples the run
        needs; the build holds :func:`input_table_rows` of them (a bucket).
    input_dt : float or None
        Sample spacing of the input table (s).
    rate_bin : float
        Bin width of the population-rate trace (s).
    record_spikes, record_currents : (int, int)
        Numbers of E and I neurons whose spikes / cumulative recurrent inputs are recorded
        (the first ones of each population).
    poisson : dict or None
        ``{'N': [n_1, ...], 'K': [[K_E1, ...], [K_I1, ...]]}`` extra Poisson input populations.
    synapses : {'compressed', 'brian2'}
        How the recurrent synapses are stored and propagated: ``'compressed'`` (default;
        :mod:`brianmodels.lif.engine`, 4 bytes per synapse) or Brian2 ``Synapses`` objects
        (~42 bytes per synapse; the reference the compressed engine is tested against).
    """
    if synapses not in ("compressed", "brian2"):
        raise ValueError(f"synapses must be 'compressed' or 'brian2'; got {synapses!r}")
    if duration is not None and not 0 < round(float(duration) / float(dt)) <= MAX_STEPS:
        raise ValueError(f"duration/dt must be between 1 and {MAX_STEPS} steps; "
                         f"got {float(duration) / float(dt):.6g}")
    n_in = int(timed_input_samples)
    return {
        "N": [int(n) for n in net.N],
        "K": net.K.tolist(),
        "synapse": net.synapse.tolist(),
        "has_delay": (net.delay_max > 0).tolist(),
        "refractory": bool(np.any(net.t_ref > 0)),
        "dt": float(dt),
        "timed_input_rows": input_table_rows(n_in) if n_in > 0 else 0,
        "input_dt": None if input_dt is None else float(input_dt),
        "rate_bin": float(rate_bin),
        "record_spikes": [int(n) for n in record_spikes],
        "record_currents": [int(n) for n in record_currents],
        "poisson": poisson,
        "synapses": synapses,
    }


def spec_key(spec: dict) -> str:
    """Cache key of a build: SHA-256 of the spec and the code :func:`fingerprint` (compiler and
    CPU target included: one binary per machine kind)."""
    text = json.dumps(spec, sort_keys=True) + fingerprint()
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def model_key(spec: dict) -> str:
    """Key of what a build computes: SHA-256 of the spec and :func:`code_fingerprint`, without
    the compiler and CPU target (every target gives the same spikes). Stored sweep points are
    keyed by it, so a store shared by machines of different CPU kinds is reused on each."""
    text = json.dumps(spec, sort_keys=True) + code_fingerprint()
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def exp_sources(spec):
    """Source populations with at least one exponential pathway (with K > 0)."""
    return [POPULATIONS[y] for y in range(2)
            if any(spec["synapse"][x][y] == "exp" and spec["K"][x][y] > 0 for x in range(2))]


def synapse_objects(spec) -> dict:
    """Synapses objects of a build: name -> {'source', 'targets', 'kind', 'delay'}.

    Pathways from one source population are merged into one object (fewer code objects to
    compile) when they share the synapse kind and neither has delays; targets are listed as
    population indices, and the object projects onto the whole neuron group.
    """
    out = {}
    for y, Y in enumerate(POPULATIONS):
        paths = [x for x in range(2) if spec["K"][x][y] > 0]
        kinds = {spec["synapse"][x][y] for x in paths}
        if len(paths) == 2 and len(kinds) == 1 and not any(spec["has_delay"][x][y] for x in paths):
            out[f"{Y}"] = {"source": Y, "targets": paths, "kind": kinds.pop(), "delay": False}
        else:
            for x in paths:
                out[pathway_name(x, y)] = {"source": Y, "targets": [x],
                                           "kind": spec["synapse"][x][y],
                                           "delay": bool(spec["has_delay"][x][y])}
    return out


def _fixed_indegree(*args, **kwargs):
    """``connectivity.fixed_indegree``, imported on first use (numba takes ~1 s to import, and
    a cache hit with stored connectivity needs neither)."""
    from .connectivity import fixed_indegree

    return fixed_indegree(*args, **kwargs)


def _connect_arrays(spec, info, seed):
    """(pre, post) of a Synapses object: pre in the source population, post in the group."""
    y = POPULATIONS.index(info["source"])
    pres, posts = [], []
    for x in info["targets"]:
        pre, post = engine.pathway_connections(spec["N"], spec["K"], seed, x, y)
        pres.append(pre)
        posts.append(post + (spec["N"][0] if x == 1 else 0))
    return np.concatenate(pres), np.concatenate(posts).astype(np.int32)


@dataclass(frozen=True)
class Build:
    """A compiled, cached standalone project.

    Attributes
    ----------
    directory : pathlib.Path
        The build folder (binary ``main``, ``static_arrays/``, ``manifest.json``).
    manifest : dict
        ``spec``, ``static_arrays`` (names), ``conn`` (pathway -> static array names of
        ``pre``, ``post``, ``delay``), ``results`` (output -> file name, dtype, columns),
        ``build_seconds``, ``target`` (:func:`brianmodels.lif.target.identity` of the build),
        ``files`` (``'main'``, ``'static_arrays/<name>'`` -> ``{'size', 'sha256'}``).
    cached : bool
        True if it was found in the cache (no build in this call).
    """

    directory: Path
    manifest: dict
    cached: bool

    @property
    def spec(self):
        return self.manifest["spec"]


#: Manifest keys a finished build has (anything else is a damaged or foreign manifest).
MANIFEST_KEYS = ("key", "spec", "static_arrays", "conn", "results", "target", "files")
_VERIFIED: dict = {}      # folder -> signature (stat of its files) of the version that checked out
_STATE_LOCK = threading.Lock()


def _stat_sig(path: Path):
    st = path.stat()
    return st.st_size, st.st_mtime_ns, st.st_ino


def _verify(folder: Path, key: str, *, exclusive: bool) -> dict:
    """The manifest of ``folder`` after :func:`brianmodels.atomic.check_manifest` (sizes and
    SHA-256 of its files, its content key); the hashes are computed once per process per version
    of the files (size, mtime, inode: checked on every call). Raises ``atomic.IntegrityError``."""
    try:
        man = json.loads((folder / atomic.MANIFEST).read_text())
        sig = (_stat_sig(folder / atomic.MANIFEST),
               tuple((n, _stat_sig(folder / n)) for n in sorted(man["files"])),
               tuple(sorted(os.listdir(folder))) if exclusive else ())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        sig = None  # check_manifest says what is wrong
    if sig is not None and _VERIFIED.get(str(folder)) == sig:
        return man
    man = atomic.check_manifest(folder, key=key, exclusive=exclusive)
    with _STATE_LOCK:
        _VERIFIED[str(folder)] = sig
    return man


def _load_build(final: Path, key: str):
    """``(manifest, None)`` for an intact finished build in ``final``, ``(None, None)`` if there
    is none, ``(None, problem)`` if there is a damaged one (``problem`` names the file)."""
    if not final.exists():
        return None, None
    try:
        man = _verify(final, key, exclusive=False)
    except atomic.IntegrityError as err:
        return None, f"{final}: {err}"
    missing = [k for k in MANIFEST_KEYS if k not in man]
    if missing:
        return None, f"{final / atomic.MANIFEST} lacks {', '.join(missing)} (damaged)"
    return man, None


def _build_files(project: Path) -> dict:
    """Size and SHA-256 of the files a run reads: ``main`` and every static array."""
    arrays = project / "static_arrays"
    names = ["main"] + sorted(f"static_arrays/{p.name}" for p in arrays.iterdir() if p.is_file())
    return {name: atomic.file_digest(project / name) for name in names}


def clean_cache(root: Path | None = None) -> list:
    """Remove what interrupted builds left in the cache ``root`` (default :func:`cache_root`).

    Temporary build folders (``.<key>.tmp.*``, and ``<key>.tmp.*`` of older versions) are
    removed only while holding their key's lock, i.e. when no process is building that key
    (on any host sharing the cache, as far as ``flock`` reaches); other leftovers of dead
    processes on this host (removed builds, :mod:`brianmodels.atomic` temporaries) by pid. Runs
    once per process by itself (the first :func:`get_build`).

    Returns
    -------
    list of pathlib.Path
        The removed entries.
    """
    root = cache_root() if root is None else Path(root)
    if not root.is_dir():
        return []
    removed = []
    pat = re.compile(r"^\.?(?P<key>[0-9a-f]{24})\.tmp\.")
    for entry in sorted(root.iterdir()):
        m = pat.match(entry.name)
        if m is None or not entry.is_dir():
            continue
        with locked(root / f"{m['key']}.lock", wait=False) as held:
            if held and entry.exists():
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    removed += atomic.clean_leftovers(root)
    return removed


def _discard(folder: Path, problem: str, what: str):
    """Warn that ``folder`` is damaged (naming the file) and remove it (atomically)."""
    warnings.warn(f"brianmodels: {problem}; removing {what} {folder} and rebuilding it",
                  RuntimeWarning, stacklevel=3)
    atomic.remove_path(folder)


def get_build(spec: dict, *, progress: bool = True) -> Build:
    """The compiled build of ``spec``: from the cache, or generated and compiled now.

    A damaged cached build (unreadable manifest, missing, truncated or altered ``main`` or
    static array) is reported with a ``RuntimeWarning`` naming the file and rebuilt.

    Parameters
    ----------
    spec : dict
        From :func:`model_spec`.
    progress : bool
        Print a line while compiling (a cold build takes 10-60 s).

    Returns
    -------
    Build
    """
    root = cache_root()
    ident = target.identity()  # a bad BRIANMODELS_TARGET fails here, before any work
    key = spec_key(spec)
    final = root / key
    once(root, clean_cache)
    man, problem = _load_build(final, key)
    if man is not None:
        return Build(final, man, True)
    with locked(root / f"{key}.lock"):
        for stale in root.glob(f"*{key}.tmp.*"):  # we hold the lock: nobody is filling them
            shutil.rmtree(stale, ignore_errors=True)
        man, problem = _load_build(final, key)  # someone else built (or repaired) it meanwhile
        if man is not None:
            return Build(final, man, True)
        if problem:
            _discard(final, problem, "the build")
        target.warn_if_foreign(ident, "the build")
        if progress:
            print(f"brianmodels: compiling standalone model {key} (cached afterwards) ...",
                  file=sys.stderr, flush=True)

        def fill(project):  # in a temporary sibling (.<key>.tmp.<host>.<pid>.*), renamed after
            t0 = time.perf_counter()
            _compile(spec, project.resolve(), ident)
            man = json.loads((project / "manifest.json").read_text())
            man["build_seconds"] = time.perf_counter() - t0
            _slim(project)
            man.update(key=key, target=ident, files=_build_files(project))
            (project / "manifest.json").write_text(json.dumps(man))

        # atomic: the build appears complete or not at all (we hold the key's lock: no other
        # writer, and a damaged folder was removed above)
        atomic.atomic_dir(final, fill, replace=False)
    return Build(final, json.loads((final / "manifest.json").read_text()), False)


def _compile(spec: dict, project: Path, ident: dict) -> None:
    """Generate and compile ``spec`` into the folder ``project`` in a child process."""
    spec_file = project / "spec.json"
    spec_file.write_text(json.dumps(spec))
    env = dict(os.environ)
    env[target.ENV] = ident["target"]  # the child compiles for the target of the key
    pkg_parent = str(Path(__file__).resolve().parents[2])  # so the child imports us
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [pkg_parent, env.get("PYTHONPATH")]))
    # cwd=project: "-m" puts the working folder first on sys.path, and a brianmodels/ folder
    # there (a checkout) must not shadow this package
    proc = subprocess.run([sys.executable, "-m", "brianmodels.lif.build", str(spec_file),
                           str(project)], capture_output=True, text=True, env=env, cwd=project)
    spec_file.unlink(missing_ok=True)
    if proc.returncode:
        raise RuntimeError(f"building the standalone model failed:\n{proc.stdout[-4000:]}"
                           f"\n{proc.stderr[-4000:]}")


def _slim(project: Path):
    """Drop object files and sources not needed to run (keeps the cache small)."""
    for sub in ("code_objects", "brianlib", "results"):
        shutil.rmtree(project / sub, ignore_errors=True)
    for f in project.glob("*.o"):
        f.unlink()


# ------------------------------------------------------------------------------ generation
def stop_function():
    """The Brian2 ``Function`` ``bm_stop_after(step, n_steps)`` (imports brian2).

    Called once per time step from the neuron update (a scalar statement, see
    :func:`brianmodels.lif.equations.update_code`) with the integer step index; it makes the
    compiled ``run()`` stop after ``n_steps`` steps. Integer steps, not float times, so the
    stop is exact.

    It also reports the run's progress on stderr: a line ``bm_progress <steps done> <n_steps>``
    (:data:`PROGRESS_PREFIX`) at the first step, then every :func:`progress_every` steps (about
    0.1% of a long run, at least :data:`PROGRESS_MIN_STEPS`), and after the last step, read by
    :func:`run_binary`. One integer comparison per step otherwise (no clock), so the binary is
    not slower; at most ~1000 short lines per run.

    Returns
    -------
    brian2.Function
        With a ``'cpp'`` implementation only (C++ standalone).
    """
    from brian2 import Function

    # ``Network`` is declared in every code object (objects.h includes network.h);
    # Network::run finishes the current step and leaves its loop once the flag is set.
    cpp = f"""
    static inline int _bm_stop_after(const int64_t step, const int64_t n_steps)
    {{
        // progress for the driver (run_binary): steps done so far, at most ~1000 lines a run
        static int64_t next_report = 0;
        if (__builtin_expect(step >= next_report, 0)) {{
            const int64_t every = n_steps / {PROGRESS_LINES} > {PROGRESS_MIN_STEPS}
                                  ? n_steps / {PROGRESS_LINES} : {PROGRESS_MIN_STEPS};
            next_report = step + every;
            fprintf(stderr, "{PROGRESS_PREFIX}%lld %lld\\n", (long long)step, (long long)n_steps);
            fflush(stderr);
        }}
        if (step + 1 >= n_steps) {{  // step is 0-based: steps 0 .. n_steps - 1 run
            Network::_globally_stopped = true;
            fprintf(stderr, "{PROGRESS_PREFIX}%lld %lld\\n", (long long)n_steps, (long long)n_steps);
            fflush(stderr);
        }}
        return 0;
    }}
    """

    def _no_python(step, n_steps):  # pragma: no cover - standalone only
        raise NotImplementedError("bm_stop_after is only available in C++ standalone mode")

    # stateless=True lets Brian2 treat the call as a scalar (once per step, not per neuron)
    f = Function(_no_python, arg_units=[1, 1], arg_names=["step", "n_steps"],
                 arg_types=["integer", "integer"], return_unit=1, return_type="integer",
                 stateless=True, auto_vectorise=False)
    f.implementations.add_implementation("cpp", {"support_code": cpp},
                                         name="_bm_stop_after",
                                         compiler_kwds={"headers": ["<cstdio>"]})
    return f


def progress_every(n_steps: int) -> int:
    """Steps between two progress lines of a run of ``n_steps`` steps (:func:`stop_function`):
    ``max(n_steps // PROGRESS_LINES, PROGRESS_MIN_STEPS)``.

    Examples
    --------
    >>> progress_every(240_000), progress_every(12_000_000)   # 12 s and 10 min at dt = 0.05 ms
    (1000, 12000)
    """
    return max(int(n_steps) // PROGRESS_LINES, PROGRESS_MIN_STEPS)


def _generate(spec: dict, directory: str):  # runs in a child process
    import brian2 as b2

    b2.set_device("cpp_standalone", directory=directory, build_on_run=False)
    b2.prefs.devices.cpp_standalone.openmp_threads = 0
    # one place for the flags (and the CPU target, BRIANMODELS_TARGET): brianmodels.lif.target
    target.set_brian2_flags(b2.prefs)
    b2.prefs.logging.file_log = False
    b2.defaultclock.dt = spec["dt"] * b2.second
    fns = fastrng.brian2_functions()
    NE, NI = spec["N"]
    N = NE + NI
    exps = exp_sources(spec)
    refr = spec["refractory"]
    timed = spec["timed_input_rows"] > 0
    namespace = dict(fns, bm_stop_after=stop_function())
    if timed:
        namespace["mu_table"] = b2.TimedArray(np.zeros((spec["timed_input_rows"], 2)),
                                              dt=spec["input_dt"] * b2.second, name="mu_table")
    G = b2.NeuronGroup(N, equations.neuron_model(exp_sources=exps, refractory=refr),
                       threshold=equations.THRESHOLD, reset=equations.reset_code(refractory=refr),
                       name="neurons", namespace=namespace)
    G.pop = np.r_[np.zeros(NE, int), np.ones(NI, int)]
    G.run_regularly(equations.update_code(exp_sources=exps, refractory=refr, timed_input=timed),
                    when="groups", name="neurons_update")
    objects = [G]
    sub = {"E": G[:NE], "I": G[NE:]}
    conn = {}
    if spec["synapses"] == "compressed":
        namespace["bm_propagate"] = _propagate_function(spec)
        G.run_regularly("syn_flag = bm_propagate(N, int(t/second >= t_warm))", when="synapses",
                        name="neurons_propagate")
    for name, info in (synapse_objects(spec) if spec["synapses"] == "brian2" else {}).items():
        Y = info["source"]
        S = b2.Synapses(sub[Y], G, on_pre=equations.on_pre(Y, info["kind"]), name=f"syn_{name}")
        pre, post = _connect_arrays(spec, info, seed=0)
        S.connect(i=pre, j=post)
        if info["delay"]:
            S.delay = np.full(pre.size, spec["dt"]) * b2.second
        objects.append(S)
        conn[name] = {"n": int(pre.size)}
    if spec["poisson"]:
        NP = spec["poisson"]["N"]
        PG = b2.NeuronGroup(sum(NP), equations.POISSON_MODEL, threshold=equations.POISSON_THRESHOLD,
                            name="poisson", namespace=dict(fns))
        objects.append(PG)
        off = np.cumsum([0] + list(NP))
        for k, nk in enumerate(NP):
            for x, X in enumerate(POPULATIONS):
                Kx = spec["poisson"]["K"][x][k]
                if Kx == 0:
                    continue
                name = f"syn_P{k}{X}"
                S = b2.Synapses(PG[off[k]:off[k + 1]], sub[X], on_pre=equations.poisson_on_pre(X),
                                name=name)
                pre, post = _fixed_indegree(spec["N"][x], nk, Kx, seed=0)
                S.connect(i=pre, j=post)
                objects.append(S)
                conn[f"P{k}{X}"] = {"n": int(pre.size)}
    # population spike counts per rate bin
    P = b2.NeuronGroup(2, equations.COUNTER_MODEL, name="popcount")
    Sc = b2.Synapses(G, P, on_pre=equations.COUNTER_ON_PRE, name="syn_count")
    Sc.connect(i=np.arange(N), j=np.r_[np.zeros(NE, int), np.ones(NI, int)])
    binw = spec["rate_bin"] * b2.second
    ratemon = b2.StateMonitor(P, "count", record=True, dt=binw, when="start", order=0,
                              name="ratemon")
    P.run_regularly("count = 0", dt=binw, when="start", order=1, name="popcount_reset")
    objects += [P, Sc, ratemon]
    monitors = []  # recorders of the whole run (warm-up is cut in Python)
    nsE, nsI = spec["record_spikes"]
    for X, n, g in (("E", nsE, G[:nsE] if nsE else None), ("I", nsI, G[NE:NE + nsI] if nsI else None)):
        if n:
            monitors.append(b2.SpikeMonitor(g, name=f"spikes_{X}"))
    ncE, ncI = spec["record_currents"]
    if ncE or ncI:
        idx = np.r_[np.arange(ncE), NE + np.arange(ncI)]
        monitors.append(b2.StateMonitor(G, ["sE", "sI"], record=idx, dt=binw, when="end",
                                        name="currmon"))
    objects += monitors
    net = b2.Network(*objects)
    # one run() only: a second run() would duplicate (and compile) every code object. Its
    # length is a capacity: bm_stop_after ends each run after its own n_steps (run_args).
    net.run(CAPACITY_STEPS * spec["dt"] * b2.second)
    b2.device.build(directory=directory, compile=False, run=False, with_output=False)

    dev = b2.device
    statics = sorted(dev.static_arrays)
    for name, info in conn.items():
        S = net[f"syn_{name}"]
        for part in ("pre", "post", "delay"):
            info[part] = None
        for sname in statics:
            if f"_{S.name}_" not in sname and not sname.endswith(f"_{S.name}"):
                continue
            if "sources" in sname:
                info["pre"] = sname
            elif "targets" in sname:
                info["post"] = sname
            elif "delay" in sname:
                info["delay"] = sname
        if info["pre"] is None or info["post"] is None:
            raise RuntimeError(f"cannot find the connectivity arrays of {S.name} in {statics}")

    def res(var, columns=None):
        return {"file": dev.get_array_filename(var), "dtype": np.dtype(var.dtype).str,
                "columns": columns}

    results = {f"neurons.{v}": res(G.variables[v]) for v in ("nspk", "sE", "sI", "v")}
    results["ratemon.count"] = res(ratemon.variables["count"], 2)
    results["ratemon.t"] = res(ratemon.variables["t"])
    for m in monitors:
        if m.name.startswith("spikes_"):
            results[f"{m.name}.i"] = res(m.variables["i"])
            results[f"{m.name}.t"] = res(m.variables["t"])
        else:
            n = ncE + ncI
            results["currmon.sE"] = res(m.variables["sE"], n)
            results["currmon.sI"] = res(m.variables["sI"], n)
            results["currmon.t"] = res(m.variables["t"])
    _only_write(Path(directory, "objects.cpp"), {r["file"] for r in results.values()})
    make = subprocess.run(["make", "-j", str(os.cpu_count() or 1)], cwd=directory,
                          capture_output=True, text=True)
    if make.returncode:
        raise RuntimeError(f"compilation failed:\n{make.stdout[-3000:]}\n{make.stderr[-3000:]}")
    manifest = {"spec": spec, "static_arrays": statics, "conn": conn, "results": results,
                "brian2": _brian2_version()}
    Path(directory, "manifest.json").write_text(json.dumps(manifest, indent=1))


def _propagate_function(spec):
    """Brian2 function ``bm_propagate(N, after_warm)``: one step of ``bm_syn.h`` on the group."""
    from brian2 import Function

    exps = exp_sources(spec)

    def arr(name, present=True):
        return f"brian::_array_neurons_{name}" if present else "0"

    glue = f"""
static inline double _bm_propagate(int64_t n, int64_t after_warm) {{
    if (__builtin_expect(!bm_syn::loaded, 0)) bm_syn::load("{engine.RUN_FILE}", (int32_t)n);
    bm_syn::Group g;
    g.n = (int32_t)n;
    g.spikes = brian::_array_neurons__spikespace;
    g.v = {arr("v")};
    g.xE = {arr("xE", "E" in exps)}; g.xI = {arr("xI", "I" in exps)};
    g.wE = {arr("wE")}; g.wI = {arr("wI")};
    g.aE = {arr("aE", "E" in exps)}; g.aI = {arr("aI", "I" in exps)};
    g.dsE = {arr("dsE", "E" in exps)}; g.dsI = {arr("dsI", "I" in exps)};
    g.sE = {arr("sE")}; g.sI = {arr("sI")};
    bm_syn::propagate(g, after_warm != 0);
    return 0.0;
}}"""

    def _no_python(*args):  # pragma: no cover - standalone only
        raise NotImplementedError("bm_propagate is only available in C++ standalone mode")

    f = Function(_no_python, arg_units=[1, 1], arg_names=["n", "after_warm"],
                 arg_types=["integer", "integer"], return_unit=1, return_type="float",
                 stateless=False, auto_vectorise=False)
    f.implementations.add_implementation(
        "cpp", {"support_code": glue}, name="_bm_propagate",
        compiler_kwds={"headers": [f'"{engine.HEADER.name}"'],
                       "include_dirs": [str(engine.HEADER.parent)]})
    return f


def _only_write(objects_cpp: Path, keep: set):
    """Make the generated ``_write_arrays()`` write only the outputs we read.

    Brian2 writes every array (synapse indices included: ~50 MB per run of the 4000-neuron
    network, more than the simulation's own cost for short runs). Each array's write is one
    block starting with ``ofstream outfile_...`` and naming ``results_dir + "<file>"``; blocks
    of array files (names starting with '_') not in ``keep`` are dropped.
    """
    text = objects_cpp.read_text()
    head, sep, rest = text.partition("void _write_arrays()")
    if not sep:
        raise RuntimeError("unexpected Brian2 objects.cpp: no _write_arrays()")
    pat = re.compile(r"(?m)^(?=    ofstream outfile_)")
    parts = pat.split(rest)
    kept = [parts[0]]
    for block in parts[1:]:
        m = re.search(r'results_dir \+ "([^"]+)"', block)
        if m and m.group(1).startswith("_") and m.group(1) not in keep:
            tail = block.rfind("\n}\n") if block.rstrip().endswith("}") and \
                block.count("{") < block.count("}") else -1
            if tail >= 0:  # last block carries the function's closing brace
                kept.append(block[tail:])
            continue
        kept.append(block)
    objects_cpp.write_text(head + sep + "".join(kept))


# ------------------------------------------------------------------------------ running
def _connectivity_folder(folder: Path, key: str, fill) -> Path:
    """The intact connectivity folder ``folder`` (content key ``key``), written now by
    ``fill(tmp)`` if missing, or if damaged (then with a warning naming the file).

    Writers of one folder serialise on ``<folder>.lock``; the content is filled in a temporary
    sibling (:func:`brianmodels.atomic.atomic_dir`) and signed with a manifest (sizes and
    SHA-256 of its files) before it is renamed into place. Temporary folders of dead writers in
    ``conn/`` are removed the first time a process meets the folder.
    """
    once(folder.parent, atomic.clean_leftovers)

    def problem():
        if not folder.exists():
            return None
        try:
            _verify(folder, key, exclusive=True)
            return ""
        except atomic.IntegrityError as err:
            return f"{folder}: {err}"

    if problem() == "":
        return folder
    with locked(folder.parent / f"{folder.name}.lock"):
        bad = problem()
        if bad == "":
            return folder
        if bad:
            _discard(folder, bad, "the connectivity folder")

        def fill_signed(tmp):
            fill(tmp)
            atomic.write_manifest(tmp, key=key)

        atomic.atomic_dir(folder, fill_signed, replace=False)
    return folder


def connectivity_files(build: Build, conn_seed: int, delays: dict, weights=None) -> dict:
    """Static-array files holding the connectivity of ``conn_seed`` (generated once, cached).

    Cached per (connectivity seed, delays, per-synapse weights): a new set of weights writes
    one new file (4-14 bytes per synapse) next to the build, never a new build.

    Parameters
    ----------
    build : Build
    conn_seed : int
        Connectivity seed (>= 0).
    delays : dict
        pathway ('EE', ...) -> (delay_min, delay_max) in s, for pathways with delays.
    weights : dict, optional
        pathway -> per-synapse weights (mV; validated by :func:`engine.check_weights`), for
        pathways with heterogeneous weights (compressed synapses only).

    Returns
    -------
    dict
        static array name -> path of the file to use instead of the build's, and for
        builds with compressed synapses ``engine.RUN_FILE`` -> the connectivity file.
    """
    spec = build.spec
    dt = spec["dt"]
    weights = weights or {}
    if weights and spec["synapses"] != "compressed":
        raise ValueError("per-synapse weights need synapses='compressed'")
    d = {"seed": int(conn_seed), "delays": {k: list(map(float, v))
                                            for k, v in sorted(delays.items())}}
    if weights:
        d["weights"] = engine.weights_digest(weights)
    desc = json.dumps(d)
    sub = hashlib.sha256(desc.encode()).hexdigest()[:16]
    folder = build.directory / "conn" / sub

    def fill(tmp):
        objs = synapse_objects(spec)
        if spec["synapses"] == "compressed":
            engine.write_connectivity(tmp / engine.RUN_FILE, spec["N"], spec["K"], spec["synapse"],
                                      delays, weights, conn_seed=conn_seed, dt=dt)
        for name, info in sorted(build.manifest["conn"].items()):
            if name.startswith("P"):
                kk, X = int(name[1:-1]), name[-1]
                x = POPULATIONS.index(X)
                pre, post = _fixed_indegree(spec["N"][x], spec["poisson"]["N"][kk],
                                            spec["poisson"]["K"][x][kk],
                                            engine.name_seed(conn_seed, name))
            else:
                pre, post = _connect_arrays(spec, objs[name], conn_seed)
            pre.tofile(tmp / info["pre"])
            post.tofile(tmp / info["post"])
            if info.get("delay"):
                steps = engine.delay_steps(conn_seed, name, pre.size, *delays[name], dt)
                (steps * dt).astype(np.float64).tofile(tmp / info["delay"])
        (tmp / "desc.json").write_text(desc)

    _connectivity_folder(folder, sub, fill)
    return {p.name: p for p in folder.iterdir()
            if p.name not in ("desc.json", atomic.MANIFEST) and not p.name.startswith(".")}


#: Run by a fresh interpreter between the fork and the binary (Linux): the binary gets SIGKILL
#: when the thread that started it ends (``prctl(PR_SET_PDEATHSIG)``, kept across ``execv``),
#: i.e. when the Python process dies, even by SIGKILL; a driver already gone before the
#: ``prctl`` (then the parent pid has changed) means exit at once. A separate interpreter
#: (~15 ms), not ``preexec_fn``, which is unsafe in threaded processes (sweeps run binaries
#: from a thread pool; the pool's threads wait for their binaries, so none ends before them).
_GUARD = ("import ctypes, os, sys\n"
          "ctypes.CDLL(None).prctl(1, 9, 0, 0, 0)\n"
          "if os.getppid() != int(sys.argv[1]):\n"
          "    os._exit(137)\n"
          "os.execv(sys.argv[2], sys.argv[2:])\n")


def _guarded(cmd: list) -> list:
    """``cmd`` started so that it dies with this process (Linux; elsewhere ``cmd`` itself)."""
    if not sys.platform.startswith("linux"):
        return cmd
    return [sys.executable, "-S", "-I", "-c", _GUARD, str(os.getpid()), *cmd]


def _died_message(build: Build, signum: int, proc) -> str:
    """What to say when the binary of ``build`` died by signal ``signum``."""
    try:
        name = signal.Signals(signum).name
    except ValueError:
        name = f"signal {signum}"
    what = signal.strsignal(signum) or name
    built = build.manifest.get("target") or {}
    try:
        here = target.describe(target.identity(target.DEFAULT))
        missing = target.missing_here(built) if built else []
    except (RuntimeError, ValueError):  # pragma: no cover - no compiler on this machine
        here, missing = "unknown (no C++ compiler to ask)", []
    msg = (f"the standalone binary {build.directory / 'main'} (build {build.directory.name}) died "
           f"with {name} ({what}). It was built for "
           f"{target.describe(built) if built else 'an unrecorded target'}; this machine's "
           f"native target is {here}.")
    if missing:
        msg += f" The build uses {', '.join(missing)}, which this CPU lacks."
    if signum == getattr(signal, "SIGILL", None) or missing:
        msg += (f" A build cache shared by machines of different CPU kinds causes this: delete "
                f"{build.directory} (it is rebuilt on the next call) and set "
                f"{target.ENV}=x86-64-v3 (AVX2 machines; x86-64 for any x86-64 CPU) on every "
                f"machine sharing the cache {build.directory.parent}.")
    elif signum == getattr(signal, "SIGKILL", None):
        msg += (" Something killed it: the out-of-memory killer (a network too large for this "
                "machine's memory?) or a user.")
    else:
        msg += (f" A damaged build or connectivity file can cause this: delete "
                f"{build.directory} (it is rebuilt on the next call); if it happens again, report "
                "it with this message.")
    tail = (proc.stderr or "")[-2000:].strip()
    return msg + (f"\nstderr:\n{tail}" if tail else "")


class _Progress:
    """A tqdm bar over a run's simulated seconds, fed with the binary's progress lines.

    Made on the first line (which gives ``n_steps``); tqdm's ``delay`` (:data:`PROGRESS_DELAY`)
    keeps runs shorter than that silent. ``label`` None: no bar (the lines are only parsed).
    """

    def __init__(self, label, dt=None):
        self.label, self.bar = label, None
        self.dt, self.unit = (1.0, "steps") if dt is None else (float(dt), "s simulated")

    def line(self, text) -> bool:
        """Feed one stderr line; False if it is not a progress line."""
        if not text.startswith(PROGRESS_PREFIX):
            return False
        try:
            done, total = (int(v) for v in text[len(PROGRESS_PREFIX):].split())
        except ValueError:
            return False
        if self.label is None:
            return True
        if self.bar is None:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total * self.dt, desc=self.label, delay=PROGRESS_DELAY,
                            bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.2f}/{total:.2f} "
                                       + self.unit + " [{elapsed}<{remaining}]")
        self.bar.update(done * self.dt - self.bar.n)
        return True

    def close(self):
        if self.bar is not None:
            self.bar.close()


def _communicate(cmd, cwd, progress: _Progress) -> subprocess.CompletedProcess:
    """Run ``cmd`` (as :func:`subprocess.run` with captured text output), handing each stderr
    line to ``progress`` while it runs; progress lines are left out of the captured stderr.

    stdout is drained by a thread (a full pipe would block the binary); stderr is read here,
    line by line. The binary is killed if reading is interrupted (e.g. KeyboardInterrupt).
    """
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, bufsize=1)
    chunks = []
    reader = threading.Thread(target=lambda: chunks.append(proc.stdout.read()), daemon=True)
    err = []
    try:
        reader.start()
        for text in proc.stderr:
            if not progress.line(text):
                err.append(text)
        proc.wait()
        reader.join()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        proc.stderr.close()
        reader.join(timeout=5)
        proc.stdout.close()
        progress.close()
    return subprocess.CompletedProcess(cmd, proc.returncode, "".join(chunks), "".join(err))


def run_binary(build: Build, run_args: dict, overrides: dict, *, workdir=None,
               keep=False, progress=None) -> dict:
    """Run the compiled binary once and read its outputs.

    The binary runs in a temporary folder (``.bmrun.tmp.<host>.<pid>.*`` in ``workdir``),
    removed afterwards; it dies with this process (Linux), and the folders that dead processes
    left are removed on the next start (the first run of a process in ``workdir``).

    While it runs, the binary reports its progress on stderr (:func:`stop_function`); with a
    ``progress`` label these lines drive a tqdm bar on stderr, in simulated seconds, that
    appears only for runs longer than :data:`PROGRESS_DELAY` s.

    Parameters
    ----------
    build : Build
    run_args : dict
        ``'group.variable'`` (or ``'mu_table.values'``) -> scalar or array; arrays are written
        to files and passed in Brian2's ``run_args`` command-line format.
    overrides : dict
        static array name -> file replacing the build's (e.g. from :func:`connectivity_files`).
    workdir : path, optional
        Parent of the temporary run folder (default: the system's temporary folder).
    keep : bool
        Keep the run folder (debugging; it is then named ``bmrun.keep.*`` and never removed).
    progress : str, optional
        Label of the progress bar (e.g. ``'simulate supersaturating'``); None (default, as in
        sweep workers): no bar.

    Returns
    -------
    dict
        Output name (see ``build.manifest['results']``) -> numpy array; ``'wall_seconds'``.

    Raises
    ------
    RuntimeError
        If the binary fails; if it dies by a signal (e.g. SIGILL: built for another CPU), the
        message names the build, the signal, its target and this machine's, and what to do.
    """
    parent = Path(workdir) if workdir is not None else Path(tempfile.gettempdir())
    once(parent, atomic.clean_leftovers)
    prefix = "bmrun.keep." if keep else f".bmrun.tmp.{atomic.owner_tag()}."
    run_dir = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        sa = run_dir / "static_arrays"
        sa.mkdir()
        for name in build.manifest["static_arrays"]:
            src = overrides.get(name, build.directory / "static_arrays" / name)
            os.symlink(src, sa / name)
        for name, src in overrides.items():  # files the binary opens in its folder
            if name not in build.manifest["static_arrays"]:
                os.symlink(src, run_dir / name)
        args = []
        for k, (name, value) in enumerate(run_args.items()):
            arr = np.asarray(value)
            if arr.size == 1 and arr.ndim <= 1:
                args.append(f"{name}={arr.reshape(-1)[0].item()!r}")  # plain 1.0, not np.float64(1.0)
            else:
                f = run_dir / f"arg{k}.dat"
                np.ascontiguousarray(arr).tofile(f)
                args.append(f"{name}={f}")
        results = run_dir / "results"
        results.mkdir()
        t0 = time.perf_counter()
        cmd = [str(build.directory / "main"), "--results_dir", f"{results}/"] + args
        proc = _communicate(_guarded(cmd), run_dir, _Progress(progress, (build.manifest.get("spec") or {}).get("dt")))
        wall = time.perf_counter() - t0
        if proc.returncode < 0:
            raise RuntimeError(_died_message(build, -proc.returncode, proc))
        if proc.returncode or "Error" in proc.stdout or "rror" in proc.stderr \
                or "Could not" in proc.stderr:
            raise RuntimeError(f"standalone run of {build.directory / 'main'} failed (exit "
                               f"{proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        out = {"wall_seconds": wall, "run_seconds": np.nan}
        info_file = results / "last_run_info.txt"  # Brian2: "<network run time> <fraction>"
        if info_file.exists():
            out["run_seconds"] = float(info_file.read_text().split()[0])
        for key, info in build.manifest["results"].items():
            f = results / info["file"]
            arr = np.fromfile(f, dtype=np.dtype(info["dtype"])) if f.exists() else \
                np.zeros(0, np.dtype(info["dtype"]))
            if info["columns"]:
                arr = arr.reshape(-1, info["columns"])
            out[key] = arr
        return out
    finally:
        if not keep:
            shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":  # child process: python -m brianmodels.lif.build SPEC DIR
    _generate(json.loads(Path(sys.argv[1]).read_text()), sys.argv[2])
