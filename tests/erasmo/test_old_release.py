"""A store and exported logs written by the previous release read as that release printed them.

`tests/fixtures/old_release/` was made by the erasmo of commit 4414b2a (the release before the
front door, store format 3) with `build.py` there: eight portfolios (deposits, a withdrawal,
buys and sells with fees, dividends and a split recorded through actions, a simulation with
limit, stop, stop-limit and trailing orders, a cancel, advances and a rules change, a what-if
branch, a rename, a close and a reopen, a portfolio closed for good, a deleted one), the price
cache holding the one Yahoo ticker traded, the log exported whole and in part, and
`expected.json`: what that release printed for each read command. That output is the oracle;
nothing here recomputes it.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cli_runner import Run, cli_runner
from reliability.targets import pg_url

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "old_release"
EXPECTED: list[dict[str, Any]] = json.loads((FIXTURE / "expected.json").read_text())
#: The portfolios in the old store that are not deleted, and those `tech.jsonl` holds.
LISTED = ("Tech", "Tech-hold", "Blue", "Chips", "Crash", "Later", "Old")
IN_TECH_LOG = ("Tech", "Tech-hold")


#: Figures this release prints differently on purpose: (portfolio, ticker) -> (old, new) day
#: change. Chips held 70 NVDA at the 2024-06-11 close (120.91) and sold 30 of them at the
#: 2024-06-12 close (125.20): the old release counted only the 40 left, 40 * 4.29 = 171.60;
#: the day change now counts the sold shares' move up to the sale too, + 30 * 4.29 = 300.30.
NEW_DAY_CHANGES = {("Chips", "NVDA"): ("171.60", "300.30")}


def expected(*command: str) -> dict[str, Any]:
    """The old release's exit code and output for `command`, as recorded in expected.json (with
    the figures of NEW_DAY_CHANGES as this release prints them)."""
    found = next(entry for entry in EXPECTED if entry["command"] == list(command))
    output = found["output"]
    if command[0] != "holdings" or not isinstance(output, dict):
        return found
    positions = []
    for position in output.get("positions", []):
        old, new = NEW_DAY_CHANGES.get((output["portfolio"], position["ticker"]), (None, None))
        if old is not None and position["day_change"] == old:
            position = {**position, "day_change": new}
        positions.append(position)
    return {**found, "output": {**output, "positions": positions}}


def old_output(*command: str) -> Any:
    found = expected(*command)
    assert found["exit_code"] == 0, command
    return found["output"]


def parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def differences(run: Run, commands: list[list[str]]) -> list[str]:
    """Each command whose exit code or output differs from the old release's, with both."""
    found = []
    for command in commands:
        args = [part.replace("{fixture}", str(FIXTURE)) for part in command]
        code, out, err = run(*args)
        output = parsed(out)
        if isinstance(output, str):
            output = output.replace(str(FIXTURE), "{fixture}")
        old = expected(*command)
        if (code, output) != (old["exit_code"], old["output"]):
            found.append(
                f"erasmo {' '.join(command)}: exit {code} (old {old['exit_code']}) {err.strip()}"
                f"\n  now: {json.dumps(output, sort_keys=True)[:600]}"
                f"\n  old: {json.dumps(old['output'], sort_keys=True)[:600]}"
            )
    return found


def stored_rows(store: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(store) as connection:
        rows = connection.execute(
            "SELECT originator_id, originator_version, topic, state FROM stored_events "
            "ORDER BY rowid"
        ).fetchall()
    connection.close()
    return rows


@pytest.fixture
def old_data(tmp_path: Path) -> Path:
    """A data directory holding a copy of the old release's store and price cache."""
    data = tmp_path / "old-data"
    data.mkdir()
    for name in ("events.sqlite", "prices.sqlite"):
        shutil.copyfile(FIXTURE / name, data / name)
    return data


@pytest.fixture
def prices_only(tmp_path: Path) -> Path:
    """A data directory with the old price cache (NVDA) and no store yet."""
    data = tmp_path / "new-data"
    data.mkdir()
    shutil.copyfile(FIXTURE / "prices.sqlite", data / "prices.sqlite")
    return data


def test_the_fixture_is_what_the_old_release_wrote() -> None:
    assert (FIXTURE / "events.sqlite").read_bytes()[:16] == b"SQLite format 3\x00"
    with sqlite3.connect(FIXTURE / "events.sqlite") as connection:
        version = connection.execute(
            "SELECT value FROM erasmo_meta WHERE key = 'format_version'"
        ).fetchone()
    connection.close()
    assert version == ("3",)
    types = {
        row["type"]
        for entry in EXPECTED
        if entry["command"][0] == "history"
        for row in entry["output"]
    }
    assert types >= {
        "PortfolioOpened",
        "CashDeposited",
        "CashWithdrawn",
        "SharesBought",
        "SharesSold",
        "DividendReceived",
        "SplitApplied",
        "BranchForked",
        "PortfolioRenamed",
        "PortfolioClosed",
        "PortfolioReopened",
        "OrderPlaced",
        "OrderFilled",
        "OrderExpired",
        "OrderCancelled",
        "TradingRulesSet",
        "ClockAdvanced",
    }, types
    assert [p["name"] for p in old_output("portfolio", "list", "--deleted", "--json")] == [
        "Scratch"
    ]
    sizes = sum(path.stat().st_size for path in FIXTURE.iterdir())
    assert sizes < 1024 * 1024


def test_the_old_store_reads_as_the_old_release_printed_it(
    old_data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = cli_runner(old_data, capsys, monkeypatch)
    before = stored_rows(old_data / "events.sqlite")
    commands = [entry["command"] for entry in EXPECTED if entry["command"][0] != "verify"]
    assert len(commands) > 40
    found = differences(run, commands)
    assert found == [], "\n".join(found)
    # Reading changed nothing: every stored event is as the old release wrote it.
    assert stored_rows(old_data / "events.sqlite") == before
    # And the store takes new events after the old ones.
    code, _, err = run("deposit", "Tech", "1.00")
    assert code == 0, err
    code, out, _ = run("holdings", "Tech", "--json")
    old_cash = Decimal(old_output("holdings", "Tech", "--json")["cash"])
    assert Decimal(json.loads(out)["cash"]) == old_cash + Decimal("1.00")
    assert stored_rows(old_data / "events.sqlite")[: len(before)] == before


def test_the_old_exported_logs_verify_as_they_did(
    prices_only: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = cli_runner(prices_only, capsys, monkeypatch)
    found = differences(
        run, [["verify", "{fixture}/all.jsonl"], ["verify", "{fixture}/tech.jsonl"]]
    )
    assert found == [], "\n".join(found)


def without_positions_in_the_log(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A history without `seq` (log positions differ from store to store) and without the fork
    point's position, which is looked up in the store at hand."""
    return [
        {key: value for key, value in row.items() if key not in ("seq", "parent_seq")}
        for row in history
    ]


def imported_matches_old(run: Run, names: tuple[str, ...]) -> list[str]:
    """Each difference between the old release's reads of `names` and this store's."""
    found = []
    for name in names:
        for command in (
            ["holdings", name, "--json"],
            ["holdings", name, "--method", "average", "--json"],
            ["performance", name, "--json"],
        ):
            code, out, err = run(*command)
            if (code, parsed(out)) != (0, old_output(*command)):
                found.append(f"erasmo {' '.join(command)}: {err.strip()}\n  now: {out[:600]}")
        code, out, err = run("history", name, "--json")
        now = without_positions_in_the_log(parsed(out)) if code == 0 else err
        if now != without_positions_in_the_log(old_output("history", name, "--json")):
            found.append(f"erasmo history {name}: {err.strip()}\n  now: {out[:600]}")
    return found


def test_the_whole_old_log_imports_into_a_new_store_with_the_same_holdings(
    prices_only: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = cli_runner(prices_only, capsys, monkeypatch)
    code, out, err = run("import", str(FIXTURE / "all.jsonl"))
    assert (code, out.split(" from ")[0]) == (0, "Imported 65 new events of 8 portfolios"), err
    found = imported_matches_old(run, LISTED)
    assert found == [], "\n".join(found)
    code, out, _ = run("portfolio", "list", "--json")
    assert sorted(p["name"] for p in json.loads(out)) == sorted(LISTED)
    code, out, _ = run("portfolio", "list", "--deleted", "--json")
    assert [p["name"] for p in json.loads(out)] == ["Scratch"]
    code, out, err = run("check")
    assert (code, out.split(":")[0]) == (0, "OK"), err
    # Importing the same file again adds nothing.
    code, out, err = run("import", str(FIXTURE / "all.jsonl"))
    assert (code, out.split(" from ")[0]) == (0, "Imported 0 new events of 8 portfolios"), err
    assert out.strip().endswith("(65 already held).")
    assert imported_matches_old(run, ("Tech",)) == []


def test_part_of_the_old_log_imports_beside_nothing_else(
    prices_only: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = cli_runner(prices_only, capsys, monkeypatch)
    code, _, err = run("import", str(FIXTURE / "tech.jsonl"))
    assert code == 0, err
    found = imported_matches_old(run, IN_TECH_LOG)
    assert found == [], "\n".join(found)
    code, out, _ = run("portfolio", "list", "--json")
    assert sorted(p["name"] for p in json.loads(out)) == sorted(IN_TECH_LOG)


@pytest.mark.postgres
def test_the_old_log_imports_into_postgresql_with_the_same_holdings(
    prices_only: Path,
    pg_schema: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = cli_runner(prices_only, capsys, monkeypatch)

    def run(*args: str) -> tuple[int, str, str]:
        return plain("--store", pg_url(pg_schema), *args)

    code, _, err = run("import", str(FIXTURE / "all.jsonl"))
    assert code == 0, err
    found = imported_matches_old(run, LISTED)
    assert found == [], "\n".join(found)
    assert not (prices_only / "events.sqlite").exists()
