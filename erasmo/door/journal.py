"""The front door's journal: a portfolio's round-trip trades, their statistics and the HTML
report, by portfolio id. Thin: the work is `erasmo.journal`'s; pandas is imported on first use.

Trades are valued on the portfolio's clock in simulation mode (nothing after it is known yet),
else on the market's latest day. The journal's period (its charts, and the days `exposure`
counts) runs from the first event to the valuation day while shares are held, else to the last
event's day. Filters (a ticker, a tag on the entry, an outcome, a period by exit day; an
open trade's exit day is the valuation day) are `erasmo.journal.filters.selected`'s, one rule
for every front end.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from events.errors import ErasmoError, InvalidInputError
from events.logged import LoggedEvent
from events.rules.voids import VOIDABLE, VOIDED, VoidError, blocked_message

if TYPE_CHECKING:
    import pandas as pd

    from erasmo.analytics import Analytics
    from erasmo.journal import TradeStatistics
    from erasmo.projections.series import ValueSeries
    from events.application import Portfolios
    from events.portfolio import Portfolio


#: What becomes of an order (Undo skips a placement that met one of them).
_ORDER_OUTCOMES = frozenset(
    ("OrderFilled", "OrderPartiallyFilled", "OrderCancelled", "OrderExpired", "OrderRejected")
)


class UnknownEventError(ErasmoError):
    """A log position that is not one of the portfolio's events."""


class NoteOnNoteError(InvalidInputError):
    """A note asked on a note: notes attach to the event they are about."""


@dataclass(frozen=True, slots=True)
class NoteReceipt:
    """A note recorded (or, in a dry run, that would be).

    Attributes:
        portfolio_id, portfolio: the portfolio and its name.
        about_seq, about_version, about_type: the event noted: log position, version, type.
        text: the note's text; tags: its tags, lower-case.
        version: the note's own version in the portfolio's history.
    """

    portfolio_id: UUID
    portfolio: str
    about_seq: int
    about_version: int
    about_type: str
    text: str
    tags: tuple[str, ...]
    version: int


@dataclass(frozen=True, slots=True)
class VoidedEvent:
    """One event a void takes out: its log position, version, type and what it was, in words."""

    seq: int
    version: int
    type: str
    what: str


@dataclass(frozen=True, slots=True)
class VoidReceipt:
    """A void recorded (or, in a dry run, that would be): one or several events, all at once.

    Attributes:
        portfolio_id, portfolio: the portfolio and its name.
        events: the events voided, in the order they were given.
        about_seq, about_version, about_type: the first of them: log position, version, type.
        reason: why; version: the portfolio's version after the voids.
        cash: the portfolio's cash after the voids.
    """

    portfolio_id: UUID
    portfolio: str
    events: tuple[VoidedEvent, ...]
    reason: str
    version: int
    cash: Decimal

    @property
    def about_seq(self) -> int:
        return self.events[0].seq

    @property
    def about_version(self) -> int:
        return self.events[0].version

    @property
    def about_type(self) -> str:
        return self.events[0].type


@dataclass(frozen=True, slots=True)
class TradeJournal:
    """One read of a portfolio's journal, filtered (`JournalReading.trade_journal`).

    Attributes:
        trades: the trades the filters keep (a `round_trips` frame with `tags`, `note` and
            `exit_note`): closed ones by exit, then the open ones.
        statistics: the statistics of those trades.
        months: their realized P&L by month of the exit (`erasmo.journal.monthly_pnl`).
        total: how many trades the portfolio has, unfiltered.
        tickers, tags: every ticker and tag of the portfolio's trades, sorted (the choices
            of the filters).
        first_day, last_day: the earliest and latest exit day (an open trade's: the valuation
            day) of all its trades, the days the period filter looks at (None: no trades).
    """

    trades: pd.DataFrame
    statistics: TradeStatistics
    months: pd.Series[float]
    total: int
    tickers: tuple[str, ...]
    tags: tuple[str, ...]
    first_day: date | None
    last_day: date | None


class JournalReading:
    """Notes, trades, trade statistics and the report (`FrontDoor` inherits these)."""

    app: Portfolios
    _analytics: Callable[[], Analytics]

    def note(
        self,
        portfolio_id: UUID,
        seq: int,
        text: str,
        tags: str | Sequence[str] = (),
        *,
        dry_run: bool = False,
    ) -> NoteReceipt:
        """Attach a note and tags to the portfolio's event at log position `seq` (a later
        note on the same event supersedes this one in views; both stay in the log)."""
        history = self.app.history(portfolio_id)
        noted = next((e for e in history if e.seq == seq), None)
        if noted is None:
            name = self.app.portfolio(portfolio_id).name
            raise UnknownEventError(
                f"Log position {seq} is not an event of {name!r}; pick one from "
                f"'erasmo history {name}'. Nothing was recorded."
            )
        if noted.type == "NoteAdded":
            about = next((e.seq for e in history if e.version == noted.fields.get("about")), None)
            raise NoteOnNoteError(
                f"Log position {seq} is a note; notes attach to the event they are about: "
                f"note log position {about} instead. Nothing was recorded."
            )
        words = tags if isinstance(tags, str) else " ".join(tags)

        def add(p: Portfolio) -> NoteReceipt:
            p.add_note(noted.version, text, words)
            stored = p.pending_events[-1]
            return NoteReceipt(
                portfolio_id=p.id,
                portfolio=p.name,
                about_seq=seq,
                about_version=noted.version,
                about_type=noted.type,
                text=getattr(stored, "text", ""),
                tags=tuple(str(getattr(stored, "tags", "")).split()),
                version=p.version,
            )

        return self.app.change(portfolio_id, add, dry_run=dry_run)

    def void(
        self,
        portfolio_id: UUID,
        seq: int | Sequence[int],
        reason: str,
        *,
        dry_run: bool = False,
    ) -> VoidReceipt:
        """Take the deposits, withdrawals, buys, sells or open unfilled orders at log positions
        `seq` (one or several) out of every projection, all in one save or none (compensating
        events: history and export keep both; see `events.rules.voids`). A buy and the later
        sale of its shares can be voided together; a filled order is refused, naming the
        trade to void instead; a refusal names the events and records nothing."""
        seqs = [seq] if isinstance(seq, int) else list(seq)
        history = self.app.history(portfolio_id)
        chosen = _chosen(history, seqs, self.app.portfolio(portfolio_id).name)
        try:
            p = self.app.change(
                portfolio_id,
                lambda p: _void(self.app, p, [e.version for e in chosen], reason),
                dry_run=dry_run,
            )
        except VoidError as error:  # name the events by log position, as history shows them
            raise _by_position(error, history) from None
        return VoidReceipt(
            portfolio_id=p.id,
            portfolio=p.name,
            events=tuple(VoidedEvent(e.seq, e.version, e.type, _what(e)) for e in chosen),
            reason=reason.strip(),
            version=p.version,
            cash=p.cash,
        )

    def last_voidable(self, portfolio_id: UUID) -> VoidedEvent | None:
        """The portfolio's last deposit, withdrawal, buy, sell or order placement not voided
        yet, not an order's fill and not an order that is no longer open (what Undo takes
        out), or None."""
        history = self.app.history(portfolio_id)
        voided = {int(e.fields["about"]) for e in history if e.type == VOIDED}
        ended = {str(e.fields.get("order_id")) for e in history if e.type in _ORDER_OUTCOMES}
        for i in range(len(history) - 1, -1, -1):
            e = history[i]
            filled = i > 0 and history[i - 1].type in ("OrderFilled", "OrderPartiallyFilled")
            done = e.type == "OrderPlaced" and str(e.fields.get("order_id")) in ended
            if e.type in VOIDABLE and e.version not in voided and not filled and not done:
                return VoidedEvent(e.seq, e.version, e.type, _what(e))
        return None

    def trade_journal(
        self,
        portfolio_id: UUID,
        *,
        ticker: str | None = None,
        tag: str | None = None,
        outcome: str | None = None,
        start: date | None = None,
        end: date | None = None,
        group: str = "lot",
    ) -> TradeJournal:
        """The trades kept by the filters (`erasmo.journal.filters.selected`: a ticker, a tag,
        an outcome, a period by exit day), their statistics and realized P&L by month, from
        one matching of the portfolio's round trips (what the Journal tab and `erasmo
        trades`/`stats` show)."""
        import pandas as pd

        from erasmo.journal import monthly_pnl, trade_statistics
        from erasmo.journal.filters import selected

        every = self._round_trips(portfolio_id, group)
        kept = selected(every, ticker=ticker, tag=tag, outcome=outcome, start=start, end=end)
        exits = [ts.date() for ts in pd.DatetimeIndex(every["exit_on"])]
        return TradeJournal(
            trades=kept,
            statistics=trade_statistics(kept, self._days(portfolio_id, start, end)),
            months=monthly_pnl(kept),
            total=len(every),
            tickers=tuple(sorted({str(t) for t in every["ticker"]})),
            tags=tuple(sorted({str(t) for tags in every["tags"] for t in tags})),
            first_day=min(exits, default=None),
            last_day=max(exits, default=None),
        )

    def trades(
        self,
        portfolio_id: UUID,
        *,
        ticker: str | None = None,
        tag: str | None = None,
        outcome: str | None = None,
        start: date | None = None,
        end: date | None = None,
        group: str = "lot",
    ) -> pd.DataFrame:
        """The portfolio's round-trip trades (`erasmo.journal.round_trips`' columns, plus
        `tags` and `note` from the notes on each trade's entry), kept by the filters as
        `trade_journal` keeps them (without the statistics)."""
        from erasmo.journal.filters import selected

        every = self._round_trips(portfolio_id, group)
        return selected(every, ticker=ticker, tag=tag, outcome=outcome, start=start, end=end)

    def trade_stats(
        self,
        portfolio_id: UUID,
        *,
        ticker: str | None = None,
        tag: str | None = None,
        outcome: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> TradeStatistics:
        """`trade_journal(...).statistics`: the statistics of the trades the filters keep,
        with exposure over the days of the journal's value series in the period."""
        return self.trade_journal(
            portfolio_id, ticker=ticker, tag=tag, outcome=outcome, start=start, end=end
        ).statistics

    def trade_stats_by(
        self,
        portfolio_id: UUID,
        by: str,
        *,
        ticker: str | None = None,
        tag: str | None = None,
        outcome: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> pd.DataFrame:
        """One row of trade statistics per ticker, tag or month (`by`) of the exit day; a
        trade with two tags counts under each. By month, `realized_pnl` is `monthly_pnl`'s
        (the closed trades' P&L; 0 in a month with only an open trade)."""
        from erasmo.journal import monthly_pnl, statistics_by

        trades = self.trades(
            portfolio_id, ticker=ticker, tag=tag, outcome=outcome, start=start, end=end
        )
        days = self._days(portfolio_id, start, end)
        if by == "tag":
            trades = trades.explode("tags").rename(columns={"tags": "tag"})
            trades = trades[trades["tag"].notna()]
        table = statistics_by(trades, by, days)
        if by == "month":
            table["realized_pnl"] = monthly_pnl(trades).reindex(table.index, fill_value=0.0)
        return table

    def _round_trips(self, portfolio_id: UUID, group: str) -> pd.DataFrame:
        """Every round-trip trade of the portfolio, with the notes and tags in force on its
        entry and exit: the one matching pass of a read."""
        import numpy as np
        from eventsourcing.utils import get_topic

        from erasmo.journal import round_trips
        from erasmo.journal.notes import NOTE_ADDED, stored_notes, with_notes
        from events.portfolio import EVENT_TYPES

        analytics = self._analytics()
        events = analytics.portfolio_events(portfolio_id)
        clock = analytics.simulation_clock(portfolio_id)
        found = round_trips(events, analytics.market, on=clock, group=group)
        rows = self.app.reader.events(
            originator_id=portfolio_id, topics=[get_topic(EVENT_TYPES[NOTE_ADDED])]
        )
        notes = stored_notes(
            ((row.seq, row.state) for row in rows),
            events["version"].to_numpy(np.int64),
            events["seq"].to_numpy(np.int64),
        )
        return with_notes(found, notes)

    def journal_report(self, portfolio_id: UUID, title: str | None = None) -> str:
        """The portfolio's journal as one self-contained HTML page: value, drawdown, monthly
        returns, value ratios, trade statistics and the trade list with notes."""
        import pandas as pd

        from erasmo.journal import trade_statistics, value_statistics
        from erasmo.journal.report import drawdown_and_months, render

        trades = self.trades(portfolio_id)
        series = self._journal_series(portfolio_id)
        total = series.total
        falls, months = drawdown_and_months(total, series.deposits, series.withdrawals)
        ratios = value_statistics(total, series.deposits, series.withdrawals)
        return render(
            trades,
            title=title or f"{self.app.portfolio(portfolio_id).name}: trading journal",
            value=total,
            drawdown=falls,
            monthly=months,
            statistics=trade_statistics(trades, pd.DatetimeIndex(total.index)),
            ratios=ratios if len(total) > 1 else None,
        )

    def _journal_series(self, portfolio_id: UUID) -> ValueSeries:
        """The value series the journal reads: to the valuation day while shares are held,
        else to the last event's day (a portfolio that traded for a year in 2010 and holds only
        cash since has a journal of that year, not of every day after it)."""
        import pandas as pd

        analytics = self._analytics()
        events = analytics.portfolio_events(portfolio_id)
        if events.empty or self.app.portfolio(portfolio_id).shares:
            return analytics.value(portfolio_id)
        return analytics.value(portfolio_id, end=pd.Timestamp(events["on"].max()).date())

    def _days(self, portfolio_id: UUID, start: date | None, end: date | None) -> pd.DatetimeIndex:
        """The trading days of the journal's value series inside [start, end]: the days
        `exposure` counts."""
        import pandas as pd

        days = pd.DatetimeIndex(self._journal_series(portfolio_id).total.index)
        if start is not None:
            days = days[days >= pd.Timestamp(start)]
        if end is not None:
            days = days[days <= pd.Timestamp(end)]
        return days


def _chosen(history: Sequence[LoggedEvent], seqs: Sequence[int], name: str) -> list[LoggedEvent]:
    """The events at log positions `seqs`; a position given twice, or not one of the
    portfolio's events, is refused by name."""
    if not seqs:
        raise VoidError("Name at least one event to void (its log position in the history).")
    by_seq = {e.seq: e for e in history}
    chosen: list[LoggedEvent] = []
    for seq in seqs:
        found = by_seq.get(seq)
        if found is None:
            raise UnknownEventError(
                f"Log position {seq} is not an event of {name!r}; pick one from "
                f"'erasmo history {name}'. Nothing was recorded."
            )
        if any(e.seq == seq for e in chosen):
            raise VoidError(f"Log position {seq} is given twice. Nothing was recorded.")
        chosen.append(found)
    return chosen


def _by_position(error: VoidError, history: Sequence[LoggedEvent]) -> VoidError:
    """`error` with the events it names by version named by log position instead."""
    seqs = {e.version: e.seq for e in history}
    if error.blocked is not None:
        what, first, later, kind, rule = error.blocked
        where = f"log position {seqs[first]}", f"log position {seqs[later]}"
        return VoidError(blocked_message(what, *where, kind, rule) + " Nothing was recorded.")
    if error.version is not None:

        def position(found: re.Match[str]) -> str:
            seq = seqs.get(int(found.group(2)))
            word = "Log position" if found.group(1) == "E" else "log position"
            return found.group(0) if seq is None else f"{word} {seq}"

        text = re.sub(r"\b([Ee])vent (\d+)\b", position, str(error))
        return VoidError(f"{text} Nothing was recorded.")
    return error


def _void(app: Portfolios, p: Portfolio, versions: Sequence[int], reason: str) -> Portfolio:
    """Void `versions` one after another, each checked as the replay will check it: a later
    event first when an earlier one cannot go before it (a sale before the buy it sold)."""
    entries = app.entries(p.id, p.version)
    waiting = sorted(versions, reverse=True)
    while waiting:
        refusal: VoidError | None = None
        for version in waiting:
            try:
                p.void(version, reason, entries)
            except VoidError as error:
                if error.blocked is None:
                    raise
                refusal = refusal or error
                continue
            entries.append((VOIDED, {"about": version, "reason": reason.strip()}))
            waiting.remove(version)
            break
        else:
            assert refusal is not None
            raise refusal
    return p


def _what(event: LoggedEvent) -> str:
    """An event in words, e.g. "Buy 40 AAPL @ 29.08 = 1,163.20 (fee 4.95)"."""
    details = event.describe()
    return f"{event.label} {details}" if details else event.label
