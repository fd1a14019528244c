"""The sidebar's model: every portfolio with its value and return, branches under their parent."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from erasmo.door.models import CLOSED
from erasmo.door.models import PortfolioRow as ListedPortfolio
from gui import formatting
from gui.models.base import Index
from gui.models.roles import PORTFOLIO_ID, RAW

#: Shown after the name of a portfolio holding events this install could not check.
UNVERIFIED_MARK = "(?)"


@dataclass(frozen=True, slots=True)
class PortfolioRow:
    """A portfolio as the front door lists it, then its value once erasmo has it.

    Attributes:
        value: total value (positions + cash) at the latest close; None until known.
        total_return: time-weighted return since opening, as a fraction; None until known
            (and None once valued when it is undefined).
        valued: whether erasmo has valued it since its latest event ("…" until then).
        unreadable: it holds an event this erasmo cannot read (only its history is shown).
        currency: the money it holds (ISO 4217), shown with its amounts.
        simulated: a simulation (its now is its clock; a live portfolio's, the last close).
    """

    id: UUID
    name: str
    version: int
    clock: date
    cash: Decimal
    closed: bool
    value: float | None = None
    total_return: float | None = None
    valued: bool = False
    unreadable: bool = False
    currency: str = "USD"
    simulated: bool = False

    @classmethod
    def of(cls, listed: ListedPortfolio) -> PortfolioRow:
        closed = listed.status == CLOSED
        return cls(
            listed.id,
            listed.name,
            listed.version,
            listed.clock,
            listed.cash,
            closed,
            unreadable=listed.status == "unreadable",
            currency=listed.currency,
            simulated=listed.simulated,
        )


class PortfolioListModel(QAbstractItemModel):
    """Name, value and return of each portfolio; gains green and losses red.

    A tree: a branch (a fork of another portfolio) is a child of the portfolio it was forked
    from. Portfolios are also numbered flat, in the store's order: `row_of`, `portfolio(row)`.
    """

    COL_NAME, COL_VALUE, COL_RETURN = range(3)
    HEADERS = ("Portfolio", "Value", "Return")

    def __init__(self, gain: QColor, loss: QColor, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[PortfolioRow] = []
        self._parent_of: list[int] = []  # flat position of each row's parent, -1 at the top
        self._children: dict[int, list[int]] = {-1: []}  # flat positions, by parent
        self._gain, self._loss = gain, loss
        self._unverified: set[UUID] = set()
        self.market_date: date | None = None  # the market's last close (live portfolios' now)

    # -- content ------------------------------------------------------------------------------

    def set_summaries(
        self, summaries: list[ListedPortfolio], parents: dict[UUID, UUID] | None = None
    ) -> None:
        """Replace the rows (keeping values already known for portfolios that did not change);
        `parents` maps a branch's id to its parent's id."""
        known = {r.id: r for r in self._rows}
        rows = []
        for s in summaries:
            row = PortfolioRow.of(s)
            old = known.get(s.id)
            if old is not None and old.version == row.version:
                row = replace(
                    row, value=old.value, total_return=old.total_return, valued=old.valued
                )
            rows.append(row)
        self.beginResetModel()
        self._rows = rows
        position = {r.id: i for i, r in enumerate(rows)}
        parents = parents or {}
        self._parent_of = [position.get(parents.get(r.id), -1) for r in rows]  # type: ignore[arg-type]
        self._break_cycles()
        self._children = {-1: []}
        for i, p in enumerate(self._parent_of):
            self._children.setdefault(p, []).append(i)
        self.endResetModel()

    def _break_cycles(self) -> None:
        for start in range(len(self._parent_of)):
            seen, node = {start}, self._parent_of[start]
            while node >= 0:
                if node in seen:  # a loop (a store edited by hand): show it at the top
                    self._parent_of[start] = -1
                    break
                seen.add(node)
                node = self._parent_of[node]

    def set_valuation(self, portfolio_id: UUID, value: float, total_return: float | None) -> None:
        """Fill in a portfolio's value and return (None: undefined, shown as "—")."""
        i = self.row_of(portfolio_id)
        if i >= 0:
            self._rows[i] = replace(
                self._rows[i], value=value, total_return=total_return, valued=True
            )
            self.dataChanged.emit(self.index_of(i, 1), self.index_of(i, 2))

    def set_unverified(self, portfolio_ids: set[UUID]) -> None:
        """Mark the portfolios holding events this install could not check (see erasmo check)."""
        self._unverified = set(portfolio_ids)
        for i in range(len(self._rows)):
            index = self.index_of(i, 0)
            self.dataChanged.emit(index, index)

    def row_of(self, portfolio_id: UUID | None) -> int:
        """The flat position of a portfolio, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.id == portfolio_id), -1)

    def portfolio(self, row: int) -> PortfolioRow:
        """The portfolio at flat position `row`."""
        return self._rows[row]

    def portfolios(self) -> list[PortfolioRow]:
        return list(self._rows)

    def count(self) -> int:
        """How many portfolios, branches included."""
        return len(self._rows)

    def parent_of(self, portfolio_id: UUID) -> UUID | None:
        """The id of the portfolio `portfolio_id` was forked from (None: not a branch)."""
        i = self.row_of(portfolio_id)
        return None if i < 0 or self._parent_of[i] < 0 else self._rows[self._parent_of[i]].id

    def index_of(self, row: int, column: int = 0) -> QModelIndex:
        """The model index of the portfolio at flat position `row`."""
        if not 0 <= row < len(self._rows):
            return QModelIndex()
        siblings = self._children[self._parent_of[row]]
        return self.createIndex(siblings.index(row), column, row)

    # -- QAbstractItemModel ---------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        key = parent.internalId() if parent.isValid() else -1
        children = self._children.get(key, [])
        if not (0 <= row < len(children) and 0 <= column < len(self.HEADERS)):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        p = self._parent_of[index.internalId()]
        return QModelIndex() if p < 0 else self.index_of(p)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid() and parent.column() != 0:
            return 0
        key = parent.internalId() if parent.isValid() else -1
        return len(self._children.get(key, []))

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return len(self.HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = self._rows[index.internalId()], index.column()
        if role == PORTFOLIO_ID:
            return row.id
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_NAME:
                return f"{row.name} {UNVERIFIED_MARK}" if row.id in self._unverified else row.name
            if not row.valued:
                return "…"  # being valued in the background
            figure = row.value if col == self.COL_VALUE else row.total_return
            if figure is None or math.isnan(figure):
                return "—"
            return formatting.money(figure) if col == self.COL_VALUE else formatting.percent(figure)
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
            parent = self._parent_of[index.internalId()]
            if parent >= 0:
                status += f" — a branch of {self._rows[parent].name}"
            unchecked = (
                "\nHolds events this install could not check against its market data "
                "(see 'erasmo check')."
                if row.id in self._unverified
                else ""
            )
            if row.simulated:
                now = f"Simulation date {row.clock.isoformat()}"
            else:  # a live portfolio is valued at the market's last close (gui.now)
                last = row.clock if self.market_date is None else max(row.clock, self.market_date)
                now = f"Last close {last.isoformat()}"
            return f"{row.name}{status}\n{now}\nCash {formatting.money(row.cash)}{unchecked}"
        return None
