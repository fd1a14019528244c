"""Voiding an order placement (`erasmo void NAME SEQ`, `door.void`): an open order that has not
filled stops being open and holds nothing back, history keeps both events; a filled order is
refused, naming the trade to void instead (and voiding that trade keeps the fill); an order no
longer open is refused. Real SQLite store, a hand-written market, figures by hand."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from cli_runner import Run

from erasmo.bootstrap import Erasmo, bootstrap
from events.rules.cash import reserved_cash
from events.rules.voids import VoidError

# A limit of 90 is reached on 01-06 only (low 89): an open order placed before would fill then.
BARS = """\
XYZ 2020-01-02 100 101 99 100
XYZ 2020-01-03 100 101 99 100
XYZ 2020-01-06 95 96 89 92
XYZ 2020-01-07 92 93 91 92
"""
START = date(2020, 1, 2)


@pytest.fixture
def built(tmp_path: Path) -> Iterator[Erasmo]:
    from hand_market import HandMarket

    made = bootstrap(tmp_path / "data", market=HandMarket(BARS, []), today=lambda: date(2026, 1, 5))
    yield made
    made.close()


def sim(built: Erasmo, name: str) -> UUID:
    return built.door.open_portfolio(name, "10000", START, mode="simulation").id


def test_an_open_order_voided_stops_being_open_and_never_fills(built: Erasmo) -> None:
    door = built.door
    a, twin = sim(built, "A"), sim(built, "Twin")
    for pid in (a, twin):
        door.place_order(pid, "buy", "XYZ", "10", "limit", limit="90", tif="gtc")
    held = reserved_cash(door.app.portfolio(a))
    assert held >= Decimal(900)  # 10 x the limit of 90 at least, held back while open
    placed = door.history(a)[-1]
    assert placed.type == "OrderPlaced"
    count = door.event_count()
    dry = door.void(a, placed.seq, "placed by mistake", dry_run=True)
    assert door.event_count() == count  # the dry run recorded nothing
    receipt = door.void(a, placed.seq, "placed by mistake")
    assert receipt == dry
    assert (receipt.about_type, receipt.cash) == ("OrderPlaced", Decimal("10000"))
    p = door.app.portfolio(a)
    assert (p.open_orders, reserved_cash(p)) == ({}, Decimal(0))
    assert door.orders(a) == []
    (view,) = door.orders(a, open_only=False)
    assert (view.status, view.reason) == ("voided", "placed by mistake")
    assert [e.type for e in door.history(a)[-2:]] == ["OrderPlaced", "EventVoided"]
    # the clock passes the day the limit is reached: the twin's order fills, the voided not
    for pid in (a, twin):
        door.advance(pid, to=date(2020, 1, 7))
    assert [o.status for o in door.orders(twin, open_only=False)] == ["filled"]
    assert door.app.portfolio(twin).shares == {"XYZ": Decimal(10)}
    assert door.app.portfolio(a).shares == {}
    assert door.app.portfolio(a).cash == Decimal("10000")
    checked, findings = door.check()
    assert (checked, findings) == (2, [])  # the replay of both logs holds


def test_a_filled_order_is_refused_naming_its_trade_and_that_trade_can_go(built: Erasmo) -> None:
    door = built.door
    a = sim(built, "A")
    door.place_order(a, "buy", "XYZ", "10")  # market, day: fills at the next open, 100
    placed = door.history(a)[-1]
    door.advance(a, days=1)
    history = door.history(a)
    fill = next(e for e in history if e.type == "OrderFilled")
    trade = history[history.index(fill) + 1]
    assert trade.type == "SharesBought"
    count = door.event_count()
    short = str(placed.fields["order_id"])[:8]
    message = (
        f"Log position {placed.seq} is the order to buy 10 XYZ ({short}), which has filled "
        f"(its trade: log position {trade.seq}): a filled order cannot be voided. Void that "
        "trade instead; the order stays in the history as filled. Nothing was recorded."
    )
    with pytest.raises(VoidError, match=re.escape(message)):
        door.void(a, placed.seq, "never meant it")
    assert door.event_count() == count
    spent = Decimal("10000") - door.app.portfolio(a).cash
    assert spent > 0
    # as the refusal says: the trade goes, the fill (and the order, filled) stay
    door.void(a, trade.seq, "never meant it")
    p = door.app.portfolio(a)
    assert (p.cash, p.shares, p.open_orders) == (Decimal("10000"), {}, {})
    (order,) = door.orders(a, open_only=False)
    assert (order.status, order.reason) == ("filled", "its trade was voided: never meant it")
    assert door.check() == (1, [])
    undo = door.last_voidable(a)  # Undo skips the filled order and the voided trade
    assert undo is not None
    assert undo.type == "CashDeposited"


def test_a_part_filled_order_names_its_trades_and_the_rest_to_cancel(built: Erasmo) -> None:
    door = built.door
    a = sim(built, "A")
    door.set_rules(a, max_volume_pct="5")  # 5% of the bars' 1,000 shares: 50 a day
    door.place_order(a, "buy", "XYZ", "80", tif="gtc")
    placed = door.history(a)[-1]
    door.advance(a, days=1)
    (view,) = door.orders(a)
    assert (view.status, view.filled) == ("open", Decimal(50))
    history = door.history(a)
    (part,) = [e for e in history if e.type == "OrderPartiallyFilled"]
    trade = history[history.index(part) + 1]
    assert trade.type == "SharesBought"
    with pytest.raises(VoidError, match=f"its trade: log position {trade.seq}") as refused:
        door.void(a, placed.seq, "too big")
    assert "Void that trade instead and cancel the order's rest" in str(refused.value)


def test_an_order_no_longer_open_is_refused(built: Erasmo) -> None:
    door = built.door
    a = sim(built, "A")
    door.place_order(a, "buy", "XYZ", "10", "limit", limit="90", tif="gtc")
    placed = door.history(a)[-1]
    undo = door.last_voidable(a)
    assert undo is not None
    assert (undo.seq, undo.type) == (placed.seq, "OrderPlaced")  # Undo takes the open order
    door.cancel_order(a, str(placed.fields["order_id"])[:8])
    undo = door.last_voidable(a)
    assert undo is not None
    assert undo.type == "CashDeposited"  # the cancelled order has nothing to take out
    count = door.event_count()
    with pytest.raises(VoidError, match=r"which was cancelled \(log position \d+\): it holds"):
        door.void(a, placed.seq, "late")
    assert door.event_count() == count


def test_the_cli_voids_an_order(run: Run) -> None:
    opened = ("portfolio", "open", "P", "--cash", "10000", "--on", "2010-03-01", "--mode")
    assert run(*opened, "simulation")[0] == 0
    limit = ("--type", "limit", "--limit", "50", "--tif", "gtc")
    code, _, err = run("order", "P", "buy", "IBM", "5", *limit)
    assert code == 0, err
    code, out, _ = run("history", "P", "--json")
    seq = json.loads(out)[-1]["seq"]
    code, out, err = run("void", "P", str(seq), "--reason", "wrong limit")
    assert (code, err) == (0, "")
    assert out == f"Voided OrderPlaced at log position {seq} of 'P'; cash is now 10,000.00.\n"
    code, out, _ = run("orders", "P")
    assert "no open orders" in out
    code, out, _ = run("orders", "P", "--all")
    assert "voided 2010-03-01" in out
    assert "wrong limit" in out
