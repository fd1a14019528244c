"""A portfolio event as people read it: what `Portfolios.history` returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

#: The fields every stored event carries besides its own (its place, time and aggregate class).
ENVELOPE = ("originator_id", "originator_version", "timestamp", "originator_topic")


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
    """

    seq: int
    portfolio_id: UUID
    version: int
    type: str
    on: date
    timestamp: datetime
    fields: dict[str, Any]


def without_envelope(fields: dict[str, Any]) -> dict[str, Any]:
    """An event's own fields: `fields` without those of its envelope."""
    return {k: v for k, v in fields.items() if k not in ENVELOPE}
