"""The front door's read of one ticker's trades, from the analytics' event frame: the same trades,
prices and order fills as the portfolio's full history says, without decoding that history.
Prices and fills are worked out by hand in the comments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hand_market import HandMarket

from erasmo.bootstrap import Erasmo, bootstrap
from erasmo.door import FrontDoor

D = Decimal
D0, D1, D2, D3 = (date(2020, 1, d) for d in (2, 3, 6, 7))
BARS = """
XYZ 2020-01-02 100 101 99 100
XYZ 2020-01-03 98 99 95 96
XYZ 2020-01-06 97 103 96 102
XYZ 2020-01-07 105 106 104 105
ABC 2020-01-02 50 51 49 50
ABC 2020-01-03 51 52 50 51
ABC 2020-01-06 52 53 51 52
ABC 2020-01-07 53 54 52 53
"""


@pytest.fixture
def door(tmp_path: Path) -> Iterator[FrontDoor]:
    built: Erasmo = bootstrap(tmp_path / "data", market=HandMarket(BARS), today=lambda: D3)
    yield built.door
    built.close()


def _from_history(door: FrontDoor, pid: Any, ticker: str) -> list[tuple[Any, ...]]:
    """The trades of `ticker` as the full history says, without the voided ones: an order's
    fill is the trade recorded with price_kind "order"."""
    history = door.history(pid)
    voided = {e.fields["about"] for e in history if e.type == "EventVoided"}
    return [
        (
            e.seq,
            e.version,
            e.on,
            "buy" if e.type == "SharesBought" else "sell",
            e.fields["quantity"],
            e.fields["price"],
            e.fields["fee"],
            e.fields["price_kind"] == "order",
        )
        for e in history
        if e.type in ("SharesBought", "SharesSold")
        and e.fields["ticker"] == ticker
        and e.version not in voided
    ]


def _read(door: FrontDoor, pid: Any, ticker: str, until: date | None = None) -> list[Any]:
    return [
        (t.seq, t.version, t.on, t.side, t.quantity, t.price, t.fee, t.by_order)
        for t in door.ticker_trades(pid, ticker, until)
    ]


def test_one_ticker_s_trades_match_the_history_with_order_fills_and_without_voids(
    door: FrontDoor,
) -> None:
    pid = door.open_portfolio("S", "100000", D0, mode="simulation", commission="1.00").id
    door.buy(pid, "XYZ", "10", D0, "100.25")  # by hand, at a price inside 01-02's range
    door.buy(pid, "ABC", "20", D0)  # another ticker: never among XYZ's
    door.buy(pid, "XYZ", "3", D0)  # voided below: not on the chart
    door.set_rules(pid, max_volume_pct="10")
    door.place_order(pid, "buy", "XYZ", "150", tif="gtc")
    door.advance(pid, to=D2)
    # 01-03: at most 10% of 1,000 = 100 shares at the open 98 (a partial fill);
    # 01-06: the other 50 at the open 97 (the order's fill).
    door.place_order(pid, "sell", "XYZ", "40")
    door.advance(pid, to=D3)  # 01-07: 40 sold at the open 105
    seq = next(e.seq for e in door.history(pid) if e.fields.get("quantity") == D("3"))
    door.void(pid, seq, "typed 3 instead of 0")

    trades = _read(door, pid, "xyz")  # any case
    assert trades == _from_history(door, pid, "XYZ")
    # by hand: the hand buy, the two fills of the buy order and the sale's fill
    assert [(t[2], t[3], t[4], t[5], t[7]) for t in trades] == [
        (D0, "buy", D("10"), D("100.25"), False),
        (D1, "buy", D("100"), D("98"), True),
        (D2, "buy", D("50"), D("97"), True),
        (D3, "sell", D("40"), D("105"), True),
    ]
    # the rules' commission is charged on each fill; the hand buy named no fee
    assert [t[6] for t in trades] == [D("0"), D("1.00"), D("1.00"), D("1.00")]
    # up to a day: the sale of 01-07 is left out
    assert _read(door, pid, "XYZ", until=D2) == trades[:3]
    assert _read(door, pid, "ABC") == _from_history(door, pid, "ABC")
    assert len(_read(door, pid, "ABC")) == 1
    assert _read(door, pid, "NONE") == []


def test_recorded_types_and_trades_recorded_after_a_first_read(door: FrontDoor) -> None:
    pid = door.open_portfolio("L", "10000", D0).id
    door.buy(pid, "XYZ", "5", D0)
    assert len(door.ticker_trades(pid, "XYZ")) == 1
    assert door.recorded_types(pid) == {"PortfolioOpened", "CashDeposited", "SharesBought"}
    door.sell(pid, "XYZ", "2", D1, "97.50")  # recorded after the frame was read: folded in
    assert _read(door, pid, "XYZ") == _from_history(door, pid, "XYZ")
    assert [t.price for t in door.ticker_trades(pid, "XYZ")] == [D("100"), D("97.50")]
    assert "SharesSold" in door.recorded_types(pid)
    assert "StrategyStarted" not in door.recorded_types(pid)
