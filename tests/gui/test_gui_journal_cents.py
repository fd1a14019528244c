"""The Journal tab's money rounds half-up to the cent from the exact figure, as the CLI and the
report do (`erasmo.journal.money`): a mean of exactly 54.205 shows +54.21, where formatting the
float with two decimals would give 54.20."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController
from gui.views.journal_model import COLUMNS
from gui.views.main_window import JOURNAL_TAB

MakeWindow = Callable[..., MainController]


def test_a_half_cent_expectancy_rounds_up_in_the_tab(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    pid = door.open_portfolio("Halves", "10000", date(2010, 3, 1)).id
    # By hand, at the bundled closes: 50 x (129.60 - 128.25) - fee 0.01 = 67.49, and
    # 5 x (130.76 - 122.57) - fee 0.03 = 40.92; total 108.41, expectancy (and average win)
    # 108.41 / 2 = 54.205 exactly, half-up 54.21 (the float mean is a hair below 54.205).
    door.buy(pid, "IBM", "50", date(2010, 4, 1), "128.25", "0.01")
    door.sell(pid, "IBM", "50", date(2010, 5, 3), "129.60", "0")
    door.buy(pid, "IBM", "5", date(2010, 7, 1), "122.57", "0.03")
    door.sell(pid, "IBM", "5", date(2010, 8, 2), "130.76", "0")
    c = make_window(erasmo, analysis=True)
    c.reload_portfolios(select=pid)
    c.window.tabs.setCurrentIndex(JOURNAL_TAB)
    j = c.journal
    qtbot.waitUntil(lambda: j.result is not None and j.result.portfolio == pid, timeout=30_000)
    assert j.view is not None
    assert j.model is not None
    values = j.view.statistics.values
    assert values["total_pnl"].text() == "+108.41"
    assert values["expectancy"].text() == "+54.21"
    assert values["average_win"].text() == "+54.21"
    assert j.proxy is not None
    column = [k for k, _label in COLUMNS].index("pnl")
    shown = sorted(str(j.proxy.index(r, column).data()) for r in range(2))
    assert shown == ["+40.92", "+67.49"]
    # the float the tab is given: formatted with two decimals it would read 54.20
    assert j.result is not None
    assert f"{j.result.statistics.expectancy:.2f}" == "54.20"
