"""A beancount ledger of one portfolio: its cash, its lots at cost, dividends, fees and gains.

Accounts (under the portfolio's name made an account component, e.g. ``Tech``)::

    Assets:Erasmo:Tech:Cash              the cash balance, in the portfolio's currency
    Assets:Erasmo:Tech:Stocks:IBM        lots of IBM at their cost (FIFO booking, as erasmo's
                                         default cost basis)
    Equity:Erasmo:Tech:Contributions     deposits and withdrawals
    Income:Erasmo:Tech:Dividends         dividends
    Income:Erasmo:Tech:Gains             realized gains (beancount computes them from the lots)
    Expenses:Erasmo:Tech:Fees            commissions
    Expenses:Erasmo:Tech:Interest        margin interest and borrow fees (margin accounts)

A lot's cost is its trade price; the fee is an expense. A split replaces each lot by one of
ratio times the shares at the same total cost. Every trade date gets its price, so a report
can value the holdings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from erasmo.exporters.entries import Entry
from events.values import split_quantity

_NOT_ACCOUNT = re.compile(r"[^A-Za-z0-9-]+")
_NOT_COMMODITY = re.compile(r"[^A-Z0-9'._-]")


@dataclass
class _Lot:
    quantity: Decimal
    total: Decimal  # its cost in cash
    day: date


def account_name(name: str) -> str:
    """A portfolio name as one account component: letters, digits and '-', capitalised."""
    cleaned = _NOT_ACCOUNT.sub("-", name).strip("-") or "Portfolio"
    cleaned = cleaned[0].upper() + cleaned[1:]
    return cleaned if cleaned[0].isalpha() else f"P{cleaned}"


def commodity(ticker: str) -> str:
    """A ticker as a beancount commodity (it must start with a letter)."""
    symbol = _NOT_COMMODITY.sub("-", ticker.upper())
    return symbol if symbol[0].isalpha() else f"X{symbol}"


def ledger(name: str, opened_on: date, entries: Sequence[Entry], currency: str = "USD") -> str:
    """The ledger text; `bean-check` accepts it and its balances are erasmo's."""
    root = account_name(name)
    cash = f"Assets:Erasmo:{root}:Cash"
    tickers = sorted({e.ticker for e in entries if e.ticker})
    lines = [
        f'option "title" "erasmo: {name}"',
        f'option "operating_currency" "{currency}"',
        # a split's new lots carry their total cost, whose cost per share may not terminate
        f'option "inferred_tolerance_default" "{currency}:0.005"',
        "",
        f"{opened_on} open {cash} {currency}",
        f"{opened_on} open Equity:Erasmo:{root}:Contributions {currency}",
        f"{opened_on} open Income:Erasmo:{root}:Dividends {currency}",
        f"{opened_on} open Income:Erasmo:{root}:Gains {currency}",
        f"{opened_on} open Expenses:Erasmo:{root}:Fees {currency}",
    ]
    if any(e.kind == "interest" for e in entries):
        lines.append(f"{opened_on} open Expenses:Erasmo:{root}:Interest {currency}")
    for ticker in tickers:
        lines.append(f"{opened_on} commodity {commodity(ticker)}")
        lines.append(f'{opened_on} open {_stock(root, ticker)} {commodity(ticker)} "FIFO"')
    lots: dict[str, list[_Lot]] = {}
    for e in entries:
        lines.append("")
        lines.extend(_transaction(root, cash, currency, e, lots))
    return "\n".join([*lines, "", *_balances(root, cash, currency, entries, lots)]) + "\n"


def _balances(
    root: str, cash: str, currency: str, entries: Sequence[Entry], lots: dict[str, list[_Lot]]
) -> list[str]:
    """Balance assertions the day after the last entry: bean-check proves the ledger's cash
    and shares are erasmo's."""
    if not entries:
        return []
    after = entries[-1].day + timedelta(days=1)
    total = sum((e.cash for e in entries), Decimal(0))
    lines = [f"{after} balance {cash}  {total:.2f} {currency}"]
    for ticker, held in sorted(lots.items()):
        shares = sum((lot.quantity for lot in held), Decimal(0))
        lines.append(f"{after} balance {_stock(root, ticker)}  {shares} {commodity(ticker)}")
    return lines


def _stock(root: str, ticker: str) -> str:
    return f"Assets:Erasmo:{root}:Stocks:{commodity(ticker)}"


def _transaction(
    root: str, cash: str, currency: str, e: Entry, lots: dict[str, list[_Lot]]
) -> list[str]:
    day = e.day.isoformat()
    if e.kind in ("deposit", "withdrawal"):
        return [
            f'{day} * "{e.kind.capitalize()}"',
            f"  {cash}  {e.cash} {currency}",
            f"  Equity:Erasmo:{root}:Contributions  {-e.cash} {currency}",
        ]
    if e.kind == "interest":
        return [
            f'{day} * "Margin interest and borrow fees"',
            f"  {cash}  {e.cash} {currency}",
            f"  Expenses:Erasmo:{root}:Interest  {-e.cash} {currency}",
        ]
    assert e.ticker is not None
    stock, unit = _stock(root, e.ticker), commodity(e.ticker)
    if e.kind == "dividend":
        return [
            f'{day} * "Dividend {e.ticker} {e.price} a share"',
            f"  {cash}  {e.cash} {currency}",
            f"  Income:Erasmo:{root}:Dividends  {-e.cash} {currency}",
        ]
    if e.kind == "split":
        assert e.price is not None
        return _split(day, stock, unit, currency, e, lots.setdefault(e.ticker, []))
    assert e.quantity is not None
    assert e.price is not None
    held = lots.setdefault(e.ticker, [])
    fee = [f"  Expenses:Erasmo:{root}:Fees  {e.fee} {currency}"] if e.fee else []
    price = f"{day} price {unit} {e.price} {currency}"
    if e.kind == "buy":
        held.append(_Lot(e.quantity, e.quantity * e.price, e.day))
        return [
            f'{day} * "Buy {e.quantity} {e.ticker} at {e.price}"',
            f"  {stock}  {e.quantity} {unit} {{{e.price} {currency}, {day}}}",
            *fee,
            f"  {cash}  {e.cash} {currency}",
            price,
        ]
    _take(held, e.quantity)
    return [
        f'{day} * "Sell {e.quantity} {e.ticker} at {e.price}"',
        f"  {stock}  -{e.quantity} {unit} {{}} @ {e.price} {currency}",
        *fee,
        f"  {cash}  {e.cash} {currency}",
        f"  Income:Erasmo:{root}:Gains",
        price,
    ]


def _take(lots: list[_Lot], quantity: Decimal) -> None:
    """Reduce the lots first in, first out (as beancount's FIFO booking will)."""
    while quantity > 0 and lots:
        first = lots[0]
        taken = min(first.quantity, quantity)
        first.total -= first.total * taken / first.quantity
        first.quantity -= taken
        quantity -= taken
        if first.quantity == 0:
            lots.pop(0)


def _split(day: str, stock: str, unit: str, currency: str, e: Entry, lots: list[_Lot]) -> list[str]:
    """Every lot taken out at its cost and put back as ratio times the shares at the same
    total cost (dated the split's day)."""
    assert e.price is not None
    held = sum((lot.quantity for lot in lots), Decimal(0))
    lines = [f'{day} * "Split {e.ticker} {e.price}:1"', f"  {stock}  -{held} {unit} {{}}"]
    renewed = []
    for lot in lots:
        after = split_quantity(lot.quantity, e.price)
        lines.append(f"  {stock}  {after} {unit} {{{{{lot.total} {currency}}}}}")
        renewed.append(_Lot(after, lot.total, e.day))
    lots[:] = renewed
    return lines
