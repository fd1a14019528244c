"""Recording portfolio events from an exported file, all or nothing.

Each file's portfolio is checked against what the store holds: events held alike are skipped, a
version held with other content makes the import fail, and the new events must pass the rules
and be exactly what the domain's own commands record (as for sync). `Portfolios` inherits
`record_imported`.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from events.audit import AuditedEvent, audit_portfolio
from events.catalog import Catalog
from events.errors import DuplicateNameError, EventLogError
from events.host import PortfoliosHost
from events.logged import LoggedEvent, without_envelope
from events.portfolio import PORTFOLIO_TOPICS, Portfolio
from events.replay import Replay, check_next

_TOMBSTONES = ("PortfolioDeleted", "PortfolioUndeleted")


class ImportRecording:
    """The import side of `Portfolios` (a mixin: its method runs on a `Portfolios`)."""

    def record_imported(
        self: PortfoliosHost, events: Sequence[StoredEvent], *, dry_run: bool = False
    ) -> int:
        """Record portfolio events from a file, all or nothing; returns how many were new.

        An event already stored with the same content is skipped; one whose version is taken
        by different content, or that breaks a rule when replayed after what is stored, makes
        the whole import fail with nothing recorded.
        """
        by_portfolio: dict[UUID, list[StoredEvent]] = {}
        position: dict[tuple[object, int], int] = {}
        for index, stored in enumerate(events):
            assert isinstance(stored.originator_id, UUID)
            by_portfolio.setdefault(stored.originator_id, []).append(stored)
            position.setdefault((stored.originator_id, stored.originator_version), index)

        def command() -> int:
            catalog = self._catalog()
            new: list[StoredEvent] = []
            for portfolio_id, incoming in by_portfolio.items():
                new.extend(_check_import(self, portfolio_id, incoming, catalog))
            if not new or dry_run:
                return len(new)
            # Record in the file's order, so the store's log order (across portfolios) is the
            # file's, and exporting the store again gives the same file.
            new.sort(key=lambda e: position[(e.originator_id, e.originator_version)])
            catalog_events = [self.mapper.to_stored_event(e) for e in catalog.collect_events()]
            self._insert([*new, *catalog_events])
            return len(new)

        return self._retry(command)


def _check_import(
    app: PortfoliosHost, portfolio_id: UUID, incoming: list[StoredEvent], catalog: Catalog
) -> list[StoredEvent]:
    stored = {e.version: e for e in app.history(portfolio_id)}
    new = _new_events(app, portfolio_id, incoming, stored)
    if not new:
        return []
    history = [AuditedEvent(e.version, e.type, {**e.fields, "on": e.on}) for e in stored.values()]
    history += [
        AuditedEvent(
            e.originator_version,
            PORTFOLIO_TOPICS[e.topic],
            without_envelope(app.decode(e.topic, e.state)),
        )
        for e in sorted(new, key=lambda e: e.originator_version)
    ]
    problems = audit_portfolio(history, portfolio_id)
    if problems:
        first = problems[0]
        raise EventLogError(
            f"portfolio {portfolio_id} event {first.version} ({first.event_type}): "
            f"{first.message}; nothing was imported"
        ) from first.error
    _check_replays(app, portfolio_id, new, bool(stored))
    _claim_name(catalog, portfolio_id, history)
    return new


def _new_events(
    app: PortfoliosHost,
    portfolio_id: UUID,
    incoming: list[StoredEvent],
    stored: dict[int, LoggedEvent],
) -> list[StoredEvent]:
    """The events of `incoming` the store does not hold yet; fails if the file's events are out
    of version order or one differs from the event the store holds at its version."""
    versions = [e.originator_version for e in incoming]
    if versions != sorted(set(versions)):
        raise EventLogError(
            f"the events of portfolio {portfolio_id} are not in version order in the file "
            f"(versions {versions[:10]}...); nothing was imported"
        )
    new = []
    for event in incoming:
        existing = stored.get(event.originator_version)
        if existing is None:
            new.append(event)
            continue
        fields = app.decode(event.topic, event.state)
        if PORTFOLIO_TOPICS.get(event.topic) != existing.type or without_envelope(fields) != {
            **existing.fields,
            "on": existing.on,
        }:
            raise EventLogError(
                f"event {event.originator_version} of portfolio {portfolio_id} differs from "
                "the one this store already holds; the file and the store have diverged, "
                "so nothing was imported"
            )
    return new


def _claim_name(catalog: Catalog, portfolio_id: UUID, history: list[AuditedEvent]) -> None:
    """Give the imported portfolio its latest name in `catalog` (release it if deleted); fails if
    a different portfolio of this store has that name."""
    name = next(
        e.fields["name"]
        for e in reversed(history)
        if e.event_type in ("PortfolioOpened", "PortfolioRenamed")
    )
    tombstones = [e.event_type for e in history if e.event_type in _TOMBSTONES]
    if tombstones and tombstones[-1] == "PortfolioDeleted":
        catalog.release(portfolio_id, name)  # a deleted portfolio takes no name
        return
    try:
        catalog.claim(portfolio_id, name)
    except DuplicateNameError:
        owner = catalog.owner_of(name)
        local = catalog.names[owner.hex] if owner is not None else name
        raise EventLogError(
            f"the file's portfolio {name!r} ({portfolio_id}) has the name of a different "
            f"portfolio in this store; rename that one first (erasmo portfolio rename "
            f"{local!r} NEW_NAME, closed or not) or delete it, then import again"
        ) from None


def _check_replays(
    app: PortfoliosHost, portfolio_id: UUID, new: list[StoredEvent], stored: bool
) -> None:
    """The Portfolio must rebuild from the new events after the stored ones, each the event
    the domain's own command records on the state before it (the rules sync checks too).

    A file can hold states the rules accept but the aggregate cannot apply (an amount
    written as text, a missing field), or an opening naming another class; recording
    them would leave a portfolio no command or query can load.
    """
    portfolio_topic = get_topic(Portfolio)
    aggregate = app.portfolio(portfolio_id) if stored else None
    # each event must also be the one the domain's own command records (as for sync)
    entries = app.entries(portfolio_id) if aggregate is not None else []
    replay = Replay(deepcopy(aggregate), portfolio_id, entries)
    for event in new:  # in version order, checked by the caller
        version = event.originator_version
        fields = app.decode(event.topic, event.state)
        if PORTFOLIO_TOPICS[event.topic] == "PortfolioOpened" and (
            fields.get("originator_topic") != portfolio_topic
        ):
            raise EventLogError(
                f"portfolio {portfolio_id} event {version} opens a "
                f"{fields.get('originator_topic')!r}, not a portfolio; nothing was imported"
            )
        try:
            aggregate = check_next(app.mapper, aggregate, replay, event)
        except EventLogError as error:
            raise EventLogError(
                str(error).replace("nothing was recorded", "nothing was imported")
            ) from None
