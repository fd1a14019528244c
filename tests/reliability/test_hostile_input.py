"""Hostile input: a peer holding the token, or a hand-edited and re-chained log, cannot poison the
store or the reports. Each case of `reliability.hostile` is pushed through the real sync server
and imported from a re-chained file: refused with a one-line reason and nothing recorded (or,
where the install lacks the data, kept and marked unverified), and the other portfolio's
reports still work. A store that already holds such an event (written straight into SQLite)
is reported by `erasmo check` and never takes the other portfolios' reports down."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from erasmo.bootstrap import Erasmo, bootstrap
from erasmo.cli.main import main
from erasmo.sync.serving import SyncServer
from events.errors import EventLogError
from events.eventlog import verify_file
from reliability.conftest import report
from reliability.hostile import (
    BIG,
    CASES,
    OPENED,
    TRADED,
    _server,
    _states,
    attacker_events,
    fingerprint,
    push,
    raw_post,
    run_hostile,
    victim,
)

Run = Callable[..., tuple[int, str, str]]


def cli_runner(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Run:
    """`erasmo --data-dir DATA_DIR ARGS...` through its console entry point, in-process:
    (exit code, stdout, stderr), as a user sees them."""

    def invoke(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["erasmo", "--data-dir", str(data_dir), *args])
        with pytest.raises(SystemExit) as exited:
            main()
        out, err = capsys.readouterr()
        code = exited.value.code
        return (code if isinstance(code, int) else 1), out, err

    return invoke


def test_every_hostile_case_is_refused_in_one_line_or_kept_unverified(tmp_path: Path) -> None:
    figures = run_hostile(tmp_path)
    report(
        "hostile input",
        cases_tried=figures.tried,
        refused=figures.refused,
        kept_unverified=figures.kept_unverified,
        accepted_that_should_not_be=len(figures.wrongly_accepted),
        not_one_line=len(figures.not_one_line),
        reports_broken=len(figures.reports_broken),
    )
    # every case of the list, once per route (sync push, re-chained import)
    assert figures.tried == 2 * len(CASES)
    assert figures.wrongly_accepted == []
    assert figures.not_one_line == []
    assert figures.reports_broken == []
    kept = sum(1 for c in CASES if c.expected == "unverified")
    assert figures.kept_unverified == 2 * kept
    assert figures.refused == 2 * (len(CASES) - kept)


# -- the sync server answers 400, never 500 -------------------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Erasmo, SyncServer]]:
    erasmo = victim(tmp_path / "victim")
    server = _server(erasmo)
    yield erasmo, server
    server.stop()
    erasmo.close()


def test_a_5000_digit_integer_in_the_body_is_a_400(served: tuple[Erasmo, SyncServer]) -> None:
    erasmo, server = served
    before = fingerprint(erasmo)
    body = b'{"events":[{"originator_id":"%s","originator_version":%s,"topic":"x","state":""}]}'
    status, reply = raw_post(server, body % (b"0" * 32, BIG.encode()))
    assert status == 400
    assert reply["message"] == "the body holds a number too long for the sync API"
    assert fingerprint(erasmo) == before


def test_deep_nesting_in_the_body_is_a_400(served: tuple[Erasmo, SyncServer]) -> None:
    erasmo, server = served
    before = fingerprint(erasmo)
    status, reply = raw_post(server, b"[" * 200_000 + b"]" * 200_000)
    assert status == 400
    assert reply["message"] == "the body nests too deeply"
    assert fingerprint(erasmo) == before


def test_a_newer_shape_version_is_refused_through_sync(
    served: tuple[Erasmo, SyncServer], tmp_path: Path
) -> None:
    import base64

    erasmo, server = served
    pid, events = attacker_events(tmp_path / "attacker")
    events[1][1]["class_version"] = 99
    pushed = [
        {
            "originator_id": pid,
            "originator_version": n,
            "topic": f"events.portfolio:Portfolio.{kind}",
            "state": base64.b64encode(json.dumps(state).encode()).decode(),
        }
        for n, (kind, state) in enumerate(events, start=1)
    ]
    before = fingerprint(erasmo)
    status, reply = raw_post(server, json.dumps({"events": pushed, "peer": "m"}).encode())
    assert status == 400
    assert reply["message"] == (
        f"portfolio {pid} event 2 (CashDeposited) cannot be recorded: it is stored in shape "
        "version 99, newer than this erasmo reads (1); update erasmo to take it; nothing was "
        "recorded"
    )
    assert fingerprint(erasmo) == before


# -- verify and import of hostile files ------------------------------------------------------------


def test_verify_of_an_endless_line_stops_at_one_mebibyte() -> None:
    with pytest.raises(EventLogError, match="line 1: the line is longer than 1,048,576 bytes"):
        verify_file(Path("/dev/zero"))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("[" * 200_000 + "]" * 200_000, "line 1: the line nests too deeply"),
        ('{"count":' + BIG + "}", "line 1: the line holds a number too long"),
    ],
    ids=["deep-nesting", "5000-digits"],
)
def test_verify_refuses_hostile_lines_in_one_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "hostile.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(EventLogError, match=message) as refused:
        verify_file(path)
    assert "\n" not in str(refused.value)


# -- a store already poisoned ----------------------------------------------------------------------


@pytest.fixture
def poisoned(tmp_path: Path) -> Path:
    """A data directory whose "Poisoned" portfolio holds a deposit dated 9999-12-31 and one whose
    amount is a plain JSON number, both written straight into the SQLite store, beside an honest
    portfolio (and a branch-free leaderboard of both)."""
    data = tmp_path / "data"
    erasmo = victim(data)
    pid = erasmo.trading.open_portfolio("Poisoned", "5000", OPENED)
    erasmo.trading.deposit(erasmo.trading.resolve("Poisoned"), "100", TRADED)
    erasmo.trading.deposit(erasmo.trading.resolve("Poisoned"), "200", TRADED)
    erasmo.close()
    with sqlite3.connect(data / "events.sqlite") as db:
        rows = db.execute(
            "SELECT originator_version, state FROM stored_events WHERE originator_id = ? "
            "ORDER BY originator_version",
            (pid.hex,),
        ).fetchall()
        version, state = rows[-2]
        poisoned = json.loads(state)
        poisoned["on"]["_data_"] = "9999-12-31"
        db.execute(
            "UPDATE stored_events SET state = ? WHERE originator_id = ? AND originator_version = ?",
            (json.dumps(poisoned).encode(), pid.hex, version),
        )
        version, state = rows[-1]
        plain = json.loads(state)
        plain["amount"] = 200
        db.execute(
            "UPDATE stored_events SET state = ? WHERE originator_id = ? AND originator_version = ?",
            (json.dumps(plain).encode(), pid.hex, version),
        )
    return data


@pytest.fixture
def run(poisoned: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    return cli_runner(poisoned, capsys, monkeypatch)


@pytest.mark.parametrize("command", ["holdings", "performance", "value"])
def test_the_other_portfolios_reports_survive_a_poisoned_one(run: Run, command: str) -> None:
    code, out, err = run(command, "Honest")
    assert (code, err) == (0, "")
    assert "Honest" in out or "AAPL" in out or out.strip()
    code, out, err = run(command, "Poisoned")
    assert code == 1
    assert err.count("\n") == 1
    assert "Portfolio 'Poisoned' has a stored event erasmo cannot read" in err
    assert "Run 'erasmo check'" in err


def test_the_leaderboard_ranks_the_others_and_names_the_poisoned_one(run: Run) -> None:
    code, out, err = run("leaderboard", "--json")
    assert (code, err) == (0, "")
    ranking = {r["name"]: r for r in json.loads(out)["ranking"]}
    assert ranking["Honest"]["rank"] == 1
    assert ranking["Poisoned"]["rank"] is None
    assert ranking["Poisoned"]["note"] == (
        "a stored event of it cannot be read; run 'erasmo check'"
    )


def test_check_reports_the_poisoned_events(run: Run) -> None:
    code, _out, err = run("check")
    assert code == 1
    lines = err.splitlines()
    assert lines == [
        "Poisoned: event 3 (CashDeposited): invalid field 'on': it is 9999-12-31, outside the "
        "dates erasmo keeps (1900-01-01 to 2100-12-31)",
        "Poisoned: event 4 (CashDeposited): invalid field 'amount': it must be an encoded "
        'decimal such as "1500.00", not the JSON number 200',
        "2 problems in 2 portfolios.",
    ]


def test_check_reports_a_damaged_byte_instead_of_crashing(
    poisoned: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with sqlite3.connect(poisoned / "events.sqlite") as db:
        (rowid, state) = db.execute(
            "SELECT rowid, state FROM stored_events WHERE topic LIKE '%SharesBought' LIMIT 1"
        ).fetchone()
        damaged = bytearray(state)
        damaged[len(damaged) // 2] = 0xFF  # one byte, in the middle of the event
        db.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (bytes(damaged), rowid))
    run = cli_runner(poisoned, capsys, monkeypatch)
    code, _out, err = run("check")
    assert code == 1
    assert "Honest: event 3 (SharesBought): its stored state is not the JSON of an event" in err
    assert "Traceback" not in err


def test_check_lists_unverified_events_and_the_leaderboard_marks_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = next(c for c in CASES if c.expected == "unverified")
    data = tmp_path / "data"
    erasmo = victim(data)
    server = _server(erasmo)
    try:
        pid, events = attacker_events(tmp_path / "attacker")
        status, _reply = push(server, pid, _states(kept, events))
        assert status == 200
    finally:
        server.stop()
        erasmo.close()
    run = cli_runner(data, capsys, monkeypatch)
    code, out, err = run("check")
    assert (code, err) == (0, "")
    assert (
        "Evil: event 3 (SharesBought) is unverified: this install has no market data for ZZZZ"
    ) in out
    code, out, err = run("leaderboard", "--json")
    assert code == 0
    marks = {r["name"]: r["unverified"] for r in json.loads(out)["ranking"]}
    assert marks == {"Evil": True, "Honest": False}
    code, out, err = run("leaderboard")
    assert "Evil (?)" in out
    assert "(?) holds events this install could not check" in out


# -- bounds of the value types and of paths -------------------------------------------------------


def test_an_order_worth_more_than_erasmo_handles_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = cli_runner(tmp_path / "data", capsys, monkeypatch)
    run("portfolio", "open", "S", "--on", "2015-03-02", "--mode", "simulation")
    run("deposit", "S", "1000")
    code, _out, err = run(
        "order",
        "S",
        "buy",
        "AAPL",
        "999999999999",
        "--type",
        "limit",
        "--limit",
        "999999999999999",
    )
    assert code == 1
    assert err == (
        "erasmo: 999999999999 shares at 999999999999999 are worth more than "
        "1,000,000,000,000,000, the most erasmo handles in one trade or order; use fewer "
        "shares or a lower price.\n"
    )


def test_a_600_character_data_dir_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = cli_runner(tmp_path / ("x" * 600), capsys, monkeypatch)
    code, _out, err = run("portfolio", "list")
    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith("erasmo: cannot use ")
    assert "File name too long" in err


def test_the_door_admits_every_event_of_an_honest_store(tmp_path: Path) -> None:
    """The registry is not stricter than erasmo itself: an honest install's events all pass."""
    from erasmo.intake import check_incoming

    erasmo: Erasmo = bootstrap(str(tmp_path / "d"), None, offline=True)
    try:
        erasmo.trading.open_portfolio("A", "1000", "2012-11-01")
        erasmo.trading.buy(erasmo.trading.resolve("A"), "IBM", "2", "2012-11-02")
        erasmo.trading.buy(erasmo.trading.resolve("A"), "AAPL", "2", "2012-11-05")
        erasmo.trading.sell(erasmo.trading.resolve("A"), "IBM", "1", "2012-11-06")
        stored = list(erasmo.app.recorder.select_events(erasmo.trading.resolve("A")))
        unverified = check_incoming(stored, erasmo.app.decode, erasmo.market, today=OPENED.today())
        assert unverified == []
    finally:
        erasmo.close()


def test_a_poisoned_event_after_the_cached_frame_leaves_out_only_its_portfolio(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The columnar cache was written before the bad event arrived (recorded by an erasmo
    without these checks): the event is in the tail decoded after the cache, and still only its
    portfolio is left out, however many times the reports run."""
    data = tmp_path / "data"
    erasmo = victim(data)
    pid = erasmo.trading.open_portfolio("Poisoned", "5000", OPENED)
    erasmo.close()
    run = cli_runner(data, capsys, monkeypatch)
    assert run("holdings", "Honest")[0] == 0  # builds and writes the event-frame cache
    assert list((data / "cache").glob("eventframe-*.npz"))
    erasmo = bootstrap(str(data), None, offline=True)
    head = erasmo.app.recorder.select_events(pid, desc=True, limit=1)[0]
    state = json.loads(head.state)
    bad = {
        "timestamp": state["timestamp"],
        "amount": {"_type_": "decimal_str", "_data_": "10"},
        "on": {"_type_": "date_iso", "_data_": "2262-04-12"},
    }
    from eventsourcing.persistence import StoredEvent

    topic = head.topic.rsplit(".", 1)[0] + ".CashDeposited"
    erasmo.app.recorder.insert_events(
        [StoredEvent(pid, head.originator_version + 1, topic, json.dumps(bad).encode())]
    )
    erasmo.close()
    for _ in range(2):
        code, _out, err = run("holdings", "Honest")
        assert (code, err) == (0, "")
        code, _out, err = run("holdings", "Poisoned")
        assert code == 1
        assert "Run 'erasmo check'" in err
    code, out, _err = run("leaderboard", "--json")
    ranks = {r["name"]: r["rank"] for r in json.loads(out)["ranking"]}
    assert ranks == {"Honest": 1, "Poisoned": None}
