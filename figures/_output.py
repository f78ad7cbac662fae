"""Atomic writers for figure outputs (PNG, CSV, JSON side-cars)."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def _atomic(path: Path, write):
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


def save_figure(fig, path, dpi=150):
    """Save a matplotlib figure atomically (temporary name, then rename)."""
    return _atomic(path, lambda tmp: fig.savefig(tmp, dpi=dpi, format=Path(path).suffix.lstrip(".")))


def save_csv(df, path):
    """Save a DataFrame as CSV atomically."""
    return _atomic(path, lambda tmp: df.to_csv(tmp, index=False))


def save_json(obj, path):
    """Save JSON atomically."""
    def write(tmp):
        with open(tmp, "w") as fh:
            json.dump(obj, fh, indent=2, sort_keys=True, default=str)
    return _atomic(path, write)
