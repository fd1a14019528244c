"""The front door's allocation and income read models: a portfolio's weights by ticker and by
sector (the bundled sector map, `erasmo.projections.sectors`) and the cash dividends it
received (`erasmo.projections.income`), by portfolio id. The window's allocation tab shows the
same numbers (`gui.analysis.allocation_of` runs the same projections); `erasmo allocation`
and `erasmo income` print them. The analytics import pandas on first use, so only these
methods pay for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    import pandas as pd

    from erasmo.analytics import Analytics, Moment

#: (label, weight of the total value, value): a ticker, a sector or "Cash".
Share = tuple[str, float, float]


@dataclass(frozen=True, slots=True)
class AllocationView:
    """A portfolio's weights at one moment.

    Attributes:
        as_of: the valuation date (None: the portfolio holds nothing priced yet).
        total_value: cash plus the positions at market.
        by_ticker: one share per ticker held and one for cash, largest weight first.
        by_sector: the same summed per sector (cash apart; tickers the map lacks under
            "Unclassified"), largest weight first.
        sectors: the sector of each ticker held.
        stale: the tickers valued at a close older than the valuation date (forward-filled).
        last_trade: the tickers with no prices, valued at their last trade price.
        asked: the date asked for, when it was not the one used (else None).
        moved: why the date used is not the one asked: "the simulation's clock", "latest
            market date" (asked after the data's end) or "last market date before it".
    """

    as_of: date | None
    total_value: float
    by_ticker: list[Share]
    by_sector: list[Share]
    sectors: dict[str, str]
    stale: frozenset[str] = frozenset()
    last_trade: frozenset[str] = frozenset()
    asked: date | None = None
    moved: str | None = None


@dataclass(frozen=True, slots=True)
class IncomeView:
    """The cash dividends a portfolio received up to one moment (a short position's dividends
    are charged, so they count negative).

    Attributes:
        months: {(year, month): amount}, oldest first, only months with a dividend.
        years: {year: amount}, oldest first (the sum of its months, as the window shows it).
        tickers: {ticker: amount}, largest first.
        total: the sum of every dividend.
        received: the same of the dividends received on long positions alone (None in
            `received` and `paid_on_shorts` themselves).
        paid_on_shorts: the same of the dividends charged to short positions, as positive
            amounts paid (total = received.total - paid_on_shorts.total).
    """

    months: dict[tuple[int, int], float]
    years: dict[int, float]
    tickers: dict[str, float]
    total: float
    received: IncomeView | None = None
    paid_on_shorts: IncomeView | None = None


class AllocationReading:
    """Allocation and income by portfolio id (`FrontDoor` inherits these through `Reading`;
    it sets `_analytics`)."""

    _analytics: Callable[[], Analytics]

    def allocation(self, portfolio_id: UUID, moment: Moment | None = None) -> AllocationView:
        """The portfolio's weights by ticker and by sector now (or as of `moment`), valued as
        its holdings are (a simulation's at its clock at the latest)."""
        from erasmo.analytics import NOW, Moment, allocation
        from erasmo.projections.sectors import UNCLASSIFIED, by_sector, sector_map

        asked = moment.on if moment is not None and moment.seq is None else None
        moved = None
        if asked is not None:
            used, moved = self._day_used(portfolio_id, asked)
            moment = Moment(on=used)
        shot = self._analytics().snapshot(portfolio_id, moment or NOW)
        slices = [(s.label, s.weight, s.value) for s in allocation(shot)]
        known = sector_map()
        rows = shot.positions
        held = [str(t) for t in rows.index]
        as_of = shot.summary.as_of
        return AllocationView(
            as_of=None if as_of is None else as_of.date(),
            total_value=shot.summary.total_value,
            by_ticker=slices,
            by_sector=by_sector(slices),
            sectors={t: known.get(t.upper(), UNCLASSIFIED) for t in held},
            stale=frozenset(str(t) for t in rows.index[rows["stale"] & ~rows["last_trade"]]),
            last_trade=frozenset(str(t) for t in rows.index[rows["last_trade"].astype(bool)]),
            asked=asked if moved is not None else None,
            moved=moved,
        )

    def _day_used(self, portfolio_id: UUID, asked: date) -> tuple[date, str | None]:
        """The date a valuation asked for `asked` uses, and why it differs (None: it does not):
        a simulation's clock if earlier, else the last market date on or before it (or the
        portfolio's last event on or before it, when that is later: a trade past the data)."""
        import pandas as pd

        analytics = self._analytics()
        clock = analytics.simulation_clock(portfolio_id)
        if clock is not None and clock < asked:
            return clock, "the simulation's clock"
        days = analytics.prices().index
        target = pd.Timestamp(asked).normalize()
        priced = days[days <= target]
        on = analytics.portfolio_events(portfolio_id)["on"]
        events = on[on <= target]
        candidates = [d for d in (priced.max(), events.max()) if not pd.isna(d)]
        if not candidates or max(candidates) >= target:
            return asked, None
        used = pd.Timestamp(max(candidates)).date()
        latest = len(days) > 0 and target > days.max()
        return used, "latest market date" if latest else "last market date before it"

    def income(self, portfolio_id: UUID, moment: Moment | None = None) -> IncomeView:
        """The dividends the portfolio received up to now (or to `moment`)."""
        from erasmo.projections.frame import DIVIDEND, as_of

        events = self._analytics().portfolio_events(portfolio_id)
        if moment is not None:
            events = as_of(events, seq=moment.seq, on=moment.on)
        dividends = events[events["type"].astype(str) == DIVIDEND]
        amounts = dividends["amount"].astype(float)
        charged = dividends[amounts < 0].assign(amount=-amounts[amounts < 0])
        return replace(
            _income_view(dividends),
            received=_income_view(dividends[amounts > 0]),
            paid_on_shorts=_income_view(charged),
        )


def _income_view(dividends: pd.DataFrame) -> IncomeView:
    """The sums of some dividend events by month, year and ticker."""
    from erasmo.projections.income import income

    paid = income(dividends)
    tickers: dict[str, float] = {}
    for ticker, amount in zip(
        dividends["ticker"].astype(str), dividends["amount"].astype(float), strict=True
    ):
        tickers[ticker] = tickers.get(ticker, 0.0) + float(amount)
    by_ticker = sorted(((t, round(a, 2)) for t, a in tickers.items()), key=lambda t: -t[1])
    return IncomeView(
        months=dict(sorted(paid.months.items())),
        years={year: round(paid.year_total(year), 2) for year in paid.years()},
        tickers=dict(by_ticker),
        total=paid.total,
    )
