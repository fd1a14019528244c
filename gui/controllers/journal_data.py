"""What the Journal tab shows, read through the front door off the GUI thread. No Qt.

`journal_of(door, portfolio_id)` runs in a background job: the door's round-trip trades (with
the notes and tags on their entries and exits) become plain `TradeRow`s, its trade statistics
come as they are, and the closed trades' P&L is summed by the month of their exit for the
heatmap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:
    from erasmo.door import FrontDoor
    from erasmo.journal import TradeStatistics

OPEN, CLOSED = "open", "closed"


@dataclass(frozen=True, slots=True)
class TradeRow:
    """One round-trip trade as the table shows it.

    Attributes:
        entry_seq, exit_seq: the log positions of the entry and exit events (None: open).
        exit_on, exit_price: the exit; for an open trade the valuation day and its close.
        return_pct: pnl over what the entry cost, as a fraction.
        tags: the entry's tags; note, exit_note: the notes in force on the entry and exit.
    """

    ticker: str
    direction: str
    status: str
    entry_seq: int
    entry_on: date
    entry_price: float
    exit_seq: int | None
    exit_on: date
    exit_price: float
    quantity: float
    pnl: float
    return_pct: float
    holding_days: int
    tags: tuple[str, ...]
    note: str
    exit_note: str

    @property
    def won(self) -> bool:
        return self.pnl > 0

    @property
    def lost(self) -> bool:
        return self.pnl < 0


@dataclass(frozen=True, slots=True)
class JournalResult:
    """Everything the Journal tab draws for one portfolio.

    Attributes:
        rows: the trades, in the door's order (closed by exit, then the open ones).
        statistics: the door's trade statistics over all of them.
        months: realized P&L of the closed trades by (year, month) of their exit.
    """

    portfolio: UUID
    rows: tuple[TradeRow, ...]
    statistics: TradeStatistics
    months: dict[tuple[int, int], float]

    @property
    def tags(self) -> list[str]:
        """Every tag on a trade, sorted."""
        return sorted({tag for row in self.rows for tag in row.tags})

    @property
    def tickers(self) -> list[str]:
        return sorted({row.ticker for row in self.rows})


def _day(value: Any) -> date:
    return value.date() if hasattr(value, "date") else value  # type: ignore[no-any-return]


def period_day(row: TradeRow) -> date:
    """The day the period filter looks at: a closed trade's exit, an open trade's entry (its
    exit is only the valuation day, which moves)."""
    return row.entry_on if row.status == OPEN else row.exit_on


def rows_of(trades: Any) -> tuple[TradeRow, ...]:
    """The door's trades frame as rows."""
    rows = []
    for t in trades.to_dict("records"):
        exit_seq = t["exit_seq"]
        rows.append(
            TradeRow(
                ticker=str(t["ticker"]),
                direction=str(t["direction"]),
                status=str(t["status"]),
                entry_seq=int(t["entry_seq"]),
                entry_on=_day(t["entry_on"]),
                entry_price=float(t["entry_price"]),
                exit_seq=None if exit_seq is None or exit_seq != exit_seq else int(exit_seq),
                exit_on=_day(t["exit_on"]),
                exit_price=float(t["exit_price"]),
                quantity=float(t["quantity"]),
                pnl=float(t["pnl"]),
                return_pct=float(t["return_pct"]),
                holding_days=int(t["holding_days"]),
                tags=tuple(t["tags"]),
                note=str(t["note"] or ""),
                exit_note=str(t["exit_note"] or ""),
            )
        )
    return tuple(rows)


def months_of(rows: tuple[TradeRow, ...]) -> dict[tuple[int, int], float]:
    """Realized P&L by (year, month) of the exit, over the closed trades."""
    months: dict[tuple[int, int], float] = {}
    for row in rows:
        if row.status == CLOSED and math.isfinite(row.pnl):
            key = (row.exit_on.year, row.exit_on.month)
            months[key] = months.get(key, 0.0) + row.pnl
    return months


def journal_of(door: FrontDoor, portfolio_id: UUID) -> JournalResult:
    """The portfolio's journal, through the door (reads its events: run it off the GUI
    thread, on the analytics' own pool)."""
    door.analytics.refresh()  # fold in what was recorded since (cheap when nothing was)
    rows = rows_of(door.trades(portfolio_id))
    statistics = door.trade_stats(portfolio_id)
    return JournalResult(portfolio_id, rows, statistics, months_of(rows))
