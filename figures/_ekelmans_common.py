"""Helpers shared by the Ekelmans et al. (2023) figure scripts (figures/ekelmans_*.py).

Plotting conventions (colours E blue / I red as in the paper, stable theory branches solid,
unstable dashed); panel letters and the :class:`~figures._output.Outputs` collector come from
:mod:`figures._output`.
"""
from __future__ import annotations


import numpy as np
import pandas as pd


#: Population colours of the paper (E blue, I red).
COLORS = {"E": "tab:blue", "I": "tab:red"}


def runs(table: pd.DataFrame, x="mu_E"):
    """Split a theory branch table (``branch``, ``order`` or ``segment``, ``stable``) into runs of
    equal stability.

    Yields ``(stable, run_dataframe)``; consecutive runs share their end points so the drawn
    curve is continuous through stability changes. A table without ``order`` (Phi_sc's) is drawn
    per ``segment`` (piece of a branch between folds), sorted by ``x``.
    """
    if not len(table):
        return
    group = ["branch", "segment"] if "order" not in table.columns and "segment" in table.columns else ["branch"]
    key = ["branch", "order"] if "order" in table.columns else group + [x]
    for _, g in table.sort_values(key).groupby(group, sort=False):
        s = g["stable"].to_numpy(bool)
        cut = np.nonzero(s[1:] != s[:-1])[0] + 1
        edges = np.r_[0, cut, len(g)]
        for lo, hi in zip(edges[:-1], edges[1:]):
            yield bool(s[lo]), g.iloc[max(lo - 1, 0) if lo else 0:hi]


def plot_branches(ax, table, y, *, x="mu_E", color="k", label=None, lw=1.2, unstable=True, **kw):
    """Theory branches of ``table`` on ``ax``: stable solid (or ``ls``), unstable dashed/dotted (label once)."""
    first = True
    ls_stable = kw.pop("ls", "-")
    for stable, g in runs(table, x):
        if not stable and not unstable:
            continue
        ax.plot(g[x], g[y], ls=ls_stable if stable else (0, (1, 1.5)) if ls_stable != "-" else "--",
                color=color, lw=lw if stable else 0.8 * lw, label=label if (first and stable) else None, **kw)
        first = first and not stable
    return ax


def stable_curve(table, y, x="mu_E"):
    """Largest-nu stable branch value per x (for a one-valued comparison), as a Series."""
    st = table[table["stable"]]
    return st.groupby(x)[y].max()


def theory_long(table, name, extra=()):
    """Long CSV form of a theory sweep: one row per state x population."""
    cols = [c for c in ("N", "mu_hat_E", "mu_E", "mu_I", "r", "branch", "segment", "order", "stable", "isn",
                        *extra) if c in table.columns]
    frames = []
    for X in ("E", "I"):
        f = table[cols].copy()
        f.insert(0, "population", X)
        f.insert(0, "source", name)
        f["rate"] = table[f"nu_{X}"].to_numpy()
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def external_drive(mu_E, *, r=None, mu_I=None):
    """The constant external drives ``{'E': mu_E, 'I': mu_I}`` in mV/s, with ``mu_I = r mu_E``
    unless ``mu_I`` is given (at most one of ``r`` and ``mu_I``; neither: r = 1), validated by
    :func:`brianmodels.lif.inputs.resolve`."""
    from brianmodels.lif.inputs import resolve

    drive = resolve(mu_E, r=r, mu_I=mu_I)
    return {"E": drive.mu_E, "I": drive.mu_I}


def balance_and_cv(currents, spikes, mu_E, *, r=None, mu_I=None, t_start, t_stop, n_rec=1000):
    """Per-neuron balance factors and CV_ISI of one run after ``t_start`` (``docs/theory/ssn_lif.md`` §12).

    BF_i = -<I^I_i> / (<I^E_i> + mu_X) with the external drive mu_X of the neuron's population
    (mu_E for E, mu_I = r mu_E for I).

    Parameters
    ----------
    currents : pandas.DataFrame
        Recorded recurrent inputs of one point (``population, neuron, t, I_E, I_I``, mV/s).
    spikes : pandas.DataFrame
        Recorded spikes of the same point (``population, neuron, t``; t in s).
    mu_E : float
        Constant external drive of E (mV/s).
    r : float, optional
        mu_I / mu_E (default 1).
    mu_I : float, optional
        Constant external drive of I (mV/s); at most one of ``r`` and ``mu_I``.
    t_start, t_stop : float
        Measurement window (s).
    n_rec : int
        Recorded neurons per population.

    Returns
    -------
    (per, cvs) : pandas.DataFrame, pandas.DataFrame
        ``per``: population, neuron, I_E, I_I, BF; ``cvs``: population, neuron, cv_isi, rate (Hz).
    """
    from brianmodels.lif import analysis

    drive = external_drive(mu_E, r=r, mu_I=mu_I)
    cur = currents[currents["t"] >= t_start]
    per = cur.groupby(["population", "neuron"])[["I_E", "I_I"]].mean().reset_index()
    per["BF"] = analysis.balance_factor(per["I_E"].to_numpy(), per["I_I"].to_numpy(),
                                        per["population"].map(drive).to_numpy(float))
    cvs = []
    for X in ("E", "I"):
        s = spikes[spikes["population"] == X]
        i, t = s["neuron"].to_numpy(), s["t"].to_numpy()
        st = analysis.isi_statistics(i, t, n_rec, t_start=t_start, t_stop=t_stop)
        cvs.append(pd.DataFrame({"population": X, "neuron": np.arange(n_rec), "cv_isi": st.cv,
                                 "rate": np.bincount(i[t >= t_start], minlength=n_rec) / (t_stop - t_start)}))
    return per, pd.concat(cvs, ignore_index=True)


def mean_field_balance(cvs, J, mu_E, *, r=None, mu_I=None):
    """Mean-field balance factor from the simulated rates (``docs/theory/ssn_lif.md`` §12):
    BF_X = J_XI nu_I / (J_XE nu_E + mu_X) for X = E, I.

    Parameters
    ----------
    cvs : pandas.DataFrame
        Per-neuron ``population`` and ``rate`` (Hz), as returned by :func:`balance_and_cv`.
    J : (2, 2) array
        Couplings J_XY in mV (magnitudes).
    mu_E, r, mu_I : float
        External drive of E (mV/s) and the ratio r = mu_I / mu_E or mu_I itself (at most one;
        neither: r = 1).

    Returns
    -------
    dict
        ``{'E': BF_E, 'I': BF_I}`` (dimensionless).
    """
    drive = external_drive(mu_E, r=r, mu_I=mu_I)
    nu = cvs.groupby("population")["rate"].mean()
    return {X: J[x, 1] * nu["I"] / (J[x, 0] * nu["E"] + drive[X]) for x, X in enumerate("EI")}


def draw_balance(ax, per, cvs, J, mu_E, *, r=None, mu_I=None):
    """Box plot of per-neuron BF with the mean-field BF from the simulated rates (``docs/theory/ssn_lif.md`` §12).

    Mean field: BF_X = J_XI nu_I / (J_XE nu_E + mu_X), with J in mV, rates in Hz and the external
    drive mu_X of population X in mV/s (mu_E; mu_I = r mu_E unless ``mu_I`` is given, r = 1 by
    default). Returns ``{'E': BF_E, 'I': BF_I}``.
    """
    bp = ax.boxplot([per.loc[per["population"] == X, "BF"].dropna() for X in ("E", "I")], tick_labels=["E", "I"],
                    patch_artist=True)
    for patch, X in zip(bp["boxes"], ("E", "I")):
        patch.set_facecolor(COLORS[X])
        patch.set_alpha(0.4)
    bf_mf = mean_field_balance(cvs, J, mu_E, r=r, mu_I=mu_I)
    ax.plot([1, 2], [bf_mf["E"], bf_mf["I"]], "k_", ms=20, mew=1.5, label=r"$J_{XI}\nu_I/(J_{XE}\nu_E+\mu^{ext}_X)$")
    ax.legend(frameon=False, loc="center", bbox_to_anchor=(0.5, 0.82), title="mean field from the rates",
              title_fontsize=6.5)
    ax.axhline(1, color="0.6", ls=":", lw=0.8)
    ax.set_ylabel("balance factor BF")
    return bf_mf


def ramp_windows(net, protocol, *, window=1.0, dt=None, seed=2, connectivity_seed=2):
    """Simulate ``net`` along a time-dependent input ``protocol`` (the papers' slow ramps) and
    average the population rates over consecutive ``window``-s windows.

    ``seed`` and ``connectivity_seed`` (dynamics, network realisation; :mod:`brianmodels.seeds`)
    default to 2, another realisation than the steady-state sweeps' (seeds 1).

    Returns
    -------
    pandas.DataFrame
        ``t_start, t_stop, t_mid, population, mu_E, mu_I, rate`` [s, s, s, -, mV/s, mV/s, Hz];
        the inputs are the window means of the protocol.
    """
    from brianmodels import simulate

    T = float(protocol.t[-1])
    res = simulate(net, protocol=protocol, duration=T, warmup=window, dt=dt, seed=seed,
                   connectivity_seed=connectivity_seed, progress=False)
    r = res.rates
    rows = []
    for k in range(int(round(T / window))):
        lo, hi = k * window, (k + 1) * window
        mu = protocol.mean(lo, hi)
        w = r[(r["t"] >= lo) & (r["t"] < hi)]
        for X, g in w.groupby("population"):
            rows.append(dict(t_start=lo, t_stop=hi, t_mid=(lo + hi) / 2, population=X,
                             mu_E=float(mu[0]), mu_I=float(mu[1]), rate=float(g["rate"].mean())))
    return pd.DataFrame(rows)

