"""Imported trades on a ticker erasmo has no prices for (not bundled, not cached, offline):
recorded at the file's price, valued at the last traded price and marked so, until prices
exist. Every expected figure is worked out by hand from the file's rows."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from cli_runner import Run

ROWS = (
    "Date,Type,Ticker,Quantity,Price,Fee,Amount,Ratio\n"
    "2012-03-01,deposit,,,,,5000,\n"
    "2012-03-01,buy,ZZZQ,100,10.00,1,,\n"
    "2012-03-05,buy,ZZZQ,20,12.50,0,,\n"
    "2012-03-15,sell,ZZZQ,30,11.20,1,,\n"
)


def _setup(run: Run, tmp_path: Path, rows: str = ROWS) -> Path:
    code, _out, err = run("portfolio", "open", "Own", "--on", "2012-03-01")
    assert code == 0, err
    file = tmp_path / "own.csv"
    file.write_text(rows)
    return file


def _json(run: Run, *args: str) -> dict[str, object]:
    code, out, err = run(*args, "--json")
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


def test_trades_without_prices_are_recorded_at_the_file_price(run: Run, tmp_path: Path) -> None:
    file = _setup(run, tmp_path)
    code, out, err = run("import-trades", "Own", str(file), "--dry-run")
    assert code == 0, err
    assert "line 3: 2012-03-01 buy 100 ZZZQ at 10.00 + fee 1.00 (no prices for ZZZQ" in out

    code, out, err = run("import-trades", "Own", str(file))
    assert code == 0, err
    assert "Recorded 4 rows" in out
    holdings = _json(run, "holdings", "Own")
    [row] = holdings["positions"]  # type: ignore[misc]
    # 100 + 20 - 30 shares, valued at the last trade's price 11.20
    assert row["quantity"] == "90"
    assert row["last_price"] == "11.200000"
    assert row["last_trade"] is True
    assert row["market_value"] == "1008.00"
    # FIFO: 70 left of the first lot at (1000 + 1) / 100 = 10.01, and 20 at 12.50
    assert row["cost_basis"] == "950.70"
    assert row["unrealized_pnl"] == "57.30"
    # 30 x 11.20 - 1 = 335 proceeds, less 30 x 10.01 = 300.30
    assert row["realized_pnl"] == "34.70"
    # 5000 - 1001 - 250 + 335
    assert holdings["cash"] == "4084.00"
    assert holdings["total_value"] == "5092.00"

    code, out, err = run("holdings", "Own")
    assert code == 0, err
    assert "11.200†" in out
    assert "† no prices for the ticker: valued at its last trade price" in out

    code, out, err = run("import-trades", "Own", str(file))
    assert code == 0, err
    assert "Recorded 0 rows" in out
    assert "4 rows already imported" in out
    code, out, err = run("check")
    assert code == 0, err
    assert "no problems" in out
    assert out.count("is unverified: this install has no market data for ZZZQ") == 3


def test_performance_says_which_tickers_were_valued_at_their_trade(
    run: Run, tmp_path: Path
) -> None:
    run("import-trades", "Own", str(_setup(run, tmp_path)))
    data = _json(run, "performance", "Own", "--to", "2012-03-30")
    assert data["valued_at_last_trade"] == ["ZZZQ"]
    # the last day: 4084 cash + 90 x 11.20
    assert Decimal(str(data["end_value"])) == Decimal("5092.00")
    code, out, err = run("performance", "Own", "--to", "2012-03-30")
    assert code == 0, err
    assert "† no prices for ZZZQ: valued at the last trade price" in out


def test_a_split_and_a_dividend_of_a_ticker_without_prices(run: Run, tmp_path: Path) -> None:
    rows = ROWS + "2012-03-20,split,ZZZQ,,,,,2\n2012-03-22,dividend,ZZZQ,,,,36.00,\n"
    run("import-trades", "Own", str(_setup(run, tmp_path, rows)))
    holdings = _json(run, "holdings", "Own")
    [row] = holdings["positions"]  # type: ignore[misc]
    # 90 shares split 2:1 -> 180, the last trade price 11.20 -> 5.60 a share after the split
    assert (row["quantity"], row["last_price"]) == ("180", "5.600000")
    assert row["market_value"] == "1008.00"
    # the dividend: 36.00 / 180 = 0.20 a share; cash 4084 + 36
    assert holdings["cash"] == "4120.00"
    data = _json(run, "performance", "Own", "--to", "2012-03-30")
    assert Decimal(str(data["end_value"])) == Decimal("5128.00")


def test_a_row_without_prices_on_a_closed_market_day_is_refused(run: Run, tmp_path: Path) -> None:
    file = _setup(run, tmp_path, ROWS + "2012-03-17,buy,ZZZQ,5,11.00,0,,\n")
    code, _out, err = run("import-trades", "Own", str(file))
    assert code == 1
    assert err.startswith("erasmo: own.csv, line 6, column Date: ")
    assert "2012-03-17" in err
    code, out, err = run("history", "Own", "--json")
    assert code == 0, err
    assert [e["type"] for e in json.loads(out)] == ["PortfolioOpened"]


def test_imported_prices_take_over_from_the_trade_price(run: Run, tmp_path: Path) -> None:
    run("import-trades", "Own", str(_setup(run, tmp_path)))
    prices = tmp_path / "zzzq.csv"
    prices.write_text(
        "Date,Open,High,Low,Close,Volume\n"
        "2012-03-15,11.00,11.50,10.90,11.20,1000\n"
        "2012-03-16,11.20,11.90,11.10,11.80,1500\n"
    )
    code, _out, err = run("prices", "import", str(prices), "--ticker", "ZZZQ")
    assert code == 0, err
    holdings = _json(run, "holdings", "Own", "--as-of", "2012-03-16")
    [row] = holdings["positions"]  # type: ignore[misc]
    # 90 shares at the close 11.80
    assert (row["last_price"], row["market_value"]) == ("11.800000", "1062.00")
    assert "last_trade" not in row
    assert "valued_at_last_trade" not in _json(run, "performance", "Own", "--to", "2012-03-16")
