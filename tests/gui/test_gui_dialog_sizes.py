"""The New portfolio and Change rules dialogs as drawn: choosing Margin shows its terms and the
dialog grows to hold them (no field squeezed), shrinking back for Cash; a placeholder is never
cut."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QStyle, QStyleOptionFrame
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController

MakeWindow = Callable[..., MainController]


def text_room(edit: QLineEdit) -> int:
    """The pixels a line edit has for its text: its width less its frame and text margins (as
    QLineEdit lays them out: a frame each side, 2 px each side, and the text margins)."""
    option = QStyleOptionFrame()
    edit.initStyleOption(option)
    frame = edit.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, option, edit)
    margins = edit.textMargins()
    return edit.width() - 2 * frame - 4 - margins.left() - margins.right()


def heights(dialog: QDialog) -> dict[str, int]:
    return {
        e.objectName() or e.placeholderText(): e.height() for e in dialog.findChildren(QLineEdit)
    }


def assert_roomy(qtbot: QtBot, dialog: QDialog, terms: QLabel) -> None:
    """Every line edit at its preferred height, the terms label as tall as its wrapped text."""
    qtbot.wait(20)
    for edit in dialog.findChildren(QLineEdit):
        if edit.isVisible():
            assert edit.height() >= edit.sizeHint().height(), edit.placeholderText()
            if edit.placeholderText():
                advance = edit.fontMetrics().horizontalAdvance(edit.placeholderText())
                assert text_room(edit) >= advance, edit.placeholderText()
    if terms.isVisible():
        assert terms.height() >= terms.heightForWidth(terms.width())


def test_the_new_portfolio_dialog_grows_for_the_margin_terms_and_shrinks_back(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c = make_window(erasmo)
    v = c.open_new_portfolio_dialog().view
    qtbot.waitExposed(v)
    v.name.setText("Margin test account with a fairly long name")
    v.cash.setText("25000")
    assert_roomy(qtbot, v, v.account_terms)
    cash_height = v.height()
    v.account.setCurrentIndex(v.account.findData("margin"))
    assert not v.account_terms.isHidden()
    assert_roomy(qtbot, v, v.account_terms)
    assert v.height() > cash_height  # grown by the terms
    v.account.setCurrentIndex(v.account.findData("cash"))
    assert v.account_terms.isHidden()
    assert_roomy(qtbot, v, v.account_terms)
    assert v.height() == cash_height  # and back
    v.resize(v.width(), cash_height + 100)  # made taller by hand: typing keeps that height
    v.cash.setText("26000")
    assert v.height() == cash_height + 100
    v.reject()


def test_the_rules_dialog_grows_for_the_margin_terms_and_keeps_its_placeholders_whole(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    erasmo.door.open_portfolio("Demo", "10000", date(2020, 1, 2))
    c = make_window(erasmo)
    c.reload_portfolios(select=erasmo.door.resolve("Demo"))
    qtbot.waitUntil(lambda: c.session.portfolio is not None, timeout=10_000)
    v = c.lifecycle.ask_rules().view
    qtbot.waitExposed(v)
    assert_roomy(qtbot, v, v.account_terms)
    cash_height = v.height()
    v.account.setCurrentIndex(v.account.findData("margin"))
    assert "initial margin 50%" in v.account_terms.text()
    assert_roomy(qtbot, v, v.account_terms)
    assert v.height() > cash_height
    v.account.setCurrentIndex(v.account.findData("cash"))
    assert_roomy(qtbot, v, v.account_terms)
    assert v.height() == cash_height
    v.reject()
