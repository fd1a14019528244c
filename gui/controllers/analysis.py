"""The holdings, allocation and performance tabs: filled from erasmo's analytics.

The analytics import pandas, which takes longer than the whole first paint, so they are built in
the background once the window is on screen; until then the holdings tab shows the shares held
(the front door's head). Each "as of" change is computed off the GUI thread; while one computation
runs, only the latest request waits (a replay never queues up stale frames).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING
from uuid import UUID

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QColor

from erasmo.bootstrap import Erasmo
from events.errors import ErasmoError
from gui import formatting
from gui.analysis import HoldingsResult, Snapshot, positions_at_cost
from gui.history_rows import HistoryRow, rows_from_event_frame
from gui.models.holdings import HoldingsTableModel, TotalsLastProxy
from gui.state import AsOf, Session
from gui.theme import Colors
from gui.views.allocation_tab import Slice
from gui.views.holdings_tab import MARGIN_FIGURES
from gui.views.main_window import MainWindow
from gui.workers import JobHandle, Jobs, Progress

if TYPE_CHECKING:
    from erasmo.analytics import Analytics
    from erasmo.door.accounts import AccountView
    from gui.controllers.performance import PerformanceController


class AnalysisController(QObject):
    """Loads the analytics after the first paint and shows each portfolio "as of" an event."""

    loaded = Signal()  # the analytics (and the charts) are ready
    unavailable = Signal(str)  # they cannot be loaded: why
    shown = Signal(object)  # a Snapshot (or HoldingsResult before loading) is on screen
    valuation_ready = Signal(object, float, object)  # portfolio id, value, total return
    valuation_failed = Signal(str)  # the sidebar's values cannot be computed: why
    unverified_ready = Signal(object)  # the ids of portfolios holding unverified events

    def __init__(
        self, erasmo: Erasmo, window: MainWindow, session: Session, colors: Colors
    ) -> None:
        super().__init__(window)
        self.erasmo, self.window, self.session = erasmo, window, session
        # The analytics keep caches that are not thread-safe: every job that uses them runs on
        # this one-thread pool, in the order asked.
        pool = QThreadPool(self)
        pool.setMaxThreadCount(1)
        self.jobs = Jobs(pool, self)
        self.colors = colors
        self.analytics: Analytics | None = None
        self.performance: PerformanceController | None = None  # once pyqtgraph is loaded
        self.failure: str | None = None
        self.model = HoldingsTableModel(colors.gain, colors.loss, self)
        self.proxy = TotalsLastProxy(self)
        self.proxy.setSourceModel(self.model)
        window.holdings.set_model(self.proxy)
        self._current: tuple[UUID, AsOf] | None = None
        #: The latest snapshot `show_head` asked for: portfolio, seq and version.
        self._early: tuple[UUID, int, int] | None = None
        self._pending: tuple[UUID, AsOf] | None = None
        self._busy = False
        self._started = False
        self._shown: int | None = None
        self._history_request: (
            tuple[UUID, str, Callable[[tuple[UUID, Sequence[HistoryRow]]], None]] | None
        ) = None
        self.last_snapshot: Snapshot | None = None
        self._valuing = False  # a valuation of every portfolio is queued or running
        self._value_again = False  # and another was asked for meanwhile

    # -- loading ------------------------------------------------------------------------------

    @Slot()
    def start(self) -> None:
        """Build the analytics in the background (once)."""
        if self._started:
            return
        self._started = True
        erasmo = self.erasmo

        def job(progress: Progress) -> Analytics:
            from gui.analysis import load_analytics  # imports pandas: off the GUI thread

            analytics = load_analytics(erasmo)
            # pyqtgraph too: importing it holds the interpreter for half a second. Only the
            # import runs here; its widgets are built in the GUI thread (`_build_charts`).
            import gui.controllers.performance  # noqa: F401

            return analytics

        self.jobs.start(job, self._on_analytics, self._on_analytics_failed)

    @Slot(object)
    def _on_analytics(self, analytics: Analytics) -> None:
        self.analytics = analytics
        QTimer.singleShot(0, self._build_charts)  # after this event is handled

    @Slot(str)
    def _on_analytics_failed(self, message: str) -> None:
        self.failure = message
        self.window.performance_placeholder.setText(f"The charts cannot be shown: {message}")
        self.unavailable.emit(message)

    @Slot()
    def _build_charts(self) -> None:
        from gui.controllers.performance import PerformanceController

        self.performance = PerformanceController(
            self.analytics, self.window, self.colors, self.jobs, self
        )
        self.loaded.emit()
        if self._history_request is not None:
            self.load_history(*self._history_request)
        self.session.store_changed.connect(self.refresh_valuations)
        self.refresh_valuations()
        if self._current is not None:
            self.show(*self._current)

    # -- long histories -----------------------------------------------------------------------

    def load_history(
        self,
        portfolio_id: UUID,
        name: str,
        done: Callable[[tuple[UUID, Sequence[HistoryRow]]], None],
    ) -> JobHandle | None:
        """Read a long history from the analytics' event frame (once they are loaded).

        The job's handle, to cancel it; None while the analytics load (it starts after them).
        """
        if self.analytics is None:
            self._history_request = (portfolio_id, name, done)
            return None
        self._history_request = None
        analytics = self.analytics

        def job(progress: Progress) -> tuple[UUID, Sequence[HistoryRow]]:

            analytics.refresh()
            return portfolio_id, rows_from_event_frame(
                analytics.portfolio_events(portfolio_id), name
            )

        return self.jobs.start(job, done, title="Reading the history…")

    # -- showing ------------------------------------------------------------------------------

    def shown_as_of(self) -> int | None:
        """The log position of the event the tabs show now (None: nothing shown yet)."""
        return self._shown

    def show_head(self, portfolio_id: UUID) -> None:
        """Show the portfolio's latest positions at once (its history loads in the background):
        at cost before the analytics are loaded, else its latest snapshot, asked for before its
        history so it is computed first (the history's travel to its latest event then finds it
        on its way, see `show`)."""
        door = self.erasmo.door
        if self.analytics is None:
            self._show_holdings(positions_at_cost(door, portfolio_id, None), portfolio_id)
            return
        try:
            head = door.head(portfolio_id)
            seq = door.fork_position(portfolio_id, head.version)
        except ErasmoError:
            return  # its history says why
        if seq is not None:
            self.show(portfolio_id, AsOf(seq, head.version, head.clock, latest=True))
            self._early = (portfolio_id, seq, head.version)

    def clear(self) -> None:
        """Nothing selected (or another portfolio on its way)."""
        self._current = None
        self._shown = None
        self._early = None
        self.model.set_rows([])
        self.window.holdings.summary.clear()
        self.window.holdings.note.setText("")
        self._show_margin_call(None)
        self.window.allocation.set_slices([], [])
        self.window.allocation.set_income({}, 0.0)
        if self.performance is not None:
            self.performance.clear()

    def show(self, portfolio_id: UUID, as_of: AsOf) -> None:
        """Show the portfolio after event `as_of` on every tab (the latest event asked for
        again, as `show_head` asked for it: the snapshot on its way or shown is that one)."""
        early, self._early = self._early, None
        on_its_way = self._busy or self._shown == as_of.seq  # (not failed)
        if as_of.latest and early == (portfolio_id, as_of.seq, as_of.version) and on_its_way:
            self._current = (portfolio_id, as_of)
            return
        self._current = (portfolio_id, as_of)
        if self.analytics is None:
            version = None if as_of.latest else as_of.version
            result = positions_at_cost(self.erasmo.door, portfolio_id, version)
            self._show_holdings(result, portfolio_id, as_of.latest)
            self._shown = as_of.seq
            self.shown.emit(result)
            return
        self._pending = (portfolio_id, as_of)
        if not self._busy:
            self._compute_next()

    def _compute_next(self) -> None:
        request, self._pending = self._pending, None
        if request is None:
            return
        self._busy = True
        analytics = self.analytics
        portfolio_id, as_of = request

        prices = self.erasmo.prices

        def job(progress: Progress) -> Snapshot:
            from gui.analysis import snapshot_of

            snapshot = snapshot_of(analytics, portfolio_id, as_of)
            held = [str(r["ticker"]) for r in snapshot.holdings.rows]
            stale = frozenset(t for t in held if prices.is_stale(t))
            return replace(snapshot, stale=stale)

        self.jobs.start(job, self._on_snapshot, self._on_snapshot_failed)

    @Slot(object)
    def _on_snapshot(self, snapshot: Snapshot) -> None:
        self._busy = False
        if self._current is not None and self._current[0] == snapshot.portfolio:
            self._show_holdings(snapshot.holdings, snapshot.portfolio, snapshot.as_of.latest)
            self.model.set_stale(snapshot.stale)
            self._show_allocation(snapshot)
            if self.performance is not None:
                self.performance.show(snapshot)
            self._shown = snapshot.as_of.seq
            self.last_snapshot = snapshot
            self.shown.emit(snapshot)
        self._compute_next()

    @Slot(str)
    def _on_snapshot_failed(self, message: str) -> None:
        self._busy = False
        self.window.holdings.note.setText(f"Cannot compute the holdings: {message}")
        self._compute_next()

    def _show_holdings(
        self, result: HoldingsResult, portfolio_id: UUID, latest: bool = True
    ) -> None:
        account = self._account(portfolio_id)
        margin = None
        if account is not None and account.account == "margin":
            margin = float(account.initial_margin)  # the margin column: its initial margin
        self._show_margin_call(account if latest else None)  # not while travelling in time
        self.model.set_rows(result.rows, result.totals, margin)
        column = self.model.column_of("margin_used")
        self.window.holdings.table.setColumnHidden(column, margin is None)
        figures, strip = result.figures, self.window.holdings.summary
        strip.set_value("as_of", formatting.day(figures.as_of))
        strip.set_value("cash", formatting.money(figures.cash))
        strip.set_value("positions", formatting.money(figures.positions))
        strip.set_value("total", formatting.money(figures.total))
        for key, value in (("unrealized", figures.unrealized), ("realized", figures.realized)):
            s = formatting.sign(value)
            color = self.colors.gain if s > 0 else self.colors.loss if s < 0 else None
            strip.set_value(key, formatting.signed_money(value), color)
        self._show_buying_power(account if latest else None)
        self.window.holdings.note.setText(result.note)

    def _show_buying_power(self, account: AccountView | None) -> None:
        """A margin account's equity and buying power beside the summary (the door's figures
        for now: hidden while travelling in time, and for a cash account)."""
        strip = self.window.holdings.summary
        shown = account is not None and account.account == "margin"
        for key in MARGIN_FIGURES:
            strip.set_shown(key, shown)
        if account is not None and shown:
            strip.set_value("equity", formatting.money(account.equity))
            strip.set_value("buying_power", formatting.money(account.buying_power))

    def _account(self, portfolio_id: UUID) -> AccountView | None:
        """The portfolio's account through the front door (None if it cannot be read)."""
        try:
            return self.erasmo.door.account(portfolio_id)
        except ErasmoError:
            return None

    def _show_margin_call(self, account: AccountView | None) -> None:
        """The banner above the holdings: shown while the account's margin call is open (made
        at the close the clock is on), with the door's words and the charges so far."""
        text = ""
        if account is not None and account.call_open:
            *charges, call = account.notices()  # the charges line, then the call's
            text = "\n".join([call, *charges])
        self.window.holdings.show_margin_call(text, self.colors.loss)

    def _show_allocation(self, snapshot: Snapshot) -> None:
        series = self.colors.series

        def bars(groups: list[tuple[str, float, float]]) -> list[Slice]:
            slices = []
            for i, (label, weight, value) in enumerate(groups):
                color = self.colors.neutral if label == "Cash" else series[i % len(series)]
                slices.append(Slice(label, weight, value, QColor(color)))
            return slices

        allocation = snapshot.allocation
        self.window.allocation.set_slices(bars(allocation.slices), bars(allocation.sectors))
        self.window.allocation.set_income(allocation.dividends, allocation.dividends_total)

    def save(self) -> None:
        """Keep the analytics' columnar event cache for the next start (the window closes)."""
        if self.analytics is not None:
            self.analytics.save_cache()

    # -- the sidebar's values --------------------------------------------------------------------

    def refresh_valuations(self) -> None:
        """Value every portfolio again in the background (the sidebar's value and return).

        Before the analytics are loaded this does nothing: they value every portfolio once
        loaded. Requests made while a valuation runs are folded into one more run after it.
        """
        if self.analytics is None:
            return
        if self._valuing:
            self._value_again = True
            return
        self._valuing, self._value_again = True, False
        analytics = self.analytics
        ids = [r.id for r in self.erasmo.door.portfolios()]

        def job(progress: Progress) -> tuple[list[tuple[UUID, float, float | None]], set[UUID]]:
            from gui.analysis import unverified, valuations

            return valuations(analytics, ids, progress), unverified(analytics)

        self.jobs.start(job, self._on_valuations, self._on_valuations_failed)

    @Slot(object)
    def _on_valuations(
        self, found: tuple[list[tuple[UUID, float, float | None]], set[UUID]]
    ) -> None:
        rows, marked = found
        for portfolio_id, value, total_return in rows:
            self.valuation_ready.emit(portfolio_id, value, total_return)
        self.unverified_ready.emit(marked)
        self._valued()

    @Slot(str)
    def _on_valuations_failed(self, message: str) -> None:
        self.valuation_failed.emit(message)
        self._valued()

    def _valued(self) -> None:
        self._valuing = False
        if self._value_again:
            self.refresh_valuations()
