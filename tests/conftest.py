"""Shared fixtures: real stores (a SQLite file per test, a PostgreSQL schema per test), a fixed
"today", and no network."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from events.application import Portfolios
from events.store import StoreConfig

PG_HOST = os.environ.get("ERASMO_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("ERASMO_TEST_PG_PORT", "5432"))
PG_DB = os.environ.get("ERASMO_TEST_PG_DB", "test")
PG_USER = os.environ.get("ERASMO_TEST_PG_USER", "postgres")
TODAY = date(2026, 11, 26)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--runslow", action="store_true", default=False, help="run the full, slow variants"
    )


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach beyond this machine: connecting anywhere but loopback fails."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith(("127.", "/")) or host in ("localhost", "::1")
        ):
            raise OSError(f"tests must not use the network (tried {address!r})")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's data directory or store, or asks Yahoo.

    yfinance speaks HTTP through curl_cffi (libcurl), which `_no_network` cannot see, so every
    test runs offline; the tests of live prices turn it off and replay recorded answers.
    """
    monkeypatch.setenv("ERASMO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ERASMO_OFFLINE", "1")
    monkeypatch.delenv("ERASMO_STORE", raising=False)
    monkeypatch.delenv("PERSISTENCE_MODULE", raising=False)


def _postgres_answers() -> bool:
    try:
        import psycopg

        with psycopg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=PG_DB, connect_timeout=3
        ):
            return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    answers = _postgres_answers()
    if not answers and os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but PostgreSQL does not answer at {PG_HOST}:{PG_PORT}/{PG_DB}")
    return answers


@pytest.fixture
def pg_schema(postgres_available: bool) -> Iterator[str]:
    """A fresh PostgreSQL schema, dropped afterwards."""
    if not postgres_available:
        pytest.skip(f"no PostgreSQL server answers at {PG_HOST}:{PG_PORT} (it must under CI)")
    import psycopg

    schema = f"erasmo_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=PG_DB) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield schema
    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=PG_DB) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def pg_url(schema: str) -> str:
    return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_DB}?schema={schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreConfig:
    """Each store-contract test runs once per backend."""
    if request.param == "sqlite":
        return StoreConfig.sqlite(tmp_path / "events.sqlite")
    schema = request.getfixturevalue("pg_schema")
    return StoreConfig.from_url(pg_url(schema))


@pytest.fixture
def app(store: StoreConfig) -> Iterator[Portfolios]:
    application = Portfolios(store)
    yield application
    application.close()


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Portfolios]:
    application = Portfolios(StoreConfig.sqlite(tmp_path / "events.sqlite"))
    yield application
    application.close()
