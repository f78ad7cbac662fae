"""The LIF E-I network as Brian2 equation and code strings (plain text; no brian2 import).

Everything is dimensionless in the generated code, in the package's float units: V in mV,
times in s (``t_s``), drives already multiplied by dt. Per-neuron parameters are model
variables, never namespace constants, so a new value is a ``run_args`` entry, not a recompile.

One time step of neuron i (exponential Euler for the leak, Euler–Maruyama for the noise;
``docs/theory/ssn_lif.md`` §1, Eq 8):

    V <- V e^{-dt/tau} + mu dt + sigma sqrt(dt) N(0,1) + x_E - x_I  (+ delta-synapse jumps)

followed by the threshold test ``V > theta`` once per step and the reset ``V <- v_reset``.
``x_E``, ``x_I`` are the exponential synaptic currents integrated over one step (Eq 11): an
arriving spike adds ``a = j (1 - e^{-dt/tau_s})`` and ``x`` decays by ``e^{-dt/tau_s}`` per
step, so the summed effect of one spike is exactly ``j`` (the kernel's area), as for a delta
synapse (Eq 10).

Before the neurons, once per step, ``bm_stop_after(t_in_timesteps, n_steps)`` ends the run
after ``n_steps`` steps (a run-time value: the duration is not compiled in; see
:mod:`brianmodels.lif.build`).

``sE``, ``sI`` accumulate the recurrent E and I input (mV) since the end of the warm-up
(``t_warm``, a run-time value), so their time averages are the mean recurrent inputs of §12
(balance factor); ``nspk`` counts spikes since then.
"""
from __future__ import annotations

from ..network import POPULATIONS


def neuron_model(*, exp_sources, refractory):
    """Variable declarations of the neuron group.

    Parameters
    ----------
    exp_sources : iterable of {'E', 'I'}
        Source populations with at least one exponential pathway (need a current ``x``).
    refractory : bool
        Include an absolute refractory period (``t_ref`` > 0 somewhere).
    """
    lines = [
        "v : 1",
        "decay : 1 (constant)        # exp(-dt/tau)",
        "mu_dt : 1                   # mu * dt (mV), constant-input builds",
        "sig_sqdt : 1 (constant)     # sigma * sqrt(dt) (mV)",
        "theta : 1 (constant)",
        "v_reset : 1 (constant)",
        "pop : integer (constant)    # 0 = E, 1 = I",
        "wE : 1 (constant)           # j from E onto this neuron (mV)",
        "wI : 1 (constant)           # j from I onto this neuron (mV, magnitude)",
        "nspk : integer              # spikes since the end of the warm-up",
        "sE : 1                      # recurrent E input since the warm-up (mV)",
        "sI : 1                      # recurrent I input since the warm-up (mV)",
        "noise_seed : integer (shared, constant)",
        "t_warm : 1 (shared, constant)  # end of the warm-up (s)",
        "n_steps : integer (shared, constant)  # time steps of this run",
        "stop_flag : integer (shared)  # written by bm_stop_after (unused)",
        "noise_fill : 1 (shared)  # written by bm_fill_normals (unused)",
        "syn_flag : 1 (shared)  # written by bm_propagate (unused)",
    ]
    for s in POPULATIONS:
        if s in exp_sources:
            lines += [f"x{s} : 1", f"a{s} : 1 (constant)   # j (1 - ds)",
                      f"ds{s} : 1 (constant)  # exp(-dt/tau_s)"]
    if refractory:
        lines += ["t_ref : 1 (constant)", "ref_until : 1"]
    return "\n".join(lines)


def update_code(*, exp_sources, refractory, timed_input):
    """Code of the once-per-step state update (run before the threshold test).

    Parameters
    ----------
    exp_sources, refractory
        As in :func:`neuron_model`.
    timed_input : bool
        Take ``mu dt`` from the TimedArray ``mu_table(t, pop)`` (values already times dt)
        instead of the per-neuron ``mu_dt``.
    """
    drive = "mu_table(t, pop)" if timed_input else "mu_dt"
    rhs = f"v*decay + {drive} + sig_sqdt*bm_normal()"
    for s, sign in (("E", "+"), ("I", "-")):
        if s in exp_sources:
            rhs += f" {sign} x{s}"
    lines = [STOP_CODE, NOISE_CODE]
    if refractory:
        lines.append("free = int(t/second >= ref_until)")
        lines.append(f"v = free*({rhs}) + (1 - free)*v_reset")
    else:
        lines.append(f"v = {rhs}")
    for s in POPULATIONS:
        if s in exp_sources:
            lines.append(f"x{s} = x{s}*ds{s}")
    return "\n".join(lines)


#: Scalar statement (runs once per step, before the neuron loop) that ends the run after
#: ``n_steps`` steps; ``bm_stop_after`` is :func:`brianmodels.lif.build.stop_function`.
STOP_CODE = "stop_flag = bm_stop_after(t_in_timesteps, n_steps)"

#: Scalar statement drawing this step's N normal numbers at once (``bm_rng.h``); the vector
#: code then reads neuron i's number with ``bm_normal()`` (a plain array read that vectorises).
NOISE_CODE = "noise_fill = bm_fill_normals(noise_seed, N)"

THRESHOLD = "v > theta"


def reset_code(*, refractory):
    """Reset after a spike (V <- v_reset) and spike counting."""
    code = "v = v_reset\nnspk += int(t/second >= t_warm)"
    if refractory:
        code += "\nref_until = t/second + t_ref"
    return code


def on_pre(source, kind):
    """Synaptic event code of one pathway from ``source`` ('E' or 'I') of ``kind``.

    Delta synapses move V by +-j at arrival (Eq 10); exponential ones start a current of area j
    (Eq 11). Both add j to the recurrent-input accumulator of their source.
    """
    if source not in POPULATIONS or kind not in ("delta", "exp"):
        raise ValueError(f"bad pathway ({source!r}, {kind!r})")
    sign = "+" if source == "E" else "-"
    if kind == "delta":
        code = f"v_post {sign}= w{source}_post"
    else:
        code = f"x{source}_post += a{source}_post"
    return code + f"\ns{source}_post += w{source}_post * int(t/second >= t_warm_post)"


#: Poisson input neurons (XOR task, Fig 2G): spike with probability rate*dt per step.
POISSON_MODEL = "rate_dt : 1 (constant)\nwout_E : 1 (constant)\nwout_I : 1 (constant)\n" \
                "poisson_seed : integer (shared, constant)"
POISSON_THRESHOLD = "bm_rand(poisson_seed) < rate_dt"


def poisson_on_pre(target):
    """An input spike moves V of an E (or I) target up by the input neuron's weight."""
    return f"v_post += wout_{target}_pre"


#: Population spike counter (two neurons: E, I) read out once per rate bin.
COUNTER_MODEL = "count : 1"
COUNTER_ON_PRE = "count_post += 1"
