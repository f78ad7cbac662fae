"""One simulation of a LIF E-I network: ``simulate(net, 20.0, duration=12*second, ...)``.

The model is compiled once per structure (:mod:`brianmodels.lif.build`, cached on disk) and
re-run with new values — a new duration included (it is a step count given at run time, see
:func:`run_args`); this module turns a :class:`~brianmodels.network.LIFNetwork`, an input
protocol and two seeds (:mod:`brianmodels.seeds`) into the compiled binary's run-time
arguments, and its outputs into a :class:`~brianmodels.lif.result.SimulationResult` measured
with :mod:`brianmodels.lif.analysis`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import analysis, build, engine, fastrng, inputs
from .result import SimulationResult, balance_columns, cv_isi_columns
from ..network import LIFNetwork, POPULATIONS, pathway_name
from .. import seeds as _seeds
from ..units import to_float, to_int, to_mapping

#: Default time step (s): 0.05 ms, as in most figures of the paper (``docs/theory/ssn_lif.md`` §1).
DEFAULT_DT = 5e-5
#: Default bin of the population-rate trace (s).
DEFAULT_RATE_BIN = 1e-3
#: Default spacing of time-dependent input tables (s).
DEFAULT_INPUT_DT = 1e-3
#: Default number of neurons per population whose spikes are recorded (for CV_ISI; §12 uses 1000).
DEFAULT_RECORD_SPIKES = 1000
#: Largest time step as a fraction of the shortest time constant (membrane tau, per-neuron
#: tau, tau_s of exponential pathways): dt <= tau_min / 10. The leak and the synaptic decay
#: are integrated exactly (exp(-dt/tau)), so no dt is unstable, but threshold crossings are
#: only seen at step ends: with noise the rate is biased by O(sqrt(dt/tau)) (a few % at the
#: paper's dt = tau/200 .. tau/400), and at dt ~ tau one step forgets the membrane potential.
#: Above tau/10 the results would not describe the continuous model.
DT_MAX_FRACTION = 0.1
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
    """Recorded neurons per population: an int n (up to n per population, capped at N_X),
    (n_E, n_I) (each <= N_X), 'all', or None/False (none)."""
    if value is None or value is False:
        return (0, 0)
    allowed = f"an int >= 0, (n_E, n_I) with n_X <= N_X = {net.N.tolist()}, 'all' or None"
    if isinstance(value, str):
        if value != "all":
            raise ValueError(f"{name} must be {allowed}; got {value!r}")
        return tuple(int(n) for n in net.N)
    if np.ndim(value) == 0:
        n = to_int(value, name, lo=0)
        return tuple(int(min(n, N)) for N in net.N)
    if np.shape(value) != (2,):
        raise ValueError(f"{name} must be {allowed}; got shape {np.shape(value)}")
    v = tuple(to_int(x, name, lo=0) for x in value)
    if any(n > N for n, N in zip(v, net.N)):
        raise ValueError(f"{name} must be {allowed}; got {tuple(v)}")
    return v


def check_dt(dt, net, tau=None, name="dt"):
    """Refuse a time step above :data:`DT_MAX_FRACTION` of the shortest time constant.

    Parameters
    ----------
    dt : float
        Time step (s).
    net : LIFNetwork
        Membrane tau and the tau_s of exponential pathways with K > 0 count.
    tau : array_like, optional
        Per-neuron membrane time constants (s) replacing ``net.tau``.
    """
    exp = (net.synapse == "exp") & (net.K > 0)
    taus = {"tau": float(np.min(net.tau if tau is None else tau))}
    if exp.any():
        taus["tau_s"] = float(net.tau_s[exp].min())
    which = min(taus, key=taus.get)
    limit = DT_MAX_FRACTION * taus[which]
    if dt > limit * (1 + 1e-9):
        per = "" if tau is None or which != "tau" else " (per-neuron neuron_params['tau'])"
        raise ValueError(f"{name} must be <= {limit:.3g} s = min({which}){per} / "
                         f"{1 / DT_MAX_FRACTION:g} = {taus[which]:.3g} s / "
                         f"{1 / DT_MAX_FRACTION:g}; got {dt:.3g} s")


def check_network(net):
    """Validate ``net`` as a simulable LIFNetwork (TypeError/ValueError naming the problem)."""
    if not isinstance(net, LIFNetwork):
        raise TypeError(f"net must be a brianmodels.network.LIFNetwork; got {type(net).__name__}")
    too_big = net.K > np.array([[net.N[0] - 1, net.N[1]], [net.N[0], net.N[1] - 1]])
    if np.any(too_big):
        raise ValueError(f"net: in-degrees K={net.K.tolist()} exceed the source populations "
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
    check_dt(dt, net)
    for name, v in (("duration", duration), ("rate_bin", rate_bin), ("input_dt", input_dt)):
        if v < dt * (1 - 1e-9) or abs(v / dt - round(v / dt)) > 1e-6:
            raise ValueError(f"{name} must be a positive multiple of dt={dt} s; got {v}")
    if round(duration / dt) > build.MAX_STEPS:
        raise ValueError(f"duration/dt must be at most {build.MAX_STEPS} steps; "
                         f"got {duration / dt:.3g}")
    return Settings(dt=dt, duration=duration, rate_bin=rate_bin, input_dt=input_dt,
                    record_spikes=_counts(DEFAULT_RECORD_SPIKES if record_spikes is None
                                          else record_spikes, net, "record_spikes"),
                    record_currents=_counts(record_currents, net, "record_currents"),
                    timed=bool(timed), poisson=poisson, synapses=synapses)


_seed = _seeds.to_seed  # (value, name) -> int in [0, 2**63)


@dataclass
class Point:
    """One simulation of a sweep: input, seeds and run-time parameter values.

    Attributes
    ----------
    protocol : inputs.Constant, inputs.PiecewiseLinear or inputs.Sampled
    seed : int
        Dynamics seed: noise and initial condition (:mod:`brianmodels.seeds`).
    connectivity_seed : int
        Network realisation: connectivity, delays (:mod:`brianmodels.seeds`).
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
    """Validate per-neuron overrides (name -> (N_E + N_I,) values in package units).

    Each value is a scalar or ``N_E + N_I`` values (E neurons first); ``tau`` and ``sigma``
    must be > 0, ``t_ref`` >= 0. Whether they fit the network and the build (theta above
    v_reset, t_ref > 0 only with refractoriness, dt against tau) is checked by
    :func:`check_point`.
    """
    neuron_params = to_mapping(neuron_params, "neuron_params", sorted(_NEURON_PARAMS),
                               what=f"name -> per-neuron values with names among "
                                    f"{sorted(_NEURON_PARAMS)}")
    out = {}
    for k, v in neuron_params.items():
        name = f"neuron_params[{k!r}]"
        arr = np.asarray(to_float(v, _NEURON_PARAMS[k], name), float)
        if arr.shape not in ((), (net.N_total,)):
            raise ValueError(f"{name} must be a scalar or N_E + N_I = {net.N_total} values "
                             f"(E neurons first); got shape {arr.shape}")
        arr = np.broadcast_to(arr, (net.N_total,)).astype(float)
        if k in ("tau", "sigma") and np.any(arr <= 0):
            raise ValueError(f"{name} must be > 0")
        if k == "t_ref" and np.any(arr < 0):
            raise ValueError(f"{name} must be >= 0 s")
        out[k] = arr
    return out


def _neuron_values(net, neuron_params):
    """Per-neuron tau, sigma, theta, v_reset, t_ref: the network's, overridden by neuron_params."""
    pop = np.repeat([0, 1], net.N)
    p = {k: v[pop] for k, v in (("tau", net.tau), ("sigma", net.sigma_ext), ("theta", net.theta),
                                ("v_reset", net.v_reset), ("t_ref", net.t_ref))}
    p.update({k: v for k, v in neuron_params.items() if k in p})
    return p


def check_poisson_rates(rates, structure, name="poisson_rates"):
    """Validate the rates (Hz) of the Poisson input populations of a point.

    Parameters
    ----------
    rates : float, sequence or None
        One rate per input population (a scalar: the same for all); None means 0 Hz.
    structure : dict or None
        From :func:`poisson_structure` (None: the network has no Poisson inputs, and then
        ``rates`` must be None).
    name : str
        Parameter name used in messages.

    Returns
    -------
    (n_inputs,) float array, or None without Poisson inputs.
    """
    if not structure:
        if rates is not None:
            raise ValueError(f"{name} needs poisson_inputs (the Poisson input populations); "
                             f"got {name}={rates!r} without them")
        return None
    n = len(structure["N"])
    if rates is None:
        return np.zeros(n)
    r = np.asarray(to_float(rates, "rate", name), float)
    if r.shape not in ((), (1,), (n,)):
        raise ValueError(f"{name} must be a scalar or {n} rate(s) (one per poisson_inputs "
                         f"population); got shape {r.shape}")
    if np.any(r < 0):
        raise ValueError(f"{name} must be >= 0 Hz; got {r.tolist()}")
    return np.broadcast_to(r, (n,)).astype(float)


def _protocol_values(proto, st, warmup):
    """Evaluate ``proto`` where a run reads it and check the values are finite (mV/s).

    Returns the (samples, 2) input table of a time-dependent protocol (None for constant)."""
    def finite(v, shape, what):
        v = np.asarray(v, dtype=float)
        if v.shape != shape:
            raise ValueError(f"protocol.{what} must have shape {shape} (mu_E, mu_I); got {v.shape}")
        if not np.all(np.isfinite(v)):
            raise ValueError(f"protocol.{what} must be finite (mV/s); got NaN/inf")
        return v

    try:
        for t0 in (0.0, warmup):
            finite(proto.mean(t0, st.duration), (2,), f"mean({t0:g}, {st.duration:g})")
        if not st.timed:
            return None
        tmid = (np.arange(st.input_samples) + 0.5) * st.input_dt
        table = finite(proto.at(tmid), (tmid.size, 2), "at(t) on the input samples")
        tbin = (np.arange(int(round(st.duration / st.rate_bin))) + 0.5) * st.rate_bin
        finite(proto.at(tbin), (tbin.size, 2), "at(t) on the rate bins")
    except (TypeError, ValueError) as err:
        raise type(err)(f"protocol: {err}") from None
    return table


def check_point(point: Point, st: Settings, spec: dict):
    """Validate a point's run-time values against its network and the build's structure.

    Everything :func:`run_args` needs is checked here, so that :func:`simulate` and
    :func:`~brianmodels.lif.sweep.sweep` refuse bad values before compiling anything.

    Parameters
    ----------
    point : Point
    st : Settings
    spec : dict
        The build's structure (:meth:`Settings.spec`; no compile needed).

    Returns
    -------
    dict
        ``'neurons'`` (per-neuron values, :func:`_neuron_values`), ``'table'`` (input table
        of a time-dependent protocol, mV/s, or None) and ``'poisson_rates'`` ((n,) Hz or None).

    Raises
    ------
    ValueError
        Naming the parameter: theta <= v_reset for a neuron, t_ref > 0 without a refractory
        build, per-neuron mu with a time-dependent protocol, dt above tau_min / 10, a protocol
        with non-finite values or the wrong shape, bad Poisson rates.
    """
    p = _neuron_values(point.net, point.neuron_params)
    bad = np.flatnonzero(p["theta"] <= p["v_reset"])
    if bad.size:
        raise ValueError(f"neuron_params['theta'] must be above neuron_params['v_reset'] (or the "
                         f"network's theta, v_reset) for every neuron; neuron {bad[0]} has theta="
                         f"{p['theta'][bad[0]]:g} <= v_reset={p['v_reset'][bad[0]]:g} mV")
    if np.any(p["t_ref"] > 0) and not spec["refractory"]:
        raise ValueError("neuron_params['t_ref'] > 0 needs a build with refractoriness: give the "
                         "network itself t_ref > 0 (LIFNetwork t_ref=...), then per-neuron t_ref "
                         "values are run-time values")
    if "mu" in point.neuron_params and st.timed:
        raise ValueError("neuron_params['mu'] (per-neuron drive) needs constant input (mu_E), "
                         "not a time-dependent protocol")
    check_dt(st.dt, point.net, p["tau"] if "tau" in point.neuron_params else None)
    return {"neurons": p, "table": _protocol_values(point.protocol, st, point.warmup),
            "poisson_rates": check_poisson_rates(point.poisson_rates, spec["poisson"])}


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
    """The compiled model's run-time arguments for ``point`` (``'group.var'`` -> values).

    Validates the point first (:func:`check_point`, the one place of those checks)."""
    net, dt = point.net, st.dt
    NE, NI = (int(n) for n in net.N)
    pop = np.r_[np.zeros(NE, int), np.ones(NI, int)]
    checked = check_point(point, st, spec)
    p = checked["neurons"]
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
        table = checked["table"] * dt  # mV per step, at the midpoints of the input samples
        # rows past the run's end are never read; they hold the last value (as the
        # TimedArray does beyond its end)
        a["mu_table.values"] = np.concatenate([table, np.repeat(table[-1:], rows - n, axis=0)])
    else:
        mu = point.neuron_params.get("mu")
        if mu is None:
            mu = point.protocol.mean(0.0, st.duration)[pop]
        a["neurons.mu_dt"] = mu * dt
    rng = np.random.default_rng([point.seed, 1])
    a["neurons.v"] = p["v_reset"] + rng.random(NE + NI) * (p["theta"] - p["v_reset"])
    if spec["poisson"]:
        n_in = spec["poisson"]["N"]
        rates = checked["poisson_rates"]
        wts = np.broadcast_to(np.asarray(point.poisson_weights, float), (len(n_in), 2))
        a["poisson.rate_dt"] = np.repeat(rates * dt, n_in)
        a["poisson.wout_E"] = np.repeat(wts[:, 0], n_in)
        a["poisson.wout_I"] = np.repeat(wts[:, 1], n_in)
        a["poisson.poisson_seed"] = np.int32(fastrng.derive_seed(point.seed, "poisson"))
    return a


def _delays(net, b):
    """Pathway ('EE', target then source) -> (delay_min, delay_max) s, for pathways with delays."""
    spec = b.spec
    return {pathway_name(x, y): (float(net.delay_min[x, y]), float(net.delay_max[x, y]))
            for x in range(2) for y in range(2)
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
        drive = point.neuron_params["mu"][sl] if "mu" in point.neuron_params else mean_in[x]
        ext = drive + _poisson_mean(point, b.spec, x)
        bf = analysis.balance_factor(I_E_all[sl], I_I_all[sl], ext)
        row = {"point": index, "population": X, "mu_E": mean_in[0], "mu_I": mean_in[1],
               "rate": rates.mean(), "rate_std": rates.std(),
               "input_E": I_E_all[sl].mean(), "input_I": -I_I_all[sl].mean(),
               "input_ext": float(np.mean(ext)),
               "v_end_mean": out["neurons.v"][sl].mean(), "v_end_std": out["neurons.v"][sl].std(),
               **balance_columns(bf)}
        key = f"spikes_{X}"
        nrec = st.record_spikes[x]
        if nrec:
            i, t = out[f"{key}.i"].astype(np.int64), out[f"{key}.t"]
            stats = analysis.isi_statistics(i, t, nrec, t_start=T0, t_stop=T1)
            row.update(cv_isi_columns(stats.cv))
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
              workdir=None, progress=None) -> SimulationResult:
    """Run the compiled build ``b`` once for ``point`` and measure (no compile).

    ``progress``: label of the run's progress bar (:func:`brianmodels.lif.build.run_binary`),
    None for none (sweep workers: the sweep shows its own bar over points)."""
    files = build.connectivity_files(b, point.connectivity_seed, _delays(point.net, b),
                                     point.synapse_weights)
    out = build.run_binary(b, run_args(point, st, b.spec), files, workdir=workdir,
                           progress=progress)
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
        probabilities onto E and I, weights in mV), e.g. ``presets.XOR_INPUTS`` (whose
        informational ``'rate_range'`` is allowed and ignored; other keys are refused: the
        rates are ``poisson_rates``).

    Returns
    -------
    structure : dict or None
        ``{'N': [...], 'K': [[K_E1, ...], [K_I1, ...]]}``.
    weights : (n, 2) array or None
    """
    if poisson_inputs is None:
        return None, None
    keys = ("N", "p", "j")
    form = "a dict {'N': int, 'p': float or (p_E, p_I), 'j': mV or (j_E, j_I)} or a list of them"
    if isinstance(poisson_inputs, dict):
        items = [poisson_inputs]
    elif isinstance(poisson_inputs, (list, tuple)):
        items = list(poisson_inputs)
    else:
        raise TypeError(f"poisson_inputs must be {form}; got {type(poisson_inputs).__name__}")
    if not items:
        raise ValueError(f"poisson_inputs must be {form} (at least one); got an empty list")

    def pair(v, name, lo, hi):
        try:
            a = np.asarray(v, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a number or a pair (onto E, onto I); got {v!r}") from None
        if a.shape not in ((), (2,)) or not np.all(np.isfinite(a)) or np.any(a < lo) or \
                np.any(a > hi):
            raise ValueError(f"{name} must be a finite number or pair (onto E, onto I) in "
                             f"[{lo}, {hi}]; got {v!r}")
        return np.broadcast_to(a, (2,))

    Ns, Ks, W = [], [[], []], []
    for k, it in enumerate(items):
        if not isinstance(it, dict) or not set(keys) <= set(it) <= set(keys) | {"rate_range"}:
            got = sorted(it) if isinstance(it, dict) else type(it).__name__
            raise ValueError(f"poisson_inputs[{k}] must be a dict with the keys {list(keys)} (and "
                             f"optionally 'rate_range', not used here); got {got}")
        n = to_int(it["N"], f"poisson_inputs[{k}]['N']", lo=1, hi=2**31 - 1)
        p = pair(it["p"], f"poisson_inputs[{k}]['p']", 0.0, 1.0)
        w = pair(it["j"], f"poisson_inputs[{k}]['j'] (mV)", 0.0, np.inf)
        Ns.append(n)
        for x in range(2):
            Ks[x].append(int(np.rint(p[x] * n)))
        W.append(w)
    return {"N": Ns, "K": Ks}, np.array(W)


def simulate(net, mu_E=None, *, r=None, mu_I=None, protocol=None, duration=12.0, warmup=2.0,
             seed=_seeds.SEED, connectivity_seed=_seeds.CONNECTIVITY_SEED, dt=None, rate_bin=None, input_dt=None,
             record_spikes=None, record_currents=None, neuron_params=None,
             poisson_inputs=None, poisson_rates=None, synapse_weights=None,
             synapses="compressed", progress=True) -> SimulationResult:
    """Simulate a LIF E-I network once (compiling it only if no cached build exists).

    Parameters
    ----------
    net : LIFNetwork
        The network (e.g. ``presets.get('supersaturating')``).
    mu_E : float or Brian2 quantity
        Constant external drive of E in mV/s (``mu_I = r * mu_E`` unless ``mu_I`` is given).
    r : float, optional
        Input ratio mu_I / mu_E (default 1; at most one of ``r`` and ``mu_I``).
    mu_I : float or Brian2 quantity, optional
        Constant drive of I in mV/s.
    protocol : input protocol, optional
        Time-dependent input instead of ``mu_E`` (:func:`inputs.ramp`, :func:`inputs.from_preset`,
        :class:`inputs.Sampled`).
    duration : float or Brian2 quantity
        Total simulated time (s), warm-up included; a multiple of ``dt``. A run-time value:
        another duration reuses the compiled build, and with the same seed a shorter run's
        spikes are the first part of a longer one's.
    warmup : float or Brian2 quantity
        Time (s) excluded from rates, CV_ISI and balance factors.
    seed : int
        Dynamics seed: noise and initial condition (default :data:`brianmodels.seeds.SEED`).
    connectivity_seed : int
        Network realisation: connections, delays (default
        :data:`brianmodels.seeds.CONNECTIVITY_SEED`). The same two seeds give the same spikes,
        here and in :func:`~brianmodels.lif.sweep.sweep` (:mod:`brianmodels.seeds`).
    dt : float or Brian2 quantity, optional
        Time step (s), default 0.05 ms; at most tau_min / 10 (:data:`DT_MAX_FRACTION`, the
        shortest membrane or exponential-synapse time constant, per-neuron tau included).
    rate_bin : float, optional
        Bin of the population-rate trace (s), default 1 ms; a multiple of dt (a run shorter
        than one bin has an empty trace).
    input_dt : float, optional
        Sampling of time-dependent inputs (s), default 1 ms.
    record_spikes : int, (int, int), 'all' or None
        Neurons per population whose spikes are kept (default 1000; CV_ISI uses them): an int
        n keeps up to n per population (capped at N_X), a pair (n_E, n_I) exactly that many
        (each <= N_X).
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
        Rates of the Poisson input populations in Hz (>= 0; one per population or one for
        all; default 0 Hz). Only with ``poisson_inputs``.
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
    progress : bool or str
        Report on stderr: a line while compiling, and for a run longer than
        :data:`brianmodels.lif.build.PROGRESS_DELAY` (1.5 s of wall-clock time) a tqdm bar
        of the simulated seconds done (fed by the compiled binary's own progress reports, so
        a long run never looks hung), labelled ``simulate <net.name>`` and the input, or by
        this string. ``False``: nothing is printed (the spikes are the same either way).

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
        Invalid arguments, before anything is compiled or run (run-time values included:
        :func:`check_point`).

    Examples
    --------
    The Fig 2A network at mu_E = mu_I = 20 mV/s for 12 s, measured after 2 s (the first call
    compiles the network, 20-60 s; later calls reuse the build):

    >>> from brianmodels import presets, simulate
    >>> net = presets.get("supersaturating")
    >>> res = simulate(net, mu_E=20.0, duration=12.0, warmup=2.0)  # doctest: +SKIP
    >>> res.table[["population", "rate", "cv_isi_mean"]].round(2)  # doctest: +SKIP
      population  rate  cv_isi_mean
    0          E  2.59         0.91
    1          I  0.86         0.88

    A time-dependent input, e.g. the paper's ramp (:func:`inputs.from_preset`):

    >>> from brianmodels.lif import inputs
    >>> ramp = simulate(net, protocol=inputs.from_preset("supersaturating"),
    ...                 duration=50.0, warmup=1.0)                  # doctest: +SKIP

    The gallery examples run it: *Designing inputs for a target trajectory*
    (``examples/plot_design_inputs.py``: a :class:`~brianmodels.lif.inputs.Sampled` protocol
    against its target rates) and, through :func:`~brianmodels.lif.sweep.sweep`, *A sweep
    against SSN and Φ_sc* (``examples/plot_sweep_vs_theory.py``).
    """
    proto = inputs.resolve(mu_E, r, mu_I, protocol)
    check_network(net)
    pstruct, pweights = poisson_structure(poisson_inputs, net)
    st = settings(net, duration=duration, dt=dt, rate_bin=rate_bin, input_dt=input_dt,
                  record_spikes=record_spikes, record_currents=record_currents,
                  timed=proto.timed, poisson=pstruct, synapses=synapses)
    warm = _time(warmup, "warmup", positive=False)
    if warm >= st.duration:
        raise ValueError(f"warmup must be shorter than duration ({st.duration} s); got {warm}")
    seed = _seed(seed, "seed")
    cseed = _seed(connectivity_seed, "connectivity_seed")
    sw = check_synapse_weights(synapse_weights, net, st.synapses)
    point = Point(protocol=proto, seed=seed, connectivity_seed=cseed, net=net, warmup=warm,
                  neuron_params=check_neuron_params(neuron_params, net),
                  poisson_rates=poisson_rates, poisson_weights=pweights, synapse_weights=sw)
    spec = st.spec(net)
    check_point(point, st, spec)  # every run-time value, before any compile
    b = build.get_build(spec, progress=bool(progress))
    res = run_point(b, st, point, progress=_progress_label(progress, net, proto))
    res.params = params_dict(net, st, warmup=warm, seed=seed, connectivity_seed=cseed,
                             input=proto.to_dict(), build_key=b.directory.name,
                             compiled=not b.cached, synapse_weights=engine.weights_summary(sw))
    return res


def _progress_label(progress, net, proto):
    """Label of a simulation's progress bar (None: no bar); see :func:`simulate`."""
    if isinstance(progress, str):
        return progress
    if not progress:
        return None
    what = (f" mu_E={proto.mu_E:g} mu_I={proto.mu_I:g}" if isinstance(proto, inputs.Constant)
            else f" {proto.to_dict().get('kind', type(proto).__name__)} input")
    return f"simulate {net.name}{what}"


def fi_curve(mu, sigma=3.0, tau=0.02, *, t_ref=0.0, theta=1.0, v_reset=0.0, n_per_point=100,
             duration=10.0, warmup=0.5, dt=None, seed=_seeds.SEED, progress=True):
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
        Noise seed (default :data:`brianmodels.seeds.SEED`; unconnected neurons have no
        connectivity seed).
    progress : bool
        Report on stderr: compilation, and a progress bar for a run longer than 1.5 s
        (see :func:`simulate`).

    Returns
    -------
    pandas.DataFrame
        One row per point: ``mu`` (mV/s), ``sigma`` (mV/sqrt(s)), ``tau`` (s), ``t_ref`` (s),
        ``theta``, ``v_reset`` (mV), ``rate`` (Hz, mean over the point's neurons after the
        warm-up), ``rate_sem`` (Hz, standard error across them), ``n_neurons``.

    Examples
    --------
    Four drives, 100 neurons each, 5 s (compiles a build of unconnected neurons the first
    time):

    >>> from brianmodels.lif.simulate import fi_curve
    >>> fi = fi_curve([10.0, 30.0, 50.0, 70.0], sigma=3.0, tau=0.02,
    ...               duration=5.0)                                  # doctest: +SKIP
    >>> fi[["mu", "rate", "rate_sem"]].round(1)                      # doctest: +SKIP
         mu  rate  rate_sem
    0  10.0   1.2       0.0
    1  30.0   9.7       0.1
    2  50.0  26.1       0.1
    3  70.0  44.6       0.1

    These follow the Ricciardi transfer function Phi (Eq 9, ``docs/theory/ssn_lif.md`` §2;
    ``tests/brianmodels/lif/test_lif_paths.py`` checks it); the gallery example *A single
    neuron's F-I curve* (``examples/plot_fi_curve.py``) runs this and draws it over Phi.
    """
    names = ("mu", "sigma", "tau", "t_ref", "theta", "v_reset")
    kinds = ("drive", "noise", "time", "time", "voltage", "voltage")
    cols = [np.atleast_1d(to_float(v, kind, name)) for v, kind, name in
            zip((mu, sigma, tau, t_ref, theta, v_reset), kinds, names)]
    for name, v in zip(names, cols):
        if v.ndim != 1:
            raise ValueError(f"{name} must be a scalar or a 1-D array; got shape {v.shape}")
    if cols[0].size == 0:
        raise ValueError("mu must hold at least one drive (mV/s)")
    sizes = {name: v.size for name, v in zip(names, cols) if v.size != 1}
    if len(set(sizes.values())) > 1:
        raise ValueError(f"mu, sigma, tau, t_ref, theta, v_reset must be scalars or arrays of one "
                         f"common length; got lengths {sizes}")
    cols = np.broadcast_arrays(*cols)
    for name, v, ok, allowed in (("sigma", cols[1], cols[1] > 0, "> 0 mV/sqrt(s)"),
                                 ("tau", cols[2], cols[2] > 0, "> 0 s"),
                                 ("t_ref", cols[3], cols[3] >= 0, ">= 0 s"),
                                 ("theta", cols[4], cols[4] > cols[5], "above v_reset")):
        if not np.all(ok):
            raise ValueError(f"{name} must be {allowed}; got {v.tolist()}")
    n = to_int(n_per_point, "n_per_point", lo=1)
    n_pts = cols[0].size
    per_neuron = {k: np.r_[np.repeat(v, n), v[:1]] for k, v in zip(names, cols)}  # + 1 idle I
    tau_min = float(cols[2].min())
    net = LIFNetwork(N=(n_pts * n, 1), p=0.0, j=0.0, tau=tau_min,
                     t_ref=(float(per_neuron["t_ref"].max()), 0.0))
    res = simulate(net, 0.0, duration=duration, warmup=warmup, dt=dt, seed=seed,
                   record_spikes=(n_pts * n, 0), neuron_params=per_neuron,
                   progress=f"fi_curve ({n_pts} points x {n} neurons)" if progress else False)
    T0, T1 = res.table.t_start.iloc[0], res.table.t_stop.iloc[0]
    i, t = res.spike_trains("E")
    rates = (np.bincount(i[t >= T0], minlength=n_pts * n) / (T1 - T0)).reshape(n_pts, n)
    out = pd.DataFrame({k: v for k, v in zip(names, cols)})
    out["rate"] = rates.mean(axis=1)
    out["rate_sem"] = rates.std(axis=1, ddof=1) / np.sqrt(n) if n > 1 else np.nan
    out["n_neurons"] = n
    return out
