"""The window's strategy commands: a Strategies menu (Run strategy…, Sweep parameters…), the
portfolio a run or a sweep records selected in the sidebar, and the strategy notes of a backtest
portfolio shown above its History."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QVBoxLayout

from events.values import name_key
from gui.views.main_window import HISTORY_TAB
from gui.views.strategy_run import StrategyNotes

if TYPE_CHECKING:  # erasmo.strategy loads pandas: only once a strategy is run or read
    from erasmo.door import FrontDoor
    from erasmo.strategy.runner import BacktestResult
    from gui.controllers.analysis import AnalysisController
    from gui.controllers.strategy_run import RunStrategyDialog
    from gui.controllers.strategy_sweep import SweepDialog
    from gui.models.portfolios import PortfolioListModel
    from gui.state import Session
    from gui.theme import Colors
    from gui.views.main_window import MainWindow
    from gui.workers import Jobs


#: Where an older erasmo kept its backtests' records (`erasmo.strategy.runner.RECORDS_DIR`:
#: that module loads pandas, so it is imported only where such records exist).
LEGACY_RECORDS = "strategies"


class Main(Protocol):
    """What the strategy commands use of the main controller."""

    door: FrontDoor
    jobs: Jobs
    colors: Colors
    window: MainWindow
    portfolios: PortfolioListModel
    session: Session
    analysis: AnalysisController

    def reload_portfolios(self, select: UUID | None = None) -> None: ...


def record_of(door: FrontDoor, portfolio_id: UUID) -> tuple[str, list[str]] | None:
    """What ran to make a backtest portfolio, as a summary line and its dated notes: from its
    log's StrategyStarted, else from the record an older erasmo kept beside the store (None for
    a portfolio no strategy made). Reads the store's strategy events and notes (not the whole
    history): call it off the GUI thread."""
    logged = door.strategy(portfolio_id)
    if logged is not None:
        params = ", ".join(f"{k}={v}" for k, v in logged.params.items()) or "none"
        summary = (
            f"{logged.class_name} from {logged.file_name} (parameters {params}), "
            f"{logged.start} to {logged.end}, opening cash {logged.cash}; source sha256 "
            f"{logged.sha256[:12]}."
        )
        return summary, list(logged.notes)
    if not (door.data_dir / LEGACY_RECORDS).is_dir():
        return None  # no older erasmo ran a backtest here
    from erasmo.strategy.runner import record_path

    try:
        path = record_path(door.data_dir, portfolio_id)
        found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return notes_of(found)


def notes_of(record: dict[str, Any]) -> tuple[str, list[str]]:
    """An older record's summary line and its notes, each dated."""
    params = ", ".join(f"{k}={v}" for k, v in record.get("params", {}).items()) or "none"
    summary = (
        f"{record.get('class_name', '?')} from {record.get('file_name', '?')} "
        f"(parameters {params}), {record.get('start', '?')} to {record.get('end', '?')}, "
        f"opening cash {record.get('cash', '?')}; source sha256 "
        f"{str(record.get('sha256', ''))[:12]}."
    )
    notes = [f"{day}  {text}" for day, text in record.get("notes", [])]
    return summary, notes


class StrategyCommands(QObject):
    """Adds the Strategies menu to the window and opens what it records."""

    def __init__(self, main: Main, parent: QObject) -> None:
        super().__init__(parent)
        self.main = main
        window = main.window
        self.run_action = QAction("&Run strategy…", window)
        self.run_action.setStatusTip("Backtest a strategy file as a simulation portfolio")
        self.sweep_action = QAction("&Sweep parameters…", window)
        self.sweep_action.setStatusTip(
            "Backtest a strategy over a grid of parameters and rank the sets"
        )
        self.menu = QMenu("&Strategies", window)
        self.menu.addAction(self.run_action)
        self.menu.addAction(self.sweep_action)
        bar = window.menuBar()
        help_menu = bar.actions()[-1] if bar.actions() else None
        if help_menu is None:
            bar.addMenu(self.menu)
        else:
            bar.insertMenu(help_menu, self.menu)  # before Help
        self.run_action.triggered.connect(self._on_run)
        self.sweep_action.triggered.connect(self._on_sweep)
        self.notes = StrategyNotes()
        layout = window.history.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, self.notes)  # under the filter, above the table
        main.session.portfolio_changed.connect(self._on_portfolio_changed)

    def _taken(self) -> set[str]:
        return {name_key(r.name) for r in self.main.portfolios.portfolios()}

    def open_run_dialog(self, path: str = "") -> RunStrategyDialog:
        """The Run strategy dialog, shown (with the file `path` when given)."""
        from gui.controllers.strategy_run import RunStrategyDialog

        m = self.main
        dialog = RunStrategyDialog(m.door, self._taken(), m.jobs, m.colors.loss, m.window)
        dialog.ran.connect(self._on_ran)
        dialog.open(path)
        return dialog

    def open_sweep_dialog(self, path: str = "") -> SweepDialog:
        """The sweep dialog, shown (with the file `path` when given)."""
        from gui.controllers.strategy_sweep import SweepDialog

        m = self.main
        dialog = SweepDialog(m.door, m.jobs, m.colors.loss, m.window)
        dialog.ran.connect(self._on_ran)
        dialog.open(path)
        return dialog

    @Slot()
    def _on_run(self) -> None:
        self.open_run_dialog()

    @Slot()
    def _on_sweep(self) -> None:
        self.open_sweep_dialog()

    @Slot(object)
    def _on_ran(self, result: BacktestResult) -> None:
        self.main.session.store_changed.emit()
        self.main.reload_portfolios(select=result.portfolio_id)
        self.main.window.tabs.setCurrentIndex(HISTORY_TAB)  # its events, and the notes above
        self.main.window.statusBar().showMessage(
            f"{result.name}: {result.events} events recorded; value {result.final_value} at "
            "the end of the run.",
            8000,
        )

    @Slot(object)
    def _on_portfolio_changed(self, portfolio_id: UUID | None) -> None:
        self.notes.clear()
        if portfolio_id is None:
            return
        door, session = self.main.door, self.main.session

        def shown(record: tuple[str, list[str]] | None) -> None:
            if record is not None and session.portfolio == portfolio_id:
                self.notes.show_record(*record)

        # the door picks the strategy's events out of the store: no history is decoded, and
        # nothing loads pandas before the first paint
        self.main.jobs.start(lambda _progress: record_of(door, portfolio_id), shown)
