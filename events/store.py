"""Where events are stored: a SQLite file (the default) or a PostgreSQL database.

Both are eventsourcing's own recorders. `StoreConfig.environment()` gives the settings an
eventsourcing application reads; nothing is opened until the application is built.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

from eventsourcing.persistence import DatabaseError
from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool, SQLiteFactory
from eventsourcing.utils import Environment, EnvType

from events.errors import StoreError

SQLITE_LOCK_TIMEOUT_SECONDS = 30


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
            "POSTGRES_CONNECT_TIMEOUT": "5",
            "POSTGRES_POOL_SIZE": "2",
            "POSTGRES_MAX_OVERFLOW": "4",
            "POSTGRES_LOCK_TIMEOUT": "10",
        }

    def _check_sqlite_file(self) -> None:
        assert self.path is not None
        path = self.path
        if path.exists():
            if path.is_dir():
                raise StoreError(f"The store {path} is a folder, not a SQLite file.")
            with path.open("rb") as handle:
                head = handle.read(16)
            if head and head != b"SQLite format 3\x00":
                raise StoreError(
                    f"{path} is not a SQLite database (it may be damaged or another kind of "
                    "file). Move it aside, or restore it from a backup or an exported event log."
                )
        elif not path.parent.exists():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(
                    f"Cannot create the data directory {path.parent}: {error.strerror}."
                ) from None


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
