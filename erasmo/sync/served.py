"""What the sync server needs of an install: exactly the log operations its endpoints use.

The server (`erasmo.sync.server`, run by `erasmo.sync.serving`) depends on this protocol, never
on the write side's application class: whatever offers these operations can be served
(`events.application.Portfolios` does). Import-linter keeps it so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from eventsourcing.persistence import ApplicationRecorder, StoredEvent

from events.sync import PortfolioHead, SyncRecord


class LogPosition(Protocol):
    """Where the log has got to."""

    def head(self) -> int:
        """The latest log position (0 for an empty log)."""
        ...


class ServedLog(Protocol):
    """The event log a sync server exposes to its peers.

    Attributes:
        recorder: the log's notifications, which peers pull page by page.
        reader: the log's latest position (a page's `head`).
    """

    @property
    def recorder(self) -> ApplicationRecorder: ...
    @property
    def reader(self) -> LogPosition: ...

    def heads(self, *, deleted: bool = False) -> list[PortfolioHead]:
        """Every portfolio's id, listed name and latest version (`deleted`: those too)."""
        ...

    def record_synced(self, events: Sequence[StoredEvent], *, peer: str) -> SyncRecord:
        """Record a peer's portfolio events, all or nothing, checked by the domain's rules."""
        ...
