"""Daily bars and corporate actions from Yahoo Finance, through yfinance, behind a hard deadline.

yfinance is imported here only, on the first fetch (it pulls pandas in), and its own caches (the
timezone, cookie and ISIN databases) are moved into `<data dir>/yfinance` first. Bars are fetched
unadjusted (`auto_adjust=False`) with their splits and dividends (`actions=True`).

Yahoo's feed breaks often, so every fetch:
- runs in a daemon thread that erasmo stops waiting for after `deadline` seconds (yfinance's own
  `timeout=` is not honoured on a dead network; such a thread is abandoned, and what it returns
  late is thrown away, never written anywhere);
- maps every failure to `MarketDataUnavailable`, `RateLimited` or `UnknownTickerError`, with a
  message a user can act on;
- after a failure of Yahoo or the network, makes the provider refuse to fetch (without a request)
  for a back-off period: 5 minutes, or 30 after a rate limit. A missing yfinance package is not
  such a failure and never pauses: installing it takes effect at once. The back-off is persisted
  (in the price cache's state table) so that the next `erasmo` process, not only this one, stays
  off Yahoo too.

Yahoo's prices arrive as binary floats of float32 precision (1208.8800048828125); erasmo keeps 7
significant digits and at most 6 decimal places, which gives back the quoted price (1208.88).
"""

from __future__ import annotations

import logging
import re
import threading
import time as _time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol

from erasmo.market.base import Bar, CorporateAction
from erasmo.market.errors import MarketDataUnavailable, RateLimited, YfinanceMissing
from events.errors import UnknownTickerError

#: The provenance label of every price and action fetched from Yahoo (cached or not).
YAHOO = "yahoo"
DEFAULT_DEADLINE = 15.0
BACKOFF = timedelta(minutes=5)
RATE_LIMIT_BACKOFF = timedelta(minutes=30)
#: Daily bars of a session are final a while after the 16:00 close in New York.
SETTLED = time(18, 0)
#: How long after a session's close (16:00, or an early close) its daily bar is final.
SETTLE_DELAY = timedelta(hours=2)
#: Significant digits kept of Yahoo's float prices (float32 holds about 7.2).
PRICE_DIGITS = 7
PRICE_PLACES = 6
_COLUMNS = ("Open", "High", "Low", "Close", "Adj Close", "Volume", "Dividends", "Stock Splits")


def _new_york() -> Any:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("America/New_York")
    except Exception:  # no time-zone database (some Windows installs): EST, ignoring summer
        return timezone(timedelta(hours=-5))


def last_session(now: datetime) -> date:
    """The last NYSE session whose daily bar should be final at `now` (an aware datetime):
    two hours after its close (16:00, or earlier on an early close); holidays and weekends
    are skipped (`erasmo.market.exchange`)."""
    from erasmo.market import exchange

    local = now.astimezone(_new_york())
    day = local.date()
    while True:
        close = exchange.close_time(day)
        if close is not None:
            settled = (datetime.combine(day, close) + SETTLE_DELAY).time()
            if day < local.date() or local.time() >= settled:
                return day
        day -= timedelta(days=1)


def yahoo_decimal(value: float) -> Decimal:
    """A price Yahoo sent as a float, as the decimal it quotes (7 significant digits, <= 6 dp)."""
    number = Decimal(format(value, f".{PRICE_DIGITS}g"))
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent > 0:
        return number.quantize(Decimal(1))
    if exponent < -PRICE_PLACES:
        return number.quantize(Decimal(1).scaleb(-PRICE_PLACES), rounding=ROUND_HALF_UP)
    return number


def split_ratio(value: float) -> Decimal:
    """New shares per old share from yfinance's float ratio (10.0 for 10:1, 0.5 for 1:2)."""
    ratio = Fraction(value).limit_denominator(1000)
    quotient = Decimal(ratio.numerator) / Decimal(ratio.denominator)
    return quotient.quantize(Decimal("0.000001")).normalize()


@dataclass(frozen=True, slots=True)
class YahooHistory:
    """What one fetch returned, checked and converted.

    Attributes:
        ticker: upper-case symbol.
        start: the first day asked for (None: the whole history).
        end: the last day asked for; bars after it (an unfinished session) are dropped.
        bars: raw daily bars in date order (at least one).
        actions: splits and dividends in date order.
        currency: the currency of the prices, e.g. "USD".
        name: the security's name, when Yahoo gave one.
    """

    ticker: str
    start: date | None
    end: date
    bars: list[Bar]
    actions: list[CorporateAction]
    currency: str | None
    name: str


class StateStore(Protocol):
    """Where the back-off is kept (the price cache)."""

    def get_state(self, key: str) -> str | None: ...

    def set_state(self, key: str, value: str | None) -> None: ...


_UNTIL, _REASON, _KIND = "yahoo.offline_until", "yahoo.offline_reason", "yahoo.offline_kind"


class YahooProvider:
    """Fetches one ticker's daily history at a time from Yahoo (see the module docstring).

    Args:
        cache_dir: where yfinance keeps its own caches (`<data dir>/yfinance`).
        state: where the back-off is persisted.
        deadline: seconds erasmo waits for one fetch.
        clock: the current time, as a Unix timestamp.
    """

    def __init__(
        self,
        cache_dir: Path,
        state: StateStore,
        deadline: float = DEFAULT_DEADLINE,
        clock: Callable[[], float] = _time.time,
    ) -> None:
        self.cache_dir = cache_dir
        self.state = state
        self.deadline = deadline
        self.clock = clock

    # -- back-off -----------------------------------------------------------------------------

    def backoff(self) -> tuple[datetime, str, bool] | None:
        """(until, reason, rate_limited) while backing off after a failure, else None."""
        until = self.state.get_state(_UNTIL)
        if until is None:
            return None
        moment = datetime.fromisoformat(until)
        if moment.timestamp() <= self.clock():
            return None
        reason = self.state.get_state(_REASON) or "Yahoo failed"
        return moment, reason, self.state.get_state(_KIND) == "rate-limit"

    def _back_off(self, error: MarketDataUnavailable) -> None:
        limited = isinstance(error, RateLimited)
        pause = RATE_LIMIT_BACKOFF if limited else BACKOFF
        until = datetime.fromtimestamp(self.clock(), tz=UTC) + pause
        self.state.set_state(_UNTIL, until.isoformat(timespec="seconds"))
        self.state.set_state(_REASON, error.reason)
        self.state.set_state(_KIND, "rate-limit" if limited else "failure")

    def reset_backoff(self) -> None:
        """Forget a back-off (after a fetch succeeded)."""
        for key in (_UNTIL, _REASON, _KIND):
            self.state.set_state(key, None)

    # -- fetching -----------------------------------------------------------------------------

    def fetch(
        self, ticker: str, start: date | None, end: date, *, force: bool = False
    ) -> YahooHistory:
        """The bars and actions of `ticker` from `start` (None: its first day) to `end`.

        Raises UnknownTickerError when Yahoo does not know the symbol, RateLimited when it asks
        erasmo to slow down, and MarketDataUnavailable for everything else (no network, no answer
        within the deadline, an error, or data that is empty or unreadable). While backing off
        it raises at once, without a request; `force` (an explicit refresh) skips a back-off
        after a failure, but never one after a rate limit.
        """
        pause = self.backoff()
        if pause is not None and (pause[2] or not force):
            raise _paused(ticker, *pause)
        try:
            frame, meta = self._within_deadline(ticker, start, end)
            history = history_from_frame(ticker, frame, meta, start, end)
        except UnknownTickerError:
            raise
        except MarketDataUnavailable as error:
            if not isinstance(error, YfinanceMissing):  # only Yahoo's failures pause
                self._back_off(error)
            raise
        if pause is not None:
            self.reset_backoff()
        return history

    def _within_deadline(self, ticker: str, start: date | None, end: date) -> tuple[Any, Any]:
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["value"] = self._download(ticker, start, end)
            except BaseException as error:  # handed to the waiting thread
                box["error"] = error

        worker = threading.Thread(target=work, name=f"erasmo-yahoo-{ticker}", daemon=True)
        worker.start()
        worker.join(self.deadline)
        if worker.is_alive():
            raise MarketDataUnavailable(
                f"Yahoo did not answer within {self.deadline:g} s for {ticker}: the network or "
                "Yahoo may be down. erasmo works on the bundled data and the cache meanwhile.",
                f"no answer within {self.deadline:g} s",
            )
        if "error" in box:
            raise _translate(ticker, box["error"]) from box["error"]
        value: tuple[Any, Any] = box["value"]
        return value

    def _download(self, ticker: str, start: date | None, end: date) -> tuple[Any, Any]:
        yf = _yfinance(self.cache_dir)
        handle = yf.Ticker(ticker)
        options: dict[str, Any] = {"interval": "1d", "auto_adjust": False, "actions": True}
        options["timeout"] = self.deadline
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if start is None:
                frame = handle.history(period="max", **options)
            else:
                stop = end + timedelta(days=1)  # yfinance's end is exclusive
                frame = handle.history(start=start.isoformat(), end=stop.isoformat(), **options)
            found = handle.history_metadata  # a lazy Mapping: read only the keys needed
            meta = {k: found.get(k) for k in ("currency", "longName", "shortName")}
        return frame, meta


def _paused(ticker: str, until: datetime, reason: str, limited: bool) -> MarketDataUnavailable:
    """The refusal to fetch while backing off: why, until when, and what still works."""
    local = until.astimezone().strftime("%H:%M")
    if limited:
        return RateLimited(
            f"Yahoo is limiting requests ({reason}); erasmo asks it again after {local}, so "
            f"there are no new prices for {ticker} yet. The bundled data and the price cache "
            "still work.",
            reason,
        )
    return MarketDataUnavailable(
        f"Yahoo failed a few minutes ago ({reason}); erasmo asks it again after {local}, so "
        f"there are no new prices for {ticker} yet. The bundled data and the price cache still "
        "work, and refreshing prices tries Yahoo again at once.",
        reason,
    )


_configure_lock = threading.Lock()
_configured_dir: list[Path] = []


def _yfinance(cache_dir: Path) -> Any:
    """yfinance, its caches moved into `cache_dir` and its errors raised (not just logged)."""
    with _configure_lock:
        try:
            import yfinance as yf
        except ImportError:
            raise YfinanceMissing from None
        if not _configured_dir or _configured_dir[0] != cache_dir:
            cache_dir.mkdir(parents=True, exist_ok=True)
            yf.set_tz_cache_location(str(cache_dir))  # also the cookie and ISIN caches
            yf.config.debug.hide_exceptions = False
            # erasmo reports every failure itself, in one sentence: keep yfinance's log quiet.
            logging.getLogger("yfinance").setLevel(logging.CRITICAL)
            _configured_dir[:] = [cache_dir]
        return yf


def _translate(ticker: str, error: BaseException) -> Exception:
    """erasmo's error for what yfinance (or the network under it) raised."""
    if isinstance(error, MarketDataUnavailable | UnknownTickerError):
        return error
    name = type(error).__name__
    if name == "YFRateLimitError":
        return RateLimited(
            f"Yahoo is limiting requests (HTTP 429) and did not send {ticker}'s prices. erasmo "
            "will not ask again for 30 minutes; the bundled data and the cache still work.",
            "Yahoo limited requests, HTTP 429",
        )
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    if name in ("YFTzMissingError", "YFTickerMissingError") or status == 404:
        return UnknownTickerError(ticker)
    if name == "YFPricesMissingError":
        return MarketDataUnavailable(
            f"Yahoo sent no prices for {ticker} (it may be delisted, or Yahoo is having "
            "trouble); nothing was stored. Try again later.",
            f"no prices for {ticker}",
        )
    detail = _short(error)
    return MarketDataUnavailable(
        f"Could not get {ticker}'s prices from Yahoo ({detail}). Check the network, or work "
        "offline (--offline) on the bundled data and the price cache.",
        detail,
    )


def _short(error: BaseException) -> str:
    """The gist of a network error: curl's own sentence, else the first line of the message."""
    text = str(error).strip()
    found = re.search(r"curl: \(\d+\) (.+?)(?: \(|\. |\.?$)", text)
    if found:
        return found.group(1).strip()
    return text.splitlines()[0][:120] if text else type(error).__name__


def history_from_frame(
    ticker: str, frame: Any, meta: Any, start: date | None, end: date
) -> YahooHistory:
    """Check yfinance's frame and convert it; refuse anything empty, all-NaN or malformed."""
    _check_frame(ticker, frame)
    bars: list[Bar] = []
    actions: list[CorporateAction] = []
    seen: set[date] = set()
    for stamp, row in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        day = stamp.date()
        if day > end or day in seen:
            continue
        seen.add(day)
        values = dict(zip(frame.columns, row, strict=True))
        actions += _row_actions(ticker, day, values)
        bar = _row_bar(ticker, day, values)
        if bar is not None:
            bars.append(bar)
    if not bars:
        raise _unusable(ticker, "no prices on or before " + end.isoformat())
    info = meta if isinstance(meta, dict) else {}
    currency = info.get("currency")
    name = info.get("longName") or info.get("shortName") or ""
    return YahooHistory(
        ticker=ticker,
        start=start,
        end=end,
        bars=bars,
        actions=actions,
        currency=currency if isinstance(currency, str) else None,
        name=name if isinstance(name, str) else "",
    )


def _unusable(ticker: str, why: str) -> MarketDataUnavailable:
    return MarketDataUnavailable(
        f"Yahoo's answer for {ticker} is unusable ({why}); nothing was stored. Try again later."
    )


def _check_frame(ticker: str, frame: Any) -> None:
    """Refuse a frame that is no table of dated prices with every column erasmo reads."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise _unusable(ticker, "no table of prices")
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise _unusable(ticker, "its rows have no dates")
    missing = [c for c in _COLUMNS if c not in frame.columns]
    if missing:
        raise _unusable(ticker, f"no {', '.join(missing)} column")
    if frame.empty or frame["Close"].isna().all():
        raise _unusable(ticker, "no prices")


def _row_actions(ticker: str, day: date, values: dict[Any, Any]) -> list[CorporateAction]:
    """The split and the dividend of one row of yfinance's frame (none, one or both)."""
    import pandas as pd

    split, dividend = values["Stock Splits"], values["Dividends"]
    if split is None or dividend is None:
        raise _unusable(ticker, f"no split or dividend value on {day}")
    found = []
    if pd.notna(split) and split not in (0, 1):
        found.append(CorporateAction(ticker, day, "split", split_ratio(split), None, YAHOO))
    if pd.notna(dividend) and dividend > 0:
        amount = yahoo_decimal(dividend)
        found.append(CorporateAction(ticker, day, "dividend", None, amount, YAHOO))
    return found


def _row_bar(ticker: str, day: date, values: dict[Any, Any]) -> Bar | None:
    """The bar of one row of yfinance's frame; None for a row Yahoo sent without a price."""
    import pandas as pd

    close = values["Close"]
    if close is None or pd.isna(close) or close <= 0:
        return None

    def price(v: Any) -> Decimal | None:
        return None if v is None or pd.isna(v) else yahoo_decimal(v)

    volume = values["Volume"]
    return Bar(
        ticker=ticker,
        day=day,
        open=price(values["Open"]),
        high=price(values["High"]),
        low=price(values["Low"]),
        close=yahoo_decimal(close),
        adj_close=price(values["Adj Close"]),
        volume=None if volume is None or pd.isna(volume) else int(volume),
    )
