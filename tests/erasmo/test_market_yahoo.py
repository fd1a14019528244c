"""The Yahoo provider against recorded Yahoo answers, replayed at yfinance's HTTP layer.

yfinance runs unpatched (cookie, crumb, timezone lookup, chart request, parsing); only the
curl_cffi session's `request` is replaced (see yahoo_replay.py). Expected values are read off
the payload files by eye and written here, not computed by the code under test.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from yahoo_replay import Scenario, YahooReplay, install

from erasmo.market.base import CorporateAction
from erasmo.market.cache import PriceCache
from erasmo.market.errors import MarketDataUnavailable, RateLimited, YfinanceMissing
from erasmo.market.yahoo import (
    YAHOO,
    YahooProvider,
    history_from_frame,
    last_session,
    split_ratio,
    yahoo_decimal,
)
from events.errors import ErasmoError, UnknownTickerError

NOW = datetime(2024, 12, 2, 23, 0, tzinfo=UTC)  # a Monday evening in New York


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[YahooReplay]:
    """Yahoo replayed; yfinance's process-wide state (session, crumb, caches) starts fresh."""
    served = install(monkeypatch)
    yield served
    served.release.set()  # let a hung request finish


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> float:
        return self.moment.timestamp()


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def cache(tmp_path: Path) -> PriceCache:
    return PriceCache(tmp_path / "data" / "prices.sqlite")


@pytest.fixture
def yahoo(tmp_path: Path, cache: PriceCache, clock: Clock) -> YahooProvider:
    return YahooProvider(tmp_path / "data" / "yfinance", cache, deadline=10, clock=clock)


END = date(2024, 11, 29)


def test_normal_history_maps_to_raw_bars(
    replay: YahooReplay, yahoo: YahooProvider, tmp_path: Path
) -> None:
    replay.scenarios["PLTR"] = Scenario("normal")
    history = yahoo.fetch("PLTR", None, END)
    assert [b.day.isoformat() for b in history.bars] == [
        "2024-11-18", "2024-11-19", "2024-11-20", "2024-11-21", "2024-11-22",
        "2024-11-25", "2024-11-26", "2024-11-27", "2024-11-29",
    ]  # fmt: skip
    first = history.bars[0]
    # 61.15999984741211 etc. in the payload: Yahoo's float32 values of the quoted prices.
    assert (first.open, first.high, first.low, first.close) == tuple(
        map(Decimal, ("61.16", "62.96", "59.69", "61.36"))
    )
    assert first.adj_close == Decimal("61.36")
    assert first.volume == 78245300
    assert history.bars[-1].close == Decimal("66.33")
    assert history.actions == []
    assert (history.currency, history.name) == ("USD", "Palantir Technologies Inc.")
    # The whole history was asked for, once; yfinance's own caches live in the data directory.
    assert len(replay.history_requests("PLTR")) == 1
    assert (tmp_path / "data" / "yfinance" / "tkr-tz.db").exists()


def test_bars_after_the_end_day_are_dropped(replay: YahooReplay, yahoo: YahooProvider) -> None:
    replay.scenarios["PLTR"] = Scenario("normal")
    history = yahoo.fetch("PLTR", None, date(2024, 11, 26))
    assert history.bars[-1].day == date(2024, 11, 26)  # 11-27 and 11-29 not final at that time


def test_split_keeps_raw_prices_and_reports_the_action(
    replay: YahooReplay, yahoo: YahooProvider
) -> None:
    replay.scenarios["NVDA"] = Scenario("split")
    history = yahoo.fetch("NVDA", date(2024, 6, 1), date(2024, 6, 12))
    closes = {b.day.isoformat(): b.close for b in history.bars}
    assert closes["2024-06-07"] == Decimal("1208.88")  # before the split: not divided by 10
    assert closes["2024-06-10"] == Decimal("121.79")
    assert history.actions == [
        CorporateAction("NVDA", date(2024, 6, 10), "split", Decimal(10), None, YAHOO),
        CorporateAction("NVDA", date(2024, 6, 11), "dividend", None, Decimal("0.01"), YAHOO),
    ]


def test_dividend(replay: YahooReplay, yahoo: YahooProvider) -> None:
    replay.scenarios["T"] = Scenario("dividend")
    history = yahoo.fetch("T", None, date(2024, 10, 11))
    assert history.actions == [
        CorporateAction("T", date(2024, 10, 10), "dividend", None, Decimal("0.2775"), YAHOO)
    ]
    assert [b.close for b in history.bars][3] == Decimal("21.47")  # raw close on the ex-date


def test_nan_rows_are_skipped(replay: YahooReplay, yahoo: YahooProvider) -> None:
    replay.scenarios["PLTR"] = Scenario("nan_rows")
    history = yahoo.fetch("PLTR", None, END)
    assert [b.day for b in history.bars] == [date(2024, 11, 18), date(2024, 11, 20)]


def test_unknown_ticker(replay: YahooReplay, yahoo: YahooProvider, cache: PriceCache) -> None:
    with pytest.raises(UnknownTickerError, match="ZZZZQ"):
        yahoo.fetch("ZZZZQ", None, END)
    assert yahoo.backoff() is None  # Yahoo answered: no reason to stay away
    assert cache.listing() == []


@pytest.mark.parametrize("name", ["empty", "all_nan"])
def test_empty_or_all_nan_answer_is_a_failure(
    replay: YahooReplay, yahoo: YahooProvider, cache: PriceCache, name: str
) -> None:
    replay.scenarios["PLTR"] = Scenario(name)
    with pytest.raises(MarketDataUnavailable, match="PLTR") as raised:
        yahoo.fetch("PLTR", None, END)
    assert not isinstance(raised.value, RateLimited)
    assert cache.listing() == []


def test_rate_limit_backs_off_for_30_minutes_even_when_forced(
    replay: YahooReplay, yahoo: YahooProvider, clock: Clock
) -> None:
    replay.scenarios["PLTR"] = Scenario(status=429, body="Too Many Requests")
    with pytest.raises(RateLimited, match="HTTP 429"):
        yahoo.fetch("PLTR", None, END)
    pause = yahoo.backoff()
    assert pause is not None
    assert pause[0] == NOW + timedelta(minutes=30)
    asked = len(replay.requests)
    replay.scenarios["PLTR"] = Scenario("normal")
    clock.moment = NOW + timedelta(minutes=29)
    with pytest.raises(RateLimited) as refused:
        yahoo.fetch("PLTR", None, END, force=True)
    at = (NOW + timedelta(minutes=30)).astimezone().strftime("%H:%M")
    assert str(refused.value) == (
        f"Yahoo is limiting requests (Yahoo limited requests, HTTP 429); erasmo asks it again "
        f"after {at}, so there are no new prices for PLTR yet. The bundled data and the price "
        "cache still work."
    )
    assert len(replay.requests) == asked  # refused without a request
    clock.moment = NOW + timedelta(minutes=31)
    assert len(yahoo.fetch("PLTR", None, END).bars) == 9
    assert yahoo.backoff() is None


def test_exception_backs_off_for_5_minutes_and_is_persisted(
    replay: YahooReplay, yahoo: YahooProvider, clock: Clock, cache: PriceCache, tmp_path: Path
) -> None:
    from curl_cffi.requests.exceptions import ConnectionError as CurlConnectionError

    curl_says = (
        "Failed to perform, curl: (6) Could not resolve host: query2.finance.yahoo.com (Domain "
        "name not found). See https://curl.se/libcurl/c/libcurl-errors.html first for more details."
    )
    replay.scenarios["PLTR"] = Scenario(raises=CurlConnectionError(curl_says))
    with pytest.raises(MarketDataUnavailable) as raised:
        yahoo.fetch("PLTR", None, END)
    assert str(raised.value) == (
        "Could not get PLTR's prices from Yahoo (Could not resolve host: "
        "query2.finance.yahoo.com). Check the network, or work offline (--offline) on the "
        "bundled data and the price cache."
    )
    assert raised.value.reason == "Could not resolve host: query2.finance.yahoo.com"
    replay.scenarios["PLTR"] = Scenario("normal")
    asked = len(replay.requests)
    # Another process (a new provider on the same cache file) stays away too.
    other = YahooProvider(tmp_path / "yf2", PriceCache(cache.path), deadline=10, clock=clock)
    with pytest.raises(MarketDataUnavailable) as refused:
        other.fetch("PLTR", None, END)
    at = (NOW + timedelta(minutes=5)).astimezone().strftime("%H:%M")
    assert str(refused.value) == (
        "Yahoo failed a few minutes ago (Could not resolve host: query2.finance.yahoo.com); "
        f"erasmo asks it again after {at}, so there are no new prices for PLTR yet. The bundled "
        "data and the price cache still work, and refreshing prices tries Yahoo again at once."
    )
    assert len(replay.requests) == asked
    # An explicit refresh may try again at once after a plain failure.
    assert len(other.fetch("PLTR", None, END, force=True).bars) == 9
    assert yahoo.backoff() is None
    clock.moment = NOW + timedelta(minutes=6)
    assert len(yahoo.fetch("PLTR", None, END).bars) == 9


def test_a_missing_yfinance_is_said_and_leaves_no_pause_behind(
    replay: YahooReplay,
    yahoo: YahooProvider,
    cache: PriceCache,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    replay.scenarios["PLTR"] = Scenario("normal")
    with monkeypatch.context() as blocked:
        blocked.setitem(sys.modules, "yfinance", None)  # `import yfinance` raises ImportError
        with pytest.raises(YfinanceMissing) as raised:
            yahoo.fetch("PLTR", None, END)
    assert str(raised.value) == (
        "Live prices need yfinance, which is not installed: pip install 'erasmo[market]'."
    )
    assert replay.requests == []
    assert yahoo.backoff() is None
    assert cache.get_state("yahoo.offline_until") is None  # nothing kept for the next process
    # Installed now: the very next fetch (here, of another process on the same cache) goes out.
    other = YahooProvider(tmp_path / "yf2", PriceCache(cache.path), deadline=10)
    assert len(other.fetch("PLTR", None, END).bars) == 9


def test_a_hang_longer_than_the_deadline_gives_up_and_drops_the_late_answer(
    replay: YahooReplay, cache: PriceCache, clock: Clock, tmp_path: Path
) -> None:
    replay.scenarios["PLTR"] = Scenario("normal", hang=True)
    yahoo = YahooProvider(tmp_path / "yf", cache, deadline=0.3, clock=clock)
    with pytest.raises(MarketDataUnavailable, match=r"did not answer within 0\.3 s"):
        yahoo.fetch("PLTR", None, END)
    assert yahoo.backoff() is not None
    replay.release.set()
    assert replay.answered_late.wait(10)
    assert cache.listing() == []  # the late answer went nowhere


def test_a_frame_without_dates_or_action_columns_is_refused() -> None:
    import pandas as pd

    good = {c: [1.0] for c in ("Open", "High", "Low", "Close", "Adj Close", "Volume")}
    good |= {"Dividends": [0.0], "Stock Splits": [0.0]}
    no_dates = pd.DataFrame(good, index=[0])
    with pytest.raises(MarketDataUnavailable, match="no dates"):
        history_from_frame("X", no_dates, {}, None, END)
    dated = pd.DatetimeIndex([pd.Timestamp("2024-11-18", tz="America/New_York")])
    no_actions = pd.DataFrame({k: v for k, v in good.items() if k != "Dividends"}, index=dated)
    with pytest.raises(MarketDataUnavailable, match="no Dividends column"):
        history_from_frame("X", no_actions, {}, None, END)
    none_split = pd.DataFrame(good | {"Stock Splits": [None]}, index=dated).astype(object)
    with pytest.raises(MarketDataUnavailable, match="no split or dividend value"):
        history_from_frame("X", none_split, {}, None, END)
    with pytest.raises(MarketDataUnavailable, match="no table"):
        history_from_frame("X", None, {}, None, END)


def test_errors_are_erasmo_errors() -> None:
    assert issubclass(RateLimited, MarketDataUnavailable)
    assert issubclass(MarketDataUnavailable, ErasmoError)


def test_float_prices_become_the_quoted_decimals() -> None:
    assert yahoo_decimal(1208.8800048828125) == Decimal("1208.88")
    assert yahoo_decimal(0.12340000271797180) == Decimal("0.1234")
    assert yahoo_decimal(0.2775) == Decimal("0.2775")
    assert yahoo_decimal(612345678.0) == Decimal("612345700")
    assert split_ratio(10.0) == Decimal(10)
    assert split_ratio(0.5) == Decimal("0.5")
    assert split_ratio(1.5) == Decimal("1.5")


@pytest.mark.parametrize(
    ("moment", "session"),
    [
        # 2024-11-28 was Thanksgiving (closed) and 2024-11-29 closed early, at 13:00: its bar
        # is final at 15:00 New York
        (datetime(2024, 11, 29, 19, 59, tzinfo=UTC), date(2024, 11, 27)),  # 14:59 New York
        (datetime(2024, 11, 29, 20, 0, tzinfo=UTC), date(2024, 11, 29)),  # 15:00 New York
        (datetime(2024, 11, 27, 22, 59, tzinfo=UTC), date(2024, 11, 26)),  # 17:59 New York
        (datetime(2024, 11, 27, 23, 0, tzinfo=UTC), date(2024, 11, 27)),  # 18:00 New York
        (datetime(2024, 11, 30, 12, 0, tzinfo=UTC), date(2024, 11, 29)),  # Saturday
        (datetime(2024, 12, 2, 14, 0, tzinfo=UTC), date(2024, 11, 29)),  # Monday morning
        (datetime(2024, 7, 1, 21, 59, tzinfo=UTC), date(2024, 6, 28)),  # 17:59 EDT, Monday
    ],
)
def test_last_session(moment: datetime, session: date) -> None:
    assert last_session(moment) == session
