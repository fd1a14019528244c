"""Reading the event store into an event frame, in bulk.

A SQLite or PostgreSQL store is read column by column (`columns`, `pg_columns`: the database
extracts the fields, NumPy parses them), a tail of a few events (and any other store) row by row
(`rows`: orjson parses each state). The reader here takes a store holding an event those readers
cannot vouch for (an event out of shape): the store hands over each batch of events as one block
of JSON Lines (`LogReader.json_lines`), and Arrow's multi-threaded JSON reader decodes the block
straight into typed columns. While one batch is decoded the next is fetched on a second thread.
eventsourcing wraps decimals and dates as {"_type_": ..., "_data_": ...}; the explicit schema
reads just the fields the projections use. A block one of whose events cannot be read is
salvaged: the portfolio of that event is left out (see `UNREADABLE`). Voids and the events they
void are left out of every frame loaded (`without_voided`; history and export keep them): a
frame is the log as if the voided events never happened, even as of a position before the void.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID

import numpy as np
import pandas as pd
from eventsourcing.utils import get_topic

from erasmo.projections.columns import OutOfShapeError
from erasmo.projections.frame import (
    EVENT_COLUMNS,
    EVENT_TYPE_DTYPE,
    ORDER_EVENTS,
    VOIDED,
    empty_event_frame,
    type_codes,
)
from erasmo.projections.pg_columns import column_event_frame, has_column_reader
from erasmo.projections.rows import stored_event_frame
from events.application import Portfolios
from events.portfolio import EVENT_TYPES as PORTFOLIO_EVENT_TYPES
from events.portfolio import PORTFOLIO_TOPICS
from events.registry import BY_TOPIC, state_problem

BATCH_ROWS = 100_000
#: Up to this many events after the position asked for are read row by row even from SQLite:
#: its column reader's query costs a few milliseconds however few the events.
SMALL_TAIL = 10_000
_VOID = list(EVENT_TYPE_DTYPE.categories).index(VOIDED)
_TYPE_CODE = {
    topic: EVENT_TYPE_DTYPE.categories.get_loc(name) for topic, name in PORTFOLIO_TOPICS.items()
}


def _arrow_options() -> tuple[Any, Any]:
    """Arrow's JSON read and parse options for a block of events (Arrow is imported only by
    the stores and the events that need it)."""
    import pyarrow as pa
    import pyarrow.json as pj

    wrapped = pa.struct([("_data_", pa.string())])
    state = pa.struct(
        [
            ("on", pa.struct([("_data_", pa.timestamp("s"))])),
            ("ticker", pa.string()),
            ("quantity", wrapped),
            ("price", wrapped),
            ("value", wrapped),
            ("fee", wrapped),
            ("amount", wrapped),
            ("ratio", wrapped),  # a split's
            ("amount_per_share", wrapped),  # a dividend's, read into the price column
        ]
    )
    schema = pa.schema(
        [("q", pa.int64()), ("v", pa.int64()), ("o", pa.string()), ("t", pa.string()), ("s", state)]
    )
    parse = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    return pj.ReadOptions(block_size=8 << 20), parse


def load_event_frame(
    app: Portfolios,
    *,
    after: int = 0,
    upto: int | None = None,
    portfolio: UUID | None = None,
    batch_rows: int = BATCH_ROWS,
) -> pd.DataFrame:
    """Every portfolio event with after < seq <= upto (of one portfolio, if given), in log order."""
    try:  # the database extracts the fields of many events itself (`columns`); else orjson
        if has_column_reader(app) and (upto or app.reader.head()) - after > SMALL_TAIL:
            frame = column_event_frame(
                app, after=after, upto=upto, portfolio=portfolio, batch_rows=batch_rows
            )
        else:
            frame = stored_event_frame(app, after=after, upto=upto, portfolio=portfolio)
    except OutOfShapeError:
        pass  # an event out of shape: read it all here, leaving its portfolio out
    else:
        kept = without_voided(app, frame)
        kept.attrs[UNREADABLE] = frozenset()
        kept.attrs[HAD_VOIDS] = len(frame) - len(kept)
        return kept
    blocks = app.reader.json_lines(
        after=after,
        upto=upto,
        originator_id=portfolio,
        topics=list(PORTFOLIO_TOPICS),
        batch_size=batch_rows,
    )
    decoded = [_decode_or_salvage(block) for block in _prefetched(blocks)]
    unreadable = frozenset().union(*(bad for _part, bad in decoded))
    parts = [_without(part, unreadable) for part, _bad in decoded]
    if not parts:
        frame = empty_event_frame()
    elif len(parts) == 1:
        frame = parts[0]
    else:
        frame = pd.concat(parts, ignore_index=True)
        frame["type"] = frame["type"].astype(EVENT_TYPE_DTYPE)
    kept = without_voided(app, frame)
    kept.attrs[UNREADABLE] = unreadable
    kept.attrs[HAD_VOIDS] = len(frame) - len(kept)
    return kept


#: The key of a loaded event frame's `attrs` giving how many rows of its range were dropped as
#: voids and voided events (a part loaded after others that dropped some calls for a whole
#: reload, since a voided event may be in an earlier part).
HAD_VOIDS = "had_voids"


def has_voids(frame: pd.DataFrame) -> bool:
    """Whether `frame` holds a void."""
    return bool((type_codes(frame["type"]) == _VOID).any())  # codes: no string compare


def without_voided(app: Portfolios, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` without its voids and the events they void (history and export keep both)."""
    if not has_voids(frame):
        return frame
    topic = get_topic(PORTFOLIO_EVENT_TYPES[VOIDED])
    gone = {
        (str(row.originator_id), int(json.loads(row.state)["about"]))
        for row in app.reader.events(topics=[topic])
    }
    keys = zip(frame["portfolio"].astype(str), frame["version"].to_numpy(np.int64), strict=True)
    keep = np.fromiter(((str(o), int(v)) not in gone for o, v in keys), bool, len(frame))
    keep &= (frame["type"] != VOIDED).to_numpy()
    return frame[keep].reset_index(drop=True)


#: The key of an event frame's `attrs` naming the portfolios (ids as text) left out of it
#: because one of their stored events cannot be read (`erasmo check` says which and why).
UNREADABLE = "unreadable"


def _without(frame: pd.DataFrame, portfolios: frozenset[str]) -> pd.DataFrame:
    if not portfolios:
        return frame
    keep = ~frame["portfolio"].isin(portfolios).to_numpy()
    return frame if bool(keep.all()) else frame[keep].reset_index(drop=True)


def _decode_or_salvage(block: bytes) -> tuple[pd.DataFrame, frozenset[str]]:
    """A block's frame, or, when one of its events cannot be read (a date beyond what the
    frame holds, a number where a decimal belongs), the frame of the other portfolios' events
    and the ids of the portfolios left out. One bad event never takes the others down."""
    try:
        return _decode(block), frozenset()
    except (ValueError, KeyError):  # pyarrow's ArrowInvalid is a ValueError
        pass
    lines = [line for line in block.split(b"\n") if line]
    bad = {_owner(line) for line in lines if _unreadable(line)}
    good = [line for line in lines if _owner(line) not in bad]
    if not good:
        return empty_event_frame(), frozenset(bad)
    try:
        return _decode(b"\n".join(good)), frozenset(bad)
    except (ValueError, KeyError):  # pyarrow's ArrowInvalid is a ValueError
        pass
    for line in good:  # the schemas missed it: find it by decoding one line at a time
        try:
            _decode(line)
        except (ValueError, KeyError):  # pyarrow's ArrowInvalid is a ValueError
            bad.add(_owner(line))
    good = [line for line in good if _owner(line) not in bad]
    return (_decode(b"\n".join(good)) if good else empty_event_frame()), frozenset(bad)


_OWNER = re.compile(rb'"o":"([0-9a-fA-F-]{32,36})"')


def _owner(line: bytes) -> str:
    found = _OWNER.search(line)
    return str(UUID(found.group(1).decode())) if found else "?"


def _unreadable(line: bytes) -> bool:
    """Whether a line's event breaks its type's schema (`events.registry`)."""
    try:
        row = json.loads(line)
        event_type = BY_TOPIC[row["t"]]
    except (ValueError, RecursionError, KeyError, TypeError):
        return True
    return state_problem(event_type, row.get("s")) is not None


def _prefetched(blocks: Iterator[bytes]) -> Iterator[bytes]:
    """`blocks`, with the next one fetched on a worker thread while the caller decodes."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(next, blocks, None)
        while True:
            block = pending.result()
            if block is None:
                return
            pending = pool.submit(next, blocks, None)
            yield block


def _decode(block: bytes) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.json as pj

    read, parse = _arrow_options()
    table = pj.read_json(io.BytesIO(block), read_options=read, parse_options=parse)
    seq = table.column("q").to_numpy()
    if len(seq) > 1 and not bool(np.all(np.diff(seq) > 0)):
        table = table.take(pc.sort_indices(table.column("q")))
        seq = table.column("q").to_numpy()
    state = table.column("s").combine_chunks()
    frame = pd.DataFrame(
        {
            "seq": seq.astype(np.int64, copy=False),
            "portfolio": pd.Series(_labels(table.column("o"), _uuid_text), dtype=object),
            "version": table.column("v").to_numpy().astype(np.int64, copy=False),
            "type": pd.Categorical.from_codes(
                _type_codes(table.column("t")), dtype=EVENT_TYPE_DTYPE
            ),
            "on": state.field("on")
            .field("_data_")
            .cast(pa.timestamp("ns"))
            .to_numpy(zero_copy_only=False)
            .astype(EVENT_COLUMNS["on"]),
            "ticker": pd.Series(_labels(state.field("ticker"), str), dtype=object),
            "quantity": _decimal(state, "quantity"),
            "price": np.where(
                np.isnan(price := _decimal(state, "price")),
                _decimal(state, "amount_per_share"),
                price,
            ),
            "value": _decimal(state, "value"),
            "fee": np.nan_to_num(_decimal(state, "fee"), nan=0.0),
            "amount": _decimal(state, "amount"),
            "ratio": _decimal(state, "ratio"),
        }
    )
    return _without_order_fields(frame)


#: Codes of the order, trading-rule and clock events: they carry ticker, quantity, price and fee
#: fields of their own (an order's terms, a fill's price) which no projection may count (a
#: fill's trade is the SharesBought/SharesSold recorded with it).
_BLANKED = [
    list(EVENT_TYPE_DTYPE.categories).index(name)
    for name in (
        *ORDER_EVENTS,
        "MarginCalled",
        "PositionLiquidated",
        "OrderPartiallyFilled",
        "VolumeCapSet",
    )
]


def _without_order_fields(frame: pd.DataFrame) -> pd.DataFrame:
    other = np.isin(frame["type"].cat.codes.to_numpy(), _BLANKED)
    if bool(other.any()):
        frame.loc[other, ["quantity", "price", "value", "amount"]] = np.nan
        frame.loc[other, "fee"] = 0.0
        frame.loc[other, "ticker"] = None
    return frame


def _uuid_text(hex_id: str) -> str:
    return str(UUID(hex_id))


def _decimal(state: Any, name: str) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    floats: np.ndarray = pc.cast(state.field(name).field("_data_"), pa.float64()).to_numpy(
        zero_copy_only=False
    )
    return floats


def _labels(column: Any, label: Callable[[str], str]) -> np.ndarray:
    """An object array of labels (None where null), formatting each distinct value once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    distinct: list[str | None] = [label(v) for v in encoded.dictionary.to_pylist()]
    names = np.empty(len(distinct) + 1, dtype=object)
    names[:-1] = distinct
    codes = encoded.indices.fill_null(len(names) - 1).to_numpy()
    labels: np.ndarray = names[codes]
    return labels


def _type_codes(column: Any) -> np.ndarray:
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column).combine_chunks()
    lookup = np.array([_TYPE_CODE[t] for t in encoded.dictionary.to_pylist()], dtype=np.int8)
    codes: np.ndarray = lookup[encoded.indices.to_numpy()]
    return codes
