"""Parameters of a sparse-balance rate network, validated once, as plain data.

The model (Khajeh, Fumarola & Abbott 2022, Eq 1; ``docs/theory/sparse_balance.md`` §1), time in
units of tau = 1::

    dx_i/dt = -x_i + sum_j W_ij phi(x_j) + I_i,

with signed weights ``W_ij = sign_b * J_ij`` (``sign_b = -1`` for an inhibitory presynaptic
population b, +1 for excitatory) and magnitudes ``J_ij >= 0`` drawn with mean
``J_ab / sqrt(K_b)`` and standard deviation ``g_ab * K_b**(-nu/2)`` (§1.2-1.4).

Populations: the single inhibitory population ("pure-I", Figs 1-5) or the E-I network of
Fig 6. For each presynaptic population b, a unit receives input from every unit of b if
``K_b == N_b`` (all-to-all, self-couplings kept) and otherwise through a Bernoulli(K_b/N_b)
mask, i.e. a binomial in-degree (as in the authors' code).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import activations
from ..network import POPULATIONS

WEIGHT_DISTRIBUTIONS = ("gamma", "lognormal", "normal", "bernoulli")
DT_MAX = 0.05          # largest Euler step the paper allows (Methods: "time-steps less than 0.05")


@dataclass(frozen=True)
class NetworkDefaults:
    """The one set of defaults of the inhibitory sparse-balance network (Eq 1).

    Read by the simulation (:func:`brianmodels.rate.simulate.simulate_rate_network`,
    :func:`brianmodels.rate.sweep.rate_sweep`) and by the theory of the same network
    (:func:`meanfield.sparse_balance.dmft_solver.dmft`, ``dmft_sweep``), so a parameter left out
    means the same network on both sides. All dimensionless (time in units of tau).

    The values are the paper's sparse-balance model of Figs 1, 2 and 4 (high variance):
    J0 = 2, g = 2, I0 = 1, nu = 1/2, phi = [tanh]_+, gamma weights, N = K (captions of Figs 1, 2
    and 4; Fig 3 also has J0 = g = 2). Fig 5, the simulation-vs-DMFT figure, uses J0 = 3 with
    Gaussian weights; its script passes those values explicitly.

    Attributes
    ----------
    N : int
        Units (simulation only; the DMFT is the N = K all-to-all network).
    K : int
        In-degree.
    J0 : float
        Mean-weight parameter: mean weight J0 / sqrt(K).
    g : float
        Weight-spread parameter: weight variance g^2 / K^nu.
    I0 : float
        Bias input.
    nu : float
        Variance exponent (1/2 high variance, 1 low variance).
    weights : str
        Weight distribution of the simulation (the DMFT is derived for ``'normal'`` weights, Eq 15).
    phi : str
        Response function (:mod:`brianmodels.rate.activations`).

    Examples
    --------
    >>> from brianmodels.rate.params import DEFAULTS
    >>> DEFAULTS
    NetworkDefaults(N=1000, K=1000, J0=2.0, g=2.0, I0=1.0, nu=0.5, weights='gamma', phi='tanh')
    >>> round(DEFAULTS.J0 / DEFAULTS.K ** 0.5, 4)  # mean weight magnitude J0 / sqrt(K)
    0.0632
    """

    N: int = 1000
    K: int = 1000
    J0: float = 2.0
    g: float = 2.0
    I0: float = 1.0
    nu: float = 0.5
    weights: str = "gamma"
    phi: str = "tanh"


#: the defaults of every function of the sparse-balance network (simulation and DMFT)
DEFAULTS = NetworkDefaults()

# Fig 6 (caption): g = 1, J_EE = J_IE = 1, J_EI = 2, J_II = 1.2, I_E = 2, I_I = 1,
# N_E = N_I = 3000, K = 600, i.e. K_E = K_I = 300 with mask p = 0.1 (``docs/theory/sparse_balance.md`` §1.4).
FIG6 = dict(N_E=3000, N_I=3000, K_E=300, K_I=300, J_EE=1.0, J_EI=2.0, J_IE=1.0, J_II=1.2,
            g=1.0, I_E=2.0, I_I=1.0)


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        else:
            raise TypeError(f"{name} must be a positive integer; got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer (> 0); got {value!r}")
    return int(value)


def _finite(value, name, lo=None, lo_strict=False):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number; got {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite; got {value!r}")
    if lo is not None and (v < lo or (lo_strict and v == lo)):
        raise ValueError(f"{name} must be {'>' if lo_strict else '>='} {lo}; got {value!r}")
    return v


def check_time(T, dt, warmup):
    """Validate the integration times (units of tau); return ``(T, dt, warmup)`` as floats.

    Raises ``ValueError`` unless ``0 < dt <= 0.05``, ``T >= dt`` and ``warmup >= 0``.

    Examples
    --------
    >>> from brianmodels.rate.params import check_time
    >>> check_time(100, 0.02, 10)
    (100.0, 0.02, 10.0)
    >>> check_time(100, 0.1, 10)
    Traceback (most recent call last):
    ...
    ValueError: dt must satisfy 0 < dt <= 0.05 (forward Euler, units of tau); got 0.1
    """
    dt = _finite(dt, "dt")
    if not 0 < dt <= DT_MAX:
        raise ValueError(f"dt must satisfy 0 < dt <= {DT_MAX} (forward Euler, units of tau); got {dt!r}")
    T = _finite(T, "T")
    if T < dt:
        raise ValueError(f"T must be >= dt = {dt} (recorded duration in units of tau); got {T!r}")
    warmup = _finite(warmup, "warmup", lo=0.0)
    return T, dt, warmup


@dataclass(frozen=True, eq=False)
class RateNetworkSpec:
    """A validated sparse-balance rate network (all plain numbers, tau = 1).

    Attributes
    ----------
    pops : tuple of str
        Population names, ``('I',)`` or ``('E', 'I')``; rows/columns of W follow this order.
    N : ndarray of int, shape (P,)
        Units per population.
    K : ndarray of int, shape (P,)
        Nominal in-degree from each presynaptic population b (sets the weight scaling and the
        connection probability ``K_b / N_b``).
    J : ndarray, shape (P, P)
        Mean-weight parameters ``J_ab`` [target a, source b] (``J0`` for one population); the
        mean weight magnitude is ``J_ab / sqrt(K_b)``.
    g : ndarray, shape (P, P)
        Weight-spread parameters; the weight standard deviation is ``g_ab * K_b**(-nu/2)``.
    sign : ndarray, shape (P,)
        +1 for excitatory, -1 for inhibitory presynaptic populations.
    I : ndarray, shape (P,)
        Constant bias input per population (``I0``), order 1.
    nu : float
        Variance-scaling exponent (variance ``g^2 / K^nu``); 1/2 high variance, 1 low variance.
    weights : str
        ``'gamma'``, ``'lognormal'``, ``'normal'`` or ``'bernoulli'`` (§1.3).
    phi : str
        Canonical response-function name (see :mod:`brianmodels.rate.activations`).

    Examples
    --------
    The inhibitory network (defaults: ``DEFAULTS``) with 200 units and in-degree 100
    (connection probability 1/2), and the E-I network of Fig 6:

    >>> from brianmodels.rate.params import RateNetworkSpec
    >>> spec = RateNetworkSpec.inhibitory(N=200, K=100)
    >>> spec.pops, spec.n_total, spec.p_connect.tolist(), spec.weights, spec.phi
    (('I',), 200, [0.5], 'gamma', 'tanh')
    >>> ei = RateNetworkSpec.ei()
    >>> ei.pops, ei.N.tolist(), ei.K.tolist(), ei.J.tolist()
    (('E', 'I'), [3000, 3000], [300, 300], [[1.0, 2.0], [1.0, 1.2]])
    """

    pops: tuple
    N: np.ndarray
    K: np.ndarray
    J: np.ndarray
    g: np.ndarray
    sign: np.ndarray
    I: np.ndarray
    nu: float
    weights: str
    phi: str
    _key: tuple = field(default=(), repr=False, compare=False)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def inhibitory(cls, N=DEFAULTS.N, K=DEFAULTS.K, J0=DEFAULTS.J0, g=DEFAULTS.g, I0=DEFAULTS.I0,
                   nu=DEFAULTS.nu, weights=DEFAULTS.weights, phi=DEFAULTS.phi):
        """Single inhibitory population (Eq 1). Arguments as in :func:`simulate_rate_network`."""
        N = _positive_int(N, "N")
        K = _positive_int(K, "K")
        if K > N:
            raise ValueError(f"K must satisfy 1 <= K <= N = {N}; got K={K}")
        return cls._build(POPULATIONS[1:], [N], [K], [[J0]], [[g]], [-1.0], [I0], nu, weights, phi,
                          jnames=[["J0"]], gnames=[["g"]], inames=["I0"])

    @classmethod
    def ei(cls, N_E=FIG6["N_E"], N_I=FIG6["N_I"], K_E=FIG6["K_E"], K_I=FIG6["K_I"],
           J_EE=FIG6["J_EE"], J_EI=FIG6["J_EI"], J_IE=FIG6["J_IE"], J_II=FIG6["J_II"],
           g=FIG6["g"], I_E=FIG6["I_E"], I_I=FIG6["I_I"], nu=DEFAULTS.nu, weights=DEFAULTS.weights,
           phi=DEFAULTS.phi):
        """E-I network of Fig 6 (defaults are the caption's values).

        ``J_XY`` is the mean-weight parameter onto X from Y (``J_EI``: I -> E), ``K_E``/``K_I``
        the nominal in-degrees from E/I (connection probabilities ``K_E/N_E``, ``K_I/N_I``),
        ``g`` a scalar or a 2x2 array [[g_EE, g_EI], [g_IE, g_II]].
        """
        N = [_positive_int(N_E, "N_E"), _positive_int(N_I, "N_I")]
        K = [_positive_int(K_E, "K_E"), _positive_int(K_I, "K_I")]
        for k, n, kn, nn in zip(K, N, ("K_E", "K_I"), ("N_E", "N_I")):
            if k > n:
                raise ValueError(f"{kn} must satisfy 1 <= {kn} <= {nn} = {n}; got {k}")
        g = np.broadcast_to(np.asarray(g, dtype=float), (2, 2)) if np.ndim(g) in (0, 2) else None
        if g is None:
            raise ValueError("g must be a scalar or a 2x2 array [[g_EE, g_EI], [g_IE, g_II]]")
        return cls._build(POPULATIONS, N, K, [[J_EE, J_EI], [J_IE, J_II]], g, [1.0, -1.0], [I_E, I_I],
                          nu, weights, phi, jnames=[["J_EE", "J_EI"], ["J_IE", "J_II"]],
                          gnames=[["g_EE", "g_EI"], ["g_IE", "g_II"]], inames=["I_E", "I_I"])

    @classmethod
    def _build(cls, pops, N, K, J, g, sign, I, nu, weights, phi, jnames, gnames, inames):
        P = len(pops)
        J = np.array([[_finite(J[a][b], jnames[a][b], lo=0.0) for b in range(P)] for a in range(P)])
        g = np.array([[_finite(g[a][b], gnames[a][b], lo=0.0) for b in range(P)] for a in range(P)])
        I = np.array([_finite(I[a], inames[a]) for a in range(P)])
        nu = _finite(nu, "nu", lo=0.0)
        if not isinstance(weights, str) or weights.lower() not in WEIGHT_DISTRIBUTIONS:
            raise ValueError(f"weights must be one of {list(WEIGHT_DISTRIBUTIONS)}; got {weights!r}")
        weights = weights.lower()
        act = activations.get(phi)
        if act.code is None:
            raise ValueError(f"phi must be one of {list(activations.ACTIVATION_NAMES)} for a simulation "
                             f"(the rectified power {act.name} has no simulation kernel; the DMFT "
                             f"accepts it); got {phi!r}")
        phi = act.name
        N = np.array(N, dtype=np.int64)
        K = np.array(K, dtype=np.int64)
        for a in range(P):
            for b in range(P):
                mean = J[a, b] / math.sqrt(K[b])
                if weights == "bernoulli" and mean > 1.0:
                    raise ValueError(
                        f"{jnames[a][b]} must satisfy {jnames[a][b]}/sqrt(K) <= 1 for binary weights "
                        f"(it is the connection probability; K={K[b]}); got {J[a, b]!r}")
                if weights in ("gamma", "lognormal") and mean == 0.0 and g[a, b] > 0.0:
                    raise ValueError(
                        f"{gnames[a][b]} must be 0 when {jnames[a][b]} = 0 for {weights} weights "
                        f"(a positive distribution with zero mean has zero spread)")
        for arr in (N, K, J, g, I):
            arr.setflags(write=False)
        sign = np.array(sign, dtype=float)
        sign.setflags(write=False)
        key = (pops, tuple(N), tuple(K), tuple(J.ravel()), tuple(g.ravel()), tuple(sign), tuple(I),
               nu, weights, phi)
        return cls(pops, N, K, J, g, sign, I, nu, weights, phi, key)

    # ------------------------------------------------------------------ derived
    @property
    def n_total(self) -> int:
        """Total number of units."""
        return int(self.N.sum())

    @property
    def slices(self) -> dict:
        """Population name -> slice of unit indices."""
        edges = np.concatenate([[0], np.cumsum(self.N)])
        return {p: slice(int(edges[k]), int(edges[k + 1])) for k, p in enumerate(self.pops)}

    @property
    def p_connect(self) -> np.ndarray:
        """Connection probability ``K_b / N_b`` per presynaptic population."""
        return self.K / self.N

    @property
    def dense(self) -> bool:
        """True if every block is all-to-all (``K_b == N_b``)."""
        return bool(np.all(self.K == self.N))

    def unit_input(self) -> np.ndarray:
        """Bias input I_i per unit, shape (N_total,)."""
        return np.repeat(self.I, self.N)

    def unit_ic_sd(self) -> np.ndarray:
        """Standard deviation of x_i(0) per unit: the unscaled diagonal g_aa (``docs/theory/sparse_balance.md`` §1.1)."""
        return np.repeat(np.diag(self.g), self.N)

    def as_dict(self) -> dict:
        """Plain-JSON description (lists and scalars)."""
        return dict(pops=list(self.pops), N=self.N.tolist(), K=self.K.tolist(), J=self.J.tolist(),
                    g=self.g.tolist(), sign=self.sign.tolist(), I=self.I.tolist(), nu=self.nu,
                    weights=self.weights, phi=self.phi)
