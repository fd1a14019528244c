"""Orders in the real window: the ticket, the orders tab, the simulation clock and its chart."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController
from gui.dialogs.order_ticket import OrderTicketView
from gui.price_chart import x_of
from gui.views.main_window import CHART_TAB, ORDERS_TAB

MakeWindow = Callable[..., MainController]
DISPLAY = Qt.ItemDataRole.DisplayRole
OPENED = date(2010, 3, 1)  # IBM: 03-02 open 128.70 low 127.13; 03-03 open 127.73 low 126.68


def simulation_window(qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow) -> MainController:
    erasmo.door.open_portfolio(
        "Sim", "10000", OPENED, mode="simulation", commission="1.00", slippage_bps=0
    )
    c = make_window(erasmo)
    qtbot.waitUntil(lambda: c.history_model.rowCount() >= 2, timeout=10_000)
    return c


def cell(c: MainController, row: int, header: str) -> str:
    model = c.orders.model
    return str(model.index(row, model.HEADERS.index(header)).data(DISPLAY))


def test_the_ticket_enables_the_fields_each_order_type_takes(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c = simulation_window(qtbot, erasmo, make_window)
    ticket = c.open_order_ticket()
    assert ticket is not None
    v = ticket.view
    enabled = dict.fromkeys(("market", "limit", "stop", "stop-limit", "trailing"))
    for kind in enabled:
        ticket.set_kind(kind)
        enabled[kind] = tuple(n for n, e in v.price_fields().items() if e.isEnabled())
    assert enabled == {
        "market": (),
        "limit": ("limit",),
        "stop": ("stop",),
        "stop-limit": ("limit", "stop"),
        "trailing": ("trail",),
    }
    assert not v.expires_on.isEnabled()  # a DAY order has no expiry
    v.tif.setCurrentIndex(v.tif.findData("gtc"))
    assert v.expires_on.isEnabled()
    assert not v.expires.isEnabled()
    v.expires_on.setChecked(True)
    assert v.expires.isEnabled()

    ticket.set_kind("limit")
    qtbot.keyClicks(v.ticker, "IBM")
    assert v.ticker_info.text().startswith("2000-03-01 – 2010-03-01, daily OHLC")  # not 2013
    qtbot.keyClicks(v.quantity, "10")
    assert not v.ok.isEnabled()  # no limit price yet
    assert "limit" in v.message.text()
    v.trail.setText("5%")  # not taken by a limit order: left out of the request
    v.limit.setText("-1")
    assert not v.ok.isEnabled()
    assert v.message.is_error
    assert "border" in v.limit.styleSheet()
    v.limit.setText("127")
    assert v.ok.isEnabled(), v.message.text()
    # The dry run's reservation: 10 x 127.00 + the 1.00 commission.
    assert "holds back 1,271.00 USD of cash" in v.message.text()
    assert ticket.request()["trail"] is None
    assert ticket.request()["expires"] == date(2010, 3, 31)  # clock + 30 days by default


def test_a_placed_order_is_listed_then_cancel_removes_it(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c = simulation_window(qtbot, erasmo, make_window)
    c.window.tabs.setCurrentIndex(ORDERS_TAB)
    assert c.window.clock.isVisible()
    assert c.window.clock.date.text().startswith("2010-03-01")
    ticket = c.open_order_ticket()
    assert ticket is not None
    v = ticket.view
    ticket.set_kind("limit")
    v.ticker.setText("IBM")
    v.quantity.setText("10")
    v.limit.setText("120")
    v.tif.setCurrentIndex(v.tif.findData("gtc"))
    qtbot.mouseClick(v.ok, Qt.MouseButton.LeftButton)
    assert ticket.order is not None, v.message.text()
    qtbot.waitUntil(lambda: c.orders.model.rowCount() == 1, timeout=5_000)  # read off-thread
    assert cell(c, 0, "Type") == "Limit"
    assert cell(c, 0, "Limit") == "120.00"
    assert cell(c, 0, "TIF") == "GTC"
    assert cell(c, 0, "Status") == "Open"
    assert c.orders.view.summary.text() == "1 open order"

    # A second order the cash cannot cover (10,000 minus what the first holds back).
    again = c.open_order_ticket()
    assert again is not None
    again.view.ticker.setText("IBM")
    again.view.quantity.setText("70")
    assert not again.view.ok.isEnabled()  # the dry run refuses it before anything is placed
    assert again.view.message.is_error
    assert "available" in again.view.message.text()
    assert "border" in again.view.quantity.styleSheet()
    again.view.reject()
    assert c.orders.model.rowCount() == 1

    c.orders.view.table.selectRow(0)
    assert c.orders.view.cancel_order.isEnabled()
    qtbot.mouseClick(c.orders.view.cancel_order, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: c.orders.model.rowCount() == 0, timeout=5_000)
    assert erasmo.door.orders(erasmo.door.resolve("Sim")) == []
    c.orders.view.show_all.setChecked(True)
    qtbot.waitUntil(lambda: c.orders.model.rowCount() == 1, timeout=5_000)
    assert cell(c, 0, "Status") == "Cancelled"
    assert cell(c, 0, "On") == "2010-03-01"


def test_stepping_the_clock_moves_the_date_and_fills_orders(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c = simulation_window(qtbot, erasmo, make_window)
    sim, pid = erasmo.door, erasmo.door.resolve("Sim")
    sim.place_order(pid, "buy", "IBM", "10", kind="market")
    sim.place_order(pid, "buy", "IBM", "5", kind="limit", limit="127", tif="gtc")
    c.recorded()
    qtbot.waitUntil(lambda: c.orders.model.rowCount() == 2, timeout=5_000)
    bar = c.window.clock

    with qtbot.waitSignal(c.clock.advanced, timeout=10_000):
        qtbot.mouseClick(bar.steps[1], Qt.MouseButton.LeftButton)
    assert sim.clock(pid) == date(2010, 3, 2)
    assert bar.date.text().startswith("2010-03-02")
    qtbot.waitUntil(lambda: c.orders.model.rowCount() == 1, timeout=5_000)
    # The market order filled at 03-02's open: 10 x 128.70 + 1.00 fee.
    head = erasmo.app.portfolio(c.session.portfolio)
    assert head.cash == 10_000 - 1287 - 1
    assert head.shares["IBM"] == 10
    assert "1 filled" in bar.report.text()

    with qtbot.waitSignal(c.clock.advanced, timeout=10_000):
        qtbot.mouseClick(bar.steps[1], Qt.MouseButton.LeftButton)
    # 03-03 opened at 127.73 and traded down to 126.68: the limit filled at 127.00.
    qtbot.waitUntil(lambda: c.orders.model.rowCount() == 0, timeout=5_000)
    head = erasmo.app.portfolio(c.session.portfolio)
    assert head.cash == 10_000 - 1288 - 635 - 1
    c.orders.view.show_all.setChecked(True)
    qtbot.waitUntil(lambda: c.orders.model.rowCount() == 2, timeout=5_000)
    assert [cell(c, r, "Fill price") for r in range(2)] == ["128.70", "127.00"]


def test_go_to_date_and_play_then_pause(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c = simulation_window(qtbot, erasmo, make_window)
    bar = c.window.clock
    bar.to_date.setDate(date(2010, 3, 6))  # a Saturday: the last trading day before it
    with qtbot.waitSignal(c.clock.advanced, timeout=10_000):
        qtbot.mouseClick(bar.go, Qt.MouseButton.LeftButton)
    assert erasmo.door.clock(erasmo.door.resolve("Sim")) == date(2010, 3, 5)

    bar.speed.setCurrentIndex(bar.speed.count() - 1)
    qtbot.mouseClick(bar.play, Qt.MouseButton.LeftButton)
    assert c.clock.playing
    assert bar.play.text() == "Pause"
    sim = erasmo.door.resolve("Sim")
    qtbot.waitUntil(lambda: erasmo.door.clock(sim) >= date(2010, 3, 10), timeout=20_000)
    qtbot.mouseClick(bar.play, Qt.MouseButton.LeftButton)
    assert not c.clock.playing
    qtbot.waitUntil(lambda: not c.clock.busy, timeout=10_000)
    stopped = erasmo.door.clock(erasmo.door.resolve("Sim"))
    qtbot.wait(300)
    assert erasmo.door.clock(erasmo.door.resolve("Sim")) == stopped  # paused: the clock stays


def test_the_chart_of_a_simulation_portfolio_ends_at_its_clock(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c = simulation_window(qtbot, erasmo, make_window)
    c.window.tabs.setCurrentIndex(CHART_TAB)
    chart = c.chart
    with qtbot.waitSignal(chart.drawn, timeout=10_000):
        chart.show_ticker("IBM")
    assert chart.series.x[-1] == x_of(OPENED)
    assert chart.view.candles.count == len(erasmo.market.bars("IBM", None, OPENED))
    assert chart.view.clock_line.isVisible()
    assert chart.view.clock_line.label.toPlainText() == "clock 2010-03-01"
    # Its Trade… button opens the order ticket (a simulation trades through orders).
    qtbot.mouseClick(chart.view.trade, Qt.MouseButton.LeftButton)
    ticket = c.window.findChild(OrderTicketView)
    assert ticket is not None
    assert ticket.isVisible()
    assert ticket.ticker.text() == "IBM"
    ticket.reject()
    # The instant trade ticket stops at the clock too.
    trade = c.open_trade_ticket(ticker="IBM")
    assert trade is not None
    assert trade.view.date.maximumDate() == QDate(2010, 3, 1)
    trade.view.reject()

    with (
        qtbot.waitSignal(chart.drawn, timeout=10_000),
        qtbot.waitSignal(c.clock.advanced, timeout=10_000),
    ):
        c.clock.step(days=5)
    assert chart.series.x[-1] == x_of(date(2010, 3, 8))
    assert chart.view.candles.count == len(erasmo.market.bars("IBM", None, OPENED)) + 5
    assert chart.view.clock_line.label.toPlainText() == "clock 2010-03-08"

    erasmo.door.open_portfolio("Live", "100", OPENED)
    c.reload_portfolios()
    c.window.sidebar.select_row(c.portfolios.row_of(erasmo.door.resolve("Live")))
    qtbot.waitUntil(lambda: chart.series is not None and chart.series.until is None, timeout=10_000)
    assert chart.series.x[-1] == x_of(erasmo.market.latest_date("IBM"))
    assert not c.window.clock.isVisible()  # a live portfolio has no clock to step


def test_go_to_date_offers_the_next_trading_day_of_the_portfolio_switched_to(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    late = door.open_portfolio("Late", "10000", date(2010, 4, 7), mode="simulation").id
    early = door.open_portfolio("Early", "10000", date(2008, 11, 11), mode="simulation").id
    c = make_window(erasmo)
    bar = c.window.clock
    c.reload_portfolios(select=late)
    qtbot.waitUntil(lambda: c.clock.portfolio_id == late, timeout=10_000)
    assert bar.to_date.date() == QDate(2010, 4, 8)  # a Thursday, the day after its clock
    bar.to_date.setDate(date(2010, 4, 14))
    c.reload_portfolios(select=early)
    qtbot.waitUntil(lambda: c.clock.portfolio_id == early, timeout=10_000)
    # 2008-11-11 was a Tuesday (Veterans Day, the exchange open): the next day is the 12th.
    assert door.market.bar("IBM", date(2008, 11, 12)) is not None
    assert bar.to_date.date() == QDate(2008, 11, 12)
    with qtbot.waitSignal(c.clock.advanced, timeout=10_000):
        qtbot.mouseClick(bar.go, Qt.MouseButton.LeftButton)
    assert door.clock(early) == date(2008, 11, 12)  # one day on, not 17 months
    # A Friday clock: the next trading day is the Monday after the weekend.
    c.reload_portfolios(select=late)
    qtbot.waitUntil(lambda: c.clock.portfolio_id == late, timeout=10_000)
    door.advance(late, to=date(2010, 4, 9))
    c.clock.show_portfolio(early, True)
    c.clock.show_portfolio(late, True)
    assert bar.to_date.date() == QDate(2010, 4, 12)
