"""Buys and sells: checked against the cash and shares open orders do not hold back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from events.errors import InsufficientCashError, InsufficientSharesError
from events.rules.actions import traded
from events.rules.book import ZERO, Book, broken
from events.rules.cash import available_cash, short_of_cash, trade_value
from events.rules.margin import remember_price
from events.rules.shorts import bought_cover, sold_short
from events.rules.status import check_open_and_clock
from events.values import (
    PriceProvenance,
    check_trade_value,
    parse_fee,
    parse_price,
    parse_quantity,
    parse_ticker,
)


def reserved_shares(p: Book, ticker: str) -> Decimal:
    """Shares of `ticker` held back by open sell orders."""
    return sum(
        (
            o["quantity"]
            for o in p.open_orders.values()
            if o["side"] == "sell" and o["ticker"] == ticker
        ),
        ZERO,
    )


def available_shares(p: Book, ticker: str) -> Decimal:
    """Shares of `ticker` held and not held back by open sell orders."""
    return p.shares.get(ticker, ZERO) - reserved_shares(p, ticker)


def check_trade(
    p: Book,
    ticker: str,
    quantity: Decimal,
    price: Decimal,
    fee: Decimal,
    on: date,
    market: bool = False,
) -> tuple[str, Decimal, Decimal, Decimal]:
    """The trade's ticker, quantity, price and fee, parsed, once the portfolio may trade on
    `on` (`market`: a fill recorded by the market clock)."""
    checked = (parse_ticker(ticker), parse_quantity(quantity), parse_price(price))
    check_trade_value(checked[1], checked[2])
    fee = parse_fee(fee)
    check_open_and_clock(p, on, market)
    return (*checked, fee)


def check_shares(p: Book, ticker: str, quantity: Decimal, releasing: Decimal = ZERO) -> None:
    """Never more than held and not held back by (other) sell orders."""
    held = p.shares.get(ticker, ZERO)
    available = available_shares(p, ticker) + releasing
    if quantity > available:
        if held == available:
            tail = "Sell at most that many."
        else:
            tail = (
                f"of which open sell orders hold back {held - available}. Sell at most {available}."
            )
        hold_back = (
            "" if held == available else f", of which open orders hold back {held - available}"
        )
        raise broken(
            InsufficientSharesError(
                f"Cannot sell {quantity} {ticker} from {p.name!r}: it holds {held}"
                f"{'. ' if held == available else ', '}{tail}"
            ),
            f"sells {quantity} {ticker} but holds {held}{hold_back}",
        )


def check_sell(
    p: Book,
    ticker: str,
    quantity: Decimal,
    price: Decimal,
    fee: Decimal,
    releasing: Decimal = ZERO,
) -> None:
    """Never more than held and not held back by (other) sell orders; the fee is covered."""
    check_shares(p, ticker, quantity, releasing)
    value = trade_value(quantity, price)
    if available_cash(p) + value - fee < 0:
        raise broken(
            InsufficientCashError(
                f"The fee {fee:,.2f} exceeds the cash {p.name!r} would have after the sale "
                f"({available_cash(p) + value:,.2f}). Lower the fee."
            ),
            short_of_cash(p, available_cash(p) + value - fee),
        )


def trade_fields(
    ticker: str,
    quantity: Decimal,
    price: Decimal,
    value: Decimal,
    fee: Decimal,
    on: date,
    provenance: PriceProvenance,
) -> dict[str, Any]:
    """The fields of a SharesBought or SharesSold."""
    return {
        "ticker": ticker,
        "quantity": quantity,
        "price": price,
        "value": value,
        "fee": fee,
        "on": on,
        "price_source": provenance.source,
        "price_date": provenance.day,
        "price_adjusted": provenance.adjusted,
        "price_kind": provenance.kind,
    }


# -- effects -------------------------------------------------------------------------------


def bought(
    self: Book,
    ticker: str,
    quantity: Decimal,
    price: Decimal,
    value: Decimal,
    fee: Decimal,
    on: date,
    price_source: str,
    price_date: date,
    price_adjusted: bool,
    price_kind: str,
) -> None:
    remember_price(self, ticker, price)
    if self.shares.get(ticker, ZERO) < 0:  # a margin account covering a short
        bought_cover(self, ticker, quantity, value, fee, on)
        return
    self.cash -= value + fee
    traded(self, ticker, self.shares.get(ticker, ZERO), on)
    self.shares[ticker] = self.shares.get(ticker, ZERO) + quantity
    self.cost[ticker] = self.cost.get(ticker, ZERO) + value + fee
    self.clock = on


def sold(
    self: Book,
    ticker: str,
    quantity: Decimal,
    price: Decimal,
    value: Decimal,
    fee: Decimal,
    on: date,
    price_source: str,
    price_date: date,
    price_adjusted: bool,
    price_kind: str,
) -> None:
    remember_price(self, ticker, price)
    if quantity > self.shares.get(ticker, ZERO):  # a margin account selling short
        sold_short(self, ticker, quantity, value, fee, on)
        return
    held = self.shares[ticker]
    traded(self, ticker, held, on)
    remaining = held - quantity
    self.cash += value - fee
    if remaining == 0:
        del self.shares[ticker]
        del self.cost[ticker]
    else:
        self.cost[ticker] -= self.cost[ticker] * quantity / held
        self.shares[ticker] = remaining
    self.clock = on
