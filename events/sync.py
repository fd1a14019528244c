"""Recording events exchanged with another install (the sync server and client).

Peers exchange stored events. Unlike a file import, a sync arrives in small batches on top of long
histories, so each batch is checked against the stored state (snapshot and cache), never by
replaying the whole history: every new event is re-made by the domain's own command on the state
before it, and must come out the same (`events.replay`, which the audit and import use too).
`Portfolios` inherits these methods.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Sequence
from copy import deepcopy
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.persistence import PersistenceError, StoredEvent

from events.catalog import CATALOG_ID, Catalog
from events.errors import DuplicateNameError, EventLogError, StoreError, UnknownPortfolioError
from events.host import PortfoliosHost, remember
from events.log import events_table
from events.portfolio import PORTFOLIO_TOPICS, Portfolio
from events.registry import check_stored_event
from events.replay import Replay, check_next
from events.values import NAME_MAX_LENGTH


@dataclass(frozen=True, slots=True)
class PortfolioHead:
    """A portfolio as the catalog lists it, with the version of its latest event."""

    id: UUID
    name: str
    version: int
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class SyncRecord:
    """What `Portfolios.record_synced` did.

    Attributes:
        recorded: how many events were new and recorded.
        held: how many were already held with the same content.
        renamed: (portfolio id, its own name, the name it is listed under here) for every
            incoming portfolio whose name a different portfolio here already had.
    """

    recorded: int
    held: int
    renamed: tuple[tuple[UUID, str, str], ...] = ()


class DivergedError(EventLogError):
    """A peer's event differs from the one this store holds at the same portfolio version."""

    def __init__(self, portfolio_id: UUID, version: int) -> None:
        self.portfolio_id = portfolio_id
        self.version = version
        super().__init__(
            f"event {version} of portfolio {portfolio_id} differs from the one this store holds "
            "(both sides wrote to it since they last synced); nothing was recorded"
        )


@dataclass(slots=True)
class _Checked:
    portfolio: Portfolio  # the Portfolio after the new events
    new: list[StoredEvent]
    head: int  # the stored version before them


class SyncRecording:
    """The sync side of `Portfolios` (a mixin: every method runs on a `Portfolios`)."""

    # Peers exchange stored events. Unlike a file import, a sync arrives in small batches on
    # top of long histories, so each batch is checked against the stored state (snapshot and
    # cache), never by replaying the whole history.

    def heads(self: PortfoliosHost, *, deleted: bool = False) -> list[PortfolioHead]:
        """Every listed portfolio's id, listed name and latest version, loading none of them;
        with `deleted`, the deleted ones too (under the name they had)."""
        heads = []
        catalog = self._catalog()
        listed = {**catalog.names, **catalog.deleted} if deleted else catalog.names
        for hex_id, name in listed.items():
            last = self.recorder.select_events(UUID(hex_id), desc=True, limit=1)
            version = last[0].originator_version if last else 0
            gone = hex_id in catalog.deleted and hex_id not in catalog.names
            heads.append(PortfolioHead(UUID(hex_id), name, version, gone))
        return heads

    def record_synced(
        self: PortfoliosHost, events: Sequence[StoredEvent], *, peer: str
    ) -> SyncRecord:
        """Record a peer's portfolio events, all or nothing; events held alike are skipped.

        Each new event must continue its portfolio's stored line and be exactly the event the
        domain's own command records on the state before it (the timestamp aside). An event at
        a version held with other content raises `DivergedError`. An incoming portfolio whose
        name a different one here has is listed here as "NAME (from PEER)".
        """
        by_portfolio: dict[UUID, list[StoredEvent]] = {}
        order: dict[tuple[object, int], int] = {}
        for index, stored in enumerate(events):
            pid = stored.originator_id
            if (
                not isinstance(pid, UUID)
                or pid == CATALOG_ID
                or (stored.topic not in PORTFOLIO_TOPICS)
            ):
                raise EventLogError(
                    f"{stored.topic!r} of {pid} is not a portfolio event; nothing was recorded"
                )
            check_stored_event(stored)  # every field of its type, typed and in range
            by_portfolio.setdefault(pid, []).append(stored)
            order[(pid, stored.originator_version)] = index

        def command() -> SyncRecord:
            checked = [_check_synced(self, pid, line) for pid, line in by_portfolio.items()]
            fresh = [c for c in checked if c.new]
            new = sorted(
                (e for c in fresh for e in c.new),
                key=lambda e: order[(e.originator_id, e.originator_version)],
            )
            if not new:
                return SyncRecord(0, len(events))
            catalog = self._catalog()
            renamed = _claim_names(catalog, [c.portfolio for c in fresh], peer)
            catalog_events = [self.mapper.to_stored_event(e) for e in catalog.collect_events()]
            self._insert([*new, *catalog_events])
            for c in fresh:
                remember(self, c.portfolio, c.head)
            return SyncRecord(len(new), len(events) - len(new), renamed)

        return self._retry(command)

    def rehome(
        self: PortfoliosHost, portfolio_id: UUID, diverged_at: int, base: str, suffix: str
    ) -> UUID:
        """Keep a portfolio's own line as a new portfolio, then cut it back before `diverged_at`.

        The copy holds every event of the portfolio under a new id (the same id for the same
        divergent events, so running this again after an interruption makes no second copy) and
        is named "BASE (SUFFIX)". Then the portfolio's events from `diverged_at` on, and its
        snapshots, are deleted, so it can take a peer's line. Returns the copy's id.
        """
        line = list(self.recorder.select_events(portfolio_id))
        copy_id = _copy_id(portfolio_id, diverged_at, line)
        copies = [StoredEvent(copy_id, e.originator_version, e.topic, e.state) for e in line]
        copy: Portfolio | None = None
        for stored in copies:
            event: Any = self.mapper.to_domain_event(stored)
            copy = event.mutate(copy)

        def command() -> None:
            if self.recorder.select_events(copy_id, limit=1):
                return  # copied before an interruption
            catalog = self._catalog()
            name = _free_name(catalog, base, suffix, copy_id)
            renamed = deepcopy(copy)
            assert renamed is not None  # run only when there are events to copy
            if renamed.deleted:  # a deleted copy takes no name: it is kept apart as deleted
                catalog.release(copy_id, name)
            else:
                if not renamed.closed:  # a closed copy is only listed under the new name
                    renamed.rename(name)
                catalog.claim(copy_id, name)
            stored = [self.mapper.to_stored_event(e) for e in renamed.collect_events()]
            stored += [self.mapper.to_stored_event(e) for e in catalog.collect_events()]
            self._insert([*copies, *stored])
            remember(self, renamed, 0)

        if copies:
            self._retry(command)
        _cut(self, portfolio_id, diverged_at)
        return copy_id

    def conflict_copy_id(self: PortfoliosHost, portfolio_id: UUID, diverged_at: int) -> UUID:
        """The id `rehome` gives the copy of the portfolio's line from `diverged_at` on: the same
        on every install holding the same diverging events, so a copy is recognised, not made
        twice."""
        return _copy_id(portfolio_id, diverged_at, self.recorder.select_events(portfolio_id))

    def cut_back(self: PortfoliosHost, portfolio_id: UUID, diverged_at: int) -> None:
        """Delete the portfolio's events from `diverged_at` on (a peer already keeps them as a
        conflict copy this install will pull), so it can take the peer's line."""
        _cut(self, portfolio_id, diverged_at)


def _check_synced(app: PortfoliosHost, portfolio_id: UUID, incoming: list[StoredEvent]) -> _Checked:
    versions = [e.originator_version for e in incoming]
    first = versions[0]
    if first < 1 or versions != list(range(first, first + len(versions))):
        raise EventLogError(
            f"the events of portfolio {portfolio_id} are not consecutive versions "
            f"({versions[:5]}...); nothing was recorded"
        )
    portfolio: Portfolio | None
    try:
        portfolio = app.portfolio(portfolio_id)
    except UnknownPortfolioError:
        portfolio = None
    head = portfolio.version if portfolio is not None else 0
    if first <= head:
        held = app.recorder.select_events(portfolio_id, gt=first - 1, lte=min(head, versions[-1]))
        for mine, theirs in zip(held, incoming, strict=False):
            if not _same_event(app, mine, theirs):
                raise DivergedError(portfolio_id, theirs.originator_version)
    new = incoming[max(0, head - first + 1) :]
    if new and new[0].originator_version != head + 1:
        raise EventLogError(
            f"portfolio {portfolio_id} continues at version {new[0].originator_version} but "
            f"this store holds it up to version {head}; nothing was recorded"
        )
    entries = app.entries(portfolio_id) if portfolio is not None else []
    replay = Replay(deepcopy(portfolio), portfolio_id, entries)
    if new and head:
        replay.fill = _pending_fill(app, portfolio_id, head)
    for stored in new:
        portfolio = check_next(app.mapper, portfolio, replay, stored)
    assert portfolio is not None  # an unknown portfolio sends its opening first
    return _Checked(portfolio, new, head)


def _pending_fill(app: PortfoliosHost, portfolio_id: UUID, head: int) -> dict[str, Any] | None:
    """The fill the store's latest event is, while its trade has not followed (a batch may end
    between the two: the next one must bring the trade)."""
    (last,) = app.recorder.select_events(portfolio_id, gt=head - 1, lte=head)
    if PORTFOLIO_TOPICS.get(last.topic) == "PositionLiquidated":  # its trade follows too
        return dict(app.decode(last.topic, last.state))
    if PORTFOLIO_TOPICS.get(last.topic) not in ("OrderFilled", "OrderPartiallyFilled"):
        return None
    fill = app.decode(last.topic, last.state)
    placed = next(
        (
            e
            for e in reversed(app.history(portfolio_id))
            if e.type == "OrderPlaced" and e.fields["order_id"] == fill["order_id"]
        ),
        None,
    )
    if placed is None:  # a damaged store: `erasmo check` reports it
        return None
    return {**fill, "side": placed.fields["side"], "ticker": placed.fields["ticker"]}


def _same_event(app: PortfoliosHost, mine: StoredEvent, theirs: StoredEvent) -> bool:
    if mine.topic != theirs.topic:
        return False
    if mine.state == theirs.state:
        return True
    try:  # the same fields, serialised differently (e.g. by another eventsourcing version)
        return app.decode(mine.topic, mine.state) == app.decode(theirs.topic, theirs.state)
    except Exception:
        return False


def _claim_names(
    catalog: Catalog, portfolios: list[Portfolio], peer: str
) -> tuple[tuple[UUID, str, str], ...]:
    for p in portfolios:
        if p.deleted:  # a deleted portfolio takes no name
            catalog.release(p.id, p.name)
    pending = [p for p in portfolios if not p.deleted]
    while pending:  # a claim that frees a name first, so two portfolios can swap names
        clashing = []
        for p in pending:
            try:
                catalog.claim(p.id, p.name)
            except DuplicateNameError:
                clashing.append(p)
        if len(clashing) == len(pending):
            break
        pending = clashing
    renamed = []
    for p in pending:
        listed = _free_name(catalog, p.name, f"from {peer}", p.id)
        catalog.claim(p.id, listed)
        renamed.append((p.id, p.name, listed))
    return tuple(renamed)


def _free_name(catalog: Catalog, base: str, suffix: str, owner: UUID) -> str:
    """ "BASE (SUFFIX)", numbered if taken, cut to the longest name allowed."""
    for n in range(1, 1000):
        tail = f" ({suffix})" if n == 1 else f" ({suffix} {n})"
        name = base[: max(1, NAME_MAX_LENGTH - len(tail))].rstrip() + tail
        if catalog.owner_of(name) in (None, owner):
            return name[:NAME_MAX_LENGTH]
    raise DuplicateNameError(f"No free name is left for {base!r} ({suffix}).")


def _cut(app: PortfoliosHost, portfolio_id: UUID, from_version: int) -> None:
    """Delete a portfolio's events and snapshots from `from_version` on, in one transaction."""
    reader = app.reader
    tables: list[str] = [reader.table]
    if app.snapshots is not None:
        tables.append(events_table(app.snapshots.recorder))
    sqlite = reader.is_sqlite
    mark = "?" if sqlite else "%s"
    params = [portfolio_id.hex if sqlite else portfolio_id, from_version]
    try:
        with reader.datastore.transaction(commit=True) as cursor:
            for table in tables:
                name = table if sqlite else f'"{reader.datastore.schema}"."{table}"'
                cursor.execute(
                    f"DELETE FROM {name} WHERE originator_id = {mark} "
                    f"AND originator_version >= {mark}",
                    params,
                )
    except PersistenceError as error:
        raise StoreError(f"The event store could not keep the conflict: {error}") from None
    if app.repository.cache is not None:
        with contextlib.suppress(KeyError):
            app.repository.cache.get(portfolio_id, evict=True)


def _copy_id(portfolio_id: UUID, diverged_at: int, line: Sequence[StoredEvent]) -> UUID:
    tail = b"".join(e.topic.encode() + b"\0" + e.state for e in line[diverged_at - 1 :])
    return uuid5(portfolio_id, f"{diverged_at}:{hashlib.sha256(tail).hexdigest()}")
