"""The market-data interface every provider implements.

A provider serves daily bars per ticker, the list of tickers with their date ranges, the
corporate actions (splits, dividends) of tickers with raw prices, and says which fields its
source lacks. Prices are `Decimal`, exactly as written in the source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

#: Every field a bar can carry; a source lists the ones it has in `TickerInfo.fields`.
BAR_FIELDS = ("open", "high", "low", "close", "adj_close", "volume")


@dataclass(frozen=True, slots=True)
class Bar:
    """One trading day of one ticker.

    Attributes:
        ticker: upper-case symbol.
        day: the market date.
        open, high, low: raw prices, or None where the source lacks them.
        close: the price trades fill at by default (raw, or adjusted where `adjusted`).
        adj_close: split- and dividend-adjusted close, or None where the source lacks it.
        volume: shares traded, or None where the source lacks it.
    """

    ticker: str
    day: date
    open: Decimal | None
    high: Decimal | None
    low: Decimal | None
    close: Decimal
    adj_close: Decimal | None
    volume: int | None


@dataclass(frozen=True, slots=True)
class TickerInfo:
    """What a provider knows about one ticker.

    Attributes:
        ticker: upper-case symbol.
        first, last: the first and last trading day with a close.
        source: provenance label stored with every trade priced from it, e.g. "bundled:skfolio".
        adjusted: True when `Bar.close` is an adjusted close (splits and dividends folded in).
        fields: the bar fields this source has (subset of BAR_FIELDS; "close" always).
        tradable: False for indices, which can be charted and used as benchmarks only.
        description: a short human description.
    """

    ticker: str
    first: date
    last: date
    source: str
    adjusted: bool
    fields: tuple[str, ...]
    tradable: bool = True
    description: str = ""

    @property
    def missing_fields(self) -> tuple[str, ...]:
        """The bar fields this source lacks."""
        return tuple(f for f in BAR_FIELDS if f not in self.fields)


@dataclass(frozen=True, slots=True)
class CorporateAction:
    """A split or a cash dividend of one ticker, effective on its ex-date.

    Attributes:
        ticker: upper-case symbol.
        day: the ex-date: the first trading day whose price no longer includes the action.
        kind: "split" or "dividend".
        ratio: split: new shares per old share (2 for 2:1, 0.5 for 1:2); None for a dividend.
        amount: dividend: cash per share, in the ticker's currency; None for a split.
        source: provenance label, e.g. "bundled:bokeh", "yahoo".
    """

    ticker: str
    day: date  # ex-date
    kind: str  # "split" | "dividend"
    ratio: Decimal | None  # split: new shares per old share (2 for 2:1, 0.5 for 1:2)
    amount: Decimal | None  # dividend: cash per share, in the ticker's currency
    source: str  # provenance label, e.g. "bundled:bokeh", "yahoo"


class MarketData(Protocol):
    """A source of daily bars."""

    def tickers(self) -> Sequence[TickerInfo]:
        """Every known ticker, sorted by symbol."""
        ...

    def info(self, ticker: str) -> TickerInfo:
        """The ticker's info; raises UnknownTickerError (with close matches) if unknown."""
        ...

    def bar(self, ticker: str, day: date) -> Bar | None:
        """The bar of `ticker` on `day`, or None when that day has no bar."""
        ...

    def bars(self, ticker: str, start: date | None = None, end: date | None = None) -> list[Bar]:
        """The bars of `ticker` with start <= day <= end, in date order."""
        ...

    def trading_days(self, ticker: str | None = None) -> Sequence[date]:
        """Sorted trading days of `ticker`, or of the market calendar when None."""
        ...

    def latest_date(self, ticker: str | None = None) -> date:
        """The last trading day of `ticker`, or of the market calendar when None."""
        ...

    def actions(
        self, ticker: str, start: date | None = None, end: date | None = None
    ) -> list[CorporateAction]:
        """The splits and dividends of `ticker` with start <= ex-date <= end, in date order.

        Empty for a ticker whose prices are adjusted (`TickerInfo.adjusted`): its closes already
        fold the actions in, so recording them as well would count them twice.
        """
        ...
