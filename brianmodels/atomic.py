"""Atomic file writes: the one place for "a reader sees the old file or the whole new one".

Used for every result file the package and its figures write (connectivity files, sweep
points, figures and tables), so an interrupted run never leaves a half-written file behind.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path, write) -> Path:
    """Write ``path`` atomically.

    ``write(tmp)`` fills a temporary file in the same folder (created with the same suffix),
    which is then renamed over ``path`` (``os.replace``, atomic on POSIX); if ``write`` fails the
    temporary file is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : path-like
        Destination; its folder is created if missing.
    write : callable
        ``write(tmp: str)`` writes the whole content to the file named ``tmp``.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
