"""to_neo / from_neo: the block is made of neo's standard objects (what elephant reads) and
gives the result back exactly; blocks from elsewhere are read or refused by name."""
import sys

import neo
import numpy as np
import pandas as pd
import pytest
import quantities as pq

from brianmodels.export import from_neo, to_neo
from brianmodels.lif.result import SimulationResult
from synthetic_results import DURATION, RECORDED, assert_same_result, make_result


@pytest.fixture
def result():
    return make_result()


def test_round_trip_is_exact(result):
    back = from_neo(to_neo(result))
    assert_same_result(result, back, currents=False)  # currents are not carried by neo
    assert back.currents is None
    # the methods delegate
    assert_same_result(result, SimulationResult.from_neo(result.to_neo()), currents=False)


def test_round_trip_through_a_neo_file(result, tmp_path):
    # a file writer of neo's own (pickle: no extra dependency) keeps what from_neo needs
    path = tmp_path / "run.pkl"
    neo.io.PickleIO(str(path)).write_block(to_neo(result))
    back = from_neo(neo.io.PickleIO(str(path)).read_block())
    assert_same_result(result, back, currents=False)


def test_objects_types_units_and_annotations(result):
    block = to_neo(result)
    assert isinstance(block, neo.Block)
    assert block.annotations["brianmodels_format"] == 1
    assert [seg.index for seg in block.segments] == [0, 1]
    for p, seg in enumerate(block.segments):
        assert seg.annotations == {"point": p, "mu_E": [15.0, 25.0][p],
                                   "mu_I": [15.0, 25.0][p] / 3, "seed": 11 + p,
                                   "connectivity_seed": 5}
        trains = seg.spiketrains
        # every recorded neuron has a train, silent ones too (E2, I1)
        assert [(st.annotations["population"], st.annotations["neuron"]) for st in trains] == \
            [("E", n) for n in range(RECORDED[0])] + [("I", n) for n in range(RECORDED[1])]
        for st in trains:
            assert isinstance(st, neo.SpikeTrain) and st.dtype == np.float64
            assert st.units == pq.s and float(st.t_start) == 0.0 and float(st.t_stop) == DURATION
            a = st.annotations
            assert set(a) == {"population", "neuron", "point", "mu_E", "mu_I", "seed",
                              "connectivity_seed"} and a["point"] == p
            ref = result.spikes.query("point == @p and population == @a['population'] and "
                                      "neuron == @a['neuron']")["t"].to_numpy()
            assert np.array_equal(st.magnitude, ref)  # the same float64 values
        assert len(trains[2]) == 0 and len(trains[RECORDED[0] + 1]) == 0
        # what elephant computes on SpikeTrains, by hand: the mean rate (Hz), ISIs in ms
        st = trains[0]
        rate = (len(st) / (st.t_stop - st.t_start)).rescale(pq.Hz)
        assert float(rate) == pytest.approx(len(st) / DURATION)
        assert np.diff(st.rescale(pq.ms)).units == pq.ms
        sigs = {s.name: s for s in seg.irregularlysampledsignals}
        assert set(sigs) == {"rate E", "rate I", "mu E", "mu I"}
        assert sigs["rate E"].units == pq.Hz and sigs["mu I"].units == pq.mV / pq.s
        assert float(sigs["mu I"][0, 0]) == [15.0, 25.0][p]


def test_block_from_elsewhere_with_population_and_neuron():
    # times in ms, as another simulator may give them; no table or params annotations
    seg = neo.Segment(index=0)
    seg.spiketrains = [
        neo.SpikeTrain([100.0, 300.0, 700.0, 900.0] * pq.ms, t_stop=1000 * pq.ms,
                       population="E", neuron=0),
        neo.SpikeTrain([500.0] * pq.ms, t_stop=1000 * pq.ms, population="E", neuron=1),
        neo.SpikeTrain([] * pq.ms, t_stop=1000 * pq.ms, population="I", neuron=0)]
    block = neo.Block()
    block.segments.append(seg)
    res = from_neo(block)
    # in s (ms / 1000: rounding of the last bit), in time order
    assert res.spikes["t"].to_numpy() == pytest.approx([0.1, 0.3, 0.5, 0.7, 0.9], rel=1e-15)
    assert res.spikes["neuron"].tolist() == [0, 0, 1, 0, 0]
    t = res.table.set_index("population")
    # rate = mean over trains of count / window: E (4 + 1) / 2 / 1 s, I 0
    assert t.loc["E", "rate"] == pytest.approx(2.5) and t.loc["I", "rate"] == 0.0
    assert t.loc["E", "N"] == 2 and t.loc["E", "duration"] == 1.0
    # ISIs of E0: 0.2, 0.4, 0.2 s (CV with ddof 1, as simulate); E1 has too few spikes
    isi = np.array([0.2, 0.4, 0.2])
    assert t.loc["E", "cv_isi_mean"] == pytest.approx(isi.std(ddof=1) / isi.mean(), rel=1e-12)
    assert t.loc["E", "cv_isi_fraction"] == 0.5
    assert res.params["source"] == "neo"


def test_block_without_our_annotations_is_refused_by_name():
    seg = neo.Segment()
    seg.spiketrains.append(neo.SpikeTrain([0.1] * pq.s, t_stop=1 * pq.s, name="unit7"))
    block = neo.Block()
    block.segments.append(seg)
    with pytest.raises(ValueError, match=r"spiketrains\[0\] \(name 'unit7'\) has no "
                                         r"'population' or 'neuron' annotation"):
        from_neo(block)
    seg.spiketrains[0].annotate(population="X", neuron=0)
    with pytest.raises(ValueError, match="population 'X'"):
        from_neo(block)


def test_bad_arguments_name_the_parameter(result):
    with pytest.raises(TypeError, match="block must be a neo.Block"):
        from_neo(result)
    with pytest.raises(TypeError, match="result must be a brianmodels SimulationResult"):
        to_neo(result.table)
    block = to_neo(result)
    block.annotations["brianmodels_format"] = 99
    with pytest.raises(ValueError, match="newer brianmodels"):
        from_neo(block)


def test_without_spikes_and_rates(result):
    result.spikes, result.params["settings"]["record_spikes"] = None, [0, 0]
    result.rates = pd.DataFrame(columns=["point", "population", "t", "rate", "mu"])
    block = to_neo(result)
    assert all(not seg.spiketrains for seg in block.segments)
    back = from_neo(block)
    assert back.spikes is None and len(back.rates) == 0
    pd.testing.assert_frame_equal(back.table, result.table, check_exact=True)


def test_missing_neo_names_the_extra(result, monkeypatch):
    monkeypatch.setitem(sys.modules, "neo", None)  # import neo now fails
    with pytest.raises(ImportError, match=r'pip install "brianmodels\[neo\]"'):
        result.to_neo()
