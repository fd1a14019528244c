"""Switching to a long history: no thread decodes its stored events (the history, the price
chart's trades and the strategy notes come from the analytics' event frame), and its holdings
are computed once, asked for before its history."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject
from pytestqt.qtbot import QtBot

import gui.analysis
import gui.controllers.main
from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController
from gui.price_chart import x_of
from gui.views.main_window import CHART_TAB, HISTORY_TAB, HOLDINGS_TAB
from tests.gui.test_gui_performance_chart import shown, window_on

MakeWindow = Callable[..., MainController]
DAY = date(2021, 3, 1)


def test_switching_to_a_long_history_decodes_none_of_its_events(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gui.controllers.main, "LARGE_HISTORY", 10)  # "long" from 11 events
    door = erasmo.door
    small = door.open_portfolio("Small", "100", DAY).id
    busy = door.open_portfolio("Busy", "100000", DAY).id
    for ticker in ("KO", "PEP", "KO", "KO", "PEP", "KO", "KO", "KO", "PEP", "KO"):
        door.buy(busy, ticker, "1", DAY)
    c = make_window(erasmo, analysis=True)
    c.reload_portfolios(select=small)
    shown(qtbot, c, small)
    c.window.tabs.setCurrentIndex(CHART_TAB)  # the price chart is built and follows the switch
    chart = c.chart
    assert chart is not None
    qtbot.waitUntil(lambda: not c.jobs.busy and not c.analysis.jobs.busy, timeout=10_000)

    decoded: Counter[str] = Counter()
    decode = erasmo.app.decode

    def counting_decode(topic: str, state: bytes) -> dict[str, Any]:
        decoded[threading.current_thread().name] += 1
        return decode(topic, state)

    computed: list[Any] = []
    snapshot_of = gui.analysis.snapshot_of

    def counting_snapshot_of(analytics: Any, portfolio_id: Any, as_of: Any) -> Any:
        computed.append((portfolio_id, as_of.seq))
        return snapshot_of(analytics, portfolio_id, as_of)

    monkeypatch.setattr(erasmo.app, "decode", counting_decode)
    monkeypatch.setattr(gui.analysis, "snapshot_of", counting_snapshot_of)
    order: list[str] = []
    c.analysis.shown.connect(lambda s: order.append("holdings"))
    c.history_loaded.connect(lambda pid: order.append("history"))
    with qtbot.waitSignal(chart.drawn, timeout=20_000):
        c.window.sidebar.select(c.portfolios.index_of(c.portfolios.row_of(busy)))
    qtbot.waitUntil(lambda: not c.jobs.busy and not c.analysis.jobs.busy, timeout=10_000)

    rows = c.history_model.rows()
    assert len(rows) == 12  # opened, deposited and ten buys
    assert chart.ticker == "KO"  # its first holding
    assert chart.series is not None
    assert len(chart.series.buys) == 1  # seven KO buys, all on one day: one marker
    assert chart.series.buys.count == [7]
    assert sum(decoded.values()) == 0  # no stored event of the portfolio decoded, anywhere
    assert computed == [(busy, rows[-1].seq)]  # once, for its latest event
    assert c.analysis.shown_as_of() == rows[-1].seq
    assert order == ["holdings", "history"]
    assert c.analysis.model.rowCount() > 0


def test_the_price_chart_is_read_only_once_in_view(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    first = door.open_portfolio("First", "1000", DAY).id
    door.buy(first, "PEP", "1", DAY)
    second = door.open_portfolio("Second", "1000", DAY).id
    door.buy(second, "KO", "2", DAY)
    c = make_window(erasmo, analysis=True)
    c.reload_portfolios(select=first)
    shown(qtbot, c, first)
    c.window.tabs.setCurrentIndex(CHART_TAB)
    chart = c.chart
    assert chart is not None
    qtbot.waitUntil(
        lambda: chart.series is not None and chart.series.ticker == "PEP", timeout=10_000
    )
    c.window.tabs.setCurrentIndex(0)  # out of view: the next portfolio's chart waits
    drawn: list[object] = []
    chart.drawn.connect(drawn.append)
    c.window.sidebar.select(c.portfolios.index_of(c.portfolios.row_of(second)))
    qtbot.waitUntil(lambda: c.history_model.rowCount() == 3, timeout=10_000)
    qtbot.waitUntil(lambda: not c.jobs.busy and not c.analysis.jobs.busy, timeout=10_000)
    assert chart.stale
    assert drawn == []
    with qtbot.waitSignal(chart.drawn, timeout=10_000):
        c.window.tabs.setCurrentIndex(CHART_TAB)
    assert chart.series.ticker == "KO"
    assert chart.series.buys.x == [x_of(DAY)]
    assert not chart.stale


def test_the_history_s_columns_fit_its_rows_once_shown(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    pid = door.open_portfolio("Wide", "1000000", DAY).id
    door.buy(pid, "KO", "12345.5", DAY)
    c = make_window(erasmo, analysis=True)
    c.window.tabs.setCurrentIndex(HOLDINGS_TAB)  # the history arrives out of view
    c.reload_portfolios(select=pid)
    qtbot.waitUntil(lambda: c.history_model.rowCount() == 3, timeout=10_000)
    c.window.tabs.setCurrentIndex(HISTORY_TAB)
    table = c.window.history.table
    qtbot.waitUntil(table.isVisible, timeout=5_000)
    metrics = table.fontMetrics()
    model = c.history_model
    for column in (model.COL_DATE, model.COL_QUANTITY, model.COL_AMOUNT):
        widest = max(
            metrics.horizontalAdvance(str(model.index(row, column).data()))
            for row in range(model.rowCount())
        )
        assert table.columnWidth(column) >= widest, column
    # fitted, not left at the default width: the log positions 1 to 3 need a narrow column
    assert table.columnWidth(model.COL_SEQ) < table.horizontalHeader().defaultSectionSize()


def test_the_performance_chart_s_value_axis_fits_a_new_range_before_it_is_painted(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    pid = door.open_portfolio("Axis", "10000", date(2019, 1, 2)).id
    door.buy(pid, "AAPL", "20", date(2019, 1, 2))
    c = window_on(qtbot, erasmo, make_window, pid)
    p = c.analysis.performance
    assert p is not None
    plot = p.view.value_plot
    box = plot.getPlotItem().getViewBox()
    qtbot.wait(100)
    painted: list[Any] = []

    class Paints(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                painted.append(box.viewRange()[1])
            return False

    paints = Paints()
    plot.viewport().installEventFilter(paints)
    before = box.viewRange()[1]
    with qtbot.waitSignal(p.metrics_shown, timeout=10_000):
        p.view.range_buttons["6M"].click()  # half of a rising year: another value range
    fitted = box.viewRange()[1]  # fitted before any paint
    assert fitted != before
    qtbot.wait(200)
    # Every paint shows the range it was given: none with a range the paint then changed (a
    # paint of nothing new, then a second one; later repaints of other changes may follow).
    assert painted
    assert all(shown == fitted for shown in painted)
