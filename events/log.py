"""Bulk reading of the stored event log, in log order, without building a domain object per row.

eventsourcing's notification log builds a `Notification` per row; readers of the whole log (the
export, the analytics event frame, history) only need the raw columns, in batches.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder

RawRow = tuple[int, str, int, str, bytes]


class _Tabled(Protocol):
    events_table_name: str


def events_table(recorder: object) -> str:
    """The table a SQLite or PostgreSQL recorder keeps its events in (its base type does not
    say)."""
    return cast(_Tabled, recorder).events_table_name


@dataclass(frozen=True, slots=True)
class RawEvent:
    """One stored event as recorded.

    Attributes:
        seq: its position in the store's log (the notification id), increasing.
        originator_id: the aggregate it belongs to.
        version: its version within that aggregate, contiguous from 1.
        topic: the event class's topic.
        state: the event's JSON state, exactly as stored.
    """

    seq: int
    originator_id: UUID
    version: int
    topic: str
    state: bytes


class LogReader:
    """Reads rows of an eventsourcing application recorder (SQLite or PostgreSQL) in bulk."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self.recorder = recorder
        self.table = events_table(recorder)
        self.datastore: Any = recorder.datastore  # type: ignore[attr-defined]
        self.is_sqlite = type(recorder).__module__.startswith("eventsourcing.sqlite")

    def rows(
        self,
        *,
        after: int = 0,
        upto: int | None = None,
        originator_id: UUID | None = None,
        topics: Sequence[str] = (),
        batch_size: int = 20_000,
    ) -> Iterator[list[RawRow]]:
        """Batches of (seq, originator id hex, version, topic, state) in log order."""
        while True:
            batch = self._select(after, upto, originator_id, topics, batch_size)
            if not batch:
                return
            yield batch
            if len(batch) < batch_size:
                return
            after = batch[-1][0]

    def json_lines(
        self,
        *,
        after: int = 0,
        upto: int | None = None,
        originator_id: UUID | None = None,
        topics: Sequence[str] = (),
        batch_size: int = 100_000,
    ) -> Iterator[bytes]:
        """Batches of events as JSON Lines, for bulk decoders (one bytes object per batch).

        Each line is {"q": seq, "v": version, "o": originator id hex, "t": topic, "s": state}.
        SQLite builds the batch itself, so no Python object is made per row.
        """
        while True:
            ids = [originator_id] if originator_id is not None else []
            where, params = self._where(after, upto, ids, topics)
            if self.is_sqlite:
                blob, last = self._sqlite_json_lines(where, params, batch_size)
            else:
                rows = self._select(after, upto, originator_id, topics, batch_size)
                blob = b"\n".join(
                    b'{"q":%d,"v":%d,"o":"%s","t":"%s","s":%s}'
                    % (q, v, o.encode(), t.encode(), state)
                    for q, o, v, t, state in rows
                )
                last = rows[-1][0] if rows else None
            if last is None:
                return
            yield blob
            after = last

    def _sqlite_json_lines(
        self, where: str, params: list[Any], limit: int
    ) -> tuple[bytes, int | None]:
        line = (
            """'{"q":' || rowid || ',"v":' || originator_version || ',"o":"' || originator_id"""
            """ || '","t":"' || topic || '","s":' || CAST(state AS TEXT) || '}'"""
        )
        sql = (
            f"SELECT CAST(group_concat(line, char(10)) AS BLOB), MAX(seq) FROM ("
            f"SELECT {line} AS line, rowid AS seq FROM {self.table} WHERE {where} "
            f"ORDER BY rowid LIMIT {int(limit)})"
        )
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(sql, params)
            blob, last = cursor.fetchone()
        return (bytes(blob) if blob is not None else b""), last

    def events(self, **kwargs: Any) -> Iterator[RawEvent]:
        """`rows` as `RawEvent` objects, one at a time."""
        for batch in self.rows(**kwargs):
            for seq, oid, version, topic, state in batch:
                yield RawEvent(seq, UUID(oid), version, topic, state)

    def at_version(self, version: int, topics: Sequence[str]) -> list[RawEvent]:
        """Every aggregate's event `version`, where it has one of `topics`, in log order.

        It walks the primary key (one lookup per aggregate), so its cost grows with the number
        of aggregates, not of events: for an event that can only sit at one version (a fork
        mark right after an opening), finding it never scans the log.
        """
        seq = "rowid" if self.is_sqlite else "notification_id"
        mark = "?" if self.is_sqlite else "%s"
        table = self._table()
        first = f"SELECT originator_id FROM {table}"
        last = "ORDER BY originator_id LIMIT 1"  # MIN() has no uuid form in PostgreSQL
        sql = (
            f"WITH RECURSIVE ids(id) AS (SELECT ({first} {last}) UNION ALL "
            f"SELECT ({first} WHERE originator_id > ids.id {last}) "
            "FROM ids WHERE ids.id IS NOT NULL) "
            f"SELECT e.{seq} AS seq, e.originator_id, e.originator_version, e.topic, e.state "
            f"FROM ids JOIN {table} e ON e.originator_id = ids.id "
            f"AND e.originator_version = {mark} "
            f"WHERE e.topic IN ({', '.join([mark] * len(topics))}) ORDER BY seq"
        )
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(sql, [version, *topics])
            fetched = cursor.fetchall()
        if self.is_sqlite:
            return [RawEvent(r[0], UUID(r[1]), r[2], r[3], r[4]) for r in fetched]
        return [
            RawEvent(
                r["seq"],
                r["originator_id"],
                r["originator_version"],
                r["topic"],
                bytes(r["state"]),
            )
            for r in fetched
        ]

    def head(self) -> int:
        """The latest sequence number (0 for an empty store)."""
        return self.recorder.max_notification_id() or 0

    def position(self, originator_id: UUID, version: int) -> int | None:
        """The log position of an aggregate's event `version` in this store (None: not here)."""
        seq = "rowid" if self.is_sqlite else "notification_id"
        mark = "?" if self.is_sqlite else "%s"
        sql = (
            f"SELECT {seq} AS seq FROM {self._table()} "
            f"WHERE originator_id = {mark} AND originator_version = {mark}"
        )
        key = originator_id.hex if self.is_sqlite else originator_id
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(sql, [key, version])
            row = cursor.fetchone()
        if row is None:
            return None
        return int(row[0] if self.is_sqlite else row["seq"])

    def count(
        self,
        *,
        upto: int | None = None,
        originator_ids: Sequence[UUID] = (),
        topics: Sequence[str] = (),
    ) -> int:
        """How many events the store holds up to `upto`, optionally of some aggregates/topics."""
        where, params = self._where(0, upto, originator_ids, topics)
        sql = f"SELECT COUNT(*) FROM {self._table()} WHERE {where}"
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return int(row[0] if self.is_sqlite else next(iter(row.values())))

    def _table(self) -> str:
        if self.is_sqlite:
            return self.table
        return f'"{self.datastore.schema}"."{self.table}"'

    def _where(
        self,
        after: int,
        upto: int | None,
        originator_ids: Sequence[UUID],
        topics: Sequence[str],
    ) -> tuple[str, list[Any]]:
        seq = "rowid" if self.is_sqlite else "notification_id"
        mark = "?" if self.is_sqlite else "%s"
        where = [f"{seq} > {mark}"]
        params: list[Any] = [after]
        if upto is not None:
            where.append(f"{seq} <= {mark}")
            params.append(upto)
        if originator_ids:
            where.append(f"originator_id IN ({', '.join([mark] * len(originator_ids))})")
            params.extend(i.hex if self.is_sqlite else i for i in originator_ids)
        if topics:
            where.append(f"topic IN ({', '.join([mark] * len(topics))})")
            params.extend(topics)
        return " AND ".join(where), params

    def _select(
        self,
        after: int,
        upto: int | None,
        originator_id: UUID | None,
        topics: Sequence[str],
        limit: int,
    ) -> list[RawRow]:
        seq = "rowid" if self.is_sqlite else "notification_id"
        ids = [originator_id] if originator_id is not None else []
        where, params = self._where(after, upto, ids, topics)
        sql = (
            f"SELECT {seq}, originator_id, originator_version, topic, state "
            f"FROM {self._table()} WHERE {where} ORDER BY {seq} LIMIT {int(limit)}"
        )
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        if self.is_sqlite:
            return [(r[0], r[1], r[2], r[3], r[4]) for r in fetched]
        return [
            (
                r["notification_id"],
                r["originator_id"].hex,
                r["originator_version"],
                r["topic"],
                bytes(r["state"]),
            )
            for r in fetched
        ]
