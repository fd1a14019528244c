"""Voids (`erasmo void NAME SEQ --reason TEXT`): a compensating event that takes a deposit,
withdrawal, buy or sell out of the state and every projection, while history and export keep
both; refused with a named error, recording nothing, when it would leave a later event breaking
a rule, or voids something else, or twice."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cli_runner import Run
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_sync_support import Install, assert_same_events, client

from erasmo.door.logs import export_log, import_log
from erasmo.sync.serving import SyncServer
from events.errors import ErasmoError
from events.portfolio import Portfolio
from events.rules.cash import reserved_cash
from events.rules.voids import VoidError
from events.values import PriceProvenance

OPEN = ("portfolio", "open", "Practice", "--cash", "10000", "--on", "2010-03-01")
BUY = ("buy", "Practice", "IBM", "30", "--on", "2010-03-01", "--price", "128.57", "--fee", "5")


def history(run: Run) -> list[dict[str, Any]]:
    code, out, _ = run("history", "Practice", "--json")
    assert code == 0
    found: list[dict[str, Any]] = json.loads(out)
    return found


def seq_of(run: Run, kind: str, nth: int = 0) -> int:
    return [e["seq"] for e in history(run) if e["type"] == kind][nth]


def void(install: Install, about: int, reason: str) -> Callable[[Portfolio], Portfolio]:
    """The command that voids event `about` of the portfolio it runs on."""

    def command(p: Portfolio) -> Portfolio:
        p.void(about, reason, install.app.entries(p.id, p.version))
        return p

    return command


def holdings(run: Run) -> dict[str, Any]:
    """The projections' holdings (the read side)."""
    code, out, err = run("holdings", "Practice", "--json")
    assert code == 0, err
    found: dict[str, Any] = json.loads(out)
    return found


def cash_of(run: Run) -> Decimal:
    """The aggregate's cash (the write side), and the projections' the same."""
    code, out, err = run("portfolio", "list", "--json")
    assert code == 0, err
    (listed,) = [p for p in json.loads(out) if p["name"] == "Practice"]
    cash = Decimal(listed["cash"])
    assert Decimal(holdings(run)["cash"]) == cash
    return cash


def test_voiding_a_deposit_takes_its_cash_out(run: Run) -> None:
    assert run(*OPEN)[0] == 0
    assert run("deposit", "Practice", "2500", "--on", "2010-03-02")[0] == 0
    deposit = seq_of(run, "CashDeposited", 1)
    code, out, err = run("void", "Practice", str(deposit), "--reason", "typed twice")
    assert (code, err) == (0, ""), err
    assert out.startswith(f"Voided CashDeposited at log position {deposit}")
    assert cash_of(run) == Decimal("10000")  # 10000 + 2500 - 2500
    kinds = [e["type"] for e in history(run)]
    assert kinds.count("CashDeposited") == 2  # history keeps the deposit and the void
    assert kinds[-1] == "EventVoided"


def test_voiding_a_buy_restores_cash_and_holdings(run: Run) -> None:
    assert run(*OPEN)[0] == 0
    assert run(*BUY)[0] == 0
    assert cash_of(run) == Decimal("6137.90")  # 10000 - 30 x 128.57 - 5
    assert [h["ticker"] for h in holdings(run)["positions"]] == ["IBM"]
    code, _, err = run("void", "Practice", str(seq_of(run, "SharesBought")), "--reason", "x")
    assert code == 0, err
    assert cash_of(run) == Decimal("10000")
    assert holdings(run)["positions"] == []


def test_refusals_record_nothing(run: Run) -> None:
    assert run(*OPEN)[0] == 0
    assert run(*BUY)[0] == 0
    sell = ("sell", "Practice", "IBM", "10", "--on", "2010-03-02")
    assert run(*sell)[0] == 0
    assert run("portfolio", "rename", "Practice", "Drill")[0] == 0
    assert run("portfolio", "rename", "Drill", "Practice")[0] == 0
    before = history(run)
    buy, sold = seq_of(run, "SharesBought"), seq_of(run, "SharesSold")
    code, _, err = run("void", "Practice", str(buy), "--reason", "oops")
    assert code != 0
    assert (
        f"Voiding the buy of 30 IBM (log position {buy}) leaves log position {sold} (SharesSold)"
        in err
    )
    assert "Void that first" in err
    rename = seq_of(run, "PortfolioRenamed")
    code, _, err = run("void", "Practice", str(rename), "--reason", "oops")
    assert code != 0
    assert "cannot be voided" in err
    assert history(run) == before
    # the sale voided first, then the buy: both accepted; a second void of the sale refused
    assert run("void", "Practice", str(sold), "--reason", "never sold")[0] == 0
    assert run("void", "Practice", str(buy), "--reason", "never bought")[0] == 0
    after = history(run)
    code, _, err = run("void", "Practice", str(sold), "--reason", "again")
    assert code != 0
    assert "already voided" in err
    void = seq_of(run, "EventVoided")
    code, _, err = run("void", "Practice", str(void), "--reason", "undo")
    assert code != 0
    assert "void cannot be voided" in err
    assert history(run) == after
    assert cash_of(run) == Decimal("10000")
    assert holdings(run)["positions"] == []


def test_a_dry_run_records_nothing(alpha: Install) -> None:
    pid = alpha.open("Tech")
    alpha.deposit(pid, "500")
    count = len(alpha.app.history(pid))
    p = alpha.app.change(pid, void(alpha, 3, "test"), dry_run=True)
    assert p.cash == Decimal("10000")
    assert len(alpha.app.history(pid)) == count
    assert alpha.app.portfolio(pid).cash == Decimal("10500")


def test_the_aggregate_refuses_with_a_named_error(alpha: Install) -> None:
    pid = alpha.open("Tech")
    with pytest.raises(VoidError, match="has no event 9"):
        alpha.app.change(pid, void(alpha, 9, "why"))
    with pytest.raises(VoidError, match="needs a reason"):
        alpha.app.change(pid, void(alpha, 2, "  "))


def test_export_and_import_keep_the_void(alpha: Install, beta: Install, tmp_path: Path) -> None:
    pid = alpha.open("Tech")
    alpha.deposit(pid, "250")
    alpha.trade(pid, 1)
    alpha.app.change(pid, void(alpha, 3, "wrong amount"))
    path = tmp_path / "log.jsonl"
    export_log(alpha.app, path)
    import_log(beta.app, None, path)
    assert_same_events(alpha, beta)
    copied = beta.app.portfolio(pid)
    assert copied.cash == Decimal("10000") - Decimal("10.50")  # the 250 voided
    assert copied.shares == {"AAPL": Decimal(1)}
    assert [e.type for e in beta.app.history(pid)][-1] == "EventVoided"


def test_sync_carries_a_void_onto_a_portfolio_already_there(
    alpha: Install, beta: Install, server: SyncServer
) -> None:
    pid = beta.open("Growth")
    beta.deposit(pid, "300")
    assert client(beta, server).sync().pushed == 3
    # voided on the server's copy, whose events before the void are already on both sides
    alpha.app.change(pid, void(alpha, 3, "entered twice"))
    assert client(beta, server).sync().pulled == 1
    assert_same_events(alpha, beta)
    assert beta.app.portfolio(pid).cash == Decimal("10000")  # 10000 + 300 - 300
    assert beta.app.audit(pid) == []  # the void is re-made by the rules: `erasmo check` agrees


# -- the state after a void is the state of a log that never had the event --------------------

DAY = date(2020, 1, 2)
PROVENANCE = PriceProvenance("test", DAY, False)

_steps = st.lists(
    st.tuples(
        st.sampled_from(["deposit", "withdraw", "buy", "sell", "order", "cancel", "note"]),
        st.integers(min_value=1, max_value=40),
        st.integers(min_value=1, max_value=20),
    ),
    min_size=1,
    max_size=8,
)


def _apply(p: Portfolio, step: tuple[str, int, int], i: int) -> None:
    kind, n, price = step
    on = DAY + timedelta(days=i)
    if kind == "deposit":
        p.deposit(Decimal(n * 10), on)
    elif kind == "withdraw":
        p.withdraw(Decimal(n * 10), on)
    elif kind == "buy":
        p.buy("AAPL", Decimal(n), Decimal(price), on, PROVENANCE, Decimal(1))
    elif kind == "sell":
        p.sell("AAPL", Decimal(n), Decimal(price), on, PROVENANCE, Decimal(1))
    elif kind == "note":  # on an earlier event, by its version in the whole log
        p.add_note(n % p.version + 1, f"note {i}", "tag")
    elif kind.startswith("order:"):  # "order:ID", a limit buy holding its cost and a fee of 1
        held, limit, order_id = Decimal(n * price + 1), Decimal(price), kind.removeprefix("order:")
        p.place_order(
            order_id, "buy", "AAPL", Decimal(n), "limit", on, held, limit=limit, tif="gtc"
        )
    else:  # "cancel:ID", the order named (`_log` names the oldest open one)
        p.cancel_order(kind.removeprefix("cancel:"), on)


Step = tuple[str, int, int]


def _log(steps: list[Step]) -> tuple[Portfolio, list[tuple[Step, int]]]:
    """A portfolio from the steps its rules accept, and those steps with their places (their
    day, and an order's id; a cancel names the oldest open order)."""
    p = Portfolio.open("Prop", DAY)
    p.deposit(Decimal(500), DAY)
    kept: list[tuple[Step, int]] = []
    for i, step in enumerate(steps):
        if step[0] == "order":
            step = (f"order:o{i}", step[1], step[2])
        elif step[0] == "cancel":
            if not p.open_orders:
                continue
            step = (f"cancel:{next(iter(p.open_orders))}", 0, 0)
        try:
            _apply(p, step, i)
        except ErasmoError:
            continue
        kept.append((step, i))
    return p, kept


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_steps, st.integers(min_value=0, max_value=7))
@example([("order", 2, 10), ("buy", 3, 5)], 0)  # an open order voided: it holds nothing back
@example([("order", 2, 10), ("order", 1, 10), ("cancel", 0, 0)], 1)  # the other is cancelled
@example([("deposit", 5, 1), ("note", 2, 1)], 0)  # a note on the event voided
@example([("deposit", 5, 1), ("buy", 2, 3), ("note", 3, 1)], 0)  # on a later one
def test_a_void_gives_the_state_of_a_log_without_the_event(
    steps: list[tuple[str, int, int]], pick: int
) -> None:
    p, kept = _log(steps)
    if not kept:
        return
    pick %= len(kept)
    entries = [(type(e).__name__, dict(vars(e))) for e in p.collect_events()]
    about = 3 + pick  # opened (1) and the first deposit (2) come first
    assert entries[about - 1][0] != "PortfolioOpened"
    without = Portfolio.open("Prop", DAY)
    without.deposit(Decimal(500), DAY)
    kept_by_rules = True  # whether the log without the event keeps every rule
    for j, (step, i) in enumerate(kept):
        if j != pick and step[0] != "note":  # a note changes no state (its event may be gone)
            try:
                _apply(without, step, i)
            except ErasmoError:
                kept_by_rules = False
                break
    try:
        p.void(about, "property", entries)
    except VoidError:
        # refused only for an event a void cannot take out, or a later one breaking a rule
        assert kept[pick][0][0].split(":")[0] in ("note", "cancel") or not kept_by_rules
        return
    assert kept_by_rules
    assert p.cash == without.cash
    assert p.shares == without.shares
    assert p.cost == without.cost
    assert p.open_orders == without.open_orders  # a voided order is not open, holds nothing
    assert reserved_cash(p) == reserved_cash(without)


def test_the_door_voids_by_log_position_and_the_projections_follow(tmp_path: Path) -> None:
    """Read the holdings, void, read again through the same door: the analytics kept since
    the first read are rebuilt without the voided buy."""
    from hand_market import HandMarket

    from erasmo.bootstrap import bootstrap

    bars = "XYZ 2020-01-02 100 101 99 100\nXYZ 2020-01-03 98 99 95 96\n"
    built = bootstrap(
        tmp_path / "data", market=HandMarket(bars, []), today=lambda: date(2026, 1, 5)
    )
    try:
        door = built.door
        a = door.open_portfolio("A", "1000", DAY).id
        door.buy(a, "XYZ", "2", date(2020, 1, 3), fee="1")
        assert float(door.holdings(a).summary.cash) == 1000 - 2 * 96 - 1  # 807
        buy = door.history(a)[-1]
        assert buy.type == "SharesBought"
        count = door.event_count()
        dry = door.void(a, buy.seq, "wrong ticker", dry_run=True)
        assert door.event_count() == count
        receipt = door.void(a, buy.seq, "wrong ticker")
        assert receipt == dry
        assert (receipt.about_type, receipt.cash) == ("SharesBought", Decimal("1000"))
        assert built.analytics.refresh() >= 1  # as the app does after a command
        shot = door.holdings(a)
        assert float(shot.summary.cash) == 1000.0
        assert shot.positions.empty
        with pytest.raises(VoidError, match="already voided"):
            door.void(a, buy.seq, "again")
    finally:
        built.close()


def test_a_snapshot_of_a_voided_portfolio_loads_the_same_state(alpha: Install) -> None:
    pid = alpha.open("Tech")
    alpha.deposit(pid, "300")
    alpha.app.change(pid, void(alpha, 3, "entered twice"))
    assert alpha.app.snapshots is not None
    alpha.app.take_snapshot(pid)
    loaded = alpha.app.portfolio(pid)
    assert loaded.cash == Decimal("10000")
    assert loaded.version == 4
    with pytest.raises(VoidError, match="already voided"):
        alpha.app.change(pid, void(alpha, 3, "again"))
