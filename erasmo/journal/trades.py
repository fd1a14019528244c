"""Round-trip trades: a portfolio's buys and sells matched per ticker, first in, first out.

`round_trips(events, market)` reads the event frame of one portfolio (what
`Analytics.portfolio_events` returns) and gives one row per trade. With `group="lot"` (the
default) a trade is one lot's shares closed by one sell (see `matching`): a buy of 100 sold as
60 then 40 is two trades, and a sell of 100 that closes a lot of 30 and one of 70 is two trades,
exactly as backtesting.py counts them. With `group="position"` the trades of one position, from
the buy that opens it (the holding was flat) to the sell that makes it flat again, are one trade
with quantity-weighted average entry and exit prices (Tradervue's convention).

Conventions (docs/journal.md has them with examples):

- pnl = exit_value - exit_fee - entry_value - entry_fee + dividends; a lot's buy value and fee
  go to its pieces pro rata by quantity, a sell's value and fee likewise. Summed over the closed
  trades of a sell, pnl without dividends is the holdings' FIFO realized P&L of that sell.
- return_pct = pnl / (entry_value + entry_fee): the trade's return on what it cost.
- A short (direction "short", a margin account's sale beyond the long shares held, covered by
  later buys first in, first out): entry = the short sale, exit = the cover, pnl = entry_value -
  exit_value - entry_fee - exit_fee + dividends (a short is charged them: negative), return_pct
  = pnl / entry_value. A trade that crosses from long to short (or back) is cut in two.
- A split divides the entry price of the open lots by its ratio and multiplies their shares
  (quantity is in the shares of the exit day). A cash dividend is shared over the lots held on
  its ex-date by quantity and counted in their trades' pnl (`dividends`).
- An open trade (status "open", exit_seq missing) is valued at the ticker's last close on or
  before the valuation day, without an exit fee.
- holding_days = calendar days from the entry day to the exit day.
- MAE/MFE: see `excursions`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

import numpy as np
import pandas as pd

from erasmo.journal.excursions import DailyRange, daily_range, excursions
from erasmo.journal.matching import SHORT, Piece, TickerBook, TickerEvent
from erasmo.market.base import MarketData
from erasmo.projections.frame import (
    BOUGHT,
    CENTS_PER_UNIT_OF_MONEY,
    DIVIDEND,
    SOLD,
    SPLIT,
    UNITS_PER_SHARE,
    EventFrameError,
    ProjectionError,
    as_of,
    check_event_frame,
)
from events.errors import ErasmoError

#: Column -> dtype of the trades frame, in column order.
TRADE_COLUMNS: Final[dict[str, str]] = {
    "ticker": "object",
    "direction": "object",
    "status": "object",
    "entry_seq": "int64",
    "entry_on": "datetime64[ns]",
    "entry_price": "float64",
    "exit_seq": "Int64",
    "exit_on": "datetime64[ns]",
    "exit_price": "float64",
    "quantity": "float64",
    "entry_value": "float64",
    "entry_fee": "float64",
    "exit_value": "float64",
    "exit_fee": "float64",
    "dividends": "float64",
    "pnl": "float64",
    "return_pct": "float64",
    "holding_days": "int64",
    "mae": "float64",
    "mae_pct": "float64",
    "mfe": "float64",
    "mfe_pct": "float64",
    "excursion_prices": "object",
}
GROUPS: Final = ("lot", "position")
_MONEY: Final = ("entry_value", "entry_fee", "exit_value", "exit_fee", "dividends")


class TradeGroupingError(ProjectionError):
    """round_trips was asked for a grouping it does not know."""


def round_trips(
    events: pd.DataFrame,
    market: MarketData,
    *,
    on: date | None = None,
    group: str = "lot",
) -> pd.DataFrame:
    """The round-trip trades of one portfolio's event frame, valued on `on` (default: the
    market's latest day, or the last event's if later; give a simulation's clock), one row per
    trade (TRADE_COLUMNS).

    Closed trades come in the order of their sells, then the open ones in the order of their
    buys. `group` is "lot" (one lot closed by one sell) or "position" (flat to flat).
    """
    if group not in GROUPS:
        raise TradeGroupingError(f"Unknown trade grouping {group!r}; use one of {GROUPS}.")
    check_event_frame(events)
    if events["portfolio"].nunique() > 1:
        raise EventFrameError(
            "round_trips reads one portfolio's events, but the frame holds "
            f"{events['portfolio'].nunique()} portfolios; pass Analytics.portfolio_events(id)."
        )
    valuation = on if on is not None else _last_day(events, market)
    events = as_of(events, on=valuation)
    books = _books(events)
    pieces = [piece for book in books.values() for piece in book.pieces]
    day = pd.Timestamp(valuation)
    for book in books.values():
        if book.open_side() is not None:
            pieces.extend(book.open_pieces(day, _close_on(market, book, valuation)))
    trades = _frame(pieces)
    if group == "position":
        trades = _by_position(trades)
    ranges = _ranges(events, market, trades)
    trades[["mae", "mae_pct", "mfe", "mfe_pct", "excursion_prices"]] = excursions(trades, ranges)
    return trades[list(TRADE_COLUMNS)].astype(TRADE_COLUMNS)


def empty_trades() -> pd.DataFrame:
    """A trades frame with no rows."""
    return pd.DataFrame({name: pd.Series([], dtype=kind) for name, kind in TRADE_COLUMNS.items()})


def _books(events: pd.DataFrame) -> dict[str, TickerBook]:
    kinds = events["type"].astype(str)
    mine = events[kinds.isin((BOUGHT, SOLD, SPLIT, DIVIDEND)).to_numpy()]
    books: dict[str, TickerBook] = {}
    columns = [mine[name].tolist() for name in TickerEvent.columns()]
    columns[1] = mine["type"].astype(str).tolist()
    columns[2] = list(pd.DatetimeIndex(mine["on"]))
    for ticker, *fields in zip(mine["ticker"].tolist(), *columns, strict=True):
        book = books.setdefault(str(ticker), TickerBook(str(ticker)))
        book.apply(TickerEvent(*fields))
    return books


def _last_day(events: pd.DataFrame, market: MarketData) -> date:
    latest = market.latest_date()
    if events.empty:
        return latest
    return max(latest, pd.Timestamp(events["on"].max()).date())


def _close_on(market: MarketData, book: TickerBook, day: date) -> float:
    """The ticker's last close on or before `day`, else the last entry price: an open trade
    of a ticker the market has no close for is valued at what it cost."""
    try:
        bars = market.bars(book.ticker, day - timedelta(days=31), day)
        if not bars:  # the ticker's history may end long before the valuation day
            bars = market.bars(book.ticker, None, day)
    except ErasmoError:
        return book.last_price()
    return float(bars[-1].close) if bars else book.last_price()


def _frame(pieces: list[Piece]) -> pd.DataFrame:
    if not pieces:
        return empty_trades()
    raw = pd.DataFrame(pieces, columns=list(Piece._fields))
    raw["quantity"] = raw.pop("units") / UNITS_PER_SHARE
    for name in _MONEY:
        raw[name] = raw[name] / CENTS_PER_UNIT_OF_MONEY
    raw["exit_seq"] = raw["exit_seq"].astype("Int64")
    raw["status"] = np.where(raw["exit_seq"].isna(), "open", "closed")
    return _derived(_in_exit_order(raw))


def _in_exit_order(trades: pd.DataFrame) -> pd.DataFrame:
    """Closed trades by sell, then by buy; open trades after them, by buy."""
    never = np.iinfo(np.int64).max
    order = np.lexsort(
        (
            trades["entry_seq"].to_numpy(np.int64),
            trades["exit_seq"].fillna(never).to_numpy(np.int64),
        )
    )
    return trades.iloc[order].reset_index(drop=True)


def _derived(trades: pd.DataFrame) -> pd.DataFrame:
    """pnl, return_pct and holding_days from the money and dates of each trade: a long's
    return on what it cost, a short's on what its short sale was worth (entry value)."""
    fees = trades["entry_fee"] + trades["exit_fee"]
    gain = trades["exit_value"] - trades["entry_value"]
    short = (trades["direction"] == SHORT).to_numpy(bool)
    trades["pnl"] = gain.where(~short, -gain) - fees + trades["dividends"]
    base = trades["entry_value"] + trades["entry_fee"].where(~short, 0.0)
    trades["return_pct"] = trades["pnl"] / base.where(base != 0)
    trades["holding_days"] = (trades["exit_on"] - trades["entry_on"]).dt.days.astype(np.int64)
    return trades


def _by_position(trades: pd.DataFrame) -> pd.DataFrame:
    """The lot trades of each position (flat to flat) summed into one trade."""
    if trades.empty:
        return trades
    frame = trades.assign(
        entry_weight=trades["entry_price"] * trades["quantity"],
        exit_weight=trades["exit_price"] * trades["quantity"],
        is_open=trades["status"] == "open",
    )
    grouped = frame.groupby(["ticker", "position", "direction"], sort=False)
    summed = grouped.agg(
        entry_seq=("entry_seq", "min"),
        entry_on=("entry_on", "min"),
        exit_seq=("exit_seq", "max"),
        exit_on=("exit_on", "max"),
        quantity=("quantity", "sum"),
        entry_weight=("entry_weight", "sum"),
        exit_weight=("exit_weight", "sum"),
        is_open=("is_open", "any"),
        **{name: (name, "sum") for name in _MONEY},
    ).reset_index()
    summed["entry_price"] = summed.pop("entry_weight") / summed["quantity"]
    summed["exit_price"] = summed.pop("exit_weight") / summed["quantity"]
    is_open = summed.pop("is_open").to_numpy(bool)
    summed["status"] = np.where(is_open, "open", "closed")
    summed["exit_seq"] = summed["exit_seq"].astype("Int64").where(~is_open)
    return _derived(_in_exit_order(summed))


def _ranges(
    events: pd.DataFrame, market: MarketData, trades: pd.DataFrame
) -> dict[str, DailyRange]:
    """Each traded ticker's daily range over its trades' days, splits taken out."""
    ranges: dict[str, DailyRange] = {}
    splits = events[events["type"].astype(str).to_numpy() == SPLIT]
    for ticker, mine in trades.groupby("ticker", sort=False):
        start = pd.Timestamp(mine["entry_on"].min()).date()
        end = pd.Timestamp(mine["exit_on"].max()).date()
        own = splits[splits["ticker"] == ticker]
        ratios = pd.Series(own["ratio"].to_numpy(np.float64), index=own["on"])
        try:
            ranges[str(ticker)] = daily_range(market, str(ticker), start, end, ratios)
        except ErasmoError:  # a ticker the market does not know: excursions from entry and exit
            continue
    return ranges
