"""Size scaling of the Ricciardi self-consistency Phi_sc in the sqrt(N) convention (Fig 6).

Convention (``docs/theory/ssn_lif.md`` §11, balanced-state scaling): connection probabilities and the
3:1 split are fixed, synaptic weights scale as ``j ∝ 1/sqrt(N)`` (so ``J ∝ sqrt(N)``), the external
mean drive is ``mu_E = mu_hat_E sqrt(N)`` (``mu_hat_E``: the drive per sqrt(N), the paper's Fig 6
x-axis; likewise ``mu_hat_I``) and the external noise sigma_ext is not scaled. The network at each
size comes from the shared description's own ``scaled(N_total)`` method
(``brianmodels.network.LIFNetwork.scaled``); nothing about the scaling is re-implemented here.
"""
from __future__ import annotations

import inspect
import math
from dataclasses import dataclass

import numpy as np

from .._results import TableResult
from .._validate import check_bool, check_kwargs, check_nonempty, check_positive
from .selfconsistency import SelfConsistentResult, _check_settings, _input_arrays, selfconsistent

#: keyword arguments of :func:`meanfield.lif.selfconsistency.selfconsistent` that size_scaling forwards
_FORWARDED = ("nu_max", "n_check", "n_grid", "ds_max", "tol")

__all__ = ["size_scaling", "SizeScalingResult", "default_sizes"]


def default_sizes():
    """The paper's sizes: N = 4000 * 10^(0, 0.1, ..., 2.1) (4e3 ... 5.04e5), rounded to multiples of 4
    so that the 3:1 E:I split stays integer."""
    return [int(4 * round(4000 * 10 ** (k / 10) / 4)) for k in range(22)]


@dataclass(kw_only=True)
class SizeScalingResult(TableResult):
    """Phi_sc branches at several network sizes (the :class:`brianmodels.result.Result` convention).

    Attributes
    ----------
    table : pandas.DataFrame
        The :attr:`SelfConsistentResult.table` of every size stacked, with extra columns ``N``
        (total size), ``mu_hat_E`` and ``mu_hat_I`` (drives per sqrt(N), mu / sqrt(N), mV/s).
        ``branch`` and ``segment`` ids are per N.
    folds : pandas.DataFrame
        Fold points of every size, with ``N``, ``mu_hat_E`` columns added.
    results : dict
        N -> :class:`~meanfield.lif.selfconsistency.SelfConsistentResult`.
    status : int
        Worst status over the sizes (0 ok, 2 runaway branches, 1 solver failure; the codes of
        :class:`~meanfield.lif.selfconsistency.SelfConsistentResult`).
    message : str
        Messages of the sizes that did not return status 0.
    diagnostics : dict
        ``sizes`` and per-size status.
    params : dict
        ``sizes`` and the settings of the per-size solves.
    """

    STATUS = SelfConsistentResult.STATUS

    folds: object
    results: dict


def size_scaling(network, N_values, mu_hat_E, *, r=None, mu_hat_I=None, progress: bool = False,
                 **kwargs) -> SizeScalingResult:
    """Phi_sc steady states along an input sweep for several network sizes (Fig 6B/D/F, insets).

    Parameters
    ----------
    network : LIFNetwork-like
        Network with a ``scaled(N_total)`` method returning the same network at size N in the sqrt(N)
        convention (``brianmodels.network.LIFNetwork``), plus the attributes :func:`selfconsistent`
        reads.
    N_values : array_like of int
        Total sizes N_E + N_I (> 0), e.g. :func:`default_sizes`.
    mu_hat_E : array_like (n,)
        E drive per sqrt(N), mu_E / sqrt(N), in mV/s (the paper's Fig 6B/D/F x-axis; the drive at
        size N is ``mu_hat_E * sqrt(N)``).
    r : float, optional
        Input ratio mu_I / mu_E (give ``r`` or ``mu_hat_I``, not both; neither: r = 1).
    mu_hat_I : array_like (n,), optional
        I drive per sqrt(N) (mV/s).
    progress : bool
        tqdm progress bar over the sizes.
    **kwargs
        Passed to :func:`meanfield.lif.selfconsistency.selfconsistent`: ``nu_max``, ``n_check``, ``n_grid``,
        ``ds_max``, ``tol`` (validated, with every other argument, before the first size is solved).

    Returns
    -------
    SizeScalingResult

    Examples
    --------
    Phi_sc of the Fig 2A network at two sizes in the sqrt(N) convention (Fig 6):

    >>> from brianmodels import presets
    >>> from meanfield import size_scaling
    >>> res = size_scaling(presets.get("supersaturating"), [4000, 16000], [0.2, 0.4])
    >>> res.message
    '2 size(s) solved'
    >>> print(res.table[["N", "mu_hat_E", "mu_E", "nu_E", "nu_I"]].round(2).to_string(index=False))
         N  mu_hat_E  mu_E  nu_E  nu_I
      4000       0.2 12.65  2.23  0.29
      4000       0.4 25.30  2.38  1.46
     16000       0.2 25.30  0.94  0.94
     16000       0.4 50.60  0.01  2.91
    """
    import pandas as pd

    if not callable(getattr(network, "scaled", None)):
        raise TypeError("network must provide scaled(N_total) (like brianmodels.network.LIFNetwork); "
                        f"{type(network).__name__} does not")
    N_values = check_positive(np.atleast_1d(N_values), "N_values").ravel()
    check_nonempty(N_values, "N_values", what="network size")
    if np.any(N_values != np.round(N_values)):
        raise ValueError(f"N_values must be integers; got {N_values.tolist()}")
    progress = check_bool(progress, "progress")
    check_kwargs(kwargs, _FORWARDED, "size_scaling (forwarded to selfconsistent)")
    defaults = {k: v.default for k, v in inspect.signature(selfconsistent).parameters.items()
                if k in _FORWARDED + ("progress",)}
    _check_settings(**{**defaults, **kwargs})
    given_I = mu_hat_I is not None
    mu_hat_E, mu_hat_I = _input_arrays(mu_hat_E, r, mu_hat_I, "mu_hat_E", "mu_hat_I")
    # without mu_hat_I the I drive of each size is r * mu_E there (as selfconsistent computes it)
    ratio = dict(mu_I=None, r=1.0 if r is None else float(r))
    nets = {int(N): network.scaled(int(N)) for N in N_values}   # validates every size up front
    it = list(nets.items())
    if progress:
        from tqdm.auto import tqdm
        it = tqdm(it, desc="Phi_sc sizes")
    results, tables, folds, status, msgs = {}, [], [], 0, []
    for N, net in it:
        s = math.sqrt(N)
        drive = dict(mu_I=mu_hat_I * s) if given_I else ratio
        res = selfconsistent(net, mu_hat_E * s, **drive, **kwargs)
        results[N] = res
        t = res.table.copy()
        t.insert(0, "N", N)
        t.insert(1, "mu_hat_E", t["mu_E"] / s)
        t.insert(2, "mu_hat_I", t["mu_I"] / s)
        tables.append(t)
        f = res.folds.copy()
        f.insert(0, "N", N)
        f.insert(1, "mu_hat_E", f["mu_E"] / s)
        folds.append(f)
        if res.status != 0:
            status = 1 if 1 in (status, res.status) else max(status, res.status)
            msgs.append(f"N={N}: {res.message}")
    return SizeScalingResult(table=pd.concat(tables, ignore_index=True), folds=pd.concat(folds, ignore_index=True),
                             results=results, status=status,
                             message="; ".join(msgs) if msgs else f"{len(results)} size(s) solved",
                             diagnostics={"sizes": list(results), "status": {N: r.status for N, r in results.items()}},
                             params=dict(sizes=list(results), **{k: v for k, v in kwargs.items()}))
