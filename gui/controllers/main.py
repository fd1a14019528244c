"""The main window's behaviour: selection, commands, background loading, saved state."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

from PySide6.QtCore import QElapsedTimer, QItemSelection, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QMessageBox

from erasmo.bootstrap import Erasmo
from erasmo.door.models import PortfolioHead, TradeReceipt
from events.values import name_key
from gui import formatting, theme
from gui.controllers.analysis import AnalysisController
from gui.controllers.clock import ClockController
from gui.controllers.files import FileTransfers
from gui.controllers.forms import CashDialog, NewPortfolioDialog
from gui.controllers.journal import JournalController
from gui.controllers.lifecycle import PortfolioLifecycle
from gui.controllers.orders import OrdersController
from gui.controllers.prices import PricesController
from gui.controllers.replay import ReplayController
from gui.controllers.status import StatusController
from gui.controllers.strategy import StrategyCommands
from gui.controllers.sync import SyncController
from gui.controllers.tables import TableMenus
from gui.controllers.ticket import TradeTicket
from gui.controllers.trading import TradingCommands
from gui.controllers.undo import UndoController
from gui.demo import DEMO_NAME, create_demo
from gui.dialogs.form import to_qdate
from gui.history_rows import LARGE_HISTORY, HistoryRow, history_rows
from gui.models.history import HistoryTableModel
from gui.models.portfolios import PortfolioListModel
from gui.models.roles import PORTFOLIO_ID
from gui.now import market_now, now_phrase
from gui.settings import WindowSettings
from gui.state import AsOf, Session
from gui.views.main_window import MainWindow
from gui.wording import gui_text
from gui.workers import JobHandle, Jobs, Progress

if TYPE_CHECKING:
    from erasmo.sync.client import SyncSummary

#: How many automatic backups (taken before every import) are kept in `<data dir>/backups`.
AUTO_BACKUPS_KEPT = 5


class MainController(QObject, TradingCommands):
    """Connects the window to erasmo: every command of the window is an `_on_*` slot here."""

    history_loaded = Signal(object)  # UUID: its rows are in the history model

    def __init__(
        self,
        erasmo: Erasmo,
        window: MainWindow,
        *,
        offer_demo: bool = True,
        analysis: bool = True,
    ) -> None:
        super().__init__(window)
        self.erasmo, self.window = erasmo, window
        self.door = door = erasmo.door
        self.colors = theme.colors(window.palette())
        gain, loss = self.colors.gain, self.colors.loss
        self.session = Session(self)
        self.jobs = Jobs(parent=self)
        self.settings = WindowSettings(erasmo.data_dir)
        self._offer_demo = offer_demo
        self._history_job: JobHandle | None = None

        self.portfolios = PortfolioListModel(gain, loss, self)
        window.sidebar.set_model(self.portfolios)
        dimmed = window.palette().color(QPalette.ColorRole.PlaceholderText)
        self.history_model = HistoryTableModel(dimmed, self)
        window.history.set_model(self.history_model)
        self.replay = ReplayController(
            window.replay, window.history, self.history_model, self.session
        )
        self.files = FileTransfers(
            door,
            self.jobs,
            (gain, loss),
            window,
            backup=lambda: door.backup(keep=AUTO_BACKUPS_KEPT),
        )
        self.sync = SyncController(erasmo, self.jobs, loss, window)
        self.analysis = AnalysisController(erasmo, window, self.session, self.colors)
        self.journal = JournalController(
            door, window, self.session, self.analysis, self.recorded, self._say
        )
        self.status = StatusController(erasmo, window.status, self.jobs, self)
        self.status.watch(self.analysis.jobs)
        self.prices = PricesController(erasmo.prices, window.status, self.jobs, self)
        self.chart = None  # a PriceChartController, once pyqtgraph is loaded
        self.compare = None  # a CompareController, once the analytics are loaded
        self.orders = OrdersController(door, window.orders, dimmed, self.jobs, self)
        self.clock = ClockController(door, window.clock, self.jobs, self)
        self._connect()
        self.lifecycle = PortfolioLifecycle(
            door, window, self.portfolios, self.session, self.reload_portfolios, self._say
        )
        self.table_menus = TableMenus(self, self)
        self.undo = UndoController(door, window, self.session, self.recorded, self._say)
        self.strategies = StrategyCommands(self, self)
        self._restore()
        self.reload_portfolios()
        if analysis:
            window.first_painted.connect(self.analysis.start)
        window.first_painted.connect(self._on_first_paint)

    # -- wiring -------------------------------------------------------------------------------

    def _connect(self) -> None:
        w, a = self.window, self.window.commands
        a.new_portfolio.triggered.connect(self._on_new_portfolio)
        a.trade.triggered.connect(self._on_trade)
        a.order.triggered.connect(self._on_order)
        a.fork.triggered.connect(self._on_fork)
        a.refresh_prices.triggered.connect(self._on_refresh_prices)
        a.apply_actions.triggered.connect(self._on_apply_actions)
        self.prices.refreshed.connect(self._on_prices_refreshed)
        self.prices.failed.connect(self._say)
        w.history.fork.clicked.connect(self._on_fork)
        self.orders.new_order_requested.connect(self._on_order)
        self.orders.changed.connect(self.recorded)
        self.clock.advanced.connect(self._on_clock_advanced)
        self.clock.failed.connect(self._say)
        a.cash.triggered.connect(self._on_cash)
        a.import_log.triggered.connect(self._on_import)
        a.export_log.triggered.connect(self._on_export)
        a.sync.triggered.connect(self._on_sync)
        a.demo.triggered.connect(self._on_demo)
        w.welcome.demo.clicked.connect(self._on_demo)
        w.welcome.new_portfolio.clicked.connect(self._on_new_portfolio)
        w.welcome.import_log.clicked.connect(self._on_import)
        a.quit.triggered.connect(w.close)
        a.refresh.triggered.connect(self._on_refresh)
        a.about.triggered.connect(self._on_about)
        a.play.triggered.connect(self.replay.toggle)
        a.step_back.triggered.connect(self.replay.step_back)
        a.step_forward.triggered.connect(self.replay.step_forward)
        a.latest.triggered.connect(self.replay.go_latest)
        for index, action in enumerate(a.tabs):
            action.triggered.connect(lambda _=False, i=index: w.tabs.setCurrentIndex(i))
        w.sidebar.table.selectionModel().selectionChanged.connect(self._on_sidebar_selection)
        w.closing.connect(self._on_closing)
        self.session.portfolio_changed.connect(self._on_portfolio_changed)
        self.session.as_of_changed.connect(self._on_as_of_changed)
        self.files.exported.connect(self._on_exported)
        self.files.imported.connect(self._on_imported)
        self.files.failed.connect(self._on_failed)
        self.sync.ended.connect(self._on_sync_ended)
        self.sync.synced.connect(self._on_synced)
        self.analysis.valuation_ready.connect(self.portfolios.set_valuation)
        self.analysis.valuation_failed.connect(self._on_valuation_failed)
        self.analysis.unverified_ready.connect(self.portfolios.set_unverified)
        self.analysis.loaded.connect(self._on_charts_loadable)
        w.tabs.currentChanged.connect(self._on_tab_changed)
        w.holdings.table.doubleClicked.connect(self._on_holding_double_clicked)

    def _restore(self) -> None:
        s, w = self.settings, self.window
        if s.geometry is not None:
            w.restoreGeometry(s.geometry)
        if s.window_state is not None:
            w.restoreState(s.window_state)
        w.clamp_to_screen()
        if s.splitter is not None:
            w.splitter.restoreState(s.splitter)
        w.tabs.setCurrentIndex(s.tab)
        self.replay.set_speed_index(s.speed)

    # -- portfolios ---------------------------------------------------------------------------

    def reload_portfolios(self, select: UUID | None = None) -> None:
        """Read every portfolio's summary again and select `select` (else keep the selection)."""
        wanted = select or self.session.portfolio or self.settings.last_portfolio
        self.portfolios.market_date = self.door.market.latest_date()
        self.portfolios.set_summaries(self.door.portfolios(), self.branch_parents())
        if any(not r.valued for r in self.portfolios.portfolios()):
            self.analysis.refresh_valuations()  # a new portfolio, or new events in one
        empty = self.portfolios.rowCount() == 0
        self.window.sidebar.empty.setVisible(empty)
        self.window.show_welcome(empty)
        row = self.portfolios.row_of(wanted)
        if row < 0 and not empty:
            row = 0
        if row >= 0:
            self.window.sidebar.select(self.portfolios.index_of(row))
        if select is not None and select == self.session.portfolio:
            self._load_history(select)  # the same portfolio, with new events

    def branch_parents(self) -> dict[UUID, UUID]:
        """Each branch's parent portfolio."""
        return self.door.branches()

    def selected(self) -> tuple[UUID, str] | None:
        pid = self.session.portfolio
        row = self.portfolios.row_of(pid)
        return None if pid is None or row < 0 else (pid, self.portfolios.portfolio(row).name)

    @Slot(QItemSelection, QItemSelection)
    def _on_sidebar_selection(self, selected: QItemSelection, _old: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            self.session.select(indexes[0].data(PORTFOLIO_ID))

    @Slot(object)
    def _on_portfolio_changed(self, portfolio_id: UUID | None) -> None:
        self.analysis.clear()
        if portfolio_id is not None and self._unreadable(portfolio_id):
            # only its history can be shown: it says which event cannot be read, and why
            self.orders.show_portfolio(None)
            self.clock.show_portfolio(None, False)
            self._say("This portfolio holds an event erasmo cannot read: see its History.")
            self._load_history(portfolio_id)
            return
        self._show_simulation()
        if portfolio_id is None:
            self.replay.set_rows([])
            return
        row = self.portfolios.row_of(portfolio_id)
        if row >= 0:
            self.analysis.model.set_currency(self.portfolios.portfolio(row).currency)
        self.analysis.show_head(portfolio_id)
        self._load_history(portfolio_id)

    def _unreadable(self, portfolio_id: UUID) -> bool:
        row = self.portfolios.row_of(portfolio_id)
        return row >= 0 and self.portfolios.portfolio(row).unreadable

    def _load_history(self, portfolio_id: UUID) -> None:
        if self._history_job is not None:
            self._history_job.discard()
            self._history_job = None
        row = self.portfolios.row_of(portfolio_id)
        if row >= 0 and self.portfolios.portfolio(row).version > LARGE_HISTORY:
            self.replay.show_loading()
            name = self.portfolios.portfolio(row).name
            self._history_job = self.analysis.load_history(portfolio_id, name, self._on_history)
            return
        door = self.door

        def job(progress: Progress) -> tuple[UUID, list[HistoryRow]]:
            return portfolio_id, history_rows(door, portfolio_id, lambda: progress.cancelled)

        self._history_job = self.jobs.start(job, self._on_history, self._on_failed)

    @Slot(object)
    def _on_history(self, result: tuple[UUID, Sequence[HistoryRow]]) -> None:
        portfolio_id, rows = result
        if portfolio_id != self.session.portfolio:
            return  # the user moved on
        self._history_job = None
        self.replay.set_rows(rows)
        self._show_chart_portfolio()
        if self.compare is not None:
            self.compare.set_portfolios(portfolio_id)
        self.history_loaded.emit(portfolio_id)

    @Slot(object)
    def _on_as_of_changed(self, as_of: AsOf | None) -> None:
        pid = self.session.portfolio
        sim = self.window.status.simulation
        if pid is None or as_of is None:
            sim.setText("")
            return
        if as_of.latest:
            head = self.door.head(pid)
            sim.setText(now_phrase(head.simulated, market_now(self.door, head)))
        else:
            sim.setText(f"As of {as_of.on.isoformat()} (time travel)")
        self.analysis.show(pid, as_of)

    # -- commands -------------------------------------------------------------------------------

    def _head(self) -> PortfolioHead | None:
        pid = self.session.portfolio
        if pid is None:
            QMessageBox.information(self.window, "erasmo", "Select or create a portfolio first.")
            return None
        return self.door.head(pid)

    def open_new_portfolio_dialog(self) -> NewPortfolioDialog:
        """The new-portfolio dialog, shown; its portfolio is selected once opened."""
        taken = {name_key(r.name) for r in self.portfolios.portfolios()}
        dialog = NewPortfolioDialog(self.door, taken, self.colors.loss, self.window)
        dialog.opened_portfolio.connect(self._on_portfolio_opened)
        dialog.open()
        return dialog

    @Slot()
    def _on_new_portfolio(self) -> None:
        self.open_new_portfolio_dialog()

    @Slot(object)
    def _on_portfolio_opened(self, portfolio_id: UUID) -> None:
        self.reload_portfolios(select=portfolio_id)
        self._say("Opened a new portfolio.")

    def open_trade_ticket(self, side: str = "buy", ticker: str = "") -> TradeTicket | None:
        """The ticket for the selected portfolio, shown; None without a selected portfolio."""
        head = self._head()
        if head is None:
            return None
        colors = (self.colors.gain, self.colors.loss)
        ticket = TradeTicket(self.door, head, colors, self.window, side=side, ticker=ticker)
        until = self.visible_until(head.id)
        if until is not None:  # a simulation trades on its clock day, never after it
            ticket.view.date.setMaximumDate(to_qdate(until))
        ticket.recorded.connect(self._on_trade_recorded)
        ticket.open()
        return ticket

    @Slot()
    def _on_trade(self) -> None:
        self.open_trade_ticket()

    @Slot(object)
    def _on_trade_recorded(self, receipt: TradeReceipt) -> None:
        verb = "Bought" if receipt.side == "buy" else "Sold"
        self._say(
            f"{verb} {formatting.quantity(receipt.quantity)} {receipt.ticker} at "
            f"{formatting.price(receipt.price)} on {receipt.day}; cash "
            f"{formatting.money(receipt.cash_after)}."
        )
        self.recorded()

    def open_cash_dialog(self, kind: str = "deposit") -> CashDialog | None:
        """The deposit/withdraw dialog for the selected portfolio, shown."""
        head = self._head()
        if head is None:
            return None
        dialog = CashDialog(self.door, head, self.colors.loss, self.window, kind=kind)
        dialog.recorded.connect(self.recorded)
        dialog.open()
        return dialog

    @Slot()
    def _on_cash(self) -> None:
        self.open_cash_dialog()

    @Slot()
    def recorded(self) -> None:
        """Something was recorded for the selected portfolio: show it."""
        self.session.store_changed.emit()
        self.reload_portfolios(select=self.session.portfolio)
        self.orders.reload()
        self.clock.refresh()

    @Slot()
    def _on_export(self) -> None:
        self.files.ask_export(self.selected(), Path.home())

    @Slot()
    def _on_import(self) -> None:
        self.files.ask_import(Path.home())

    @Slot(int, str)
    def _on_exported(self, count: int, path: str) -> None:
        self._say(f"Exported {count} events to {path}.")

    @Slot(int, int)
    def _on_imported(self, new: int, total: int) -> None:
        self._say(f"Imported {new} new events ({total - new} already held).")
        self.session.store_changed.emit()
        self.reload_portfolios()
        if self.session.portfolio is not None:
            self._load_history(self.session.portfolio)

    @Slot(str)
    def _on_valuation_failed(self, message: str) -> None:
        self._say(f"Cannot value the portfolios: {message}")

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        message = gui_text(message)
        self._say(message)
        QMessageBox.warning(self.window, "erasmo", message)

    @Slot()
    def _on_sync(self) -> None:
        self.sync.open_dialog()

    @Slot()
    def _on_sync_ended(self) -> None:
        self.session.store_changed.emit()  # even a failed or cancelled sync may have pulled
        self._on_refresh()

    @Slot(object)
    def _on_synced(self, summary: SyncSummary) -> None:
        conflicts = len(summary.conflicts)
        kept = f", {conflicts} conflicts kept as copies" if conflicts else ""
        self._say(f"Synced: pulled {summary.pulled} events, pushed {summary.pushed}{kept}.")

    @Slot()
    def _on_demo(self) -> None:
        self.create_demo()

    def create_demo(self) -> JobHandle:
        """Create the demo portfolio in the background and select it."""
        taken = {name_key(r.name) for r in self.portfolios.portfolios()}
        name, n = DEMO_NAME, 1
        while name_key(name) in taken:
            n += 1
            name = f"{DEMO_NAME} {n}"
        door = self.door

        def job(progress: Progress) -> UUID:
            return create_demo(door, name, progress.report)

        return self.jobs.start(
            job, self._on_demo_created, self._on_failed, title="Creating the demo portfolio…"
        )

    @Slot(object)
    def _on_demo_created(self, portfolio_id: UUID) -> None:
        self.reload_portfolios(select=portfolio_id)
        self._say("Created the demo portfolio from the bundled price history.")

    @Slot()
    def _on_first_paint(self) -> None:
        if self._offer_demo and self.portfolios.rowCount() == 0 and not self.settings.demo_offered:
            QTimer.singleShot(0, self._offer_demo_portfolio)

    @Slot()
    def _offer_demo_portfolio(self) -> None:
        self.settings.mark_demo_offered()
        answer = QMessageBox.question(
            self.window,
            "Welcome to erasmo",
            "There are no portfolios yet. Create a demo portfolio from the bundled price "
            "history (a few trades in Apple, Microsoft, Coca-Cola and others, 2017–2022)?\n\n"
            "erasmo is a simulator: nothing is ever traded for real.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.create_demo()

    @Slot()
    def _on_refresh(self) -> None:
        self.reload_portfolios()
        if self.session.portfolio is not None:
            self._load_history(self.session.portfolio)

    @Slot()
    def _on_about(self) -> None:
        from erasmo import __version__

        QMessageBox.about(
            self.window,
            "About erasmo",
            f"<b>erasmo {__version__}</b><p>A stock-trading simulator on real historical prices. "
            "It never trades real money; nothing here is investment advice.</p>"
            "<p>Every trade is an immutable event; everything you see is computed from the "
            "event log.</p>",
        )

    # -- closing --------------------------------------------------------------------------------

    @Slot()
    def _on_closing(self) -> None:
        self.replay.stop()
        self.clock.pause()
        w = self.window
        self.settings.save(
            geometry=w.saveGeometry(),
            window_state=w.saveState(),
            splitter=w.splitter.saveState(),
            tab=w.tabs.currentIndex(),
            speed=self.replay.speed_index(),
            last_portfolio=self.session.portfolio,
        )
        self.shutdown()

    def shutdown(self, msecs: int = 10_000) -> None:
        """Stop serving, cancel the background jobs and wait for them (the window is closing)."""
        self.sync.stop_serving()
        for jobs in (self.jobs, self.analysis.jobs):
            jobs.cancel_all()
        timer = QElapsedTimer()
        timer.start()
        for jobs in (self.jobs, self.analysis.jobs):  # at most `msecs` in all
            jobs.wait(max(0, msecs - timer.elapsed()))
        if self.analysis.jobs.pool.activeThreadCount() == 0:  # its caches are not thread-safe
            self.analysis.save()

    def still_running(self) -> bool:
        """Whether a background job is still running (one that does not check for cancel)."""
        return any(j.pool.activeThreadCount() > 0 for j in (self.jobs, self.analysis.jobs))

    def _say(self, message: str) -> None:
        self.window.statusBar().showMessage(gui_text(message), 8000)
