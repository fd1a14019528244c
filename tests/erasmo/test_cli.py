"""The `erasmo` command end to end, in-process: real SQLite store, real bundled prices.

Expected prices are read from the bundled CSV text in the test, not from erasmo's market code.
"""

from __future__ import annotations

import csv
import gzip
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from cli_runner import Run

ROOT = Path(__file__).resolve().parents[2]


def skfolio_close(ticker: str, day: str) -> Decimal:
    with gzip.open(ROOT / "resources/prices/sp500_dataset.csv.gz", "rt") as handle:
        for row in csv.DictReader(handle):
            if row["Date"] == day:
                return Decimal(row[ticker])
    raise AssertionError(f"{day} not in the file")


def bokeh_bar(ticker: str, day: str) -> dict[str, str]:
    with gzip.open(ROOT / "resources/prices/bokeh_stocks.csv.gz", "rt") as handle:
        for row in csv.DictReader(handle):
            if row["Ticker"] == ticker and row["Date"] == day:
                return row
    raise AssertionError(f"{ticker} {day} not in the file")


def cents(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def event_count(run: Run) -> int:
    code, out, _ = run("portfolio", "list", "--json")
    assert code == 0
    return sum(p["version"] for p in json.loads(out))


def test_open_buy_sell_and_holdings_json(run: Run) -> None:
    assert run("portfolio", "open", "Tech", "--cash", "10000", "--on", "2015-03-02")[0] == 0
    code, out, err = run("buy", "Tech", "AAPL", "10", "--on", "2015-03-02", "--fee", "1.50")
    assert (code, err) == (0, "")
    aapl = skfolio_close("AAPL", "2015-03-02")
    assert str(aapl) in out
    code, _, _ = run("sell", "Tech", "AAPL", "4", "--on", "2016-01-04")
    assert code == 0
    aapl_sell = skfolio_close("AAPL", "2016-01-04")

    code, out, _ = run("holdings", "Tech", "--json")
    assert code == 0
    held = json.loads(out)
    cost = cents(10 * aapl) + Decimal("1.50")
    remaining_cost = cost - cost * 4 / 10
    expected_cash = Decimal(10000) - cost + cents(4 * aapl_sell)
    assert held["portfolio"] == "Tech"
    assert Decimal(held["cash"]) == expected_cash
    [position] = held["positions"]
    assert position["ticker"] == "AAPL"
    assert Decimal(position["quantity"]) == 6
    assert Decimal(position["cost_basis"]) == remaining_cost
    assert Decimal(position["average_cost"]) == remaining_cost / 6


def test_explicit_price_inside_and_outside_the_days_range(run: Run) -> None:
    run("portfolio", "open", "Old", "--cash", "100000", "--on", "2005-02-25")
    bar = bokeh_bar("IBM", "2005-02-28")
    low, high = Decimal(bar["Low"]), Decimal(bar["High"])
    before = event_count(run)
    code, _, err = run("buy", "Old", "IBM", "10", "--on", "2005-02-28", "--price", str(high + 1))
    assert code == 1
    assert "outside" in err
    assert str(low) in err
    assert event_count(run) == before
    code, _, _ = run("buy", "Old", "IBM", "10", "--on", "2005-02-28", "--price", str(low))
    assert code == 0
    code, out, _ = run("history", "Old", "--json")
    trade = json.loads(out)[-1]
    assert trade["type"] == "SharesBought"
    assert Decimal(trade["price"]) == low
    assert trade["price_kind"] == "explicit"
    assert trade["price_source"] == "bundled:bokeh"


def test_default_date_is_the_latest_in_the_data(run: Run) -> None:
    run("portfolio", "open", "Now", "--cash", "1000")
    code, out, _ = run("history", "Now", "--json")
    assert code == 0
    assert {e["on"] for e in json.loads(out)} == {"2022-12-28"}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("buy", "T", "AAPL", "0"), "greater than zero"),
        (("buy", "T", "AAPL", "-3"), "greater than zero"),
        (("buy", "T", "AAPL", "NaN"), "not a plain decimal"),
        (("buy", "T", "AAPL", "inf"), "not a plain decimal"),
        (("buy", "T", "AAPL", "1e400"), "not a plain decimal"),
        (("buy", "T", "AAPL", "ten"), "not a plain decimal"),
        (("buy", "T", "AAPL", "1.1234567"), "more than 6 decimal places"),
        (("deposit", "T", "10.001"), "more than 2 decimal places"),
        (("buy", "T", "AAPL", "1000000", "--on", "2020-01-02"), "costs"),
        (("sell", "T", "AAPL", "1", "--on", "2020-01-02"), "holds 0"),
        (("withdraw", "T", "5000.01", "--on", "2020-01-02"), "cash is"),
        (("buy", "T", "APPL", "1", "--on", "2020-01-02"), "Did you mean AAPL"),
        (("buy", "T", "AAPL", "1", "--on", "2020-07-04"), "previous one is 2020-07-02"),
        (("buy", "T", "AAPL", "1", "--on", "2099-01-02"), "in the future"),
        (("buy", "T", "AAPL", "1", "--on", "2023-01-03"), "after the market data"),
        (("buy", "T", "AAPL", "1", "--on", "2019-12-31"), "clock only moves forward"),
        (("buy", "T", "^GSPC", "1", "--on", "2020-01-02"), "not traded"),
        (("buy", "T", "AAPL", "1", "--on", "2020-01-02", "--price", "1"), "only the close"),
        (("buy", "T", "AAPL", "1", "--on", "02/01/2020"), "YYYY-MM-DD"),
        (("deposit", "Nope", "10"), "No portfolio is named"),
        (("portfolio", "open", "t"), "already exists"),
        (("portfolio", "open", "x" * 65), "the most is 64"),
    ],
)
def test_rejected_commands_exit_1_and_record_nothing(
    run: Run, args: tuple[str, ...], needle: str
) -> None:
    run("portfolio", "open", "T", "--cash", "5000", "--on", "2020-01-02")
    before = event_count(run)
    code, out, err = run(*args)
    assert code == 1, out
    assert needle in err
    assert err.startswith("erasmo: ")
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert event_count(run) == before


def test_closed_portfolio_refuses_commands(run: Run) -> None:
    run("portfolio", "open", "Gone", "--cash", "10", "--on", "2020-01-02")
    assert run("portfolio", "close", "Gone")[0] == 0
    code, _, err = run("deposit", "Gone", "5", "--on", "2020-01-03")
    assert code == 1
    assert "closed" in err


def test_usage_errors_exit_2(run: Run) -> None:
    assert run("buy", "T")[0] == 2
    assert run("holdings", "T", "--at", "0")[0] == 2
    assert run("no-such-command")[0] == 2


def test_holdings_time_travel_by_seq_and_date(run: Run) -> None:
    run("portfolio", "open", "TT", "--cash", "1000", "--on", "2020-01-02")
    run("buy", "TT", "KO", "2", "--on", "2020-01-03")
    run("buy", "TT", "KO", "3", "--on", "2020-02-03")
    code, out, _ = run("history", "TT", "--json")
    events = json.loads(out)
    first_buy = events[2]
    assert first_buy["type"] == "SharesBought"
    code, out, _ = run("holdings", "TT", "--at", str(first_buy["seq"]), "--json")
    assert code == 0
    assert [Decimal(p["quantity"]) for p in json.loads(out)["positions"]] == [2]
    code, out, _ = run("holdings", "TT", "--as-of", "2020-01-31", "--json")
    assert [Decimal(p["quantity"]) for p in json.loads(out)["positions"]] == [2]
    code, out, _ = run("holdings", "TT", "--json")
    assert [Decimal(p["quantity"]) for p in json.loads(out)["positions"]] == [5]
    code, _, err = run("holdings", "TT", "--as-of", "2019-12-31")
    assert code == 1
    assert "did not exist yet" in err


def test_rename_then_list(run: Run) -> None:
    run("portfolio", "open", "A", "--cash", "1", "--on", "2020-01-02")
    assert run("portfolio", "rename", "A", "B")[0] == 0
    _code, out, _ = run("portfolio", "list", "--json")
    assert [p["name"] for p in json.loads(out)] == ["B"]
    assert run("portfolio", "open", "a", "--on", "2020-01-02")[0] == 0  # the old name is free


def test_export_import_verify_round_trip(run: Run, tmp_path: Path) -> None:
    run("portfolio", "open", "R", "--cash", "5000", "--on", "2020-01-02")
    run("buy", "R", "XOM", "7", "--on", "2020-01-03")
    out_file = tmp_path / "log.jsonl"
    assert run("export", "-o", str(out_file))[0] == 0
    code, out, _ = run("verify", str(out_file))
    assert code == 0
    assert out.startswith("OK: 3 events of 1 portfolio, written by erasmo 0.1.0; chain ends ")

    other = tmp_path / "other"
    code, out, _ = run("--data-dir", str(other), "import", str(out_file))
    # the fixture's --data-dir comes first; click uses the last one given
    assert code == 0, out
    assert "Imported 3 new events" in out
    code, out, _ = run("--data-dir", str(other), "import", str(out_file))
    assert "Imported 0 new events" in out
    again = tmp_path / "again.jsonl"
    run("--data-dir", str(other), "export", "-o", str(again))
    assert again.read_text() == out_file.read_text()
    _, here, _ = run("holdings", "R", "--json")
    _, there, _ = run("--data-dir", str(other), "holdings", "R", "--json")
    assert json.loads(here) == json.loads(there)


def test_tampered_file_is_refused_with_its_line(run: Run, tmp_path: Path) -> None:
    run("portfolio", "open", "R", "--cash", "5000", "--on", "2020-01-02")
    log = tmp_path / "log.jsonl"
    run("export", "-o", str(log))
    lines = log.read_text().splitlines(keepends=True)
    lines[2] = lines[2].replace('"5000"', '"50000"')
    log.write_text("".join(lines))
    code, _, err = run("verify", str(log))
    assert code == 1
    assert "line 3" in err
    code, _, err = run("--data-dir", str(tmp_path / "fresh"), "import", str(log))
    assert code == 1
    assert "line 3" in err


def test_check_reports_ok_on_a_clean_store(run: Run) -> None:
    run("portfolio", "open", "C", "--cash", "5000", "--on", "2020-01-02")
    run("buy", "C", "PG", "3", "--on", "2020-01-03")
    code, out, _ = run("check")
    assert code == 0
    assert out == "OK: 1 portfolio, 5 events, no problems.\n"  # 3 of C, 2 of the name catalog


def test_prices_list_and_show(run: Run) -> None:
    code, out, _ = run("prices", "list", "--json")
    assert code == 0
    tickers = {t["ticker"]: t for t in json.loads(out)}
    assert tickers["AAPL"]["source"] == "bundled:skfolio"
    assert tickers["AAPL"]["missing_fields"] == ["open", "high", "low", "adj_close", "volume"]
    assert tickers["IBM"]["missing_fields"] == []
    assert tickers["^GSPC"]["tradable"] is False
    code, out, _ = run(
        "prices", "show", "IBM", "--from", "2005-02-28", "--to", "2005-03-01", "--json"
    )
    bars = json.loads(out)
    assert [b["date"] for b in bars] == ["2005-02-28", "2005-03-01"]
    raw = bokeh_bar("IBM", "2005-02-28")
    assert Decimal(bars[0]["open"]) == Decimal(raw["Open"])
    assert bars[0]["volume"] == int(raw["Volume"])
