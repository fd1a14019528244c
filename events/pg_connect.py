"""Connecting to a PostgreSQL store's server once, directly, to say at once why it refuses.

eventsourcing's recorder connects through a psycopg pool, which retries in the background and
only reports "couldn't get a connection" once its timeout has passed. A missing database or
role, or a server that is not running, is known on the first attempt: `check_postgres_server`
names it, with what to do.
"""

from __future__ import annotations

import re

from events.errors import StoreError
from events.store import POSTGRES_CONNECT_TIMEOUT_SECONDS, StoreConfig


class StoreConnectionError(StoreError):
    """The PostgreSQL server cannot be reached, or refuses the login or the database named.

    Attributes:
        reason: what PostgreSQL (or the network) said, in a few words.
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def check_postgres_server(store: StoreConfig) -> None:
    """Connect to the store's PostgreSQL server once and close the connection; raise
    `StoreConnectionError`, naming what PostgreSQL said and what to do, if that fails."""
    import psycopg  # eventsourcing's PostgreSQL driver, loaded only for a PostgreSQL store

    try:
        connection = psycopg.connect(
            host=store.host,
            port=store.port,
            user=store.user,
            password=store.password,
            dbname=store.dbname,
            connect_timeout=POSTGRES_CONNECT_TIMEOUT_SECONDS,
        )
    except psycopg.Error as error:
        raise _connection_failure(store, str(error)) from None
    connection.close()


_WHERE = "the store URL (--store or ERASMO_STORE)"


def _connection_failure(store: StoreConfig, said: str) -> StoreConnectionError:
    """The named error for what libpq said when a connection to `store` failed."""
    server = f"{store.host}:{store.port}"
    found = re.search(r"FATAL:\s+(.+)", said)
    detail = (found.group(1) if found else said.split(" failed: ", 1)[-1]).splitlines()[0].strip()
    lowered = said.lower()
    if re.search(r'database ".*" does not exist', detail):
        reason = detail
        advice = (
            f"Create it (createdb -h {store.host} -p {store.port} -U {store.user} "
            f"{store.dbname}), or name an existing database in {_WHERE}."
        )
    elif re.search(r'role ".*" does not exist', detail):
        reason = detail
        advice = (
            f"Create that role on the server (createuser -h {store.host} -p {store.port} "
            f"{store.user}), or name an existing user in {_WHERE}."
        )
    elif "password authentication failed" in lowered or "no password supplied" in lowered:
        reason = detail
        advice = f"Give the right password in {_WHERE}: postgresql://USER:PASSWORD@HOST:PORT/DB."
    elif "connection refused" in lowered:
        reason = f"connection refused: is PostgreSQL running on {server}?"
        advice = f"Start it, or fix the host and port in {_WHERE}."
    elif "timeout expired" in lowered:
        reason = f"no answer from {server} within {POSTGRES_CONNECT_TIMEOUT_SECONDS} s"
        advice = f"Check that the server is up and reachable, or fix the host and port in {_WHERE}."
    elif "could not translate host name" in lowered or "failed to resolve host" in lowered:
        reason = f"the host name {store.host!r} is not known"
        advice = f"Fix the host in {_WHERE}."
    else:
        reason = detail
        advice = f"Check {_WHERE} and the server's settings."
    stop = "" if reason.endswith(("?", ".")) else "."
    return StoreConnectionError(
        f"Cannot open the event store ({store.describe()}): {reason}{stop} {advice} Nothing "
        "was changed.",
        reason,
    )
