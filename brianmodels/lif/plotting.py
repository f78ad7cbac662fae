"""A first look at a simulation: raster of the recorded spikes above the population rates.

:func:`plot` (also ``SimulationResult.plot``) draws one input point of a
:class:`~brianmodels.lif.result.SimulationResult`: the spikes of up to ``max_neurons`` recorded
neurons per population (E below, I above) and the population-rate traces of the ``rates``
table (Hz), with the external drive ``mu`` (mV/s) on a second y axis.
"""
from __future__ import annotations

import warnings

import numpy as np

#: colour of each population (raster and rate traces)
COLORS = {"E": "tab:blue", "I": "tab:red"}
_POPULATIONS = ("E", "I")


def _check(result, point, populations, t_range, max_neurons, axes):
    from .result import SimulationResult

    if not isinstance(result, SimulationResult):
        raise TypeError(f"result must be a SimulationResult; got {type(result).__name__}")
    if isinstance(point, (bool, np.bool_)) or not isinstance(point, (int, np.integer)):
        raise TypeError(f"point must be an int; got {type(point).__name__}")
    have = sorted(set(result.table["point"].astype(int))) if "point" in result.table else []
    if int(point) not in have:
        shown = ", ".join(map(str, have[:10])) + (" ..." if len(have) > 10 else "")
        raise ValueError(f"point={point} is not in the result (its points: {shown or 'none'})")
    if isinstance(populations, str):
        populations = (populations,)
    populations = tuple(populations)
    if not populations or not set(populations) <= set(_POPULATIONS) or \
            len(set(populations)) != len(populations):
        raise ValueError(f"populations must be a non-empty selection of {list(_POPULATIONS)} "
                         f"without repeats; got {populations!r}")
    if t_range is not None:
        try:
            t0, t1 = (float(v) for v in t_range)
        except (TypeError, ValueError):
            raise TypeError(f"t_range must be None or (t_start, t_stop) in s; got "
                            f"{t_range!r}") from None
        if not (np.isfinite(t0) and np.isfinite(t1) and t0 < t1):
            raise ValueError(f"t_range must be finite with t_start < t_stop (s); got {t_range!r}")
        t_range = (t0, t1)
    if isinstance(max_neurons, (bool, np.bool_)) or \
            not isinstance(max_neurons, (int, np.integer)):
        raise TypeError(f"max_neurons must be an int; got {type(max_neurons).__name__}")
    if max_neurons < 1:
        raise ValueError(f"max_neurons must be >= 1; got {max_neurons}")
    if axes is not None:
        from matplotlib.axes import Axes

        if len(axes) != 2 if hasattr(axes, "__len__") else True:
            raise TypeError("axes must be None or a pair (raster_ax, rate_ax) of matplotlib Axes")
        if not all(isinstance(a, Axes) for a in axes):
            raise TypeError("axes must be None or a pair (raster_ax, rate_ax) of matplotlib Axes")
    return int(point), populations, t_range


def plot(result, point=0, *, populations=("E", "I"), t_range=None, max_neurons=200,
         axes=None):
    """Raster of the recorded spikes above the population rates of one point of ``result``.

    Parameters
    ----------
    result : SimulationResult
    point : int
        The input point (``table['point']``) to draw.
    populations : sequence of {'E', 'I'}
        Populations to draw (E in blue, I in red, :data:`COLORS`).
    t_range : (float, float), optional
        Time window (s) of both panels; default the whole run, warm-up included (shaded
        grey when the table gives ``t_start``).
    max_neurons : int
        Largest number of neurons per population in the raster (the lowest indices of the
        recorded ones).
    axes : (Axes, Axes), optional
        Draw the raster and the rates into these; default a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        The raster (one line per population, label ``'<X> spikes'``; y = neuron index, the I
        neurons stacked above the E ones) and the rate panel (lines labelled ``'<X> rate'``,
        Hz; the drives ``'<X> mu'`` on a twin axis, mV/s). Without recorded spikes only the
        rates are drawn, with a warning.

    Raises
    ------
    TypeError, ValueError
        Naming the bad parameter: ``point`` not in the result, ``populations`` not among
        'E'/'I', a bad ``t_range`` or ``max_neurons``; ValueError also when the point has
        neither recorded spikes nor a rate trace.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np, pandas as pd
    >>> from brianmodels.lif.result import SimulationResult
    >>> from brianmodels.lif.plotting import plot
    >>> table = pd.DataFrame({"point": [0, 0], "population": ["E", "I"], "mu_E": 20.0,
    ...                       "mu_I": 20.0, "rate": [2.0, 1.0], "duration": 1.0})
    >>> t = np.arange(0, 1, 0.1)
    >>> rates = pd.DataFrame({"point": 0, "population": np.repeat(["E", "I"], t.size),
    ...                       "t": np.tile(t, 2), "rate": 1.5, "mu": 20.0})
    >>> spikes = pd.DataFrame({"point": 0, "population": ["E", "E", "I"],
    ...                        "neuron": np.array([0, 1, 0], np.int32), "t": [0.1, 0.4, 0.8]})
    >>> fig = plot(SimulationResult(table=table, rates=rates, spikes=spikes), t_range=(0, 0.5))
    >>> raster = fig.axes[0]
    >>> [len(line.get_xdata()) for line in raster.get_lines()]
    [2, 0]
    """
    point, populations, t_range = _check(result, point, populations, t_range, max_neurons,
                                         axes)
    import matplotlib.pyplot as plt

    tab = result.table[result.table["point"].astype(int) == point]
    spikes = result.spikes
    sp = spikes[spikes["point"] == point] if spikes is not None else None
    rates = result.rates
    rt = rates[(rates["point"] == point)] if rates is not None and "point" in rates else None
    has_rates = rt is not None and len(rt) and rt["population"].isin(populations).any()
    if sp is None and not has_rates:
        raise ValueError(f"point={point} has neither recorded spikes (simulate(..., "
                         "record_spikes=...)) nor a population-rate trace: nothing to draw")
    if sp is None:
        warnings.warn("no spikes were recorded (simulate(..., record_spikes=...)): only the "
                      "population rates are drawn", stacklevel=3)
    if t_range is None:
        stop = tab["duration"].max() if "duration" in tab and len(tab) else np.nan
        if not np.isfinite(stop):
            stop = max([float(df["t"].max()) for df in (sp, rt) if df is not None and len(df)]
                       + [0.0])
        t_range = (0.0, float(stop) if stop > 0 else 1.0)
    t0, t1 = t_range

    if axes is not None:
        ax_r, ax_rate = axes
        fig = ax_r.figure
    elif sp is None:
        fig, ax_rate = plt.subplots(figsize=(8, 3), layout="constrained")
        ax_r = None
    else:
        fig, (ax_r, ax_rate) = plt.subplots(2, 1, sharex=True, figsize=(8, 6),
                                            height_ratios=(2, 1), layout="constrained")

    if ax_r is not None and sp is not None:
        offset = 0
        ticks = []
        for X in populations:
            sx = sp[sp["population"] == X]
            neurons = np.unique(sx["neuron"].to_numpy())
            rec = (result.params or {}).get("settings", {}).get("record_spikes")
            n_rec = int(rec[_POPULATIONS.index(X)]) if rec else \
                (int(neurons.max()) + 1 if neurons.size else 0)
            shown = min(n_rec, max_neurons)
            keep = (sx["neuron"].to_numpy() < shown) & (sx["t"].to_numpy() >= t0) & \
                (sx["t"].to_numpy() < t1)
            ax_r.plot(sx["t"].to_numpy()[keep], sx["neuron"].to_numpy()[keep] + offset,
                      linestyle="none", marker="|", markersize=2 if shown > 50 else 5,
                      color=COLORS[X], label=f"{X} spikes")
            ticks.append((offset + shown / 2, f"{X}\n({shown} of {n_rec})"))
            offset += shown
        ax_r.set_yticks([p for p, _ in ticks], [lab for _, lab in ticks])
        ax_r.set_ylim(-0.5, max(offset, 1) - 0.5)
        ax_r.set_ylabel("neuron")
        ax_r.set_xlim(t0, t1)
        ax_r.set_title(_title(result, tab, point), fontsize="medium")

    if has_rates:
        ax_mu = ax_rate.twinx()
        for X in populations:
            rx = rt[rt["population"] == X].sort_values("t")
            keep = (rx["t"] >= t0) & (rx["t"] < t1)
            rx = rx[keep]
            mean = tab.loc[tab["population"] == X, "rate"]
            lab = f"{X} rate" + (f" (mean {mean.iloc[0]:.2f} Hz)" if len(mean) and
                                 np.isfinite(mean.iloc[0]) else "")
            ax_rate.plot(rx["t"], rx["rate"], color=COLORS[X], lw=0.8, label=lab)
            if "mu" in rx and np.isfinite(rx["mu"].to_numpy(float)).any():
                ax_mu.plot(rx["t"], rx["mu"], color=COLORS[X], lw=1.2, ls="--",
                           label=f"{X} mu")
        ax_mu.set_ylabel("drive mu (mV/s), dashed")
        ax_rate.legend(loc="upper left", fontsize="small", frameon=False)
    else:
        ax_rate.text(0.5, 0.5, "no population-rate trace", ha="center", va="center",
                     transform=ax_rate.transAxes)
    ax_rate.set_ylabel("rate (Hz)")
    ax_rate.set_xlabel("time (s)")
    ax_rate.set_xlim(t0, t1)
    if ax_r is None:
        ax_rate.set_title(_title(result, tab, point), fontsize="medium")
    warm = tab["t_start"].iloc[0] if "t_start" in tab and len(tab) else np.nan
    if np.isfinite(warm) and warm > t0:  # the warm-up, left out of the table's measurements
        for ax in (ax_r, ax_rate):
            if ax is not None:
                ax.axvspan(t0, min(warm, t1), color="0.9", zorder=0, lw=0)
    return fig


def _title(result, tab, point):
    name = (result.params or {}).get("network", {}).get("name") \
        if isinstance((result.params or {}).get("network"), dict) else None
    parts = [name or "simulation", f"point {point}"]
    for col, unit in (("mu_E", " mV/s"), ("mu_I", " mV/s"), ("seed", ""),
                      ("connectivity_seed", "")):
        if col in tab and len(tab) and np.isfinite(float(tab[col].iloc[0])):
            v = tab[col].iloc[0]
            parts.append(f"{col} = {v:g}{unit}" if unit else f"{col} = {int(v)}")
    return ", ".join(parts)
