"""The PostgreSQL recorder erasmo uses: eventsourcing's, with large saves sent in chunks.

eventsourcing's recorder sends every event of a save as one array parameter inside a psycopg
pipeline. Past about 18,500 events that pipeline can stall for good (the client waits in `poll`
while the server waits for the rest of the message), holding the events table's lock. Here a
save of any size is one transaction, outside pipeline mode, that takes the table lock once and
inserts the events `CHUNK_EVENTS` at a time: all of them are recorded, or none.

Imported only when the store is PostgreSQL (it needs psycopg).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry

#: Events sent per INSERT statement (a few MB at most for erasmo's events).
CHUNK_EVENTS = 2_000


class ChunkedPostgresApplicationRecorder(PostgresApplicationRecorder):
    """`PostgresApplicationRecorder` whose saves are chunked and never pipelined."""

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return []
        ids: list[int] = []
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._lock_table(curs)
            self._notify_channel(curs)
            for start in range(0, len(stored_events), CHUNK_EVENTS):
                chunk = stored_events[start : start + CHUNK_EVENTS]
                rows = [
                    self.construct_pg_stored_event(
                        e.originator_id, e.originator_version, e.topic, e.state
                    )
                    for e in chunk
                ]
                curs.execute(self.insert_events_statement, (rows,))
                ids.extend(row["notification_id"] for row in curs.fetchall())
        return ids
