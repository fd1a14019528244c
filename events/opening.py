"""Opening a store that other programs may be opening (and setting up) at the same moment."""

from __future__ import annotations

import sqlite3

from eventsourcing.persistence import PersistenceError

#: PostgreSQL errors of two programs creating the store's tables at once: unique_violation,
#: internal_error ("tuple concurrently updated"), duplicate_object, duplicate_table,
#: duplicate_function, deadlock_detected.
_DDL_RACE = {"23505", "XX000", "42710", "42P07", "42723", "40P01"}
#: How long opening keeps retrying while other programs open (and set up) the same store.
OPEN_RACE_SECONDS = 30.0


def opening_race(error: PersistenceError) -> bool:
    """Whether opening failed only because another program is opening the same store.

    On PostgreSQL: another program is creating the same tables, types and functions ("duplicate
    key value", "type ... already exists", "tuple concurrently updated"). On SQLite: another
    connection holds the lock SQLite needs to switch a new file to WAL, which SQLite reports at
    once ("database is locked") instead of waiting. Once the other program is done, opening
    succeeds; nothing was written by the failed attempt.
    """
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) in _DDL_RACE:
        return True
    if isinstance(cause, sqlite3.OperationalError):
        text = str(cause).lower()
        return "locked" in text or "busy" in text
    return False
