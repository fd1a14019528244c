"""What the simulation service hands out: orders as people read them, rules, advance reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from erasmo.market.base import CorporateAction
from erasmo.simulation.margin_clock import MarginReport
from events.application import LoggedEvent
from events.orders import Order
from events.portfolio import Portfolio
from events.rules.volume import max_volume_pct, reserve_after


@dataclass(frozen=True, slots=True)
class OrderView:
    """An order as the CLI and the GUI show it, with what became of it.

    Attributes:
        order_id: its full id; `short_id` is its first 8 characters.
        number: its place in the portfolio's placement order, from 1.
        side, ticker, quantity, kind, limit, stop, trail_amount, trail_percent, tif, expires:
            as placed.
        reserved: cash (buy) or shares (sell) held back while it is open.
        placed_on: the market date it was placed on.
        status: "open", "filled", "cancelled", "expired", "rejected" or "voided" ("part
            filled" in an advance's report: a volume-capped fill of `quantity`, the rest still
            open).
        filled: how much of it filled in parts so far (volume-capped fills).
        done_on: the market date it stopped being open, or None.
        fill_price, fee, slippage: the fill's price, commission and slippage per share.
        reason: why it was rejected or voided (a filled order: that its trade was voided).
    """

    order_id: str
    number: int
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
    reserved: Decimal
    placed_on: date
    status: str = "open"
    done_on: date | None = None
    fill_price: Decimal | None = None
    fee: Decimal | None = None
    slippage: Decimal | None = None
    reason: str | None = None
    filled: Decimal = Decimal(0)

    @property
    def short_id(self) -> str:
        """The first 8 characters of the id (what the CLI shows and accepts)."""
        return self.order_id[:8]

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def describe(self) -> str:
        """E.g. "buy 10 IBM limit 120.00 gtc"."""
        terms: list[str] = []
        if self.stop is not None:
            terms.append(f"stop {self.stop}")
        if self.limit is not None:
            terms.append(f"limit {self.limit}")
        if self.trail_amount is not None:
            terms.append(f"trailing {self.trail_amount}")
        if self.trail_percent is not None:
            terms.append(f"trailing {self.trail_percent}%")
        until = f" until {self.expires}" if self.expires else ""
        quantity = format(self.quantity.normalize(), "f")
        return " ".join(
            [self.side, quantity, self.ticker, *(terms or ["market"]), self.tif + until]
        )

    @classmethod
    def of(cls, order: Order) -> OrderView:
        return cls(
            order.order_id,
            order.number,
            order.side,
            order.ticker,
            order.quantity,
            order.kind,
            order.limit,
            order.stop,
            order.trail_amount,
            order.trail_percent,
            order.tif,
            order.expires,
            order.reserved,
            order.placed_on,
        )


@dataclass(frozen=True, slots=True)
class TradingRules:
    """A portfolio's mode, commission spec, slippage in basis points and volume cap (the most
    of a bar's volume an order may fill on it, in percent; None: no cap)."""

    mode: str
    commission: str
    slippage_bps: Decimal
    max_volume_pct: Decimal | None = None

    @classmethod
    def of(cls, p: Portfolio) -> TradingRules:
        """The rules of an aggregate."""
        return cls(p.mode, p.commission, p.slippage_bps, max_volume_pct(p))


@dataclass(frozen=True, slots=True)
class AdvanceReport:
    """What one advance of the clock did.

    Attributes:
        portfolio: the portfolio's name.
        start, end: the clock before and after.
        trading_days: how many trading days of the market calendar it stepped.
        filled, expired, rejected: the orders that became so, in the order recorded.
        open_orders: how many orders are still open.
        cash_after: the portfolio's cash after it.
        actions: the splits and dividends recorded on the way (ticker held on the ex-date).
        cancelled: the open orders cancelled by a split of their ticker (their terms were in
            pre-split shares), or before a forced sale of their ticker.
        margin: a margin account's interest, borrow fees, margin calls and forced sales.
    """

    portfolio: str
    start: date
    end: date
    trading_days: int
    filled: tuple[OrderView, ...]
    expired: tuple[OrderView, ...]
    rejected: tuple[OrderView, ...]
    open_orders: int
    cash_after: Decimal
    actions: tuple[CorporateAction, ...] = ()
    cancelled: tuple[OrderView, ...] = ()
    margin: MarginReport | None = None  # a margin account's charges, calls and forced sales


def orders_from_history(events: Sequence[LoggedEvent]) -> list[OrderView]:
    """Every order of a portfolio's history with what became of it, in placement order (an
    order whose placement was voided: "voided", with the void's reason)."""
    views: dict[str, OrderView] = {}
    placed: dict[int, str] = {}  # the version of each placement -> its order
    traded: dict[int, str] = {}  # the version of each fill's trade (the event after it) -> order
    for event in events:
        f = event.fields
        if event.type == "EventVoided" and int(f["about"]) in placed:
            order_id = placed[int(f["about"])]
            views[order_id] = replace(
                views[order_id], status="voided", done_on=event.on, reason=f.get("reason")
            )
        elif event.type == "EventVoided" and int(f["about"]) in traded:
            order_id = traded[int(f["about"])]  # it stays filled; its trade is out of the books
            why = f"its trade was voided: {f.get('reason')}"
            views[order_id] = replace(views[order_id], reason=why)
        elif event.type == "OrderPlaced":
            placed[event.version] = f["order_id"]
            views[f["order_id"]] = OrderView(
                f["order_id"],
                len(views) + 1,
                f["side"],
                f["ticker"],
                f["quantity"],
                f["kind"],
                f["limit"],
                f["stop"],
                f["trail_amount"],
                f["trail_percent"],
                f["tif"],
                f["expires"],
                f["reserved"],
                event.on,
            )
        elif event.type == "OrderFilled":
            traded[event.version + 1] = f["order_id"]
            views[f["order_id"]] = replace(
                views[f["order_id"]],
                status="filled",
                done_on=event.on,
                fill_price=f["price"],
                fee=f["fee"],
                slippage=f["slippage"],
            )
        elif event.type == "OrderPartiallyFilled":
            view = views[f["order_id"]]
            rest = {"side": view.side, "quantity": view.quantity - view.filled}
            held = reserve_after({**rest, "reserved": view.reserved}, f["quantity"])
            views[f["order_id"]] = replace(view, filled=view.filled + f["quantity"], reserved=held)
            traded[event.version + 1] = f["order_id"]
        elif event.type in ("OrderCancelled", "OrderExpired", "OrderRejected"):
            status = event.type.removeprefix("Order").lower()
            views[f["order_id"]] = replace(
                views[f["order_id"]], status=status, done_on=event.on, reason=f.get("reason")
            )
    return list(views.values())
