"""
A sweep against SSN and Φ_sc
============================

The supersaturating network of the paper's Fig 2A (``presets.get("supersaturating")``),
simulated at a few constant inputs along the ray ``mu_I = r mu_E`` (r = 1) with one compiled
build, and compared with the two theories: the SSN branches (power-law fits, Eq 2-3) and the
Ricciardi self-consistent rates Φ_sc (Eq 14). ``compare`` matches each simulated point with the
stable theory state at its input and reports the errors in Hz.

The runs are short (3 s, the first 1 s left out as warm-up) so that the example builds with the
documentation; the package's Fig 2A figure (``python -m figures ekelmans_fig2a``) runs 21 inputs
for 10 s each. Shorter runs only widen the standard errors of the simulated rates (the ``sim_sem``
column of the comparison).

The first build of the network compiles (about 20-60 s with g++); later runs reuse the build
from the cache, ``$BRIANMODELS_CACHE`` (default ``~/.cache/brianmodels``).
"""
import matplotlib.pyplot as plt
import numpy as np

from brianmodels import presets, sweep
from meanfield import SSN, compare, selfconsistent

net = presets.get("supersaturating")

# %%
# Theory along the ray (dense), no simulation needed
# --------------------------------------------------
mu_line = np.linspace(0.0, 50.0, 101)
ssn = SSN.from_network(net)
curve = ssn.sweep(mu_line, r=1.0)
phisc = selfconsistent(net, mu_line, r=1.0)

# %%
# The sweep: one build, every point a run-time value
# --------------------------------------------------
# ``sweep`` runs the points on all cores (the compiled binaries run as separate processes);
# ``out=FOLDER`` would store each finished point so that an interrupted sweep resumes.
sim = sweep(net, mu_E=[5.0, 15.0, 25.0, 35.0, 45.0], r=1.0, duration=3.0, warmup=1.0,
            progress=False)
print(sim.message)
print(sim.table[["mu_E", "population", "rate", "cv_isi_mean", "bf_mean"]]
      .round(3).to_string(index=False))

# %%
# Simulation against theory
# -------------------------
# Where a simulated input is not on a theory's grid, ``compare`` interpolates the theory's
# branches linearly in mu_E, so the dense curves above serve as they are.
cmp = compare(sim, {"SSN": curve, "Phi_sc": phisc})
print(cmp.report())

fig = cmp.plot()
fig.suptitle("Fig 2A network: simulation (points) vs SSN and Φ_sc (lines)")
plt.show()
