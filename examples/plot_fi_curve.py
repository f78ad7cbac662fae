"""
A single neuron's F-I curve against the Ricciardi transfer function
===================================================================

The LIF neuron of both Ekelmans networks, ``dV/dt = -V/tau + mu + sigma xi(t)`` with threshold
1 mV and reset 0 (``docs/theory/ssn_lif.md`` §1), driven by white noise of intensity sigma: its
firing rate as a function of the drive mu is the Ricciardi transfer function Phi (Eq 9, §2),
the function every mean-field prediction of the package is built on (paper's Fig 1B).

``fi_curve`` simulates unconnected neurons, each point with its own drive and noise, all in one
compiled run (every value is a run-time value, so the three noise levels below reuse one build).
The simulated rates are drawn with their standard errors over Phi of ``meanfield.phi``. They sit
slightly below Phi: a threshold tested once per time step (dt = 0.05 ms) misses crossings between
steps, a bias that shrinks as sqrt(dt). Phi at the threshold raised by Siegmund's correction
0.5826 sigma sqrt(dt) (dashed) brackets them from below (``docs/theory/ssn_lif.md`` §1).

Units: mu in mV/s, sigma in mV/sqrt(s), rates in Hz.
"""
import matplotlib.pyplot as plt
import numpy as np

from brianmodels.lif.simulate import fi_curve
from meanfield import phi

mu = np.linspace(0.0, 80.0, 9)
DT = 5e-5  # s, fi_curve's default time step
fig, ax = plt.subplots(figsize=(5.5, 4))
for sigma, colour in ((1.0, "tab:blue"), (3.0, "tab:orange"), (6.0, "tab:green")):
    # 9 drives x 50 neurons, 3 s each (0.5 s of warm-up left out)
    fi = fi_curve(mu, sigma=sigma, tau=0.02, n_per_point=50, duration=3.0, warmup=0.5)
    line = np.linspace(0.0, 80.0, 161)
    ax.plot(line, phi(line, sigma, 0.02), color=colour, label=f"Phi, sigma = {sigma:g}")
    shifted = 1.0 + 0.5826 * sigma * np.sqrt(DT)    # the threshold a discrete walk sees
    ax.plot(line, phi(line, sigma, 0.02, theta=shifted), color=colour, ls="--", lw=0.8)
    ax.errorbar(fi["mu"], fi["rate"], yerr=fi["rate_sem"], fmt="o", color=colour, ms=4)
    fires = fi["rate"] > 1.0
    ref = phi(fi["mu"], sigma, 0.02)[fires]
    low = phi(fi["mu"], sigma, 0.02, theta=shifted)[fires]
    print(f"sigma = {sigma:g} mV/sqrt(s): simulated - Phi = "
          f"{100 * np.mean((fi['rate'][fires] - ref) / ref):+.1f} %, simulated - shifted Phi = "
          f"{100 * np.mean((fi['rate'][fires] - low) / low):+.1f} % (points above 1 Hz)")
ax.set_xlabel("drive mu (mV/s)")
ax.set_ylabel("rate (Hz)")
ax.set_title("LIF neuron, tau = 20 ms: simulation (dots) vs Phi (Eq 9)")
ax.legend(frameon=False)
plt.show()
