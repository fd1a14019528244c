"""What the Journal tab shows, read through the front door off the GUI thread. No Qt.

`journal_of(door, portfolio_id, filters)` runs in a background job: one `trade_journal` read
of the door with the tab's filters gives the trades they keep (with the notes and tags on their
entries and exits, as plain `TradeRow`s), the statistics of those trades and their realized
P&L by month for the heatmap (`erasmo.journal.monthly_pnl`, as `erasmo stats --by month` and
the report sum it).
"""

from __future__ import annotations

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
class TradeFilters:
    """The tab's filters, as the door's `trade_journal` takes them ("" / None: all).

    Attributes:
        ticker, tag: one ticker, one tag on the trade's entry.
        outcome: one of `erasmo.journal.filters.OUTCOMES` (winners, losers, open, closed).
        start, end: the period, both days included, on the exit day (an open trade's: the
            valuation day).
    """

    ticker: str = ""
    tag: str = ""
    outcome: str = ""
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True, slots=True)
class JournalResult:
    """Everything the Journal tab draws for one portfolio and its filters.

    Attributes:
        rows: the trades the filters keep, in the door's order (closed by exit, then open).
        statistics: the door's trade statistics of those trades.
        months: their realized P&L by (year, month) of the exit (closed trades only).
        total: how many trades the portfolio has, unfiltered.
        tickers, tags: every ticker and tag of its trades (the filters' choices).
        first_day, last_day: the first and last exit day of all its trades (open: the
            valuation day), where an unchecked period bound waits.
    """

    portfolio: UUID
    filters: TradeFilters
    rows: tuple[TradeRow, ...]
    statistics: TradeStatistics
    months: dict[tuple[int, int], float]
    total: int
    tickers: tuple[str, ...]
    tags: tuple[str, ...]
    first_day: date | None
    last_day: date | None


def _day(value: Any) -> date:
    return value.date() if hasattr(value, "date") else value  # type: ignore[no-any-return]


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


def months_of(months: Any) -> dict[tuple[int, int], float]:
    """The door's realized P&L by "YYYY-MM" as {(year, month): pnl}."""
    return {(int(k[:4]), int(k[5:7])): float(v) for k, v in months.items()}


def journal_of(door: FrontDoor, portfolio_id: UUID, filters: TradeFilters) -> JournalResult:
    """The portfolio's journal through the door, one read with the tab's filters (reads its
    events: run it off the GUI thread, on the analytics' own pool)."""
    door.analytics.refresh()  # fold in what was recorded since (cheap when nothing was)
    f = filters
    read = door.trade_journal(
        portfolio_id, ticker=f.ticker or None, tag=f.tag or None, outcome=f.outcome or None,
        start=f.start, end=f.end,
    )  # fmt: skip
    return JournalResult(
        portfolio=portfolio_id,
        filters=filters,
        rows=rows_of(read.trades),
        statistics=read.statistics,
        months=months_of(read.months),
        total=read.total,
        tickers=read.tickers,
        tags=read.tags,
        first_day=read.first_day,
        last_day=read.last_day,
    )
