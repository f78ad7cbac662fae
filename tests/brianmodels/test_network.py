"""The shared network description: derived couplings, validation, scaling, serialisation."""
import math
import subprocess
import sys

import numpy as np
import pytest

from brianmodels.network import PATHWAYS, POPULATIONS, LIFNetwork, pathway_name
from brianmodels import presets


def base(**kw):
    args = dict(N=(3000, 1000), p=(0.065, 0.2, 0.275, 0.1), j=(0.01026, 0.06, 0.007273, 0.01))
    args.update(kw)
    return LIFNetwork(**args)


def test_in_degrees_and_couplings_follow_eq13():
    net = base()
    assert net.K.tolist() == [[195, 200], [825, 100]]
    # Eq 13: J_XY = K_XY |j_XY|
    np.testing.assert_allclose(net.J, [[195 * 0.01026, 200 * 0.06], [825 * 0.007273, 100 * 0.01]], rtol=1e-15)
    assert net.det_J == pytest.approx(net.J[0, 1] * net.J[1, 0] - net.J[0, 0] * net.J[1, 1])
    assert net.n_synapses == 3000 * (195 + 200) + 1000 * (825 + 100)


def test_arrays_are_read_only():
    net = base()
    with pytest.raises(ValueError):
        net.J[0, 0] = 3.0


@pytest.mark.parametrize("field, value, match", [
    ("N", (0, 1000), "N"),
    ("N", (3000.5, 1000), "N"),
    ("p", (0.065, 1.2, 0.275, 0.1), "p"),
    ("p", (0.065, float("nan"), 0.275, 0.1), "p"),
    ("j", (-0.01, 0.06, 0.007, 0.01), "j"),
    ("j", (1, 2, 3), "j"),
    ("tau", (0.02, 0.0), "tau"),
    ("sigma_ext", 0.0, "sigma_ext"),
    ("theta", 0.0, "theta"),
    ("t_ref", -1e-3, "t_ref"),
    ("synapse", "alpha", "synapse"),
    ("delay_max", (0.1, 0, 0, -0.1), "delay_max"),
])
def test_bad_fields_are_named(field, value, match):
    with pytest.raises(ValueError, match=match):
        base(**{field: value})


def test_exp_synapse_needs_tau_s():
    with pytest.raises(ValueError, match="tau_s"):
        base(synapse="exp", tau_s=0.0)


def test_sqrt_n_scaling_matches_theory_section_11():
    net = presets.get("supersaturating")
    big = net.scaled(40000)
    assert big.N.tolist() == [30000, 10000]
    np.testing.assert_array_equal(big.p, net.p)
    # J(N) = J(4000) sqrt(N / 4000); j(N) = j(4000) sqrt(4000 / N)
    np.testing.assert_allclose(big.J, net.J * math.sqrt(10), rtol=1e-12)
    np.testing.assert_allclose(big.j * math.sqrt(40000), net.j * math.sqrt(4000), rtol=1e-12)
    assert net.mu_scale(40000) == pytest.approx(math.sqrt(10))
    # the paper's hat-j for the Fig 6A/B network (``docs/theory/ssn_lif.md`` §11): j(4000) * sqrt(4000)
    np.testing.assert_allclose(net.j.ravel() * math.sqrt(4000), [0.648899, 3.79473, 0.459985, 0.63246], rtol=2e-5)
    # scaling back returns the original
    np.testing.assert_allclose(big.scaled(4000).j, net.j, rtol=1e-12)
    with pytest.raises(ValueError, match="N_total"):
        net.scaled(-5)


def test_round_trip_through_json():
    net = presets.get("bistable")
    again = LIFNetwork.from_dict(net.to_dict())
    assert again == net and hash(again) == hash(net)
    assert again.synapse.tolist() == [["exp", "delta"], ["delta", "exp"]]


def test_replace_validates_and_rejects_unknown_fields():
    net = presets.get("bistable")
    assert net.replace(tau=(0.022, 0.01)).tau[0] == 0.022
    with pytest.raises(TypeError, match="unknown"):
        net.replace(weights=1)
    with pytest.raises(ValueError, match="tau"):
        net.replace(tau=(-1, 0.01))


def test_summary_is_one_row_per_population_and_report_the_text():
    net = presets.get("bistable")
    s = net.summary()
    assert list(s["population"]) == list(POPULATIONS)
    for x, X in enumerate(POPULATIONS):
        row = s.iloc[x]
        assert row["N"] == net.N[x] and row["tau"] == net.tau[x]
        for y, Y in enumerate(POPULATIONS):
            assert row[f"K_{Y}"] == net.K[x, y] and row[f"J_{Y}"] == pytest.approx(net.J[x, y])
            assert row[f"synapse_{Y}"] == net.synapse[x, y]
    text = net.report()
    assert text.startswith("LIFNetwork 'bistable'") and "det J" in text


def test_pathway_names_are_target_then_source():
    assert PATHWAYS == ("EE", "EI", "IE", "II")
    assert pathway_name(0, 1) == pathway_name("E", "I") == "EI"
    assert [pathway_name(x, y) for x in range(2) for y in range(2)] == list(PATHWAYS)
    for bad in (2, "X", True, None):
        with pytest.raises(ValueError, match="target"):
            pathway_name(bad, 0)


def test_presets_and_network_do_not_import_brian2():
    code = ("import sys; from brianmodels import presets; presets.get('supersaturating'); "
            "import meanfield; assert 'brian2' not in sys.modules, 'brian2 imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
