"""Atomic writes and integrity checks: the one place for "a reader sees the old file (or
folder) or the whole new one" and for "a stored result is what it claims to be".

Used for every result file the package and its figures write (connectivity files, sweep
points, figures and tables), so an interrupted run never leaves a half-written file behind;
stored results carry a manifest (content key, size and SHA-256 of every file) so that a
missing, truncated, altered or foreign file is detected instead of being read.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
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

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from brianmodels.atomic import atomic_write
    >>> folder = Path(tempfile.mkdtemp())
    >>> path = atomic_write(folder / "sub" / "a.txt", lambda tmp: Path(tmp).write_text("done"))
    >>> path.read_text()
    'done'
    """
    path = _in_parent(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_temp_prefix(path), suffix=path.suffix)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


# ------------------------------------------------------------------------------ folders
def owner_tag() -> str:
    """``<host>.<pid>`` of this process, put into temporary names so that a later run on the
    same host can tell a dead writer's leftovers from a live writer's work in progress.

    Examples
    --------
    >>> import os
    >>> from brianmodels.atomic import owner_tag
    >>> owner_tag().endswith(f".{os.getpid()}")
    True
    """
    host = socket.gethostname().replace(".", "_") or "host"
    return f"{host}.{os.getpid()}"


def _temp_prefix(path, kind="tmp") -> str:
    """Name prefix ``.<name>.<kind>.<host>.<pid>.`` of a temporary sibling of ``path`` (``kind``
    'tmp' for content being written, 'old' for content being removed): the names
    :func:`clean_leftovers` recognises."""
    return f".{Path(path).name}.{kind}.{owner_tag()}."


def _in_parent(path) -> Path:
    """``path`` as a Path, its folder created if missing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def remove_path(path) -> None:
    """Remove a file or folder so that no reader ever sees it half-removed.

    A folder is first renamed to a hidden sibling (``.<name>.old.<host>.<pid>.*``, atomic on
    POSIX) and then deleted; a file is unlinked. A missing ``path`` is not an error.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from brianmodels.atomic import remove_path
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "x.txt").write_text("x")
    1
    >>> remove_path(folder)
    >>> folder.exists()
    False
    """
    path = Path(path)
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
        return
    if not path.exists():
        return
    trash = Path(tempfile.mkdtemp(prefix=_temp_prefix(path, "old"), dir=path.parent))
    try:
        os.replace(path, trash / "x")
    finally:
        shutil.rmtree(trash, ignore_errors=True)


def atomic_dir(path, fill, *, replace=True) -> Path:
    """Create the folder ``path`` atomically: readers see no folder, the old one or the whole
    new one, never a half-filled one.

    ``fill(tmp)`` writes the whole content into a temporary sibling folder
    (``.<name>.tmp.<host>.<pid>.*``), which is then renamed to ``path``. An existing ``path``
    is replaced (``replace=True``: the old folder is renamed away, the new one renamed in and
    the old one deleted; between the two renames ``path`` is briefly absent, never partial)
    or kept (``replace=False``: the first writer wins and the new content is discarded). If
    ``fill`` fails the temporary folder is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : path-like
        The folder to create; its parent is created if missing.
    fill : callable
        ``fill(tmp: pathlib.Path)`` writes the folder's content into ``tmp`` (which exists).
    replace : bool
        Replace an existing folder (default) or keep it.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from brianmodels.atomic import atomic_dir
    >>> target = Path(tempfile.mkdtemp()) / "result"
    >>> path = atomic_dir(target, lambda tmp: (tmp / "a.txt").write_text("a"))
    >>> sorted(p.name for p in path.iterdir())
    ['a.txt']
    """
    path = _in_parent(path)
    tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(path), dir=path.parent))
    try:
        fill(tmp)
        if path.exists() or path.is_symlink():
            if not replace:
                return path
            remove_path(path)
        try:
            os.rename(tmp, path)
        except OSError:  # another writer created it in between: theirs is as good
            if not replace or not path.exists():
                raise
            remove_path(path)
            os.rename(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return path


_LEFTOVER = re.compile(r"^\..+\.(tmp|old)\.(?P<host>[^.]+)\.(?P<pid>\d+)\.")


def clean_leftovers(folder) -> list:
    """Remove temporary files and folders left in ``folder`` by dead writers on this host.

    Matches the names made by :func:`atomic_write`, :func:`atomic_dir` and
    :func:`remove_path` (``.<name>.tmp.<host>.<pid>.*``, ``.<name>.old.<host>.<pid>.*``) whose
    host is this one and whose process no longer runs (a writer killed by SIGKILL or a power
    cut); leftovers of live processes or other hosts (a shared file system) are kept.

    Returns
    -------
    list of pathlib.Path
        The removed entries.

    Examples
    --------
    >>> import tempfile
    >>> from brianmodels.atomic import clean_leftovers
    >>> clean_leftovers(tempfile.mkdtemp())          # nothing left by dead writers
    []
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    host = owner_tag().rsplit(".", 1)[0]
    removed = []
    for entry in folder.iterdir():
        m = _LEFTOVER.match(entry.name)
        if m is None or m["host"] != host or _alive(int(m["pid"])):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def writable_folder(path, what, sub=None) -> Path:
    """Check that the folder ``path`` (given as argument ``what``) can be created and written.

    Meant to run before any long computation whose results go there: ``path`` (and
    ``path/sub``) is created if missing and a probe file is written into it and removed.

    Parameters
    ----------
    path : path-like
    what : str
        The argument's name, used by the messages (e.g. ``'out'``).
    sub : str, optional
        A subfolder that must be writable too (created), e.g. ``'points'``.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    TypeError
        If ``path`` is not path-like.
    ValueError
        If ``path`` (or ``path/sub``) is an existing file or cannot be created.
    PermissionError
        If it cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from brianmodels.atomic import writable_folder
    >>> out = writable_folder(Path(tempfile.mkdtemp()) / "runs", "out", sub="points")
    >>> (out / "points").is_dir()
    True
    """
    try:
        folder = Path(path)
    except TypeError:
        raise TypeError(f"{what} must be a folder path (str or path-like); got "
                        f"{type(path).__name__}") from None
    target = folder if sub is None else folder / sub
    for p in dict.fromkeys((folder, target)):
        if p.exists() and not p.is_dir():
            raise ValueError(f"{what}={str(path)!r}: {p} is an existing file; it must be a "
                             "folder (or a path where one can be created)")
    try:
        target.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=target, prefix=f".probe.tmp.{owner_tag()}.")
        try:  # a name of its own: concurrent checks of one folder do not collide
            os.write(fd, b"ok")
        finally:
            os.close(fd)
            os.unlink(probe)
    except PermissionError as err:
        raise PermissionError(f"{what}={str(path)!r}: cannot write in {target} "
                              f"({err.strerror}); give a writable folder") from None
    except OSError as err:
        raise ValueError(f"{what}={str(path)!r}: cannot create or write {target} "
                         f"({err.strerror or err}); give a writable folder") from None
    return folder


# ------------------------------------------------------------------------------ manifests
MANIFEST = "manifest.json"


class IntegrityError(ValueError):
    """A stored result is missing, truncated, altered or belongs to something else."""


def file_digest(path, chunk=1 << 20) -> dict:
    """``{'size': bytes, 'sha256': hex}`` of the file ``path``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from brianmodels.atomic import file_digest
    >>> path = Path(tempfile.mkdtemp()) / "a.txt"
    >>> path.write_text("abc")
    3
    >>> d = file_digest(path)
    >>> d["size"], d["sha256"][:16]
    (3, 'ba7816bf8f01cfea')
    """
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while True:
            block = fh.read(chunk)
            if not block:
                break
            size += len(block)
            h.update(block)
    return {"size": size, "sha256": h.hexdigest()}


def write_manifest(folder, key=None, meta=None, files=None, name=MANIFEST) -> Path:
    """Write a manifest (key, metadata, size and SHA-256 of each file) into ``folder``, atomically.

    Write it LAST, after every file it lists: a folder with a valid manifest is complete.

    Parameters
    ----------
    folder : path-like
        Folder holding the files.
    key : str, optional
        Content key of what the files hold (checked by :func:`check_manifest`).
    meta : dict, optional
        JSON-able description (parameters) stored with the key.
    files : iterable of str, optional
        Names of the files (relative to ``folder``) to list; default: every regular file in
        ``folder`` except the manifest itself and hidden temporary files.
    name : str
        File name of the manifest (default ``manifest.json``).

    Returns
    -------
    pathlib.Path
        The manifest's path.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from brianmodels.atomic import check_manifest, write_manifest
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "a.txt").write_text("abc")
    3
    >>> write_manifest(folder, key="k1", meta={"mu_E": 20.0}).name
    'manifest.json'
    >>> check_manifest(folder, key="k1")["files"]["a.txt"]["size"]
    3
    """
    folder = Path(folder)
    if files is None:
        files = sorted(p.name for p in folder.iterdir()
                       if p.is_file() and p.name != name and not p.name.startswith("."))
    body = {"format": 1, "key": key, "meta": meta or {},
            "files": {f: file_digest(folder / f) for f in files}}
    text = json.dumps(body, indent=1, sort_keys=True, default=str)
    return atomic_write(folder / name, lambda tmp: Path(tmp).write_text(text))


def check_manifest(folder, key=None, *, exclusive=True, name=MANIFEST) -> dict:
    """Check the files of ``folder`` against its manifest; return the manifest.

    Parameters
    ----------
    folder : path-like
    key : str, optional
        Expected content key (the manifest's must be equal).
    exclusive : bool
        The folder must hold no other (non-hidden) files than those listed.
    name : str
        File name of the manifest.

    Returns
    -------
    dict
        ``{'format', 'key', 'meta', 'files': {name: {'size', 'sha256'}}}``.

    Raises
    ------
    IntegrityError
        Naming the file and the problem: no or unreadable manifest, another key, a listed file
        missing, of another size (truncated) or another SHA-256, or an unlisted file.

    Examples
    --------
    A file changed after its manifest was written is detected:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from brianmodels.atomic import check_manifest, write_manifest
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "a.txt").write_text("abc")
    3
    >>> _ = write_manifest(folder, key="k1")
    >>> (folder / "a.txt").write_text("abd")
    3
    >>> check_manifest(folder, key="k1")
    Traceback (most recent call last):
        ...
    brianmodels.atomic.IntegrityError: a.txt does not match its SHA-256 in manifest.json (altered or replaced)
    """
    folder = Path(folder)
    mpath = folder / name
    if not folder.is_dir():
        raise IntegrityError(f"{folder} is not a folder")
    if not mpath.is_file():
        raise IntegrityError(f"{mpath.name} is missing")
    try:
        man = json.loads(mpath.read_text())
        files = man["files"]
        if not isinstance(files, dict) or not all(
                isinstance(r, dict) and {"size", "sha256"} <= set(r) for r in files.values()):
            raise TypeError("bad 'files' entry")
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise IntegrityError(f"{mpath.name} is unreadable ({type(err).__name__}: {err})") from None
    if key is not None and man.get("key") != key:
        raise IntegrityError(f"{mpath.name} is for another content key ({man.get('key')!r}, "
                             f"expected {key!r})")
    for f, rec in sorted(files.items()):
        p = folder / f
        if not p.is_file():
            raise IntegrityError(f"{f} is missing")
        size = p.stat().st_size
        if size != rec["size"]:
            raise IntegrityError(f"{f} has {size} bytes, the manifest says {rec['size']} "
                                 "(truncated or replaced)")
        if file_digest(p)["sha256"] != rec["sha256"]:
            raise IntegrityError(f"{f} does not match its SHA-256 in {mpath.name} (altered or "
                                 "replaced)")
    if exclusive:
        extra = sorted(p.name for p in folder.iterdir() if p.name != name
                       and not p.name.startswith(".") and p.name not in files)
        if extra:
            raise IntegrityError(f"{', '.join(extra)} not listed in {mpath.name} (copied in?)")
    return man


# ------------------------------------------------------------------------------ table groups
def store_frames(folder, name, frames, key, meta=None) -> Path:
    """Store DataFrames as ``<folder>/<name><suffix>`` Parquet files plus their manifest.

    Each file is written atomically, then ``<name>.manifest.json`` (key, ``meta``, size and
    SHA-256 of each file) last: a group whose manifest checks is complete. Read back with
    :func:`load_frames`.

    Parameters
    ----------
    folder : path-like
    name : str
        Common file-name stem of the group (e.g. a point's name).
    frames : dict
        suffix (e.g. ``'.parquet'``, ``'.R.parquet'``) -> pandas.DataFrame.
    key : str
        Content key of what the group holds.
    meta : dict, optional
        JSON-able parameters stored in the manifest.

    Returns
    -------
    pathlib.Path
        The manifest's path.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from brianmodels.atomic import load_frames, store_frames
    >>> folder = tempfile.mkdtemp()
    >>> store_frames(folder, "point0", {".parquet": pd.DataFrame({"rate": [1.5]})}, key="k").name
    'point0.manifest.json'
    >>> load_frames(folder, "point0", "k", [".parquet"], "point 0")[".parquet"]["rate"].tolist()
    [1.5]
    """
    folder = Path(folder)
    for suffix, df in frames.items():
        atomic_write(folder / f"{name}{suffix}", lambda tmp, df=df: df.to_parquet(tmp, index=False))
    return write_manifest(folder, key=key, meta=meta, files=[f"{name}{s}" for s in frames],
                          name=f"{name}.manifest.json")


def load_frames(folder, name, key, suffixes, what):
    """The group stored by :func:`store_frames`, checked; None if absent or damaged.

    A group whose manifest is missing (files without one: written by an older version or
    interrupted), unreadable or for another key, or whose files are missing, truncated,
    altered or unreadable, is removed with a warning naming ``what`` and the problem, so the
    caller recomputes it.

    Parameters
    ----------
    folder : path-like
    name : str
        File-name stem of the group.
    key : str
        Expected content key.
    suffixes : sequence of str
        The group's file suffixes (all must be listed in the manifest).
    what : str
        How the warning names the group (e.g. ``'rate point K=100, N=100, seed=0'``).

    Returns
    -------
    dict or None
        suffix -> pandas.DataFrame, or None (nothing usable stored: compute it).

    Examples
    --------
    Nothing stored yet: compute it.

    >>> import tempfile
    >>> from brianmodels.atomic import load_frames
    >>> load_frames(tempfile.mkdtemp(), "point0", "k", [".parquet"], "point 0") is None
    True
    """
    import warnings

    import pandas as pd

    folder = Path(folder)
    mname = f"{name}.manifest.json"
    paths = [folder / f"{name}{s}" for s in suffixes]
    if not (folder / mname).exists() and not any(p.exists() for p in paths):
        return None
    try:
        listed = set(check_manifest(folder, key, exclusive=False, name=mname)["files"])
        if listed != {p.name for p in paths}:
            raise IntegrityError(f"{mname} lists {sorted(listed)}, expected "
                                 f"{sorted(p.name for p in paths)}")
        try:
            return {s: pd.read_parquet(p) for s, p in zip(suffixes, paths)}
        except Exception as err:  # pyarrow and OS errors: the stored file is bad
            raise IntegrityError(f"unreadable file ({type(err).__name__}: {err})") from None
    except IntegrityError as err:
        warnings.warn(f"stored {what} in {folder} is damaged and is recomputed: {err}",
                      stacklevel=2)
        for p in [folder / mname, *paths]:
            p.unlink(missing_ok=True)
        return None
