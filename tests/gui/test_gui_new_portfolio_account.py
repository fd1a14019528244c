"""The New portfolio dialog's account: Cash (the default, recording no account event, as before
accounts existed) or Margin, recorded at opening through the front door with the default
margin terms, shown in the dialog; choosing it records nothing until OK."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController

MakeWindow = Callable[..., MainController]
D = Decimal


def qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def test_open_a_margin_account_from_the_new_portfolio_dialog(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c = make_window(erasmo)
    dialog = c.open_new_portfolio_dialog()
    v = dialog.view
    assert v.account.currentData() == "cash"  # the default
    assert v.account_terms.isHidden()
    qtbot.keyClicks(v.name, "Lev")
    v.cash.setText("10000")
    v.date.setDate(qdate(date(2020, 1, 2)))
    v.account.setCurrentIndex(v.account.findData("margin"))
    assert v.ok.isEnabled(), v.message.text()
    assert not v.account_terms.isHidden()
    terms = v.account_terms.text()
    assert "initial margin 50%, maintenance 25% long / 30% short" in terms
    assert "interest 8% a year" in terms
    assert "borrow fee 1% a year" in terms
    assert erasmo.app.event_count() == 0  # the dry runs recorded nothing

    with qtbot.waitSignal(c.history_loaded, timeout=10_000):
        qtbot.mouseClick(v.ok, Qt.MouseButton.LeftButton)
    pid = erasmo.door.resolve("Lev")
    kinds = [e.type for e in erasmo.door.history(pid)]
    assert kinds.count("AccountTypeSet") == 1
    account = erasmo.door.account(pid)
    assert account.account == "margin"
    assert account.initial_margin == D("0.5")
    assert account.buying_power == D("20000.00")  # 10,000 of equity / 50% initial margin
    # a margin account may sell short: 10 AAPL it does not hold
    receipt = erasmo.door.sell(pid, "AAPL", "10", date(2020, 1, 3))
    assert receipt.position_after == -10


def test_the_default_cash_account_records_no_account_event(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c = make_window(erasmo)
    dialog = c.open_new_portfolio_dialog()
    v = dialog.view
    qtbot.keyClicks(v.name, "Plain")
    v.date.setDate(qdate(date(2020, 1, 2)))
    v.account.setCurrentIndex(v.account.findData("margin"))
    v.account.setCurrentIndex(v.account.findData("cash"))  # back to cash
    assert v.account_terms.isHidden()
    with qtbot.waitSignal(c.history_loaded, timeout=10_000):
        qtbot.mouseClick(v.ok, Qt.MouseButton.LeftButton)
    pid = erasmo.door.resolve("Plain")
    assert [e.type for e in erasmo.door.history(pid)] == ["PortfolioOpened", "CashDeposited"]
    assert erasmo.door.account(pid).account == "cash"


def test_a_margin_simulation_with_commission(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    """Trading rules and the account, both recorded at opening."""
    c = make_window(erasmo)
    v = c.open_new_portfolio_dialog().view
    qtbot.keyClicks(v.name, "Sim")
    v.date.setDate(qdate(date(2008, 9, 2)))
    v.mode.setCurrentIndex(v.mode.findData("simulation"))
    v.commission.setText("1.00")
    v.account.setCurrentIndex(v.account.findData("margin"))
    assert v.ok.isEnabled(), v.message.text()
    with qtbot.waitSignal(c.history_loaded, timeout=10_000):
        qtbot.mouseClick(v.ok, Qt.MouseButton.LeftButton)
    pid = erasmo.door.resolve("Sim")
    rules = erasmo.door.rules(pid)
    assert (rules.mode, rules.commission) == ("simulation", "1.00")
    assert erasmo.door.account(pid).account == "margin"
