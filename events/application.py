"""The erasmo application: the only caller of `save()`.

Each command method gets the aggregates it needs, calls one domain method, and saves. When
another process saved the same portfolio in between, the command is retried on fresh state, so
the rules are always checked against what is really stored. Branches, deletion, import and
sync are mixins in their own modules, typed against `events.host.PortfoliosHost`.
"""

from __future__ import annotations

import contextlib
import difflib
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    MapperDeserialisationError,
    PersistenceError,
    StoredEvent,
    Transcoding,
)

from events.audit import AuditedEvent, Problem, audit_portfolio
from events.branches import BranchRecording
from events.catalog import CATALOG_ID, Catalog
from events.deletion import Deletion
from events.dryrun import CURRENT, DryRun, dry_run_block
from events.errors import (
    ConcurrentWriteError,
    CorporateActionError,
    DeletedPortfolioError,
    EventLogError,
    StoreError,
    UnknownPortfolioError,
)
from events.host import PortfoliosHost
from events.importing import ImportRecording
from events.log import LogReader
from events.logged import LoggedEvent as LoggedEvent  # read by erasmo
from events.logged import read_history
from events.names import mixed_word
from events.opening import OPEN_RACE_SECONDS, opening_race
from events.pg_connect import check_postgres_server
from events.portfolio import Portfolio
from events.registry import BY_TOPIC
from events.rules import voids
from events.store import (
    STORE_FORMAT_VERSION,
    StoreConfig,
    read_format_version,
    stamp_format_version,
    store_failure,
    upgrade_format_version,
)
from events.sync import SyncRecording
from events.upcasting import upcast_state
from events.values import PriceProvenance, name_key

T = TypeVar("T")
RETRIES = 5


class DateAsISO(Transcoding):
    """Stores `datetime.date` as "YYYY-MM-DD"."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ActionLike(Protocol):
    """A split or dividend to record (erasmo.market.base.CorporateAction is one)."""

    @property
    def ticker(self) -> str: ...
    @property
    def day(self) -> date: ...
    @property
    def kind(self) -> str: ...
    @property
    def ratio(self) -> Decimal | None: ...
    @property
    def amount(self) -> Decimal | None: ...


@dataclass(frozen=True, slots=True)
class PortfolioSummary:
    """A portfolio as listed: id, name, head version, clock, cash and whether it is closed."""

    id: UUID
    name: str
    version: int
    clock: date
    cash: Decimal
    currency: str
    closed: bool


class Portfolios(BranchRecording, SyncRecording, Deletion, ImportRecording, Application[UUID]):
    """Opens portfolios and records cash movements and trades in an event store."""

    name = "erasmo"
    snapshotting_intervals: ClassVar[dict[Any, int]] = {Portfolio: 200, Catalog: 200}
    # A long-lived process (the GUI, a bench) keeps aggregates in memory and fast-forwards them
    # with the events other processes saved since, instead of replaying them per command.
    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "256"}

    def __init__(self, store: StoreConfig, env: dict[str, str] | None = None) -> None:
        self.store = store
        settings = store.environment()  # a SQLite file is checked here, read-only
        if store.kind == "postgresql":
            check_postgres_server(store)  # its refusal at once, not after the pool's timeout
        settings.update(env or {})
        # The tables are created by `_prepare_store`, once the store is known to be one this
        # erasmo can write: a newer or foreign store must be refused before anything is written.
        settings["CREATE_TABLE"] = "no"
        deadline = time.monotonic() + OPEN_RACE_SECONDS
        attempt = 0
        while True:
            try:
                super().__init__(env=settings)
                self._prepare_store()
                break
            except PersistenceError as error:
                self._close_quietly()
                attempt += 1
                if not opening_race(error) or time.monotonic() > deadline:
                    failure = store_failure(error, store, "nothing was changed")
                    if type(failure) is StoreError:
                        failure = StoreError(
                            f"Cannot open the event store ({store.describe()}): {error}"
                        )
                    raise failure from None
                time.sleep(min(0.05 * attempt, 0.5))
            except OSError as error:
                self._close_quietly()
                raise StoreError(
                    f"Cannot open the event store ({store.describe()}): {error}"
                ) from None
            except StoreError:
                self._close_quietly()
                raise
        self.reader = LogReader(self.recorder)

    def _prepare_store(self) -> None:
        """Refuse a newer store, then create what is missing and record the store's format."""
        datastore: Any = self.recorder.datastore  # type: ignore[attr-defined]
        found = read_format_version(datastore, self.store)
        if found is not None:  # stamped after its tables were made: nothing to create
            if found < STORE_FORMAT_VERSION:
                upgrade_format_version(datastore, self.store, found)
            return
        self.recorder.create_table()  # type: ignore[attr-defined]
        if self.snapshots is not None:
            self.snapshots.recorder.create_table()  # type: ignore[attr-defined]
        stamp_format_version(datastore, self.store)

    def _close_quietly(self) -> None:
        if getattr(self, "factory", None) is not None:
            self.factory.close()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # -- commands -------------------------------------------------------------------------

    def open_portfolio(
        self,
        name: str,
        on: date,
        cash: Decimal | None = None,
        currency: str = "USD",
        rules: tuple[str, str, Decimal] | None = None,
    ) -> UUID:
        """Open a portfolio (optionally with a first deposit and trading rules: mode,
        commission spec, slippage in bps) and return its id."""

        def command() -> UUID:
            catalog = self._catalog()
            portfolio = Portfolio.open(name, on, currency)
            catalog.claim(portfolio.id, portfolio.name)
            if cash is not None:
                portfolio.deposit(cash, on)
            if rules is not None:
                portfolio.set_rules(*rules, on)
            self._save(portfolio, catalog)
            return portfolio.id

        return self._retry(command)

    def deposit(self, portfolio_id: UUID, amount: Decimal, on: date) -> None:
        """Add cash to a portfolio."""
        self._update(portfolio_id, lambda p: p.deposit(amount, on))

    def withdraw(self, portfolio_id: UUID, amount: Decimal, on: date) -> None:
        """Take cash out of a portfolio."""
        self._update(portfolio_id, lambda p: p.withdraw(amount, on))

    def buy(
        self,
        portfolio_id: UUID,
        ticker: str,
        quantity: Decimal,
        price: Decimal,
        on: date,
        provenance: PriceProvenance,
        fee: Decimal = Decimal(0),
    ) -> None:
        """Record a purchase at a price the caller looked up."""
        self._update(portfolio_id, lambda p: p.buy(ticker, quantity, price, on, provenance, fee))

    def sell(
        self,
        portfolio_id: UUID,
        ticker: str,
        quantity: Decimal,
        price: Decimal,
        on: date,
        provenance: PriceProvenance,
        fee: Decimal = Decimal(0),
    ) -> None:
        """Record a sale at a price the caller looked up."""
        self._update(portfolio_id, lambda p: p.sell(ticker, quantity, price, on, provenance, fee))

    def record_actions(self, portfolio_id: UUID, actions: Sequence[ActionLike]) -> list[int]:
        """Record splits and dividends in the order given, in one save (all or nothing).

        An action the portfolio already recorded is skipped, so recording the same list twice
        (or a retry after another program recorded some) adds nothing. Returns the indices of
        `actions` recorded now.
        """

        def command() -> list[int]:
            portfolio = self.portfolio(portfolio_id)
            if "traded_on" not in vars(portfolio):
                # Restored from a snapshot taken before erasmo tracked trade dates, which the
                # rules of late actions need: rebuild it from its events instead.
                portfolio = self._replayed(portfolio_id)
            recorded = []
            for index, action in enumerate(actions):
                if portfolio.has_action(action.ticker, action.kind, action.day):
                    continue
                if action.kind == "split":
                    portfolio.split(action.ticker, action.ratio, action.day)  # type: ignore[arg-type]
                elif action.kind == "dividend":
                    portfolio.receive_dividend(
                        action.ticker,
                        action.amount,  # type: ignore[arg-type]
                        action.day,
                    )
                else:
                    raise CorporateActionError(
                        f"Unknown corporate action {action.kind!r}: use 'split' or 'dividend'."
                    )
                recorded.append(index)
            if recorded:
                self._save(portfolio)
            return recorded

        return self._retry(command)

    def rename(self, portfolio_id: UUID, new_name: str) -> None:
        """Rename a portfolio; the new name must be free (ignoring case)."""

        def command() -> None:
            portfolio = self.portfolio(portfolio_id)
            catalog = self._catalog()
            portfolio.rename(new_name)
            catalog.claim(portfolio.id, portfolio.name)
            self._save(portfolio, catalog)

        self._retry(command)

    def change(
        self, portfolio_id: UUID, command: Callable[[Portfolio], T], *, dry_run: bool = False
    ) -> T:
        """Run `command` on the portfolio and save every event it triggered, in one save.

        For commands that decide several events at once (an advance of the market clock);
        like every command here, it is retried on fresh state if another writer came first.
        With `dry_run`, the command runs the same way and nothing is saved.
        """

        def attempt() -> T:
            portfolio = self.portfolio(portfolio_id)
            result = command(portfolio)
            self._save(portfolio)
            return result

        with self.dry_run(dry_run):
            return self._retry(attempt)

    def dry_run(self, enabled: bool = True) -> contextlib.AbstractContextManager[DryRun]:
        """A block whose commands run by the same rules and record nothing (`events.dryrun`)."""
        return dry_run_block(enabled)

    def close_portfolio(self, portfolio_id: UUID) -> None:
        """Close a portfolio; it keeps its history and name and accepts no more commands."""
        self._update(portfolio_id, lambda p: p.close())

    # -- queries --------------------------------------------------------------------------

    def portfolio(self, portfolio_id: UUID, version: int | None = None) -> Portfolio:
        """The portfolio as of its latest event, or as of `version`."""
        try:
            found: Any = self.repository.get(portfolio_id, version=version)
        except AggregateNotFoundError:
            raise UnknownPortfolioError(f"No portfolio has the id {portfolio_id}.") from None
        except MapperDeserialisationError:
            raise EventLogError(
                f"portfolio {portfolio_id} holds an event this erasmo cannot read; run "
                "'erasmo check' (its history shows which), then restore a backup"
            ) from None
        assert isinstance(found, Portfolio)
        if voids.voided_versions(found):  # a void's effect only marks: rebuild the state
            voids.rebuild(found, self.entries(portfolio_id, found.version))
        return found

    def entries(self, portfolio_id: UUID, version: int | None = None) -> list[voids.Entry]:
        """The portfolio's events as (type name, fields), in order, up to `version`."""
        found: Any = self.events.get(portfolio_id, lte=version)  # classes named as the types
        return [(type(e).__name__, dict(vars(e))) for e in found]

    def find(self, name: str) -> UUID:
        """The id of the portfolio called `name` (ignoring case)."""
        catalog = self._catalog()
        owner = catalog.owner_of(name.strip())
        if owner is not None and mixed_word(name) is not None:
            # A look-alike spelling finds only the name it is exactly (one listed before
            # mixed alphabets were refused), never the portfolio it imitates.
            listed = catalog.names.get(owner.hex, "")
            if _exact(listed) != _exact(name.strip()):
                owner = None
        if owner is None:
            gone = [h for h, n in catalog.deleted.items() if name_key(n) == name_key(name)]
            if gone:
                raise DeletedPortfolioError(
                    f"Portfolio {catalog.deleted[gone[-1]]!r} was deleted. To use it again, "
                    f"undelete it: erasmo portfolio undelete {name.strip()!r} (see 'erasmo "
                    "portfolio list --deleted')."
                )
            names = list(catalog.names.values())
            close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
            hint = (
                f" Did you mean {', '.join(repr(c) for c in close)}?"
                if close
                else " Run 'erasmo portfolio list' to see them, or open one with "
                "'erasmo portfolio open NAME'."
            )
            raise UnknownPortfolioError(f"No portfolio is named {name!r}.{hint}")
        return owner

    def portfolio_ids(self) -> list[UUID]:
        """Every portfolio's id, in the order they were listed."""
        return [UUID(hex_id) for hex_id in self._catalog().names]

    def summaries(self) -> list[PortfolioSummary]:
        """Every portfolio with its head state, sorted by name."""
        summaries = []
        for portfolio_id in self.portfolio_ids():
            p = self.portfolio(portfolio_id)
            summaries.append(
                PortfolioSummary(p.id, p.name, p.version, p.clock, p.cash, p.currency, p.closed)
            )
        return sorted(summaries, key=lambda s: name_key(s.name))

    def history(
        self, portfolio_id: UUID, upto_seq: int | None = None, *, unreadable: bool = False
    ) -> list[LoggedEvent]:
        """The portfolio's events in order, each with its log position. An event this erasmo
        cannot read raises `EventLogError`, or with `unreadable=True` is an entry saying why."""
        stored = self.reader.events(originator_id=portfolio_id, upto=upto_seq)
        return read_history(stored, self.decode, keep_unreadable=unreadable)

    def version_at(
        self, portfolio_id: UUID, *, seq: int | None = None, on: date | None = None
    ) -> int:
        """The portfolio's version after log position `seq`, or after market date `on` (0: none).

        A version is a prefix of the log: by date it ends before the first event dated after
        `on`, so a split or dividend recorded late (after later-dated events) is not in it. The
        projections' as-of by date (`erasmo.projections.as_of`) takes every event dated up to
        `on`, late ones included.
        """
        version = 0
        for event in self.history(portfolio_id, upto_seq=seq):
            if on is not None and event.on > on:
                break
            version = event.version
        return version

    def event_count(self) -> int:
        """How many events the store holds (portfolios and catalog)."""
        return self.reader.count()

    def audit(self, portfolio_id: UUID) -> list[Problem]:
        """Every broken rule in the stored history of one portfolio."""
        return audit_portfolio(
            (
                AuditedEvent(e.version, e.type, {**e.fields, "on": e.on})
                for e in self.history(portfolio_id)
            ),
            portfolio_id,
        )

    # -- stored state ---------------------------------------------------------------------

    def decode(self, topic: str, state: bytes) -> dict[str, Any]:
        """An event's fields from its stored JSON state, upcast to the event's current shape."""
        fields = self.mapper.transcoder.decode(state)
        assert isinstance(fields, dict)
        event_type = BY_TOPIC.get(topic)
        return upcast_state(event_type.cls, fields) if event_type is not None else fields

    def encode(self, fields: dict[str, Any]) -> bytes:
        """Stored JSON state from an event's fields."""
        return self.mapper.transcoder.encode(fields)

    # -- internals ------------------------------------------------------------------------

    def _replayed(self, portfolio_id: UUID) -> Portfolio:
        """The portfolio rebuilt from all its events (no snapshot)."""
        aggregate: Any = None
        domain_events: Any = self.events.get(portfolio_id)
        for domain_event in domain_events:
            aggregate = domain_event.mutate(aggregate)
        assert isinstance(aggregate, Portfolio)
        return aggregate

    def _catalog(self) -> Catalog:
        try:
            found: Any = self.repository.get(CATALOG_ID)
        except AggregateNotFoundError:
            return Catalog()
        assert isinstance(found, Catalog)
        return found

    def _update(
        self, portfolio_id: UUID, change: Callable[[Portfolio], None], *, dry_run: bool = False
    ) -> None:
        self.change(portfolio_id, change, dry_run=dry_run)

    def _save(self, *aggregates: Aggregate) -> None:
        run = CURRENT.get()
        if run is not None:  # a dry run: the command's rules ran; nothing is written
            run.aggregates.extend(aggregates)
            return
        self.store.check_free_space()
        try:
            self.save(*aggregates)
        except IntegrityError:
            raise _ConflictError from None
        except PersistenceError as error:
            raise store_failure(error, self.store, "the command was not recorded") from None

    def _insert(self, stored: Sequence[StoredEvent], failed: str = "nothing was imported") -> None:
        run = CURRENT.get()
        if run is not None:
            run.stored.extend(stored)
            return
        self.store.check_free_space()
        try:
            self.recorder.insert_events(stored)
        except IntegrityError:
            raise _ConflictError from None
        except PersistenceError as error:
            raise store_failure(error, self.store, failed) from None

    def _take_snapshots(self, processing_event: Any) -> None:
        # The command's events are committed by now: a snapshot that cannot be written (a full
        # disk) must not make the command look failed. Snapshots only speed up reading.
        with contextlib.suppress(PersistenceError):
            super()._take_snapshots(processing_event)

    def _retry(self, command: Callable[[], T]) -> T:
        for _ in range(RETRIES):
            try:
                return command()
            except _ConflictError:
                continue
            except PersistenceError as error:  # reading the current state failed
                raise store_failure(error, self.store, "nothing was recorded") from None
        raise ConcurrentWriteError(
            "Another program kept writing to the same portfolio; nothing was recorded. "
            "Try the command again."
        )


if TYPE_CHECKING:  # mypy checks here that the application is what its mixins run on
    _HOST: type[PortfoliosHost] = Portfolios


class _ConflictError(Exception):
    """Another writer saved the same aggregate version first."""


def _exact(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()
