"""The allocation tab: weights by ticker or by sector, cash included, as horizontal bars drawn
with Qt, and the income: dividends received per month and year."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui import formatting
from gui.theme import muted


@dataclass(frozen=True, slots=True)
class Slice:
    """One bar: a label, its weight (a fraction of the total value) and its value."""

    label: str
    weight: float
    value: float
    color: QColor


class AllocationChart(QWidget):
    """Horizontal bars, largest first, with the weight and the value written beside each."""

    BAR_HEIGHT = 26
    GAP = 10

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._slices: list[Slice] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

    def set_slices(self, slices: list[Slice]) -> None:
        self._slices = list(slices)
        self.updateGeometry()
        self.update()

    def slices(self) -> list[Slice]:
        return list(self._slices)

    def sizeHint(self) -> QSize:  # noqa: N802
        rows = max(1, len(self._slices))
        return QSize(480, 16 + rows * (self.BAR_HEIGHT + self.GAP))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        track = palette.color(QPalette.ColorRole.AlternateBase)
        metrics = self.fontMetrics()
        label_width = max([metrics.horizontalAdvance(s.label) for s in self._slices] + [40]) + 16
        figures_width = metrics.horizontalAdvance("100.00 %   1,000,000,000.00") + 16
        left = label_width
        right = max(left + 60, self.width() - figures_width)
        top = 8
        biggest = max([s.weight for s in self._slices] + [1e-12])
        for s in self._slices:
            y = top + (self.BAR_HEIGHT - metrics.height()) / 2
            painter.setPen(text)
            painter.drawText(
                QRectF(0, top, label_width - 10, self.BAR_HEIGHT),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                s.label,
            )
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(QRectF(left, top, right - left, self.BAR_HEIGHT), 4, 4)
            width = (right - left) * max(0.0, s.weight) / biggest
            painter.setBrush(s.color)
            painter.drawRoundedRect(QRectF(left, top, width, self.BAR_HEIGHT), 4, 4)
            painter.setPen(text)
            figures = f"{formatting.percent(s.weight, signed=False)}   {formatting.money(s.value)}"
            painter.drawText(
                QRectF(right + 10, y, figures_width, metrics.height()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                figures,
            )
            top += self.BAR_HEIGHT + self.GAP
        painter.end()


#: The checked grouping button stands out (as the performance tab's toggles).
CHECKED_BUTTONS = (
    "QPushButton:checked { background-color: palette(highlight); "
    "color: palette(highlighted-text); border: 1px solid palette(highlight); "
    "border-radius: 3px; padding: 4px 10px; }"
)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CAPTIONS = {
    "ticker": "Weights by ticker, cash included, at the valuation date.",
    "sector": "Weights by sector (GICS, from erasmo's sector map), cash included, at the "
    "valuation date. Tickers the map lacks are Unclassified.",
}


class AllocationView(QWidget):
    """Ticker / Sector toggles and a caption over the bar chart; the income table below."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._slices: dict[str, list[Slice]] = {"ticker": [], "sector": []}
        self.by_ticker = QPushButton("By ticker")
        self.by_sector = QPushButton("By sector")
        self.grouping = QButtonGroup(self)
        top = QHBoxLayout()
        for button in (self.by_ticker, self.by_sector):
            button.setCheckable(True)
            button.setMinimumWidth(button.sizeHint().width() + 24)
            self.grouping.addButton(button)
            top.addWidget(button)
        self.by_ticker.setChecked(True)
        self.setStyleSheet(CHECKED_BUTTONS)
        self.caption = QLabel(CAPTIONS["ticker"])
        self.caption.setWordWrap(True)
        muted(self.caption)
        top.addSpacing(12)
        top.addWidget(self.caption, 1)
        self.chart = AllocationChart()
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        holder = QWidget()
        inner = QVBoxLayout(holder)
        inner.addWidget(self.chart)
        inner.addStretch(1)
        scroll.setWidget(holder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        layout.addLayout(self._income_box())
        self.grouping.buttonToggled.connect(self._show_grouping)

    def _income_box(self) -> QVBoxLayout:
        title = QLabel("Income: dividends received")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.income_total = QLabel("")
        head = QHBoxLayout()
        head.addWidget(title)
        head.addSpacing(12)
        head.addWidget(self.income_total, 1)
        self.income = table = QTableWidget(0, len(MONTHS) + 2, self)
        table.setHorizontalHeaderLabels(["Year", *MONTHS, "Total"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.setMaximumHeight(table.verticalHeader().defaultSectionSize() * 7)
        self.income_empty = QLabel(
            "No dividends received up to the valuation date. Apply the dividends due to a "
            "portfolio with Portfolio → Apply splits and dividends."
        )
        self.income_empty.setWordWrap(True)
        muted(self.income_empty)
        box = QVBoxLayout()
        box.addLayout(head)
        box.addWidget(self.income_empty)
        box.addWidget(table)
        return box

    def grouped_by(self) -> str:
        """ "ticker" or "sector": what the bars show."""
        return "sector" if self.by_sector.isChecked() else "ticker"

    def set_slices(self, by_ticker: list[Slice], by_sector: list[Slice]) -> None:
        """The bars of both groupings; the checked one is drawn."""
        self._slices = {"ticker": list(by_ticker), "sector": list(by_sector)}
        self._show_grouping()

    def _show_grouping(self, *_: object) -> None:
        grouping = self.grouped_by()
        self.caption.setText(CAPTIONS[grouping])
        self.chart.set_slices(self._slices[grouping])

    def set_income(self, months: dict[tuple[int, int], float], total: float) -> None:
        """Dividends per (year, month): one row per year, oldest first, with its total."""
        years = sorted({year for year, _ in months})
        table = self.income
        table.setRowCount(len(years))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for row, year in enumerate(years):
            cells = [str(year)]
            for month in range(1, 13):
                amount = months.get((year, month))
                cells.append("" if amount is None else formatting.money(amount))
            year_total = sum(a for (y, _), a in months.items() if y == year)
            cells.append(formatting.money(year_total))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(right)
                table.setItem(row, column, item)
        self.income_total.setText(f"Total {formatting.money(total)}" if years else "")
        table.setVisible(bool(years))
        self.income_empty.setVisible(not years)
