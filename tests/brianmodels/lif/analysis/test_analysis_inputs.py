"""Tests of brianmodels.lif.analysis: argument checks and imports."""
import numpy as np
import pytest

from brianmodels.lif import analysis as A


@pytest.mark.parametrize("call, exc, match", [
    (lambda: A.firing_rates([0, 5], [0.1, 0.2], 5, t_stop=1), ValueError, "i must be neuron indices"),
    (lambda: A.firing_rates([0, 1], [0.1], 5, t_stop=1), ValueError, "same length"),
    (lambda: A.firing_rates([0.5], [0.1], 5, t_stop=1), TypeError, "integer"),
    (lambda: A.firing_rates([0], [0.1], 0, t_stop=1), ValueError, "N must be"),
    (lambda: A.firing_rates([0], [np.nan], 2, t_stop=1), ValueError, "finite"),
    (lambda: A.population_rate([0], [0.1], 2, t_start=1, t_stop=1), ValueError, "t_stop must be > t_start"),
    (lambda: A.rate_trace([0], [0.1], 2, dt_bin=0, t_stop=1), ValueError, "dt_bin"),
    (lambda: A.rate_trace([0], [0.1], 2, dt_bin=0.1, t_stop=1, smooth="tri", width=1), ValueError, "smooth"),
    (lambda: A.smooth_rate([1.0, 2.0], 0.1, kernel="tri", width=1), ValueError, "kernel"),
    (lambda: A.isi_statistics([0], [0.1], 2, min_spikes=2), ValueError, "min_spikes"),
    (lambda: A.windowed_rates([0], [0.1], 2, window=2, t_stop=1), ValueError, "window"),
    (lambda: A.windowed_rates([0], [0.1], 2, window=0.5, t_stop=1, mu_E=[1, 2, 3]), TypeError, "mu_E"),
    (lambda: A.windowed_rates([0], [0.1], 2, window=0.5, t_stop=1, mu_I=1, r=1), ValueError,
     "either mu_I or r"),
    (lambda: A.autocorrelation_time(np.ones(100), 0.1, method="fft"), ValueError, "method"),
    (lambda: A.detect_states(np.ones(10), 0.1, thresholds=(2, 1)), ValueError, "thresholds"),
    (lambda: A.measurements_table({"E": (1, 2)}, t_stop=1), TypeError, "spikes"),
])
def test_bad_input_names_the_parameter(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_package_does_not_import_brian2():
    """No module of the package imports brian2; the only package imports are the foundation's
    brian2-free ``brianmodels.units`` (``from ...units import to_int``) and ``brianmodels.result``
    (the result convention, pandas only)."""
    import ast
    from pathlib import Path

    for f in sorted(Path(A.__file__).parent.glob("*.py")):
        tree = ast.parse(f.read_text())
        names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
        names |= {("." * node.level) + (node.module or "") for node in ast.walk(tree)
                  if isinstance(node, ast.ImportFrom)}
        assert not any(str(n).split(".")[0] in ("brian2", "brianmodels") for n in names), f.name
        assert all(n in ("...units", "...result") or not n.startswith("..") for n in names), f.name
