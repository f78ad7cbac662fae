"""Shared test fixtures and the rules behind the markers.

The tree mirrors the packages: ``tests/meanfield/{lif,ssn,sparse_balance}`` (theory),
``tests/brianmodels/{lif,rate}`` (simulation), ``tests/compare`` (simulation against theory),
``tests/figures`` and ``tests/portability`` (other CPU kinds and BLAS kernels).

Markers (``setup.cfg``):

``standalone``
    The test compiles or runs a Brian2 C++ standalone binary. Every other test is *refused* a
    compile or a run (the entry points raise), so ``pytest -m "not standalone"`` is a theory and
    input-checking subset that never needs a compiler and runs in well under a minute.
``slow``
    Long simulations or solves.
``optional``
    Needs a GPL peer (NEST, nnmt); skipped when it is not installed.

Networks used by several test modules are defined once in ``tests/networks.py`` (importable as
``networks``: pytest puts this folder on ``sys.path``), so tests that simulate the same
structure share one compiled build. Compiled builds are shared by the whole session through one build cache: ``$BRIANMODELS_CACHE``
when it is set (reuse builds between runs), otherwise a temporary folder made for the session
(a fresh machine, as in CI).
"""
from __future__ import annotations

import os

import pytest

_ENV = "BRIANMODELS_CACHE"


_MADE = []


def pytest_configure(config):
    if not os.environ.get(_ENV):
        import tempfile
        os.environ[_ENV] = tempfile.mkdtemp(prefix="brianmodels_cache_")
        _MADE.append(os.environ[_ENV])


def pytest_unconfigure(config):
    import shutil
    for folder in _MADE:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def build_cache():
    """The session's build cache folder (``$BRIANMODELS_CACHE``)."""
    from pathlib import Path
    return Path(os.environ[_ENV])


class StandaloneRefused(AssertionError):
    """A test without the ``standalone`` marker tried to compile or run a simulation."""


#: (module, attribute) of every entry point that compiles or runs a simulation
_ENTRY_POINTS = [
    ("brianmodels.lif.build", "_compile"),
    ("brianmodels.lif.build", "run_binary"),
    ("brianmodels.rate.brian2_model", "_build"),
    ("brianmodels.rate.brian2_model", "run"),
    ("brianmodels.rate.simulate", "SparseStepper"),
    ("brianmodels.rate.simulate", "NumpyStepper"),
]
_ORIGINALS = {}


def _refuse(nodeid):
    import importlib

    for module, name in _ENTRY_POINTS:
        mod = importlib.import_module(module)
        key = (module, name)
        _ORIGINALS.setdefault(key, getattr(mod, name))

        def refused(*args, _what=f"{module}.{name}", **kwargs):
            raise StandaloneRefused(f"{_what} was called by {nodeid}, which is not marked "
                                    f"@pytest.mark.standalone: mark it, or keep it from simulating")
        setattr(mod, name, refused)


def _allow():
    import importlib

    for (module, name), original in _ORIGINALS.items():
        setattr(importlib.import_module(module), name, original)


def pytest_runtest_setup(item):
    """Before the item's fixtures are set up: refuse simulations unless it is marked standalone.

    Installed here rather than in a fixture so that module- and session-scoped fixtures (the
    shared builds) are covered too."""
    if item.get_closest_marker("standalone") is None:
        _refuse(item.nodeid)
    else:
        _allow()


def pytest_runtest_teardown(item, nextitem):
    _allow()  # teardown of shared fixtures may run compiled code's clean-up

