"""Two-population stabilized supralinear network (SSN) mapped from a LIF network.

Ekelmans, Kraynyukova & Tchumatchenko (2023), PLoS Comput Biol 19:e1011097, reconstructed in
``docs/theory/ssn_lif.md`` §6-§11. The model (Eq 2)

    tau_X dnu_X/dt = -nu_X + a_X (mu_X - b_X)_+^{n_X},  X in {E, I},
    mu_E = J_EE nu_E - J_EI nu_I + mu_E^ext,  mu_I = J_IE nu_E - J_II nu_I + mu_I^ext,

with (a, b, n) the Eq 1 power-law fit of each population's LIF transfer function and J the
population couplings of Eq 13. This module is the thin parameter layer: validation, defaults and
tidy pandas tables. The numbers come from :mod:`meanfield.ssn.kernels` (root finding) and
:mod:`meanfield.ssn.symbolic` (every formula, derived once with sympy); regime maps and fold
curves are in :mod:`meanfield.ssn.regimes`; input design is delegated to :mod:`meanfield.ssn.design`.

Units: rates Hz, external inputs mu in mV/s, couplings J in mV (magnitudes
[[J_EE, J_EI], [J_IE, J_II]], indexed [target, source]), a in Hz (mV/s)^-n, b in mV/s, times s.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._results import TableResult
from . import kernels as _k
from .._validate import (as_float, as_float_array, check_drive, check_finite, check_float, check_int,
                        check_kwargs, check_nonempty, check_pair, check_positive, check_vector)
from .symbolic import PARAM_NAMES
from .symbolic import functions as _functions

__all__ = ["SSN", "SteadyStates", "PAPER_FITS", "PAPER_FITS_TAU_E", "STEADY_STATE_COLUMNS"]

#: Rounded Table D power-law fits used by the authors' scripts (``docs/theory/ssn_lif.md`` §3): E (sigma 3 mV/sqrt(s),
#: tau 20 ms) and I (sigma 3, tau 10 ms). a in Hz (mV/s)^-n, b in mV/s.
PAPER_FITS = dict(a=(1.079e-4, 2.210e-6), b=(-11.14, 4.77), n=(3.081, 3.815))
#: Table D rows of the E fit for other tau_E (Fig 4B; ``docs/theory/ssn_lif.md`` §3), keyed by tau_E in s: (a, b, n).
PAPER_FITS_TAU_E = {0.018: (7.8904e-5, -9.4929, 3.1357), 0.020: (1.0792e-4, -11.1425, 3.0814),
                    0.022: (1.5997e-4, -12.1213, 3.0053)}
#: Reference network size of the sqrt(N) scaling convention (``docs/theory/ssn_lif.md`` §11).
N_REF = 4000

#: Columns of :meth:`SSN.steady_states` (documented there).
STEADY_STATE_COLUMNS = (
    "point", "mu_E", "mu_I", "r", "state", "kind", "nu_E", "nu_I", "x_E", "x_I", "g_E", "g_I",
    "delta", "trace", "det", "eig1_re", "eig1_im", "eig2_re", "eig2_im", "stable", "stability",
    "fold", "isn", "paradoxical", "supersaturating", "dnuE_dmu", "dnuI_dmu",
    "R_EE", "R_EI", "R_IE", "R_II")


def _check_grid(grid):
    """The z scan grid of :meth:`SSN.steady_states`: 1-D, finite, from 0, strictly increasing."""
    grid = check_finite(grid, "grid")
    if grid.ndim != 1 or grid.size < 3:
        raise ValueError(f"grid must be a 1-D array of at least 3 z values (mV/s); got shape {grid.shape}")
    if grid[0] != 0 or np.any(np.diff(grid) <= 0):
        raise ValueError("grid must start at 0 and increase strictly (z scan grid, mV/s; see "
                         f"meanfield.ssn.kernels.z_grid); got {grid[:4].tolist()}...")
    return grid


def _pair(x, name, unit, positive=False, minimum=None):
    check = (lambda arr, nm: check_positive(arr, nm, unit)) if positive else None
    return check_pair(x, name, unit, check=check, minimum=minimum)


#: status codes of :class:`SteadyStates`
STATUS = {
    0: "every steady state found",
    1: "steady state(s) with nu_E above the scan grid (> 1e4 Hz) exist and are not listed",
    2: "the parity rule (``docs/theory/ssn_lif.md`` §7.3) is violated at some point: a root was lost; refine the grid",
}


@dataclass
class SteadyStates(TableResult):
    """Steady states of the SSN at input points or along a path (the :class:`brianmodels.result.Result`
    convention): what :meth:`SSN.steady_states`, :meth:`SSN.state_counts`, the sweeps and
    :meth:`SSN.size_scan` return.

    Attributes
    ----------
    table : pandas.DataFrame
        The tidy table; its columns are documented by the method that made it.
    status : int
        0 every state found; 1 some point has a state beyond the scan grid (nu_E > 1e4 Hz, not
        listed); 2 the parity rule is violated at some point (a root was lost) (:data:`STATUS`).
    message : str
        What happened.
    params : dict
        ``ssn`` (:meth:`SSN.to_dict`), ``method`` and its settings.
    diagnostics : dict
        ``n_points``, ``n_without_state``, ``n_beyond_grid``, ``n_parity_violations``.

    Examples
    --------
    >>> from meanfield import SSN
    >>> res = SSN.paper([[5, 10], [7, 11]]).steady_states([1.0, 3.0], r=1.0)
    >>> res.success, res.status, res.message
    (True, 0, 'all steady states found at 2 input point(s)')
    >>> res.table.groupby("point").size().tolist()      # states per input point
    [1, 3]
    """

    STATUS = STATUS


def _check_states(st, det, n_points):
    """Status, message, counters and per-point parity violations of a
    :func:`meanfield.ssn.kernels.states` scan (parity rule ``docs/theory/ssn_lif.md`` §7.3).

    Returns
    -------
    status : int
        As :data:`STATUS`.
    message : str
    diagnostics : dict
        ``n_points``, ``n_without_state``, ``n_beyond_grid``, ``n_parity_violations``.
    parity_violated : numpy.ndarray of bool, shape (n_points,)
        Points whose number of states breaks the parity rule (a root was lost).
    """
    # a double root (fold within tolerance) has multiplicity two for the parity rule
    n_states = st["n_states"] + np.bincount(st["point"][st["double"]], minlength=n_points)
    parity_bad = ((det > 0) & (n_states % 2 == 0)) | ((det < 0) & (n_states % 2 == 1))
    parity_bad &= ~st["beyond"]
    n_beyond, n_bad = int(st["beyond"].sum()), int(parity_bad.sum())
    msgs = []
    if n_beyond:
        msgs.append(f"{n_beyond} point(s) have a steady state with nu_E > {_k.NU_MAX:g} Hz "
                    "(beyond the scan grid; not listed)")
    if n_bad:
        msgs.append(f"{n_bad} point(s) violate the parity rule (``docs/theory/ssn_lif.md`` §7.3): a root was lost; "
                    "refine the grid")
    status = 2 if n_bad else (1 if n_beyond else 0)
    message = "; ".join(msgs) or f"all steady states found at {n_points} input point(s)"
    diag = dict(n_points=int(n_points), n_without_state=int((st["n_states"] == 0).sum()),
                n_beyond_grid=n_beyond, n_parity_violations=n_bad)
    return status, message, diag, np.asarray(parity_bad, bool)


class SSN:
    """Two-population SSN (Eq 2) with power-law transfer functions (Eq 1).

    Parameters
    ----------
    J : array_like, shape (2, 2) or (4,)
        Coupling magnitudes [[J_EE, J_EI], [J_IE, J_II]] in mV (= mV/s per Hz), >= 0, with
        J_EI > 0 (the characteristic-function reduction, ``docs/theory/ssn_lif.md`` §7.1, eliminates nu_I through the
        E nullcline).
    a : array_like, shape (2,)
        Power-law prefactors (a_E, a_I) in Hz (mV/s)^-n, > 0.
    b : array_like, shape (2,)
        Power-law thresholds (b_E, b_I) in mV/s (any sign).
    n : array_like, shape (2,)
        Exponents (n_E, n_I) >= 1.
    tau : array_like, shape (2,)
        Population time constants (tau_E, tau_I) of Eq 2 in s (default membrane values 20, 10 ms;
        ``docs/theory/ssn_lif.md`` §6 [GAP]). They only affect the stability of non-saddle states.

    Attributes
    ----------
    J, a, b, n, tau : numpy.ndarray
        The parameters (read-only copies).
    network : object or None
        The LIF network this SSN was mapped from (:meth:`from_network`), for provenance.
    fits : tuple or None
        The two power-law fit objects used by :meth:`from_network`.

    Examples
    --------
    The bistable network of Fig 4 with the paper's fits (J in mV):

    >>> from meanfield import SSN
    >>> ssn = SSN.paper([[5, 10], [7, 11]])
    >>> ssn.det_J                                      # mV^2
    15.0
    >>> states = ssn.steady_states(3.0, r=1.0).table    # three states: bistable
    >>> print(states[["state", "nu_E", "nu_I", "stability"]].round(3).to_string(index=False))
     state  nu_E  nu_I stability
         0 0.846 0.001    stable
         1 2.739 0.094    saddle
         2 6.103 0.978    stable

    From a LIF network description (power-law fits at its noise and time constants):

    >>> from brianmodels import presets
    >>> ssn = SSN.from_network(presets.get("supersaturating"))
    >>> round(ssn.isn_threshold(), 2)                   # Hz
    5.45
    """

    def __init__(self, J, a, b, n, tau=(0.020, 0.010)):
        J = as_float_array(J, "J")
        if J.shape == (4,):
            J = J.reshape(2, 2)
        if J.shape != (2, 2):
            raise ValueError(f"J must be a 2x2 array [[J_EE, J_EI], [J_IE, J_II]] or 4 values "
                             f"(EE, EI, IE, II) in mV; got shape {J.shape}")
        J = check_finite(J, "J")
        if np.any(J < 0):
            raise ValueError(f"J must hold coupling magnitudes >= 0 mV (signs follow the presynaptic "
                             f"population); got {J.tolist()}")
        if not J[0, 1] > 0:
            raise ValueError("J_EI (J[0, 1]) must be > 0 mV: the steady-state reduction eliminates "
                             f"nu_I through the E nullcline (``docs/theory/ssn_lif.md`` §7.1); got {J[0, 1]!r}")
        self._J = J.copy()
        self._a = _pair(a, "a", " Hz (mV/s)^-n", positive=True)
        self._b = _pair(b, "b", " mV/s")
        self._n = _pair(n, "n", "", minimum=1.0)
        self._tau = _pair(tau, "tau", " s", positive=True)
        for arr in (self._J, self._a, self._b, self._n, self._tau):
            arr.setflags(write=False)
        self.network = None
        self.fits = None

    # ------------------------------------------------------------------ construction
    @classmethod
    def paper(cls, J, tau=(0.020, 0.010), tau_E_fit=None):
        """SSN with the paper's rounded Table D power-law fits (:data:`PAPER_FITS`).

        Parameters
        ----------
        J : array_like
            Couplings in mV, see :class:`SSN`.
        tau : array_like
            Population time constants (s).
        tau_E_fit : float, optional
            Use the Table D E-row for this tau_E (s; one of :data:`PAPER_FITS_TAU_E`), as in Fig 4B.

        Examples
        --------
        >>> from meanfield import SSN
        >>> SSN.paper([[5, 10], [7, 11]])
        SSN(J=[[5.0, 10.0], [7.0, 11.0]], a=[0.0001079, 2.21e-06], b=[-11.14, 4.77], n=[3.081, 3.815], tau=[0.02, 0.01])
        """
        a, b, n = (list(PAPER_FITS[k]) for k in ("a", "b", "n"))
        if tau_E_fit is not None:
            tau_E_fit = check_float(tau_E_fit, "tau_E_fit", 0.0, low_inclusive=False, unit="s")
            key = min(PAPER_FITS_TAU_E, key=lambda t: abs(t - float(tau_E_fit)))
            if abs(key - float(tau_E_fit)) > 1e-9:
                raise ValueError(f"tau_E_fit must be one of {sorted(PAPER_FITS_TAU_E)} s; got {tau_E_fit!r}")
            a[0], b[0], n[0] = PAPER_FITS_TAU_E[key]
        return cls(J, a, b, n, tau=tau)

    @classmethod
    def from_network(cls, net, **fit_kwargs):
        """Map a LIF network to its SSN (``docs/theory/ssn_lif.md`` §6): fits of Eq 1 per population, J of Eq 13.

        Parameters
        ----------
        net : LIFNetwork-like
            Object with attributes ``J`` (2x2 mV), ``tau`` (s), ``sigma_ext`` (mV/sqrt(s)),
            ``theta``, ``v_reset`` (mV) and optionally ``t_ref`` (s), e.g.
            ``brianmodels.presets.get('bistable')``.
        **fit_kwargs
            Passed to :func:`meanfield.lif.powerlaw.fit_powerlaw` (``p0``, or ``sigma``, ``tau``,
            ``theta``, ``v_reset``, ``t_ref`` to override the network's values for both fits).

        Returns
        -------
        SSN
            With ``network`` set to ``net`` and ``fits`` to the two fit results.

        Examples
        --------
        >>> from brianmodels import presets
        >>> from meanfield import SSN
        >>> ssn = SSN.from_network(presets.get("supersaturating"))
        >>> [round(float(v), 2) for v in ssn.n]             # fitted exponents (n_E, n_I)
        [3.08, 3.81]
        >>> ssn.network.name, len(ssn.fits)
        ('supersaturating', 2)
        """
        from ..lif.powerlaw import fit_powerlaw  # lazy: scipy fit only when needed

        for attr in ("J", "tau", "sigma_ext", "theta", "v_reset"):
            if not hasattr(net, attr):
                raise TypeError(f"net must be a LIFNetwork-like object; missing attribute {attr!r}")
        check_kwargs(fit_kwargs, ("p0", "sigma", "tau", "theta", "v_reset", "t_ref"),
                     "SSN.from_network (forwarded to fit_powerlaw)")
        for attr in ("tau", "sigma_ext", "theta", "v_reset") + (("t_ref",) if hasattr(net, "t_ref") else ()):
            check_pair(getattr(net, attr), f"net.{attr}")   # one value per population (E, I)
        fits = []
        for X in range(2):
            kw = dict(sigma=float(net.sigma_ext[X]), tau=float(net.tau[X]), theta=float(net.theta[X]),
                      v_reset=float(net.v_reset[X]))
            if hasattr(net, "t_ref"):
                kw["t_ref"] = float(net.t_ref[X])
            kw.update(fit_kwargs)
            fits.append(fit_powerlaw(**kw))
        ssn = cls(np.asarray(net.J, float), [f.a for f in fits], [f.b for f in fits],
                  [f.n for f in fits], tau=np.asarray(net.tau, float))
        ssn.network = net
        ssn.fits = tuple(fits)
        return ssn

    def replace(self, **changes):
        """Copy with some of J, a, b, n, tau changed (provenance kept).

        Examples
        --------
        >>> from meanfield import SSN
        >>> ssn = SSN.paper([[5, 10], [7, 11]]).replace(tau=(0.03, 0.01))
        >>> ssn.tau.tolist()
        [0.03, 0.01]
        """
        kw = dict(J=self._J, a=self._a, b=self._b, n=self._n, tau=self._tau)
        unknown = set(changes) - set(kw)
        if unknown:
            raise TypeError(f"unknown SSN parameter(s) {sorted(unknown)}; allowed: {sorted(kw)}")
        kw.update(changes)
        new = type(self)(**kw)
        new.network, new.fits = self.network, self.fits
        return new

    def scaled(self, N_total, N_ref=N_REF):
        """The SSN of the same network at size ``N_total`` in the sqrt(N) convention (``docs/theory/ssn_lif.md`` §11).

        J(N) = J sqrt(N_total / N_ref); a, b, n and tau unchanged (sigma_ext is not scaled, so the
        fits do not change). The external input is mu_E = mu_hat_E sqrt(N) (see :meth:`size_scan`).

        Parameters
        ----------
        N_total : float
            Network size (> 0).
        N_ref : float
            Size at which this SSN's J is given (default 4000).

        Examples
        --------
        Four times the reference size doubles every coupling:

        >>> from meanfield import SSN
        >>> SSN.paper([[5, 10], [7, 11]]).scaled(16000).J.tolist()
        [[10.0, 20.0], [14.0, 22.0]]
        """
        N_total = check_positive(as_float(N_total, "N_total"), "N_total").item()
        N_ref = check_positive(as_float(N_ref, "N_ref"), "N_ref").item()
        new = self.replace(J=self._J * math.sqrt(N_total / N_ref))
        if self.network is not None and hasattr(self.network, "scaled"):
            new.network = None  # the LIF network at another size is a different object
        return new

    # ------------------------------------------------------------------ parameters
    J = property(lambda self: self._J, doc="Couplings [[J_EE, J_EI], [J_IE, J_II]] (mV).")
    a = property(lambda self: self._a, doc="Power-law prefactors (a_E, a_I), Hz (mV/s)^-n.")
    b = property(lambda self: self._b, doc="Power-law thresholds (b_E, b_I), mV/s.")
    n = property(lambda self: self._n, doc="Power-law exponents (n_E, n_I).")
    tau = property(lambda self: self._tau, doc="Time constants (tau_E, tau_I) of Eq 2, s.")

    @property
    def params(self):
        """Parameter tuple in :data:`meanfield.ssn.symbolic.PARAM_NAMES` order (plain floats)."""
        J, a, b, n = self._J, self._a, self._b, self._n
        return tuple(float(v) for v in (J[0, 0], J[0, 1], J[1, 0], J[1, 1], a[0], a[1], b[0], b[1],
                                        n[0], n[1]))

    @property
    def det_J(self):
        """det J = J_EI J_IE - J_EE J_II (mV^2; paper's convention, ``docs/theory/ssn_lif.md`` §6)."""
        return float(_functions().det_J(*self.params))

    def to_dict(self):
        """Parameters as plain Python lists (JSON-serialisable).

        Examples
        --------
        >>> from meanfield import SSN
        >>> SSN.paper([[5, 10], [7, 11]]).to_dict()["J"]
        [[5.0, 10.0], [7.0, 11.0]]
        """
        return dict(J=self._J.tolist(), a=self._a.tolist(), b=self._b.tolist(), n=self._n.tolist(),
                    tau=self._tau.tolist())

    def __repr__(self):
        d = self.to_dict()
        return (f"SSN(J={d['J']}, a={d['a']}, b={d['b']}, n={d['n']}, tau={d['tau']})")

    # ------------------------------------------------------------------ steady states
    def _inputs(self, mu_E, r, mu_I):
        mu_E, mu_I, r = check_drive(mu_E, r, mu_I)
        check_nonempty(mu_E, "mu_E", what="input point")
        return (np.ascontiguousarray(mu_E, float).ravel(), np.ascontiguousarray(mu_I, float).ravel(),
                np.asarray(r, float).ravel())

    def _result(self, table, st, n_points, method, **settings):
        status, message, diag, _ = _check_states(st, self.det_J, n_points)
        return SteadyStates(table=table, status=status, message=message,
                            params=dict(ssn=self.to_dict(), method=method, **settings), diagnostics=diag)

    def steady_states(self, mu_E, *, r=None, mu_I=None, grid=None):
        """Every steady state of Eq 2 at each input point, with stability and linear response.

        States are the E-silent state (when F(0) <= 0, §7.2) and every root z > 0 of the
        characteristic function F (Eq S10, §7.1) with nu_E below 1e4 Hz; the parity rule (§7.3)
        is checked and reported.

        Parameters
        ----------
        mu_E : float or array_like
            External input to E (mV/s).
        r : float or array_like, optional
            Input ratio mu_I / mu_E, broadcast against ``mu_E`` (default 1 when ``mu_I`` is not
            given). Exclusive with ``mu_I``.
        mu_I : float or array_like, optional
            External input to I (mV/s), broadcast against ``mu_E``.
        grid : numpy.ndarray, optional
            z scan grid (mV/s; default :func:`meanfield.ssn.kernels.z_grid`): 1-D, finite,
            starting at 0, strictly increasing, at least 3 values.

        Returns
        -------
        SteadyStates
            ``table``: one row per input point x steady state, ordered by point and nu_E. Columns:
            ``point`` (index into the flattened inputs), ``mu_E``, ``mu_I`` (mV/s), ``r``
            (mu_I/mu_E, NaN if mu_E = 0 with explicit mu_I), ``state`` (index of the state
            within its point, 0 = lowest nu_E), ``kind`` ('silent': nu_E = 0, or 'active'),
            ``nu_E``, ``nu_I`` (Hz), ``x_E``, ``x_I`` (total input minus b, mV/s), ``g_E``, ``g_I``
            (local gains, Hz per mV/s), ``delta`` (det(1 - G J); F'(z) = -delta), ``trace``,
            ``det`` (Jacobian of Eq 2 with tau; 1/s, 1/s^2), ``eig1_re``, ``eig1_im``,
            ``eig2_re``, ``eig2_im`` (eigenvalues, 1/s), ``stable`` (bool: all eigenvalues have
            negative real part, i.e. det > 0 and trace < 0, and the state is not a fold;
            :func:`meanfield.ssn.kernels.is_stable`), ``stability`` ('stable', 'saddle',
            'unstable' (node/focus with positive trace), 'marginal' (double root at a fold)),
            ``fold`` (bool), ``isn`` (g_E J_EE > 1, Eq 7), ``paradoxical`` (stable and
            d nu_I/d mu_I^ext < 0), ``supersaturating`` (stable and d nu_E/d mu < 0 along
            (1, r), Eq S6), ``dnuE_dmu``, ``dnuI_dmu`` (response along (1, r), Hz per mV/s),
            ``R_EE``, ``R_EI``, ``R_IE``, ``R_II`` (d nu_X / d mu_Y^ext, Hz per mV/s).
            ``status`` 0 ok, 1 states beyond the grid, 2 parity rule violated (:class:`SteadyStates`).

        Examples
        --------
        >>> from meanfield import SSN
        >>> ssn = SSN.paper([[5, 10], [7, 11]])
        >>> tab = ssn.steady_states([1.0, 3.0], r=1.0).table
        >>> print(tab[["mu_E", "state", "nu_E", "stable", "isn"]].round(3).to_string(index=False))
         mu_E  state  nu_E  stable   isn
          1.0      0 0.363    True False
          3.0      0 0.846    True False
          3.0      1 2.739   False  True
          3.0      2 6.103    True  True
        """
        mu_E, mu_I, r = self._inputs(mu_E, r, mu_I)
        grid = None if grid is None else _check_grid(grid)
        st = _k.states(mu_E, mu_I, self.params, grid)
        return self._result(self._table(mu_E, mu_I, r, st), st, mu_E.size, "steady_states",
                            grid_size=None if grid is None else int(grid.size))

    def _table(self, mu_E, mu_I, r, st):
        import pandas as pd

        P = self.params
        p = st["point"]
        dirE = np.where(np.isfinite(r), 1.0, np.nan)[p]
        dirI = np.where(np.isfinite(r), r, np.nan)[p]
        la = _k.linear_analysis(st["x_E"], st["x_I"], P, self._tau[0], self._tau[1], (dirE, dirI))
        fold = st["double"]
        stable = _k.is_stable(la["det"], la["trace"], fold)
        stability = np.where(fold, "marginal", np.where(la["det"] < 0, "saddle",
                                                        np.where(stable, "stable", "unstable")))
        R = la["R"]
        df = pd.DataFrame({
            "point": p, "mu_E": mu_E[p], "mu_I": mu_I[p], "r": r[p], "state": st["state"],
            "kind": np.where(st["silent"], "silent", "active"), "nu_E": st["nu_E"], "nu_I": st["nu_I"],
            "x_E": st["x_E"], "x_I": st["x_I"], "g_E": la["g_E"], "g_I": la["g_I"],
            "delta": la["delta"], "trace": la["trace"], "det": la["det"],
            "eig1_re": la["eig1"].real, "eig1_im": la["eig1"].imag,
            "eig2_re": la["eig2"].real, "eig2_im": la["eig2"].imag,
            "stable": stable, "stability": stability, "fold": fold,
            "isn": la["g_E"] * P[0] > 1,  # Eq 7
            "paradoxical": stable & (R[1, 1] < 0),
            "supersaturating": stable & (la["dnuE"] < 0),  # Eq S6 along (1, r)
            "dnuE_dmu": la["dnuE"], "dnuI_dmu": la["dnuI"],
            "R_EE": R[0, 0], "R_EI": R[0, 1], "R_IE": R[1, 0], "R_II": R[1, 1],
        })
        return df

    def state_counts(self, mu_E, *, r=None, mu_I=None):
        """Number of steady states and of stable ones per input point.

        Parameters
        ----------
        mu_E, r, mu_I
            As in :meth:`steady_states`.

        Returns
        -------
        SteadyStates
            ``table`` columns ``point``, ``mu_E``, ``mu_I`` (mV/s), ``n_states``, ``n_stable``,
            ``beyond_grid`` (bool: a state with nu_E > 1e4 Hz exists).

        Examples
        --------
        >>> from meanfield import SSN
        >>> tab = SSN.paper([[5, 10], [7, 11]]).state_counts([1.0, 3.0, 6.0]).table
        >>> print(tab[["mu_E", "n_states", "n_stable"]].to_string(index=False))
         mu_E  n_states  n_stable
          1.0         1         1
          3.0         3         2
          6.0         1         1
        """
        import pandas as pd

        mu_E, mu_I, r = self._inputs(mu_E, r, mu_I)
        st = _k.states(mu_E, mu_I, self.params)
        la = _k.linear_analysis(st["x_E"], st["x_I"], self.params, self._tau[0], self._tau[1])
        stable = _k.is_stable(la["det"], la["trace"], st["double"])
        table = pd.DataFrame({"point": np.arange(mu_E.size), "mu_E": mu_E, "mu_I": mu_I,
                              "n_states": st["n_states"],
                              "n_stable": np.bincount(st["point"][stable], minlength=mu_E.size),
                              "beyond_grid": st["beyond"]})
        return self._result(table, st, mu_E.size, "state_counts")

    # ------------------------------------------------------------------ sweeps
    def sweep_path(self, mu_E, mu_I, *, refine=8):
        """Follow every steady-state branch along a path of input points, through folds.

        States are computed at every path point (see :meth:`steady_states`) and connected into
        continuous branches by :func:`meanfield.ssn.kernels.link_branches`; path intervals where
        the number of states jumps by more than one fold (or jumps oddly) are bisected up to
        ``refine`` times first.

        Parameters
        ----------
        mu_E, mu_I : array_like, shape (m,)
            The path (mV/s), in order (m >= 1, finite).
        refine : int
            Maximum rounds of interval bisection (integer in [0, 60]; beyond about 50 halvings an
            interval is below double resolution).

        Returns
        -------
        SteadyStates
            ``table``: the columns of :meth:`steady_states` (``state``: index within the point)
            plus ``t`` (path parameter: index into the input path, fractional for refined
            points), ``branch`` (id of the connected solution curve, continuous across the path and
            through folds; the silent state continues the lowest active state when nu_E reaches 0)
            and ``order`` (position along the branch). Sorted by ``branch``, ``order``.

        Examples
        --------
        A path of three input points (mu_E, mu_I) in mV/s; the middle one is bistable:

        >>> from meanfield import SSN
        >>> res = SSN.paper([[5, 10], [7, 11]]).sweep_path([2.0, 3.0, 4.0], [2.0, 3.0, 4.0])
        >>> print(res.table[["t", "branch", "mu_E", "nu_E", "stable"]].round(3).to_string(index=False))
          t  branch  mu_E  nu_E  stable
        0.0       0   2.0 0.532    True
        1.0       0   3.0 0.846    True
        1.0       0   3.0 2.739   False
        1.0       0   3.0 6.103    True
        2.0       0   4.0 6.828    True
        """
        mu_E = check_vector(mu_E, "mu_E", what="input point")
        mu_I = check_vector(mu_I, "mu_I", what="input point")
        if mu_E.shape != mu_I.shape:
            raise ValueError(f"mu_E and mu_I must have the same length; got {mu_E.size}, {mu_I.size}")
        refine = check_int(refine, "refine", low=0, high=60)
        t = np.arange(mu_E.size, dtype=float)
        P = self.params
        counts = _k.states(mu_E, mu_I, P)["n_states"]
        for _ in range(int(refine)):
            jump = np.abs(np.diff(counts))
            bad = np.nonzero((jump > 2) | (jump % 2 == 1))[0]
            if bad.size == 0:
                break
            tn = 0.5 * (t[bad] + t[bad + 1])
            mEn = np.interp(tn, t, mu_E)
            mIn = np.interp(tn, t, mu_I)
            cn = _k.states(mEn, mIn, P)["n_states"]
            t, idx = np.unique(np.concatenate([t, tn]), return_index=True)
            mu_E = np.concatenate([mu_E, mEn])[idx]
            mu_I = np.concatenate([mu_I, mIn])[idx]
            counts = np.concatenate([counts, cn])[idx]
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(mu_E != 0, mu_I / np.where(mu_E != 0, mu_E, 1.0), np.nan)
        st = _k.states(mu_E, mu_I, P)
        df = self._table(mu_E, mu_I, r, st)
        branch, order = _k.link_branches(st["point"], st["nu_E"], mu_E.size)
        df.insert(0, "t", t[st["point"]])
        df.insert(1, "branch", branch)
        df.insert(2, "order", order)
        df = df.sort_values(["branch", "order"], kind="stable").reset_index(drop=True)
        return self._result(df, st, mu_E.size, "sweep_path", refine=int(refine))

    def sweep(self, mu_E, *, r=1.0, refine=8):
        """Branches along the input ray mu_E, mu_I = r mu_E (Figs 2-4 protocols).

        Parameters
        ----------
        mu_E : array_like
            External input to E (mV/s), in sweep order.
        r : float
            Input ratio mu_I / mu_E.
        refine : int
            See :meth:`sweep_path`.

        Returns
        -------
        SteadyStates
            As :meth:`sweep_path` (``mu_E`` is the position along the ray).

        Examples
        --------
        The bistable network along mu_I = mu_E: one branch that folds twice (the S-shaped curve):

        >>> import numpy as np
        >>> from meanfield import SSN
        >>> res = SSN.paper([[5, 10], [7, 11]]).sweep(np.linspace(0.0, 8.0, 81), r=1.0)
        >>> res.message
        'all steady states found at 81 input point(s)'
        >>> res.table["branch"].nunique(), int((~res.table["stable"]).sum()) > 0
        (1, True)
        """
        mu_E = check_vector(mu_E, "mu_E", what="input point")
        r = check_float(r, "r")
        res = self.sweep_path(mu_E, r * mu_E, refine=refine)
        res.params.update(method="sweep", r=r)
        return res

    def sweep_r(self, r_values, *, mu_E, refine=8):
        """Branches at fixed mu_E while the ratio r = mu_I/mu_E sweeps ``r_values``.

        ``r_values`` (input ratios, in sweep order) and ``mu_E`` (external input to E, mV/s) make
        the path of :meth:`sweep_path` (``refine`` as there); its :class:`SteadyStates` comes back
        with the ratio of each row in ``r``.

        Examples
        --------
        >>> from meanfield import SSN
        >>> res = SSN.paper([[5, 10], [7, 11]]).sweep_r([0.5, 1.0, 1.5], mu_E=3.0)
        >>> res.table["r"].round(2).unique().tolist()
        [0.5, 1.0, 1.5]
        """
        r_values = check_vector(r_values, "r_values", what="input ratio")
        mu_E = check_float(mu_E, "mu_E")
        res = self.sweep_path(np.full(r_values.size, mu_E), mu_E * r_values, refine=refine)
        if mu_E == 0:
            res.table["r"] = np.interp(res.table["t"], np.arange(r_values.size), r_values)
        res.params.update(method="sweep_r", mu_E=mu_E)
        return res

    # ------------------------------------------------------------------ regime conditions
    def isn_threshold(self):
        """Eq 7: E rate above which a state is inhibition-stabilised, nu_E^ISN (Hz).

        Returns
        -------
        float
            nu_E^ISN = a_E^(-1/(n_E-1)) (n_E J_EE)^(-n_E/(n_E-1)); inf if n_E = 1 or J_EE = 0
            and n_E J_EE a_E <= 1 (never ISN), 0 if n_E = 1 and a_E J_EE > 1 (always).

        Examples
        --------
        >>> from meanfield import SSN
        >>> round(SSN.paper([[5, 10], [7, 11]]).isn_threshold(), 3)    # Hz
        1.406
        """
        P = self.params
        if P[0] == 0:
            return math.inf
        if P[8] == 1:
            return 0.0 if P[4] * P[0] > 1 else math.inf
        fn = _functions()
        return float(fn.rate(fn.z_isn(*P), P[4], P[8]))

    def supersaturation_condition(self, r):
        """Eq 4: necessary condition r > J_II / J_EI for supersaturation.

        Parameters
        ----------
        r : float or array_like
            Input ratio mu_I / mu_E.

        Returns
        -------
        bool or numpy.ndarray of bool

        Examples
        --------
        J_II / J_EI = 1.1 for this network:

        >>> from meanfield import SSN
        >>> ssn = SSN.paper([[5, 10], [7, 11]])
        >>> ssn.supersaturation_condition(1.0), ssn.supersaturation_condition([0.5, 1.5]).tolist()
        (False, [False, True])
        """
        r = check_finite(r, "r")
        out = r > self._J[1, 1] / self._J[0, 1]
        return bool(out) if out.ndim == 0 else out

    def supersaturation_threshold(self, r):
        """Eq S6: I rate nu_I*(r) above which d nu_E / d mu < 0 along (1, r) (Hz).

        Parameters
        ----------
        r : float or array_like
            Input ratio.

        Returns
        -------
        float or numpy.ndarray
            nu_I* = a_I^(-1/(n_I-1)) [n_I (r J_EI - J_II)]^(-n_I/(n_I-1)); inf where Eq 4 fails.

        Examples
        --------
        >>> from meanfield import SSN
        >>> ssn = SSN.paper([[5, 10], [7, 11]])
        >>> round(ssn.supersaturation_threshold(1.5), 3), ssn.supersaturation_threshold(1.0)   # Hz
        (2.542, inf)
        """
        r = check_finite(r, "r")
        P = self.params
        fn = _functions()
        ok = self.supersaturation_condition(r)
        if P[9] == 1:
            out = np.where(ok & (P[5] * (r * P[1] - P[3]) > 1), 0.0, np.inf)
        else:
            with np.errstate(all="ignore"):
                w = fn.w_supersat(np.where(ok, r, np.inf), *P)
                out = np.where(ok, fn.rate(np.real(w), P[5], P[9]), np.inf)
        return float(out) if np.ndim(out) == 0 else out

    def supersaturation_onset(self, r, *, mu_E_max=1e3, n_grid=2001):
        """Smallest input mu_E at which a stable state along (1, r) starts supersaturating (mV/s).

        Parameters
        ----------
        r : float
            Input ratio mu_I / mu_E.
        mu_E_max : float
            Largest mu_E searched (mV/s, > 0).
        n_grid : int
            Grid size of the scan before refinement (integer >= 3).

        Returns
        -------
        float
            The onset mu_E (NaN if none in [0, mu_E_max]); the paper's peak of nu_E(mu_E) sits
            there (the first crossing of :func:`meanfield.ssn.regimes.supersaturation_boundary`).

        Examples
        --------
        >>> from brianmodels import presets
        >>> from meanfield import SSN
        >>> ssn = SSN.from_network(presets.get("supersaturating"))
        >>> round(ssn.supersaturation_onset(1.0), 1)          # mV/s (the peak of nu_E in Fig 2A)
        17.7
        """
        from .regimes import supersaturation_boundary
        r = check_float(r, "r")
        mu_E_max = check_float(mu_E_max, "mu_E_max", 0.0, low_inclusive=False, unit="mV/s")
        tab = supersaturation_boundary(self, [r], mu_E_range=(0.0, mu_E_max), n_grid=n_grid).table
        found = tab.loc[tab["found"], "mu_E"]
        return float(found.min()) if len(found) else math.nan

    def balanced_rates(self, mu_E, *, r=None, mu_I=None):
        """Eq S1: rates of the balanced (N -> infinity) solution, J nu + (mu_E, mu_I) = 0 (Hz).

        Parameters
        ----------
        mu_E : float or array_like
            External input to E (mV/s).
        r : float, optional
            Input ratio mu_I / mu_E (give ``r`` or ``mu_I``, not both; neither: r = 1).
        mu_I : float or array_like, optional
            External input to I (mV/s), broadcast against ``mu_E``.

        Returns
        -------
        nu_E, nu_I : numpy.ndarray
            May be negative (then no balanced state exists, Eq S2). NaN if det J = 0.

        Examples
        --------
        >>> from meanfield import SSN
        >>> nu_E, nu_I = SSN.paper([[5, 10], [7, 11]]).balanced_rates(10.0, r=1.0)
        >>> round(float(nu_E), 4), round(float(nu_I), 4)       # Hz
        (0.6667, 1.3333)
        """
        fn = _functions()
        if mu_I is None:
            mu_E = check_finite(mu_E, "mu_E")
            r = check_float(1.0 if r is None else r, "r")
        else:
            mu_E, mu_I, _ = check_drive(mu_E, r, mu_I)
        if self.det_J == 0:
            return np.full(mu_E.shape, np.nan), np.full(mu_E.shape, np.nan)
        if mu_I is None:
            e, i = fn.balanced(r, *self.params)
            return mu_E * float(e), mu_E * float(i)
        # linear in the inputs: per unit mu_E at r = 0, plus per unit mu_I
        e0, i0 = (float(v) for v in fn.balanced(0.0, *self.params))
        e1, i1 = (float(v) - w for v, w in zip(fn.balanced(1.0, *self.params), (e0, i0)))
        return mu_E * e0 + mu_I * e1, mu_E * i0 + mu_I * i1

    def balanced_state(self, r):
        """Eqs S1, S2, S4: existence and stability of the balanced limit at input ratio r.

        Parameters
        ----------
        r : float
            Input ratio mu_I / mu_E (with mu_E > 0).

        Returns
        -------
        dict
            ``exists`` (bool, Eq S2: both rates per unit mu positive), ``stable`` (bool, Eq S4:
            exists and det J > 0, i.e. det(G J) > 0 for positive gains), ``nu_E_per_mu``,
            ``nu_I_per_mu`` (Hz per mV/s), ``det_J`` (mV^2).

        Examples
        --------
        >>> from meanfield import SSN
        >>> state = SSN.paper([[5, 10], [7, 11]]).balanced_state(1.0)
        >>> state["exists"], state["stable"], round(state["nu_E_per_mu"], 4)
        (True, True, 0.0667)
        """
        e, i = self.balanced_rates(1.0, r=r)
        e, i = float(e), float(i)
        exists = bool(e > 0 and i > 0)
        return dict(exists=exists, stable=bool(exists and self.det_J > 0), nu_E_per_mu=e,
                    nu_I_per_mu=i, det_J=self.det_J)

    # ------------------------------------------------------------------ maps, folds (regimes.py)
    def regime_map(self, mu_E, *, r=1.0, **kwargs):
        """Regime labels over an (mu_E, r) grid (a ``RegimeResult``); see
        :func:`meanfield.ssn.regimes.regime_map`.

        Examples
        --------
        >>> import numpy as np
        >>> from meanfield import SSN
        >>> res = SSN.paper([[5, 10], [7, 11]]).regime_map(np.linspace(0.0, 8.0, 9), r=[1.0])
        >>> print(res.summary().to_string(index=False))
              regime  n_points
              stable         3
        bistable+isn         1
                 isn         5
        """
        from .regimes import regime_map
        check_kwargs(kwargs, (), "SSN.regime_map")
        return regime_map(self, mu_E, r=r)

    def fold_curve(self, r_values, **kwargs):
        """Saddle-node folds (F = F' = 0; a ``RegimeResult``); see
        :func:`meanfield.ssn.regimes.fold_curve` (keyword-only ``mu_E_range``, ``n_grid``, ``n_bisect``).

        Examples
        --------
        The two folds that bound the bistability window at r = 1 (mV/s):

        >>> from meanfield import SSN
        >>> res = SSN.paper([[5, 10], [7, 11]]).fold_curve([1.0], mu_E_range=(0.0, 10.0))
        >>> res.table["mu_E"].round(2).tolist(), res.table["change"].tolist()
        ([2.19, 3.58], [2, -2])
        """
        from .regimes import fold_curve
        check_kwargs(kwargs, ("mu_E_range", "n_grid", "n_bisect"), "SSN.fold_curve (forwarded to fold_curve)")
        return fold_curve(self, r_values, **kwargs)

    def size_scan(self, N_values, mu_hat_E, *, r=1.0, N_ref=N_REF, **sweep_kwargs):
        """SSN branches versus network size in the sqrt(N) convention (Fig 6; ``docs/theory/ssn_lif.md`` §11).

        Parameters
        ----------
        N_values : array_like
            Network sizes (e.g. ``4000 * 10**np.arange(0, 2.11, 0.1)``).
        mu_hat_E : array_like
            E drive per sqrt(N), mu_hat_E = mu_E / sqrt(N) (mV/s), in sweep order: the drive at
            size N is ``mu_hat_E * sqrt(N)`` (as in :func:`meanfield.lif.scaling.size_scaling`).
        r : float
            Input ratio mu_I / mu_E.
        N_ref : float
            Size at which this SSN's J is given.
        **sweep_kwargs
            ``refine``, passed to :meth:`sweep`.

        Returns
        -------
        SteadyStates
            ``table``: the :meth:`sweep` tables stacked with columns ``N``, ``mu_hat_E`` (mV/s);
            ``mu_E`` is the drive at size N (mV/s); ``branch`` ids are per N. ``status`` is the
            worst over the sizes.

        Examples
        --------
        >>> from brianmodels import presets
        >>> from meanfield import SSN
        >>> ssn = SSN.from_network(presets.get("supersaturating"))
        >>> tab = ssn.size_scan([4000, 16000], [0.2, 0.4]).table
        >>> print(tab[["N", "mu_hat_E", "mu_E", "nu_E"]].round(1).to_string(index=False))
              N  mu_hat_E  mu_E  nu_E
         4000.0       0.2  12.6   2.3
         4000.0       0.4  25.3   2.2
        16000.0       0.2  25.3   0.9
        16000.0       0.4  50.6   0.0
        """
        import pandas as pd

        N_values = check_positive(check_vector(N_values, "N_values", what="network size"), "N_values")
        mu_hat_E = check_vector(mu_hat_E, "mu_hat_E", what="input point")
        r = check_float(r, "r")
        check_positive(as_float(N_ref, "N_ref"), "N_ref")
        check_kwargs(sweep_kwargs, ("refine",), "SSN.size_scan (forwarded to SSN.sweep)")
        if "refine" in sweep_kwargs:
            check_int(sweep_kwargs["refine"], "refine", low=0, high=60)
        out, results = [], []
        for N in N_values:
            res = self.scaled(N, N_ref).sweep(mu_hat_E * math.sqrt(N), r=r, **sweep_kwargs)
            tab = res.table
            tab.insert(0, "N", N)
            tab.insert(1, "mu_hat_E", tab["mu_E"] / math.sqrt(N))
            out.append(tab)
            results.append(res)
        worst = max(results, key=lambda res: res.status)
        msgs = [f"N={N:g}: {res.message}" for N, res in zip(N_values, results) if res.status]
        diag = {k: sum(res.diagnostics[k] for res in results) for k in results[0].diagnostics}
        return SteadyStates(table=pd.concat(out, ignore_index=True), status=worst.status,
                            message="; ".join(msgs) or f"all steady states found at {len(results)} size(s)",
                            params=dict(ssn=self.to_dict(), method="size_scan", sizes=N_values.tolist(), r=r,
                                        N_ref=float(N_ref), **sweep_kwargs), diagnostics=diag)

    # ------------------------------------------------------------------ design (meanfield.ssn.design)
    def inputs_for(self, nu_E, nu_I, **kwargs):
        """Eq 5 inputs for target rates; see :func:`meanfield.ssn.design.inputs_for`.

        Examples
        --------
        The inputs (mV/s) that make the upper state of the bistable network at mu = 3 mV/s a steady
        state give back that input:

        >>> from meanfield import SSN
        >>> mu_E, mu_I = SSN.paper([[5, 10], [7, 11]]).inputs_for(6.103, 0.978)
        >>> round(mu_E, 2), round(mu_I, 2)
        (3.0, 3.0)
        """
        from .design import inputs_for
        check_kwargs(kwargs, ("check_stability",), "SSN.inputs_for (forwarded to design.inputs_for)")
        return inputs_for(self, nu_E, nu_I, **kwargs)

    def weights_for(self, nu_E, nu_I, mu_E, mu_I, *args, **kwargs):
        """Eq 6 couplings for target rates; see :func:`meanfield.ssn.design.weights_for`.

        Examples
        --------
        The couplings (J_EI, J_IE) in mV that make (6.103, 0.978) Hz the steady state at
        mu_E = mu_I = 3 mV/s, the others kept:

        >>> from meanfield import SSN
        >>> J_EI, J_IE = SSN.paper([[5, 10], [7, 11]]).weights_for(6.103, 0.978, 3.0, 3.0)
        >>> round(J_EI, 2), round(J_IE, 2)
        (10.0, 7.0)
        """
        from .design import weights_for
        check_kwargs(kwargs, ("pair", "check_stability"), "SSN.weights_for (forwarded to design.weights_for)")
        return weights_for(self, nu_E, nu_I, mu_E, mu_I, *args, **kwargs)


assert PARAM_NAMES[0] == "J_EE" and PARAM_NAMES[8] == "n_E"  # index use in this module
