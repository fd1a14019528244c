"""A live margin account reaching new market days: the same rules as an advance.

A live portfolio has no clock of its own to step: its clock is the market date of its latest
event, and its commands are dated by the market's latest data. A margin account costs money
every night and must keep its maintenance margin at every close, so before a live margin
account records anything on a later market day (a trade, a deposit, an order), or when the
front end sees the market's latest date move (`FrontDoor.catch_up`), its clock is first
advanced to that day by the live advance: the open orders, splits and dividends on the bars
since its clock, the margin interest and borrow fees of the nights in between, the margin calls
at the closes and the forced sales at the opens (docs/margin.md). It is recorded in the same
save as the command that reached the day, so a refused command records none of it; reaching a
day the account is already on records nothing.

A cash account, a simulation (whose clock moves only with `advance`), a closed or deleted
portfolio are left as they are, and so is a margin account that carries nothing: no debit
balance, no short position and no margin call waiting for the next open. Its nights cost
nothing and its equity (cash plus longs) cannot fall below a maintenance margin of its longs,
so walking its days could record nothing but the clock; its open orders wait for `advance`, as
a cash account's do.
"""

from __future__ import annotations

import bisect
from datetime import date
from typing import Protocol
from uuid import UUID

from erasmo.market.base import MarketData
from erasmo.simulation.views import AdvanceReport
from events.application import Portfolios
from events.portfolio import Portfolio
from events.rules.margin import is_margin


class Advancing(Protocol):
    """What walks the days: the simulation service."""

    app: Portfolios
    market: MarketData

    def advance_on(self, p: Portfolio, target: date, stepped: int) -> AdvanceReport: ...


def carries(p: Portfolio) -> bool:
    """Whether a margin account owes interest or fees, or waits on a margin call."""
    call: date | None = p.__dict__.get("margin_call")
    return p.cash < 0 or any(q < 0 for q in p.shares.values()) or call == p.clock


def behind(p: Portfolio, day: date) -> bool:
    """Whether `p` is a live margin account, open, that carries something (see `carries`),
    and whose clock is before market day `day`."""
    live = not p.simulated and not p.closed and not p.deleted
    return live and is_margin(p) and p.clock < day and carries(p)


def reach(sim: Advancing, p: Portfolio, day: date) -> AdvanceReport | None:
    """Advance the live margin account `p` to market day `day` (in the save under way), or
    None when it is not behind it."""
    if not behind(p, day):
        return None
    calendar = sim.market.trading_days(None)
    stepped = bisect.bisect_right(calendar, day) - bisect.bisect_right(calendar, p.clock)
    return sim.advance_on(p, day, stepped)


def catch_up(sim: Advancing, portfolio_id: UUID, *, dry_run: bool = False) -> AdvanceReport | None:
    """Bring a live margin account to the market's latest date, in one save; None (recording
    nothing) when it is already there, or is not a live margin account that carries
    something."""
    latest = sim.market.latest_date()
    if not behind(sim.app.portfolio(portfolio_id), latest):
        return None
    return sim.app.change(portfolio_id, lambda p: reach(sim, p, latest), dry_run=dry_run)
