"""Synthetic spike trains and traces with known statistics for the tests of
brianmodels.lif.analysis (a helper module, not collected).

Every statistical tolerance of those tests is a multiple (4-5) of a standard error computed
from the generating process (Poisson counts, delta-method SE of the CV estimator, measured
spread of the autocorrelation-time estimator), so a failure means a bug, not bad luck.
"""
import math

import numpy as np
from scipy.signal import lfilter


# ---------------------------------------------------------------- synthetic spike trains

def poisson_trains(rng, N, rate, T):
    """Homogeneous Poisson trains: Poisson counts per neuron, uniform times (unsorted)."""
    counts = rng.poisson(rate * T, N)
    i = np.repeat(np.arange(N), counts)
    t = rng.uniform(0.0, T, i.size)
    perm = rng.permutation(i.size)
    return i[perm], t[perm]


def renewal_trains(rng, N, n_isi, draw):
    """Renewal trains from ISI draws ``draw(size)``; returns time-sorted (i, t)."""
    isi = draw((N, n_isi))
    t = np.cumsum(isi, axis=1).ravel()
    i = np.repeat(np.arange(N), n_isi)
    order = np.argsort(t, kind="stable")
    return i[order], t[order]


def cv_estimator_se(k, n):
    """Delta-method SE of the sample CV of n gamma(k) intervals (scale 1).

    Moments of gamma(k): mean k, variance k, 3rd central 2k, 4th central 3k^2 + 6k.
    CV_hat = sqrt(s2)/m; grad = (-sqrt(s2)/m^2, 1/(2 m sqrt(s2))).
    """
    m, var, m3, m4 = k, k, 2 * k, 3 * k**2 + 6 * k
    s = math.sqrt(var)
    g_m, g_v = -s / m**2, 1 / (2 * m * s)
    return math.sqrt((g_m**2 * var + g_v**2 * (m4 - var**2) + 2 * g_m * g_v * m3) / n)


def brute_force_cv(i, t, N, min_spikes, ddof=1):
    """Per-neuron loop reference for the CV."""
    out = np.full(N, np.nan)
    for n in range(N):
        ts = np.sort(t[i == n])
        if ts.size >= min_spikes:
            isi = np.diff(ts)
            out[n] = isi.std(ddof=ddof) / isi.mean()
    return out


def ar1(rng, tau, dt, n):
    phi = math.exp(-dt / tau)
    x = lfilter([1.0], [1.0, -phi], rng.standard_normal(n))
    return x * math.sqrt(1 - phi**2)  # unit variance


def hysteresis_protocol(rng, dt=0.05, N=3000):
    """0 -> 10 mV/s over 500 s and back; up at mu = 4 (forward), down at mu = 2 (backward);
    spontaneous excursions: up [150, 170) s and down [820, 840) s."""
    t = (np.arange(int(round(1000 / dt))) + 0.5) * dt
    mu = np.where(t < 500, t / 50, 10 - (t - 500) / 50)
    up = ((t >= 200) & (t < 900)) | ((t >= 150) & (t < 170))
    up &= ~((t >= 820) & (t < 840))
    rate = np.where(up, 5.0 + 0.2 * mu, 0.5)
    counts = rng.poisson(rate * N * dt)  # population spike counts
    return t, mu, counts / (N * dt)
