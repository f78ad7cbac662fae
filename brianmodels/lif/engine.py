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

Heterogeneous weights (issue 3): a pathway may carry one weight per synapse (mV, magnitudes;
the sign comes from the source population), given in the synapse order of :func:`connections`
(post-major: target t's K inputs are entries ``t K .. (t+1) K - 1``) and stored in the file as
float64 next to the targets (8 more bytes per synapse, only for such pathways). They are
run-time values like the connectivity itself: new weights write a new file, never a new build.
Pathways without them keep the homogeneous per-target weight ``j`` of the network.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from ..atomic import atomic_write
from ..network import PATHWAYS, POPULATIONS, pathway_name
from ..units import to_mapping
from .connectivity import _njit

HEADER = Path(__file__).with_name("bm_syn.h")
#: Name of the connectivity file in the run folder (the binary opens it there).
RUN_FILE = "bm_synapses.bin"
_MAGIC = b"BMSYN002"


def header_source() -> str:
    """Text of ``bm_syn.h`` (part of the build fingerprint)."""
    return HEADER.read_text()


def name_seed(conn_seed: int, name: str) -> int:
    """Seed of one random part of a connectivity (a pathway 'EE', its delays, a Poisson input
    'P0E', ...): a 32-bit hash of the connectivity seed and the part's name."""
    return int(hashlib.blake2b(f"{int(conn_seed)}:{name}".encode(), digest_size=4).hexdigest(), 16)


def pathway_seed(conn_seed: int, target: str, source: str) -> int:
    """Seed of the connections of one pathway (``target`` <- ``source``, 'E' or 'I')."""
    return name_seed(conn_seed, f"{target}{source}")


def delay_steps(conn_seed: int, pathway: str, n: int, dmin: float, dmax: float,
                dt: float) -> np.ndarray:
    """Per-synapse delays (integer steps, >= 1) uniform in [dmin, dmax] s, in synapse order."""
    seed = name_seed(conn_seed, pathway)
    lo, hi = int(round(dmin / dt)), int(round(dmax / dt))
    steps = np.maximum(np.random.default_rng(seed).integers(lo, hi + 1, size=n), 1)
    if steps.size and steps.max() > np.iinfo(np.uint16).max:
        raise ValueError(f"delay of pathway {pathway} too long: {dmax} s = {hi} steps of dt "
                         f"(at most {np.iinfo(np.uint16).max})")
    return steps.astype(np.uint16)


def pathway_connections(N, K, conn_seed, x, y):
    """(pre, post) of pathway x <- y (population indices 0 = E, 1 = I) for ``N`` = [N_E, N_I]
    and in-degrees ``K[x][y]``: int32 indices within each population, post-major (the order of
    the file's input, of per-synapse weights and of delays)."""
    from .connectivity import fixed_indegree

    return fixed_indegree(int(N[x]), int(N[y]), int(K[x][y]),
                          pathway_seed(conn_seed, POPULATIONS[x], POPULATIONS[y]),
                          same_population=(x == y))


def connections(net, connectivity_seed: int) -> dict:
    """The recurrent synapses of ``net`` for one connectivity seed, in per-synapse-weight order.

    Parameters
    ----------
    net : LIFNetwork
        The network (read by duck typing: ``N``, ``K``).
    connectivity_seed : int
        Connectivity seed (>= 0), as given to ``simulate`` / ``sweep``.

    Returns
    -------
    dict
        Pathway (``'EE'``, ``'EI'``, ``'IE'``, ``'II'``: target then source; only pathways with
        K > 0) -> ``(pre, post)`` int32 arrays of length ``N_target * K``: synapse ``e``
        connects neuron ``pre[e]`` of the source population to neuron ``post[e]`` of the
        target population (indices within each population). Synapses are post-major (``post``
        is non-decreasing; target t's inputs are entries ``t K .. (t+1) K - 1``), the order
        of the ``synapse_weights`` arrays of :func:`brianmodels.simulate` and of the delays.

    Examples
    --------
    >>> import numpy as np
    >>> from brianmodels import presets
    >>> from brianmodels.lif.engine import connections
    >>> net = presets.get("supersaturating")                        # N = (3000, 1000)
    >>> conn = connections(net, connectivity_seed=1)
    >>> sorted(conn)
    ['EE', 'EI', 'IE', 'II']
    >>> pre, post = conn["EE"]
    >>> int(net.K[0, 0]), bool(pre.size == net.N[0] * net.K[0, 0])  # K_EE inputs per E neuron
    (195, True)
    >>> bool(np.all(post[:195] == 0)), bool(np.all(np.diff(post) >= 0))   # post-major
    (True, True)

    Weights growing with the presynaptic index (mean j_EE), given to a simulation (compiles;
    the gallery example *A sweep against SSN and Φ_sc*, ``examples/plot_sweep_vs_theory.py``,
    simulates this network with its uniform weights):

    >>> w = net.j[0, 0] * 2 * (pre + 0.5) / net.N[0]
    >>> round(float(w.mean() / net.j[0, 0]), 2)
    1.0
    >>> from brianmodels import simulate
    >>> simulate(net, 20.0, synapse_weights={"EE": w})             # doctest: +SKIP
    """
    if int(connectivity_seed) != connectivity_seed or connectivity_seed < 0:
        raise ValueError(f"connectivity_seed must be a non-negative integer; "
                         f"got {connectivity_seed!r}")
    K = np.asarray(net.K)
    return {pathway_name(x, y): pathway_connections(net.N, K, connectivity_seed,
                                                                        x, y)
            for x in range(2) for y in range(2) if K[x][y] > 0}


def check_weights(weights, N, K, name="synapse_weights") -> dict:
    """Validate per-synapse weights against a structure (ValueError/TypeError naming the problem).

    Parameters
    ----------
    weights : dict or None
        Pathway (``'EE'``, ``'EI'``, ``'IE'``, ``'II'``) -> weights in mV (finite, >= 0;
        magnitudes), shape ``(N_target * K,)`` or ``(N_target, K)``, in the order of
        :func:`connections`.
    N : (2,) int
        Population sizes.
    K : 2x2 int
        In-degrees ``K[target][source]``.
    name : str
        Parameter name used in error messages.

    Returns
    -------
    dict
        Pathway -> read-only C-contiguous float64 arrays of shape ``(N_target * K,)`` (views of
        the given arrays when they already are float64), in
        :data:`brianmodels.network.PATHWAYS` order
        (empty for None).

    Raises
    ------
    TypeError
        ``weights`` is not a dict, or a value is not numeric.
    ValueError
        Unknown pathway, pathway with K = 0, wrong shape, non-finite or negative weights.
    """
    weights = to_mapping(weights, name, PATHWAYS, keys_note=" (target then source)",
                         what="pathway ('EE', 'EI', 'IE', 'II') -> array of per-synapse weights (mV)")
    out = {}
    for key in PATHWAYS:
        if key not in weights:
            continue
        x, y = POPULATIONS.index(key[0]), POPULATIONS.index(key[1])
        n_tgt, k = int(N[x]), int(K[x][y])
        if k == 0:
            raise ValueError(f"{name}[{key!r}]: the network has no {key} synapses (K = 0)")
        try:
            w = np.asarray(weights[key], dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name}[{key!r}] must be an array of floats (mV)") from None
        if w.shape not in ((n_tgt * k,), (n_tgt, k)):
            raise ValueError(f"{name}[{key!r}] must have shape ({n_tgt * k},) = N_{key[0]} * "
                             f"K_{key} (or ({n_tgt}, {k})), one weight per synapse in the order "
                             f"of engine.connections(); got shape {w.shape}")
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError(f"{name}[{key!r}] must be finite and >= 0 mV (magnitudes; the sign "
                             f"comes from the source population)")
        w = np.ascontiguousarray(w.reshape(-1)).view()  # a view: the caller's array stays writable
        w.setflags(write=False)
        out[key] = w
    return out


def weights_digest(weights: dict) -> str:
    """Short SHA-256 of validated per-synapse weights (cache and resume key; '' for none)."""
    if not weights:
        return ""
    h = hashlib.sha256()
    for key in sorted(weights):
        h.update(key.encode() + np.ascontiguousarray(weights[key], np.float64).tobytes())
    return h.hexdigest()[:16]


def weights_summary(weights: dict) -> dict:
    """JSON-able description of per-synapse weights: pathway -> mean, std (mV) and digest."""
    return {key: {"mean": float(w.mean()), "std": float(w.std()),
                  "sha256": weights_digest({key: w})} for key, w in weights.items()}


@_njit
def _csr_by_source(pre, K, n_src, tgt_off, offsets, targets, delays_in, delays_out,
                   weights_in, weights_out):
    """Rows by source of a post-major pathway (target t holds pre[t K : (t+1) K]).

    Within a row, targets ascend (the order of Brian2's synapse indices for that source).
    Delays and weights (when given, in the input's synapse order) move with their synapse.
    """
    for e in range(pre.size):
        offsets[pre[e] + 1] += 1
    for s in range(n_src):
        offsets[s + 1] += offsets[s]
    fill = offsets[:-1].copy()
    with_delays = delays_in.size > 0
    with_weights = weights_in.size > 0
    for e in range(pre.size):
        s = pre[e]
        pos = fill[s]
        targets[pos] = tgt_off + e // K
        if with_delays:
            delays_out[pos] = delays_in[e]
        if with_weights:
            weights_out[pos] = weights_in[e]
        fill[s] = pos + 1


def write_connectivity(path, N, K, synapse, delays=None, weights=None, *, conn_seed: int,
                       dt: float):
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
    weights : dict, optional
        Pathway -> per-synapse weights (mV, magnitudes; float64 arrays of ``N_target * K``
        in the order of :func:`connections`, as returned by :func:`check_weights`), for the
        pathways with heterogeneous weights.
    conn_seed : int
        Connectivity seed (>= 0).
    dt : float
        Time step (s), to express delays in steps.

    Returns
    -------
    int
        Number of synapses written.
    """
    delays = delays or {}
    weights = weights or {}
    N = [int(n) for n in N]
    total = 0

    def write(tmp):
        nonlocal total
        with open(tmp, "wb") as fh:
            paths = [(x, y) for y in range(2) for x in range(2) if int(K[x][y]) > 0]
            fh.write(_MAGIC + np.int64(len(paths)).tobytes())
            for x, y in paths:  # source-major: all E-sourced pathways first (Brian2's order)
                X, Y = POPULATIONS[x], POPULATIONS[y]
                k = int(K[x][y])
                pre, _ = pathway_connections(N, K, conn_seed, x, y)
                n = pre.size
                dl = delays.get(f"{X}{Y}")
                d_in = delay_steps(conn_seed, f"{X}{Y}", n, dl[0], dl[1], dt) if dl else \
                    np.zeros(0, np.uint16)
                offsets = np.zeros(N[y] + 1, np.int64)
                targets = np.empty(n, np.int32)
                d_out = np.empty(d_in.size, np.uint16)
                w_in = weights.get(f"{X}{Y}")
                w_in = np.zeros(0) if w_in is None else np.asarray(w_in, np.float64)
                if w_in.size not in (0, n):
                    raise ValueError(f"weights['{X}{Y}'] has {w_in.size} values; the pathway "
                                     f"has {n} synapses")
                w_out = np.empty(w_in.size, np.float64)
                _csr_by_source(pre, k, N[y], N[0] * x, offsets, targets, d_in, d_out, w_in, w_out)
                del pre
                kind = {"delta": 0, "exp": 1}[synapse[x][y]]
                head = np.array([x, y, kind, int(dl is not None), N[0] * y, N[y], N[0] * x, N[x],
                                 int(d_in.max()) if d_in.size else 0, int(w_out.size > 0)],
                                np.int32)
                fh.write(head.tobytes() + np.int64(n).tobytes())
                offsets.tofile(fh)
                targets.tofile(fh)
                if d_out.size:
                    d_out.tofile(fh)
                fh.write(b"\0" * ((-fh.tell()) % 8))
                if w_out.size:  # 8-byte aligned float64
                    w_out.tofile(fh)
                total += n

    atomic_write(path, write)
    return total


def read_connectivity(path) -> dict:
    """Read a file written by :func:`write_connectivity` (memory-mapped, nothing copied).

    Returns
    -------
    dict
        ``'EE'``-style pathway (target, source) -> dict with ``kind`` ('delta'/'exp'),
        ``src_off``, ``n_src``, ``tgt_off``, ``n_tgt``, ``max_delay`` (steps), ``offsets``
        (int64, n_src + 1), ``targets`` (int32 group indices, grouped by source) and ``delays``
        (uint16 steps, or None) and ``weights`` (float64 mV per synapse, in the order of
        ``targets``, or None).
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
        x, y, kind, has_delay, src_off, n_src, tgt_off, n_tgt, max_delay, has_w = \
            (int(v) for v in h[:10])
        offsets = buf[off:off + 8 * (n_src + 1)].view(np.int64)
        off += 8 * (n_src + 1)
        targets = buf[off:off + 4 * n].view(np.int32)
        off += 4 * n
        delays = None
        if has_delay:
            delays = buf[off:off + 2 * n].view(np.uint16)
            off += 2 * n
        off += (-off) % 8
        weights = None
        if has_w:
            weights = buf[off:off + 8 * n].view(np.float64)
            off += 8 * n
        out[pathway_name(x, y)] = dict(
            kind=("delta", "exp")[kind], src_off=src_off, n_src=n_src, tgt_off=tgt_off,
            n_tgt=n_tgt, max_delay=max_delay, offsets=offsets, targets=targets, delays=delays,
            weights=weights)
    return out
