"""`erasmo portfolio delete | undelete | reopen | list --deleted`, and the clock trap: a
portfolio opened without --on lands on the last day of the data, and erasmo says so and what to
do. Real SQLite store, real bundled prices; every refusal records nothing."""

from __future__ import annotations

import io
import json
import sys
from decimal import Decimal

import pytest
from cli_runner import Run
from test_cli import cents, skfolio_close

LAST_DAY = "2022-12-28"  # the last day of the bundled data


def store_state(run: Run) -> tuple[str, str, str]:
    """What a refusal must leave as it was: every portfolio event (deleted ones included, as
    exported), and both lists."""
    states = []
    for args in (
        ("export",),
        ("portfolio", "list", "--json"),
        ("portfolio", "list", "--deleted", "--json"),
    ):
        code, out, _ = run(*args)
        assert code == 0
        states.append(out)
    return states[0], states[1], states[2]


def refused(run: Run, *args: str) -> str:
    """Run a command that must fail with one line on stderr and record nothing; its message."""
    before = store_state(run)
    code, out, err = run(*args)
    assert (code, out) == (1, "")
    assert err.startswith("erasmo: ")
    assert len(err.strip().splitlines()) == 1
    assert store_state(run) == before
    return err.strip().removeprefix("erasmo: ")


def answer(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


# -- the clock trap ---------------------------------------------------------------------------


def test_a_date_less_open_says_it_landed_on_the_last_day(run: Run) -> None:
    code, out, err = run("portfolio", "open", "Tech", "--cash", "1000")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"Opened 'Tech' on {LAST_DAY} with 1,000.00 USD in cash.",
        f"{LAST_DAY} is the last day of the data, and a portfolio's clock only moves forward; "
        "to trade in the past, open a portfolio with --on DATE.",
    ]


def test_an_open_with_a_date_says_nothing_of_the_sort(run: Run) -> None:
    code, out, _ = run("portfolio", "open", "Tech", "--cash", "1000", "--on", "2020-01-02")
    assert (code, out) == (0, "Opened 'Tech' on 2020-01-02 with 1,000.00 USD in cash.\n")


@pytest.mark.parametrize(
    "args",
    [
        ("buy", "Tech", "AAPL", "1", "--on", "2020-01-02"),
        ("sell", "Tech", "AAPL", "1", "--on", "2020-01-02"),
        ("deposit", "Tech", "5", "--on", "2020-01-02"),
        ("withdraw", "Tech", "5", "--on", "2020-01-02"),
    ],
    ids=["buy", "sell", "deposit", "withdraw"],
)
def test_a_backdated_command_after_a_date_less_open_says_what_to_do(
    run: Run, args: tuple[str, ...]
) -> None:
    run("portfolio", "open", "Tech", "--cash", "1000")
    assert refused(run, *args) == (
        f"'Tech' was opened on {LAST_DAY}, the last day of the data; to trade in the past, "
        "open a portfolio with --on DATE"
    )


def test_a_backdated_trade_on_a_clock_simply_ahead_says_what_to_do(run: Run) -> None:
    run("portfolio", "open", "Tech", "--cash", "1000", "--on", "2020-01-02")
    assert run("buy", "Tech", "AAPL", "1", "--on", "2020-06-01")[0] == 0
    assert refused(run, "buy", "Tech", "AAPL", "1", "--on", "2020-03-02") == (
        "2020-03-02 is before the latest event of 'Tech', on 2020-06-01: a portfolio's clock "
        "only moves forward. Use 2020-06-01 or later (time travel is for reading: see "
        "'erasmo holdings --as-of')."
    )


def test_a_simulation_without_a_start_date_is_refused_with_the_advice(run: Run) -> None:
    message = refused(run, "portfolio", "open", "Sim", "--cash", "100", "--mode", "simulation")
    assert message.startswith("A simulation needs a start date: open it with --on DATE (e.g. --on ")
    assert message.endswith(
        f"its clock then moves forward with 'erasmo advance'. Without --on it would start on "
        f"{LAST_DAY}, the last day of the data, with no day left to advance to."
    )
    _code, out, _ = run("portfolio", "list")
    assert "No portfolios yet" in out


# -- delete, undelete, list --deleted ---------------------------------------------------------


def test_delete_asks_first_and_a_no_records_nothing(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("portfolio", "open", "Tech", "--cash", "1000", "--on", "2020-01-02")
    before = store_state(run)
    answer(monkeypatch, "n\n")
    code, out, err = run("portfolio", "delete", "Tech")
    assert code == 1
    assert out.startswith(
        "Delete 'Tech' (2 events, 1,000.00 USD in cash)? Its events stay in the log; 'erasmo "
        "portfolio undelete' brings it back. [y/N]:"
    )
    assert err == "Aborted.\n"
    assert store_state(run) == before


def test_delete_with_a_yes_then_undelete(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    run("portfolio", "open", "Tech", "--cash", "1000", "--on", "2020-01-02")
    run("buy", "Tech", "AAPL", "2", "--on", "2020-01-02")
    run("portfolio", "open", "Income", "--cash", "10", "--on", "2020-01-02")
    exported_before = store_state(run)[0]
    answer(monkeypatch, "y\n")

    code, out, _ = run("portfolio", "delete", "tech")
    assert code == 0
    assert out.startswith("Delete 'Tech' (3 events, ")  # asked first (the answer is not echoed)
    assert out.endswith(
        "[y/N]: Deleted 'Tech'. Its name is free again; bring it back with: erasmo portfolio "
        "undelete 'Tech'\n"
    )
    assert [p["name"] for p in json.loads(run("portfolio", "list", "--json")[1])] == ["Income"]
    (gone,) = json.loads(run("portfolio", "list", "--deleted", "--json")[1])
    assert (gone["name"], gone["version"], gone["deleted_on"]) == ("Tech", 4, "2020-01-02")
    assert gone["deleted_at"]
    code, out, _ = run("portfolio", "list", "--deleted")
    assert out.splitlines()[0].split() == ["name", "id", "clock", "deleted", "at", "events"]
    assert out.splitlines()[2].split()[:3] == ["Tech", gone["id"], "2020-01-02"]
    # its events stay in the export: the old ones, then the tombstone
    exported = store_state(run)[0]
    assert exported.count("\n") == exported_before.count("\n") + 1
    assert "PortfolioDeleted" in exported.splitlines()[-1]

    code, out, _ = run("portfolio", "undelete", "TECH")
    cash = Decimal(1000) - cents(2 * skfolio_close("AAPL", "2020-01-02"))
    assert (code, out) == (0, f"Undeleted 'Tech' (open, {cash:,.2f} USD in cash).\n")
    names = [p["name"] for p in json.loads(run("portfolio", "list", "--json")[1])]
    assert names == ["Income", "Tech"]
    assert run("portfolio", "list", "--deleted")[1] == "No deleted portfolios.\n"


@pytest.mark.parametrize(
    "args",
    [
        ("buy", "Tech", "AAPL", "1"),
        ("deposit", "Tech", "5"),
        ("history", "Tech"),
        ("holdings", "Tech"),
        ("portfolio", "rename", "Tech", "Other"),
        ("portfolio", "close", "Tech"),
        ("portfolio", "delete", "Tech", "--yes"),
        ("export", "Tech"),
    ],
    ids=["buy", "deposit", "history", "holdings", "rename", "close", "delete", "export"],
)
def test_any_command_on_a_deleted_portfolio_says_to_undelete(
    run: Run, args: tuple[str, ...]
) -> None:
    run("portfolio", "open", "Tech", "--cash", "1000", "--on", "2020-01-02")
    run("portfolio", "delete", "Tech", "--yes")
    assert refused(run, *args) == (
        "Portfolio 'Tech' was deleted. To use it again, undelete it: erasmo portfolio undelete "
        "'Tech' (see 'erasmo portfolio list --deleted')."
    )


def test_undelete_refuses_a_name_taken_since(run: Run) -> None:
    run("portfolio", "open", "Tech", "--cash", "1000", "--on", "2020-01-02")
    run("portfolio", "delete", "Tech", "--yes")
    assert run("portfolio", "open", "TECH", "--on", "2020-01-02")[0] == 0
    assert refused(run, "portfolio", "undelete", "Tech") == (
        "Cannot undelete 'Tech': another portfolio is named 'TECH' now (names ignore case). "
        "Rename that one first (erasmo portfolio rename 'TECH' NEW_NAME), or delete it, then "
        "undelete again."
    )
    assert run("portfolio", "rename", "TECH", "New tech")[0] == 0
    assert run("portfolio", "undelete", "Tech")[0] == 0


def test_undelete_of_an_unknown_name_says_where_to_look(run: Run) -> None:
    assert refused(run, "portfolio", "undelete", "Nope") == (
        "No deleted portfolio is named 'Nope'. See 'erasmo portfolio list --deleted'."
    )


# -- closed portfolios: rename and reopen -----------------------------------------------------


def test_a_closed_portfolio_can_be_renamed_and_reopened(run: Run) -> None:
    run("portfolio", "open", "Tech", "--cash", "1000", "--on", "2020-01-02")
    run("portfolio", "close", "Tech")
    assert run("portfolio", "rename", "Tech", "Old tech")[1] == "Renamed 'Tech' to 'Old tech'.\n"
    assert run("portfolio", "open", "Tech", "--on", "2020-01-02")[0] == 0
    assert run("portfolio", "reopen", "old tech")[1] == "Reopened 'old tech'.\n"
    code, _out, _ = run("deposit", "Old tech", "5", "--on", "2020-01-03")
    assert code == 0
    statuses = {p["name"]: p["closed"] for p in json.loads(run("portfolio", "list", "--json")[1])}
    assert statuses == {"Old tech": False, "Tech": False}


def test_reopening_an_open_portfolio_is_refused(run: Run) -> None:
    run("portfolio", "open", "Tech", "--on", "2020-01-02")
    assert (
        refused(run, "portfolio", "reopen", "Tech") == "Portfolio 'Tech' is not closed; it is open."
    )


# -- a deleted portfolio leaves the leaderboard, compare and the branch list ---------------


def _two_portfolios(run: Run) -> None:
    for name, ticker in (("Apple", "AAPL"), ("Cola", "KO")):
        run("portfolio", "open", name, "--cash", "1000", "--on", "2020-01-02")
        assert run("buy", name, ticker, "1", "--on", "2020-01-02")[0] == 0


def test_a_deleted_portfolio_leaves_the_leaderboard_and_compare(run: Run) -> None:
    _two_portfolios(run)
    ranked = json.loads(run("leaderboard", "--json")[1])["ranking"]
    assert sorted(r["name"] for r in ranked) == ["Apple", "Cola"]

    run("portfolio", "delete", "Cola", "--yes")

    ranked = json.loads(run("leaderboard", "--json")[1])["ranking"]
    assert [r["name"] for r in ranked] == ["Apple"]
    assert refused(run, "compare", "Apple", "Cola") == (
        "Portfolio 'Cola' was deleted. To use it again, undelete it: erasmo portfolio undelete "
        "'Cola' (see 'erasmo portfolio list --deleted')."
    )


def test_the_branches_of_a_deleted_portfolio_stay(run: Run) -> None:
    """Deleting a parent leaves its branches: they keep their events and stay listed (the
    desktop app shows them at the top level, as it shows any branch without its parent)."""
    _two_portfolios(run)
    seq = json.loads(run("history", "Apple", "--json")[1])[-1]["seq"]
    assert run("portfolio", "fork", "Apple", "Apple what-if", "--at", str(seq))[0] == 0

    run("portfolio", "delete", "Apple", "--yes")

    names = [p["name"] for p in json.loads(run("portfolio", "list", "--json")[1])]
    assert names == ["Apple what-if", "Cola"]
    (branch,) = json.loads(run("portfolio", "branches", "--json")[1])
    assert (branch["name"], branch["parent"], branch["parent_present"]) == (
        "Apple what-if",
        "Apple",
        False,
    )
    assert run("buy", "Apple what-if", "AAPL", "1", "--on", "2020-01-03")[0] == 0

    run("portfolio", "delete", "Apple what-if", "--yes")
    assert json.loads(run("portfolio", "branches", "--json")[1]) == []


def test_check_replays_the_deleted_portfolios_too(run: Run) -> None:
    _two_portfolios(run)
    run("portfolio", "close", "Apple")
    run("portfolio", "reopen", "Apple")
    run("portfolio", "delete", "Cola", "--yes")
    code, out, _ = run("check")
    # Apple: opened, deposit, buy, closed, reopened; Cola: opened, deposit, buy, deleted
    assert (code, out.split(",")[0]) == (0, "OK: 2 portfolios")
    assert "no problems" in out
