"""What an advance did to a margin account, as `erasmo advance` prints it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from erasmo.cli.output import money

if TYPE_CHECKING:
    from erasmo.simulation.margin_clock import MarginReport


def margin_lines(report: MarginReport | None) -> list[str]:
    """The charges, margin calls and forced sales of an advance, one a line."""
    if report is None:
        return []
    lines = []
    if report.interest or report.borrow_fee:
        lines.append(
            f"  margin interest {money(report.interest)}, borrow fees "
            f"{money(report.borrow_fee)} charged"
        )
    met = set(report.met)
    for day, worth, needed in report.calls:
        lines.append(
            f"  MARGIN CALL {day}: equity {money(worth)} below the maintenance margin "
            f"{money(needed)}"
        )
    for day in sorted(met):
        lines.append(f"  {day}: the margin call was met at the open")
    for sale in report.forced:
        verb = "sold" if sale.side == "sell" else "bought to cover"
        lines.append(
            f"  {sale.day} FORCED: {sale.quantity.normalize():f} {sale.ticker} {verb} at the "
            f"open @ {sale.price} (fee {money(sale.fee)}): {sale.reason}"
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
