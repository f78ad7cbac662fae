"""Online (bounded-memory) estimators of the sparse-balance observables (``docs/theory/sparse_balance.md`` §2).

Both simulation paths feed chunks of consecutive recorded steps, ``X`` (currents x) and ``E``
(the recurrent input ``sum_j W_ij phi(x_j)`` in the *code* sign convention), each of shape
(n_steps, N), to :class:`RateStatsAccumulator`; memory does not grow with T.

Definitions (t_k: the n_T recorded steps after warm-up; [.] unit average; <.> time average):

* ``phi_mean`` = [<phi>]; ``f`` = time average of the active fraction |A(t)|/N, A = {x > 0};
  ``var_f`` its temporal variance; ``mu`` = time average of the per-step mean of phi over A(t)
  (steps with an empty A are skipped and counted in ``n_steps_no_active``; the authors' code
  returns NaN then).
* ``x_mean``, ``eta_mean``: time averages of the population means. **eta is reported in the
  paper's sign convention** (Eqs 1, 5-6: ``dx/dt = -x - eta + I``), i.e. ``eta = -sum_j W_ij phi_j``,
  positive for the inhibitory network; the authors' code stores the opposite sign.
* temporal variance ``tvar_x`` = [<x^2>] - [<x>^2] and quenched variance ``qvar_x`` = [<x>^2] - xbar^2
  (per-unit time averages, all units); same for eta. ``var_eta_over_var_x`` uses total variances (Fig 4C).
* ON-time fraction of unit i: (steps with x_i > 0) / n_T; its unit average equals f.
* synchrony index chi^2 (Golomb & Hansel 2000) of a signal s: Var_t([s](t)) / [Var_t(s_i)]; for
  s = phi (``chi2_phi``, the paper's "~1e-4"), s = x (``chi2_x``) and s = eta (``chi2_eta``).
* balance index ``chi_balance`` = x_mean / I.
* R(l dt) for l = 0 .. L_max-1 (L_max = round(40/dt)): for each of the first min(n_rec, N_pop)
  units of a population, subtract the unit's own time mean and form the *unbiased* autocovariance
  ``R_i(l) = sum_{t=0}^{n_T-1-l} dy_t dy_{t+l} / (n_T - l)``; average over the units whose variance
  is nonzero. ``beta = R_eta(0) / trapz(R_eta, dx=dt)`` over lags [0, 40) (Eq 14).
  This is exactly the authors' FFT estimator (zero-padding to 2 n_T, divide lag l by n_T - l).
  Here it is accumulated online by block FFTs: the raw lagged products of each block of B steps
  with the block extended by L_max steps are added up (so every pair (t, t+l) with l < L_max is
  counted once), and the per-unit demeaning is applied exactly at the end from the total sum,
  the first L_max and the last L_max samples:
  ``sum (y_t - m)(y_{t+l} - m) = P_l - m (S - H_l) - m (S - T_l) + (n_T - l) m^2`` with
  ``H_l`` (``T_l``) the sum of the first (last) l samples. The data are shifted by a per-unit
  offset (the mean of the first block) before the products to avoid cancellation; R is shift
  invariant.
* ``hist_x``: counts of the recorded units' x in fixed bins (range from ``hist_range`` or, if None,
  the first chunk's span widened by 50 % on each side), with under/overflow counts.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.fft

from numba import njit

from .fastpath import phi_scalar

R_MAX_LAG = 40.0       # tau; lags 0 .. 40 tau (authors' ncorr = 40)
N_REC = 1000           # recorded units per population (authors' rcNsamp)


class LaggedAutocov:
    """Exact unbiased, per-unit-demeaned autocovariance, accumulated online by block FFTs.

    Parameters
    ----------
    n_units : int
        Number of signals (columns).
    max_lag : int
        Number of lags L_max (lags 0 .. L_max-1, in steps).
    block : int, optional
        Steps per FFT block B (default 4 L_max).
    fft_dtype : numpy dtype
        Precision of the FFTs (float32 is ~3x faster; the lagged products then carry a relative
        rounding error ~1e-6 of R(0)). Sums for the demeaning are always float64.

    Examples
    --------
    White noise of two units, pushed in two chunks: R(0) ~ 1, R(lag > 0) ~ 0:

    >>> import numpy as np
    >>> from brianmodels.rate.measures import LaggedAutocov
    >>> Y = np.random.default_rng(0).standard_normal((20_000, 2))
    >>> acc = LaggedAutocov(n_units=2, max_lag=3)
    >>> acc.push(Y[:7_000]); acc.push(Y[7_000:])
    >>> R, var = acc.finalize()
    >>> R.shape, bool(np.abs(R[0] - 1).max() < 0.05), bool(np.abs(R[1:]).max() < 0.05)
    ((3, 2), True, True)
    >>> bool(np.allclose(var, Y.var(axis=0)))         # the variances, R[0]
    True
    """

    def __init__(self, n_units: int, max_lag: int, block: int | None = None, fft_dtype=np.float64):
        self.n_units = int(n_units)
        self.max_lag = int(max_lag)
        self.block = int(block or 4 * self.max_lag)
        self._buf = np.empty((self.block + self.max_lag, self.n_units))
        self._fill = 0
        self._offset = None
        self._P = np.zeros((self.max_lag, self.n_units))
        self._S = np.zeros(self.n_units)
        self._L = 0
        self._head = None
        self._nfft = scipy.fft.next_fast_len(self.block + self.max_lag, real=True)
        self._fft_dtype = np.dtype(fft_dtype)

    def push(self, Y: np.ndarray) -> None:
        """Append consecutive samples ``Y`` of shape (n_steps, n_units)."""
        Y = np.asarray(Y, dtype=np.float64)
        i = 0
        while i < len(Y):
            take = min(len(Y) - i, len(self._buf) - self._fill)
            dst = self._buf[self._fill:self._fill + take]
            dst[:] = Y[i:i + take]
            if self._offset is not None:
                dst -= self._offset
            self._fill += take
            i += take
            if self._fill == len(self._buf):
                self._process(self.block)
                self._buf[:self.max_lag] = self._buf[self.block:]
                self._fill = self.max_lag

    def _start(self):
        if self._offset is None:
            self._offset = self._buf[:self._fill].mean(axis=0)
            self._buf[:self._fill] -= self._offset
            self._head = self._buf[:min(self._fill, self.max_lag)].copy()

    def _process(self, n_a: int) -> None:
        self._start()
        c = self._buf[:self._fill]
        a = c[:n_a]
        # no circular wrap for t < n_a, l < max_lag: nfft >= n_a + max_lag - 1 (and >= len(c))
        nfft = self._nfft if n_a == self.block else scipy.fft.next_fast_len(n_a + self.max_lag, real=True)
        fa = scipy.fft.rfft(a.astype(self._fft_dtype, copy=False), n=nfft, axis=0)
        fc = scipy.fft.rfft(c.astype(self._fft_dtype, copy=False), n=nfft, axis=0)
        np.conjugate(fa, out=fa)
        fa *= fc
        corr = scipy.fft.irfft(fa, n=nfft, axis=0)
        self._P += corr[:self.max_lag]          # sum_t a_t c_{t+l}
        self._S += a.sum(axis=0)
        self._L += n_a

    def finalize(self) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(R, var)``: per-unit autocovariances R (L_max, n_units) and variances R[0].

        Lags ``l >= n_T`` (fewer samples than lags) are NaN. Call once.
        """
        if self._fill:                   # every row still in the buffer is uncounted
            self._process(self._fill)
        L, S = self._L, self._S
        m = S / max(L, 1)
        lags = np.arange(self.max_lag)
        last = self._buf[max(0, self._fill - self.max_lag):self._fill]
        head = self._head if self._head is not None else np.zeros((0, self.n_units))
        H = np.zeros((self.max_lag, self.n_units))      # H_l = sum of the first l samples
        T = np.zeros((self.max_lag, self.n_units))      # T_l = sum of the last l samples
        nh = min(len(head), self.max_lag - 1)
        H[1:nh + 1] = np.cumsum(head[:nh], axis=0)
        H[nh + 1:] = H[nh]
        nt = min(len(last), self.max_lag - 1)
        T[1:nt + 1] = np.cumsum(last[::-1][:nt], axis=0)
        T[nt + 1:] = T[nt]
        cnt = (L - lags)[:, None].astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            R = (self._P - m * (S - H) - m * (S - T) + cnt * m * m) / cnt
        R[lags >= L] = np.nan
        self._fill = 0
        return R, R[0].copy()


@njit(inline="always")
def _add_moments(S, k, i, v):
    """First and second moment sums: S[k, i] += v, S[k + 1, i] += v^2."""
    S[k, i] += v
    S[k + 1, i] += v * v


@njit(cache=True, nogil=True)
def _chunk_sums(X, E, code, lo, hi, is_pop, U, on, Tg, no_active):
    """One pass over a chunk: per-unit sums U[6, N] (x, x^2, e, e^2, phi, phi^2), ON counts,
    and per-group per-step population sums Tg[G, 9] (phi, phi^2, f, f^2, mu, x, x^2, e, e^2)."""
    n_steps, n = X.shape
    G = lo.shape[0]
    for s in range(n_steps):
        for gi in range(G):
            sp = 0.0
            sx = 0.0
            se = 0.0
            na = 0
            for i in range(lo[gi], hi[gi]):
                x = X[s, i]
                e = E[s, i]
                p = phi_scalar(x, code)
                sp += p
                sx += x
                se += e
                if x > 0.0:
                    na += 1
                if is_pop[gi]:             # populations are disjoint: each unit once
                    _add_moments(U, 0, i, x)
                    _add_moments(U, 2, i, e)
                    _add_moments(U, 4, i, p)
                    if x > 0.0:
                        on[i] += 1
            m = hi[gi] - lo[gi]
            _add_moments(Tg.T, 0, gi, sp / m)      # Tg.T: [statistic, group]
            _add_moments(Tg.T, 2, gi, na / m)
            if na > 0:
                Tg[gi, 4] += sp / na
            else:
                no_active[gi] += 1
            _add_moments(Tg.T, 5, gi, sx / m)
            _add_moments(Tg.T, 7, gi, se / m)


@njit(cache=True, nogil=True)
def _hist_add(X, c0, c1, lo, width, counts, under_over):
    nb = counts.shape[0]
    for s in range(X.shape[0]):
        for i in range(c0, c1):
            v = X[s, i]
            if v < lo:
                under_over[0] += 1
            else:
                k = int((v - lo) / width)
                if k < nb:
                    counts[k] += 1
                elif v <= lo + width * nb:
                    counts[nb - 1] += 1
                else:
                    under_over[1] += 1


class RateStatsAccumulator:
    """Accumulate all §2 observables over chunks of recorded steps.

    Parameters
    ----------
    slices : dict
        Population name -> slice of unit indices (disjoint, covering all units, in order).
    activation : brianmodels.rate.activations.Activation
        The response function phi.
    dt : float
        Recording step (units of tau).
    inputs : dict
        Population name -> bias input I (for the balance index).
    n_rec : int
        Units per population used for R and the histogram (first ``min(n_rec, N_pop)``).
    max_lag : float
        Largest lag of R (exclusive), units of tau.
    hist_bins : int
        Number of histogram bins.
    hist_range : (float, float) or None
        Histogram range of x; None: from the first chunk (see module docstring).
    fft_dtype : numpy dtype
        Precision of the autocovariance FFTs (see :class:`LaggedAutocov`), default float32.
    """

    def __init__(self, slices, activation, dt, inputs, n_rec=N_REC, max_lag=R_MAX_LAG, hist_bins=100,
                 hist_range=None, fft_dtype=np.float32):
        self.slices = dict(slices)
        n = max(s.stop for s in self.slices.values())
        self.groups = dict(self.slices)
        if len(self.slices) > 1:
            self.groups["all"] = slice(0, n)
        self.code = int(activation.code)
        self.dt, self.inputs, self.n = float(dt), dict(inputs), n
        self._lo = np.array([s.start for s in self.groups.values()], dtype=np.int64)
        self._hi = np.array([s.stop for s in self.groups.values()], dtype=np.int64)
        self._is_pop = np.array([g in self.slices for g in self.groups])
        self.L_max = int(round(max_lag / dt))
        self.rec = {p: slice(s.start, min(s.stop, s.start + n_rec)) for p, s in self.slices.items()}
        self.hist_bins, self.hist_range = int(hist_bins), hist_range
        self.steps = 0
        self.U = np.zeros((6, n))                    # per unit: x, x^2, eta, eta^2, phi, phi^2
        self.on = np.zeros(n, dtype=np.int64)
        self.Tg = np.zeros((len(self.groups), 9))    # per group: sums over steps of population means
        self.no_active = np.zeros(len(self.groups), dtype=np.int64)
        self.ac_e = {p: LaggedAutocov(r.stop - r.start, self.L_max, fft_dtype=fft_dtype)
                     for p, r in self.rec.items()}
        self.ac_x = {p: LaggedAutocov(r.stop - r.start, self.L_max, fft_dtype=fft_dtype)
                     for p, r in self.rec.items()}
        self.hist = None

    def update(self, X: np.ndarray, E: np.ndarray) -> None:
        """Add recorded steps: ``X``, ``E`` of shape (n_steps, N) (E in the code sign convention)."""
        X = np.ascontiguousarray(X, dtype=np.float64)
        E = np.ascontiguousarray(E, dtype=np.float64)
        _chunk_sums(X, E, self.code, self._lo, self._hi, self._is_pop, self.U, self.on, self.Tg,
                    self.no_active)
        if self.hist is None:
            self._init_hist(X)
        for p, r in self.rec.items():
            self.ac_x[p].push(X[:, r])
            self.ac_e[p].push(-E[:, r])      # paper sign; R is sign-invariant anyway
            h = self.hist[p]
            _hist_add(X, r.start, r.stop, self.edges[0], self.edges[1] - self.edges[0], h["counts"],
                      h["under_over"])
        self.steps += len(X)

    def _init_hist(self, X):
        if self.hist_range is None:
            lo = min(float(X[:, r].min()) for r in self.rec.values())
            hi = max(float(X[:, r].max()) for r in self.rec.values())
            span = max(hi - lo, 1e-6)
            rng = (lo - 0.5 * span, hi + 0.5 * span)
        else:
            rng = tuple(map(float, self.hist_range))
            if not rng[1] > rng[0]:
                raise ValueError(f"hist_range must be (lo, hi) with hi > lo; got {self.hist_range!r}")
        self.edges = np.linspace(rng[0], rng[1], self.hist_bins + 1)
        self.hist = {p: dict(counts=np.zeros(self.hist_bins, dtype=np.int64),
                             under_over=np.zeros(2, dtype=np.int64)) for p in self.rec}

    # -------------------------------------------------------------------------------------
    def finalize(self):
        """Return a :class:`RateStats` with all observables (see module docstring)."""
        L = self.steps
        if L == 0:
            raise RuntimeError("no recorded steps")
        U = self.U / L
        ux, ux2, ue, ue2, up, up2 = U[0], U[1], -U[2], U[3], U[4], U[5]   # eta in the paper's sign
        on = self.on / L
        stats, R_rows, hist_rows = {}, [], []
        lags = np.arange(self.L_max) * self.dt
        for gi, (gname, s) in enumerate(self.groups.items()):
            t = dict(zip(("phi", "phi2", "f", "f2", "mu", "x", "x2", "e", "e2"), self.Tg[gi] / L))
            t["e"] = -t["e"]
            tv = lambda m1, m2: float(np.mean(m2[s] - m1[s] ** 2))
            qv = lambda m1: float(np.mean(m1[s] ** 2) - np.mean(m1[s]) ** 2)
            tvx, tve, tvp = tv(ux, ux2), tv(ue, ue2), tv(up, up2)
            qvx, qve = qv(ux), qv(ue)
            n_mu = L - int(self.no_active[gi])
            d = dict(
                phi_mean=float(np.mean(up[s])), f=float(t["f"]), var_f=float(t["f2"] - t["f"] ** 2),
                mu=float(self.Tg[gi, 4] / n_mu) if n_mu else float("nan"),
                x_mean=float(np.mean(ux[s])), eta_mean=float(np.mean(ue[s])),
                tvar_x=tvx, qvar_x=qvx, tvar_eta=tve, qvar_eta=qve,
                var_eta_over_var_x=(tve + qve) / (tvx + qvx),
                chi2_phi=float((t["phi2"] - t["phi"] ** 2) / tvp) if tvp > 0 else float("nan"),
                chi2_x=float((t["x2"] - t["x"] ** 2) / tvx) if tvx > 0 else float("nan"),
                chi2_eta=float((t["e2"] - t["e"] ** 2) / tve) if tve > 0 else float("nan"),
                on_time_mean=float(np.mean(on[s])),
                frac_units_on_gt_half=float(np.mean(on[s] > 0.5)),
                frac_units_never_on=float(np.mean(on[s] == 0)),
                n_steps_no_active=int(self.no_active[gi]),
                n_units=int(s.stop - s.start), n_steps=int(L),
            )
            if gname in self.inputs:
                I = self.inputs[gname]
                d["chi_balance"] = d["x_mean"] / I if I != 0 else float("nan")
            if gname in self.rec:
                Re, ve = self.ac_e[gname].finalize()
                Rx, vx = self.ac_x[gname].finalize()
                re = Re[:, ve > 0].mean(1)          # units with nonzero variance (as the authors)
                rx = Rx[:, vx > 0].mean(1)
                d["R_eta0"] = float(re[0])
                d["beta"] = float(re[0] / np.trapezoid(re, dx=self.dt)) if L >= self.L_max else float("nan")
                d["n_rec"] = int(self.rec[gname].stop - self.rec[gname].start)
                R_rows.append(pd.DataFrame(dict(population=gname, lag=lags, R_eta=re, R_x=rx)))
                h = self.hist[gname]
                tot = h["counts"].sum() + h["under_over"].sum()
                width = np.diff(self.edges)
                hist_rows.append(pd.DataFrame(dict(
                    population=gname, x_left=self.edges[:-1], x_right=self.edges[1:],
                    x_center=0.5 * (self.edges[1:] + self.edges[:-1]),
                    count=h["counts"], density=h["counts"] / (tot * width))))
                d["hist_outside_fraction"] = float(h["under_over"].sum() / tot)
            stats[gname] = d
        return RateStats(stats=stats,
                         R=pd.concat(R_rows, ignore_index=True),
                         hist_x=pd.concat(hist_rows, ignore_index=True),
                         on_time=pd.DataFrame(dict(
                             population=np.concatenate([[p] * (s.stop - s.start) for p, s in self.slices.items()]),
                             unit=np.arange(self.n), on_time=on)))


class RateStats:
    """Container of finalized observables.

    Attributes
    ----------
    stats : dict
        Group name (population names, plus ``'all'`` for E-I) -> dict of scalar observables.
    R : pandas.DataFrame
        Columns ``population, lag`` (tau), ``R_eta``, ``R_x`` (unnormalized autocovariances).
    hist_x : pandas.DataFrame
        Columns ``population, x_left, x_right, x_center, count, density``.
    on_time : pandas.DataFrame
        Columns ``population, unit, on_time`` (fraction of recorded steps with x > 0).
    """

    def __init__(self, stats, R, hist_x, on_time):
        self.stats, self.R, self.hist_x, self.on_time = stats, R, hist_x, on_time
