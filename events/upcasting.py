"""Event class versions, and reading events stored in an older shape under the current one.

Every portfolio event class has a `class_version`: the shape its events are stored in. When a
shape changes, the version goes up by one and the class gains `upcast_vN_vN+1(state)`, which turns
a stored vN state into vN+1 in place. eventsourcing calls these when it rebuilds an aggregate;
`upcast_state` does the same for code that reads stored states directly (history, import).

Old events are never rewritten: a store or an exported file keeps them as they were written, so
their hash chain still holds, and they are upcast each time they are read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from events.errors import EventLogError

Upcaster = Callable[[dict[str, Any]], None]


def shares_bought_v1_v2(state: dict[str, Any]) -> None:
    """SharesBought v2 added `price_kind`; every v1 purchase filled at the day's close."""
    state.setdefault("price_kind", "close")


#: (event name, from version) -> the upcaster to the next version.
UPCASTERS: dict[tuple[str, int], Upcaster] = {("SharesBought", 1): shares_bought_v1_v2}


def declare_versions(
    classes: Mapping[str, type],
    versions: Mapping[str, int],
    upcasters: Mapping[tuple[str, int], Upcaster] = UPCASTERS,
) -> None:
    """Give each event class its version and the upcasters from version 1 up to it."""
    for name, cls in classes.items():
        version = versions[name]  # every class must have one: a KeyError is a programming error
        cls.class_version = version  # type: ignore[attr-defined]
        for old in range(1, version):
            upcaster = upcasters[(name, old)]  # and so must every step up to it
            setattr(cls, f"upcast_v{old}_v{old + 1}", staticmethod(upcaster))


def upcast_state(cls: type, state: dict[str, Any]) -> dict[str, Any]:
    """A stored event's fields in the current shape of `cls`, without `class_version`."""
    current: int = getattr(cls, "class_version", 1)
    version = state.pop("class_version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise EventLogError(f"a {cls.__name__} event has an invalid shape version {version!r}")
    if version > current:
        raise EventLogError(
            f"a {cls.__name__} event is stored in shape version {version}, newer than this "
            f"erasmo reads ({current}); update erasmo to read it"
        )
    while version < current:
        getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
        version += 1
    return state
