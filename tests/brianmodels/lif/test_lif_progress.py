"""A long single simulation shows progress: the compiled binary reports its steps on stderr
(``bm_stop_after``, :func:`brianmodels.lif.build.stop_function`) and ``run_binary`` turns the
lines into a tqdm bar while the binary runs (issue 12).

One shared build (``tests/networks.py`` PATHS, the build of test_lif_paths), runs of 0.1-1 s.
"""
import re

import numpy as np
import pytest

from brianmodels import simulate
from brianmodels.lif import build
from networks import PATHS, PATHS_KW

pytestmark = pytest.mark.standalone  # compiles or runs simulations (tests/conftest.py)

KW = dict(PATHS_KW, mu_E=30.0, warmup=0.1, seed=3, connectivity_seed=3)
T = 1.0   # s: 20000 steps at dt = 0.05 ms, 20 progress lines (one per PROGRESS_MIN_STEPS)


@pytest.fixture(scope="module")
def quiet():
    """A run without progress (compiles the shared build if the cache lacks it)."""
    return simulate(PATHS, duration=T, **KW)


def _lines(monkeypatch):
    """Record every progress line ``run_binary`` parses: list of (steps done, n_steps)."""
    seen = []
    line = build._Progress.line

    def spy(self, text):
        ok = line(self, text)
        if ok:
            seen.append(tuple(int(v) for v in text.split()[1:]))
        return ok

    monkeypatch.setattr(build._Progress, "line", spy)
    return seen


def test_progress_reaches_the_driver_and_ends_at_100_percent(quiet, monkeypatch, capsys):
    monkeypatch.setattr(build, "PROGRESS_DELAY", 0.0)  # show the bar at once (the run is short)
    seen = _lines(monkeypatch)
    capsys.readouterr()
    res = simulate(PATHS, duration=T, **{**KW, "progress": True})
    err = capsys.readouterr().err
    n = int(round(T / 5e-5))
    # the binary's lines: step 0, every PROGRESS_MIN_STEPS steps (n // 1000 < 1000 here), the end
    assert seen[0] == (0, n) and seen[-1] == (n, n), seen[:3] + seen[-3:]
    assert [s for s, _ in seen] == list(range(0, n, build.progress_every(n))) + [n]
    # the bar on stderr: labelled with the network and the input, in simulated seconds, at 100%
    assert f"simulate {PATHS.name} mu_E=30 mu_I=30" in err
    assert re.search(r"100%\|.*\| 1\.00/1\.00 s simulated", err), err[-500:]
    assert "bm_progress" not in err  # parsed, not echoed
    # the bar changes nothing: same spikes as without progress
    for X in "EI":
        for a, b in zip(res.spike_trains(X), quiet.spike_trains(X)):
            np.testing.assert_array_equal(a, b)
    assert res.spike_trains("E")[0].size > 100  # a run with spikes (a real comparison)


def test_no_output_without_progress_or_for_a_short_run(quiet, capsys):
    capsys.readouterr()
    simulate(PATHS, duration=T, **{**KW, "progress": False})
    assert capsys.readouterr().err == ""
    # a run shorter than PROGRESS_DELAY (1.5 s wall clock; 0.1 s of this network takes ~0.1 s)
    # prints nothing either, even with progress=True (the build is cached: no compile line)
    simulate(PATHS, duration=0.2, **{**KW, "progress": True})
    assert capsys.readouterr().err == ""


def test_failing_binary_reports_its_stderr_without_the_progress_lines(tmp_path):
    # a fake binary (shell script): progress lines, a message on stdout and stderr, exit 3;
    # stdout is large (drained while stderr is read: no deadlock on a full pipe)
    folder = tmp_path / "fake"
    folder.mkdir()
    main = folder / "main"
    main.write_text("#!/bin/sh\n"
                    "echo 'bm_progress 0 10' >&2\n"
                    "head -c 200000 /dev/zero | tr '\\0' x\n"
                    "echo 'bm_progress 10 10' >&2\n"
                    "echo 'Could not open file' >&2\n"
                    "exit 3\n")
    main.chmod(0o755)
    fake = build.Build(folder, {"static_arrays": [], "results": {}}, True)
    with pytest.raises(RuntimeError, match=r"failed \(exit 3\)") as err:
        build.run_binary(fake, {}, {}, workdir=tmp_path, progress="fake")
    assert "Could not open file" in str(err.value) and "bm_progress" not in str(err.value)
