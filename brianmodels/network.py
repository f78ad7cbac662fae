"""One description of a two-population (E, I) LIF network, shared by simulation and theory.

This module is plain Python + numpy: it never imports brian2, so ``meanfield`` can read a
network (by duck typing) without a compiler, and presets load instantly.

Conventions (Ekelmans et al. 2023; ``docs/theory/ssn_lif.md`` §1, §4, §13):

* order of populations is (E, I); 2x2 arrays are indexed ``[target, source]``, i.e.
  ``[[EE, EI], [IE, II]]`` where ``XY`` means "onto X from Y";
* ``j`` are synaptic weight *magnitudes* in mV (a presynaptic spike from E moves V up by
  ``j[X, 0]``, one from I moves it down by ``j[X, 1]``);
* ``J = K * j`` are the population couplings of the mean-field theory (Eq 13), in mV
  (= mV/s per Hz);
* membrane equation dV/dt = -V/tau + mu + sigma xi(t): mu in mV/s, sigma in mV/sqrt(s),
  threshold ``theta`` and reset ``v_reset`` in mV, times in seconds.
"""
from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field

import numpy as np

from .units import to_int

#: Population names in the order of every (E, I) vector and of the rows/columns of 2x2 arrays.
POPULATIONS = ("E", "I")


def pathway_name(target, source) -> str:
    """Name of the pathway onto ``target`` from ``source`` (indices 0/1 or names 'E'/'I'):
    ``'EI'`` is onto E from I, entry ``[target, source]`` of a 2x2 array.

    Examples
    --------
    >>> from brianmodels.network import pathway_name
    >>> pathway_name(0, 1), pathway_name("I", "E")
    ('EI', 'IE')
    """
    def name(v, what):
        if isinstance(v, str) and v in POPULATIONS:
            return v
        if isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 0 <= v < 2:
            return POPULATIONS[int(v)]
        raise ValueError(f"{what} must be a population index 0/1 or one of {POPULATIONS}; "
                         f"got {v!r}")

    return name(target, "target") + name(source, "source")


#: Pathway names (target then source) in the row-major order of the 2x2 arrays.
PATHWAYS = tuple(pathway_name(x, y) for x in range(2) for y in range(2))
SYNAPSE_KINDS = ("delta", "exp")


#: Largest population size: neuron indices within a population are int32 in the compiled model.
N_MAX = 2**31 - 1


def _array(value, name, dtype, allowed):
    if value is None:
        raise TypeError(f"{name} must be {allowed}; got None")
    try:
        return np.array(value, dtype=dtype)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be {allowed}; got {value!r}") from None


def _vector(value, name, dtype=float):
    arr = _array(value, name, dtype, "a number or a length-2 sequence of numbers (E, I)")
    if arr.ndim == 0:
        arr = np.full(2, arr.item(), dtype=dtype)
    if arr.shape != (2,):
        raise ValueError(f"{name} must be a scalar or a length-2 sequence (E, I); got shape {arr.shape}")
    return arr


def _matrix(value, name, dtype=float):
    arr = _array(value, name, dtype, "a scalar, a length-4 sequence (EE, EI, IE, II) or a 2x2 "
                 "array") if dtype is float else np.array(value, dtype=dtype)
    if arr.ndim == 0:
        arr = np.full((2, 2), arr.item(), dtype=dtype)
    elif arr.shape == (4,):
        arr = arr.reshape(2, 2)
    if arr.shape != (2, 2):
        raise ValueError(
            f"{name} must be a scalar, a length-4 sequence (EE, EI, IE, II) or a 2x2 array "
            f"[[EE, EI], [IE, II]]; got shape {arr.shape}")
    return arr


def _check(cond, name, allowed, value):
    if not np.all(cond):
        raise ValueError(f"{name} must be {allowed}; got {value!r}")


def _positive_number(value, name):
    """A finite number > 0 as float (TypeError for non-numbers, ValueError otherwise)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer,
                                                                     np.floating)):
        raise TypeError(f"{name} must be a positive number; got {type(value).__name__} {value!r}")
    x = float(value)
    if not math.isfinite(x) or x <= 0:
        raise ValueError(f"{name} must be a positive finite number; got {value!r}")
    return x


def _readonly(arr):
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class LIFNetwork:
    """A two-population (E, I) leaky integrate-and-fire network, as data.

    Parameters
    ----------
    N : (2,) int
        Population sizes (N_E, N_I).
    p : scalar, (4,) or (2, 2) float
        Connection probabilities ``[[p_EE, p_EI], [p_IE, p_II]]`` (onto row, from column), in [0, 1].
        Connectivity is fixed in-degree: every neuron of X gets ``K_XY = round(p_XY N_Y)`` inputs.
    j : scalar, (4,) or (2, 2) float
        Synaptic weight magnitudes in mV (>= 0); the sign is set by the presynaptic population.
    tau : (2,) float
        Membrane time constants (tau_E, tau_I) in s.
    theta, v_reset : (2,) float
        Threshold and reset potential in mV (``theta > v_reset``). Default 1 and 0.
    t_ref : (2,) float
        Absolute refractory period in s (default 0: the paper uses none).
    sigma_ext : (2,) float
        Intensity of the external white noise in mV/sqrt(s) (> 0).
    synapse : scalar, (4,) or (2, 2) str
        ``'delta'`` (V jumps by j after the delay, Eq 10) or ``'exp'`` (exponential current whose
        kernel has area j, Eq 11) per pathway.
    tau_s : scalar, (4,) or (2, 2) float
        Synaptic time constants in s (used by ``'exp'`` pathways; > 0 there).
    delay_min, delay_max : scalar, (4,) or (2, 2) float
        Per-connection delays are drawn uniformly in [delay_min, delay_max] (s).
    name : str
        Short identifier (the preset name, or anything).
    source : str
        Where the numbers come from (citation).
    N_ref : int
        Size at which ``j`` and drive are specified for the sqrt(N) scaling (``scaled``); 4000 in the
        paper.

    Attributes
    ----------
    K : (2, 2) int
        In-degrees ``round(p * N[source])``.
    J : (2, 2) float
        Population couplings ``K * j`` in mV (Eq 13).
    det_J : float
        ``J_EI J_IE - J_EE J_II`` (the paper's sign convention for det J).

    Examples
    --------
    A network of 800 E and 200 I neurons with connection probability 0.1 (in-degrees
    K = p N_source) and weights j in mV (``[target, source]``):

    >>> from brianmodels import LIFNetwork
    >>> net = LIFNetwork(N=(800, 200), p=0.1, j=[[0.1, 0.4], [0.1, 0.4]])
    >>> net.K.tolist(), net.J.tolist()             # in-degrees; couplings K j (mV)
    ([[80, 20], [80, 20]], [[8.0, 8.0], [8.0, 8.0]])
    >>> net.n_synapses, net.N_total
    (100000, 1000)

    The paper's networks are presets:

    >>> from brianmodels import presets
    >>> net = presets.get("supersaturating")
    >>> net.K.tolist(), round(net.det_J, 3)
    ([[195, 200], [825, 100]], 70.002)
    """

    N: np.ndarray
    p: np.ndarray
    j: np.ndarray
    tau: np.ndarray = (0.020, 0.010)
    theta: np.ndarray = (1.0, 1.0)
    v_reset: np.ndarray = (0.0, 0.0)
    t_ref: np.ndarray = (0.0, 0.0)
    sigma_ext: np.ndarray = (3.0, 3.0)
    synapse: np.ndarray = "delta"
    tau_s: np.ndarray = 0.0
    delay_min: np.ndarray = 0.0
    delay_max: np.ndarray = 0.0
    name: str = "custom"
    source: str = ""
    N_ref: int = 4000
    K: np.ndarray = field(init=False, repr=False)
    J: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        set_ = lambda k, v: object.__setattr__(self, k, _readonly(v))  # noqa: E731
        N = _array(self.N, "N", float, "two integers (N_E, N_I)")
        if N.shape != (2,) or not np.all(np.isfinite(N)) or np.any(N != np.round(N)):
            raise ValueError(f"N must be two integers (N_E, N_I); got {self.N!r}")
        _check((N > 0) & (N <= N_MAX), "N", f"positive integers <= {N_MAX} (int32 neuron "
               "indices)", self.N)
        N = N.astype(np.int64)
        set_("N", N)
        for name in ("p", "j", "tau_s", "delay_min", "delay_max"):
            arr = _matrix(getattr(self, name), name)
            _check(np.isfinite(arr), name, "finite", getattr(self, name))
            set_(name, arr)
        for name in ("tau", "theta", "v_reset", "t_ref", "sigma_ext"):
            arr = _vector(getattr(self, name), name)
            _check(np.isfinite(arr), name, "finite", getattr(self, name))
            set_(name, arr)
        syn = _matrix(self.synapse, "synapse", dtype=object)
        _check(np.isin(syn, SYNAPSE_KINDS), "synapse", f"one of {SYNAPSE_KINDS}", self.synapse)
        set_("synapse", syn.astype(str))
        _check((self.p >= 0) & (self.p <= 1), "p", "in [0, 1]", self.p.tolist())
        _check(self.j >= 0, "j", "magnitudes >= 0 mV (signs follow the presynaptic population)",
               self.j.tolist())
        _check(self.tau > 0, "tau", "> 0 s", self.tau.tolist())
        _check(self.theta > self.v_reset, "theta", "above v_reset", (self.theta.tolist(), self.v_reset.tolist()))
        _check(self.t_ref >= 0, "t_ref", ">= 0 s", self.t_ref.tolist())
        _check(self.sigma_ext > 0, "sigma_ext", "> 0 mV/sqrt(s)", self.sigma_ext.tolist())
        _check(self.delay_min >= 0, "delay_min", ">= 0 s", self.delay_min.tolist())
        _check(self.delay_max >= self.delay_min, "delay_max", ">= delay_min", self.delay_max.tolist())
        _check(self.tau_s >= 0, "tau_s", ">= 0 s", self.tau_s.tolist())
        _check((self.synapse != "exp") | (self.tau_s > 0), "tau_s", "> 0 s on 'exp' pathways",
               self.tau_s.tolist())
        object.__setattr__(self, "N_ref", to_int(self.N_ref, "N_ref", lo=1))
        for name in ("name", "source"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"{name} must be a str; got {type(getattr(self, name)).__name__}")
        K = np.rint(self.p * self.N[None, :]).astype(np.int64)
        set_("K", K)
        set_("J", K * self.j)  # Eq 13

    # ------------------------------------------------------------------ derived quantities
    @property
    def N_total(self) -> int:
        """Total number of neurons N_E + N_I."""
        return int(self.N.sum())

    @property
    def det_J(self) -> float:
        """det J = J_EI J_IE - J_EE J_II in mV^2 (paper's convention, ``docs/theory/ssn_lif.md`` §6)."""
        J = self.J
        return float(J[0, 1] * J[1, 0] - J[0, 0] * J[1, 1])

    @property
    def n_synapses(self) -> int:
        """Number of synapses, sum over pathways of N_X K_XY."""
        return int((self.N[:, None] * self.K).sum())

    def replace(self, **changes) -> "LIFNetwork":
        """Return a copy with some fields changed (validated again).

        Parameters
        ----------
        **changes
            Any constructor argument, e.g. ``tau=(0.022, 0.010)`` or ``j=...``.

        Examples
        --------
        >>> from brianmodels import LIFNetwork
        >>> net = LIFNetwork(N=(800, 200), p=0.1, j=[[0.1, 0.4], [0.1, 0.4]])
        >>> net.replace(tau=(0.022, 0.010)).tau.tolist()
        [0.022, 0.01]
        """
        unknown = set(changes) - {f.name for f in dataclasses.fields(self) if f.init}
        if unknown:
            raise TypeError(f"unknown LIFNetwork field(s): {sorted(unknown)}")
        kwargs = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}
        kwargs.update(changes)
        return LIFNetwork(**kwargs)

    # ------------------------------------------------------------------ size scaling (§11)
    def mu_scale(self, N_total) -> float:
        """Factor sqrt(N / N_ref) by which couplings J and the external mean drive grow with size.

        In the paper's convention (``docs/theory/ssn_lif.md`` §11) p and the 3:1 split are fixed, ``j ∝ 1/sqrt(N)``,
        so ``J(N) = J(N_ref) sqrt(N/N_ref)``; the external mean is ``mu = mu_hat sqrt(N)`` and
        sigma_ext is not scaled.

        Parameters
        ----------
        N_total : int
            Total network size N_E + N_I.

        Examples
        --------
        >>> from brianmodels import presets
        >>> presets.get("supersaturating").mu_scale(16000)   # sqrt(16000 / 4000)
        2.0
        """
        return math.sqrt(_positive_number(N_total, "N_total") / self.N_ref)

    def scaled(self, N_total) -> "LIFNetwork":
        """The same network at total size ``N_total`` in the sqrt(N) convention (``docs/theory/ssn_lif.md`` §11).

        Keeps p, the E:I split, time constants and sigma_ext; multiplies sizes by
        ``N_total / N``, weights j by ``sqrt(N_ref / N_total)`` relative to their value at
        ``N_ref`` (so J grows as sqrt(N_total / N_ref) when this network is at ``N_ref``).

        Parameters
        ----------
        N_total : int
            Target total size N_E + N_I (> 0).

        Returns
        -------
        LIFNetwork

        Examples
        --------
        >>> from brianmodels import presets
        >>> big = presets.get("supersaturating").scaled(16000)
        >>> big.N.tolist(), big.name
        ([12000, 4000], 'supersaturating@N=16000')
        """
        factor = _positive_number(N_total, "N_total") / self.N_total
        N = np.rint(self.N * factor).astype(np.int64)
        if N.sum() != int(round(float(N_total))):
            raise ValueError(f"N_total={N_total} cannot keep the E:I split {self.N.tolist()} in integers")
        # j at this network's size -> j at N_ref -> j at N_total
        j = self.j * math.sqrt(self.N_total / float(N_total))
        return self.replace(N=N, j=j, name=f"{self.name}@N={int(N.sum())}")

    # ------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict:
        """All constructor arguments as JSON-serialisable Python objects.

        Examples
        --------
        >>> from brianmodels import LIFNetwork
        >>> net = LIFNetwork(N=(800, 200), p=0.1, j=[[0.1, 0.4], [0.1, 0.4]])
        >>> d = net.to_dict()
        >>> d["N"], d["synapse"]
        ([800, 200], [['delta', 'delta'], ['delta', 'delta']])
        """
        out = {}
        for f in dataclasses.fields(self):
            if not f.init:
                continue
            v = getattr(self, f.name)
            out[f.name] = v.tolist() if isinstance(v, np.ndarray) else v
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "LIFNetwork":
        """Inverse of :meth:`to_dict`.

        Examples
        --------
        >>> from brianmodels import LIFNetwork
        >>> net = LIFNetwork(N=(800, 200), p=0.1, j=[[0.1, 0.4], [0.1, 0.4]])
        >>> LIFNetwork.from_dict(net.to_dict()) == net
        True
        """
        if not isinstance(d, dict):
            raise TypeError(f"d must be a dict of LIFNetwork fields (from to_dict); got "
                            f"{type(d).__name__}")
        return cls(**d)

    def to_json(self) -> str:
        """JSON text of :meth:`to_dict`.

        Examples
        --------
        >>> from brianmodels import LIFNetwork
        >>> net = LIFNetwork(N=(800, 200), p=0.1, j=[[0.1, 0.4], [0.1, 0.4]])
        >>> net.to_json()[:31]
        '{"N": [800, 200], "N_ref": 4000'
        """
        return json.dumps(self.to_dict(), sort_keys=True)

    def __eq__(self, other):
        if not isinstance(other, LIFNetwork):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self):
        return hash(self.to_json())

    def summary(self):
        """One row per population (pandas.DataFrame): its size, neuron parameters and its inputs
        from each source population (target ``population``, source in the column name).

        Columns: ``population``, ``N``, ``tau`` (s), ``theta``, ``v_reset`` (mV), ``t_ref`` (s),
        ``sigma_ext`` (mV/sqrt(s)), and for each source Y in (E, I): ``K_Y`` (in-degree),
        ``j_Y`` (weight magnitude, mV), ``J_Y`` (coupling K j, mV), ``synapse_Y``. Text:
        :meth:`report`.

        Examples
        --------
        >>> from brianmodels import LIFNetwork
        >>> net = LIFNetwork(N=(800, 200), p=0.1, j=[[0.1, 0.4], [0.1, 0.4]])
        >>> print(net.summary()[["population", "N", "K_E", "K_I", "J_E", "J_I"]].to_string(index=False))
        population   N  K_E  K_I  J_E  J_I
                 E 800   80   20  8.0  8.0
                 I 200   80   20  8.0  8.0
        """
        import pandas as pd

        rows = []
        for x, X in enumerate(POPULATIONS):
            row = {"population": X, "N": int(self.N[x]), "tau": float(self.tau[x]),
                   "theta": float(self.theta[x]), "v_reset": float(self.v_reset[x]),
                   "t_ref": float(self.t_ref[x]), "sigma_ext": float(self.sigma_ext[x])}
            for y, Y in enumerate(POPULATIONS):
                row.update({f"K_{Y}": int(self.K[x, y]), f"j_{Y}": float(self.j[x, y]),
                            f"J_{Y}": float(self.J[x, y]), f"synapse_{Y}": str(self.synapse[x, y])})
            rows.append(row)
        return pd.DataFrame(rows)

    def report(self) -> str:
        """A few human-readable lines: sizes, in-degrees, weights, couplings.

        Examples
        --------
        >>> from brianmodels import LIFNetwork
        >>> net = LIFNetwork(N=(800, 200), p=0.1, j=[[0.1, 0.4], [0.1, 0.4]])
        >>> print(net.report())
        LIFNetwork 'custom': N_E=800, N_I=200, tau=(20, 10) ms, sigma_ext=[3.0, 3.0] mV/sqrt(s)
          K [EE, EI, IE, II] = 80, 20, 80, 20
          j [EE, EI, IE, II] = 0.1, 0.4, 0.1, 0.4 mV
          J [EE, EI, IE, II] = 8, 8, 8, 8 mV   (det J = 0 mV^2)
          synapses [EE, EI, IE, II] = delta, delta, delta, delta
        """
        J = self.J
        lines = [
            f"LIFNetwork {self.name!r}: N_E={self.N[0]}, N_I={self.N[1]}, "
            f"tau=({self.tau[0]*1e3:g}, {self.tau[1]*1e3:g}) ms, sigma_ext={self.sigma_ext.tolist()} mV/sqrt(s)",
            "  K [EE, EI, IE, II] = " + ", ".join(str(k) for k in self.K.ravel()),
            "  j [EE, EI, IE, II] = " + ", ".join(f"{x:.6g}" for x in self.j.ravel()) + " mV",
            "  J [EE, EI, IE, II] = " + ", ".join(f"{x:.5g}" for x in J.ravel())
            + f" mV   (det J = {self.det_J:.5g} mV^2)",
            "  synapses [EE, EI, IE, II] = " + ", ".join(self.synapse.ravel()),
        ]
        if self.source:
            lines.append(f"  source: {self.source}")
        return "\n".join(lines)
