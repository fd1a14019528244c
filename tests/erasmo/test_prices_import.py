"""`erasmo prices import FILE.csv`: daily bars from a file into the price cache, checked whole
before anything is stored, so that a ticker erasmo does not have can be traded offline."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cli_runner import Run
from yahoo_replay import Scenario, install

from erasmo.importers.prices import PriceFile, read_price_file
from erasmo.importers.table import read_table
from erasmo.market.bundled import BundledMarketData
from erasmo.market.cache import PriceCache
from erasmo.market.chain import SourceChain
from erasmo.market.service import PriceService
from erasmo.market.yahoo import YahooProvider
from events.errors import InvalidInputError

GOOD = (
    "Date,Open,High,Low,Close,Adj Close,Volume\n"
    "2012-03-01,10.00,10.60,9.90,10.50,9.80,12000\n"
    "2012-03-02,10.50,10.70,10.10,10.20,9.52,9000\n"
    "2012-03-05,10.20,10.40,9.70,9.80,9.15,15000\n"
)


def _write(tmp_path: Path, text: str, name: str = "zzzq.csv") -> Path:
    file = tmp_path / name
    file.write_text(text)
    return file


def _cached(run: Run) -> dict[str, dict[str, object]]:
    code, out, err = run("prices", "list", "--json")
    assert code == 0, err
    return {t["ticker"]: t for t in json.loads(out) if t["cached"]}


def test_a_price_file_makes_its_ticker_tradable_offline(run: Run, tmp_path: Path) -> None:
    file = _write(tmp_path, GOOD)
    code, out, err = run("prices", "import", str(file), "--ticker", "zzzq", "--dry-run")
    assert code == 0, err
    assert "Would store 3 new bars of 1 ticker from zzzq.csv" in out
    assert _cached(run) == {}

    code, out, err = run("prices", "import", str(file), "--ticker", "ZZZQ")
    assert code == 0, err
    assert "Stored 3 new bars of 1 ticker from zzzq.csv in the price cache" in out
    info = _cached(run)["ZZZQ"]
    assert (info["first"], info["last"], info["source"]) == (
        "2012-03-01",
        "2012-03-05",
        "file:zzzq.csv",
    )
    assert info["adjusted"] is False
    code, out, err = run("prices", "show", "ZZZQ", "--json")
    bars = json.loads(out)
    assert [(b["date"], b["close"], b["adj_close"], b["volume"]) for b in bars] == [
        ("2012-03-01", "10.50", "9.80", 12000),
        ("2012-03-02", "10.20", "9.52", 9000),
        ("2012-03-05", "9.80", "9.15", 15000),
    ]

    assert run("portfolio", "open", "Own", "--on", "2012-03-01")[0] == 0
    assert run("deposit", "Own", "1000", "--on", "2012-03-01")[0] == 0
    code, out, err = run("buy", "Own", "ZZZQ", "10", "--on", "2012-03-02")
    assert code == 0, err
    code, out, err = run("holdings", "Own", "--json", "--as-of", "2012-03-05")
    data = json.loads(out)
    [row] = data["positions"]
    # bought at the close 10.20, valued at 9.80: 10 x 9.80; cash 1000 - 102
    assert (row["market_value"], data["cash"]) == ("98.00", "898.00")
    assert "last_trade" not in row

    code, out, err = run("prices", "import", str(file), "--ticker", "ZZZQ")
    assert code == 0, err
    assert "Stored 0 new bars" in out


def test_a_ticker_column_and_a_file_newest_first(run: Run, tmp_path: Path) -> None:
    file = _write(
        tmp_path,
        "Symbol;Date;Open;High;Low;Close;Volume\n"
        "AAA;05.03.2012;2,00;2,10;1,90;2,05;100\n"
        "BBB;05.03.2012;7,00;7,00;7,00;7,00;0\n"
        "AAA;02.03.2012;1,95;2,00;1,90;2,00;150\n",
    )
    code, out, err = run("prices", "import", str(file), "--date-format", "%d.%m.%Y")
    assert code == 0, err
    cached = _cached(run)
    assert (cached["AAA"]["first"], cached["AAA"]["last"]) == ("2012-03-02", "2012-03-05")
    assert (cached["BBB"]["first"], cached["BBB"]["last"]) == ("2012-03-05", "2012-03-05")
    code, out, err = run("prices", "show", "AAA", "--json")
    assert [Decimal(b["close"]) for b in json.loads(out)] == [Decimal("2.00"), Decimal("2.05")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Date,Open,High,Close,Volume\n2012-03-01,1,2,1.5,10\n",
            "zzzq.csv, line 1: missing column Low; the header has Date, Open, High, Close, Volume.",
        ),
        (
            GOOD + "2012-03-06,9.80,9.90,9.7O,9.85,9.20,100\n",
            "zzzq.csv, line 5, column Low: '9.7O' is not a number.",
        ),
        (
            GOOD + "2012-03-05,9.80,9.90,9.70,9.85,9.20,100\n",
            "zzzq.csv, line 5, column Date: ZZZQ on 2012-03-05 again (also on line 4); keep one "
            "line a day.",
        ),
        (
            GOOD + "2012-03-02,9.80,9.90,9.70,9.85,9.20,100\n",
            "zzzq.csv, line 5, column Date: 2012-03-02 is out of order (line 4 has 2012-03-05); "
            "sort the file by date.",
        ),
        (
            GOOD + "2012-03-10,9.80,9.90,9.70,9.85,9.20,100\n",
            "zzzq.csv, line 5, column Date: 2012-03-10 is a Saturday, not a trading day.",
        ),
        (
            GOOD + "2012-03-06,9.80,9.90,9.70,9.95,9.20,100\n",
            "zzzq.csv, line 5: open 9.80, high 9.90, low 9.70, close 9.95 is no day's range",
        ),
        (
            GOOD + "2012-03-06,9.80,9.90,9.70,9.85,9.20,1.5\n",
            "zzzq.csv, line 5, column Volume: '1.5' is not a whole number of shares.",
        ),
    ],
    ids=["missing column", "not a number", "twice", "out of order", "weekend", "range", "volume"],
)
def test_a_bad_file_stores_nothing(run: Run, tmp_path: Path, text: str, message: str) -> None:
    code, _out, err = run("prices", "import", str(_write(tmp_path, text)), "--ticker", "ZZZQ")
    assert code == 1
    assert err.startswith(f"erasmo: {message}")
    assert _cached(run) == {}


def test_without_a_ticker_the_file_needs_a_ticker_column(run: Run, tmp_path: Path) -> None:
    code, _out, err = run("prices", "import", str(_write(tmp_path, GOOD)))
    assert code == 1
    assert "missing column Ticker (or give --ticker)" in err


def test_bundled_tickers_and_other_prices_for_a_cached_day_are_refused(
    run: Run, tmp_path: Path
) -> None:
    code, _out, err = run("prices", "import", str(_write(tmp_path, GOOD)), "--ticker", "IBM")
    assert code == 1
    assert "IBM comes with erasmo (the bundled data)" in err
    assert _cached(run) == {}

    assert run("prices", "import", str(_write(tmp_path, GOOD)), "--ticker", "ZZZQ")[0] == 0
    other = GOOD.replace("10.20,9.52", "10.25,9.52") + "2012-03-06,9.80,9.90,9.70,9.85,9.20,100\n"
    code, _out, err = run(
        "prices", "import", str(_write(tmp_path, other, "b.csv")), "--ticker", "ZZZQ"
    )
    assert code == 1
    assert err.startswith(
        "erasmo: b.csv, line 3: ZZZQ on 2012-03-02 is cached already with other prices (close "
        "10.20); run 'erasmo prices clear ZZZQ' first"
    )
    assert _cached(run)["ZZZQ"]["last"] == "2012-03-05"


def _online(tmp_path: Path) -> tuple[PriceService, SourceChain]:
    """A chain over the bundled data, a cache and Yahoo (replayed), the evening of 2024-11-29."""
    moment = datetime(2024, 11, 29, 19, tzinfo=ZoneInfo("America/New_York"))
    cache = PriceCache(tmp_path / "prices.sqlite")
    yahoo = YahooProvider(tmp_path / "yfinance", cache, deadline=10, clock=moment.timestamp)
    chain = SourceChain(BundledMarketData(), cache, yahoo, now=lambda: moment)
    return PriceService(cache, chain), chain


def _bars(tmp_path: Path, ticker: str) -> PriceFile:
    days = {"2012-03-01": "2024-11-01", "2012-03-02": "2024-11-04", "2012-03-05": "2024-11-05"}
    text = GOOD
    for old, new in days.items():
        text = text.replace(old, new)
    table = read_table(_write(tmp_path, text, f"{ticker}.csv"))
    return read_price_file(table, ticker, date(2024, 11, 29))


def test_an_imported_ticker_is_never_fetched_from_yahoo(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    replay = install(monkeypatch)
    replay.scenarios["PLTR"] = Scenario("normal")
    service, chain = _online(tmp_path)
    prices = _bars(tmp_path, "PLTR")
    [done] = service.import_prices(prices.file, prices.bars, prices.lines)
    assert (done.ticker, done.source, done.bars, done.added) == ("PLTR", "file:PLTR.csv", 3, 3)
    info = chain.info("PLTR")
    assert (info.source, info.first, info.last) == (
        "file:PLTR.csv",
        date(2024, 11, 1),
        date(2024, 11, 5),
    )
    assert [o.status for o in service.refresh(["PLTR"])] == ["imported"]
    assert replay.requests == []


def test_a_ticker_cached_from_yahoo_is_not_mixed_with_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    replay = install(monkeypatch)
    replay.scenarios["PLTR"] = Scenario("normal")
    service, chain = _online(tmp_path)
    assert chain.info("PLTR").source == "yahoo"
    prices = _bars(tmp_path, "PLTR")
    with pytest.raises(InvalidInputError, match="PLTR is cached from yahoo, whose series is never"):
        service.import_prices(prices.file, prices.bars, prices.lines)
    assert service.cache.listing("PLTR")[0].source == "yahoo"
