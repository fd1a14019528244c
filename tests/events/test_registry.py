"""The registry of event types: one entry per stored type, with the fields its event stores, and
the field-by-field check that sync and import run at the door."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from events.errors import EventLogError
from events.portfolio import EVENT_TYPES, EVENT_VERSIONS
from events.registry import (
    BY_TOPIC,
    FIRST_DAY,
    LAST_DAY,
    REGISTRY,
    check_stored_event,
    date_problem,
)

PID = uuid4()
STAMP = {"_type_": "datetime_iso", "_data_": "2026-01-02T10:00:00+00:00"}


def test_every_event_type_has_one_entry_with_the_fields_its_event_stores() -> None:
    assert REGISTRY.keys() == EVENT_TYPES.keys()
    for name, entry in REGISTRY.items():
        annotated = set(EVENT_TYPES[name].__annotations__)
        assert {f.name for f in entry.fields} == annotated, name
        assert entry.version == EVENT_VERSIONS[name]
        assert entry.words
        assert BY_TOPIC[entry.topic] is entry


def deposit(**changes: Any) -> StoredEvent:
    state = {
        "timestamp": STAMP,
        "amount": {"_type_": "decimal_str", "_data_": "1000.00"},
        "on": {"_type_": "date_iso", "_data_": "2015-03-02"},
        **changes,
    }
    return StoredEvent(PID, 2, REGISTRY["CashDeposited"].topic, json.dumps(state).encode())


def test_a_well_formed_event_passes() -> None:
    check_stored_event(deposit())


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"amount": 1000},
            "invalid field 'amount': it must be an encoded decimal such as "
            '"1500.00", not the JSON number 1000',
        ),
        (
            {"amount": "1000"},
            "invalid field 'amount': it must be an encoded decimal such as \"1500.00\", not '1000'",
        ),
        (
            {"amount": {"_type_": "decimal_str", "_data_": "NaN"}},
            "invalid field 'amount': it holds 'NaN', which is not a plain decimal number",
        ),
        (
            {"amount": {"_type_": "decimal_str", "_data_": "1" + "0" * 19}},
            "invalid field 'amount': it holds 10000000000000000000, beyond the largest amount "
            "erasmo takes",
        ),
        (
            {"on": {"_type_": "date_iso", "_data_": "9999-12-31"}},
            "invalid field 'on': it is 9999-12-31, outside the dates erasmo keeps (1900-01-01 to "
            "2100-12-31)",
        ),
        (
            {"on": {"_type_": "date_iso", "_data_": "2015-02-30"}},
            "invalid field 'on': it holds '2015-02-30', which is not a calendar date",
        ),
        (
            {"on": "2015-03-02"},
            "invalid field 'on': it must be an encoded market date (YYYY-MM-DD), not '2015-03-02'",
        ),
        ({"bonus": 1}, "field 'bonus' is not a field of CashDeposited"),
        (
            {"class_version": 99},
            "it is stored in shape version 99, newer than this erasmo reads "
            "(1); update erasmo to take it",
        ),
        ({"class_version": True}, "its shape version true is not a positive whole number"),
        (
            {"amount": 10**40},
            "invalid field 'amount': it must be an encoded decimal such as "
            '"1500.00", not a JSON number of about 40 digits',
        ),
    ],
)
def test_an_event_out_of_shape_is_refused_naming_portfolio_version_type_and_field(
    changes: dict[str, Any], reason: str
) -> None:
    with pytest.raises(EventLogError) as refused:
        check_stored_event(deposit(**changes))
    assert str(refused.value) == (
        f"portfolio {PID} event 2 (CashDeposited) cannot be recorded: {reason}; nothing was "
        "recorded"
    )


def test_a_missing_field_and_a_bad_state_are_refused() -> None:
    state = {"timestamp": STAMP, "on": {"_type_": "date_iso", "_data_": "2015-03-02"}}
    missing = StoredEvent(PID, 2, REGISTRY["CashDeposited"].topic, json.dumps(state).encode())
    with pytest.raises(EventLogError, match="field 'amount' is missing"):
        check_stored_event(missing)
    for state_bytes in (b"[1]", b"{", b'{"a":' + b"9" * 5000 + b"}", b"[" * 100_000):
        bad = StoredEvent(PID, 2, REGISTRY["CashDeposited"].topic, state_bytes)
        with pytest.raises(EventLogError, match=r"not a JSON object|not the JSON of an event"):
            check_stored_event(bad)


def test_an_older_shape_is_checked_with_the_fields_it_had() -> None:
    """A SharesBought v1 (before price_kind) passes; the same state claiming v2 does not."""
    entry = REGISTRY["SharesBought"]
    state: dict[str, Any] = {
        "timestamp": STAMP,
        "ticker": "AAPL",
        "quantity": {"_type_": "decimal_str", "_data_": "1"},
        "price": {"_type_": "decimal_str", "_data_": "10"},
        "value": {"_type_": "decimal_str", "_data_": "10.00"},
        "fee": {"_type_": "decimal_str", "_data_": "0"},
        "on": {"_type_": "date_iso", "_data_": "2015-03-02"},
        "price_source": "bundled:skfolio",
        "price_date": {"_type_": "date_iso", "_data_": "2015-03-02"},
        "price_adjusted": True,
    }
    check_stored_event(StoredEvent(PID, 3, entry.topic, json.dumps(state).encode()))
    state["class_version"] = 2
    with pytest.raises(EventLogError, match="field 'price_kind' is missing"):
        check_stored_event(StoredEvent(PID, 3, entry.topic, json.dumps(state).encode()))


def test_the_calendar_is_inside_what_the_projections_hold() -> None:
    assert date_problem(FIRST_DAY) is None
    assert date_problem(LAST_DAY) is None
    assert date_problem(date(1899, 12, 31)) is not None
    assert date_problem(date(2101, 1, 1)) is not None
    # pandas' nanosecond timestamps run from 1677-09-21 to 2262-04-11
    assert date(1677, 9, 22) < FIRST_DAY
    assert date(2262, 4, 11) > LAST_DAY


def test_every_event_of_the_v1_fixture_log_passes() -> None:
    fixture = Path(__file__).parents[1] / "reliability" / "fixtures" / "v1_log.jsonl"
    lines = fixture.read_text(encoding="utf-8").splitlines()[1:]
    for text in lines:
        line = json.loads(text)
        stored = StoredEvent(
            uuid4(), line["version"], line["topic"], json.dumps(line["state"]).encode()
        )
        check_stored_event(stored)
    assert len(lines) == 5
