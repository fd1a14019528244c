"""The NYSE calendar where the bundled files do not decide it: holidays named in refusals, early
closes, the last settled session (no false "stale" on a holiday) and the market calendar on
recent dates. The holidays and early closes are the exchange's published ones."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from yahoo_replay import Scenario, YahooReplay, install

from erasmo.bootstrap import bootstrap
from erasmo.market import exchange
from erasmo.market.bundled import BundledMarketData
from erasmo.market.cache import PriceCache
from erasmo.market.chain import SourceChain
from erasmo.market.yahoo import YahooProvider, last_session
from erasmo.services import TradingService
from events.application import Portfolios
from events.errors import NotATradingDayError
from events.store import StoreConfig

NY = ZoneInfo("America/New_York")
D = date.fromisoformat


def at(day: str, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(D(day), time(hour, minute), NY)


def test_holidays_have_their_names() -> None:
    assert exchange.holiday(D("2024-11-28")) == "Thanksgiving Day"
    assert exchange.holiday(D("2008-12-25")) == "Christmas Day"
    assert exchange.holiday(D("2012-10-29")) == "a special closing"  # Hurricane Sandy
    assert exchange.holiday(D("2024-11-29")) is None  # a session (closing early)
    assert exchange.holiday(D("2024-11-30")) is None  # a Saturday: not a holiday
    assert exchange.closed_phrase(D("2024-11-28")) == (
        "2024-11-28 is Thanksgiving Day; the NYSE was closed"
    )


def test_early_closes_and_sessions() -> None:
    assert exchange.close_time(D("2024-11-29")) == time(13, 0)  # the day after Thanksgiving
    assert exchange.close_time(D("2024-12-24")) == time(13, 0)
    assert exchange.close_time(D("2024-11-27")) == time(16, 0)
    assert exchange.close_time(D("2024-11-28")) is None
    assert exchange.sessions(D("2024-11-26"), D("2024-12-02")) == [
        D("2024-11-26"),
        D("2024-11-27"),
        D("2024-11-29"),
        D("2024-12-02"),
    ]


def test_the_last_settled_session_skips_holidays_and_knows_early_closes() -> None:
    assert last_session(at("2024-11-28", 19)) == D("2024-11-27")  # Thanksgiving evening
    # 2024-11-29 closed at 13:00: its bar is final two hours later, at 15:00.
    assert last_session(at("2024-11-29", 14, 59)) == D("2024-11-27")
    assert last_session(at("2024-11-29", 15, 0)) == D("2024-11-29")
    assert last_session(at("2024-12-02", 10)) == D("2024-11-29")  # Monday morning
    assert last_session(at("2024-12-26", 9)) == D("2024-12-24")  # Christmas skipped


def test_a_holiday_in_the_bundled_data_is_named_in_the_refusal(tmp_path: Path) -> None:
    app = Portfolios(StoreConfig.sqlite(tmp_path / "events.sqlite"))
    try:
        trading = TradingService(app, BundledMarketData(), today=lambda: D("2024-01-02"))
        with pytest.raises(NotATradingDayError) as refused:
            trading.open_portfolio("H", "1000", D("2008-11-27"))
        assert str(refused.value) == (
            "2008-11-27 is Thanksgiving Day; the NYSE was closed: the previous trading day is "
            "2008-11-26 and the next trading day is 2008-11-28."
        )
        assert app.summaries() == []  # nothing recorded
    finally:
        app.close()


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[YahooReplay]:
    served = install(monkeypatch)
    yield served
    served.release.set()


def _chain(data: Path, moment: datetime) -> SourceChain:
    cache = PriceCache(data / "prices.sqlite")
    clock = lambda: moment.timestamp()  # noqa: E731
    yahoo = YahooProvider(data / "yfinance", cache, deadline=10, clock=clock)
    return SourceChain(BundledMarketData(), cache, yahoo, now=lambda: moment)


def test_a_yahoo_ticker_is_not_stale_on_a_holiday(replay: YahooReplay, tmp_path: Path) -> None:
    replay.scenarios["PLTR"] = Scenario("normal")
    chain = _chain(tmp_path, at("2024-11-28", 19))  # Thanksgiving evening
    assert chain.info("PLTR").last == D("2024-11-27")
    assert not chain.is_stale("PLTR")


def test_recent_dates_follow_the_exchange_and_name_its_holidays(
    replay: YahooReplay, tmp_path: Path
) -> None:
    replay.scenarios["PLTR"] = Scenario("normal")
    chain = _chain(tmp_path, at("2024-11-29", 19))
    chain.info("PLTR")
    days = chain.trading_days()
    assert days[-4:] == (D("2024-11-25"), D("2024-11-26"), D("2024-11-27"), D("2024-11-29"))
    built = bootstrap(tmp_path / "data", market=chain, today=lambda: D("2024-11-29"))
    try:
        with pytest.raises(NotATradingDayError, match="2024-11-28 is Thanksgiving Day; the NYSE"):
            built.door.open_portfolio("R", "1000", D("2024-11-28"), mode="simulation")
    finally:
        built.close()
