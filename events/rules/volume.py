"""Volume-limited fills: a portfolio's participation cap and the partial fills it makes.

With a cap of P percent, an order fills on a bar at most P% of the bar's volume, rounded down
to whole shares (see docs/fill-rules.md). A fill of part of an order is an
`OrderPartiallyFilled` (followed by its trade, as an `OrderFilled` is): the order stays open
with the rest of its quantity, holding back the rest of what it reserved.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import Any

from events.errors import InvalidOrderError, VolumeDataError
from events.rules.book import ZERO, Book
from events.rules.status import check_open_and_clock

HUNDRED = Decimal(100)
#: The fields of an OrderPartiallyFilled (those of an OrderFilled).
PART_FIELDS = ("order_id", "bar_day", "price", "quantity", "fee", "slippage", "on")
CENT = Decimal("0.01")


def max_volume_pct(p: Book) -> Decimal | None:
    """The portfolio's cap in percent of a bar's volume, or None (no cap, the default)."""
    found: Decimal | None = p.__dict__.get("max_volume_pct")
    return found


def checked_cap(p: Book, pct: Decimal | None, on: date) -> dict[str, Any]:
    """The fields of a VolumeCapSet: a percentage above 0 and at most 100, or None (no cap)."""
    if pct is not None:
        if not isinstance(pct, Decimal) or not pct.is_finite() or not ZERO < pct <= HUNDRED:
            raise VolumeDataError(
                f"A volume cap of {pct}% is not above 0 and at most 100: give a percentage "
                "of a bar's volume, e.g. --max-volume-pct 10 (or 'off' for no cap)."
            )
        pct = pct.normalize() if pct != pct.to_integral_value() else pct.quantize(Decimal(1))
    check_open_and_clock(p, on)
    return {"max_volume_pct": pct, "on": on}


def cap_set(self: Book, max_volume_pct: Decimal | None, on: date) -> None:
    self.max_volume_pct = max_volume_pct  # type: ignore[attr-defined]
    self.clock = max(self.clock, on)


def reserve_after(order: dict[str, Any], quantity: Decimal) -> Decimal:
    """What an open order holds back once `quantity` of it has filled: a sell the rest of its
    shares, a buy the rest of its cash in proportion, rounded up to the cent."""
    whole: Decimal = order["quantity"]
    rest = whole - quantity
    if order["side"] == "sell":
        return rest
    reserved: Decimal = order["reserved"]
    return (reserved * rest / whole).quantize(CENT, rounding=ROUND_CEILING)


def check_part(order: dict[str, Any], quantity: Decimal | None) -> Decimal:
    """The quantity a fill takes: the whole open quantity (None) or a part of it."""
    whole: Decimal = order["quantity"]
    if quantity is None:
        return whole
    if not isinstance(quantity, Decimal) or not quantity.is_finite() or not quantity > 0:
        raise InvalidOrderError(f"A fill's quantity {quantity!r} must be above 0.")
    if quantity > whole:
        raise InvalidOrderError(
            f"A fill of {quantity} is more than the {whole} order {order['order_id'][:8]} "
            "still has open."
        )
    return quantity


def partially_filled(
    self: Book,
    order_id: str,
    bar_day: date,
    price: Decimal,
    quantity: Decimal,
    fee: Decimal,
    slippage: Decimal,
    on: date,
) -> None:
    order = self.open_orders[order_id]
    rest = {
        **order,
        "quantity": order["quantity"] - quantity,
        "reserved": reserve_after(order, quantity),
        "filled": order.get("filled", ZERO) + quantity,
        "last_fill_on": bar_day,
    }
    self.open_orders = {**self.open_orders, order_id: rest}
    self.clock = max(self.clock, on)
