"""`erasmo holdings` of a margin account shows the margin each position uses (initial margin x
|market value|, as the window's Holdings column), and its total; a cash account's holdings
are as before. Closes are read from the bundled skfolio file with the csv module."""

from __future__ import annotations

import csv
import gzip
import json
from decimal import Decimal
from pathlib import Path

from cli_runner import Run

D = Decimal
PRICES = Path(__file__).resolve().parents[2] / "resources" / "prices"
CASH_HEADER = (
    "ticker  quantity  avg cost  cost basis    last     value  unrealized       %  realized  weight"
)


def close(ticker: str, day: str) -> Decimal:
    with gzip.open(PRICES / "sp500_dataset.csv.gz", "rt") as handle:
        for row in csv.DictReader(handle):
            if row["Date"] == day:
                return D(row[ticker])
    raise AssertionError(f"{day} not in the file")


def test_a_margin_account_shows_the_margin_each_position_uses(run: Run) -> None:
    code, _, _ = run(
        "portfolio", "open", "M", "--cash", "10000", "--on", "2020-01-02",
        "--account", "margin", "--initial-margin", "60%",
    )  # fmt: skip
    assert code == 0
    assert run("buy", "M", "KO", "100", "--on", "2020-01-03")[0] == 0
    assert run("sell", "M", "AAPL", "20", "--on", "2020-01-03")[0] == 0  # a short sale
    ko, aapl = 100 * close("KO", "2020-01-10"), -20 * close("AAPL", "2020-01-10")
    used = {"KO": D("0.6") * abs(ko), "AAPL": D("0.6") * abs(aapl)}  # 60% x |market value|

    code, out, _ = run("holdings", "M", "--as-of", "2020-01-10")
    assert code == 0
    lines = out.splitlines()
    assert lines[1].endswith("weight  margin used")
    for ticker in ("KO", "AAPL"):
        (row,) = [line for line in lines if line.startswith(ticker)]
        assert row.split()[-1] == f"{used[ticker]:,.2f}"
    total = used["KO"] + used["AAPL"]
    assert f"Margin used: {total:,.2f} (initial margin 60% x |market value| of each position)" in (
        lines
    )

    code, out, _ = run("holdings", "M", "--as-of", "2020-01-10", "--json")
    data = json.loads(out)
    by_ticker = {p["ticker"]: p for p in data["positions"]}
    assert D(by_ticker["AAPL"]["market_value"]) == aapl.quantize(D("0.01"))
    for ticker in ("KO", "AAPL"):
        assert D(by_ticker[ticker]["margin_used"]) == used[ticker].quantize(D("0.01"))
    assert D(data["margin_used"]) == total.quantize(D("0.01"))


def test_a_cash_account_has_no_margin_column(run: Run) -> None:
    assert run("portfolio", "open", "C", "--cash", "10000", "--on", "2020-01-02")[0] == 0
    assert run("buy", "C", "KO", "100", "--on", "2020-01-03")[0] == 0
    code, out, _ = run("holdings", "C", "--as-of", "2020-01-10")
    assert code == 0
    assert out.splitlines()[1] == CASH_HEADER
    assert "margin" not in out.lower()
    code, out, _ = run("holdings", "C", "--json")
    data = json.loads(out)
    assert "margin_used" not in data
    assert "margin_used" not in data["positions"][0]


def test_a_margin_account_turned_cash_loses_the_column(run: Run) -> None:
    """The column follows the account as it is now, as the window's does."""
    run("portfolio", "open", "T", "--cash", "10000", "--on", "2020-01-02", "--account", "margin")
    assert run("buy", "T", "KO", "10", "--on", "2020-01-03")[0] == 0
    _, out, _ = run("holdings", "T")
    assert "margin used" in out.splitlines()[1]
    assert run("portfolio", "rules", "T", "--account", "cash")[0] == 0
    _, out, _ = run("holdings", "T")
    assert "margin used" not in out


def test_margin_used_rounds_half_up_from_exact_decimals(run: Run) -> None:
    """10 JNJ at the 2022-12-01 close 176.135 = 1,761.35; 50% of it is 880.675, which rounds
    half-up to 880.68 (float arithmetic gave 880.67). 10 KO at 62.826 = 628.26; 50% = 314.13.
    The total is the sum of the rounded cells: 880.68 + 314.13 = 1,194.81."""
    assert close("JNJ", "2022-12-01") == D("176.135")
    assert close("KO", "2022-12-01") == D("62.826")
    code, _, _ = run(
        "portfolio", "open", "H", "--cash", "10000", "--on", "2022-11-01",
        "--account", "margin", "--initial-margin", "50%",
    )  # fmt: skip
    assert code == 0
    assert run("buy", "H", "JNJ", "10", "--on", "2022-11-01")[0] == 0
    assert run("buy", "H", "KO", "10", "--on", "2022-11-01")[0] == 0

    code, out, _ = run("holdings", "H", "--as-of", "2022-12-01")
    assert code == 0
    rows = {line.split()[0]: line.split()[-1] for line in out.splitlines()[3:5]}
    assert rows == {"JNJ": "880.68", "KO": "314.13"}
    assert "Margin used: 1,194.81 (initial margin 50% x |market value| of each position)" in out

    data = json.loads(run("holdings", "H", "--as-of", "2022-12-01", "--json")[1])
    assert {p["ticker"]: p["margin_used"] for p in data["positions"]} == {
        "JNJ": "880.68",
        "KO": "314.13",
    }
    assert data["margin_used"] == "1194.81"
