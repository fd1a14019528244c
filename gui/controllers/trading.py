"""The trading side of the main window: live prices, splits and dividends, what-if branches,
orders and the simulation clock, the price chart and the comparison.

`MainController` inherits these commands; they use its window, session, jobs and front door.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, cast
from uuid import UUID

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QMessageBox

from erasmo.actions import PendingAction
from erasmo.market.service import RefreshOutcome
from erasmo.simulation.views import AdvanceReport, OrderView
from events.errors import ForkPointError
from gui.controllers.actions import ActionsDialog
from gui.controllers.clock import describe as describe_step
from gui.controllers.fork import ForkDialog
from gui.controllers.orders import OrderTicket
from gui.controllers.prices import summary as price_summary
from gui.history_rows import LARGE_HISTORY
from gui.state import AsOf
from gui.views.main_window import CHART_TAB, COMPARE_TAB

if TYPE_CHECKING:
    from erasmo.bootstrap import Erasmo
    from erasmo.door import FrontDoor
    from erasmo.door.models import ForkReceipt, PortfolioHead
    from gui.controllers.analysis import AnalysisController
    from gui.controllers.chart import PriceChartController
    from gui.controllers.clock import ClockController
    from gui.controllers.compare import CompareController
    from gui.controllers.orders import OrdersController
    from gui.controllers.prices import PricesController
    from gui.controllers.ticket import TradeTicket
    from gui.models.history import HistoryTableModel
    from gui.models.portfolios import PortfolioListModel
    from gui.state import Session
    from gui.theme import Colors
    from gui.views.main_window import MainWindow
    from gui.workers import Jobs


class TradingCommands:
    """Commands and views of trading in simulation, mixed into `MainController`."""

    if TYPE_CHECKING:  # provided by MainController
        erasmo: Erasmo
        door: FrontDoor
        window: MainWindow
        session: Session
        jobs: Jobs
        colors: Colors
        portfolios: PortfolioListModel
        history_model: HistoryTableModel
        analysis: AnalysisController
        orders: OrdersController
        clock: ClockController
        prices: PricesController
        chart: PriceChartController | None
        compare: CompareController | None

        def _say(self, message: str) -> None: ...
        def _on_failed(self, message: str) -> None: ...
        def _head(self) -> PortfolioHead | None: ...
        def _load_history(self, portfolio_id: UUID) -> None: ...
        def recorded(self) -> None: ...
        def selected(self) -> tuple[UUID, str] | None: ...
        def reload_portfolios(self, select: UUID | None = None) -> None: ...
        def open_trade_ticket(self, side: str = ..., ticker: str = ...) -> TradeTicket | None: ...

    # -- live prices ------------------------------------------------------------------------------

    @Slot()
    def _on_refresh_prices(self) -> None:
        if self.prices.refresh() is None:
            self._say("Prices are being refreshed already.")

    @Slot(object)
    def _on_prices_refreshed(self, outcomes: list[RefreshOutcome]) -> None:
        self._say(price_summary(outcomes))
        if any(o.status == "updated" for o in outcomes):
            self.session.store_changed.emit()
            if self.session.portfolio is not None:
                self._load_history(self.session.portfolio)
                self.clock.catch_up(self.session.portfolio)  # a live margin account's new days

    def open_actions_dialog(self) -> ActionsDialog | None:
        """The splits-and-dividends dialog of the selected portfolio, shown."""
        selected = self.selected()
        if selected is None:
            QMessageBox.information(self.window, "erasmo", "Select or create a portfolio first.")
            return None
        colors = (self.colors.gain, self.colors.loss)
        dialog = ActionsDialog(self.door, selected[0], colors, self.window)
        dialog.applied.connect(self._on_actions_applied)
        dialog.open()
        return dialog

    @Slot()
    def _on_apply_actions(self) -> None:
        self.open_actions_dialog()

    @Slot(object)
    def _on_actions_applied(self, done: list[PendingAction]) -> None:
        if done:
            self._say(f"Recorded {len(done)} split(s) and dividend(s).")
            self.recorded()

    # -- what-if branches ------------------------------------------------------------------------

    def fork(self, new_name: str, as_of: AsOf | None = None) -> UUID:
        """Fork the selected portfolio after event `as_of` (default: the one shown) into
        `new_name`, and select the branch. Raises the door's ErasmoError (nothing recorded).
        """
        selected = self.selected()
        as_of = as_of or self.session.as_of
        if selected is None or as_of is None:
            raise ForkPointError("Select a portfolio and one of its events first.")
        receipt = self.door.fork(selected[0], new_name, at_seq=as_of.seq)
        self._on_forked(receipt)
        return receipt.id

    def open_fork_dialog(self) -> ForkDialog | None:
        """The fork dialog for the selected portfolio's event shown, open; None without one."""
        selected, as_of = self.selected(), self.session.as_of
        if selected is None or as_of is None:
            QMessageBox.information(self.window, "erasmo", "Select a portfolio's event first.")
            return None
        dialog = ForkDialog(
            self.door, selected[0], selected[1], as_of, self.colors.loss, self.window
        )
        dialog.forked.connect(self._on_forked)
        dialog.open()
        return dialog

    @Slot()
    def _on_fork(self) -> None:
        self.open_fork_dialog()

    @Slot(object)
    def _on_forked(self, receipt: ForkReceipt) -> None:
        self.session.store_changed.emit()
        self.reload_portfolios(select=receipt.id)
        self._say(
            f"Forked {receipt.name!r} from {receipt.parent!r} after its event of "
            f"{receipt.point_on.isoformat()}."
        )

    # -- orders and the simulation clock ------------------------------------------------------

    def _show_simulation(self) -> None:
        """Show the selected portfolio's orders, and its clock bar if it is a simulation."""
        selected = self.selected()
        portfolio_id = selected[0] if selected is not None else None
        simulated = False
        if portfolio_id is not None:
            simulated = self.door.head(portfolio_id).simulated
        self.orders.show_portfolio(portfolio_id)
        self.clock.show_portfolio(portfolio_id, simulated)
        self.window.commands.order.setEnabled(portfolio_id is not None)

    def open_order_ticket(self, side: str = "buy", ticker: str = "") -> OrderTicket | None:
        """The order ticket for the selected portfolio, shown; None without one."""
        head = self._head()
        if head is None:
            return None
        ticket = OrderTicket(
            self.door,
            self.erasmo.market,
            head,
            self.colors.loss,
            self.window,
            side=side,
            ticker=ticker,
        )
        ticket.placed.connect(self._on_order_placed)
        ticket.open()
        return ticket

    @Slot()
    def _on_order(self) -> None:
        ticker = self.chart.ticker if self.chart is not None else ""
        self.open_order_ticket(
            ticker=ticker if self.window.tabs.currentIndex() == CHART_TAB else ""
        )

    @Slot(object)
    def _on_order_placed(self, order: OrderView) -> None:
        self._say(f"Placed order #{getattr(order, 'number', '')} for {order.ticker}.")
        self.recorded()

    @Slot(object)
    def _on_clock_advanced(self, report: AdvanceReport) -> None:
        self._say(describe_step(report))
        self.recorded()

    # -- the price chart ------------------------------------------------------------------------

    @Slot()
    def _on_charts_loadable(self) -> None:
        self.ensure_chart()
        if self.window.tabs.currentIndex() == COMPARE_TAB:
            self.ensure_compare()

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        if index == CHART_TAB:
            chart = self.ensure_chart()
            if chart.stale:
                chart.reload()  # it changed portfolio while out of view
        elif index == COMPARE_TAB:
            self.ensure_compare()

    def ensure_compare(self) -> CompareController | None:
        """The comparison tab's controller, once the analytics are loaded (else None)."""
        if self.compare is None and self.analysis.analytics is not None:
            from gui.controllers.compare import CompareController

            analysis = self.analysis
            self.compare = CompareController(
                self.erasmo.branches,
                lambda: analysis.analytics,
                self.portfolios,
                self.window.compare,
                self.colors,
                analysis.jobs,
                cast(QObject, self),
            )
            self.compare.set_portfolios(self.session.portfolio)
            self.compare.rank()
            self.session.store_changed.connect(self._on_store_changed_for_compare)
        elif self.compare is not None and self.compare.stale:
            self.compare.rank()  # the store changed while another tab was shown
        return self.compare

    @Slot()
    def _on_store_changed_for_compare(self) -> None:
        """New events: rank again now if the comparison is shown, else when it next is."""
        if self.compare is None:
            return
        self.compare.stale = True
        if self.window.tabs.currentIndex() == COMPARE_TAB:
            self.compare.rank()

    def ensure_chart(self) -> PriceChartController:
        """The price chart's controller, built on first use (it imports pyqtgraph)."""
        if self.chart is None:
            from gui.controllers.chart import PriceChartController

            self.chart = PriceChartController(
                self.erasmo,
                self.window.chart,
                self.colors,
                self.analysis.jobs,  # the trades come from the analytics (one thread)
                self.visible_until,
                cast(QObject, self),
            )
            self.chart.trade_requested.connect(self._on_trade_ticker)
            self.chart.failed.connect(self._say)
            self._show_chart_portfolio()
        return self.chart

    def visible_until(self, portfolio_id: UUID) -> date | None:
        """The last market day the portfolio may see (None: all the data)."""
        if self.door.rules(portfolio_id).mode != "simulation":
            return None
        return self.door.visible_until(portfolio_id)

    def portfolio_tickers(self) -> list[str]:
        """The selected portfolio's tickers: held first, then the others it traded."""
        selected = self.selected()
        if selected is None:
            return []
        held = [p.ticker for p in self.door.head(selected[0]).positions]
        traded: list[str] = []
        if self.history_model.rowCount() <= LARGE_HISTORY:  # a huge history is not scanned
            rows = self.history_model.rows()
            traded = list(dict.fromkeys(r.ticker for r in rows if r.ticker))
        return held + [t for t in traded if t not in held]

    def _show_chart_portfolio(self) -> None:
        if self.chart is not None:
            # Read only while in view (else when next shown): a switch reads no chart unseen.
            shown = self.window.tabs.currentIndex() == CHART_TAB
            self.chart.show_portfolio(self.selected(), self.portfolio_tickers(), load=shown)

    @Slot(str)
    def _on_trade_ticker(self, ticker: str) -> None:
        selected = self.selected()
        if selected is not None and self.visible_until(selected[0]) is not None:
            self.open_order_ticket(ticker=ticker)  # a simulation trades through orders
        else:
            self.open_trade_ticket(ticker=ticker)

    @Slot()
    def _on_holding_double_clicked(self) -> None:
        index = self.window.holdings.table.currentIndex()
        ticker = index.siblingAtColumn(0).data() if index.isValid() else None
        if not ticker or ticker == "Total":
            return
        self.window.tabs.setCurrentIndex(CHART_TAB)
        self.ensure_chart().show_ticker(str(ticker))
