"""Reading a PostgreSQL store's events straight into the event frame's columns.

The PostgreSQL counterpart of `columns` (the SQLite column reader), with the same contract. The
server decodes each stored state once (`convert_from(state, 'UTF8')::jsonb`: eventsourcing
keeps it as bytea), extracts the few fields the projections use with jsonb operators (only the
fields each event type has) and hands each column of a batch over as one text of numbers, in one
query per batch; NumPy parses each text in one pass (`columns`). No Python object is made per
event, and no JSON Lines text of the log is built.

It reads only what it can vouch for: when a batch holds an event out of shape (text that is not
UTF-8 or not JSON, a date PostgreSQL cannot read, a field missing, or a decimal or a ticker that
is not a JSON string) it raises `OutOfShapeError` and the caller decodes the store with the
general reader (`source`), which finds the portfolio at fault and leaves it out.
"""

from __future__ import annotations

import functools
from typing import Any
from uuid import UUID

import pandas as pd
from eventsourcing.persistence import DataError

from erasmo.projections.columns import (
    _NO_DAY,
    _NUMBERS,
    _SEPARATOR,
    _TOPIC_CODE,
    OutOfShapeError,
    _among,
    _columns,
    _frame,
    _quoted,
    sqlite_event_frame,
)
from events.application import Portfolios


def has_column_reader(app: Portfolios) -> bool:
    """Whether the store is one a column reader reads (SQLite or PostgreSQL)."""
    return app.reader.is_sqlite or _is_postgres(app)


def column_event_frame(
    app: Portfolios,
    *,
    after: int = 0,
    upto: int | None = None,
    portfolio: UUID | None = None,
    batch_rows: int = 100_000,
) -> pd.DataFrame:
    """The store's column reader's event frame (see `sqlite_event_frame`, `pg_event_frame`)."""
    read = sqlite_event_frame if app.reader.is_sqlite else pg_event_frame
    return read(app, after=after, upto=upto, portfolio=portfolio, batch_rows=batch_rows)


def pg_event_frame(
    app: Portfolios,
    *,
    after: int = 0,
    upto: int | None = None,
    portfolio: UUID | None = None,
    batch_rows: int = 100_000,
) -> pd.DataFrame:
    """Every portfolio event with after < seq <= upto (of one portfolio, if given), in log
    order; raises OutOfShapeError when an event is out of shape (see the module docstring)."""
    if not _is_postgres(app):
        raise OutOfShapeError("not a PostgreSQL store")
    reader = app.reader
    table = f'"{reader.datastore.schema}"."{reader.table}"'
    sql = _query(table, upto is not None, portfolio is not None, batch_rows)
    params: list[Any] = [] if upto is None else [upto]
    if portfolio is not None:
        params.append(portfolio)
    parts: list[dict[str, Any]] = []
    while True:
        try:
            with reader.datastore.transaction(commit=False) as cursor:
                cursor.execute(sql, [after, *params])
                fetched = cursor.fetchone()
        except DataError as error:  # not UTF-8, not JSON, not a date
            raise OutOfShapeError(str(error)) from error
        row = tuple(fetched.values()) if fetched is not None else (0,)
        if not row[0]:
            break
        if row[-1]:
            raise OutOfShapeError("a decimal or a ticker is not a JSON string")
        parts.append(_columns(row[:-1]))  # ids and tickers as codes, as on SQLite
        after = int(row[1])
        if row[0] < batch_rows:
            break
    return _frame(parts)


def _is_postgres(app: Portfolios) -> bool:
    return any(
        kind.__module__.startswith("eventsourcing.postgres")
        for kind in type(app.reader.recorder).__mro__
    )


@functools.lru_cache(maxsize=16)
def _query(table: str, upto: bool, portfolio: bool, limit: int) -> str:
    """The batch query: parameters after, then upto and the portfolio's id when asked for. Its
    row is the SQLite reader's (`columns._query`) and a count of events out of shape."""
    where = ["notification_id > %s"]
    if upto:
        where.append("notification_id <= %s")
    if portfolio:
        where.append("originator_id = %s")
    where.append(f"topic IN ({', '.join(_quoted(t) for t in _TOPIC_CODE)})")
    rows = (  # ORDER BY and LIMIT keep this a subquery: each state is decoded once
        "SELECT notification_id, originator_version, originator_id, topic, "
        f"convert_from(state, 'UTF8')::jsonb AS s FROM {table} WHERE {' AND '.join(where)} "
        f"ORDER BY notification_id LIMIT {int(limit)}"
    )
    code = " ".join(f"WHEN {_quoted(t)} THEN {c}" for t, c in _TOPIC_CODE.items())
    fields = [
        "notification_id AS seq",
        "originator_version AS version",
        "originator_id::text AS oid",
        f"CASE topic {code} END AS code",
        f"coalesce((s->'on'->>'_data_')::date - DATE '1970-01-01', {_NO_DAY}) AS day",
        f"CASE WHEN {_among('ticker')} THEN s->>'ticker' END AS ticker",
    ]
    ticker = "s->'ticker'"
    odd = [f"({_among('ticker')} AND {_not_text(ticker)})"]
    for name in _NUMBERS:
        data = f"s->'{name}'->'_data_'"
        fields.append(
            f"CASE WHEN {_among(name)} THEN coalesce(s->'{name}'->>'_data_', 'nan') "
            f"ELSE 'nan' END AS {name}"
        )
        odd.append(f"({_among(name)} AND {_not_text(data)})")
    fields.append(f"({' OR '.join(odd)}) AS odd")
    outer = [
        "count(*)",
        "max(seq)",
        "string_agg(seq::text, ',')",
        "string_agg(version::text, ',')",
        "string_agg(code::text, ',')",
        "string_agg(day::text, ',')",
        f"string_agg(oid, chr({ord(_SEPARATOR)}))",
        f"string_agg(coalesce(ticker, ''), chr({ord(_SEPARATOR)}))",
        *(f"string_agg({name}, ',')" for name in _NUMBERS),
        "count(*) FILTER (WHERE odd)",
    ]
    named = ", ".join(f"{column} AS c{i}" for i, column in enumerate(outer))  # rows are dicts
    return f"SELECT {named} FROM (SELECT {', '.join(fields)} FROM ({rows}) AS e) AS f"


def _not_text(value: str) -> str:
    """Whether a jsonb value is there and neither a string nor null."""
    return f"coalesce(jsonb_typeof({value}), 'null') NOT IN ('string', 'null')"
