"""What an advance did to a margin account, as `erasmo advance` prints it."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from erasmo.cli.output import money

if TYPE_CHECKING:
    from erasmo.simulation.margin_clock import MarginReport


def margin_lines(report: MarginReport | None) -> list[str]:
    """The charges, margin calls and forced sales of an advance, one a line."""
    if report is None:
        return []
    # by day; on a day, what happened at the open (a call met, forced sales) before the close
    dated: list[tuple[date, int, str]] = [
        (day, 1, f"MARGIN CALL at the close: equity {money(worth)} below the maintenance "
         f"margin {money(needed)}")
        for day, worth, needed in report.calls
    ]  # fmt: skip
    dated += [(day, 0, "the margin call was met at the open") for day in report.met]
    for sale in report.forced:
        verb = "sold" if sale.side == "sell" else "bought to cover"
        dated.append(
            (
                sale.day,
                0,
                f"FORCED: {sale.quantity.normalize():f} {sale.ticker} {verb} at the open @ "
                f"{sale.price} (fee {money(sale.fee)}): {sale.reason}",
            )
        )
    lines = [f"  {day} {text}" for day, _, text in sorted(dated, key=lambda d: d[:2])]
    if report.interest or report.borrow_fee:
        lines.append(
            f"  margin interest {money(report.interest)}, borrow fees "
            f"{money(report.borrow_fee)} charged"
        )
    return lines


def margin_json(report: MarginReport | None) -> dict[str, Any] | None:
    """`advance --json`'s "margin": charges, calls and forced sales (None: a cash account)."""
    if report is None:
        return None
    return {
        "interest": report.interest,
        "borrow_fee": report.borrow_fee,
        "calls": [
            {"on": day, "equity": worth, "requirement": needed}
            for day, worth, needed in report.calls
        ],
        "met": list(report.met),
        "forced": [
            {
                "on": s.day,
                "ticker": s.ticker,
                "side": s.side,
                "quantity": s.quantity,
                "price": s.price,
                "fee": s.fee,
                "reason": s.reason,
            }
            for s in report.forced
        ],
    }
