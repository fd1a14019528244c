"""Voiding an order placement (`events.rules.voids`): an order that has not filled.

An `OrderPlaced` may be voided while the order is open and nothing of it has filled: the state
after the void is that of a log without the placement (the order is no longer open and holds
nothing back); history keeps both events. Refused, naming what to do instead:

- an order that filled, whole or in part: its fill stays, and what moved the cash and shares
  is the trade recorded with the fill: void that trade instead (the order stays filled, its
  trade taken out); an order still open after a part fill is cancelled for its rest;
- an order that is no longer open (cancelled, expired, rejected): it holds nothing back, and
  there is nothing to take out.

Voiding a fill's trade keeps the fill: the rebuild re-makes the fill and skips its trade.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

PLACED = "OrderPlaced"
FILLS = ("OrderFilled", "OrderPartiallyFilled")
ENDS = ("OrderCancelled", "OrderExpired", "OrderRejected")


def order_words(fields: dict[str, Any]) -> str:
    """An order in words: "the order to buy 10 XYZ (1a2b3c4d)"."""
    order_id = str(fields.get("order_id", ""))[:8]
    return f"the order to {fields['side']} {fields['quantity']} {fields['ticker']} ({order_id})"


def order_refusal(entries: Sequence[tuple[str, dict[str, Any]]], about: int) -> str | None:
    """Why the order placed at version `about` cannot be voided (None: it can), events named
    "event N" by version; `entries` are the portfolio's events so far (version i is
    `entries[i - 1]`)."""
    placed = entries[about - 1][1]
    order_id = placed["order_id"]
    what = order_words(placed)
    trades: list[int] = []
    for version in range(about + 1, len(entries) + 1):
        kind, fields = entries[version - 1]
        if fields.get("order_id") != order_id:
            continue
        if kind in FILLS:
            trades.append(version + 1)  # a fill's trade is recorded right after it
        elif kind in ENDS and not trades:
            ended = kind.removeprefix("Order").lower()
            return (
                f"Event {about} is {what}, which was {ended} (event {version}): it holds "
                "nothing back and there is nothing to void."
            )
    if not trades:
        return None
    listed = ", ".join(f"event {t}" for t in trades)
    them = "that trade" if len(trades) == 1 else "those trades"
    rest = "" if _done(entries, order_id, about) else " and cancel the order's rest"
    return (
        f"Event {about} is {what}, which has filled (its trade{'s' if len(trades) > 1 else ''}: "
        f"{listed}): a filled order cannot be voided. Void {them} instead{rest}; the order "
        "stays in the history as filled."
    )


def _done(entries: Sequence[tuple[str, dict[str, Any]]], order_id: str, about: int) -> bool:
    """Whether the order stopped being open (a whole fill, a cancel, an expiry, a rejection)."""
    return any(
        kind in ("OrderFilled", *ENDS) and fields.get("order_id") == order_id
        for kind, fields in entries[about:]
    )
