"""A portfolio event as people read it: what `Portfolios.history` returns."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from events.errors import EventLogError
from events.log import RawEvent
from events.registry import BY_TOPIC, stored_moments, unreadable_reason
from events.schemas import EVENT_SCHEMAS, Schema

#: The fields every stored event carries besides its own (its place, time and aggregate class).
ENVELOPE = ("originator_id", "originator_version", "timestamp", "originator_topic")
#: Decodes a stored state of a topic into its fields (`Portfolios.decode`).
Decoder = Callable[[str, bytes], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """One portfolio event as people read it.

    Attributes:
        seq: its position in the store's log.
        version: its position in the portfolio's own history, from 1.
        type: the event type name, e.g. "SharesBought".
        on: the market date it happened on.
        timestamp: when it was recorded (wall clock, UTC).
        fields: its own fields (ticker, quantity, price, amount, ...).
        unreadable: why this erasmo cannot read the stored event (a newer shape version, a
            damaged byte), None for every readable one. An unreadable event has no fields; its
            `on` and `timestamp` are its stored ones where those can be read, else those of
            the event before it.
    """

    seq: int
    portfolio_id: UUID
    version: int
    type: str
    on: date
    timestamp: datetime
    fields: dict[str, Any]
    unreadable: str | None = None

    @property
    def schema(self) -> Schema | None:
        """Its type's entry in the table of event types (None for an unknown type)."""
        return EVENT_SCHEMAS.get(self.type)

    @property
    def label(self) -> str:
        """Its type's short name ("Buy"); "Unreadable" for an event that cannot be read."""
        if self.unreadable is not None:
            return "Unreadable"
        schema = self.schema
        return schema.label if schema is not None else self.type

    def describe(self) -> str:
        """Its details in one line, as `erasmo history` and the GUI show them."""
        if self.unreadable is not None:
            return f"unreadable: {self.unreadable}"
        schema = self.schema
        return schema.describe(self.fields) if schema is not None else ""


def without_envelope(fields: dict[str, Any]) -> dict[str, Any]:
    """An event's own fields: `fields` without those of its envelope."""
    return {k: v for k, v in fields.items() if k not in ENVELOPE}


def read_history(
    stored: Iterable[RawEvent], decode: Decoder, *, keep_unreadable: bool = False
) -> list[LoggedEvent]:
    """Stored events as people read them, in order (see `Portfolios.history`).

    A stored event this erasmo cannot read (an unknown type, a newer shape version, a damaged
    byte) raises `EventLogError` naming it, or with `keep_unreadable` becomes an entry that says
    why (`LoggedEvent.unreadable`)."""
    events: list[LoggedEvent] = []
    for raw in stored:
        try:
            logged = _read(raw, decode)
        except Exception as error:  # the store can hold anything: say what, never crash
            reason = unreadable_reason(raw.topic, raw.state, error)
            if not keep_unreadable:
                raise EventLogError(
                    f"event {raw.version} (seq {raw.seq}) of portfolio {raw.originator_id} "
                    f"cannot be read: {reason}. Run 'erasmo check' to see every such event"
                ) from None
            logged = _unreadable(raw, reason, events[-1] if events else None)
        events.append(logged)
    return events


def _read(raw: RawEvent, decode: Decoder) -> LoggedEvent:
    event_type = BY_TOPIC.get(raw.topic)
    if event_type is None:
        raise EventLogError(f"unknown event type {raw.topic[:80]!r}")
    fields = decode(raw.topic, raw.state)
    timestamp = fields.pop("timestamp")
    on = fields.pop("on")
    if not isinstance(on, date) or not isinstance(timestamp, datetime):
        raise EventLogError(f"its market date {on!r} or timestamp is not a date")
    return LoggedEvent(
        seq=raw.seq,
        portfolio_id=raw.originator_id,
        version=raw.version,
        type=event_type.name,
        on=on,
        timestamp=timestamp,
        fields=without_envelope(fields),
    )


def _unreadable(raw: RawEvent, reason: str, before: LoggedEvent | None) -> LoggedEvent:
    """The entry of a stored event this erasmo cannot read: its type, place and why."""
    on, timestamp = stored_moments(raw.state)
    event_type = BY_TOPIC.get(raw.topic)
    return LoggedEvent(
        seq=raw.seq,
        portfolio_id=raw.originator_id,
        version=raw.version,
        type=event_type.name if event_type is not None else raw.topic.rsplit(".", 1)[-1][:80],
        on=on or (before.on if before is not None else date.min),
        timestamp=timestamp or (before.timestamp if before is not None else datetime.min),
        fields={},
        unreadable=reason,
    )
