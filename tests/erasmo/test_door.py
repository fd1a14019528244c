"""The front door: every command by portfolio id, with dry runs that record nothing.

Each command is run twice, first as a dry run then for real, on the install `bootstrap` builds
over bars written here (the same session as test_simulation.py). A dry run must return what
the real run returns and record nothing; on bad input it must raise what the real run raises,
word for word. Expected cash figures are worked out by hand in the comments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hand_market import HandMarket

from erasmo.bootstrap import Erasmo, bootstrap
from erasmo.door import FrontDoor
from erasmo.door.models import CashReceipt, PortfolioHead, Position, TradeReceipt
from erasmo.market.base import CorporateAction
from events.errors import (
    ClockError,
    DeletedPortfolioError,
    DuplicateNameError,
    ErasmoError,
    ForkPointError,
    InsufficientCashError,
    InsufficientSharesError,
    InvalidInputError,
    InvalidOrderError,
    SimulationClockError,
    UnknownOrderError,
    UnknownPortfolioError,
)

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
ACTIONS = [CorporateAction("XYZ", D3, "dividend", None, D("0.50"), "hand")]
TODAY = date(2026, 11, 26)
R = TypeVar("R")


@pytest.fixture
def erasmo(tmp_path: Path) -> Iterator[Erasmo]:
    built = bootstrap(tmp_path / "data", market=HandMarket(BARS, ACTIONS), today=lambda: TODAY)
    yield built
    built.close()


@pytest.fixture
def door(erasmo: Erasmo) -> FrontDoor:
    return erasmo.door


def both(door: FrontDoor, command: Callable[[bool], R], same: Callable[[R], Any] = repr) -> R:
    """Run `command` as a dry run, then for real: the dry run records nothing and returns what
    the real run returns (compared through `same`); returns the real run's receipt."""
    before = door.event_count()
    dry = command(True)
    assert door.event_count() == before, "a dry run recorded events"
    real = command(False)
    assert door.event_count() > before, "the real run recorded nothing"
    assert same(dry) == same(real)
    return real


def refused(door: FrontDoor, command: Callable[[bool], object], error: type[ErasmoError]) -> str:
    """The dry run and the real run raise the same named error with the same message, and
    record nothing; returns the message."""
    before = door.event_count()
    with pytest.raises(error) as dry:
        command(True)
    with pytest.raises(error) as real:
        command(False)
    assert type(dry.value) is type(real.value)
    assert str(dry.value) == str(real.value)
    assert door.event_count() == before
    return str(real.value)


def opened(door: FrontDoor, name: str = "A", cash: str = "10000", mode: str | None = None) -> Any:
    return door.open_portfolio(name, cash, D0, mode=mode).id


def test_the_composition_root_builds_one_door_over_its_own_services(erasmo: Erasmo) -> None:
    door = erasmo.door
    assert erasmo.door is door
    assert door.app is erasmo.app
    assert door.trading is erasmo.trading
    assert door.simulation is erasmo.simulation
    assert door.branch_service is erasmo.branches
    assert door.analytics is erasmo.analytics


def test_opening_dry_run_then_real(door: FrontDoor) -> None:
    def open_a(dry_run: bool) -> PortfolioHead:
        return door.open_portfolio("A", "1000", D0, dry_run=dry_run)

    head = both(door, open_a, lambda h: replace(h, id=None))  # a dry run's id is never recorded
    assert (head.name, head.cash, head.opened_on, head.status) == ("A", D("1000"), D0, "open")
    assert door.resolve("a") == head.id
    assert [r.name for r in door.portfolios()] == ["A"]
    assert "already" in refused(door, open_a, DuplicateNameError)


def test_cash_dry_run_then_real(door: FrontDoor) -> None:
    a = opened(door, cash="1000")
    deposit = both(door, lambda dry: door.deposit(a, "250.50", D1, dry_run=dry))
    assert deposit == CashReceipt(a, "A", "deposit", D("250.50"), D1, D("1000"), D("1250.50"))
    withdrawal = both(door, lambda dry: door.withdraw(a, "50.50", D1, dry_run=dry))
    assert (withdrawal.cash_before, withdrawal.cash_after) == (D("1250.50"), D("1200.00"))
    refused(door, lambda dry: door.withdraw(a, "1200.01", D1, dry_run=dry), InsufficientCashError)
    refused(door, lambda dry: door.deposit(a, "-5", D1, dry_run=dry), ErasmoError)
    refused(door, lambda dry: door.deposit(a, "5", D0, dry_run=dry), ClockError)  # before D1
    assert door.head(a).cash == D("1200.00")


def test_trades_dry_run_then_real(door: FrontDoor) -> None:
    a = opened(door)
    bought = both(door, lambda dry: door.buy(a, "XYZ", "10", D1, fee="1", dry_run=dry))
    # 10 x the close 96 = 960, plus the fee 1: 10000 - 961 = 9039
    assert bought == TradeReceipt(
        a,
        "A",
        "buy",
        "XYZ",
        D1,
        D("10"),
        D("96"),
        D("1.00"),
        D("960.00"),
        bought.provenance,
        D("10000"),
        D("9039.00"),
        D("0"),
        D("10"),
    )
    assert (bought.provenance.day, bought.provenance.kind) == (D1, "close")
    sold = both(door, lambda dry: door.sell(a, "XYZ", "4", D2, price="100", dry_run=dry))
    # 4 x 100 = 400 (inside the day's 96-103): 9039 + 400 = 9439
    assert (sold.cash_after, sold.position_before, sold.position_after) == (
        D("9439.00"),
        D("10"),
        D("6"),
    )
    refused(door, lambda dry: door.buy(a, "XYZ", "1000", D2, dry_run=dry), InsufficientCashError)
    refused(door, lambda dry: door.sell(a, "CLO", "1", D2, dry_run=dry), InsufficientSharesError)
    assert door.head(a).positions == (Position("XYZ", D("6")),)


def test_portfolio_lifecycle_dry_run_then_real(door: FrontDoor) -> None:
    a, c = opened(door, "A"), opened(door, "C")
    assert both(door, lambda dry: door.rename(a, "B", dry_run=dry)).name == "B"
    refused(door, lambda dry: door.rename(a, "c", dry_run=dry), DuplicateNameError)
    assert both(door, lambda dry: door.close(a, dry_run=dry)).status == "closed"
    refused(door, lambda dry: door.close(a, dry_run=dry), ErasmoError)
    refused(door, lambda dry: door.deposit(a, "1", D1, dry_run=dry), ErasmoError)
    assert both(door, lambda dry: door.reopen(a, dry_run=dry)).status == "open"
    refused(door, lambda dry: door.reopen(a, dry_run=dry), ErasmoError)
    assert both(door, lambda dry: door.delete(c, dry_run=dry)).status == "deleted"
    assert [r.name for r in door.portfolios()] == ["B"]
    assert [r.id for r in door.deleted()] == [c]
    with pytest.raises(DeletedPortfolioError):
        door.resolve("C")
    assert door.find_deleted("C") == c
    assert both(door, lambda dry: door.undelete(c, dry_run=dry)).status == "open"
    refused(door, lambda dry: door.undelete(c, dry_run=dry), ErasmoError)


def test_orders_rules_and_the_clock_dry_run_then_real(door: FrontDoor) -> None:
    a = opened(door, mode="simulation")
    rules = both(door, lambda dry: door.set_rules(a, commission="1", dry_run=dry))
    assert (rules.mode, rules.commission) == ("simulation", "1")
    refused(door, lambda dry: door.set_rules(a, mode="later", dry_run=dry), InvalidOrderError)

    def place(dry_run: bool) -> Any:
        return door.place_order(a, "buy", "XYZ", "10", dry_run=dry_run)

    placed = both(door, place, lambda o: replace(o, order_id=""))  # a fresh id each time
    # 10 x the last close 100 plus the commission 1.00 held back: 10000 - 1001 = 8999
    assert door.head(a).available_cash == D("8999.00")
    assert [o.order_id for o in door.head(a).orders] == [placed.order_id]
    refused(door, lambda dry: door.place_order(a, "buy", "XYZ", "0", dry_run=dry), ErasmoError)
    report = both(door, lambda dry: door.advance(a, days=1, dry_run=dry))
    # filled at the next open 98: 10000 - 980 - 1 = 9019
    assert (report.end, report.cash_after, len(report.filled)) == (D1, D("9019.00"), 1)
    second = door.place_order(a, "buy", "XYZ", "1", "limit", limit="50", tif="gtc")
    cancelled = both(door, lambda dry: door.cancel_order(a, second.short_id, dry_run=dry))
    assert cancelled.status == "cancelled"
    refused(door, lambda dry: door.cancel_order(a, second.short_id, dry_run=dry), UnknownOrderError)
    live = opened(door, "Live")
    refused(door, lambda dry: door.advance(live, days=1, dry_run=dry), InvalidOrderError)


def test_fork_dry_run_then_real(door: FrontDoor) -> None:
    a = opened(door)
    door.buy(a, "XYZ", "10", D1)
    point = door.history(a)[-1]

    def fork(dry_run: bool) -> Any:
        return door.fork(a, "What if", at_seq=point.seq, dry_run=dry_run)

    made = both(door, fork, lambda r: replace(r, id=None, head=replace(r.head, id=None)))
    assert (made.parent_id, made.parent, made.point_seq, made.copied) == (a, "A", point.seq, 2)
    assert door.head(made.id).positions == (Position("XYZ", D("10")),)
    assert door.head(made.id).cash == D("9040")  # 10000 - 10 x 96
    refused(door, lambda dry: door.fork(a, "Other", at_seq=10**6, dry_run=dry), ForkPointError)
    refused(door, lambda dry: door.fork(a, "what IF", dry_run=dry), DuplicateNameError)


def test_corporate_actions_dry_run_then_real(door: FrontDoor) -> None:
    a = opened(door)
    door.buy(a, "XYZ", "10", D1)
    applied = both(door, lambda dry: door.apply_actions(a, until=D3, dry_run=dry))
    assert [(p.action.day, p.cash) for p in applied] == [(D3, D("5.00"))]  # 10 x 0.50
    assert door.head(a).cash == D("9045.00")  # 10000 - 960 + 5
    sim = opened(door, "Sim", mode="simulation")
    refused(door, lambda dry: door.apply_actions(sim, until=D3, dry_run=dry), SimulationClockError)


def test_a_rename_during_an_open_ticket_cannot_redirect_the_trade(door: FrontDoor) -> None:
    original, other = opened(door, "A"), opened(door, "C")
    ticket = door.resolve("A")  # the ticket opens on "A" and keeps its id
    door.buy(ticket, "XYZ", "1", D1, dry_run=True)  # the ticket's preview
    # Meanwhile (a sync, another window) "A" becomes "B" and "C" takes the name "A".
    door.rename(original, "B")
    door.rename(other, "A")
    receipt = door.buy(ticket, "XYZ", "1", D1)
    assert (receipt.portfolio_id, receipt.portfolio) == (original, "B")
    assert door.head(original).positions == (Position("XYZ", D("1")),)
    assert door.head(other).positions == ()
    assert door.head(door.resolve("A")).cash == D("10000")


def test_queries_by_id(door: FrontDoor) -> None:
    a = opened(door)
    door.buy(a, "XYZ", "10", D1)
    first = door.head(a, version=2)  # after the opening deposit
    assert (first.version, first.cash, first.positions) == (2, D("10000"), ())
    assert [e.type for e in door.history(a)] == ["PortfolioOpened", "CashDeposited", "SharesBought"]
    with pytest.raises(UnknownPortfolioError):
        door.resolve("nobody")
    with pytest.raises(InvalidInputError):
        door.compare([])


def test_log_export_verify_and_import_through_the_door(door: FrontDoor, tmp_path: Path) -> None:
    a = opened(door)
    door.buy(a, "XYZ", "10", D1)
    path = tmp_path / "log.jsonl"
    assert door.export_log(path) == 3
    seen: list[tuple[int, int]] = []
    check = door.verify_log(path, lambda done, total: seen.append((done, total)))
    assert (check.events, check.new, check.portfolios) == (3, 0, (a,))
    assert seen
    assert seen[-1][0] == seen[-1][1] == path.stat().st_size
    other = bootstrap(tmp_path / "other", market=HandMarket(BARS), today=lambda: TODAY)
    try:
        receipt = other.door.import_log(path, dry_run=True)
        assert (receipt.new, other.door.event_count()) == (3, 0)
        assert other.door.import_log(path).new == 3
        assert other.door.head(a).positions == (Position("XYZ", D("10")),)
    finally:
        other.close()


FORBIDDEN = ["events.application", "events.portfolio", "events.store", "events.eventlog"]


def test_the_front_door_contract_is_enforced_without_exceptions() -> None:
    import tomllib

    import grimp

    config = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    (contract,) = [
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if c["name"] == "Front ends use the front door"
    ]
    assert contract["type"] == "forbidden"
    assert "erasmo.cli" in contract["source_modules"]
    assert sorted(contract["forbidden_modules"]) == sorted(FORBIDDEN)
    assert "ignore_imports" not in contract
    graph = grimp.build_graph("erasmo", "events", cache_dir=None)
    direct = [
        (module, target)
        for module in graph.find_descendants("erasmo.cli") | {"erasmo.cli"}
        for target in graph.find_modules_directly_imported_by(module)
        if target in FORBIDDEN
    ]
    assert direct == []


def test_a_write_command_imports_no_pandas(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from erasmo.bootstrap import bootstrap\n"
        f"e = bootstrap({str(tmp_path / 'data')!r}, offline=True)\n"
        "d = e.door\n"
        "p = d.open_portfolio('A', '1000', '2020-01-02')\n"
        "d.buy(p.id, 'AAPL', '1', '2020-01-02', dry_run=True)\n"
        "d.buy(p.id, 'AAPL', '1', '2020-01-02')\n"
        "e.close()\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "False"


def test_a_dry_run_on_one_thread_leaves_commands_on_others_real(door: FrontDoor) -> None:
    import threading

    a = opened(door, cash="1000")
    done: list[CashReceipt] = []
    with door.app.dry_run():
        door.deposit(a, "1", D1)  # inside the dry run: not recorded
        worker = threading.Thread(target=lambda: done.append(door.deposit(a, "10", D1)))
        worker.start()
        worker.join()
    assert done[0].cash_after == D("1010")  # 1000 + 10: the worker's deposit, recorded
    assert door.head(a).cash == D("1010")
