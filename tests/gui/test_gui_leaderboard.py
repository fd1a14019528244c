"""The leaderboard follows the store: no stale ranking until its button is clicked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController
from gui.views.main_window import COMPARE_TAB, HOLDINGS_TAB

MakeWindow = Callable[..., MainController]


def test_the_leaderboard_ranks_again_when_the_store_changes(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, demo: UUID
) -> None:
    c = make_window(erasmo, analysis=True)
    qtbot.waitUntil(lambda: c.analysis.analytics is not None, timeout=30_000)
    c.window.tabs.setCurrentIndex(COMPARE_TAB)
    compare = c.compare
    assert compare is not None
    qtbot.waitUntil(lambda: compare.board.rowCount() == 1, timeout=30_000)

    # A portfolio opened while the comparison is shown: ranked without a click.
    erasmo.door.open_portfolio("Second", "5000", date(2018, 1, 2))
    c.recorded()
    qtbot.waitUntil(lambda: compare.board.rowCount() == 2, timeout=30_000)

    # One opened while another tab is shown: ranked once the comparison is shown again.
    c.window.tabs.setCurrentIndex(HOLDINGS_TAB)
    erasmo.door.open_portfolio("Third", "5000", date(2018, 1, 2))
    c.recorded()
    assert compare.stale
    c.window.tabs.setCurrentIndex(COMPARE_TAB)
    qtbot.waitUntil(lambda: compare.board.rowCount() == 3, timeout=30_000)
    names = {compare.board.text(r, "name") for r in range(3)}
    assert names == {"Demo", "Second", "Third"}
