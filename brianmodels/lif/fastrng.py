"""Fast normal and uniform random numbers for the generated C++ code (``bm_rng.h``).

Brian2's default ``randn`` in C++ standalone costs ~19 ns per draw, ~80% of the state update of
a noisy LIF network. ``bm_rng.h`` implements xoshiro256++ (period 2^256 - 1) with a 128-layer
ziggurat (Doornik 2005): ~7 ns per scalar normal, ~1.2 ns per normal in per-step blocks. It is
exposed to Brian2 as user-defined functions with a C++ implementation:

* ``bm_randn(seed)`` — standard normal N(0, 1);
* ``bm_rand(seed)`` — uniform on (0, 1);
* ``bm_fill_normals(seed, n)`` — draws one time step's ``n`` standard normals at once (eight
  interleaved xoshiro256++ streams 2^192 apart in one SIMD register, ziggurat fast path with
  table gathers on AVX-512, a portable branch-free version elsewhere; the same numbers on
  both); the state update calls it once per step as a scalar statement;
* ``bm_normal()`` — neuron ``i``'s number of that block (Brian2 passes the loop index), a
  plain array read, so the per-neuron update loop vectorises.

``seed`` is an integer model variable (set per run through ``run_args``, so a new seed never
recompiles). The generator state lives per generated code object (translation unit); every
code object that draws must therefore pass its own seed (:func:`derive_seed` gives independent
seeds for different streams of one run). The state is (re)seeded from ``seed`` with splitmix64
on the first draw, so a run's numbers depend only on its seed.

:func:`sample` compiles a tiny harness against the same header to draw numbers from Python
(used by the tests of the generator's statistics), for any CPU target
(:mod:`brianmodels.lif.target`: the same numbers on every target).
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from pathlib import Path

import numpy as np

HEADER = Path(__file__).with_name("bm_rng.h")

#: Stream identifiers mixed into the run seed (one per code object that draws numbers).
STREAMS = {"noise": 0, "poisson": 1}

_MASK31 = (1 << 31) - 1


def header_source() -> str:
    """Text of ``bm_rng.h`` (part of the build-cache key)."""
    return HEADER.read_text()


def derive_seed(seed: int, stream: str) -> int:
    """Seed of one random stream of a run, a 31-bit integer (Brian2 integers are int32).

    Parameters
    ----------
    seed : int
        The run's seed (>= 0).
    stream : str
        One of :data:`STREAMS`.

    Returns
    -------
    int
        ``hash(seed, stream)`` in ``[0, 2**31)``; distinct streams get unrelated seeds, which
        splitmix64 then spreads over the 256-bit generator state.
    """
    if stream not in STREAMS:
        raise ValueError(f"stream must be one of {sorted(STREAMS)}; got {stream!r}")
    h = hashlib.blake2b(f"{int(seed)}:{STREAMS[stream]}".encode(), digest_size=8).digest()
    return int.from_bytes(h, "little") & _MASK31


def brian2_functions():
    """The Brian2 ``Function`` objects ``bm_randn``, ``bm_rand``, ``bm_fill_normals`` and
    ``bm_normal`` (imports brian2).

    Returns
    -------
    dict
        name -> ``brian2.Function`` with a ``'cpp'`` implementation only (C++ standalone).
    """
    from brian2 import Function

    support = header_source()
    out = {}
    for name, cname, args in (("bm_randn", "_bm_randn", ["seed"]),
                              ("bm_rand", "_bm_rand", ["seed"]),
                              ("bm_fill_normals", "_bm_fill_normals", ["seed", "n"])):
        def _no_python(*args, _name=name):  # pragma: no cover - standalone only
            raise NotImplementedError(f"{_name} is only available in C++ standalone mode")

        f = Function(_no_python, arg_units=[1] * len(args), arg_names=args,
                     arg_types=["integer"] * len(args), return_unit=1, return_type="float",
                     stateless=False, auto_vectorise=False)
        f.implementations.add_implementation("cpp", {"support_code": support}, name=cname)
        out[name] = f
    # bm_normal(): neuron _vectorisation_idx's number of the block bm_fill_normals drew this step
    f = Function(lambda _vectorisation_idx: None, arg_units=[], arg_names=[], return_unit=1,
                 return_type="float", stateless=False, auto_vectorise=True)
    f.implementations.add_implementation("cpp", {"support_code": support}, name="_bm_normal")
    out["bm_normal"] = f
    return out


_HARNESS = r"""
#include <cstdio>
#include <cstdlib>
#include "bm_rng.h"
int main(int argc, char** argv) {
    long long n = atoll(argv[1]); long long seed = atoll(argv[2]); int kind = atoi(argv[3]);
    FILE* f = fopen(argv[4], "wb");
    const int B = 4001 * 16; static double buf[4001 * 16];
    for (long long done = 0; done < n; ) {
        int m = (int)((n - done) < B ? (n - done) : B);
        for (int k = 0; k < m; k++) {
            if (kind == 2) {  // as the generated state update: fill once per step, then read
                if (k % 4001 == 0) _bm_fill_normals(seed, 4001);
                buf[k] = _bm_normal(k % 4001);
            } else {
                buf[k] = kind == 1 ? _bm_rand(seed) : _bm_randn(seed);
            }
        }
        fwrite(buf, sizeof(double), m, f); done += m;
    }
    fclose(f); return 0;
}
"""


def _harness_binary(target_value=None) -> Path:
    """The compiled harness for a CPU target (:mod:`brianmodels.lif.target`; default
    ``$BRIANMODELS_TARGET``), cached next to the builds under a key of its source, the header,
    the compiler and what the target resolves to on this machine."""
    from .. import atomic
    from . import target
    from .cache import cache_root

    ident = target.identity(target_value)
    key = hashlib.sha256((_HARNESS + header_source() + ident["digest"]).encode()).hexdigest()[:16]
    exe = cache_root() / f"rng_harness_{key}"
    if not exe.exists():
        def write(tmp):  # the source from stdin; the binary atomically in place
            subprocess.run([*target.compiler(), *ident["flags"], "-I", str(HEADER.parent),
                            "-x", "c++", "-", "-o", tmp], input=_HARNESS, text=True,
                           check=True, capture_output=True)
            os.chmod(tmp, 0o755)  # the temporary file was created 0600

        atomic.atomic_write(exe, write)
    return exe


def sample(n: int, seed: int = 0, kind: str = "normal", portable: bool = False,
           target: str | None = None) -> np.ndarray:
    """Draw ``n`` numbers from the C++ generator (compiles a small harness once, cached).

    Parameters
    ----------
    n : int
        Number of draws (>= 1).
    seed : int
        Generator seed (>= 0).
    kind : {'normal', 'uniform', 'normal_block'}
        Standard normal (one at a time), uniform on (0, 1), or standard normal from the block
        generator (blocks of 4001, as a 4001-neuron group would draw them).
    portable : bool
        Compile without AVX-512 (the generic block path, target ``'native -mno-avx512f'``);
        the numbers must be the same.
    target : str, optional
        CPU target of the harness (a ``BRIANMODELS_TARGET`` value, e.g. ``'x86-64'`` for SSE2
        only; default ``$BRIANMODELS_TARGET``); the numbers must be the same on every target.

    Returns
    -------
    numpy.ndarray of float64, shape (n,)
    """
    if int(n) < 1:
        raise ValueError(f"n must be >= 1; got {n!r}")
    kinds = {"normal": "0", "uniform": "1", "normal_block": "2"}
    if kind not in kinds:
        raise ValueError(f"kind must be one of {sorted(kinds)}; got {kind!r}")
    if portable and target is not None:
        raise ValueError(f"give portable=True or target, not both; got target={target!r}")
    from . import target as _target

    exe = _harness_binary(_target.NO_AVX512 if portable else target)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "x.bin"
        subprocess.run([str(exe), str(int(n)), str(int(seed)), kinds[kind],
                        str(out)], check=True)
        return np.fromfile(out, dtype=np.float64)
