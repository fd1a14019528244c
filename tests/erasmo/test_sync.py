"""Two real installs sync through a real server on a loopback port: afterwards both hold the
same events (compared as exported, hash-chained files), none lost and none twice."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from test_sync_support import (
    CONFLICT_DAY,
    Install,
    assert_same_events,
    call,
    client,
    make_install,
    serve,
)

from erasmo.sync.client import PeerCursors, SyncError
from erasmo.sync.serving import SyncServer
from erasmo.sync.wire import encode_event
from events.application import Portfolios
from events.store import StoreConfig


def test_pull_into_an_empty_install(alpha: Install, beta: Install, server: SyncServer) -> None:
    tech = alpha.open("Tech")
    alpha.trade(tech, 6)
    alpha.open("Income", "500")

    summary = client(beta, server).sync(push=False)

    assert summary.pulled == 2 + 6 + 2
    assert summary.pushed == 0
    assert beta.names() == ["Income", "Tech"]
    assert_same_events(alpha, beta)
    after, _ = PeerCursors(beta.data_dir).get(server.url)
    assert after == alpha.app.reader.head()


def test_push_into_an_empty_server(alpha: Install, beta: Install, server: SyncServer) -> None:
    growth = beta.open("Growth")
    beta.trade(growth, 5)
    beta.deposit(growth, "250", days=3)

    summary = client(beta, server).sync(pull=False)

    assert summary.pushed == 2 + 5 + 1
    assert alpha.names() == ["Growth"]
    assert_same_events(alpha, beta)


def test_both_ways(alpha: Install, beta: Install, server: SyncServer) -> None:
    tech = alpha.open("Tech")
    growth = beta.open("Growth")
    first = client(beta, server).sync()
    alpha.trade(tech, 3)
    beta.deposit(growth, "10", days=2)
    beta.open("Cash", "1")

    second = client(beta, server).sync()

    assert (first.pulled, first.pushed) == (2, 2)
    assert (second.pulled, second.pushed, second.conflicts) == (3, 3, [])
    assert alpha.names() == beta.names() == ["Cash", "Growth", "Tech"]
    assert_same_events(alpha, beta)


def test_incremental_sync_transfers_only_new_events(
    alpha: Install, beta: Install, server: SyncServer
) -> None:
    tech = alpha.open("Tech")
    alpha.trade(tech, 20)
    client(beta, server).sync()
    alpha.deposit(tech, "1", days=1)

    summary = client(beta, server).sync()

    assert (summary.pulled, summary.held, summary.pushed) == (1, 0, 0)
    assert_same_events(alpha, beta)


def test_conflicting_writes_keep_both_lines(
    alpha: Install, beta: Install, server: SyncServer
) -> None:
    tech = alpha.open("Tech")
    alpha.trade(tech, 2)
    client(beta, server).sync()
    alpha.deposit(tech, "100", days=1)  # the server's line: v5, v6
    alpha.trade(tech, 1, days=2)
    beta.deposit(tech, "7", days=1)  # ours: v5, v6, v7
    beta.deposit(tech, "8", days=1)
    beta.trade(tech, 1, days=3)
    ours = [e.fields for e in beta.app.history(tech)]

    summary = client(beta, server).sync()

    assert len(summary.conflicts) == 1
    conflict = summary.conflicts[0]
    assert (conflict.portfolio_id, conflict.version) == (tech, 5)
    assert conflict.copy_name == f"Tech (conflict {CONFLICT_DAY} from beta)"
    assert_same_events(alpha, beta)
    for install in (alpha, beta):
        # The portfolio follows the server; the copy holds our whole line, then its new name.
        assert [e.type for e in install.app.history(tech)][-2:] == ["CashDeposited", "SharesBought"]
        copy = install.app.history(conflict.copy_id)
        assert [e.fields for e in copy][: len(ours)] == ours
        assert copy[-1].type == "PortfolioRenamed"
        assert install.names() == ["Tech", conflict.copy_name]
    assert beta.app.portfolio(tech).cash == alpha.app.portfolio(tech).cash


def test_a_name_clash_renames_the_incoming_portfolio(
    alpha: Install, beta: Install, server: SyncServer
) -> None:
    theirs = alpha.open("Tech", "100")
    ours = beta.open("tech", "200")  # names ignore case

    summary = client(beta, server).sync()

    assert summary.renamed == [("Tech", "Tech (from alpha)")]
    assert_same_events(alpha, beta)
    for install in (alpha, beta):
        assert install.name_of(theirs) == "Tech (from alpha)"
        assert install.name_of(ours) == "tech"


def test_a_clash_with_a_closed_portfolio_lists_it_under_another_name(
    alpha: Install, beta: Install, server: SyncServer
) -> None:
    theirs = alpha.open("Old", "100")
    alpha.app.close_portfolio(theirs)  # a closed portfolio takes no rename event
    beta.open("Old", "5")

    client(beta, server).sync()

    assert_same_events(alpha, beta)
    listed = {h.id: h.name for h in beta.app.heads()}
    assert listed[theirs] == "Old (from alpha)"
    assert beta.app.find("Old (from alpha)") == theirs
    assert beta.count() == alpha.count()


def test_a_push_only_sync_renames_ours_when_the_server_has_the_name(
    alpha: Install, beta: Install, server: SyncServer
) -> None:
    alpha.open("Tech")
    ours = beta.open("Tech")

    client(beta, server).sync(pull=False)

    assert alpha.name_of(ours) == beta.name_of(ours) == "Tech (from beta)"
    assert sorted(alpha.names()) == ["Tech", "Tech (from beta)"]


def test_an_interrupted_pull_resumes_without_duplicates(
    alpha: Install, beta: Install, server: SyncServer
) -> None:
    for name in ("A", "B", "C"):
        pid = alpha.open(name)
        alpha.trade(pid, 18)
    pages: list[int] = []

    def stop_after_two_pages(phase: str, done: int, total: int) -> None:
        pages.append(done)
        if len(pages) == 2:
            server.stop()

    with pytest.raises(SyncError, match=r"Run the sync again|Cannot reach"):
        client(beta, server, page_size=10).sync(progress=stop_after_two_pages)
    after, _ = PeerCursors(beta.data_dir).get(server.url)
    assert 0 < after < alpha.app.reader.head()
    assert beta.count() == 20

    again = serve(alpha, port=server.port)
    try:
        summary = client(beta, again, page_size=10).sync()
    finally:
        again.stop()
    assert summary.pulled == 3 * 20 - 20
    assert_same_events(alpha, beta)


def test_an_interrupted_push_resumes_without_duplicates(
    alpha: Install, beta: Install, server: SyncServer
) -> None:
    pid = beta.open("Big")
    beta.trade(pid, 48)

    def stop_after_first_batch(phase: str, done: int, total: int) -> None:
        if phase == "push":
            server.stop()

    with pytest.raises(SyncError):
        client(beta, server, page_size=10).sync(progress=stop_after_first_batch)
    assert alpha.count() == 10

    again = serve(alpha, port=server.port)
    try:
        summary = client(beta, again, page_size=10).sync()
    finally:
        again.stop()
    assert summary.pushed == 40
    assert_same_events(alpha, beta)


def test_the_same_push_twice_records_once(
    alpha: Install, beta: Install, server: SyncServer
) -> None:
    pid = beta.open("Twice")
    beta.trade(pid, 3)
    body = {
        "events": [encode_event(e) for e in beta.app.recorder.select_events(pid)],
        "peer": "beta",
    }

    first = call(server, "POST", "/api/v1/events", body)
    second = call(server, "POST", "/api/v1/events", body)

    assert (first[0], first[2]["recorded"], first[2]["held"]) == (200, 5, 0)
    assert (second[0], second[2]["recorded"], second[2]["held"]) == (200, 0, 5)
    assert alpha.count() == 5
    client(beta, server).sync()
    assert_same_events(alpha, beta)


def test_a_diverging_push_is_a_conflict_and_records_nothing(
    alpha: Install, beta: Install, server: SyncServer
) -> None:
    pid = alpha.open("Tech")
    client(beta, server).sync()
    alpha.deposit(pid, "1")
    beta.deposit(pid, "2")
    beta.deposit(pid, "3")
    count = alpha.count()
    body = {
        "events": [encode_event(e) for e in beta.app.recorder.select_events(pid, gt=2)],
        "peer": "beta",
    }

    status, _, answer = call(server, "POST", "/api/v1/events", body)

    assert status == 409
    assert (answer["error"], answer["portfolio"], answer["version"]) == ("conflict", str(pid), 3)
    assert alpha.count() == count


def test_a_push_that_breaks_a_rule_records_nothing(
    alpha: Install, beta: Install, server: SyncServer
) -> None:
    pid = beta.open("Tech", "100")
    beta.deposit(pid, "5")
    events = [encode_event(e) for e in beta.app.recorder.select_events(pid)]
    fields = beta.app.decode("", base64.b64decode(events[1]["state"]))
    withdrawal = beta.app.encode({**fields, "amount": fields["amount"] * 1000})
    events.append(
        {
            **events[2],
            "originator_version": 4,
            "topic": events[2]["topic"].replace("CashDeposited", "CashWithdrawn"),
            "state": base64.b64encode(withdrawal).decode(),
        }
    )

    status, _, answer = call(server, "POST", "/api/v1/events", {"events": events})

    assert status == 400, answer
    assert "event 4 (CashWithdrawn)" in answer["message"]
    assert alpha.count() == 0


def test_a_server_with_another_store_is_read_from_the_start(
    alpha: Install, beta: Install, server: SyncServer, tmp_path: Path
) -> None:
    tech = alpha.open("Tech")
    alpha.trade(tech, 10)
    client(beta, server).sync()
    server.stop()
    gamma = make_install(tmp_path / "gamma")  # a smaller store now answers at the same URL
    gamma.open("Solo")
    replaced = serve(gamma, port=server.port)
    try:
        summary = client(beta, replaced).sync(push=False)
    finally:
        replaced.stop()
        gamma.app.close()
    assert summary.pulled == 2
    assert beta.names() == ["Solo", "Tech"]


def test_pages_are_eventsourcing_notifications(alpha: Install, server: SyncServer) -> None:
    pid = alpha.open("Tech")
    status, _, page = call(server, "GET", "/api/v1/events?after=0&limit=1")
    assert status == 200
    (item,) = page["events"]
    stored = alpha.app.recorder.select_events(pid, limit=1)[0]
    assert item["originator_id"] == pid.hex
    assert base64.b64decode(item["state"]) == stored.state  # the stored bytes, exactly
    assert page["next"] == item["id"]
    assert page["head"] == alpha.app.reader.head()
    status, _, rest = call(server, "GET", f"/api/v1/events?after={page['next']}")
    assert len(rest["events"]) == 1
    assert rest["next"] == rest["head"]
    assert json.loads(json.dumps(rest))  # plain JSON


def test_a_conflict_over_a_snapshot_on_every_store(
    store: StoreConfig, alpha: Install, server: SyncServer, tmp_path: Path
) -> None:
    """Our divergent line crossed a snapshot (every 200 events): it goes with the line."""
    beta = Install(tmp_path / "any", Portfolios(store))
    try:
        tech = alpha.open("Tech")
        client(beta, server).sync()
        alpha.deposit(tech, "1")
        beta.trade(tech, 210)

        summary = client(beta, server).sync()

        (conflict,) = summary.conflicts
        assert beta.app.portfolio(tech).version == 3
        assert beta.app.portfolio(conflict.copy_id).version == 2 + 210 + 1
        assert_same_events(alpha, beta)
    finally:
        beta.app.close()
