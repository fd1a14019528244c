"""Orders and the market clock through the service, on a real store and bars written here.

The bars (hand_market.HandMarket) are the same session as in test_fills.py; every expected
cash figure is worked out by hand in the comments.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hand_market import HandMarket

from erasmo import actions as corporate
from erasmo.market.base import CorporateAction
from erasmo.services import TradingService
from erasmo.simulation.service import SimulationService
from events.application import Portfolios
from events.errors import (
    ClockError,
    DateOutOfRangeError,
    InsufficientCashError,
    InsufficientSharesError,
    InvalidOrderError,
    NoPriceError,
    NotTradableError,
    SimulationClockError,
    UnknownOrderError,
)
from events.store import StoreConfig

D = Decimal
D0, D1, D2, D3, D4, D5 = (date(2020, 1, d) for d in (2, 3, 6, 7, 8, 9))
BARS = """
XYZ 2020-01-02 100 101 99 100
XYZ 2020-01-03 98 99 95 96
XYZ 2020-01-06 97 103 96 102
XYZ 2020-01-07 105 106 104 105
XYZ 2020-01-08 104 104.5 90 91
XYZ 2020-01-09 91 92 89 90
CLO 2020-01-02 50
CLO 2020-01-03 48
CLO 2020-01-06 52
CLO 2020-01-07 47
CLO 2020-01-08 47
CLO 2020-01-09 46
"""
TODAY = date(2026, 11, 26)


class Setup:
    def __init__(self, store: StoreConfig, actions: Sequence[CorporateAction] = ()) -> None:
        self.store = store
        self.market = HandMarket(BARS, actions)
        self.app = Portfolios(store)
        self.trading = TradingService(self.app, self.market, today=lambda: TODAY)
        self.sim = SimulationService(self.app, self.market, self.trading)

    def open(self, cash: str = "10000", commission: str = "0", bps: str = "0") -> None:
        self.sim.open_portfolio("Sim", cash, D0, "simulation", commission, bps)

    def portfolio(self) -> Any:
        return self.app.portfolio(self.trading.resolve("Sim"))

    def events(self) -> list[str]:
        return [e.type for e in self.trading.history(self.trading.resolve("Sim"))]


@pytest.fixture
def s(tmp_path: Path) -> Iterator[Setup]:
    setup = Setup(StoreConfig.sqlite(tmp_path / "events.sqlite"))
    yield setup
    setup.app.close()


def test_a_simulation_starts_at_its_opening_date_and_trades_at_the_clock(s: Setup) -> None:
    s.open()
    assert s.sim.clock(s.sim.trading.resolve("Sim")) == D0
    assert s.sim.visible_until(s.sim.trading.resolve("Sim")) == D0
    receipt = s.trading.buy(s.trading.resolve("Sim"), "XYZ", "10")  # at the clock's close, 100
    assert (receipt.day, receipt.price, receipt.cash_after) == (D0, D("100"), D("9000"))
    with pytest.raises(SimulationClockError, match="advance"):
        s.trading.buy(s.trading.resolve("Sim"), "XYZ", "1", on=D1)
    with pytest.raises(SimulationClockError):
        s.trading.deposit(s.trading.resolve("Sim"), "5", on=D1)
    assert s.events() == ["PortfolioOpened", "CashDeposited", "TradingRulesSet", "SharesBought"]


def test_a_live_portfolio_keeps_its_clock_at_the_latest_data(s: Setup) -> None:
    s.sim.open_portfolio("Live", "1000", D0)
    assert s.sim.clock(s.sim.trading.resolve("Live")) == D5
    with pytest.raises(InvalidOrderError, match="live"):
        s.sim.advance(s.sim.trading.resolve("Live"), days=1)


def test_market_order_fills_at_the_next_open_in_one_save(s: Setup) -> None:
    s.open()
    placed = s.sim.place_order(s.sim.trading.resolve("Sim"), "buy", "XYZ", "10")
    assert placed.reserved == D("1000.00")  # 10 x last close 100
    assert s.portfolio().available_cash == D("9000")
    report = s.sim.advance(s.sim.trading.resolve("Sim"), days=2)
    assert (report.start, report.end, report.trading_days) == (D0, D2, 2)
    (filled,) = report.filled
    assert (filled.done_on, filled.fill_price, filled.fee) == (D1, D("98"), D("0.00"))
    p = s.portfolio()
    assert p.cash == D("9020")  # 10000 - 10 x 98
    assert p.shares == {"XYZ": D("10")}
    assert p.clock == D2
    assert p.available_cash == p.cash
    assert s.events()[-4:] == ["OrderPlaced", "OrderFilled", "SharesBought", "ClockAdvanced"]
    bought = s.trading.history(s.trading.resolve("Sim"))[-2]
    assert bought.fields["price_kind"] == "order"
    assert bought.fields["price_date"] == D1


def test_fees_and_slippage_apply_to_every_fill(s: Setup) -> None:
    s.open(commission="0.005/share,min=1", bps="100")
    s.sim.place_order(s.sim.trading.resolve("Sim"), "buy", "XYZ", "10")
    (filled,) = s.sim.advance(s.sim.trading.resolve("Sim")).filled
    # 98 + 1% = 98.98 (inside 95-99); fee 10 x 0.005 = 0.05, raised to the minimum 1.00.
    assert (filled.fill_price, filled.slippage, filled.fee) == (D("98.98"), D("0.98"), D("1.00"))
    assert s.portfolio().cash == D("10000") - D("989.80") - D("1.00")


def test_limit_and_stop_orders_fill_in_placement_order_on_each_bar(s: Setup) -> None:
    s.open()
    s.trading.buy(s.trading.resolve("Sim"), "XYZ", "20")  # 2000 at the close 100: cash 8000
    first = s.sim.place_order(
        s.sim.trading.resolve("Sim"), "buy", "XYZ", "5", "limit", limit="97", tif="gtc"
    )
    second = s.sim.place_order(
        s.sim.trading.resolve("Sim"), "sell", "XYZ", "10", "stop", stop="99", tif="gtc"
    )
    third = s.sim.place_order(
        s.sim.trading.resolve("Sim"), "sell", "XYZ", "5", "limit", limit="104", tif="gtc"
    )
    fourth = s.sim.place_order(
        s.sim.trading.resolve("Sim"), "buy", "XYZ", "2", "stop-limit", stop="104", limit="104.5"
    )
    report = s.sim.advance(s.sim.trading.resolve("Sim"), to=D5)
    by_id = {o.order_id: o for o in report.filled}
    # Bar D1: the buy limit 97 at 97 (opened 98), the sell stop 99 gaps: at the open 98.
    assert (by_id[first.order_id].done_on, by_id[first.order_id].fill_price) == (D1, D("97"))
    assert (by_id[second.order_id].done_on, by_id[second.order_id].fill_price) == (D1, D("98"))
    # D3 opens at 105 above the sell limit 104: at 105.
    assert (by_id[third.order_id].done_on, by_id[third.order_id].fill_price) == (D3, D("105"))
    # The DAY stop-limit could only fill on D1, where the stop 104 is not reached: expired.
    assert [o.order_id for o in report.expired] == [fourth.order_id]
    assert report.expired[0].done_on == D1
    assert [o.order_id for o in report.filled] == [first.order_id, second.order_id, third.order_id]
    p = s.portfolio()
    # 8000 - 5 x 97 + 10 x 98 + 5 x 105 = 9020; 20 + 5 - 10 - 5 = 10 shares.
    assert p.cash == D("9020")
    assert p.shares == {"XYZ": D("10")}
    assert s.events()[-8:] == [
        "OrderFilled",  # D1, the first order
        "SharesBought",
        "OrderFilled",  # D1, the second
        "SharesSold",
        "OrderExpired",  # D1, the fourth
        "OrderFilled",  # D3, the third
        "SharesSold",
        "ClockAdvanced",
    ]
    d1 = [e.type for e in s.trading.history(s.trading.resolve("Sim")) if e.on == D1]
    assert d1 == ["OrderFilled", "SharesBought", "OrderFilled", "SharesSold", "OrderExpired"]


def test_day_orders_expire_after_the_first_bar_and_gtc_on_their_date(s: Setup) -> None:
    s.open()
    day = s.sim.place_order(s.sim.trading.resolve("Sim"), "buy", "XYZ", "1", "limit", limit="90")
    dated = s.sim.place_order(
        s.sim.trading.resolve("Sim"), "buy", "XYZ", "1", "limit", limit="90", tif="gtc", expires=D3
    )
    lasting = s.sim.place_order(
        s.sim.trading.resolve("Sim"), "buy", "XYZ", "1", "limit", limit="90", tif="gtc"
    )
    report = s.sim.advance(s.sim.trading.resolve("Sim"), to=D5)
    # D1's low is 95: the DAY order expires at its end. The dated GTC order is good through D3
    # (lows 95, 96, 104): expired on D3, so it misses D4's low 90. The open-ended one fills
    # on D4 at the limit 90 (opened at 104).
    assert [(o.order_id, o.done_on) for o in report.expired] == [
        (day.order_id, D1),
        (dated.order_id, D3),
    ]
    assert [(o.order_id, o.done_on, o.fill_price) for o in report.filled] == [
        (lasting.order_id, D4, D("90"))
    ]
    assert report.open_orders == 0


def test_an_order_is_rejected_at_fill_time_without_enough_cash(s: Setup) -> None:
    s.open(cash="940")
    # A buy stop 104 for 9 holds back 9 x max(104, close 100) = 936 of the 940.
    placed = s.sim.place_order(
        s.sim.trading.resolve("Sim"), "buy", "XYZ", "9", "stop", stop="104", tif="gtc"
    )
    assert placed.reserved == D("936.00")
    report = s.sim.advance(s.sim.trading.resolve("Sim"), to=D5)
    # D3 gaps up to 105: 9 x 105 = 945 > 940. Rejected, nothing bought.
    assert report.filled == ()
    (rejected,) = report.rejected
    assert rejected.done_on == D3
    assert rejected.reason is not None
    assert "945.00" in rejected.reason
    assert "940.00" in rejected.reason
    p = s.portfolio()
    assert (p.cash, p.shares, p.open_orders) == (D("940"), {}, {})
    assert s.events()[-2:] == ["OrderRejected", "ClockAdvanced"]
    (view,) = s.sim.orders(s.sim.trading.resolve("Sim"), open_only=False)
    assert view.status == "rejected"


def test_reservations_stop_a_second_order_from_overdrawing(s: Setup) -> None:
    s.open(cash="1000")
    s.sim.place_order(
        s.sim.trading.resolve("Sim"), "buy", "XYZ", "10", "limit", limit="99", tif="gtc"
    )  # holds 990
    version = s.portfolio().version
    with pytest.raises(InsufficientCashError, match=r"10\.00 available"):
        s.sim.place_order(s.sim.trading.resolve("Sim"), "buy", "XYZ", "1", "limit", limit="50")
    with pytest.raises(InsufficientCashError):
        s.trading.withdraw(s.trading.resolve("Sim"), "20")
    with pytest.raises(InsufficientCashError):
        s.trading.buy(s.trading.resolve("Sim"), "CLO", "1")  # 50 > the 10 not held back
    assert s.portfolio().version == version  # nothing recorded
    s.trading.withdraw(s.trading.resolve("Sim"), "10")
    assert s.portfolio().available_cash == D("0")


def test_sell_orders_hold_their_shares_back(s: Setup) -> None:
    s.open()
    s.trading.buy(s.trading.resolve("Sim"), "XYZ", "10")
    s.sim.place_order(
        s.sim.trading.resolve("Sim"), "sell", "XYZ", "8", "limit", limit="120", tif="gtc"
    )
    with pytest.raises(InsufficientSharesError, match="hold back 8"):
        s.sim.place_order(s.sim.trading.resolve("Sim"), "sell", "XYZ", "3", "stop", stop="90")
    with pytest.raises(InsufficientSharesError):
        s.trading.sell(s.trading.resolve("Sim"), "XYZ", "3")
    s.trading.sell(s.trading.resolve("Sim"), "XYZ", "2")
    assert s.portfolio().available_shares("XYZ") == D("0")


def test_a_fill_may_use_its_own_reservation_not_another_orders(s: Setup) -> None:
    s.open(cash="2000")
    # Two market buys reserving 10 x 100 = 1000 each; each fills on D1 at 98 = 980.
    s.sim.place_order(s.sim.trading.resolve("Sim"), "buy", "XYZ", "10")
    s.sim.place_order(s.sim.trading.resolve("Sim"), "buy", "XYZ", "10")
    report = s.sim.advance(s.sim.trading.resolve("Sim"))
    assert len(report.filled) == 2
    assert s.portfolio().cash == D("40")


def test_trailing_stop_and_close_only_data(s: Setup) -> None:
    s.open()
    s.trading.buy(s.trading.resolve("Sim"), "XYZ", "10")  # 1000: cash 9000
    s.sim.place_order(
        s.sim.trading.resolve("Sim"), "sell", "XYZ", "10", "trailing", trail="10%", tif="gtc"
    )
    s.sim.place_order(
        s.sim.trading.resolve("Sim"), "buy", "CLO", "10", "limit", limit="49", tif="gtc"
    )
    report = s.sim.advance(s.sim.trading.resolve("Sim"), to=D5)
    fills = {o.ticker: (o.done_on, o.fill_price) for o in report.filled}
    # Trailing 10% under the best high (see test_fills): D4 at 95.4. CLO closes at 48 on D1.
    assert fills == {"XYZ": (D4, D("95.4")), "CLO": (D1, D("48"))}
    assert s.portfolio().cash == D("9000") + D("954") - D("480")


def test_cancel_by_unique_prefix(s: Setup) -> None:
    s.open()
    placed = s.sim.place_order(
        s.sim.trading.resolve("Sim"), "buy", "XYZ", "1", "limit", limit="10", tif="gtc"
    )
    with pytest.raises(UnknownOrderError):
        s.sim.cancel_order(s.sim.trading.resolve("Sim"), "zz")
    cancelled = s.sim.cancel_order(s.sim.trading.resolve("Sim"), placed.order_id[:6])
    assert cancelled.status == "cancelled"
    assert s.portfolio().available_cash == D("10000")
    with pytest.raises(UnknownOrderError):
        s.sim.cancel_order(s.sim.trading.resolve("Sim"), placed.order_id)
    assert [o.status for o in s.sim.orders(s.sim.trading.resolve("Sim"), open_only=False)] == [
        "cancelled"
    ]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"kind": "limit"}, InvalidOrderError),  # no limit price
        ({"kind": "market", "limit": "10"}, InvalidOrderError),
        ({"kind": "stop-limit", "stop": "10"}, InvalidOrderError),
        ({"kind": "trailing"}, InvalidOrderError),
        ({"kind": "trailing", "trail": "100%"}, InvalidOrderError),
        ({"kind": "fancy"}, InvalidOrderError),
        ({"tif": "day", "expires": "2020-01-09"}, InvalidOrderError),
        ({"tif": "gtc", "expires": "2020-01-02"}, InvalidOrderError),  # not after the clock
        ({"tif": "forever"}, InvalidOrderError),
    ],
)
def test_bad_orders_are_refused_and_record_nothing(
    s: Setup, kwargs: dict[str, str], error: type[Exception]
) -> None:
    s.open()
    version = s.portfolio().version
    with pytest.raises(error):
        s.sim.place_order(s.sim.trading.resolve("Sim"), "buy", "XYZ", "1", **kwargs)  # type: ignore[arg-type]
    assert s.portfolio().version == version


def test_advance_bounds(s: Setup) -> None:
    s.open()
    with pytest.raises(DateOutOfRangeError):
        s.sim.advance(s.sim.trading.resolve("Sim"), days=9)  # only 5 trading days follow
    with pytest.raises(DateOutOfRangeError):
        s.sim.advance(s.sim.trading.resolve("Sim"), to=D0)
    with pytest.raises(InvalidOrderError):
        s.sim.advance(s.sim.trading.resolve("Sim"), days=0)
    report = s.sim.advance(
        s.sim.trading.resolve("Sim"), to=date(2020, 1, 5)
    )  # a Sunday: the Friday before
    assert report.end == D1
    with pytest.raises(ClockError):
        s.trading.buy(s.trading.resolve("Sim"), "XYZ", "1", on=D0)


def test_rules_change_later_by_an_event(s: Setup) -> None:
    s.open()
    rules = s.sim.set_rules(s.sim.trading.resolve("Sim"), commission="1.00", slippage_bps="5")
    assert (rules.mode, rules.commission, rules.slippage_bps) == ("simulation", "1.00", D("5"))
    assert s.events()[-1] == "TradingRulesSet"
    s.sim.place_order(s.sim.trading.resolve("Sim"), "buy", "XYZ", "10")
    (filled,) = s.sim.advance(s.sim.trading.resolve("Sim")).filled
    # 98 x 1.0005 = 98.049; fee 1.00
    assert (filled.fill_price, filled.fee) == (D("98.049"), D("1.00"))


def test_indexes_cannot_be_ordered(tmp_path: Path) -> None:
    from erasmo.market.bundled import BundledMarketData

    app = Portfolios(StoreConfig.sqlite(tmp_path / "e.sqlite"))
    market = BundledMarketData()
    trading = TradingService(app, market, today=lambda: TODAY)
    sim = SimulationService(app, market, trading)
    sim.open_portfolio("Sim", "1000", "2010-01-04", "simulation")
    with pytest.raises(NotTradableError):
        sim.place_order(sim.trading.resolve("Sim"), "buy", "^GSPC", "1")
    app.close()


# -- the store: both backends -----------------------------------------------------------------


def _scenario(setup: Setup) -> None:
    setup.open(commission="1.00", bps="10")
    setup.trading.buy(setup.trading.resolve("Sim"), "XYZ", "10")
    setup.sim.place_order(
        setup.sim.trading.resolve("Sim"), "buy", "XYZ", "5", "limit", limit="97", tif="gtc"
    )
    setup.sim.place_order(
        setup.sim.trading.resolve("Sim"), "sell", "XYZ", "4", "trailing", trail="3", tif="gtc"
    )
    setup.sim.place_order(
        setup.sim.trading.resolve("Sim"), "buy", "CLO", "3", "limit", limit="1", tif="gtc"
    )
    setup.sim.advance(setup.sim.trading.resolve("Sim"), days=2)


def test_orders_survive_reopening_the_store(store: StoreConfig) -> None:
    first = Setup(store)
    _scenario(first)
    before = first.portfolio()
    history = first.trading.history(first.trading.resolve("Sim"))
    first.app.close()
    second = Setup(store)
    try:
        after = second.portfolio()
        assert (after.cash, after.shares, after.clock) == (before.cash, before.shares, before.clock)
        assert after.open_orders == before.open_orders
        assert (after.mode, after.commission, after.slippage_bps) == ("simulation", "1.00", D(10))
        assert second.trading.history(second.trading.resolve("Sim")) == history
        assert second.app.audit(after.id) == []
        # The one still open is the CLO limit; it can be cancelled after reopening.
        (still,) = second.sim.orders(second.sim.trading.resolve("Sim"))
        assert still.ticker == "CLO"
        second.sim.cancel_order(second.sim.trading.resolve("Sim"), still.order_id)
    finally:
        second.app.close()


def test_snapshots_keep_open_orders(tmp_path: Path) -> None:
    setup = Setup(StoreConfig.sqlite(tmp_path / "events.sqlite"))
    setup.open(cash="100000")
    for _ in range(105):  # 3 + 2 x 105 > 200 events: a snapshot is taken
        placed = setup.sim.place_order(
            setup.sim.trading.resolve("Sim"), "buy", "XYZ", "1", "limit", limit="10", tif="gtc"
        )
        setup.sim.cancel_order(setup.sim.trading.resolve("Sim"), placed.order_id)
    kept = setup.sim.place_order(
        setup.sim.trading.resolve("Sim"), "buy", "XYZ", "1", "limit", limit="97", tif="gtc"
    )
    assert setup.app.snapshots is not None
    assert list(setup.app.snapshots.get(setup.portfolio().id))
    setup.app.close()
    again = Setup(StoreConfig.sqlite(tmp_path / "events.sqlite"))
    assert [o.order_id for o in again.portfolio().orders()] == [kept.order_id]
    assert again.portfolio().orders_placed == 106
    (filled,) = again.sim.advance(again.sim.trading.resolve("Sim")).filled
    assert filled.fill_price == D("97")
    again.app.close()


def test_events_sync_and_import_into_another_store(tmp_path: Path) -> None:
    from events.eventlog import export_to_file, import_file

    source = Setup(StoreConfig.sqlite(tmp_path / "a.sqlite"))
    _scenario(source)
    pid = source.portfolio().id
    stored = list(source.app.recorder.select_events(pid))
    synced = Setup(StoreConfig.sqlite(tmp_path / "b.sqlite"))
    record = synced.app.record_synced(stored, peer="a")
    assert record.recorded == len(stored)
    imported = Setup(StoreConfig.sqlite(tmp_path / "c.sqlite"))
    export_to_file(source.app, tmp_path / "log.jsonl", erasmo_version="test")
    import_file(imported.app, tmp_path / "log.jsonl")
    for other in (synced, imported):
        p, q = source.portfolio(), other.portfolio()
        assert (q.cash, q.shares, q.open_orders, q.clock) == (
            p.cash,
            p.shares,
            p.open_orders,
            p.clock,
        )
        other.app.close()
    source.app.close()


def test_a_synced_fill_without_its_trade_is_caught_by_the_audit() -> None:
    from events.audit import AuditedEvent, audit_portfolio

    order = {
        "order_id": "a" * 32,
        "side": "buy",
        "ticker": "XYZ",
        "quantity": D(1),
        "kind": "market",
        "limit": None,
        "stop": None,
        "trail_amount": None,
        "trail_percent": None,
        "tif": "day",
        "expires": None,
        "reserved": D(100),
        "on": D0,
    }
    fill = {
        "order_id": "a" * 32,
        "bar_day": D1,
        "price": D(98),
        "quantity": D(1),
        "fee": D(0),
        "slippage": D(0),
        "on": D1,
    }
    problems = audit_portfolio(
        [
            AuditedEvent(1, "PortfolioOpened", {"name": "S", "currency": "USD", "on": D0}),
            AuditedEvent(2, "CashDeposited", {"amount": D(1000), "on": D0}),
            AuditedEvent(3, "OrderPlaced", order),
            AuditedEvent(4, "OrderFilled", fill),
            AuditedEvent(5, "ClockAdvanced", {"on": D1}),
            AuditedEvent(6, "OrderCancelled", {"order_id": "a" * 32, "on": D1}),
        ]
    )
    messages = [p.message for p in problems]
    assert any("not followed by its SharesBought" in m for m in messages)
    assert any("is not open" in m for m in messages)


def test_changing_the_rules_of_a_live_portfolio_keeps_its_clock(s: Setup) -> None:
    s.sim.open_portfolio("Live", "1000", D0)
    s.sim.set_rules(s.sim.trading.resolve("Live"), commission="1.00")
    p = s.app.portfolio(s.trading.resolve("Live"))
    assert (p.clock, p.mode, p.commission) == (D0, "live", "1.00")
    s.trading.buy(s.trading.resolve("Live"), "XYZ", "1", on=D1)  # back-dated trades stay possible
    # A live portfolio places orders at the latest data, where XYZ's history ends.
    with pytest.raises(NoPriceError, match="could never fill"):
        s.sim.place_order(s.sim.trading.resolve("Live"), "sell", "XYZ", "1")


def test_a_dry_run_checks_an_order_and_records_nothing(s: Setup) -> None:
    s.open(cash="1000")
    version = s.portfolio().version
    preview = s.sim.place_order(
        s.sim.trading.resolve("Sim"), "buy", "XYZ", "5", "limit", limit="99", dry_run=True
    )
    assert (preview.reserved, preview.status) == (D("495.00"), "open")
    with pytest.raises(InsufficientCashError):
        s.sim.place_order(
            s.sim.trading.resolve("Sim"), "buy", "XYZ", "11", "limit", limit="99", dry_run=True
        )
    assert s.portfolio().version == version
    assert s.sim.orders(s.sim.trading.resolve("Sim")) == []


def test_advance_records_the_splits_and_dividends_of_what_is_held(tmp_path: Path) -> None:
    """A 2:1 split of XYZ on D3 and a dividend of 0.50 a share on D4, recorded by `advance`
    before that day's fills; CLO's dividend is not, as CLO is not held. The split cancels the
    open XYZ order (its terms are in pre-split shares) and leaves the CLO order alone. (The bars
    are not rescaled for the split: only the events and the cash are checked here.)"""
    actions = [
        CorporateAction("XYZ", D3, "split", D(2), None, "hand"),
        CorporateAction("XYZ", D4, "dividend", None, D("0.50"), "hand"),
        CorporateAction("CLO", D4, "dividend", None, D("1"), "hand"),
    ]
    s = Setup(StoreConfig.sqlite(tmp_path / "events.sqlite"), actions)
    try:
        s.open()
        s.trading.buy(
            s.trading.resolve("Sim"), "XYZ", "10"
        )  # at D0's close, 100: cash 10,000 - 1,000 = 9,000
        # a buy limit at 90: the lows are 95, 96, 104, then 90 on D4 - after the split
        xyz = s.sim.place_order(
            s.sim.trading.resolve("Sim"), "buy", "XYZ", "4", kind="limit", limit="90", tif="gtc"
        )
        # a buy limit at 40 on close-only CLO (closes 48, 52, 47, 47, 46): never fills
        clo = s.sim.place_order(
            s.sim.trading.resolve("Sim"), "buy", "CLO", "1", kind="limit", limit="40", tif="gtc"
        )
        report = s.sim.advance(s.sim.trading.resolve("Sim"), to=D4)
        assert [(a.ticker, a.kind, a.day) for a in report.actions] == [
            ("XYZ", "split", D3),
            ("XYZ", "dividend", D4),
        ]
        assert [(o.order_id, o.done_on) for o in report.cancelled] == [(xyz.order_id, D3)]
        assert report.filled == ()
        p = s.portfolio()
        # split: 10 -> 20 shares, cost 1,000 kept; dividend: 20 x 0.50 = 10.00; the XYZ
        # order's 360.00 (4 x 90) is no longer held back, the CLO order's 40.00 still is
        assert p.shares == {"XYZ": D(20)}
        assert p.cost == {"XYZ": D(1000)}
        assert p.cash == D("9000") + D("10.00")
        assert [o.order_id for o in p.orders()] == [clo.order_id]
        assert p.available_cash == p.cash - D("40.00")
        types = s.events()
        assert types.index("SplitApplied") < types.index("OrderCancelled")
        assert types.index("OrderCancelled") < types.index("DividendReceived")
        # the actions service neither peeks past the clock nor finds anything left to record
        with pytest.raises(SimulationClockError):
            corporate.pending_actions(s.app, s.market, s.trading.resolve("Sim"), until=D5)
        assert corporate.pending_actions(s.app, s.market, s.trading.resolve("Sim")) == []
        # advancing again records nothing twice
        assert s.sim.advance(s.sim.trading.resolve("Sim")).actions == ()
        assert s.app.audit(s.trading.resolve("Sim")) == []
        # another install re-checks every event as it syncs them: the split's cancel included
        stored = list(s.app.recorder.select_events(p.id))
        other = Setup(StoreConfig.sqlite(tmp_path / "other.sqlite"), actions)
        try:
            assert other.app.record_synced(stored, peer="a").recorded == len(stored)
            q, mine = other.portfolio(), s.portfolio()
            assert (q.cash, q.shares, q.open_orders) == (mine.cash, mine.shares, mine.open_orders)
        finally:
            other.app.close()
    finally:
        s.app.close()
