"""The named errors of the event store, and what a failure of SQLite's means for the user.

Each says what went wrong and what to do; `events.store.store_failure` picks one for any failure
of the store's database (SQLite or PostgreSQL).
"""

from __future__ import annotations

import sqlite3

from events.errors import StoreError

SQLITE_LOCK_TIMEOUT_SECONDS = 30
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


def sqlite_failure(error: sqlite3.Error, what: str, outcome: str) -> StoreError:
    """The named `StoreError` for SQLite's `error` about `what` ("the store PATH"); `outcome`
    says what it means for the user ("nothing was changed")."""
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary == _SQLITE_FULL:
        return StoreFullError(
            f"The disk holding {what} is full, so {outcome}. Free some space and try again."
        )
    if primary == _SQLITE_READONLY:
        return StoreReadOnlyError(
            f"{capitalized(what)} is read-only, so {outcome}. Make it writable."
        )
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return StoreCorruptError(
            f"{capitalized(what)} is damaged ({error}), so {outcome}. Restore it with "
            "'erasmo restore' from a backup or an exported event log."
        )
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return StoreError(
            f"{capitalized(what)} was locked by another program for "
            f"{SQLITE_LOCK_TIMEOUT_SECONDS} s, so {outcome}. Try again."
        )
    return StoreError(f"{capitalized(what)} failed ({error}), so {outcome}.")


def capitalized(text: str) -> str:
    """`text` with its first letter upper-case (the rest as it was)."""
    return text[:1].upper() + text[1:]
