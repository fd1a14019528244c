"""The sidebar's model: every portfolio with its value and return."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from events.application import PortfolioSummary
from gui import formatting
from gui.models.base import Index, RowsTableModel
from gui.models.roles import PORTFOLIO_ID, RAW


@dataclass(frozen=True, slots=True)
class PortfolioRow:
    """A portfolio as listed: the write side's summary, then its value once erasmo has it.

    Attributes:
        value: total value (positions + cash) at the latest close; None until known.
        total_return: time-weighted return since opening, as a fraction; None until known.
    """

    id: UUID
    name: str
    version: int
    clock: date
    cash: Decimal
    closed: bool
    value: float | None = None
    total_return: float | None = None

    @classmethod
    def of(cls, summary: PortfolioSummary) -> PortfolioRow:
        return cls(
            summary.id, summary.name, summary.version, summary.clock, summary.cash, summary.closed
        )


class PortfolioListModel(RowsTableModel):
    """Name, value and return of each portfolio; gains green and losses red."""

    COL_NAME, COL_VALUE, COL_RETURN = range(3)
    HEADERS = ("Portfolio", "Value", "Return")

    def __init__(self, gain: QColor, loss: QColor, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[PortfolioRow] = []
        self._gain, self._loss = gain, loss

    # -- content ------------------------------------------------------------------------------

    def set_summaries(self, summaries: list[PortfolioSummary]) -> None:
        """Replace the rows, keeping values already known for portfolios that did not change."""
        known = {r.id: r for r in self._rows}
        rows = []
        for s in summaries:
            row = PortfolioRow.of(s)
            old = known.get(s.id)
            if old is not None and old.version == row.version:
                row = replace(row, value=old.value, total_return=old.total_return)
            rows.append(row)
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def set_valuation(self, portfolio_id: UUID, value: float, total_return: float | None) -> None:
        """Fill in a portfolio's value and return."""
        for i, row in enumerate(self._rows):
            if row.id == portfolio_id:
                self._rows[i] = replace(row, value=value, total_return=total_return)
                self.dataChanged.emit(self.index(i, 1), self.index(i, 2))
                return

    def row_of(self, portfolio_id: UUID | None) -> int:
        """The row of a portfolio, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.id == portfolio_id), -1)

    def portfolio(self, row: int) -> PortfolioRow:
        return self._rows[row]

    def portfolios(self) -> list[PortfolioRow]:
        return list(self._rows)

    # -- QAbstractTableModel ------------------------------------------------------------------

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = self._rows[index.row()], index.column()
        if role == PORTFOLIO_ID:
            return row.id
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_NAME:
                return row.name
            if col == self.COL_VALUE:
                return "…" if row.value is None else formatting.money(row.value)
            return "…" if row.total_return is None else formatting.percent(row.total_return)
        if role == RAW:
            return (row.name, row.value, row.total_return)[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col != self.COL_NAME:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == self.COL_RETURN:
            s = formatting.sign(row.total_return)
            return self._gain if s > 0 else self._loss if s < 0 else None
        if role == Qt.ItemDataRole.FontRole and row.closed:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            status = " (closed)" if row.closed else ""
            return (
                f"{row.name}{status}\nSimulation date {row.clock.isoformat()}\n"
                f"Cash {formatting.money(row.cash)}"
            )
        return None
