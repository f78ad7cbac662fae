"""Dynamic mean-field theory (DMFT) of the sparse-balance rate network.

Model (Khajeh, Fumarola & Abbott 2022, Eq 15; ``docs/theory/sparse_balance.md`` §3.1)::

    dx_i/dt = -x_i - eta_i + I0,   eta_i = sum_j J_ij phi(x_j),   N = K (all-to-all),
    J_ij ~ Normal(J0 / sqrt(K), g^2 / K^nu),

time in units of tau_x (dimensionless). The paper's DMFT has nu = 1/2; here the weight
variance g^2/K^nu enters only through the effective coupling

    g_eff^2 = K * Var(J) = g^2 K^(1 - nu)        (g^2 sqrt(K) for nu = 1/2),

which replaces g^2 sqrt(K) in Eqs 17-25 (nu = 1 is the classical low-variance scaling). The
quenched variance of eta uses the weight *variance*, exact for N = K (§3.1).

Solved equations (corrected Eqs 20-27 of §3.1): with C(sigma) = E[phi(X1) phi(X2)] for
jointly Gaussian X1, X2 (mean u, variance sigma0, covariance sigma),

    u = I0 - J0 sqrt(K) E[phi(u + sqrt(sigma0) z)]                   (Eq 23)
    sigma_inf = g_eff^2 C(sigma_inf),  q = sigma_inf / g_eff^2       (Eq 24, the hilltop root)
    sigma'' = sigma - g_eff^2 C(|sigma|), sigma(0)=sigma0, sigma'(0)=0  (Eq 25)
    R_eta = g_eff^2 C(sigma(tau)) - sigma_inf                        (Eq 21)
    m = (I0 - u)/(J0 sqrt K), f = (1 + erf(u/sqrt(2 sigma0)))/2,     (Eq 26)
    beta = R_eta(0) / int_0^inf R_eta                                (Eq 27)

sigma0 comes from energy conservation in the potential V = -sigma^2/2 + g_eff^2 F(sigma)
(F built from the antiderivative Phi, §3.3): V(sigma0) = V(sigma_inf). The same potential
gives int_0^inf (sigma - sigma_inf) = int R_eta by quadrature (so beta without the ODE); the
ODE Eq 25 is then integrated to tabulate R_eta(tau), and the two betas are compared.

Every pitfall of §3.4 is handled: (1) the sigma0 bracket is found by a scan whose sign
convention is read from the bracket ends; (2) the hilltop (smallest) root of Eq 24 is taken,
polished with Brent's method; (3) sigma0 below the appearance of the hilltop ("no root") is
treated as the static side of the bracket; (4) Eq 23 is solved by Brent's method on a
bracket; (5) quadrature is split at the kink (:mod:`meanfield.quadrature`); (6) the ODE stops at
its closest approach to sigma_inf (events sigma = sigma_inf downward or sigma' = 0 upward)
and continues with the exact linearised separatrix tail exp(-lambda tau),
lambda = sqrt(-V''(sigma_inf)); (7) the energy reference is blended linearly between both
ends and the kinetic energy is guarded >= 0; (8) C(sigma) is tabulated once per solution on a
Chebyshev grid in w = sqrt(1 - sigma/sigma0) (smooth there even for Heaviside) for the ODE.
"""
from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional, Sequence

import numpy as np

from brianmodels.rate.params import DEFAULTS as D
from brianmodels.result import Result
from meanfield.sparse_balance.activations import get_activation, Activation
from meanfield.quadrature import gauss_legendre, gaussian_mean, two_point
from meanfield._validate import check_bool, check_float, check_kwargs
from meanfield._solvers import brentq

__all__ = ["dmft", "dmft_sweep", "DMFTResult", "DMFTSweepResult", "Autocorrelation", "effective_coupling"]

#: status codes of :class:`DMFTResult` (its ``STATUS``)
STATUS_MESSAGES = {
    0: "converged",
    1: "no chaotic solution in the scanned sigma0 range and the static solution is unstable",
    2: "root finding did not converge",
    3: "converged, but a consistency check failed (see diagnostics)",
    4: "no bounded solution: the variance runs away (unbounded phi with too large g_eff)",
}

_SCAN_MIN, _SCAN_MAX, _SCAN_FACTOR = 1e-6, 1e6, 4.0   # sigma0 scan (units of x^2)
_N_GRID = 41              # covariance grid used to locate the roots of Eq 24
_N_ENERGY = 64            # Gauss-Legendre nodes of the energy (beta) quadrature
_N_CHEB = 96              # Chebyshev nodes of the tabulated C(sigma) for the ODE
_BETA_RTOL = 0.02         # allowed relative difference beta(energy) vs beta(ODE)
_RESID_TOL = 1e-8         # allowed relative residual of Eqs 23, 24 and the energy condition


def effective_coupling(g: float, K: float, nu: float = 0.5) -> float:
    """Effective coupling g_eff^2 = K Var(J) = g^2 K^(1 - nu) (g^2 sqrt(K) for nu = 1/2, Eq 17).

    Parameters
    ----------
    g : float
        Weight-spread parameter (weight standard deviation g K^(-nu/2)), >= 0.
    K : float
        In-degree, > 0.
    nu : float
        Variance exponent (weight variance g^2 / K^nu).

    Returns
    -------
    float
        g_eff^2 (dimensionless).
    """
    return g * g * K ** (1.0 - nu)


# ----------------------------------------------------------------------------------------
# plain-float kernels
# ----------------------------------------------------------------------------------------

class _Kernel:
    """C(sigma), F(sigma) and the 1-D means for one activation, counting evaluations."""

    def __init__(self, act: Activation):
        self.act = act
        self.nfev = 0

    def mean(self, u, sigma0):
        """E[phi(u + sqrt(sigma0) z)]."""
        self.nfev += 1
        return gaussian_mean(self.act.phi, u, math.sqrt(sigma0), self.act.phi_monomial)

    def mean_sq(self, u, sigma0):
        """E[phi(u + sqrt(sigma0) z)^2] = C(sigma0)."""
        return self.C(np.array([sigma0]), u, sigma0)[0]

    def C(self, sigma, u, sigma0):
        self.nfev += 1
        return two_point(self.act.phi, sigma, u, sigma0, self.act.phi_monomial)

    def F(self, sigma, u, sigma0):
        self.nfev += 1
        return two_point(self.act.Phi, sigma, u, sigma0, self.act.Phi_monomial)


def solve_u(kern: _Kernel, sigma0: float, I0: float, JK: float) -> float:
    """Eq 23 for u at given sigma0, by Brent's method on a bracket (pitfall 4).

    The residual r(u) = u - I0 + JK E[phi(u + sqrt(sigma0) z)] increases with u, r(I0) >= 0.
    """
    if JK == 0.0:
        return I0

    def r(u):
        return u - I0 + JK * float(kern.mean(u, sigma0))

    hi = I0
    if math.isfinite(kern.act.phi_max):
        lo = I0 - JK * kern.act.phi_max - 1e-12 * (1.0 + abs(I0))
    else:
        step = 1.0 + abs(I0)
        lo = I0 - step
        while r(lo) > 0:
            step *= 2.0
            lo = I0 - step
            if step > 1e12:
                raise RuntimeError("Eq 23: no lower bracket for u")
    rhi = r(hi)
    if rhi == 0.0:
        return hi
    u, info = brentq(r, lo, hi, xtol=1e-15 * (1.0 + abs(I0)), rtol=1e-15, maxiter=200, full_output=True)
    if not info.converged:
        raise RuntimeError(f"Eq 23: Brent did not converge ({info.flag})")
    return u


@dataclass
class _State:
    """Everything known at one trial sigma0."""
    sigma0: float
    u: float
    kind: str                 # 'none' (no hilltop below sigma0), 'valley' (hilltop + valley), 'single'
    s_inf: float = math.nan   # hilltop root of Eq 24
    s_valley: float = math.nan
    G0: float = math.nan      # V'(sigma0) = g_eff^2 C(sigma0) - sigma0
    energy: float = math.nan  # V(sigma0) - V(sigma_inf)


def _grid(sigma0: float) -> np.ndarray:
    x = np.linspace(0.0, 1.0, _N_GRID)
    x = np.union1d(x, 1.0 - np.geomspace(1e-6, 1.0 / (_N_GRID - 1), 6))
    return sigma0 * x


def evaluate(kern: _Kernel, sigma0: float, I0: float, JK: float, geff2: float) -> _State:
    """Solve Eq 23, locate the hilltop of Eq 24 and evaluate the energy condition at sigma0."""
    from scipy.optimize import minimize_scalar

    u = solve_u(kern, sigma0, I0, JK)
    s = _grid(sigma0)
    G = geff2 * kern.C(s, u, sigma0) - s     # V'(sigma)

    def Gf(x):
        return geff2 * float(kern.C(np.array([x]), u, sigma0)[0]) - x

    st = _State(sigma0=sigma0, u=u, kind="none", G0=G[-1])
    neg = np.nonzero(G <= 0)[0]
    if neg.size == 0:
        # the hilltop may sit in a dip narrower than the grid: refine the minimum (pitfall 3)
        j = int(np.argmin(G[:-1]))
        a, b = s[max(j - 1, 0)], s[min(j + 1, len(s) - 1)]
        res = minimize_scalar(Gf, bounds=(a, b), method="bounded",
                              options={"xatol": 1e-3 * (b - a), "maxiter": 25})
        if res.fun > 0:
            return st
        lo_s, hi_s = a, res.x
    else:
        i = int(neg[0])
        if i == 0:           # G(0) = g_eff^2 m^2 > 0 always; only reachable when m == 0
            return st
        lo_s, hi_s = s[i - 1], s[i]
    # hilltop = the smallest root (pitfall 2), polished with Brent
    s_inf, info = brentq(Gf, lo_s, hi_s, xtol=1e-15 * sigma0, rtol=1e-15, maxiter=200, full_output=True)
    st.s_inf = s_inf
    if st.G0 > 0:
        st.kind = "valley"
        k = int(np.nonzero(s > s_inf)[0][0])
        k = max(k, int(np.argmin(G)))
        try:
            st.s_valley = brentq(Gf, s[k] if s[k] > s_inf else hi_s, sigma0, xtol=1e-14 * sigma0, full_output=True)[0]
        except ValueError:
            st.s_valley = math.nan
    else:
        st.kind = "single"
    Fv = kern.F(np.array([s_inf, sigma0]), u, sigma0)
    st.energy = -(sigma0 ** 2 - s_inf ** 2) / 2.0 + geff2 * (Fv[1] - Fv[0])   # Sec 3.3 (iii)
    return st


def _positive(st: _State) -> bool:
    """Static side of the sigma0 bracket: no hilltop yet, or excess energy (pitfall 1, 3).

    A 'single' state (hilltop but no valley: sigma0 beyond the static point) is never on
    this side, whatever the rounding of its (vanishing) energy gap.
    """
    return st.kind == "none" or (st.kind == "valley" and st.energy > 0)


def _find_chaotic(kern, I0, JK, geff2, scan, counters):
    """Scan sigma0 upward for the first change from the static side to E < 0, then Brent.

    Returns (sigma0, state, scan_table) or (None, last_state, scan_table).
    """
    states = []
    prev = None
    for s0 in scan:
        st = evaluate(kern, float(s0), I0, JK, geff2)
        states.append(st)
        counters["scan"] += 1
        if prev is not None and _positive(prev) and not _positive(st):
            lo, hi = prev, st
            # pitfall 3: the lower end may have no hilltop at all; bisect until it has one
            for _ in range(80):
                if lo.kind != "none":
                    break
                mid = evaluate(kern, math.sqrt(lo.sigma0 * hi.sigma0), I0, JK, geff2)
                counters["bisect"] += 1
                if _positive(mid):
                    lo = mid
                else:
                    hi = mid
                if hi.sigma0 / lo.sigma0 - 1.0 < 1e-13:
                    break
            if lo.kind == "none":
                # direct transition no-root -> E < 0: this is the static point, not chaos
                prev = st
                continue

            def E(s0):
                counters["brent"] += 1
                return evaluate(kern, s0, I0, JK, geff2).energy

            s0, info = brentq(E, lo.sigma0, hi.sigma0, xtol=1e-15 * hi.sigma0, rtol=1e-15,
                               maxiter=200, full_output=True)
            counters["brent_converged"] = bool(info.converged)
            return s0, evaluate(kern, s0, I0, JK, geff2), states
        prev = st
    return None, prev, states


def _find_static(kern, I0, JK, geff2, states):
    """Static solution sigma0 = g_eff^2 E[phi^2] (G(sigma0) = 0), bracketed from the scan."""
    for a, b in zip(states[:-1], states[1:]):
        if a.G0 > 0 and b.G0 <= 0:
            def H(s0):
                u = solve_u(kern, s0, I0, JK)
                return geff2 * kern.mean_sq(u, s0) - s0
            s0 = brentq(H, a.sigma0, b.sigma0, xtol=1e-15 * b.sigma0, rtol=1e-15, full_output=True)[0]
            return s0
    return None


# ----------------------------------------------------------------------------------------
# results
# ----------------------------------------------------------------------------------------

class Autocorrelation:
    """R_eta(tau) of the synaptic input (Eq 21): callable of the lag and tidy table.

    Calling ``R(tau)`` (tau in units of tau_x, any array shape, symmetric in tau) returns
    g_eff^2 C(sigma(``|tau|``)) - sigma_inf from the integrated Eq 25 up to its closest approach
    ``tau_c`` to sigma_inf, and the linearised separatrix tail R(tau_c) exp(-lambda (tau-tau_c))
    beyond. ``table`` is a DataFrame with columns ``tau``, ``R_eta``, ``R_eta_norm``
    (R/R(0)), ``sigma`` (the autocovariance sigma(tau) of x, Eq 19) and ``C_x``
    (= sigma - sigma_inf, the temporal autocovariance of x).
    """

    def __init__(self, sigma_of_tau: Optional[Callable], c_of_sigma: Optional[Callable],
                 geff2: float, sigma_inf: float, tau_c: float, lam: float, tau_grid: np.ndarray):
        self._sig = sigma_of_tau
        self._C = c_of_sigma
        self.geff2, self.sigma_inf, self.tau_c, self.lam = geff2, sigma_inf, tau_c, lam
        self._tau_grid = tau_grid
        self._table = None

    def sigma(self, tau) -> np.ndarray:
        """Autocovariance sigma(tau) of x (Eq 19), including the exponential tail."""
        tau = np.abs(np.asarray(tau, dtype=float))
        if self._sig is None:       # static solution: no temporal fluctuations
            return np.full_like(tau, self.sigma_inf)
        inside = tau <= self.tau_c
        core = self._sig(np.where(inside, tau, self.tau_c))
        dc = self._sig(self.tau_c) - self.sigma_inf
        tail = self.sigma_inf + dc * np.exp(-self.lam * (tau - self.tau_c))
        return np.where(inside, core, tail)

    def __call__(self, tau) -> np.ndarray:
        tau = np.abs(np.asarray(tau, dtype=float))
        if self._sig is None:
            return np.zeros_like(tau)
        inside = tau <= self.tau_c
        s = self._sig(np.where(inside, tau, self.tau_c))
        core = self.geff2 * self._C(s) - self.sigma_inf
        Rc = self.geff2 * self._C(self._sig(self.tau_c)) - self.sigma_inf
        tail = Rc * np.exp(-self.lam * (tau - self.tau_c))
        return np.where(inside, core, tail)

    def integral(self) -> float:
        """int_0^inf R_eta(tau) d tau (ODE part by Gauss-Legendre panels + exact tail)."""
        if self._sig is None:
            return 0.0
        t, w = gauss_legendre(32)
        edges = np.linspace(0.0, self.tau_c, max(2, int(math.ceil(self.tau_c)) * 2 + 1))
        tot = 0.0
        for a, b in zip(edges[:-1], edges[1:]):
            x = a + (b - a) * (t + 1) / 2
            tot += (b - a) / 2 * np.sum(w * self(x))
        return tot + float(self(self.tau_c)) / self.lam

    @property
    def table(self):
        """Tidy DataFrame tau / R_eta / R_eta_norm / sigma / C_x on the result's lag grid."""
        if self._table is None:
            import pandas as pd
            tau = self._tau_grid
            R = self(tau)
            sig = self.sigma(tau)
            R0 = float(self(0.0))
            self._table = pd.DataFrame({
                "tau": tau, "R_eta": R, "R_eta_norm": R / R0 if R0 > 0 else np.full_like(R, np.nan),
                "sigma": sig, "C_x": sig - self.sigma_inf})
        return self._table

    def to_frame(self):
        """Same as :attr:`table` (a copy)."""
        return self.table.copy()


@dataclass
class DMFTResult(Result):
    """Solution of the sparse-balance DMFT (one parameter point; result convention of
    :mod:`brianmodels.result`).

    Attributes
    ----------
    u : float
        Mean current x (Eq 20), = x_mean of simulations.
    sigma0 : float
        Total variance of x, sigma(0).
    sigma_inf : float
        Quenched variance of x (and of eta), sigma(tau -> inf) = g_eff^2 q.
    q : float
        Quenched order parameter [<phi>^2] (Eq 18).
    m : float
        Mean response [<phi>] (Eq 26), = phi_mean of simulations.
    f : float
        Fraction of active units P(x > 0) (Eq 26).
    mu : float
        Mean response of the active units, m / f.
    beta : float
        Decorrelation rate R_eta(0) / int R_eta (Eq 27), from the energy quadrature (nan for
        a static solution).
    R_eta : Autocorrelation
        Callable R_eta(tau) (Eq 21) with ``.table`` (tidy DataFrame tau / R_eta / ...).
    regime : str
        'chaotic' or 'static' (sigma0 = sigma_inf: no temporal fluctuations).
    status : int
        0 success; 1 no chaotic solution and unstable static solution; 2 root finding failed;
        3 converged but a consistency check failed; 4 no bounded solution (runaway variance,
        unbounded phi). Listed in :attr:`STATUS`; ``success`` is ``status == 0``.
    message : str
        What was found (chaotic or static solution) or what failed.
    params : dict
        phi, J0, g, I0, K, nu, g_eff2 and weights (``'normal'``: the DMFT is the theory of
        Gaussian weights, Eq 15).
    diagnostics : dict
        method, residuals (eq23, eq24, energy, relative), iterations/function evaluations,
        beta_energy, beta_ode, beta_rel_diff, hilltop curvature V''(sigma_inf), valley root,
        tau_c (ODE truncation), ode_event, interpolation error of C, static stability.
    """

    u: float
    sigma0: float
    sigma_inf: float
    q: float
    m: float
    f: float
    mu: float
    beta: float
    R_eta: Autocorrelation
    regime: str
    status: int
    message: str
    params: Dict[str, Any]
    diagnostics: Dict[str, Any] = field(default_factory=dict)

    STATUS = STATUS_MESSAGES

    def __post_init__(self):
        self.status = int(self.status)

    @property
    def tau_eta(self) -> float:
        """Correlation time of eta, 1 / beta (units of tau_x, Eq 14)."""
        return 1.0 / self.beta if self.beta and math.isfinite(self.beta) else math.nan

    def row(self) -> Dict[str, Any]:
        """One tidy row: parameters, order parameters and the main diagnostics."""
        geff2 = self.params["g_eff2"]
        var_eta_t = self.sigma0 and float(self.R_eta(0.0))
        d = self.diagnostics
        return {
            **{k: self.params[k] for k in ("phi", "J0", "g", "I0", "K", "nu", "g_eff2")},
            "regime": self.regime, "status": self.status, "message": self.message,
            "x_mean": self.u, "phi_mean": self.m, "f": self.f, "mu": self.mu, "q": self.q,
            "eta_mean": self.params["J0"] * math.sqrt(self.params["K"]) * self.m,
            "sigma0": self.sigma0, "sigma_inf": self.sigma_inf, "tvar_x": self.sigma0 - self.sigma_inf,
            "var_eta": var_eta_t + self.sigma_inf, "tvar_eta": var_eta_t,
            "var_eta_over_var_x": (var_eta_t + self.sigma_inf) / self.sigma0 if self.sigma0 else math.nan,
            "beta": self.beta, "tau_eta": self.tau_eta,
            "beta_ode": d.get("beta_ode", math.nan), "beta_rel_diff": d.get("beta_rel_diff", math.nan),
            "residual_max": d.get("residual_max", math.nan), "nfev": d.get("nfev", 0),
            "_geff2": geff2,
        }

    def to_frame(self):
        """One-row tidy DataFrame.

        Columns: phi, J0, g, I0, K, nu, g_eff2 (parameters); regime, status, message;
        x_mean (= u), phi_mean (= m), f, mu, q, eta_mean (= J0 sqrt(K) m, the paper's positive
        sign), sigma0 (variance of x), sigma_inf (its quenched part, the simulation's
        ``qvar_x``), tvar_x (= sigma0 - sigma_inf, temporal variance of x), var_eta (variance
        of eta), tvar_eta (= R_eta(0), its temporal part), var_eta_over_var_x, beta, tau_eta
        (= 1/beta), beta_ode, beta_rel_diff, residual_max, nfev. One column per quantity; the
        names are the rate-network simulation's where it has the quantity (phi_mean, f, mu,
        x_mean, tvar_x, tvar_eta, var_eta_over_var_x, beta; ``docs/theory/sparse_balance.md``).
        """
        import pandas as pd
        r = self.row()
        r.pop("_geff2")
        return pd.DataFrame([r])

    @property
    def table(self):
        """Same as :meth:`to_frame`."""
        return self.to_frame()

    def __repr__(self):
        return (f"DMFTResult(regime={self.regime!r}, status={self.status}, u={self.u:.6g}, "
                f"sigma0={self.sigma0:.6g}, sigma_inf={self.sigma_inf:.6g}, m={self.m:.6g}, "
                f"f={self.f:.6g}, mu={self.mu:.6g}, beta={self.beta:.6g}, message={self.message!r})")


# ----------------------------------------------------------------------------------------
# parameter handling
# ----------------------------------------------------------------------------------------

def _real(name: str, value, *, lo=None, lo_open=False, allow_zero=True) -> float:
    """A finite real scalar, optionally >= lo (> lo if ``lo_open``); see ``_validate.check_float``."""
    return check_float(value, name, -math.inf if lo is None else lo, low_inclusive=not lo_open)


def _check(phi, J0, g, I0, K, nu, tau_max, dtau):
    act = get_activation(phi)
    J0 = _real("J0", J0, lo=0.0)
    g = _real("g", g, lo=0.0)
    I0 = _real("I0", I0)
    K = _real("K", K, lo=0.0, lo_open=True)
    nu = _real("nu", nu, lo=0.0)
    tau_max = _real("tau_max", tau_max, lo=0.0, lo_open=True)
    dtau = _real("dtau", dtau, lo=0.0, lo_open=True)
    if dtau > tau_max:
        raise ValueError(f"dtau must be <= tau_max ({tau_max}), got {dtau}")
    return act, J0, g, I0, K, nu, tau_max, dtau


# ----------------------------------------------------------------------------------------
# public API
# ----------------------------------------------------------------------------------------

def dmft(K: float = D.K, *, J0: float = D.J0, g: float = D.g, I0: float = D.I0, nu: float = D.nu,
         phi=D.phi, tau_max: float = 40.0, dtau: float = 0.05, ode: bool = True,
         ode_tau_max: float = 400.0) -> DMFTResult:
    """Solve the DMFT of the sparse-balance rate network (Khajeh et al. 2022, Eqs 20-27).

    The parameters mean what they mean in :func:`brianmodels.simulate_rate_network` and have the
    same defaults (:data:`brianmodels.rate.params.DEFAULTS`: the paper's network of Figs 1, 2 and
    4, J0 = 2, g = 2, I0 = 1, nu = 1/2, rectified tanh, K = 1000); the theory is that of Gaussian
    weights (``weights='normal'`` in the simulation) and N = K. Fig 5 uses J0 = 3. Everything is
    dimensionless (time in units of tau_x).

    Parameters
    ----------
    K : float
        In-degree (N = K, all-to-all); > 0. (A real number here; the simulation needs an int.)
    J0 : float
        Mean-coupling strength, weight mean J0/sqrt(K); >= 0. Dimensionless.
    g : float
        Weight spread, weight variance g^2/K^nu; >= 0. Dimensionless.
    I0 : float
        Feedforward bias input (order 1 in the sparse-balance scaling). Dimensionless.
    nu : float
        Variance exponent, >= 0: 1/2 is the paper's high-variance (sparse-balance) case,
        1 the low-variance case. Enters as g_eff^2 = g^2 K^(1-nu).
    phi : str or float
        Response function (:mod:`brianmodels.rate.activations`, the names the simulation
        accepts): 'tanh' (rectified tanh, Eq 2), 'heaviside', 'relu', 'quadratic', their
        aliases, or a number lambda >= 0 for the rectified power x**lambda (Eq 3).
    tau_max, dtau : float
        Lag range [0, tau_max] and spacing of ``R_eta.table`` (units of tau_x).
    ode : bool
        Integrate Eq 25 for R_eta(tau) (default). If False, R_eta is only available at lag 0
        and beta comes from the energy quadrature alone.
    ode_tau_max : float
        Longest integration of Eq 25 before the closest approach to sigma_inf is declared.

    Returns
    -------
    DMFTResult
        Order parameters, R_eta, status, message and diagnostics. Non-convergence is reported
        by ``status != 0``; no branch is returned silently.

    Raises
    ------
    ValueError
        K <= 0, g < 0, J0 < 0, nu < 0, non-finite values, unknown phi, bad lag grid.
    TypeError
        Non-numeric parameters.

    Notes
    -----
    Cost: about 0.1-1 s per point (the rectified tanh, with a fully numerical inner integral,
    is the slowest; Heaviside/ReLU/quadratic use closed forms).

    Examples
    --------
    The Fig 5 network (Gaussian weights, J0 = 3) at K = 1000; ``ode=False`` skips the R_eta(tau)
    integration (beta from the energy method alone):

    >>> from meanfield import dmft
    >>> th = dmft(K=1000, J0=3.0, ode=False)
    >>> th.success, th.message
    (True, 'chaotic solution (energy method)')
    >>> round(th.m, 4), round(th.f, 4), round(th.beta, 3)     # mean rate, active fraction, beta
    (0.0307, 0.0701, 0.646)
    """
    act, J0, g, I0, K, nu, tau_max, dtau = _check(phi, J0, g, I0, K, nu, tau_max, dtau)
    ode_tau_max = _real("ode_tau_max", ode_tau_max, lo=0.0, lo_open=True)
    ode = check_bool(ode, "ode")
    geff2 = effective_coupling(g, K, nu)
    JK = J0 * math.sqrt(K)
    params = dict(phi=act.name, J0=J0, g=g, I0=I0, K=K, nu=nu, g_eff2=geff2, weights="normal")
    kern = _Kernel(act)
    counters = {"scan": 0, "bisect": 0, "brent": 0}
    tau_grid = np.arange(0.0, tau_max + 0.5 * dtau, dtau)
    diag: Dict[str, Any] = {"method": "energy", "counters": counters}

    def finish_static(s0, note):
        u = solve_u(kern, s0, I0, JK)
        m = (I0 - u) / JK if JK > 0 else float(kern.mean(u, s0))
        f = _active_fraction(u, s0)
        # linear stability of the static state: g_eff^2 E[phi'(x)^2] < 1 (Heaviside: phi' = 0 a.e.)
        dphi = gaussian_mean(lambda x: act.dphi(x) ** 2, u, math.sqrt(s0))
        stab = float(geff2 * dphi)
        diag.update(static_stability=stab, nfev=kern.nfev, note=note,
                    residual_eq23=abs(u - I0 + JK * float(kern.mean(u, s0))),
                    residual_eq24=abs(s0 - geff2 * kern.mean_sq(u, s0)) if s0 > 0 else 0.0)
        diag["residual_max"] = max(diag["residual_eq23"] / (1 + abs(u)),
                                   diag["residual_eq24"] / max(s0, 1e-300) if s0 > 0 else 0.0)
        status = 0 if stab < 1.0 else 1
        msg = ("static solution (no temporal fluctuations): " + note if status == 0
               else STATUS_MESSAGES[1] + f" (g_eff^2 E[phi'^2] = {stab:.4g} >= 1)")
        R = Autocorrelation(None, None, geff2, s0, 0.0, math.inf, tau_grid)
        return DMFTResult(u=u, sigma0=s0, sigma_inf=s0, q=s0 / geff2 if geff2 > 0 else float(kern.mean_sq(u, s0)),
                          m=m, f=f, mu=m / f if f > 0 else math.nan, beta=math.nan, R_eta=R,
                          regime="static", status=status, message=msg, params=params,
                          diagnostics=diag)

    if geff2 == 0.0:
        return finish_static(0.0, "g = 0, deterministic network")

    scan = _SCAN_MIN * _SCAN_FACTOR ** np.arange(int(math.log(_SCAN_MAX / _SCAN_MIN, _SCAN_FACTOR)) + 1)
    try:
        s0, st, states = _find_chaotic(kern, I0, JK, geff2, scan, counters)
    except (RuntimeError, ValueError) as exc:
        return _failed(params, diag, f"{STATUS_MESSAGES[2]}: {exc}", tau_grid, geff2)
    if s0 is None:
        s_static = _find_static(kern, I0, JK, geff2, states)
        if s_static is None and st is not None and _positive(st):
            return _failed(params, diag, STATUS_MESSAGES[4] + f" (V(sigma0) > V(sigma_inf) up to "
                           f"sigma0 = {_SCAN_MAX:g})", tau_grid, geff2, status=4)
        if s_static is None:
            return _failed(params, diag, STATUS_MESSAGES[2] + ": neither a chaotic nor a static "
                           f"solution in sigma0 in [{_SCAN_MIN:g}, {_SCAN_MAX:g}]", tau_grid, geff2)
        return finish_static(s_static, "no chaotic (energy-conserving) solution in the scan")

    return _finish_chaotic(kern, st, I0, JK, geff2, params, diag, tau_grid, ode, ode_tau_max)


def _active_fraction(u, s0):
    from scipy.special import erf
    if s0 == 0.0:
        return float(u > 0)
    return 0.5 * (1.0 + float(erf(u / math.sqrt(2.0 * s0))))   # Eq 26


def _failed(params, diag, msg, tau_grid, geff2, status=2):
    nan = math.nan
    diag["nfev"] = diag.get("nfev", 0)
    R = Autocorrelation(None, None, geff2, nan, 0.0, math.inf, tau_grid)
    return DMFTResult(u=nan, sigma0=nan, sigma_inf=nan, q=nan, m=nan, f=nan, mu=nan, beta=nan,
                      R_eta=R, regime="none", status=status, message=msg, params=params, diagnostics=diag)


def _energy_integral(kern, u, s0, s_inf, geff2, energy_gap):
    """int_0^inf (sigma - sigma_inf) d tau from energy conservation (Sec 3.3, pitfall 7).

    Substituting sigma = sigma0 - D t^2 (D = sigma0 - sigma_inf) removes the 1/sqrt
    singularity at sigma0; the reference energy is blended linearly between V(sigma_inf) and
    V(sigma0) so that the kinetic energy vanishes at both ends, and it is clipped >= 0.
    Returns (integral, min_kinetic_relative).
    """
    D = s0 - s_inf
    t, w = gauss_legendre(_N_ENERGY)
    t = 0.5 * (t + 1.0)
    w = 0.5 * w
    sig = s0 - D * t * t
    Fv = kern.F(np.concatenate([sig, [s_inf]]), u, s0)
    # V(sigma_inf) - V(sigma) without the large common terms
    dV = -(sig ** 2 - s_inf ** 2) / 2.0 + geff2 * (Fv[:-1] - Fv[-1])
    kin = energy_gap * (sig - s_inf) / D - dV          # E_ref(sigma) - V(sigma)
    kmin = float(np.min(kin)) / max(abs(geff2 * Fv[-1]) + s0 ** 2, 1e-300)
    kin = np.maximum(kin, 1e-300)
    integrand = (sig - s_inf) * 2.0 * D * t / np.sqrt(2.0 * kin)
    return float(np.sum(w * integrand)), kmin


def _c_interpolant(kern, u, s0):
    """Chebyshev interpolant of C(sigma) on [0, sigma0] in w = sqrt(1 - sigma/sigma0) (pitfall 8)."""
    from numpy.polynomial import chebyshev as ch
    k = np.arange(_N_CHEB)
    w = 0.5 * (1.0 + np.cos(np.pi * (k + 0.5) / _N_CHEB))       # Chebyshev points in (0, 1)
    vals = kern.C(s0 * (1.0 - w * w), u, s0)
    theta = np.pi * (k + 0.5) / _N_CHEB                            # 2w - 1 = cos(theta)
    coef = (2.0 / _N_CHEB) * np.cos(np.outer(k, theta)) @ vals     # discrete cosine transform
    coef[0] *= 0.5

    def C(sig):
        ww = np.sqrt(np.clip(1.0 - np.asarray(sig, dtype=float) / s0, 0.0, 1.0))
        return ch.chebval(2.0 * ww - 1.0, coef)

    wm = np.linspace(0.013, 0.987, 9)                              # off-node check
    sm = s0 * (1.0 - wm * wm)
    err = float(np.max(np.abs(C(sm) - kern.C(sm, u, s0))) / max(float(np.max(np.abs(vals))), 1e-300))
    return C, err


def _integrate_ode(C, s0, s_inf, geff2, tau_end):
    """Eq 25 from (sigma0, 0) until the closest approach to sigma_inf (pitfall 6)."""
    from scipy.integrate import solve_ivp

    def rhs(_, y):
        return [y[1], y[0] - geff2 * float(C(abs(y[0])))]

    def cross(_, y):            # overshoot: sigma passes the hilltop (then heads for sigma < 0)
        return y[0] - s_inf
    cross.terminal, cross.direction = True, -1

    def turn(_, y):             # undershoot: sigma' > 0 (turns around before the hilltop)
        return y[1]
    turn.terminal, turn.direction = True, 1

    def negative(_, y):
        return y[0]
    negative.terminal, negative.direction = True, -1

    sol = solve_ivp(rhs, (0.0, tau_end), [s0, 0.0], method="DOP853", rtol=1e-11,
                    atol=1e-13 * s0, events=[cross, turn, negative], dense_output=True)
    names = ["crossed_sigma_inf", "sigma_dot_positive", "sigma_negative"]
    event = "tau_end"
    tau_c = float(sol.t[-1])
    for name, te in zip(names, sol.t_events):
        if len(te):
            event, tau_c = name, float(te[0])
            break
    if event == "tau_end":       # no event: truncate at the closest approach on a fine grid
        tt = np.linspace(0.0, tau_c, 20001)
        tau_c = float(tt[np.argmin(np.abs(sol.sol(tt)[0] - s_inf))])
    return sol, tau_c, event


def _finish_chaotic(kern, st, I0, JK, geff2, params, diag, tau_grid, ode, ode_tau_max):
    u, s0, s_inf = st.u, st.sigma0, st.s_inf
    m = (I0 - u) / JK if JK > 0 else float(kern.mean(u, s0))           # Eq 26
    f = _active_fraction(u, s0)
    q = s_inf / geff2                                                    # Eq 24
    C0 = float(kern.mean_sq(u, s0))
    R0 = geff2 * C0 - s_inf                                              # Eq 21 at tau = 0
    h = 1e-4 * s_inf if s_inf > 0 else 1e-8 * s0
    dC = (kern.C(np.array([s_inf + h]), u, s0)[0] - kern.C(np.array([max(s_inf - h, 0.0)]), u, s0)[0]) \
        / (s_inf + h - max(s_inf - h, 0.0))
    Vpp = -1.0 + geff2 * dC                                              # V''(sigma_inf) < 0
    lam = math.sqrt(-Vpp) if Vpp < 0 else math.nan
    # residuals at the solution, each with an independent evaluation
    r23 = u - I0 + JK * float(kern.mean(u, s0))
    r24 = s_inf - geff2 * float(kern.C(np.array([s_inf]), u, s0)[0])
    gap = st.energy
    diag.update(
        residual_eq23=r23, residual_eq24=r24, residual_energy=gap,
        residual_max=max(abs(r23) / (1.0 + abs(u)), abs(r24) / s0, abs(gap) / (0.5 * s0 * s0)),
        V2_sigma_inf=Vpp, lambda_tail=lam, sigma_valley=st.s_valley, G_sigma0=st.G0,
        m_direct=float(kern.mean(u, s0)))
    problems = []
    if st.kind != "valley":
        problems.append("no valley root below sigma0 (sigma'(0+) would be > 0)")
    if not Vpp < 0:
        problems.append(f"sigma_inf is not a hilltop (V''={Vpp:.3g})")
    if diag["residual_max"] > _RESID_TOL:
        problems.append(f"residual {diag['residual_max']:.2e} > {_RESID_TOL:g}")
    integral_E, kmin = _energy_integral(kern, u, s0, s_inf, geff2, gap)
    diag["kinetic_min_relative"] = kmin
    if kmin < -1e-8:
        problems.append(f"negative kinetic energy inside (sigma_inf, sigma0) ({kmin:.2e})")
    beta_E = R0 / integral_E                                             # Eq 27
    diag.update(beta_energy=beta_E, int_R_energy=integral_E)

    if ode and math.isfinite(lam):
        C, ierr = _c_interpolant(kern, u, s0)
        sol, tau_c, event = _integrate_ode(C, s0, s_inf, geff2, ode_tau_max)
        R = Autocorrelation(lambda t: sol.sol(np.asarray(t, dtype=float))[0], C, geff2, s_inf,
                            tau_c, lam, tau_grid)
        int_R = R.integral()
        beta_ode = R0 / int_R
        rel = abs(beta_ode - beta_E) / beta_E
        diag.update(beta_ode=beta_ode, beta_rel_diff=rel, tau_c=tau_c, ode_event=event,
                    sigma_at_tau_c=float(sol.sol(tau_c)[0]), C_interp_error=ierr,
                    ode_nfev=int(sol.nfev), int_R_ode=int_R)
        if rel > _BETA_RTOL:
            problems.append(f"beta(energy)={beta_E:.5g} and beta(ODE)={beta_ode:.5g} differ by {rel:.1%}")
    else:
        R = Autocorrelation(lambda t: np.full_like(np.asarray(t, dtype=float), s0), lambda s: np.full_like(
            np.asarray(s, dtype=float), C0), geff2, s_inf, 0.0, lam if math.isfinite(lam) else 1.0,
            tau_grid)
    diag["nfev"] = kern.nfev
    status = 3 if problems else 0
    msg = "chaotic solution (energy method" + (", Eq 25 integrated)" if ode else ")")
    if problems:
        msg = STATUS_MESSAGES[3] + ": " + "; ".join(problems)
    return DMFTResult(u=u, sigma0=s0, sigma_inf=s_inf, q=q, m=m, f=f,
                      mu=m / f if f > 0 else math.nan, beta=beta_E, R_eta=R, regime="chaotic",
                      status=status, message=msg, params=params, diagnostics=diag)


@dataclass
class DMFTSweepResult(Result):
    """DMFT over in-degrees (:func:`dmft_sweep`; result convention of :mod:`brianmodels.result`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per K with the columns of :meth:`DMFTResult.to_frame` (parameters, ``status`` and
        ``message`` of the point, ``phi_mean`` (= m), ``f``, ``mu``, ``beta``, ...; dimensionless,
        beta in 1/tau_x).
    results : list of DMFTResult
        The solution at each K, in the order of ``table``.
    status : int
        0 when every point succeeded, 1 otherwise (the rows concerned have ``status`` != 0).
    message : str
        How many points succeeded and which failed.
    params : dict
        ``K`` and the arguments passed to :func:`dmft` (defaults filled in).
    """

    STATUS = {0: "success", 1: "at least one point did not succeed (see the rows' status)"}

    table: Any
    results: list
    params: Dict[str, Any]
    status: int = 0
    message: str = "success"

    @property
    def R_eta(self):
        """Tidy R_eta(tau) of every point: ``K`` and the columns of :attr:`Autocorrelation.table`."""
        import pandas as pd
        return pd.concat([r.R_eta.table.assign(K=r.params["K"]) for r in self.results], ignore_index=True)


def dmft_sweep(K: Sequence[float], *, progress: bool = True, **kwargs) -> DMFTSweepResult:
    """DMFT over in-degrees K: one tidy row per K.

    Parameters
    ----------
    K : sequence of float
        In-degrees (each > 0).
    progress : bool
        Show a tqdm progress bar.
    **kwargs
        Passed to :func:`dmft` (J0, g, I0, nu, phi, tau_max, dtau, ode, ...; the defaults are
        dmft's own); validated once before any point is solved.

    Returns
    -------
    DMFTSweepResult
        ``table`` one row per K (the columns of :meth:`DMFTResult.to_frame`), ``results``,
        ``status``, ``message``, ``params``.

    Examples
    --------
    >>> from meanfield import dmft_sweep
    >>> res = dmft_sweep([250, 1000], J0=3.0, ode=False, progress=False)
    >>> res.message
    '2 of 2 point(s) succeeded'
    >>> print(res.table[["K", "phi_mean", "f"]].round(4).to_string(index=False))
         K  phi_mean      f
     250.0    0.0548 0.1152
    1000.0    0.0307 0.0701
    """
    import pandas as pd
    from tqdm.auto import tqdm

    Ks = np.atleast_1d(np.asarray(K, dtype=object))
    if Ks.size == 0:
        raise ValueError("K must contain at least one in-degree")
    if Ks.ndim != 1:
        raise ValueError(f"K must be a 1-D sequence of in-degrees; got shape {Ks.shape}")
    check_bool(progress, "progress")
    defaults = {k: p.default for k, p in inspect.signature(dmft).parameters.items() if k != "K"}
    check_kwargs(kwargs, defaults, "dmft_sweep (forwarded to dmft)")
    kw = {**defaults, **kwargs}
    check_bool(kw["ode"], "ode")
    _real("ode_tau_max", kw["ode_tau_max"], lo=0.0, lo_open=True)
    for k in Ks:                                   # validate everything before solving
        _check(kw["phi"], kw["J0"], kw["g"], kw["I0"], k, kw["nu"], kw["tau_max"], kw["dtau"])
    results = [dmft(K=k, **kwargs) for k in tqdm(Ks, desc="DMFT over K", disable=not progress)]
    table = pd.concat([r.to_frame() for r in results], ignore_index=True)
    failed = [r.params["K"] for r in results if not r.success]
    status = 1 if failed else 0
    message = f"{len(results) - len(failed)} of {len(results)} point(s) succeeded"
    if failed:
        message += f"; failed at K = {failed} (" + "; ".join(
            f"K={r.params['K']:g}: {r.message}" for r in results if not r.success) + ")"
    params = dict(K=[float(k) for k in Ks], **{k: (get_activation(v).name if k == "phi" else v)
                                               for k, v in kw.items()})
    return DMFTSweepResult(table=table, results=results, params=params, status=status, message=message)
