"""The demo portfolio offered on first run: a few trades in well-known tickers, real closes.

Every step goes through `TradingService`, exactly as if a person had typed it, so the demo is an
ordinary portfolio that can be traded on, exported or closed. No Qt.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from erasmo.door import FrontDoor

DEMO_NAME = "Demo"


@dataclass(frozen=True, slots=True)
class Step:
    """One command of the demo: 'open', 'deposit', 'withdraw', 'buy' or 'sell'."""

    action: str
    on: date
    amount: str = ""
    ticker: str = ""
    quantity: str = ""


#: Planned on calendar dates; each runs on the first trading day on or after its date.
DEMO_STEPS = (
    Step("open", date(2017, 1, 3), amount="100000"),
    Step("buy", date(2017, 1, 3), ticker="AAPL", quantity="400"),
    Step("buy", date(2017, 1, 3), ticker="MSFT", quantity="300"),
    Step("buy", date(2017, 1, 3), ticker="KO", quantity="500"),
    Step("buy", date(2017, 1, 3), ticker="JNJ", quantity="120"),
    Step("buy", date(2017, 1, 3), ticker="JPM", quantity="150"),
    Step("deposit", date(2018, 7, 2), amount="10000"),
    Step("buy", date(2018, 7, 2), ticker="WMT", quantity="150"),
    Step("sell", date(2019, 9, 3), ticker="KO", quantity="200"),
    Step("buy", date(2020, 3, 23), ticker="AAPL", quantity="150"),
    Step("buy", date(2020, 3, 23), ticker="XOM", quantity="300"),
    Step("sell", date(2021, 11, 1), ticker="JPM", quantity="50"),
    Step("withdraw", date(2022, 2, 1), amount="5000"),
    Step("buy", date(2022, 6, 1), ticker="PG", quantity="80"),
)


def _trading_day(days: list[date], wanted: date) -> date:
    index = bisect.bisect_left(days, wanted)
    return days[min(index, len(days) - 1)]


def create_demo(
    door: FrontDoor,
    name: str = DEMO_NAME,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> UUID:
    """Open the demo portfolio called `name` and record its trades; returns its id."""
    days = list(door.market.trading_days())
    first, *steps = DEMO_STEPS
    assert first.action == "open"
    portfolio_id = door.open_portfolio(name, first.amount, _trading_day(days, first.on)).id
    progress(1, len(DEMO_STEPS))
    for done, step in enumerate(steps, start=2):
        on = _trading_day(days, step.on)
        if step.action == "deposit":
            door.deposit(portfolio_id, step.amount, on)
        elif step.action == "withdraw":
            door.withdraw(portfolio_id, step.amount, on)
        elif step.action == "buy":
            door.buy(portfolio_id, step.ticker, step.quantity, on)
        else:
            door.sell(portfolio_id, step.ticker, step.quantity, on)
        progress(done, len(DEMO_STEPS))
    return portfolio_id
