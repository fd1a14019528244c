"""Where events are stored: a SQLite file (the default) or a PostgreSQL database.

Both are eventsourcing's own recorders. `StoreConfig.environment()` gives the settings an
eventsourcing application reads; nothing is opened until the application is built.

A store records its format version in a small `erasmo_meta` table, written when it is created
(`events.store_format`). Before anything is written, an existing SQLite file is checked
read-only (`events.store_sqlite`): a damaged, foreign or newer-format file, a read-only folder or
a full disk is refused with one sentence (`events.store_errors`) and left as it was.

This module is the store's one import path: it re-exports what those modules offer.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

from eventsourcing.utils import get_topic

from events.errors import StoreError
from events.store_errors import (
    SQLITE_LOCK_TIMEOUT_SECONDS,
    ForeignStoreError,
    StoreCorruptError,
    StoreFullError,
    StoreReadOnlyError,
    StoreVersionError,
    capitalized,
    sqlite_failure,
)
from events.store_files import make_private_dir, make_private_file
from events.store_format import (
    META_TABLE,
    STORE_FORMAT_VERSION,
    read_format_version,
    stamp_format_version,
    upgrade_format_version,
)
from events.store_sqlite import (
    INTEGRITY_CHECK_MAX_BYTES,
    QUICK_CHECK_MAX_BYTES,
    SQLITE_MAGIC,
    SQLITE_SIDE_FILES,
    DurableSQLiteConnectionPool,
    DurableSQLiteFactory,
    ScratchSQLiteFactory,
    inspect_sqlite_file,
)

__all__ = [
    "INTEGRITY_CHECK_MAX_BYTES",
    "META_TABLE",
    "MIN_FREE_BYTES",
    "POSTGRES_CONNECT_TIMEOUT_SECONDS",
    "QUICK_CHECK_MAX_BYTES",
    "SQLITE_LOCK_TIMEOUT_SECONDS",
    "SQLITE_MAGIC",
    "SQLITE_SIDE_FILES",
    "STORE_FORMAT_VERSION",
    "DurableSQLiteConnectionPool",
    "DurableSQLiteFactory",
    "ForeignStoreError",
    "StoreConfig",
    "StoreCorruptError",
    "StoreError",
    "StoreFullError",
    "StoreReadOnlyError",
    "StoreVersionError",
    "inspect_sqlite_file",
    "make_private_dir",
    "make_private_file",
    "read_format_version",
    "redact",
    "sqlite_version",
    "stamp_format_version",
    "store_failure",
    "upgrade_format_version",
]

#: How long a connection to PostgreSQL may take to be made (libpq counts whole seconds, >= 2).
POSTGRES_CONNECT_TIMEOUT_SECONDS = 5
#: Before each write to a SQLite store, the disk holding it must have this much space free.
MIN_FREE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class StoreConfig:
    """Which event store to use.

    Attributes:
        kind: "sqlite" or "postgresql".
        path: the SQLite file (sqlite only).
        host, port, user, password, dbname, schema: PostgreSQL connection (postgresql only).
        durable: False for a scratch SQLite file thrown away after use (a backtest's run,
            `sqlite:///PATH?durable=no`): its commits are not synced to the disk.
    """

    kind: Literal["sqlite", "postgresql"]
    path: Path | None = None
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""
    dbname: str = ""
    schema: str = "public"
    durable: bool = True

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
            scratch = parse_qs(parts.query).get("durable", ["yes"])[0] == "no"
            return replace(cls.sqlite(path), durable=not scratch)
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
                "PERSISTENCE_MODULE": get_topic(
                    DurableSQLiteFactory if self.durable else ScratchSQLiteFactory
                ),
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


def store_failure(error: BaseException, store: StoreConfig, outcome: str) -> StoreError:
    """The named `StoreError` for a failure of the store's database; `outcome` says what it
    means for the user ("the command was not recorded")."""
    cause = error.__cause__ if error.__cause__ is not None else error
    what = f"the event store ({store.describe()})"
    if isinstance(cause, sqlite3.Error):
        return sqlite_failure(cause, what, outcome)
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate == "53100":
        return StoreFullError(
            f"The disk of the server holding {what} is full, so {outcome}. "
            "Free some space there and try again."
        )
    if sqlstate == "25006":
        return StoreReadOnlyError(f"{capitalized(what)} is read-only, so {outcome}.")
    if sqlstate in ("55P03", "57014", "40P01", "40001"):
        return StoreError(
            f"{capitalized(what)} was locked by another program for too long, so {outcome}. "
            "Try again."
        )
    return StoreError(f"{capitalized(what)} failed, so {outcome}: {cause}")


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
