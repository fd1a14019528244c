"""Reading a store's events into the event frame at the speed of the JSON parser.

The store hands over its rows in batches (`LogReader.rows`); each stored state is parsed once
by orjson, and the few fields the projections use go straight into typed columns
(`array.array`: eight bytes a value, no Python object kept per event). The portfolio ids and
tickers are kept as small codes of their distinct values, so nothing grows with the log but the
columns themselves, and a batch is dropped as soon as it is read. It reads every store but
SQLite, where SQLite extracts the fields itself (`columns`, a little less CPU there).

Like that reader, it reads only what it can vouch for: an event out of shape (text that is not
JSON, a date the frame cannot hold, a field its type needs missing or not a number) raises
OutOfShapeError, and the caller decodes the store with the general reader (`source`), which
finds the portfolio at fault and leaves it out.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from datetime import date
from typing import Any, Final
from uuid import UUID

import numpy as np
import orjson
import pandas as pd

from erasmo.projections.columns import OutOfShapeError
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
    empty_event_frame,
)
from events.application import Portfolios
from events.portfolio import PORTFOLIO_TOPICS

#: What is read of each kind of event: a trade, an amount, a dividend, a split, or the date only.
_TRADE, _AMOUNT, _DIVIDEND, _SPLIT, _DATE = range(5)
_KIND: Final = {
    BOUGHT: _TRADE,
    SOLD: _TRADE,
    DEPOSITED: _AMOUNT,
    WITHDRAWN: _AMOUNT,
    MARGIN_CHARGED: _AMOUNT,
    DIVIDEND: _DIVIDEND,
    SPLIT: _SPLIT,
}
_TOPICS: Final = {
    topic: (list(EVENT_TYPE_DTYPE.categories).index(name), _KIND.get(name, _DATE))
    for topic, name in PORTFOLIO_TOPICS.items()
}
_EPOCH: Final = date(1970, 1, 1).toordinal()
#: datetime64[ns] holds the days from 1677-09-22 to 2262-04-11.
_FIRST_DAY, _LAST_DAY = -106_751, 106_750
_NAN: Final = float("nan")


def _decimal(text: Any) -> float:
    """A stored decimal: always a JSON string (a number there is out of shape, as for the
    general reader's schema)."""
    if text.__class__ is not str:
        raise OutOfShapeError(f"a decimal is stored as {type(text).__name__}, not as text")
    return float(text)


_NUMBERS: Final = ("quantity", "price", "value", "fee", "amount", "ratio")
_INTS: Final = ("seq", "version", "day", "oid", "ticker")


class _Columns:
    """The columns of the events read so far."""

    def __init__(self) -> None:
        self.ints = array("q")  # per event, _INTS
        self.codes = array("b")
        self.numbers = array("d")  # per event, _NUMBERS
        self.owners: dict[str, int] = {}
        self.tickers: dict[Any, int] = {None: -1}
        self.names: list[str] = []  # the tickers, by code
        self.days: dict[str, int] = {}

    def add(self, batch: list[tuple[Any, ...]]) -> None:
        """Read a batch of (seq, owner id hex, version, topic, state) rows."""
        try:
            self._add(batch)
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, OverflowError) as error:
            raise OutOfShapeError(f"an event is out of shape: {error!r}") from error

    def _add(self, batch: list[tuple[Any, ...]]) -> None:
        loads, kinds, day_of, ticker_of = orjson.loads, _TOPICS, self._day, self._ticker
        owners, tickers, days = self.owners, self.tickers, self.days
        ints, code, numbers = self.ints.extend, self.codes.append, self.numbers.extend
        nan, number = _NAN, _decimal
        for seq, owner, version, topic, state in batch:
            type_code, kind = kinds[topic]
            s = loads(state)
            when = s["on"]["_data_"]
            day = days.get(when)
            if day is None:
                day = day_of(when)
            known = owners.get(owner)
            if known is None:
                known = owners[owner] = len(owners)
            code(type_code)
            if kind == _DATE:
                ints((seq, version, day, known, -1))
                numbers((nan, nan, nan, 0.0, nan, nan))
                continue
            if kind == _AMOUNT:
                ints((seq, version, day, known, -1))
                numbers((nan, nan, nan, 0.0, number(s["amount"]["_data_"]), nan))
                continue
            name = s.get("ticker")
            ticker = tickers.get(name)
            if ticker is None:
                ticker = ticker_of(name)
            ints((seq, version, day, known, ticker))
            if kind == _TRADE:
                charged = s.get("fee")
                numbers(
                    (
                        number(s["quantity"]["_data_"]),
                        number(s["price"]["_data_"]),
                        number(s["value"]["_data_"]),
                        number(charged["_data_"]) if charged is not None else 0.0,
                        nan,
                        nan,
                    )
                )
            elif kind == _DIVIDEND:
                numbers(
                    (
                        number(s["quantity"]["_data_"]),
                        number(s["amount_per_share"]["_data_"]),
                        nan,
                        0.0,
                        number(s["amount"]["_data_"]),
                        nan,
                    )
                )
            else:
                numbers((nan, nan, nan, 0.0, nan, number(s["ratio"]["_data_"])))

    def _day(self, when: str) -> int:
        """Days since 1970 of an event's date (kept: a log has few distinct dates)."""
        if not isinstance(when, str):
            raise TypeError("an event's date is not a date")
        day = date.fromisoformat(when[:10]).toordinal() - _EPOCH
        if not _FIRST_DAY <= day <= _LAST_DAY:
            raise ValueError("an event has a date the frame cannot hold")
        self.days[when] = day
        return day

    def _ticker(self, name: Any) -> int:
        """The code of a ticker seen for the first time (-1: none)."""
        if name == "":
            self.tickers[name] = -1
        elif not isinstance(name, str):
            raise TypeError("a ticker is not text")
        else:
            self.tickers[name] = len(self.names)
            self.names.append(name)
        return self.tickers[name]

    def frame(self) -> pd.DataFrame:
        """The event frame of the columns read (in log order)."""
        count = len(self.codes)
        if count == 0:
            return empty_event_frame()
        ints = np.frombuffer(self.ints, dtype=np.int64).reshape(count, len(_INTS))
        every = np.frombuffer(self.numbers, dtype=np.float64).reshape(count, len(_NUMBERS))
        numbers = {name: every[:, i].copy() for i, name in enumerate(_NUMBERS)}
        del every
        self.numbers = array("d")  # each column copied out: the rows go
        column = {name: ints[:, i] for i, name in enumerate(_INTS)}
        owners = np.array([str(UUID(hex_id)) for hex_id in self.owners], dtype=object)
        tickers = np.empty(len(self.names) + 1, dtype=object)  # the last one, None: code -1
        tickers[:-1] = self.names
        seq = column["seq"].copy()
        rows = pd.RangeIndex(count)  # given: no index to infer from the columns
        frame = pd.DataFrame(
            {
                "seq": seq,
                "portfolio": pd.Series(owners[column["oid"]], rows, object, copy=False),
                "version": column["version"].copy(),
                "type": pd.Categorical.from_codes(
                    np.frombuffer(self.codes, dtype=np.int8), dtype=EVENT_TYPE_DTYPE
                ),
                "on": column["day"].astype("datetime64[D]").astype("datetime64[ns]"),
                "ticker": pd.Series(tickers[column["ticker"]], rows, object, copy=False),
                **numbers,
            },
            index=rows,
            copy=False,
        )
        if count > 1 and not bool((seq[1:] > seq[:-1]).all()):
            frame = frame.iloc[np.argsort(seq, kind="stable")].reset_index(drop=True)
        assert list(frame.columns) == list(EVENT_COLUMNS)
        return frame


def stored_event_frame(
    app: Portfolios,
    *,
    after: int = 0,
    upto: int | None = None,
    portfolio: UUID | None = None,
    batch_rows: int = 20_000,
) -> pd.DataFrame:
    """Every portfolio event with after < seq <= upto (of one portfolio, if given), in log
    order; raises OutOfShapeError when an event is out of shape (see the module docstring)."""
    columns = _Columns()
    if app.reader.is_sqlite:
        batches = _sqlite_rows(app, after, upto, portfolio, batch_rows)
    else:
        batches = app.reader.rows(
            after=after,
            upto=upto,
            originator_id=portfolio,
            topics=list(PORTFOLIO_TOPICS),
            batch_size=batch_rows,
        )
    for batch in batches:
        columns.add(batch)
    return columns.frame()


def _sqlite_rows(
    app: Portfolios, after: int, upto: int | None, portfolio: UUID | None, batch_rows: int
) -> Iterator[list[tuple[Any, ...]]]:
    """A SQLite store's rows in log order, in batches of one cursor (no filter on the topic
    in SQL: the rows of other aggregates, the catalog's, are left out here, which is cheaper)."""
    where, params = ["rowid > ?"], [after]  # type: list[str], list[Any]
    if upto is not None:
        where.append("rowid <= ?")
        params.append(upto)
    if portfolio is not None:
        where.append("originator_id = ?")
        params.append(portfolio.hex)
    sql = (
        "SELECT rowid, originator_id, originator_version, topic, state "
        f"FROM {app.reader.table} WHERE {' AND '.join(where)} ORDER BY rowid"
    )
    with app.reader.datastore.transaction(commit=False) as cursor:
        rows = getattr(cursor, "sqlite_cursor", cursor)  # the sqlite3 cursor eventsourcing wraps
        rows.execute(sql, params)
        while batch := rows.fetchmany(batch_rows):
            yield [row for row in batch if row[3] in _TOPICS]
