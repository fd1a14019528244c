"""Rename, close, reopen and delete of the selected portfolio in the real window: the Portfolio
menu's actions (also in the sidebar's context menu) are enabled only where they apply, delete
asks first, and a deleted portfolio leaves the sidebar with the selection moving on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController

MakeWindow = Callable[..., MainController]
DAY = date(2020, 1, 2)


def names(c: MainController) -> list[str]:
    return [r.name for r in c.portfolios.portfolios()]


def enabled(c: MainController) -> dict[str, bool]:
    a = c.window.commands
    return {
        "rename": a.rename_portfolio.isEnabled(),
        "close": a.close_portfolio.isEnabled(),
        "reopen": a.reopen_portfolio.isEnabled(),
        "delete": a.delete_portfolio.isEnabled(),
    }


def select(qtbot: QtBot, c: MainController, portfolio_id: UUID) -> None:
    c.window.sidebar.select(c.portfolios.index_of(c.portfolios.row_of(portfolio_id)))
    qtbot.waitUntil(lambda: c.session.portfolio == portfolio_id, timeout=5_000)


def three(erasmo: Erasmo) -> tuple[UUID, UUID, UUID]:
    return tuple(  # type: ignore[return-value]
        erasmo.door.open_portfolio(name, "100", DAY).id for name in ("Alpha", "Beta", "Gamma")
    )


def test_the_actions_follow_the_selection(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c = make_window(erasmo)
    assert enabled(c) == dict.fromkeys(("rename", "close", "reopen", "delete"), False)
    alpha, beta, _ = three(erasmo)
    erasmo.door.close(beta)
    c.reload_portfolios(select=alpha)
    qtbot.waitUntil(lambda: c.session.portfolio == alpha, timeout=5_000)
    assert enabled(c) == {"rename": True, "close": True, "reopen": False, "delete": True}
    select(qtbot, c, beta)
    assert enabled(c) == {"rename": True, "close": False, "reopen": True, "delete": True}
    menu = [a.text() for a in c.lifecycle.context_menu().actions() if not a.isSeparator()]
    assert menu[-4:] == ["Re&name…", "C&lose", "R&eopen", "De&lete…"]


def test_close_then_reopen_from_the_menu(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    alpha, _, _ = three(erasmo)
    c = make_window(erasmo)
    select(qtbot, c, alpha)

    c.window.commands.close_portfolio.trigger()
    assert erasmo.app.portfolio(alpha).closed
    assert enabled(c)["reopen"]
    assert not enabled(c)["close"]

    c.window.commands.reopen_portfolio.trigger()
    assert not erasmo.app.portfolio(alpha).closed
    assert enabled(c) == {"rename": True, "close": True, "reopen": False, "delete": True}
    assert c.session.portfolio == alpha


def test_rename_a_closed_portfolio_through_the_dialog(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    _, beta, _ = three(erasmo)
    erasmo.door.close(beta)
    c = make_window(erasmo)
    select(qtbot, c, beta)

    c.window.commands.rename_portfolio.trigger()
    dialog = c.lifecycle.rename_dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.textValue() == "Beta"
    dialog.setTextValue("Old beta")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    assert erasmo.app.portfolio(beta).name == "Old beta"
    assert names(c) == ["Alpha", "Gamma", "Old beta"]
    assert c.session.portfolio == beta


def test_a_refused_rename_says_why_and_records_nothing(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    alpha, _, _ = three(erasmo)
    c = make_window(erasmo)
    select(qtbot, c, alpha)
    count = erasmo.app.event_count()

    c.window.commands.rename_portfolio.trigger()
    dialog = c.lifecycle.rename_dialog
    assert dialog is not None
    dialog.setTextValue("gamma")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    error = c.lifecycle.error_dialog
    assert error is not None
    assert error.isVisible()
    assert error.text() == (
        "A portfolio named 'Gamma' already exists in this store (names ignore case). Choose "
        "another name."
    )
    error.button(QMessageBox.StandardButton.Ok).click()
    assert erasmo.app.event_count() == count
    assert names(c) == ["Alpha", "Beta", "Gamma"]


def test_delete_asks_and_cancel_keeps_it(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    _, beta, _ = three(erasmo)
    c = make_window(erasmo)
    select(qtbot, c, beta)
    count = erasmo.app.event_count()

    c.window.commands.delete_portfolio.trigger()
    box = c.lifecycle.delete_dialog
    assert box is not None
    assert box.isVisible()
    assert box.text().startswith("Delete 'Beta'?")
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()

    assert erasmo.app.event_count() == count
    assert names(c) == ["Alpha", "Beta", "Gamma"]
    assert c.session.portfolio == beta


def test_delete_removes_it_from_the_sidebar_and_selects_the_next(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    alpha, beta, gamma = three(erasmo)
    c = make_window(erasmo)
    select(qtbot, c, beta)

    c.window.commands.delete_portfolio.trigger()
    box = c.lifecycle.delete_dialog
    assert box is not None
    assert box.button(QMessageBox.StandardButton.Yes).text() == "Delete"
    box.button(QMessageBox.StandardButton.Yes).click()

    assert erasmo.app.portfolio(beta).deleted
    assert names(c) == ["Alpha", "Gamma"]
    assert c.session.portfolio == gamma  # the next one
    # the last one: the selection moves back
    c.window.commands.delete_portfolio.trigger()
    c.lifecycle.delete_dialog.button(QMessageBox.StandardButton.Yes).click()  # type: ignore[union-attr]
    assert names(c) == ["Alpha"]
    assert c.session.portfolio == alpha
    # the only one: nothing is left to select, and nothing applies
    c.window.commands.delete_portfolio.trigger()
    c.lifecycle.delete_dialog.button(QMessageBox.StandardButton.Yes).click()  # type: ignore[union-attr]
    assert names(c) == []
    assert c.session.portfolio is None
    assert c.window.sidebar.empty.isVisible()
    assert enabled(c) == dict.fromkeys(("rename", "close", "reopen", "delete"), False)
    assert [d.name for d in erasmo.door.deleted()] == ["Alpha", "Beta", "Gamma"]


def test_the_sidebar_context_menu_selects_the_row_and_offers_the_commands(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    alpha, _, gamma = three(erasmo)
    erasmo.door.close(gamma)
    c = make_window(erasmo)
    select(qtbot, c, alpha)
    tree = c.window.sidebar.table
    rect = tree.visualRect(c.portfolios.index_of(c.portfolios.row_of(gamma)))

    tree.customContextMenuRequested.emit(rect.center())

    assert c.session.portfolio == gamma
    menu = tree.findChild(QMenu)
    assert menu is not None
    qtbot.waitUntil(menu.isVisible, timeout=5_000)
    offered = {a.text(): a.isEnabled() for a in menu.actions() if not a.isSeparator()}
    assert offered["C&lose"] is False
    assert offered["R&eopen"] is True
    assert offered["De&lete…"] is True
    menu.close()


def test_the_branch_of_a_deleted_portfolio_moves_to_the_top_level(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    alpha, _, _ = three(erasmo)
    at = erasmo.app.history(alpha)[-1].seq
    branch = erasmo.app.fork(alpha, "Alpha what-if", at)
    c = make_window(erasmo)
    assert c.portfolios.parent_of(branch) == alpha
    select(qtbot, c, alpha)

    c.window.commands.delete_portfolio.trigger()
    c.lifecycle.delete_dialog.button(QMessageBox.StandardButton.Yes).click()  # type: ignore[union-attr]

    assert names(c) == ["Alpha what-if", "Beta", "Gamma"]
    assert c.portfolios.parent_of(branch) is None
    assert c.portfolios.rowCount() == 3  # every one at the top level
    assert c.session.portfolio == branch  # the next row, where the branch was drawn


def test_change_rules_from_the_window_checks_then_records(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    alpha, _beta, _gamma = three(erasmo)
    c = make_window(erasmo)
    c.reload_portfolios(select=alpha)
    select(qtbot, c, alpha)
    assert "Change rules…" in [
        a.text().replace("&", "") for a in c.lifecycle.context_menu().actions()
    ]
    dialog = c.lifecycle.ask_rules()
    assert dialog is not None
    v = dialog.view
    assert v.mode.currentData() == "live"
    v.commission.setText("a lot")
    assert not v.ok.isEnabled()
    assert v.message.is_error
    assert "border" in v.commission.styleSheet()
    v.commission.setText("1.50")
    v.slippage.setText("5")
    v.mode.setCurrentIndex(v.mode.findData("simulation"))
    assert v.ok.isEnabled(), v.message.text()
    assert erasmo.door.rules(alpha).mode == "live"  # the dry run recorded nothing
    qtbot.mouseClick(v.ok, Qt.MouseButton.LeftButton)
    rules = erasmo.door.rules(alpha)
    assert rules.mode == "simulation"
    assert rules.slippage_bps == 5
    assert rules.commission in ("1.50", "1.5")
