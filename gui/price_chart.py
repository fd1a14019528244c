"""What the price chart of one ticker shows, as plain arrays. No Qt.

The bars come from erasmo's market data, the trade markers from the portfolio's own events (the
price each trade was recorded at). Nothing is computed here: prices are only turned into floats
for drawing, and dates into POSIX seconds (pyqtgraph's `DateAxisItem`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from erasmo.market.base import MarketData, TickerInfo
from events.logged import LoggedEvent

BUY, SELL = "SharesBought", "SharesSold"
#: `price_kind` of a trade recorded by an order's fill (the orders' bookkeeping).
ORDER_FILL = "order"


def x_of(day: date) -> float:
    """The chart's x of a market date: midnight UTC in POSIX seconds."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def day_of(x: float) -> date:
    """The market date at chart x."""
    return datetime.fromtimestamp(x, tz=UTC).date()


@dataclass(frozen=True, slots=True)
class TradeMarks:
    """(x, price) of one kind of trade marker: parallel lists, oldest first."""

    x: list[float] = field(default_factory=list)
    price: list[float] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def add(self, day: date, price: float, text: str) -> None:
        self.x.append(x_of(day))
        self.price.append(price)
        self.text.append(text)

    def __len__(self) -> int:
        return len(self.x)


@dataclass(frozen=True, slots=True)
class PriceSeries:
    """The bars of one ticker up to a date, and the portfolio's trades in it.

    Attributes:
        ticker, info: the ticker and what the market data says about it.
        x: trading days as POSIX seconds.
        open, high, low, close: prices per day (float; open/high/low empty without OHLC).
        candles: True where the source has daily OHLC (draw candles), else a close line.
        until: the last day shown (the simulation clock, or the latest data).
        buys, sells: the portfolio's trades at the price recorded, by hand.
        order_buys, order_sells: trades recorded by an order's fill.
    """

    ticker: str
    info: TickerInfo
    x: list[float]
    open: list[float]
    high: list[float]
    low: list[float]
    close: list[float]
    candles: bool
    until: date | None
    buys: TradeMarks = field(default_factory=TradeMarks)
    sells: TradeMarks = field(default_factory=TradeMarks)
    order_buys: TradeMarks = field(default_factory=TradeMarks)
    order_sells: TradeMarks = field(default_factory=TradeMarks)

    def __len__(self) -> int:
        return len(self.x)

    @property
    def describe(self) -> str:
        """One line under the chart: what is drawn and where it comes from."""
        kind = "daily candles (open, high, low, close)" if self.candles else "daily closes"
        closes = "adjusted" if self.info.adjusted else "raw, unadjusted"
        shown = f", up to {self.until.isoformat()}" if self.until is not None else ""
        return f"{self.ticker}: {kind}, {closes} prices from {self.info.source}{shown}."


def has_ohlc(info: TickerInfo) -> bool:
    """Whether the ticker's source has open, high and low (else only closes)."""
    return all(f in info.fields for f in ("open", "high", "low"))


def price_series(
    market: MarketData,
    ticker: str,
    trades: Iterable[LoggedEvent] = (),
    until: date | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> PriceSeries:
    """The bars of `ticker` up to `until` (None: all) and the markers of `trades` in it.

    Raises UnknownTickerError for a ticker the market data does not know.
    """
    info = market.info(ticker)
    bars = market.bars(info.ticker, None, until)
    candles = has_ohlc(info)
    x: list[float] = []
    opens: list[float] = []
    highs: list[float] = []
    lows: list[float] = []
    closes: list[float] = []
    for bar in bars:
        x.append(x_of(bar.day))
        closes.append(float(bar.close))
        if candles:
            # A bar without OHLC in an OHLC source is drawn as a flat candle at its close.
            opens.append(float(bar.open if bar.open is not None else bar.close))
            highs.append(float(bar.high if bar.high is not None else bar.close))
            lows.append(float(bar.low if bar.low is not None else bar.close))
    series = PriceSeries(info.ticker, info, x, opens, highs, lows, closes, candles, until)
    for event in trades:
        if cancelled():
            break
        _mark(series, event)
    return series


def _mark(series: PriceSeries, event: LoggedEvent) -> None:
    fields: dict[str, Any] = event.fields
    if event.type not in (BUY, SELL) or fields.get("ticker") != series.ticker:
        return
    if series.until is not None and event.on > series.until:
        return
    by_order = fields.get("price_kind") == ORDER_FILL
    if event.type == BUY:
        marks = series.order_buys if by_order else series.buys
    else:
        marks = series.order_sells if by_order else series.sells
    verb = "Bought" if event.type == BUY else "Sold"
    how = " (order fill)" if by_order else ""
    price = fields["price"]
    marks.add(
        event.on,
        float(price),
        f"{event.on.isoformat()} {verb} {fields['quantity']} at {price}{how}",
    )
