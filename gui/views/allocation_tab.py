"""The allocation tab: weights by ticker, cash included, as horizontal bars drawn with Qt."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

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


class AllocationView(QWidget):
    """A caption over the bar chart."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel("Weights by ticker, cash included, at the valuation date.")
        muted(self.caption)
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
        layout.addWidget(self.caption)
        layout.addWidget(scroll, 1)
