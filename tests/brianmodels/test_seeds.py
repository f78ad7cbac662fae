"""The seed rule (brianmodels.seeds) and the one integer check (brianmodels.units.to_int)."""
import numpy as np
import pytest

from brianmodels import seeds, units


def test_defaults_are_shared_by_simulate_and_sweep():
    import inspect

    from brianmodels.lif.simulate import simulate
    from brianmodels.lif.sweep import sweep

    sim = inspect.signature(simulate).parameters
    swp = inspect.signature(sweep).parameters
    assert sim["seed"].default == seeds.SEED and sim["connectivity_seed"].default == \
        seeds.CONNECTIVITY_SEED
    assert swp["seeds"].default == (seeds.SEED,)
    assert swp["connectivity_seeds"].default == (seeds.CONNECTIVITY_SEED,)
    # keyword-only past the network and the E drive
    for params in (sim, swp):
        names = list(params)
        assert names[:2] == ["net", "mu_E"]
        assert all(params[n].kind is inspect.Parameter.KEYWORD_ONLY for n in names[2:])


def test_to_seed_and_to_seeds():
    assert seeds.to_seed(np.int64(5)) == 5
    assert seeds.to_seeds(3) == [3] and seeds.to_seeds((1, 2)) == [1, 2]
    for bad, exc in ((1.0, TypeError), (True, TypeError), (-1, ValueError), (2**63, ValueError)):
        with pytest.raises(exc, match="seed"):
            seeds.to_seed(bad, "seed")
    with pytest.raises(ValueError, match="connectivity_seeds must hold at least one"):
        seeds.to_seeds([], "connectivity_seeds")
    with pytest.raises(TypeError, match=r"connectivity_seeds"):
        seeds.to_seeds([1, 2.5], "connectivity_seeds")


@pytest.mark.parametrize("value, lo, hi, exc, match", [
    (True, None, None, TypeError, "n must be an integer; got bool"),
    ("3", 1, None, TypeError, "n must be an integer >= 1"),
    (2.5, None, None, ValueError, "n must be an integer; got 2.5"),
    (float("inf"), None, None, ValueError, "n must be an integer"),
    (0, 1, None, ValueError, "n must be an integer >= 1; got 0"),
    (61, 0, 60, ValueError, r"n must be an integer in \[0, 60\]"),
    (7, None, 5, ValueError, "n must be an integer <= 5"),
])
def test_to_int_refuses_with_the_range(value, lo, hi, exc, match):
    with pytest.raises(exc, match=match):
        units.to_int(value, "n", lo=lo, hi=hi)


def test_to_int_accepts_integer_values():
    assert units.to_int(300.0, "n") == 300 and type(units.to_int(np.int32(4), "n")) is int
    assert units.to_int(np.float64(2.0), "n", lo=0, hi=2) == 2
