"""A store that already holds an event this erasmo cannot read, written straight through the
recorder as an older erasmo (or a damaged disk) could have left it: a `CashDeposited` in shape
version 99, or one whose stored bytes are not JSON, at the end of one portfolio's history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from events.registry import REGISTRY
from reliability.hostile import OPENED, TRADED, day, dec, victim

#: How the stored event is unreadable -> the one-line reason erasmo gives for it.
REASONS = {
    "newer shape": (
        "it is stored in shape version 99, newer than this erasmo reads (1); update erasmo to "
        "take it"
    ),
    "damaged bytes": "its stored state is not the JSON of an event",
}


@dataclass(frozen=True, slots=True)
class Damaged:
    """The damaged portfolio ("Damaged", beside "Honest"), and where its bad event is."""

    portfolio_id: UUID
    version: int
    seq: int
    reason: str


def damaged_store(data_dir: Path, how: str) -> Damaged:
    """An install with "Honest" (opened, bought 10 AAPL) and "Damaged" (opened with 5,000, bought
    5 AAPL, then the unreadable event `how`)."""
    erasmo = victim(data_dir)
    try:
        pid = erasmo.trading.open_portfolio("Damaged", "5000", OPENED)
        erasmo.trading.buy(pid, "AAPL", "5", TRADED)
        head = erasmo.app.recorder.select_events(pid, desc=True, limit=1)[0]
        stamp = json.loads(head.state)["timestamp"]
        if how == "newer shape":
            newer = {"timestamp": stamp, "amount": dec("250.00"), "on": day(TRADED)}
            state = json.dumps({**newer, "class_version": 99}).encode()
        else:
            state = b'{"timestamp": \xff\xfe'
        version = head.originator_version + 1
        topic = REGISTRY["CashDeposited"].topic
        erasmo.app.recorder.insert_events([StoredEvent(pid, version, topic, state)])
        seq = erasmo.app.reader.head()
    finally:
        erasmo.close()
    return Damaged(pid, version, seq, REASONS[how])
