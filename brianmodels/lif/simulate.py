"""One simulation of a LIF E-I network: ``simulate(net, mu_ext=20.0, duration=12*second, ...)``.

The model is compiled once per structure (:mod:`brianmodels.lif.build`, cached on disk) and
re-run with new values — a new duration included (it is a step count given at run time, see
:func:`run_args`); this module turns a :class:`~brianmodels.network.LIFNetwork`, an input
protocol and a seed into the compiled binary's run-time arguments, and its outputs into a
:class:`~brianmodels.lif.result.SimulationResult` measured with :mod:`brianmodels.lif.analysis`.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import analysis, build, engine, fastrng, inputs
from .result import SimulationResult
from ..network import LIFNetwork, POPULATIONS
from ..units import to_float

#: Default time step (s): 0.05 ms, as in most figures of the paper (theory §1).
DEFAULT_DT = 5e-5
#: Default bin of the population-rate trace (s).
DEFAULT_RATE_BIN = 1e-3
#: Default spacing of time-dependent input tables (s).
DEFAULT_INPUT_DT = 1e-3
#: Default number of neurons per population whose spikes are recorded (for CV_ISI; §12 uses 1000).
DEFAULT_RECORD_SPIKES = 1000
_NEURON_PARAMS = {"mu": "drive", "sigma": "noise", "tau": "time", "theta": "voltage",
                  "v_reset": "voltage", "t_ref": "time"}


@dataclass(frozen=True)
class Settings:
    """Validated run settings (all but ``duration`` are structural: changing one means
    another build; a time-dependent input table's length is bucketed by duration).

    Attributes
    ----------
    dt, duration : float
        Time step and total simulated time (s; ``duration`` is a run-time value).
    rate_bin : float
        Population-rate bin (s).
    input_dt : float
        Spacing of time-dependent input tables (s).
    record_spikes, record_currents : (int, int)
        Recorded E and I neurons.
    timed : bool
        Time-dependent input (TimedArray) rather than constant per-neuron drive.
    poisson : dict or None
        Extra Poisson input populations (structure only: sizes and in-degrees).
    """

    dt: float
    duration: float
    rate_bin: float
    input_dt: float
    record_spikes: tuple
    record_currents: tuple
    timed: bool
    poisson: dict | None = None
    synapses: str = "compressed"

    @property
    def n_steps(self) -> int:
        """Time steps of the run (``duration / dt``, an integer by validation)."""
        return int(round(self.duration / self.dt))

    @property
    def input_samples(self) -> int:
        """Samples of the time-dependent input table the run reads (0 for constant input)."""
        return int(math.ceil(self.duration / self.input_dt - 1e-9)) if self.timed else 0

    def spec(self, net):
        return build.model_spec(net, dt=self.dt, duration=self.duration,
                                timed_input_samples=self.input_samples,
                                input_dt=self.input_dt if self.timed else None,
                                rate_bin=self.rate_bin, record_spikes=self.record_spikes,
                                record_currents=self.record_currents, poisson=self.poisson,
                                synapses=self.synapses)


def _time(value, name, *, positive=True):
    x = to_float(value, "time", name)
    if np.ndim(x):
        raise ValueError(f"{name} must be a scalar time")
    if positive and not x > 0:
        raise ValueError(f"{name} must be > 0 s; got {x}")
    if not positive and x < 0:
        raise ValueError(f"{name} must be >= 0 s; got {x}")
    return float(x)


def _counts(value, net, name):
    if value is None or value is False:
        return (0, 0)
    if isinstance(value, str):
        if value != "all":
            raise ValueError(f"{name} must be an int, (n_E, n_I), 'all' or None; got {value!r}")
        return tuple(int(n) for n in net.N)
    v = np.broadcast_to(np.asarray(value), (2,))
    if not np.all(v == np.round(v)) or np.any(v < 0):
        raise ValueError(f"{name} must be non-negative integers; got {value!r}")
    return tuple(int(min(n, N)) for n, N in zip(v, net.N))


def check_network(net):
    """Validate ``net`` as a simulable LIFNetwork (TypeError/ValueError naming the problem)."""
    if not isinstance(net, LIFNetwork):
        raise TypeError(f"net must be a brianmodels.network.LIFNetwork; got {type(net).__name__}")
    too_big = net.K > np.array([[net.N[0] - 1, net.N[1]], [net.N[0], net.N[1] - 1]])
    if np.any(too_big):
        raise ValueError(f"in-degrees K={net.K.tolist()} exceed the source populations "
                         f"N={net.N.tolist()} (K_XY <= N_Y, minus 1 within a population)")
    return net


def settings(net, *, duration, dt=None, rate_bin=None, input_dt=None, record_spikes=None,
             record_currents=None, timed=False, poisson=None, synapses="compressed"):
    """Validate and collect the structural settings (see :class:`Settings`)."""
    check_network(net)
    if synapses not in ("compressed", "brian2"):
        raise ValueError(f"synapses must be 'compressed' or 'brian2'; got {synapses!r}")
    dt = DEFAULT_DT if dt is None else _time(dt, "dt")
    duration = _time(duration, "duration")
    rate_bin = DEFAULT_RATE_BIN if rate_bin is None else _time(rate_bin, "rate_bin")
    input_dt = DEFAULT_INPUT_DT if input_dt is None else _time(input_dt, "input_dt")
    for name, v in (("duration", duration), ("rate_bin", rate_bin), ("input_dt", input_dt)):
        if v < dt or abs(v / dt - round(v / dt)) > 1e-6:
            raise ValueError(f"{name} must be a positive multiple of dt={dt} s; got {v}")
    if round(duration / dt) > build.MAX_STEPS:
        raise ValueError(f"duration/dt must be at most {build.MAX_STEPS} steps; "
                         f"got {duration / dt:.3g}")
    return Settings(dt=dt, duration=duration, rate_bin=rate_bin, input_dt=input_dt,
                    record_spikes=_counts(DEFAULT_RECORD_SPIKES if record_spikes is None
                                          else record_spikes, net, "record_spikes"),
                    record_currents=_counts(record_currents, net, "record_currents"),
                    timed=bool(timed), poisson=poisson, synapses=synapses)


def _seed(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be a non-negative integer; got {value!r}")
    if not 0 <= int(value) < 2**63:
        raise ValueError(f"{name} must be in [0, 2**63); got {value}")
    return int(value)


@dataclass
class Point:
    """One simulation of a sweep: input, seeds and run-time parameter values.

    Attributes
    ----------
    protocol : inputs.Constant, inputs.PiecewiseLinear or inputs.Sampled
    seed : int
        Noise and initial-condition seed.
    connectivity_seed : int
        Seed of the connectivity and delays.
    net : LIFNetwork
        Network with this point's values (same structure as the build's).
    warmup : float
        Start of the measurement window (s).
    neuron_params : dict
        Per-neuron overrides ``{'mu', 'sigma', 'tau', 'theta', 'v_reset', 't_ref'}`` -> (N,) arrays.
    poisson_rates : (n_inputs,) float or None
        Rates of the Poisson input populations (Hz).
    poisson_weights : (n_inputs, 2) float or None
        Weights of the Poisson inputs onto E and I (mV).
    synapse_weights : dict
        Per-synapse recurrent weights, pathway -> (N_target * K,) float64 (mV), validated by
        :func:`check_synapse_weights`; pathways not in it keep ``net.j``.
    labels : dict
        Extra columns for the result table (sweep values).
    """

    protocol: object
    seed: int
    connectivity_seed: int
    net: LIFNetwork
    warmup: float
    neuron_params: dict = field(default_factory=dict)
    poisson_rates: object = None
    poisson_weights: object = None
    synapse_weights: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)


def check_neuron_params(neuron_params, net):
    """Validate per-neuron overrides (name -> (N_E + N_I,) values in package units)."""
    out = {}
    for k, v in (neuron_params or {}).items():
        if k not in _NEURON_PARAMS:
            raise ValueError(f"neuron_params keys must be among {sorted(_NEURON_PARAMS)}; got {k!r}")
        arr = np.broadcast_to(to_float(v, _NEURON_PARAMS[k], f"neuron_params[{k!r}]"),
                              (net.N_total,)).astype(float)
        if k in ("tau", "sigma") and np.any(arr <= 0):
            raise ValueError(f"neuron_params[{k!r}] must be > 0")
        if k == "t_ref" and np.any(arr < 0):
            raise ValueError("neuron_params['t_ref'] must be >= 0 s")
        out[k] = arr
    return out


def check_synapse_weights(synapse_weights, net, synapses="compressed"):
    """Validate per-synapse recurrent weights (before any compile).

    Parameters
    ----------
    synapse_weights : dict or None
        Pathway (``'EE'``, ``'EI'``, ``'IE'``, ``'II'``: target then source) -> weights in mV
        (finite, >= 0, magnitudes: the sign comes from the source population), one per
        synapse, shape ``(N_target * K,)`` (or ``(N_target, K)``) in the order of
        :func:`brianmodels.lif.engine.connections`.
    net : LIFNetwork
    synapses : {'compressed', 'brian2'}
        Only the compressed engine takes per-synapse weights.

    Returns
    -------
    dict
        Pathway -> read-only float64 arrays (empty for None).

    Raises
    ------
    TypeError, ValueError
        Naming ``synapse_weights`` and the allowed values.
    """
    w = engine.check_weights(synapse_weights, net.N, net.K)
    if w and synapses != "compressed":
        raise ValueError(f"synapse_weights need synapses='compressed' (the bm_syn.h engine); "
                         f"got synapses={synapses!r}")
    return w


# ------------------------------------------------------------------------------ run-time values
def run_args(point: Point, st: Settings, spec: dict) -> dict:
    """The compiled model's run-time arguments for ``point`` (``'group.var'`` -> values)."""
    net, dt = point.net, st.dt
    NE, NI = (int(n) for n in net.N)
    pop = np.r_[np.zeros(NE, int), np.ones(NI, int)]
    p = {k: net_v[pop] for k, net_v in (("tau", net.tau), ("sigma", net.sigma_ext),
                                          ("theta", net.theta), ("v_reset", net.v_reset),
                                          ("t_ref", net.t_ref))}
    p.update(point.neuron_params)
    if np.any(p["theta"] <= p["v_reset"]):
        raise ValueError("theta must be above v_reset for every neuron")
    if np.any(p["t_ref"] > 0) and not spec["refractory"]:
        raise ValueError("t_ref > 0 needs a build with refractoriness (a network with t_ref > 0)")
    a = {
        "neurons.decay": np.exp(-dt / p["tau"]),
        "neurons.sig_sqdt": p["sigma"] * math.sqrt(dt),
        "neurons.theta": p["theta"],
        "neurons.v_reset": p["v_reset"],
        "neurons.wE": net.j[pop, 0].astype(float),
        "neurons.wI": net.j[pop, 1].astype(float),
        "neurons.noise_seed": np.int32(fastrng.derive_seed(point.seed, "noise")),
        "neurons.t_warm": float(point.warmup),
        "neurons.n_steps": np.int32(st.n_steps),  # the duration: a run-time step count
    }
    if spec["refractory"]:
        a["neurons.t_ref"] = p["t_ref"]
    for y, Y in enumerate(POPULATIONS):
        if Y in build.exp_sources(spec):
            ts = net.tau_s[pop, y]
            exp_path = net.synapse[pop, y] == "exp"
            ds = np.where(exp_path, np.exp(-dt / np.where(ts > 0, ts, 1.0)), 0.0)
            a[f"neurons.ds{Y}"] = ds
            a[f"neurons.a{Y}"] = net.j[pop, y] * (1.0 - ds)  # Eq 11: total effect = area j
    if st.timed:
        n, rows = st.input_samples, spec["timed_input_rows"]
        if n > rows:
            raise ValueError(f"the build's input table has {rows} rows; this run needs {n}")
        tmid = (np.arange(n) + 0.5) * st.input_dt
        table = point.protocol.at(tmid) * dt  # mV per step
        # rows past the run's end are never read; they hold the last value (as the
        # TimedArray does beyond its end)
        a["mu_table.values"] = np.concatenate([table, np.repeat(table[-1:], rows - n, axis=0)])
        if "mu" in point.neuron_params:
            raise ValueError("per-neuron mu needs constant input (no protocol)")
    else:
        mu = point.neuron_params.get("mu")
        if mu is None:
            mu = point.protocol.mean(0.0, st.duration)[pop]
        a["neurons.mu_dt"] = mu * dt
    rng = np.random.default_rng([point.seed, 1])
    a["neurons.v"] = p["v_reset"] + rng.random(NE + NI) * (p["theta"] - p["v_reset"])
    if spec["poisson"]:
        n_in = spec["poisson"]["N"]
        rates = np.broadcast_to(np.asarray(point.poisson_rates if point.poisson_rates is not None
                                           else 0.0, float), (len(n_in),))
        wts = np.broadcast_to(np.asarray(point.poisson_weights, float), (len(n_in), 2))
        a["poisson.rate_dt"] = np.repeat(rates * dt, n_in)
        a["poisson.wout_E"] = np.repeat(wts[:, 0], n_in)
        a["poisson.wout_I"] = np.repeat(wts[:, 1], n_in)
        a["poisson.poisson_seed"] = np.int32(fastrng.derive_seed(point.seed, "poisson"))
    return a


def _delays(net, b):
    """Pathway ('EE', target then source) -> (delay_min, delay_max) s, for pathways with delays."""
    spec = b.spec
    return {f"{X}{Y}": (float(net.delay_min[x, y]), float(net.delay_max[x, y]))
            for x, X in enumerate(POPULATIONS) for y, Y in enumerate(POPULATIONS)
            if spec["has_delay"][x][y] and spec["K"][x][y] > 0}


# ------------------------------------------------------------------------------ measurements
def _measure(point: Point, st: Settings, b: build.Build, out: dict, index: int):
    net = point.net
    NE, NI = (int(n) for n in net.N)
    T0, T1 = point.warmup, st.duration
    T = T1 - T0
    nspk = out["neurons.nspk"].astype(float)
    mean_in = point.protocol.mean(T0, T1)
    I_E_all = out["neurons.sE"] / T
    I_I_all = -out["neurons.sI"] / T
    rows, rate_frames, spike_frames, cur_frames = [], [], [], []
    counts, tmon = out["ratemon.count"], out["ratemon.t"]
    for x, X in enumerate(POPULATIONS):
        sl = slice(0, NE) if x == 0 else slice(NE, NE + NI)
        rates = nspk[sl] / T
        mu_ext = point.neuron_params["mu"][sl] if "mu" in point.neuron_params else mean_in[x]
        ext = mu_ext + _poisson_mean(point, b.spec, x)
        bf = analysis.balance_factor(I_E_all[sl], I_I_all[sl], ext)
        row = {"point": index, "population": X, "mu_E": mean_in[0], "mu_I": mean_in[1],
               "rate": rates.mean(), "rate_std": rates.std(),
               "input_E": I_E_all[sl].mean(), "input_I": -I_I_all[sl].mean(),
               "input_ext": float(np.mean(ext)),
               "v_end_mean": out["neurons.v"][sl].mean(), "v_end_std": out["neurons.v"][sl].std(),
               "bf_mean": np.nanmean(bf) if np.any(np.isfinite(bf)) else np.nan,
               "bf_median": np.nanmedian(bf) if np.any(np.isfinite(bf)) else np.nan,
               "bf_std": np.nanstd(bf) if np.any(np.isfinite(bf)) else np.nan}
        key = f"spikes_{X}"
        nrec = st.record_spikes[x]
        if nrec:
            i, t = out[f"{key}.i"].astype(np.int64), out[f"{key}.t"]
            stats = analysis.isi_statistics(i, t, nrec, t_start=T0, t_stop=T1)
            cv = stats.cv
            ok = np.isfinite(cv)
            row.update(cv_isi_mean=cv[ok].mean() if ok.any() else np.nan,
                       cv_isi_median=np.median(cv[ok]) if ok.any() else np.nan,
                       cv_isi_fraction=ok.mean())
            spike_frames.append(pd.DataFrame({"point": index, "population": X,
                                              "neuron": i.astype(np.int32), "t": t}))
        else:
            row.update(cv_isi_mean=np.nan, cv_isi_median=np.nan, cv_isi_fraction=np.nan)
        row.update(seed=point.seed, connectivity_seed=point.connectivity_seed, t_start=T0,
                   t_stop=T1, duration=st.duration, dt=st.dt, N=int(net.N[x]),
                   wall_seconds=out["wall_seconds"],
                   run_seconds=out.get("run_seconds", np.nan), **point.labels)
        rows.append(row)
        if len(tmon) > 1:  # record k (k >= 1) counts the spikes of [t_k - bin, t_k)
            t_start = tmon[1:] - st.rate_bin
            rate_frames.append(pd.DataFrame({
                "point": index, "population": X, "t": t_start,
                "rate": counts[1:, x] / (net.N[x] * st.rate_bin),
                "mu": point.protocol.at(t_start + st.rate_bin / 2)[:, x]}))
    if "currmon.t" in out and len(out["currmon.t"]) > 1:
        tc = out["currmon.t"]
        dtc = np.diff(tc)
        for k, (cumE, cumI) in enumerate(zip(out["currmon.sE"].T, out["currmon.sI"].T)):
            x = 0 if k < st.record_currents[0] else 1
            nrn = k if x == 0 else k - st.record_currents[0]
            cur_frames.append(pd.DataFrame({
                "point": index, "population": POPULATIONS[x], "neuron": nrn, "t": tc[:-1],
                "I_E": np.diff(cumE) / dtc, "I_I": -np.diff(cumI) / dtc}))
    return SimulationResult(
        table=pd.DataFrame(rows),
        rates=pd.concat(rate_frames, ignore_index=True) if rate_frames else
        pd.DataFrame(columns=["point", "population", "t", "rate", "mu"]),
        spikes=pd.concat(spike_frames, ignore_index=True) if spike_frames else None,
        currents=pd.concat(cur_frames, ignore_index=True) if cur_frames else None)


def _poisson_mean(point, spec, x):
    """Mean drive (mV/s) of the Poisson inputs onto population x: sum_k K_xk w_kx nu_k."""
    if not spec["poisson"]:
        return 0.0
    rates = np.broadcast_to(np.asarray(point.poisson_rates if point.poisson_rates is not None
                                       else 0.0, float), (len(spec["poisson"]["N"]),))
    w = np.broadcast_to(np.asarray(point.poisson_weights, float), (len(rates), 2))[:, x]
    return float(np.sum(np.asarray(spec["poisson"]["K"][x]) * w * rates))


def run_point(b: build.Build, st: Settings, point: Point, index: int = 0,
              workdir=None) -> SimulationResult:
    """Run the compiled build ``b`` once for ``point`` and measure (no compile)."""
    files = build.connectivity_files(b, point.connectivity_seed, _delays(point.net, b),
                                     point.synapse_weights)
    out = build.run_binary(b, run_args(point, st, b.spec), files, workdir=workdir)
    return _measure(point, st, b, out, index)


def params_dict(net, st: Settings, **extra):
    """JSON-able description of a simulation (network + settings + extra)."""
    d = {"network": net.to_dict(), "settings": {
        "dt": st.dt, "duration": st.duration, "rate_bin": st.rate_bin, "input_dt": st.input_dt,
        "record_spikes": list(st.record_spikes), "record_currents": list(st.record_currents),
        "timed_input": st.timed, "poisson": st.poisson}}
    d.update(extra)
    return d


def poisson_structure(poisson_inputs, net):
    """Validate ``poisson_inputs`` and split it into build structure and run-time weights.

    Parameters
    ----------
    poisson_inputs : dict or list of dict or None
        Each ``{'N': int, 'p': float or (p_E, p_I), 'j': float or (j_E, j_I)}`` (sizes, connection
        probabilities onto E and I, weights in mV), e.g. ``presets.XOR_INPUTS``.

    Returns
    -------
    structure : dict or None
        ``{'N': [...], 'K': [[K_E1, ...], [K_I1, ...]]}``.
    weights : (n, 2) array or None
    """
    if poisson_inputs is None:
        return None, None
    items = [poisson_inputs] if isinstance(poisson_inputs, dict) else list(poisson_inputs)
    Ns, Ks, W = [], [[], []], []
    for k, it in enumerate(items):
        n = int(it["N"])
        if n <= 0:
            raise ValueError(f"poisson_inputs[{k}]['N'] must be > 0; got {n}")
        p = np.broadcast_to(np.asarray(it["p"], float), (2,))
        if np.any((p < 0) | (p > 1)):
            raise ValueError(f"poisson_inputs[{k}]['p'] must be in [0, 1]; got {p.tolist()}")
        w = np.broadcast_to(np.asarray(it["j"], float), (2,))
        if np.any(w < 0) or not np.all(np.isfinite(w)):
            raise ValueError(f"poisson_inputs[{k}]['j'] must be finite and >= 0 mV")
        Ns.append(n)
        for x in range(2):
            Ks[x].append(int(np.rint(p[x] * n)))
        W.append(w)
    return {"N": Ns, "K": Ks}, np.array(W)


def simulate(net, mu_ext=None, r=None, *, mu_I=None, protocol=None, duration=12.0, warmup=2.0,
             seed=1, connectivity_seed=None, dt=None, rate_bin=None, input_dt=None,
             record_spikes=None, record_currents=None, neuron_params=None,
             poisson_inputs=None, poisson_rates=None, synapse_weights=None,
             synapses="compressed", progress=True) -> SimulationResult:
    """Simulate a LIF E-I network once (compiling it only if no cached build exists).

    Parameters
    ----------
    net : LIFNetwork
        The network (e.g. ``presets.get('supersaturating')``).
    mu_ext : float or Brian2 quantity
        Constant external drive of E in mV/s (``mu_I = r * mu_ext`` unless ``mu_I`` is given).
    r : float, optional
        Input ratio mu_I / mu_E (default 1).
    mu_I : float or Brian2 quantity, optional
        Constant drive of I in mV/s.
    protocol : input protocol, optional
        Time-dependent input instead of ``mu_ext`` (:func:`inputs.ramp`, :func:`inputs.from_preset`,
        :class:`inputs.Sampled`).
    duration : float or Brian2 quantity
        Total simulated time (s), warm-up included; a multiple of ``dt``. A run-time value:
        another duration reuses the compiled build, and with the same seed a shorter run's
        spikes are the first part of a longer one's.
    warmup : float or Brian2 quantity
        Time (s) excluded from rates, CV_ISI and balance factors.
    seed : int
        Noise and initial-condition seed; the same seed gives the same spikes.
    connectivity_seed : int, optional
        Seed of the connectivity (default: ``seed``).
    dt : float or Brian2 quantity, optional
        Time step (s), default 0.05 ms.
    rate_bin : float, optional
        Bin of the population-rate trace (s), default 1 ms.
    input_dt : float, optional
        Sampling of time-dependent inputs (s), default 1 ms.
    record_spikes : int, (int, int), 'all' or None
        Neurons per population whose spikes are kept (default 1000; CV_ISI uses them).
    record_currents : int or (int, int), optional
        Neurons per population whose recurrent E and I inputs are recorded per rate bin.
    neuron_params : dict, optional
        Per-neuron values overriding the network's: ``mu`` (mV/s), ``sigma`` (mV/sqrt(s)),
        ``tau`` (s), ``theta``, ``v_reset`` (mV), ``t_ref`` (s); arrays of length N_E + N_I.
        Used e.g. for F-I curves of unconnected neurons (:func:`fi_curve`).
    poisson_inputs : dict or list of dict, optional
        Extra Poisson input populations (e.g. ``presets.XOR_INPUTS``), see
        :func:`poisson_structure`.
    poisson_rates : float or sequence, optional
        Rates of the Poisson input populations in Hz.
    synapse_weights : dict, optional
        Heterogeneous recurrent weights: pathway (``'EE'``, ``'EI'``, ``'IE'``, ``'II'``,
        target then source) -> one weight per synapse in mV (magnitudes >= 0; the sign comes
        from the source population), an array of ``N_target * K`` values in the synapse order
        of :func:`brianmodels.lif.engine.connections` ``(net, connectivity_seed)`` (post-major:
        target t's inputs at ``t K .. (t+1) K - 1``). Pathways not given keep ``net.j``.
        Run-time values (a new set of weights writes a connectivity file, never a new build);
        compressed synapses only. Exponential synapses get area ``w`` per spike (Eq 11), and
        ``input_E`` / ``input_I`` and balance factors count ``w``.
    synapses : {'compressed', 'brian2'}
        Recurrent synapses as compressed connectivity propagated by ``bm_syn.h`` (default:
        4 bytes per synapse, fast start-up; :mod:`brianmodels.lif.engine`) or as Brian2
        ``Synapses`` objects (~42 bytes per synapse; same spikes without delays).
    progress : bool
        Report compilation on stderr.

    Returns
    -------
    SimulationResult
        ``.table`` has one row per population with ``population``, ``rate`` (Hz, after the
        warm-up), CV_ISI and balance-factor statistics, inputs, seed, duration, ...;
        ``.params`` describes the run, with ``build_key`` (the compiled build's cache key),
        ``compiled`` (True if this call compiled it, False for a cache hit) and
        ``synapse_weights`` (pathway -> mean, std in mV and a digest; {} without).

    Raises
    ------
    TypeError, ValueError
        Invalid arguments, before anything is compiled.
    """
    proto = inputs.resolve(mu_ext, r, mu_I, protocol)
    pstruct, pweights = poisson_structure(poisson_inputs, net) if isinstance(net, LIFNetwork) \
        else (None, None)
    st = settings(net, duration=duration, dt=dt, rate_bin=rate_bin, input_dt=input_dt,
                  record_spikes=record_spikes, record_currents=record_currents,
                  timed=proto.timed, poisson=pstruct, synapses=synapses)
    warm = _time(warmup, "warmup", positive=False)
    if warm >= st.duration:
        raise ValueError(f"warmup must be shorter than duration ({st.duration} s); got {warm}")
    seed = _seed(seed, "seed")
    cseed = seed if connectivity_seed is None else _seed(connectivity_seed, "connectivity_seed")
    sw = check_synapse_weights(synapse_weights, net, st.synapses)
    point = Point(protocol=proto, seed=seed, connectivity_seed=cseed, net=net, warmup=warm,
                  neuron_params=check_neuron_params(neuron_params, net),
                  poisson_rates=poisson_rates, poisson_weights=pweights, synapse_weights=sw)
    b = build.get_build(st.spec(net), progress=progress)
    res = run_point(b, st, point)
    res.params = params_dict(net, st, warmup=warm, seed=seed, connectivity_seed=cseed,
                             input=proto.to_dict(), build_key=b.directory.name,
                             compiled=not b.cached, synapse_weights=engine.weights_summary(sw))
    return res


def fi_curve(mu, sigma=3.0, tau=0.02, *, t_ref=0.0, theta=1.0, v_reset=0.0, n_per_point=100,
             duration=10.0, warmup=0.5, dt=None, seed=1, progress=True):
    """Single-neuron F-I curve (Fig 1B): unconnected neurons, each at its own (mu, sigma, tau).

    All points run in ONE simulation: ``n_per_point`` independent neurons per point, every
    neuron with its own drive, noise, time constant, threshold, reset and refractory period.

    Parameters
    ----------
    mu : array_like
        Drives in mV/s, one per point; the other per-point arguments broadcast against it.
    sigma : array_like
        Noise intensities in mV/sqrt(s) (> 0).
    tau : array_like
        Membrane time constants in s (> 0).
    t_ref : array_like
        Refractory periods in s (>= 0).
    theta, v_reset : array_like
        Threshold and reset in mV (theta > v_reset).
    n_per_point : int
        Neurons per point (>= 1).
    duration, warmup : float or Brian2 quantity
        Simulated time and the initial part excluded from the rates (s).
    dt : float or Brian2 quantity, optional
        Time step (s), default 0.05 ms.
    seed : int
        Noise seed.
    progress : bool
        Report compilation on stderr.

    Returns
    -------
    pandas.DataFrame
        One row per point: ``mu`` (mV/s), ``sigma`` (mV/sqrt(s)), ``tau`` (s), ``t_ref`` (s),
        ``theta``, ``v_reset`` (mV), ``rate`` (Hz, mean over the point's neurons after the
        warm-up), ``rate_sem`` (Hz, standard error across them), ``n_neurons``.
    """
    cols = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, float)) for v in
                                 (mu, sigma, tau, t_ref, theta, v_reset)))
    names = ("mu", "sigma", "tau", "t_ref", "theta", "v_reset")
    for name, v in zip(names, cols):
        if v.ndim != 1 or not np.all(np.isfinite(v)):
            raise ValueError(f"{name} must be finite scalars or 1-D arrays; got {v!r}")
    n = int(n_per_point)
    if n != n_per_point or n < 1:
        raise ValueError(f"n_per_point must be a positive integer; got {n_per_point!r}")
    n_pts = cols[0].size
    per_neuron = {k: np.r_[np.repeat(v, n), v[:1]] for k, v in zip(names, cols)}  # + 1 idle I
    net = LIFNetwork(N=(n_pts * n, 1), p=0.0, j=0.0,
                     t_ref=(float(per_neuron["t_ref"].max()), 0.0))
    res = simulate(net, mu_ext=0.0, duration=duration, warmup=warmup, dt=dt, seed=seed,
                   record_spikes=(n_pts * n, 0), neuron_params=per_neuron, progress=progress)
    T0, T1 = res.table.t_start.iloc[0], res.table.t_stop.iloc[0]
    i, t = res.spike_trains("E")
    rates = (np.bincount(i[t >= T0], minlength=n_pts * n) / (T1 - T0)).reshape(n_pts, n)
    out = pd.DataFrame({k: v for k, v in zip(names, cols)})
    out["rate"] = rates.mean(axis=1)
    out["rate_sem"] = rates.std(axis=1, ddof=1) / np.sqrt(n) if n > 1 else np.nan
    out["n_neurons"] = n
    return out
