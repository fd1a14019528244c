"""A market written by hand in the test, for fill rules on bars whose outcome is computed by hand.

XYZ 2020-01-02 100 101 99 100     open high low close
CLO 2020-01-02 50                 a close only
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from erasmo.market.base import Bar, TickerInfo
from events.errors import UnknownTickerError


class HandMarket:
    """A `MarketData` over bars given as text; the calendar is every day any ticker has."""

    def __init__(self, text: str) -> None:
        self._bars: dict[str, list[Bar]] = {}
        for line in text.strip().splitlines():
            ticker, day, *prices = line.split()
            values = [Decimal(p) for p in prices]
            if len(values) == 1:
                bar = Bar(ticker, date.fromisoformat(day), None, None, None, values[0], None, None)
            else:
                o, h, low, c = values
                bar = Bar(ticker, date.fromisoformat(day), o, h, low, c, None, 1000)
            self._bars.setdefault(ticker, []).append(bar)
        for bars in self._bars.values():
            bars.sort(key=lambda b: b.day)
        self._calendar = sorted({b.day for bars in self._bars.values() for b in bars})

    def tickers(self) -> Sequence[TickerInfo]:
        return [self.info(t) for t in sorted(self._bars)]

    def info(self, ticker: str) -> TickerInfo:
        bars = self._bars.get(ticker.strip().upper())
        if bars is None:
            raise UnknownTickerError(ticker)
        fields = ("close",) if bars[0].open is None else ("open", "high", "low", "close", "volume")
        return TickerInfo(bars[0].ticker, bars[0].day, bars[-1].day, "hand", False, fields)

    def bar(self, ticker: str, day: date) -> Bar | None:
        return next((b for b in self._bars[self.info(ticker).ticker] if b.day == day), None)

    def bars(self, ticker: str, start: date | None = None, end: date | None = None) -> list[Bar]:
        return [
            b
            for b in self._bars[self.info(ticker).ticker]
            if (start is None or b.day >= start) and (end is None or b.day <= end)
        ]

    def trading_days(self, ticker: str | None = None) -> Sequence[date]:
        if ticker is None:
            return self._calendar
        return [b.day for b in self._bars[self.info(ticker).ticker]]

    def latest_date(self, ticker: str | None = None) -> date:
        return self.trading_days(ticker)[-1]
