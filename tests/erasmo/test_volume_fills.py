"""Volume-limited fills through the front door: a participation cap set by the rules command,
partial fills over several bars (on the bundled IBM bars, with their real volume), the rest
expiring or staying open by its time in force, refusals that record nothing, and the log
replayed by the audit. Every figure is worked out by hand in the comments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hand_market import HandMarket

from erasmo.bootstrap import Erasmo, bootstrap
from erasmo.door import FrontDoor
from erasmo.market.bundled import BundledMarketData
from events.errors import VolumeDataError

D = Decimal
M1, M2, M3 = date(2000, 3, 1), date(2000, 3, 2), date(2000, 3, 3)


@pytest.fixture
def bundled(tmp_path: Path) -> Iterator[FrontDoor]:
    built: Erasmo = bootstrap(
        tmp_path / "data", market=BundledMarketData(), today=lambda: date(2014, 1, 2)
    )
    yield built.door
    built.close()


def _types(door: FrontDoor, pid: object) -> list[str]:
    return [e.type for e in door.history(pid)]  # type: ignore[arg-type]


def test_a_market_order_fills_in_two_parts_on_real_volume(bundled: FrontDoor) -> None:
    door = bundled
    # The bundled IBM bars (bokeh): 2000-03-02 open 100.50, volume 11,192,900;
    # 2000-03-03 open 107.25, volume 10,162,800.
    bars = BundledMarketData().bars("IBM", M2, M3)
    assert [(b.open, b.volume) for b in bars] == [(D("100.5"), 11192900), (D("107.25"), 10162800)]
    pid = door.open_portfolio("V", "100000", M1, mode="simulation", commission="1.00").id
    rules = door.set_rules(pid, max_volume_pct="0.001")
    assert rules.max_volume_pct == D("0.001")
    door.place_order(pid, "buy", "IBM", "200", tif="gtc")
    report = door.advance(pid)
    # 03-02: at most 0.001% of 11,192,900 = 111.929 -> 111 shares at the open 100.50:
    # 11,155.50 + fee 1.00; cash 100,000 - 11,156.50 = 88,843.50; 89 shares still open.
    (part,) = report.filled
    assert (part.status, part.quantity, part.fill_price) == ("part filled", D("111"), D("100.5"))
    head = door.head(pid)
    assert (head.quantity("IBM"), head.cash) == (D("111"), D("88843.50"))
    (still,) = door.orders(pid)
    assert (still.filled, still.quantity) == (D("111"), D("200"))
    report = door.advance(pid)
    # 03-03: the cap is 101.628 -> 101 shares, more than the 89 left: they fill at the open
    # 107.25: 9,545.25 + fee 1.00; cash 88,843.50 - 9,546.25 = 79,297.25.
    (rest,) = report.filled
    assert (rest.status, rest.quantity, rest.fill_price) == ("filled", D("89"), D("107.25"))
    head = door.head(pid)
    assert (head.quantity("IBM"), head.cash) == (D("200"), D("79297.25"))
    assert door.orders(pid) == []
    assert _types(door, pid)[-7:] == [
        "OrderPlaced",
        "OrderPartiallyFilled",
        "SharesBought",
        "ClockAdvanced",
        "OrderFilled",
        "SharesBought",
        "ClockAdvanced",
    ]


def test_the_audit_replays_partial_fills(bundled: FrontDoor) -> None:
    door = bundled
    pid = door.open_portfolio("V", "100000", M1, mode="simulation").id
    door.set_rules(pid, max_volume_pct="0.001")
    door.place_order(pid, "buy", "IBM", "200", tif="gtc")
    door.advance(pid, days=2)
    assert "OrderPartiallyFilled" in _types(door, pid)
    checked, findings = door.check()
    assert (checked, findings) == (1, [])


@pytest.fixture
def hand(tmp_path: Path) -> Iterator[FrontDoor]:
    # Every bar with a range has a volume of 1,000 (hand_market); CLO has closes only.
    bars = """
    XYZ 2020-01-02 100 101 99 100
    XYZ 2020-01-03 98 99 95 96
    XYZ 2020-01-06 97 103 96 102
    XYZ 2020-01-07 105 106 104 105
    CLO 2020-01-02 50
    CLO 2020-01-03 48
    """
    built = bootstrap(tmp_path / "data", market=HandMarket(bars), today=lambda: date(2020, 1, 7))
    yield built.door
    built.close()


def test_a_day_order_expires_with_the_rest_unfilled(hand: FrontDoor) -> None:
    pid = hand.open_portfolio("H", "100000", date(2020, 1, 2), mode="simulation").id
    hand.set_rules(pid, max_volume_pct="10")
    hand.place_order(pid, "buy", "XYZ", "250", "limit", limit="97")
    report = hand.advance(pid)
    # 01-03: low 95 <= 97, fills at min(97, open 98) = 97; at most 10% of 1,000 = 100 shares:
    # 9,700; the other 150 expire with the day.
    assert [(o.status, o.quantity) for o in report.filled] == [("part filled", D("100"))]
    assert [o.status for o in report.expired] == ["expired"]
    head = hand.head(pid)
    assert (head.quantity("XYZ"), head.cash) == (D("100"), D("90300"))
    assert hand.orders(pid) == []


def test_a_gtc_sell_limit_fills_over_three_bars(hand: FrontDoor) -> None:
    pid = hand.open_portfolio("H", "100000", date(2020, 1, 2), mode="simulation").id
    hand.place_order(pid, "buy", "XYZ", "250")
    hand.advance(pid)  # no cap yet: 250 at 01-03's open 98 = 24,500; cash 75,500
    hand.set_rules(pid, max_volume_pct="10")
    hand.place_order(pid, "sell", "XYZ", "250", "limit", limit="100", tif="gtc")
    report = hand.advance(pid, days=2)
    # 01-06: high 103 >= 100, at max(100, open 97) = 100, 100 shares: +10,000;
    # 01-07: high 106, at max(100, open 105) = 105, 100 shares: +10,500; 50 left open.
    assert [(o.quantity, o.fill_price) for o in report.filled] == [
        (D("100"), D("100")),
        (D("100"), D("105")),
    ]
    head = hand.head(pid)
    assert (head.quantity("XYZ"), head.cash) == (D("50"), D("96000"))
    (still,) = hand.orders(pid)
    assert (still.filled, still.reserved) == (D("200"), D("50"))


def test_a_cap_is_refused_without_volume_and_records_nothing(tmp_path: Path) -> None:
    built = bootstrap(
        tmp_path / "data",
        market=HandMarket("CLO 2020-01-02 50\nCLO 2020-01-03 48"),
        today=lambda: date(2020, 1, 3),
    )
    try:
        door = built.door
        pid = door.open_portfolio("C", "1000", date(2020, 1, 2), mode="simulation").id
        before = len(door.history(pid))
        with pytest.raises(VolumeDataError, match="no volume"):
            door.set_rules(pid, max_volume_pct="10")
        assert len(door.history(pid)) == before
        assert door.rules(pid).max_volume_pct is None
    finally:
        built.close()


@pytest.mark.parametrize("pct", ["0", "-5", "101", "ten"])
def test_a_cap_out_of_range_is_refused(hand: FrontDoor, pct: str) -> None:
    pid = hand.open_portfolio("H", "1000", date(2020, 1, 2), mode="simulation").id
    with pytest.raises(VolumeDataError, match="percentage above 0"):
        hand.set_rules(pid, max_volume_pct=pct)
    assert hand.rules(pid).max_volume_pct is None


def test_an_order_on_a_ticker_without_volume_is_refused_under_a_cap(hand: FrontDoor) -> None:
    pid = hand.open_portfolio("H", "1000", date(2020, 1, 2), mode="simulation").id
    hand.set_rules(pid, max_volume_pct="10")
    before = len(hand.history(pid))
    with pytest.raises(VolumeDataError, match="CLO"):
        hand.place_order(pid, "buy", "CLO", "1")
    assert len(hand.history(pid)) == before
    rules = hand.set_rules(pid, max_volume_pct="off")  # removed: the order is taken
    assert rules.max_volume_pct is None
    hand.place_order(pid, "buy", "CLO", "1")


def test_the_rest_of_a_triggered_stop_is_a_market_order(hand: FrontDoor) -> None:
    pid = hand.open_portfolio("H", "100000", date(2020, 1, 2), mode="simulation").id
    hand.set_rules(pid, max_volume_pct="10")
    hand.place_order(pid, "buy", "XYZ", "250", "stop", stop="99", tif="gtc")
    report = hand.advance(pid, days=3)
    # 01-03: high 99 reaches the stop: 100 shares at max(99, open 98) = 99 (9,900); the rest is
    # a market order: 01-06 100 at the open 97 (9,700), 01-07 the last 50 at the open 105
    # (5,250). Cash 100,000 - 24,850 = 75,150.
    assert [(o.status, o.quantity, o.fill_price) for o in report.filled] == [
        ("part filled", D("100"), D("99")),
        ("part filled", D("100"), D("97")),
        ("filled", D("50"), D("105")),
    ]
    head = hand.head(pid)
    assert (head.quantity("XYZ"), head.cash) == (D("250"), D("75150"))
