"""The real window on Qt's offscreen platform: portfolios, the trade ticket, time travel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController
from gui.demo import DEMO_STEPS
from gui.views.main_window import HISTORY_TAB

MakeWindow = Callable[..., MainController]
DISPLAY = Qt.ItemDataRole.DisplayRole


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def sidebar_names(c: MainController) -> list[str]:
    return [r.name for r in c.portfolios.portfolios()]


def holdings(c: MainController) -> dict[str, str]:
    model = c.analysis.model
    quantity = model.column_of("quantity")
    return {
        model.index(r, 0).data(DISPLAY): model.index(r, quantity).data(DISPLAY)
        for r in range(model.rowCount())
        if not model.index(r, 0).data(Qt.ItemDataRole.UserRole + 2)
    }


def wait_loaded(qtbot: QtBot, c: MainController, events: int) -> None:
    qtbot.waitUntil(lambda: c.history_model.rowCount() == events, timeout=10_000)


def test_create_a_portfolio_then_trade_through_the_ticket(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c = make_window(erasmo)
    assert c.window.sidebar.empty.isVisible()
    assert not c.window.commands.trade.isEnabled()

    dialog = c.open_new_portfolio_dialog()
    v = dialog.view
    assert not v.ok.isEnabled()  # no name yet
    qtbot.keyClicks(v.name, "Tech")
    v.cash.setText("10000")
    v.date.setDate(qdate(date(2015, 3, 2)))
    assert v.ok.isEnabled(), v.message.text()
    with qtbot.waitSignal(c.history_loaded, timeout=10_000):
        qtbot.mouseClick(v.ok, Qt.MouseButton.LeftButton)
    assert sidebar_names(c) == ["Tech"]
    assert c.window.commands.trade.isEnabled()
    assert c.history_model.rowCount() == 2  # opened, deposited

    ticket = c.open_trade_ticket()
    assert ticket is not None
    t = ticket.view
    assert t.isVisible()
    qtbot.keyClicks(t.ticker, "aapl")
    qtbot.keyClicks(t.quantity, "40")
    t.fee.setText("4.95")
    assert t.date.date() == qdate(date(2015, 3, 2))  # the portfolio's clock
    assert t.ok.isEnabled(), t.message.text()
    assert t.ok.text() == "Buy"
    assert t.fill_price.text().startswith("29.08")
    assert t.cash_after.text() == "8,831.85"
    assert t.position_after.text() == "40 AAPL"
    with qtbot.waitSignal(c.history_loaded, timeout=10_000):
        qtbot.mouseClick(t.ok, Qt.MouseButton.LeftButton)
    assert holdings(c) == {"AAPL": "40"}
    assert c.history_model.rowCount() == 3
    assert c.window.holdings.summary.values["cash"].text() == "8,831.85"
    assert erasmo.app.portfolio(erasmo.app.find("Tech")).shares == {"AAPL": 40}


def test_an_invalid_ticket_keeps_ok_disabled_and_says_why(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    erasmo.door.open_portfolio("Tech", "1000", "2015-03-02")
    c = make_window(erasmo)
    wait_loaded(qtbot, c, 2)
    ticket = c.open_trade_ticket()
    assert ticket is not None
    t = ticket.view
    assert not t.ok.isEnabled()
    assert not t.message.is_error  # an empty ticket is a hint, not an error
    before = erasmo.app.event_count()

    def shows(fragment: str, field: str) -> None:
        assert not t.ok.isEnabled()
        assert t.message.is_error
        assert fragment in t.message.text(), t.message.text()
        assert ticket.problem is not None
        assert ticket.problem.field == field
        assert "border" in t.fields()[field].styleSheet()

    t.ticker.setText("AAPL")
    t.quantity.setText("1000")  # 29,080 > 1,000 cash
    shows("Deposit more cash or buy fewer shares", "quantity")
    t.sell.setChecked(True)
    t.quantity.setText("5")
    shows("it holds 0", "quantity")
    t.buy.setChecked(True)
    t.date.setDate(qdate(date(2015, 3, 7)))  # a Saturday
    shows("is not a trading day for AAPL", "date")
    t.date.setDate(qdate(date(2015, 3, 2)))
    t.ticker.setText("APPL")
    shows("Unknown ticker 'APPL'", "ticker")
    t.ticker.setText("AAPL")
    t.quantity.setText("2.1234567")
    shows("more than 6 decimal places", "quantity")
    t.quantity.setText("2")
    assert t.ok.isEnabled()
    assert erasmo.app.event_count() == before  # previews record nothing
    t.reject()


def test_deposit_dialog_checks_and_records(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    erasmo.door.open_portfolio("Tech", "1000", "2015-03-02")
    c = make_window(erasmo)
    wait_loaded(qtbot, c, 2)
    dialog = c.open_cash_dialog()
    assert dialog is not None
    v = dialog.view
    v.withdraw.setChecked(True)
    v.amount.setText("5000")
    assert not v.ok.isEnabled()
    assert "Withdraw at most that" in v.message.text()
    v.deposit.setChecked(True)
    assert v.ok.isEnabled()
    assert v.cash_after.text() == "6,000.00"
    with qtbot.waitSignal(c.history_loaded, timeout=10_000):
        v.ok.click()
    assert c.window.holdings.summary.values["cash"].text() == "6,000.00"


def test_history_rows_and_time_travel_show_the_holdings_of_that_moment(
    qtbot: QtBot, erasmo: Erasmo, demo: UUID, make_window: MakeWindow
) -> None:
    c = make_window(erasmo)
    events = len(DEMO_STEPS) + 1
    wait_loaded(qtbot, c, events)
    c.window.tabs.setCurrentIndex(HISTORY_TAB)
    assert c.session.portfolio == demo
    assert c.session.as_of is not None
    assert c.session.as_of.latest
    assert "PG" in holdings(c)

    slider = c.window.replay.slider
    assert (slider.minimum(), slider.maximum(), slider.value()) == (0, events - 1, events - 1)
    slider.setValue(3)  # opened, deposited, AAPL, MSFT
    assert holdings(c) == {"AAPL": "400", "MSFT": "300"}
    assert not c.session.as_of.latest
    assert "time travel" in c.window.status.simulation.text()
    assert c.window.history.table.currentIndex().row() == 3
    assert c.window.replay.latest.isEnabled()

    c.window.history.table.selectRow(1)  # selecting a row travels too
    assert slider.value() == 1
    assert holdings(c) == {}
    assert c.window.holdings.summary.values["cash"].text() == "100,000.00"

    c.window.commands.latest.trigger()
    assert slider.value() == events - 1
    assert c.session.as_of.latest


def test_play_replays_to_the_end(
    qtbot: QtBot, erasmo: Erasmo, demo: UUID, make_window: MakeWindow
) -> None:
    c = make_window(erasmo)
    events = len(DEMO_STEPS) + 1
    wait_loaded(qtbot, c, events)
    c.replay.set_speed_index(c.window.replay.speed.count() - 1)  # the fastest
    seen: list[int] = []
    c.session.as_of_changed.connect(lambda a: seen.append(a.version))
    c.window.replay.play.click()
    assert c.replay.playing
    assert c.window.replay.play.text() == "Pause"
    qtbot.waitUntil(lambda: not c.replay.playing, timeout=10_000)
    assert seen == list(range(1, events + 1))
    assert c.session.as_of is not None
    assert c.session.as_of.latest
    assert c.window.replay.play.text() == "Play"
