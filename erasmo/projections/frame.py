"""The event frame: the contract between the store loader and every projection.

An event frame is a pandas DataFrame with one row per portfolio event, in log order, and the
columns of `EVENT_COLUMNS`:

    seq        int64           global log position, strictly increasing
    portfolio  object          the portfolio's UUID as text
    version    int64           the aggregate version of the event
    type       category        one of `EVENT_TYPES`, with exactly those categories
    on         datetime64[ns]  the market date (midnight)
    ticker     object          upper-case symbol for trades and corporate actions, else None
    quantity   float64         shares traded (a dividend: shares held), NaN otherwise
    price      float64         price per share (a dividend: cash per share), NaN otherwise
    value      float64         quantity * price rounded half-up to cents, NaN for non-trades
    fee        float64         the trade's fee, 0.0 when none
    amount     float64         cash deposited, withdrawn or received as a dividend, else NaN
    ratio      float64         a split's new shares per old share, NaN otherwise

Money is exact on the write side (`Decimal`); here it is float64, and the projections turn it
back into integer cents (and quantities into integer millionths of a share) wherever a sum must
be exact. The price frame that goes with it is a DataFrame indexed by trading days (a sorted
DatetimeIndex: the market calendar) with one float64 column of closes per ticker, NaN where a
close is missing.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from events.errors import ErasmoError
from events.orders import ORDER_EVENT_TYPES

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

#: Projections count quantities in millionths of a share (the write side allows 6 decimals)
#: and money in cents, as integers, wherever a sum must be exact.
UNITS_PER_SHARE: Final = 1_000_000
CENTS_PER_UNIT_OF_MONEY: Final = 100

OPENED: Final = "PortfolioOpened"
DEPOSITED: Final = "CashDeposited"
WITHDRAWN: Final = "CashWithdrawn"
BOUGHT: Final = "SharesBought"
SOLD: Final = "SharesSold"
RENAMED: Final = "PortfolioRenamed"
CLOSED: Final = "PortfolioClosed"
# what-if branches (the projections ignore the mark: the copies that follow it are ordinary)
FORKED: Final = "BranchForked"
# corporate actions
SPLIT: Final = "SplitApplied"
DIVIDEND: Final = "DividendReceived"
# reopen and delete (projections ignore them; a deleted portfolio is left out by not being listed)
REOPENED: Final = "PortfolioReopened"
DELETED: Final = "PortfolioDeleted"
UNDELETED: Final = "PortfolioUndeleted"
NOTE_ADDED: Final = "NoteAdded"
#: A void takes an earlier event out: the loader drops both (`erasmo.projections.source`).
VOIDED: Final = "EventVoided"
#: Order, trading-rule and clock events: projections keep their rows and ignore them (a fill's
#: cash and shares move in the SharesBought/SharesSold recorded with it).
ORDER_EVENTS: Final[tuple[str, ...]] = ORDER_EVENT_TYPES

#: A margin account in time (`events.rules.margin_calls`): a charge takes its `amount` from
#: cash; projections keep the rows of a call and a forced sale and ignore them (a forced sale's
#: cash and shares move in the trade recorded with it).
MARGIN_CHARGED: Final = "MarginCharged"
MARGIN_EVENTS: Final = (MARGIN_CHARGED, "MarginCalled", "PositionLiquidated")
#: The event types a frame may hold, in the order of the `type` column's categories (new types
#: go at the end, so the codes of the others never change).
EVENT_TYPES: Final[tuple[str, ...]] = (
    *(OPENED, DEPOSITED, WITHDRAWN, BOUGHT, SOLD, RENAMED, CLOSED),
    FORKED,  # what-if branches
    *(SPLIT, DIVIDEND),  # corporate actions
    *ORDER_EVENTS,  # orders and the market clock
    *(REOPENED, DELETED, UNDELETED),  # reopen and delete
    "AccountTypeSet",  # margin accounts (projections keep its rows and ignore them)
    NOTE_ADDED,  # the trading journal's notes (projections ignore them)
    VOIDED,  # corrections (the loader drops them and the events they void)
    *MARGIN_EVENTS,  # a margin account in time: only a charge moves cash (its `amount`)
    "OrderPartiallyFilled",  # volume-capped fills (the trade recorded with it moves the cash)
    "VolumeCapSet",  # a trading rule (projections keep its rows and ignore them)
    *("StrategyStarted", "StrategyStopped"),  # a backtest's strategy (projections ignore them)
)
#: The event types that name a ticker.
TICKER_EVENTS: Final = frozenset((BOUGHT, SOLD, SPLIT, DIVIDEND))
EVENT_TYPE_DTYPE: Final = pd.CategoricalDtype(list(EVENT_TYPES), ordered=False)

#: Column name -> dtype of the event frame, in column order.
EVENT_COLUMNS: Final[dict[str, Any]] = {
    "seq": np.dtype("int64"),
    "portfolio": np.dtype("object"),
    "version": np.dtype("int64"),
    "type": EVENT_TYPE_DTYPE,
    "on": np.dtype("datetime64[ns]"),
    "ticker": np.dtype("object"),
    "quantity": np.dtype("float64"),
    "price": np.dtype("float64"),
    "value": np.dtype("float64"),
    "fee": np.dtype("float64"),
    "amount": np.dtype("float64"),
    "ratio": np.dtype("float64"),
}

_CENT = Decimal("0.01")


class ProjectionError(ErasmoError, ValueError):
    """A projection was asked for something it cannot compute from what it was given."""


class EventFrameError(ProjectionError):
    """An event frame breaks the contract (columns, order) or describes an impossible history."""


def empty_event_frame() -> pd.DataFrame:
    """An event frame with no rows and every contract column."""
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in EVENT_COLUMNS.items()})


def event_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """An event frame built from plain dicts, one per event, in log order.

    Each dict needs `type` and `on` (a date, datetime or ISO text); numbers may be int, float,
    `Decimal` or text. Missing keys default to: seq and version 1..n, portfolio "p", fee 0,
    value = quantity * price rounded half-up to cents (trades), amount = quantity * price
    rounded likewise (dividends), NaN or None otherwise.
    """
    rows = list(records)
    n = len(rows)
    columns: dict[str, list[Any]] = {name: [] for name in EVENT_COLUMNS}
    for position, row in enumerate(rows, start=1):
        unknown = set(row) - set(EVENT_COLUMNS)
        if unknown:
            raise EventFrameError(
                f"Event {position} has unknown fields {sorted(unknown)}; an event frame has "
                f"only {list(EVENT_COLUMNS)}."
            )
        kind = row.get("type")
        if kind not in EVENT_TYPES:
            raise EventFrameError(
                f"Event {position} has type {kind!r}; use one of {', '.join(EVENT_TYPES)}."
            )
        trade = kind in (BOUGHT, SOLD)
        quantity, price = _number(row.get("quantity")), _number(row.get("price"))
        amount = _number(row.get("amount"))
        if amount is None and kind == DIVIDEND and quantity is not None and price is not None:
            amount = round_half_up_cents(quantity * price)
        value = row.get("value")
        if value is None and trade and quantity is not None and price is not None:
            value = round_half_up_cents(quantity * price)
        columns["seq"].append(row.get("seq", position))
        columns["version"].append(row.get("version", position))
        columns["portfolio"].append(str(row.get("portfolio", "p")))
        columns["type"].append(kind)
        columns["on"].append(pd.Timestamp(row["on"]).normalize())
        columns["ticker"].append(row.get("ticker") if kind in TICKER_EVENTS else None)
        columns["quantity"].append(_float(quantity))
        columns["price"].append(_float(price))
        columns["value"].append(_float(_number(value)))
        fee = _number(row.get("fee"))
        columns["fee"].append(0.0 if fee is None else float(fee))
        columns["amount"].append(_float(amount))
        columns["ratio"].append(_float(_number(row.get("ratio"))))
    frame = pd.DataFrame(
        {
            name: pd.Series(values, dtype=EVENT_COLUMNS[name], index=pd.RangeIndex(n))
            for name, values in columns.items()
        }
    )
    check_event_frame(frame)
    return frame


def check_event_frame(events: pd.DataFrame) -> None:
    """Raise EventFrameError unless `events` has every contract column and increasing seq."""
    missing = [name for name in EVENT_COLUMNS if name not in events.columns]
    if missing:
        raise EventFrameError(
            f"The event frame lacks the columns {missing}; build it with event_frame() or "
            "give it every column of EVENT_COLUMNS."
        )
    seq = events["seq"].to_numpy(dtype=np.int64)
    if len(seq) > 1 and not bool(np.all(seq[1:] > seq[:-1])):
        at = int(np.argmin(seq[1:] > seq[:-1])) + 1
        raise EventFrameError(
            f"Event seq must strictly increase in log order, but row {at} has seq {seq[at]} "
            f"after {seq[at - 1]}. Sort the frame by seq and drop duplicates."
        )


def as_of(
    events: pd.DataFrame, seq: int | None = None, on: date | str | pd.Timestamp | None = None
) -> pd.DataFrame:
    """The events known at log position `seq` (seq <= it) and dated on or before `on`."""
    if seq is not None:
        positions = events["seq"].to_numpy(dtype=np.int64)
        events = events.iloc[: int(np.searchsorted(positions, seq, side="right"))]
    if on is not None:
        day = pd.Timestamp(on).normalize()
        events = events[events["on"] <= day]
    return events


def type_codes(column: pd.Series[str]) -> npt.NDArray[np.int8]:
    """The `type` column as indices into EVENT_TYPES."""
    if column.dtype == EVENT_TYPE_DTYPE:
        codes = column.cat.codes.to_numpy(dtype=np.int8)
    else:
        codes = pd.Categorical(column.astype(object), categories=list(EVENT_TYPES)).codes
    if bool((codes < 0).any()):
        unknown = sorted({str(v) for v in column[codes < 0].unique()})
        raise EventFrameError(
            f"Unknown event types {unknown}; an event frame holds only {', '.join(EVENT_TYPES)}."
        )
    return np.asarray(codes, dtype=np.int8)


def market_days(column: pd.Series[pd.Timestamp]) -> Ints:
    """The `on` column as days since 1970-01-01."""
    days = column.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    if bool(np.isnat(days).any()):
        raise EventFrameError("An event has no market date ('on' is NaT); every event needs one.")
    return days.astype(np.int64)


def timestamps(days: Ints) -> npt.NDArray[np.datetime64]:
    """Days since 1970-01-01 as datetime64[ns] (midnight)."""
    return days.astype("datetime64[D]").astype("datetime64[ns]")


def exact_units(column: pd.Series[float], rows: Ints, scale: int, what: str) -> Ints:
    """`column[rows]` in whole units of 1/scale (cents, millionths of a share)."""
    values = column.to_numpy(dtype=np.float64)[rows] * scale
    if not bool(np.isfinite(values).all()):
        raise EventFrameError(f"A {what} is missing (NaN) on an event that needs one.")
    return np.rint(values).astype(np.int64)


def round_half_up_cents(value: Decimal) -> Decimal:
    """`value` rounded to the cent, half away from zero (as the write side settles trades)."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def trade_log(text: str, portfolio: str = "p") -> pd.DataFrame:
    """An event frame from a few lines of ledger text, for tests and examples.

    One event a line (blank lines and `#` comments are skipped)::

        2015-03-02 OPEN Tech
        2015-03-02 DEPOSIT 10000
        2015-03-02 BUY 10 AAPL @ 128.40 fee 1
        2015-06-01 SELL 4 AAPL @ 130
        2016-01-04 WITHDRAW 500
        2016-01-05 RENAME Tech II
        2016-01-06 CLOSE
        2016-01-07 SPLIT AAPL 2          # a 2:1 split
        2016-01-08 DIVIDEND 60 AAPL @ 0.52   # cash dividend on 60 shares held

    seq and version are 1..n; value is quantity * price rounded half-up to cents, and so is a
    dividend's amount.
    """
    records: list[dict[str, Any]] = []
    for number, raw in enumerate(textwrap.dedent(text).splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if line:
            records.append({**_parse_line(line, number), "portfolio": portfolio})
    return event_frame(records)


def price_table(text: str) -> pd.DataFrame:
    """A price frame from a small text table, for tests and examples.

    The first line names the tickers; each further line is a date and one close per ticker,
    `-` where the close is missing::

                    AAPL    MSFT
        2015-03-02  128.40  43.10
        2015-03-03  129.00  -
    """
    lines = [line.split() for line in textwrap.dedent(text).splitlines() if line.strip()]
    if not lines:
        return pd.DataFrame(index=pd.DatetimeIndex([], name="date"), dtype=np.float64)
    tickers, rows = lines[0], lines[1:]
    for number, row in enumerate(rows, start=2):
        if len(row) != len(tickers) + 1:
            raise EventFrameError(
                f"Line {number} of the price table has {len(row) - 1} closes for "
                f"{len(tickers)} tickers; write one close (or -) per ticker."
            )
    return pd.DataFrame(
        [[np.nan if cell == "-" else float(cell) for cell in row[1:]] for row in rows],
        index=pd.DatetimeIndex([row[0] for row in rows], name="date"),
        columns=pd.Index(tickers, name="ticker"),
        dtype=np.float64,
    )


_VERBS: Final = {
    "OPEN": OPENED,
    "DEPOSIT": DEPOSITED,
    "WITHDRAW": WITHDRAWN,
    "BUY": BOUGHT,
    "SELL": SOLD,
    "RENAME": RENAMED,
    "CLOSE": CLOSED,
    "SPLIT": SPLIT,
    "DIVIDEND": DIVIDEND,
}


def _parse_line(line: str, number: int) -> dict[str, Any]:
    words = line.split()
    bad = EventFrameError(
        f"Line {number} {line!r} is not an event: write 'YYYY-MM-DD DEPOSIT 100', "
        "'YYYY-MM-DD BUY 10 AAPL @ 128.40 fee 1', 'YYYY-MM-DD OPEN name', "
        "'YYYY-MM-DD SPLIT AAPL 2', 'YYYY-MM-DD DIVIDEND 10 IBM @ 0.85' and the like."
    )
    if len(words) < 2 or words[1].upper() not in _VERBS:
        raise bad
    try:
        on = date.fromisoformat(words[0])
    except ValueError:
        raise bad from None
    verb, rest = words[1].upper(), words[2:]
    record: dict[str, Any] = {"type": _VERBS[verb], "on": on}
    if verb in ("OPEN", "RENAME", "CLOSE"):
        return record
    if verb in ("DEPOSIT", "WITHDRAW"):
        if len(rest) != 1:
            raise bad
        record["amount"] = _decimal(rest[0], bad)
        return record
    if verb == "SPLIT":
        if len(rest) != 2:
            raise bad
        record.update(ticker=rest[0].upper(), ratio=_decimal(rest[1], bad))
        return record
    if verb == "DIVIDEND":
        if len(rest) != 4 or rest[2] != "@":
            raise bad
        quantity, per_share = _decimal(rest[0], bad), _decimal(rest[3], bad)
        record.update(
            ticker=rest[1].upper(),
            quantity=quantity,
            price=per_share,
            amount=round_half_up_cents(quantity * per_share),
        )
        return record
    # BUY/SELL qty TICKER @ price [fee F]
    if len(rest) not in (4, 6) or rest[2] != "@" or (len(rest) == 6 and rest[4].lower() != "fee"):
        raise bad
    quantity, price = _decimal(rest[0], bad), _decimal(rest[3], bad)
    record.update(
        ticker=rest[1].upper(),
        quantity=quantity,
        price=price,
        value=round_half_up_cents(quantity * price),
        fee=_decimal(rest[5], bad) if len(rest) == 6 else Decimal(0),
    )
    return record


def _decimal(text: str, error: EventFrameError) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise error from None
    if not value.is_finite() or value < 0:
        raise error
    return value


def _number(raw: object) -> Decimal | None:
    """An exact decimal from int, float, Decimal or text; None for missing or NaN."""
    if raw is None or (isinstance(raw, float) and np.isnan(raw)):
        return None
    if isinstance(raw, float):
        return Decimal(repr(raw))
    return Decimal(str(raw))


def _float(value: Decimal | None) -> float:
    return float("nan") if value is None else float(value)
