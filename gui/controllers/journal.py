"""The Journal tab's behaviour: reads the selected portfolio's trades and statistics with the
tab's filters in the background, opens the note dialog, and exports the journal report.

The journal is read only while its tab is shown (and again when the store changes, another
portfolio is selected or a filter changes while it is): one read of the door's `trade_journal`
with the filters gives the trades they keep and the statistics and monthly P&L of those very
trades, on the analytics' one-thread pool, never on the GUI thread. While one read runs only
the latest request waits, as on the other tabs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtCore import QDate, QItemSelection, QObject, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QMessageBox

from erasmo.door import FrontDoor
from gui import formatting
from gui.controllers.journal_data import CLOSED, JournalResult, TradeFilters, TradeRow
from gui.state import Session
from gui.theme import Colors
from gui.views.main_window import JOURNAL_TAB, MainWindow
from gui.wording import gui_text
from gui.workers import JobHandle, Progress

if TYPE_CHECKING:
    from erasmo.journal import TradeStatistics
    from gui.controllers.analysis import AnalysisController
    from gui.controllers.journal_note import NoteDialog
    from gui.views.journal_model import TradesSorter, TradesTableModel
    from gui.views.journal_tab import JournalView

MONEY = ("total_pnl", "expectancy", "average_win", "average_loss", "best_trade", "worst_trade")
RATIOS = ("profit_factor", "payoff_ratio", "sqn")


def statistic_texts(s: TradeStatistics) -> dict[str, tuple[str, int]]:
    """Each figure of the statistics panel as (text, sign to colour it by; 0: no colour)."""

    def ratio(value: float) -> str:
        return "∞" if value == math.inf else formatting.fixed(value, 2)

    texts: dict[str, tuple[str, int]] = {
        "trades": (f"{s.trades:,} ({s.winners} won, {s.losers} lost)", 0),
        "win_rate": (formatting.percent(s.win_rate, signed=False), 0),
        "expectancy_pct": (formatting.percent(s.expectancy_pct), formatting.sign(s.expectancy_pct)),
        "kelly": (formatting.percent(s.kelly), 0),
        "average_holding_days": (_days(s.average_holding_days, 1), 0),
        "longest_holding_days": (_days(s.longest_holding_days, 0) if s.trades else "—", 0),
        "exposure": (formatting.percent(s.exposure, signed=False), 0),
        "longest_losing_streak": (str(s.longest_losing_streak), 0),
        "longest_winning_streak": (str(s.longest_winning_streak), 0),
    }
    for key in MONEY:
        value = float(getattr(s, key))
        texts[key] = (formatting.signed_cents(value), formatting.sign(value))
    for key in RATIOS:
        texts[key] = (ratio(float(getattr(s, key))), 0)
    return texts


def _days(value: float, places: int) -> str:
    if not math.isfinite(value):
        return formatting.MISSING
    return f"{formatting.fixed(value, places)} days"


class JournalController(QObject):
    """Fills the Journal tab for the selected portfolio (once the charts can be drawn)."""

    shown = Signal(object)  # the JournalResult on screen
    exported = Signal(str)  # the path of a report written

    def __init__(
        self,
        door: FrontDoor,
        window: MainWindow,
        session: Session,
        analysis: AnalysisController,
        recorded: Callable[[], None],
        say: Callable[[str], None],
    ) -> None:
        super().__init__(analysis)
        self.door, self.window, self.session, self.analysis = door, window, session, analysis
        self.colors: Colors = analysis.colors
        self._recorded, self._say = recorded, say
        self.view: JournalView | None = None
        self.model: TradesTableModel | None = None
        self.proxy: TradesSorter | None = None
        self.result: JournalResult | None = None
        self.failure: str | None = None
        self._stale = True
        self._pending: tuple[UUID, TradeFilters] | None = None
        self._asked: tuple[UUID, TradeFilters] | None = None  # the last read asked for
        self._busy = False
        analysis.loaded.connect(self._build)
        analysis.unavailable.connect(self._on_unavailable)
        session.portfolio_changed.connect(self._on_portfolio_changed)
        session.store_changed.connect(self._on_store_changed)
        window.tabs.currentChanged.connect(self._on_tab_changed)
        window.commands.export_report.triggered.connect(self.ask_export)

    # -- building -----------------------------------------------------------------------------

    @Slot()
    def _build(self) -> None:
        from gui.views.journal_model import TradesSorter, TradesTableModel
        from gui.views.journal_tab import JournalView

        self.view = view = JournalView(self.colors)
        self.model = TradesTableModel(self.colors.gain, self.colors.loss, self)
        self.proxy = TradesSorter(self)
        self.proxy.setSourceModel(self.model)
        view.table.setModel(self.proxy)
        self.window.journal.addWidget(view)
        self.window.journal.setCurrentWidget(view)
        for combo in (view.ticker, view.tag, view.outcome):
            combo.currentIndexChanged.connect(self._on_filter)
        for check, field in ((view.from_on, view.start), (view.to_on, view.end)):
            check.toggled.connect(self._on_filter)
            field.dateChanged.connect(self._on_filter)
        view.table.selectionModel().selectionChanged.connect(self._on_selection)
        view.table.doubleClicked.connect(self.open_note_dialog)
        view.add_note.clicked.connect(self.open_note_dialog)
        view.export.clicked.connect(self.ask_export)
        self._refresh_if_shown()

    @Slot(str)
    def _on_unavailable(self, message: str) -> None:
        self.window.journal_placeholder.setText(f"The journal cannot be shown: {message}")

    # -- reading ------------------------------------------------------------------------------

    def _shown(self) -> bool:
        return self.window.tabs.currentIndex() == JOURNAL_TAB

    @Slot(object)
    def _on_portfolio_changed(self, _portfolio: UUID | None) -> None:
        self._stale = True
        self.result = None
        if self.view is not None and self.model is not None:
            self.model.set_rows([])
            self.view.statistics.clear()
            self.view.set_returns([])
            self.view.set_months({})
            self.view.set_empty(None)
            self.view.notes.setText("")
            self.view.shown.setText("")
        self._refresh_if_shown()

    @Slot()
    def _on_store_changed(self) -> None:
        self._stale = True
        self._refresh_if_shown()

    @Slot(int)
    def _on_tab_changed(self, _index: int) -> None:
        self._refresh_if_shown()

    def _refresh_if_shown(self) -> None:
        if self._stale and self._shown():
            self.refresh()

    def refresh(self) -> None:
        """Read the selected portfolio's journal again with the filters (in the background)."""
        portfolio_id = self.session.portfolio
        if self.view is None or portfolio_id is None:
            return
        self._stale = False
        self._pending = self._asked = (portfolio_id, self.filters())
        if not self._busy:
            self._read_next()

    def filters(self) -> TradeFilters:
        """The filters the tab's fields say."""
        view = self.view
        assert view is not None
        return TradeFilters(
            view.ticker.currentData() or "", view.tag.currentData() or "",
            view.outcome.currentData() or "",
            _day(view.start.date()) if view.from_on.isChecked() else None,
            _day(view.end.date()) if view.to_on.isChecked() else None,
        )  # fmt: skip

    def _read_next(self) -> None:
        asked, self._pending = self._pending, None
        if asked is None:
            return
        self._busy = True
        door = self.door
        portfolio_id, filters = asked

        def job(progress: Progress) -> JournalResult:
            from gui.controllers.journal_data import journal_of

            return journal_of(door, portfolio_id, filters)

        self.analysis.jobs.start(job, self._on_read, self._on_read_failed)

    @Slot(object)
    def _on_read(self, result: JournalResult) -> None:
        self._busy = False
        if result.portfolio == self.session.portfolio and self._pending is None:
            self.failure = None
            self._show(result)
        self._read_next()

    @Slot(str)
    def _on_read_failed(self, message: str) -> None:
        self._busy = False
        self.failure = message
        if self.view is not None:
            self.view.notes.setText(gui_text(f"Cannot read the journal: {message}"))
        self._read_next()

    # -- showing ------------------------------------------------------------------------------

    def _show(self, result: JournalResult) -> None:
        view, model = self.view, self.model
        assert view is not None
        assert model is not None
        kept = self.selected_trade()
        self.result = result
        view.set_choices(view.ticker, "All tickers", list(result.tickers))
        view.set_choices(view.tag, "All tags", list(result.tags))
        model.set_rows(result.rows)
        # an unchecked bound waits on the first and last exit day of all the trades
        for check, field, day in ((view.from_on, view.start, result.first_day),
                                  (view.to_on, view.end, result.last_day)):  # fmt: skip
            if day is not None and not check.isChecked():
                field.setDate(day)
        total = formatting.counted(result.total, "trade")
        view.shown.setText(f"{len(result.rows):,} of {total}")
        widest = view.shown.fontMetrics().horizontalAdvance(f"{result.total:,} of {total}")
        view.shown.setMinimumWidth(widest)  # the bar keeps its width from filter to filter
        if result.rows or not result.total:  # a filter keeping none: the widths they had
            view.table.resizeColumnsToContents()
        view.set_empty(None if result.rows else empty_message(result))
        s = result.statistics
        closed = sum(1 for row in result.rows if row.status == CLOSED)
        which = "all" if result.filters == TradeFilters() else "the"
        view.statistics_title.setText(
            f"Statistics of {which} {formatting.counted(s.trades, 'trade')} shown "
            f"({closed} closed, {s.trades - closed} open at the last close)"
        )
        for key, (text, sign) in statistic_texts(s).items():
            color = self.colors.gain if sign > 0 else self.colors.loss if sign < 0 else None
            view.statistics.set_value(key, text, color)
        view.set_returns([row.return_pct for row in result.rows])
        view.set_months(result.months)
        if kept is not None:
            self.select_trade(kept.entry_seq, kept.exit_seq)
        self._on_selection()
        self.shown.emit(result)
        self._on_filter()  # a choice gone with this portfolio (its ticker, its tag) read again

    @Slot()
    def _on_filter(self, *_: object) -> None:
        """Read again when the filters differ from the last read asked for (a bound's date set
        while its box is unchecked changes nothing)."""
        portfolio_id = self.session.portfolio
        if self.view is None or portfolio_id is None:
            return
        if not self._shown():
            self._stale = True
        elif self._asked != (portfolio_id, self.filters()):
            self.refresh()

    def selected_trade(self) -> TradeRow | None:
        """The trade selected in the table (None: none)."""
        if self.view is None or self.proxy is None or self.model is None:
            return None
        rows = self.view.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row(self.proxy.mapToSource(rows[0]).row())

    def select_trade(self, entry_seq: int, exit_seq: int | None) -> bool:
        """Select the trade of that entry and exit in the table (False: not shown)."""
        assert self.view is not None
        assert self.proxy is not None
        assert self.model is not None
        for source, row in enumerate(self.model.rows()):
            if row.entry_seq == entry_seq and row.exit_seq == exit_seq:
                index = self.proxy.mapFromSource(self.model.index(source, 0))
                if index.isValid():
                    self.view.table.selectRow(index.row())
                    return True
        return False

    @Slot(QItemSelection, QItemSelection)
    def _on_selection(self, *_: Any) -> None:
        if self.view is None:
            return
        trade = self.selected_trade()
        self.view.add_note.setEnabled(trade is not None)
        if trade is None:
            self.view.notes.setText("Select a trade to read its notes or add one.")
            return
        parts = [f"<b>{trade.ticker}</b> entry {trade.entry_on} (log position {trade.entry_seq})"]
        parts.append(f"note: {_escaped(trade.note) or '—'}")
        if trade.tags:
            parts.append(f"tags: {_escaped(', '.join(trade.tags))}")
        if trade.exit_seq is not None:
            parts.append(f"exit {trade.exit_on} (log position {trade.exit_seq})")
            parts.append(f"note: {_escaped(trade.exit_note) or '—'}")
        self.view.notes.setText(" · ".join(parts))

    # -- notes --------------------------------------------------------------------------------

    @Slot()
    def open_note_dialog(self, *_: object) -> NoteDialog | None:
        """The note dialog for the selected trade, shown; None without one."""
        from gui.controllers.journal_note import NoteDialog

        trade, portfolio_id = self.selected_trade(), self.session.portfolio
        if trade is None or portfolio_id is None:
            return None
        dialog = NoteDialog(self.door, portfolio_id, trade, self.colors.loss, self.window)
        dialog.recorded.connect(self._on_note_recorded)
        dialog.open()
        return dialog

    @Slot(object)
    def _on_note_recorded(self, receipt: Any) -> None:
        self._say(f"Noted the {receipt.about_type} at log position {receipt.about_seq}.")
        self._recorded()

    # -- the report ---------------------------------------------------------------------------

    @Slot()
    def ask_export(self) -> None:
        """Ask where to write the selected portfolio's journal report, then write it."""
        portfolio_id = self.session.portfolio
        if portfolio_id is None:
            QMessageBox.information(self.window, "erasmo", "Select a portfolio first.")
            return
        name = self.door.head(portfolio_id).name
        suggested = Path.home() / f"{name}-journal.html"
        path, _filter = QFileDialog.getSaveFileName(
            self.window, "Export journal report", str(suggested), "HTML page (*.html)"
        )
        if path:
            self.export_report(portfolio_id, Path(path))

    def export_report(self, portfolio_id: UUID, path: Path) -> JobHandle:
        """Write the portfolio's journal report to `path` in the background."""
        door = self.door

        def job(progress: Progress) -> str:
            html = door.journal_report(portfolio_id)
            try:
                path.write_text(html, encoding="utf-8")
            except OSError as error:
                from events.errors import ErasmoError

                raise ErasmoError(f"Cannot write {path}: {error.strerror or error}.") from None
            return str(path)

        return self.analysis.jobs.start(
            job, self._on_exported, self._on_export_failed, title="Writing the journal report…"
        )

    @Slot(object)
    def _on_exported(self, path: str) -> None:
        self._say(f"Wrote the journal report to {path}.")
        self.exported.emit(path)

    @Slot(str)
    def _on_export_failed(self, message: str) -> None:
        self._say(message)
        QMessageBox.warning(self.window, "erasmo", gui_text(message))


def empty_message(result: JournalResult) -> str:
    """What the tab says when it shows no trade."""
    if result.total:
        return "No trades match these filters"
    return "No trades yet: each buy (or short sale) opens one, listed here"


def _day(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def _escaped(text: str) -> str:
    from html import escape

    return escape(text)
