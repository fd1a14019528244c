"""Market data as a price feed knew it on a day (`UpTo`): nothing after `cutoff`, which a test
moves on as a feed's latest day moves. For the tests of a live portfolio reaching new market
days. Over the bundled data unless given another market."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from erasmo.market.base import Bar, CorporateAction, MarketData, TickerInfo
from erasmo.market.bundled import BundledMarketData

BUNDLED = BundledMarketData()


class UpTo:
    """`market` (the bundled data by default) as a feed knew it on `cutoff`: nothing after."""

    def __init__(self, cutoff: date, market: MarketData = BUNDLED) -> None:
        self.cutoff, self.market = cutoff, market

    def tickers(self) -> Sequence[TickerInfo]:
        return [self.info(t.ticker) for t in self.market.tickers()]

    def info(self, ticker: str) -> TickerInfo:
        # a listed ticker's feed goes on: its info does not say it ends on the cutoff
        return self.market.info(ticker)

    def bar(self, ticker: str, day: date) -> Bar | None:
        return self.market.bar(ticker, day) if day <= self.cutoff else None

    def bars(self, ticker: str, start: date | None = None, end: date | None = None) -> list[Bar]:
        return self.market.bars(ticker, start, min(end or self.cutoff, self.cutoff))

    def trading_days(self, ticker: str | None = None) -> Sequence[date]:
        return [d for d in self.market.trading_days(ticker) if d <= self.cutoff]

    def latest_date(self, ticker: str | None = None) -> date:
        return self.trading_days(ticker)[-1]

    def actions(
        self, ticker: str, start: date | None = None, end: date | None = None
    ) -> list[CorporateAction]:
        return self.market.actions(ticker, start, min(end or self.cutoff, self.cutoff))
