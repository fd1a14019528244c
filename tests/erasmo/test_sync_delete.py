"""Sync carries deletes: a tombstone recorded on one install shows up on the other after a sync
through a real server on a loopback port, both ways, and an undelete follows it."""

from __future__ import annotations

import io
from uuid import UUID

from test_sync_support import Install, client

from erasmo.sync.serving import SyncServer
from events.eventlog import export_log


def exported(install: Install, pid: UUID) -> str:
    out = io.StringIO()
    export_log(install.app, out, erasmo_version="test", portfolio_ids=[pid])
    return out.getvalue()


def deleted(install: Install) -> list[tuple[UUID, str]]:
    return [(d.id, d.name) for d in install.app.deleted_summaries()]


def test_a_delete_on_the_server_reaches_the_client(
    alpha: Install, beta: Install, server: SyncServer
) -> None:
    tech = alpha.open("Tech")
    alpha.trade(tech, 2)
    alpha.open("Income", "500")
    client(beta, server).sync()
    assert beta.names() == ["Income", "Tech"]

    alpha.app.delete_portfolio(tech)
    summary = client(beta, server).sync()

    assert (summary.pulled, summary.pushed) == (1, 0)
    assert beta.names() == ["Income"]
    assert deleted(beta) == [(tech, "Tech")]
    assert exported(beta, tech) == exported(alpha, tech)
    beta.open("Tech")  # the name is free on the client too


def test_a_delete_on_the_client_reaches_the_server(
    alpha: Install, beta: Install, server: SyncServer
) -> None:
    growth = beta.open("Growth")
    client(beta, server).sync()
    beta.app.delete_portfolio(growth)

    summary = client(beta, server).sync()

    assert (summary.pulled, summary.pushed) == (0, 1)
    assert alpha.names() == []
    assert deleted(alpha) == [(growth, "Growth")]
    assert exported(alpha, growth) == exported(beta, growth)


def test_a_portfolio_first_seen_deleted_takes_no_name(
    alpha: Install, beta: Install, server: SyncServer
) -> None:
    old = alpha.open("Tech")
    alpha.app.delete_portfolio(old)
    ours = beta.open("Tech")  # the live one of the name, on the client

    summary = client(beta, server).sync()

    assert summary.renamed == []
    assert alpha.names() == beta.names() == ["Tech"]
    assert alpha.app.find("Tech") == beta.app.find("Tech") == ours
    assert deleted(alpha) == deleted(beta) == [(old, "Tech")]


def test_an_undelete_follows_the_delete(alpha: Install, beta: Install, server: SyncServer) -> None:
    tech = alpha.open("Tech")
    alpha.app.delete_portfolio(tech)
    client(beta, server).sync()
    assert beta.names() == []

    beta.app.undelete_portfolio(tech)
    client(beta, server).sync()

    assert alpha.names() == beta.names() == ["Tech"]
    assert deleted(alpha) == deleted(beta) == []
    assert exported(alpha, tech) == exported(beta, tech)


def test_a_rename_of_a_closed_portfolio_and_a_reopen_sync(
    alpha: Install, beta: Install, server: SyncServer
) -> None:
    tech = alpha.open("Tech")
    alpha.app.close_portfolio(tech)
    client(beta, server).sync()

    beta.app.rename(tech, "Old tech")
    beta.app.reopen_portfolio(tech)
    summary = client(beta, server).sync()

    assert (summary.pulled, summary.pushed) == (0, 2)
    assert (
        alpha.state()
        == beta.state()
        == {tech: ("Old tech", 5, alpha.app.portfolio(tech).cash, False)}
    )
    assert exported(alpha, tech) == exported(beta, tech)


def test_a_synced_delete_is_not_sent_again(
    alpha: Install, beta: Install, server: SyncServer
) -> None:
    tech = alpha.open("Tech")
    alpha.trade(tech, 4)
    alpha.app.delete_portfolio(tech)
    first = client(beta, server).sync()
    assert (first.pulled, first.pushed) == (2 + 4 + 1, 0)

    again = client(beta, server).sync()

    assert (again.pulled, again.pushed, again.held) == (0, 0, 0)


def test_a_push_only_sync_takes_the_name_of_a_portfolio_deleted_on_the_server(
    alpha: Install, beta: Install, server: SyncServer
) -> None:
    old = alpha.open("Tech")
    alpha.app.delete_portfolio(old)
    ours = beta.open("Tech")

    summary = client(beta, server).sync(pull=False)

    assert summary.renamed == []
    assert alpha.app.find("Tech") == beta.app.find("Tech") == ours
