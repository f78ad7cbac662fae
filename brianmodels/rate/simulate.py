"""Entry point: simulate one sparse-balance rate network and measure it (``docs/theory/sparse_balance.md``).

``simulate_rate_network`` validates everything first, draws the weights (``connectivity_seed``)
and the initial condition ``x(0) ~ N(0, g^2)`` (``seed``, the dynamics seed of
:mod:`brianmodels.seeds`), integrates with one of three
paths that produce the same statistics, and feeds the recorded steps to the online estimators of
:mod:`brianmodels.rate.measures` (memory bounded in T for 'fast' and 'numpy').

Methods
-------
``'fast'``    activity-sparse numba kernel (cost N |A| per step; for K/N <= 0.5 the weights are
              kept in compressed sparse columns, cost ~K |A|); the default ('auto') at every
              size measured (benchmarks/bench_rate.py, benchmarks/RESULTS.md, "Rate networks").
``'numpy'``   dense ``W @ phi`` BLAS matvec in float64 (cost N K per step): the reference.
``'brian2'``  Brian2 equation strings on the C++ standalone device (:mod:`.brian2_model`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from . import activations
from .fastpath import NumpyStepper, SparseStepper
from .measures import N_REC, R_MAX_LAG, RateStatsAccumulator
from .params import DEFAULTS as D
from .params import RateNetworkSpec, _finite, check_time
from ..result import Result
from ..seeds import CONNECTIVITY_SEED, SEED
from ..seeds import to_seed
from ..units import to_int
from .weights import weight_matrix

METHODS = ("auto", "fast", "numpy", "brian2")
_CHUNK_ENTRIES = 1 << 21        # recorded entries per chunk and array (16 MiB in float64)
CSC_MAX_DENSITY = 0.5           # fast path: K/N at or below this -> compressed sparse columns


def default_method(n_total: int) -> str:
    """Path chosen by ``method='auto'`` for a network of ``n_total`` units.

    The fast path was fastest at every size measured (N = K = 500 ... 8000, see
    ``benchmarks/RESULTS.md, "Rate networks"``), so it is always chosen.
    """
    return "fast"


@dataclass
class RateResult(Result):
    """Result of :func:`simulate_rate_network` (the result convention of :mod:`brianmodels.result`).

    Attributes
    ----------
    status : int
        0 success; 1 the state diverged (non-finite currents x: statistics are NaN). See
        :attr:`STATUS`.
    message : str
        What was run (units, duration, path) and, on failure, what went wrong.
    table : pandas.DataFrame
        Tidy: one row per population (``'I'``, or ``'E'``, ``'I'`` and ``'all'``) with columns
        ``K`` (nominal in-degree, sum over presynaptic populations), ``N`` (units of the
        population), ``seed`` (dynamics seed: initial condition), ``connectivity_seed`` (weights),
        ``population`` and one column per statistic of :attr:`stats` (``phi_mean``, ``f``, ``mu``,
        ``beta`` [1/tau], ``x_mean``, ``var_eta_over_var_x``, ... ; definitions and units in
        :mod:`brianmodels.rate.measures`: currents and rates are dimensionless, times in tau).
        A statistic a population does not have (``chi_balance`` of the E-I network) is NaN.
    stats : dict
        Scalar observables of the whole network (key -> float): ``phi_mean``, ``f``, ``var_f``,
        ``mu``, ``x_mean``, ``eta_mean`` (paper sign, > 0 for net inhibition), ``tvar_x``,
        ``qvar_x``, ``tvar_eta``, ``qvar_eta``, ``var_eta_over_var_x``, ``chi2_phi``, ``chi2_x``,
        ``chi2_eta``, ``on_time_mean``, ``frac_units_on_gt_half``, ``frac_units_never_on``,
        ``n_steps_no_active``, ``chi_balance`` (x_mean/I0; single population), ``R_eta0``,
        ``beta`` (single population; per population for E-I), ... (definitions in
        :mod:`brianmodels.rate.measures`).
    stats_by_pop : dict
        Population (``'I'``, or ``'E'``, ``'I'``, ``'all'``) -> dict as ``stats``.
    R_eta : pandas.DataFrame
        Columns ``population``, ``lag`` (tau), ``R_eta``, ``R_x``: unbiased per-unit-demeaned
        autocovariances averaged over the recorded units, lags 0 .. 40 tau (exclusive).
    hist_x : pandas.DataFrame
        Columns ``population, x_left, x_right, x_center, count, density`` (recorded units).
    on_time : pandas.DataFrame
        Columns ``population, unit, on_time``: fraction of recorded time with x > 0, per unit.
    method : str
        Path used: ``'fast'``, ``'numpy'`` or ``'brian2'``.
    params : dict
        Everything that determines the run (network, T, dt, warm-up, both seeds, dtype, method).
    timing : dict
        Wall times in seconds: ``weights``, ``simulate`` (incl. online statistics), ``total``
        and for Brian2 ``build``.
    """

    STATUS = {0: "success", 1: "the state diverged (non-finite currents x); statistics are NaN"}

    stats: dict
    stats_by_pop: dict
    R_eta: pd.DataFrame
    hist_x: pd.DataFrame
    on_time: pd.DataFrame
    table: pd.DataFrame
    method: str
    params: dict
    timing: dict = field(default_factory=dict)
    status: int = 0
    message: str = "success"

    def summary(self) -> pd.DataFrame:
        """The keys and the main statistics of :attr:`table` (:func:`summary_table`)."""
        return summary_table(self.table)

    def __repr__(self):
        s = self.stats
        return (f"RateResult(status={self.status}, method={self.method!r}, phi_mean={s['phi_mean']:.4g}, "
                f"f={s['f']:.4g}, mu={s['mu']:.4g}, beta={s.get('beta', float('nan')):.4g})")


#: the leading key columns of every rate-network table (single runs and sweeps)
KEY_COLUMNS = ["K", "N", "seed", "connectivity_seed", "population"]
#: the statistics a summary shows (Figs 1, 4, 5: mean response, active fraction, beta)
SUMMARY_STATS = ["phi_mean", "f", "mu", "beta", "x_mean"]


def summary_table(table: pd.DataFrame) -> pd.DataFrame:
    """The key columns and :data:`SUMMARY_STATS` of a rate-network table (result ``summary()``)."""
    return table[[c for c in KEY_COLUMNS + SUMMARY_STATS if c in table.columns]]


def stats_table(spec: RateNetworkSpec, stats_by_pop: dict, seed: int, connectivity_seed: int) -> pd.DataFrame:
    """The tidy table of :class:`RateResult`: one row per population, one column per statistic."""
    sizes = dict(zip(spec.pops, (int(n) for n in spec.N)), all=spec.n_total)
    rows = [dict(K=int(spec.K.sum()), N=sizes[p], seed=int(seed), connectivity_seed=int(connectivity_seed),
                 population=p, **{k: float(v) for k, v in d.items()}) for p, d in stats_by_pop.items()]
    return pd.DataFrame(rows)


def make_spec(N=D.N, K=D.K, J0=D.J0, g=D.g, I0=D.I0, nu=D.nu, weights=D.weights, phi=D.phi, ei=None):
    """Build the validated :class:`~brianmodels.rate.params.RateNetworkSpec` of a call.

    ``ei=None``: single inhibitory population (N, K, J0, g, I0). ``ei=True`` or a dict of
    :meth:`RateNetworkSpec.ei` keywords (``N_E, N_I, K_E, K_I, J_EE, J_EI, J_IE, J_II, g, I_E,
    I_I``; defaults: Fig 6): the E-I network; then N, K, J0, g, I0 are ignored and ``nu``,
    ``weights``, ``phi`` apply unless given in the dict.
    """
    if ei is None or ei is False:
        return RateNetworkSpec.inhibitory(N=N, K=K, J0=J0, g=g, I0=I0, nu=nu, weights=weights, phi=phi)
    if ei is not True and not isinstance(ei, dict):
        raise TypeError(f"ei must be None, True or a dict of E-I parameters; got {type(ei).__name__}")
    kw = {} if ei is True else dict(ei)
    kw.setdefault("nu", nu)
    kw.setdefault("weights", weights)
    kw.setdefault("phi", phi)
    try:
        return RateNetworkSpec.ei(**kw)
    except TypeError as err:
        raise ValueError(f"ei: {err}") from None


def simulate_rate_network(N=D.N, K=D.K, *, J0=D.J0, g=D.g, I0=D.I0, nu=D.nu, weights=D.weights,
                          phi=D.phi, T=1000.0, dt=0.02, seed=SEED, connectivity_seed=CONNECTIVITY_SEED,
                          warmup=10.0, method="auto", ei=None, dtype=None, n_rec=N_REC,
                          max_lag=R_MAX_LAG, hist_bins=100, hist_range=None, parallel=False,
                          progress=True) -> RateResult:
    """Simulate a sparse-balance rate network (Khajeh et al. 2022, Eq 1) and measure it (§2).

    ``tau dx_i/dt = -x_i + sum_j W_ij phi(x_j) + I_i`` with tau = 1 (all times in units of tau),
    forward Euler, ``x_i(0) ~ N(0, g^2)``; ``W_ij = -J_ij`` for inhibitory sources. Everything is
    dimensionless (time in units of tau). Defaults: :data:`brianmodels.rate.params.DEFAULTS`
    (shared with :func:`meanfield.dmft`), seeds :data:`brianmodels.seeds.SEED` and
    :data:`~brianmodels.seeds.CONNECTIVITY_SEED`.

    Parameters
    ----------
    N : int
        Number of units (> 0).
    K : int
        In-degree, ``1 <= K <= N``. ``K == N``: all-to-all (self-couplings kept); ``K < N``:
        Bernoulli(K/N) connections (binomial in-degree).
    J0 : float
        Mean-weight parameter (>= 0): mean weight magnitude ``J0/sqrt(K)``. For binary weights
        ``J0/sqrt(K) <= 1`` (it is the connection probability).
    g : float
        Weight-spread parameter (>= 0): weight sd ``g K^(-nu/2)``; also the sd of x(0).
    I0 : float
        Bias input (order 1).
    nu : float
        Variance exponent: 0.5 high variance (sparse balance), 1 low variance.
    weights : {'gamma', 'lognormal', 'normal', 'bernoulli'}
        Weight distribution (``docs/theory/sparse_balance.md`` §1.3).
    phi : {'tanh', 'heaviside', 'relu', 'quadratic'}
        Response function: rectified tanh (Eq 2) or ``[x]_+^lambda``, lambda = 0, 1, 2 (Eq 3).
    T : float
        Recorded duration after the warm-up (tau), ``T >= dt``.
    dt : float
        Euler step (tau), ``0 < dt <= 0.05``.
    seed : int
        Dynamics seed (>= 0): the initial condition x(0) (the network has no noise).
    connectivity_seed : int
        Network realisation (>= 0): the connections and the random weights.
    warmup : float
        Discarded transient (tau), default 10.
    method : {'auto', 'fast', 'numpy', 'brian2'}
        Simulation path (module docstring). 'auto' uses :func:`default_method`.
    ei : None, True or dict
        E-I network of Fig 6 instead of the inhibitory one (see :func:`make_spec`).
    dtype : {'float32', 'float64'}, optional
        Storage of W for the fast path (default float32: same statistics, half the memory traffic,
        see benchmarks/RESULTS.md, "Rate networks"); 'numpy' and 'brian2' always use float64.
    n_rec : int
        Units per population used for R and the histogram (first ``min(n_rec, N_pop)``).
    max_lag : float
        R is computed for lags in ``[0, max_lag)`` tau (default 40; finite, >= dt).
    hist_bins : int
        Bins of the x histogram (>= 1).
    hist_range : (float, float), optional
        Range (lo < hi, finite) of the x histogram (default: from the first recorded chunk).
    parallel : bool
        Fast path: split rows over numba threads (on 2 shared cores the gain is small).
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    RateResult
        ``table``: one row per population (keys ``K, N, seed, connectivity_seed, population``
        and the statistics); ``status``, ``message``, ``params`` (result convention).

    Raises
    ------
    ValueError, TypeError
        For any invalid parameter, before weights are drawn or code compiled
        (:func:`check_args`).

    Examples
    --------
    The Fig 5 network (Gaussian weights, J0 = 3) against its DMFT (runs a simulation: numba
    compiles its kernels on the first call):

    >>> from brianmodels import simulate_rate_network
    >>> from meanfield import compare, dmft
    >>> res = simulate_rate_network(N=1000, K=1000, J0=3.0, weights="normal", T=300.0,
    ...                             seed=1, connectivity_seed=1)       # doctest: +SKIP
    >>> res.table[["population", "phi_mean", "f", "beta"]]              # doctest: +SKIP
    >>> print(compare(res, dmft(K=1000, J0=3.0)).report())              # doctest: +SKIP

    The gallery example *Rate networks against the DMFT* (``examples/plot_rate_vs_dmft.py``)
    runs such networks for several K and compares them with the theory.
    """
    c = check_args(N=N, K=K, J0=J0, g=g, I0=I0, nu=nu, weights=weights, phi=phi, T=T, dt=dt,
                   seed=seed, connectivity_seed=connectivity_seed, warmup=warmup, method=method, ei=ei, dtype=dtype,
                   n_rec=n_rec, max_lag=max_lag, hist_bins=hist_bins, hist_range=hist_range,
                   parallel=parallel, progress=progress)
    spec, T, dt, warmup, method, dtype = (c[k] for k in ("spec", "T", "dt", "warmup", "method",
                                                         "dtype"))
    seed, connectivity_seed, n_rec, max_lag, hist_bins, hist_range, parallel = (
        c[k] for k in ("seed", "connectivity_seed", "n_rec", "max_lag", "hist_bins", "hist_range",
                       "parallel"))
    n_steps = int(round(T / dt))
    n_warm = int(round(warmup / dt))
    act = activations.get(spec.phi)

    timing = {}
    t0 = time.perf_counter()
    W = weight_matrix(spec, connectivity_seed, dtype)
    x0 = initial_condition(spec, seed)
    timing["weights"] = time.perf_counter() - t0

    acc = RateStatsAccumulator(spec.slices, act, dt, dict(zip(spec.pops, spec.I)), n_rec=n_rec,
                               max_lag=max_lag, hist_bins=hist_bins, hist_range=hist_range)
    t1 = time.perf_counter()
    if method == "brian2":
        from . import brian2_model
        info = brian2_model.run(spec, W, x0, dt, n_warm, n_steps, acc, progress=progress)
        timing.update(info)
    else:
        if method == "fast":
            if not spec.dense and float((spec.K / spec.N).max()) <= CSC_MAX_DENSITY:
                import scipy.sparse
                W = scipy.sparse.csc_matrix(W)          # K < N: stream only the nonzeros
                parallel = False
            stepper = SparseStepper(W, x0, spec.unit_input(), dt, act.code, parallel=parallel)
        else:
            stepper = NumpyStepper(W, x0, spec.unit_input(), dt, act.numpy)
        _run_chunks(stepper, spec.n_total, n_warm, n_steps, acc, progress)
    timing["simulate"] = time.perf_counter() - t1
    fin = acc.finalize()
    timing["total"] = time.perf_counter() - t0

    params = dict(spec.as_dict(), T=T, dt=dt, warmup=warmup, seed=int(seed),
                  connectivity_seed=int(connectivity_seed), method=method, dtype=str(dtype), n_rec=n_rec,
                  max_lag=float(max_lag))
    main = "all" if "all" in fin.stats else spec.pops[0]
    table = stats_table(spec, fin.stats, seed, connectivity_seed)
    message = (f"simulated {spec.n_total} units ({', '.join(spec.pops)}) for T = {T:g} tau after a "
               f"{warmup:g} tau warm-up (dt = {dt:g}, {method} path, seed {seed}, connectivity_seed "
               f"{connectivity_seed})")
    diverged = not all(np.isfinite(d["x_mean"]) for d in fin.stats.values())
    status = 1 if diverged else 0
    if diverged:
        message = RateResult.STATUS[1] + ": " + message
    return RateResult(stats=dict(fin.stats[main]), stats_by_pop=fin.stats, R_eta=fin.R, hist_x=fin.hist_x,
                      on_time=fin.on_time, table=table, method=method, params=params, timing=timing,
                      status=status, message=message)


def check_args(N=D.N, K=D.K, *, J0=D.J0, g=D.g, I0=D.I0, nu=D.nu, weights=D.weights, phi=D.phi,
               T=1000.0, dt=0.02, seed=SEED, connectivity_seed=CONNECTIVITY_SEED, warmup=10.0,
               method="auto", ei=None, dtype=None, n_rec=N_REC, max_lag=R_MAX_LAG, hist_bins=100,
               hist_range=None, parallel=False, progress=True) -> dict:
    """Validate every argument of :func:`simulate_rate_network` (no weights drawn, nothing run).

    Returns
    -------
    dict
        The validated values under the argument names (``spec``: the
        :class:`~brianmodels.rate.params.RateNetworkSpec`; ``method`` resolved from 'auto';
        ``dtype`` a numpy dtype).

    Raises
    ------
    TypeError, ValueError
        Naming the parameter and its allowed range.
    """
    spec = make_spec(N, K, J0, g, I0, nu, weights, phi, ei)
    T, dt, warmup = check_time(T, dt, warmup)
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method must be one of {list(METHODS)}; got {method!r}")
    seed = to_seed(seed, "seed")
    connectivity_seed = to_seed(connectivity_seed, "connectivity_seed")
    n_rec = to_int(n_rec, "n_rec", lo=1)
    max_lag = _finite(max_lag, "max_lag (tau)", lo=dt)
    hist_bins = to_int(hist_bins, "hist_bins", lo=1)
    if hist_range is not None:
        if isinstance(hist_range, str) or np.ndim(hist_range) != 1 or len(hist_range) != 2:
            raise TypeError(f"hist_range must be None or a pair (lo, hi); got {hist_range!r}")
        lo, hi = (_finite(v, "hist_range") for v in hist_range)
        if not lo < hi:
            raise ValueError(f"hist_range must be (lo, hi) with lo < hi; got {hist_range!r}")
        hist_range = (lo, hi)
    for name, flag in (("parallel", parallel), ("progress", progress)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False; got {flag!r}")
    if method == "auto":
        method = default_method(spec.n_total)
    if dtype is None:
        dtype = "float32" if method == "fast" else "float64"
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be 'float32' or 'float64'; got {dtype!r}") from None
    if dtype not in (np.dtype("float32"), np.dtype("float64")):
        raise ValueError(f"dtype must be 'float32' or 'float64'; got {dtype}")
    if method != "fast":
        dtype = np.dtype("float64")
    if method == "brian2":
        from . import brian2_model
        brian2_model.check_memory(spec.n_total, int(round(T / dt)))
    return dict(spec=spec, T=T, dt=dt, warmup=warmup, method=method, seed=seed,
                connectivity_seed=connectivity_seed,
                n_rec=n_rec, max_lag=max_lag, hist_bins=hist_bins, hist_range=hist_range,
                parallel=bool(parallel), dtype=dtype)


def initial_condition(spec: RateNetworkSpec, seed: int) -> np.ndarray:
    """``x_i(0) = g_aa xi_i``, ``xi_i ~ N(0, 1)`` from ``default_rng([seed, 7])`` (``docs/theory/sparse_balance.md`` §1.1).

    ``seed`` is the dynamics seed (:mod:`brianmodels.seeds`)."""
    rng = np.random.default_rng([int(seed), 7])
    return spec.unit_ic_sd() * rng.standard_normal(spec.n_total)


def _run_chunks(stepper, n, n_warm, n_steps, acc, progress):
    chunk = max(1, min(n_steps, _CHUNK_ENTRIES // n))
    X = np.empty((chunk, n))
    E = np.empty((chunk, n))
    with tqdm(total=n_warm + n_steps, desc="rate network", unit="step", disable=not progress,
              leave=False) as bar:
        done = 0
        while done < n_warm:
            k = min(chunk * 4, n_warm - done)
            stepper.advance(k)
            done += k
            bar.update(k)
        done = 0
        while done < n_steps:
            k = min(chunk, n_steps - done)
            stepper.advance(k, X[:k], E[:k])
            acc.update(X[:k], E[:k])
            done += k
            bar.update(k)
