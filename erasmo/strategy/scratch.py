"""The scratch store a backtest runs in, with its portfolio kept in memory between commands.

A backtest places, cancels and advances hundreds of times a year on one portfolio, in a store of
its own that nothing else writes to. Fetching the portfolio from the store for every command
(and for every read of its head) copies the whole aggregate each time, which grows with the
run. `KeptPortfolios` keeps the portfolio it last fetched or saved and gives that same object
to the next command: every command still runs by the same rules and is saved at once (so the
store's history and everything read from it are as they would be), only the copy is left out.

The kept aggregate is dropped, and fetched again from the store, whenever it could differ from
what the store holds: a command that raised after deciding some events (they are pending on
it, never saved), a save that failed, a save or insert of that portfolio from another object.
A dry run, or a read of an older version, fetches a fresh copy as before. No snapshot is taken:
the store is thrown away after the run.

Inside `batched()` (the runner's strategy loop) a kept portfolio's commands are not written one
save each: their events are kept, whole commands at a time, and written `BATCH` at a time, before
anything reads the store (the history an order's cancel reads, a fetch again after a failed
command, a copy into the user's store) and at the end of the block.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from uuid import UUID

from erasmo.door import FrontDoor
from erasmo.services import TradingService
from erasmo.simulation.service import SimulationService
from erasmo.strategy.errors import StrategyError
from events.application import Portfolios
from events.dryrun import dry_running
from events.errors import DuplicateNameError
from events.portfolio import Portfolio
from events.store import StoreConfig

if TYPE_CHECKING:
    from erasmo.analytics import Analytics
    from erasmo.branches import BranchService
    from erasmo.market.base import MarketData
    from events.logged import LoggedEvent
    from events.rules import voids

#: Most events a batched block keeps in memory before writing them.
BATCH = 2000


class KeptPortfolios(Portfolios):
    """`Portfolios` that keeps each portfolio it fetched in memory (see the module docstring):
    for a store one program writes to, one command at a time."""

    def __init__(self, store: StoreConfig) -> None:
        self._kept: dict[UUID, Portfolio] = {}
        self._unsaved: list[Any] = []  # events of kept portfolios, decided and not written yet
        self._batching = False
        self._flushing = False
        super().__init__(store)

    @contextlib.contextmanager
    def batched(self) -> Iterator[None]:
        """A block whose commands on a kept portfolio are written `BATCH` events at a time
        (each command's events whole), before anything reads the store's history, and at the
        end of the block (see the module docstring)."""
        self._batching = True
        try:
            yield
        finally:
            self._batching = False
            self.flush()

    def flush(self) -> None:
        """Write the events decided and not written yet, in one save."""
        if not self._unsaved:
            return
        events, self._unsaved = self._unsaved, []
        self._flushing = True
        try:
            super()._save(*events)
        finally:
            self._flushing = False

    def portfolio(self, portfolio_id: UUID, version: int | None = None) -> Portfolio:
        if version is not None or dry_running():
            self.flush()
            return super().portfolio(portfolio_id, version)
        found = self._kept.get(portfolio_id)
        if found is None or found.pending_events:  # pending: a command raised half-way
            self.flush()
            found = self._kept[portfolio_id] = super().portfolio(portfolio_id)
        return found

    def history(
        self, portfolio_id: UUID, upto_seq: int | None = None, *, unreadable: bool = False
    ) -> list[LoggedEvent]:
        self.flush()
        return super().history(portfolio_id, upto_seq, unreadable=unreadable)

    def entries(self, portfolio_id: UUID, version: int | None = None) -> list[voids.Entry]:
        self.flush()
        return super().entries(portfolio_id, version)

    def event_count(self) -> int:
        self.flush()
        return super().event_count()

    def _replayed(self, portfolio_id: UUID) -> Portfolio:
        self.flush()
        return super()._replayed(portfolio_id)

    def _save(self, *aggregates: Any) -> None:
        kept = self._kept.get(aggregates[0].id) if len(aggregates) == 1 else None
        if self._batching and kept is not None and kept is aggregates[0] and not dry_running():
            self._unsaved.extend(kept.collect_events())
            if len(self._unsaved) >= BATCH:
                self.flush()
            return
        self.flush()
        super()._save(*aggregates)

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        kept = self._kept
        try:
            recordings = super().save(*objs, **kwargs)
        except BaseException:
            kept.clear()  # its events may be taken off it and not stored
            raise
        for obj in objs:  # the store now holds what another object decided
            owner = getattr(obj, "originator_id", None) or getattr(obj, "id", None)
            if owner in kept and kept[owner] is not obj and not self._flushing:
                del kept[owner]
        return recordings

    def _take_snapshots(self, processing_event: Any) -> None:
        """None: the scratch store is thrown away, and its portfolio is read from memory."""

    def _insert(self, stored: Sequence[Any], failed: str = "nothing was imported") -> None:
        self.flush()
        self._kept.clear()
        super()._insert(stored, failed)

    def copy_into(self, target: Portfolios, portfolio_id: UUID) -> int:
        """Record the portfolio's events, as this store holds them, in `target`'s store in one
        insert with its name claimed there: all or nothing. Returns how many events.

        The events were decided here by the simulator's own commands and rules, on the market
        `target` trades on, so they are not checked again as an imported file's are (which
        replays and audits every event: as long as the run itself for a long backtest)."""
        self.flush()
        stored = list(self.recorder.select_events(portfolio_id))
        name = self.portfolio(portfolio_id).name

        def command() -> int:
            catalog = target._catalog()
            try:
                catalog.claim(portfolio_id, name)
            except DuplicateNameError:
                raise StrategyError(
                    f"A portfolio is already named {name!r}: give the backtest another name "
                    "(--name NAME). Nothing was recorded."
                ) from None
            claimed = [target.mapper.to_stored_event(e) for e in catalog.collect_events()]
            target._insert([*stored, *claimed], "nothing was recorded")
            return len(stored)

        return target._retry(command)


class Scratch:
    """A scratch store in `directory` and the front door over it (closed with `close`)."""

    def __init__(self, directory: Path, market: MarketData, today: Callable[[], date]) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.app = app = KeptPortfolios(StoreConfig.from_url(scratch_store(directory)))
        trading = TradingService(app, market, today=today)
        simulation = SimulationService(app, market, trading)
        self._analytics: Analytics | None = None
        self.door = FrontDoor(
            app, market, trading, simulation, self._branches, self._analytics_of, directory
        )

    def _analytics_of(self) -> Analytics:
        if self._analytics is None:
            from erasmo.analytics import Analytics

            self._analytics = Analytics(self.app, self.door.market, self.door.data_dir / "cache")
        return self._analytics

    def _branches(self) -> BranchService:
        from erasmo.branches import BranchService

        return BranchService(self.app, self._analytics_of)

    def close(self) -> None:
        self.app.close()


def scratch_store(directory: Path) -> str:
    """The URL of a scratch SQLite store in `directory`: never the user's store (whatever
    $ERASMO_STORE says), and not synced to the disk (it is thrown away after the run)."""
    return f"sqlite://{quote(str((directory / 'scratch.sqlite').resolve().as_posix()))}?durable=no"
