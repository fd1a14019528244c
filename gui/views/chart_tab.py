"""The price chart tab: one ticker's candles (or closes) with the portfolio's trades on them.

Imports pyqtgraph: the window builds this view only once the charts are loaded.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.price_chart import PriceSeries
from gui.theme import Colors, muted
from gui.views.candles import CandlestickItem
from gui.views.markers import ThinnedMarkers
from gui.views.performance_tab import CHECKED_BUTTONS, date_plot, fit_now

#: (label, months; 0: everything)
CHART_RANGES = (("3M", 3), ("6M", 6), ("1Y", 12), ("5Y", 60), ("Max", 0))
MONTH = 30.44 * 86_400


class PriceChartView(QWidget):
    """Layout only; `gui.controllers.chart.PriceChartController` drives it."""

    def __init__(self, colors: Colors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.colors = colors
        palette = self.palette()
        background = palette.color(QPalette.ColorRole.Base)
        foreground = palette.color(QPalette.ColorRole.Text)

        self.ticker = QComboBox()
        self.ticker.setEditable(True)
        self.ticker.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.ticker.setMinimumContentsLength(10)
        self.ticker.setToolTip("The ticker to chart: the portfolio's first, then every other")
        self.ranges = QButtonGroup(self)
        self.range_buttons: dict[str, QPushButton] = {}
        top = QHBoxLayout()
        top.addWidget(QLabel("Ticker"))
        top.addWidget(self.ticker)
        top.addSpacing(12)
        for name, _months in CHART_RANGES:
            button = QPushButton(name)
            button.setCheckable(True)
            button.setMinimumWidth(44)
            self.ranges.addButton(button)
            self.range_buttons[name] = button
            top.addWidget(button)
        self.range_buttons["1Y"].setChecked(True)
        top.addStretch(1)
        self.trade = QPushButton("Trade…")
        self.trade.setToolTip("Open the ticket for this ticker")
        top.addWidget(self.trade)
        self.setStyleSheet(CHECKED_BUTTONS)

        self.plot = date_plot(background, foreground)
        item = self.plot.getPlotItem()
        self.plot.setLabel("left", "Price")
        item.getViewBox().setAutoVisible(y=True)  # the price axis fits the visible dates
        self.legend = item.addLegend(offset=(10, 10))
        self.legend.setLabelTextColor(foreground)
        # The key sits in a strip above the plotting area, never on the candles.
        self.legend.setColumnCount(4)
        self.legend.setParentItem(item)
        self.legend.layout.setContentsMargins(0, 0, 0, 0)
        self.legend.anchor(itemPos=(0, 0), parentPos=(0, 0), offset=(90, 0))
        item.layout.setContentsMargins(0, 32, 0, 0)

        self.candles = CandlestickItem(colors.gain, colors.loss)
        self.plot.addItem(self.candles)
        self.line = self.plot.plot([], [], pen=pg.mkPen(colors.value_line, width=1.6))

        def markers(symbol: str, color: QColor, hollow: bool, name: str) -> Any:
            brush = pg.mkBrush(background if hollow else color)
            pen = pg.mkPen(color, width=2 if hollow else 1)
            scatter = pg.ScatterPlotItem(
                symbol=symbol,
                size=13,
                brush=brush,
                pen=pen,
                name=name,
                hoverable=True,
                tip="{data}".format,
            )
            self.plot.addItem(scatter)
            return scatter

        self.buy_markers = markers("t1", colors.gain, False, "Buy")
        self.sell_markers = markers("t", colors.loss, False, "Sell")
        self.order_buy_markers = markers("t1", colors.gain, True, "Buy (order fill)")
        self.order_sell_markers = markers("t", colors.loss, True, "Sell (order fill)")
        self._names = {
            self.buy_markers: "Buy",
            self.sell_markers: "Sell",
            self.order_buy_markers: "Buy (order fill)",
            self.order_sell_markers: "Sell (order fill)",
        }
        #: Each scatter's markers, handed over only where they can be seen.
        self.thinned = {scatter: ThinnedMarkers(scatter) for scatter in self._names}
        self._described = ""
        self.legend.clear()  # it lists only the kinds of trade on the chart
        self.clock_line = pg.InfiniteLine(
            angle=90,
            movable=False,
            pen=pg.mkPen(colors.crosshair, width=1, style=Qt.PenStyle.DashLine),
            label="clock",
            labelOpts={
                "position": 0.97,
                "color": foreground,
                "fill": pg.mkBrush(background),
                "anchors": [(1, 0.5), (1, 0.5)],  # left of the line: it stands at the right edge
            },
        )
        self.plot.addItem(self.clock_line, ignoreBounds=True)
        self.clock_line.setVisible(False)

        self.note = QLabel("")
        muted(self.note)
        self.note.setWordWrap(True)
        self.empty = QLabel("")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.note)
        item.getViewBox().sigXRangeChanged.connect(self._on_x_range)

    def set_series(self, series: PriceSeries | None, clock_label: str = "") -> None:
        """Draw candles or a close line, the trade markers and the clock line."""
        if series is None or not len(series):
            self.candles.set_bars([], [], [], [], [])
            self.line.setData([], [])
            for markers in self.thinned.values():
                markers.set([], [], [])
            self.clock_line.setVisible(False)
            self._described = "" if series is None else series.describe
            self.note.setText(self._described)
            return
        if series.candles:
            self.candles.set_bars(series.x, series.open, series.high, series.low, series.close)
            self.line.setData([], [])
        else:
            self.candles.set_bars([], [], [], [], [])
            self.line.setData(np.asarray(series.x), np.asarray(series.close))
        for scatter, marks in zip(
            self._marker_items(),
            (series.buys, series.sells, series.order_buys, series.order_sells),
            strict=True,
        ):
            self.thinned[scatter].set(marks.x, marks.price, marks.text)
        self.legend.clear()
        for scatter in self._marker_items():
            if len(self.thinned[scatter]):
                self.legend.addItem(scatter, self._names[scatter])
        if clock_label and series.until is not None:
            self.clock_line.setVisible(True)  # first: a hidden label ignores new text
            self.clock_line.setPos(series.x[-1])
            self.clock_line.label.setFormat(clock_label)
            self.clock_line.label.setText(clock_label)
        else:
            self.clock_line.setVisible(False)
        self._described = series.describe
        self._on_x_range()

    def _on_x_range(self, *_: object) -> None:
        """Hand the scatters the markers in view (all while few); say so when too many are."""
        (x0, x1), _ = self.plot.getPlotItem().getViewBox().viewRange()
        crowded = 0
        for markers in self.thinned.values():
            markers.show_range(x0, x1)
            crowded += markers.crowded
        hint = " Trade markers are shown once a shorter range is in view." if crowded else ""
        self.note.setText(self._described + hint)

    def _marker_items(self) -> tuple[Any, Any, Any, Any]:
        return (
            self.buy_markers,
            self.sell_markers,
            self.order_buy_markers,
            self.order_sell_markers,
        )

    def show_months(self, months: int, first: float, last: float) -> None:
        """Show the last `months` months up to `last` (0: from `first`)."""
        start = first if months == 0 else max(first, last - months * MONTH)
        pad = 3 * 86_400
        box = self.plot.getPlotItem().getViewBox()
        box.setXRange(start - pad, last + pad, padding=0)
        fit_now(box)  # the price axis fits now, not during a paint (then painted twice)
