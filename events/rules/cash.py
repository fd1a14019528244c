"""Cash: deposits, withdrawals, and the cash a trade or an order may use."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from events.errors import InsufficientCashError
from events.rules.book import ZERO, Book, broken
from events.values import to_cents


def trade_value(quantity: Decimal, price: Decimal) -> Decimal:
    """What a trade's shares are worth: quantity x price, rounded to the cent."""
    return to_cents(quantity * price)


def reserved_cash(p: Book) -> Decimal:
    """Cash held back by open buy orders."""
    return sum((o["reserved"] for o in p.open_orders.values() if o["side"] == "buy"), ZERO)


def available_cash(p: Book) -> Decimal:
    """Cash not held back by open orders: what a withdrawal, trade or new order may use."""
    return p.cash - reserved_cash(p)


def held_back(p: Book, releasing: Decimal = ZERO) -> str:
    """ ", of which open orders hold back X" when they hold some back (less `releasing`)."""
    reserved = reserved_cash(p) - releasing
    return f", of which open orders hold back {reserved:,.2f}" if reserved else ""


def short_of_cash(p: Book, left: Decimal, releasing: Decimal = ZERO) -> str:
    """The audit's words for a command leaving `left` (< 0) of the cash it may use."""
    reserved = reserved_cash(p) - releasing
    if not reserved:
        return f"cash would be negative ({left})"
    return f"cash not held back by open orders would be negative ({left}; they hold {reserved})"


def check_withdrawal(p: Book, amount: Decimal) -> None:
    """Never more than the cash open orders do not hold back."""
    available = available_cash(p)
    if amount > available:
        if available == p.cash:
            todo = "Withdraw at most that, or sell shares first."
        else:
            todo = f"Withdraw at most {available:,.2f}, or sell shares or cancel orders first."
        raise broken(
            InsufficientCashError(
                f"Cannot withdraw {amount:,.2f} {p.currency} from {p.name!r}: its cash is "
                f"{p.cash:,.2f}{held_back(p)}. {todo}"
            ),
            short_of_cash(p, available - amount),
        )


def check_buy(
    p: Book,
    ticker: str,
    quantity: Decimal,
    price: Decimal,
    fee: Decimal,
    releasing: Decimal = ZERO,
) -> None:
    """The cost must be covered by cash not held back by (other) open orders."""
    total = trade_value(quantity, price) + fee
    available = available_cash(p) + releasing
    if total > available:
        if available == p.cash:
            has, todo = f"{p.cash:,.2f} in cash", "Deposit more cash or buy fewer shares."
        else:
            has = f"{available:,.2f} in cash available{held_back(p, releasing)}"
            todo = "Deposit more cash, buy fewer shares or cancel an open order."
        raise broken(
            InsufficientCashError(
                f"Buying {quantity} {ticker} at {price} costs {total:,.2f} {p.currency} "
                f"(fee {fee:,.2f} included) but {p.name!r} has {has}. {todo}"
            ),
            short_of_cash(p, available - total, releasing),
        )


# -- effects -------------------------------------------------------------------------------


def deposited(self: Book, amount: Decimal, on: date) -> None:
    self.cash += amount
    self.clock = on


def withdrawn(self: Book, amount: Decimal, on: date) -> None:
    self.cash -= amount
    self.clock = on
