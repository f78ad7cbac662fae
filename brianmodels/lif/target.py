"""The C++ compiler, its flags and the CPU target of the generated code (one place for all three).

Every C++ file this package compiles (the Brian2 standalone builds of :mod:`brianmodels.lif.build`
and the random-number harness of :mod:`brianmodels.lif.fastrng`) is compiled by :func:`compiler`
with :func:`compile_flags`. The flags select a CPU target:

``BRIANMODELS_TARGET`` (environment variable)
    ``native`` (default): ``-march=native``, the fastest code for *this* CPU (AVX-512 where it has
    it). Any other ``-march`` value of the compiler, e.g. ``x86-64-v3`` (AVX2 + FMA: every x86
    server since ~2015, AMD Zen included), ``x86-64-v2`` (SSE4.2), ``x86-64`` (SSE2 only), or
    ``haswell``, ``znver3``, ...; optionally followed by further ``-m`` options, separated by
    spaces, e.g. ``"native -mno-avx512f"``. Use ``x86-64-v3`` for a build cache shared by
    machines of different CPU kinds (a cluster home directory, Dask workers on a network file
    system): one build then runs on all of them.

The value is checked before anything is compiled (a value the compiler refuses is a
``ValueError`` naming ``BRIANMODELS_TARGET``). :func:`identity` describes what the flags resolve
to on this machine — the compiler's resolved path and ``--version``, the ``-march`` that
``native`` stands for, the instruction-set extensions enabled — and its ``digest`` is part of the
build-cache key, so a cache shared between machines never runs a binary built for another CPU:
another CPU kind (another ``-march=native``), another compiler or another target is another
build. It costs a few compiler calls once per process.

Numerics: the flags are Brian2's defaults (``-O3 -ffast-math -fno-finite-math-only``) plus
``-ffp-contract=off`` and ``-fno-associative-math``: no fused multiply-adds and no reordered sums
(both depend on the target's instruction set and tuning). Each floating-point operation is then
rounded as written on every target, so builds for different targets on one machine give
bit-identical spikes, voltages and inputs (``tests/portability/test_lif_build_portability.py``: native,
no AVX-512, x86-64-v3, x86-64); ``bm_rng.h``'s AVX-512 and portable paths draw the same numbers.
(With Brian2's flags alone, GCC fuses ``v*decay + mu_dt`` into an FMA where the target has one:
the voltages of an x86-64 and a native build then differ in their last bits.) Across machines,
results can still differ in the last bits where the C library's ``exp``/``log`` (used by rare
ziggurat rejections) differ.
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import warnings

#: Environment variable selecting the CPU target (see the module docstring).
ENV = "BRIANMODELS_TARGET"
#: Target when :data:`ENV` is unset or empty.
DEFAULT = "native"
#: Flags besides the target: Brian2's defaults (``-w -O3 -ffast-math -fno-finite-math-only
#: -std=c++11``) and no target-dependent contraction or reassociation (bit-identity, see above).
BASE_FLAGS = ("-w", "-O3", "-ffast-math", "-fno-finite-math-only", "-ffp-contract=off",
              "-fno-associative-math", "-std=c++11")
#: Target value that reproduces a machine without AVX-512 on this one (tests, fastrng).
NO_AVX512 = "native -mno-avx512f"

_MARCH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
_MOPT = re.compile(r"^-m[A-Za-z0-9][A-Za-z0-9_.,+=-]*$")
_SHOWN = ("AVX512F", "AVX2", "FMA", "AVX", "SSE4_2")  # the extensions a message names
_FEATURE = re.compile(r"^#define __([A-Z][A-Z0-9_]*)__ 1$")


def target_name(value: str | None = None) -> str:
    """The target in normal form (``'native'``, ``'x86-64-v3'``, ``'native -mno-avx512f'``).

    Parameters
    ----------
    value : str, optional
        A target; default: ``$BRIANMODELS_TARGET`` or ``'native'``.

    Returns
    -------
    str
        Tokens joined by single spaces. Raises ``ValueError`` (naming ``BRIANMODELS_TARGET``)
        if it is not a ``-march`` value followed by ``-m`` options; whether the compiler accepts
        it is checked by :func:`identity`.

    Examples
    --------
    >>> from brianmodels.lif import target
    >>> target.target_name("  x86-64-v3 "), target.target_name("")   # empty: the default
    ('x86-64-v3', 'native')
    """
    raw = os.environ.get(ENV, "") if value is None else value
    if not isinstance(raw, str):
        raise TypeError(f"{ENV} must be a string; got {type(raw).__name__}")
    tokens = raw.split() or [DEFAULT]
    if not _MARCH.match(tokens[0]) or not all(_MOPT.match(t) for t in tokens[1:]):
        raise ValueError(f"{ENV}={raw!r} is not a target: expected a -march value of the compiler "
                         "('native', 'x86-64-v3', 'x86-64-v2', 'x86-64', 'znver3', ...), "
                         "optionally followed by -m options (e.g. 'native -mno-avx512f')")
    return " ".join(tokens)


def arch_flags(value: str | None = None) -> list[str]:
    """Compiler options of a target: ``['-march=<first token>', <-m options>...]``."""
    tokens = target_name(value).split()
    return [f"-march={tokens[0]}", *tokens[1:]]


def compile_flags(value: str | None = None) -> list[str]:
    """Every option the generated C++ is compiled with: :data:`BASE_FLAGS` and the target's."""
    return [*BASE_FLAGS, *arch_flags(value)]


def compiler() -> list[str]:
    """The C++ compiler command: ``$CXX`` (as ``make`` uses it for the Brian2 builds) or ``g++``."""
    cmd = shlex.split(os.environ.get("CXX") or "g++")
    return cmd or ["g++"]


def _no_compiler(name) -> str:
    return (f"C++ compiler {name!r} not found: the standalone builds need one (install g++, or "
            "set CXX to a compiler)")


def set_brian2_flags(prefs, value: str | None = None) -> None:
    """Make Brian2 compile with :func:`compile_flags` (and nothing else): ``prefs`` is
    ``brian2.prefs``. Every Brian2 build of the package (LIF and rate networks) calls this."""
    prefs.codegen.cpp.extra_compile_args = None
    prefs.codegen.cpp.extra_compile_args_gcc = compile_flags(value)


def _run(cmd, what):
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=120)
    except FileNotFoundError:
        raise RuntimeError(_no_compiler(cmd[0])) from None
    if proc.returncode:
        raise RuntimeError(f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n"
                           f"{proc.stderr[-2000:]}")
    return proc.stdout


@functools.lru_cache(maxsize=None)
def _identity(cxx: tuple, target: str) -> dict:
    flags = compile_flags(target)
    path = shutil.which(cxx[0])
    if path is None:
        raise RuntimeError(_no_compiler(cxx[0]))
    path = os.path.realpath(path)
    version = _run([*cxx, "--version"], "asking the C++ compiler its version")
    base = _run([*cxx, *BASE_FLAGS, "-E", "-dM", "-x", "c++", os.devnull],
                "listing the compiler's macros")
    try:
        macros = _run([*cxx, *flags, "-E", "-dM", "-x", "c++", os.devnull],
                      "listing the compiler's macros")
    except RuntimeError as e:
        raise ValueError(f"{ENV}={target!r}: the compiler {path} refuses "
                         f"{' '.join(arch_flags(target))}"
                         f" ({e}); use 'native', 'x86-64-v3', 'x86-64-v2', 'x86-64' or another "
                         "-march value it lists") from None
    march = target.split()[0]
    try:  # what -march=native stands for (GCC; other compilers keep the name given)
        help_ = _run([*cxx, *flags, "-Q", "--help=target"], "asking the compiler's target")
        m = re.search(r"^\s*-march=\s+(\S+)\s*$", help_, re.M)
        march = m.group(1) if m else march
    except RuntimeError:
        pass

    def features(text):
        return {m.group(1) for line in text.splitlines() if (m := _FEATURE.match(line.strip()))}

    feats = features(macros)
    digest = hashlib.sha256("\0".join([path, version, " ".join(flags), macros]).encode())
    return {"target": target, "flags": flags, "compiler": path,
            "compiler_version": version.splitlines()[0] if version else "",
            "march": march, "features": sorted(feats - features(base)),
            "all_features": sorted(feats), "digest": digest.hexdigest()}


def identity(value: str | None = None) -> dict:
    """What the target's flags mean for this compiler on this CPU (computed once per process).

    Parameters
    ----------
    value : str, optional
        A target (default ``$BRIANMODELS_TARGET`` or ``'native'``).

    Returns
    -------
    dict
        ``target`` (normal form), ``flags`` (:func:`compile_flags`), ``compiler`` (resolved
        path), ``compiler_version`` (first line of ``--version``), ``march`` (the resolved
        ``-march``: e.g. ``'znver3'`` for ``native`` on a Zen 3 CPU), ``features`` (the
        instruction-set extensions enabled beyond the compiler's default target, e.g.
        ``['AVX', 'AVX2', 'FMA', ...]``), ``all_features`` and ``digest`` (SHA-256 of the
        compiler's path, ``--version``, the flags and every macro the flags predefine: part of
        the build-cache key). A target the compiler refuses is a ``ValueError`` naming
        ``BRIANMODELS_TARGET``; a missing compiler a ``RuntimeError``.
    """
    return _identity(tuple(compiler()), target_name(value))


def missing_here(ident: dict) -> list[str]:
    """Instruction-set extensions a target enables that this machine's CPU lacks.

    Compares ``ident['all_features']`` with those of ``-march=native``; a non-empty list means
    a binary built for ``ident`` may die with an illegal instruction here.
    """
    return sorted(set(ident.get("all_features", [])) - set(identity(DEFAULT)["all_features"]))


def warn_if_foreign(ident: dict, what: str = "the build"):
    """Warn (before compiling) when ``ident`` enables extensions this CPU lacks."""
    missing = missing_here(ident)
    if missing:
        warnings.warn(f"{ENV}={ident['target']!r}: {what} uses {', '.join(missing)}, which this "
                      "CPU lacks; its binary will die with an illegal instruction here (set "
                      f"{ENV}=native or x86-64-v3)", RuntimeWarning, stacklevel=3)


def describe(ident: dict) -> str:
    """One line: target, resolved -march, compiler (for messages)."""
    feats = set(ident.get("features") or [])
    shown = ", ".join(f for f in _SHOWN if f in feats) or "no extension beyond the default"
    return (f"{ENV}={ident.get('target')!r} (-march={ident.get('march')}: {shown}; "
            f"{ident.get('compiler_version') or ident.get('compiler')})")
