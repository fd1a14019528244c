"""A store that already holds an event this erasmo cannot read (a newer shape version stored
before sync refused them, or damaged bytes): its portfolio's history shows it as an unreadable
entry with a one-line reason, `check` reports it, `export` refuses in one line naming it, and the
other portfolio is unaffected."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from erasmo.cli.main import main
from events.eventlog import verify_file
from reliability.unreadable import REASONS, Damaged, damaged_store


@pytest.fixture(params=sorted(REASONS))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, Damaged]:
    data = tmp_path / "data"
    return data, damaged_store(data, request.param)


def run(
    data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str, str]:
    """`erasmo --data-dir DATA ARGS...` through its console entry point: (code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["erasmo", "--data-dir", str(data), *args])
    code: object = 0
    try:
        main()
    except SystemExit as exited:
        code = exited.code
    out, err = capsys.readouterr()
    return (code if isinstance(code, int) else 1), out, err


def test_history_shows_the_unreadable_event_with_its_reason(
    store: tuple[Path, Damaged], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, damaged = store
    code, out, err = run(data, capsys, monkeypatch, "history", "Damaged")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2 + 4  # header, rule, opened, deposit, buy, the unreadable one
    assert "5,000.00" in lines[3]
    assert "5 AAPL @ " in lines[4]
    last = lines[-1].split()
    assert last[0] == str(damaged.seq)
    assert last[2] == "CashDeposited"
    assert lines[-1].endswith(f"unreadable: {damaged.reason}")
    assert err == "1 event of 'Damaged' cannot be read by this erasmo: run 'erasmo check'.\n"
    code, out, err = run(data, capsys, monkeypatch, "history", "Damaged", "--json")
    assert code == 0
    entries = json.loads(out)
    assert entries[-1]["unreadable"] == damaged.reason
    assert (entries[-1]["seq"], entries[-1]["version"]) == (damaged.seq, damaged.version)
    assert [e.get("unreadable") for e in entries[:-1]] == [None, None, None]
    # the other portfolio is untouched
    code, out, err = run(data, capsys, monkeypatch, "history", "Honest")
    assert (code, err) == (0, "")
    assert "unreadable" not in out
    assert "10 AAPL @ " in out


def test_check_reports_the_unreadable_event(
    store: tuple[Path, Damaged], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, damaged = store
    code, _out, err = run(data, capsys, monkeypatch, "check")
    assert code == 1
    assert err.splitlines() == [
        f"Damaged: event {damaged.version} (CashDeposited): {damaged.reason}",
        "1 problem in 2 portfolios.",
    ]


def test_export_refuses_a_store_holding_an_unreadable_event(
    store: tuple[Path, Damaged],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    data, damaged = store
    path = tmp_path / "all.jsonl"
    code, out, err = run(data, capsys, monkeypatch, "export", "-o", str(path))
    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith("erasmo: cannot export: event ")
    assert f"event {damaged.version} (seq {damaged.seq}) of portfolio 'Damaged' " in err
    assert f"({damaged.portfolio_id}) cannot be read: {damaged.reason}. Nothing was exported" in err
    assert "run 'erasmo check'" in err
    assert not path.exists()
    assert list(tmp_path.glob("*.partial")) == []
    # to standard output: refused the same way, and what was written cannot pass for a log
    code, out, err = run(data, capsys, monkeypatch, "export")
    assert code == 1
    assert err.startswith("erasmo: cannot export: event ")
    written = tmp_path / "stdout.jsonl"
    written.write_text(out)
    with pytest.raises(Exception, match="promises"):
        verify_file(written)
    # the damaged portfolio named alone is refused too; the other one exports and verifies
    code, _out, err = run(data, capsys, monkeypatch, "export", "Damaged", "-o", str(path))
    assert code == 1
    assert "'Damaged'" in err
    code, out, err = run(data, capsys, monkeypatch, "export", "Honest", "-o", str(path))
    assert (code, err) == (0, "")
    assert len(verify_file(path).events) == 3  # opened, deposited, bought
