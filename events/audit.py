"""Checking a portfolio's event sequence against the rules, without trusting how it was written.

`erasmo check`, `erasmo import` and forks use this: events that come from a file or an old store
are replayed one by one through the aggregate's own commands (`events.replay`), and every broken
rule is reported with the event it broke at, in the words the rule gives it (the `problems` of
its named error). The audit states no rule of its own: only the log's shape (versions in
sequence, a market date on every event) is checked here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from events.errors import ErasmoError, InvalidInputError
from events.replay import Replay, derived_problems, differences


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule.

    Attributes:
        version: the portfolio event version where it broke.
        event_type: that event's type name.
        message: what is wrong.
        error: the named error the command recording that event raises (None for a problem
            of the log's shape or of what the event derives).
    """

    version: int
    event_type: str
    message: str
    error: ErasmoError | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class AuditedEvent:
    """The parts of an event the rules look at: its version, type name and fields."""

    version: int
    event_type: str
    fields: dict[str, Any]


def audit_portfolio(
    events: Iterable[AuditedEvent], portfolio_id: UUID | None = None
) -> list[Problem]:
    """Every broken rule in one portfolio's events, in order; empty when all hold.

    `portfolio_id`: the portfolio's id, which the errors naming the portfolio by id give.
    """
    problems: list[Problem] = []
    replay = Replay(portfolio_id=portfolio_id)
    expected_version = 1
    for event in events:
        found = _Found(event, problems)
        if event.version != expected_version:
            found.add(f"version {event.version} should be {expected_version}")
        expected_version = event.version + 1
        on = event.fields.get("on")
        if not isinstance(on, date) or isinstance(on, datetime):
            found.add("it has no market date")
        else:
            _replay(replay, event.event_type, event.fields, found)
    return problems


@dataclass(frozen=True, slots=True)
class _Found:
    """Where the problems of one event go."""

    event: AuditedEvent
    problems: list[Problem]

    def add(self, message: str, error: ErasmoError | None = None) -> None:
        self.problems.append(Problem(self.event.version, self.event.event_type, message, error))


def _replay(replay: Replay, kind: str, fields: dict[str, Any], found: _Found) -> None:
    """Re-make one event by its command, reporting each broken rule to `found`."""
    try:
        derived = derived_problems(kind, fields)
    except (InvalidInputError, KeyError, TypeError, ArithmeticError) as error:
        found.add(f"invalid field: {error}")
        replay.force(kind, fields)
        return
    for message in derived:
        found.add(message)
    try:
        recorded = replay.redo(kind, fields)
    except ErasmoError as error:
        if error.problems:
            for message in error.problems:
                found.add(message, error)
        elif isinstance(error, InvalidInputError):
            found.add(f"invalid field: {error}", error)
        else:
            found.add(str(error), error)
        replay.force(kind, fields)
        return
    except (KeyError, TypeError, ArithmeticError, ValueError) as error:
        found.add(f"invalid field: {error}")
        replay.force(kind, fields)
        return
    if not derived:
        for message in differences(recorded, fields):
            found.add(message)
