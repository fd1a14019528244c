"""Wording and refusals QA found on the CLI: a live account's catch-up in `history`, `report`
to a folder that is not there, a note on a note, `trades` of a portfolio without any."""

from __future__ import annotations

import json
from pathlib import Path

from cli_runner import Run

LIVE_WORDS = "the live portfolio reached the market's new days, up to this day"
SIM_WORDS = "the simulation's clock moved to this day"


def history_rows(run: Run, name: str) -> list[str]:
    code, out, err = run("history", name)
    assert (code, err) == (0, "")
    return out.splitlines()


def test_history_says_a_live_account_reached_the_new_days(run: Run) -> None:
    opened = ("--cash", "10000", "--on", "2022-12-20")
    for args in (
        ("portfolio", "open", "L", *opened, "--account", "margin"),
        ("buy", "L", "AAPL", "100", "--on", "2022-12-20"),
        ("portfolio", "open", "S", *opened, "--mode", "simulation"),
        ("advance", "S", "--days", "2"),
        ("--offline", "clock", "L"),  # the live margin account catches up to 2022-12-28
    ):
        code, _, err = run(*args)
        assert (code, err) == (0, ""), args
    live = [r for r in history_rows(run, "L") if "ClockAdvanced" in r]
    assert len(live) == 1
    assert LIVE_WORDS in live[0]
    assert "simulation" not in live[0]
    simulated = [r for r in history_rows(run, "S") if "ClockAdvanced" in r]
    assert len(simulated) == 1
    assert SIM_WORDS in simulated[0]


def test_report_into_a_missing_folder_names_the_folder_and_o(run: Run, tmp_path: Path) -> None:
    code, _, err = run("portfolio", "open", "J", "--cash", "1000", "--on", "2010-03-01")
    assert code == 0, err
    missing = tmp_path / "nowhere"
    code, out, err = run("report", "J", "-o", str(missing / "x.html"))
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert f"its folder {str(missing)!r} does not exist" in err
    assert "Give -o another path" in err
    for wrong in ("--data-dir", "--store", ".partial"):
        assert wrong not in err
    assert not missing.exists()


def test_a_note_on_a_note_is_refused_naming_the_event_it_is_about(run: Run) -> None:
    for args in (
        ("portfolio", "open", "J", "--cash", "1000", "--on", "2010-03-01"),
        ("deposit", "J", "500", "--on", "2010-03-01"),
    ):
        code, _, err = run(*args)
        assert (code, err) == (0, ""), args
    code, out, _ = run("history", "J", "--json")
    events = json.loads(out)
    deposit = next(e["seq"] for e in events if e["type"] == "CashDeposited")
    code, _, err = run("note", "J", str(deposit), "why I added cash")
    assert (code, err) == (0, "")
    code, out, _ = run("history", "J", "--json")
    events = json.loads(out)
    note = events[-1]
    assert note["type"] == "NoteAdded"
    code, out, err = run("note", "J", str(note["seq"]), "a note on the note")
    assert code == 1
    assert out == ""
    assert (
        f"Log position {note['seq']} is a note; notes attach to the event they are about: "
        f"note log position {deposit} instead. Nothing was recorded."
    ) in err
    code, out, _ = run("history", "J", "--json")
    assert len(json.loads(out)) == len(events)


def test_trades_of_a_portfolio_without_any_say_so(run: Run) -> None:
    code, _, err = run("portfolio", "open", "V", "--cash", "1000", "--on", "2010-03-01")
    assert code == 0, err
    code, out, err = run("trades", "V")
    assert (code, err) == (0, "")
    assert out == "V has no trades yet.\n"
