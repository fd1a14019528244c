"""A portfolio's history as plain entries: what changed cash or shares, in order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from events.logged import LoggedEvent

ZERO = Decimal(0)
KINDS = {
    "CashDeposited": "deposit",
    "CashWithdrawn": "withdrawal",
    "SharesBought": "buy",
    "SharesSold": "sell",
    "DividendReceived": "dividend",
    "SplitApplied": "split",
    "MarginCharged": "interest",  # a margin account's interest and borrow fees
}


@dataclass(frozen=True, slots=True)
class Entry:
    """One event that moved cash or shares.

    Attributes:
        kind: deposit, withdrawal, buy, sell, dividend, split or interest (a margin
            account's margin interest and borrow fees, charged to cash).
        day: its market date.
        ticker: the stock (None for cash).
        quantity: shares traded; the holding a dividend was paid on; None otherwise.
        price: a trade's price; a dividend's amount per share; a split's ratio.
        value: a trade's value (quantity x price, to the cent).
        fee: a trade's fee.
        cash: the cash it moved, signed (a buy's value and fee are negative).
        source: where a trade's price came from.
    """

    kind: str
    day: date
    ticker: str | None
    quantity: Decimal | None
    price: Decimal | None
    value: Decimal
    fee: Decimal
    cash: Decimal
    source: str


def entries_of(history: Sequence[LoggedEvent]) -> list[Entry]:
    """The entries of a portfolio's logged events (the other events are left out)."""
    out = []
    for event in history:
        kind = KINDS.get(event.type)
        if kind is None:
            continue
        f = event.fields
        if kind in ("deposit", "withdrawal", "interest"):
            amount = f["amount"]
            cash = amount if kind == "deposit" else -amount
            out.append(Entry(kind, event.on, None, None, None, amount, ZERO, cash, ""))
        elif kind in ("buy", "sell"):
            value, fee = f["value"], f["fee"]
            cash = -(value + fee) if kind == "buy" else value - fee
            out.append(
                Entry(kind, event.on, f["ticker"], f["quantity"], f["price"], value, fee, cash,
                      str(f.get("price_source", "")))
            )  # fmt: skip
        elif kind == "dividend":
            amount = f["amount"]
            out.append(
                Entry(kind, event.on, f["ticker"], f["quantity"], f["amount_per_share"], amount,
                      ZERO, amount, "")
            )  # fmt: skip
        else:
            out.append(Entry(kind, event.on, f["ticker"], None, f["ratio"], ZERO, ZERO, ZERO, ""))
    return out
