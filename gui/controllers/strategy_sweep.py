"""The sweep dialog's behaviour: a grid of values per declared parameter, checked on each change;
the sweep on dask.distributed in a background job with progress and Cancel; the ranked table and
the heatmaps; a double-clicked set recorded as a portfolio (as `erasmo sweep --keep` records
one) and opened."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QModelIndex, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLineEdit, QWidget

from erasmo.strategy import sweep as sweeping
from erasmo.strategy.runner import BacktestResult, BacktestSpec
from events.errors import ErasmoError
from gui.controllers.strategy_checks import Rules, backtest_spec
from gui.controllers.strategy_run import (
    StrategyFileDialog,
    StrategyForm,
    run_job,
    show_problem,
)
from gui.controllers.strategy_table import fill_table, heat_text, metric_of
from gui.dialogs.form import field_date, to_qdate
from gui.form_checks import FieldError, IncompleteError, Problem
from gui.views.strategy_fields import param_label
from gui.views.strategy_sweep import SweepView
from gui.workers import JobHandle, Jobs, Progress

if TYPE_CHECKING:
    from erasmo.door import FrontDoor
    from erasmo.strategy.sweep import SweepReport, SweepRow


def sweep_job(door: FrontDoor, plan: SweepPlan) -> Any:
    """The job running the sweep: its report, or `Cancelled` (checked while the sets run: the
    running ones stop at their next day)."""

    def job(progress: Progress) -> SweepReport:
        progress.check()

        def report(done: int, total: int) -> None:
            progress.check()
            progress.report(done, total)

        return sweeping.sweep(
            plan.base,
            plan.sets,
            door.market,
            door.today(),
            split=plan.split,
            workers=plan.workers,
            progress=report,
            check=progress.check,
        )

    return job


class SweepPlan:
    """What the dialog would sweep: the base spec, the sets, the split and the workers."""

    def __init__(
        self,
        base: BacktestSpec,
        grid: dict[str, list[str]],
        split: date | None,
        workers: int,
    ) -> None:
        self.base, self.grid, self.split, self.workers = base, grid, split, workers
        self.sets = sweeping.expand(grid)
        #: the parameters with more than one value, in grid order (the table's and maps' axes)
        self.varying = [name for name, values in grid.items() if len(values) > 1]


class SweepDialog(StrategyFileDialog):
    """Sweep a strategy's parameters; `ran` when a set is recorded as a portfolio."""

    ran = Signal(object)  # the BacktestResult of a recorded set
    swept = Signal(object)  # the SweepReport

    def __init__(self, door: FrontDoor, jobs: Jobs, loss: QColor, parent: QWidget | None = None):
        super().__init__(parent)
        self.door, self.jobs, self._loss = door, jobs, loss
        self.form = StrategyForm(door, self)
        self.plan: SweepPlan | None = None
        self.problem: Problem | None = None
        self.report: SweepReport | None = None
        self.swept_plan: SweepPlan | None = None  # the plan of the report shown
        self.job: JobHandle | None = None
        self.values: dict[str, QLineEdit] = {}
        self.view = v = SweepView(loss, parent)
        first, last = self.form.default_period()
        v.fields.start.setDate(to_qdate(first))
        v.fields.end.setDate(to_qdate(last))
        v.split.setDate(to_qdate(first.replace(year=first.year + 3)))
        v.source.file.editingFinished.connect(self._on_file)
        v.source.browse.clicked.connect(self._on_browse)
        v.source.klass.currentTextChanged.connect(self._on_class)
        for field in (v.fields.cash, v.fields.commission, v.fields.slippage):
            field.textChanged.connect(self.check)
        for day in (v.fields.start, v.fields.end, v.split):
            day.dateChanged.connect(self.check)
            day.problemChanged.connect(self.check)
        v.split_on.toggled.connect(self.check)
        v.workers.valueChanged.connect(self.check)
        v.run.clicked.connect(self.start)
        v.cancel.clicked.connect(self.cancel)
        v.metric_choice.currentIndexChanged.connect(self._show_maps)
        v.table.doubleClicked.connect(self._on_row_activated)
        v.inside.cell_activated.connect(self.record_cell)
        v.outside.cell_activated.connect(self.record_cell)
        self.check()

    # -- the form ------------------------------------------------------------------------------

    @Slot(str)
    def _on_class(self, name: str) -> None:
        grid, self.values = self.view.grid, {}
        while grid.rowCount():
            grid.removeRow(0)
        try:
            cls = self.form.choose(name)
        except FieldError:
            cls = None
        for param in cls.params if cls is not None else ():
            field = QLineEdit(str(param.default))
            field.setObjectName(f"param-{param.name}")
            field.setPlaceholderText(f"e.g. {param.default}")
            field.setToolTip(param.help or param.name)
            field.textChanged.connect(self.check)
            self.values[param.name] = field
            grid.addRow(param_label(param), field)
        self.check()

    def _grid(self, base: BacktestSpec) -> dict[str, list[str]]:
        cls = self.form.cls
        assert cls is not None
        declared = {p.name: p for p in cls.params}
        grid: dict[str, list[str]] = {}
        for name, field in self.values.items():
            try:
                values = sweeping.read_grid((f"{name}={field.text()}",))[name]
                for value in values:
                    declared[name].read(value)
            except ErasmoError as error:
                text = str(error).replace("--param ", "").split(": give it as")[0]
                raise FieldError(name, text.rstrip(".") + ".") from None
            grid[name] = values
        # a parameter left at its default is not part of the sets' names
        kept = {n: v for n, v in grid.items() if v != [str(declared[n].default)]}
        if not kept:
            raise IncompleteError(
                next(iter(grid), "file"), "Give some parameter more than one value to sweep."
            )
        sets = 1
        for values in kept.values():
            sets *= len(values)
        if sets > sweeping.MAX_SETS:
            raise FieldError(next(iter(kept)), f"The grid has {sets} sets: use coarser steps.")
        return kept

    def _plan(self) -> SweepPlan:
        v = self.view
        if self.form.file is None:
            self.form.read_file(v.source.file.text())
        cls = self.form.choose(v.source.klass.currentText())
        file = self.form.file
        assert file is not None
        start = field_date(v.fields.start, "start")
        end = field_date(v.fields.end, "end")
        rules = Rules(v.fields.cash.text(), v.fields.commission.text(), v.fields.slippage.text())
        defaults = {p.name: str(p.default) for p in cls.params}
        days = self.form.trading_days
        base = backtest_spec(
            self.door, set(), file, cls, defaults, start, end, rules, days, named=False
        )
        base = replace(base, name="")
        grid = self._grid(base)
        split = None
        if v.split_on.isChecked():
            split = field_date(v.split, "split")
            if not start < split <= end:
                raise FieldError(
                    "split", f"The split {split} must lie after {start} and no later than {end}."
                )
        return SweepPlan(base, grid, split, v.workers.value())

    @Slot()
    def check(self, *_: object) -> SweepPlan | None:
        """The inputs checked as the sweep would check them; Run enabled when they pass."""
        self.plan, self.problem = None, None
        try:
            self.plan = self._plan()
        except FieldError as error:
            self.problem = Problem(error.field, str(error), isinstance(error, IncompleteError))
        except ErasmoError as error:
            self.problem = Problem("form", str(error))
        v = self.view
        v.run.setEnabled(self.plan is not None and self.job is None)
        widgets: dict[str, QWidget] = {"file": v.source.file, "class": v.source.klass}
        widgets.update(v.fields.widgets(), split=v.split, **self.values)
        show_problem(v.message, widgets, self.problem, self._loss)
        if self.plan is not None:
            p = self.plan
            runs = len(p.sets) * (2 if p.split else 1)
            v.message.show_hint(
                f"Ready: {len(p.sets)} parameter sets ({runs} backtests) on {p.workers} "
                f"worker{'s' if p.workers > 1 else ''}."
            )
        return self.plan

    # -- running -------------------------------------------------------------------------------

    @Slot()
    def start(self) -> JobHandle | None:
        """Run the sweep in the background (None when the inputs do not pass)."""
        plan = self.check()
        if plan is None or self.job is not None:
            return None
        self.view.set_running(True)
        self.view.message.show_hint(f"Sweeping {len(plan.sets)} sets…")
        self.job = self.jobs.start(
            sweep_job(self.door, plan),
            lambda report: self._on_swept(plan, report),
            self._on_failed,
            self._on_cancelled,
            title="Sweeping parameters…",
        )
        self.job.progressed.connect(self._on_progress)
        return self.job

    @Slot()
    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.view.message.show_hint("Cancelling…")

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.view.progress.setRange(0, max(total, 1))
        self.view.progress.setValue(done)

    def _ended(self) -> None:
        self.job = None
        self.view.set_running(False)
        self.check()

    def _on_swept(self, plan: SweepPlan, report: SweepReport) -> None:
        if not self._alive():
            return
        self._ended()
        self.report, self.swept_plan = report, plan
        fill_table(self.view, plan.varying, report)
        self._show_maps()
        self.swept.emit(report)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._ended()
        self.view.message.show_error(message)

    @Slot()
    def _on_cancelled(self) -> None:
        self._ended()
        self.view.message.show_hint("Cancelled: nothing was recorded.")

    def _alive(self) -> bool:
        from shiboken6 import Shiboken

        return bool(Shiboken.isValid(self))

    # -- the heatmaps --------------------------------------------------------------------------

    def heat_arrays(self, key: str) -> tuple[np.ndarray, np.ndarray | None]:
        """The metric `key` of each set, rows the second swept parameter's values, columns the
        first one's: in sample (or over the whole period), and out of sample with a split."""
        plan, report = self.swept_plan, self.report
        assert plan is not None
        assert report is not None
        assert len(plan.varying) == 2
        x, y = plan.varying
        xs, ys = plan.grid[x], plan.grid[y]
        inside = np.full((len(ys), len(xs)), np.nan)
        outside = np.full((len(ys), len(xs)), np.nan) if report.split else None
        for row in report.rows:
            r, c = ys.index(row.swept[y]), xs.index(row.swept[x])
            inside[r, c] = metric_of(row.result, key)
            if outside is not None and row.out_of_sample is not None:
                outside[r, c] = metric_of(row.out_of_sample, key)
        return inside, outside

    @Slot()
    def _show_maps(self, *_: object) -> None:
        v, plan = self.view, self.swept_plan
        two = plan is not None and self.report is not None and len(plan.varying) == 2
        v.maps.setVisible(two)
        if not two or plan is None:
            return
        key = str(v.metric_choice.currentData())
        x, y = plan.varying
        inside, outside = self.heat_arrays(key)
        axes = ((x, plan.grid[x]), (y, plan.grid[y]))
        v.inside.title.setText("In sample" if outside is not None else "Whole period")
        v.inside.set_data(inside, *axes, heat_text(inside, key))
        v.outside.setVisible(outside is not None)
        if outside is not None:
            v.outside.set_data(outside, *axes, heat_text(outside, key))

    # -- recording a set -----------------------------------------------------------------------

    def set_at(self, column: int, row: int) -> SweepRow | None:
        """The set of a heatmap cell."""
        plan, report = self.swept_plan, self.report
        if plan is None or report is None or len(plan.varying) != 2:
            return None
        x, y = plan.varying
        wanted = {x: plan.grid[x][column], y: plan.grid[y][row]}
        return next((r for r in report.rows if all(r.swept[k] == wanted[k] for k in wanted)), None)

    @Slot(int, int)
    def record_cell(self, column: int, row: int) -> JobHandle | None:
        found = self.set_at(column, row)
        return None if found is None else self.record(found)

    @Slot(QModelIndex)
    def _on_row_activated(self, index: QModelIndex) -> None:
        if self.report is not None and index.isValid():
            self.record(self.report.rows[index.row()])

    def record(self, row: SweepRow) -> JobHandle | None:
        """Record `row`'s set over the whole period as a portfolio named from its parameters
        (as `erasmo sweep --keep` does); `ran` once it is recorded."""
        plan = self.swept_plan
        if plan is None or self.job is not None:
            return None
        name = f"{plan.base.class_name} {sweeping.set_label(row.swept)}"
        spec = replace(plan.base, params=row.params, name=name)
        self.view.set_running(True)
        self.view.message.show_hint(f"Recording {name!r}…")
        self.job = self.jobs.start(
            run_job(self.door, spec),
            self._on_recorded,
            self._on_failed,
            self._on_cancelled,
            title=f"Recording {name}…",
        )
        self.job.progressed.connect(self._on_progress)
        return self.job

    @Slot(object)
    def _on_recorded(self, result: BacktestResult) -> None:
        self._ended()
        self.view.message.show_hint(
            f"Recorded {result.name!r} ({result.events} events, value {result.final_value}); "
            "it is selected in the window."
        )
        self.ran.emit(result)

    @Slot()
    def _on_closed(self) -> None:
        if self.job is not None:
            self.job.cancel()
        self.deleteLater()
        self.view.deleteLater()
