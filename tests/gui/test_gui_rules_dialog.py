"""The volume cap and the account in the window's change-rules dialog.

The cap is checked by the front door's dry run as it is typed (a bad cap disables OK and marks
the field, in the window's words), recorded on OK, shown again, removed by clearing it; the cap
set there limits a fill on the bundled IBM bars' real volume (figures by hand). The account
becomes a margin account with its terms shown, and cannot go back to cash while short."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController
from gui.controllers.rules import RulesDialog

MakeWindow = Callable[..., MainController]
D = Decimal


def rules_dialog(qtbot: QtBot, c: MainController, pid: UUID) -> RulesDialog:
    c.reload_portfolios(select=pid)
    qtbot.waitUntil(lambda: c.session.portfolio == pid, timeout=5_000)
    dialog = c.lifecycle.ask_rules()
    assert dialog is not None
    return dialog


def kinds(erasmo: Erasmo, pid: UUID) -> list[str]:
    return [e.type for e in erasmo.door.history(pid)]


def test_set_change_and_remove_a_volume_cap_in_the_rules_dialog(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    pid = door.open_portfolio("V", "100000", date(2000, 3, 1), mode="simulation").id
    c = make_window(erasmo)
    v = rules_dialog(qtbot, c, pid).view
    assert v.volume_cap.text() == ""  # no cap, the default
    assert v.ok.isEnabled()

    v.volume_cap.setText("200")
    assert not v.ok.isEnabled()
    assert v.message.is_error
    assert "not a percentage above 0 and at most 100" in v.message.text()
    assert "--max-volume-pct" not in v.message.text()  # the window's words, not a flag
    assert "leave the Volume cap empty" in v.message.text()
    assert "border" in v.volume_cap.styleSheet()
    assert "border" not in v.commission.styleSheet()

    v.volume_cap.setText("0.001%")
    assert v.ok.isEnabled(), v.message.text()
    assert door.rules(pid).max_volume_pct is None  # the dry runs recorded nothing
    qtbot.mouseClick(v.ok, Qt.MouseButton.LeftButton)
    assert door.rules(pid).max_volume_pct == D("0.001")
    assert kinds(erasmo, pid)[-1] == "VolumeCapSet"

    # the cap limits the next fill: the IBM bar of 2000-03-02 opened at 100.50 on a volume
    # of 11,192,900; 0.001% of it is 111.929 -> 111 shares
    door.place_order(pid, "buy", "IBM", "200", tif="gtc")
    (part,) = door.advance(pid).filled
    assert (part.status, part.quantity, part.fill_price) == ("part filled", D("111"), D("100.5"))

    # shown again; OK without touching it changes no cap
    v = rules_dialog(qtbot, c, pid).view
    assert v.volume_cap.text() == "0.001"
    count = kinds(erasmo, pid).count("VolumeCapSet")
    qtbot.mouseClick(v.ok, Qt.MouseButton.LeftButton)
    assert kinds(erasmo, pid).count("VolumeCapSet") == count

    # cleared: the cap is removed
    v = rules_dialog(qtbot, c, pid).view
    v.volume_cap.setText("")
    assert v.ok.isEnabled(), v.message.text()
    qtbot.mouseClick(v.ok, Qt.MouseButton.LeftButton)
    assert door.rules(pid).max_volume_pct is None
    assert kinds(erasmo, pid)[-1] == "VolumeCapSet"


def test_make_a_portfolio_a_margin_account_in_the_rules_dialog(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    pid = door.open_portfolio("A", "10000", date(2000, 3, 1), mode="simulation").id
    c = make_window(erasmo)
    v = rules_dialog(qtbot, c, pid).view
    assert v.account.currentData() == "cash"
    assert v.account_terms.text() == "Cash account."
    v.account.setCurrentIndex(v.account.findData("margin"))
    assert v.ok.isEnabled(), v.message.text()
    # nothing held: buying power = equity 10,000 / the default initial margin 50%
    assert "initial margin 50%" in v.account_terms.text()
    assert "buying power 20,000.00" in v.account_terms.text()
    assert door.account(pid).account == "cash"  # the dry run recorded nothing
    qtbot.mouseClick(v.ok, Qt.MouseButton.LeftButton)
    assert door.account(pid).account == "margin"

    door.sell(pid, "IBM", "10")  # a short sale: the account cannot go back to cash now
    count = len(door.history(pid))
    v = rules_dialog(qtbot, c, pid).view
    assert v.account.currentData() == "margin"
    v.account.setCurrentIndex(v.account.findData("cash"))
    assert not v.ok.isEnabled()
    assert "cannot become a cash account while short IBM" in v.message.text()
    assert "border" in v.account.styleSheet()
    qtbot.mouseClick(v.ok, Qt.MouseButton.LeftButton)  # disabled: does nothing
    assert len(door.history(pid)) == count
    assert door.account(pid).account == "margin"
