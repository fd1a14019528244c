"""Orders opening, extending and covering a short in a margin account, by the same fill rules as
any order (docs/fill-rules.md): a sell limit opens the short, a sell stop extends it, a buy
trailing stop covers it. Bars written by hand; every fill and the cash worked out by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hand_market import HandMarket

from erasmo.bootstrap import Erasmo, bootstrap
from erasmo.door import FrontDoor

D = Decimal
BARS = """
XYZ 2020-01-02 100 101 99 100
XYZ 2020-01-03 102 106 101 105
XYZ 2020-01-06 103 104 95 96
XYZ 2020-01-07 95 97 90 91
XYZ 2020-01-08 92 99 91 98
XYZ 2020-01-09 97 100 96 99
"""


@pytest.fixture
def door(tmp_path: Path) -> Iterator[FrontDoor]:
    built: Erasmo = bootstrap(
        tmp_path / "data", market=HandMarket(BARS), today=lambda: date(2020, 1, 9)
    )
    yield built.door
    built.close()


def test_a_short_opened_extended_and_covered_by_orders(door: FrontDoor) -> None:
    pid = door.open_portfolio(
        "S",
        "10000",
        date(2020, 1, 2),
        mode="simulation",
        commission="1.00",
        account="margin",
        margin={"borrow_fee": "0"},  # no borrow fee: the cash is the trades' alone
    ).id
    door.place_order(pid, "sell", "XYZ", "20", "limit", limit="104", tif="gtc")
    door.place_order(pid, "sell", "XYZ", "10", "stop", stop="95", tif="gtc")

    # 01-03: the sell limit 104 fills (high 106 >= 104) at max(104, open 102) = 104;
    # the sell stop 95 waits (low 101)
    (opened,) = door.advance(pid).filled
    assert (opened.quantity, opened.fill_price, opened.fee) == (D(20), D(104), D(1))
    assert door.head(pid).quantity("XYZ") == -20
    # 01-06: the sell stop 95 fills (low 95 <= 95) at min(95, open 103) = 95
    (extended,) = door.advance(pid).filled
    assert (extended.quantity, extended.fill_price) == (D(10), D(95))
    head = door.head(pid)
    assert head.quantity("XYZ") == -30
    assert head.cash == D(10000) + 20 * 104 - 1 + 10 * 95 - 1  # 13,028.00

    # a buy trailing stop 4.00 placed at the close of 01-06 (96) covers the 30:
    door.place_order(pid, "buy", "XYZ", "30", "trailing", trail="4", tif="gtc")
    # 01-07: best 96 (the close it was placed at), level 100; high 97 < 100: no fill
    assert door.advance(pid).filled == ()
    # 01-08: best min(96, low of 01-07 90) = 90, level 94; high 99 >= 94: fills at
    # max(94, open 92) = 94
    (covered,) = door.advance(pid).filled
    assert (covered.side, covered.quantity, covered.fill_price) == ("buy", D(30), D(94))
    head = door.head(pid)
    assert head.quantity("XYZ") == 0
    # cash 13,028.00 - 30 x 94 - 1.00 = 10,207.00: the short made 2,080 + 950 - 2,820 less
    # three 1.00 fees = 207.00
    assert head.cash == D("10207.00")
    assert door.app.audit(pid) == []
