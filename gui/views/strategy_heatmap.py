"""A heatmap of one metric over two swept parameters: a pyqtgraph ImageItem, one cell per set,
the parameter values as the axes' labels and each cell's value written in it. Double-clicking a
cell emits its (column, row)."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui.theme import muted


class Heatmap(QWidget):
    """`array[row, column]`: rows are the second parameter's values (bottom up), columns the
    first one's (left to right)."""

    cell_activated = Signal(int, int)  # column, row

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(title)
        palette = self.palette()
        foreground = palette.color(QPalette.ColorRole.Text)
        self.plot = pg.PlotWidget(background=palette.color(QPalette.ColorRole.Base))
        for side in ("bottom", "left"):
            axis = self.plot.getAxis(side)
            axis.setTextPen(foreground)
            axis.setPen(foreground)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setMinimumSize(260, 200)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.plot.addItem(self.image)
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.array = np.zeros((0, 0))
        self.xs: list[str] = []
        self.ys: list[str] = []
        self._texts: list[pg.TextItem] = []
        self.note = QLabel("")
        muted(self.note)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.note)

    def set_data(
        self,
        array: np.ndarray,
        xs: tuple[str, list[str]],
        ys: tuple[str, list[str]],
        text: list[list[str]],
    ) -> None:
        """Show `array` (rows: ys's values, columns: xs's), each cell labelled by `text`."""
        self.array = array
        (x_name, self.xs), (y_name, self.ys) = xs, ys
        finite = array[np.isfinite(array)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if math.isclose(low, high):
            high = low + 1.0
        self.image.setImage(array, levels=(low, high))
        self.image.setRect(0, 0, array.shape[1], array.shape[0])
        for item in self._texts:
            self.plot.removeItem(item)
        self._texts = []
        for row, line in enumerate(text):
            for column, label in enumerate(line):
                bright = (array[row, column] - low) / (high - low) > 0.6
                item = pg.TextItem(label, color="k" if bright else "w", anchor=(0.5, 0.5))
                item.setPos(column + 0.5, row + 0.5)
                self.plot.addItem(item)
                self._texts.append(item)
        bottom, left = self.plot.getAxis("bottom"), self.plot.getAxis("left")
        bottom.setTicks([[(i + 0.5, v) for i, v in enumerate(self.xs)]])
        left.setTicks([[(i + 0.5, v) for i, v in enumerate(self.ys)]])
        bottom.setLabel(x_name)
        left.setLabel(y_name)
        self.plot.setXRange(0, array.shape[1], padding=0)
        self.plot.setYRange(0, array.shape[0], padding=0)

    def cell_at(self, point: QPointF) -> tuple[int, int] | None:
        """The (column, row) of the cell under a point in the plot's coordinates."""
        column, row = math.floor(point.x()), math.floor(point.y())
        if 0 <= row < self.array.shape[0] and 0 <= column < self.array.shape[1]:
            return column, row
        return None

    def _on_click(self, event: object) -> None:
        if not event.double():  # type: ignore[attr-defined]
            return
        point = self.plot.getViewBox().mapSceneToView(event.scenePos())  # type: ignore[attr-defined]
        cell = self.cell_at(point)
        if cell is not None:
            self.cell_activated.emit(*cell)
