"""The registry of stored event types: for each, its class, shape version, fields and words.

Whatever enters the store from outside (a sync push, an imported file) is checked here, field by
field, before anything else looks at it: every field its type stores is present, nothing else
is, and each value has its type's encoded shape and lies within its bounds (a decimal is an
encoded decimal, never a JSON number; a date is an ISO date in the calendar erasmo can
project). A state that passes can be decoded, replayed by the aggregate and read by the
projections; the domain's rules (cash, shares, clock) and the market's are checked after this.

Each entry joins a type's schema (`events.schemas`: version, fields, words, how one event reads)
to its class and topic; whatever reads stored events (history, export, check, sync, import) finds
their type here. A test checks that every class of `events.portfolio.EVENT_TYPES` has an entry,
with the fields its event method takes.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from events.describing import Describer
from events.errors import EventLogError
from events.portfolio import EVENT_TYPES, Portfolio
from events.schemas import EVENT_SCHEMAS, Field
from events.values import NAME_MAX_LENGTH

#: The calendar every stored market date must lie in: well inside what the projections can
#: hold (pandas' nanosecond timestamps end in April 2262 and start in 1677). The market checks
#: of `erasmo` narrow this to the market data's own range.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)
#: The largest magnitude an encoded decimal may have at the door.
MAX_DECIMAL = Decimal("1e18")
#: A decimal text this short (sign and point included), without an exponent, cannot exceed
#: `MAX_DECIMAL`.
_SHORT_DECIMAL = 18
#: The most a stored whole number (a version, a log position) may be.
MAX_WHOLE = 2**53
_DECIMAL_TEXT = re.compile(r"-?([0-9]{1,40}(\.[0-9]{0,40})?|\.[0-9]{1,40})(E[-+]?[0-9]{1,2})?")
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_HEX_UUID = re.compile(r"[0-9a-f]{32}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_TICKER = re.compile(r"\^?[A-Z0-9][A-Z0-9.\-]{0,14}")
_PORTFOLIO_TOPIC = get_topic(Portfolio)
#: (type name, shape version) -> the fields such a state stores (computed once each).
_FIELD_NAMES: dict[tuple[str, int], frozenset[str]] = {}
#: Checks one encoded value of a field: what is wrong with it, or None.
Check = Callable[["Field", object], "str | None"]


@dataclass(frozen=True, slots=True)
class EventType:
    """A stored event type: its schema (`events.schemas`) joined to its class.

    Attributes:
        name: the name people see in history and export files ("SharesBought").
        cls: the event class the aggregate triggers.
        version: the shape version this erasmo writes and reads (older ones are upcast).
        fields: the fields its state stores, besides the timestamp every event has.
        words: what the event means, in words.
        label: its short name in the GUI's history table ("Buy").
        describe: one event's details in one line, from its own decoded fields.
    """

    name: str
    cls: type
    version: int
    fields: tuple[Field, ...]
    words: str
    label: str
    describe: Describer

    @property
    def topic(self) -> str:
        """The topic stored events of this type carry."""
        return get_topic(self.cls)

    @property
    def class_version(self) -> int:
        """The shape version its class declares (the same as `version`)."""
        version: int = getattr(self.cls, "class_version", 1)
        return version

    def field_names(self, version: int) -> frozenset[str]:
        """The fields a state of shape `version` stores."""
        key = (self.name, version)
        names = _FIELD_NAMES.get(key)
        if names is None:
            names = _FIELD_NAMES[key] = frozenset(f.name for f in self.fields if f.since <= version)
        return names


def _build() -> dict[str, EventType]:
    registry = {}
    for name, cls in EVENT_TYPES.items():
        s = EVENT_SCHEMAS[name]
        registry[name] = EventType(name, cls, s.version, s.fields, s.words, s.label, s.describe)
    return registry


#: Every stored event type, by name.
REGISTRY: dict[str, EventType] = _build()
#: Every stored event type, by the topic its stored events carry.
BY_TOPIC: dict[str, EventType] = {t.topic: t for t in REGISTRY.values()}
#: Topic -> type name, for every portfolio event (what stored rows and files name them by).
PORTFOLIO_TOPICS: dict[str, str] = {topic: t.name for topic, t in BY_TOPIC.items()}


def describe(type_name: str, fields: Mapping[str, Any]) -> str:
    """One event's details in one line (empty for a type this erasmo does not know)."""
    event_type = REGISTRY.get(type_name)
    return event_type.describe(fields) if event_type is not None else ""


def check_stored_event(stored: StoredEvent, *, outcome: str = "nothing was recorded") -> None:
    """Raise `EventLogError` naming the event (portfolio, version, type, field) unless its
    stored state has exactly the shape its type's schema gives."""
    event_type = BY_TOPIC.get(stored.topic)
    what = f"portfolio {stored.originator_id} event {stored.originator_version}"
    if event_type is None:
        raise EventLogError(f"{what} has the unknown type {stored.topic[:80]!r}; {outcome}")
    problem = state_problem(event_type, stored.state)
    if problem:
        verb = "imported" if "imported" in outcome else "recorded"
        raise EventLogError(f"{what} ({event_type.name}) cannot be {verb}: {problem}; {outcome}")


def unreadable_reason(topic: str, state: bytes, error: BaseException | None = None) -> str:
    """Why this erasmo cannot read a stored event, in one line: its type is unknown, its state
    is out of its type's shape (a newer shape version, a damaged byte), or it failed to decode."""
    event_type = BY_TOPIC.get(topic)
    if event_type is None:
        return f"its type {topic[:80]!r} is unknown to this erasmo"
    problem = state_problem(event_type, state)
    if problem:
        return problem
    detail = " ".join(str(error).split())[:200] if error is not None else "no reason given"
    return f"its stored state cannot be decoded ({detail})"


def stored_moments(state: bytes) -> tuple[date | None, datetime | None]:
    """The market date and timestamp an unreadable stored state holds, where they can be read."""
    try:
        parsed = json.loads(state)
    except (ValueError, RecursionError):
        return None, None
    if not isinstance(parsed, dict):
        return None, None
    day = stamp = None
    text = _encoded(parsed.get("on"), "date_iso")
    if text is not None and _DATE_TEXT.fullmatch(text):
        with contextlib.suppress(ValueError):
            day = date.fromisoformat(text)
    text = _encoded(parsed.get("timestamp"), "datetime_iso")
    if text is not None and len(text) <= 40:
        with contextlib.suppress(ValueError):
            stamp = datetime.fromisoformat(text)
    return day, stamp


def state_problem(event_type: EventType, state: bytes | dict[str, Any]) -> str | None:
    """What is wrong with a stored state of `event_type` (None when it has the right shape)."""
    if isinstance(state, bytes):
        try:
            parsed = json.loads(state)
        except (ValueError, RecursionError):  # bad JSON, a huge whole number, deep nesting
            return "its stored state is not the JSON of an event"
    else:
        parsed = state
    if not isinstance(parsed, dict):
        return "its stored state is not a JSON object"
    version = parsed.get("class_version", 1)
    if not _whole(version) or version < 1:
        return f"its shape version {_shown(version)} is not a positive whole number"
    if version > event_type.version:
        return (
            f"it is stored in shape version {version}, newer than this erasmo reads "
            f"({event_type.version}); update erasmo to take it"
        )
    expected = event_type.field_names(version) | {"timestamp"}
    # an older shape may already carry a later field (its upcaster then keeps it)
    allowed = event_type.field_names(event_type.version) | {"timestamp", "class_version"}
    if event_type.name == "PortfolioOpened":
        expected |= {"originator_topic"}
        allowed |= {"originator_topic"}
        if parsed.get("originator_topic") != _PORTFOLIO_TOPIC:
            return "it opens something other than a portfolio (not a portfolio event)"
    missing = sorted(expected - set(parsed))
    if missing:
        return f"field {missing[0]!r} is missing"
    extra = sorted(set(parsed) - allowed)
    if extra:
        return f"field {extra[0][:40]!r} is not a field of {event_type.name}"
    problem = _timestamp_problem(parsed["timestamp"])
    if problem:
        return f"invalid field 'timestamp': it {problem}"
    for field in event_type.fields:
        if field.name not in parsed:
            continue
        problem = value_problem(field, parsed[field.name])
        if problem:
            return f"invalid field {field.name!r}: it {problem}"
    return None


def value_problem(field: Field, value: object) -> str | None:
    """What is wrong with one encoded value of `field` (None when it is fine)."""
    if value is None:
        return None if field.optional else "is null but must have a value"
    check: Check = _CHECKS[field.kind]
    return check(field, value)


def _encoded(value: object, type_name: str) -> str | None:
    """The `_data_` text of an eventsourcing-encoded value of `type_name`, else None."""
    if isinstance(value, dict) and len(value) == 2 and value.get("_type_") == type_name:
        data = value.get("_data_")
        return data if isinstance(data, str) else None
    return None


def _decimal(field: Field, value: object) -> str | None:
    text = _encoded(value, "decimal_str")
    if text is None:
        return f'must be an encoded decimal such as "1500.00", not {_shown(value)}'
    if not _DECIMAL_TEXT.fullmatch(text):
        return f"holds {text[:30]!r}, which is not a plain decimal number"
    if len(text) <= _SHORT_DECIMAL and "E" not in text:  # too short to exceed the bound
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern only admits valid decimals
        return f"holds {text[:30]!r}, which is not a number"
    if abs(number) > MAX_DECIMAL:
        return f"holds {text[:30]}, beyond the largest amount erasmo takes"
    return None


def _date(field: Field, value: object) -> str | None:
    text = _encoded(value, "date_iso")
    if text is None or not _DATE_TEXT.fullmatch(text):
        return f"must be an encoded market date (YYYY-MM-DD), not {_shown(value)}"
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return f"holds {text!r}, which is not a calendar date"
    return date_problem(day)


def date_problem(day: date) -> str | None:
    """Why a market date cannot be stored (None when it lies in erasmo's calendar)."""
    if not FIRST_DAY <= day <= LAST_DAY:
        return (
            f"is {day.isoformat()}, outside the dates erasmo keeps "
            f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})"
        )
    return None


def _timestamp_problem(value: object) -> str | None:
    text = _encoded(value, "datetime_iso")
    if text is None or len(text) > 40:
        return f"must be an encoded ISO date and time, not {_shown(value)}"
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return f"holds {text!r}, which is not a date and time"
    if not 1970 <= stamp.year <= LAST_DAY.year:
        return f"holds {text!r}, outside 1970 to {LAST_DAY.year}"
    return None


def _text(field: Field, value: object) -> str | None:
    if not isinstance(value, str):
        return f"must be text, not {_shown(value)}"
    if field.choices and value not in field.choices:
        return f"is {value[:40]!r}, not one of {', '.join(sorted(field.choices))}"
    if len(value) > field.max_length:
        return f"has {len(value)} characters; the most is {field.max_length}"
    lines = value.replace("\n", "").replace("\t", "") if field.kind == "lines" else value
    if not lines.isprintable():
        return "holds a character that cannot be printed"
    return None


def _pattern(pattern: re.Pattern[str], example: str) -> Check:
    def check(field: Field, value: object) -> str | None:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            return f"must be {example}, not {_shown(value)}"
        return None

    return check


def _name(field: Field, value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"must be a portfolio name, not {_shown(value)}"
    if value != value.strip() or len(value) > NAME_MAX_LENGTH or not value.isprintable():
        return f"is not a portfolio name of 1 to {NAME_MAX_LENGTH} printable characters"
    return None


def _uuid(field: Field, value: object) -> str | None:
    text = _encoded(value, "uuid_hex")
    if text is None or not _HEX_UUID.fullmatch(text):
        return f"must be an encoded portfolio id, not {_shown(value)}"
    UUID(text)
    return None


def _whole_number(field: Field, value: object) -> str | None:
    if not _whole(value) or not 1 <= value < MAX_WHOLE:  # type: ignore[operator]
        return f"must be a positive whole number, not {_shown(value)}"
    return None


def _bool(field: Field, value: object) -> str | None:
    return None if isinstance(value, bool) else f"must be true or false, not {_shown(value)}"


_CHECKS: dict[str, Check] = {
    "decimal": _decimal,
    "date": _date,
    "text": _text,
    "lines": _text,  # text of several lines (a strategy's source): tabs and newlines too
    "ticker": _pattern(_TICKER, "an upper-case ticker symbol such as AAPL"),
    "currency": _pattern(_CURRENCY, "a three-letter ISO currency code such as USD"),
    "name": _name,
    "uuid": _uuid,
    "whole": _whole_number,
    "bool": _bool,
}


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _shown(value: object) -> str:
    """A short description of a value, for a message (never the whole of a hostile one)."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        if abs(value) < 10**30:
            return f"the JSON number {value}"
        return f"a JSON number of about {int(value.bit_length() * 0.30103)} digits"
    if isinstance(value, str):
        return repr(value[:30]) + ("…" if len(value) > 30 else "")
    if isinstance(value, dict):
        return "a JSON object" if "_type_" not in value else f"a {str(value['_type_'])[:20]}"
    return f"a JSON {type(value).__name__}"
