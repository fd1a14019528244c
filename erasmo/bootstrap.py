"""The composition root: builds every dependency once and hands it to whoever asks.

Nothing is constructed at import time. Tests build the same graph with their own data directory
(and, where they must, a fake market); the CLI and the GUI call `bootstrap()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from erasmo.config import resolve_data_dir, resolve_store
from erasmo.market.base import MarketData
from erasmo.services import TradingService
from erasmo.simulation.service import SimulationService
from events.application import Portfolios
from events.store import StoreConfig

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
        simulation: orders, trading rules and the market clock.
    """

    data_dir: Path
    store: StoreConfig
    app: Portfolios
    market: MarketData
    trading: TradingService
    simulation: SimulationService

    _analytics: Analytics | None = None
    _branches: BranchService | None = None

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
        """Release the store's connections."""
        self.app.close()


def bootstrap(
    data_dir: str | Path | None = None,
    store_url: str | None = None,
    *,
    market: MarketData | None = None,
    today: Callable[[], date] = date.today,
) -> Erasmo:
    """Build erasmo over a data directory (created if missing) and an event store."""
    directory = resolve_data_dir(data_dir)
    store = resolve_store(directory, store_url)
    if market is None:
        from erasmo.market.bundled import BundledMarketData

        market = BundledMarketData()
    app = Portfolios(store)
    trading = TradingService(app, market, today=today)
    return Erasmo(
        data_dir=directory,
        store=store,
        app=app,
        market=market,
        trading=trading,
        simulation=SimulationService(app, market, trading),
    )
