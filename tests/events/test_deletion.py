"""Reopen, delete and undelete on the write side, on every backend: a delete is a tombstone
event (the portfolio leaves the list, its name is free, its events stay), every refusal records
nothing, and export/import and the audit know the new events."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from events.application import Portfolios
from events.audit import AuditedEvent, audit_portfolio
from events.errors import (
    ClosedPortfolioError,
    DeletedPortfolioError,
    DuplicateNameError,
    EventLogError,
    PortfolioStatusError,
    UnknownPortfolioError,
)
from events.eventlog import export_log, import_file
from events.store import StoreConfig
from events.values import PriceProvenance

D = Decimal
DAY = date(2020, 1, 2)
LATER = date(2020, 1, 10)


def heads(app: Portfolios) -> tuple[int, list[Any]]:
    """Everything a refusal must leave as it was: the event count and every portfolio's head."""
    return app.event_count(), sorted((h.id, h.name, h.version) for h in app.heads(deleted=True))


def refused(app: Portfolios, error: type[Exception], command: Any, match: str) -> str:
    before = heads(app)
    with pytest.raises(error) as raised:
        command()
    assert heads(app) == before
    message = str(raised.value)
    assert match in message
    return message


@pytest.fixture
def tech(app: Portfolios) -> UUID:
    """ "Tech": 1000.00 deposited on DAY, 5 AAPL bought at 10.00 on LATER (cash 950.00)."""
    pid = app.open_portfolio("Tech", DAY, cash=D("1000.00"))
    app.buy(pid, "AAPL", D(5), D("10.00"), LATER, PriceProvenance("test", LATER, False))
    return pid


# -- delete -----------------------------------------------------------------------------------


def test_delete_records_a_tombstone_and_frees_the_name(app: Portfolios, tech: UUID) -> None:
    count = app.event_count()
    app.delete_portfolio(tech)

    assert app.event_count() == count + 2  # the tombstone and the catalog's NameReleased
    assert app.summaries() == []
    assert app.portfolio_ids() == []
    history = app.history(tech)
    assert [e.type for e in history][-1] == "PortfolioDeleted"
    assert history[-1].on == LATER  # the portfolio's clock, as every event carries
    assert len(history) == 4  # opened, deposit, buy, and the tombstone: nothing forgotten
    p = app.portfolio(tech)
    assert p.deleted
    assert p.cash == D("950.00")
    assert p.shares == {"AAPL": D(5)}
    other = app.open_portfolio("TECH", DAY)  # the name is free again, in any case
    assert app.find("tech") == other


def test_the_deleted_are_listed_apart_with_when(app: Portfolios, tech: UUID) -> None:
    app.delete_portfolio(tech)
    (gone,) = app.deleted_summaries()
    assert (gone.id, gone.name, gone.version, gone.closed) == (tech, "Tech", 4, False)
    assert gone.deleted_on == LATER
    assert gone.deleted_at == app.history(tech)[-1].timestamp


def test_a_deleted_name_tells_how_to_undelete(app: Portfolios, tech: UUID) -> None:
    app.delete_portfolio(tech)
    with pytest.raises(DeletedPortfolioError) as raised:
        app.find("tech")
    assert str(raised.value) == (
        "Portfolio 'Tech' was deleted. To use it again, undelete it: erasmo portfolio "
        "undelete 'tech' (see 'erasmo portfolio list --deleted')."
    )


@pytest.mark.parametrize(
    "command",
    [
        lambda app, pid: app.deposit(pid, D(1), LATER),
        lambda app, pid: app.withdraw(pid, D(1), LATER),
        lambda app, pid: app.buy(
            pid, "AAPL", D(1), D(10), LATER, PriceProvenance("t", LATER, False)
        ),
        lambda app, pid: app.rename(pid, "Other"),
        lambda app, pid: app.close_portfolio(pid),
        lambda app, pid: app.reopen_portfolio(pid),
        lambda app, pid: app.delete_portfolio(pid),
        lambda app, pid: app.fork(pid, "Branch", app.history(pid)[1].seq),
    ],
    ids=["deposit", "withdraw", "buy", "rename", "close", "reopen", "delete", "fork"],
)
def test_every_command_on_a_deleted_portfolio_is_refused(
    app: Portfolios, tech: UUID, command: Any
) -> None:
    app.delete_portfolio(tech)
    message = refused(app, DeletedPortfolioError, lambda: command(app, tech), "was deleted")
    assert f"undelete it first: erasmo portfolio undelete {tech}" in message.lower()


# -- undelete -------------------------------------------------------------------------------


def test_undelete_brings_it_back_as_it_was(app: Portfolios, tech: UUID) -> None:
    app.close_portfolio(tech)
    app.delete_portfolio(tech)
    assert app.find_deleted("TECH") == tech
    app.undelete_portfolio(tech)

    assert [(s.name, s.cash, s.closed) for s in app.summaries()] == [("Tech", D("950.00"), True)]
    assert app.find("Tech") == tech
    assert app.deleted_summaries() == []
    assert [e.type for e in app.history(tech)][-3:] == [
        "PortfolioClosed",
        "PortfolioDeleted",
        "PortfolioUndeleted",
    ]


def test_undelete_refuses_a_taken_name_and_says_what_to_do(app: Portfolios, tech: UUID) -> None:
    app.delete_portfolio(tech)
    app.open_portfolio("tech", DAY)
    message = refused(app, DuplicateNameError, lambda: app.undelete_portfolio(tech), "Cannot")
    assert message == (
        "Cannot undelete 'Tech': another portfolio is named 'tech' now (names ignore case). "
        "Rename that one first (erasmo portfolio rename 'tech' NEW_NAME), or delete it, then "
        "undelete again."
    )


def test_undelete_of_a_portfolio_not_deleted_is_refused(app: Portfolios, tech: UUID) -> None:
    refused(
        app,
        PortfolioStatusError,
        lambda: app.undelete_portfolio(tech),
        "Portfolio 'Tech' is not deleted.",
    )


def test_two_deleted_portfolios_of_one_name_are_told_apart_by_id(
    app: Portfolios, tech: UUID
) -> None:
    app.delete_portfolio(tech)
    second = app.open_portfolio("Tech", DAY)
    app.delete_portfolio(second)
    message = refused(
        app, UnknownPortfolioError, lambda: app.find_deleted("tech"), "2 deleted portfolios"
    )
    assert str(tech) in message
    assert str(second) in message
    assert app.find_deleted(str(second)) == second
    with pytest.raises(UnknownPortfolioError, match="No deleted portfolio is named 'Nope'"):
        app.find_deleted("Nope")


# -- closed portfolios: rename and reopen ------------------------------------------------------


def test_a_closed_portfolio_can_be_renamed_and_reopened(app: Portfolios, tech: UUID) -> None:
    app.close_portfolio(tech)
    app.rename(tech, "Old tech")
    assert app.find("old TECH") == tech
    assert app.portfolio(tech).closed
    app.open_portfolio("Tech", DAY)  # the old name is free

    app.reopen_portfolio(tech)
    app.deposit(tech, D("50"), LATER)
    p = app.portfolio(tech)
    assert (p.name, p.closed, p.cash) == ("Old tech", False, D("1000.00"))


def test_reopening_an_open_portfolio_is_refused(app: Portfolios, tech: UUID) -> None:
    refused(
        app,
        PortfolioStatusError,
        lambda: app.reopen_portfolio(tech),
        "Portfolio 'Tech' is not closed; it is open.",
    )


def test_a_closed_portfolio_says_it_can_be_reopened(app: Portfolios, tech: UUID) -> None:
    app.close_portfolio(tech)
    message = refused(
        app, ClosedPortfolioError, lambda: app.deposit(tech, D(1), LATER), "is closed"
    )
    assert "reopen this one ('erasmo portfolio reopen')" in message


# -- the audit --------------------------------------------------------------------------------


def _audit(*kinds: str) -> list[str]:
    opened = AuditedEvent(1, "PortfolioOpened", {"name": "T", "currency": "USD", "on": DAY})
    events = [opened, *(AuditedEvent(i + 2, k, {"on": DAY}) for i, k in enumerate(kinds))]
    return [f"{p.event_type}: {p.message}" for p in audit_portfolio(events)]


def test_the_audit_knows_the_new_events() -> None:
    assert _audit("PortfolioClosed", "PortfolioReopened", "PortfolioClosed") == []
    assert _audit("PortfolioClosed", "PortfolioDeleted", "PortfolioUndeleted") == []
    assert _audit("PortfolioDeleted", "PortfolioUndeleted", "PortfolioDeleted") == []
    assert _audit("PortfolioReopened") == [
        "PortfolioReopened: it reopens a portfolio that is not closed"
    ]
    assert _audit("PortfolioUndeleted") == [
        "PortfolioUndeleted: it undeletes a portfolio that is not deleted"
    ]
    assert _audit("PortfolioDeleted", "PortfolioClosed") == [
        "PortfolioClosed: the portfolio was deleted"
    ]
    assert _audit("PortfolioDeleted", "PortfolioDeleted") == [
        "PortfolioDeleted: the portfolio was deleted"
    ]


def test_the_audit_of_a_stored_delete_and_undelete_is_clean(app: Portfolios, tech: UUID) -> None:
    app.close_portfolio(tech)
    app.rename(tech, "Renamed while closed")
    app.delete_portfolio(tech)
    app.undelete_portfolio(tech)
    app.reopen_portfolio(tech)
    assert app.audit(tech) == []


# -- export and import ------------------------------------------------------------------------


def _exported(app: Portfolios) -> str:
    out = io.StringIO()
    export_log(app, out, erasmo_version="test")
    return out.getvalue()


def test_the_tombstone_travels_in_exports(app: Portfolios, tech: UUID, tmp_path: Path) -> None:
    app.delete_portfolio(tech)
    path = tmp_path / "log.jsonl"
    path.write_text(_exported(app), encoding="utf-8")
    other = Portfolios(StoreConfig.sqlite(tmp_path / "other.sqlite"))
    try:
        other.open_portfolio("Tech", DAY)  # a live portfolio of the name: no clash
        _log, new = import_file(other, path)
        assert new == 4
        assert [s.name for s in other.summaries()] == ["Tech"]
        assert other.find("Tech") != tech
        assert [d.id for d in other.deleted_summaries()] == [tech]
        assert other.portfolio(tech).deleted
        assert _exported(other).count("PortfolioDeleted") == 1
    finally:
        other.close()


def test_a_deleted_local_portfolio_does_not_block_an_import(
    app: Portfolios, tmp_path: Path
) -> None:
    source = Portfolios(StoreConfig.sqlite(tmp_path / "source.sqlite"))
    try:
        incoming = source.open_portfolio("Tech", DAY, cash=D(10))
        path = tmp_path / "log.jsonl"
        path.write_text(_exported(source), encoding="utf-8")
    finally:
        source.close()
    local = app.open_portfolio("Tech", DAY)
    app.delete_portfolio(local)

    import_file(app, path)

    assert app.find("tech") == incoming
    assert [d.id for d in app.deleted_summaries()] == [local]


def test_an_import_blocked_by_a_closed_portfolio_goes_through_once_it_is_renamed(
    app: Portfolios, tmp_path: Path
) -> None:
    source = Portfolios(StoreConfig.sqlite(tmp_path / "source.sqlite"))
    try:
        incoming = source.open_portfolio("Tech", DAY, cash=D(10))
        path = tmp_path / "log.jsonl"
        path.write_text(_exported(source), encoding="utf-8")
    finally:
        source.close()
    local = app.open_portfolio("tech", DAY)
    app.close_portfolio(local)

    message = refused(app, EventLogError, lambda: import_file(app, path), "rename that one first")
    assert message.endswith(
        f"the file's portfolio 'Tech' ({incoming}) has the name of a different portfolio in "
        "this store; rename that one first (erasmo portfolio rename 'tech' NEW_NAME, closed or "
        "not) or delete it, then import again"
    )

    app.rename(local, "Old tech")
    _log, new = import_file(app, path)
    assert new == 2
    assert sorted(s.name for s in app.summaries()) == ["Old tech", "Tech"]
    assert app.find("Tech") == incoming
