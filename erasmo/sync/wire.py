"""The JSON the peers exchange, and its strict parsing.

An event travels as eventsourcing's notification-log JSON service writes it
(`eventsourcing.interface.NotificationLogJSONService`): its aggregate id (hex), version, topic
and stored state (base64 of the exact stored bytes), so a peer re-records it byte for byte. A
pushed event is the same object without the log position `id`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from events.errors import ErasmoError

#: The fields of a pushed event.
EVENT_FIELDS = frozenset({"originator_id", "originator_version", "topic", "state"})
MAX_VERSION = 2**53


class WireError(ErasmoError):
    """A request or response body is not what the sync API accepts."""


def loads_strict(data: bytes) -> Any:
    """Parse UTF-8 JSON, refusing NaN, Infinity, floats and duplicate keys."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise WireError("the body is not UTF-8 text") from None
    try:
        return json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_refuse_float,
            object_pairs_hook=_no_duplicates,
        )
    except json.JSONDecodeError as error:
        raise WireError(f"the body is not valid JSON ({error.msg} at {error.pos})") from None
    except RecursionError:
        raise WireError("the body nests too deeply") from None
    except ValueError:  # a whole number longer than Python reads (4,300 digits)
        raise WireError("the body holds a number too long for the sync API") from None


def encode_event(event: StoredEvent) -> dict[str, Any]:
    """A stored event as a pushed event object."""
    oid = event.originator_id
    return {
        "originator_id": oid.hex if isinstance(oid, UUID) else str(oid),
        "originator_version": event.originator_version,
        "topic": event.topic,
        "state": base64.b64encode(event.state).decode("ascii"),
    }


def decode_events(items: object, *, limit: int) -> list[StoredEvent]:
    """Pushed event objects as stored events; `WireError` names the first bad one."""
    if not isinstance(items, list):
        raise WireError("'events' must be a list")
    if len(items) > limit:
        raise WireError(f"at most {limit} events fit in one request, not {len(items)}")
    return [_decode_event(item, n) for n, item in enumerate(items)]


def _decode_event(item: object, n: int) -> StoredEvent:
    if not isinstance(item, dict):
        raise WireError(f"event {n} is not an object")
    if set(item) != EVENT_FIELDS:
        odd = sorted(set(item) ^ EVENT_FIELDS)
        raise WireError(f"event {n} has fields {odd} missing or unknown")
    oid, version = item["originator_id"], item["originator_version"]
    topic, state = item["topic"], item["state"]
    if not isinstance(oid, str) or len(oid) not in (32, 36):
        raise WireError(f"event {n}: originator_id must be a UUID")
    try:
        originator_id = UUID(oid)
    except ValueError:
        raise WireError(f"event {n}: originator_id must be a UUID") from None
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version < MAX_VERSION:
        raise WireError(f"event {n}: originator_version must be a positive whole number")
    if not isinstance(topic, str) or not topic:
        raise WireError(f"event {n}: topic must be text")
    if not isinstance(state, str):
        raise WireError(f"event {n}: state must be base64 text")
    try:
        raw = base64.b64decode(state.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise WireError(f"event {n}: state is not valid base64") from None
    return StoredEvent(originator_id, version, topic, raw)


def batches(events: Sequence[StoredEvent], *, size: int, max_bytes: int) -> list[list[StoredEvent]]:
    """Split events into requests of at most `size` events and about `max_bytes` of state."""
    out: list[list[StoredEvent]] = []
    current: list[StoredEvent] = []
    weight = 0
    for event in events:
        cost = len(event.state) * 4 // 3 + len(event.topic) + 120
        if current and (len(current) >= size or weight + cost > max_bytes):
            out.append(current)
            current, weight = [], 0
        current.append(event)
        weight += cost
    if current:
        out.append(current)
    return out


def _refuse_constant(name: str) -> Any:
    raise WireError(f"the body holds {name}, which is not a number JSON allows")


def _refuse_float(text: str) -> Any:
    raise WireError(f"the body holds the number {text[:20]}; the sync API uses whole numbers")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise WireError("the body repeats a key in one object")
    return obj
