"""The store's format version, recorded in a small `erasmo_meta` table when the store is created.

An erasmo reads every format up to its own and refuses a newer one (`StoreVersionError`), so a
store is never misread by an erasmo older than the events in it.
"""

from __future__ import annotations

from typing import Any, Protocol

from events.store_errors import StoreCorruptError, StoreVersionError

#: The store format this erasmo writes and the newest it reads. Bump it whenever the tables
#: change or an event class gets a new version, so an older erasmo refuses the store instead of
#: misreading it. 1: portfolios and trades; 2: orders, trading rules and the market clock,
#: splits and dividends, and what-if branches (event types format 1 does not know); 3: reopen,
#: delete and undelete (tombstone events, and the catalog's NameReleased); 4: the journal's
#: notes (NoteAdded); 5: a backtest's strategy (StrategyStarted, StrategyStopped). A store of
#: an older format is stamped with this one when this erasmo opens it.
STORE_FORMAT_VERSION = 5
META_TABLE = "erasmo_meta"
SQLITE_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table'"
META_SELECT = f"SELECT value FROM {META_TABLE} WHERE key = %s"


class Store(Protocol):
    """What the format functions need of a store's configuration (`events.store.StoreConfig`)."""

    @property
    def kind(self) -> str: ...

    def describe(self) -> str: ...


def format_version(raw: object, where: str) -> int:
    """The format version `raw` read from the meta table of the store `where`."""
    try:
        return int(str(raw))
    except ValueError:
        raise StoreCorruptError(
            f"The store {where} records no readable format version ({raw!r}); it is damaged. "
            "Restore it with 'erasmo restore' from a backup or an exported event log."
        ) from None


def refuse_newer(version: int | None, where: str) -> None:
    """Raise `StoreVersionError` when `version` is newer than this erasmo reads."""
    if version is not None and version > STORE_FORMAT_VERSION:
        raise StoreVersionError(
            f"The store {where} was written by a newer erasmo (store format {version}; this "
            f"erasmo reads up to {STORE_FORMAT_VERSION}). Update erasmo to open it; nothing "
            "was changed."
        )


def read_format_version(datastore: Any, store: Store) -> int | None:
    """The format version recorded in an opened store (None: not recorded yet).

    Raises `StoreVersionError` for a store written by a newer erasmo. Writes nothing.
    """
    table = _meta_table(datastore, store)
    with datastore.transaction(commit=False) as cursor:
        if store.kind == "sqlite":
            cursor.execute(f"{SQLITE_TABLES} AND name = ?", (META_TABLE,))
            if cursor.fetchone() is None:
                return None
            cursor.execute(META_SELECT.replace("%s", "?"), ("format_version",))
            row = cursor.fetchone()
            raw = row[0] if row else None
        else:
            cursor.execute("SELECT to_regclass(%s) AS meta", (table,))
            if cursor.fetchone()["meta"] is None:
                return None
            cursor.execute(META_SELECT.replace(META_TABLE, table), ("format_version",))
            row = cursor.fetchone()
            raw = row["value"] if row else None
    if raw is None:
        return None
    version = format_version(raw, store.describe())
    refuse_newer(version, store.describe())
    return version


def stamp_format_version(datastore: Any, store: Store) -> None:
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


def upgrade_format_version(datastore: Any, store: Store, found: int) -> None:
    """Stamp a store of an older format `found` with this erasmo's, which reads every older
    one: from now on it may hold events an older erasmo does not know, so that one refuses it."""
    table = _meta_table(datastore, store)
    mark = "?" if store.kind == "sqlite" else "%s"
    with datastore.transaction(commit=True) as cursor:
        cursor.execute(
            f"UPDATE {table} SET value = {mark} WHERE key = {mark} AND value = {mark}",
            (str(STORE_FORMAT_VERSION), "format_version", str(found)),
        )


def _meta_table(datastore: Any, store: Store) -> str:
    if store.kind == "sqlite":
        return META_TABLE
    schema = str(getattr(datastore, "schema", "") or "public")
    return '"{}".{}'.format(schema.replace('"', '""'), META_TABLE)
