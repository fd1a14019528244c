"""What-if branches in the real window: fork from the history, the sidebar tree, comparison."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from events.errors import DuplicateNameError
from gui.controllers.main import MainController
from gui.views.main_window import COMPARE_TAB, HISTORY_TAB

MakeWindow = Callable[..., MainController]
DISPLAY = Qt.ItemDataRole.DisplayRole


def travel_to(qtbot: QtBot, c: MainController, version: int) -> None:
    rows = c.history_model.rows()
    row = next(i for i, r in enumerate(rows) if r.version == version)
    c.window.replay.slider.setValue(row)
    assert c.session.as_of is not None
    assert c.session.as_of.version == version


def test_a_fork_from_the_history_is_drawn_under_its_parent(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    t = erasmo.door
    base = t.open_portfolio("Base", "10000", date(2015, 3, 2)).id
    t.buy(base, "KO", "100", date(2015, 3, 2))
    t.sell(base, "KO", "100", date(2016, 3, 1))
    t.open_portfolio("Other", "500", date(2015, 3, 2))
    c = make_window(erasmo)
    qtbot.waitUntil(lambda: c.history_model.rowCount() == 4, timeout=10_000)
    c.window.tabs.setCurrentIndex(HISTORY_TAB)
    travel_to(qtbot, c, 3)  # after the buy, before the sale

    with qtbot.waitSignal(c.history_loaded, timeout=10_000):
        branch = c.fork("Base kept KO")
    assert branch is not None
    assert c.session.portfolio == branch  # the branch is selected
    # The branch holds Base's history up to the fork: still 100 KO, and the cash after the buy.
    head = erasmo.app.portfolio(branch)
    assert head.shares == {"KO": 100}
    assert head.cash == erasmo.app.portfolio(base, version=3).cash

    model = c.portfolios
    assert model.rowCount() == 2  # Base and Other at the top level
    base = model.index(0, 0)
    assert base.data(DISPLAY) == "Base"
    assert model.rowCount(base) == 1
    child = model.index(0, 0, base)
    assert child.data(DISPLAY) == "Base kept KO"
    assert model.parent(child) == base
    assert model.rowCount(model.index(1, 0)) == 0  # Other has no branch
    tree = c.window.sidebar.table
    assert tree.isExpanded(base)
    assert tree.selectionModel().currentIndex() == child
    assert "a branch of Base" in child.data(Qt.ItemDataRole.ToolTipRole)

    # A branch of the branch nests one level deeper.
    with qtbot.waitSignal(c.history_loaded, timeout=10_000):
        c.fork("Deeper")
    grandchild = model.index(0, 0, model.index(0, 0, model.index(0, 0)))
    assert grandchild.data(DISPLAY) == "Deeper"

    # A name already taken: nothing is recorded, the message says why.
    before = erasmo.app.summaries()
    with pytest.raises(DuplicateNameError, match="already"):
        c.fork("other")
    assert erasmo.app.summaries() == before


def test_compare_overlays_the_family_and_ranks_every_portfolio(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, demo: UUID
) -> None:
    branch = erasmo.door.fork(demo, "Demo no MSFT", at_version=2).id
    erasmo.door.buy(branch, "KO", "100", date(2017, 1, 3))
    c = make_window(erasmo, analysis=True)
    qtbot.waitUntil(lambda: c.analysis.analytics is not None, timeout=30_000)
    c.window.tabs.setCurrentIndex(COMPARE_TAB)
    compare = c.compare
    assert compare is not None
    qtbot.waitUntil(lambda: compare.result is not None, timeout=30_000)
    assert set(compare.result.names) == {"Demo", "Demo no MSFT"}
    assert set(compare.view.curves) == {"Demo", "Demo no MSFT"}
    # A key names each line in its colour, in a row above the chart (never on the data).
    view = compare.view
    assert view.key.names() == [n for n in compare.result.names if n in view.curves]
    for label, name in zip(view.key.entries, view.key.names(), strict=True):
        assert view.curves[name].opts["pen"].color().name() in label.text()
    assert view.key.isVisible()
    assert view.key.geometry().bottom() < view.plot.geometry().top()
    # The figures are erasmo's own: the same as `compare` over the same portfolios.
    expected = erasmo.branches.compare([erasmo.door.resolve(n) for n in compare.result.names])
    for row, name in enumerate(compare.result.names):
        ttwror = float(expected.set_index("name").loc[name, "ttwror"])
        assert compare.metrics.text(row, "ttwror") == f"{ttwror * 100:+,.2f} %".replace("-", "−")
    curve = compare.view.curves["Demo"]
    assert len(curve.getData()[0]) == len(compare.result.x)
    assert curve.getData()[1][0] > 0.9  # growth of 1 starts near 1

    # Ticking one only draws one.
    with qtbot.waitSignal(compare.compared, timeout=30_000):
        compare.tick({branch})
    assert list(compare.view.curves) == ["Demo no MSFT"]
    assert compare.view.key.names() == ["Demo no MSFT"]
    assert compare.metrics.rowCount() == 1

    # Values instead of growth: the lines are the portfolios' own values, from `value_lines`.
    with qtbot.waitSignal(compare.compared, timeout=30_000):
        qtbot.mouseClick(compare.view.values, Qt.MouseButton.LeftButton)
    assert not compare.result.relative
    values = erasmo.branches.value_lines([branch])
    assert compare.view.curves["Demo no MSFT"].getData()[1][-1] == values["Demo no MSFT"].iloc[-1]
    # The family button ticks the branch's parent again.
    with qtbot.waitSignal(compare.compared, timeout=30_000):
        qtbot.mouseClick(compare.view.family, Qt.MouseButton.LeftButton)
    assert set(compare.ticked_names()) == {"Demo", "Demo no MSFT"}

    qtbot.waitUntil(lambda: compare.board.rowCount() == 2, timeout=30_000)
    board = erasmo.branches.leaderboard()
    assert [compare.board.text(r, "name") for r in range(2)] == list(board["name"])
    assert compare.board.text(0, "rank") == "1"
