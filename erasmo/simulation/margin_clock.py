"""The market clock over a margin account: interest and borrow fees night by night, margin
calls at the close, forced sales at the next open (the rules: docs/margin.md).

`MarginClock` walks the trading days of one advance beside the order outcomes the service
applies: `reach(day)` before the outcomes of a day, `finish()` after the last. Each night, from
the clock's day to the day before the target, accrues margin interest on the debit balance and
borrow fees on the shorts' value at the last close; the whole is charged once, on the target
day (one `MarginCharged`, rounded to the cent). At each close the equity (less the charges
accrued) is compared with the maintenance margin; below it, a `MarginCalled`. At the next open
the call is met if the equity at the open prices is at least the maintenance margin there;
otherwise whole positions are closed at that open, the largest value first, until it is (each a
`PositionLiquidated` and its trade, after cancelling the open orders of its ticker).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from erasmo.market.base import Bar, TickerInfo
from events.commission import parse_commission
from events.orders import Order
from events.portfolio import Portfolio
from events.rules.margin import equity, mark
from events.rules.margin_calls import maintenance, nightly
from events.values import PriceProvenance, to_cents

ZERO = Decimal(0)
#: ticker -> its bars over the advance (and a little before): what the clock reads prices from.
BarsOf = Callable[[str], tuple[Sequence[date], Sequence[Bar]]]


@dataclass(frozen=True, slots=True)
class ForcedSale:
    """A position closed at an open, a margin call not met."""

    day: date
    ticker: str
    side: str
    quantity: Decimal
    price: Decimal
    fee: Decimal
    reason: str


@dataclass
class MarginReport:
    """What an advance did to a margin account.

    Attributes:
        interest, borrow_fee: the charges recorded (0 when none).
        calls: (day, equity, requirement) of each margin call recorded at a close.
        met: the days a call was met at the open.
        forced: the positions closed by the broker.
        cancelled: the open orders cancelled before a forced sale of their ticker.
    """

    interest: Decimal = ZERO
    borrow_fee: Decimal = ZERO
    calls: list[tuple[date, Decimal, Decimal]] = field(default_factory=list)
    met: list[date] = field(default_factory=list)
    forced: list[ForcedSale] = field(default_factory=list)
    cancelled: list[tuple[Order, date]] = field(default_factory=list)


class MarginClock:
    """One advance of a margin account's clock, day by day (see the module)."""

    def __init__(
        self,
        p: Portfolio,
        calendar: Sequence[date],
        target: date,
        bars_of: BarsOf,
        info: Callable[[str], TickerInfo],
    ) -> None:
        self.p, self.start, self.target = p, p.clock, target
        lo = bisect.bisect_right(calendar, self.start)
        self.days = list(calendar[lo : bisect.bisect_right(calendar, target)])
        self.bars_of, self.info = bars_of, info
        self.report = MarginReport()
        self._interest, self._fees = ZERO, ZERO
        self._next = 0  # index in `days` of the first day whose close is not done
        self._opened: date | None = None
        call: date | None = p.__dict__.get("margin_call")
        self._pending = call if call == self.start else None
        self._accrue(self.start, self.days[0] if self.days else target)

    # -- prices -----------------------------------------------------------------------------

    def _close(self, ticker: str, day: date) -> Decimal:
        days, bars = self.bars_of(ticker)
        i = bisect.bisect_right(days, day) - 1
        return bars[i].close if i >= 0 else mark(self.p, ticker)

    def _open(self, ticker: str, day: date) -> Decimal | None:
        days, bars = self.bars_of(ticker)
        i = bisect.bisect_left(days, day)
        if i == len(days) or days[i] != day:
            return None
        bar = bars[i]
        return bar.open if bar.open is not None else bar.close

    # -- the walk ---------------------------------------------------------------------------

    def reach(self, day: date, opening: bool = True) -> None:
        """Do every close before `day`, and (`opening`) the open of `day`: after its splits
        and dividends, before its fills."""
        while self._next < len(self.days) and self.days[self._next] < day:
            self._day_close(self.days[self._next])
        if opening and day in self.days:
            self._day_open(day)

    def finish(self) -> MarginReport:
        """Do the days left, record the charge on the target day, return what was done."""
        while self._next < len(self.days):
            self._day_close(self.days[self._next])
        interest, fees = to_cents(self._interest), to_cents(self._fees)
        if (interest or fees) and self.target > self.start:
            self.p.charge_margin(interest, fees, self.start, self.target)
            self.report.interest, self.report.borrow_fee = interest, fees
        return self.report

    def _accrue(self, day: date, until: date) -> None:
        nights = (min(until, self.target) - day).days
        prices = {t: self._close(t, day) for t, q in self.p.shares.items() if q < 0}
        interest, fees = nightly(self.p, prices, nights)
        self._interest += interest
        self._fees += fees

    def _accrued(self) -> Decimal:
        return to_cents(self._interest) + to_cents(self._fees)

    def _day_close(self, day: date) -> None:
        self._day_open(day)
        self._next += 1
        following = self.days[self._next] if self._next < len(self.days) else self.target
        self._accrue(day, following)
        prices = {t: self._close(t, day) for t in self.p.shares}
        worth = to_cents(equity(self.p, prices) - self._accrued())
        needed = to_cents(maintenance(self.p, prices))
        if worth < needed:
            self.p.call_margin(worth, needed, day)
            self.report.calls.append((day, worth, needed))
            self._pending = day

    def _day_open(self, day: date) -> None:
        if self._opened == day:
            return
        self._opened = day
        call, self._pending = self._pending, None
        if call is None:
            return
        prices = {t: self._open(t, day) or self._close(t, day) for t in self.p.shares}
        if self._met(prices):
            self.report.met.append(day)
            return
        for ticker in sorted(prices, key=lambda t: (-abs(self.p.shares[t] * prices[t]), t)):
            if self._met(prices):
                break
            if self._open(ticker, day) is not None:
                self._sell(ticker, prices[ticker], day, call)

    def _met(self, prices: dict[str, Decimal]) -> bool:
        held = {t: prices[t] for t in self.p.shares}
        worth = equity(self.p, held) - self._accrued()
        return to_cents(worth) >= to_cents(maintenance(self.p, held))

    def _sell(self, ticker: str, price: Decimal, day: date, call: date) -> None:
        p = self.p
        for order in p.orders():
            if order.ticker == ticker:
                p.cancel_order(order.order_id, day, market=True)
                self.report.cancelled.append((order, day))
        prices = {t: self._open(t, day) or self._close(t, day) for t in p.shares}
        worth = to_cents(equity(p, prices) - self._accrued())
        needed = to_cents(maintenance(p, prices))
        reason = (
            f"margin call of {call.isoformat()} not met at the open: equity {worth:,.2f} below "
            f"the maintenance margin {needed:,.2f}"
        )
        quantity = abs(p.shares[ticker])
        fee = parse_commission(p.commission).fee(quantity, price)
        info = self.info(ticker)
        provenance = PriceProvenance(info.source, day, info.adjusted, "forced")
        side = "sell" if p.shares[ticker] > 0 else "buy"
        p.liquidate(ticker, price, fee, reason, day, provenance)
        self.report.forced.append(ForcedSale(day, ticker, side, quantity, price, fee, reason))
