"""What the parts of `Portfolios` kept in their own modules need from it.

Branches, deletion, import and sync are written as mixins of the application; their methods
take `self` as a `PortfoliosHost`, so mypy checks every use of the application's attributes
and methods against their real types (and `Portfolios` against this protocol where it is used).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from copy import deepcopy
from typing import Any, ClassVar, Protocol, TypeVar
from uuid import UUID

from eventsourcing.application import Repository
from eventsourcing.domain import Aggregate, MutableOrImmutableAggregate
from eventsourcing.persistence import (
    ApplicationRecorder,
    EventStore,
    Mapper,
    PersistenceError,
    StoredEvent,
)

from events.catalog import Catalog
from events.dryrun import dry_running
from events.log import LogReader
from events.logged import LoggedEvent
from events.portfolio import Portfolio
from events.rules.voids import Entry
from events.store import StoreConfig

T = TypeVar("T")


class PortfoliosHost(Protocol):
    """The attributes and methods of `Portfolios` its mixins use."""

    snapshotting_intervals: ClassVar[dict[type[MutableOrImmutableAggregate[Any]], int]]

    @property
    def store(self) -> StoreConfig: ...
    @property
    def reader(self) -> LogReader: ...
    @property
    def recorder(self) -> ApplicationRecorder: ...
    @property
    def mapper(self) -> Mapper[UUID]: ...
    @property
    def repository(self) -> Repository[UUID]: ...
    @property
    def snapshots(self) -> EventStore[UUID] | None: ...

    def portfolio(self, portfolio_id: UUID, version: int | None = None) -> Portfolio: ...
    def history(self, portfolio_id: UUID, upto_seq: int | None = None) -> list[LoggedEvent]: ...
    def decode(self, topic: str, state: bytes) -> dict[str, Any]: ...
    def entries(self, portfolio_id: UUID, version: int | None = None) -> list[Entry]: ...
    def _catalog(self) -> Catalog: ...
    def _save(self, *aggregates: Aggregate) -> None: ...
    def _insert(
        self, stored: Sequence[StoredEvent], failed: str = "nothing was imported"
    ) -> None: ...
    def _retry(self, command: Callable[[], T]) -> T: ...


def remember(app: PortfoliosHost, portfolio: Portfolio, stored_head: int) -> None:
    """Cache a portfolio just recorded (by an insert of stored events, not a save), and
    snapshot it when it passed an interval since `stored_head`, its version before (in a dry
    run, nothing was recorded: neither)."""
    if dry_running():
        return
    if app.repository.cache is not None:
        app.repository.cache.put(portfolio.id, deepcopy(portfolio))
    interval = app.snapshotting_intervals.get(Portfolio)
    if (
        app.snapshots is not None
        and interval
        and (portfolio.version // interval > stored_head // interval)
    ):
        with contextlib.suppress(PersistenceError):  # a snapshot only speeds loading up
            app.snapshots.put([Portfolio.Snapshot.take(portfolio)])
