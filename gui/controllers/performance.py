"""The performance tab's behaviour: ranges, the crosshair, the stacked switch and the metrics."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import numpy as np
from PySide6.QtCore import QObject, QPointF, Signal, Slot

from gui import formatting
from gui.analysis import MetricsResult, PerformanceResult, Snapshot
from gui.dialogs.form import to_date, to_qdate
from gui.state import AsOf
from gui.theme import Colors
from gui.views.main_window import MainWindow
from gui.views.performance_tab import PerformanceView
from gui.workers import Jobs, Progress

DAY = 86_400


def _day_of(x: float) -> date:
    return datetime.fromtimestamp(x, tz=UTC).date()


def _x_of(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def range_start(name: str, first: date, last: date) -> date:
    """The first day of range `name` (1M, 6M, YTD, 1Y, 5Y, Max) ending on `last`."""
    if name == "YTD":
        start = date(last.year, 1, 1)
    elif name == "Max":
        start = first
    else:
        months = {"1M": 1, "6M": 6, "1Y": 12, "5Y": 60}[name]
        year, month = divmod(last.month - 1 - months, 12)
        start = date(last.year + year, month + 1, min(last.day, 28))
    return max(first, start)


class PerformanceController(QObject):
    """Draws the portfolio's series and computes the metrics of the visible range."""

    metrics_shown = Signal(object)  # MetricsResult

    def __init__(
        self, analytics: Any, window: MainWindow, colors: Colors, jobs: Jobs, parent: QObject
    ) -> None:
        super().__init__(parent)
        self.analytics, self.jobs = analytics, jobs
        self.view = view = PerformanceView(colors)
        window.performance.addWidget(view)
        window.performance.setCurrentWidget(view)
        self.data: PerformanceResult | None = None
        self.metrics: MetricsResult | None = None
        self._portfolio: UUID | None = None
        self._as_of: AsOf | None = None
        self._range = "Max"
        self._pending: tuple[UUID, AsOf, date, date] | None = None
        self._busy = False
        for name, button in view.range_buttons.items():
            button.clicked.connect(lambda _=False, n=name: self._on_range(n))
        view.start.dateChanged.connect(self._on_dates_edited)
        view.end.dateChanged.connect(self._on_dates_edited)
        view.stacked.toggled.connect(self._on_style_changed)
        view.benchmark.toggled.connect(self._on_style_changed)
        view.value_plot.scene().sigMouseMoved.connect(self._on_mouse_moved)

    # -- content ----------------------------------------------------------------------------

    def clear(self) -> None:
        self.data = None
        self._portfolio = None
        empty = PerformanceResult([], [], {}, [], None, "", [], ([], []), ([], []))
        self.view.set_series(empty, False, False)
        self.view.metrics.clear()

    def show(self, snapshot: Snapshot) -> None:
        """Draw the snapshot's series (they end at the moment shown: a replay grows them)."""
        data = snapshot.performance
        if data is None:
            return
        self._portfolio = snapshot.portfolio
        self._as_of = _as_of_of(snapshot)
        self.data = data
        self._redraw()
        self._apply_range(recompute=True)

    def _redraw(self) -> None:
        if self.data is not None:
            v = self.view
            v.set_series(self.data, v.stacked.isChecked(), v.benchmark.isChecked())

    def bounds(self) -> tuple[date, date] | None:
        if self.data is None or not len(self.data.x):
            return None
        return _day_of(float(self.data.x[0])), _day_of(float(self.data.x[-1]))

    # -- ranges -------------------------------------------------------------------------------

    @Slot(str)
    def _on_range(self, name: str) -> None:
        self._range = name
        self.view.range_buttons[name].setChecked(True)
        self._apply_range(recompute=True)

    def _apply_range(self, *, recompute: bool) -> None:
        bounds = self.bounds()
        if bounds is None:
            return
        first, last = bounds
        start = range_start(self._range, first, last) if self._range != "custom" else None
        v = self.view
        for edit in (v.start, v.end):
            edit.blockSignals(True)
            edit.setDateRange(to_qdate(first), to_qdate(last))
        if start is not None:
            v.start.setDate(to_qdate(start))
            v.end.setDate(to_qdate(last))
        for edit in (v.start, v.end):
            edit.blockSignals(False)
        self._set_view(to_date(v.start.date()), to_date(v.end.date()), recompute)

    @Slot()
    def _on_dates_edited(self) -> None:
        self._range = "custom"
        checked = self.view.ranges.checkedButton()
        if checked is not None:
            self.view.ranges.setExclusive(False)
            checked.setChecked(False)
            self.view.ranges.setExclusive(True)
        self._set_view(to_date(self.view.start.date()), to_date(self.view.end.date()), True)

    def _set_view(self, start: date, end: date, recompute: bool) -> None:
        if end < start:
            start, end = end, start
        plot = self.view.value_plot
        # A single day (time travel to the first one) is drawn a fortnight either side.
        margin = 15 * DAY if start == end else 0
        plot.setXRange(_x_of(start) - margin, _x_of(end) + DAY / 2 + margin, padding=0)
        for p in (plot, self.view.drawdown_plot):
            p.getPlotItem().getViewBox().setAutoVisible(y=True)
            p.getPlotItem().enableAutoRange(axis="y")
        if recompute and self._portfolio is not None and self._as_of is not None:
            self._pending = (self._portfolio, self._as_of, start, end)
            if not self._busy:
                self._compute_next()

    def _compute_next(self) -> None:
        request, self._pending = self._pending, None
        if request is None:
            return
        self._busy = True
        analytics = self.analytics
        portfolio_id, as_of, start, end = request
        # The metrics' period starts the day before the first visible day, so its return counts.
        begin = start - timedelta(days=1)

        def job(progress: Progress) -> MetricsResult:
            from gui.analysis import metrics_of

            return metrics_of(analytics, portfolio_id, as_of, begin, end)

        self.jobs.start(job, self._on_metrics, self._on_metrics_failed)

    @Slot(object)
    def _on_metrics(self, result: MetricsResult) -> None:
        self._busy = False
        self.metrics = result
        strip = self.view.metrics
        strip.set_value("period", f"{result.start + timedelta(days=1)} – {result.end}")
        colors = self.view.colors
        for key, value, signed in (
            ("ttwror", result.ttwror, True),
            ("ttwror_pa", result.ttwror_annualized, True),
            ("irr", result.irr, True),
            ("max_drawdown", -result.max_drawdown, True),
            ("volatility", result.volatility, False),
        ):
            s = formatting.sign(value) if signed else 0
            color = colors.gain if s > 0 else colors.loss if s < 0 else None
            strip.set_value(key, formatting.percent(value, signed=signed), color)
        sharpe = "—" if math.isnan(result.sharpe) else f"{result.sharpe:.2f}"
        strip.set_value("sharpe", sharpe)
        self.metrics_shown.emit(result)
        self._compute_next()

    @Slot(str)
    def _on_metrics_failed(self, message: str) -> None:
        self._busy = False
        self.view.metrics.clear()
        self.view.metrics.set_value("period", "—", tooltip=message)
        self._compute_next()

    @Slot()
    def _on_style_changed(self) -> None:
        self._redraw()

    # -- crosshair ----------------------------------------------------------------------------

    @Slot(QPointF)
    def _on_mouse_moved(self, position: QPointF) -> None:
        v, data = self.view, self.data
        box = v.value_plot.getPlotItem().getViewBox()
        if data is None or not len(data.x) or not box.sceneBoundingRect().contains(position):
            v.show_crosshair(False)
            return
        point = box.mapSceneToView(position)
        i = int(np.clip(np.searchsorted(data.x, point.x()), 0, len(data.x) - 1))
        if i > 0 and abs(data.x[i - 1] - point.x()) < abs(data.x[i] - point.x()):
            i -= 1
        x = float(data.x[i])
        lines = [_day_of(x).isoformat(), f"Portfolio {formatting.money(data.total[i])}"]
        if data.benchmark is not None and v.benchmark.isChecked():
            bench = float(data.benchmark[i])
            if not math.isnan(bench):
                lines.append(f"{data.benchmark_name} (rebased) {formatting.money(bench)}")
        if v.stacked.isChecked():
            lines += [
                f"{t} {formatting.money(values[i])}"
                for t, values in data.by_ticker.items()
                if values[i]
            ]
            lines.append(f"Cash {formatting.money(data.cash[i])}")
        lines.append(f"Drawdown {formatting.percent(data.drawdown[i])}")
        v.v_line.setPos(x)
        v.dd_line.setPos(x)
        v.h_line.setPos(point.y())
        v.readout.setText("\n".join(lines))
        v.readout.setPos(point.x(), point.y())
        v.show_crosshair(True)


def _as_of_of(snapshot: Snapshot) -> AsOf:
    assert isinstance(snapshot.as_of, AsOf)
    return snapshot.as_of
