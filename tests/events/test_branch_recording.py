"""What-if branches on the write side, on every store backend: what a fork records, what it
refuses (recording nothing), forks of forks, and branches crossing to another install by file
and by sync without their parent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from events.application import LoggedEvent, Portfolios
from events.audit import AuditedEvent, audit_portfolio
from events.errors import DuplicateNameError, ForkPointError, InvalidNameError
from events.eventlog import export_to_file, import_file
from events.store import StoreConfig
from events.values import PriceProvenance

D1, D2, D3, D4 = date(2015, 3, 2), date(2016, 1, 4), date(2018, 6, 1), date(2020, 3, 2)


def close(day: date) -> PriceProvenance:
    return PriceProvenance("bundled:skfolio", day, True, "close")


def explicit(day: date) -> PriceProvenance:
    return PriceProvenance("yahoo", day, False, "explicit")


def parent_with_history(app: Portfolios, meanwhile: Callable[[], object] = lambda: None) -> UUID:
    """Tech: deposit, two buys (one with a fee and an explicit raw price), a rename, a sell, a
    withdrawal; `meanwhile` runs after the first buy."""
    pid = app.open_portfolio("Tech", D1, Decimal("10000"))
    app.buy(pid, "AAPL", Decimal(40), Decimal("29.08"), D1, close(D1))
    meanwhile()
    app.buy(pid, "MSFT", Decimal("25.5"), Decimal("38.39"), D2, explicit(D2), Decimal("4.95"))
    app.rename(pid, "Tech II")
    app.sell(pid, "AAPL", Decimal(15), Decimal("45.452"), D3, close(D3), Decimal(1))
    app.withdraw(pid, Decimal("500"), D4)
    return pid


def seq_of(app: Portfolios, pid: UUID, version: int) -> int:
    return next(e.seq for e in app.history(pid) if e.version == version)


def contents(events: list[LoggedEvent]) -> list[tuple[str, date, dict[str, Any]]]:
    return [(e.type, e.on, e.fields) for e in events]


def test_a_fork_is_the_parents_history_up_to_the_point_with_its_own_name(
    app: Portfolios,
) -> None:
    pid = parent_with_history(app)
    parent_before = app.history(pid)
    at = seq_of(app, pid, 6)  # the sell, after the rename
    bid = app.fork(pid, "What if", at)

    history = app.history(bid)
    assert [e.version for e in history] == list(range(1, 7))
    assert (history[0].type, history[0].on, history[0].fields) == (
        "PortfolioOpened",
        D1,
        {"name": "What if", "currency": "USD"},
    )
    assert (history[1].type, history[1].on, history[1].fields) == (
        "BranchForked",
        D1,
        {"parent_id": pid, "parent_name": "Tech II", "parent_version": 6, "parent_seq": at},
    )
    # The copies: every parent event up to the sell but the opening and the rename, with the
    # same fields (price provenance included) and market dates.
    expected = [e for e in parent_before[1:6] if e.type != "PortfolioRenamed"]
    assert contents(history[2:]) == contents(expected)
    assert history[3].fields["price_source"] == "bundled:skfolio"
    assert history[4].fields["price_kind"] == "explicit"
    assert history[4].fields["price_adjusted"] is False

    branch, parent_then = app.portfolio(bid), app.portfolio(pid, version=6)
    assert branch.name == "What if"
    assert branch.parent_id == pid
    assert (branch.cash, branch.shares, branch.cost, branch.clock) == (
        parent_then.cash,
        parent_then.shares,
        parent_then.cost,
        parent_then.clock,
    )
    assert branch.cash == Decimal(10000) - Decimal("1163.20") - Decimal("978.95") - Decimal(
        "4.95"
    ) + Decimal("681.78") - Decimal(1)
    assert app.history(pid) == parent_before  # the parent is not touched
    assert app.audit(bid) == []
    assert app.find("what IF") == bid


def test_a_branch_diverges_without_touching_its_parent(app: Portfolios) -> None:
    pid = parent_with_history(app)
    bid = app.fork(pid, "Kept AAPL", seq_of(app, pid, 4))  # before the rename and the sell
    parent_before = app.history(pid)
    app.buy(bid, "KO", Decimal(20), Decimal("36.544"), D3, close(D3))
    app.deposit(bid, Decimal("250.00"), D4)
    assert app.history(pid) == parent_before
    assert app.portfolio(bid).shares == {
        "AAPL": Decimal(40),
        "MSFT": Decimal("25.5"),
        "KO": Decimal(20),
    }
    app.deposit(pid, Decimal(1), D4)
    assert app.portfolio(bid).cash == Decimal(10000) - Decimal("1163.20") - Decimal(
        "978.95"
    ) - Decimal("4.95") - Decimal("730.88") + Decimal(250)


def test_a_fork_of_a_fork_names_its_own_parent(app: Portfolios) -> None:
    pid = parent_with_history(app)
    bid = app.fork(pid, "B", seq_of(app, pid, 6))
    app.buy(bid, "KO", Decimal(20), Decimal("36.544"), D3, close(D3))
    b_history = app.history(bid)
    cid = app.fork(bid, "C", b_history[-1].seq)
    c_history = app.history(cid)
    assert c_history[1].fields == {
        "parent_id": bid,
        "parent_name": "B",
        "parent_version": b_history[-1].version,
        "parent_seq": b_history[-1].seq,
    }
    # C copies B's events, not B's own fork mark: its only parent is B.
    assert contents(c_history[2:]) == contents(b_history[2:])
    assert app.branches() == {bid: pid, cid: bid}
    assert app.portfolio(cid).shares == app.portfolio(bid).shares
    assert app.portfolio(cid).cash == app.portfolio(bid).cash


def test_a_closed_parent_can_be_forked_and_the_branch_is_open(app: Portfolios) -> None:
    pid = parent_with_history(app)
    app.close_portfolio(pid)
    bid = app.fork(pid, "Reopened", app.history(pid)[-1].seq)
    assert [e.type for e in app.history(bid)][-1] == "CashWithdrawn"
    assert not app.portfolio(bid).closed
    app.deposit(bid, Decimal(5), D4)
    assert app.portfolio(bid).cash == app.portfolio(pid).cash + 5


def test_a_fork_at_the_opening_copies_nothing(app: Portfolios) -> None:
    pid = parent_with_history(app)
    bid = app.fork(pid, "Fresh", seq_of(app, pid, 1))
    assert [e.type for e in app.history(bid)] == ["PortfolioOpened", "BranchForked"]
    assert app.portfolio(bid).cash == 0


def _store_state(app: Portfolios) -> tuple[int, list[Any]]:
    return app.event_count(), app.summaries()


@pytest.mark.parametrize("where", ["before", "beyond", "other", "catalog"])
def test_a_fork_point_not_among_the_parents_events_is_refused(app: Portfolios, where: str) -> None:
    other = app.open_portfolio("Early", D1, Decimal(1))  # log positions before Tech's
    pid = parent_with_history(app, lambda: app.deposit(other, Decimal(2), D2))
    app.deposit(other, Decimal(3), D4)  # one after Tech's last
    tech = [e.seq for e in app.history(pid)]
    early = [e.seq for e in app.history(other)]
    renamed = next(e.seq for e in app.history(pid) if e.type == "PortfolioRenamed")
    at = {
        "before": early[0],
        "beyond": early[-1],
        "other": early[2],  # between Tech's events
        "catalog": renamed + 1,  # the catalog's record of the new name
    }[where]
    assert early[0] < tech[0] < early[2] < tech[-1] < early[-1]
    assert at not in tech
    if where == "catalog":
        assert at not in early
    before = _store_state(app)
    with pytest.raises(ForkPointError) as raised:
        app.fork(pid, "Nope", at)
    assert f"Log position {at}" in str(raised.value)
    assert "erasmo history" in str(raised.value)
    assert _store_state(app) == before


def test_a_taken_name_is_refused_and_nothing_recorded(app: Portfolios) -> None:
    pid = parent_with_history(app)
    app.open_portfolio("Taken", D1)
    before = _store_state(app)
    for name in ("taken", "TECH II"):
        with pytest.raises(DuplicateNameError):
            app.fork(pid, name, seq_of(app, pid, 3))
    with pytest.raises(InvalidNameError):
        app.fork(pid, "   ", seq_of(app, pid, 3))
    assert _store_state(app) == before


def test_a_branch_crosses_to_another_install_without_its_parent(
    app: Portfolios, store: StoreConfig, tmp_path: Path
) -> None:
    pid = parent_with_history(app)
    bid = app.fork(pid, "B", seq_of(app, pid, 6))
    app.buy(bid, "KO", Decimal(20), Decimal("36.544"), D3, close(D3))
    cid = app.fork(bid, "C", app.history(bid)[-1].seq)
    exported = tmp_path / "branches.jsonl"
    assert export_to_file(app, exported, erasmo_version="t", portfolio_ids=[bid, cid]) == 14

    other = Portfolios(StoreConfig.sqlite(tmp_path / "other.sqlite"))
    try:
        _, new = import_file(other, exported)
        assert new == 14
        assert contents(other.history(bid)) == contents(app.history(bid))
        assert contents(other.history(cid)) == contents(app.history(cid))
        assert other.branches() == {bid: pid, cid: bid}  # the parent is not here: no matter
        assert other.audit(bid) == other.audit(cid) == []
        assert import_file(other, exported)[1] == 0  # idempotent
    finally:
        other.close()

    synced = Portfolios(StoreConfig.sqlite(tmp_path / "synced.sqlite"))
    try:
        line = list(app.recorder.select_events(bid))
        record = synced.record_synced(line, peer="desk")
        assert (record.recorded, record.held) == (len(line), 0)
        assert contents(synced.history(bid)) == contents(app.history(bid))
        assert synced.branches() == {bid: pid}
        assert synced.portfolio(bid).shares == app.portfolio(bid).shares
    finally:
        synced.close()


def test_the_fork_position_is_looked_up_in_the_store_at_hand(
    app: Portfolios, tmp_path: Path
) -> None:
    pid = parent_with_history(app)
    bid = app.fork(pid, "B", seq_of(app, pid, 3))
    assert [app.fork_position(pid, v) for v in range(1, 8)] == [e.seq for e in app.history(pid)]
    assert app.fork_position(pid, 8) is None  # no such version
    assert app.fork_position(UUID(int=7), 1) is None  # no such portfolio
    exported = tmp_path / "all.jsonl"
    export_to_file(app, exported, erasmo_version="t")

    # Another store whose log starts with a portfolio of its own: every position moves.
    other = Portfolios(StoreConfig.sqlite(tmp_path / "other.sqlite"))
    try:
        other.open_portfolio("Mine", D1, Decimal("1"))
        import_file(other, exported)
        mark = other.fork_marks()[bid]
        assert mark["parent_seq"] == seq_of(app, pid, 3)  # as recorded where it was forked
        here = other.fork_position(mark["parent_id"], mark["parent_version"])
        assert here == seq_of(other, pid, 3) != mark["parent_seq"]
    finally:
        other.close()


def test_the_audit_knows_where_a_fork_mark_may_stand() -> None:
    opened = AuditedEvent(1, "PortfolioOpened", {"name": "B", "currency": "USD", "on": D1})
    mark = {
        "parent_id": UUID(int=1),
        "parent_name": "A",
        "parent_version": 3,
        "parent_seq": 7,
        "on": D1,
    }
    assert audit_portfolio([opened, AuditedEvent(2, "BranchForked", mark)]) == []
    deposit = AuditedEvent(2, "CashDeposited", {"amount": Decimal(1), "on": D1})
    late = audit_portfolio([opened, deposit, AuditedEvent(3, "BranchForked", mark)])
    assert [p.message for p in late] == ["BranchForked may only follow PortfolioOpened"]
    bad = audit_portfolio(
        [opened, AuditedEvent(2, "BranchForked", {**mark, "parent_version": 0, "parent_id": "x"})]
    )
    assert sorted(p.message for p in bad) == [
        "its parent_id is not a UUID",
        "its parent_version 0 is not a positive whole number",
    ]


def test_a_long_branch_is_recorded_in_one_go_and_loads_from_one_snapshot(
    app: Portfolios, store: StoreConfig
) -> None:
    pid = app.open_portfolio("Long", D1, Decimal(1))
    portfolio = app.portfolio(pid)
    for _ in range(450):
        portfolio.deposit(Decimal("0.01"), D2)
    app.save(portfolio)
    bid = app.fork(pid, "Long branch", app.history(pid)[-1].seq)
    assert app.snapshots is not None
    assert [s.originator_version for s in app.snapshots.get(bid)] == [453]
    fresh = Portfolios(store)
    try:
        branch = fresh.portfolio(bid)
        assert (branch.version, branch.cash) == (453, Decimal("5.50"))
        assert fresh.audit(bid) == []
    finally:
        fresh.close()


@dataclass(frozen=True)
class Action:
    ticker: str
    day: date
    kind: str
    ratio: Decimal | None
    amount: Decimal | None


def test_a_fork_copies_splits_and_dividends_recorded_after_later_events(app: Portfolios) -> None:
    """A dividend recorded late (dated before the portfolio's latest event) and a split are
    copied into a branch, which then holds and has in cash what the parent does."""
    raw = PriceProvenance("bundled:bokeh", date(2012, 11, 1), False, "close")
    pid = app.open_portfolio("Income", date(2012, 11, 1), Decimal("5000"))
    app.buy(pid, "IBM", Decimal(20), Decimal("193.27"), date(2012, 11, 1), raw)
    app.deposit(pid, Decimal("100"), date(2012, 12, 3))  # the clock passes the ex-date
    dividend = Action("IBM", date(2012, 11, 7), "dividend", None, Decimal("0.85"))
    split = Action("IBM", date(2012, 12, 4), "split", Decimal(2), None)
    assert app.record_actions(pid, [dividend, split]) == [0, 1]
    parent = app.portfolio(pid)
    # by hand: 5,000 − 20 × 193.27 = 1,134.60; + 100 deposit; + 20 × 0.85 = 17 dividend
    assert parent.cash == Decimal("1251.60")
    assert parent.shares == {"IBM": Decimal(40)}

    latest = app.history(pid)[-1]
    assert latest.type == "SplitApplied"
    branch = app.fork(pid, "Income what-if", latest.seq)

    copied = app.portfolio(branch)
    assert copied.cash == Decimal("1251.60")
    assert copied.shares == {"IBM": Decimal(40)}
    assert copied.cost == parent.cost
    assert [e.type for e in app.history(branch)][-2:] == ["DividendReceived", "SplitApplied"]
    assert app.audit(branch) == []
