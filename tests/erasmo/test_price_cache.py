"""The price cache and the source chain: only missing ranges are fetched, bundled tickers are never
fetched, bad data stores nothing, offline is the bundled provider, and several processes share
one cache file."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from yahoo_replay import Scenario, YahooReplay, install

from erasmo.bootstrap import bootstrap
from erasmo.market.base import Bar, CorporateAction
from erasmo.market.bundled import BundledMarketData
from erasmo.market.cache import EARLIEST, PriceCache, gaps, merge_ranges
from erasmo.market.chain import SourceChain
from erasmo.market.errors import MarketDataUnavailable, OfflineTickerError
from erasmo.market.service import PriceService
from erasmo.market.yahoo import YahooProvider
from events.errors import NotTradableError, UnknownTickerError

ROOT = Path(__file__).resolve().parents[2]
NY = ZoneInfo("America/New_York")
D = date.fromisoformat


def evening(day: str) -> datetime:
    """19:00 in New York on `day`: that day's bar is final."""
    return datetime.combine(D(day), datetime.min.time(), NY).replace(hour=19)


class Now:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture(scope="module")
def bundled() -> BundledMarketData:
    return BundledMarketData()


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[YahooReplay]:
    served = install(monkeypatch)
    yield served
    served.release.set()


def make_chain(
    data: Path, bundled: BundledMarketData, now: Now, online: bool = True
) -> SourceChain:
    cache = PriceCache(data / "prices.sqlite")
    yahoo = None
    if online:
        clock = lambda: now().timestamp()  # noqa: E731
        yahoo = YahooProvider(data / "yfinance", cache, deadline=10, clock=clock)
    return SourceChain(bundled, cache, yahoo, now=now)


# -- ranges ----------------------------------------------------------------------------------


def test_merge_ranges_joins_overlapping_and_touching_ones() -> None:
    merged = merge_ranges(
        [(D("2024-01-10"), D("2024-01-20")), (D("2024-01-01"), D("2024-01-09")),
         (D("2024-01-15"), D("2024-01-25")), (D("2024-02-01"), D("2024-02-02"))]
    )  # fmt: skip
    assert merged == [(D("2024-01-01"), D("2024-01-25")), (D("2024-02-01"), D("2024-02-02"))]


def test_gaps_are_the_days_outside_every_covered_range() -> None:
    covered = [(D("2024-01-05"), D("2024-01-10")), (D("2024-01-20"), D("2024-01-25"))]
    assert gaps(covered, D("2024-01-01"), D("2024-01-31")) == [
        (D("2024-01-01"), D("2024-01-04")),
        (D("2024-01-11"), D("2024-01-19")),
        (D("2024-01-26"), D("2024-01-31")),
    ]
    assert gaps(covered, D("2024-01-06"), D("2024-01-09")) == []
    assert gaps([], D("2024-01-06"), D("2024-01-09")) == [(D("2024-01-06"), D("2024-01-09"))]


# -- the chain -------------------------------------------------------------------------------


def test_only_missing_ranges_are_fetched(
    replay: YahooReplay, bundled: BundledMarketData, tmp_path: Path
) -> None:
    replay.scenarios["PLTR"] = Scenario("normal")
    now = Now(evening("2024-11-22"))
    chain = make_chain(tmp_path, bundled, now)
    info = chain.info("PLTR")
    assert (info.source, info.adjusted, info.last) == ("yahoo", False, D("2024-11-22"))
    assert len(replay.history_requests("PLTR")) == 1  # the whole history, once
    assert chain.cache.covered("PLTR") == [(EARLIEST, D("2024-11-22"))]

    # A new process the same evening: everything is cached, nothing is fetched.
    again = make_chain(tmp_path, bundled, now)
    assert [b.day for b in again.bars("PLTR")][-1] == D("2024-11-22")
    assert again.bar("PLTR", D("2024-11-20")).close == Decimal("61.32")  # type: ignore[union-attr]
    assert len(replay.history_requests("PLTR")) == 1
    assert not again.is_stale("PLTR")

    # A week later the cache is stale; only the days since (with a 10-day overlap) are asked for.
    now.moment = evening("2024-11-29")
    later = make_chain(tmp_path, bundled, now)
    assert later.is_stale("PLTR")
    assert later.latest_date("PLTR") == D("2024-11-29")
    asked = replay.history_requests("PLTR")
    assert len(asked) == 2
    start = datetime.combine(D("2024-11-13"), datetime.min.time(), NY)
    stop = datetime.combine(D("2024-11-30"), datetime.min.time(), NY)
    assert asked[1].params["period1"] == int(start.timestamp())
    assert asked[1].params["period2"] == int(stop.timestamp())
    assert len(later.bars("PLTR")) == 9
    assert later.cache.covered("PLTR") == [(EARLIEST, D("2024-11-29"))]
    assert not later.is_stale("PLTR")


def test_bundled_tickers_never_reach_yahoo(
    replay: YahooReplay, bundled: BundledMarketData, tmp_path: Path
) -> None:
    chain = make_chain(tmp_path, bundled, Now(evening("2024-11-29")))
    assert chain.info("AAPL").source == "bundled:skfolio"
    assert chain.bar("IBM", D("2005-02-28")) == bundled.bar("IBM", D("2005-02-28"))
    assert chain.actions("IBM") == bundled.actions("IBM")
    assert replay.requests == []
    assert not chain.is_stale("AAPL")


def test_offline_chain_is_the_bundled_provider(bundled: BundledMarketData, tmp_path: Path) -> None:
    chain = make_chain(tmp_path, bundled, Now(evening("2024-11-29")), online=False)
    assert chain.tickers() == bundled.tickers()
    assert chain.trading_days() == bundled.trading_days()
    assert chain.latest_date() == bundled.latest_date()
    assert chain.bars("KO", D("2018-06-01"), D("2018-06-05")) == bundled.bars(
        "KO", D("2018-06-01"), D("2018-06-05")
    )
    for name in ("NVDA", "APPL", "???"):
        with pytest.raises(UnknownTickerError) as from_chain:
            chain.info(name)
        with pytest.raises(UnknownTickerError) as from_bundled:
            bundled.info(name)
        assert from_chain.value.suggestions == from_bundled.value.suggestions
    # A symbol Yahoo might know is not called unknown offline: the message says why it is missing.
    with pytest.raises(OfflineTickerError) as offline:
        chain.info("nvda")
    assert str(offline.value) == (
        "NVDA is not in the bundled data and erasmo is offline (--offline / ERASMO_OFFLINE); "
        "go online to fetch it from Yahoo."
    )
    with pytest.raises(OfflineTickerError, match=r"from Yahoo\. Did you mean AAPL") as typo:
        chain.info("APPL")
    assert "AAPL" in typo.value.suggestions
    with pytest.raises(UnknownTickerError) as malformed:  # no symbol: nothing to fetch online
        chain.info("???")
    assert not isinstance(malformed.value, OfflineTickerError)
    assert not (tmp_path / "prices.sqlite").exists()  # reading never creates the cache


def test_cached_tickers_extend_the_calendar_without_splicing(
    replay: YahooReplay, bundled: BundledMarketData, tmp_path: Path
) -> None:
    replay.scenarios["PLTR"] = Scenario("normal")
    chain = make_chain(tmp_path, bundled, Now(evening("2024-11-29")))
    chain.info("PLTR")
    days = chain.trading_days()
    assert days[: len(bundled.trading_days())] == tuple(bundled.trading_days())
    assert days[-1] == D("2024-11-29")
    assert D("2024-11-28") not in days  # Thanksgiving
    assert chain.latest_date("AAPL") == D("2022-12-28")  # still the bundled series alone
    assert "PLTR" in [t.ticker for t in chain.tickers()]


def test_yahoo_unknown_ticker_suggests_close_matches(
    replay: YahooReplay, bundled: BundledMarketData, tmp_path: Path
) -> None:
    chain = make_chain(tmp_path, bundled, Now(evening("2024-11-29")))
    with pytest.raises(UnknownTickerError, match="Did you mean") as raised:
        chain.info("APPL")
    assert "AAPL" in raised.value.suggestions
    assert chain.cache.listing() == []


def test_a_cached_ticker_is_served_when_yahoo_fails(
    replay: YahooReplay, bundled: BundledMarketData, tmp_path: Path
) -> None:
    replay.scenarios["PLTR"] = Scenario("normal")
    now = Now(evening("2024-11-22"))
    make_chain(tmp_path, bundled, now).info("PLTR")
    replay.scenarios["PLTR"] = Scenario(status=429, body="Too Many Requests")
    now.moment = evening("2024-11-29")
    chain = make_chain(tmp_path, bundled, now)
    assert chain.latest_date("PLTR") == D("2024-11-22")  # served stale from the cache
    assert chain.is_stale("PLTR")
    assert chain.last_error is not None
    status = PriceService(chain.cache, chain).status()
    assert not status.online
    assert "erasmo asks again after" in status.reason


def test_an_uncached_ticker_stays_unavailable_while_yahoo_backs_off(
    replay: YahooReplay, bundled: BundledMarketData, tmp_path: Path
) -> None:
    replay.scenarios["PLTR"] = Scenario(raises=OSError("network unreachable"))
    now = Now(evening("2024-11-29"))
    chain = make_chain(tmp_path, bundled, now)
    with pytest.raises(MarketDataUnavailable, match="network unreachable"):
        chain.info("PLTR")
    asked = len(replay.requests)
    replay.scenarios["PLTR"] = Scenario("normal")
    with pytest.raises(MarketDataUnavailable, match="erasmo asks it again after"):
        chain.info("PLTR")  # not "unknown ticker": it is unavailable, and not asked again
    assert len(replay.requests) == asked
    now.moment += timedelta(minutes=6)
    assert chain.info("PLTR").last == D("2024-11-29")


def test_non_usd_tickers_can_be_charted_but_not_traded(
    replay: YahooReplay, bundled: BundledMarketData, tmp_path: Path
) -> None:
    import json

    from yahoo_replay import payload

    euro = payload("normal")
    euro["chart"]["result"][0]["meta"]["currency"] = "EUR"
    replay.scenarios["SAP.DE"] = Scenario(body=json.dumps(euro))
    data = tmp_path / "data"
    erasmo = bootstrap(data, market=make_chain(data, bundled, Now(evening("2024-11-29"))))
    try:
        assert not erasmo.market.info("SAP.DE").tradable
        erasmo.trading.open_portfolio("P", "1000", "2015-03-02")
        with pytest.raises(NotTradableError, match="priced in EUR"):
            erasmo.trading.buy(erasmo.trading.resolve("P"), "SAP.DE", "1")
    finally:
        erasmo.close()


@pytest.mark.parametrize(
    "scenario",
    [Scenario("empty"), Scenario("all_nan"), Scenario(status=429, body="Too Many Requests"),
     Scenario(raises=OSError("network unreachable"))],
)  # fmt: skip
def test_bad_data_records_nothing(
    replay: YahooReplay, bundled: BundledMarketData, tmp_path: Path, scenario: Scenario
) -> None:
    replay.scenarios["PLTR"] = scenario
    data = tmp_path / "data"
    chain = make_chain(data, bundled, Now(evening("2024-11-29")))
    erasmo = bootstrap(data, market=chain)
    try:
        erasmo.trading.open_portfolio("P", "1000", "2015-03-02")
        before = erasmo.app.event_count()
        with pytest.raises(MarketDataUnavailable):
            erasmo.trading.buy(erasmo.trading.resolve("P"), "PLTR", "1")
        assert erasmo.app.event_count() == before
        assert chain.cache.listing() == []
        assert chain.cache.bars("PLTR") == []
    finally:
        erasmo.close()


def test_a_trade_records_yahoo_as_its_source(
    replay: YahooReplay, bundled: BundledMarketData, tmp_path: Path
) -> None:
    replay.scenarios["NVDA"] = Scenario("split")
    data = tmp_path / "data"
    erasmo = bootstrap(data, market=make_chain(data, bundled, Now(evening("2024-06-12"))))
    try:
        erasmo.trading.open_portfolio("P", "10000", "2015-03-02")
        receipt = erasmo.trading.buy(erasmo.trading.resolve("P"), "NVDA", "2", on="2024-06-07")
        assert receipt.price == Decimal("1208.88")
        assert (receipt.provenance.source, receipt.provenance.adjusted) == ("yahoo", False)
        assert receipt.provenance.day == D("2024-06-07")
        assert receipt.cash_after == Decimal("10000") - Decimal("2417.76")
        # The price now comes from the cache; the provenance stays the same.
        receipt = erasmo.trading.sell(erasmo.trading.resolve("P"), "NVDA", "1", on="2024-06-12")
        assert receipt.price == Decimal("125.2")
        assert receipt.provenance.source == "yahoo"
        assert len(replay.history_requests("NVDA")) == 1
        assert erasmo.market.actions("NVDA")[0].ratio == Decimal(10)
    finally:
        erasmo.close()


def test_refresh_reports_each_ticker_and_can_be_cancelled(
    replay: YahooReplay, bundled: BundledMarketData, tmp_path: Path
) -> None:
    replay.scenarios |= {"PLTR": Scenario("normal"), "T": Scenario("dividend")}
    chain = make_chain(tmp_path, bundled, Now(evening("2024-11-29")))
    service = PriceService(chain.cache, chain)
    seen: list[tuple[int, int, str]] = []
    outcomes = service.refresh(["pltr", "AAPL", "ZZZZQ", "T"], progress=lambda *a: seen.append(a))
    assert [(o.ticker, o.status, o.added) for o in outcomes] == [
        ("PLTR", "updated", 9), ("AAPL", "bundled", 0), ("ZZZZQ", "failed", 0), ("T", "updated", 5)
    ]  # fmt: skip
    assert seen == [(0, 4, "PLTR"), (1, 4, "AAPL"), (2, 4, "ZZZZQ"), (3, 4, "T"), (4, 4, "")]
    assert service.status().last_refresh is not None
    assert [t.ticker for t in service.listing()] == ["PLTR", "T"]
    cancelled = service.refresh(cancelled=lambda: True)
    assert {o.status for o in cancelled} == {"cancelled"}
    assert service.clear(["T"]) == (1, 5)
    assert [t.ticker for t in service.listing()] == ["PLTR"]
    assert service.clear() == (1, 9)
    assert service.listing() == []


def test_refresh_stops_at_a_rate_limit(
    replay: YahooReplay, bundled: BundledMarketData, tmp_path: Path
) -> None:
    replay.scenarios |= {
        "PLTR": Scenario(status=429, body="Too Many Requests"),
        "T": Scenario("dividend"),
    }
    chain = make_chain(tmp_path, bundled, Now(evening("2024-11-29")))
    outcomes = PriceService(chain.cache, chain).refresh(["PLTR", "T"])
    assert [(o.ticker, o.status) for o in outcomes] == [
        ("PLTR", "rate-limited"),
        ("T", "cancelled"),
    ]
    assert outcomes[0].message == "Yahoo limited requests, HTTP 429"
    assert replay.history_requests("T") == []


def test_refresh_offline_is_refused(bundled: BundledMarketData, tmp_path: Path) -> None:
    chain = make_chain(tmp_path, bundled, Now(evening("2024-11-29")), online=False)
    service = PriceService(chain.cache, chain, "erasmo runs offline (--offline).")
    with pytest.raises(MarketDataUnavailable, match="Nothing was refreshed: erasmo runs offline"):
        service.refresh(["PLTR"])
    assert service.status().reason == "erasmo runs offline (--offline)."


# -- the cache file --------------------------------------------------------------------------


FIRST = date(2000, 1, 3)


def bars_of(ticker: str, count: int, first: date = FIRST) -> list[Bar]:
    price = Decimal("10.5")
    return [
        Bar(ticker, first + timedelta(days=i), price, price, price, price, price, 100)
        for i in range(count)
    ]


def test_cached_bars_are_kept_as_first_stored(tmp_path: Path) -> None:
    cache = PriceCache(tmp_path / "prices.sqlite")
    first = bars_of("X", 3)
    assert cache.store("X", "yahoo", first, [], (first[0].day, first[-1].day)) == 3
    revised = [Bar("X", b.day, None, None, None, Decimal("99"), None, None) for b in first]
    assert cache.store("X", "yahoo", revised, [], (first[0].day, first[-1].day)) == 0
    assert cache.bars("X") == first


def test_a_damaged_cache_is_reported_and_clear_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "prices.sqlite"
    path.write_bytes(b"this is not a SQLite database" * 100)
    cache = PriceCache(path)
    with pytest.raises(MarketDataUnavailable, match="erasmo prices clear"):
        cache.listing()
    assert cache.clear() == (0, 0)
    assert cache.listing() == []


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import date, timedelta
    from decimal import Decimal
    from pathlib import Path
    from erasmo.market.base import Bar, CorporateAction
    from erasmo.market.cache import PriceCache

    path, name, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    cache = PriceCache(path, busy_timeout=60)
    for r in range(rounds):
        ticker = f"{name}{r}"
        first = date(2000, 1, 3)
        price = Decimal("1.25")
        bars = [Bar(ticker, first + timedelta(days=i), price, price, price, price, price, 1)
                for i in range(2000)]
        cache.store(ticker, "yahoo", bars, [], (first, bars[-1].day))
        cache.set_state("last-" + name, str(r))
    """
)


def test_processes_share_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "prices.sqlite"
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), name, "6"],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("A", "B", "C")
    ]
    reader = PriceCache(path)
    seen = 0
    while any(w.poll() is None for w in writers):
        seen = max(seen, len(reader.listing()))  # reading while they write
    for writer in writers:
        assert writer.wait() == 0, writer.stderr.read() if writer.stderr else ""
    listing = reader.listing()
    assert len(listing) == 18
    assert {t.bars for t in listing} == {2000}
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_store_is_one_transaction(tmp_path: Path) -> None:
    cache = PriceCache(tmp_path / "prices.sqlite")
    good = bars_of("X", 5)
    cache.store("Y", "yahoo", bars_of("Y", 2), [], (D("2000-01-03"), D("2000-01-04")))
    broken = CorporateAction("X", None, "split", Decimal(2), None, "yahoo")  # type: ignore[arg-type]
    with pytest.raises(AttributeError):  # fails after the bars were inserted: all rolled back
        cache.store("X", "yahoo", good, [broken], (good[0].day, good[-1].day))
    assert cache.bars("X") == []
    assert cache.covered("X") == []
    assert [t.ticker for t in cache.listing()] == ["Y"]


def test_last_refresh_is_when_a_fetch_was_stored(tmp_path: Path) -> None:
    cache = PriceCache(tmp_path / "prices.sqlite")
    assert cache.last_refresh() is None
    moment = datetime(2024, 11, 29, 23, 5, tzinfo=UTC)
    cache.store(
        "X", "yahoo", bars_of("X", 1), [], (D("2000-01-03"), D("2000-01-03")), None, "", moment
    )
    assert cache.last_refresh() == moment
