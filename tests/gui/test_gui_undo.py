"""Edit → Undo (Ctrl+Z) in the real window: it voids the selected portfolio's last trade or cash
move through the front door after a confirmation naming it; a refusal is a message and records
nothing; History keeps the voided event, struck through and dimmed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController
from gui.models.history import HistoryTableModel

MakeWindow = Callable[..., MainController]
DISPLAY = Qt.ItemDataRole.DisplayRole
DAY = date(2015, 3, 2)


def holdings(c: MainController) -> dict[str, str]:
    model = c.analysis.model
    quantity = model.column_of("quantity")
    return {
        model.index(r, 0).data(DISPLAY): model.index(r, quantity).data(DISPLAY)
        for r in range(model.rowCount())
        if not model.index(r, 0).data(Qt.ItemDataRole.UserRole + 2)
    }


def struck(model: HistoryTableModel, row: int) -> bool:
    font = model.index(row, HistoryTableModel.COL_TYPE).data(Qt.ItemDataRole.FontRole)
    return isinstance(font, QFont) and font.strikeOut()


def test_ctrl_z_voids_the_last_trade_and_history_strikes_it_through(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    pid = door.open_portfolio("Tech", "10000", DAY).id
    door.buy(pid, "AAPL", "40", DAY, price="29.08", fee="4.95")  # 10000 - 1163.20 - 4.95
    c = make_window(erasmo)
    qtbot.waitUntil(lambda: c.history_model.rowCount() == 3, timeout=10_000)
    assert holdings(c) == {"AAPL": "40"}
    assert c.window.holdings.summary.values["cash"].text() == "8,831.85"
    undo = c.undo.action
    assert undo.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert "&Edit" in [a.text() for a in c.window.menuBar().actions()]
    count = door.event_count()

    c.window.activateWindow()
    c.window.history.setFocus()
    qtbot.keyClick(c.window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    box = c.undo.dialog
    assert box is not None
    assert box.isVisible()
    assert "Undo Buy 40 AAPL @ 29.08" in box.text()
    assert "cash after: 10,000.00" in box.text()
    assert door.event_count() == count  # asked first: nothing recorded yet
    with qtbot.waitSignal(c.history_loaded, timeout=10_000):
        box.button(QMessageBox.StandardButton.Yes).click()

    assert door.event_count() == count + 1
    assert erasmo.app.portfolio(pid).cash == Decimal("10000")  # 8831.85 + 1163.20 + 4.95
    qtbot.waitUntil(lambda: holdings(c) == {}, timeout=10_000)
    assert c.window.holdings.summary.values["cash"].text() == "10,000.00"
    model = c.history_model
    assert model.rowCount() == 4  # opened, deposited, the buy and its void
    assert model.index(2, HistoryTableModel.COL_TICKER).data(DISPLAY) == "AAPL"
    assert struck(model, 2)
    assert model.index(2, 0).data(Qt.ItemDataRole.ForegroundRole) is not None  # dimmed
    tip = model.index(2, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert f"voided at log position {model.event(3).seq}" in tip
    assert "Edit > Undo" in tip
    assert not any(struck(model, row) for row in (0, 1, 3))
    assert model.event(3).type == "EventVoided"


def test_a_refused_undo_is_a_message_and_records_nothing(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    pid = door.open_portfolio("Sim", "1000", DAY, mode="simulation").id
    door.place_order(pid, "buy", "AAPL", "30")  # holds back most of the cash
    order_id = door.orders(pid)[0].short_id
    door.cancel_order(pid, order_id)  # a cancelled order has nothing left to undo
    c = make_window(erasmo)
    qtbot.waitUntil(lambda: c.session.portfolio == pid, timeout=10_000)
    count = door.event_count()
    box = c.undo.ask_undo()  # the last voidable event is the opening deposit
    assert box is not None
    assert box.icon() == QMessageBox.Icon.Warning
    assert box.text().startswith("Cannot undo:")
    assert "OrderPlaced" in box.text()
    box.button(QMessageBox.StandardButton.Ok).click()
    assert door.event_count() == count
    assert erasmo.app.portfolio(pid).cash == Decimal("1000")


def test_undo_takes_out_an_open_order(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    pid = door.open_portfolio("Sim", "1000", DAY, mode="simulation").id
    door.place_order(pid, "buy", "AAPL", "30")  # holds back most of the cash
    c = make_window(erasmo)
    qtbot.waitUntil(lambda: c.session.portfolio == pid, timeout=10_000)
    count = door.event_count()
    box = c.undo.ask_undo()
    assert box is not None
    assert box.text().startswith("Undo ")
    assert "cash after: 1,000.00" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    assert door.event_count() == count + 1
    assert door.orders(pid) == []
    assert erasmo.app.portfolio(pid).open_orders == {}


def test_cancel_records_nothing(qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow) -> None:
    door = erasmo.door
    pid = door.open_portfolio("Tech", "10000", DAY).id
    door.deposit(pid, "500", DAY)
    c = make_window(erasmo)
    qtbot.waitUntil(lambda: c.history_model.rowCount() == 3, timeout=10_000)
    count = door.event_count()
    box = c.undo.ask_undo()
    assert box is not None
    assert "deposit" in box.text().lower()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert door.event_count() == count
    assert erasmo.app.portfolio(pid).cash == Decimal("10500")
