"""The SQLite store file: eventsourcing's connections made durable, and the file checked
read-only before anything is written.

A damaged, foreign or newer-format file, a read-only folder or a full disk is refused with one
sentence and left as it was.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from eventsourcing.persistence import DatabaseError
from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool, SQLiteFactory
from eventsourcing.utils import Environment, EnvType

from events.errors import StoreError
from events.store_errors import (
    SQLITE_LOCK_TIMEOUT_SECONDS,
    ForeignStoreError,
    StoreCorruptError,
    StoreReadOnlyError,
    sqlite_failure,
)
from events.store_format import (
    META_SELECT,
    META_TABLE,
    SQLITE_TABLES,
    format_version,
    refuse_newer,
)

#: Each time a SQLite store is opened its structure is checked: fully (PRAGMA integrity_check,
#: which also compares the index with the table) up to the first size, by PRAGMA quick_check up
#: to the second. That is milliseconds for a typical store and about 0.15 s at either limit.
#: Larger stores get the cheap checks only (header, size, format); `erasmo backup` and
#: `erasmo restore` always check fully.
INTEGRITY_CHECK_MAX_BYTES = 16 * 1024 * 1024
QUICK_CHECK_MAX_BYTES = 64 * 1024 * 1024
SQLITE_MAGIC = b"SQLite format 3\x00"
SQLITE_SIDE_FILES = ("-wal", "-shm")


class DurableSQLiteConnectionPool(SQLiteConnectionPool):
    """eventsourcing's pool, with every connection set to `synchronous=FULL`.

    eventsourcing switches a file store to WAL. In WAL mode SQLite's `synchronous=NORMAL` may lose
    the last committed transactions on power loss; FULL syncs the WAL on every commit, so a
    command erasmo acknowledged survives a crash of the process or the machine.
    """

    def _create_connection(self) -> SQLiteConnection:
        try:
            if not self.is_sqlite_memory_mode and not self.is_journal_mode_wal:
                self._switch_to_wal()
            connection = super()._create_connection()
            cursor = connection.cursor()
            cursor.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error as error:  # e.g. "file is not a database", raised by the PRAGMAs
            raise DatabaseError(error) from error
        return connection

    def _switch_to_wal(self) -> None:
        """Switch the file to WAL on a connection of its own, closed at once.

        eventsourcing switches it on the pool's first connection and leaves that statement's
        unread result to the cursor's garbage collection: while anything still holds the frame
        (a sampling profiler such as a dask worker's), the statement stays open on a pooled
        connection and its next commit fails with "SQL statements in progress".
        """
        timeout = self.lock_timeout or SQLITE_LOCK_TIMEOUT_SECONDS
        own = sqlite3.connect(self.db_name, uri=True, timeout=timeout)
        try:
            mode = own.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                own.execute("PRAGMA journal_mode=WAL").fetchall()
                self.journal_mode_was_changed_to_wal = True
            self.is_journal_mode_wal = True
        finally:
            own.close()


class ScratchSQLiteConnectionPool(DurableSQLiteConnectionPool):
    """The durable pool set back to `synchronous=OFF`: for a scratch store thrown away after
    use (a backtest runs in one, then its log is imported into the user's store), whose commits
    need not survive a crash."""

    def _create_connection(self) -> SQLiteConnection:
        try:
            connection = super()._create_connection()
            connection.cursor().execute("PRAGMA synchronous=OFF")
        except sqlite3.Error as error:
            raise DatabaseError(error) from error
        return connection


class ScratchSQLiteFactory(SQLiteFactory):
    """eventsourcing's SQLite factory using `ScratchSQLiteConnectionPool`."""

    def __init__(self, env: Environment | EnvType | None):
        super().__init__(env)
        pool = self.datastore.pool
        self.datastore.pool = ScratchSQLiteConnectionPool(
            db_name=pool.db_name, lock_timeout=pool.lock_timeout
        )


class DurableSQLiteFactory(SQLiteFactory):
    """eventsourcing's SQLite factory using `DurableSQLiteConnectionPool`."""

    def __init__(self, env: Environment | EnvType | None):
        super().__init__(env)
        pool = self.datastore.pool
        self.datastore.pool = DurableSQLiteConnectionPool(
            db_name=pool.db_name, lock_timeout=pool.lock_timeout
        )


def inspect_sqlite_file(
    path: Path, *, check: Literal["none", "quick", "full"] = "quick", writable: bool = False
) -> int | None:
    """Check a SQLite store file without writing to it; return its format version.

    None means there is nothing to check yet (no file, or an empty one) or a store written before
    erasmo recorded its format. `check` picks the structural check: none, "quick" (what every
    open does, see INTEGRITY_CHECK_MAX_BYTES) or "full" (SQLite's integrity_check at any size).
    With `writable`, the file and its folder must be writable too. Raises a `StoreError` naming
    what is wrong.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        if writable and not os.access(path.parent, os.W_OK | os.X_OK):
            raise _read_only_folder(path) from None
        return None
    except OSError as error:
        raise StoreError(f"Cannot read the store {path}: {error.strerror}.") from None
    wal = Path(f"{path}-wal")
    if size == 0 and not (wal.exists() and wal.stat().st_size > 0):
        # SQLite reads an empty file as an empty database: erasmo makes it a new store.
        if writable:
            _check_writable(path)
        return None
    if size > 0:
        # With a journal beside it, the file may lag behind (an interrupted checkpoint leaves
        # it short): then SQLite, which reads both, is the judge.
        _check_header(path, size, alone=not (wal.exists() and wal.stat().st_size > 0))
    if writable:
        _check_writable(path)
    return _inspect_contents(path, size, check)


def _check_header(path: Path, size: int, *, alone: bool) -> None:
    try:
        with path.open("rb") as handle:
            head = handle.read(100)
    except OSError as error:
        raise StoreError(f"Cannot read the store {path}: {error.strerror}.") from None
    if not head.startswith(SQLITE_MAGIC):
        raise StoreCorruptError(
            f"{path} is not a SQLite database (it may be damaged or another kind of file). "
            "Move it aside, or restore it from a backup or an exported event log."
        )
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    header_pages = int.from_bytes(head[28:32], "big")
    header_pages_valid = head[24:28] == head[92:96]
    if (
        len(head) < 100
        or page_size < 512
        or page_size & (page_size - 1)
        or (alone and size % page_size)
        or (alone and header_pages_valid and header_pages * page_size > size)
    ):
        raise StoreCorruptError(
            f"The store {path} is damaged: the file is cut short or its header is overwritten. "
            "Nothing was changed; restore it with 'erasmo restore' from a backup or an exported "
            "event log."
        )


def _check_writable(path: Path) -> None:
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise _read_only_folder(path)
    for name in (path, *(Path(f"{path}{suffix}") for suffix in SQLITE_SIDE_FILES)):
        if name.exists() and not os.access(name, os.R_OK | os.W_OK):
            raise StoreReadOnlyError(
                f"The store file {name} is read-only, so erasmo cannot record anything in it. "
                "Make it writable (or copy the store elsewhere with --data-dir); nothing was "
                "changed."
            )


def _read_only_folder(path: Path) -> StoreReadOnlyError:
    return StoreReadOnlyError(
        f"The data directory {path.parent} is read-only: erasmo needs to write the store and its "
        "journal there. Make it writable, or choose another one with --data-dir; nothing was "
        "changed."
    )


def _inspect_contents(path: Path, size: int, check: str) -> int | None:
    """Open the file read-only and check what it holds; side files this created are removed."""
    created = [
        side
        for side in (Path(f"{path}{suffix}") for suffix in SQLITE_SIDE_FILES)
        if not side.exists()
    ]
    connection: sqlite3.Connection | None = None
    try:
        connection = sqlite3.connect(
            f"file:{quote(str(path))}?mode=ro", uri=True, timeout=SQLITE_LOCK_TIMEOUT_SECONDS
        )
        tables = {row[0] for row in connection.execute(SQLITE_TABLES)}
        version = None
        if META_TABLE in tables:
            row = connection.execute(META_SELECT.replace("%s", "?"), ("format_version",)).fetchone()
            version = format_version(row[0] if row else None, str(path))
        if tables and "stored_events" not in tables:
            raise ForeignStoreError(
                f"{path} is a SQLite database of another program, not an erasmo store (it has "
                f"the tables {', '.join(sorted(tables)[:5])}). Nothing was changed; point "
                "erasmo at another --data-dir, or move the file aside."
            )
        refuse_newer(version, str(path))
        pragma = {"quick": "quick_check", "full": "integrity_check"}.get(check)
        if check == "quick" and size <= INTEGRITY_CHECK_MAX_BYTES:
            pragma = "integrity_check"
        elif check == "quick" and size > QUICK_CHECK_MAX_BYTES:
            pragma = None
        if pragma is not None:
            result = [str(row[0]) for row in connection.execute(f"PRAGMA {pragma}")]
            if result != ["ok"]:
                first = result[0].splitlines()[0]
                raise StoreCorruptError(
                    f"The store {path} is damaged (SQLite's {pragma} finds problems, the first: "
                    f"{first}). Nothing was changed; restore it with 'erasmo restore' from a "
                    "backup or an exported event log."
                )
        return version
    except sqlite3.Error as error:
        raise sqlite_failure(error, f"the store {path}", "nothing was changed") from None
    finally:
        if connection is not None:
            connection.close()
        for side in created:
            # Opening a WAL store read-only makes its -wal and -shm files; leave the folder as
            # it was (an empty -wal holds nothing).
            if side.exists() and (side.name.endswith("-shm") or side.stat().st_size == 0):
                side.unlink(missing_ok=True)
