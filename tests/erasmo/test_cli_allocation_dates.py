"""`erasmo allocation` marks positions valued at an earlier close as `erasmo holdings` does
(`*` and its footnote; "stale" in --json), and says which date it used when it is not the one
asked (the last market date on or before it, or a simulation's clock). Closes are read from
the bundled CSV files with the csv module: IBM's data ends 2013-03-01 (bokeh file), KO's runs
to 2022-12-28 (skfolio file)."""

from __future__ import annotations

import csv
import gzip
import json
from decimal import Decimal
from pathlib import Path

from cli_runner import Run

D = Decimal
PRICES = Path(__file__).resolve().parents[2] / "resources" / "prices"
FOOTNOTE = "* last close is older than the valuation date (forward-filled)"


def close(file: str, ticker: str, day: str) -> Decimal:
    with gzip.open(PRICES / file, "rt") as handle:
        for row in csv.DictReader(handle):
            if row["Date"] == day and row.get("Ticker", ticker) == ticker:
                return D(row["Close"] if "Close" in row else row[ticker])
    raise AssertionError(f"no {ticker} close on {day} in {file}")


def opened(run: Run) -> None:
    assert run("portfolio", "open", "A", "--cash", "10000", "--on", "2013-01-02")[0] == 0
    assert run("buy", "A", "IBM", "10", "--on", "2013-01-02")[0] == 0
    assert run("buy", "A", "KO", "10", "--on", "2013-01-02")[0] == 0


def test_a_position_at_a_stale_close_is_marked_in_text_and_json(run: Run) -> None:
    opened(run)
    ibm = 10 * close("bokeh_stocks.csv.gz", "IBM", "2013-03-01")  # IBM's last close
    ko = 10 * close("sp500_dataset.csv.gz", "KO", "2014-01-03")
    code, out, _ = run("allocation", "A", "--as-of", "2014-01-03")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("A as of 2014-01-03, USD: weights by ticker")
    rows = {line.split()[0]: line.split()[-1] for line in lines[3:6]}
    assert rows["IBM"] == f"{ibm:,.2f}*"
    assert rows["KO"] == f"{ko:,.2f}"  # priced that day: no mark
    assert lines[-1] == FOOTNOTE

    code, out, _ = run("allocation", "A", "--as-of", "2014-01-03", "--by", "sector")
    assert code == 0
    (it,) = [line for line in out.splitlines() if line.startswith("Information Technology")]
    assert it.endswith(f"{ibm:,.2f}*  IBM*")
    assert out.splitlines()[-1] == FOOTNOTE

    data = json.loads(run("allocation", "A", "--as-of", "2014-01-03", "--json")[1])
    assert {w["ticker"]: w["stale"] for w in data["weights"]} == {
        "Cash": False,
        "IBM": True,
        "KO": False,
    }
    assert "asked" not in data  # the date asked is the date used


def test_nothing_stale_no_mark_no_footnote(run: Run) -> None:
    opened(run)
    code, out, _ = run("allocation", "A", "--as-of", "2013-01-03")
    assert code == 0
    assert "*" not in out


def test_a_date_past_the_data_says_the_latest_market_date(run: Run) -> None:
    opened(run)
    code, out, _ = run("allocation", "A", "--as-of", "2030-01-01")
    assert code == 0
    assert out.splitlines()[0].startswith(
        "A as of 2022-12-28 (latest market date; 2030-01-01 asked), USD:"
    )
    ko = 10 * close("sp500_dataset.csv.gz", "KO", "2022-12-28")
    (row,) = [line for line in out.splitlines() if line.startswith("KO")]
    assert row.split()[-1] == f"{ko:,.2f}"
    data = json.loads(run("allocation", "A", "--as-of", "2030-01-01", "--json")[1])
    assert (data["as_of"], data["asked"], data["moved"]) == (
        "2022-12-28",
        "2030-01-01",
        "latest market date",
    )


def test_a_weekend_moves_to_the_friday_before(run: Run) -> None:
    opened(run)
    _, out, _ = run("allocation", "A", "--as-of", "2014-01-04")  # a Saturday
    assert out.splitlines()[0].startswith(
        "A as of 2014-01-03 (last market date before it; 2014-01-04 asked), USD:"
    )


def test_a_simulation_says_it_was_set_back_to_its_clock(run: Run) -> None:
    run("portfolio", "open", "S", "--cash", "1000", "--on", "2020-01-02", "--mode", "simulation")
    assert run("buy", "S", "KO", "10")[0] == 0
    _, out, _ = run("allocation", "S", "--as-of", "2030-01-01")
    assert out.splitlines()[0].startswith(
        "S as of 2020-01-02 (the simulation's clock; 2030-01-01 asked), USD:"
    )
    data = json.loads(run("allocation", "S", "--as-of", "2030-01-01", "--json")[1])
    assert (data["as_of"], data["asked"], data["moved"]) == (
        "2020-01-02",
        "2030-01-01",
        "the simulation's clock",
    )
