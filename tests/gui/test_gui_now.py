"""One "now" per portfolio: the status bar, both tickets and Holdings name the same date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController

MakeWindow = Callable[..., MainController]


def _dates_shown(c: MainController) -> dict[str, str]:
    trade = c.open_trade_ticket()
    order = c.open_order_ticket()
    assert trade is not None
    assert order is not None
    shown = {
        "status": c.window.status.simulation.text(),
        "trade ticket": trade.view.portfolio.text(),
        "order ticket": order.view.portfolio.text(),
        "holdings": c.window.holdings.summary.values["as_of"].text(),
    }
    trade.view.reject()
    order.view.reject()
    return shown


def test_a_live_portfolio_has_one_now_the_latest_market_date(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, demo: UUID
) -> None:
    door = erasmo.door
    last_trade = door.head(demo).clock  # the demo's last purchase
    latest = door.market.latest_date()  # the end of the bundled data
    assert last_trade == date(2022, 6, 1)
    assert latest > last_trade
    c = make_window(erasmo)
    with qtbot.waitSignal(c.history_loaded, timeout=10_000):
        c.reload_portfolios(select=demo)
    shown = _dates_shown(c)
    for where, text in shown.items():
        assert latest.isoformat() in text, where
        assert last_trade.isoformat() not in text, where
    assert shown["status"] == f"Market date {latest.isoformat()}"


def test_a_simulation_s_now_is_its_clock_everywhere(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    pid = door.open_portfolio("Sim", "10000", date(2010, 3, 1), mode="simulation").id
    door.advance(pid, days=2)  # 2010-03-01 (Mon) → Wed 2010-03-03
    c = make_window(erasmo)
    with qtbot.waitSignal(c.history_loaded, timeout=10_000):
        c.reload_portfolios(select=pid)
    shown = _dates_shown(c)
    for where, text in shown.items():
        assert "2010-03-03" in text, where
    assert shown["status"] == "Simulation date 2010-03-03"


def test_the_analytics_value_a_live_portfolio_on_the_same_now(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, demo: UUID
) -> None:
    latest = erasmo.door.market.latest_date()
    c = make_window(erasmo, analysis=True)
    with qtbot.waitSignal(c.history_loaded, timeout=10_000):
        c.reload_portfolios(select=demo)
    note = c.window.holdings.note
    qtbot.waitUntil(lambda: note.text().startswith("Valued at the close"), timeout=30_000)
    assert c.window.holdings.summary.values["as_of"].text() == latest.isoformat()
    assert c.window.status.simulation.text() == f"Market date {latest.isoformat()}"
