"""The stores the suites write to: a SQLite file or a fresh PostgreSQL schema."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from erasmo.market.bundled import BundledMarketData
from events.store import StoreConfig

PG_HOST = os.environ.get("ERASMO_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("ERASMO_TEST_PG_PORT", "5432"))
PG_DB = os.environ.get("ERASMO_TEST_PG_DB", "test")
PG_USER = os.environ.get("ERASMO_TEST_PG_USER", "postgres")


@dataclass(frozen=True, slots=True)
class Target:
    """An event store a suite writes to.

    Attributes:
        kind: "sqlite" or "postgres".
        data_dir: the data directory (the SQLite file lives there; the CLI's cache too).
        url: the PostgreSQL URL (postgres only).
    """

    kind: Literal["sqlite", "postgres"]
    data_dir: Path
    url: str | None = None

    @property
    def path(self) -> Path:
        """The SQLite file (sqlite only)."""
        return self.data_dir / "events.sqlite"

    def config(self) -> StoreConfig:
        if self.kind == "sqlite":
            return StoreConfig.sqlite(self.path)
        assert self.url is not None
        return StoreConfig.from_url(self.url)

    def cli_args(self) -> list[str]:
        """The `erasmo` options that select this store."""
        args = ["--data-dir", str(self.data_dir)]
        return [*args, "--store", self.url] if self.url else args


def pg_url(schema: str) -> str:
    return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_DB}?schema={schema}"


def postgres_answers() -> bool:
    try:
        import psycopg

        with psycopg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=PG_DB, connect_timeout=3
        ):
            return True
    except Exception:
        return False


@contextmanager
def pg_schema() -> Iterator[str]:
    """A fresh PostgreSQL schema, dropped afterwards."""
    import psycopg

    schema = f"erasmo_rel_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=PG_DB) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=PG_DB) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@contextmanager
def fresh_target(kind: str, data_dir: Path) -> Iterator[Target]:
    """An empty store of `kind` ("sqlite" or "postgres") with its data directory."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        yield Target("sqlite", data_dir)
        return
    with pg_schema() as schema:
        yield Target("postgres", data_dir, pg_url(schema))


@cache
def market() -> BundledMarketData:
    """The bundled market data, loaded once per process."""
    return BundledMarketData()
