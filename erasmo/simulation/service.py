"""Orders and the market clock: the use cases of trading in simulation.

`SimulationService` places and cancels orders, lists them, and advances a portfolio's clock
through the market calendar, filling, expiring or rejecting its open orders on each bar by the
rules of `erasmo.simulation.fills` (docs/fill-rules.md). Everything an advance decides is
recorded in one save, so an interrupted advance records nothing.
"""

from __future__ import annotations

import bisect
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from erasmo.market.base import Bar, CorporateAction, MarketData, TickerInfo
from erasmo.services import TradingService
from erasmo.simulation.margin_clock import MarginClock
from erasmo.simulation.plan import ActionDue, Expired, Filled, TickerBars, plan, target_day
from erasmo.simulation.tickets import estimated_cost, parse_order
from erasmo.simulation.views import AdvanceReport, OrderView, TradingRules, orders_from_history
from erasmo.simulation.volume import check_volume, volume_cap
from events.application import Portfolios
from events.commission import parse_commission, parse_slippage_bps
from events.errors import (
    CorporateActionError,
    DateOutOfRangeError,
    ErasmoError,
    InsufficientCashError,
    InsufficientSharesError,
    InvalidOrderError,
    NoPriceError,
    NotTradableError,
    SimulationClockError,
    UnknownOrderError,
)
from events.orders import Order
from events.portfolio import Portfolio
from events.rules.margin import is_margin
from events.rules.volume import max_volume_pct
from events.values import (
    PriceProvenance,
    parse_money,
)

if TYPE_CHECKING:
    from erasmo.simulation.fills import BarArrays

ZERO = Decimal(0)
Progress = Callable[[int, int], None]
#: How far before an order's placing day its reference close is looked for.
LOOK_BACK = timedelta(days=31)
#: How far past an advance's target a ticker's bars are read when its kept bars run out.
READ_AHEAD = timedelta(days=366)


class SimulationService:
    """Orders, trading rules and the market clock of portfolios."""

    def __init__(self, app: Portfolios, market: MarketData, trading: TradingService) -> None:
        self.app = app
        self.market = market
        self.trading = trading
        # ticker -> (first, last day asked for, the days, the bars as arrays), kept between
        # advances so stepping day by day does not rebuild them
        self._arrays: dict[str, tuple[date, date, Sequence[date], BarArrays]] = {}

    # -- portfolios and rules ---------------------------------------------------------------

    def open_portfolio(
        self,
        name: str,
        cash: str | Decimal | None = None,
        on: str | date | None = None,
        mode: str = "live",
        commission: str = "0",
        slippage_bps: str | Decimal | int = 0,
        *,
        dry_run: bool = False,
    ) -> UUID:
        """Open a portfolio with its trading rules and return its id (for a dry run, one that
        is never recorded); a simulation one starts its clock on `on`, which it must be given
        (opened on the last day of the data it could never advance)."""
        rules = _rules(mode, commission, slippage_bps)
        if rules[0] == "simulation" and on is None:
            days = self.market.trading_days()
            raise SimulationClockError(
                "A simulation needs a start date: open it with --on DATE (e.g. --on "
                f"{days[0].isoformat()}); its clock then moves forward with 'erasmo advance'. "
                f"Without --on it would start on {days[-1].isoformat()}, the last day of the "
                "data, with no day left to advance to."
            )
        amount = parse_money(cash, what="Opening cash") if cash is not None else None
        day = self.trading.market_day(on)
        with self.app.dry_run(dry_run):
            return self.app.open_portfolio(name, day, amount, rules=rules)

    def set_rules(
        self,
        portfolio_id: UUID,
        mode: str | None = None,
        commission: str | None = None,
        slippage_bps: str | Decimal | int | None = None,
        *,
        dry_run: bool = False,
        max_volume_pct: str | Decimal | int | None = None,
    ) -> TradingRules:
        """Change a portfolio's mode, commission, slippage or volume cap (None keeps the
        current one; a cap of "off" removes it); returns the rules it then has."""
        current = self.rules(portfolio_id)
        rules = _rules(
            mode if mode is not None else current.mode,
            commission if commission is not None else current.commission,
            slippage_bps if slippage_bps is not None else current.slippage_bps,
        )
        changes_rules = (mode, commission, slippage_bps) != (None, None, None)
        cap = volume_cap(self.market, max_volume_pct)

        # Dated on the portfolio's latest event: changing rules must not move a live
        # portfolio's clock to the latest data (which would forbid back-dated trades).
        def change(p: Portfolio) -> TradingRules:
            if changes_rules or max_volume_pct is None:
                p.set_rules(*rules, p.clock)
            if max_volume_pct is not None:
                p.set_volume_cap(cap, p.clock)
            return TradingRules.of(p)

        return self.app.change(portfolio_id, change, dry_run=dry_run)

    def rules(self, portfolio_id: UUID) -> TradingRules:
        """The portfolio's trading rules."""
        return TradingRules.of(self.app.portfolio(portfolio_id))

    def clock(self, portfolio_id: UUID) -> date:
        """The portfolio's market date: its own clock in simulation, else the latest data."""
        p = self.app.portfolio(portfolio_id)
        return p.clock if p.simulated else max(p.clock, self.market.latest_date())

    def visible_until(self, portfolio_id: UUID) -> date:
        """The last market date the portfolio may see prices of (its clock in simulation)."""
        return self.clock(portfolio_id)

    # -- orders -----------------------------------------------------------------------------

    def place_order(
        self,
        portfolio_id: UUID,
        side: str,
        ticker: str,
        quantity: str | Decimal,
        kind: str = "market",
        limit: str | Decimal | None = None,
        stop: str | Decimal | None = None,
        trail: str | Decimal | None = None,
        tif: str = "day",
        expires: str | date | None = None,
        *,
        dry_run: bool = False,
        note: tuple[str, str] | None = None,
    ) -> OrderView:
        """Place an order on the portfolio's clock day; it can fill from the next bar on; a
        `note` (text, tags) is attached to the order in the same save.

        `trail` is an amount ("2.50") or a percentage ("5%") for a trailing stop. A buy holds
        back its estimated cost (see `erasmo.simulation.tickets.estimated_cost`); a sell holds
        back its shares.
        `dry_run`: check every rule and return the order as it would be placed (with what it
        would hold back), recording nothing; an order ticket can call this as the user types.
        """
        request = parse_order(side, ticker, quantity, kind, limit, stop, trail, tif, expires)
        info = self._tradable(request.ticker)
        day = self.clock(portfolio_id)
        order_id = uuid.uuid4().hex

        def place(p: Portfolio) -> OrderView:
            close = self._last_close(info, day)  # the ticker must have a price by then
            check_volume(info, max_volume_pct(p), p.name)
            reserved = request.quantity
            if request.side == "buy":
                commission = parse_commission(p.commission)
                reserved = estimated_cost(request, close, p.slippage_bps, commission)
            p.place_order(
                order_id,
                request.side,
                info.ticker,
                request.quantity,
                request.kind,
                day,
                reserved,
                limit=request.limit,
                stop=request.stop,
                trail_amount=request.trail_amount,
                trail_percent=request.trail_percent,
                tif=request.tif,
                expires=request.expires,
            )
            if note is not None:
                p.add_note(p.version, *note)
            return OrderView.of(p.order(order_id))

        return self.app.change(portfolio_id, place, dry_run=dry_run)

    def cancel_order(
        self, portfolio_id: UUID, order_id: str, *, dry_run: bool = False
    ) -> OrderView:
        """Cancel an open order (by its id or a unique prefix of it)."""
        found = self._find_open(portfolio_id, order_id)

        def cancel(p: Portfolio) -> OrderView:
            p.cancel_order(found.order_id, p.clock)
            return replace(found, status="cancelled", done_on=p.clock)

        return self.app.change(portfolio_id, cancel, dry_run=dry_run)

    def orders(self, portfolio_id: UUID, open_only: bool = True) -> list[OrderView]:
        """The portfolio's orders in placement order (only the open ones by default)."""
        views = orders_from_history(self.app.history(portfolio_id))
        return [v for v in views if v.is_open] if open_only else views

    def _find_open(self, portfolio_id: UUID, order_id: str) -> OrderView:
        prefix = order_id.strip().lower()
        matches = [o for o in self.orders(portfolio_id) if prefix and o.order_id.startswith(prefix)]
        if len(matches) != 1:
            name = self.app.portfolio(portfolio_id).name
            what = "several open orders" if matches else "no open order"
            raise UnknownOrderError(
                f"{name!r} has {what} whose id starts with {order_id!r}. See its open orders "
                f"with 'erasmo orders {name}'{' and give more of the id' if matches else ''}."
            )
        return matches[0]

    # -- the clock --------------------------------------------------------------------------

    def advance(
        self,
        portfolio_id: UUID,
        days: int | None = None,
        to: str | date | None = None,
        progress: Progress | None = None,
        *,
        dry_run: bool = False,
    ) -> AdvanceReport:
        """Step the clock `days` trading days (default 1) or to the last trading day on or
        before `to`, filling, expiring or rejecting open orders on each bar on the way."""
        p = self.app.portfolio(portfolio_id)
        if p.simulated:
            start = p.clock
            target = target_day(self.market.trading_days(None), start, days, to)
        else:
            # A live portfolio's clock follows the data: an advance processes its orders on
            # the bars that arrived since its latest event.
            if days is not None or to is not None:
                raise InvalidOrderError(
                    f"{p.name!r} is a live portfolio: its clock follows the market data, so "
                    "'advance' takes no --days or --to. Switch it to simulation mode with "
                    f"'erasmo portfolio rules {p.name} --mode simulation' to step through days."
                )
            start, target = p.clock, self.market.latest_date()
            if target <= start:
                raise DateOutOfRangeError(
                    f"{p.name!r} is live and already at the latest market data "
                    f"({target.isoformat()}); its orders fill as newer data arrives."
                )
        calendar = self.market.trading_days(None)
        stepped = bisect.bisect_right(calendar, target) - bisect.bisect_right(calendar, start)

        def step(p: Portfolio) -> AdvanceReport:
            return self._advance(p, target, stepped, progress)

        return self.app.change(portfolio_id, step, dry_run=dry_run)

    def _advance(
        self, p: Portfolio, target: date, stepped: int, progress: Progress | None
    ) -> AdvanceReport:
        start = p.clock
        open_orders = p.orders()
        outcomes = plan(
            open_orders,
            self._bars_for(open_orders, target),
            self._references(open_orders),
            self.market.trading_days(None),
            (start, target),
            (parse_commission(p.commission), p.slippage_bps),
            self._actions_due(p, open_orders, start, target),
            progress,
            max_volume_pct(p),
        )
        done = _Applied()
        clock = self._margin_clock(p, target)
        for outcome in outcomes:
            if clock is not None:
                clock.reach(outcome.day, opening=not isinstance(outcome, ActionDue))
            if isinstance(outcome, ActionDue):
                self._apply_due(p, outcome, done)
            elif outcome.order.order_id not in p.open_orders:
                continue  # cancelled by a split on an earlier day of this advance
            elif isinstance(outcome, Expired):
                p.expire_order(outcome.order.order_id, outcome.day)
                done.expired.append(_done(outcome.order, "expired", outcome.day))
            else:
                self._apply_fill(p, outcome, done)
        margin = clock.finish() if clock is not None else None
        if margin is not None:
            done.cancelled.extend(_done(order, "cancelled", day) for order, day in margin.cancelled)
        p.advance_clock(target)
        return AdvanceReport(
            portfolio=p.name,
            start=start,
            end=target,
            trading_days=stepped,
            filled=tuple(done.filled),
            expired=tuple(done.expired),
            rejected=tuple(done.rejected),
            open_orders=len(p.open_orders),
            cash_after=p.cash,
            actions=tuple(done.actions),
            cancelled=tuple(done.cancelled),
            margin=margin,
        )

    def _margin_clock(self, p: Portfolio, target: date) -> MarginClock | None:
        """A margin account's clock over this advance (None for a cash account)."""
        if not is_margin(p):
            return None
        start = p.clock

        def bars_of(ticker: str) -> tuple[Sequence[date], Sequence[Bar]]:
            try:
                days, arrays = self._ticker_arrays(ticker, start - LOOK_BACK, target)
            except ErasmoError:  # no data for it: valued at its mark, never sold by force
                return [], []
            return days, arrays.bars

        calendar = self.market.trading_days(None)
        return MarginClock(p, calendar, target, bars_of, self.market.info)

    def _bars_for(self, orders: Sequence[Order], target: date) -> dict[str, TickerBars]:
        """Each ordered ticker's bars, from a little before its earliest order to `target`."""
        first_placed: dict[str, date] = {}
        for order in orders:
            first_placed[order.ticker] = min(
                order.placed_on, first_placed.get(order.ticker, target)
            )
        return {
            ticker: TickerBars(*self._ticker_arrays(ticker, first - LOOK_BACK, target))
            for ticker, first in first_placed.items()
        }

    def _references(self, orders: Sequence[Order]) -> dict[str, Decimal]:
        """Order id -> its reference close, for orders whose ticker has no bar on or before
        their placing day among the bars kept (the bars start after it)."""
        found: dict[str, Decimal] = {}
        for order in orders:
            days = self._arrays[order.ticker][2]
            if not days or days[0] > order.placed_on:
                info = self.market.info(order.ticker)
                found[order.order_id] = self._last_close(info, order.placed_on)
        return found

    def _apply_due(self, p: Portfolio, due: ActionDue, done: _Applied) -> None:
        """Record a split or dividend; a split cancels the open orders of its ticker."""
        action, day = due.action, due.day
        if self._apply_action(p, action):
            done.actions.append(action)
        if action.kind == "split":
            # Their terms (quantity, prices) are in pre-split shares: cancelled on the
            # ex-date, as many brokers do, releasing what they hold back.
            for order in p.orders():
                if order.ticker == action.ticker:
                    p.cancel_order(order.order_id, day, market=True)
                    done.cancelled.append(_done(order, "cancelled", day))

    def _apply_fill(self, p: Portfolio, fill: Filled, done: _Applied) -> None:
        """Record a fill (or a part of it), or its rejection when the cash or shares do not
        cover it now."""
        order, day, price = fill.order, fill.day, fill.price
        info = self.market.info(order.ticker)
        provenance = PriceProvenance(info.source, day, info.adjusted, "order")
        quantity = fill.part or p.order(order.order_id).quantity
        terms = (order.order_id, day, price, fill.fee, fill.slippage)
        try:
            if fill.part is None:
                p.check_fill(*terms)
            else:  # a part is checked before anything of it is recorded
                p.fill_order(*terms, provenance, fill.part)
        except (InsufficientCashError, InsufficientSharesError) as error:
            reason = f"not filled at {price} on {day}: {error}"
            p.reject_order(order.order_id, reason, day)
            done.rejected.append(replace(_done(order, "rejected", day), reason=reason))
            return
        if fill.part is None:
            p.fill_order(*terms, provenance)
        view = _done(order, "filled" if fill.part is None else "part filled", day)
        view = replace(view, quantity=quantity, fill_price=price, fee=fill.fee)
        done.filled.append(replace(view, slippage=fill.slippage))

    def _actions_due(
        self, p: Portfolio, open_orders: Sequence[Order], start: date, target: date
    ) -> list[CorporateAction]:
        """The splits and dividends with ex-dates in (start, target] of the tickers held or
        bought by open orders."""
        # (a margin account's sell order may open a short: its ticker counts too)
        tickers = set(p.shares) | {o.ticker for o in open_orders}
        due: list[CorporateAction] = []
        for ticker in sorted(tickers):
            due.extend(self.market.actions(ticker, start + timedelta(days=1), target))
        return due

    @staticmethod
    def _apply_action(p: Portfolio, action: CorporateAction) -> bool:
        """Record `action` if the portfolio holds its ticker now (at the close of the day before
        its ex-date, as the outcomes are applied in date order); False when it does not."""
        if p.shares.get(action.ticker, ZERO) == 0 or p.has_action(
            action.ticker, action.kind, action.day
        ):
            return False
        try:
            if action.kind == "split" and action.ratio is not None:
                p.split(action.ticker, action.ratio, action.day)
            elif action.kind == "dividend" and action.amount is not None:
                p.receive_dividend(action.ticker, action.amount, action.day)
            else:
                return False
        except CorporateActionError:
            return False  # e.g. a reverse split leaving less than a millionth of a share
        return True

    # -- market data ------------------------------------------------------------------------

    def _tradable(self, ticker: str) -> TickerInfo:
        info = self.market.info(ticker)
        if not info.tradable:
            raise NotTradableError(
                f"{info.ticker} ({info.description or 'an index'}) can be charted and used as a "
                "benchmark, but not traded. Pick a stock instead."
            )
        return info

    def _ticker_arrays(
        self, ticker: str, start: date, end: date
    ) -> tuple[Sequence[date], BarArrays]:
        """The ticker's bars from `start` to `end` (at least) as arrays, kept for later calls."""
        kept = self._arrays.get(ticker)
        if kept is not None:
            if kept[0] <= start and kept[1] >= end:
                return kept[2], kept[3]
            start, end = min(start, kept[0]), max(end, kept[1])
            # Stepping day by day would reload a growing range on every advance: read up to a
            # year ahead at once, never past the data known now (the planner reads no bar after
            # its target, so bars kept beyond it are never seen early).
            end = max(end, min(end + READ_AHEAD, self.market.latest_date(ticker)))
        from erasmo.simulation.fills import BarArrays  # numpy: only once orders are simulated

        bars = self.market.bars(ticker, start, end)
        days, arrays = [b.day for b in bars], BarArrays(bars)
        self._arrays[ticker] = (start, end, days, arrays)
        return days, arrays

    def _last_close(self, info: TickerInfo, day: date) -> Decimal:
        """The ticker's last close on or before `day` (an order's reference price)."""
        if info.first > day:
            raise NoPriceError(
                f"The market data for {info.ticker} starts on {info.first}, after the clock "
                f"({day}): there is no price to place an order at yet."
            )
        if info.last <= day:
            raise NoPriceError(
                f"The market data for {info.ticker} ends on {info.last}, so an order placed on "
                f"{day} could never fill. Trade another ticker."
            )
        recent = self.market.bars(info.ticker, day - LOOK_BACK, day)
        return (recent or self.market.bars(info.ticker, end=day))[-1].close


def _rules(
    mode: str, commission: str, slippage_bps: str | Decimal | int
) -> tuple[str, str, Decimal]:
    mode = mode.strip().lower()
    if mode not in ("live", "simulation"):
        raise InvalidOrderError(f"Mode {mode!r} is not live or simulation.")
    return mode, parse_commission(commission).spec, parse_slippage_bps(slippage_bps)


@dataclass
class _Applied:
    """What an advance recorded, by kind, as it applies the planned outcomes."""

    filled: list[OrderView] = field(default_factory=list)
    expired: list[OrderView] = field(default_factory=list)
    rejected: list[OrderView] = field(default_factory=list)
    cancelled: list[OrderView] = field(default_factory=list)
    actions: list[CorporateAction] = field(default_factory=list)


def _done(order: Order, status: str, day: date) -> OrderView:
    return replace(OrderView.of(order), status=status, done_on=day)


__all__ = [
    "AdvanceReport",
    "OrderView",
    "SimulationService",
    "TradingRules",
    "orders_from_history",
]
