"""The advance planner on bars written by hand: every expected outcome is worked out below."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from erasmo.market.base import Bar, CorporateAction
from erasmo.simulation.fills import BarArrays
from erasmo.simulation.plan import ActionDue, Expired, Filled, TickerBars, plan, target_day
from events.commission import parse_commission
from events.errors import DateOutOfRangeError
from events.orders import Order

JAN2, JAN3, JAN5, JAN6, JAN7 = (date(2020, 1, d) for d in (2, 3, 5, 6, 7))
CALENDAR = [JAN2, JAN3, JAN6, JAN7]
D = Decimal


def bars(text: str) -> TickerBars:
    """'2020-01-03 99 100 96 97' lines: open high low close of XYZ."""
    out = []
    for line in text.strip().splitlines():
        day, *prices = line.split()
        o, h, low, c = (D(p) for p in prices)
        out.append(Bar("XYZ", date.fromisoformat(day), o, h, low, c, None, 1000))
    return TickerBars([b.day for b in out], BarArrays.of(out))


def order(number: int, side: str, kind: str, tif: str = "gtc", **terms: object) -> Order:
    fields: dict[str, object] = {
        "limit": None,
        "stop": None,
        "trail_amount": None,
        "trail_percent": None,
        "expires": None,
    }
    fields.update(terms)
    return Order(
        order_id=f"{number:032x}",
        number=number,
        side=side,
        ticker="XYZ",
        quantity=D(10) if side == "buy" else D(5),
        kind=kind,
        tif=tif,
        reserved=D(0),
        placed_on=JAN2,
        **fields,  # type: ignore[arg-type]
    )


XYZ = bars(
    """
    2020-01-02 100 101 99 100
    2020-01-03  99 100 96  97
    2020-01-06  97  99 95  98
    2020-01-07  98 104 97 103
    """
)


def test_fills_expiries_and_actions_come_out_in_day_and_placement_order() -> None:
    buy_limit = order(1, "buy", "limit", limit=D("97.50"))
    sell_market = order(2, "sell", "market", tif="day")
    buy_stop = order(3, "buy", "stop", tif="day", stop=D(103))
    sell_limit = order(4, "sell", "limit", limit=D(110), expires=JAN5)
    resting = order(5, "buy", "limit", limit=D(90))
    split = CorporateAction("XYZ", JAN6, "split", D(2), None, "hand")
    dividend = CorporateAction("XYZ", JAN3, "dividend", None, D("0.25"), "hand")
    outcomes = plan(
        [buy_limit, sell_market, buy_stop, sell_limit, resting],
        {"XYZ": XYZ},
        {},
        CALENDAR,
        (JAN2, JAN7),
        (parse_commission("0.01/share,min=1"), D(10)),
        [split, dividend],
    )
    assert outcomes == [
        # the dividend's ex-date is Jan 3: before every order of that day
        ActionDue(JAN3, dividend),
        # low 96 reaches the limit 97.50 below the open 99: filled at the limit; the 10 bps of
        # slippage (97.5975) may not take it past its limit; fee 10 x 0.01 = 0.10 -> min 1
        Filled(JAN3, buy_limit, D("97.50"), D("1.00"), D(0)),
        # a market sell at the next open 99, less 10 bps: 98.901 (inside 96..100); slippage
        # 0.099; fee 5 x 0.01 = 0.05 -> min 1
        Filled(JAN3, sell_market, D("98.901"), D("1.00"), D("0.099")),
        # a day order's only bar is Jan 3, whose high 100 stays under the stop 103
        Expired(JAN3, buy_stop),
        # expires on Sunday Jan 5: its last trading day is Jan 3, whose high 100 < 110
        Expired(JAN3, sell_limit),
        # the split (Jan 6) comes after; the limit 90 is never reached and it stays open
        ActionDue(JAN6, split),
    ]


def test_a_trailing_stop_with_no_bar_before_its_day_starts_from_the_reference_given() -> None:
    later = bars(
        """
        2020-01-03 99 100 96 97
        2020-01-06 97  99 95 98
        """
    )
    trailing = order(1, "sell", "trailing", trail_amount=D(3))
    rules = (parse_commission("0"), D(0))
    # reference 100: the level is 100 - 3 = 97; the low 96 reaches it, the open 99 is above:
    # filled at 97 on Jan 3
    got = plan(
        [trailing], {"XYZ": later}, {trailing.order_id: D(100)}, CALENDAR, (JAN2, JAN6), rules
    )
    assert got == [Filled(JAN3, trailing, D(97), D(0), D(0))]
    # reference 110: the level 107 is above the open 99, so it fills at the open
    got = plan(
        [trailing], {"XYZ": later}, {trailing.order_id: D(110)}, CALENDAR, (JAN2, JAN6), rules
    )
    assert got == [Filled(JAN3, trailing, D(99), D(0), D(0))]


def test_the_target_day_counts_trading_days_or_takes_the_last_one_before_a_date() -> None:
    assert target_day(CALENDAR, JAN2, 2, None) == JAN6  # Jan 3, then Jan 6
    assert target_day(CALENDAR, JAN2, None, None) == JAN3  # one day by default
    assert target_day(CALENDAR, JAN2, None, "2020-01-05") == JAN3  # a Sunday: Friday's bar
    with pytest.raises(DateOutOfRangeError, match="advance by fewer days"):
        target_day(CALENDAR, JAN2, 4, None)  # only 3 trading days after Jan 2
