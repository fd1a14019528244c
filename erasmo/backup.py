"""Backups of the event store, and restoring one only after it has been checked.

A SQLite store is copied with SQLite's online backup API in one step: SQLite reads it in one
transaction, so the copy is consistent while the GUI or another command keeps writing (a plain
file copy could catch a half-written page or miss the journal), and page for page the same, so
every event keeps its log position. A PostgreSQL store has no file to copy: its event log is
exported as hash-chained JSON Lines instead (`events.eventlog`), which `restore` imports.

Restoring checks the backup first (SQLite's integrity_check, that it opens as an erasmo store,
and `erasmo check`), then swaps it in with one atomic rename; the store it replaces is kept as
`<store>.bak`. It refuses while another program has the store open.

The GUI calls `auto_backup(erasmo, keep=N)` before an import and on a schedule, and offers
`list_backups(data_dir)` when the store cannot be opened.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol
from urllib.parse import quote

from erasmo import __version__
from erasmo.checks import check_store
from erasmo.market.base import MarketData
from erasmo.partials import clean_leftovers, partial_name, scratch_prefix
from events.application import Portfolios
from events.errors import ErasmoError, EventLogError, StoreError
from events.eventlog import VerifiedLog, export_log, import_file, verify_file
from events.portfolio import Portfolio
from events.store import (
    SQLITE_LOCK_TIMEOUT_SECONDS,
    SQLITE_MAGIC,
    SQLITE_SIDE_FILES,
    StoreConfig,
    inspect_sqlite_file,
    make_private_file,
)


class Install(Protocol):
    """What an automatic backup needs of an install (`Erasmo` and `FrontDoor` have it)."""

    @property
    def app(self) -> Portfolios: ...
    @property
    def store(self) -> StoreConfig: ...
    @property
    def data_dir(self) -> Path: ...


BACKUP_DIR = "backups"
AUTO_PREFIX = "events-"
DEFAULT_KEEP = 10
#: How long `restore` waits for other programs to let go of the store before refusing.
RESTORE_LOCK_TIMEOUT_SECONDS = 2
_OPENED_TOPIC = f"{Portfolio.__module__}:{Portfolio.__qualname__}.PortfolioOpened"


@dataclass(frozen=True, slots=True)
class Backup:
    """A backup file and what it holds.

    Attributes:
        path: the file.
        kind: "sqlite" (a copy of a SQLite store) or "event-log" (an exported JSON Lines log).
        events: how many events it holds (for a SQLite copy, catalog events included).
        portfolios: how many portfolios it holds.
    """

    path: Path
    kind: Literal["sqlite", "event-log"]
    events: int
    portfolios: int


@dataclass(frozen=True, slots=True)
class Restored:
    """What `restore_store` did.

    Attributes:
        backup: the backup that was restored.
        previous: where the replaced SQLite store was kept (None: there was none, or PostgreSQL,
            where the backup's events were imported into the store instead).
        imported: how many events were new (PostgreSQL and event-log restores).
    """

    backup: Backup
    previous: Path | None
    imported: int | None = None


def backup_store(app: Portfolios, destination: Path) -> Backup:
    """Write a consistent, checked copy of the store to `destination` while it may be in use.

    SQLite: an online copy (the backup API). PostgreSQL: the event log, exported as JSON Lines.
    """
    destination = destination.expanduser()
    if destination.is_dir():
        raise StoreError(f"{destination} is a folder; give the backup a file name.")
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"Cannot create the folder {destination.parent}: {error}.") from None
    clean_leftovers(destination.parent)
    store = app.store
    partial = partial_name(destination)
    if store.kind != "sqlite":
        try:
            count = _export_privately(app, partial, destination)
        except OSError as error:
            raise StoreError(f"Cannot write the backup {destination}: {error}.") from None
        finally:
            partial.unlink(missing_ok=True)
        return Backup(destination, "event-log", count, len(app.portfolio_ids()))
    assert store.path is not None
    try:
        _copy_sqlite(store.path, partial)
        inspect_sqlite_file(partial, check="full")
        _fsync(partial)
        partial.replace(destination)
        _fsync_dir(destination.parent)
    except sqlite3.Error as error:
        raise StoreError(f"Cannot back the store up to {destination}: {error}.") from None
    except OSError as error:
        raise StoreError(f"Cannot write the backup {destination}: {error}.") from None
    finally:
        _remove_sqlite(partial)
    events, portfolios = _sqlite_counts(destination)
    return Backup(destination, "sqlite", events, portfolios)


def auto_backup(erasmo: Install, keep: int = DEFAULT_KEEP) -> Backup:
    """Back the store up into `<data dir>/backups/` and delete all but the newest `keep` there.

    Safe to call while the app is in use, from a worker thread: it opens its own connection.
    """
    if keep < 1:
        raise ValueError("keep at least one backup")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    suffix = ".sqlite" if erasmo.store.kind == "sqlite" else ".jsonl"
    folder = erasmo.data_dir / BACKUP_DIR
    made = backup_store(erasmo.app, folder / f"{AUTO_PREFIX}{stamp}{suffix}")
    for old in list_backups(erasmo.data_dir)[keep:]:
        old.unlink(missing_ok=True)
    return made


def list_backups(data_dir: Path) -> list[Path]:
    """The automatic backups in the data directory, newest first."""
    folder = data_dir / BACKUP_DIR
    if not folder.is_dir():
        return []
    found = [
        path
        for path in folder.iterdir()
        if path.name.startswith(AUTO_PREFIX) and path.suffix in (".sqlite", ".jsonl")
    ]
    return sorted(found, key=lambda path: path.name, reverse=True)


def verify_backup(source: Path, market: MarketData) -> Backup:
    """Check a backup without changing it: a SQLite copy or an exported event log."""
    if not source.is_file():
        raise StoreError(f"There is no backup file {source}.")
    if _is_sqlite(source):
        inspect_sqlite_file(source, check="full")
        scratch = _scratch_dir(source.parent if os.access(source.parent, os.W_OK) else None)
        try:
            candidate = scratch / "events.sqlite"
            _copy_sqlite(source, candidate)
            return _checked(candidate, market, source)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    log = _verified_log(source)
    return Backup(source, "event-log", len(log.events), len(log.portfolios))


def restore_store(store: StoreConfig, source: Path, market: MarketData) -> Restored:
    """Replace the store with a checked backup; the replaced SQLite store is kept as `.bak`.

    For PostgreSQL the backup must be an event log, whose events are imported (all or nothing;
    events already held are skipped). Nothing is changed when any check fails.
    """
    source = source.expanduser()
    if not source.is_file():
        raise StoreError(f"There is no backup file {source}.")
    if store.kind != "sqlite":
        return _import_log(store, source, market)
    assert store.path is not None
    target = store.path
    candidate = partial_name(target, "restoring")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(target.parent)
        _remove_sqlite(candidate)
        if _is_sqlite(source):
            inspect_sqlite_file(source, check="full")
            _copy_sqlite(source, candidate)
            backup = _checked(candidate, market, source)
        else:
            _verified_log(source)  # the hash chain, before anything is built
            app = Portfolios(StoreConfig.sqlite(candidate))
            try:
                log, _ = import_file(app, source)
            except EventLogError as error:
                raise StoreError(f"{source} cannot be restored: {error}.") from None
            finally:
                app.close()
            checked = _checked(candidate, market, source)
            backup = Backup(source, "event-log", len(log.events), checked.portfolios)
        previous = _swap_in(candidate, target)
    except OSError as error:
        raise StoreError(f"Cannot restore into {target.parent}: {error}.") from None
    finally:
        _remove_sqlite(candidate)
    return Restored(backup, previous)


# -- internals --------------------------------------------------------------------------------


def _import_log(store: StoreConfig, source: Path, market: MarketData) -> Restored:
    if _is_sqlite(source):
        raise StoreError(
            f"{source} is a SQLite store, but this erasmo uses PostgreSQL: restore an exported "
            "event log (erasmo backup or erasmo export writes one) instead."
        )
    _verified_log(source)
    app = Portfolios(store)
    try:
        try:
            log, new = import_file(app, source)
        except EventLogError as error:
            raise StoreError(f"{source} cannot be restored: {error}.") from None
        _, findings = check_store(app, market)
        if findings:  # pragma: no cover - import replays every rule before recording
            raise StoreError(f"After importing {source}, erasmo check finds problems.")
    finally:
        app.close()
    backup = Backup(source, "event-log", len(log.events), len(log.portfolios))
    return Restored(backup, None, imported=new)


def _verified_log(source: Path) -> VerifiedLog:
    try:
        return verify_file(source)
    except EventLogError as error:
        raise StoreError(
            f"{source} is neither a SQLite backup nor an intact erasmo event log ({error}); "
            "nothing was changed."
        ) from None


def _checked(candidate: Path, market: MarketData, source: Path) -> Backup:
    """Open `candidate` as an erasmo store and run `erasmo check` on it."""
    try:
        app = Portfolios(StoreConfig.sqlite(candidate))
    except StoreError as error:
        raise StoreError(f"{source} cannot be restored: {error}") from None
    try:
        _, findings = check_store(app, market)
        portfolios = len(app.portfolio_ids())
        events = app.event_count()
    except ErasmoError as error:
        raise StoreError(f"{source} cannot be restored: {error}") from None
    finally:
        app.close()
    if findings:
        first = findings[0]
        raise StoreError(
            f"{source} fails erasmo check ({len(findings)} problems; the first: "
            f"{first.portfolio} event {first.version}: {first.message}); nothing was changed."
        )
    inspect_sqlite_file(candidate, check="full")
    return Backup(source, "sqlite", events, portfolios)


def _swap_in(candidate: Path, target: Path) -> Path | None:
    """Keep the current store as `.bak`, then rename `candidate` over it in one step."""
    previous = target.with_name(f"{target.name}.bak")
    if not target.exists():
        _fsync(candidate)
        candidate.replace(target)
        _fsync_dir(target.parent)
        return None
    connection = _lock_exclusively(target)
    try:
        _remove_sqlite(previous)
        if connection is not None:
            partial = partial_name(previous)
            _copy_sqlite(connection, partial)
            partial.replace(previous)
            # Fold the journal into the old file and delete it now, while the lock is held: the
            # old connection must not delete the restored store's journal (by name) on close.
            connection.execute("PRAGMA journal_mode=DELETE")
        else:  # a damaged store: keep its bytes (and its journal) as they are
            for suffix in ("", *SQLITE_SIDE_FILES):
                if Path(f"{target}{suffix}").exists():
                    shutil.copyfile(f"{target}{suffix}", f"{previous}{suffix}")
        _fsync(previous)
        _fsync(candidate)
        candidate.replace(target)  # from here on the restored store is the store
        for suffix in SQLITE_SIDE_FILES:  # a damaged old store's journal
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        _fsync_dir(target.parent)
    finally:
        if connection is not None:
            connection.close()
    return previous


def _lock_exclusively(target: Path) -> sqlite3.Connection | None:
    """A connection holding the store's exclusive lock, or None for a store SQLite cannot read.

    While any other program has a WAL store open it holds a shared lock, so this fails: a store
    must not be swapped under a running erasmo, whose next write would be lost.
    """
    try:
        inspect_sqlite_file(target, check="none")
    except StoreError:
        return None  # damaged, foreign or newer: nothing can be using it through erasmo
    connection = sqlite3.connect(target, timeout=RESTORE_LOCK_TIMEOUT_SECONDS)
    try:
        connection.execute("PRAGMA locking_mode=EXCLUSIVE")
        connection.execute("BEGIN EXCLUSIVE")
        connection.execute("COMMIT")
    except sqlite3.OperationalError:
        connection.close()
        raise StoreError(
            f"Another program (an erasmo window?) has the store {target} open; close it and "
            "run restore again. Nothing was changed."
        ) from None
    return connection


def _copy_sqlite(source: Path | sqlite3.Connection, destination: Path) -> None:
    """A consistent copy through SQLite's backup API, in one step (never a plain file copy)."""
    destination.unlink(missing_ok=True)
    if isinstance(source, Path):
        reader = sqlite3.connect(
            f"file:{quote(str(source))}?mode=ro", uri=True, timeout=SQLITE_LOCK_TIMEOUT_SECONDS
        )
    else:
        reader = source
    make_private_file(destination)  # a backup is as private as the store
    writer = sqlite3.connect(destination)
    try:
        reader.backup(writer)
        writer.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    except sqlite3.Error as error:
        raise StoreError(f"{source} cannot be read as a store: {error}.") from None
    finally:
        writer.close()
        if reader is not source:
            reader.close()


def _sqlite_counts(path: Path) -> tuple[int, int]:
    connection = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    try:
        events = connection.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0]
        portfolios = connection.execute(
            "SELECT COUNT(*) FROM stored_events WHERE topic = ?", (_OPENED_TOPIC,)
        ).fetchone()[0]
    finally:
        connection.close()
    return int(events), int(portfolios)


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC


def _scratch_dir(near: Path | None) -> Path:
    import tempfile

    if near is not None:
        clean_leftovers(near)
    return Path(tempfile.mkdtemp(prefix=scratch_prefix(), dir=near))


def _export_privately(app: Portfolios, partial: Path, destination: Path) -> int:
    """The event log exported into `partial` (owner-only), synced, then renamed `destination`."""
    make_private_file(partial)
    with partial.open("w", encoding="utf-8", newline="\n") as out:
        count = export_log(app, out, erasmo_version=__version__)
        out.flush()
        os.fsync(out.fileno())
    partial.replace(destination)
    _fsync_dir(destination.parent)
    return count


def _remove_sqlite(path: Path) -> None:
    for name in (path, *(Path(f"{path}{suffix}") for suffix in (*SQLITE_SIDE_FILES, "-journal"))):
        name.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
