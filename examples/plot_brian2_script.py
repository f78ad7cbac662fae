"""
Your own Brian2 script: to_brian2 and from_brian2
=================================================

``to_brian2`` gives the supersaturating network of Fig 2A as plain Brian2 objects (two
``NeuronGroup`` named ``'E'`` and ``'I'``, one ``Synapses`` per pathway, equations with units and
Brian2's ``xi`` noise), with the package's connections, delays and initial condition. Here it
runs on Brian2's C++ standalone device, compiled once: the drive ``mu`` is a variable of the
neuron groups, so three input points are three runs of one binary with ``run_args``. Each run's
monitors go back into the package with ``from_brian2``; the three results join into one with
``SimulationResult.concat(..., renumber=True)``, and ``compare`` lines them up with the SSN and
the self-consistent rates Phi_sc, exactly as for a sweep of the package's own engine.

The runs are short (1.5 s, 0.5 s of warm-up) so that the example builds with the documentation;
the Brian2 compile takes ~30-40 s on 2 cores.
"""
import tempfile

import brian2 as b2
import matplotlib.pyplot as plt
import numpy as np

from brianmodels import from_brian2, presets, to_brian2
from brianmodels.lif.result import SimulationResult
from meanfield import SSN, compare, selfconsistent

net = presets.get("supersaturating")

# %%
# The network as Brian2 objects, with your monitors
# -------------------------------------------------
# ``build_on_run=False``: ``run`` only records what to simulate; ``device.build`` compiles it.
build_dir = tempfile.mkdtemp()  # Brian2 builds into ./output unless told otherwise
b2.set_device("cpp_standalone", build_on_run=False, directory=build_dir)
bn = to_brian2(net, mu_E=10.0)
print(bn["E"].equations)
spikes = [b2.SpikeMonitor(bn["E"]), b2.SpikeMonitor(bn["I"])]
bn.add(spikes)
bn.run(1.5 * b2.second)
b2.device.build(directory=build_dir, run=False)

# %%
# Three input points, one binary
# ------------------------------
# ``run_args`` sets the drive of every neuron for one run (mV/s along the ray mu_I = mu_E).
runs = []
for mu in (10.0, 20.0, 40.0):
    drive = mu * b2.mV / b2.second
    b2.device.run(run_args={bn["E"].mu: drive, bn["I"].mu: drive})
    runs.append(from_brian2(spikes, net, warmup=0.5, seed=1, connectivity_seed=1))
sim = SimulationResult.concat(runs, renumber=True)
print(sim.summary())

# %%
# Against the theory
# ------------------
mu_line = np.linspace(0.0, 50.0, 101)
theory = {"SSN": SSN.from_network(net).sweep(mu_line), "Phi_sc": selfconsistent(net, mu_line)}
cmp = compare(sim, theory)
print(cmp.report())
fig = cmp.plot()
fig.suptitle("to_brian2 network in cpp_standalone vs SSN and Phi_sc")
plt.show()

# %%
# Brian2's device is global: give the next script in this process the runtime device back.
b2.device.reinit()
b2.set_device("runtime")
