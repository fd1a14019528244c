"""Reading a SQLite store's events straight into the event frame's columns.

SQLite extracts the few fields the projections use from each stored JSON state (`json_extract`,
in C, reading only the fields each event type has) and hands each column of a batch over as one
text of numbers, which NumPy parses in one pass: no Python object is made per event, and
nothing (no JSON Lines text of the whole log, no Arrow table) is held beside the columns.

It reads only what it can vouch for: when a batch holds an event out of shape (a field missing
or not an encoded decimal, a date the frame cannot hold, text that is not UTF-8) it gives up and
the caller decodes the store with the general reader (`source`), which finds the portfolio at
fault and leaves it out.
"""

from __future__ import annotations

import functools
import sqlite3
import warnings
from typing import Any, Final
from uuid import UUID

import numpy as np
import pandas as pd

from erasmo.projections.frame import (
    BOUGHT,
    DEPOSITED,
    DIVIDEND,
    EVENT_COLUMNS,
    EVENT_TYPE_DTYPE,
    MARGIN_CHARGED,
    SOLD,
    SPLIT,
    WITHDRAWN,
    Ints,
    empty_event_frame,
)
from events.application import Portfolios
from events.portfolio import PORTFOLIO_TOPICS

_SEPARATOR: Final = "\x1f"  # between texts (tickers, ids) in one column's text
_NUMBERS: Final = ("quantity", "price", "value", "fee", "amount", "ratio", "amount_per_share")
#: The event types whose state has each field the projections read (others are left NaN).
_HAVE: Final = {
    "ticker": (BOUGHT, SOLD, SPLIT, DIVIDEND),
    "quantity": (BOUGHT, SOLD, DIVIDEND),
    "price": (BOUGHT, SOLD),
    "value": (BOUGHT, SOLD),
    "fee": (BOUGHT, SOLD),
    "amount": (DEPOSITED, WITHDRAWN, DIVIDEND, MARGIN_CHARGED),
    "ratio": (SPLIT,),
    "amount_per_share": (DIVIDEND,),
}
#: Fields an event of each type must carry as an encoded decimal: a batch where one is missing
#: (or is not an encoded decimal) is left to the general reader.
_REQUIRED: Final = {
    BOUGHT: ("quantity", "price", "value"),
    SOLD: ("quantity", "price", "value"),
    DEPOSITED: ("amount",),
    WITHDRAWN: ("amount",),
    DIVIDEND: ("quantity", "amount", "amount_per_share"),
    MARGIN_CHARGED: ("amount",),
    SPLIT: ("ratio",),
}
_CODE: Final = {
    name: EVENT_TYPE_DTYPE.categories.get_loc(name) for name in EVENT_TYPE_DTYPE.categories
}
_TOPIC_CODE: Final = {topic: _CODE[name] for topic, name in PORTFOLIO_TOPICS.items()}
#: datetime64[ns] holds the days from 1677-09-22 to 2262-04-11.
_FIRST_DAY, _LAST_DAY = -106_751, 106_750
_NO_DAY: Final = -(2**40)


class OutOfShapeError(Exception):
    """A batch holds an event this reader cannot vouch for (the general reader takes over)."""


def sqlite_event_frame(
    app: Portfolios,
    *,
    after: int = 0,
    upto: int | None = None,
    portfolio: UUID | None = None,
    batch_rows: int = 100_000,
) -> pd.DataFrame:
    """Every portfolio event with after < seq <= upto (of one portfolio, if given), in log
    order; raises OutOfShapeError when an event is out of shape (see the module docstring)."""
    reader = app.reader
    sql = _query(reader.table, upto is not None, portfolio is not None, batch_rows)
    params: list[Any] = [] if upto is None else [upto]
    if portfolio is not None:
        params.append(portfolio.hex)
    parts: list[dict[str, Any]] = []
    with reader.datastore.transaction(commit=False) as cursor:
        while True:
            try:
                cursor.execute(sql, [after, *params])
                row = cursor.fetchone()
            except (sqlite3.OperationalError, sqlite3.DataError) as error:  # bad JSON or UTF-8
                raise OutOfShapeError(str(error)) from error
            if row is None or not row[0]:
                break
            parts.append(_columns(row))
            after = int(row[1])
            if row[0] < batch_rows:
                break
    return _frame(parts)


@functools.lru_cache(maxsize=16)
def _query(table: str, upto: bool, portfolio: bool, limit: int) -> str:
    """The batch query: parameters after, then upto and the portfolio's id when asked for."""
    where = ["rowid > ?"]
    if upto:
        where.append("rowid <= ?")
    if portfolio:
        where.append("originator_id = ?")
    topics = ", ".join(_quoted(t) for t in _TOPIC_CODE)
    where.append(f"topic IN ({topics})")
    code = " ".join(f"WHEN {_quoted(t)} THEN {c}" for t, c in _TOPIC_CODE.items())
    fields = [
        "rowid AS seq",
        "originator_version AS version",
        "originator_id AS oid",
        f"CASE topic {code} END AS code",
        "ifnull(CAST(julianday(json_extract(state, '$.on._data_')) - 2440587.5 AS INTEGER), "
        f"{_NO_DAY}) AS day",
        f"CASE WHEN {_among('ticker')} THEN json_extract(state, '$.ticker') END AS ticker",
    ]
    for name in _NUMBERS:
        fields.append(
            f"CASE WHEN {_among(name)} THEN ifnull(json_extract(state, '$.{name}._data_'), "
            f"'nan') ELSE 'nan' END AS {name}"
        )
    inner = (
        f"SELECT {', '.join(fields)} FROM {table} WHERE {' AND '.join(where)} "
        f"ORDER BY rowid LIMIT {int(limit)}"
    )
    sep = f"char({ord(_SEPARATOR)})"
    outer = [
        "count(*)",
        "max(seq)",
        "group_concat(seq)",
        "group_concat(version)",
        "group_concat(code)",
        "group_concat(day)",
        f"group_concat(oid, {sep})",
        f"group_concat(ifnull(ticker, ''), {sep})",
        *(f"group_concat({name})" for name in _NUMBERS),
    ]
    return f"SELECT {', '.join(outer)} FROM ({inner})"


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _among(field: str) -> str:
    topics = ", ".join(_quoted(t) for t, name in PORTFOLIO_TOPICS.items() if name in _HAVE[field])
    return f"topic IN ({topics})"


def _numbers(text: str | None, count: int, dtype: type = np.float64) -> np.ndarray[Any, Any]:
    """A column's text of comma-separated numbers, parsed in one pass."""
    if count == 0:
        return np.zeros(0, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # what NumPy says of a bad number
        try:
            values: np.ndarray[Any, Any] = np.fromstring(str(text), dtype=dtype, sep=",")
        except (DeprecationWarning, ValueError) as error:
            raise OutOfShapeError(str(error)) from error
    if len(values) != count:
        raise OutOfShapeError("a column lost a value")
    return values


def _columns(row: tuple[Any, ...]) -> dict[str, Any]:
    """One batch's columns from its row of texts (see `_query`)."""
    count = int(row[0])
    seq = _numbers(row[2], count, np.int64)
    columns: dict[str, Any] = {
        "seq": seq,
        "version": _numbers(row[3], count, np.int64),
        "code": _numbers(row[4], count, np.int64).astype(np.int8),
        "day": _numbers(row[5], count, np.int64),
        "oid": _coded(str(row[6]).split(_SEPARATOR)),
        "ticker": _coded(str(row[7]).split(_SEPARATOR)),
    }
    for position, name in enumerate(_NUMBERS, start=8):
        columns[name] = _numbers(row[position], count)
    days = columns["day"]
    if bool(((days < _FIRST_DAY) | (days > _LAST_DAY)).any()):
        raise OutOfShapeError("an event has no date, or one the frame cannot hold")
    if len(columns["oid"][0]) != count or len(columns["ticker"][0]) != count:
        raise OutOfShapeError("a text column lost a value")
    for name, needed in _REQUIRED.items():
        rows = columns["code"] == _CODE[name]
        for field in needed:
            if bool(np.isnan(columns[field][rows]).any()):
                raise OutOfShapeError(f"a {name} event has no {field}")
    if len(seq) > 1 and not bool((seq[1:] > seq[:-1]).all()):
        order = np.argsort(seq, kind="stable")
        for name, values in columns.items():
            columns[name] = (values[0][order], values[1]) if name in _TEXTS else values[order]
    return columns


_TEXTS: Final = ("oid", "ticker")


def _coded(texts: list[str]) -> tuple[Ints, list[str]]:
    """A batch's texts as codes into its distinct texts (the texts themselves are not kept: at
    a million events they would take more memory than every other column together)."""
    codes, uniques = pd.factorize(np.array(texts, dtype=object))
    return codes.astype(np.int64, copy=False), [str(u) for u in uniques]


def _frame(parts: list[dict[str, Any]]) -> pd.DataFrame:
    """The event frame of the batches' columns (each column joined, then the parts freed)."""
    if not parts:
        return empty_event_frame()

    def joined(name: str) -> np.ndarray[Any, Any]:
        return np.concatenate([part.pop(name) for part in parts])

    def labels(name: str, label: Any) -> pd.Series[Any]:
        known: dict[str, int] = {}
        coded = []
        for part in parts:  # each batch's codes, into codes of the distinct texts of all
            codes, uniques = part.pop(name)
            where = np.array([known.setdefault(u, len(known)) for u in uniques], dtype=np.int64)
            coded.append(where[codes])
        names = np.array([label(u) for u in known] + [None], dtype=object)
        return pd.Series(names[np.concatenate(coded)], dtype=object, copy=False)

    price = joined("price")
    per_share = joined("amount_per_share")
    frame = pd.DataFrame(
        {
            "seq": joined("seq"),
            "portfolio": labels("oid", lambda hex_id: str(UUID(hex_id))),
            "version": joined("version"),
            "type": pd.Categorical.from_codes(joined("code"), dtype=EVENT_TYPE_DTYPE),
            "on": _days(joined("day")),
            "ticker": labels("ticker", lambda name: name or None),
            "quantity": joined("quantity"),
            "price": np.where(np.isnan(price), per_share, price),
            "value": joined("value"),
            "fee": np.nan_to_num(joined("fee"), nan=0.0),
            "amount": joined("amount"),
            "ratio": joined("ratio"),
        },
        copy=False,
    )
    assert list(frame.columns) == list(EVENT_COLUMNS)
    return frame


def _days(days: Ints) -> np.ndarray[Any, Any]:
    return days.astype("datetime64[D]").astype("datetime64[ns]")
