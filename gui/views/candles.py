"""A candlestick chart item for pyqtgraph: every bar painted once into a QPicture.

Replaying a recorded picture is fast enough for decades of daily bars, where one graphics item
per candle would not be. Imports pyqtgraph: loaded after the window's first paint.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QPointF, QRectF
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPicture

#: A candle's body takes this share of the gap between two trading days.
BODY_WIDTH = 0.7


class CandlestickItem(pg.GraphicsObject):  # type: ignore[misc]
    """Wicks from low to high and bodies from open to close; rising days in `up`, falling in
    `down` (a day that closes where it opened is drawn as a thin line in `up`)."""

    def __init__(self, up: QColor, down: QColor) -> None:
        super().__init__()
        self._up, self._down = QColor(up), QColor(down)
        self._picture = QPicture()
        self._bounds = QRectF()
        self._x = np.zeros(0)
        self.count = 0  # candles in the picture

    def set_colors(self, up: QColor, down: QColor) -> None:
        self._up, self._down = QColor(up), QColor(down)
        self._record()

    def set_bars(
        self,
        x: Sequence[float],
        open_: Sequence[float],
        high: Sequence[float],
        low: Sequence[float],
        close: Sequence[float],
    ) -> None:
        """Draw one candle per bar (parallel sequences; x in POSIX seconds, sorted)."""
        self._x = np.asarray(x, dtype=float)
        self._o = np.asarray(open_, dtype=float)
        self._h = np.asarray(high, dtype=float)
        self._l = np.asarray(low, dtype=float)
        self._c = np.asarray(close, dtype=float)
        if not (len(self._x) == len(self._o) == len(self._h) == len(self._l) == len(self._c)):
            raise ValueError("open, high, low, close and x must have the same length")
        self._record()

    def candles_between(self, x0: float, x1: float) -> int:
        """How many candles stand between x0 and x1 (inclusive)."""
        return int(np.count_nonzero((self._x >= x0) & (self._x <= x1)))

    def _record(self) -> None:
        self.prepareGeometryChange()
        self._picture = QPicture()
        self.count = len(self._x)
        if not self.count:
            self._bounds = QRectF()
            self.update()
            return
        gaps = np.diff(self._x)
        step = float(np.median(gaps)) if len(gaps) else 86_400.0
        half = step * BODY_WIDTH / 2
        rising = self._c >= self._o
        painter = QPainter(self._picture)
        try:
            for mask, color in ((rising, self._up), (~rising, self._down)):
                pen = QPen(color)
                pen.setCosmetic(True)  # one pixel wide whatever the zoom
                pen.setWidthF(1.0)
                painter.setPen(pen)
                painter.setBrush(QBrush(color))
                xs = self._x[mask]
                wicks = [
                    QLineF(QPointF(x, lo), QPointF(x, hi))
                    for x, lo, hi in zip(xs, self._l[mask], self._h[mask], strict=True)
                ]
                painter.drawLines(wicks)
                bodies = [
                    QRectF(x - half, min(o, c), 2 * half, abs(c - o))
                    for x, o, c in zip(xs, self._o[mask], self._c[mask], strict=True)
                ]
                painter.drawRects(bodies)
        finally:
            painter.end()
        low, high = float(np.nanmin(self._l)), float(np.nanmax(self._h))
        self._bounds = QRectF(
            float(self._x[0]) - half, low, float(self._x[-1] - self._x[0]) + 2 * half, high - low
        )
        self.update()

    # -- QGraphicsItem --------------------------------------------------------------------------

    def paint(self, painter: QPainter, *_: Any) -> None:
        painter.drawPicture(0, 0, self._picture)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF(self._bounds)

    def dataBounds(  # noqa: N802 - pyqtgraph's autorange asks every item for its data bounds
        self,
        axis: int,
        frac: float = 1.0,
        orthoRange: Any = None,  # noqa: N803
    ) -> tuple[float, float] | tuple[None, None]:
        if not self.count:
            return (None, None)
        if axis == 0:
            return (float(self._x[0]), float(self._x[-1]))
        mask = np.ones(self.count, dtype=bool)
        if orthoRange is not None:  # only the bars in the visible dates set the price range
            mask = (self._x >= orthoRange[0]) & (self._x <= orthoRange[1])
            if not mask.any():
                return (None, None)
        return (float(np.nanmin(self._l[mask])), float(np.nanmax(self._h[mask])))
