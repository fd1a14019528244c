"""Periods and log positions that make no sense are usage errors (exit 2) that say which
values are possible, and change nothing: a reversed period, one outside the portfolio's days or
of no length, and a log position that is not one of its events."""

from __future__ import annotations

import json

import pytest
from cli_runner import Run

#: Tech's days: opened on 2015-03-02; the bundled data ends on 2022-12-28.
SPAN = "'Tech' has values from 2015-03-02 to 2022-12-28; pick dates between those."
#: Tech's log: opened (1) and funded (2) with the catalog's creation (3) and claim (4) in one
#: transaction, then a buy (5) and a sell (6). Two: opened (7) and funded (8), claimed (9).
POSITIONS = (
    "'Tech' has events at log positions 1 to 6; pick one of those (see 'erasmo history Tech')."
)
SWAP = "--from 2021-01-01 is after --to 2020-01-01; swap them: --from 2020-01-01 --to 2021-01-01."


@pytest.fixture
def tech(run: Run) -> str:
    """Tech and its log, as `history --json` prints it (to check nothing changes)."""
    assert run("portfolio", "open", "Tech", "--cash", "10000", "--on", "2015-03-02")[0] == 0
    assert run("buy", "Tech", "AAPL", "10", "--on", "2015-03-02")[0] == 0
    assert run("sell", "Tech", "AAPL", "5", "--on", "2016-03-01")[0] == 0
    assert run("portfolio", "open", "Two", "--cash", "5000", "--on", "2015-03-02")[0] == 0
    out = run("history", "Tech", "--json")[1]
    assert [e["seq"] for e in json.loads(out)] == [1, 2, 5, 6]
    return out


def refused(run: Run, *args: str) -> str:
    """The last line of a usage error (exit 2, nothing on stdout)."""
    code, out, err = run(*args)
    assert (code, out) == (2, ""), (args, code, out, err)
    assert err.count("\n") == 1, err  # one line
    return err.strip().removeprefix("erasmo: ")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("performance", "Tech", "--from", "2021-01-01", "--to", "2020-01-01"), SWAP),
        (("value", "Tech", "--from", "2021-01-01", "--to", "2020-01-01"), SWAP),
        (("compare", "Tech", "Two", "--from", "2021-01-01", "--to", "2020-01-01"), SWAP),
        (("leaderboard", "--from", "2021-01-01", "--to", "2020-01-01"), SWAP),
        (("prices", "show", "AAPL", "--from", "2021-01-01", "--to", "2020-01-01"), SWAP),
        (("performance", "Tech", "--to", "2014-01-02"), f"--to 2014-01-02: {SPAN}"),
        (("performance", "Tech", "--from", "2024-01-02"), f"--from 2024-01-02: {SPAN}"),
        (("value", "Tech", "--to", "2014-01-02"), f"--to 2014-01-02: {SPAN}"),
        (("value", "Tech", "--from", "2023-01-03"), f"--from 2023-01-03: {SPAN}"),
        (
            ("performance", "Tech", "--from", "2020-01-02", "--to", "2020-01-02"),
            "The period 2020-01-02 to 2020-01-02 has no length: 'Tech' has values from "
            "2015-03-02 to 2022-12-28; pick dates at least a day apart between those.",
        ),
        (
            ("prices", "show", "AAPL", "--from", "2024-01-02"),
            "--from 2024-01-02: AAPL has prices from 1990-01-02 to 2022-12-28; pick dates "
            "between those.",
        ),
        (("holdings", "Tech", "--at", "999"), f"--at 999: {POSITIONS}"),
        (
            ("holdings", "Two", "--at", "2"),
            "--at 2: 'Two' has events at log positions 7 to 8; "
            "pick one of those (see 'erasmo history Two').",
        ),
        (("replay", "Tech", "--until", "7"), f"--until 7: {POSITIONS}"),
    ],
)
def test_nonsense_is_a_usage_error_that_says_what_to_pick(
    run: Run, tech: str, args: tuple[str, ...], said: str
) -> None:
    assert refused(run, *args) == said
    assert run("history", "Tech", "--json")[1] == tech  # nothing changed


def test_positions_and_periods_inside_the_portfolio_still_work(run: Run, tech: str) -> None:
    code, out, _ = run("holdings", "Tech", "--at", "5", "--json")
    assert code == 0
    assert [p["quantity"] for p in json.loads(out)["positions"]] == ["10"]
    # A position of another portfolio's (or the catalog's) event inside Tech's history means
    # "as after that position".
    code, out, _ = run("holdings", "Tech", "--at", "3", "--json")
    assert (code, json.loads(out)["positions"]) == (0, [])
    code, out, err = run("performance", "Tech", "--from", "2016-01-04", "--to", "2016-03-01")
    assert code == 0, err
    assert "2016-01-04 to 2016-03-01 (57 days)" in out  # 27 (Jan) + 29 (Feb, a leap year) + 1
    assert "nan" not in out
    code, out, _ = run("value", "Tech", "--from", "2016-02-29", "--to", "2016-03-01")
    assert [line.split()[0] for line in out.splitlines()[2:]] == ["2016-02-29", "2016-03-01"]


def test_a_short_history_prints_no_nan(run: Run) -> None:
    run("portfolio", "open", "New", "--cash", "100", "--on", "2022-12-28")
    code, out, _ = run("performance", "New")
    assert code == 0
    assert "nan" not in out
    assert "Sharpe (IRR / period volatility)  n/a" in out
