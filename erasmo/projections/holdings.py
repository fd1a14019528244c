"""Holdings at a moment: positions valued at the close, cost basis, P&L and a summary.

Cost basis includes fees, so realized P&L (proceeds net of the sell fee minus the cost of the
shares sold) and unrealized P&L (market value minus the cost of the shares held) already carry
every fee, and

    total value - deposits + withdrawals = realized P&L + unrealized P&L + dividends

holds at any moment (dividends are income the portfolio earned, not money paid in; a split
changes quantities and cost per share but none of these totals). `method` picks the cost
basis: "fifo" (first in, first out; the default) or "average" (average cost, as the write
side's `Portfolio.positions()` reports it).
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from erasmo.projections.daily import forward_fill
from erasmo.projections.frame import UNITS_PER_SHARE, Bools, Floats, Ints
from erasmo.projections.state import ProjectionState, state_of

Moment = date | str | pd.Timestamp

HOLDING_COLUMNS = (
    "quantity",
    "average_cost",
    "cost_basis",
    "last_price",
    "stale",
    "last_trade",
    "market_value",
    "unrealized_pnl",
    "unrealized_pct",
    "realized_pnl",
    "day_change",
    "weight",
)


@dataclass(frozen=True, slots=True)
class Summary:
    """The portfolio in a few numbers at a valuation date.

    Attributes:
        as_of: the valuation date (prices are the closes on or before it), None with no data.
        method: the cost-basis method of realized_pnl and unrealized_pnl.
        cash: cash balance.
        market_value: the positions at their last price.
        total_value: market_value + cash.
        fees_paid, deposits, withdrawals: totals to date (all >= 0).
        realized_pnl: realized P&L of every sell to date, fees included.
        unrealized_pnl: market_value - cost basis of the positions (buy fees included).
        dividends: cash dividends received to date (income: part of the return).
        long_value, short_value: the long positions' value (>= 0) and the shorts' (<= 0).
        margin_charges: a margin account's interest and borrow fees charged to date (a cost).
    """

    as_of: pd.Timestamp | None
    method: str
    cash: float
    market_value: float
    total_value: float
    fees_paid: float
    deposits: float
    withdrawals: float
    realized_pnl: float
    unrealized_pnl: float
    dividends: float = 0.0
    long_value: float = 0.0
    short_value: float = 0.0
    margin_charges: float = 0.0

    @property
    def gross_exposure(self) -> float:
        """(longs - shorts) / total value: 1.0 fully invested, 2.0 at 2:1 leverage; NaN when
        the total value (the equity) is not positive."""
        total = self.total_value
        return (self.long_value - self.short_value) / total if total > 0 else math.nan

    @property
    def net_exposure(self) -> float:
        """(longs + shorts) / total value, shorts counting negative; NaN as gross_exposure."""
        total = self.total_value
        return (self.long_value + self.short_value) / total if total > 0 else math.nan

    @property
    def total_pnl(self) -> float:
        """realized + unrealized + dividends - margin charges = total_value - deposits +
        withdrawals."""
        return self.realized_pnl + self.unrealized_pnl + self.dividends - self.margin_charges


@dataclass(frozen=True, eq=False, slots=True)
class Snapshot:
    """Holdings and their summary at one valuation date.

    Attributes:
        positions: one row per ticker (index "ticker", sorted), columns HOLDING_COLUMNS:
            quantity, average_cost and cost_basis (by method, fees included), last_price (the
            close on or before the date, forward-filled; the latest trade price when the price
            frame has none yet), stale (last_price is not that trading day's own close),
            last_trade (the prices have no close of the ticker on or before the date: it is
            valued at its last traded price), market_value, unrealized_pnl, unrealized_pct
            (of cost basis), realized_pnl (by method), day_change (the day's move of the shares
            while held: those held at the previous trading day's close move from it, those
            bought since from their price, those sold since up to their price; fees left out),
            weight (market_value / total value, cash included: negative for a short, and with
            a debit balance the positions' weights add up to more than 1; NaN when the total
            value, the equity, is not positive).
        summary: the totals (see Summary).
    """

    positions: pd.DataFrame
    summary: Summary


def snapshot(
    source: pd.DataFrame | ProjectionState,
    prices: pd.DataFrame,
    as_of: Moment | None = None,
    *,
    seq: int | None = None,
    method: str = "fifo",
    include_closed: bool = False,
) -> Snapshot:
    """Holdings after the events up to `seq` and dated on or before `as_of`, valued at `as_of`.

    The valuation date is `as_of`, else event `seq`'s date, else the later of the price frame's
    last day and the last event's date. Closed positions are listed only with include_closed.
    """
    state = state_of(source, seq=seq, on=as_of)
    day = _valuation_day(state, prices, as_of, seq)
    quantity, cost, realized = state.quantities(), state.cost_basis(method), state.realized(method)
    last, previous, stale, traded = _closes_at(prices, state, day)
    held = quantity != 0
    market = np.where(held, quantity * last, 0.0)
    unrealized = np.where(held, market - cost, 0.0)
    total = float(market.sum()) + state.cash
    with np.errstate(divide="ignore", invalid="ignore"):
        columns = {
            "quantity": quantity,
            "average_cost": np.where(held, cost / quantity, np.nan),
            "cost_basis": cost,
            "last_price": last,
            "stale": stale & held,
            "last_trade": traded & held,
            "market_value": market,
            "unrealized_pnl": unrealized,
            "unrealized_pct": np.where(
                cost != 0, unrealized / np.abs(cost), np.nan
            ),  # shorts: cost < 0
            "realized_pnl": realized,
            "day_change": _day_changes(state, prices, day, quantity, last, previous),
            "weight": market / total if total > 0 else np.full(len(market), np.nan),
        }
    table = _table(state.tickers, columns, held if not include_closed else None)
    summary = Summary(
        as_of=day,
        method=method,
        cash=state.cash,
        market_value=float(market.sum()),
        total_value=total,
        fees_paid=state.fees_paid,
        deposits=state.deposits,
        withdrawals=state.withdrawals,
        realized_pnl=float(realized.sum()),
        unrealized_pnl=float(unrealized.sum()),
        dividends=state.dividends_received,
        **_margin_figures(state, market),
    )
    return Snapshot(table, summary)


def _table(tickers: list[str], columns: dict[str, Any], shown: Bools | None) -> pd.DataFrame:
    """The positions table: the rows `shown` (all if None) of `columns`, sorted by ticker."""
    names = np.array(tickers, dtype=object)
    rows = np.arange(len(names)) if shown is None else np.flatnonzero(shown)
    order = rows[np.argsort(names[rows], kind="stable")]
    return pd.DataFrame(
        {name: values[order] for name, values in columns.items()},
        index=pd.Index(names[order], name="ticker", dtype=object),
        copy=False,
    )


def _margin_figures(state: ProjectionState, market: Floats) -> dict[str, float]:
    """A Summary's long_value, short_value and margin_charges."""
    return {
        "long_value": float(market[market > 0].sum()),
        "short_value": float(market[market < 0].sum()),
        "margin_charges": state.margin_charges,
    }


def holdings(
    source: pd.DataFrame | ProjectionState,
    prices: pd.DataFrame,
    as_of: Moment | None = None,
    *,
    seq: int | None = None,
    method: str = "fifo",
    include_closed: bool = False,
) -> pd.DataFrame:
    """The positions table of `snapshot` (one row per ticker held)."""
    return snapshot(
        source, prices, as_of, seq=seq, method=method, include_closed=include_closed
    ).positions


def summary(
    source: pd.DataFrame | ProjectionState,
    prices: pd.DataFrame,
    as_of: Moment | None = None,
    *,
    seq: int | None = None,
    method: str = "fifo",
) -> Summary:
    """The summary of `snapshot`."""
    return snapshot(source, prices, as_of, seq=seq, method=method).summary


def open_lots(
    source: pd.DataFrame | ProjectionState,
    as_of: Moment | None = None,
    *,
    seq: int | None = None,
) -> pd.DataFrame:
    """The FIFO lots still open: ticker, seq and on of the buy, price, quantity left,
    unit_cost ((value + fee) / quantity of the buy) and cost_basis of what is left."""
    return state_of(source, seq=seq, on=as_of).open_lots()


def realized_trades(
    source: pd.DataFrame | ProjectionState,
    as_of: Moment | None = None,
    *,
    seq: int | None = None,
) -> pd.DataFrame:
    """Every sell: seq, on, ticker, quantity, proceeds (value - fee), and its cost and realized
    P&L by FIFO (cost_fifo, realized_fifo) and by average cost (cost_average,
    realized_average)."""
    return state_of(source, seq=seq, on=as_of).realized_trades()


def _valuation_day(
    state: ProjectionState, prices: pd.DataFrame, as_of: Moment | None, seq: int | None
) -> pd.Timestamp | None:
    if as_of is not None:
        return pd.Timestamp(as_of).normalize()
    if seq is not None or len(prices.index) == 0:
        return state.last_on
    last_close = pd.Timestamp(prices.index[-1]).normalize()
    return last_close if state.last_on is None else max(last_close, state.last_on)


def _day_changes(
    state: ProjectionState,
    prices: pd.DataFrame,
    day: pd.Timestamp | None,
    quantity: Floats,
    last: Floats,
    previous: Floats,
) -> Floats:
    """quantity × last − quantity before × previous close − Σ bought × price + Σ sold × price,
    over the trades after the previous trading day up to `day` (where a ticker has no previous
    close: quantity × (last − previous), i.e. NaN); 0 where nothing is held."""
    held = quantity != 0
    plain = np.where(held, quantity * (last - previous), 0.0)
    book = state.daily
    if day is None or len(prices.index) == 0 or book.traded.size == 0:
        return plain
    calendar = pd.DatetimeIndex(prices.index)
    row = int(calendar.searchsorted(day, "right")) - 1
    since = (calendar[row - 1] if row >= 1 else day - pd.Timedelta(days=1)).normalize()
    first = int(np.searchsorted(book.days, _epoch_day(since), side="right"))
    stop = int(np.searchsorted(book.days, _epoch_day(day), side="right"))
    width = book.traded.shape[1]
    traded = np.zeros(len(quantity))
    flow = np.zeros(len(quantity))
    traded[:width] = book.traded[first:stop].sum(axis=0) / UNITS_PER_SHARE
    flow[:width] = book.flow[first:stop].sum(axis=0)
    aware = quantity * last - (quantity - traded) * previous - flow
    return np.where(np.isnan(previous) | ~held, plain, aware)


def _epoch_day(day: pd.Timestamp) -> int:
    return int(pd.Timestamp(day).normalize().value // 86_400_000_000_000)


def _closes_at(
    prices: pd.DataFrame, state: ProjectionState, day: pd.Timestamp | None
) -> tuple[Floats, Floats, Bools, Bools]:
    """Each ticker's close on or before `day` (its last trade price where it has none), the
    close of the trading day before, whether the first is not that trading day's own close,
    and whether it is the last trade price."""
    tickers, fallback = state.tickers, state.last_trade_prices()
    row = -1 if day is None else int(pd.DatetimeIndex(prices.index).searchsorted(day, "right")) - 1
    if row < 0:
        every = np.ones(len(tickers), dtype=bool)
        return fallback, np.full(len(tickers), np.nan), every, every.copy()
    values, columns = _price_array(prices)
    where = np.array([columns.get(t, -1) for t in tickers], dtype=np.int64)
    recent = _closes(values, where, max(row - 8, 0), row + 1)
    last = _latest(values, where, recent, row)
    previous = _latest(values, where, recent[:-1], row - 1)
    traded = np.isnan(last)
    return np.where(traded, fallback, last), previous, np.isnan(recent[-1]), traded


#: The float array and the column positions of the latest price frames (by identity: a price
#: frame is read-only once loaded), so that a holdings table does not copy the frame each time.
_ARRAYS: dict[int, tuple[weakref.ref[pd.DataFrame], Floats, dict[str, int]]] = {}


def _price_array(prices: pd.DataFrame) -> tuple[Floats, dict[str, int]]:
    kept = _ARRAYS.get(id(prices))
    if kept is not None and kept[0]() is prices and kept[1].shape == prices.shape:
        return kept[1], kept[2]
    values: Floats = prices.to_numpy(dtype=np.float64)
    columns = {str(name): i for i, name in enumerate(prices.columns)}
    if len(_ARRAYS) >= 4:
        _ARRAYS.clear()
    _ARRAYS[id(prices)] = (weakref.ref(prices), values, columns)
    return values, columns


def _closes(values: Floats, where: Ints, start: int, stop: int) -> Floats:
    """Rows start..stop-1 of the closes of the columns `where` (-1: a ticker with none: NaN)."""
    if values.shape[1] == 0:
        return np.full((stop - start, len(where)), np.nan)
    block: Floats = values[start:stop, np.maximum(where, 0)]
    block[:, where < 0] = np.nan
    return block


def _latest(values: Floats, where: Ints, recent: Floats, row: int) -> Floats:
    """Each column's latest close on rows 0..row (NaN when none), `recent` being the last rows
    up to `row`: forward-filled over those, and over the whole history only where needed."""
    if row < 0 or len(recent) == 0:
        return np.full(len(where), np.nan)
    latest: Floats = forward_fill(recent)[-1]
    missing = np.flatnonzero(np.isnan(latest) & (where >= 0))
    if len(missing) and row + 1 > len(recent):
        latest[missing] = forward_fill(_closes(values, where[missing], 0, row + 1))[-1]
    return latest
