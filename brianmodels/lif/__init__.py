"""LIF spiking E-I networks: Brian2 equations, standalone builds, simulations, sweeps, and
brian2-free measurements of their output (``brianmodels.lif.analysis``)."""
