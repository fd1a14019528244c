"""The Run strategy dialog's behaviour: the file's classes, a form of the chosen class's declared
parameters, every field checked on each change (the door's dry run of the opening included),
then the backtest in a background job with progress and Cancel, recorded all or nothing."""

from __future__ import annotations

import inspect
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFileDialog, QWidget

from erasmo.strategy.runner import BacktestResult, BacktestSpec, run_backtest
from events.errors import ErasmoError
from gui.controllers.strategy_checks import (
    Rules,
    StrategyFile,
    backtest_spec,
    read_strategy_file,
    strategy_class,
)
from gui.dialogs.form import field_date, mark_invalid, to_qdate
from gui.form_checks import FieldError, IncompleteError, Problem
from gui.views.strategy_fields import editor_text, param_editor, param_label
from gui.views.strategy_run import RunStrategyView
from gui.workers import Cancelled, JobHandle, Jobs, Progress

if TYPE_CHECKING:
    from erasmo.door import FrontDoor
    from erasmo.strategy.api import Strategy

#: Where Browse… starts: the bundled examples when run from a checkout.
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "strategies"


class StopRun(BaseException):
    """Raised from a backtest's progress report to stop it; a BaseException so that the runner
    does not take it for the strategy's own failure (nothing is recorded either way)."""


def stoppable(progress: Progress) -> Any:
    """A runner progress callback that reports to `progress` and stops when it is cancelled."""

    def report(done: int, total: int) -> None:
        if progress.cancelled:
            raise StopRun
        progress.report(done, total)

    return report


def run_job(door: FrontDoor, spec: BacktestSpec) -> Any:
    """The job running `spec` in the background: its result, or `Cancelled`."""

    def job(progress: Progress) -> BacktestResult:
        progress.check()
        try:
            return run_backtest(door, spec, stoppable(progress))
        except StopRun:
            raise Cancelled from None

    return job


def show_problem(
    message: Any, widgets: dict[str, QWidget], problem: Problem | None, loss: QColor
) -> None:
    """Mark the field a problem is about and say it under the form (a hint stays muted)."""
    hint = problem is not None and problem.hint
    for name, widget in widgets.items():
        mark_invalid(widget, problem is not None and not hint and problem.field == name, loss)
    if problem is None:
        message.clear_message()
    elif hint:
        message.show_hint(problem.message)
    else:
        message.show_error(problem.message)


def same_path(text: str, path: str) -> bool:
    """Whether the file field's text names the file already read."""
    return bool(text) and str(Path(text).expanduser()) == path


def changed(editor: QWidget) -> Any:
    """The signal a parameter editor emits when its value changes."""
    for name in ("valueChanged", "toggled", "textChanged"):
        signal = getattr(editor, name, None)
        if signal is not None:
            return signal
    raise TypeError(type(editor).__name__)


class StrategyForm(QObject):
    """What the two strategy dialogs share: the file, its classes, the market's trading days
    and the period's defaults."""

    def __init__(self, door: FrontDoor, parent: QObject | None) -> None:
        super().__init__(parent)
        self.door = door
        self.file: StrategyFile | None = None
        self.cls: type[Strategy] | None = None
        self.trading_days = list(door.market.trading_days(None))

    def read_file(self, text: str) -> None:
        self.file, self.cls = None, None
        self.file = read_strategy_file(text)

    def choose(self, name: str) -> type[Strategy]:
        if self.file is None:
            raise IncompleteError("file", "Pick a strategy file (Browse…), e.g. sma_cross.py.")
        self.cls = strategy_class(self.file, name)
        return self.cls

    def default_period(self) -> tuple[date, date]:
        """The last five years of the market data."""
        if not self.trading_days:
            today = self.door.today()
            return today, today
        last = self.trading_days[-1]
        return last.replace(year=last.year - 5), last


def browse(parent: QWidget, current: str) -> str:
    """A strategy file picked in a file dialog ("" when none)."""
    start = Path(current).parent if current.strip() else EXAMPLES
    picked, _ = QFileDialog.getOpenFileName(
        parent, "Pick a strategy file", str(start), "Python files (*.py)"
    )
    return picked


class StrategyFileDialog(QObject):
    """What the run and sweep dialogs share: opening, and reading the strategy file picked
    (typed or browsed) to offer its classes; a subclass lays out the chosen class's
    parameters in `_on_class`."""

    view: Any
    form: StrategyForm

    def open(self, path: str = "") -> None:
        """Show the dialog (window-modal), with the strategy file `path` if given."""
        if path:
            self.set_file(path)
        self.view.finished.connect(self._on_closed)
        self.view.open()

    def set_file(self, path: str) -> None:
        """Read the strategy file at `path` and offer its classes."""
        self.view.source.file.setText(path)
        self._on_file()

    @Slot()
    def _on_browse(self) -> None:
        picked = browse(self.view, self.view.source.file.text())
        if picked:
            self.set_file(picked)

    @Slot()
    def _on_file(self) -> None:
        text = self.view.source.file.text().strip()
        if self.form.file is not None and same_path(text, self.form.file.path):
            return  # the same file (editing finishes again as the field loses focus)
        klass = self.view.source.klass
        klass.blockSignals(True)
        klass.clear()
        try:
            self.form.read_file(self.view.source.file.text())
        except FieldError:
            pass  # said by check()
        else:
            assert self.form.file is not None
            klass.addItems(list(self.form.file.classes))
        klass.blockSignals(False)
        self._on_class(klass.currentText())

    def _on_class(self, name: str) -> None:
        raise NotImplementedError

    def _on_closed(self) -> None:
        raise NotImplementedError


class RunStrategyDialog(StrategyFileDialog):
    """Run a strategy as a simulation portfolio; `ran` once it is recorded."""

    ran = Signal(object)  # the BacktestResult

    def __init__(
        self,
        door: FrontDoor,
        taken: set[str],
        jobs: Jobs,
        loss: QColor,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.door, self.taken, self.jobs, self._loss = door, taken, jobs, loss
        self.form = StrategyForm(door, self)
        self.spec: BacktestSpec | None = None
        self.problem: Problem | None = None
        self.job: JobHandle | None = None
        self.result: BacktestResult | None = None
        self.view = view = RunStrategyView(loss, parent)
        self.editors: dict[str, QWidget] = {}
        first, last = self.form.default_period()
        view.fields.start.setDate(to_qdate(first))
        view.fields.end.setDate(to_qdate(last))
        view.source.file.editingFinished.connect(self._on_file)
        view.source.browse.clicked.connect(self._on_browse)
        view.source.klass.currentTextChanged.connect(self._on_class)
        for widget in (view.fields.cash, view.fields.commission, view.fields.slippage, view.name):
            widget.textChanged.connect(self.check)
        for day in (view.fields.start, view.fields.end):
            day.dateChanged.connect(self.check)
            day.problemChanged.connect(self.check)
        view.buttons.accepted.connect(self._on_run)
        view.buttons.rejected.connect(self._on_cancel)
        self.check()

    # -- the form ------------------------------------------------------------------------------

    @Slot(str)
    def _on_class(self, name: str) -> None:
        params, self.editors = self.view.params, {}
        while params.rowCount():
            params.removeRow(0)
        self.view.doc.setText("")
        try:
            cls = self.form.choose(name)
        except FieldError:
            cls = None
        if cls is not None:
            self.view.doc.setText(inspect.getdoc(cls) or "")
            for param in cls.params:
                editor = param_editor(param)
                self.editors[param.name] = editor
                params.addRow(param_label(param), editor)
                changed(editor).connect(self.check)
            if not cls.params:
                params.addRow("", QWidget())
        self.view.params_box.setVisible(bool(self.editors))
        self.check()

    def param_texts(self) -> dict[str, str]:
        """Each parameter's editor's text, by name."""
        return {name: editor_text(editor) for name, editor in self.editors.items()}

    def _spec(self) -> BacktestSpec:
        v = self.view
        if self.form.file is None:
            self.form.read_file(v.source.file.text())
        cls = self.form.choose(v.source.klass.currentText())
        start = field_date(v.fields.start, "start")
        end = field_date(v.fields.end, "end")
        rules = Rules(
            v.fields.cash.text(),
            v.fields.commission.text(),
            v.fields.slippage.text(),
            v.name.text(),
        )
        file = self.form.file
        assert file is not None
        texts, days = self.param_texts(), self.form.trading_days
        return backtest_spec(self.door, self.taken, file, cls, texts, start, end, rules, days)

    @Slot()
    def check(self, *_: object) -> BacktestSpec | None:
        """The inputs checked as the run would check them; Run enabled when they pass."""
        self.spec, self.problem = None, None
        try:
            self.spec = self._spec()
        except FieldError as error:
            self.problem = Problem(error.field, str(error), isinstance(error, IncompleteError))
        except ErasmoError as error:
            self.problem = Problem("form", str(error))
        running = self.job is not None
        self.view.ok.setEnabled(self.spec is not None and not running)
        show_problem(self.view.message, self.view.field_widgets(), self.problem, self._loss)
        if self.spec is not None:
            days = len([d for d in self.form.trading_days if self.spec.start <= d <= self.spec.end])
            self.view.message.show_hint(
                f"Ready: {self.spec.class_name} over {days} trading days from "
                f"{self.spec.start} to {self.spec.end}, recorded as {self.spec.name!r}."
            )
        return self.spec

    # -- the run -------------------------------------------------------------------------------

    @Slot()
    def _on_run(self) -> None:
        spec = self.check()
        if spec is None or self.job is not None:
            return
        self.view.set_running(True)
        self.view.message.show_hint(f"Running {spec.class_name} from {spec.start} to {spec.end}…")
        self.job = self.jobs.start(
            run_job(self.door, spec),
            self._on_done,
            self._on_failed,
            self._on_cancelled,
            title=f"Running {spec.class_name}…",
        )
        self.job.progressed.connect(self._on_progress)

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        bar = self.view.progress
        bar.setRange(0, max(total, 1))
        bar.setValue(done)

    def _ended(self) -> None:
        self.job = None
        self.view.set_running(False)

    @Slot(object)
    def _on_done(self, result: BacktestResult) -> None:
        self._ended()
        self.result = result
        self.ran.emit(result)
        self.view.accept()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._ended()
        self.check()
        self.view.message.show_error(message)

    @Slot()
    def _on_cancelled(self) -> None:
        self._ended()
        self.check()
        self.view.message.show_hint("Cancelled: nothing was recorded.")

    @Slot()
    def _on_cancel(self) -> None:
        """Cancel stops a run going on; without one it closes the dialog."""
        if self.job is not None:
            self.job.cancel()
            self.view.message.show_hint("Cancelling…")
            return
        self.view.reject()

    @Slot()
    def _on_closed(self) -> None:
        if self.job is not None:
            self.job.cancel()
        self.deleteLater()
        self.view.deleteLater()
