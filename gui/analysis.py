"""What the holdings, allocation and performance tabs show, as plain values. No Qt.

The numbers come from erasmo: the analytics (pandas, loaded after the first paint) or, until they
are loaded, the front door's head of the portfolio (the shares held). This module only reshapes
them for the views.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from gui.now import market_now

if TYPE_CHECKING:
    from erasmo.analytics import Analytics
    from erasmo.bootstrap import Erasmo
    from erasmo.door import FrontDoor

Number = float | Decimal


@dataclass(frozen=True, slots=True)
class HoldingsFigures:
    """The figures above the holdings table (None: not known yet)."""

    as_of: date | None
    cash: Number
    positions: Number | None = None
    total: Number | None = None
    unrealized: Number | None = None
    realized: Number | None = None


@dataclass(frozen=True, slots=True)
class HoldingsResult:
    """Rows keyed like the holdings frame, a totals row, the figures, and a note under them."""

    rows: list[dict[str, Any]]
    totals: dict[str, Any] | None
    figures: HoldingsFigures
    note: str = ""


@dataclass(frozen=True, slots=True)
class AllocationResult:
    """(label, weight, value) per ticker and for cash, largest first; the same per sector;
    the dividends received per (year, month) and their total."""

    slices: list[tuple[str, float, float]]
    as_of: date | None = None
    sectors: list[tuple[str, float, float]] = field(default_factory=list)
    dividends: dict[tuple[int, int], float] = field(default_factory=dict)
    dividends_total: float = 0.0


@dataclass(frozen=True, slots=True)
class MetricsResult:
    """Performance over a date range (fractions; NaN where undefined)."""

    start: date
    end: date
    ttwror: float
    ttwror_annualized: float
    irr: float
    max_drawdown: float
    volatility: float
    sharpe: float
    notes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PerformanceResult:
    """Daily series for the charts; x values are POSIX seconds (pyqtgraph's DateAxisItem).

    Attributes:
        x: the trading days.
        total: total value (positions + cash).
        by_ticker: value per ticker (0 where not held), for the stacked view.
        cash: cash per day.
        benchmark: the benchmark's value with the portfolio's deposits and withdrawals on the
            same days (`erasmo.benchmark`; None: no benchmark).
        benchmark_name: its label.
        drawdown: fall from the running peak of the time-weighted wealth index (<= 0).
        buys, sells: (x, total value that day), one per day with trades of that kind.
        buy_counts, sell_counts: how many trades each of those days had.
        portfolio_return: the portfolio's cumulative TTWROR (the chart's % mode).
        benchmark_return: the benchmark's cumulative return from the portfolio's first day.
    """

    x: Any
    total: Any
    by_ticker: dict[str, Any]
    cash: Any
    benchmark: Any | None
    benchmark_name: str
    drawdown: Any
    buys: tuple[Any, Any]
    sells: tuple[Any, Any]
    buy_counts: Any = None
    sell_counts: Any = None
    portfolio_return: Any = None
    benchmark_return: Any | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the tabs show for one portfolio as of one event."""

    portfolio: UUID
    as_of: Any  # gui.state.AsOf
    holdings: HoldingsResult
    allocation: AllocationResult
    performance: PerformanceResult | None = None
    stale: frozenset[str] = frozenset()  # tickers whose latest price is older than it should be


def positions_at_cost(door: FrontDoor, portfolio_id: UUID, version: int | None) -> HoldingsResult:
    """The portfolio's positions (ticker and quantity) after `version`, from the door's head.

    Shown until the analytics are loaded: no costs or market values, so no P&L or weights yet.
    """
    head = door.head(portfolio_id, version=version)
    rows = [{"ticker": p.ticker, "quantity": p.quantity} for p in head.positions]
    return HoldingsResult(
        rows=rows,
        totals=None,
        # the latest: the portfolio's one "now" (gui.now); an earlier event: its own date
        figures=HoldingsFigures(
            as_of=market_now(door, head) if version is None else head.clock, cash=head.cash
        ),
        note="Shares held. Costs, market values, P&L and weights appear once the analytics "
        "have loaded.",
    )


# -- over erasmo.analytics (imported lazily: pandas) -------------------------------------------
#
# Everything below runs in a worker thread. `analytics` is an `erasmo.analytics.Analytics`; it is
# typed loosely so that importing this module never imports pandas.

BENCHMARK = "^GSPC"
BENCHMARK_NAME = "S&P 500"


def load_analytics(erasmo: Erasmo) -> Analytics:
    """Erasmo's analytics (built by the composition root), warmed (event frame and price
    frame) off the GUI thread."""
    analytics = erasmo.analytics
    analytics.events()
    analytics.prices()
    return analytics


def _moment(as_of: Any) -> Any:
    from erasmo.analytics import NOW, Moment

    return NOW if as_of is None or as_of.latest else Moment(seq=as_of.seq)


def _day(timestamp: Any) -> date | None:
    return None if timestamp is None else timestamp.date()


def holdings_of(snapshot: Any) -> HoldingsResult:
    """The analytics' holdings snapshot as table rows, a totals row and the figures."""
    from erasmo.analytics import holdings_totals

    positions, s = snapshot.positions, snapshot.summary
    rows = positions.reset_index().to_dict("records")
    totals = {"ticker": "Total", **holdings_totals(snapshot)}
    figures = HoldingsFigures(
        as_of=_day(s.as_of),
        cash=s.cash,
        positions=s.market_value,
        total=s.total_value,
        unrealized=s.unrealized_pnl,
        realized=s.realized_pnl,
    )
    stale = [str(t) for t in positions.index[positions["stale"].astype(bool)]]
    note = "Valued at the close on the valuation date; realized P&L by FIFO lots, fees included."
    if stale:
        note += f" No close that day for {', '.join(stale)}: the latest earlier one is used."
    return HoldingsResult(rows, totals, figures, note)


def allocation_of(snapshot: Any, events: Any = None) -> AllocationResult:
    """Weights by ticker, and cash's, of the total value (largest first), the same by sector,
    and the dividends among `events` (the portfolio's events up to the moment shown)."""
    from erasmo.analytics import allocation
    from erasmo.projections.income import income
    from erasmo.projections.sectors import by_sector

    slices = [(s.label, s.weight, s.value) for s in allocation(snapshot)]
    paid = income(events) if events is not None else None
    return AllocationResult(
        slices,
        _day(snapshot.summary.as_of),
        sectors=by_sector(slices),
        dividends={} if paid is None else paid.months,
        dividends_total=0.0 if paid is None else paid.total,
    )


def performance_of(analytics: Any, portfolio_id: UUID, as_of: Any) -> PerformanceResult:
    """The value series up to the moment shown, the benchmark, drawdowns and trade markers."""
    import numpy as np

    moment = _moment(as_of)
    series = analytics.value(portfolio_id, moment)
    total = series.total
    index = total.index
    x = index.to_numpy("datetime64[s]").astype(np.int64).astype(float)
    by_ticker = {
        str(t): series.value[t].to_numpy(float) for t in series.value.columns
        if (series.value[t] != 0).any()
    }  # fmt: skip
    lines = _benchmark_lines(analytics, portfolio_id, moment)
    events = _events_until(analytics, portfolio_id, moment)
    values = total.to_numpy(float)
    markers: dict[str, tuple[Any, Any]] = {}
    counts: dict[str, Any] = {}
    for kind in ("SharesBought", "SharesSold"):
        days = events.loc[events["type"].astype(str) == kind, "on"]
        # One marker a day, however many trades: the count goes in its tooltip.
        rows, count = np.unique(index.searchsorted(days), return_counts=True)
        inside = rows < len(index)  # a trade on the series' last day or before it
        rows, counts[kind] = rows[inside], count[inside]
        markers[kind] = (x[rows], values[rows])
    return PerformanceResult(
        x=x,
        total=total.to_numpy(float),
        by_ticker=by_ticker,
        cash=series.cash.to_numpy(float),
        benchmark=None if lines is None else lines[0],
        benchmark_name=BENCHMARK_NAME,
        drawdown=analytics.drawdown(portfolio_id, moment).to_numpy(float),
        buys=markers["SharesBought"],
        sells=markers["SharesSold"],
        buy_counts=counts["SharesBought"],
        sell_counts=counts["SharesSold"],
        portfolio_return=_portfolio_return(series),
        benchmark_return=None if lines is None else lines[1],
    )


def _events_until(analytics: Any, portfolio_id: UUID, moment: Any) -> Any:
    events = analytics.portfolio_events(portfolio_id)
    if moment.seq is not None:
        events = events[events["seq"] <= moment.seq]
    return events


def _portfolio_return(series: Any) -> Any:
    from erasmo.benchmark import cumulative_return

    return cumulative_return(series.total, series.deposits, series.withdrawals).to_numpy(float)


def _benchmark_lines(analytics: Any, portfolio_id: UUID, moment: Any) -> tuple[Any, Any] | None:
    """The S&P 500 on the portfolio's cash-flow basis and its return line, or None when it
    cannot be drawn."""
    import numpy as np

    from erasmo.benchmark import benchmark_lines

    try:
        lines = benchmark_lines(analytics, portfolio_id, moment, BENCHMARK)
    except Exception:  # no benchmark in this market data: draw the portfolio alone
        return None
    values = lines.value.to_numpy(float)
    if not len(values) or bool(np.isnan(values).all()):
        return None
    return values, lines.benchmark_return.to_numpy(float)


def metrics_of(
    analytics: Any, portfolio_id: UUID, as_of: Any, start: date | None, end: date | None
) -> MetricsResult:
    """The analytics' performance metrics over [start, end] (None: the whole history)."""
    m = analytics.performance(portfolio_id, _moment(as_of), start, end)
    notes = {"irr": m.irr_note} if m.irr_note else {}
    return MetricsResult(
        start=m.start.date(),
        end=m.end.date(),
        ttwror=m.ttwror,
        ttwror_annualized=m.ttwror_annualized,
        irr=m.irr,
        max_drawdown=m.max_drawdown,
        volatility=m.volatility_annualized,
        sharpe=m.sharpe_pp,
        notes=notes,
    )


def snapshot_of(analytics: Any, portfolio_id: UUID, as_of: Any) -> Snapshot:
    """Everything the tabs show for the portfolio after event `as_of`."""
    analytics.refresh()  # fold in what was recorded since (cheap when nothing was)
    moment = _moment(as_of)
    snap = analytics.snapshot(portfolio_id, moment)
    return Snapshot(
        portfolio=portfolio_id,
        as_of=as_of,
        holdings=holdings_of(snap),
        allocation=allocation_of(snap, _events_until(analytics, portfolio_id, moment)),
        performance=performance_of(analytics, portfolio_id, as_of),
    )


def valuations(
    analytics: Any, portfolio_ids: list[UUID], progress: Any
) -> list[tuple[UUID, float, float | None]]:
    """(id, total value, time-weighted return since opening) of each portfolio (but those
    with a stored event that cannot be read: `erasmo check` reports them)."""
    import math

    analytics.refresh()
    found = []
    for done, portfolio_id in enumerate(portfolio_ids):
        progress.check()
        if analytics.unreadable(portfolio_id):
            continue
        summary = analytics.snapshot(portfolio_id).summary
        ttwror = analytics.performance(portfolio_id).ttwror
        found.append((portfolio_id, summary.total_value, None if math.isnan(ttwror) else ttwror))
        progress.report(done + 1, len(portfolio_ids))
    return found


def unverified(analytics: Any) -> set[UUID]:
    """The portfolios holding events this install could not check against its market data."""
    from erasmo.intake import unverified_in_frame

    return {UUID(p) for p in unverified_in_frame(analytics.events(), analytics.market)}


# -- comparing portfolios (erasmo.branches' service over the same analytics) --------------------


@dataclass(frozen=True, slots=True)
class ComparisonResult:
    """Portfolios side by side over their common period.

    Attributes:
        names: the portfolios, in the order asked.
        x: the trading days of the period (POSIX seconds).
        lines: name -> its daily value (or wealth index) on those days.
        rows: one mapping of metrics per portfolio (the compare frame's columns).
        start, end: the period (start exclusive, as the metrics count it).
        relative: True when the lines are wealth indices (1 + TTWROR).
    """

    names: list[str]
    x: Any
    lines: dict[str, Any]
    rows: list[dict[str, Any]]
    start: date
    end: date
    relative: bool


def comparison_of(
    service: Any, analytics: Any, portfolio_ids: list[UUID], relative: bool
) -> ComparisonResult:
    """`service.compare` and `service.value_lines` of the portfolios (a BranchService), for the
    views (which name them)."""
    import numpy as np

    analytics.refresh()  # fold in what was recorded since
    frame = service.compare(portfolio_ids)
    lines = service.value_lines(portfolio_ids, relative=relative)
    names = [str(name) for name in lines.columns]
    x = lines.index.to_numpy("datetime64[s]").astype(np.int64).astype(float)
    rows = frame.to_dict("records")
    return ComparisonResult(
        names=list(names),
        x=x,
        lines={str(c): lines[c].to_numpy(float) for c in lines.columns},
        rows=rows,
        start=frame.attrs["start"],
        end=frame.attrs["end"],
        relative=relative,
    )


def leaderboard_of(service: Any, analytics: Any) -> list[dict[str, Any]]:
    """`service.leaderboard()` as rows, best first."""
    analytics.refresh()
    records: list[dict[str, Any]] = service.leaderboard().to_dict("records")
    return records
