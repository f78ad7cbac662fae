"""Networks shared by the tests, defined once.

Tests that simulate the same structure (sizes, in-degrees, synapse kinds, delays, what is
recorded) share one compiled build through the session's build cache (``tests/conftest.py``), so
a network used in several test modules is defined here, not in each of them.
"""
from brianmodels import presets
from brianmodels.network import LIFNetwork

#: Fig 2A network of the paper (N = 4000), as in ``presets``.
SUPERSATURATING = presets.get("supersaturating")

#: A small network with every code path: 400 E + 400 I neurons, K = 40, refractory I neurons,
#: recorded spikes of every neuron and the XOR Poisson input populations (``PATHS_KW``).
PATHS = LIFNetwork(N=(400, 400), p=0.1, j=0.02, tau=(0.02, 0.01), sigma_ext=3.0, t_ref=(0.0, 0.002))
#: Settings that, with ``PATHS``, select the one shared build (Poisson inputs at 0 Hz by default).
PATHS_KW = dict(record_spikes=(400, 400), poisson_inputs=presets.XOR_INPUTS, progress=False)
