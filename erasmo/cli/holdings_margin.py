"""The "margin used" of `erasmo holdings` for a margin account: the equity each position ties
up, its initial margin x |market value| (a short's market value is negative), and their sum;
the numbers of the window's Holdings column of that name. A cash account shows none of it."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from erasmo.door.accounts import AccountView

HEADER = "margin used"


def margin_rate(account: AccountView) -> float | None:
    """The initial margin (a fraction) of a margin account; None for a cash account."""
    return float(account.initial_margin) if account.account == "margin" else None


def margin_used(row: Any, rate: float) -> float:
    """What one position (a holdings row) ties up: rate x |market value| (NaN: no value)."""
    value = float(row.market_value)
    return math.nan if math.isnan(value) else rate * abs(value)


def margin_cells(row: Any, rate: float | None) -> list[str]:
    """The row's "margin used" cell for a margin account (none for a cash account)."""
    if rate is None:
        return []
    used = margin_used(row, rate)
    return ["n/a" if math.isnan(used) else f"{used:,.2f}"]


def margin_headers(rate: float | None) -> list[str]:
    return [] if rate is None else [HEADER]


def margin_lines(rows: list[Any], rate: float | None) -> list[str]:
    """The total under the table, with how it is computed (none for a cash account)."""
    if rate is None:
        return []
    used = [u for u in (margin_used(r, rate) for r in rows) if not math.isnan(u)]
    return [
        f"Margin used: {sum(used):,.2f} (initial margin {rate * 100:g}% x |market value| of each "
        "position)"
    ]


def with_margin(data: dict[str, Any], rows: list[Any], rate: float | None) -> dict[str, Any]:
    """`holdings --json` with each position's "margin_used" and their total, for a margin
    account (unchanged for a cash account)."""
    if rate is None:
        return data
    used = [margin_used(r, rate) for r in rows]
    positions = [
        {**p, "margin_used": None if math.isnan(u) else f"{u:.2f}"}
        for p, u in zip(data["positions"], used, strict=True)
    ]
    total = sum(u for u in used if not math.isnan(u))
    return {**data, "margin_used": f"{total:.2f}", "positions": positions}
