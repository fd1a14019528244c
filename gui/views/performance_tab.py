"""The performance tab: value chart over a drawdown chart, range buttons, metrics panel.

Imports pyqtgraph (and numpy), so the window loads this module only after its first paint.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.analysis import PerformanceResult
from gui.dialogs.form import date_edit
from gui.theme import Colors
from gui.views.figures import FigureStrip
from gui.views.markers import ThinnedMarkers

RANGES = ("1M", "6M", "YTD", "1Y", "5Y", "Max")
METRICS = [
    ("period", "Period"),
    ("ttwror", "TTWROR"),
    ("ttwror_pa", "TTWROR p.a."),
    ("irr", "IRR"),
    ("max_drawdown", "Max drawdown"),
    ("volatility", "Volatility"),
    ("sharpe", "Sharpe"),
]
DEFINITIONS = {
    "ttwror": "True time-weighted rate of return over the visible range: the product of the "
    "daily returns (deposits and withdrawals taken out), minus 1. Portfolio Performance's "
    "convention.",
    "ttwror_pa": "TTWROR annualised: (1 + TTWROR)^(365 / calendar days) − 1.",
    "irr": "Internal rate of return (money-weighted, per year): the rate at which the start "
    "value, the deposits and withdrawals, and the end value discount to zero.",
    "max_drawdown": "The largest fall of the time-weighted wealth index from a running peak "
    "within the range.",
    "volatility": "Standard deviation of the daily log returns within the range, annualised "
    "with √252.",
    "sharpe": "Sharpe ratio as Portfolio Performance defines it: (IRR − risk-free rate, 0 %) "
    "divided by the volatility over the range (the daily log returns' standard deviation "
    "scaled by √n for the range's n trading days).",
    "period": "The range the metrics are computed over (the chart's visible dates).",
}


#: Trade markers are drawn only when at most this many calendar days are visible (a year and
#: a few days: about 250 trading days): over a longer range one marker per trading day would
#: cover the value line.
MARKER_DAYS = 370
DAY = 86_400


class NumberAxis(pg.AxisItem):  # type: ignore[misc]
    """A value axis with thousands separators (pyqtgraph writes 300000 or 3e+05)."""

    def __init__(self, suffix: str = "", **kwargs: Any) -> None:
        super().__init__("left", **kwargs)
        self.enableAutoSIPrefix(False)
        self._suffix = suffix

    def set_suffix(self, suffix: str) -> None:
        self._suffix = suffix
        self.picture = None
        self.update()

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        places = 0 if spacing * scale >= 1 else 2
        return [f"{v * scale:,.{places}f}{self._suffix}".replace("-", "−") for v in values]


#: A checked button must read as checked on light and dark palettes alike.
CHECKED_BUTTONS = (
    "QPushButton:checked { background-color: palette(highlight); "
    "color: palette(highlighted-text); border: 1px solid palette(highlight); "
    "border-radius: 3px; padding: 4px 10px; }"
)


class UtcDateAxis(pg.DateAxisItem):  # type: ignore[misc]
    """A date axis labelled in UTC, as the series' x values are (UTC midnights, POSIX
    seconds). pyqtgraph's own shifts every candidate tick (a few hundred month ticks over
    twenty years) to local time through two QDateTime conversions each, on every repaint of
    the axis; in UTC there is nothing to shift, so the ticks are kept as made."""

    def __init__(self) -> None:
        super().__init__(utcOffset=0)

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:  # noqa: N802, N803
        self.setZoomLevelForDensity((maxVal - minVal) / size)
        spacing = self.minSpacing
        seen = np.array([])
        levels: list[Any] = []
        for spec in self.zoomLevel.tickSpecs:
            ticks, skip = spec.makeTicks(minVal, maxVal, spacing)
            # A tick of a coarser level already drawn (a year's is also a month's) is dropped.
            new = ~np.any(np.isclose(seen, ticks[:, None], rtol=0, atol=spacing / 100), axis=-1)
            ticks = np.asarray(ticks)[new]
            seen = np.concatenate([seen, ticks])
            levels.append((spec.spacing, ticks.tolist()))
            if skip > 1:  # the level is thinned: a finer one would not be drawn
                break
        return levels


def date_plot(background: QColor, foreground: QColor, suffix: str = "") -> Any:
    """A pyqtgraph plot with a date axis below and a thousands-separated value axis, in the
    palette's colours, with a light grid and no menu or auto-range button."""
    plot = pg.PlotWidget(axisItems={"bottom": UtcDateAxis(), "left": NumberAxis(suffix)})
    plot.setBackground(background)
    item = plot.getPlotItem()
    item.showGrid(x=True, y=True, alpha=0.15)
    for axis in ("left", "bottom"):
        item.getAxis(axis).setPen(foreground)
        item.getAxis(axis).setTextPen(foreground)
    item.getAxis("left").setWidth(80)
    plot.setMenuEnabled(False)
    item.hideButtons()
    return plot


#: At most this many fits of a value axis to a new range before it is painted (each fit can
#: redraw the thinned curves, which can move the fit a little).
FIT_PASSES = 4


def fit_now(box: Any) -> None:
    """Fit the auto-ranged axis of view box `box` to its new range now. Left to the paint, the
    range changes during it and the plot is painted all over again (twice the time, on the GUI
    thread); fitting redraws the curves, which can ask for another fit, hence the passes."""
    for _ in range(FIT_PASSES):
        fitted = box.viewRange()
        box.prepareForPaint()
        if box.viewRange() == fitted:
            return


def thinned(curve: Any) -> Any:
    """`curve` drawn with at most about one day per pixel column: past that, each column's
    highest and lowest day (pyqtgraph's "peak" downsampling), so twenty years of days draw
    in a fraction of the time and every peak and trough stays on the line."""
    curve.opts["autoDownsampleFactor"] = 1.0
    curve.setDownsampling(auto=True, method="peak")
    return curve


def _pen(color: QColor, width: float = 2.0, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> Any:
    return pg.mkPen(color=color, width=width, style=style)


class PerformanceView(QWidget):
    """Layout only; `gui.controllers.performance.PerformanceController` drives it."""

    def __init__(self, colors: Colors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.colors = colors
        palette = self.palette()
        background = palette.color(QPalette.ColorRole.Base)
        foreground = palette.color(QPalette.ColorRole.Text)
        pg.setConfigOptions(antialias=True)

        self.ranges = QButtonGroup(self)
        self.ranges.setExclusive(True)
        self.range_buttons: dict[str, QPushButton] = {}
        top = QHBoxLayout()
        for name in RANGES:
            button = QPushButton(name)
            button.setCheckable(True)
            button.setMinimumWidth(44)
            self.ranges.addButton(button)
            self.range_buttons[name] = button
            top.addWidget(button)
        self.range_buttons["Max"].setChecked(True)
        top.addSpacing(12)
        top.addWidget(QLabel("From"))
        self.start = date_edit()
        top.addWidget(self.start)
        top.addWidget(QLabel("to"))
        self.end = date_edit()
        top.addWidget(self.end)
        top.addStretch(1)
        self.stacked = QPushButton("Stack by ticker")
        self.stacked.setCheckable(True)
        self.stacked.setToolTip("Show the value of each holding stacked, with cash on top")
        self.benchmark = QPushButton("S&&P 500")
        self.benchmark.setCheckable(True)
        self.benchmark.setChecked(True)
        self.benchmark.setToolTip(
            "Show the S&P 500 bought with the portfolio's deposits and sold with its "
            "withdrawals, on the same days"
        )
        self.returns = QPushButton("Return %")
        self.returns.setCheckable(True)
        self.returns.setToolTip(
            "Show time-weighted returns (TTWROR) instead of values: the portfolio's with its "
            "deposits and withdrawals taken out, the benchmark's from the portfolio's first day"
        )
        self.setStyleSheet(CHECKED_BUTTONS)
        for button in (self.stacked, self.benchmark, self.returns):
            # Room for the checked style's padding: the text is never clipped.
            button.setMinimumWidth(button.sizeHint().width() + 24)
            top.addWidget(button)

        self.metrics = FigureStrip(METRICS, self)
        for key, _caption in METRICS:
            self.metrics.set_value(key, "—", tooltip=DEFINITIONS[key])

        self.value_plot = date_plot(background, foreground)
        self.drawdown_plot = date_plot(background, foreground, " %")
        self.value_plot.setLabel("left", "Value")
        self.drawdown_plot.setLabel("left", "Drawdown")
        self.drawdown_plot.setToolTip(
            "How far the time-weighted wealth index stood below its running peak"
        )
        self.drawdown_plot.setMaximumHeight(180)
        self.drawdown_plot.setXLink(self.value_plot)
        # The key sits above the chart, never on the data.
        self.key = ChartKey(self)

        self.total_curve = self.value_plot.plot([], [], pen=_pen(colors.value_line, 2.2))
        self.benchmark_curve = self.value_plot.plot(
            [], [], pen=_pen(colors.benchmark_line, 1.6, Qt.PenStyle.DashLine)
        )
        marker = {"size": 11, "pen": pg.mkPen(None), "hoverable": True}
        self.buy_markers = pg.ScatterPlotItem(
            symbol="t1", brush=pg.mkBrush(colors.gain), tip=_trade_tip("bought"), **marker
        )
        self.sell_markers = pg.ScatterPlotItem(
            symbol="t", brush=pg.mkBrush(colors.loss), tip=_trade_tip("sold"), **marker
        )
        self.value_plot.addItem(self.buy_markers)
        self.value_plot.addItem(self.sell_markers)
        self.buys, self.sells = ThinnedMarkers(self.buy_markers), ThinnedMarkers(self.sell_markers)
        self.stack_items: list[Any] = []
        #: The return lines drawn in % mode (fractions from the first visible day).
        self.shown_returns: tuple[Any, Any] | None = None
        fill = QColor(colors.drawdown)
        fill.setAlpha(70)
        self.drawdown_curve = self.drawdown_plot.plot(
            [], [], pen=_pen(colors.drawdown, 1.4), fillLevel=0, brush=pg.mkBrush(fill)
        )
        for curve in (self.total_curve, self.benchmark_curve, self.drawdown_curve):
            thinned(curve)

        self.v_line = pg.InfiniteLine(angle=90, movable=False, pen=_pen(colors.crosshair, 1))
        self.h_line = pg.InfiniteLine(angle=0, movable=False, pen=_pen(colors.crosshair, 1))
        self.dd_line = pg.InfiniteLine(angle=90, movable=False, pen=_pen(colors.crosshair, 1))
        for line in (self.v_line, self.h_line):
            self.value_plot.addItem(line, ignoreBounds=True)
        self.drawdown_plot.addItem(self.dd_line, ignoreBounds=True)
        self.readout = pg.TextItem(anchor=(0, 0), color=foreground, fill=pg.mkBrush(background))
        self.value_plot.addItem(self.readout, ignoreBounds=True)
        for z, item in enumerate((self.v_line, self.h_line, self.readout)):
            item.setZValue(1000 + z)  # above the stacked bands drawn later
        self.show_crosshair(False)

        self.empty = QLabel("")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.metrics)
        layout.addWidget(self.key)
        layout.addWidget(self.value_plot, 3)
        layout.addWidget(self.drawdown_plot, 1)
        layout.addWidget(self.empty)

    def show_crosshair(self, visible: bool) -> None:
        for item in (self.v_line, self.h_line, self.dd_line, self.readout):
            item.setVisible(visible)

    def set_series(
        self,
        data: PerformanceResult,
        stacked: bool,
        benchmark: bool,
        returns: bool = False,
        since: float | None = None,
    ) -> None:
        """Draw the value (total or stacked) or, with `returns`, both time-weighted returns in
        % from the day `since` (POSIX seconds; the first visible day); the benchmark, the
        trade markers, the drawdown and the key above the chart."""
        for item in self.stack_items:
            self.value_plot.removeItem(item)
        self.stack_items = []
        x = np.asarray(data.x, dtype=float)
        total = np.asarray(data.total, dtype=float)
        bench = None if data.benchmark is None else np.asarray(data.benchmark, dtype=float)
        self.shown_returns = None
        if returns and data.portfolio_return is not None:
            # From the close before the first visible day: that day's return counts, as in
            # the metrics of the range.
            first = max(int(np.searchsorted(x, since)) - 1, 0) if since is not None else 0
            total = _rebased_return(data.portfolio_return, first)
            bench = None
            if data.benchmark_return is not None:
                bench = _rebased_return(data.benchmark_return, first)
            self.shown_returns = (total / 100, None if bench is None else bench / 100)
        self.value_plot.getPlotItem().getAxis("left").set_suffix(" %" if returns else "")
        self.value_plot.setLabel("left", "Return (TTWROR)" if returns else "Value")
        few = len(x) < 3  # a line needs two points: show so short a series as dots
        self.total_curve.setData(x, total, symbol="o" if few else None, symbolSize=7)
        stack = stacked and not returns and bool(data.by_ticker)
        keys = self._draw_stack(x, data) if stack else [("Portfolio", self.colors.value_line)]
        self.total_curve.setVisible(not stack)
        if benchmark and bench is not None:
            self.benchmark_curve.setData(x, bench)
            keys.append((data.benchmark_name, self.colors.benchmark_line))
        self.benchmark_curve.setVisible(benchmark and bench is not None)
        self._set_markers(x, total, data)
        self.key.set_entries(keys)
        self.drawdown_curve.setData(x, np.asarray(data.drawdown, dtype=float) * 100)

    def _set_markers(self, x: Any, y: Any, data: PerformanceResult) -> None:
        for markers, (days, _values), counts in (
            (self.buys, data.buys, data.buy_counts),
            (self.sells, data.sells, data.sell_counts),
        ):
            days = np.asarray(days, dtype=float)
            rows = np.clip(np.searchsorted(x, days), 0, max(len(x) - 1, 0))
            heights = y[rows] if len(x) else np.asarray([], dtype=float)
            if counts is None:
                counts = np.ones(len(days), dtype=int)
            drawn = np.isfinite(heights)  # in % mode, none before the range's first day
            counts = np.asarray(counts)[drawn]
            markers.set(days[drawn], heights[drawn], [int(n) for n in counts])

    def show_markers(self, x0: float, x1: float) -> None:
        """Trade markers only when at most MARKER_DAYS calendar days are visible, and then
        only those in view once there are many (`ThinnedMarkers`)."""
        visible = (x1 - x0) / DAY <= MARKER_DAYS
        for markers in (self.buys, self.sells):
            markers.scatter.setVisible(visible)
            if visible:
                markers.show_range(x0, x1)

    def _draw_stack(self, x: Any, data: PerformanceResult) -> list[tuple[str, QColor]]:
        # Cumulative sums only place each band on top of the one below; they are not figures.
        below = np.zeros(len(x))
        layers = [*data.by_ticker.items(), ("Cash", data.cash)]
        previous = self.value_plot.plot(x, below, pen=None)
        self.stack_items.append(previous)
        keys: list[tuple[str, QColor]] = []
        for i, (name, values) in enumerate(layers):
            top = below + np.asarray(values, dtype=float)
            color = QColor(self.colors.series[i % len(self.colors.series)])
            if name == "Cash":
                color = QColor(self.colors.neutral)
            curve = thinned(self.value_plot.plot(x, top, pen=_pen(color, 1.0)))
            fill_color = QColor(color)
            fill_color.setAlpha(150)
            band = pg.FillBetweenItem(previous, curve, brush=pg.mkBrush(fill_color))
            self.value_plot.addItem(band)
            self.stack_items += [curve, band]
            keys.append((name, color))
            previous, below = curve, top
        return keys


def _rebased_return(cumulative: Any, first: int) -> Any:
    """Cumulative returns (fractions) restated from row `first` on, in %: the growth since
    that day, (1 + r_t) / (1 + r_first) − 1 (NaN before it)."""
    growth = 1.0 + np.asarray(cumulative, dtype=float)
    if not len(growth):
        return growth
    first = min(max(first, 0), len(growth) - 1)
    base = growth[first]
    if np.isnan(base):  # the benchmark starts later than the range: from its first value
        known = np.flatnonzero(~np.isnan(growth))
        base = growth[known[0]] if len(known) else np.nan
    result = (growth / base - 1.0) * 100
    result[:first] = np.nan
    return result


def _trade_tip(verb: str) -> Any:
    def tip(x: float, y: float, data: Any) -> str:
        day = datetime.fromtimestamp(x, tz=UTC).date().isoformat()
        count = int(data or 1)
        return f"{day}: {count} trade{'s' if count != 1 else ''} {verb}"

    return tip


class ChartKey(QWidget):
    """The chart's colour key, in a row above the plot (so it never covers the data)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(80, 0, 0, 0)  # aligned with the plot, past its axis
        self._layout.setSpacing(14)
        self.entries: list[QLabel] = []
        self._shown: list[tuple[str, str]] | None = None

    def set_entries(self, entries: list[tuple[str, QColor]]) -> None:
        """One swatch and name per series, in drawing order (the same again: nothing to do, so
        nothing moves and the plot below is not laid out anew)."""
        shown = [(name, QColor(color).name()) for name, color in entries]
        if shown == self._shown:
            return
        self._shown = shown
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.entries = []
        for name, color in entries:
            label = QLabel(
                f'<span style="color:{QColor(color).name()}">&#9632;</span>&nbsp;{escape(name)}'
            )
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setObjectName(f"key:{name}")
            self._layout.addWidget(label)
            self.entries.append(label)
        self._layout.addStretch(1)

    def names(self) -> list[str]:
        return [label.objectName().removeprefix("key:") for label in self.entries]
