"""A margin account through the front door on bars written here: a short sale by a market
order, a dividend charged and a split applied to the short as the clock advances, the cover,
and buying-power refusals that record nothing (dry run and real alike). Cash figures are worked
out by hand in the comments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hand_market import HandMarket

from erasmo.bootstrap import Erasmo, bootstrap
from erasmo.door import FrontDoor
from erasmo.market.base import CorporateAction
from events.rules.margin import InsufficientBuyingPowerError

D = Decimal
D0, D1, D2, D3, D4, D5 = (date(2020, 1, d) for d in (2, 3, 6, 7, 8, 9))
BARS = """
XYZ 2020-01-02 100 101 99 100
XYZ 2020-01-03 98 99 95 96
XYZ 2020-01-06 97 103 96 102
XYZ 2020-01-07 105 106 104 105
XYZ 2020-01-08 52 53 45 46
XYZ 2020-01-09 45 46 44 45
"""
ACTIONS = [
    CorporateAction("XYZ", D3, "dividend", None, D("0.50"), "hand"),
    CorporateAction("XYZ", D4, "split", D("2"), None, "hand"),
]


@pytest.fixture
def door(tmp_path: Path) -> Iterator[FrontDoor]:
    built: Erasmo = bootstrap(tmp_path / "data", market=HandMarket(BARS, ACTIONS), today=lambda: D5)
    yield built.door
    built.close()


def test_a_short_through_a_dividend_and_a_split(door: FrontDoor) -> None:
    head = door.open_portfolio("M", "10000", D0, mode="simulation", account="margin")
    pid = head.id
    assert door.account(pid).account == "margin"
    door.place_order(pid, "sell", "XYZ", "100")
    door.advance(pid, to=D1)  # fills at D1's open, 98: cash 10,000 + 9,800 = 19,800
    assert door.head(pid).quantity("XYZ") == D("-100")
    assert door.head(pid).cash == D("19800")
    report = door.advance(pid, to=D4)
    # D3: dividend 0.50 on the short of 100 charged: 19,800 - 50 = 19,750; D4: 2:1 split
    assert [(a.kind, a.day) for a in report.actions] == [("dividend", D3), ("split", D4)]
    head = door.head(pid)
    # the borrow fee (1% a year, 360 nights) on the short at each night's close:
    # 01-03 to 01-05, 3 nights at 100 x 96: 9,600 x 0.01 x 3 / 360 = 0.8
    # 01-06 at 100 x 102: 0.28333; 01-07 at 100 x 105: 0.29167; total 1.375 -> 1.38
    assert (head.quantity("XYZ"), head.cash) == (D("-200"), D("19750") - D("1.38"))
    door.place_order(pid, "buy", "XYZ", "200")
    door.advance(pid, to=D5)  # covers at D5's open, 45: 19,748.62 - 9,000 = 10,748.62
    head = door.head(pid)
    # and the night of 01-08 at 200 x 46: 9,200 x 0.01 / 360 = 0.2556 -> 0.26
    assert (head.quantity("XYZ"), head.cash) == (D("0"), D("10748.62") - D("0.26"))
    # P&L 750 before the fees: sold 100 at 98 (9,800) = 200 at 49 after the split, covered at
    # 45 (9,000), less the 50 dividend
    assert door.app.audit(pid) == []


def test_buying_power_refusals_record_nothing(door: FrontDoor) -> None:
    pid = door.open_portfolio("M", "1000", D0, mode="simulation", account="margin").id
    before = door.event_count()
    for dry_run in (True, False):
        with pytest.raises(InsufficientBuyingPowerError) as refused:
            # a buy order for 30 at a limit of 100 holds back 3,000; buying power 2,000
            door.place_order(pid, "buy", "XYZ", "30", "limit", limit="100", dry_run=dry_run)
        assert "needs 3,000.00 of buying power; 2,000.00 available" in str(refused.value)
        with pytest.raises(InsufficientBuyingPowerError, match=r"needs 2,500\.00 of buying power"):
            # a short sale order for 25 at a limit of 100
            door.place_order(pid, "sell", "XYZ", "25", "limit", limit="100", dry_run=dry_run)
    assert door.event_count() == before


def test_open_a_margin_account_as_a_dry_run(door: FrontDoor) -> None:
    head = door.open_portfolio("M", "1000", D0, account="margin", dry_run=True)
    assert head.name == "M"
    assert door.event_count() == 0
    with pytest.raises(Exception, match="not a fraction"):
        door.open_portfolio("M", "1000", D0, account="margin", margin={"initial_margin": "2"})
    assert door.event_count() == 0
