"""
Designing inputs for a target trajectory
========================================

Eq 5 of Ekelmans et al. (``docs/theory/ssn_lif.md`` §9) inverts the SSN's steady-state
equations: for target rates (nu_E, nu_I) it gives the external drives (mu_E, mu_I) that make
them a steady state. For a target that varies slowly compared with the membrane time constants
(here a 2-s period against tau_E = 20 ms), the network follows the designed drive from one
steady state to the next, as in the paper's Fig 2E/F.

The designed drives are sampled every 10 ms and handed to the simulation as a
:class:`brianmodels.lif.inputs.Sampled` protocol (a time-dependent input: the compiled model
reads it from a table, so it is a different build from the constant-input one and compiles once).
The measured population rates, smoothed, are drawn against the target.
"""
import matplotlib.pyplot as plt
import numpy as np

from brianmodels import presets, simulate
from brianmodels.lif import analysis, inputs
from meanfield import SSN

net = presets.get("supersaturating")
ssn = SSN.from_network(net)

# %%
# The target trajectory and its Eq 5 inputs
# -----------------------------------------
# Target rates in Hz: a slow oscillation of both populations, held constant during the
# warm-up. ``inputs_for`` refuses a target that is not a stable steady state of the SSN.
warmup, duration, sample_dt = 1.0, 5.0, 0.01
t = np.arange(0.0, duration, sample_dt)
phase = 2 * np.pi * np.clip(t - warmup, 0.0, None) / 2.0
nu_E = 3.0 + 1.5 * np.sin(phase)
nu_I = 1.5 + 0.8 * np.sin(phase + 1.0)
mu_E, mu_I = ssn.inputs_for(nu_E, nu_I)
print(f"designed drives: mu_E in [{mu_E.min():.1f}, {mu_E.max():.1f}] mV/s, "
      f"mu_I in [{mu_I.min():.1f}, {mu_I.max():.1f}] mV/s")

# %%
# One simulation with the designed protocol
# -----------------------------------------
protocol = inputs.Sampled(mu_E, mu_I, sample_dt=sample_dt)
sim = simulate(net, protocol=protocol, duration=duration, warmup=warmup, progress=False)
print(sim.message)

# %%
# Rates against the target
# ------------------------
# ``sim.rates`` holds the binned population rates (1 ms bins); a Gaussian kernel of 50 ms
# smooths them (``brianmodels.lif.analysis.smooth_rate``).
fig, axes = plt.subplots(2, 1, figsize=(8, 5.5), sharex=True, layout="constrained")
for pop, target, color in (("E", nu_E, "tab:red"), ("I", nu_I, "tab:blue")):
    trace = sim.rates[sim.rates["population"] == pop]
    dt_bin = float(np.diff(trace["t"].to_numpy()[:2])[0])
    smooth = analysis.smooth_rate(trace["rate"].to_numpy(), dt_bin, width=0.05)
    keep = trace["t"].to_numpy() >= warmup
    axes[0].plot(trace["t"].to_numpy()[keep], smooth[keep], color=color, lw=1,
                 label=f"simulated {pop} (50 ms smoothing)")
    axes[0].plot(t[t >= warmup], target[t >= warmup], color=color, ls="--", lw=2,
                 label=f"target nu_{pop}")
    err = np.interp(t[t >= warmup], trace["t"].to_numpy(), smooth) - target[t >= warmup]
    print(f"{pop}: mean target {target[t >= warmup].mean():.2f} Hz, "
          f"rms deviation of the smoothed rate {np.sqrt(np.mean(err ** 2)):.2f} Hz")
axes[0].set(ylabel="rate (Hz)", title="supersaturating network driven by Eq 5 inputs")
axes[0].legend(fontsize=8, ncol=2)
axes[1].plot(t, mu_E, color="tab:red", label="mu_E")
axes[1].plot(t, mu_I, color="tab:blue", label="mu_I")
axes[1].axvline(warmup, color="0.6", lw=0.8)
axes[1].set(xlabel="t (s)", ylabel="designed drive (mV/s)")
axes[1].legend(fontsize=8)
plt.show()
