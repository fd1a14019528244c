"""Notes and tags: recorded by `erasmo note` and `buy/sell --note --tag`, carried by trades and
`stats --by tag`, refused with a named error that records nothing, and kept whole by export,
import and sync."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from cli_runner import Run
from test_journal_cli import LOG
from test_sync_support import Install, assert_same_events, client

from erasmo.door.logs import export_log, import_log
from erasmo.journal.notes import notes_of
from erasmo.sync.serving import SyncServer
from events.audit import AuditedEvent, audit_portfolio
from events.rules.notes import InvalidNoteError


def event_count(run: Run) -> int:
    code, out, _ = run("history", "Practice", "--json")
    assert code == 0
    return len(json.loads(out))


def seq_of(run: Run, kind: str, nth: int = 0) -> int:
    _, out, _ = run("history", "Practice", "--json")
    return [e["seq"] for e in json.loads(out) if e["type"] == kind][nth]


@pytest.fixture
def tagged(run: Run) -> Run:
    """The CLI tests' log, the first buy tagged breakout when recorded, the last sell noted
    afterwards, and the second buy noted twice (the second note supersedes the first)."""
    first, *rest = LOG[1:]
    assert run(*LOG[0])[0] == 0
    code, _, err = run(*first, "--note", "Broke out of the range", "--tag", "Breakout")
    assert (code, err) == (0, "")
    for args in rest:
        assert run(*args)[0] == 0
    second_buy = seq_of(run, "SharesBought", 1)
    assert run("note", "Practice", str(second_buy), "Added on a dip", "--tag", "dip")[0] == 0
    code, out, _ = run(
        "note", "Practice", str(second_buy), "Too early", "--tag", "dip", "--tag", "mistake"
    )
    assert code == 0
    assert out.startswith(f"Noted SharesBought at log position {second_buy}")
    return run


def test_trades_carry_the_tags_of_their_entry(tagged: Run) -> None:
    trades = json.loads(tagged("trades", "Practice", "--json")[1])
    assert [t["tags"] for t in trades] == [
        ["breakout"],
        ["dip", "mistake"],  # the later note on the second buy supersedes the first
        ["dip", "mistake"],
        [],
    ]
    assert trades[0]["note"] == "Broke out of the range"
    assert trades[2]["note"] == "Too early"
    mistakes = json.loads(tagged("trades", "Practice", "--tag", "MISTAKE", "--json")[1])
    assert [t["pnl"] for t in mistakes] == ["9.75", "-64.30"]


def test_stats_by_tag_count_a_trade_under_each_of_its_tags(tagged: Run) -> None:
    code, out, _ = tagged("stats", "Practice", "--by", "tag", "--json")
    assert code == 0
    rows = {row["tag"]: row for row in json.loads(out)}
    assert sorted(rows) == ["breakout", "dip", "mistake"]
    assert rows["breakout"]["total_pnl"] == "22.15"
    assert rows["mistake"]["trades"] == 2
    assert rows["mistake"]["total_pnl"] == f"{9.75 - 64.30:.2f}"
    assert rows["dip"]["win_rate"] == "0.500000"


def test_both_notes_stay_in_the_log(tagged: Run) -> None:
    _, out, _ = tagged("history", "Practice", "--json")
    notes = [e for e in json.loads(out) if e["type"] == "NoteAdded"]
    assert [(n["text"], n["tags"]) for n in notes] == [
        ("Broke out of the range", "breakout"),
        ("Added on a dip", "dip"),
        ("Too early", "dip mistake"),
    ]
    assert notes[1]["about"] == notes[2]["about"]
    _, text, _ = tagged("history", "Practice")
    assert "'Too early' #dip #mistake" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("999", "x"), "Log position 999 is not an event of 'Practice'"),
        (("2", ""), "A note needs some text or at least one tag"),
        (("2", "x", "--tag", "two words!"), "is not one word"),
        (("2", "x" * 2001), "at most 2000 characters"),
    ],
)
def test_bad_notes_are_refused_and_record_nothing(
    tagged: Run, args: tuple[str, ...], message: str
) -> None:
    before = event_count(tagged)
    code, out, err = tagged("note", "Practice", *args)
    assert (code, out) == (1, "")
    assert message in err
    assert err.count("\n") == 1
    assert event_count(tagged) == before


def test_a_trade_with_a_bad_tag_records_neither(tagged: Run) -> None:
    before = event_count(tagged)
    code, _, err = tagged(
        "buy", "Practice", "IBM", "1", "--on", "2010-09-01", "--tag", "no/slashes"
    )
    assert code == 1
    assert "is not one word" in err
    assert event_count(tagged) == before


def test_the_aggregate_refuses_a_note_on_an_event_it_does_not_have(alpha: Install) -> None:
    pid = alpha.open("Tech")
    portfolio = alpha.app.portfolio(pid)
    with pytest.raises(InvalidNoteError, match="has no event 3"):
        portfolio.add_note(3, "later", "")
    assert portfolio.collect_events() == []
    portfolio.add_note(2, "the deposit", "Cash, cash")
    (recorded,) = portfolio.collect_events()
    assert (recorded.about, recorded.text, recorded.tags) == (2, "the deposit", "cash")


def test_the_audit_finds_a_note_on_a_later_event(alpha: Install) -> None:
    pid = alpha.open("Tech")
    history = alpha.app.history(pid)
    logged = [AuditedEvent(e.version, e.type, {**e.fields, "on": e.on}) for e in history]
    note = {"about": 3, "text": "from the future", "tags": "", "on": history[-1].on}
    problems = audit_portfolio([*logged, AuditedEvent(3, "NoteAdded", note)], pid)
    assert [p.message for p in problems] == ["it notes event 3, which the portfolio does not have"]


def test_export_and_import_carry_notes(alpha: Install, beta: Install, tmp_path: Path) -> None:
    pid = alpha.open("Tech")
    alpha.trade(pid, 2)
    buy = alpha.app.history(pid)[-2]
    alpha.app.change(pid, lambda p: p.add_note(buy.version, "why I bought", "plan"))
    alpha.app.change(pid, lambda p: p.add_note(buy.version, "why, really", "plan luck"))
    path = tmp_path / "log.jsonl"
    export_log(alpha.app, path)
    receipt = import_log(beta.app, None, path)
    assert receipt.new == receipt.events == alpha.count() == 6  # 4 + the two notes
    assert_same_events(alpha, beta)
    copied = beta.app.history(pid)
    (only,) = notes_of(copied).values()
    # the log positions differ between the stores; the note names the same buy in both
    there = next(e for e in copied if e.seq == only.about)
    assert (there.type, there.version) == ("SharesBought", buy.version)
    assert (only.text, only.tags) == ("why, really", ("plan", "luck"))


def test_sync_carries_notes(alpha: Install, beta: Install, server: SyncServer) -> None:
    pid = beta.open("Growth")
    beta.trade(pid, 1)
    buy = beta.app.history(pid)[-1]
    beta.app.change(pid, lambda p: p.add_note(buy.version, "pushed", "sync"))
    summary = client(beta, server).sync()
    assert summary.pushed == 2 + 1 + 1
    assert_same_events(alpha, beta)
    (note,) = notes_of(alpha.app.history(pid)).values()
    assert (note.text, note.tags) == ("pushed", ("sync",))
    # a note the server's copy gets is re-made by the rules: pulled back unchanged
    alpha.app.change(pid, lambda p: p.add_note(buy.version, "pulled", "sync later"))
    assert client(beta, server).sync().pulled == 1
    (note,) = notes_of(beta.app.history(pid)).values()
    assert (note.text, note.tags) == ("pulled", ("sync", "later"))


def test_export_file_names_the_note_fields(alpha: Install) -> None:
    pid = alpha.open("Tech")
    alpha.app.change(pid, lambda p: p.add_note(1, "opened for practice", "practice"))
    out = io.StringIO()
    export_log(alpha.app, None, [pid], out=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    noted = [line for line in lines if "NoteAdded" in json.dumps(line)]
    assert len(noted) == 1
    assert "opened for practice" in json.dumps(noted[0])


def test_a_dry_run_note_gives_the_receipt_and_records_nothing(tagged: Run, tmp_path: Path) -> None:
    from erasmo.bootstrap import bootstrap

    erasmo = bootstrap(str(tmp_path / "data"), None, offline=True)
    try:
        door = erasmo.door
        pid = door.resolve("Practice")
        before = len(door.history(pid))
        deposit = door.history(pid)[1]
        receipt = door.note(pid, deposit.seq, "  the stake  ", ["Cash", "cash"], dry_run=True)
        assert (receipt.about_type, receipt.about_version) == ("CashDeposited", 2)
        assert (receipt.text, receipt.tags) == ("the stake", ("cash",))
        assert len(door.history(pid)) == before
        with pytest.raises(InvalidNoteError):
            door.note(pid, deposit.seq, "", (), dry_run=True)
    finally:
        erasmo.close()
