"""The composition root: builds every dependency once and hands it to whoever asks.

Nothing is constructed at import time. Tests build the same graph with their own data directory
(and, where they must, a fake market); the CLI and the GUI call `bootstrap()`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from erasmo.config import YFINANCE_DIR, offline_reason, resolve_data_dir, resolve_store
from erasmo.door import FrontDoor
from erasmo.market.base import MarketData
from erasmo.market.service import PriceService
from erasmo.services import TradingService
from erasmo.simulation.service import SimulationService
from events.application import Portfolios
from events.store import StoreConfig, make_private_dir

if TYPE_CHECKING:
    from erasmo.analytics import Analytics
    from erasmo.branches import BranchService


@dataclass
class Erasmo:
    """Everything a front end needs.

    Attributes:
        data_dir: the data directory.
        store: which event store is used.
        app: the eventsourcing application (write side).
        market: the market data.
        trading: the service that turns user intent into commands.
        prices: live prices: online/offline status, refresh, the price cache.
        simulation: orders, trading rules and the market clock.
        door: the front door the CLI and the GUI use (by portfolio id), over all of the above.
    """

    data_dir: Path
    store: StoreConfig
    app: Portfolios
    market: MarketData
    trading: TradingService
    prices: PriceService
    simulation: SimulationService

    _analytics: Analytics | None = None
    _branches: BranchService | None = None
    _door: FrontDoor | None = None

    @property
    def door(self) -> FrontDoor:
        """The front door: every command and query by portfolio id, over what is built here
        (one of it, holding these services and this analytics)."""
        if self._door is None:
            self._door = FrontDoor(
                self.app,
                self.market,
                self.trading,
                self.simulation,
                lambda: self.branches,
                lambda: self.analytics,
                self.data_dir,
            )
        return self._door

    @property
    def analytics(self) -> Analytics:
        """The read side (imports pandas on first use, so write commands never pay for it)."""
        if self._analytics is None:
            from erasmo.analytics import Analytics

            self._analytics = Analytics(self.app, self.market, self.data_dir / "cache")
        return self._analytics

    @property
    def branches(self) -> BranchService:
        """What-if branches, comparisons and the leaderboard (pandas only when comparing)."""
        if self._branches is None:
            from erasmo.branches import BranchService

            self._branches = BranchService(self.app, lambda: self.analytics)
        return self._branches

    def close(self) -> None:
        """Release the store's and the price cache's connections."""
        self.app.close()
        self.prices.cache.close()


def bootstrap(
    data_dir: str | Path | None = None,
    store_url: str | None = None,
    *,
    market: MarketData | None = None,
    today: Callable[[], date] = date.today,
    offline: bool = False,
) -> Erasmo:
    """Build erasmo over a data directory (created if missing) and an event store.

    Without a `market`, prices come from the source chain: the bundled data, then the price
    cache, then Yahoo unless `offline` (or $ERASMO_OFFLINE) forbids the network.
    """
    directory = resolve_data_dir(data_dir)
    with contextlib.suppress(OSError):  # a folder erasmo cannot change is reported by the store
        make_private_dir(directory)  # the store, token, backups and caches: the owner's only
    store = resolve_store(directory, store_url)
    prices = _price_service(directory, market, offline_reason(offline))
    market = prices.chain if market is None else market
    assert market is not None
    app = Portfolios(store)
    trading = TradingService(app, market, today=today)
    return Erasmo(
        data_dir=directory,
        store=store,
        app=app,
        market=market,
        trading=trading,
        prices=prices,
        simulation=SimulationService(app, market, trading),
    )


def _price_service(directory: Path, market: MarketData | None, offline: str) -> PriceService:
    """The price service over the source chain (or, for a given market, over the cache only)."""
    from erasmo.market.cache import CACHE_FILE, PriceCache
    from erasmo.market.chain import SourceChain

    cache = PriceCache(directory / CACHE_FILE)
    if isinstance(market, SourceChain):
        return PriceService(market.cache, market, offline)
    if market is not None:
        return PriceService(cache, None, "erasmo runs on a fixed market (no live prices).")
    from erasmo.market.bundled import BundledMarketData

    yahoo = None
    if not offline:  # an offline erasmo never loads the Yahoo provider
        from erasmo.market.yahoo import YahooProvider

        yahoo = YahooProvider(directory / YFINANCE_DIR, cache)
    return PriceService(cache, SourceChain(BundledMarketData(), cache, yahoo), offline)
