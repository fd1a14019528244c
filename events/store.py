"""Where events are stored: a SQLite file (the default) or a PostgreSQL database.

Both are eventsourcing's own recorders. `StoreConfig.environment()` gives the settings an
eventsourcing application reads; nothing is opened until the application is built.

A store records its format version in a small `erasmo_meta` table, written when it is created.
Before anything is written, an existing SQLite file is checked read-only: a damaged, foreign or
newer-format file, a read-only folder or a full disk is refused with one sentence and left as
it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, quote, unquote, urlsplit

from eventsourcing.persistence import DatabaseError
from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool, SQLiteFactory
from eventsourcing.utils import Environment, EnvType

from events.errors import StoreError

SQLITE_LOCK_TIMEOUT_SECONDS = 30
#: How long a connection to PostgreSQL may take to be made (libpq counts whole seconds, >= 2).
POSTGRES_CONNECT_TIMEOUT_SECONDS = 5
#: The store format this erasmo writes and the newest it reads. Bump it whenever the tables
#: change or an event class gets a new version, so an older erasmo refuses the store instead of
#: misreading it. 1: portfolios and trades; 2: orders, trading rules and the market clock,
#: splits and dividends, and what-if branches (event types format 1 does not know); 3: reopen,
#: delete and undelete (tombstone events, and the catalog's NameReleased). A store of an older
#: format is stamped with this one when this erasmo opens it.
STORE_FORMAT_VERSION = 3
META_TABLE = "erasmo_meta"
#: Each time a SQLite store is opened its structure is checked: fully (PRAGMA integrity_check,
#: which also compares the index with the table) up to the first size, by PRAGMA quick_check up
#: to the second. That is milliseconds for a typical store and about 0.15 s at either limit.
#: Larger stores get the cheap checks only (header, size, format); `erasmo backup` and
#: `erasmo restore` always check fully.
INTEGRITY_CHECK_MAX_BYTES = 16 * 1024 * 1024
QUICK_CHECK_MAX_BYTES = 64 * 1024 * 1024
#: Before each write to a SQLite store, the disk holding it must have this much space free.
MIN_FREE_BYTES = 4 * 1024 * 1024
SQLITE_MAGIC = b"SQLite format 3\x00"
SQLITE_SIDE_FILES = ("-wal", "-shm")
#: SQLite's primary result codes for the failures erasmo names.
_SQLITE_READONLY, _SQLITE_CORRUPT, _SQLITE_CANTOPEN, _SQLITE_FULL, _SQLITE_NOTADB = (
    8,
    11,
    14,
    13,
    26,
)
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6


class StoreCorruptError(StoreError):
    """The store file is damaged (truncated, overwritten) or is not a SQLite database at all."""


class ForeignStoreError(StoreError):
    """The store file is a SQLite database of another program, not an erasmo store."""


class StoreVersionError(StoreError):
    """The store was written by a newer erasmo, in a format this erasmo cannot read."""


class StoreReadOnlyError(StoreError):
    """The store, or the folder it lives in, cannot be written."""


class StoreFullError(StoreError):
    """The disk (or database) holding the store has no room for another write."""


class DurableSQLiteConnectionPool(SQLiteConnectionPool):
    """eventsourcing's pool, with every connection set to `synchronous=FULL`.

    eventsourcing switches a file store to WAL. In WAL mode SQLite's `synchronous=NORMAL` may lose
    the last committed transactions on power loss; FULL syncs the WAL on every commit, so a
    command erasmo acknowledged survives a crash of the process or the machine.
    """

    def _create_connection(self) -> SQLiteConnection:
        try:
            connection = super()._create_connection()
            cursor = connection.cursor()
            cursor.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error as error:  # e.g. "file is not a database", raised by the PRAGMAs
            raise DatabaseError(error) from error
        return connection


class DurableSQLiteFactory(SQLiteFactory):
    """eventsourcing's SQLite factory using `DurableSQLiteConnectionPool`."""

    def __init__(self, env: Environment | EnvType | None):
        super().__init__(env)
        pool = self.datastore.pool
        self.datastore.pool = DurableSQLiteConnectionPool(
            db_name=pool.db_name, lock_timeout=pool.lock_timeout
        )


@dataclass(frozen=True, slots=True)
class StoreConfig:
    """Which event store to use.

    Attributes:
        kind: "sqlite" or "postgresql".
        path: the SQLite file (sqlite only).
        host, port, user, password, dbname, schema: PostgreSQL connection (postgresql only).
    """

    kind: Literal["sqlite", "postgresql"]
    path: Path | None = None
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""
    dbname: str = ""
    schema: str = "public"

    @classmethod
    def sqlite(cls, path: Path | str) -> StoreConfig:
        """A SQLite file store at `path` (created on first use)."""
        return cls(kind="sqlite", path=Path(path))

    @classmethod
    def from_url(cls, url: str) -> StoreConfig:
        """Parse `postgresql://user:pw@host:port/dbname?schema=s` or `sqlite:///path`."""
        parts = urlsplit(url)
        if parts.scheme in ("postgresql", "postgres"):
            dbname = unquote(parts.path.lstrip("/"))
            if not dbname:
                raise StoreError(
                    f"The store URL {redact(url)!r} names no database: write it as "
                    "postgresql://USER@HOST:PORT/DATABASE."
                )
            query = parse_qs(parts.query)
            try:
                port = parts.port or 5432
            except ValueError:
                raise StoreError(f"The store URL {redact(url)!r} has an invalid port.") from None
            return cls(
                kind="postgresql",
                host=parts.hostname or "127.0.0.1",
                port=port,
                user=unquote(parts.username or "postgres"),
                password=unquote(parts.password or ""),
                dbname=dbname,
                schema=query.get("schema", ["public"])[0],
            )
        if parts.scheme == "sqlite":
            path = unquote(parts.path)
            if not path:
                raise StoreError(f"The store URL {url!r} names no file: write sqlite:///PATH.")
            return cls.sqlite(path)
        raise StoreError(
            f"The store {redact(url)!r} is not a store URL erasmo knows: give a "
            "postgresql://USER@HOST:PORT/DATABASE URL, or leave --store out to use the SQLite "
            "file in the data directory."
        )

    def describe(self) -> str:
        """A one-line, password-free description for status bars and messages."""
        if self.kind == "sqlite":
            return f"SQLite {self.path}"
        return f"PostgreSQL {self.user}@{self.host}:{self.port}/{self.dbname} ({self.schema})"

    def environment(self) -> dict[str, str]:
        """The eventsourcing settings that select this store."""
        if self.kind == "sqlite":
            assert self.path is not None
            self._check_sqlite_file()
            return {
                "PERSISTENCE_MODULE": f"{__name__}:DurableSQLiteFactory",
                "SQLITE_DBNAME": str(self.path),
                "SQLITE_LOCK_TIMEOUT": str(SQLITE_LOCK_TIMEOUT_SECONDS),
            }
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            "POSTGRES_SCHEMA": self.schema,
            "POSTGRES_CONNECT_TIMEOUT": str(POSTGRES_CONNECT_TIMEOUT_SECONDS),
            "POSTGRES_POOL_SIZE": "2",
            "POSTGRES_MAX_OVERFLOW": "4",
            "POSTGRES_LOCK_TIMEOUT": "10",
            # Large saves in chunks, never in one pipelined statement (see events.pgrecorder).
            "APPLICATION_RECORDER_TOPIC": "events.pgrecorder:ChunkedPostgresApplicationRecorder",
        }

    def check_free_space(self) -> None:
        """Refuse, before anything is written, when the disk holding a SQLite store is full."""
        if self.kind != "sqlite":
            return  # the PostgreSQL server reports a full disk itself (StoreFullError)
        assert self.path is not None
        try:
            free = shutil.disk_usage(self.path.parent).free
        except OSError:
            return  # cannot tell: SQLite reports a full disk itself
        if free < MIN_FREE_BYTES:
            raise StoreFullError(
                f"The disk holding {self.path} has only {free // 1024:,} KB free, less than the "
                f"{MIN_FREE_BYTES // (1024 * 1024)} MB erasmo keeps in reserve: nothing was "
                "recorded. Free some space and try again."
            )

    def _check_sqlite_file(self) -> None:
        assert self.path is not None
        path = self.path
        if path.is_dir():
            raise StoreError(f"The store {path} is a folder, not a SQLite file.")
        if not path.parent.exists():
            try:
                make_private_dir(path.parent)
            except OSError as error:
                raise StoreError(
                    f"Cannot create the data directory {path.parent}: {error.strerror}."
                ) from None
        inspect_sqlite_file(path, check="quick", writable=True)
        if not path.exists() or path.stat().st_size == 0:
            self.check_free_space()  # a new store is about to be created
        # Owner-only, like the token: SQLite gives its -wal and -shm files the store's mode.
        for name in (path, *(Path(f"{path}{suffix}") for suffix in SQLITE_SIDE_FILES)):
            with contextlib.suppress(OSError):  # a read-only store was refused above
                make_private_file(name, create=name == path)


def make_private_dir(folder: Path) -> None:
    """Create `folder` owner-only (0700) if missing; an existing one of ours is made so."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _tighten(folder, 0o700)


def make_private_file(path: Path, *, create: bool = True) -> None:
    """Create `path` empty and owner-only (0600) if missing (and `create`); an existing file of
    ours that others may read is made owner-only."""
    if create:
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    _tighten(path, 0o600)


def _tighten(path: Path, mode: int) -> None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return
    if found.st_uid == os.getuid() and found.st_mode & 0o077:
        path.chmod(mode)


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
        tables = {row[0] for row in connection.execute(_SQLITE_TABLES)}
        version = None
        if META_TABLE in tables:
            row = connection.execute(
                _META_SELECT.replace("%s", "?"), ("format_version",)
            ).fetchone()
            version = _format_version(row[0] if row else None, str(path))
        if tables and "stored_events" not in tables:
            raise ForeignStoreError(
                f"{path} is a SQLite database of another program, not an erasmo store (it has "
                f"the tables {', '.join(sorted(tables)[:5])}). Nothing was changed; point "
                "erasmo at another --data-dir, or move the file aside."
            )
        _refuse_newer(version, str(path))
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
        raise _sqlite_failure(error, f"the store {path}", "nothing was changed") from None
    finally:
        if connection is not None:
            connection.close()
        for side in created:
            # Opening a WAL store read-only makes its -wal and -shm files; leave the folder as
            # it was (an empty -wal holds nothing).
            if side.exists() and (side.name.endswith("-shm") or side.stat().st_size == 0):
                side.unlink(missing_ok=True)


_SQLITE_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table'"
_META_SELECT = f"SELECT value FROM {META_TABLE} WHERE key = %s"


def _format_version(raw: object, where: str) -> int:
    try:
        return int(str(raw))
    except ValueError:
        raise StoreCorruptError(
            f"The store {where} records no readable format version ({raw!r}); it is damaged. "
            "Restore it with 'erasmo restore' from a backup or an exported event log."
        ) from None


def _refuse_newer(version: int | None, where: str) -> None:
    if version is not None and version > STORE_FORMAT_VERSION:
        raise StoreVersionError(
            f"The store {where} was written by a newer erasmo (store format {version}; this "
            f"erasmo reads up to {STORE_FORMAT_VERSION}). Update erasmo to open it; nothing "
            "was changed."
        )


def read_format_version(datastore: Any, store: StoreConfig) -> int | None:
    """The format version recorded in an opened store (None: not recorded yet).

    Raises `StoreVersionError` for a store written by a newer erasmo. Writes nothing.
    """
    table = _meta_table(datastore, store)
    with datastore.transaction(commit=False) as cursor:
        if store.kind == "sqlite":
            cursor.execute(f"{_SQLITE_TABLES} AND name = ?", (META_TABLE,))
            if cursor.fetchone() is None:
                return None
            cursor.execute(_META_SELECT.replace("%s", "?"), ("format_version",))
            row = cursor.fetchone()
            raw = row[0] if row else None
        else:
            cursor.execute("SELECT to_regclass(%s) AS meta", (table,))
            if cursor.fetchone()["meta"] is None:
                return None
            cursor.execute(_META_SELECT.replace(META_TABLE, table), ("format_version",))
            row = cursor.fetchone()
            raw = row["value"] if row else None
    if raw is None:
        return None
    version = _format_version(raw, store.describe())
    _refuse_newer(version, store.describe())
    return version


def stamp_format_version(datastore: Any, store: StoreConfig) -> None:
    """Record this erasmo's store format in a store that has none recorded yet."""
    table = _meta_table(datastore, store)
    mark = "?" if store.kind == "sqlite" else "%s"
    with datastore.transaction(commit=True) as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
        )
        cursor.execute(
            f"INSERT INTO {table} (key, value) VALUES ({mark}, {mark}) "
            "ON CONFLICT (key) DO NOTHING",
            ("format_version", str(STORE_FORMAT_VERSION)),
        )


def upgrade_format_version(datastore: Any, store: StoreConfig, found: int) -> None:
    """Stamp a store of an older format `found` with this erasmo's, which reads every older
    one: from now on it may hold events an older erasmo does not know, so that one refuses it."""
    table = _meta_table(datastore, store)
    mark = "?" if store.kind == "sqlite" else "%s"
    with datastore.transaction(commit=True) as cursor:
        cursor.execute(
            f"UPDATE {table} SET value = {mark} WHERE key = {mark} AND value = {mark}",
            (str(STORE_FORMAT_VERSION), "format_version", str(found)),
        )


def _meta_table(datastore: Any, store: StoreConfig) -> str:
    if store.kind == "sqlite":
        return META_TABLE
    schema = str(getattr(datastore, "schema", "") or "public")
    return '"{}".{}'.format(schema.replace('"', '""'), META_TABLE)


def store_failure(error: BaseException, store: StoreConfig, outcome: str) -> StoreError:
    """The named `StoreError` for a failure of the store's database; `outcome` says what it
    means for the user ("the command was not recorded")."""
    cause = error.__cause__ if error.__cause__ is not None else error
    what = f"the event store ({store.describe()})"
    if isinstance(cause, sqlite3.Error):
        return _sqlite_failure(cause, what, outcome)
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate == "53100":
        return StoreFullError(
            f"The disk of the server holding {what} is full, so {outcome}. "
            "Free some space there and try again."
        )
    if sqlstate == "25006":
        return StoreReadOnlyError(f"{_cap(what)} is read-only, so {outcome}.")
    if sqlstate in ("55P03", "57014", "40P01", "40001"):
        return StoreError(
            f"{_cap(what)} was locked by another program for too long, so {outcome}. Try again."
        )
    return StoreError(f"{_cap(what)} failed, so {outcome}: {cause}")


def _sqlite_failure(error: sqlite3.Error, what: str, outcome: str) -> StoreError:
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary == _SQLITE_FULL:
        return StoreFullError(
            f"The disk holding {what} is full, so {outcome}. Free some space and try again."
        )
    if primary == _SQLITE_READONLY:
        return StoreReadOnlyError(f"{_cap(what)} is read-only, so {outcome}. Make it writable.")
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return StoreCorruptError(
            f"{_cap(what)} is damaged ({error}), so {outcome}. Restore it with "
            "'erasmo restore' from a backup or an exported event log."
        )
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return StoreError(
            f"{_cap(what)} was locked by another program for {SQLITE_LOCK_TIMEOUT_SECONDS} s, "
            f"so {outcome}. Try again."
        )
    return StoreError(f"{_cap(what)} failed ({error}), so {outcome}.")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def redact(url: str) -> str:
    """The URL with any password replaced by ***."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def sqlite_version() -> str:
    """The SQLite library version Python links against."""
    return sqlite3.sqlite_version
