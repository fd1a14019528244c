"""The front door's read side: thin pass-throughs to the analytics and the branch service, by
portfolio id, and the sync server and client over the store. The analytics import pandas on
first use, so only these methods pay for it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from erasmo.door.allocations import AllocationReading
from erasmo.door.ticker_trades import TickerTradeReading

if TYPE_CHECKING:
    import pandas as pd

    from erasmo.analytics import Analytics, Moment
    from erasmo.branches import BranchInfo, BranchService
    from erasmo.checks import Finding
    from erasmo.market.base import MarketData
    from erasmo.projections.holdings import Snapshot
    from erasmo.projections.metrics import Metrics
    from erasmo.projections.series import ValueSeries
    from events.application import Portfolios


class Reading(AllocationReading, TickerTradeReading):
    """Holdings, performance, value series, comparisons, checks and sync, and through its
    mixins allocation, income and one ticker's trades (`FrontDoor` inherits these; it sets the
    attributes declared here)."""

    app: Portfolios
    market: MarketData
    data_dir: Path
    _analytics: Callable[[], Analytics]
    _branches: Callable[[], BranchService]

    def holdings(
        self, portfolio_id: UUID, moment: Moment | None = None, method: str = "fifo"
    ) -> Snapshot:
        """The portfolio's holdings, cash and P&L now (or as of `moment`)."""
        from erasmo.analytics import NOW

        return self._analytics().snapshot(portfolio_id, moment or NOW, method=method)

    def performance(
        self,
        portfolio_id: UUID,
        moment: Moment | None = None,
        start: date | None = None,
        end: date | None = None,
        benchmark: str | None = None,
    ) -> Metrics:
        """The portfolio's returns and risk over a period (see `Analytics.performance`)."""
        from erasmo.analytics import NOW

        return self._analytics().performance(portfolio_id, moment or NOW, start, end, benchmark)

    def value_series(
        self,
        portfolio_id: UUID,
        moment: Moment | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> ValueSeries:
        """The portfolio's daily value, cash, deposits and withdrawals."""
        from erasmo.analytics import NOW

        return self._analytics().value(portfolio_id, moment or NOW, start, end)

    def portfolio_events(self, portfolio_id: UUID) -> pd.DataFrame:
        """The portfolio's events as the analytics read them (one row each)."""
        return self._analytics().portfolio_events(portfolio_id)

    def replay(self, portfolio_id: UUID, until: Moment | None = None) -> pd.DataFrame:
        """The portfolio's state after each of its events (see `Analytics.replay`)."""
        from erasmo.analytics import NOW

        return self._analytics().replay(portfolio_id, until or NOW)

    def compare(
        self, portfolio_ids: Sequence[UUID], start: date | None = None, end: date | None = None
    ) -> pd.DataFrame:
        """One row of metrics per portfolio over their common period."""
        return self._branches().compare(portfolio_ids, start, end)

    def leaderboard(self, start: date | None = None, end: date | None = None) -> pd.DataFrame:
        """Every open portfolio ranked by TTWROR over a common period."""
        return self._branches().leaderboard(start, end)

    def value_lines(
        self,
        portfolio_ids: Sequence[UUID],
        start: date | None = None,
        end: date | None = None,
        *,
        relative: bool = False,
    ) -> pd.DataFrame:
        """Each portfolio's daily value (or wealth index) over their common period."""
        return self._branches().value_lines(portfolio_ids, start, end, relative=relative)

    def branch_list(self) -> list[BranchInfo]:
        """Every branch with its parent, sorted by branch name."""
        return self._branches().branch_list()

    def branches(self) -> dict[UUID, UUID]:
        """Every branch in the store -> the portfolio it was forked from."""
        return self.app.branches()

    def check(self, unverified: list[Finding] | None = None) -> tuple[int, list[Finding]]:
        """Replay every portfolio through the rules: (portfolios checked, findings); events
        this install lacks the market data to check are added to `unverified`."""
        from erasmo.checks import check_store

        return check_store(self.app, self.market, unverified)

    def sync_server(self, **options: Any) -> Any:
        """A sync server over this store, admitting what it receives by the market's rules
        (`erasmo.sync.serving.start_server`'s options)."""
        from erasmo.intake import admission
        from erasmo.sync import serving

        return serving.start_server(self.app, admit=admission(self.app, self.market), **options)

    def sync_client(self, url: str, token: str, cafile: Path | None = None) -> Any:
        """A client syncing this store with the server at `url`, admitting what it pulls by the
        market's rules (see `erasmo.sync.client.SyncClient`)."""
        import erasmo.sync.client as client  # the client needs no Flask
        from erasmo.intake import admission

        admit = admission(self.app, self.market)
        return client.SyncClient(self.app, self.data_dir, url, token, cafile=cafile, admit=admit)
