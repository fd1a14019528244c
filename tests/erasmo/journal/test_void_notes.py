"""Voids in a log that holds notes: a note names an event by its version in the whole log, and
changes nothing of the state, so it never blocks a void of an earlier event (nor of the event
it is about); one void or several at once, from the CLI, the door, an import or a sync."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cli_runner import Run
from test_sync_support import Install, assert_same_events, client

from erasmo.bootstrap import Erasmo, bootstrap
from erasmo.door.logs import export_log, import_log
from erasmo.sync.serving import SyncServer
from events.portfolio import Portfolio

BARS = "XYZ 2020-01-02 100 101 99 100\nXYZ 2020-01-03 98 99 95 96\nXYZ 2020-01-06 97 99 96 98\n"
DAY = date(2020, 1, 2)


def _history(run: Run) -> list[dict[str, Any]]:
    code, out, err = run("history", "W2", "--json")
    assert code == 0, err
    found: list[dict[str, Any]] = json.loads(out)
    return found


def _last_seq(run: Run, kind: str) -> int:
    return [e["seq"] for e in _history(run) if e["type"] == kind][-1]


def _cash_and_orders(run: Run) -> tuple[Decimal, list[Any]]:
    code, out, err = run("holdings", "W2", "--json")
    assert code == 0, err
    cash = Decimal(json.loads(out)["cash"])
    code, out, err = run("orders", "W2", "--json")
    assert code == 0, err
    return cash, json.loads(out)


def test_the_cli_voids_events_that_notes_follow(run: Run) -> None:
    """The QA case: an order placed with --tag (a NoteAdded after it), a buy with --note, a
    note by `erasmo note`; then the order, the deposit and the buy are each voided."""
    opened = ("portfolio", "open", "W2", "--cash", "10000", "--on", "2010-03-01")
    assert run(*opened, "--mode", "simulation")[0] == 0
    assert run("deposit", "W2", "500")[0] == 0
    deposit = _last_seq(run, "CashDeposited")
    order = ("order", "W2", "buy", "IBM", "3", "--type", "limit", "--limit", "100")
    code, _, err = run(*order, "--tif", "gtc", "--tag", "t")
    assert code == 0, err
    placed = _last_seq(run, "OrderPlaced")
    code, _, err = run("buy", "W2", "IBM", "2", "--note", "hello")
    assert code == 0, err
    bought = _last_seq(run, "SharesBought")
    (buy,) = [e for e in _history(run) if e["seq"] == bought]
    cost = Decimal(buy["quantity"]) * Decimal(buy["price"]) + Decimal(buy["fee"])
    assert run("note", "W2", str(deposit), "entered twice", "--tag", "mistake")[0] == 0
    kinds = [e["type"] for e in _history(run)]
    assert kinds.count("NoteAdded") == 3
    cash, orders = _cash_and_orders(run)
    assert (cash, len(orders)) == (Decimal("10500") - cost, 1)

    code, _, err = run("void", "W2", str(placed), "--reason", "x")
    assert (code, err) == (0, ""), err
    assert _cash_and_orders(run) == (Decimal("10500") - cost, [])  # the order is gone
    code, _, err = run("void", "W2", str(deposit), "--reason", "entered twice")
    assert (code, err) == (0, ""), err
    assert _cash_and_orders(run)[0] == Decimal("10000") - cost
    code, _, err = run("void", "W2", str(bought), "--reason", "never bought")
    assert (code, err) == (0, ""), err
    assert _cash_and_orders(run) == (Decimal("10000"), [])
    code, out, _ = run("holdings", "W2", "--json")
    assert json.loads(out)["positions"] == []
    assert [e["type"] for e in _history(run)].count("NoteAdded") == 3  # the notes stay
    code, _, err = run("check")
    assert code == 0, err


@pytest.fixture
def built(tmp_path: Path) -> Iterator[Erasmo]:
    from hand_market import HandMarket

    made = bootstrap(tmp_path / "data", market=HandMarket(BARS, []), today=lambda: date(2026, 1, 5))
    yield made
    made.close()


def _noted_log(built: Erasmo, name: str, deposit: bool = True, order: bool = True) -> Any:
    """Open 1000; deposit 300 (noted); a limit buy of 1 XYZ at 90 (tagged); buy 2 XYZ at 100
    (noted); a note on the opening. Without the deposit or the order when told."""
    door = built.door
    a = door.open_portfolio(name, "1000", DAY, mode="simulation").id
    if deposit:
        door.deposit(a, "300", DAY)
        door.note(a, door.history(a)[-1].seq, "a bonus", "windfall")
    if order:
        door.place_order(a, "buy", "XYZ", "1", "limit", limit="90", tif="gtc", tags="dip")
    door.buy(a, "XYZ", "2", note="breakout")
    door.note(a, door.history(a)[0].seq, "a new year")
    return a


def test_the_door_voids_several_events_that_notes_follow(built: Erasmo) -> None:
    door = built.door
    a = _noted_log(built, "A")
    history = door.history(a)
    deposit = next(e.seq for e in history if e.type == "CashDeposited" and e.version > 2)
    placed = next(e.seq for e in history if e.type == "OrderPlaced")
    assert door.head(a).cash == Decimal("1100")  # 1000 + 300 - 2 x 100
    count = door.event_count()
    receipt = door.void(a, [deposit, placed], "both wrong")
    assert door.event_count() == count + 2
    without = _noted_log(built, "B", deposit=False, order=False)
    got, want = door.head(a), door.head(without)
    assert got.cash == want.cash == Decimal("800")  # 1000 - 2 x 100
    assert receipt.cash == Decimal("800")
    assert (got.available_cash, got.positions, got.orders) == (
        want.available_cash,
        want.positions,
        want.orders,
    )
    assert door.app.audit(a) == []


def _noted(install: Install, pid: Any, about: int, text: str) -> None:
    def add(p: Portfolio) -> Portfolio:
        p.add_note(about, text, "tag")
        return p

    install.app.change(pid, add)


def _void(install: Install, pid: Any, about: int) -> None:
    def command(p: Portfolio) -> Portfolio:
        p.void(about, "wrong", install.app.entries(p.id, p.version))
        return p

    install.app.change(pid, command)


def _voided_with_notes(install: Install) -> Any:
    """Open 10000 (1, 2); deposit 250 (3); note on 3 (4); one buy of AAPL (5); note on 5 (6);
    void 3 (7); note on 3 (8)."""
    pid = install.open("Tech")
    install.deposit(pid, "250")
    _noted(install, pid, 3, "twice")
    install.trade(pid, 1)
    _noted(install, pid, 5, "why")
    _void(install, pid, 3)
    _noted(install, pid, 3, "voided: entered twice")
    return pid


def test_import_re_makes_voids_among_notes(alpha: Install, beta: Install, tmp_path: Path) -> None:
    pid = _voided_with_notes(alpha)
    assert alpha.app.portfolio(pid).cash == Decimal("10000") - Decimal("10.50")  # 250 out
    path = tmp_path / "log.jsonl"
    export_log(alpha.app, path)
    import_log(beta.app, None, path)
    assert_same_events(alpha, beta)
    copied = beta.app.portfolio(pid)
    assert copied.cash == Decimal("10000") - Decimal("10.50")
    assert copied.shares == {"AAPL": Decimal(1)}
    assert beta.app.audit(pid) == []


def test_sync_re_makes_voids_among_notes(alpha: Install, beta: Install, server: SyncServer) -> None:
    pid = _voided_with_notes(beta)
    assert client(beta, server).sync().pushed == 8
    assert_same_events(alpha, beta)
    assert alpha.app.portfolio(pid).cash == Decimal("10000") - Decimal("10.50")
    assert alpha.app.audit(pid) == []
