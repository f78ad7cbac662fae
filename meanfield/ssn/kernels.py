"""Plain-float numerical kernels of the SSN steady-state analysis (no parameter handling).

Everything here works on numpy arrays of input points and a parameter tuple
``P = (J_EE, J_EI, J_IE, J_II, a_E, a_I, b_E, b_I, n_E, n_I)`` (see
:data:`meanfield.ssn.symbolic.PARAM_NAMES`); formulas come from :mod:`meanfield.ssn.symbolic`.
Validation, DataFrames and defaults live in :mod:`meanfield.ssn.model`.

Algorithm (``docs/theory/ssn_lif.md`` §7): every steady state with nu_E > 0 is a root z > 0 of
the characteristic function F(z) (Eq S10); the E-silent state exists iff F(0) <= 0 (§7.2). Roots
are found, for all input points at once, by evaluating F and F' on one z-grid (0 plus a log grid
up to ``z_max``), splitting every grid cell in which F' changes sign at its critical point (so
that F is monotone on every piece and two close roots near a fold are never lost), bracketing the
sign changes of F and refining them by vectorised bisection. A critical point at which |F| is
below tolerance is reported as a double root (a fold, §7.5).
"""
from __future__ import annotations

import numpy as np

from .._solvers import bisect
from .symbolic import functions as _functions

#: Rate (Hz) that sets the top of the z-grid: z_max = (NU_MAX / a_E)^(1/n_E) (``docs/theory/ssn_lif.md`` §7.5).
NU_MAX = 1e4
#: Default number of log-spaced z-grid points and the decades they span below z_max.
N_GRID = 200
DECADES = 9.0
#: Relative tolerance on |F| (scaled by the size of the inputs) for reporting a double root.
DOUBLE_ROOT_RTOL = 1e-9
_CHUNK_CELLS = 250_000  # points x grid cells evaluated at once (cache-sized blocks)


def z_max(P, nu_max=NU_MAX):
    """Top of the z-grid, (nu_max / a_E)^(1/n_E), in mV/s.

    Parameters
    ----------
    P : tuple of float
        SSN parameters (J_EE, J_EI, J_IE, J_II, a_E, a_I, b_E, b_I, n_E, n_I).
    nu_max : float
        Largest E rate (Hz) searched for.
    """
    return (nu_max / P[4]) ** (1.0 / P[8])


def z_grid(P, n_grid=N_GRID, decades=DECADES, nu_max=NU_MAX):
    """Scan grid: 0 followed by ``n_grid`` log-spaced values up to :func:`z_max` (mV/s)."""
    top = np.log10(z_max(P, nu_max))
    return np.concatenate([[0.0], np.logspace(top - decades, top, n_grid)])


def F_and_dF(z, mu_E, mu_I, P):
    """Characteristic function F(z) (Eq S10) and its derivative dF/dz (broadcast).

    Parameters
    ----------
    z : array_like
        z = mu_E^total - b_E >= 0 (mV/s).
    mu_E, mu_I : array_like
        External inputs (mV/s).
    P : tuple of float
        SSN parameters.

    Returns
    -------
    F, dF : numpy.ndarray
        F in mV/s (roots are steady states) and dF/dz (dimensionless); F' = -Delta at roots (§7.4).
    """
    fn = _functions()
    w = fn.w_of_z(z, mu_E, mu_I, *P)
    wp = np.maximum(w, 0.0)
    F = fn.F(z, wp, mu_E, mu_I, *P)
    # chain rule through the rectification (.)_+ : dF/dz = F_z + F_wp * [w > 0] * dw/dz
    dF = fn.F_z(z, wp, mu_E, mu_I, *P) + np.where(w > 0, fn.F_wp(z, wp, mu_E, mu_I, *P), 0.0) \
        * fn.dw_dz(z, mu_E, mu_I, *P)
    return F, dF


def F_value(z, mu_E, mu_I, P):
    """Characteristic function F(z) only (mV/s); see :func:`F_and_dF`."""
    fn = _functions()
    wp = np.maximum(fn.w_of_z(z, mu_E, mu_I, *P), 0.0)
    return fn.F(z, wp, mu_E, mu_I, *P)


def is_stable(det, trace, fold=False):
    """Linear stability of steady states of Eq 2: the one rule of the SSN package (``docs/theory/ssn_lif.md`` §7.4).

    A state is stable iff both eigenvalues of the 2x2 Jacobian have negative real part, i.e.
    ``det > 0`` and ``trace < 0``, and it is not a double root at a fold (marginal: one eigenvalue
    is zero there).

    Parameters
    ----------
    det : array_like
        Determinant of the Jacobian of Eq 2 (1/s^2), or any quantity of the same sign such as
        Delta = det(1 - G J) = tau_E tau_I det (positive time constants).
    trace : array_like
        Trace of the Jacobian (1/s).
    fold : bool or array_like of bool
        Whether the state is a double root (fold).

    Returns
    -------
    numpy.ndarray of bool
    """
    return (np.asarray(det) > 0) & (np.asarray(trace) < 0) & ~np.asarray(fold, dtype=bool)


def silent_inhibitory_rate(mu_I, P):
    """nu_I of the E-silent state: root of nu = a_I (mu_I - J_II nu - b_I)_+^n_I (§7.2), in Hz.

    Parameters
    ----------
    mu_I : numpy.ndarray
        External input to I (mV/s).
    P : tuple of float
        SSN parameters.
    """
    fn = _functions()
    J_II, a_I, b_I, n_I = P[3], P[5], P[7], P[9]
    mu_I = np.asarray(mu_I, dtype=float)
    top = fn.rate(np.maximum(mu_I - b_I, 0.0), a_I, n_I)  # h(top) <= 0 <= h(0)
    if J_II == 0:
        return top

    def h(x, mask):
        return fn.rate(np.maximum(mu_I[mask] - J_II * x - b_I, 0.0), a_I, n_I) - x

    out = bisect(h, np.zeros_like(top), top.copy())
    return np.where(top > 0, out, 0.0)


def find_roots(mu_E, mu_I, P, grid=None):
    """All roots z > 0 of F (Eq S10) at each input point, plus per-point diagnostics.

    Parameters
    ----------
    mu_E, mu_I : numpy.ndarray, shape (P,)
        External inputs (mV/s).
    P : tuple of float
        SSN parameters.
    grid : numpy.ndarray, optional
        Scan grid starting at 0 (default :func:`z_grid`).

    Returns
    -------
    dict
        ``point`` (index of the input point of each root), ``z`` (mV/s), ``double`` (bool, root is
        a double root at a fold), ``F0`` (F(0) per point; silent state iff F0 <= 0) and ``beyond``
        (bool per point: the sign of F at z_max shows another root with nu_E above the grid).
    """
    mu_E = np.asarray(mu_E, dtype=float).ravel()
    mu_I = np.asarray(mu_I, dtype=float).ravel()
    grid = z_grid(P) if grid is None else np.asarray(grid, dtype=float)
    n_pts = mu_E.size
    if n_pts == 0:
        return dict(point=np.zeros(0, np.int64), z=np.zeros(0), double=np.zeros(0, bool),
                    F0=np.zeros(0), beyond=np.zeros(0, bool))
    scale = DOUBLE_ROOT_RTOL * (1.0 + np.abs(mu_E) + np.abs(mu_I) + abs(P[6]) + abs(P[7]))
    chunk = max(1, _CHUNK_CELLS // grid.size)
    F0 = np.empty(n_pts)
    Ftop = np.empty(n_pts)
    crit_cells, plain_cells, crit_signs = [], [], []
    for start in range(0, n_pts, chunk):  # scan in cache-sized blocks of points
        sl = slice(start, min(start + chunk, n_pts))
        F, dF = F_and_dF(grid[None, :], mu_E[sl, None], mu_I[sl, None], P)
        F0[sl], Ftop[sl] = F[:, 0], F[:, -1]
        pos = F > 0
        crit = (dF[:, :-1] > 0) != (dF[:, 1:] > 0)  # F' changes sign inside the cell
        ci, ck = np.nonzero(crit)
        crit_cells.append((ci + start, ck))
        crit_signs.append((pos[ci, ck], pos[ci, ck + 1]))
        pi, pk = np.nonzero((pos[:, :-1] != pos[:, 1:]) & ~crit)  # F changes sign, monotone cell
        plain_cells.append((pi + start, pk))
    ci, ck = (np.concatenate(v) for v in zip(*crit_cells))
    pi, pk = (np.concatenate(v) for v in zip(*plain_cells))
    pos_lo, pos_hi = (np.concatenate(v) for v in zip(*crit_signs))
    # split every critical cell at its critical point c (bisection on F'), so F is monotone on
    # both halves [lo, c] and [c, hi]
    lo_e, hi_e = grid[ck], grid[ck + 1]
    mEc, mIc = mu_E[ci], mu_I[ci]

    def dfun(x, mask):
        return F_and_dF(x, mEc[mask], mIc[mask], P)[1]

    c = bisect(dfun, lo_e, hi_e)
    Fc = F_value(c, mEc, mIc, P)
    pos_c = Fc > 0
    left = pos_lo != pos_c
    right = pos_c != pos_hi
    b_pt = np.concatenate([pi, ci[left], ci[right]])
    b_lo = np.concatenate([grid[pk], lo_e[left], c[right]])
    b_hi = np.concatenate([grid[pk + 1], c[left], hi_e[right]])
    b_mE, b_mI = mu_E[b_pt], mu_I[b_pt]

    def ffun(x, mask):
        return F_value(x, b_mE[mask], b_mI[mask], P)

    roots = bisect(ffun, b_lo, b_hi)
    # double roots (folds): critical point with |F| ~ 0 and no sign change on either side
    tangent = ~left & ~right & (np.abs(Fc) <= scale[ci])
    point = np.concatenate([b_pt, ci[tangent]])
    z = np.concatenate([roots, c[tangent]])
    double = np.concatenate([np.zeros(roots.size, bool), np.ones(int(tangent.sum()), bool)])
    keep = z > 0
    point, z, double = point[keep], z[keep], double[keep]
    order = np.lexsort((z, point))
    det = _functions().det_J(*P)
    beyond = (det > 0) & (Ftop > 0) | (det < 0) & (Ftop < 0)
    return dict(point=point[order].astype(np.int64), z=z[order], double=double[order], F0=F0,
                beyond=beyond)


def states(mu_E, mu_I, P, grid=None):
    """Every steady state at each input point: silent state (if F(0) <= 0) and the roots of F.

    Parameters
    ----------
    mu_E, mu_I, P, grid
        As in :func:`find_roots` (inputs in mV/s, SSN parameters, z scan grid).

    Returns
    -------
    dict of numpy.ndarray
        One entry per state, ordered by point then nu_E: ``point``, ``state`` (index within the
        point), ``silent`` (bool), ``double`` (bool), ``nu_E``, ``nu_I`` (Hz), ``x_E``, ``x_I``
        (total input minus b, mV/s); and per point ``F0``, ``beyond``, ``n_states``.
    """
    fn = _functions()
    mu_E = np.asarray(mu_E, dtype=float).ravel()
    mu_I = np.asarray(mu_I, dtype=float).ravel()
    rt = find_roots(mu_E, mu_I, P, grid)
    sil_pts = np.nonzero(rt["F0"] <= 0)[0]
    nuI0 = silent_inhibitory_rate(mu_I[sil_pts], P)
    pt = rt["point"]
    nu_E = np.concatenate([np.zeros(sil_pts.size), fn.nuE_of_z(rt["z"], mu_E[pt], mu_I[pt], *P)])
    nu_I = np.concatenate([nuI0, fn.nuI_of_z(rt["z"], mu_E[pt], mu_I[pt], *P)])
    point = np.concatenate([sil_pts, pt])
    silent = np.concatenate([np.ones(sil_pts.size, bool), np.zeros(pt.size, bool)])
    double = np.concatenate([np.zeros(sil_pts.size, bool), rt["double"]])
    # roots are found in z > 0 only; nu_I from the E nullcline may round to -0.
    nu_I = np.maximum(nu_I, 0.0)
    order = np.lexsort((nu_E, ~silent, point))
    point, nu_E, nu_I, silent, double = (v[order] for v in (point, nu_E, nu_I, silent, double))
    n_states = np.bincount(point, minlength=mu_E.size)
    first = np.concatenate([[0], np.cumsum(n_states)[:-1]])
    state = np.arange(point.size) - first[point]
    x_E, x_I = fn.inputs(nu_E, nu_I, mu_E[point], mu_I[point], *P)
    return dict(point=point, state=state, silent=silent, double=double, nu_E=nu_E, nu_I=nu_I,
                x_E=np.asarray(x_E, float), x_I=np.asarray(x_I, float), F0=rt["F0"],
                beyond=rt["beyond"], n_states=n_states)


def linear_analysis(x_E, x_I, P, tau_E, tau_I, direction=None):
    """Gains, Jacobian eigenvalues, Delta and linear response at steady states (vectorised).

    Parameters
    ----------
    x_E, x_I : numpy.ndarray
        Total inputs above threshold, mu_X - b_X (mV/s), at the states.
    P : tuple of float
        SSN parameters.
    tau_E, tau_I : float
        Population time constants of Eq 2 (s).
    direction : tuple of numpy.ndarray, optional
        Input direction (d mu_E, d mu_I) for the response along a ray (e.g. (1, r)).

    Returns
    -------
    dict of numpy.ndarray
        ``g_E, g_I`` (Hz per mV/s), ``delta``, ``trace``, ``det`` (of the Jacobian, 1/s and 1/s^2),
        ``eig1, eig2`` (complex, 1/s, eig1 has the larger real part), ``R`` (2, 2, m) response
        d nu_X / d mu_Y^ext (Hz per mV/s), and ``dnuE``, ``dnuI`` along ``direction`` if given.
    """
    fn = _functions()
    x_E = np.asarray(x_E, float)
    x_I = np.asarray(x_I, float)
    g_E = np.where(x_E > 0, fn.gain(np.maximum(x_E, 0.0), P[4], P[8]), 0.0)
    g_I = np.where(x_I > 0, fn.gain(np.maximum(x_I, 0.0), P[5], P[9]), 0.0)
    M = fn.jacobian(g_E, g_I, tau_E, tau_I, *P)
    m = [[np.broadcast_to(np.asarray(M[i][j], float), g_E.shape) for j in range(2)] for i in range(2)]
    trace = m[0][0] + m[1][1]
    det = m[0][0] * m[1][1] - m[0][1] * m[1][0]
    sq = np.sqrt((trace ** 2 - 4 * det).astype(complex))
    eig1, eig2 = 0.5 * (trace + sq), 0.5 * (trace - sq)
    delta = np.broadcast_to(np.asarray(fn.delta(g_E, g_I, *P), float), g_E.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        R = fn.response(g_E, g_I, *P)
        R = np.array([[np.broadcast_to(np.asarray(R[i][j], float), g_E.shape) for j in range(2)]
                      for i in range(2)])
    out = dict(g_E=g_E, g_I=g_I, delta=delta, trace=trace, det=det, eig1=eig1, eig2=eig2, R=R)
    if direction is not None:
        dE, dI = direction
        out["dnuE"] = R[0, 0] * dE + R[0, 1] * dI
        out["dnuI"] = R[1, 0] * dE + R[1, 1] * dI
    return out


def _pair_removals(m_big, n_remove, top_escapes):
    """Candidate index sets removed from the bigger of two consecutive state lists.

    States vanish in adjacent pairs at folds (§7.5); with ``top_escapes`` the highest state may
    also leave alone (its rate passes the top of the z-grid).
    """
    from itertools import combinations
    out = []
    n_pairs = n_remove // 2
    single = [m_big - 1] if top_escapes else []
    limit = m_big - len(single)
    for starts in combinations(range(limit - 1), n_pairs):
        if any(b - a < 2 for a, b in zip(starts, starts[1:])):
            continue
        out.append(([s for a in starts for s in (a, a + 1)] + single, [(a, a + 1) for a in starts]))
    return out


def link_branches(point, nu_E, n_points):
    """Connect steady states of consecutive points of a 1-D input path into continuous branches.

    States at each point are ordered by nu_E (silent first). Between neighbouring points with the
    same number of states, states keep their order (they cannot cross without a fold). When the
    number changes by an even amount, the states that (dis)appear are adjacent pairs joined at a
    fold; the pair positions are chosen to minimise the mismatch in log(1 + nu_E) of the others.
    An odd change is attributed to the highest state leaving the z-grid.

    Parameters
    ----------
    point : numpy.ndarray of int
        Path index of each state (sorted, states of a point ordered by nu_E).
    nu_E : numpy.ndarray
        E rate of each state (Hz).
    n_points : int
        Number of path points.

    Returns
    -------
    branch : numpy.ndarray of int
        Connected-component id of each state, numbered in order of first appearance along the path.
    order : numpy.ndarray of int
        Position of each state along its branch (walking the branch from one end).
    """
    point = np.asarray(point)
    n = point.size
    counts = np.bincount(point, minlength=n_points)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    parent = np.arange(n)
    adj = [[] for _ in range(n)]

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def edge(i, j):
        adj[i].append(j)
        adj[j].append(i)
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    y = np.log1p(np.asarray(nu_E, float))
    for k in range(n_points - 1):
        m0, m1 = counts[k], counts[k + 1]
        if m0 == 0 or m1 == 0:
            continue
        i0, i1 = first[k], first[k + 1]
        big_first = m0 > m1
        mb, ms = max(m0, m1), min(m0, m1)
        ib, is_ = (i0, i1) if big_first else (i1, i0)
        best = None
        for removed, pairs in _pair_removals(mb, mb - ms, (mb - ms) % 2 == 1):
            keep = [i for i in range(mb) if i not in removed]
            cost = float(np.sum(np.abs(y[ib + np.array(keep, int)] - y[is_:is_ + ms]))) if keep else 0.0
            if best is None or cost < best[0]:
                best = (cost, keep, pairs)
        if best is None:
            continue
        _, keep, pairs = best
        for a, b in zip(keep, range(ms)):
            edge(ib + a, is_ + b)
        for a, b in pairs:  # fold: the two vanishing states are the two halves of one curve
            edge(ib + a, ib + b)
    roots = np.array([find(i) for i in range(n)], dtype=np.int64)
    _, branch = np.unique(roots, return_inverse=True)  # roots are the smallest index: path order
    order = np.zeros(n, dtype=np.int64)
    seen = np.zeros(n, bool)
    for start in range(n):
        if seen[start]:
            continue
        # walk the component from an end (a node of degree <= 1), or from any node if it is a loop
        comp_root = roots[start]
        members = np.nonzero(roots == comp_root)[0]
        ends = [i for i in members if len(set(adj[i])) <= 1]
        node = ends[0] if ends else start
        prev, pos = -1, 0
        while node >= 0 and not seen[node]:
            seen[node] = True
            order[node] = pos
            pos += 1
            nxt = [j for j in adj[node] if j != prev and not seen[j]]
            prev, node = node, (nxt[0] if nxt else -1)
        for i in members:  # anything not reached by the walk (branching artefacts) keeps path order
            if not seen[i]:
                seen[i] = True
                order[i] = pos
                pos += 1
    return branch.astype(np.int64), order
