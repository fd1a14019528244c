"""The source chain: the bundled history first, then the price cache, then Yahoo.

Every ticker comes from exactly one source, and series are never spliced:
- a ticker in the bundled data is served from it, always, online or not (its closes may be
  adjusted, Yahoo's are raw: joining them would make a jump), so everything that works offline
  works the same online;
- any other ticker is Yahoo's: served from the cache, which fetches from Yahoo only the days it
  lacks (a ticker's whole history the first time, then only what is newer), when the network is
  allowed and Yahoo is not backing off (a ticker whose prices were imported from a file, `erasmo
  prices import`, is never fetched). When Yahoo fails, cached prices are served as they are
  (`is_stale` says so); a ticker neither bundled nor cached then cannot be priced.

The market calendar is the bundled one (the S&P 500's days, to 2022-12-28), continued by the days
of the cached Yahoo series after it, so portfolios can be opened and funded on recent days.

Offline (`--offline`, `ERASMO_OFFLINE=1`, tests) and with an empty cache, the chain behaves
exactly like the bundled provider, except that a well-formed symbol it lacks is an
`OfflineTickerError` (Yahoo may know it). Standard library only: `erasmo buy` imports it.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from erasmo.market import exchange
from erasmo.market.base import BAR_FIELDS, Bar, CorporateAction, TickerInfo
from erasmo.market.bundled import BundledMarketData
from erasmo.market.cache import EARLIEST, PriceCache
from erasmo.market.errors import MarketDataUnavailable, OfflineTickerError
from events.errors import InvalidTickerError, UnknownTickerError
from events.values import parse_ticker

if TYPE_CHECKING:  # imported where Yahoo is asked: an offline command never loads it
    from erasmo.market.yahoo import YahooHistory, YahooProvider

#: How far before the last fetched day an update starts: the answer then always holds a few
#: known bars, so an empty one is an error, never a quiet week or a holiday.
OVERLAP = timedelta(days=10)
PORTFOLIO_CURRENCY = "USD"


class SourceChain:
    """A `MarketData` over the bundled data, the price cache and (when online) Yahoo.

    Args:
        bundled: the bundled provider.
        cache: the price cache.
        yahoo: the Yahoo provider, or None when the network is not allowed.
        now: the current time (aware).
    """

    def __init__(
        self,
        bundled: BundledMarketData,
        cache: PriceCache,
        yahoo: YahooProvider | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.bundled = bundled
        self.cache = cache
        self.yahoo = yahoo
        self.now = now
        self._checked: set[str] = set()
        self._bundled: dict[str, bool] = {}
        self._days: dict[str, list[date]] = {}
        self._calendar: Sequence[date] | None = None
        #: The last failure to update a cached ticker (it was served from the cache instead).
        self.last_error: MarketDataUnavailable | None = None

    @property
    def online(self) -> bool:
        """Whether the network may be used."""
        return self.yahoo is not None

    # -- where a ticker comes from ------------------------------------------------------------

    def is_bundled(self, ticker: str) -> bool:
        """Whether `ticker` is served from the bundled data."""
        key = ticker.strip().upper()
        if key not in self._bundled:
            try:
                self.bundled.info(key)
                self._bundled[key] = True
            except UnknownTickerError:
                self._bundled[key] = False
        return self._bundled[key]

    def _yahoo_info(self, key: str, unknown: UnknownTickerError) -> TickerInfo:
        try:
            self.update(key)
        except UnknownTickerError:
            raise self._unknown(key, unknown) from None
        info = self._cached_info(key)
        if info is None:
            raise self._unknown(key, unknown)
        return info

    def _cached_info(self, key: str) -> TickerInfo | None:
        """The info of a cached Yahoo ticker (no network), or None if it is not cached."""
        found = self.cache.listing(key)
        if not found:
            return None
        cached = found[0]
        foreign = cached.currency not in (None, PORTFOLIO_CURRENCY)
        description = cached.name
        if foreign:  # charted, never traded: a USD portfolio cannot pay for it in its currency
            what = f"{cached.name}, " if cached.name else ""
            description = f"{what}priced in {cached.currency}; portfolios are in USD"
        return TickerInfo(
            ticker=key,
            first=cached.first,
            last=cached.last,
            source=cached.source,
            adjusted=False,
            fields=BAR_FIELDS,
            tradable=not foreign,
            description=description,
        )

    def _unknown(self, key: str, unknown: UnknownTickerError) -> UnknownTickerError:
        if not self.online:  # Yahoo may know it: say why erasmo did not ask
            return OfflineTickerError(key, unknown.suggestions)
        import difflib

        known = [i.ticker for i in self.tickers()]
        matches = difflib.get_close_matches(key, known, n=3, cutoff=0.5)
        return UnknownTickerError(key, matches)

    # -- fetching -----------------------------------------------------------------------------

    def update(self, ticker: str, *, force: bool = False) -> int:
        """Fetch what the cache lacks of a Yahoo ticker, up to the last settled session.

        Once per ticker and chain unless `force`. Returns the bars added. Raises (UnknownTicker,
        MarketDataUnavailable, RateLimited) only when the ticker has nothing cached; otherwise a
        failure is kept in `last_error` and the cached prices are served.
        """
        key = ticker.strip().upper()
        if self.yahoo is None or (key in self._checked and not force):
            return 0
        from erasmo.market.yahoo import YAHOO, last_session

        self._checked.add(key)
        found = self.cache.listing(key)
        if found and found[0].source != YAHOO:  # a price file's: never spliced with Yahoo's
            return 0
        stop = last_session(self.now())
        cached = bool(self.cache.covered(key))
        added = 0
        try:
            for start, end in self.cache.missing(key, EARLIEST, stop):
                ask = None if start == EARLIEST else start - OVERLAP
                history = self.yahoo.fetch(key, ask, end, force=force)
                added += self._store(history, (start, end))
        except (MarketDataUnavailable, UnknownTickerError) as error:
            if not cached:
                self._checked.discard(key)  # ask again next time (the back-off still applies)
                raise
            if isinstance(error, MarketDataUnavailable):
                self.last_error = error
            return added
        finally:
            self._days.pop(key, None)
            self._calendar = None
        return added

    def _store(self, history: YahooHistory, covered: tuple[date, date]) -> int:
        from erasmo.market.yahoo import YAHOO

        return self.cache.store(
            history.ticker,
            YAHOO,
            history.bars,
            history.actions,
            covered,
            currency=history.currency,
            name=history.name,
            fetched_at=self.now(),
        )

    def take_error(self) -> MarketDataUnavailable | None:
        """The last failure to update a cached ticker, forgotten once taken."""
        error, self.last_error = self.last_error, None
        return error

    def forget(self) -> None:
        """Drop what this chain remembers of the cache (after the cache was cleared)."""
        self._checked.clear()
        self._days.clear()
        self._calendar = None

    def is_stale(self, ticker: str) -> bool:
        """Whether `ticker`'s prices end before the last session its source should have.

        Bundled series end where their files end, by design: never stale. A Yahoo ticker is stale
        when its cache was last brought up to a day before the last settled session.
        """
        key = ticker.strip().upper()
        if self.is_bundled(key):
            return False
        from erasmo.market.yahoo import last_session

        found = self.cache.listing(key)
        return bool(found) and found[0].covered_to < last_session(self.now())

    # -- the MarketData protocol --------------------------------------------------------------

    def tickers(self) -> Sequence[TickerInfo]:
        """The bundled tickers and the cached Yahoo ones, sorted by symbol."""
        infos = {i.ticker: i for i in self.bundled.tickers()}
        for cached in self.cache.listing():
            info = self._cached_info(cached.ticker)
            if cached.ticker not in infos and info is not None:
                infos[cached.ticker] = info
        return [infos[k] for k in sorted(infos)]

    def info(self, ticker: str) -> TickerInfo:
        """The ticker's info, from the bundled data, else the cache (updated from Yahoo)."""
        try:
            return self.bundled.info(ticker)
        except UnknownTickerError as unknown:
            self._bundled[ticker.strip().upper()] = False
            try:
                key = parse_ticker(ticker)
            except InvalidTickerError:
                raise unknown from None
            return self._yahoo_info(key, unknown)

    def bar(self, ticker: str, day: date) -> Bar | None:
        """The bar of `ticker` on `day`, or None when that day has no bar."""
        info = self.info(ticker)
        if self.is_bundled(info.ticker):
            return self.bundled.bar(info.ticker, day)
        found = self.cache.bars(info.ticker, day, day)
        return found[0] if found else None

    def bars(self, ticker: str, start: date | None = None, end: date | None = None) -> list[Bar]:
        """The bars of `ticker` with start <= day <= end, in date order."""
        info = self.info(ticker)
        if self.is_bundled(info.ticker):
            return self.bundled.bars(info.ticker, start, end)
        return self.cache.bars(info.ticker, start, end)

    def trading_days(self, ticker: str | None = None) -> Sequence[date]:
        """Sorted trading days of `ticker`, or of the market calendar when None."""
        if ticker is None:
            return self._calendar_days()
        info = self.info(ticker)
        if self.is_bundled(info.ticker):
            return self.bundled.trading_days(info.ticker)
        if info.ticker not in self._days:
            self._days[info.ticker] = self.cache.days(info.ticker)
        return self._days[info.ticker]

    def latest_date(self, ticker: str | None = None) -> date:
        """The last trading day of `ticker`, or of the market calendar when None."""
        return self.trading_days(ticker)[-1]

    def actions(
        self, ticker: str, start: date | None = None, end: date | None = None
    ) -> list[CorporateAction]:
        """The splits and dividends of `ticker` with start <= ex-date <= end, in date order."""
        info = self.info(ticker)
        if self.is_bundled(info.ticker):
            return self.bundled.actions(info.ticker, start, end)
        return self.cache.actions(info.ticker, start, end)

    def previous_and_next(self, ticker: str | None, day: date) -> tuple[date | None, date | None]:
        """The last trading day before `day` and the first after it (None where there is none)."""
        days = self.trading_days(ticker)
        i, j = bisect.bisect_left(days, day), bisect.bisect_right(days, day)
        return (days[i - 1] if i > 0 else None, days[j] if j < len(days) else None)

    def _calendar_days(self) -> Sequence[date]:
        if self._calendar is None:
            bundled = self.bundled.trading_days()
            later = self.cache.days_after(bundled[-1])
            if later:  # the NYSE's sessions up to the latest cached day, not a union of gaps
                later = exchange.sessions(bundled[-1] + timedelta(days=1), later[-1])
            self._calendar = (*bundled, *later) if later else bundled
        return self._calendar
