"""What an advance will do, worked out from the bars alone: the planner of `SimulationService`.

`plan` is pure: given the open orders, each ticker's bars, the market calendar and the trading
rules, it returns what happens to each order by the target day (the bar it fills on, at what
price and fee, or the day its time in force runs out) and the corporate actions that fall due,
as typed outcomes in the order they apply. It reads no store and records nothing; the service
applies the outcomes through the application, where the portfolio's rules (cash, shares) may
still reject a fill.

Orders cannot be placed while the clock advances, so each order's outcome depends only on the
bars and on the cash the earlier outcomes leave: applying them in (day, placement) order is
exact. Splits and dividends join them before the fills of their ex-date (a split before a
dividend): they apply to the shares held at the close of the day before.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

from erasmo.market.base import CorporateAction
from events.commission import Commission
from events.errors import DateOutOfRangeError, InvalidOrderError
from events.orders import Order
from events.values import parse_date

if TYPE_CHECKING:  # fills loads numpy: only once an order is simulated
    from erasmo.simulation.fills import BarArrays, OrderTerms

Progress = Callable[[int, int], None]
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class TickerBars:
    """A ticker's bars: their days, ascending, and the bars as arrays (same length)."""

    days: Sequence[date]
    arrays: BarArrays


@dataclass(frozen=True, slots=True)
class Filled:
    """`order` fills on the bar of `day` at `price` (slippage included), paying `fee`; `part`:
    the quantity of a fill capped by the bar's volume, less than the order's (None: all of it)."""

    day: date
    order: Order
    price: Decimal
    fee: Decimal
    slippage: Decimal
    part: Decimal | None = None

    @property
    def rank(self) -> int:
        return self.order.number


@dataclass(frozen=True, slots=True)
class Expired:
    """`order`'s time in force runs out on `day` without a fill."""

    day: date
    order: Order

    @property
    def rank(self) -> int:
        return self.order.number


@dataclass(frozen=True, slots=True)
class ActionDue:
    """A split or dividend with ex-date `day` of a ticker held or bought by an open order."""

    day: date
    action: CorporateAction

    @property
    def rank(self) -> int:
        """Before every order of its day; a split before a dividend."""
        return -2 if self.action.kind == "split" else -1


Outcome = Filled | Expired | ActionDue


def plan(
    orders: Sequence[Order],
    bars: Mapping[str, TickerBars],
    references: Mapping[str, Decimal],
    calendar: Sequence[date],
    window: tuple[date, date],
    rules: tuple[Commission, Decimal],
    actions: Sequence[CorporateAction] = (),
    progress: Progress | None = None,
    cap: Decimal | None = None,
) -> list[Outcome]:
    """The outcomes of advancing from `window[0]` (the clock) to `window[1]` (the target),
    sorted by (day, rank).

    Args:
        orders: the open orders.
        bars: ticker -> its bars, covering each order's placing day to the target.
        references: order id -> the close before its placing day, for the orders whose ticker
            has no bar on or before that day in `bars` (a trailing stop starts from it).
        calendar: the market's trading days, ascending.
        rules: the commission model and the slippage in basis points.
        actions: the splits and dividends with ex-dates in the window that concern the
            portfolio.
        progress: called with (orders done, orders) as the orders are worked through.
        cap: the most of a bar's volume an order may fill on it, in percent (None: no cap);
            an order larger than that fills in parts over several bars.
    """
    outcomes: list[Outcome] = []
    for done, order in enumerate(orders):
        if progress is not None:
            progress(done, len(orders))
        series = bars[order.ticker]
        outcomes.extend(_outcomes(order, series, references, calendar, window, rules, cap))
    if progress is not None:
        progress(len(orders), len(orders))
    outcomes.extend(ActionDue(action.day, action) for action in actions)
    outcomes.sort(key=lambda o: (o.day, o.rank))
    return outcomes


def target_day(
    calendar: Sequence[date], start: date, days: int | None, to: str | date | None
) -> date:
    """The day an advance from `start` ends on: `days` trading days on (default 1), or the last
    trading day on or before `to`; a named error if that is not after `start` or past the data."""
    latest = calendar[-1]
    if days is not None and to is not None:
        raise InvalidOrderError("Give either a number of days or a date to advance to.")
    if to is not None:
        wanted = parse_date(to)
        if wanted <= start:
            raise DateOutOfRangeError(
                f"{wanted.isoformat()} is not after the clock ({start.isoformat()}): the "
                "clock only moves forward."
            )
        if wanted > latest:
            raise DateOutOfRangeError(
                f"{wanted.isoformat()} is after the market data ends on {latest.isoformat()}."
                f" Advance to {latest.isoformat()} or earlier."
            )
        index = bisect.bisect_right(calendar, wanted) - 1
        target = calendar[index]
        return target if target > start else wanted
    steps = 1 if days is None else days
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise InvalidOrderError(
            f"Advance by a whole number of trading days (1 or more), not {days!r}."
        )
    index = bisect.bisect_right(calendar, start) + steps - 1
    if index >= len(calendar):
        raise DateOutOfRangeError(
            f"The market data ends on {latest.isoformat()}, "
            f"{len(calendar) - bisect.bisect_right(calendar, start)} trading days after the "
            f"clock ({start.isoformat()}); advance by fewer days."
        )
    return calendar[index]


def expiry(order: Order, calendar: Sequence[date], start: date) -> date | None:
    """The day `order`'s time in force runs out: a day order's is the trading day after its
    placing day, a GTC order's its expiry date's trading day (never before `start`); None if
    it never runs out."""
    if order.tif == "day":
        following = bisect.bisect_right(calendar, order.placed_on)
        return calendar[following] if following < len(calendar) else None
    if order.expires is not None:
        index = bisect.bisect_right(calendar, order.expires) - 1
        return max(calendar[index], start) if index >= 0 else start
    return None


def _outcomes(
    order: Order,
    series: TickerBars,
    references: Mapping[str, Decimal],
    calendar: Sequence[date],
    window: tuple[date, date],
    rules: tuple[Commission, Decimal],
    cap: Decimal | None,
) -> list[Outcome]:
    """The fills (whole, or parts capped by volume) and the expiry of one order by the target
    day; none if it stays open untouched."""
    from erasmo.simulation.fills import OrderTerms, first_fill

    start, target = window
    days, arrays = series.days, series.arrays
    lo = bisect.bisect_right(days, order.last_fill_on or order.placed_on)
    ends = expiry(order, calendar, start)
    last = target
    if ends is not None:
        last = min(last, order.expires if order.expires is not None else ends)
    hi = bisect.bisect_right(days, last)
    placed = bisect.bisect_right(days, order.placed_on)
    reference = arrays.bars[placed - 1].close if placed > 0 else references.get(order.order_id)
    terms = OrderTerms(
        order.side,
        order.kind,
        order.limit,
        order.stop,
        order.trail_amount,
        order.trail_percent,
        reference,
    )
    if order.filled:
        terms = resting(terms)
    commission, bps = rules
    found: list[Outcome] = []
    rest = order.quantity
    while (fill := first_fill(terms, arrays, lo, hi, bps)) is not None:
        take = min(rest, volume_cap(arrays.bars[fill.index].volume, cap))
        lo = fill.index + 1
        if take <= 0:  # no volume to take a share of: what it triggered stays triggered
            terms = resting(terms)
            continue
        part = take if take < rest else None
        fee = commission.fee(take, fill.price)
        found.append(Filled(days[fill.index], order, fill.price, fee, fill.slippage, part))
        rest -= take
        if part is None:
            return found
        terms = resting(terms)
    if ends is not None and ends <= target:
        found.append(Expired(max(ends, start), order))
    return found


def volume_cap(volume: int | None, cap: Decimal | None) -> Decimal:
    """The most shares a fill may take on a bar of `volume` under a cap of `cap` percent: whole
    shares, rounded down; no limit without a cap or where the bar has no volume."""
    if cap is None or volume is None:
        return Decimal("Infinity")
    return (Decimal(volume) * cap / HUNDRED).to_integral_value(ROUND_FLOOR)


def resting(terms: OrderTerms) -> OrderTerms:
    """What is left of an order after a part of it filled: a stop or trailing stop has
    triggered, so the rest is a market order; a stop-limit's rest is a limit order."""
    from erasmo.simulation.fills import OrderTerms

    if terms.kind in ("stop", "trailing"):
        return OrderTerms(terms.side, "market")
    if terms.kind == "stop-limit":
        return OrderTerms(terms.side, "limit", limit=terms.limit)
    return terms
