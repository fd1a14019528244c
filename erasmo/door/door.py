"""The front door: everything the CLI, the GUI and the sync server ask erasmo, by portfolio id.

Names are resolved to ids once, at the edge (`resolve`, `find_deleted`); every command takes
the id, so a rename (here or by a sync) can never send a command to another portfolio. Every
command takes `dry_run`: the same domain code runs on the portfolio as stored and returns the
same receipt, or raises the same named error, recording nothing
(`events.application.Portfolios.dry_run`). Everything handed out is a frozen read model
(`erasmo.door.models`), never an aggregate.

The door holds what `erasmo.bootstrap` builds, constructing none of it; the analytics and the
branch service are reached through callables, so a write command never imports pandas.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from uuid import UUID

from erasmo.door.accounts import (
    AccountCommands,
    MarginParameters,
    check_parameters,
    set_account,
    set_volume_cap,
)
from erasmo.door.journal import JournalReading
from erasmo.door.models import (
    CLOSED,
    DELETED,
    OPEN,
    AdvanceReport,
    CashReceipt,
    DeletedRow,
    ForkReceipt,
    OrderView,
    PortfolioHead,
    PortfolioRow,
    Position,
    TradeReceipt,
    TradingRules,
)
from erasmo.door.reading import Reading
from erasmo.door.results import changed
from erasmo.door.strategies import StrategyCommands
from erasmo.simulation.volume import volume_cap
from events.errors import EventLogError
from events.steps import Step, history_steps
from events.values import name_key

if TYPE_CHECKING:
    from erasmo.actions import PendingAction
    from erasmo.analytics import Analytics
    from erasmo.backup import Backup
    from erasmo.branches import BranchService
    from erasmo.door.batch import BatchReceipt
    from erasmo.door.models import ImportReceipt
    from erasmo.importers.intents import Intent
    from erasmo.market.base import MarketData
    from erasmo.services import TradingService
    from erasmo.simulation.service import Progress, SimulationService
    from events.application import LoggedEvent, Portfolios
    from events.portfolio import Portfolio
    from events.store import StoreConfig

Amount = str | Decimal
Day = str | date | None


class FrontDoor(Reading, JournalReading, StrategyCommands, AccountCommands):
    """erasmo's commands and queries, keyed by portfolio id (see the module docstring)."""

    def __init__(
        self,
        app: Portfolios,
        market: MarketData,
        trading: TradingService,
        simulation: SimulationService,
        branches: Callable[[], BranchService],
        analytics: Callable[[], Analytics],
        data_dir: Path,
    ) -> None:
        self.app = app
        self.market = market
        self.trading = trading
        self.simulation = simulation
        self._branches = branches
        self._analytics = analytics
        self.data_dir = data_dir

    @property
    def store(self) -> StoreConfig:
        """The event store in use."""
        return self.app.store

    @property
    def branch_service(self) -> BranchService:
        return self._branches()

    @property
    def analytics(self) -> Analytics:
        """The read side (pandas is imported on first use)."""
        return self._analytics()

    # -- identity -------------------------------------------------------------------------

    def resolve(self, name: str) -> UUID:
        """The id of the portfolio called `name` (ignoring case); resolve once, at the edge."""
        return self.app.find(name)

    def find_deleted(self, name_or_id: str) -> UUID:
        """The id of the deleted portfolio called `name_or_id` (or with that id)."""
        return self.trading.find_deleted(name_or_id)

    def portfolios(self) -> list[PortfolioRow]:
        """Every listed portfolio (not the deleted ones), sorted by name."""
        rows = [self._listed(i) for i in self.app.portfolio_ids()]
        return sorted(rows, key=lambda r: name_key(r.name))

    def _listed(self, portfolio_id: UUID) -> PortfolioRow:
        """A portfolio's row (with an event it cannot read: as before it, "unreadable")."""
        try:
            return _row(self.app.portfolio(portfolio_id))
        except EventLogError:
            logged = self.app.history(portfolio_id, unreadable=True)
            bad = next(e.version for e in logged if e.unreadable is not None)
            if bad <= 1:
                raise
            return replace(_row(self.app.portfolio(portfolio_id, bad - 1)), status="unreadable")

    def deleted(self) -> list[DeletedRow]:
        """The deleted portfolios, with when they were deleted."""
        return [
            DeletedRow(s.id, s.name, s.version, s.clock, s.closed, s.deleted_on, s.deleted_at)
            for s in self.trading.deleted()
        ]

    def head(self, portfolio_id: UUID, version: int | None = None) -> PortfolioHead:
        """The portfolio as of its latest event, or as of `version`."""
        return head_of(self.app.portfolio(portfolio_id, version))

    def history(
        self, portfolio_id: UUID, upto_seq: int | None = None, *, unreadable: bool = False
    ) -> list[LoggedEvent]:
        """The portfolio's events in order, each with its log position (with `unreadable`, an
        event this erasmo cannot read is an entry saying why, instead of an error)."""
        return self.app.history(portfolio_id, upto_seq, unreadable=unreadable)

    def history_steps(self, portfolio_id: UUID) -> list[Step]:
        """The portfolio's events in order, each with the cash and name right after it (replayed
        through the aggregate; unknown after an event this erasmo cannot read)."""
        return history_steps(self.app, portfolio_id)

    def version_at(
        self, portfolio_id: UUID, *, seq: int | None = None, on: date | None = None
    ) -> int:
        """The portfolio's version after log position `seq`, or after market date `on`."""
        return self.app.version_at(portfolio_id, seq=seq, on=on)

    def fork_position(self, parent_id: UUID, parent_version: int) -> int | None:
        """The log position in this store of a parent's event a branch was forked after."""
        return self.app.fork_position(parent_id, parent_version)

    def event_count(self) -> int:
        """How many events the store holds (portfolios and catalog)."""
        return self.app.event_count()

    def opened_at_end_of_data(self, portfolio_id: UUID) -> bool:
        """Whether the portfolio was opened on the last day of the market data."""
        return self.trading.opened_at_end_of_data(portfolio_id)

    def clock(self, portfolio_id: UUID) -> date:
        """The portfolio's market date: its clock in simulation, else the latest data."""
        return self.simulation.clock(portfolio_id)

    def visible_until(self, portfolio_id: UUID) -> date:
        """The last market date the portfolio may see prices of."""
        return self.simulation.visible_until(portfolio_id)

    def rules(self, portfolio_id: UUID) -> TradingRules:
        """The portfolio's mode, commission and slippage."""
        return self.simulation.rules(portfolio_id)

    def orders(self, portfolio_id: UUID, open_only: bool = True) -> list[OrderView]:
        """The portfolio's orders in placement order (only the open ones by default)."""
        return self.simulation.orders(portfolio_id, open_only)

    def pending_actions(self, portfolio_id: UUID, until: Day = None) -> list[PendingAction]:
        """The splits and dividends the portfolio is due and has not recorded."""
        return self.trading.pending_actions(portfolio_id, until)

    # -- the market ---------------------------------------------------------------------

    def today(self) -> date:
        """Today's date (nothing may be dated after it)."""
        return self.trading.today()

    def market_day(self, on: Day = None) -> date:
        """A checked trading day of the market (default: the latest in the data)."""
        return self.trading.market_day(on)

    def tradable_tickers(self) -> list[str]:
        """The tickers that can be traded (an index can only be charted)."""
        return [i.ticker for i in self.market.tickers() if i.tradable]

    # -- commands -------------------------------------------------------------------------

    def open_portfolio(
        self,
        name: str,
        cash: Amount | None = None,
        on: Day = None,
        *,
        mode: str | None = None,
        commission: str | None = None,
        slippage_bps: str | Decimal | int | None = None,
        account: str | None = None,
        margin: MarginParameters | None = None,
        dry_run: bool = False,
        max_volume_pct: str | Decimal | int | None = None,
    ) -> PortfolioHead:
        """Open a portfolio (optionally with cash, trading rules, a cash or margin account
        with its `margin` parameters, and a volume cap); returns it as opened. A dry run's
        head has an id that is never recorded."""
        if account is not None:
            check_parameters(account, margin or {})  # before anything is recorded
        cap = volume_cap(self.market, max_volume_pct)  # likewise
        with self.app.dry_run(dry_run) as run:
            if mode is None and commission is None and slippage_bps is None:
                opened = self.trading.open_portfolio(name, cash, on)
            else:
                opened = self.simulation.open_portfolio(
                    name, cash, on, mode or "live", commission or "0", slippage_bps or "0"
                )
            if account is not None:
                set_account(self.app, opened, account, margin or {}, dry_run=dry_run)
            if cap is not None:
                set_volume_cap(self.app, opened, cap, dry_run=dry_run)
        return head_of(changed(self.app, run, opened, dry_run))

    def deposit(
        self, portfolio_id: UUID, amount: Amount, on: Day = None, *, dry_run: bool = False
    ) -> CashReceipt:
        """Deposit cash on a market day (default: the latest, or a simulation's clock)."""
        return self.trading.deposit(portfolio_id, amount, on, dry_run=dry_run)

    def withdraw(
        self, portfolio_id: UUID, amount: Amount, on: Day = None, *, dry_run: bool = False
    ) -> CashReceipt:
        """Withdraw cash on a market day (default: the latest, or a simulation's clock)."""
        return self.trading.withdraw(portfolio_id, amount, on, dry_run=dry_run)

    def buy(
        self,
        portfolio_id: UUID,
        ticker: str,
        quantity: Amount,
        on: Day = None,
        price: Amount | None = None,
        fee: Amount | None = None,
        *,
        dry_run: bool = False,
        note: str | None = None,
        tags: str | Sequence[str] = (),
    ) -> TradeReceipt:
        """Buy at the day's close (or an explicit price inside the day's range);
        a `note` and `tags` are attached to the trade in the same save."""
        journal = _journal_note(note, tags)
        return self.trading.buy(
            portfolio_id, ticker, quantity, on, price, fee, dry_run=dry_run, note=journal
        )

    def sell(
        self,
        portfolio_id: UUID,
        ticker: str,
        quantity: Amount,
        on: Day = None,
        price: Amount | None = None,
        fee: Amount | None = None,
        *,
        dry_run: bool = False,
        note: str | None = None,
        tags: str | Sequence[str] = (),
    ) -> TradeReceipt:
        """Sell at the day's close (or an explicit price inside the day's range);
        a `note` and `tags` are attached to the trade in the same save."""
        journal = _journal_note(note, tags)
        return self.trading.sell(
            portfolio_id, ticker, quantity, on, price, fee, dry_run=dry_run, note=journal
        )

    def rename(self, portfolio_id: UUID, new_name: str, *, dry_run: bool = False) -> PortfolioHead:
        """Rename a portfolio; the new name must be free (ignoring case)."""
        return head_of(self.trading.rename(portfolio_id, new_name, dry_run=dry_run))

    def close(self, portfolio_id: UUID, *, dry_run: bool = False) -> PortfolioHead:
        """Close a portfolio: it keeps its history and accepts no more trades."""
        return head_of(self.trading.close(portfolio_id, dry_run=dry_run))

    def reopen(self, portfolio_id: UUID, *, dry_run: bool = False) -> PortfolioHead:
        """Reopen a closed portfolio."""
        return head_of(self.trading.reopen(portfolio_id, dry_run=dry_run))

    def delete(self, portfolio_id: UUID, *, dry_run: bool = False) -> PortfolioHead:
        """Delete a portfolio (a tombstone: its events stay; its name is free again)."""
        return head_of(self.trading.delete(portfolio_id, dry_run=dry_run))

    def undelete(self, portfolio_id: UUID, *, dry_run: bool = False) -> PortfolioHead:
        """Bring a deleted portfolio back (find it with `find_deleted`)."""
        return head_of(self.trading.undelete(portfolio_id, dry_run=dry_run))

    def set_rules(
        self,
        portfolio_id: UUID,
        mode: str | None = None,
        commission: str | None = None,
        slippage_bps: str | Decimal | int | None = None,
        *,
        dry_run: bool = False,
        max_volume_pct: str | Decimal | int | None = None,
    ) -> TradingRules:
        """Change the mode, commission, slippage or volume cap ("off": none; None keeps)."""
        return self.simulation.set_rules(
            portfolio_id,
            mode,
            commission,
            slippage_bps,
            dry_run=dry_run,
            max_volume_pct=max_volume_pct,
        )

    def place_order(
        self,
        portfolio_id: UUID,
        side: str,
        ticker: str,
        quantity: Amount,
        kind: str = "market",
        limit: Amount | None = None,
        stop: Amount | None = None,
        trail: Amount | None = None,
        tif: str = "day",
        expires: Day = None,
        *,
        dry_run: bool = False,
        note: str | None = None,
        tags: str | Sequence[str] = (),
    ) -> OrderView:
        """Place an order on the portfolio's clock day (see `SimulationService.place_order`);
        a `note` and `tags` are attached to the order in the same save."""
        return self.simulation.place_order(
            portfolio_id,
            side,
            ticker,
            quantity,
            kind,
            limit,
            stop,
            trail,
            tif,
            expires,
            dry_run=dry_run,
            note=_journal_note(note, tags),
        )

    def cancel_order(
        self, portfolio_id: UUID, order_id: str, *, dry_run: bool = False
    ) -> OrderView:
        """Cancel an open order (by its id or a unique prefix of it)."""
        return self.simulation.cancel_order(portfolio_id, order_id, dry_run=dry_run)

    def advance(
        self,
        portfolio_id: UUID,
        days: int | None = None,
        to: Day = None,
        progress: Progress | None = None,
        *,
        dry_run: bool = False,
    ) -> AdvanceReport:
        """Step the clock, filling, expiring or rejecting open orders on the way."""
        return self.simulation.advance(portfolio_id, days, to, progress, dry_run=dry_run)

    def fork(
        self,
        parent_id: UUID,
        new_name: str,
        at_seq: int | None = None,
        *,
        at_version: int | None = None,
        on: Day = None,
        dry_run: bool = False,
    ) -> ForkReceipt:
        """Open `new_name` as a what-if branch of a portfolio after one of its events (by log
        position, version or date; default: its latest)."""
        made, branch = self.branch_service.fork_branch(
            parent_id, new_name, at_seq, at_version=at_version, on=on, dry_run=dry_run
        )
        point = made.point
        return ForkReceipt(
            id=made.id,
            name=made.name,
            parent_id=parent_id,
            parent=made.parent,
            point_seq=point.seq,
            point_version=point.version,
            point_type=point.type,
            point_on=point.on,
            copied=made.copied,
            head=head_of(branch),
        )

    def apply_actions(
        self, portfolio_id: UUID, until: Day = None, *, dry_run: bool = False
    ) -> list[PendingAction]:
        """Record the portfolio's ready splits and dividends up to `until` (default: its
        clock), in one save; returns those recorded."""
        return self.trading.apply_actions(portfolio_id, until, dry_run=dry_run)

    def record_batch(
        self, portfolio_id: UUID, intents: Sequence[Intent], *, dry_run: bool = False
    ) -> BatchReceipt:
        """Record rows read from a file (`erasmo.importers`) in one save, all or nothing, by
        the rules of typed commands; rows an earlier import recorded are left out."""
        from erasmo.door.batch import Batch

        batch = Batch(self.app, self.market, self.trading)
        return batch.record(portfolio_id, intents, dry_run=dry_run)

    # -- the log and the store ------------------------------------------------------------

    def export_log(
        self,
        path: Path | None = None,
        portfolio_ids: Sequence[UUID] = (),
        *,
        out: TextIO | None = None,
    ) -> int:
        """Write the event log (of every portfolio, or of `portfolio_ids`) as hash-chained JSON
        Lines to `path` (written whole or not at all) or to `out`; returns how many events."""
        from erasmo.door import logs

        return logs.export_log(self.app, path, portfolio_ids, out=out)

    def verify_log(
        self, path: Path, progress: Callable[[int, int], None] | None = None
    ) -> ImportReceipt:
        """Check a log file's hash chain and count, and how many of its events this store does
        not hold yet (records nothing). `progress(done, total)` gets bytes read."""
        from erasmo.door import logs

        return logs.verify_for_import(self.app, path, progress)

    def import_log(self, path: Path, *, dry_run: bool = False, admit: bool = True) -> ImportReceipt:
        """Verify, then import a log file, all or nothing (events already held are skipped).
        With `admit`, the market's rules check the events too (dates, prices)."""
        from erasmo.door import logs

        return logs.import_log(self.app, self.market if admit else None, path, dry_run=dry_run)

    def backup(self, destination: Path | None = None, keep: int | None = None) -> Backup:
        """A consistent, checked copy of the store: to `destination`, or into the data
        directory's backups (keeping the newest `keep`)."""
        from erasmo.backup import DEFAULT_KEEP, auto_backup, backup_store

        if destination is not None:
            return backup_store(self.app, destination)
        return auto_backup(self, keep=DEFAULT_KEEP if keep is None else keep)

    def list_backups(self) -> list[Path]:
        """The automatic backups of this data directory, newest first."""
        from erasmo.backup import list_backups

        return list_backups(self.data_dir)


def _journal_note(note: str | None, tags: str | Sequence[str]) -> tuple[str, str] | None:
    """A trade's (text, tags) note, or None when neither was given."""
    words = tags if isinstance(tags, str) else " ".join(tags)
    return (note or "", words) if note or words.strip() else None


def _status(p: Portfolio) -> str:
    return DELETED if p.deleted else CLOSED if p.closed else OPEN


def _row(p: Portfolio) -> PortfolioRow:
    return PortfolioRow(
        p.id, p.name, _status(p), p.simulated, p.opened_on, p.clock, p.cash, p.currency, p.version
    )


def head_of(p: Portfolio) -> PortfolioHead:
    """The read model of an aggregate (stored, or as a dry run left it)."""
    return PortfolioHead(
        id=p.id,
        name=p.name,
        version=p.version,
        status=_status(p),
        simulated=p.simulated,
        opened_on=p.opened_on,
        clock=p.clock,
        cash=p.cash,
        available_cash=p.available_cash,
        currency=p.currency,
        positions=tuple(Position(t, q) for t, q in sorted(p.shares.items())),
        orders=tuple(OrderView.of(o) for o in p.orders()),
        rules=TradingRules.of(p),
        parent_id=getattr(p, "parent_id", None),
    )
