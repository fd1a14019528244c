"""Reading the event store into an event frame, in bulk.

Rows come from the store in large batches (`events.log.LogReader`); their JSON states are decoded
by Arrow's multi-threaded JSON reader straight into typed columns, so no Python object is built
per event. eventsourcing wraps decimals and dates as {"_type_": ..., "_data_": ...}; the explicit
schema below reads just the fields the projections use.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from uuid import UUID

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from erasmo.projections.frame import EVENT_COLUMNS, EVENT_TYPE_DTYPE, empty_event_frame
from events.application import PORTFOLIO_TOPICS, Portfolios

BATCH_ROWS = 200_000
_WRAPPED = pa.struct([("_data_", pa.string())])
_STATE_SCHEMA = pa.schema(
    [
        ("on", pa.struct([("_data_", pa.timestamp("s"))])),
        ("ticker", pa.string()),
        ("quantity", _WRAPPED),
        ("price", _WRAPPED),
        ("value", _WRAPPED),
        ("fee", _WRAPPED),
        ("amount", _WRAPPED),
    ]
)
_PARSE = pj.ParseOptions(explicit_schema=_STATE_SCHEMA, unexpected_field_behavior="ignore")
_READ = pj.ReadOptions(block_size=16 << 20)
_TOPIC_CODES = {
    topic: EVENT_TYPE_DTYPE.categories.get_loc(name) for topic, name in PORTFOLIO_TOPICS.items()
}


def load_event_frame(
    app: Portfolios,
    *,
    after: int = 0,
    upto: int | None = None,
    portfolio: UUID | None = None,
    batch_rows: int = BATCH_ROWS,
) -> pd.DataFrame:
    """Every portfolio event with after < seq <= upto (of one portfolio, if given), in log order."""
    parts = [
        _decode(batch)
        for batch in app.reader.rows(
            after=after,
            upto=upto,
            originator_id=portfolio,
            topics=list(PORTFOLIO_TOPICS),
            batch_size=batch_rows,
        )
    ]
    if not parts:
        return empty_event_frame()
    if len(parts) == 1:
        return parts[0]
    frame = pd.concat(parts, ignore_index=True)
    frame["type"] = frame["type"].astype(EVENT_TYPE_DTYPE)
    return frame


def _decode(rows: Sequence[tuple[int, str, int, str, bytes]]) -> pd.DataFrame:
    seq, oids, versions, topics, states = zip(*rows, strict=True)
    table = pj.read_json(io.BytesIO(b"\n".join(states)), read_options=_READ, parse_options=_PARSE)
    codes = np.fromiter((_TOPIC_CODES[t] for t in topics), dtype=np.int8, count=len(topics))
    on = table.column("on").combine_chunks().field("_data_")
    frame = pd.DataFrame(
        {
            "seq": np.asarray(seq, dtype=np.int64),
            "portfolio": _uuid_text(oids),
            "version": np.asarray(versions, dtype=np.int64),
            "type": pd.Categorical.from_codes(codes, dtype=EVENT_TYPE_DTYPE),
            "on": on.cast(pa.timestamp("ns")).to_numpy(zero_copy_only=False),
            "ticker": table.column("ticker").to_numpy(zero_copy_only=False),
            "quantity": _decimal_column(table, "quantity"),
            "price": _decimal_column(table, "price"),
            "value": _decimal_column(table, "value"),
            "fee": np.nan_to_num(_decimal_column(table, "fee"), nan=0.0),
            "amount": _decimal_column(table, "amount"),
        }
    )
    return frame.astype({"on": EVENT_COLUMNS["on"]})


def _decimal_column(table: pa.Table, name: str) -> np.ndarray:
    text = table.column(name).combine_chunks().field("_data_")
    floats: np.ndarray = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
    return floats


def _uuid_text(hex_ids: Sequence[str]) -> np.ndarray:
    # Few distinct portfolios, many rows: format each distinct id once.
    distinct, inverse = np.unique(np.asarray(hex_ids, dtype=object), return_inverse=True)
    texts = np.array([str(UUID(h)) for h in distinct], dtype=object)
    return texts[inverse]
