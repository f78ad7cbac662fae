"""
Theory only: SSN steady states, regimes and Φ_sc
================================================

No simulation and no compiler: the network description of the paper's Fig 2A
(``presets.get("supersaturating")``) is mapped to its stabilized supralinear network (SSN,
power-law fits of the Ricciardi transfer function, ``docs/theory/ssn_lif.md`` §3 and §6), whose
steady states, stability and regime conditions are computed along the input ray
``mu_I = r mu_E``. The Ricciardi self-consistent rates Φ_sc (Eq 14, §5) of the same network are
drawn on top; the bistable network of Fig 4 shows a fold pair and a hysteresis window, and a
regime map over (mu_E, r) closes the example.

Units: drives mu in mV/s, rates in Hz.
"""
import matplotlib.pyplot as plt
import numpy as np

from brianmodels import presets
from meanfield import SSN, plot_regime_map, regime_map, selfconsistent

# %%
# The network, as plain data (no brian2 import)
# ---------------------------------------------
net = presets.get("supersaturating")
print(net.report())

# %%
# Its SSN and the regime conditions
# ---------------------------------
# ``SSN.from_network`` fits the power law (Eq 1) per population at the network's noise
# ``sigma_ext`` and time constant; the couplings are J = K j (Eq 13).
ssn = SSN.from_network(net)
print(ssn)
print(f"ISN above nu_E = {ssn.isn_threshold():.2f} Hz (Eq 7)")
print(f"supersaturation at r = 1: Eq 4 holds: {ssn.supersaturation_condition(1.0)}, "
      f"above nu_I = {ssn.supersaturation_threshold(1.0):.3f} Hz (Eq S6), "
      f"from mu_E = {ssn.supersaturation_onset(1.0):.1f} mV/s")
print("balanced limit (Eqs S1, S2):", ssn.balanced_state(1.0))

# %%
# Steady states at a few inputs, and the branches along the ray
# -------------------------------------------------------------
states = ssn.steady_states([5.0, 20.0, 40.0], r=1.0)
print(states.message)
print(states.table[["mu_E", "state", "nu_E", "nu_I", "stability", "isn", "supersaturating"]]
      .round(3).to_string(index=False))

mu_E = np.linspace(0.0, 50.0, 101)
curve = ssn.sweep(mu_E, r=1.0)                       # every branch, through folds
phisc = selfconsistent(net, mu_E, r=1.0)             # Eq 14, pseudo-arclength continuation
print(curve.message, "|", phisc.message)

# %%
# The bistable network (Fig 4): two folds, a hysteresis window
# ------------------------------------------------------------
bistable = SSN.from_network(presets.get("bistable"))
bi_curve = bistable.sweep(np.linspace(0.0, 8.0, 161), r=1.0)
print(bi_curve.message)

# %%
# A regime map over input and input ratio (Fig 5 style)
# -----------------------------------------------------
regimes = regime_map(ssn, np.linspace(0.0, 50.0, 41), r=np.linspace(0.2, 2.0, 31))
print(regimes.summary().to_string(index=False))

# %%
# The figure
# ----------
fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), layout="constrained")
ax = axes[0]
for pop, color in (("E", "tab:red"), ("I", "tab:blue")):
    col = f"nu_{pop}"
    for _, b in curve.table.groupby("branch"):
        ax.plot(b["mu_E"], b[col], color=color, label=f"SSN {pop}")
    for _, b in phisc.table.groupby("branch"):
        ax.plot(b["mu_E"], b[col], color=color, ls="--", label=f"Φ_sc {pop}")
ax.set(xlabel="mu_E (mV/s), r = 1", ylabel="rate (Hz)", title="supersaturating (Fig 2A)")
ax.legend(fontsize=8)

ax = axes[1]
for _, b in bi_curve.table.groupby("branch"):
    stable = b["stable"].to_numpy()
    ax.plot(b["mu_E"], np.where(stable, b["nu_E"], np.nan), color="tab:red")
    ax.plot(b["mu_E"], np.where(stable, np.nan, b["nu_E"]), color="tab:red", ls=":")
ax.set(xlabel="mu_E (mV/s), r = 1", ylabel="nu_E (Hz)", yscale="log",
       title="bistable (Fig 4): stable solid, unstable dotted")

plot_regime_map(regimes, ax=axes[2], title="regimes of the Fig 2A SSN")
plt.show()
