"""Owner-only files and folders: the data directory, the SQLite store and its side files, the
price cache and the sync token are readable by their owner only."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def make_private_dir(folder: Path) -> None:
    """Create `folder` owner-only (0700) if missing; an existing one of ours is made so."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _tighten(folder, 0o700)


def make_private_file(path: Path, *, create: bool = True) -> None:
    """Create `path` empty and owner-only (0600) if missing (and `create`); an existing file of
    ours that others may read is made owner-only."""
    if create:
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    _tighten(path, 0o600)


def _tighten(path: Path, mode: int) -> None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return
    if found.st_uid == os.getuid() and found.st_mode & 0o077:
        path.chmod(mode)
