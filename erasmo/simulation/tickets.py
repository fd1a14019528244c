"""An order as typed (parsed and checked before any portfolio is read) and the cash a buy holds
back: the pure part of placing an order (`SimulationService.place_order`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from events.commission import Commission
from events.errors import InvalidOrderError
from events.orders import ORDER_KINDS, check_order_shape
from events.values import check_trade_value, parse_date, parse_price, parse_quantity, parse_ticker

ZERO = Decimal(0)
BPS = Decimal(10_000)


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """An order's terms, parsed and checked against what its kind needs (see `Order`)."""

    side: str
    ticker: str
    quantity: Decimal
    kind: str
    limit: Decimal | None
    stop: Decimal | None
    trail_amount: Decimal | None
    trail_percent: Decimal | None
    tif: str
    expires: date | None


def parse_order(
    side: str,
    ticker: str,
    quantity: str | Decimal,
    kind: str,
    limit: str | Decimal | None,
    stop: str | Decimal | None,
    trail: str | Decimal | None,
    tif: str,
    expires: str | date | None,
) -> OrderRequest:
    """The order's terms as typed, or the named error of the first one that is wrong.
    `trail` is an amount ("2.50") or a percentage ("5%") for a trailing stop."""
    side, kind, tif = side.strip().lower(), kind.strip().lower(), tif.strip().lower()
    if side not in ("buy", "sell"):
        raise InvalidOrderError(f"Side {side!r} is not buy or sell.")
    if kind not in ORDER_KINDS:
        raise InvalidOrderError(f"Order type {kind!r} is not one of {', '.join(ORDER_KINDS)}.")
    symbol, shares = parse_ticker(ticker), parse_quantity(quantity)
    limit_price = parse_price(limit) if limit is not None else None
    stop_price = parse_price(stop) if stop is not None else None
    trail_amount, trail_percent = _parse_trail(trail)
    check_order_shape(side, kind, limit_price, stop_price, trail_amount, trail_percent)
    check_trade_value(shares, limit_price, stop_price, trail_amount)
    until = parse_date(expires) if expires is not None else None
    return OrderRequest(
        side, symbol, shares, kind, limit_price, stop_price, trail_amount, trail_percent, tif, until
    )


def estimated_cost(
    request: OrderRequest, close: Decimal, slippage_bps: Decimal, commission: Commission
) -> Decimal:
    """The cash a buy order holds back: quantity x its likely price, with slippage, plus
    the commission on that value (rounded up to the cent, at least one cent).

    The likely price is the limit for limit and stop-limit orders, the higher of the stop
    and the last close (`close`) for stop orders, the last close plus the trail for trailing
    stops, and the last close for market orders. A gap can make a fill cost more than this;
    the fill is then checked against the cash the order may use, and rejected if short.
    """
    kind = request.kind
    if kind in ("limit", "stop-limit"):
        assert request.limit is not None
        price = request.limit
    elif kind == "stop":
        assert request.stop is not None
        price = max(request.stop, close)
    elif kind == "trailing":
        if request.trail_amount is not None:
            price = close + request.trail_amount
        else:
            price = close * (1 + (request.trail_percent or ZERO) / 100)
    else:
        price = close
    slipped = price * (1 + slippage_bps / BPS)
    value = (request.quantity * slipped).quantize(Decimal("0.01"), rounding=ROUND_CEILING)
    fee = commission.fee(request.quantity, slipped)
    return max(value + fee, Decimal("0.01"))


def _parse_trail(trail: str | Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    if trail is None:
        return None, None
    if isinstance(trail, str) and trail.strip().endswith("%"):
        return None, parse_price(trail.strip().removesuffix("%"))
    return parse_price(trail), None
