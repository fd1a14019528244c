"""The Journal tab's trades table: one row per round-trip trade the tab's filters keep (the
door filters them: `erasmo.journal.filters`), sortable."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from gui import formatting
from gui.controllers.journal_data import OPEN, TradeRow
from gui.models.base import RowsTableModel

Index = QModelIndex | QPersistentModelIndex
#: The value a column sorts by (its display text would sort "10" before "9").
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ALL = ""
#: The outcomes the tab offers, as the door's `trade_journal` names them.
WINNERS, LOSERS, OPEN_ONLY, CLOSED_ONLY = "winners", "losers", "open", "closed"

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
#: Price columns: every row of one gets as many decimals as its most precise price needs,
#: within (fewest, most), so the decimal points line up (as the Holdings tab's prices do).
PRICE_PLACES = {"entry_price": (2, 4), "exit_price": (2, 4)}


def _text(row: TradeRow, key: str, places: dict[str, int] | None = None) -> str:
    if key in ("entry_on", "exit_on"):
        day = formatting.day(getattr(row, key))
        return f"{day} (open)" if key == "exit_on" and row.status == OPEN else day
    if key == "quantity":
        return formatting.quantity(row.quantity)
    if key in PRICE_PLACES:
        low, _high = PRICE_PLACES[key]
        return formatting.fixed(getattr(row, key), (places or {}).get(key, low))
    if key == "pnl":
        return formatting.signed_cents(row.pnl)
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
        self._places: dict[str, int] = {}
        self._gain, self._loss = gain, loss

    def set_rows(self, rows: Sequence[TradeRow]) -> None:
        self.beginResetModel()
        self._rows = tuple(rows)
        self._places = {
            key: max(
                (formatting.places_needed(getattr(r, key), low, high) for r in self._rows),
                default=low,
            )
            for key, (low, high) in PRICE_PLACES.items()
        }
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
            return _text(row, key, self._places)
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


class TradesSorter(QSortFilterProxyModel):
    """Sorts the trades by value (the door's read has filtered them already)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
