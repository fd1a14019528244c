"""Portfolio Performance's CSV import format, one file of account and portfolio transactions.

Columns: Date, Type, Value, Transaction Currency, Shares, Ticker Symbol, Fees, Taxes, Note. A
buy's value is what the account paid (the trade's value plus the fee), a sale's what it got
(the value less the fee). PP has no split transaction: a split is written as a "Delivery
(Inbound)" of the shares it added at no value, which erasmo's own `pp` preset reads back as a
split (a reverse split, which takes shares away, cannot be written and is refused).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal

from erasmo.exporters.entries import Entry
from events.errors import InvalidInputError
from events.values import split_quantity

HEADER = (
    "Date",
    "Type",
    "Value",
    "Transaction Currency",
    "Shares",
    "Ticker Symbol",
    "Fees",
    "Taxes",
    "Note",
)
_TYPES = {
    "deposit": "Deposit",
    "withdrawal": "Removal",
    "buy": "Buy",
    "sell": "Sell",
    "dividend": "Dividend",
    "interest": "Interest Charge",  # margin interest and borrow fees
}


def pp_csv(entries: Sequence[Entry], currency: str = "USD") -> str:
    """The CSV text PP imports ("Import > CSV files" with these column names)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    quantities = _Holdings()
    for e in entries:
        if e.kind == "split":
            assert e.ticker is not None
            assert e.price is not None
            added = quantities.split(e.ticker, e.price)
            if added < 0:
                raise InvalidInputError(
                    f"The reverse split of {e.ticker} on {e.day} takes shares away, which "
                    "Portfolio Performance's CSV cannot say; export as beancount or csv instead."
                )
            writer.writerow(
                [e.day.isoformat(), "Delivery (Inbound)", "0.00", currency, added, e.ticker,
                 "", "", f"split {e.price}:1"]
            )  # fmt: skip
            continue
        quantities.apply(e)
        value = abs(e.cash)
        shares_cell = e.quantity if e.kind in ("buy", "sell", "dividend") else ""
        writer.writerow(
            [e.day.isoformat(), _TYPES[e.kind], f"{value:.2f}", currency, shares_cell,
             e.ticker or "", f"{e.fee:.2f}" if e.kind in ("buy", "sell") else "", "", ""]
        )  # fmt: skip
    return out.getvalue()


class _Holdings:
    """Shares held, to say how many a split adds."""

    def __init__(self) -> None:
        self.zero = Decimal(0)
        self.shares: dict[str, Decimal] = {}

    def apply(self, e: Entry) -> None:
        if e.ticker is None or e.quantity is None or e.kind not in ("buy", "sell"):
            return
        sign = 1 if e.kind == "buy" else -1
        self.shares[e.ticker] = self.shares.get(e.ticker, self.zero) + sign * e.quantity

    def split(self, ticker: str, ratio: Decimal) -> Decimal:
        before = self.shares.get(ticker, self.zero)
        after = split_quantity(before, ratio)
        self.shares[ticker] = after
        return after - before
