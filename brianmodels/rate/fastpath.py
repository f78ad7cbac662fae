"""Simulation kernels: the activity-sparse fast path (numba) and the dense NumPy reference.

Forward Euler with tau = 1 (``docs/theory/sparse_balance.md`` §1.1), in the authors' order:

1. ``eta = W phi(t)`` (the recurrent input, code sign convention);
2. ``x <- x + dt (-x + eta + I)``;
3. ``phi <- phi(x)``; record ``x`` (at t+dt) and ``eta`` (the input of this step).

**Fast path.** Only active units (x_j > 0, equivalently phi_j > 0) contribute, so step 1 is
``eta = sum_{j in A} W[:, j] phi_j``: N |A| = N f K multiply-adds instead of N K. W is stored
column-major so each active column is one contiguous stream. Columns are added in increasing
j, each as an elementwise ``eta_i += W_ij phi_j``; the same order as
``NumpyStepper(column_order=True)``, so for float64 both give bit-identical trajectories. The
parallel variant splits the *rows* into blocks (one per thread) and keeps the per-element
order, so it is bit-identical too.

**Masked networks (K < N).** :func:`_euler_chunk_csc` keeps W in compressed sparse columns, so an
active column costs its ~K nonzeros; bit-identical to the dense kernel in float64.

**NumPy dense** (:class:`NumpyStepper`): ``eta = W @ phi`` (BLAS matvec, N K per step) --
the baseline the benchmark compares with.
"""
from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange


@njit(inline="always")
def phi_scalar(x, code):
    """phi(x) for the integer codes of :mod:`brianmodels.rate.activations`."""
    if x <= 0.0:
        return 0.0
    if code == 0:
        return 1.0
    if code == 1:
        return np.tanh(x)
    if code == 2:
        return x
    return x * x


@njit(inline="always")
def _active_set(x, active):
    """Indices j with x_j > 0 (phi_j may be nonzero) into ``active``, ascending; their count."""
    na = 0
    for j in range(x.shape[0]):
        if x[j] > 0.0:
            active[na] = j
            na += 1
    return na


@njit(inline="always")
def _begin_step(x, active, eta):
    """Start of a serial step: the active set (into ``active``; returns its count) and eta = 0."""
    for i in range(eta.shape[0]):
        eta[i] = 0.0
    return _active_set(x, active)


@njit(inline="always")
def _euler_update(x, phi, eta, I, dt, code, lo, hi):
    """Euler step dx = dt (-x + eta + I) and phi(x) for units lo .. hi-1 (eta already summed)."""
    for i in range(lo, hi):
        x[i] = x[i] + dt * ((-x[i] + eta[i]) + I[i])
        phi[i] = phi_scalar(x[i], code)


@njit(inline="always")
def _record(x, eta, s, X_out, E_out, lo, hi):
    """Store x and eta of units lo .. hi-1 as row s of the recorded traces."""
    for i in range(lo, hi):
        X_out[s, i] = x[i]
        E_out[s, i] = eta[i]


@njit(inline="always")
def _end_step(x, phi, eta, I, dt, code, s, X_out, E_out, record, lo, hi):
    """End of a step for units lo .. hi-1: Euler update and phi (eta summed), then the record."""
    _euler_update(x, phi, eta, I, dt, code, lo, hi)
    if record:
        _record(x, eta, s, X_out, E_out, lo, hi)


# The dense (_euler_chunk_sparse) and CSC (_euler_chunk_csc) kernels share the step
# (_begin_step, _end_step, inlined) but keep their own column sum, for speed: the dense one adds
# a contiguous column (a loop LLVM vectorises), the CSC one scatters ~K nonzeros through an index
# array. One kernel over CSC arrays for both would put the indexed scatter (and an index array
# as large as W) into the dense K = N case.
@njit(cache=True, nogil=True)
def _euler_chunk_sparse(W, x, phi, I, dt, code, n_steps, X_out, E_out, record, eta, active):
    n = x.shape[0]
    for s in range(n_steps):
        na = _begin_step(x, active, eta)
        for a in range(na):
            j = active[a]
            p = phi[j]
            for i in range(n):
                eta[i] += W[i, j] * p
        _end_step(x, phi, eta, I, dt, code, s, X_out, E_out, record, 0, n)
    return 0


@njit(nogil=True, parallel=True)
def _euler_chunk_sparse_par(W, x, phi, I, dt, code, n_steps, X_out, E_out, record, eta, active):
    n = x.shape[0]
    nblk = numba.get_num_threads()
    bs = (n + nblk - 1) // nblk
    for s in range(n_steps):
        na = _active_set(x, active)
        for b in prange(nblk):          # all of eta first: phi must not change while it is read
            lo = b * bs
            hi = min(n, lo + bs)
            for i in range(lo, hi):
                eta[i] = 0.0
            for a in range(na):
                j = active[a]
                p = phi[j]
                for i in range(lo, hi):
                    eta[i] += W[i, j] * p
        for b in prange(nblk):
            lo = b * bs
            _end_step(x, phi, eta, I, dt, code, s, X_out, E_out, record, lo, min(n, lo + bs))
    return 0


@njit(cache=True, nogil=True)
def _euler_chunk_csc(indptr, indices, data, x, phi, I, dt, code, n_steps, X_out, E_out, record, eta,
                     active):
    # K < N: W in compressed-sparse-column form; an active column costs its ~K nonzeros, not N.
    # Per element the sum runs over active j in increasing order, as in the dense kernel, and the
    # skipped entries are exact zeros, so the float64 trajectory is bit-identical to it.
    for s in range(n_steps):
        na = _begin_step(x, active, eta)
        for a in range(na):
            j = active[a]
            p = phi[j]
            for k in range(indptr[j], indptr[j + 1]):
                eta[indices[k]] += data[k] * p
        _end_step(x, phi, eta, I, dt, code, s, X_out, E_out, record, 0, x.shape[0])
    return 0


class SparseStepper:
    """State of one network integrated by the activity-sparse kernel.

    Parameters
    ----------
    W : ndarray (N, N) or scipy.sparse matrix, float64 or float32
        Signed weights [post, pre]; dense (stored column-major) or sparse (converted to CSC,
        used when K < N: each active column then costs its nonzeros instead of N).
    x0 : ndarray (N,)
        Initial currents.
    I : ndarray (N,)
        Bias inputs.
    dt : float
        Euler step (units of tau).
    code : int
        Activation code (:attr:`brianmodels.rate.activations.Activation.code`).
    parallel : bool
        Use the row-block parallel kernel (numba threads).
    """

    def __init__(self, W, x0, I, dt, code, parallel=False):
        import scipy.sparse as sp
        self.csc = sp.issparse(W)
        if self.csc:
            W = sp.csc_matrix(W)
            W.sort_indices()
            self._csc = (np.ascontiguousarray(W.indptr, dtype=np.int64),
                         np.ascontiguousarray(W.indices, dtype=np.int32), np.ascontiguousarray(W.data))
        elif not W.flags.f_contiguous:
            W = np.asfortranarray(W)
        self.W, self.dt, self.code = W, float(dt), int(code)
        self.x = np.array(x0, dtype=np.float64)
        self.I = np.ascontiguousarray(I, dtype=np.float64)
        self.phi = np.array([0.0])
        self.phi = _phi_vec(self.x, self.code)
        self.eta = np.zeros_like(self.x)
        self.active = np.zeros(len(self.x), dtype=np.int64)
        self._kernel = _euler_chunk_sparse_par if parallel else _euler_chunk_sparse
        self._dummy = np.zeros((1, 1))

    def advance(self, n_steps, X_out=None, E_out=None):
        """Integrate ``n_steps``; if ``X_out``/``E_out`` (n_steps, N) are given, record into them."""
        record = X_out is not None
        Xo = X_out if record else self._dummy
        Eo = E_out if record else self._dummy
        if self.csc:
            _euler_chunk_csc(*self._csc, self.x, self.phi, self.I, self.dt, self.code, int(n_steps), Xo, Eo,
                             record, self.eta, self.active)
        else:
            self._kernel(self.W, self.x, self.phi, self.I, self.dt, self.code, int(n_steps), Xo, Eo,
                         record, self.eta, self.active)


class NumpyStepper:
    """Dense NumPy reference: ``eta = W @ phi`` each step (same interface as :class:`SparseStepper`).

    Parameters
    ----------
    W, x0, I, dt : see :class:`SparseStepper`
    phi : callable
        Elementwise NumPy response function.
    column_order : bool
        If True, accumulate ``eta`` column by column over the active units in increasing index
        (slow; the fast path's exact summation order, for bit-identity tests).
    """

    def __init__(self, W, x0, I, dt, phi, column_order=False):
        self.W, self.dt, self.phi_fn = W, float(dt), phi
        self.x = np.array(x0, dtype=np.float64)
        self.I = np.asarray(I, dtype=np.float64)
        self.phi = phi(self.x)
        self.column_order = column_order

    def advance(self, n_steps, X_out=None, E_out=None):
        """Integrate ``n_steps``; record into ``X_out``/``E_out`` if given."""
        W, x, dt, I = self.W, self.x, self.dt, self.I
        for s in range(int(n_steps)):
            if self.column_order:
                eta = np.zeros_like(x)
                for j in np.flatnonzero(x > 0):
                    eta += W[:, j] * self.phi[j]
            else:
                eta = W @ self.phi
            x = x + dt * ((-x + eta) + I)
            self.phi = self.phi_fn(x)
            if X_out is not None:
                X_out[s] = x
                E_out[s] = eta
        self.x = x


def _phi_vec(x, code):
    out = np.empty_like(x)
    _phi_fill(x, out, code)
    return out


@njit(cache=True)
def _phi_fill(x, out, code):
    for i in range(x.shape[0]):
        out[i] = phi_scalar(x[i], code)
