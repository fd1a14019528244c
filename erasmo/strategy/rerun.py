"""Comparing two exported logs of backtests: the same events, wall-clock timestamps and ids
aside (a portfolio's and its orders' ids are random; they are compared by order of first
appearance)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: Fields that carry an id given at random when the event was made.
_ID_FIELDS = ("order_id", "originator_id", "id")


def normalised_events(path: Path) -> list[dict[str, Any]]:
    """The log's events as comparable dicts: type, version and state without the timestamp,
    with each id replaced by the order it first appeared in."""
    ids: dict[str, str] = {}

    def alias(value: Any) -> Any:
        key = value.get("_data_", value) if isinstance(value, dict) else value
        return ids.setdefault(str(key), f"#{len(ids)}")

    events = []
    lines = path.read_text(encoding="utf-8").splitlines()[1:]  # after the header
    for line in lines:
        entry = json.loads(line)
        state = dict(entry["state"])
        state.pop("timestamp", None)
        for name in _ID_FIELDS:
            if name in state:
                state[name] = alias(state[name])
        events.append(
            {
                "portfolio": alias(entry["portfolio"]),
                "version": entry["version"],
                "topic": entry["topic"],
                "state": state,
            }
        )
    return events


#: The event a backtest recorded before it existed lacks (a rerun of one leaves it out).
_STARTED = "StrategyStarted"


def compare_logs(first: Path, second: Path) -> str | None:
    """None when the logs hold the same events (timestamps and ids aside), else the first
    difference in words. A recorded log without a StrategyStarted (a backtest recorded before
    that event existed) is compared with the rerun's other events."""
    a, b = normalised_events(first), normalised_events(second)
    if not any(e["topic"].endswith(_STARTED) for e in a):
        b = [e for e in b if not e["topic"].endswith(_STARTED)]
        for index, event in enumerate(b):  # the versions after it, as the old log has them
            event["version"] = index + 1
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return (
                f"event {index + 1} differs: recorded {x['topic'].rsplit('.', 1)[-1]} "
                f"{x['state']}, rerun {y['topic'].rsplit('.', 1)[-1]} {y['state']}"
            )
    if len(a) != len(b):
        return f"the recorded log has {len(a)} events, the rerun {len(b)}"
    return None
