"""The New York Stock Exchange's calendar (`exchange_calendars`' XNYS), where the bundled files
do not decide it: which days are sessions, which holiday closed the exchange on a weekday, and
when a session closed early.

Used for the last session a Yahoo ticker should have (no false "stale" on a holiday), for the
market calendar after the bundled data ends, and to name a holiday in a refusal ("2024-11-28 is
Thanksgiving Day; the NYSE was closed"). `exchange_calendars` imports pandas and builds its
calendar in about a second, so it is imported and built on first use only, and once.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence
from datetime import date, time
from typing import Any

#: The calendar is built over these years: the bundled data starts in 1990, and a year ahead
#: of today covers any clock.
FIRST_DAY = date(1990, 1, 2)
#: When a regular session ends, New York time.
REGULAR_CLOSE = time(16, 0)
#: The holidays' usual names where `exchange_calendars` shortens them.
NAMES = {
    "Thanksgiving": "Thanksgiving Day",
    "Christmas": "Christmas Day",
    "July 4th": "Independence Day",
    "President's Day": "Washington's Birthday",
    "Dr. Martin Luther King Jr. Day": "Martin Luther King Jr. Day",
    "Juneteenth National Independence Day": "Juneteenth",
}


@functools.cache
def _calendar() -> Any:
    import exchange_calendars as xcals  # about a second with pandas: only when first needed

    with warnings.catch_warnings():  # its use of pandas warns of future changes
        warnings.simplefilter("ignore")
        return xcals.get_calendar("XNYS", start=FIRST_DAY.isoformat())


def _covers(day: date) -> bool:
    calendar = _calendar()
    return bool(calendar.first_session.date() <= day <= calendar.last_session.date())


def is_session(day: date) -> bool:
    """Whether the NYSE traded on `day` (weekdays only outside the calendar's range)."""
    if not _covers(day):
        return day.weekday() < 5
    return bool(_calendar().is_session(day.isoformat()))


def sessions(start: date, end: date) -> list[date]:
    """The NYSE's sessions from `start` to `end`, both included (weekdays where the calendar
    does not reach)."""
    if end < start:
        return []
    calendar = _calendar()
    first, last = calendar.first_session.date(), calendar.last_session.date()
    inside = calendar.sessions_in_range(max(start, first).isoformat(), min(end, last).isoformat())
    days = [stamp.date() for stamp in inside] if start <= last and end >= first else []
    outside = [d for d in _weekdays(start, end) if not first <= d <= last]
    return sorted({*days, *outside})


def _weekdays(start: date, end: date) -> Sequence[date]:
    count = (end - start).days + 1
    return [
        d
        for d in (date.fromordinal(start.toordinal() + i) for i in range(count))
        if d.weekday() < 5
    ]


def holiday(day: date) -> str | None:
    """The name of the holiday that closed the NYSE on weekday `day` ("Thanksgiving Day"), or
    "a special closing" for one without a regular name; None for a session or a weekend."""
    if day.weekday() >= 5 or not _covers(day) or is_session(day):
        return None
    calendar = _calendar()
    names = calendar.regular_holidays.holidays(day.isoformat(), day.isoformat(), return_name=True)
    if len(names):
        name = str(names.iloc[0])
        return NAMES.get(name, name)
    return "a special closing"


def close_time(day: date) -> time | None:
    """When the NYSE's session of `day` closed (New York time): 16:00, earlier on an early
    close; None when `day` was not a session."""
    if not is_session(day):
        return None
    if not _covers(day):
        return REGULAR_CLOSE
    calendar = _calendar()
    close = calendar.session_close(day.isoformat()).tz_convert("America/New_York")
    return time(close.hour, close.minute)


def closed_phrase(day: date) -> str | None:
    """ "2024-11-28 is Thanksgiving Day; the NYSE was closed" for a holiday, else None."""
    name = holiday(day)
    if name is None:
        return None
    return f"{day.isoformat()} is {name}; the NYSE was closed"
