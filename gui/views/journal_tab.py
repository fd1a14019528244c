"""The Journal tab: the round-trip trades, their statistics, a histogram of their returns and
the realized P&L by month as a heatmap.

Imports pyqtgraph (and numpy), so the window loads this module only after its first paint.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPalette, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGraphicsRectItem,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gui import formatting
from gui.theme import Colors, muted, visible_checks
from gui.views.journal_model import CLOSED_ONLY, LOSERS, OPEN_ONLY, WINNERS
from gui.views.performance_tab import NumberAxis
from gui.views.tables import table_view
from gui.widgets.date_field import DateField

#: (key, caption, what it means) of each figure of the statistics panel, in display order.
STATISTICS: tuple[tuple[str, str, str], ...] = (
    ("trades", "Trades", "Round-trip trades, open ones included (valued at the last close)."),
    ("win_rate", "Win rate", "Winners / trades (a trade with P&L 0 is neither)."),
    ("total_pnl", "Total P&L", "The sum of the trades' P&L after fees."),
    ("profit_factor", "Profit factor", "Gross profit / gross loss, in money."),
    ("expectancy", "Expectancy", "The mean P&L per trade."),
    ("expectancy_pct", "Expectancy %", "The mean return per trade."),
    ("average_win", "Average win", "The mean P&L of the winners."),
    ("average_loss", "Average loss", "The mean P&L of the losers."),
    ("payoff_ratio", "Payoff ratio", "Average win / −average loss."),
    ("best_trade", "Best trade", "The largest P&L."),
    ("worst_trade", "Worst trade", "The smallest P&L."),
    ("sqn", "SQN", "√trades × mean P&L / standard deviation of P&L."),
    ("kelly", "Kelly", "Win rate − (1 − win rate) / payoff ratio."),
    ("average_holding_days", "Avg. holding", "Mean calendar days from entry to exit."),
    ("longest_holding_days", "Longest holding", "The most calendar days a trade was held."),
    ("exposure", "Exposure", "The share of the period's trading days a trade was open."),
    ("longest_losing_streak", "Max consec. losses", "Most losing trades in a row, by exit."),
    ("longest_winning_streak", "Max consec. wins", "Most winning trades in a row, by exit."),
)
#: A wide text of a figure of the statistics panel (the others: "−99,999.99").
WIDEST = {"trades": "999 (99 won, 99 lost)"}
#: What the period filter keeps (the tooltip of its check boxes and fields).
PERIOD_TIP = (
    "Keep the trades whose exit day (an open trade's: the valuation day) lies in the period, "
    "both days included, as erasmo trades --from/--to; unchecked: no bound"
)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _plot(background: QColor, foreground: QColor, left: Any | None = None) -> Any:
    plot = pg.PlotWidget(axisItems={"left": left} if left is not None else None)
    plot.setBackground(background)
    item = plot.getPlotItem()
    for axis in ("left", "bottom"):
        item.getAxis(axis).setPen(foreground)
        item.getAxis(axis).setTextPen(foreground)
    plot.setMenuEnabled(False)
    item.hideButtons()
    item.setMouseEnabled(x=False, y=False)
    return plot


class StatisticsPanel(QFrame):
    """Caption and value pairs in two columns; each caption's tooltip says what it means."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(self)
        grid.setContentsMargins(10, 6, 10, 6)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        self.values: dict[str, QLabel] = {}
        half = math.ceil(len(STATISTICS) / 2)
        for i, (key, caption, tip) in enumerate(STATISTICS):
            row, column = i % half, 2 * (i // half)
            head = muted(QLabel(caption))
            value = QLabel(formatting.MISSING)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            # as wide as a large figure from the start: the panel keeps its width as they change
            value.setMinimumWidth(
                value.fontMetrics().horizontalAdvance(WIDEST.get(key, "−99,999.99"))
            )
            for label in (head, value):
                label.setToolTip(tip)
            grid.addWidget(head, row, column)
            grid.addWidget(value, row, column + 1)
            self.values[key] = value
        grid.setColumnMinimumWidth(2, 120)
        grid.setRowStretch(half, 1)

    def set_value(self, key: str, text: str, color: QColor | None = None) -> None:
        label = self.values[key]
        label.setText(text)
        label.setStyleSheet(f"color: {color.name()};" if color is not None else "")

    def clear(self) -> None:
        for key in self.values:
            self.set_value(key, formatting.MISSING)


class Overlay(QLabel):
    """A message centred over a widget, following its size; hidden while it has none."""

    def __init__(self, over: QWidget) -> None:
        super().__init__(over)
        self.over = over
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        muted(self)
        over.installEventFilter(self)
        self.hide()

    def say(self, message: str | None) -> None:
        self.setText(message or "")
        self.setVisible(bool(message))
        self.setGeometry(self.over.rect())
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.over and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.over.rect())
        return False


class JournalView(QWidget):
    """Layout only; `gui.controllers.journal.JournalController` drives it."""

    def __init__(self, colors: Colors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.colors = colors
        palette = self.palette()
        self.background = palette.color(QPalette.ColorRole.Base)
        self.foreground = palette.color(QPalette.ColorRole.Text)
        pg.setConfigOptions(antialias=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(self._filter_bar())
        self.table = table_view(self, sortable=True)
        self.notes = QLabel("")
        self.notes.setWordWrap(True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        muted(self.notes)
        self.statistics = StatisticsPanel()
        self.statistics_title = QLabel("Statistics")
        self.statistics_title.setWordWrap(True)  # its text never widens the panel
        self.histogram = _plot(self.background, self.foreground, CountAxis())
        self.histogram.getPlotItem().setTitle("Trade returns (%)", color=self.foreground)
        self.heatmap = _plot(self.background, self.foreground)
        self.heatmap.getPlotItem().setTitle("Realized P&L by exit month", color=self.foreground)
        self.heatmap.getPlotItem().invertY(True)
        self._cells: list[Any] = []
        self._cell_font = self.font()
        self._cell_font.setPointSizeF(self._cell_font.pointSizeF() * 0.8)
        self.cell_texts: dict[tuple[int, int], str] = {}
        self.bars: Any | None = None
        self.bin_edges: list[float] = []  # the histogram's, in percent
        stats_box = QWidget()
        stats_layout = QVBoxLayout(stats_box)
        stats_layout.setContentsMargins(0, 0, 0, 0)
        stats_layout.addWidget(self.statistics_title)
        stats_layout.addWidget(self.statistics)
        stats_layout.addStretch(1)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        for widget in (stats_box, self.histogram, self.heatmap):
            bottom.addWidget(widget)
        bottom.setStretchFactor(1, 1)
        bottom.setStretchFactor(2, 2)
        bottom.setSizes([340, 260, 480])
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.table, 1)
        notes_row = QHBoxLayout()  # the selected trade's notes and the button to add one
        notes_row.addWidget(self.notes, 1)
        notes_row.addWidget(self.add_note)
        top_layout.addLayout(notes_row)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setSizes([380, 240])
        layout.addWidget(self.splitter, 1)
        self.empty_note = Overlay(self.table.viewport())
        self.chart_notes = {plot: Overlay(plot) for plot in (self.histogram, self.heatmap)}

    def set_empty(self, message: str | None) -> None:
        """Say `message` over the table and both charts (their axes hidden), or show them as
        they are (None): what a filter that keeps no trade shows."""
        self.empty_note.say(message)
        for plot, note in self.chart_notes.items():
            note.say(message and "No trades")
            item = plot.getPlotItem()
            for axis in ("left", "bottom"):
                item.showAxis(axis, message is None)

    def _filter_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.ticker = QComboBox()
        self.tag = QComboBox()
        self.outcome = QComboBox()
        for label, data in (
            ("All trades", ""),
            ("Winners", WINNERS),
            ("Losers", LOSERS),
            ("Open", OPEN_ONLY),
            ("Closed", CLOSED_ONLY),
        ):
            self.outcome.addItem(label, data)
        self.shown = QLabel("")
        muted(self.shown)
        self.add_note = QPushButton("Add note…")
        self.add_note.setToolTip("Attach a note and tags to the selected trade's entry or exit")
        self.add_note.setEnabled(False)
        self.export = QPushButton("Export report…")
        self.export.setToolTip("Write the journal as one self-contained HTML page")
        for caption, widget in (("Ticker", self.ticker), ("Tag", self.tag), ("Show", self.outcome)):
            widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            bar.addWidget(QLabel(caption))
            bar.addWidget(widget)
        self.from_on, self.start = self._bound(bar, "From")
        self.to_on, self.end = self._bound(bar, "to")
        bar.addWidget(self.shown)
        bar.addStretch(1)
        bar.addWidget(self.export)
        return bar

    @staticmethod
    def _bound(bar: QHBoxLayout, caption: str) -> tuple[QCheckBox, DateField]:
        """A check box and the date field it enables: one end of the period filter."""
        check = QCheckBox(caption)
        visible_checks(check)
        field = DateField()
        field.setEnabled(False)
        check.toggled.connect(field.setEnabled)
        check.setToolTip(PERIOD_TIP)
        field.setToolTip(f"{PERIOD_TIP}. {field.toolTip()}")
        bar.addWidget(check)
        bar.addWidget(field)
        return check, field

    @staticmethod
    def set_choices(combo: QComboBox, everything: str, choices: list[str]) -> None:
        """Fill a filter's choices, keeping the one chosen when it is still there."""
        kept = combo.currentData() or ""
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, "")
        for choice in choices:
            combo.addItem(choice, choice)
        combo.setCurrentIndex(max(0, combo.findData(kept)))
        combo.blockSignals(False)
        combo.setMinimumWidth(combo.sizeHint().width())  # never squeezed by the date fields

    # -- charts -------------------------------------------------------------------------------

    def set_returns(self, returns: list[float]) -> None:
        """The histogram of the trades' returns (fractions): 0 is a bin edge, so a bar holds
        winners or losers only, coloured by its side (a return of exactly 0 counts up)."""
        item = self.histogram.getPlotItem()
        if self.bars is not None:
            item.removeItem(self.bars)
            self.bars, self.bin_edges = None, []
        values = np.array([r * 100 for r in returns if math.isfinite(r)], dtype=np.float64)
        if not len(values):
            return
        edges = return_bins(values)
        self.bin_edges = [float(e) for e in edges]
        counts, _ = np.histogram(values, bins=edges)
        centers = (edges[:-1] + edges[1:]) / 2
        brushes = [self.colors.gain if low >= 0 else self.colors.loss for low in edges[:-1]]
        self.bars = pg.BarGraphItem(
            x=centers, height=counts, width=(edges[1] - edges[0]) * 0.9, brushes=brushes,
            pen=pg.mkPen(None),
        )  # fmt: skip
        item.addItem(self.bars)
        item.setXRange(float(edges[0]), float(edges[-1]), padding=0.05)
        item.setYRange(0, float(counts.max()), padding=0.05)
        item.setLabel("left", "trades", color=self.foreground.name())

    def set_months(self, months: dict[tuple[int, int], float]) -> None:
        """The heatmap: a column per year, a row per month (January on top), each cell shaded
        by its P&L (a month per row keeps the figures readable in a narrow panel)."""
        item = self.heatmap.getPlotItem()
        for cell in self._cells:
            item.removeItem(cell)
        self._cells, self.cell_texts = [], {}
        years = sorted({year for year, _month in months})
        bottom, left = item.getAxis("bottom"), item.getAxis("left")
        left.setTicks([[(m + 0.5, MONTHS[m]) for m in range(12)]])
        bottom.setTicks([[(i + 0.5, str(year)) for i, year in enumerate(years)]])
        if not years:
            return
        largest = max(abs(v) for v in months.values()) or 1.0
        for (year, month), pnl in months.items():
            column = years.index(year)
            color = QColor(self.colors.gain if pnl >= 0 else self.colors.loss)
            color.setAlphaF(0.2 + 0.8 * min(1.0, abs(pnl) / largest))
            rect = QGraphicsRectItem(QRectF(column, month - 1, 1, 1))
            rect.setBrush(QBrush(color))
            rect.setPen(QPen(self.background, 0))
            rect.setToolTip(f"{year}-{month:02d}: {formatting.signed_cents(pnl)}")
            text = _compact(pnl)
            label = pg.TextItem(text, color=self.foreground, anchor=(0.5, 0.5))
            label.setFont(self._cell_font)
            label.setPos(column + 0.5, month - 0.5)
            for thing in (rect, label):
                item.addItem(thing)
                self._cells.append(thing)
            self.cell_texts[(year, month)] = text
        item.setXRange(0, len(years), padding=0.02)
        item.setYRange(0, 12, padding=0.02)


class CountAxis(NumberAxis):
    """A count axis: whole numbers only (never 0.20, 0.40 … between 0 and 1 trade)."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:  # noqa: N802, N803
        levels = super().tickSpacing(minVal, maxVal, size)
        whole = [(float(round(s)), o) for s, o in levels if s >= 1 and abs(s - round(s)) < 1e-9]
        return whole or [(1.0, 0.0)]


#: The widths a histogram bin may take, in percent, times a power of ten.
NICE_WIDTHS = (1.0, 2.0, 2.5, 5.0)


def return_bins(values: Any, most: int = 20) -> Any:
    """Bin edges for returns in percent: a round width, every edge a multiple of it (so 0 is
    one, and no bin holds both a loss and a gain), about 2√n bins (5 to `most`). The top edge
    lies above the largest value, so every bin is [low, high)."""
    low, high = float(np.min(values)), float(np.max(values))
    wanted = min(most, max(5, 2 * math.ceil(math.sqrt(len(values)))))
    span = (high - low) or max(abs(high), 1.0)
    raw = span / wanted
    power = 10.0 ** math.floor(math.log10(raw))
    width = next((w * power for w in NICE_WIDTHS if w * power >= raw), 10 * power)
    first, last = math.floor(low / width), math.floor(high / width) + 1
    return np.arange(first, last + 1, dtype=np.float64) * width


def _compact(value: float) -> str:
    """A cell's money: −1.2k, +840, +12k (the tooltip has the cents)."""
    size = abs(value)
    if size >= 9_950:
        text = f"{value / 1000:+.0f}k"
    elif size >= 1_000:
        text = f"{value / 1000:+.1f}k"
    else:
        text = f"{value:+.0f}"
    return text.replace("-", formatting.MINUS)
