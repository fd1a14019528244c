"""The empty state: what erasmo is and three ways in, never an empty table; and what the
window refuses while there is no portfolio."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController
from gui.dialogs.cash import NewPortfolioView

MakeWindow = Callable[..., MainController]


def test_an_empty_store_shows_the_welcome_and_disables_portfolio_commands(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c = make_window(erasmo)
    w = c.window
    assert w.welcome.isVisible()
    assert not w.tabs.isVisible()
    assert not w.sidebar.table.isVisible()
    assert "stock-trading simulator" in " ".join(
        label.text() for label in w.welcome.findChildren(type(w.sidebar.title))
    )
    for label in w.welcome.findChildren(type(w.sidebar.title)):
        if label.wordWrap():  # shown whole, never cut after two lines
            assert label.heightForWidth(label.width()) <= label.height(), label.text()
    a = w.commands
    for action in (a.trade, a.order, a.cash, a.fork, a.export_log, a.apply_actions):
        assert not action.isEnabled(), action.text()
    assert a.new_portfolio.isEnabled()
    assert a.import_log.isEnabled()


def test_the_demo_button_creates_the_demo_and_shows_the_tabs(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c = make_window(erasmo)
    with qtbot.waitSignal(c.history_loaded, timeout=20_000):
        qtbot.mouseClick(c.window.welcome.demo, Qt.MouseButton.LeftButton)
    assert [r.name for r in erasmo.door.portfolios()] == ["Demo"]
    assert c.window.tabs.isVisible()
    assert not c.window.welcome.isVisible()
    a = c.window.commands
    for action in (a.trade, a.order, a.cash, a.fork, a.export_log):
        assert action.isEnabled(), action.text()


def test_the_new_portfolio_button_opens_the_dialog(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c = make_window(erasmo)
    qtbot.mouseClick(c.window.welcome.new_portfolio, Qt.MouseButton.LeftButton)
    dialogs = [d for d in c.window.findChildren(NewPortfolioView) if d.isVisible()]
    assert len(dialogs) == 1
    dialogs[0].reject()


def test_the_import_button_asks_for_a_file(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c = make_window(erasmo)
    seen: list[str] = []

    def close_the_file_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QDialog):
            seen.append(dialog.windowTitle())
            dialog.reject()
        else:
            QTimer.singleShot(50, close_the_file_dialog)

    QTimer.singleShot(50, close_the_file_dialog)
    qtbot.mouseClick(c.window.welcome.import_log, Qt.MouseButton.LeftButton)
    assert seen
    assert "import" in seen[0].lower()
    assert erasmo.door.portfolios() == []
