"""The performance tab's behaviour: ranges, the crosshair, the stacked switch and the metrics."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, Signal, Slot

from gui import formatting
from gui.analysis import MetricsResult, PerformanceResult, Snapshot
from gui.dialogs.form import to_date, to_qdate
from gui.state import AsOf
from gui.theme import Colors
from gui.views.main_window import MainWindow
from gui.views.performance_tab import DEFINITIONS, PerformanceView, fit_now
from gui.workers import Jobs, Progress

DAY = 86_400
#: Annualised figures (TTWROR p.a., IRR per year) and the Sharpe ratio are shown only for
#: periods of at least this many calendar days: over a shorter period they extrapolate a few
#: days' moves to a year ("+18.20 % p.a." for a good week).
MIN_ANNUALISED_DAYS = 365
ANNUALISED = ("ttwror_pa", "irr")
SHORT_PERIOD = (
    "Not shown for periods under a year: annualising a shorter period extrapolates its "
    "moves to a whole year. Choose 1Y or a longer range."
)


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
        self._custom: tuple[date, date] | None = None  # the dates typed, for range "custom"
        self._since: float | None = None  # the first visible day: where % mode starts from
        self._pending: tuple[UUID, AsOf, date, date] | None = None
        self._busy = False
        for name, button in view.range_buttons.items():
            button.clicked.connect(lambda _=False, n=name: self._on_range(n))
        view.start.dateChanged.connect(self._on_dates_edited)
        view.end.dateChanged.connect(self._on_dates_edited)
        view.stacked.toggled.connect(self._on_style_changed)
        view.benchmark.toggled.connect(self._on_style_changed)
        view.returns.toggled.connect(self._on_style_changed)
        view.value_plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        view.value_plot.getPlotItem().getViewBox().sigXRangeChanged.connect(self._on_x_range)
        for widget in (view.value_plot, view.value_plot.viewport()):
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """The crosshair and its readout go when the pointer leaves the chart."""
        if event.type() == QEvent.Type.Leave:
            self.view.show_crosshair(False)
        return False

    # -- content ----------------------------------------------------------------------------

    def clear(self) -> None:
        self.data = None
        self._portfolio = None
        empty = PerformanceResult([], [], {}, [], None, "", [], ([], []), ([], []))
        self.view.set_series(empty, False, False)
        for plot in (self.view.value_plot, self.view.drawdown_plot):
            fit_now(plot.getPlotItem().getViewBox())  # one paint of the empty chart, not three
        self.view.show_crosshair(False)
        self.view.metrics.clear()

    def show(self, snapshot: Snapshot) -> None:
        """Draw the snapshot's series (they end at the moment shown: a replay grows them).

        Another portfolio starts over on the whole history when dates were typed for the one
        before (a preset range such as 1Y carries over); time travel keeps typed dates where
        they still fall inside the history shown, and falls back to the whole history when
        they no longer do.
        """
        data = snapshot.performance
        if data is None:
            return
        if snapshot.portfolio != self._portfolio and self._range == "custom":
            self._select_range("Max")
        self._portfolio = snapshot.portfolio
        self._as_of = _as_of_of(snapshot)
        self.data = data
        self._redraw()
        self._apply_range(recompute=True)

    def _redraw(self) -> None:
        v = self.view
        v.show_crosshair(False)  # its figures were of the series drawn before
        if self.data is not None:
            returns = v.returns.isChecked()
            v.stacked.setEnabled(not returns)
            v.set_series(
                self.data, v.stacked.isChecked(), v.benchmark.isChecked(), returns, self._since
            )
            self._on_x_range()

    def bounds(self) -> tuple[date, date] | None:
        if self.data is None or not len(self.data.x):
            return None
        return _day_of(float(self.data.x[0])), _day_of(float(self.data.x[-1]))

    # -- ranges -------------------------------------------------------------------------------

    @property
    def range_name(self) -> str:
        """The range shown: one of the presets, or "custom" for typed dates."""
        return self._range

    def _select_range(self, name: str) -> None:
        self._range, self._custom = name, None
        self.view.range_buttons[name].setChecked(True)

    @Slot(str)
    def _on_range(self, name: str) -> None:
        self._select_range(name)
        self._apply_range(recompute=True)

    def _custom_within(self, first: date, last: date) -> tuple[date, date] | None:
        """The typed dates cut to [first, last], or None when nothing of them is left."""
        if self._custom is None:
            return None
        start, end = self._custom
        if start > last or end < first:
            return None
        start, end = max(start, first), min(end, last)
        return None if start == end and first != last else (start, end)

    def _apply_range(self, *, recompute: bool) -> None:
        bounds = self.bounds()
        if bounds is None:
            return
        first, last = bounds
        custom = self._custom_within(first, last) if self._range == "custom" else None
        if self._range == "custom" and custom is None:
            self._select_range("Max")  # the typed dates fall outside the history shown
        if custom is None:
            custom = range_start(self._range, first, last), last
        v = self.view
        for edit in (v.start, v.end):
            edit.blockSignals(True)
            edit.setDateRange(to_qdate(first), to_qdate(last))
        v.start.setDate(to_qdate(custom[0]))
        v.end.setDate(to_qdate(custom[1]))
        for edit in (v.start, v.end):
            edit.blockSignals(False)
        self._set_view(custom[0], custom[1], recompute)

    @Slot()
    def _on_dates_edited(self) -> None:
        self._range = "custom"
        checked = self.view.ranges.checkedButton()
        if checked is not None:
            self.view.ranges.setExclusive(False)
            checked.setChecked(False)
            self.view.ranges.setExclusive(True)
        start, end = to_date(self.view.start.date()), to_date(self.view.end.date())
        self._custom = (min(start, end), max(start, end))
        self._set_view(start, end, True)

    @Slot()
    def _on_x_range(self) -> None:
        """Trade markers only when at most MARKER_DAYS calendar days are visible."""
        (x0, x1), _ = self.view.value_plot.getPlotItem().getViewBox().viewRange()
        self.view.show_markers(x0, x1)

    def _set_view(self, start: date, end: date, recompute: bool) -> None:
        if end < start:
            start, end = end, start
        self._since = _x_of(start)
        if self.view.returns.isChecked():
            self._redraw()  # the returns start from the first visible day
        plot = self.view.value_plot
        # A single day (time travel to the first one) is drawn a fortnight either side.
        margin = 15 * DAY if start == end else 0
        plot.setXRange(_x_of(start) - margin, _x_of(end) + DAY / 2 + margin, padding=0)
        for p in (plot, self.view.drawdown_plot):
            box = p.getPlotItem().getViewBox()
            box.setAutoVisible(y=True)
            p.getPlotItem().enableAutoRange(axis="y")
            fit_now(box)
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
        short = (result.end - result.start).days < MIN_ANNUALISED_DAYS
        for key, value, signed in (
            ("ttwror", result.ttwror, True),
            ("ttwror_pa", result.ttwror_annualized, True),
            ("irr", result.irr, True),
            ("max_drawdown", -result.max_drawdown, True),
            ("volatility", result.volatility, False),
        ):
            if short and key in ANNUALISED:
                strip.set_value(key, formatting.MISSING, tooltip=SHORT_PERIOD)
                continue
            s = formatting.sign(value) if signed else 0
            color = colors.gain if s > 0 else colors.loss if s < 0 else None
            tip = DEFINITIONS[key] if key in ANNUALISED else None
            strip.set_value(key, formatting.percent(value, signed=signed), color, tip)
        if short:
            strip.set_value("sharpe", formatting.MISSING, tooltip=SHORT_PERIOD)
        else:
            sharpe = "—" if math.isnan(result.sharpe) else f"{result.sharpe:.2f}"
            strip.set_value("sharpe", sharpe.replace("-", formatting.MINUS), None,
                            DEFINITIONS["sharpe"])  # fmt: skip
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
        v.v_line.setPos(x)
        v.dd_line.setPos(x)
        v.h_line.setPos(point.y())
        v.readout.setText("\n".join(self._readout_lines(data, i)))
        # The readout sits in the top corner away from the pointer: inside the plot, off the
        # line being read.
        (x0, x1), (_y0, y1) = box.viewRange()
        left = point.x() > (x0 + x1) / 2
        v.readout.setAnchor((0, 0) if left else (1, 0))
        v.readout.setPos(x0 if left else x1, y1)
        v.show_crosshair(True)

    def _readout_lines(self, data: PerformanceResult, i: int) -> list[str]:
        v = self.view
        benchmark = v.benchmark.isChecked()
        lines = [_day_of(float(data.x[i])).isoformat()]
        if v.returns.isChecked() and v.shown_returns is not None:
            mine, theirs = v.shown_returns
            lines.append(f"Portfolio {formatting.percent(float(mine[i]))}")
            if benchmark and theirs is not None:
                lines.append(f"{data.benchmark_name} {formatting.percent(float(theirs[i]))}")
        else:
            lines.append(f"Portfolio {formatting.money(data.total[i])}")
            if benchmark and data.benchmark is not None:
                bench = float(data.benchmark[i])
                if not math.isnan(bench):
                    name = f"{data.benchmark_name} (same deposits)"
                    lines.append(f"{name} {formatting.money(bench)}")
            if v.stacked.isChecked():
                lines += [
                    f"{t} {formatting.money(values[i])}"
                    for t, values in data.by_ticker.items()
                    if values[i]
                ]
                lines.append(f"Cash {formatting.money(data.cash[i])}")
        lines.append(f"Drawdown {formatting.percent(data.drawdown[i])}")
        return lines


def _as_of_of(snapshot: Snapshot) -> AsOf:
    assert isinstance(snapshot.as_of, AsOf)
    return snapshot.as_of
