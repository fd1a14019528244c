"""A PostgreSQL store that cannot be opened says what PostgreSQL said, at once, and what to do:
a missing database, a missing role, nothing listening on the port. Against the real server."""

from __future__ import annotations

import os
import socket
import uuid

import pytest
from cli_runner import Run

from events.application import Portfolios
from events.errors import StoreError
from events.pg_connect import StoreConnectionError
from events.store import StoreConfig

HOST = os.environ.get("ERASMO_TEST_PG_HOST", "127.0.0.1")
PORT = int(os.environ.get("ERASMO_TEST_PG_PORT", "5432"))
DB = os.environ.get("ERASMO_TEST_PG_DB", "test")
USER = os.environ.get("ERASMO_TEST_PG_USER", "postgres")


@pytest.fixture
def pool_opens(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Records every opening of a psycopg pool (the real one still runs): a refusal known on
    the first connection must not wait for the pool's timeout."""
    from psycopg_pool import ConnectionPool

    opened: list[object] = []
    real_open = ConnectionPool.open

    def spy(self: ConnectionPool, *args: object, **kwargs: object) -> None:
        opened.append(self)
        real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ConnectionPool, "open", spy)
    return opened


def closed_port() -> int:
    """A loopback port nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@pytest.mark.postgres
def test_a_missing_database_is_named_at_once(
    run: Run, postgres_available: bool, pool_opens: list[object]
) -> None:
    if not postgres_available:
        pytest.skip("no PostgreSQL server answers (it must under CI)")
    name = f"erasmo_missing_{uuid.uuid4().hex[:8]}"
    code, out, err = run(
        "--store", f"postgresql://{USER}@{HOST}:{PORT}/{name}", "portfolio", "list"
    )
    assert (code, out) == (1, "")
    assert err.strip().endswith(
        f"Cannot open the event store (PostgreSQL {USER}@{HOST}:{PORT}/{name} (public)): "
        f'database "{name}" does not exist. Create it (createdb -h {HOST} -p {PORT} -U {USER} '
        f"{name}), or name an existing database in the store URL (--store or ERASMO_STORE). "
        "Nothing was changed."
    )
    assert pool_opens == []  # said before any pool was opened, so none was waited for


@pytest.mark.postgres
def test_a_missing_role_is_named_at_once(
    run: Run, postgres_available: bool, pool_opens: list[object]
) -> None:
    if not postgres_available:
        pytest.skip("no PostgreSQL server answers (it must under CI)")
    role = f"erasmo_nobody_{uuid.uuid4().hex[:8]}"
    code, _, err = run("--store", f"postgresql://{role}@{HOST}:{PORT}/{DB}", "portfolio", "list")
    assert code == 1
    assert err.strip().endswith(
        f"Cannot open the event store (PostgreSQL {role}@{HOST}:{PORT}/{DB} (public)): "
        f'role "{role}" does not exist. Create that role on the server (createuser -h {HOST} '
        f"-p {PORT} {role}), or name an existing user in the store URL (--store or "
        "ERASMO_STORE). Nothing was changed."
    )
    assert pool_opens == []


def test_nothing_listening_on_the_port_asks_whether_postgresql_runs(
    run: Run, pool_opens: list[object]
) -> None:
    port = closed_port()
    code, _, err = run("--store", f"postgresql://postgres@{HOST}:{port}/test", "portfolio", "list")
    assert code == 1
    assert err.strip().endswith(
        f"Cannot open the event store (PostgreSQL postgres@{HOST}:{port}/test (public)): "
        f"connection refused: is PostgreSQL running on {HOST}:{port}? Start it, or fix the "
        "host and port in the store URL (--store or ERASMO_STORE). Nothing was changed."
    )
    assert pool_opens == []


def test_the_refusal_is_a_named_store_error_with_postgresql_words() -> None:
    port = closed_port()
    store = StoreConfig.from_url(f"postgresql://postgres@{HOST}:{port}/test")
    with pytest.raises(StoreConnectionError) as refused:
        Portfolios(store)
    assert refused.value.reason == f"connection refused: is PostgreSQL running on {HOST}:{port}?"
    assert isinstance(refused.value, StoreError)


@pytest.mark.postgres
def test_a_store_that_opens_still_opens(pg_schema: str, pool_opens: list[object]) -> None:
    store = StoreConfig.from_url(f"postgresql://{USER}@{HOST}:{PORT}/{DB}?schema={pg_schema}")
    app = Portfolios(store)
    try:
        assert app.event_count() == 0
        assert pool_opens  # the spy sees the recorder's pool (so the refusals above opened none)
    finally:
        app.close()
