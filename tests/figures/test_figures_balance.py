"""The balance factor of the Ekelmans figures (figures/_ekelmans_common.py) uses each population's
own external drive: mu_E for E, mu_I = r mu_E for I (``docs/theory/ssn_lif.md`` §12). Hand-made
currents and rates, no simulation."""
import numpy as np
import pandas as pd
import pytest

from figures import _ekelmans_common as C


def _recording():
    """Two recorded neurons per population, constant recurrent inputs (mV/s) from t = 0 to 2 s."""
    rows = []
    for X, I_E, I_I in (("E", 10.0, -12.0), ("I", 20.0, -18.0)):
        for n in range(2):
            for t in (0.5, 1.5, 2.5):  # the sample at 0.5 s lies before t_start
                rows.append(dict(population=X, neuron=n, t=t, I_E=I_E + (t < 1.0) * 100.0,
                                 I_I=I_I))
    currents = pd.DataFrame(rows)
    # neuron 0 of each population fires regularly at 10 Hz, neuron 1 at 5 Hz in [1, 3) s
    spikes = pd.concat([pd.DataFrame({"population": X, "neuron": n,
                                      "t": np.arange(1.0, 3.0, 1 / f) + 1e-3})
                        for X in "EI" for n, f in ((0, 10.0), (1, 5.0))], ignore_index=True)
    return currents, spikes


@pytest.mark.parametrize("kw, mu_I", [({"r": 0.5}, 4.0), ({"mu_I": 6.0}, 6.0), ({}, 8.0)])
def test_balance_factor_uses_each_populations_drive(kw, mu_I):
    currents, spikes = _recording()
    mu_E = 8.0
    per, cvs = C.balance_and_cv(currents, spikes, mu_E, t_start=1.0, t_stop=3.0, n_rec=2, **kw)
    bf = per.groupby("population")["BF"].mean()
    # by hand: BF = -I_I / (I_E + mu_X)
    assert bf["E"] == pytest.approx(12.0 / (10.0 + mu_E), rel=1e-12)
    assert bf["I"] == pytest.approx(18.0 / (20.0 + mu_I), rel=1e-12)
    # mean field from the rates: nu_E = nu_I = 7.5 Hz; BF_X = J_XI nu_I / (J_XE nu_E + mu_X)
    J = np.array([[0.2, 0.5], [0.3, 0.6]])
    nu = cvs.groupby("population")["rate"].mean()
    assert nu["E"] == pytest.approx(7.5) and nu["I"] == pytest.approx(7.5)
    mf = C.mean_field_balance(cvs, J, mu_E, **kw)
    assert mf["E"] == pytest.approx(0.5 * 7.5 / (0.2 * 7.5 + mu_E), rel=1e-12)
    assert mf["I"] == pytest.approx(0.6 * 7.5 / (0.3 * 7.5 + mu_I), rel=1e-12)


def test_balance_drive_arguments_are_checked():
    with pytest.raises(ValueError, match="r or mu_I"):
        C.external_drive(8.0, r=0.5, mu_I=4.0)
    assert C.external_drive(8.0, r=0.25) == {"E": 8.0, "I": 2.0}
