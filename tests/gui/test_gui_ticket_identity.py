"""A ticket holds the id of the portfolio it was opened for: a rename cannot redirect it."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController

MakeWindow = Callable[..., MainController]


def test_a_rename_while_the_ticket_is_open_cannot_redirect_the_trade(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    a = door.open_portfolio("A", "10000", "2015-03-02").id
    c_id = door.open_portfolio("C", "10000", "2015-03-02").id
    c = make_window(erasmo)
    c.reload_portfolios(select=a)
    qtbot.waitUntil(lambda: c.session.portfolio == a, timeout=10_000)
    ticket = c.open_trade_ticket()
    assert ticket is not None
    t = ticket.view
    qtbot.keyClicks(t.ticker, "AAPL")
    qtbot.keyClicks(t.quantity, "40")
    assert t.ok.isEnabled(), t.message.text()

    # Meanwhile (another window, the command line, a sync): A becomes B, and C takes A's name.
    door.rename(a, "B")
    door.rename(c_id, "A")
    assert door.resolve("A") == c_id

    with qtbot.waitSignal(ticket.recorded, timeout=10_000) as recorded:
        qtbot.mouseClick(t.ok, Qt.MouseButton.LeftButton)
    receipt = recorded.args[0]
    assert (receipt.portfolio_id, receipt.portfolio) == (a, "B")
    original, other = door.head(a), door.head(c_id)
    assert original.name == "B"
    assert original.quantity("AAPL") == 40
    assert original.cash == Decimal("10000") - 40 * Decimal("29.08")  # AAPL's close of 2015-03-02
    assert other.name == "A"
    assert other.positions == ()
    assert other.cash == Decimal("10000")
