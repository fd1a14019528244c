"""Dry runs: a command runs by the same rules on freshly loaded aggregates, and nothing is saved.

`Portfolios.dry_run()` opens one; inside it the application's `_save` and `_insert` keep what
they would have written in the `DryRun` here instead of writing it. It is a context variable, so
a dry run in one thread (a GUI preview) never affects a command running in another.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class DryRun:
    """What the commands of a dry run would have recorded.

    Attributes:
        aggregates: the aggregates a save would have saved, with their pending events.
        stored: the stored events an insert (a fork, an import) would have written.
    """

    aggregates: list[Any] = field(default_factory=list)
    stored: list[Any] = field(default_factory=list)


#: The dry run in progress in this thread (None: commands record what they decide).
CURRENT: ContextVar[DryRun | None] = ContextVar("erasmo_dry_run", default=None)


def dry_running() -> bool:
    """Whether a dry run is in progress in this thread."""
    return CURRENT.get() is not None


@contextlib.contextmanager
def dry_run_block(enabled: bool = True) -> Iterator[DryRun]:
    """Every command in the block runs by the same rules on freshly loaded aggregates and
    records nothing; what it would have recorded is kept in the `DryRun` yielded.

    Not `enabled` (or inside a dry run already): the block runs as it is."""
    current = CURRENT.get()
    if current is not None or not enabled:
        yield current if current is not None else DryRun()
        return
    run = DryRun()
    token = CURRENT.set(run)
    try:
        yield run
    finally:
        CURRENT.reset(token)
