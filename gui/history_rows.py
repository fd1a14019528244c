"""The rows of the history tab: each event of a portfolio with the cash it left behind.

The cash after each event is the portfolio's own balance, from the front door's replay of the
history through the aggregate (`FrontDoor.history_steps`): the GUI does no money arithmetic of
its own. Large histories are read from the analytics' event frame instead (`FrameRows`). No Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, overload
from uuid import UUID

from events.logged import LoggedEvent

if TYPE_CHECKING:
    from erasmo.door import FrontDoor


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One event as the history table shows it.

    Attributes:
        seq: position in the store's log (the "as of" key of time travel).
        version: position in the portfolio's own history, from 1.
        on: the market date.
        type: the event type, e.g. "SharesBought".
        ticker, quantity, price, fee: the trade's, None for other events (a dividend: its
            ticker, the shares it was paid on and the cash per share; a split: its ticker).
        amount: the cash moved (deposit, withdrawal, dividend) or the trade's value; None
            otherwise.
        cash_after: the portfolio's cash after the event (None where it is not known: see
            `rows_from_event_frame`).
        name: the portfolio's name after the event.
        ratio: a split's new shares per old share; None for other events.
        details: the event in words, one line (as `erasmo history` gives it; empty for rows
            read from the event frame).
        unreadable: why this erasmo cannot read the stored event; None for every readable one.
        voided: for an event a later void took out, that void in words ("voided at log
            position 12: typed twice"); None otherwise.
    """

    seq: int
    version: int
    on: date
    type: str
    ticker: str | None
    quantity: Decimal | None
    price: Decimal | None
    fee: Decimal | None
    amount: Decimal | None
    cash_after: Decimal | None
    name: str
    ratio: Decimal | None = None
    details: str = ""
    unreadable: str | None = None
    voided: str | None = None


Cancelled = Callable[[], bool]
#: Above this many events the history is read from the analytics' columnar event frame: replaying
#: every domain event in Python takes about 0.1 ms each, and a million would hold the GIL for
#: minutes.
LARGE_HISTORY = 20_000


def history_rows(
    door: FrontDoor, portfolio_id: UUID, cancelled: Cancelled = lambda: False
) -> list[HistoryRow]:
    """Every event of the portfolio, in order, with the cash after it.

    An event this erasmo cannot read (a newer shape version, a damaged byte) is a row that says
    why; the cash after it and after every later event is left unknown, since the replay stops
    at it."""
    rows: list[HistoryRow] = []
    voids: dict[int, str] = {}  # voided version -> the void, in words
    for step in door.history_steps(portfolio_id):
        if cancelled():
            return []
        event = step.event
        rows.append(_row(event, step.cash_after, step.name))
        if event.type == "EventVoided" and event.unreadable is None:
            reason = event.fields.get("reason", "")
            voids[int(event.fields["about"])] = f"voided at log position {event.seq}: {reason}"
    if voids:
        rows = [replace(r, voided=voids[r.version]) if r.version in voids else r for r in rows]
    return rows


def _row(event: LoggedEvent, cash_after: Decimal | None, name: str) -> HistoryRow:
    fields = event.fields
    return HistoryRow(
        seq=event.seq,
        version=event.version,
        on=event.on,
        type=event.type,
        ticker=fields.get("ticker"),
        quantity=fields.get("quantity"),
        price=fields.get("price", fields.get("amount_per_share")),
        fee=fields.get("fee"),
        amount=fields.get("value", fields.get("amount")),
        cash_after=cash_after,
        name=name,
        ratio=fields.get("ratio"),
        details=event.describe(),
        unreadable=event.unreadable,
    )


class FrameRows(Sequence[HistoryRow]):
    """The rows of a large portfolio, built one at a time from columns of its event frame.

    A million `HistoryRow` objects would take seconds to build and hundreds of megabytes; the
    table only ever asks for the rows on screen.
    """

    def __init__(self, events: Any, name: str) -> None:
        # The frame's own arrays, not lists: a list of a million Python objects per column
        # would hold the GIL (and so the window) for a good part of a second.
        self._name = name
        column = events["type"]
        kinds = (column if str(column.dtype) == "category" else column.astype("category")).cat
        self._kinds = [str(k) for k in kinds.categories]
        self._codes = kinds.codes.to_numpy()
        self._seq = events["seq"].to_numpy()
        self._version = events["version"].to_numpy()
        self._on = events["on"].to_numpy(dtype="datetime64[D]")
        self._ticker = events["ticker"].to_numpy(dtype=object)
        self._quantity = events["quantity"].to_numpy(dtype=float)
        self._price = events["price"].to_numpy(dtype=float)
        self._fee = events["fee"].to_numpy(dtype=float)
        self._value = events["value"].to_numpy(dtype=float)
        self._amount = events["amount"].to_numpy(dtype=float)
        self._ratio = events["ratio"].to_numpy(dtype=float) if "ratio" in events else None
        self._built: dict[int, HistoryRow] = {}  # the rows on screen are asked for many times

    def __len__(self) -> int:
        return len(self._seq)

    @overload
    def __getitem__(self, index: int) -> HistoryRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[HistoryRow]: ...

    def __getitem__(self, index: int | slice) -> HistoryRow | list[HistoryRow]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        i = range(len(self))[index]
        built = self._built.get(i)
        if built is None:
            if len(self._built) >= 4096:
                self._built.clear()
            built = self._built[i] = self._build(i)
        return built

    def _build(self, i: int) -> HistoryRow:
        kind = self._kinds[self._codes[i]]
        trade = kind in ("SharesBought", "SharesSold")
        action = kind in ("SplitApplied", "DividendReceived")  # corporate actions
        moved = self._value[i]
        return HistoryRow(
            seq=int(self._seq[i]),
            version=int(self._version[i]),
            on=self._on[i].item(),
            type=kind,
            ticker=self._ticker[i] if trade or action else None,
            quantity=_number(self._quantity[i]),
            price=_number(self._price[i]),
            fee=_number(self._fee[i]) if trade else None,
            amount=_number(moved if moved == moved else self._amount[i]),  # NaN: not a trade
            cash_after=None,
            name=self._name,
            ratio=None if self._ratio is None else _number(self._ratio[i]),
        )


def _number(value: Any) -> Decimal | None:
    if value is None or value != value:  # NaN
        return None
    return Decimal(str(float(value)))


def rows_from_event_frame(events: Any, name: str) -> Sequence[HistoryRow]:
    """The rows of a large portfolio, from its columnar event frame (`Analytics.portfolio_events`).

    The frame carries no balances, so the cash after each event is left unknown.
    """
    return FrameRows(events, name)
