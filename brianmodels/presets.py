"""Every network of the Ekelmans et al. (2023) paper as a named preset (Table B of S1 Text).

The numbers were reconstructed from the authors' simulator parameter files
(``docs/theory/ssn_lif.md`` §13, Tables B and C; §14 for the Allen V1 data). Each is
written here once; theory and simulation both start from ``get(name)``.

>>> from brianmodels import presets
>>> presets.names()[:3]
['allen_v1', 'allen_v1_isn', 'bistable']
>>> net = presets.get("supersaturating")
>>> net.J.round(3).tolist()
[[2.001, 12.0], [6.0, 1.0]]

Importing this module never imports brian2.
"""
from __future__ import annotations

import copy
import math

from .network import LIFNetwork

#: Connection probabilities of the base networks (Table B), order (EE, EI, IE, II);
#: with N_E = 3000, N_I = 1000 they give in-degrees K = (195, 200, 825, 100).
P_BASE = (0.065, 0.2, 0.275, 0.1)
#: Sizes of every base network (3:1 split, ``docs/theory/ssn_lif.md`` §4).
N_BASE = (3000, 1000)

_EXP_EE_II = dict(  # Table C, Figs 4, 5B, 6C-F: EE and II exponential (10 ms, delays U[0, 100 ms])
    synapse=("exp", "delta", "delta", "exp"),
    tau_s=(0.010, 0.0, 0.0, 0.010),
    delay_min=0.0,
    delay_max=(0.100, 0.0, 0.0, 0.100),
)

_PAPER = "Ekelmans, Kraynyukova & Tchumatchenko (2023) PLoS Comput Biol 19:e1011097"


def _ramp(*breakpoints):
    """Piecewise-linear protocol: list of (t [s], mu_E [mV/s], mu_I [mV/s]) breakpoints."""
    return [tuple(float(x) for x in bp) for bp in breakpoints]


# name -> (constructor kwargs, info); j in mV, times in s, mu in mV/s.
_REGISTRY: dict[str, tuple[dict, dict]] = {}


def _register(name, *, figure, description, paper_J, r, protocol, dt, note=None,
              source=_PAPER, **network):
    """Add preset ``name``: ``network`` are LIFNetwork arguments (N and p default to the base
    networks' N_BASE and P_BASE), the rest is what :func:`info` returns."""
    network = dict({"N": N_BASE, "p": P_BASE}, **network)
    info = dict(figure=figure, description=description, paper_J=paper_J, r=r, protocol=protocol,
                dt=dt, source=source)
    if note is not None:
        info["note"] = note
    _REGISTRY[name] = (dict(network, name=name, source=f"{figure}: {source}"), info)


_SUPERSAT_J = (0.01026, 0.06, 0.007273, 0.01)
_SUPERSAT_PAPER_J = (2.0, 12.0, 6.0, 1.0)

_register("supersaturating", j=_SUPERSAT_J,
          figure="Fig 2A (also 2B f=1, 2E/F, 2G, 6A/B base)",
          description="Supersaturating network: nu_E peaks and falls as the input grows (r = 1 > J_II/J_EI).",
          paper_J=_SUPERSAT_PAPER_J, r=1.0, protocol=_ramp((0, 0, 0), (50, 50, 50)), dt=0.05e-3)


def _fig2b(f):
    # Fig 2B invariance (``docs/theory/ssn_lif.md`` §8): (J_EI, J_IE, r) -> (f J_EI, J_IE / f, r / f) keeps det J and
    # r J_EI (hence the supersaturation threshold nu_I*) and raises the peak.
    j = list(_SUPERSAT_J)
    j[1] *= f
    j[2] /= f
    return tuple(j)


for _f, _name in ((1.25, "supersaturating_f125"), (1.5, "supersaturating_f150")):
    _register(_name, j=_fig2b(_f),
              figure=f"Fig 2B (f = {_f})",
              description=f"Supersaturating network with the Fig 2B peak control f = {_f}: "
                          "(J_EI, J_IE, r) -> (f J_EI, J_IE/f, r/f).",
              paper_J=(2.0, 12.0 * _f, 6.0 / _f, 1.0), r=1.0 / _f,
              protocol=_ramp((0, 0, 0), (50, 50, 50 / _f)), dt=0.05e-3,
              note="The simulator files round j_IE to 4 digits (e.g. 0.0058 for f=1.25); here j_IE = "
                   "0.007273/f so that the invariance holds exactly.")

_register("supersaturating_exp", j=_SUPERSAT_J, synapse="exp", tau_s=0.050, delay_min=0.0,
          delay_max=(0.150, 0.0, 0.0, 0.0),
          figure="Fig 2C/D (balance factor and CV_ISI)",
          description="Supersaturating network with exponential synapses (tau_s = 50 ms; EE delays U[0, 150 ms]).",
          paper_J=_SUPERSAT_PAPER_J, r=1.0, protocol=_ramp((0, 19, 19), (50, 19, 19)), dt=0.01e-3)

# Allen Institute mouse V1 L2/3 (``docs/theory/ssn_lif.md`` §14): p = connected/probed, j = AUC / tau_m,post /
# (V_thr - V_rest)_post. These reproduce the paper's SSN couplings J = p j N_pre.
_ALLEN_P = (5 / 80, 29 / 150, 44 / 160, 64 / 607)
_ALLEN_J = (3.5865e-3, 6.8137e-2, 2.8697e-2, 0.112353)

_register("allen_v1", p=_ALLEN_P, j=_ALLEN_J,
          figure="Fig 3A",
          description="Network with mouse V1 L2/3 connectivity (Allen Institute synaptic physiology).",
          paper_J=(0.672, 13.173, 23.675, 11.846), r=1.0,
          protocol=_ramp((0, 0, 0), (50, 100, 100)), dt=0.1e-3,
          note="In-degrees are rounded to integers (K_EE = 188 for p N = 187.5), so J differs from the "
               "paper's fractional-K values by <= 0.5%. The authors' simulation used j_II = 0.10765 "
               "(J_II = 11.30); the Allen-derived j_II = 0.112353 is used here, consistent with the "
               "paper's SSN.")

_register("allen_v1_isn", p=_ALLEN_P, j=(0.0254,) + _ALLEN_J[1:],
          figure="Fig 3B",
          description="Allen V1 network with a stronger E->E weight (j_EE = 0.0254 mV): ISN above ~1.5 Hz.",
          paper_J=(4.75, 13.173, 23.675, 11.846), r=0.5,
          protocol=_ramp((0, 0, 0), (50, 100, 50), (100, 100, 100)), dt=0.1e-3)

_BISTABLE_J = (0.025641, 0.05, 0.008485, 0.11)
_BISTABLE_PAPER_J = (5.0, 10.0, 7.0, 11.0)
#: the bistable networks' slow ramp up and down (Fig 4)
_BISTABLE_RAMP = _ramp((0, 0, 0), (500, 10, 10), (1000, 0, 0))

_register("bistable", j=_BISTABLE_J, **_EXP_EE_II,
          figure="Fig 4A, 4C/D, 5A",
          description="Bistable network (det J = 15 > 0): up and down states coexist for mu_E = mu_I ~ 2-4 mV/s.",
          paper_J=_BISTABLE_PAPER_J, r=1.0, protocol=_BISTABLE_RAMP, dt=0.05e-3)

for _tau in (18, 22):
    _register(f"bistable_tauE{_tau}", j=_BISTABLE_J, tau=(_tau * 1e-3, 0.010), **_EXP_EE_II,
              figure="Fig 4B",
              description=f"Bistable network with tau_E = {_tau} ms"
                          + (" (persistent activity: the window contains mu_E = 0)." if _tau == 22 else "."),
              paper_J=_BISTABLE_PAPER_J, r=1.0, protocol=_BISTABLE_RAMP, dt=0.05e-3)

_register("bistable_s2", j=_BISTABLE_J, synapse="exp", tau_s=(0.250, 0.050, 0.050, 0.050),
          delay_min=0.0, delay_max=(0.150, 0.0, 0.0, 0.0),
          figure="S2 Fig",
          description="Bistable network with slow E->E synapses (tau_s = 250 ms) used at several sizes.",
          paper_J=_BISTABLE_PAPER_J, r=1.0, protocol=_ramp((0, 16.4, 16.4), (50, 16.4, 16.4)),
          dt=0.01e-3)

# Fig 5B / 6E-F: specified as hat-j = j sqrt(N); at N = 4000 j = hat-j / sqrt(4000).
_NEGDET_JHAT = (0.40542, 0.316228, 0.076661, 0.790569)

_register("negative_det", j=tuple(x / math.sqrt(4000) for x in _NEGDET_JHAT), **_EXP_EE_II,
          figure="Fig 5B, 6E/F",
          description="det J < 0 network (J = [1.25, 1, 1, 1.25]): at r = 3 a balanced state exists but is "
                      "unstable; even number of steady states.",
          paper_J=(1.25, 1.0, 1.0, 1.25), r=3.0,
          protocol=_ramp((0, 0, 0), (100, 0.8 * math.sqrt(4000), 2.4 * math.sqrt(4000))), dt=0.05e-3)


def names() -> list[str]:
    """Sorted names of all presets.

    Examples
    --------
    >>> from brianmodels import presets
    >>> "supersaturating" in presets.names(), "bistable" in presets.names()
    (True, True)
    """
    return sorted(_REGISTRY)


def _lookup(name):
    if not isinstance(name, str):
        raise TypeError(f"name must be a preset name (str); got {type(name).__name__}")
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown preset name {name!r}; choose one of {names()}") from None


def get(name: str, **changes) -> LIFNetwork:
    """The network of preset ``name`` (see :func:`names`), optionally with fields changed.

    Parameters
    ----------
    name : str
        Preset name, e.g. ``'supersaturating'``.
    **changes
        Passed to :meth:`LIFNetwork.replace` (e.g. ``tau=(0.022, 0.01)``).

    Returns
    -------
    LIFNetwork

    Examples
    --------
    >>> from brianmodels import presets
    >>> net = presets.get("supersaturating")          # the network of Fig 2A
    >>> net.N.tolist(), net.K.tolist()
    ([3000, 1000], [[195, 200], [825, 100]])
    >>> presets.get("bistable", tau=(0.022, 0.01)).tau.tolist()
    [0.022, 0.01]
    """
    kwargs, _ = _lookup(name)
    net = LIFNetwork(**kwargs)
    return net.replace(**changes) if changes else net


def info(name: str) -> dict:
    """What the paper did with preset ``name``.

    Returns
    -------
    dict
        ``figure``, ``description``, ``source``, ``paper_J`` (the SSN couplings the paper used,
        (EE, EI, IE, II) in mV), ``r`` (default input ratio mu_I/mu_E), ``protocol`` (list of
        (t [s], mu_E [mV/s], mu_I [mV/s]) breakpoints of the paper's piecewise-linear input),
        ``dt`` (simulation step, s) and an optional ``note``.

    Examples
    --------
    >>> from brianmodels import presets
    >>> meta = presets.info("bistable")
    >>> meta["figure"], meta["r"]
    ('Fig 4A, 4C/D, 5A', 1.0)
    >>> meta["protocol"][:3]                # (t [s], mu_E [mV/s], mu_I [mV/s]) breakpoints
    [(0.0, 0.0, 0.0), (500.0, 10.0, 10.0), (1000.0, 0.0, 0.0)]
    """
    return copy.deepcopy(_lookup(name)[1])


# ---------------------------------------------------------------- Fig 2G (XOR) input populations
#: Two Poisson input populations of 2000 neurons each, projecting onto E and I with
#: j = 0.0025 mV and p = 0.5 (K = 1000): each adds 2.5 nu_X mV/s of mean drive (``docs/theory/ssn_lif.md`` §13).
XOR_INPUTS = dict(N=2000, j=0.0025, p=0.5, rate_range=(0.0, 10.0))
