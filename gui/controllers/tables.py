"""The context menus of the Holdings, History and Orders tables: Trade, Sell all, Chart,
Fork here, Cancel and Copy, each on the row under the mouse.

The commands are the main window's own (its tickets, its price chart, its Fork action); this
module only builds the menus and points them at the row's ticker.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from PySide6.QtCore import QObject, QPoint, Qt, Slot
from PySide6.QtWidgets import QMenu, QTableView

from gui.views.main_window import CHART_TAB, MainWindow
from gui.views.table_tools import copy_rows, selected_source_rows

if TYPE_CHECKING:
    from gui.controllers.orders import OrdersController
    from gui.state import Session


class Main(Protocol):
    """What the menus use of the main window's controller."""

    window: MainWindow
    session: Session
    orders: OrdersController

    def _on_trade_ticker(self, ticker: str) -> None: ...
    def visible_until(self, portfolio_id: UUID) -> date | None: ...
    def open_order_ticket(self, side: str = ..., ticker: str = ...) -> Any: ...
    def open_trade_ticket(self, side: str = ..., ticker: str = ...) -> Any: ...
    def ensure_chart(self) -> Any: ...


TICKER_COLUMN = {"holdings": 0, "history": 3}


class TableMenus(QObject):
    """Builds and shows each table's context menu; `menu_for(name, row)` for tests."""

    def __init__(self, main: Main, parent: QObject) -> None:
        super().__init__(parent)
        self.main = main
        w = main.window
        self.tables: dict[str, QTableView] = {
            "holdings": w.holdings.table,
            "history": w.history.table,
            "orders": w.orders.table,
        }
        for name, table in self.tables.items():
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            table.customContextMenuRequested.connect(lambda pos, n=name: self._on_requested(n, pos))

    # -- the menus ------------------------------------------------------------------------------

    def ticker_of(self, name: str, row: int) -> str:
        """The ticker of the table's shown `row` ("" when it has none, or is the totals row)."""
        column = TICKER_COLUMN.get(name)
        if column is None:
            order = self.main.orders.selected_order()
            return order.ticker if order is not None else ""
        value = self.tables[name].model().index(row, column).data()
        text = str(value or "").strip()
        return "" if text in ("Total", "—") else text

    def menu_for(self, name: str, row: int) -> QMenu:
        """The context menu of table `name` for its shown `row` (selected first)."""
        table = self.tables[name]
        if not table.selectionModel().isRowSelected(row, table.rootIndex()):
            table.selectRow(row)
        ticker = self.ticker_of(name, row)
        menu = QMenu(table)
        menu.setObjectName(f"{name}-menu")
        has_portfolio = self.main.session.portfolio is not None
        if ticker and has_portfolio:
            menu.addAction(f"Trade {ticker}…", lambda: self.trade(ticker))
            if name == "holdings":
                menu.addAction(f"Sell all {ticker}…", lambda: self.sell_all(ticker))
            menu.addAction(f"Chart {ticker}", lambda: self.chart(ticker))
        if name == "history" and has_portfolio:
            menu.addAction(self.main.window.commands.fork)
        if name == "orders":
            order = self.main.orders.selected_order()
            cancel = menu.addAction("Cancel order", self._cancel)
            cancel.setEnabled(order is not None and order.status == "open")
        if not menu.isEmpty():
            menu.addSeparator()
        copy = menu.addAction("Copy rows (TSV)", lambda: copy_rows(table))
        copy.setShortcut("Ctrl+C")
        return menu

    @Slot()
    def _on_requested(self, name: str, pos: QPoint) -> None:
        table = self.tables[name]
        index = table.indexAt(pos)
        if not index.isValid():
            return
        menu = self.menu_for(name, index.row())
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(table.viewport().mapToGlobal(pos))

    # -- the commands ---------------------------------------------------------------------------

    def trade(self, ticker: str) -> None:
        """The ticket for `ticker` (an order ticket in a simulation)."""
        self.main._on_trade_ticker(ticker)

    def sell_all(self, ticker: str) -> None:
        """A sale of every share of `ticker` held, on the ticket (checked before it is sent)."""
        pid = self.main.session.portfolio
        if pid is None:
            return
        if self.main.visible_until(pid) is not None:  # a simulation sells through an order
            order = self.main.open_order_ticket(side="sell", ticker=ticker)
            if order is not None:
                order.view.quantity.setText(str(order.head.quantity(ticker)))
            return
        ticket = self.main.open_trade_ticket("sell", ticker)
        if ticket is not None:
            ticket.view.all_shares.click()

    def chart(self, ticker: str) -> None:
        """The price chart of `ticker`."""
        self.main.window.tabs.setCurrentIndex(CHART_TAB)
        self.main.ensure_chart().show_ticker(ticker)

    @Slot()
    def _cancel(self) -> None:
        order = self.main.orders.selected_order()
        if order is not None:
            self.main.orders.cancel(order)

    def selected_rows(self, name: str) -> list[int]:
        """The model rows selected in table `name`."""
        return selected_source_rows(self.tables[name])
