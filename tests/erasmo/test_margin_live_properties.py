"""A live margin account follows the same rules as a simulation (hypothesis).

Two margin accounts in one store see the same random trades on the same days over wild bars
written by hand: a simulation, stepped with `advance` as the data's latest day moves on, and a
live account, brought up to each new latest day by `catch_up` (as the window does when prices
arrive). Whatever the stream, they refuse the same trades and record the same margin charges,
margin calls, forced sales and trades, and end with the same cash and positions; reaching a day
twice records nothing; the live log replays clean."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from cutoff_market import UpTo
from hand_market import HandMarket
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from erasmo.bootstrap import bootstrap
from erasmo.door import FrontDoor
from events.errors import ErasmoError

PRICES = [100, 96, 80, 85, 60, 45, 52, 30, 20, 28, 35, 50, 70, 95, 120, 150, 110, 90, 60, 40]
DAYS = [d for d in (date(2021, 3, 1) + timedelta(days=i) for i in range(40)) if d.weekday() < 5]
DAYS = DAYS[: len(PRICES)]
WILD = "\n".join(
    f"AAA {d} {p} {p} {p} {p}\nBBB {d} {200 - p} {200 - p} {200 - p} {200 - p}"
    for d, p in zip(DAYS, PRICES, strict=True)
)
#: What both accounts record when their days come; the clock's own events may differ (a live
#: account owing nothing is not moved: nothing could be charged or called).
COMPARED = ("MarginCharged", "MarginCalled", "PositionLiquidated", "SharesBought", "SharesSold")

steps = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(["buy", "sell"]),
            st.sampled_from(["AAA", "BBB"]),
            st.integers(min_value=1, max_value=300),
        ),
        st.tuples(st.just("days"), st.just(""), st.integers(min_value=1, max_value=3)),
    ),
    max_size=25,
)


def outcome(door: FrontDoor, pid: UUID, side: str, ticker: str, quantity: int) -> str:
    """What a trade came to: "recorded", or the name of the error refusing it."""
    trade = door.buy if side == "buy" else door.sell
    try:
        trade(pid, ticker, str(quantity))
    except ErasmoError as error:
        return type(error).__name__
    return "recorded"


def compared(door: FrontDoor, pid: UUID) -> list[tuple[str, date, dict[str, Any]]]:
    return [(e.type, e.on, e.fields) for e in door.history(pid) if e.type in COMPARED]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(stream=steps)
def test_a_live_margin_account_is_charged_and_called_as_a_simulation(
    tmp_path_factory: pytest.TempPathFactory, stream: list[tuple[str, str, int]]
) -> None:
    market = UpTo(DAYS[0], HandMarket(WILD))
    built = bootstrap(tmp_path_factory.mktemp("l"), market=market, today=lambda: DAYS[-1])
    try:
        door = built.door
        live = door.open_portfolio("Live", "5000", account="margin").id
        sim = door.open_portfolio("Sim", "5000", DAYS[0], mode="simulation", account="margin").id
        at = 0
        for side, ticker, n in [*stream, ("days", "", len(DAYS))]:
            if side == "days":
                if at == len(DAYS) - 1:
                    continue
                at = min(at + n, len(DAYS) - 1)
                market.cutoff = DAYS[at]
                door.catch_up(live)  # None when it owes nothing: then nothing can happen
                door.advance(sim, to=DAYS[at])
                assert door.catch_up(live) is None  # reached: nothing more to record
                continue
            assert outcome(door, live, side, ticker, n) == outcome(door, sim, side, ticker, n)
        recorded = compared(door, live)
        assert recorded == compared(door, sim)
        for kind in ("MarginCharged", "MarginCalled", "PositionLiquidated"):
            event(f"{kind}: {'some' if any(k == kind for k, _, _ in recorded) else 'none'}")
        a, b = door.app.portfolio(live), door.app.portfolio(sim)
        assert (a.cash, a.shares) == (b.cash, b.shares)
        count = len(door.history(live))
        assert door.catch_up(live) is None
        assert len(door.history(live)) == count
        assert door.app.audit(live) == []
    finally:
        built.close()
