"""Recurrent synapses without Brian2 ``Synapses``: compressed connectivity read by ``bm_syn.h``.

Brian2 keeps ~42 bytes per synapse (source, target and synapse indices, spike queue) and creates
its synapses one by one when the binary starts, which limits the Fig 6 network to N ~ 6.5e4 on
24 GB and costs minutes of start-up at N = 4e4. The recurrent pathways are instead stored by
source neuron (CSR: int64 offsets + int32 targets, 4 bytes per synapse, + 2 for a delay) in one
file per connectivity seed, memory-mapped by the binary; ``bm_syn.h`` sends each step's spikes
along the rows at Brian2's 'synapses' slot. Without delays the result is bit-identical to the
Brian2 ``Synapses`` version (same connections, same order of additions per neuron).

The connections are those of :func:`brianmodels.lif.connectivity.fixed_indegree` with the same
per-pathway seeds as before, and delays (pathways with ``delay_max > 0``) integer steps uniform
in [D_min, D_max] (Table C), at least one step.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

from ..network import POPULATIONS
from .connectivity import _njit

HEADER = Path(__file__).with_name("bm_syn.h")
#: Name of the connectivity file in the run folder (the binary opens it there).
RUN_FILE = "bm_synapses.bin"
_MAGIC = b"BMSYN001"


def header_source() -> str:
    """Text of ``bm_syn.h`` (part of the build fingerprint)."""
    return HEADER.read_text()


def pathway_seed(conn_seed: int, target: str, source: str) -> int:
    """Seed of the connections of one pathway (``target`` <- ``source``, 'E' or 'I')."""
    return int(hashlib.blake2b(f"{int(conn_seed)}:{target}{source}".encode(),
                               digest_size=4).hexdigest(), 16)


def delay_steps(conn_seed: int, pathway: str, n: int, dmin: float, dmax: float,
                dt: float) -> np.ndarray:
    """Per-synapse delays (integer steps, >= 1) uniform in [dmin, dmax] s, in synapse order."""
    seed = int(hashlib.blake2b(f"{int(conn_seed)}:{pathway}".encode(), digest_size=4).hexdigest(), 16)
    lo, hi = int(round(dmin / dt)), int(round(dmax / dt))
    steps = np.maximum(np.random.default_rng(seed).integers(lo, hi + 1, size=n), 1)
    if steps.size and steps.max() > np.iinfo(np.uint16).max:
        raise ValueError(f"delay of pathway {pathway} too long: {dmax} s = {hi} steps of dt "
                         f"(at most {np.iinfo(np.uint16).max})")
    return steps.astype(np.uint16)


@_njit
def _csr_by_source(pre, K, n_src, tgt_off, offsets, targets, delays_in, delays_out):
    """Rows by source of a post-major pathway (target t holds pre[t K : (t+1) K]).

    Within a row, targets ascend (the order of Brian2's synapse indices for that source).
    """
    for e in range(pre.size):
        offsets[pre[e] + 1] += 1
    for s in range(n_src):
        offsets[s + 1] += offsets[s]
    fill = offsets[:-1].copy()
    with_delays = delays_in.size > 0
    for e in range(pre.size):
        s = pre[e]
        pos = fill[s]
        targets[pos] = tgt_off + e // K
        if with_delays:
            delays_out[pos] = delays_in[e]
        fill[s] = pos + 1


def write_connectivity(path, N, K, synapse, delays=None, *, conn_seed: int, dt: float):
    """Write the recurrent connectivity of one seed to ``path`` (atomically).

    Parameters
    ----------
    path : path-like
        Output file.
    N : sequence of int
        ``[N_E, N_I]``.
    K : 2x2 nested sequence of int
        In-degrees ``K[target][source]``.
    synapse : 2x2 nested sequence of {'delta', 'exp'}
        Synapse kind of each pathway.
    delays : dict, optional
        ``'EE'``-style pathway (target, source) -> ``(delay_min, delay_max)`` in s, for the
        pathways with delays.
    conn_seed : int
        Connectivity seed (>= 0).
    dt : float
        Time step (s), to express delays in steps.

    Returns
    -------
    int
        Number of synapses written.
    """
    from .connectivity import fixed_indegree

    delays = delays or {}
    path = Path(path)
    N = [int(n) for n in N]
    total = 0
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".tmp.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            paths = [(x, y) for y in range(2) for x in range(2) if int(K[x][y]) > 0]
            fh.write(_MAGIC + np.int64(len(paths)).tobytes())
            for x, y in paths:  # source-major: all E-sourced pathways first (Brian2's order)
                X, Y = POPULATIONS[x], POPULATIONS[y]
                k = int(K[x][y])
                pre, _ = fixed_indegree(N[x], N[y], k, pathway_seed(conn_seed, X, Y),
                                        same_population=(x == y))
                n = pre.size
                dl = delays.get(f"{X}{Y}")
                d_in = delay_steps(conn_seed, f"{X}{Y}", n, dl[0], dl[1], dt) if dl else \
                    np.zeros(0, np.uint16)
                offsets = np.zeros(N[y] + 1, np.int64)
                targets = np.empty(n, np.int32)
                d_out = np.empty(d_in.size, np.uint16)
                _csr_by_source(pre, k, N[y], N[0] * x, offsets, targets, d_in, d_out)
                del pre
                kind = {"delta": 0, "exp": 1}[synapse[x][y]]
                head = np.array([x, y, kind, int(dl is not None), N[0] * y, N[y], N[0] * x, N[x],
                                 int(d_in.max()) if d_in.size else 0, 0], np.int32)
                fh.write(head.tobytes() + np.int64(n).tobytes())
                offsets.tofile(fh)
                targets.tofile(fh)
                if d_out.size:
                    d_out.tofile(fh)
                pad = (-fh.tell()) % 8
                fh.write(b"\0" * pad)
                total += n
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return total


def read_connectivity(path) -> dict:
    """Read a file written by :func:`write_connectivity` (memory-mapped, nothing copied).

    Returns
    -------
    dict
        ``'EE'``-style pathway (target, source) -> dict with ``kind`` ('delta'/'exp'),
        ``src_off``, ``n_src``, ``tgt_off``, ``n_tgt``, ``max_delay`` (steps), ``offsets``
        (int64, n_src + 1), ``targets`` (int32 group indices, grouped by source) and ``delays``
        (uint16 steps, or None).
    """
    buf = np.memmap(path, dtype=np.uint8, mode="r")
    if bytes(buf[:8]) != _MAGIC:
        raise ValueError(f"{path} is not a brianmodels connectivity file")
    n_paths = int(buf[8:16].view(np.int64)[0])
    off, out = 16, {}
    for _ in range(n_paths):
        h = buf[off:off + 40].view(np.int32)
        n = int(buf[off + 40:off + 48].view(np.int64)[0])
        off += 48
        x, y, kind, has_delay, src_off, n_src, tgt_off, n_tgt, max_delay = (int(v) for v in h[:9])
        offsets = buf[off:off + 8 * (n_src + 1)].view(np.int64)
        off += 8 * (n_src + 1)
        targets = buf[off:off + 4 * n].view(np.int32)
        off += 4 * n
        delays = None
        if has_delay:
            delays = buf[off:off + 2 * n].view(np.uint16)
            off += 2 * n
        off += (-off) % 8
        out[f"{POPULATIONS[x]}{POPULATIONS[y]}"] = dict(
            kind=("delta", "exp")[kind], src_off=src_off, n_src=n_src, tgt_off=tgt_off,
            n_tgt=n_tgt, max_delay=max_delay, offsets=offsets, targets=targets, delays=delays)
    return out
