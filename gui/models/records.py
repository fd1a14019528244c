"""A table of plain records (mappings), one per row, under declared columns: the comparison's
metrics and the leaderboard."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from gui import formatting
from gui.models.base import Index, RowsTableModel
from gui.models.roles import RAW


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@dataclass(frozen=True, slots=True)
class Column:
    """A column: the record's key, its header, how to show a value, whether gains are green."""

    key: str
    header: str
    show: Callable[[Any], str] = str
    signed: bool = False
    tooltip: str = ""
    numeric: bool = True


def percent(value: Any) -> str:
    return formatting.percent(value)


def unsigned(value: Any) -> str:
    return formatting.percent(value, signed=False)


def ratio(value: Any) -> str:
    return f"{value:.2f}".replace("-", "−")


def day(value: Any) -> str:
    return value.date().isoformat() if hasattr(value, "date") else str(value)


class RecordsTableModel(RowsTableModel):
    """Records under `columns`; signed columns green when positive, red when negative."""

    def __init__(
        self, columns: Sequence[Column], gain: QColor, loss: QColor, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.HEADERS = tuple(c.header for c in self.columns)  # type: ignore[misc]
        self._rows: list[Mapping[str, Any]] = []
        self._gain, self._loss = gain, loss

    def set_records(self, records: Sequence[Mapping[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = list(records)
        self.endResetModel()

    def records(self) -> list[Mapping[str, Any]]:
        return list(self._rows)

    def text(self, row: int, key: str) -> str:
        """What the cell of `key` on `row` shows (for tests and the clipboard)."""
        column = next(i for i, c in enumerate(self.columns) if c.key == key)
        return str(self.data(self.index(row, column)))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record, column = self._rows[index.row()], self.columns[index.column()]
        value = record.get(column.key)
        if role == Qt.ItemDataRole.DisplayRole:
            return "—" if _missing(value) else column.show(value)
        if role == RAW:
            return value
        if role == Qt.ItemDataRole.ToolTipRole:
            note = record.get("irr_note") if column.key == "irr" else record.get("note")
            return "\n".join(t for t in (column.tooltip, note) if t) or None
        if role == Qt.ItemDataRole.ForegroundRole and column.signed and not _missing(value):
            s = formatting.sign(value)
            return self._gain if s > 0 else self._loss if s < 0 else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
