"""The front door's allocation and income (what `erasmo allocation` and `erasmo income` print)
are the numbers the window's allocation tab shows, for the same portfolio and moment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

import pytest
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui import formatting
from gui.analysis import Snapshot
from gui.controllers.main import MainController

MakeWindow = Callable[..., MainController]


def shown(qtbot: QtBot, c: MainController, pid: UUID) -> None:
    qtbot.waitUntil(
        lambda: (
            isinstance(c.analysis.last_snapshot, Snapshot)
            and c.analysis.last_snapshot.portfolio == pid
        ),
        timeout=30_000,
    )


def test_the_door_and_the_window_agree_on_weights_and_dividends(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    pid = door.open_portfolio("Both", "20000", date(2012, 1, 3)).id
    for ticker, quantity in (("IBM", "20"), ("KO", "100"), ("JPM", "40"), ("MSFT", "50")):
        door.buy(pid, ticker, quantity, date(2012, 1, 3))
    assert len(door.apply_actions(pid, date(2012, 12, 31))) == 4  # IBM's four of 2012
    c = make_window(erasmo, analysis=True)
    c.reload_portfolios(select=pid)
    shown(qtbot, c, pid)
    view = c.window.allocation

    allocation = door.allocation(pid)
    on_screen = {s.label: (s.weight, s.value) for s in view.chart.slices()}
    assert len(on_screen) == 5  # four tickers and cash
    assert on_screen == {
        label: (pytest.approx(weight, abs=1e-12), pytest.approx(value, abs=1e-9))
        for label, weight, value in allocation.by_ticker
    }
    view.by_sector.click()
    on_screen = {s.label: (s.weight, s.value) for s in view.chart.slices()}
    assert set(on_screen) == {"Information Technology", "Consumer Staples", "Financials", "Cash"}
    assert on_screen == {
        label: (pytest.approx(weight, abs=1e-12), pytest.approx(value, abs=1e-9))
        for label, weight, value in allocation.by_sector
    }

    income = door.income(pid)
    assert list(income.years) == [2012]
    assert set(income.tickers) == {"IBM"}
    table = view.income
    assert table.item(0, 0).text() == "2012"
    for (_, month), amount in income.months.items():
        assert table.item(0, month).text() == formatting.money(amount)  # column m: month m
    assert table.item(0, 13).text() == formatting.money(income.years[2012])
    assert view.income_total.text() == f"Total {formatting.money(income.total)}"
    # IBM paid 0.75, then 0.85 three times, a share in 2012: 20 x 3.30
    assert income.total == income.tickers["IBM"] == pytest.approx(66.00, abs=1e-9)
