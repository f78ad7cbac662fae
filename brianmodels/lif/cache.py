"""The on-disk cache of everything the package compiles: where it is, its locks, its clean-up.

One cache serves every C++ build of the package: the LIF network builds
(:mod:`brianmodels.lif.build`), the rate-network builds (:mod:`brianmodels.rate.brian2_model`)
and the random-number test harness (:mod:`brianmodels.lif.fastrng`). Its folder is
``$BRIANMODELS_CACHE`` (default ``~/.cache/brianmodels``); writers of one entry serialise on a
lock file beside it (:func:`locked`, ``fcntl.flock``: across processes, and across hosts as far
as the file system's ``flock`` reaches), fill the entry in a temporary sibling and rename it into
place (:func:`brianmodels.atomic.atomic_dir`), so a reader never sees half an entry; what dead
writers left is removed the first time a process meets a folder (:func:`once`).

Plain Python (no brian2, no compiler): both simulation layers import it.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from pathlib import Path

#: Environment variable naming the cache folder.
ENV = "BRIANMODELS_CACHE"

_CLEANED: set = set()     # folders cleaned of leftovers in this process
_STATE_LOCK = threading.Lock()


def cache_root() -> Path:
    """Folder of the build cache: ``$BRIANMODELS_CACHE`` or ``~/.cache/brianmodels`` (also when
    the variable is set but empty)."""
    return Path(os.environ.get(ENV) or Path.home() / ".cache" / "brianmodels")


@contextlib.contextmanager
def locked(path, *, wait: bool = True):
    """Hold the exclusive ``flock`` of the file ``path`` (created, with its folder, if missing).

    Parameters
    ----------
    path : path-like
        The lock file (by convention ``<entry>.lock`` beside the cache entry it guards).
    wait : bool
        Wait for the lock (default); with False, yield False at once if another process holds
        it.

    Yields
    ------
    bool
        True while the lock is held; False (``wait=False`` only) if it was not taken.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def once(folder, clean) -> None:
    """Run ``clean(folder)`` the first time this process meets ``folder`` (best effort: an
    ``OSError`` of the clean-up is ignored)."""
    k = str(folder)
    with _STATE_LOCK:
        if k in _CLEANED:
            return
        _CLEANED.add(k)
    try:
        clean(Path(folder))
    except OSError:  # pragma: no cover - cleaning is best effort
        pass


__all__ = ["ENV", "cache_root", "locked", "once"]
