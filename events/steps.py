"""A portfolio's history with the state after each event: the cash and the name it had then.

The GUI's history table shows the cash after every event. Working that out from the events' fields
would be a second copy of the aggregate's arithmetic; this replays the stored events through the
aggregate instead, once, in order. An event this erasmo cannot read stops the replay: the cash
after it, and after every later event, is unknown (None).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from events.logged import LoggedEvent


@dataclass(frozen=True, slots=True)
class Step:
    """One event of the history and the portfolio right after it.

    Attributes:
        event: the event as logged.
        cash_after: the cash after it (None after an unreadable event).
        name: the portfolio's name after it.
    """

    event: LoggedEvent
    cash_after: Decimal | None
    name: str


class _Replayable(Protocol):
    events: Any

    def history(
        self, portfolio_id: UUID, upto_seq: int | None = None, *, unreadable: bool = False
    ) -> list[LoggedEvent]: ...

    def fork_position(self, parent_id: UUID, parent_version: int) -> int | None: ...


def history_steps(app: _Replayable, portfolio_id: UUID) -> list[Step]:
    """Every event of the portfolio, in order, with the cash and name after it."""
    logged = app.history(portfolio_id, unreadable=True)
    bad = next((e.version for e in logged if e.unreadable is not None), None)
    stored: Any = (
        iter(()) if bad == 1 else app.events.get(portfolio_id, lte=None if bad is None else bad - 1)
    )
    aggregate: Any = None
    name = ""
    steps: list[Step] = []
    for event in logged:
        cash_after = None
        if bad is None or event.version < bad:
            aggregate = next(stored).mutate(aggregate)
            cash_after, name = aggregate.cash, aggregate.name
        if event.type == "BranchForked" and event.unreadable is None:  # this store's position
            fields = event.fields
            fields["parent_seq"] = app.fork_position(fields["parent_id"], fields["parent_version"])
        steps.append(Step(event, cash_after, name))
    return steps
