"""
Rate networks against the DMFT
==============================

The sparse-balance rate networks of Khajeh, Fumarola & Abbott (2022),
``tau dx/dt = -x + W phi(x) + I`` with random inhibitory weights of a broad distribution
(dimensionless; time in units of tau), simulated for a few in-degrees K and compared with the
dynamic mean-field theory (DMFT, ``docs/theory/sparse_balance.md`` §3): the mean rate
``phi_mean`` (the DMFT's ``m``), the fraction of active units ``f``, the mean input ``mu`` and
the temporal-variance ratio ``beta``.

Both sides read their defaults from one place (``brianmodels.rate.params.DEFAULTS``: the
network of the paper's Figs 1, 2 and 4). Here the weights are Gaussian (``J0 = 3``, the Fig 5
network), the networks are all-to-all (``N = K``, the paper's choice) and the runs are short
(``T = 300`` tau after the warm-up), so the simulated values scatter more than in the paper's
figures.
"""
import matplotlib.pyplot as plt

from brianmodels import rate_sweep
from meanfield import compare, dmft, dmft_sweep

# %%
# The theory at one K
# -------------------
th = dmft(K=500, J0=3.0)                 # the theory of Gaussian weights
print(th.message)
print(f"m = {th.m:.4f}, f = {th.f:.4f}, beta = {th.beta:.4f}")

# %%
# A K sweep: simulation and theory
# --------------------------------
# ``n_jobs=1`` runs the points in this process (the default, all cores, starts worker
# processes; a script doing that needs an ``if __name__ == "__main__":`` guard, see the README).
Ks = [250, 500, 1000]
sims = rate_sweep(Ks, connectivity_seeds=[1, 2], J0=3.0, weights="normal", T=300.0,
                  n_jobs=1, progress=False)
print(sims.message)
theory = dmft_sweep(Ks, J0=3.0, progress=False)
# ``beta`` (the temporal share of the input variance) converges slowest in K and T: at these
# in-degrees it is the least accurate of the four (the paper's Fig 4 goes to K = 10^4).
cmp = compare(sims, {"DMFT": theory})
print(cmp.report())

fig = cmp.plot()
fig.suptitle("rate networks (points, two realisations per K) vs DMFT (lines)")
plt.show()
