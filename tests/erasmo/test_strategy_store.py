"""Where a backtest runs and how it is recorded: the scratch store keeps its portfolio in memory
between commands (a command that fails half-way, or a dry run, leaves nothing on it), and the
finished run is copied into the user's store in one insert: byte for byte the events the run
decided, which an import (replaying and auditing every event) accepts as they are."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hand_market import HandMarket
from reliability.targets import pg_url
from test_strategy import BARS, D0, D5, HAND_ORDERS, TODAY, make, write

from erasmo.bootstrap import Erasmo, bootstrap
from erasmo.strategy import StrategyError
from erasmo.strategy.rerun import compare_logs
from erasmo.strategy.runner import replay_in_scratch, run_backtest, spec_from_file
from erasmo.strategy.scratch import Scratch
from events.portfolio import Portfolio

#: Buys the most XYZ it can each day (sizes follow the cash, so every fill and hold-back
#: depends on the state the previous commands left).
ALL_IN = """
from datetime import date
from erasmo.strategy import Strategy

class AllIn(Strategy):
    def on_bar(self, ctx):
        if ctx.day == date(2020, 1, 9):
            return  # the last day of the data: an order could never fill
        for order in ctx.open_orders:
            ctx.cancel(order)
        shares = ctx.affordable("XYZ")
        if shares:
            ctx.buy("XYZ", shares)
        if ctx.position("XYZ") > 20:
            ctx.sell("XYZ", 5, kind="limit", limit="104", tif="gtc")
"""


@pytest.fixture
def erasmo(tmp_path: Path) -> Erasmo:
    built = make(tmp_path / "data")
    yield built  # type: ignore[misc]
    built.close()


@pytest.fixture
def scratch(tmp_path: Path) -> Scratch:
    built = Scratch(tmp_path / "scratch", HandMarket(BARS), lambda: TODAY)
    yield built  # type: ignore[misc]
    built.close()


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_the_recorded_events_are_the_runs_and_pass_an_import(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    url = None if backend == "sqlite" else pg_url(request.getfixturevalue("pg_schema"))
    erasmo = bootstrap(tmp_path / "data", url, market=HandMarket(BARS), today=lambda: TODAY)
    request.addfinalizer(erasmo.close)
    path = write(tmp_path, ALL_IN, "all_in.py")
    spec = spec_from_file(path, "AllIn", {}, cash="10000", start=D0, end=D5, commission="1")
    result = run_backtest(erasmo.door, spec)
    recorded = tmp_path / "recorded.jsonl"
    assert erasmo.door.export_log(recorded, [result.portfolio_id]) == result.events
    alone = tmp_path / "alone.jsonl"
    replay_in_scratch(erasmo.door, spec, "AllIn", alone)
    assert compare_logs(recorded, alone) is None
    types = [e.type for e in erasmo.door.history(result.portfolio_id)]
    assert types.count("OrderFilled") >= 2
    assert "OrderCancelled" in types
    # an import replays every event through the rules and audits the whole history
    other = make(tmp_path / "other")
    try:
        receipt = other.door.import_log(recorded)
        assert receipt.new == result.events
        assert other.door.resolve("AllIn") == result.portfolio_id
        assert other.door.head(result.portfolio_id) == erasmo.door.head(result.portfolio_id)
    finally:
        other.close()


def test_a_name_taken_during_the_run_records_nothing(tmp_path: Path, erasmo: Erasmo) -> None:
    spec = spec_from_file(write(tmp_path, HAND_ORDERS), "Hand", {}, cash="10000", start=D0, end=D5)

    def meanwhile(done: int, total: int) -> None:
        if done == total:  # another window opens a portfolio of that name as the run ends
            erasmo.door.open_portfolio("hand", "100", D0, mode="simulation")

    with pytest.raises(StrategyError, match=r"already named .Hand.: give the backtest another"):
        run_backtest(erasmo.door, spec, meanwhile)
    (other,) = erasmo.door.portfolios()
    assert other.name == "hand"
    opened = [e.type for e in erasmo.door.history(other.id)]
    assert opened == ["PortfolioOpened", "CashDeposited", "TradingRulesSet"]
    # and the catalog's two: its creation and the claim of the name
    assert erasmo.door.event_count() == len(opened) + 2


def test_a_command_failing_half_way_leaves_nothing_on_the_kept_portfolio(
    scratch: Scratch,
) -> None:
    head = scratch.door.open_portfolio("P", "1000", D0, mode="simulation")
    app = scratch.app
    kept = app.portfolio(head.id)
    assert app.portfolio(head.id) is kept  # no copy between commands

    def deposit_then_fail(p: Portfolio) -> None:
        p.deposit(Decimal(500), D0)
        raise RuntimeError("failed after deciding a deposit")

    with pytest.raises(RuntimeError):
        app.change(head.id, deposit_then_fail)
    assert app.portfolio(head.id).cash == Decimal(1000)
    assert app.portfolio(head.id) is not kept  # fetched again from the store
    app.change(head.id, lambda p: p.deposit(Decimal(7), D0))
    assert app.portfolio(head.id).cash == Decimal(1007)
    assert [e.type for e in scratch.door.history(head.id)][-1] == "CashDeposited"
    assert len(scratch.door.history(head.id)) == 4


def test_a_dry_run_leaves_the_kept_portfolio_as_stored(scratch: Scratch) -> None:
    head = scratch.door.open_portfolio("P", "1000", D0, mode="simulation")
    scratch.door.place_order(head.id, "buy", "XYZ", "3", dry_run=True)
    assert scratch.door.head(head.id).orders == ()
    assert scratch.door.head(head.id).available_cash == Decimal(1000)
    placed = scratch.door.place_order(head.id, "buy", "XYZ", "3")
    assert [o.order_id for o in scratch.door.head(head.id).orders] == [placed.order_id]
    assert scratch.door.head(head.id).available_cash == Decimal(1000) - Decimal(300)


def test_an_older_version_is_read_from_the_store(scratch: Scratch) -> None:
    head = scratch.door.open_portfolio("P", "1000", D0, mode="simulation")
    scratch.app.change(head.id, lambda p: p.deposit(Decimal(1), date(2020, 1, 2)))
    assert scratch.door.head(head.id, head.version).cash == Decimal(1000)
    assert scratch.door.head(head.id).cash == Decimal(1001)


def test_a_batch_is_written_before_the_store_is_read_and_at_its_end(scratch: Scratch) -> None:
    head = scratch.door.open_portfolio("P", "1000", D0, mode="simulation")
    app = scratch.app

    def written() -> int:
        return len(app.recorder.select_events(head.id))  # the store, as it is

    def deposit(amount: int) -> None:
        app.change(head.id, lambda p: p.deposit(Decimal(amount), D0))

    def deposit_then_fail(p: Portfolio) -> None:
        p.deposit(Decimal(500), D0)
        raise RuntimeError("failed after deciding a deposit")

    assert written() == 3  # opened, cash deposited, rules set
    with app.batched():
        deposit(1)
        deposit(2)
        assert written() == 3
        assert scratch.door.head(head.id).cash == Decimal(1003)  # from memory
        history = [e.type for e in scratch.door.history(head.id)]  # writes them first
        assert history[-2:] == ["CashDeposited", "CashDeposited"]
        assert written() == 5
        deposit(4)
        with pytest.raises(RuntimeError):
            app.change(head.id, deposit_then_fail)
        # fetched again from the store, with the deposit of 4 written first
        assert scratch.door.head(head.id).cash == Decimal(1007)
        assert written() == 6
        deposit(8)
        assert written() == 6
    assert written() == 7
    assert scratch.door.head(head.id).cash == Decimal(1015)
    assert [e.fields["amount"] for e in scratch.door.history(head.id)[3:]] == [1, 2, 4, 8]
