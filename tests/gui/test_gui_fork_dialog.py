"""The fork dialog previews the branch with the front door's dry run, then forks it."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController
from gui.views.main_window import HISTORY_TAB

MakeWindow = Callable[..., MainController]


def test_the_fork_dialog_previews_then_forks(
    qtbot: QtBot, erasmo: Erasmo, demo: UUID, make_window: MakeWindow
) -> None:
    c = make_window(erasmo)
    qtbot.waitUntil(lambda: c.history_model.rowCount() > 3, timeout=10_000)
    c.window.tabs.setCurrentIndex(HISTORY_TAB)
    c.window.replay.slider.setValue(2)  # opened, deposited, the first buy
    as_of = c.session.as_of
    assert as_of is not None
    assert as_of.version == 3
    before = erasmo.app.event_count()
    dialog = c.open_fork_dialog()
    assert dialog is not None
    v = dialog.view
    assert v.name.text() == "Demo what-if"
    assert v.ok.isEnabled(), v.message.text()
    # The branch as it would be: the parent's first three events, and the parent's state then.
    then = erasmo.door.head(demo, version=3)
    assert v.copied.text() == "2 events"  # the deposit and the buy (the branch opens itself)
    assert v.cash.text() == f"{then.cash:,.2f} USD"
    assert [(p.ticker, p.quantity) for p in then.positions] == [("AAPL", 400)]
    assert v.positions.text() == "400 AAPL"

    v.name.setText("demo")  # names ignore case: taken
    assert not v.ok.isEnabled()
    assert v.message.is_error
    assert "already" in v.message.text()
    v.name.setText("")
    assert not v.ok.isEnabled()
    assert not v.message.is_error  # an empty name is a hint
    assert erasmo.app.event_count() == before  # the previews recorded nothing

    v.name.setText("Demo without MSFT")
    with qtbot.waitSignal(dialog.forked, timeout=10_000) as forked:
        qtbot.mouseClick(v.ok, Qt.MouseButton.LeftButton)
    branch = forked.args[0]
    assert erasmo.door.resolve("Demo without MSFT") == branch.id
    assert erasmo.door.branches()[branch.id] == demo
    assert erasmo.door.head(branch.id).cash == then.cash
    kinds = [e.type for e in erasmo.door.history(branch.id)]
    assert kinds[-2:] == ["CashDeposited", "SharesBought"]  # the 2 events copied
    qtbot.waitUntil(lambda: c.session.portfolio == branch.id, timeout=10_000)
