"""What the price chart of one ticker shows, as plain arrays. No Qt.

The bars come from erasmo's market data, the trade markers from the portfolio's own trades of the
ticker (`FrontDoor.ticker_trades`): one marker per day and kind of trade, at the price recorded
(the quantity-weighted mean price of the day's trades of that kind, when several). Otherwise
nothing is computed here: prices are only turned into floats for drawing, and dates into POSIX
seconds (pyqtgraph's `DateAxisItem`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from erasmo.door.ticker_trades import BUY, TickerTrade
from erasmo.market.base import MarketData, TickerInfo


def x_of(day: date) -> float:
    """The chart's x of a market date: midnight UTC in POSIX seconds."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def day_of(x: float) -> date:
    """The market date at chart x."""
    return datetime.fromtimestamp(x, tz=UTC).date()


@dataclass(frozen=True, slots=True)
class TradeMarks:
    """One marker per day with trades of one kind: parallel lists, oldest first.

    x is the day, price the quantity-weighted mean price of that day's trades (their own price
    for a single trade), count how many trades and text what they were.
    """

    x: list[float] = field(default_factory=list)
    price: list[float] = field(default_factory=list)
    count: list[int] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def add(self, day: date, trades: list[TickerTrade]) -> None:
        """The marker of the trades of one kind made on `day` (at least one)."""
        shares = sum((t.quantity for t in trades), Decimal(0))
        paid = sum((t.quantity * t.price for t in trades), Decimal(0))
        price = paid / shares if shares else trades[0].price
        self.x.append(x_of(day))
        self.price.append(float(price))
        self.count.append(len(trades))
        self.text.append(_describe(day, trades, shares, price))

    def __len__(self) -> int:
        return len(self.x)


#: A marker's tooltip lists at most this many of its day's trades.
TIP_TRADES = 5


def _describe(day: date, trades: list[TickerTrade], shares: Decimal, price: Decimal) -> str:
    verb = "Bought" if trades[0].side == BUY else "Sold"
    how = " (order fill)" if trades[0].by_order else ""
    if len(trades) == 1:
        t = trades[0]
        return f"{day.isoformat()} {verb} {t.quantity} at {t.price}{how}"
    lines = [
        f"{day.isoformat()}: {len(trades)} trades{how}, {verb.lower()} {shares} at "
        f"{price:.2f} on average"
    ]
    lines += [f"{verb} {t.quantity} at {t.price}" for t in trades[:TIP_TRADES]]
    if len(trades) > TIP_TRADES:
        lines.append(f"… and {len(trades) - TIP_TRADES} more")
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class PriceSeries:
    """The bars of one ticker up to a date, and the portfolio's trades in it.

    Attributes:
        ticker, info: the ticker and what the market data says about it.
        x: trading days as POSIX seconds.
        open, high, low, close: prices per day (float; open/high/low empty without OHLC).
        candles: True where the source has daily OHLC (draw candles), else a close line.
        until: the last day shown (the simulation clock, or the latest data).
        buys, sells: the portfolio's trades placed by hand, one marker a day (`TradeMarks`).
        order_buys, order_sells: trades recorded by an order's fill, likewise.
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
    trades: Iterable[TickerTrade] = (),
    until: date | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> PriceSeries:
    """The bars of `ticker` up to `until` (None: all) and the markers of `trades` (the
    portfolio's trades of that ticker, oldest first, as `FrontDoor.ticker_trades` reads them)
    in it: one marker per day and kind of trade.

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
    by_kind: dict[tuple[str, bool], dict[date, list[TickerTrade]]] = {}
    for trade in trades:
        if cancelled():
            break
        if until is not None and trade.on > until:
            continue
        by_kind.setdefault((trade.side, trade.by_order), {}).setdefault(trade.on, []).append(trade)
    for (side, by_order), days in by_kind.items():
        if side == BUY:
            marks = series.order_buys if by_order else series.buys
        else:
            marks = series.order_sells if by_order else series.sells
        for day in sorted(days):
            marks.add(day, days[day])
    return series
