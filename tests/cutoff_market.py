"""The bundled market data as a price feed knew it on a day (`UpTo`): nothing after `cutoff`,
which a test moves on as a feed's latest day moves. For the tests of a live portfolio reaching
new market days."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from erasmo.market.base import Bar, CorporateAction, TickerInfo
from erasmo.market.bundled import BundledMarketData

BUNDLED = BundledMarketData()


class UpTo:
    """The bundled market data as a feed knew it on `cutoff`: nothing after that day."""

    def __init__(self, cutoff: date) -> None:
        self.cutoff = cutoff

    def tickers(self) -> Sequence[TickerInfo]:
        return [self.info(t.ticker) for t in BUNDLED.tickers()]

    def info(self, ticker: str) -> TickerInfo:
        # a listed ticker's feed goes on: its info does not say it ends on the cutoff
        return BUNDLED.info(ticker)

    def bar(self, ticker: str, day: date) -> Bar | None:
        return BUNDLED.bar(ticker, day) if day <= self.cutoff else None

    def bars(self, ticker: str, start: date | None = None, end: date | None = None) -> list[Bar]:
        return BUNDLED.bars(ticker, start, min(end or self.cutoff, self.cutoff))

    def trading_days(self, ticker: str | None = None) -> Sequence[date]:
        return [d for d in BUNDLED.trading_days(ticker) if d <= self.cutoff]

    def latest_date(self, ticker: str | None = None) -> date:
        return self.trading_days(ticker)[-1]

    def actions(
        self, ticker: str, start: date | None = None, end: date | None = None
    ) -> list[CorporateAction]:
        return BUNDLED.actions(ticker, start, min(end or self.cutoff, self.cutoff))
