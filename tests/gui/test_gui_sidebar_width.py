"""The sidebar's names are whole when the window leaves room for them: the name column takes
what the value and return columns (sized to their figures) leave."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from PySide6.QtWidgets import QHeaderView
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController
from gui.views.main_window import JOURNAL_TAB

MakeWindow = Callable[..., MainController]
NAMES = ("Demo", "Round trips", "Short", "Lev")


def test_the_portfolio_names_are_whole_at_1280_px(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, demo: UUID
) -> None:
    door = erasmo.door
    for name in NAMES[1:]:
        door.open_portfolio(name, "60000", date(2009, 1, 2))
    c = make_window(erasmo, analysis=True)
    c.reload_portfolios(select=demo)
    qtbot.waitUntil(
        lambda: all(r.value is not None for r in c.portfolios.portfolios()), timeout=30_000
    )
    c.window.tabs.setCurrentIndex(JOURNAL_TAB)  # the widest tab once its filters are filled
    j = c.journal
    qtbot.waitUntil(lambda: j.result is not None and j.result.portfolio == demo, timeout=30_000)
    tree = c.window.sidebar.table
    header = tree.header()
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.Stretch
    for column in (1, 2):
        assert header.sectionResizeMode(column) == QHeaderView.ResizeMode.ResizeToContents
    widths = {}
    for wanted in (1000, 1280):
        c.window.resize(wanted, 800)
        qtbot.wait(50)
        widths[wanted] = tree.columnWidth(0)
        # the numbers are whole at any width
        for column in (1, 2):
            assert tree.columnWidth(column) >= tree.sizeHintForColumn(column)
    assert c.window.width() == 1280
    # at 1280 px the widest name fits: its text, its margins and the indentation of its row
    model = tree.model()
    needed = 0
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        text = str(index.data())
        assert text in NAMES
        needed = max(needed, tree.sizeHintForIndex(index).width())
    assert tree.sizeHintForColumn(0) <= widths[1280], (tree.sizeHintForColumn(0), widths)
    assert needed <= widths[1280]
