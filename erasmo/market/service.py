"""The price service: what the CLI and the GUI ask about live prices and the cache.

`status()` says whether erasmo may use the network and whether Yahoo is backing off, and when
prices were last refreshed; `refresh()` brings cached (or named) Yahoo tickers up to date with a
progress callback and a cancel check; `import_prices()` stores the bars of a price file;
`listing()`, `clear()` and `is_stale()` read and empty the cache. Standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from erasmo.market.base import Bar
from erasmo.market.cache import CachedTicker, PriceCache
from erasmo.market.chain import SourceChain
from erasmo.market.errors import MarketDataUnavailable, RateLimited
from events.errors import InvalidInputError, UnknownTickerError
from events.values import parse_ticker

#: progress(done, total, ticker): called before each ticker and once at the end (ticker "").
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True, slots=True)
class PriceStatus:
    """Where prices come from right now.

    Attributes:
        online: True when the network may be used and Yahoo is not backing off.
        reason: why erasmo is offline ("" when online), in a sentence.
        backoff_until: when erasmo asks Yahoo again after a failure (local time), or None.
        last_refresh: when prices were last fetched (local time), or None.
        cached_tickers: how many tickers the cache holds.
    """

    online: bool
    reason: str
    backoff_until: datetime | None
    last_refresh: datetime | None
    cached_tickers: int

    @property
    def label(self) -> str:
        """A short status-bar text, e.g. "Online (Yahoo)" or "Offline"."""
        return "Online (Yahoo)" if self.online else "Offline"


@dataclass(frozen=True, slots=True)
class RefreshOutcome:
    """What refreshing one ticker did.

    Attributes:
        ticker: the symbol.
        status: "updated", "current" (nothing new), "bundled" (not fetched: bundled data),
            "imported" (not fetched: a price file's),
            "failed", "rate-limited" (the rest are then "cancelled") or "cancelled".
        added: bars added to the cache.
        message: a sentence for the user.
    """

    ticker: str
    status: str
    added: int
    message: str


@dataclass(frozen=True, slots=True)
class ImportedPrices:
    """What importing one ticker of a price file stored (or, in a dry run, would store).

    Attributes:
        ticker, source: the symbol and the provenance label of its prices ("file:NAME").
        first, last: the first and last day of the file's bars.
        bars: the file's bars; added: those the cache did not hold yet.
    """

    ticker: str
    source: str
    first: date
    last: date
    bars: int
    added: int


#: The provenance label prefix of prices imported from a file (never fetched from Yahoo).
FILE_SOURCE = "file:"


class PriceService:
    """Live-price use cases over a source chain (None: a fixed market, always offline)."""

    def __init__(
        self, cache: PriceCache, chain: SourceChain | None, offline_reason: str = ""
    ) -> None:
        self.cache = cache
        self.chain = chain
        self.offline_reason = offline_reason

    def status(self) -> PriceStatus:
        """Online or offline, and why; the back-off; the last refresh."""
        last = self.cache.last_refresh()
        count = len(self.cache.listing())
        local_last = last.astimezone() if last else None
        if self.chain is None or self.chain.yahoo is None:
            reason = self.offline_reason or "erasmo is not allowed to use the network."
            return PriceStatus(False, reason, None, local_last, count)
        pause = self.chain.yahoo.backoff()
        if pause is not None:
            until, why, _ = pause
            reason = f"Yahoo failed ({why}); erasmo asks again after {until.astimezone():%H:%M}."
            return PriceStatus(False, reason, until.astimezone(), local_last, count)
        return PriceStatus(True, "", None, local_last, count)

    def listing(self) -> list[CachedTicker]:
        """Every cached ticker with its range and when it was fetched."""
        return self.cache.listing()

    def is_stale(self, ticker: str) -> bool:
        """Whether the ticker's last price is older than the last session its source should have."""
        return self.chain is not None and self.chain.is_stale(ticker)

    def clear(self, tickers: Sequence[str] | None = None) -> tuple[int, int]:
        """Empty the cache (or forget some tickers); returns (tickers, bars) removed."""
        names = None if tickers is None else [parse_ticker(t) for t in tickers]
        removed = self.cache.clear(names)
        if self.chain is not None:
            self.chain.forget()
        return removed

    def import_prices(
        self, file: str, bars: dict[str, Sequence[Bar]], lines: dict[str, Sequence[int]],
        *, dry_run: bool = False,
    ) -> list[ImportedPrices]:  # fmt: skip
        """Store the bars of a price file (ticker -> bars, oldest first), all or nothing.

        Refused (`InvalidInputError`, nothing stored): a bundled ticker (its series is never
        mixed with another), one cached from Yahoo (clear it first), and a day the cache holds
        already with other prices. A ticker imported before gets the file's new days."""
        if self.chain is None:
            raise MarketDataUnavailable(f"Nothing was imported: {self.offline_reason}")
        source = (FILE_SOURCE + file)[:64]
        plans = [self._import_plan(t, bars[t], lines[t], file) for t in sorted(bars)]
        outcomes = [
            ImportedPrices(t, source, b[0].day, b[-1].day, len(b), len(new)) for t, b, new in plans
        ]
        if dry_run:
            return outcomes
        for ticker, ticker_bars, _new in plans:
            covered = (ticker_bars[0].day, ticker_bars[-1].day)
            self.cache.store(ticker, source, ticker_bars, [], covered)
        self.chain.forget()
        return outcomes

    def _import_plan(
        self, ticker: str, bars: Sequence[Bar], lines: Sequence[int], file: str
    ) -> tuple[str, Sequence[Bar], list[Bar]]:
        """(ticker, bars, the bars new to the cache), or the refusal."""
        assert self.chain is not None
        if self.chain.is_bundled(ticker):
            raise InvalidInputError(
                f"{file}: {ticker} comes with erasmo (the bundled data), whose series is never "
                "mixed with another; import prices of tickers erasmo does not have."
            )
        found = self.cache.listing(ticker)
        if found and not found[0].source.startswith(FILE_SOURCE):
            raise InvalidInputError(
                f"{file}: {ticker} is cached from {found[0].source}, whose series is never "
                f"mixed with another; run 'erasmo prices clear {ticker}' first to use the "
                "file's prices instead."
            )
        cached = {b.day: b for b in self.cache.bars(ticker, bars[0].day, bars[-1].day)}
        new = []
        for line, bar in zip(lines, bars, strict=True):
            known = cached.get(bar.day)
            if known is None:
                new.append(bar)
            elif known != bar:
                raise InvalidInputError(
                    f"{file}, line {line}: {ticker} on {bar.day} is cached already with other "
                    f"prices (close {known.close}); run 'erasmo prices clear {ticker}' first to "
                    "replace them."
                )
        return ticker, bars, new

    def refresh(
        self,
        tickers: Sequence[str] | None = None,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> list[RefreshOutcome]:
        """Fetch what the cache lacks of `tickers` (default: every cached one) from Yahoo.

        Bundled tickers are left alone. Stops early (the rest "cancelled") when `cancelled()`
        turns true, or after a rate limit. Raises MarketDataUnavailable when offline.
        """
        chain = self.chain
        if chain is None or chain.yahoo is None:
            reason = self.offline_reason or "erasmo is not allowed to use the network."
            raise MarketDataUnavailable(f"Nothing was refreshed: {reason}")
        names = (
            [c.ticker for c in self.cache.listing()]
            if tickers is None
            else list(dict.fromkeys(parse_ticker(t) for t in tickers))
        )
        outcomes: list[RefreshOutcome] = []
        stop = False
        for done, ticker in enumerate(names):
            if progress is not None:
                progress(done, len(names), ticker)
            if stop or (cancelled is not None and cancelled()):
                stop = True
                outcomes.append(RefreshOutcome(ticker, "cancelled", 0, "not refreshed"))
                continue
            outcome = self._refresh_one(chain, ticker)
            outcomes.append(outcome)
            stop = outcome.status == "rate-limited"
        if progress is not None:
            progress(len(names), len(names), "")
        return outcomes

    def _refresh_one(self, chain: SourceChain, ticker: str) -> RefreshOutcome:
        if chain.is_bundled(ticker):
            return RefreshOutcome(
                ticker, "bundled", 0, "served from the bundled data (never mixed with Yahoo's)"
            )
        found = self.cache.listing(ticker)
        if found and found[0].source.startswith(FILE_SOURCE):
            return RefreshOutcome(
                ticker, "imported", 0, f"prices from {found[0].source} (never fetched)"
            )
        chain.take_error()
        try:
            added = chain.update(ticker, force=True)
            failure: Exception | None = chain.take_error()
        except (UnknownTickerError, MarketDataUnavailable) as error:
            failure = error
        if isinstance(failure, MarketDataUnavailable):  # the cause, in a few words
            status = "rate-limited" if isinstance(failure, RateLimited) else "failed"
            return RefreshOutcome(ticker, status, 0, failure.reason)
        if failure is not None:
            return RefreshOutcome(ticker, "failed", 0, str(failure))
        found = self.cache.listing(ticker)
        through = f" (prices to {found[0].last})" if found else ""
        if added:
            return RefreshOutcome(ticker, "updated", added, f"{added} new bars{through}")
        return RefreshOutcome(ticker, "current", 0, f"up to date{through}")
