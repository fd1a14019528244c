"""What a strategy sees and does on a day: the clock, history up to it, the portfolio, orders.

Everything goes through the front door of the run's portfolio. The portfolio's clock is moved
lazily: it is advanced to the strategy's day only when the strategy reads the portfolio or
places an order, so days where the strategy only looks at prices cost no save (an advance of
several days fills orders exactly as day-by-day advances would: the planner steps bar by bar).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING
from uuid import UUID

import pandas as pd

from erasmo.simulation.tickets import estimated_cost, parse_order
from erasmo.strategy.errors import LookAheadError, StrategyError
from events.commission import parse_commission

if TYPE_CHECKING:
    from erasmo.door import FrontDoor
    from erasmo.door.models import OrderView, PortfolioHead

Amount = str | Decimal | int
_FIELDS = ("open", "high", "low", "close", "adj_close", "volume")


class Context:
    """A strategy's view of its run on the clock's day (see the module docstring)."""

    def __init__(self, door: FrontDoor, portfolio_id: UUID, calendar: Sequence[date]) -> None:
        self._door = door
        self._id = portfolio_id
        self._calendar = calendar
        self._day = calendar[0]
        self._synced = calendar[0]  # the portfolio's clock
        self._frames: dict[str, pd.DataFrame] = {}
        self._columns: dict[tuple[str, str], pd.Series] = {}
        self._closes: dict[str, list[Decimal]] = {}
        self._days: dict[str, list[date]] = {}
        self._action_days: dict[str, list[date]] = {}
        self._head: PortfolioHead | None = None
        #: (day, text) of every `note`, in order.
        self.notes: list[tuple[date, str]] = []

    # -- the clock and prices -------------------------------------------------------------

    @property
    def day(self) -> date:
        """The clock: the market date whose close is the latest the strategy may see."""
        return self._day

    def history(
        self,
        ticker: str,
        fields: str | Sequence[str] = "close",
        n: int | None = None,
        end: date | None = None,
    ) -> pd.Series | pd.DataFrame:
        """The last `n` bars (all when None) of `ticker` ending at the clock (or at `end`,
        which may not be after it): a Series for one field, a DataFrame for several, floats
        indexed by date. Asking past the clock raises `LookAheadError`."""
        if end is not None and end > self._day:
            raise LookAheadError(
                f"history({ticker!r}, end={end}) asks past the clock ({self._day}): a strategy "
                "sees only bars up to the day its hook runs on."
            )
        key = ticker.strip().upper()
        frame = self._frame(key)
        stop = bisect.bisect_right(self._days[key], end or self._day)  # (no pandas: called often)
        start = 0 if n is None else max(0, stop - n)
        if isinstance(fields, str):
            name = _field(fields)
            column = self._columns.get((key, name))
            if column is None:
                column = self._columns[key, name] = frame[name]
            return column.iloc[start:stop]
        return frame.iloc[start:stop][[_field(f) for f in fields]]

    def close(self, ticker: str) -> Decimal:
        """The ticker's last close on or before the clock, as recorded prices are."""
        key = ticker.strip().upper()
        if key not in self._closes:
            self._frame(key)
        stop = bisect.bisect_right(self._days[key], self._day)  # (no pandas: called often)
        if stop == 0:
            raise StrategyError(f"{key} has no price on or before {self._day} yet.")
        return self._closes[key][stop - 1]

    # -- the portfolio --------------------------------------------------------------------

    @property
    def cash(self) -> Decimal:
        """Cash in the portfolio (including what open buy orders hold back)."""
        return self._portfolio().cash

    @property
    def available_cash(self) -> Decimal:
        """Cash not held back by open orders."""
        return self._portfolio().available_cash

    @property
    def positions(self) -> dict[str, Decimal]:
        """Shares held, by ticker."""
        return {p.ticker: p.quantity for p in self._portfolio().positions if p.quantity}

    def position(self, ticker: str) -> Decimal:
        """Shares held of `ticker` (0 when none)."""
        return self.positions.get(ticker.upper(), Decimal(0))

    @property
    def value(self) -> Decimal:
        """Cash plus the holdings at their last close on or before the clock."""
        head = self._portfolio()
        held = sum((p.quantity * self.close(p.ticker) for p in head.positions), Decimal(0))
        return (head.cash + held).quantize(Decimal("0.01"))

    @property
    def open_orders(self) -> list[OrderView]:
        """The open orders, in placement order."""
        return list(self._portfolio().orders)

    # -- orders -----------------------------------------------------------------------------

    def order(
        self,
        side: str,
        ticker: str,
        quantity: Amount,
        kind: str = "market",
        limit: Amount | None = None,
        stop: Amount | None = None,
        trail: Amount | None = None,
        tif: str = "day",
        expires: date | None = None,
    ) -> OrderView:
        """Place an order on the clock's day (any kind and time in force the simulator has:
        market, limit, stop, stop-limit, trailing; day or gtc, with an optional expiry)."""
        self._sync()
        self._head = None
        return self._door.place_order(
            self._id,
            side,
            ticker,
            str(quantity),
            kind,
            None if limit is None else str(limit),
            None if stop is None else str(stop),
            None if trail is None else str(trail),
            tif,
            expires,
        )

    def buy(self, ticker: str, quantity: Amount, **terms: object) -> OrderView:
        """`order("buy", ...)`."""
        return self.order("buy", ticker, quantity, **terms)  # type: ignore[arg-type]

    def sell(self, ticker: str, quantity: Amount, **terms: object) -> OrderView:
        """`order("sell", ...)`."""
        return self.order("sell", ticker, quantity, **terms)  # type: ignore[arg-type]

    def cancel(self, order: OrderView | str) -> OrderView:
        """Cancel an open order (the view `order` returned, or its id)."""
        self._sync()
        self._head = None
        order_id = order if isinstance(order, str) else order.order_id
        return self._door.cancel_order(self._id, order_id)

    def affordable(self, ticker: str) -> Decimal:
        """The most whole shares of `ticker` a market buy placed now could hold back the cost
        of, with the portfolio's slippage and commission (0 when none): the simulator's own
        estimate (`erasmo.simulation.tickets.estimated_cost`) at the last close."""
        self._sync()  # priced, like the order would be, at the strategy's day
        head = self._portfolio()
        available, close = head.available_cash, self.close(ticker)
        slippage, commission = head.rules.slippage_bps, parse_commission(head.rules.commission)
        quantity = (available / (close * (1 + slippage / 10_000))).to_integral_value(ROUND_FLOOR)

        def fits(shares: Decimal) -> bool:
            request = parse_order("buy", ticker, shares, "market", None, None, None, "day", None)
            return estimated_cost(request, close, slippage, commission) <= available

        low, high = Decimal(0), max(quantity, Decimal(0))  # the cost grows with the quantity
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if fits(middle) else (low, middle - 1)
        return low

    def target_quantity(self, ticker: str, quantity: Amount) -> OrderView | None:
        """Cancel the ticker's open orders and place a market order bringing the position to
        `quantity` shares (a buy is cut to what the cash can hold back); None when no order
        is needed."""
        ticker = ticker.upper()
        for open_order in self.open_orders:
            if open_order.ticker == ticker:
                self.cancel(open_order)
        wanted = Decimal(str(quantity)) - self.position(ticker)
        if wanted < 0:
            return self.sell(ticker, -wanted)
        wanted = min(wanted, self.affordable(ticker)) if wanted > 0 else wanted
        return self.buy(ticker, wanted) if wanted > 0 else None

    def target_weight(self, ticker: str, weight: float | Decimal) -> OrderView | None:
        """`target_quantity` with the whole shares worth `weight` of the portfolio's value at
        the last close."""
        worth = self.value * Decimal(str(weight))
        shares = (worth / self.close(ticker)).to_integral_value(ROUND_FLOOR)
        return self.target_quantity(ticker, shares)

    def note(self, text: str) -> None:
        """Record why (kept with the run's record, dated with the clock)."""
        self.notes.append((self._day, str(text)))

    # -- the run --------------------------------------------------------------------------

    def _move_to(self, day: date) -> None:
        """Set the strategy's day (the runner steps it through the calendar)."""
        self._day = day

    def _sync(self) -> None:
        """Advance the portfolio's clock to the strategy's day (one save), if it is behind."""
        if self._synced < self._day:
            self._door.advance(self._id, to=self._day)
            self._synced = self._day
            self._head = None

    def _portfolio(self) -> PortfolioHead:
        """The portfolio as of the strategy's day. Without open orders or a split or dividend
        of a held ticker since its clock, stepping the clock would change nothing but the
        clock: the advance is left for later, so that quiet days are saved in one batch."""
        head = self._head
        if head is not None and (
            self._synced == self._day or (not head.orders and not self._actions_due(head))
        ):
            return head
        self._sync()
        self._head = self._door.head(self._id)
        return self._head

    def _actions_due(self, head: PortfolioHead) -> bool:
        """Whether a held ticker has a split or dividend in (its clock, the strategy's day]."""
        for position in head.positions:
            days = self._action_days.get(position.ticker)
            if days is None:
                actions = self._door.market.actions(position.ticker, None, self._calendar[-1])
                days = self._action_days[position.ticker] = sorted(a.day for a in actions)
            if bisect.bisect_right(days, self._day) > bisect.bisect_right(days, self._synced):
                return True
        return False

    def _frame(self, ticker: str) -> pd.DataFrame:
        key = ticker.strip().upper()
        frame = self._frames.get(key)
        if frame is None:
            bars = self._door.market.bars(key, None, self._calendar[-1])
            frame = pd.DataFrame(
                {
                    name: [
                        float(v) if (v := getattr(b, name)) is not None else float("nan")
                        for b in bars
                    ]
                    for name in _FIELDS
                },
                index=pd.DatetimeIndex([pd.Timestamp(b.day) for b in bars], name="date"),
            )
            self._frames[key] = frame
            self._closes[key] = [b.close for b in bars]
            self._days[key] = [b.day for b in bars]
        return frame


def _field(name: str) -> str:
    lowered = name.strip().lower()
    if lowered not in _FIELDS:
        raise StrategyError(f"A bar has no field {name!r}: ask for one of {', '.join(_FIELDS)}.")
    return lowered


def calendar_between(days: Sequence[date], start: date, end: date) -> list[date]:
    """The trading days from `start` to `end`, inclusive."""
    return list(days[bisect.bisect_left(days, start) : bisect.bisect_right(days, end)])
