"""to_nwb / from_nwb: a standard NWB file (Units table, measurement tables, params) written
atomically that gives the result back exactly; bad paths and foreign files are named."""
import datetime as dt
import sys

import numpy as np
import pandas as pd
import pytest
import pynwb

from brianmodels.export import from_nwb, to_nwb
from brianmodels.lif.result import SimulationResult
from synthetic_results import DURATION, RECORDED, assert_same_result, make_result


@pytest.fixture
def result():
    return make_result()


START = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.timezone.utc)


def test_round_trip_is_exact(result, tmp_path):
    path = to_nwb(result, tmp_path / "run.nwb")
    assert path == tmp_path / "run.nwb"
    assert_same_result(result, from_nwb(path))
    # the methods delegate
    result.to_nwb(tmp_path / "again.nwb", identifier="abc")
    assert_same_result(result, SimulationResult.from_nwb(tmp_path / "again.nwb"))


def test_file_is_standard_nwb(result, tmp_path):
    path = to_nwb(result, tmp_path / "run.nwb", identifier="run-1", session_start_time=START,
                  session_description="two points")
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        nwb = io.read()
        assert (nwb.identifier, nwb.session_description) == ("run-1", "two points")
        assert nwb.session_start_time == START
        units = nwb.units.to_dataframe()
        # one unit per recorded neuron and point, silent ones (no spikes) included
        assert len(units) == 2 * sum(RECORDED)
        assert list(units["population"]) == (["E"] * RECORDED[0] + ["I"] * RECORDED[1]) * 2
        assert list(units["point"]) == [0] * sum(RECORDED) + [1] * sum(RECORDED)
        first = units.iloc[0]
        ref = result.spikes.query("point == 0 and population == 'E' and neuron == 0")["t"]
        assert np.array_equal(first["spike_times"], ref.to_numpy())
        assert first["obs_intervals"].tolist() == [[0.0, DURATION]]
        assert len(units.iloc[2]["spike_times"]) == 0  # E2 is silent
        tables = nwb.processing["brianmodels"]
        assert set(tables.data_interfaces) == {"table", "rates", "currents"}
        assert tables["rates"]["rate"].description == "rate (Hz)"
        assert "brianmodels" in nwb.scratch
    # pynwb's own validator finds nothing wrong
    errors = pynwb.validate(path=str(path))
    assert not errors, errors


def test_write_is_atomic(result, tmp_path, monkeypatch):
    path = to_nwb(result, tmp_path / "run.nwb")
    before = path.read_bytes()

    def fail(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pynwb.NWBHDF5IO, "write", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        to_nwb(result, path)
    assert path.read_bytes() == before                     # the old file is intact
    assert [p.name for p in tmp_path.iterdir()] == ["run.nwb"]  # no temporary file left


def test_bad_paths_are_named(result, tmp_path):
    with pytest.raises(TypeError, match="path must be a file path"):
        to_nwb(result, 3)
    with pytest.raises(ValueError, match="is a folder"):
        to_nwb(result, tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="cannot create its folder"):
        to_nwb(result, tmp_path / "file" / "run.nwb")  # its folder is a file
    with pytest.raises(FileNotFoundError, match="no such file"):
        from_nwb(tmp_path / "missing.nwb")
    with pytest.raises(ValueError, match="is a folder"):
        from_nwb(tmp_path)
    with pytest.raises(ValueError, match="not a readable NWB file"):
        from_nwb(tmp_path / "file")
    with pytest.raises(TypeError, match="result must be a brianmodels SimulationResult"):
        to_nwb(result.spikes, tmp_path / "x.nwb")
    with pytest.raises(ValueError, match="session_start_time must be time zone aware"):
        to_nwb(result, tmp_path / "x.nwb", session_start_time=dt.datetime(2026, 1, 1))
    with pytest.raises(TypeError, match="identifier must be a str"):
        to_nwb(result, tmp_path / "x.nwb", identifier=1)
    assert not (tmp_path / "x.nwb").exists()


def _foreign(path, with_population=True):
    nwb = pynwb.NWBFile(session_description="other lab", identifier="o1",
                        session_start_time=START)
    if with_population:
        nwb.add_unit_column("population", "E or I")
    nwb.add_unit_column("neuron", "index")
    for k, times in enumerate(([0.1, 0.2, 0.4], [0.3], [0.5, 0.9])):
        kw = {"population": "E" if k < 2 else "I"} if with_population else {}
        nwb.add_unit(spike_times=times, neuron=k % 2, obs_intervals=[[0.0, 1.0]], **kw)
    with pynwb.NWBHDF5IO(str(path), "w") as io:
        io.write(nwb)
    return path


def test_file_from_elsewhere(tmp_path):
    res = from_nwb(_foreign(tmp_path / "other.nwb"))
    assert res.spikes["t"].tolist() == [0.1, 0.2, 0.3, 0.4, 0.5, 0.9]
    assert res.spikes["population"].tolist() == ["E"] * 4 + ["I"] * 2
    t = res.table.set_index("population")
    # rates over the units' observation window (1 s): E (3 + 1) / 2, I 2
    assert t.loc["E", "rate"] == pytest.approx(2.0) and t.loc["I", "rate"] == pytest.approx(2.0)
    assert res.params["source"] == "nwb"
    with pytest.raises(ValueError, match="Units table has no 'population' column"):
        from_nwb(_foreign(tmp_path / "bare.nwb", with_population=False))


def test_without_spikes(result, tmp_path):
    result.spikes, result.currents = None, None
    result.params["settings"]["record_spikes"] = [0, 0]
    back = from_nwb(to_nwb(result, tmp_path / "run.nwb"))
    assert back.spikes is None and back.currents is None
    pd.testing.assert_frame_equal(back.table, result.table, check_exact=True)
    pd.testing.assert_frame_equal(back.rates, result.rates, check_exact=True)
    assert back.params == result.params


def test_missing_pynwb_names_the_extra(result, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pynwb", None)  # import pynwb now fails
    with pytest.raises(ImportError, match=r'pip install "brianmodels\[nwb\]"'):
        result.to_nwb(tmp_path / "run.nwb")
