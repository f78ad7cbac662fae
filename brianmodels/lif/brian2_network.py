"""A :class:`~brianmodels.network.LIFNetwork` as plain Brian2 objects: ``to_brian2``.

The package's own engine (:func:`brianmodels.simulate`) generates dimensionless code that calls
its C++ helpers (compressed synapses, ``bm_syn.h``; a vectorised normal generator, ``bm_rng.h``),
so it cannot be pasted into a Brian2 script. :func:`to_brian2` builds the same network in
Brian2's own terms instead, with units, Brian2's ``xi`` noise and ordinary ``Synapses``, for a
user who wants to add monitors, edit the model (adaptation, plasticity) and call
``b2.run(...)``, with any Brian2 device.

The model (``docs/theory/ssn_lif.md`` §1, Eqs 8, 10, 11), one ``NeuronGroup`` per population X::

    dv/dt = -v/tau + mu + sigma*xi [+ xE] [- xI] [+ extra_current] : volt (unless refractory)
    dxE/dt = -xE/tau_sE : volt/second        (only with exponential synapses from E; same for I)
    mu : volt/second                          (the constant external drive, mV/s)
    sigma : volt/second**0.5, tau, theta, v_reset [, t_ref] (constant)
    sE, sI : volt                             (recurrent E / I input received so far)

threshold ``v > theta``, reset ``v = v_reset``, refractory period ``t_ref`` where the network
has one. One ``Synapses`` per pathway with K > 0, named by the pathway (``'EI'``: onto E from I),
with a per-synapse weight ``w`` (volt, magnitude j) and ``on_pre``

* delta synapse (Eq 10): ``v_post += w`` from E, ``v_post -= w`` from I;
* exponential synapse (Eq 11): ``xE_post += w/tau_sE_post`` (a current of kernel area j);

and in both cases ``sE_post += w`` (or ``sI_post``), so ``sE``/``sI`` grow by each arriving
spike's j, as the package's accumulators do: their slopes are the mean recurrent inputs of §12
(balance factor), which :func:`~brianmodels.lif.brian2_runs.from_brian2` reads from a
``StateMonitor``.
"""
from __future__ import annotations

import numpy as np

from . import engine, inputs
from .simulate import DEFAULT_DT, _time, check_dt, check_network
from .. import seeds as _seeds
from ..network import PATHWAYS, POPULATIONS

#: Names of the hooks that add to the neuron model (str, or dict population -> str).
_HOOKS = ("extra_equations", "extra_current", "extra_reset")


def _hook(value, name):
    """A model addition: one string for both populations, or ``{'E': str, 'I': str}``."""
    if value is None:
        return {X: "" for X in POPULATIONS}
    if isinstance(value, str):
        return {X: value for X in POPULATIONS}
    if isinstance(value, dict):
        bad = [k for k in value if k not in POPULATIONS]
        if bad:
            raise ValueError(f"{name} keys must be among {list(POPULATIONS)}; got {bad[0]!r}")
        if not all(isinstance(v, str) for v in value.values()):
            raise TypeError(f"{name} values must be str (Brian2 code)")
        return {X: value.get(X, "") for X in POPULATIONS}
    raise TypeError(f"{name} must be a str of Brian2 code or a dict {{'E': str, 'I': str}}; "
                    f"got {type(value).__name__}")


def exp_sources(net, x):
    """Source populations with an exponential pathway (K > 0) onto population index ``x``."""
    return [Y for y, Y in enumerate(POPULATIONS) if net.synapse[x, y] == "exp" and net.K[x, y] > 0]


def neuron_equations(net, x, *, extra_equations="", extra_current=""):
    """The Brian2 equations (text, with units) of population index ``x`` (0 = E, 1 = I).

    Parameters
    ----------
    net : LIFNetwork
    x : {0, 1}
        Population index.
    extra_equations : str
        Lines appended to the model (e.g. ``"dw/dt = -w/tau_w : volt/second"``).
    extra_current : str
        A term appended to the right-hand side of dv/dt, in volt/second (e.g. ``"- w"``).

    Returns
    -------
    str

    Examples
    --------
    >>> from brianmodels import presets
    >>> print(neuron_equations(presets.get("supersaturating"), 0).splitlines()[0])
    dv/dt = -v/tau + mu + sigma*xi : volt
    """
    exp = exp_sources(net, x)
    refractory = bool(np.any(net.t_ref > 0))
    rhs = "-v/tau + mu + sigma*xi" + "".join(f" {'+' if Y == 'E' else '-'} x{Y}" for Y in exp)
    if extra_current.strip():
        rhs += f" {extra_current.strip()}"
    lines = [f"dv/dt = {rhs} : volt{' (unless refractory)' if refractory else ''}"]
    lines += [f"dx{Y}/dt = -x{Y}/tau_s{Y} : volt/second" for Y in exp]
    lines += ["mu : volt/second                 # external drive (mV/s)",
              "sigma : volt/second**0.5 (constant)  # noise intensity (mV/sqrt(s))",
              "tau : second (constant)",
              "theta : volt (constant)",
              "v_reset : volt (constant)",
              "sE : volt                        # recurrent E input received so far",
              "sI : volt                        # recurrent I input received so far (magnitude)"]
    lines += [f"tau_s{Y} : second (constant)" for Y in exp]
    if refractory:
        lines.append("t_ref : second (constant)")
    if extra_equations.strip():
        lines.append(extra_equations.strip())
    return "\n".join(lines)


def on_pre(net, x, y):
    """The ``on_pre`` code of pathway onto population index ``x`` from ``y`` (Eqs 10, 11).

    Examples
    --------
    >>> from brianmodels import presets
    >>> print(on_pre(presets.get("supersaturating"), 0, 1))
    v_post -= w
    sI_post += w
    """
    Y = POPULATIONS[y]
    if net.synapse[x, y] == "exp":
        code = f"x{Y}_post += w/tau_s{Y}_post"   # kernel area w (Eq 11)
    else:
        # jump of w (Eq 10); while refractory Brian2 ignores it (it makes every write to a
        # variable marked (unless refractory) conditional), as the package holds V at v_reset
        code = f"v_post {'+' if Y == 'E' else '-'}= w"
    return code + f"\ns{Y}_post += w"


def initial_v(net, seed):
    """Initial membrane potentials (mV) of all N_E + N_I neurons, E first: uniform in
    [v_reset, theta), the same values as :func:`brianmodels.simulate` for ``seed``
    (:func:`brianmodels.lif.simulate.run_args`)."""
    pop = np.repeat([0, 1], net.N)
    rng = np.random.default_rng([int(seed), 1])
    return net.v_reset[pop] + rng.random(net.N_total) * (net.theta[pop] - net.v_reset[pop])


def noise_seed(seed):
    """The seed given to ``brian2.seed`` for dynamics seed ``seed`` (a 32-bit hash)."""
    return engine.name_seed(int(seed), "brian2-noise")


def to_brian2(net, mu_E=None, *, r=None, mu_I=None, seed=_seeds.SEED,
              connectivity_seed=_seeds.CONNECTIVITY_SEED, dt=None, extra_equations=None,
              extra_current=None, extra_reset=None, namespace=None):
    """The network ``net`` as a ``brian2.Network`` of plain Brian2 objects.

    Two ``NeuronGroup`` named ``'E'`` and ``'I'`` and one ``Synapses`` per pathway with K > 0,
    named ``'EE'``, ``'EI'``, ``'IE'``, ``'II'`` (target then source: ``'EI'`` goes from I to
    E), reachable as ``b2['E']``, ``b2['EI']``; see the module docstring for the equations.
    The connections are exactly ``engine.connections(net, connectivity_seed)`` (in that
    synapse order), the delays exactly the package's (``engine.delay_steps`` times ``dt`` on
    pathways with ``delay_max > 0``, at least one step; none elsewhere), the initial
    membrane potentials those of :func:`brianmodels.simulate` for the same ``seed``. The noise
    is Brian2's ``xi``, seeded by calling ``brian2.seed(noise_seed(seed))`` here (this seeds
    Brian2's global random state, or the standalone code at this point), so its realisation
    differs from the package's (``bm_rng.h``).

    Every object runs on a clock of step ``dt``; monitors you add run on ``defaultclock``
    unless given ``dt=`` (a ``SpikeMonitor`` or ``PopulationRateMonitor`` follows its source).
    It works with Brian2's runtime targets and with ``set_device('cpp_standalone')`` called
    before ``to_brian2``; the drive ``mu`` (and ``sigma``, ``tau``, ``theta``, ``v_reset``,
    the synaptic ``w``) are model variables, so a standalone run can change them with
    ``device.run(run_args={b2['E'].mu: ...})``.

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
    seed : int
        Dynamics seed: initial condition (as in ``simulate``) and Brian2's noise seed.
    connectivity_seed : int
        Network realisation: connections and delays, as in ``simulate``.
    dt : float or Brian2 quantity, optional
        Time step (s), default 0.05 ms (as ``simulate``); at most tau_min / 10.
    extra_equations, extra_current, extra_reset : str or dict, optional
        Additions to the neuron model of both populations (a str) or per population
        (``{'E': ..., 'I': ...}``): lines appended to the equations, a term appended to the
        right-hand side of dv/dt (volt/second, with its sign), statements appended to the
        reset. Constants they use come from ``namespace`` or, by Brian2's rules, from the
        script that calls ``run``.
    namespace : dict, optional
        Namespace of the two neuron groups (Brian2's ``namespace=``). Default: none needed
        (an empty one, so names in the calling script are never looked up), or, with
        additions, Brian2's rule (the namespace of the script that calls ``run``).

    Returns
    -------
    brian2.Network
        Not yet run; add monitors with ``b2.add(...)``.

    Raises
    ------
    TypeError, ValueError
        Naming the parameter, before any Brian2 object is made.

    Examples
    --------
    The objects, by name (with the numpy target, building them compiles nothing):

    >>> import brian2
    >>> from brianmodels import presets, to_brian2
    >>> brian2.prefs.codegen.target = "numpy"
    >>> bn = to_brian2(presets.get("supersaturating"), mu_E=20.0)
    >>> sorted(obj.name for obj in bn.objects)
    ['E', 'EE', 'EI', 'I', 'IE', 'II']
    >>> bn["EI"].source.name, bn["EI"].target.name, int(bn["EI"].N[:])  # I onto E: N_E K_EI
    ('I', 'E', 600000)

    Spike-frequency adaptation added to the E neurons, a monitor, a run (the README section
    *From a Brian2 script* and the gallery example ``examples/plot_brian2_script.py`` run
    such scripts):

    >>> import brian2 as b2                                           # doctest: +SKIP
    >>> from brianmodels import presets, to_brian2, from_brian2       # doctest: +SKIP
    >>> net = presets.get("supersaturating")                          # doctest: +SKIP
    >>> bn = to_brian2(net, mu_E=20.0, extra_equations={"E": "dwa/dt = -wa/(100*ms) : volt/second"},
    ...                extra_current={"E": "- wa"}, extra_reset={"E": "wa += 2*mV/second"})  # doctest: +SKIP
    >>> spikes = b2.SpikeMonitor(bn["E"])                             # doctest: +SKIP
    >>> bn.add(spikes)                                                # doctest: +SKIP
    >>> bn.run(1 * b2.second)                                         # doctest: +SKIP
    >>> from_brian2([spikes], net, mu_E=20.0, warmup=0.2).table       # doctest: +SKIP
    """
    # ---- every check before any Brian2 object
    check_network(net)
    proto = inputs.resolve(mu_E, r, mu_I)
    seed = _seeds.to_seed(seed, "seed")
    cseed = _seeds.to_seed(connectivity_seed, "connectivity_seed")
    dt = DEFAULT_DT if dt is None else _time(dt, "dt")
    check_dt(dt, net)
    hooks = {name: _hook(v, name) for name, v in
             zip(_HOOKS, (extra_equations, extra_current, extra_reset))}
    if namespace is not None and not isinstance(namespace, dict):
        raise TypeError(f"namespace must be a dict or None; got {type(namespace).__name__}")
    conns = engine.connections(net, cseed)
    delays = {}
    for key, (pre, _) in conns.items():
        x, y = POPULATIONS.index(key[0]), POPULATIONS.index(key[1])
        if net.delay_max[x, y] > 0:  # the package's rule (build.model_spec 'has_delay')
            delays[key] = engine.delay_steps(cseed, key, pre.size, float(net.delay_min[x, y]),
                                             float(net.delay_max[x, y]), dt)
    v0 = initial_v(net, seed)
    mu = np.array([proto.mu_E, proto.mu_I])

    # an explicit (empty) namespace keeps Brian2 from looking up the script's own names
    # (a variable `mu` or `tau` there would only draw a warning); additions may need them
    if namespace is None and not any(v.strip() for h in hooks.values() for v in h.values()):
        namespace = {}

    import brian2 as b2

    b2.seed(noise_seed(seed))
    mV, second = b2.mV, b2.second
    refractory = bool(np.any(net.t_ref > 0))
    groups = {}
    for x, X in enumerate(POPULATIONS):
        reset = "v = v_reset" + (f"\n{hooks['extra_reset'][X].strip()}"
                                 if hooks["extra_reset"][X].strip() else "")
        eqs = neuron_equations(net, x, extra_equations=hooks["extra_equations"][X],
                               extra_current=hooks["extra_current"][X])
        G = b2.NeuronGroup(int(net.N[x]), eqs, threshold="v > theta", reset=reset,
                           refractory="t_ref" if refractory else False, method="euler",
                           name=X, dt=dt * second, namespace=namespace)
        G.mu = mu[x] * mV / second
        G.sigma = float(net.sigma_ext[x]) * mV / second ** 0.5
        G.tau = float(net.tau[x]) * second
        G.theta = float(net.theta[x]) * mV
        G.v_reset = float(net.v_reset[x]) * mV
        if refractory:
            G.t_ref = float(net.t_ref[x]) * second
        for Y in exp_sources(net, x):
            setattr(G, f"tau_s{Y}", float(net.tau_s[x, POPULATIONS.index(Y)]) * second)
        sl = slice(0, int(net.N[0])) if x == 0 else slice(int(net.N[0]), net.N_total)
        G.v = v0[sl] * mV
        groups[X] = G
    objects = list(groups.values())
    for key in PATHWAYS:
        if key not in conns:
            continue
        x, y = POPULATIONS.index(key[0]), POPULATIONS.index(key[1])
        pre, post = conns[key]
        S = b2.Synapses(groups[key[1]], groups[key[0]], "w : volt (constant)",
                        on_pre=on_pre(net, x, y), name=key, dt=dt * second, namespace={})
        S.connect(i=pre, j=post)
        S.w = float(net.j[x, y]) * mV
        if key in delays:
            S.delay = delays[key] * dt * second
        objects.append(S)
    return b2.Network(*objects)
