"""BundledMarketData against the raw bundled CSV files (read here with gzip + csv)."""

from __future__ import annotations

import csv
import gzip
import os
import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from erasmo.market.base import BAR_FIELDS
from erasmo.market.bundled import BOKEH, SKFOLIO, BundledMarketData
from erasmo.market.resources import find_resources, prices_dir, resources_dir
from events.errors import UnknownTickerError

REPO = Path(__file__).resolve().parents[2]
PRICES = REPO / "resources" / "prices"
DATASET_TICKERS = (
    "AAPL", "AMD", "BAC", "BBY", "CVX", "GE", "HD", "JNJ", "JPM", "KO",
    "LLY", "MRK", "MSFT", "PEP", "PFE", "PG", "RRC", "UNH", "WMT", "XOM",
)  # fmt: skip


def read_rows(name: str) -> list[dict[str, str]]:
    with gzip.open(PRICES / name, "rt", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def dataset() -> list[dict[str, str]]:
    return read_rows("sp500_dataset.csv.gz")


@pytest.fixture(scope="module")
def index_rows() -> list[dict[str, str]]:
    return read_rows("sp500_index.csv.gz")


@pytest.fixture(scope="module")
def bokeh_rows() -> list[dict[str, str]]:
    return read_rows("bokeh_stocks.csv.gz")


@pytest.fixture(scope="module")
def market() -> BundledMarketData:
    return BundledMarketData()


@pytest.fixture(scope="module")
def bokeh() -> BundledMarketData:
    return BundledMarketData(source=BOKEH)


def test_hand_checked_values(market: BundledMarketData, bokeh: BundledMarketData) -> None:
    aapl = market.bar("AAPL", date(1990, 1, 2))
    assert aapl is not None
    assert aapl.close == Decimal("0.264")
    assert (aapl.open, aapl.high, aapl.low, aapl.adj_close, aapl.volume) == (None,) * 5
    gspc = market.bar("^GSPC", date(1990, 1, 2))
    assert gspc is not None
    assert gspc.close == Decimal("359.69")
    raw = bokeh.bar("AAPL", date(2000, 3, 1))
    assert raw is not None
    assert (raw.open, raw.high, raw.low, raw.close) == tuple(
        map(Decimal, ("118.56", "132.06", "118.5", "130.31"))
    )
    assert raw.volume == 9616100
    assert raw.adj_close == Decimal("4.186662803811")


def test_skfolio_series_equal_the_file(
    market: BundledMarketData, dataset: list[dict[str, str]]
) -> None:
    days = [date.fromisoformat(row["Date"]) for row in dataset]
    for ticker in ("AAPL", "XOM"):  # the first and the last column, in full
        bars = market.bars(ticker)
        assert [(b.day, b.close) for b in bars] == [
            (day, Decimal(row[ticker])) for day, row in zip(days, dataset, strict=True)
        ]
    for ticker in DATASET_TICKERS:  # every column, at both ends and in the middle
        for row in (dataset[0], dataset[len(dataset) // 2], dataset[-1]):
            bar = market.bar(ticker, date.fromisoformat(row["Date"]))
            assert bar is not None
            assert bar.close == Decimal(row[ticker])
            assert bar.ticker == ticker


def test_index_series_equals_the_file(
    market: BundledMarketData, index_rows: list[dict[str, str]]
) -> None:
    bars = market.bars("^GSPC")
    assert [(b.day.isoformat(), str(b.close)) for b in bars] == [
        (row["Date"], row["SP500"]) for row in index_rows
    ]


def test_bokeh_series_equal_the_file(
    bokeh: BundledMarketData, bokeh_rows: list[dict[str, str]]
) -> None:
    columns = ("Open", "High", "Low", "Close", "Adj Close")
    for ticker in ("AAPL", "IBM", "MSFT", "GOOG", "FB"):
        rows = [row for row in bokeh_rows if row["Ticker"] == ticker]
        bars = bokeh.bars(ticker)
        assert [(b.day, b.open, b.high, b.low, b.close, b.adj_close, b.volume) for b in bars] == [
            (
                date.fromisoformat(row["Date"]),
                *(Decimal(row[c]) for c in columns),
                int(row["Volume"]),
            )
            for row in rows
        ]


def test_ticker_lists(market: BundledMarketData, dataset: list[dict[str, str]]) -> None:
    symbols = [info.ticker for info in market.tickers()]
    header = [name for name in dataset[0] if name != "Date"]
    assert sorted(header) == sorted(DATASET_TICKERS)
    assert symbols == sorted([*header, "^GSPC", "IBM", "GOOG", "FB"])
    assert len(symbols) == 24
    bokeh_only = [i.ticker for i in BundledMarketData(source=BOKEH).tickers()]
    assert bokeh_only == ["AAPL", "FB", "GOOG", "IBM", "MSFT"]
    skfolio_only = [i.ticker for i in BundledMarketData(source=SKFOLIO).tickers()]
    assert skfolio_only == sorted([*header, "^GSPC"])


def test_date_ranges(market: BundledMarketData, bokeh_rows: list[dict[str, str]]) -> None:
    for ticker in (*DATASET_TICKERS, "^GSPC"):
        info = market.info(ticker)
        assert (info.first, info.last) == (date(1990, 1, 2), date(2022, 12, 28))
    for ticker in ("IBM", "GOOG", "FB"):
        dates = [row["Date"] for row in bokeh_rows if row["Ticker"] == ticker]
        info = market.info(ticker)
        assert (info.first.isoformat(), info.last.isoformat()) == (min(dates), max(dates))
    assert market.info("GOOG").first == date(2004, 8, 19)
    assert market.info("FB").first == date(2012, 5, 18)
    assert market.info("IBM").last == date(2013, 3, 1)


def test_fields_per_source(market: BundledMarketData, bokeh: BundledMarketData) -> None:
    aapl = market.info("AAPL")
    assert (aapl.source, aapl.adjusted, aapl.fields) == (SKFOLIO, True, ("close",))
    assert aapl.missing_fields == ("open", "high", "low", "adj_close", "volume")
    ibm = market.info("IBM")
    assert (ibm.source, ibm.adjusted, ibm.fields) == (BOKEH, False, BAR_FIELDS)
    assert ibm.missing_fields == ()
    assert bokeh.info("AAPL").fields == BAR_FIELDS


def test_merge_rule_skfolio_wins(market: BundledMarketData, bokeh: BundledMarketData) -> None:
    for ticker in ("AAPL", "MSFT"):
        assert market.info(ticker).source == SKFOLIO
        assert bokeh.info(ticker).source == BOKEH
    for ticker in ("IBM", "GOOG", "FB"):
        assert market.info(ticker).source == BOKEH
    merged = market.bar("AAPL", date(2005, 2, 28))
    raw = bokeh.bar("AAPL", date(2005, 2, 28))
    assert merged is not None
    assert raw is not None
    assert (merged.close, raw.close) == (Decimal("1.362"), Decimal("44.86"))


def test_bokeh_instance_shows_the_aapl_split(
    bokeh: BundledMarketData, bokeh_rows: list[dict[str, str]]
) -> None:
    raw = {row["Date"]: row for row in bokeh_rows if row["Ticker"] == "AAPL"}
    assert (raw["2005-02-25"]["Close"], raw["2005-02-28"]["Close"]) == ("88.99", "44.86")
    before, after = bokeh.bars("AAPL", date(2005, 2, 25), date(2005, 2, 28))
    assert (before.day, after.day) == (date(2005, 2, 25), date(2005, 2, 28))
    assert (before.close, after.close) == (Decimal("88.99"), Decimal("44.86"))
    assert 1.9 < before.close / after.close < 2.1
    assert before.open is not None
    assert after.open is not None
    assert before.open / after.open > Decimal("1.9")
    assert before.adj_close is not None
    assert after.adj_close is not None
    assert abs(before.adj_close / after.adj_close - 1) < Decimal("0.05")  # adjusted: no jump


def test_unknown_ticker_suggestions(market: BundledMarketData) -> None:
    with pytest.raises(UnknownTickerError) as caught:
        market.info("APPL")
    assert "AAPL" in caught.value.suggestions
    assert len(caught.value.suggestions) <= 3
    assert "AAPL" in str(caught.value)
    with pytest.raises(UnknownTickerError) as nothing:
        market.bar("QWXZ", date(2020, 1, 2))
    assert nothing.value.suggestions == ()
    with pytest.raises(UnknownTickerError):
        BundledMarketData(source=SKFOLIO).info("IBM")
    with pytest.raises(UnknownTickerError):
        BundledMarketData(source=BOKEH).info("^GSPC")


def test_lookup_ignores_case_and_spaces(market: BundledMarketData) -> None:
    assert market.info(" aapl ").ticker == "AAPL"
    assert market.info("^gspc").ticker == "^GSPC"
    bar = market.bar("ibm\t", date(2005, 2, 28))
    assert bar is not None
    assert bar.ticker == "IBM"


def test_non_trading_day(market: BundledMarketData, index_rows: list[dict[str, str]]) -> None:
    dates = {row["Date"] for row in index_rows}
    assert {"2020-07-02", "2020-07-06"} <= dates
    assert dates.isdisjoint({"2020-07-03", "2020-07-04", "2020-07-05"})
    saturday = date(2020, 7, 4)
    assert saturday.weekday() == 5
    assert market.bar("AAPL", saturday) is None
    around = (date(2020, 7, 2), date(2020, 7, 6))
    assert market.previous_and_next(None, saturday) == around
    assert market.previous_and_next("AAPL", saturday) == around
    assert market.previous_and_next(None, date(1990, 1, 1)) == (None, date(1990, 1, 2))
    assert market.previous_and_next(None, date(2023, 1, 1)) == (date(2022, 12, 28), None)
    assert market.previous_and_next("FB", date(2012, 5, 19)) == (
        date(2012, 5, 18),
        date(2012, 5, 21),
    )


def test_calendar(
    market: BundledMarketData,
    bokeh: BundledMarketData,
    index_rows: list[dict[str, str]],
    bokeh_rows: list[dict[str, str]],
) -> None:
    assert [d.isoformat() for d in market.trading_days()] == [row["Date"] for row in index_rows]
    assert market.latest_date() == date(2022, 12, 28)
    assert market.latest_date("GOOG") == date(2013, 3, 1)
    union = sorted({row["Date"] for row in bokeh_rows})
    assert [d.isoformat() for d in bokeh.trading_days()] == union
    assert bokeh.latest_date() == date(2013, 3, 1)
    assert len(market.trading_days("FB")) == sum(row["Ticker"] == "FB" for row in bokeh_rows)


def test_bars_bounds_are_inclusive(market: BundledMarketData) -> None:
    days = [b.day for b in market.bars("AAPL", date(2020, 7, 1), date(2020, 7, 7))]
    assert days == [date(2020, 7, 1), date(2020, 7, 2), date(2020, 7, 6), date(2020, 7, 7)]
    assert [b.day for b in market.bars("AAPL", date(2020, 7, 3), date(2020, 7, 5))] == []
    assert market.bars("AAPL", start=date(2022, 12, 28))[0].day == date(2022, 12, 28)
    assert market.bars("AAPL", end=date(1990, 1, 2))[-1].day == date(1990, 1, 2)
    assert len(market.bars("AAPL")) == len(market.trading_days("AAPL"))


def test_index_is_not_tradable(market: BundledMarketData) -> None:
    info = market.info("^GSPC")
    assert (info.tradable, info.adjusted, info.source) == (False, False, SKFOLIO)
    assert info.description == "S&P 500 index"
    assert market.info("AAPL").tradable
    assert all(i.tradable for i in market.tickers() if i.ticker != "^GSPC")


def test_unknown_source_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown source"):
        BundledMarketData(source="bundled:nope")


def write_gz(path: Path, text: str) -> None:
    with gzip.open(path, "wt", newline="") as f:
        f.write(text)


def test_missing_cells_and_bad_rows(tmp_path: Path) -> None:
    write_gz(
        tmp_path / "sp500_dataset.csv.gz",
        "Date,AAA,BBB\n2020-01-02,1.5,\n2020-01-03,NaN,2.5\n\n2020-01-06,1.75,2.75\n",
    )
    write_gz(tmp_path / "sp500_index.csv.gz", "Date,SP500\n2020-01-02,10\n2020-01-03,11\n")
    write_gz(
        tmp_path / "bokeh_stocks.csv.gz",
        "Ticker,Date,Open,High,Low,Close,Volume,Adj Close\n"
        "CCC,2020-01-03,1,2,0.5,1.5,100,1.4\n"
        "CCC,2020-01-02,,,,1.25,,\n"  # out of order; only a close
        "CCC,2020-01-06,1,2,0.5,,100,1.4\n"  # no close: skipped
        "CCC,not-a-date,1,2,0.5,1.5,100,1.4\n"
        "CCC,2020-01-07,1,2\n"  # short row: no close
        "ddd ,2020-01-07,3,4,2,3.5,7.0,3.5\n",
    )
    market = BundledMarketData(directory=tmp_path)
    assert [i.ticker for i in market.tickers()] == ["AAA", "BBB", "CCC", "DDD", "^GSPC"]
    assert [b.day.day for b in market.bars("AAA")] == [2, 6]
    assert [(b.day.day, b.close) for b in market.bars("BBB")] == [
        (3, Decimal("2.5")),
        (6, Decimal("2.75")),
    ]
    ccc = market.bars("CCC")
    assert [(b.day.day, b.close) for b in ccc] == [(2, Decimal("1.25")), (3, Decimal("1.5"))]
    assert (ccc[0].open, ccc[0].volume, ccc[0].adj_close) == (None, None, None)
    assert ccc[1].volume == 100
    assert market.bar("DDD", date(2020, 1, 7)) is not None
    assert market.trading_days() == (date(2020, 1, 2), date(2020, 1, 3))


def test_a_request_reads_only_the_files_it_needs(tmp_path: Path) -> None:
    shutil.copy(PRICES / "sp500_dataset.csv.gz", tmp_path)
    only_dataset = BundledMarketData(directory=tmp_path)
    bar = only_dataset.bar("AAPL", date(2020, 1, 2))
    assert bar is not None
    assert bar.close == Decimal("73.348")
    shutil.copy(PRICES / "bokeh_stocks.csv.gz", tmp_path)
    assert BundledMarketData(directory=tmp_path).info("IBM").source == BOKEH


def test_write_path_does_not_import_pandas() -> None:
    code = (
        "import sys\n"
        "from datetime import date\n"
        "from erasmo.market.bundled import BundledMarketData\n"
        "bar = BundledMarketData().bar('AAPL', date(2020, 1, 2))\n"
        "assert bar is not None and str(bar.close) == '73.348', bar\n"
        "print(sorted(m for m in ('pandas', 'numpy') if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_resources_dir_in_a_checkout() -> None:
    assert resources_dir() == REPO / "resources"
    assert prices_dir() == PRICES


def test_find_resources_layouts(tmp_path: Path) -> None:
    package = tmp_path / "site" / "erasmo"
    package.mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="_resources"):
        find_resources(package)
    (tmp_path / "site" / "resources").mkdir()
    with pytest.raises(FileNotFoundError):  # a stray "resources" folder without a pyproject
        find_resources(package)
    (tmp_path / "site" / "pyproject.toml").write_text("")
    assert find_resources(package) == tmp_path / "site" / "resources"
    (package / "_resources").mkdir()
    assert find_resources(package) == package / "_resources"


def test_resources_dir_in_a_wheel_layout(tmp_path: Path) -> None:
    site = tmp_path / "site"
    ignore = shutil.ignore_patterns("__pycache__")
    for name in ("erasmo", "events"):
        shutil.copytree(REPO / name, site / name, ignore=ignore)
    shutil.copytree(PRICES, site / "erasmo" / "_resources" / "prices")
    code = (
        "from datetime import date\n"
        "from erasmo.market.resources import resources_dir\n"
        "from erasmo.market.bundled import BundledMarketData\n"
        "print(resources_dir())\n"
        "print(BundledMarketData().bar('AAPL', date(2020, 1, 2)).close)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found, close = done.stdout.split()
    assert Path(found) == (site / "erasmo" / "_resources").resolve()
    assert close == "73.348"


def test_close_frame(market: BundledMarketData, bokeh: BundledMarketData) -> None:
    pd = pytest.importorskip("pandas")
    from erasmo.market.frames import close_frame

    frame = close_frame(market, ["aapl", "IBM", "^GSPC"], date(2005, 2, 24), date(2005, 3, 1))
    assert list(frame.columns) == ["AAPL", "IBM", "^GSPC"]
    assert isinstance(frame.index, pd.DatetimeIndex)
    assert [d.date() for d in frame.index] == [
        b.day for b in market.bars("AAPL", date(2005, 2, 24), date(2005, 3, 1))
    ]
    for ticker in frame.columns:
        for bar in market.bars(ticker, date(2005, 2, 24), date(2005, 3, 1)):
            assert frame.at[pd.Timestamp(bar.day), ticker] == float(bar.close)
    raw = close_frame(bokeh, ["AAPL", "FB"], end=date(2005, 3, 1))
    assert raw.at[pd.Timestamp(2005, 2, 25), "AAPL"] == 88.99
    assert pd.isna(raw.at[pd.Timestamp(2005, 2, 25), "FB"])
    everything = close_frame(market)
    assert list(everything.columns) == [i.ticker for i in market.tickers()]
    assert everything.shape == (len(market.trading_days()), 24)
