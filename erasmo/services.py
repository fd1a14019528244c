"""The service facade: turns what a user asked for into checked commands on the write side.

The domain never looks prices up. This layer resolves dates to trading days and tickers to the
bar a trade fills at, then passes the price and its provenance into the command. Every command
takes the portfolio's id (names are resolved once, at the edge: `resolve`) and `dry_run`: run
the same rules on the portfolio as stored, record nothing, and return the same receipt.
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
from erasmo.door.models import CashReceipt
from erasmo.door.models import TradeReceipt as TradeReceipt
from erasmo.door.results import changed
from erasmo.market import exchange
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


class TradingService:
    """Use cases of the write side, checked against the market data."""

    def __init__(
        self, app: Portfolios, market: MarketData, today: Callable[[], date] = date.today
    ) -> None:
        self.app = app
        self.market = market
        self.today = today
        #: Called with the portfolio and the market day before a trade or a cash move dated on
        #: it is recorded, in the same save (the simulation service brings a live margin
        #: account's days up to it: `erasmo.simulation.live_days`).
        self.before_dated: Callable[[Portfolio, date], object] = lambda p, day: None

    # -- portfolios -----------------------------------------------------------------------

    def resolve(self, name: str) -> UUID:
        """The id of the portfolio called `name` (ignoring case)."""
        return self.app.find(name)

    def open_portfolio(
        self,
        name: str,
        cash: str | Decimal | None = None,
        on: str | date | None = None,
        *,
        dry_run: bool = False,
    ) -> UUID:
        """Open a portfolio on a market day (default: the latest), optionally with cash, and
        return its id (for a dry run, one that is never recorded)."""
        amount = parse_money(cash, what="Opening cash") if cash is not None else None
        day = self.market_day(on)
        with self.app.dry_run(dry_run):
            return self.app.open_portfolio(name, day, amount)

    def rename(self, portfolio_id: UUID, new_name: str, *, dry_run: bool = False) -> Portfolio:
        """Rename a portfolio; returns it renamed."""
        return self._lifecycle(
            portfolio_id, lambda: self.app.rename(portfolio_id, new_name), dry_run
        )

    def close(self, portfolio_id: UUID, *, dry_run: bool = False) -> Portfolio:
        """Close a portfolio (its history stays readable; it can be reopened)."""
        return self._lifecycle(
            portfolio_id, lambda: self.app.close_portfolio(portfolio_id), dry_run
        )

    def reopen(self, portfolio_id: UUID, *, dry_run: bool = False) -> Portfolio:
        """Reopen a closed portfolio."""
        return self._lifecycle(
            portfolio_id, lambda: self.app.reopen_portfolio(portfolio_id), dry_run
        )

    def delete(self, portfolio_id: UUID, *, dry_run: bool = False) -> Portfolio:
        """Delete a portfolio (a tombstone: its events stay); returns it deleted."""
        return self._lifecycle(
            portfolio_id, lambda: self.app.delete_portfolio(portfolio_id), dry_run
        )

    def find_deleted(self, name_or_id: str) -> UUID:
        """The id of the deleted portfolio called `name_or_id` (or with that id)."""
        return self.app.find_deleted(name_or_id)

    def undelete(self, portfolio_id: UUID, *, dry_run: bool = False) -> Portfolio:
        """Bring back a deleted portfolio (see `find_deleted`); returns it back."""
        return self._lifecycle(
            portfolio_id, lambda: self.app.undelete_portfolio(portfolio_id), dry_run
        )

    def _lifecycle(
        self, portfolio_id: UUID, command: Callable[[], None], dry_run: bool
    ) -> Portfolio:
        with self.app.dry_run(dry_run) as run:
            command()
        return changed(self.app, run, portfolio_id, dry_run)

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

    def deposit(
        self,
        portfolio_id: UUID,
        amount: str | Decimal,
        on: str | date | None = None,
        *,
        dry_run: bool = False,
    ) -> CashReceipt:
        """Deposit cash on a market day."""
        return self._cash("deposit", portfolio_id, amount, on, dry_run)

    def withdraw(
        self,
        portfolio_id: UUID,
        amount: str | Decimal,
        on: str | date | None = None,
        *,
        dry_run: bool = False,
    ) -> CashReceipt:
        """Withdraw cash on a market day."""
        return self._cash("withdraw", portfolio_id, amount, on, dry_run)

    def _cash(
        self,
        kind: str,
        portfolio_id: UUID,
        amount: str | Decimal,
        on: str | date | None,
        dry_run: bool,
    ) -> CashReceipt:
        value = parse_money(amount)
        on = self._simulation_day(portfolio_id, on)
        try:
            day = self.market_day(on)

            def move(p: Portfolio) -> CashReceipt:
                self.before_dated(p, day)
                before = p.cash
                (p.deposit if kind == "deposit" else p.withdraw)(value, day)
                return CashReceipt(p.id, p.name, kind, value, day, before, p.cash)

            return self.app.change(portfolio_id, move, dry_run=dry_run)
        except ClockError as error:
            raise self._explain_clock(portfolio_id, error) from None

    # -- trades ---------------------------------------------------------------------------

    def buy(
        self,
        portfolio_id: UUID,
        ticker: str,
        quantity: str | Decimal,
        on: str | date | None = None,
        price: str | Decimal | None = None,
        fee: str | Decimal | None = None,
        *,
        dry_run: bool = False,
        note: tuple[str, str] | None = None,
    ) -> TradeReceipt:
        """Buy at the day's close (or an explicit price inside the day's range); `note` (text,
        tags) is attached to the buy in the same save."""
        return self._trade("buy", portfolio_id, ticker, quantity, on, (price, fee), dry_run, note)

    def sell(
        self,
        portfolio_id: UUID,
        ticker: str,
        quantity: str | Decimal,
        on: str | date | None = None,
        price: str | Decimal | None = None,
        fee: str | Decimal | None = None,
        *,
        dry_run: bool = False,
        note: tuple[str, str] | None = None,
    ) -> TradeReceipt:
        """Sell at the day's close (or an explicit price inside the day's range); `note` (text,
        tags) is attached to the sell in the same save."""
        return self._trade("sell", portfolio_id, ticker, quantity, on, (price, fee), dry_run, note)

    def _trade(
        self,
        side: str,
        portfolio_id: UUID,
        ticker: str,
        quantity: str | Decimal,
        on: str | date | None,
        price_and_fee: tuple[str | Decimal | None, str | Decimal | None],
        dry_run: bool,
        note: tuple[str, str] | None = None,
    ) -> TradeReceipt:
        price, fee = price_and_fee
        symbol = parse_ticker(ticker)
        shares = parse_quantity(quantity)
        cost = parse_fee(fee) if fee is not None else ZERO
        fill = self.fill(symbol, self._simulation_day(portfolio_id, on), price)

        def trade(p: Portfolio) -> TradeReceipt:
            self.before_dated(p, fill.day)
            cash_before, held_before = p.cash, p.shares.get(fill.ticker, ZERO)
            record = p.buy if side == "buy" else p.sell
            record(fill.ticker, shares, fill.price, fill.day, fill.provenance, cost)
            if note is not None:
                p.add_note(p.version, *note)
            return TradeReceipt(
                portfolio_id=p.id,
                portfolio=p.name,
                side=side,
                ticker=fill.ticker,
                day=fill.day,
                quantity=shares,
                price=fill.price,
                fee=cost,
                value=_value(shares, fill.price),
                provenance=fill.provenance,
                cash_before=cash_before,
                cash_after=p.cash,
                position_before=held_before,
                position_after=p.shares.get(fill.ticker, ZERO),
            )

        try:
            return self.app.change(portfolio_id, trade, dry_run=dry_run)
        except ClockError as error:
            raise self._explain_clock(portfolio_id, error) from None

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
            closed = exchange.closed_phrase(day)
            raise NotATradingDayError(ticker, day, days[index - 1], days[index], closed)
        return day

    # -- reading --------------------------------------------------------------------------

    def history(
        self, portfolio_id: UUID, upto_seq: int | None = None, *, unreadable: bool = False
    ) -> list[LoggedEvent]:
        """The portfolio's events in order (with `unreadable`, an event this erasmo cannot read
        is an entry saying why, instead of an error)."""
        return self.app.history(portfolio_id, upto_seq, unreadable=unreadable)

    # -- corporate actions ----------------------------------------------------------------

    def pending_actions(
        self, portfolio_id: UUID, until: str | date | None = None
    ) -> list[actions.PendingAction]:
        """The splits and dividends the portfolio is due up to `until` (default: its clock) and
        has not recorded, each ready or blocked (see `erasmo.actions`)."""
        return actions.pending_actions(self.app, self.market, portfolio_id, until)

    def apply_actions(
        self, portfolio_id: UUID, until: str | date | None = None, *, dry_run: bool = False
    ) -> list[actions.PendingAction]:
        """Record the portfolio's ready actions up to `until` (default: its clock), in date
        order, in one save; returns those recorded. Applying twice records nothing the second
        time."""
        return actions.apply_actions(self.app, self.market, portfolio_id, until, dry_run=dry_run)


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
