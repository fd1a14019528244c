"""The "margin used" of `erasmo holdings` for a margin account: the equity each position ties
up, its initial margin x |market value| (a short's market value is negative), rounded to the
cent half-up from exact decimals (`erasmo.door.accounts.margin_used`), and the sum of those
cents; the numbers of the window's Holdings column of that name. A cash account shows none."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from erasmo.door.accounts import AccountView

HEADER = "margin used"


def margin_rate(account: AccountView) -> Decimal | None:
    """The initial margin (a fraction) of a margin account; None for a cash account."""
    return account.initial_margin if account.account == "margin" else None


def margin_used(row: Any, rate: Decimal) -> Decimal | None:
    """What one position (a holdings row) ties up: rate x |market value| (None: no value)."""
    from erasmo.door.accounts import margin_used as position_margin

    return position_margin(rate, float(row.quantity), float(row.last_price))


def _total(rows: list[Any], rate: Decimal) -> Decimal:
    """The sum of the rows' rounded figures (the column adds up to it)."""
    return sum((u for u in (margin_used(r, rate) for r in rows) if u is not None), Decimal(0))


def margin_cells(row: Any, rate: Decimal | None) -> list[str]:
    """The row's "margin used" cell for a margin account (none for a cash account)."""
    if rate is None:
        return []
    used = margin_used(row, rate)
    return ["n/a" if used is None else f"{used:,}"]


def margin_headers(rate: Decimal | None) -> list[str]:
    return [] if rate is None else [HEADER]


def margin_lines(rows: list[Any], rate: Decimal | None) -> list[str]:
    """The total under the table, with how it is computed (none for a cash account)."""
    if rate is None:
        return []
    return [
        f"Margin used: {_total(rows, rate):,} (initial margin {float(rate) * 100:g}% x "
        "|market value| of each position)"
    ]


def with_margin(data: dict[str, Any], rows: list[Any], rate: Decimal | None) -> dict[str, Any]:
    """`holdings --json` with each position's "margin_used" and their total, for a margin
    account (unchanged for a cash account)."""
    if rate is None:
        return data
    positions = [
        {**p, "margin_used": None if (u := margin_used(r, rate)) is None else format(u, "f")}
        for p, r in zip(data["positions"], rows, strict=True)
    ]
    return {**data, "margin_used": format(_total(rows, rate), "f"), "positions": positions}


def account_json(account: AccountView) -> dict[str, Any]:
    """A margin account as `clock --json` and `portfolio rules --json` give it: its terms
    (fractions, annual rates), equity and buying power, the margin charges so far and the
    latest margin call; money to the cent, half-up, as decimal strings."""

    def cents(value: Decimal) -> str:
        return format(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f")

    call = account.margin_call
    return {
        "account": account.account,
        "initial_margin": format(account.initial_margin, "f"),
        "maintenance_long": format(account.maintenance_long, "f"),
        "maintenance_short": format(account.maintenance_short, "f"),
        "margin_interest": format(account.margin_interest, "f"),
        "borrow_fee": format(account.borrow_fee, "f"),
        "borrow_overrides": account.borrow_overrides,
        "equity": cents(account.equity),
        "buying_power": cents(account.buying_power),
        "margin_charges": {
            "interest": cents(account.interest_paid),
            "borrow_fees": cents(account.borrow_fees_paid),
        },
        "margin_call": None
        if call is None
        else {
            "on": call[0].isoformat(),
            "equity": cents(call[1]),
            "requirement": cents(call[2]),
            "open": account.call_open,
        },
    }
