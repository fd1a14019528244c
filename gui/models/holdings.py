"""The holdings tab's model: one row per position, and a totals row that stays at the bottom.

It shows what erasmo's analytics computed (columns named as in the holdings DataFrame); before
the analytics are loaded it can show the shares held (the front door's head).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QGuiApplication, QIcon, QPainter, QPixmap

from erasmo.door.accounts import margin_used
from gui import formatting
from gui.models.roles import RAW, STALE, TOTAL

Index = QModelIndex | QPersistentModelIndex
Row = Mapping[str, Any]


def _money(v: Any) -> str:
    return formatting.money(v)


def _cost(v: Any) -> str:
    return formatting.price(round(float(v), 4))


#: (key in the holdings frame, header, formatter, coloured by sign, tooltip)
COLUMNS: tuple[tuple[str, str, Callable[[Any], str], bool, str], ...] = (
    ("ticker", "Ticker", str, False, "The stock's symbol."),
    ("quantity", "Quantity", formatting.quantity, False, "Shares held."),
    (
        "average_cost",
        "Avg\ncost",
        _cost,
        False,
        "Cost per share held, buy fees included.",
    ),
    ("last_price", "Last\nprice", formatting.price, False, "The close on the valuation date."),
    ("market_value", "Market\nvalue", _money, False, "Quantity × last price."),
    (
        "day_change",
        "Day\nchange",
        formatting.signed_money,
        True,
        "The move of the shares held since the previous trading day's close; shares bought "
        "that day move from their purchase price, shares sold count their move up to the sale.",
    ),
    (
        "unrealized_pnl",
        "Unrealized\nP&L",
        formatting.signed_money,
        True,
        "Market value − cost basis of the shares held.",
    ),
    (
        "unrealized_pct",
        "Unrealized\n%",
        formatting.percent,
        True,
        "Unrealized P&L as a share of the cost basis.",
    ),
    (
        "realized_pnl",
        "Realized\nP&L",
        formatting.signed_money,
        True,
        "Gain or loss locked in by the sales so far, fees included.",
    ),
    (
        "weight",
        "Weight",
        lambda v: formatting.percent(v, signed=False),
        False,
        "Market value as a share of the portfolio's total value, cash included.",
    ),
    (
        "margin_used",
        "Margin\nused",
        _money,
        False,
        "Initial margin: the share of the position's market value the account must put up "
        "(initial margin × |market value|; a short's quantity and market value are negative). "
        "The margin call speaks of the lower maintenance margin.",
    ),
)
KEYS = tuple(c[0] for c in COLUMNS)
#: Columns in the portfolio's currency: their headers name it.
MONEY_COLUMNS = frozenset(
    (
        "average_cost",
        "last_price",
        "market_value",
        "day_change",
        "unrealized_pnl",
        "realized_pnl",
        "margin_used",
    )
)
#: Columns whose decimals depend on the values: every row of the column gets as many as its
#: most precise value needs, within (fewest, most), so the decimal points line up.
COLUMN_PLACES = {"quantity": (0, 6), "average_cost": (2, 4), "last_price": (2, 6)}


def _dot(color: QColor, size: int = 10) -> QIcon:
    """A small filled circle: the stale-price marker."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(color)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


def _header_size(header: str, currency: str) -> QSize:
    """A money column's header with its currency on a line of its own, as wide as the header
    without it would be: Qt widens a sortable section by its height (the sort arrow), which
    would push the table past the window for one short extra line."""
    metrics = QFontMetrics(QGuiApplication.font())
    lines = [*header.split("\n"), currency]
    text = max(metrics.horizontalAdvance(line) for line in lines)
    two_lines = 2 * metrics.height() + 2
    return QSize(text + 12 + two_lines, len(lines) * metrics.height() + 4)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value))


def _with_margin(row: Row, margin: float | None) -> Row:
    """The row with its margin used, to the cent as the CLI's (`erasmo.door.accounts`)."""
    quantity, price = row.get("quantity"), row.get("last_price")
    if margin is None or not (_is_number(quantity) and _is_number(price)):
        return row
    used = margin_used(margin, float(quantity or 0), float(price or 0))
    return row if used is None else {**row, "margin_used": float(used)}


class HoldingsTableModel(QAbstractTableModel):
    """Positions (ticker, quantity, avg cost, last price, value, changes, P&L, weight)."""

    def __init__(self, gain: QColor, loss: QColor, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []
        self._totals: Row | None = None
        self._gain, self._loss = gain, loss
        self._stale: frozenset[str] = frozenset()
        self._stale_icon = _dot(QColor("#d29922"))
        self._currency = "USD"
        self._places: dict[str, int] = {}

    def set_currency(self, code: str) -> None:
        """The currency the money columns are in (named in their headers)."""
        if code != self._currency:
            self._currency = code
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)

    def places(self, key: str) -> int | None:
        """The decimals every row of column `key` is shown with (None: its own format)."""
        return self._places.get(key)

    def set_stale(self, tickers: frozenset[str]) -> None:
        """Mark the tickers whose latest price is older than their source should have."""
        self._stale = frozenset(tickers)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0))

    def is_stale(self, row: int) -> bool:
        return row < len(self._rows) and str(self._rows[row].get("ticker")) in self._stale

    def set_rows(
        self, rows: Sequence[Row], totals: Row | None = None, margin: float | None = None
    ) -> None:
        """Replace the positions (mappings keyed like the holdings frame) and the totals row.
        `margin`: a margin account's initial margin (a fraction), which gives each position's
        margin used; None for a cash account (the column stays empty)."""
        self.beginResetModel()
        self._rows = [_with_margin(r, margin) for r in rows]
        if totals is not None and margin is not None:
            used = sum(float(r["margin_used"]) for r in self._rows if _is_number(r["margin_used"]))
            totals = {**totals, "margin_used": used}
        self._totals = totals
        self._places = {
            key: max(
                (formatting.places_needed(r.get(key), low, high) for r in self._rows),
                default=low,
            )
            for key, (low, high) in COLUMN_PLACES.items()
        }
        self.endResetModel()

    def set_colors(self, gain: QColor, loss: QColor) -> None:
        self._gain, self._loss = gain, loss
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, len(KEYS) - 1))

    def column_of(self, key: str) -> int:
        return KEYS.index(key)

    def tickers(self) -> list[str]:
        return [str(r["ticker"]) for r in self._rows]

    def _row(self, i: int) -> tuple[Row, bool]:
        if i < len(self._rows):
            return self._rows[i], False
        assert self._totals is not None
        return self._totals, True

    # -- QAbstractTableModel ------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid():
            return 0
        return len(self._rows) + (1 if self._totals is not None and self._rows else 0)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        key = COLUMNS[section][0]
        if role == Qt.ItemDataRole.DisplayRole:
            header = COLUMNS[section][1]
            return f"{header}\n{self._currency}" if key in MONEY_COLUMNS else header
        if role == Qt.ItemDataRole.SizeHintRole and key in MONEY_COLUMNS:
            return _header_size(COLUMNS[section][1], self._currency)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = COLUMNS[section][4]
            return f"{tip} In {self._currency}." if key in MONEY_COLUMNS else tip
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, total = self._row(index.row())
        key, _, fmt, coloured, _ = COLUMNS[index.column()]
        value = row.get(key)
        if role == Qt.ItemDataRole.DisplayRole:
            if value is None:
                return ""
            places = self._places.get(key)
            return fmt(value) if places is None else formatting.fixed(value, places)
        if role == RAW:
            return value
        if role == TOTAL:
            return total
        if role == Qt.ItemDataRole.TextAlignmentRole and key != "ticker":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and coloured and _is_number(value):
            s = formatting.sign(value)
            return self._gain if s > 0 else self._loss if s < 0 else None
        if role == Qt.ItemDataRole.FontRole and total:
            font = QFont()
            font.setBold(True)
            return font
        stale = key == "ticker" and not total and str(value) in self._stale
        if role == STALE:
            return stale
        if role == Qt.ItemDataRole.DecorationRole and stale:
            return self._stale_icon
        if role == Qt.ItemDataRole.ToolTipRole and stale:
            return (
                f"{value}'s latest price is older than the last trading day its source should "
                "have (the price feed failed or has not been asked since). Refresh prices "
                "(Ctrl+Shift+R) to bring it up to date."
            )
        if role == Qt.ItemDataRole.ToolTipRole and key == "last_price" and row.get("stale"):
            return "No close that day: the latest earlier close (or trade price) is used."
        return None


class TotalsLastProxy(QSortFilterProxyModel):
    """Sorts by the raw values and keeps the totals row at the bottom in either order."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(RAW)

    def lessThan(self, left: Index, right: Index) -> bool:  # noqa: N802
        ascending = self.sortOrder() == Qt.SortOrder.AscendingOrder
        left_total = bool(left.data(TOTAL))
        right_total = bool(right.data(TOTAL))
        if left_total or right_total:
            # Qt reverses the comparison for a descending sort: undo that for the totals row.
            return right_total if ascending else left_total
        a, b = left.data(RAW), right.data(RAW)
        if a is None or (isinstance(a, float) and math.isnan(a)):
            return not ascending  # missing values last
        if b is None or (isinstance(b, float) and math.isnan(b)):
            return ascending
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)
