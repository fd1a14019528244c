"""The Journal tab's trades table: one row per round-trip trade, sortable and filtered by ticker,
tag, outcome and period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from gui import formatting
from gui.controllers.journal_data import OPEN, TradeRow, period_day
from gui.models.base import RowsTableModel

Index = QModelIndex | QPersistentModelIndex
#: The value a column sorts by (its display text would sort "10" before "9").
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ALL = ""
WINNERS, LOSERS, OPEN_ONLY = "winners", "losers", "open"

COLUMNS: tuple[tuple[str, str], ...] = (
    ("entry_on", "Entry"),
    ("exit_on", "Exit"),
    ("ticker", "Ticker"),
    ("direction", "Side"),
    ("quantity", "Qty"),
    ("entry_price", "Entry price"),
    ("exit_price", "Exit price"),
    ("pnl", "P&L"),
    ("return_pct", "Return"),
    ("holding_days", "Days"),
    ("tags", "Tags"),
    ("note", "Notes"),
)
NUMERIC = frozenset({"quantity", "entry_price", "exit_price", "pnl", "return_pct", "holding_days"})


def _text(row: TradeRow, key: str) -> str:
    if key in ("entry_on", "exit_on"):
        day = formatting.day(getattr(row, key))
        return f"{day} (open)" if key == "exit_on" and row.status == OPEN else day
    if key == "quantity":
        return formatting.quantity(row.quantity)
    if key in ("entry_price", "exit_price"):
        return formatting.price(getattr(row, key))
    if key == "pnl":
        return formatting.signed_money(row.pnl)
    if key == "return_pct":
        return formatting.percent(row.return_pct)
    if key == "holding_days":
        return f"{row.holding_days:,}"
    if key == "tags":
        return ", ".join(row.tags)
    if key == "note":
        if row.exit_note:
            return f"{row.note} · exit: {row.exit_note}" if row.note else f"exit: {row.exit_note}"
        return row.note
    return str(getattr(row, key))


class TradesTableModel(RowsTableModel):
    """The trades, P&L and return coloured by their sign; open trades' exits marked."""

    HEADERS = tuple(label for _key, label in COLUMNS)

    def __init__(self, gain: QColor, loss: QColor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: Sequence[TradeRow] = ()
        self._gain, self._loss = gain, loss

    def set_rows(self, rows: Sequence[TradeRow]) -> None:
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def rows(self) -> Sequence[TradeRow]:
        return self._rows

    def row(self, index: int) -> TradeRow:
        return self._rows[index]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, key = self._rows[index.row()], COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return _text(row, key)
        if role == SORT_ROLE:
            value = getattr(row, key)
            return ", ".join(value) if key == "tags" else value
        if role == Qt.ItemDataRole.TextAlignmentRole and key in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and key in ("pnl", "return_pct"):
            s = formatting.sign(row.pnl)
            return self._gain if s > 0 else self._loss if s < 0 else None
        if role == Qt.ItemDataRole.ToolTipRole and key == "note":
            return _text(row, key) or None
        return None


class TradesFilter(QSortFilterProxyModel):
    """Keeps the trades of one ticker, one tag and one outcome ("" = all) whose `period_day`
    lies from `start` to `end`, both included (None: no bound); sorts by value."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.ticker, self.tag, self.outcome = ALL, ALL, ALL
        self.start: date | None = None
        self.end: date | None = None

    def set_filter(
        self, ticker: str, tag: str, outcome: str, start: date | None = None,
        end: date | None = None,
    ) -> None:  # fmt: skip
        def keep() -> None:
            self.ticker, self.tag, self.outcome = ticker, tag, outcome
            self.start, self.end = start, end

        if hasattr(self, "beginFilterChange"):  # Qt 6.9 and later
            self.beginFilterChange()
            keep()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            keep()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        model = self.sourceModel()
        assert isinstance(model, TradesTableModel)
        row = model.row(source_row)
        if self.ticker and row.ticker != self.ticker:
            return False
        if self.tag and self.tag not in row.tags:
            return False
        day = period_day(row)
        if (self.start is not None and day < self.start) or (
            self.end is not None and day > self.end
        ):
            return False
        if self.outcome == WINNERS:
            return row.won
        if self.outcome == LOSERS:
            return row.lost
        if self.outcome == OPEN_ONLY:
            return row.status == OPEN
        return True
