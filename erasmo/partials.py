"""Files being written under a temporary name, and the leftovers of writers that were killed.

A backup, a restore or an export is written to `.NAME.PID.partial` (or `.restoring`, or a
`.erasmo-verify-PID-...` folder) beside its destination and renamed over it only when complete,
so the real name never holds half a file. A writer killed mid-way leaves its temporary file;
`clean_leftovers` removes those of processes that no longer run (a writer still running keeps
its own), and every backup, restore and verify calls it on its folder first.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from pathlib import Path

_LEFTOVER = re.compile(
    r"^\..+\.(?P<pid>\d+)\.(?:partial|restoring)(?:-wal|-shm|-journal)?$"
    r"|^\.erasmo-verify-(?P<scratch>\d+)-"
)


def partial_name(path: Path, kind: str = "partial") -> Path:
    """The temporary name `path` is written under by this process."""
    return path.with_name(f".{path.name}.{os.getpid()}.{kind}")


def scratch_prefix() -> str:
    """The name prefix of this process's scratch folders."""
    return f".erasmo-verify-{os.getpid()}-"


def clean_leftovers(folder: Path) -> list[Path]:
    """Remove the temporary files and folders of killed writers in `folder`; returns them."""
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _LEFTOVER.match(entry.name)
        if match is None:
            continue
        pid = int(match.group("pid") or match.group("scratch"))
        if _running(pid):
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed.append(entry)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # another user's process, or cannot tell: leave it
    return True
