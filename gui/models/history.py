"""The history tab's model: a portfolio's events, one row each, oldest first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from events.schemas import EVENT_SCHEMAS
from gui import formatting
from gui.history_rows import HistoryRow
from gui.models.base import Index, RowsTableModel
from gui.models.roles import RAW

#: How each event type reads in the table (its label in the table of event types).
TYPE_LABELS = {name: schema.label for name, schema in EVENT_SCHEMAS.items()}


def _explain(r: HistoryRow) -> str:
    """What an event did, in words, for the tooltip."""
    if r.unreadable is not None:
        return f"This erasmo cannot read this event: {r.unreadable}. Run 'erasmo check'"
    # corporate actions
    if r.type == "SplitApplied" and r.ratio is not None:
        return (
            f"{r.ticker} split: each share became {formatting.quantity(r.ratio)}; the cost "
            "basis and the value stay, the cost per share is divided by the ratio"
        )
    if r.type == "DividendReceived" and r.amount is not None:
        return (
            f"{r.ticker} dividend: {formatting.price(r.price)} a share on "
            f"{formatting.quantity(r.quantity)} shares = {formatting.money(r.amount)} cash "
            "(income, not a deposit)"
        )
    return f"{r.type}: {r.details}" if r.details else r.type


def _text(value: Any, fmt: Callable[[Any], str]) -> str:
    return "" if value is None else fmt(value)


class HistoryTableModel(RowsTableModel):
    """seq, date, type, ticker, quantity, price, fee, amount and cash after of each event.

    Rows after the "as of" event are drawn dimmed: time travel shows them as the future.
    A voided event is drawn struck through and dimmed, its tooltip naming the void.
    """

    COL_SEQ, COL_DATE, COL_TYPE, COL_TICKER, COL_QUANTITY = range(5)
    COL_PRICE, COL_FEE, COL_AMOUNT, COL_CASH = range(5, 9)
    HEADERS = ("Seq", "Date", "Type", "Ticker", "Quantity", "Price", "Fee", "Amount", "Cash after")
    _NUMERIC = frozenset((COL_SEQ, COL_QUANTITY, COL_PRICE, COL_FEE, COL_AMOUNT, COL_CASH))

    def __init__(self, dimmed: QColor | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: Sequence[HistoryRow] = []
        self._as_of: int | None = None
        self._dimmed = dimmed or QColor("#8b949e")

    def set_rows(self, rows: Sequence[HistoryRow]) -> None:
        """Replace every row (and forget the "as of" row)."""
        self.beginResetModel()
        self._rows = rows
        self._as_of = None
        self.endResetModel()

    def set_as_of(self, row: int | None) -> None:
        """Dim the rows after `row` (None: the latest, nothing dimmed)."""
        if row == self._as_of:
            return
        count = len(self._rows)
        # Only the rows between the old and the new "as of" change (bold, dimmed): a step of
        # time travel repaints two rows, not a million.
        old, new = (count if r is None else r for r in (self._as_of, row))
        self._as_of = row
        first, last = min(old, new), min(max(old, new), count - 1)
        if first <= last:
            column = len(self.HEADERS) - 1
            self.dataChanged.emit(self.index(first, 0), self.index(last, column))

    def event(self, row: int) -> HistoryRow:  # type: ignore[override]
        return self._rows[row]

    def rows(self) -> list[HistoryRow]:
        return list(self._rows)

    def row_of_seq(self, seq: int) -> int:
        """The row of the event at log position `seq` (or of the last one before it)."""
        low, high = 0, len(self._rows)  # rows are in log order: bisect on seq
        while low < high:
            middle = (low + high) // 2
            if self._rows[middle].seq <= seq:
                low = middle + 1
            else:
                high = middle
        return low - 1

    # -- QAbstractTableModel ------------------------------------------------------------------

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, col = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, col)
        if role == RAW:
            return self._raw(r, col)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in self._NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if r.voided is not None or (self._as_of is not None and index.row() > self._as_of):
                return self._dimmed
            return None
        if role == Qt.ItemDataRole.FontRole:
            return self._font(r, index.row())
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.COL_CASH and r.cash_after is None:
                return "Not shown for histories this long (it would take minutes to replay)."
            where = f"(event {r.version} of {r.name!r}, log position {r.seq})"
            if r.voided is not None:
                return f"Voided — {_explain(r)} {where}; {r.voided}"
            return f"{_explain(r)} {where}"
        return None

    def _font(self, r: HistoryRow, row: int) -> QFont | None:
        """Bold for the "as of" row, struck through for a voided event."""
        if row != self._as_of and r.voided is None:
            return None
        font = QFont()
        font.setBold(row == self._as_of)
        font.setStrikeOut(r.voided is not None)
        return font

    def _display(self, r: HistoryRow, col: int) -> str:
        if col == self.COL_SEQ:
            return str(r.seq)
        if col == self.COL_DATE:
            return r.on.isoformat()
        if col == self.COL_TYPE:
            return "Unreadable" if r.unreadable is not None else TYPE_LABELS.get(r.type, r.type)
        if col == self.COL_TICKER:
            return r.ticker or ""
        if col == self.COL_QUANTITY:
            if r.ratio is not None:  # a split: its ratio, e.g. "x2"
                return f"x{formatting.quantity(r.ratio)}"
            return _text(r.quantity, formatting.quantity)
        if col == self.COL_PRICE:
            return _text(r.price, formatting.price)
        if col == self.COL_FEE:
            return _text(r.fee, formatting.money)
        if col == self.COL_AMOUNT:
            return _text(r.amount, formatting.money)
        return _text(r.cash_after, formatting.money)

    def _raw(self, r: HistoryRow, col: int) -> Any:
        return (
            r.seq, r.on, r.type, r.ticker, r.quantity, r.price, r.fee, r.amount, r.cash_after
        )[col]  # fmt: skip
