"""The service facade: turns what a user asked for into checked commands on the write side.

The domain never looks prices up. This layer resolves names to ids, dates to trading days, and
tickers to the bar a trade fills at, then passes the price and its provenance into the command.
It imports no pandas: `erasmo buy` must stay a fast process.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from erasmo import actions
from erasmo.market.base import Bar, MarketData, TickerInfo
from events.application import LoggedEvent, Portfolios
from events.deletion import DeletedSummary
from events.errors import (
    ClockError,
    DateOutOfRangeError,
    NoPriceError,
    NotATradingDayError,
    NotTradableError,
    PriceOutOfRangeError,
    SimulationClockError,
)
from events.portfolio import Portfolio
from events.values import (
    PriceProvenance,
    parse_date,
    parse_fee,
    parse_money,
    parse_price,
    parse_quantity,
    parse_ticker,
    to_cents,
)

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Fill:
    """The price a trade fills at and where it came from."""

    ticker: str
    day: date
    price: Decimal
    provenance: PriceProvenance
    bar: Bar


@dataclass(frozen=True, slots=True)
class TradeReceipt:
    """What a recorded trade did.

    Attributes:
        portfolio: the portfolio's name.
        side: "buy" or "sell".
        ticker, quantity, price, fee, day: the trade.
        value: quantity x price rounded to the cent.
        cash_after: the portfolio's cash after the trade.
        position_after: shares of the ticker held after the trade.
        provenance: where the price came from.
    """

    portfolio: str
    side: str
    ticker: str
    quantity: Decimal
    price: Decimal
    value: Decimal
    fee: Decimal
    day: date
    cash_after: Decimal
    position_after: Decimal
    provenance: PriceProvenance


class TradingService:
    """Use cases of the write side, checked against the market data."""

    def __init__(
        self, app: Portfolios, market: MarketData, today: Callable[[], date] = date.today
    ) -> None:
        self.app = app
        self.market = market
        self.today = today

    # -- portfolios -----------------------------------------------------------------------

    def resolve(self, name: str) -> UUID:
        """The id of the portfolio called `name` (ignoring case)."""
        return self.app.find(name)

    def open_portfolio(
        self, name: str, cash: str | Decimal | None = None, on: str | date | None = None
    ) -> UUID:
        """Open a portfolio on a market day (default: the latest), optionally with cash."""
        amount = parse_money(cash, what="Opening cash") if cash is not None else None
        day = self.market_day(on)
        return self.app.open_portfolio(name, day, amount)

    def rename(self, name: str, new_name: str) -> None:
        """Rename a portfolio."""
        self.app.rename(self.resolve(name), new_name)

    def close(self, name: str) -> None:
        """Close a portfolio (its history stays readable; it can be reopened)."""
        self.app.close_portfolio(self.resolve(name))

    def reopen(self, name: str) -> None:
        """Reopen a closed portfolio."""
        self.app.reopen_portfolio(self.resolve(name))

    def delete(self, name: str) -> UUID:
        """Delete a portfolio (a tombstone: its events stay); returns its id."""
        portfolio_id = self.resolve(name)
        self.app.delete_portfolio(portfolio_id)
        return portfolio_id

    def undelete(self, name_or_id: str) -> Portfolio:
        """Bring back a deleted portfolio (by name, or by id when several had that name)."""
        portfolio_id = self.app.find_deleted(name_or_id)
        self.app.undelete_portfolio(portfolio_id)
        return self.app.portfolio(portfolio_id)

    def deleted(self) -> list[DeletedSummary]:
        """The deleted portfolios, with when they were deleted."""
        return self.app.deleted_summaries()

    def opened_at_end_of_data(self, portfolio_id: UUID) -> bool:
        """Whether the portfolio was opened on the last day of the data (so every trade must be
        dated on that day: the clock only moves forward)."""
        return self.app.portfolio(portfolio_id).opened_on == self.market.latest_date()

    def _explain_clock(self, portfolio_id: UUID, error: ClockError) -> ClockError:
        """The clock trap: a portfolio opened on the last day of the data cannot trade in the
        past, whatever date is asked; say why and what to do instead."""
        if isinstance(error, SimulationClockError) or not self.opened_at_end_of_data(portfolio_id):
            return error
        p = self.app.portfolio(portfolio_id)
        return ClockError(
            f"{p.name!r} was opened on {p.opened_on.isoformat()}, the last day of the data; to "
            "trade in the past, open a portfolio with --on DATE"
        )

    def deposit(self, name: str, amount: str | Decimal, on: str | date | None = None) -> Portfolio:
        """Deposit cash on a market day; returns the portfolio after it."""
        value = parse_money(amount)
        portfolio_id = self.resolve(name)
        on = self._simulation_day(portfolio_id, on)
        try:
            self.app.deposit(portfolio_id, value, self.market_day(on))
        except ClockError as error:
            raise self._explain_clock(portfolio_id, error) from None
        return self.app.portfolio(portfolio_id)

    def withdraw(self, name: str, amount: str | Decimal, on: str | date | None = None) -> Portfolio:
        """Withdraw cash on a market day; returns the portfolio after it."""
        value = parse_money(amount)
        portfolio_id = self.resolve(name)
        on = self._simulation_day(portfolio_id, on)
        try:
            self.app.withdraw(portfolio_id, value, self.market_day(on))
        except ClockError as error:
            raise self._explain_clock(portfolio_id, error) from None
        return self.app.portfolio(portfolio_id)

    # -- trades ---------------------------------------------------------------------------

    def buy(
        self,
        name: str,
        ticker: str,
        quantity: str | Decimal,
        on: str | date | None = None,
        price: str | Decimal | None = None,
        fee: str | Decimal | None = None,
    ) -> TradeReceipt:
        """Buy at the day's close (or an explicit price inside the day's range)."""
        return self._trade("buy", name, ticker, quantity, on, price, fee)

    def sell(
        self,
        name: str,
        ticker: str,
        quantity: str | Decimal,
        on: str | date | None = None,
        price: str | Decimal | None = None,
        fee: str | Decimal | None = None,
    ) -> TradeReceipt:
        """Sell at the day's close (or an explicit price inside the day's range)."""
        return self._trade("sell", name, ticker, quantity, on, price, fee)

    def _trade(
        self,
        side: str,
        name: str,
        ticker: str,
        quantity: str | Decimal,
        on: str | date | None,
        price: str | Decimal | None,
        fee: str | Decimal | None,
    ) -> TradeReceipt:
        symbol = parse_ticker(ticker)
        shares = parse_quantity(quantity)
        cost = parse_fee(fee) if fee is not None else ZERO
        portfolio_id = self.resolve(name)
        fill = self.fill(symbol, self._simulation_day(portfolio_id, on), price)
        record = self.app.buy if side == "buy" else self.app.sell
        try:
            record(portfolio_id, fill.ticker, shares, fill.price, fill.day, fill.provenance, cost)
        except ClockError as error:
            raise self._explain_clock(portfolio_id, error) from None
        after = self.app.portfolio(portfolio_id)
        return TradeReceipt(
            portfolio=after.name,
            side=side,
            ticker=fill.ticker,
            quantity=shares,
            price=fill.price,
            value=_value(shares, fill.price),
            fee=cost,
            day=fill.day,
            cash_after=after.cash,
            position_after=after.shares.get(fill.ticker, ZERO),
            provenance=fill.provenance,
        )

    def fill(self, ticker: str, on: str | date | None, price: str | Decimal | None) -> Fill:
        """The price a trade in `ticker` on `on` fills at, checked against that day's bar."""
        info = self.market.info(parse_ticker(ticker))
        if not info.tradable:
            raise NotTradableError(
                f"{info.ticker} ({info.description or 'an index'}) can be charted and used as a "
                "benchmark, but not traded. Pick a stock instead."
            )
        day = self.market_day(on, info)
        bar = self.market.bar(info.ticker, day)
        if bar is None:  # pragma: no cover - market_day only returns days with bars
            raise NoPriceError(f"The market data has no price for {info.ticker} on {day}.")
        if price is None:
            return Fill(info.ticker, day, bar.close, _provenance(info, day, "close"), bar)
        explicit = parse_price(price)
        _check_in_range(info, bar, explicit)
        return Fill(info.ticker, day, explicit, _provenance(info, day, "explicit"), bar)

    def _simulation_day(self, portfolio_id: UUID, on: str | date | None) -> str | date | None:
        """A simulation portfolio trades on its clock's day unless told otherwise."""
        if on is None:
            portfolio = self.app.portfolio(portfolio_id)
            if portfolio.simulated:
                return portfolio.clock
        return on

    def market_day(self, on: str | date | None, info: TickerInfo | None = None) -> date:
        """A checked trading day of the ticker (or of the market), defaulting to the latest."""
        ticker = info.ticker if info else None
        latest = self.market.latest_date(ticker)
        if on is None:
            return latest
        day = parse_date(on)
        what = info.ticker if info else "the market"
        if day > self.today():
            raise DateOutOfRangeError(
                f"{day.isoformat()} is in the future: erasmo trades only on past prices. "
                f"The latest date the data has for {what} is {latest.isoformat()}."
            )
        if day > latest:
            raise DateOutOfRangeError(
                f"{day.isoformat()} is after the market data for {what} ends on "
                f"{latest.isoformat()}. Use {latest.isoformat()} or earlier."
            )
        days = self.market.trading_days(ticker)
        if day < days[0]:
            raise DateOutOfRangeError(
                f"{day.isoformat()} is before the market data for {what} starts on "
                f"{days[0].isoformat()}. Use {days[0].isoformat()} or later."
            )
        index = bisect.bisect_left(days, day)
        if days[index] != day:
            raise NotATradingDayError(ticker, day, days[index - 1], days[index])
        return day

    # -- reading --------------------------------------------------------------------------

    def history(self, name: str, *, unreadable: bool = False) -> list[LoggedEvent]:
        """The portfolio's events in order (with `unreadable`, an event this erasmo cannot read
        is an entry saying why, instead of an error)."""
        return self.app.history(self.resolve(name), unreadable=unreadable)

    # -- corporate actions ----------------------------------------------------------------

    def pending_actions(
        self, name: str, until: str | date | None = None
    ) -> list[actions.PendingAction]:
        """The splits and dividends NAME is due up to `until` (default: its clock) and has not
        recorded, each ready or blocked (see `erasmo.actions`)."""
        return actions.pending_actions(self.app, self.market, self.resolve(name), until)

    def apply_actions(
        self, name: str, until: str | date | None = None
    ) -> list[actions.PendingAction]:
        """Record NAME's ready actions up to `until` (default: its clock), in date order, in
        one save; returns those recorded. Applying twice records nothing the second time."""
        return actions.apply_actions(self.app, self.market, self.resolve(name), until)


def _value(quantity: Decimal, price: Decimal) -> Decimal:
    return to_cents(quantity * price)


def _provenance(info: TickerInfo, day: date, kind: str) -> PriceProvenance:
    return PriceProvenance(source=info.source, day=day, adjusted=info.adjusted, kind=kind)


def _check_in_range(info: TickerInfo, bar: Bar, price: Decimal) -> None:
    if bar.low is not None and bar.high is not None:
        if not bar.low <= price <= bar.high:
            raise PriceOutOfRangeError(
                f"{price} is outside {info.ticker}'s range on {bar.day} ({bar.low} to "
                f"{bar.high}). Give a price in that range, or leave --price out to fill at the "
                f"close {bar.close}."
            )
    elif price != bar.close:
        raise PriceOutOfRangeError(
            f"The market data has only the close for {info.ticker} on {bar.day}, which is "
            f"{bar.close}; {price} differs. Leave --price out, or give {bar.close}."
        )
