"""The build cache the whole test session shares (tests/conftest.py) is the one the package uses."""
import os

from brianmodels.lif import cache


def test_session_shares_one_build_cache(build_cache):
    assert os.environ["BRIANMODELS_CACHE"] == str(build_cache)
    assert cache.cache_root() == build_cache  # LIF builds, rate-network builds and the RNG harness
    assert build_cache.is_dir()
