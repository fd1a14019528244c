"""The tables' power: filter boxes, the clock-step filter, copy as TSV, context menus."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController
from gui.dialogs.order_ticket import OrderTicketView
from gui.dialogs.trade_ticket import TradeTicketView
from gui.views.main_window import CHART_TAB, HISTORY_TAB, HOLDINGS_TAB, ORDERS_TAB

MakeWindow = Callable[..., MainController]


def _window(qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, pid: UUID) -> MainController:
    c = make_window(erasmo)
    with qtbot.waitSignal(c.history_loaded, timeout=10_000):
        c.reload_portfolios(select=pid)
    return c


def _actions(menu: QMenu) -> dict[str, object]:
    return {a.text().replace("&", ""): a for a in menu.actions() if a.text()}


def test_the_history_filter_keeps_matching_rows_and_a_filtered_row_still_travels(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, demo: UUID
) -> None:
    c = _window(qtbot, erasmo, make_window, demo)
    view, table = c.window.history, c.window.history.table
    events = erasmo.door.history(demo)
    aapl = [e for e in events if e.fields.get("ticker") == "AAPL"]
    assert table.model().rowCount() == len(events)
    qtbot.keyClicks(view.filter.text, "aapl")
    assert table.model().rowCount() == len(aapl) == 2  # the demo buys AAPL twice
    for row in range(table.model().rowCount()):
        assert table.model().index(row, 3).data() == "AAPL"
    table.selectRow(1)  # the second AAPL purchase, whatever row it has in the log
    qtbot.waitUntil(lambda: c.session.as_of is not None and c.session.as_of.seq == aapl[1].seq)
    view.filter.text.clear()
    assert table.model().rowCount() == len(events)


def test_hide_clock_steps_hides_only_the_clock_rows(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    pid = door.open_portfolio("Sim", "10000", date(2010, 3, 1), mode="simulation").id
    door.place_order(pid, "buy", "IBM", "10")
    for _ in range(3):
        door.advance(pid, days=1)
    events = door.history(pid)
    clock_steps = [e for e in events if e.type == "ClockAdvanced"]
    assert len(clock_steps) == 3
    c = _window(qtbot, erasmo, make_window, pid)
    table = c.window.history.table
    assert table.model().rowCount() == len(events)
    c.window.history.hide_clock.setChecked(True)
    assert table.model().rowCount() == len(events) - 3
    shown = {table.model().index(r, 2).data() for r in range(table.model().rowCount())}
    assert "Clock" not in shown
    assert {"Opened", "Order", "Order filled"} <= shown
    c.window.history.hide_clock.setChecked(False)
    assert table.model().rowCount() == len(events)


def test_ctrl_c_copies_the_selected_rows_as_tsv(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, demo: UUID
) -> None:
    c = _window(qtbot, erasmo, make_window, demo)
    c.window.tabs.setCurrentIndex(HISTORY_TAB)
    table = c.window.history.table
    model = table.model()
    table.selectRow(0)
    flags = table.selectionModel().SelectionFlag
    table.selectionModel().setCurrentIndex(
        model.index(2, 0), flags.Select | flags.Rows
    )  # Ctrl+click
    QGuiApplication.clipboard().clear()
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0].split("\t")[:4] == ["Seq", "Date", "Type", "Ticker"]
    assert len(lines) == 3  # the header and the two rows selected
    first, third = lines[1].split("\t"), lines[2].split("\t")
    assert len(first) == model.columnCount()
    assert first[2] == "Opened"
    assert third == [str(model.index(2, col).data() or "") for col in range(model.columnCount())]


def test_holdings_menu_sells_all_and_charts_and_the_filter_narrows(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, demo: UUID
) -> None:
    c = _window(qtbot, erasmo, make_window, demo)
    c.window.tabs.setCurrentIndex(HOLDINGS_TAB)
    table = c.window.holdings.table
    qtbot.waitUntil(lambda: table.model().rowCount() > 2, timeout=10_000)
    tickers = [table.model().index(r, 0).data() for r in range(table.model().rowCount())]
    row = tickers.index("AAPL")
    menu = c.table_menus.menu_for("holdings", row)
    actions = _actions(menu)
    assert {"Trade AAPL…", "Sell all AAPL…", "Chart AAPL", "Copy rows (TSV)"} <= set(actions)

    actions["Sell all AAPL…"].trigger()  # type: ignore[attr-defined]
    ticket = c.window.findChildren(TradeTicketView)[-1]
    assert ticket.isVisible()
    assert ticket.sell.isChecked()
    assert ticket.ticker.text() == "AAPL"
    assert Decimal(ticket.quantity.text()) == Decimal(400 + 150)  # both demo purchases
    ticket.reject()

    _actions(c.table_menus.menu_for("holdings", row))["Chart AAPL"].trigger()  # type: ignore[attr-defined]
    assert c.window.tabs.currentIndex() == CHART_TAB

    c.window.holdings.filter.text.setText("msft")
    shown = [table.model().index(r, 0).data() for r in range(table.model().rowCount())]
    assert shown == ["MSFT"]


def test_history_menu_forks_here_and_orders_menu_cancels(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    pid = door.open_portfolio("Sim", "10000", date(2010, 3, 1), mode="simulation").id
    door.place_order(pid, "buy", "IBM", "10", kind="limit", limit="100", tif="gtc")
    c = _window(qtbot, erasmo, make_window, pid)
    history = _actions(c.table_menus.menu_for("history", 0))
    assert "Fork at event…" in history
    assert "Copy rows (TSV)" in history

    c.window.tabs.setCurrentIndex(ORDERS_TAB)
    qtbot.waitUntil(lambda: c.orders.model.rowCount() == 1, timeout=5_000)
    orders = _actions(c.table_menus.menu_for("orders", 0))
    assert "Trade IBM…" in orders
    orders["Cancel order"].trigger()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: c.orders.model.rowCount() == 0, timeout=5_000)
    assert door.orders(pid) == []
    assert not c.window.findChildren(OrderTicketView)
