"""The tabs over erasmo's analytics: holdings at market, charts, metrics, allocation, replay."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from uuid import UUID

import pytest
from PySide6.QtCore import QPointF, Qt
from pytestqt.qtbot import QtBot

import gui.controllers.main
from erasmo.bootstrap import Erasmo
from gui.analysis import Snapshot
from gui.controllers.main import MainController
from gui.controllers.performance import range_start
from gui.demo import DEMO_STEPS
from gui.history_rows import history_rows
from gui.views.main_window import PERFORMANCE_TAB

MakeWindow = Callable[..., MainController]
DISPLAY = Qt.ItemDataRole.DisplayRole
EVENTS = len(DEMO_STEPS) + 1


def day_of(x: float) -> date:
    return datetime.fromtimestamp(x, tz=UTC).date()


def loaded(qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow) -> MainController:
    c = make_window(erasmo, analysis=True)
    qtbot.waitUntil(lambda: c.analysis.performance is not None, timeout=30_000)
    qtbot.waitUntil(lambda: isinstance(c.analysis.last_snapshot, Snapshot), timeout=10_000)
    qtbot.waitUntil(lambda: c.analysis.performance.metrics is not None, timeout=10_000)
    return c


def cell(c: MainController, ticker: str, key: str) -> str:
    model = c.analysis.model
    row = model.tickers().index(ticker)
    return model.index(row, model.column_of(key)).data(DISPLAY)


def test_holdings_at_market_update_after_a_trade(
    qtbot: QtBot, erasmo: Erasmo, demo: UUID, make_window: MakeWindow
) -> None:
    c = loaded(qtbot, erasmo, make_window)
    assert c.analysis.model.tickers() == ["AAPL", "JNJ", "JPM", "KO", "MSFT", "PG", "WMT", "XOM"]
    assert cell(c, "AAPL", "quantity") == "550"
    assert cell(c, "AAPL", "market_value") == "69,120.70"
    totals = c.analysis.model.rowCount() - 1
    assert c.analysis.model.index(totals, 0).data(DISPLAY) == "Total"
    assert c.window.holdings.summary.values["total"].text() == "273,020.31"
    demo_row = c.portfolios.portfolios()[0]
    qtbot.waitUntil(lambda: c.portfolios.portfolios()[0].value is not None, timeout=10_000)
    assert c.portfolios.index(0, 1).data(DISPLAY) == "273,020.31"

    ticket = c.open_trade_ticket(ticker="KO")
    assert ticket is not None
    assert demo_row.name == "Demo"
    ticket.view.quantity.setText("100")
    ticket.view.date.setDate(ticket.view.date.maximumDate())  # 2022-12-28
    assert ticket.view.ok.isEnabled(), ticket.view.message.text()
    ticket.view.ok.click()
    qtbot.waitUntil(lambda: c.analysis.model.rowCount() and cell(c, "KO", "quantity") == "400",
                    timeout=10_000)  # fmt: skip
    assert c.history_model.rowCount() == EVENTS + 1
    qtbot.waitUntil(lambda: c.portfolios.portfolios()[0].value is not None, timeout=10_000)


def test_time_travel_shows_that_moment_on_every_tab(
    qtbot: QtBot, erasmo: Erasmo, demo: UUID, make_window: MakeWindow
) -> None:
    c = loaded(qtbot, erasmo, make_window)
    rows = c.history_model.rows()
    c.window.replay.slider.setValue(6)  # after the five first buys
    qtbot.waitUntil(lambda: c.analysis.shown_as_of() == rows[6].seq, timeout=10_000)
    assert c.analysis.model.tickers() == ["AAPL", "JNJ", "JPM", "KO", "MSFT"]
    assert c.window.holdings.summary.values["as_of"].text() == "2017-01-03"
    assert c.window.holdings.summary.values["cash"].text() == "32,438.96"
    labels = [s.label for s in c.window.allocation.chart.slices()]
    assert "Cash" in labels
    assert "WMT" not in labels
    assert math.isclose(sum(s.weight for s in c.window.allocation.chart.slices()), 1.0)
    data = c.analysis.performance.data
    assert day_of(float(data.x[-1])) == date(2017, 1, 3)  # the chart stops at that moment

    moment = next(i for i, r in enumerate(rows) if r.on == date(2020, 3, 23))
    c.window.replay.slider.setValue(moment)
    qtbot.waitUntil(lambda: c.analysis.shown_as_of() == rows[moment].seq, timeout=10_000)
    data = c.analysis.performance.data
    assert day_of(float(data.x[-1])) == date(2020, 3, 23)
    assert len(data.buys[0]) == 3  # one marker a day: 2017-01-03, 2018-07-02, 2020-03-23
    assert len(data.sells[0]) == 1


def test_play_grows_the_charts_to_the_end(
    qtbot: QtBot, erasmo: Erasmo, demo: UUID, make_window: MakeWindow
) -> None:
    c = loaded(qtbot, erasmo, make_window)
    c.window.tabs.setCurrentIndex(PERFORMANCE_TAB)
    c.replay.set_speed_index(c.window.replay.speed.count() - 1)
    lengths: list[int] = []
    c.analysis.shown.connect(lambda s: lengths.append(len(s.performance.x)))
    c.replay.play()
    qtbot.waitUntil(lambda: not c.replay.playing, timeout=20_000)
    qtbot.waitUntil(lambda: c.analysis.shown_as_of() == c.history_model.rows()[-1].seq,
                    timeout=10_000)  # fmt: skip
    assert lengths == sorted(lengths)
    assert lengths[0] < lengths[-1]
    assert c.session.as_of is not None
    assert c.session.as_of.latest


def test_ranges_metrics_stacking_and_crosshair(
    qtbot: QtBot, erasmo: Erasmo, demo: UUID, make_window: MakeWindow
) -> None:
    c = loaded(qtbot, erasmo, make_window)
    c.window.tabs.setCurrentIndex(PERFORMANCE_TAB)
    p = c.analysis.performance
    everything = p.metrics
    assert everything.ttwror == pytest.approx(1.5657, abs=1e-3)
    strip = p.view.metrics
    assert strip.values["ttwror"].text() == "+156.57 %"
    assert "time-weighted" in strip.values["ttwror"].toolTip()
    with qtbot.waitSignal(p.metrics_shown, timeout=10_000) as shown:
        p.view.range_buttons["1Y"].click()
    one_year = shown.args[0]
    assert (one_year.end - one_year.start).days == 366
    (x0, x1), _ = p.view.value_plot.getPlotItem().getViewBox().viewRange()
    assert day_of(x0).year == 2021
    assert day_of(x1).year == 2022
    assert p.view.start.date().toString("yyyy-MM-dd") == "2021-12-28"

    p.view.stacked.setChecked(True)
    assert len(p.view.stack_items) == 1 + 2 * (8 + 1)  # base, then a line and a band per layer
    assert not p.view.total_curve.isVisible()

    box = p.view.value_plot.getPlotItem().getViewBox()
    scene_point = box.mapViewToScene(QPointF((x0 + x1) / 2, 250_000))
    p.view.value_plot.scene().sigMouseMoved.emit(scene_point)
    text = p.view.readout.toPlainText()
    assert text.startswith("2022-")
    assert "Portfolio" in text
    assert "Cash" in text
    assert p.view.v_line.isVisible()


def test_range_start() -> None:
    first, last = date(2017, 1, 3), date(2022, 12, 28)
    assert range_start("1M", first, last) == date(2022, 11, 28)
    assert range_start("6M", first, last) == date(2022, 6, 28)
    assert range_start("YTD", first, last) == date(2022, 1, 1)
    assert range_start("5Y", first, last) == date(2017, 12, 28)
    assert range_start("Max", first, last) == first
    assert range_start("5Y", date(2020, 1, 2), last) == date(2020, 1, 2)


def test_a_long_history_is_read_from_the_event_frame(
    qtbot: QtBot,
    erasmo: Erasmo,
    demo: UUID,
    make_window: MakeWindow,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(gui.controllers.main, "LARGE_HISTORY", 5)  # the demo counts as long
    exact = history_rows(erasmo.door, demo)
    c = loaded(qtbot, erasmo, make_window)
    qtbot.waitUntil(lambda: c.history_model.rowCount() == EVENTS, timeout=10_000)
    rows = c.history_model.rows()
    assert [(r.seq, r.version, r.on, r.type, r.ticker) for r in rows] == [
        (r.seq, r.version, r.on, r.type, r.ticker) for r in exact
    ]
    assert [r.amount for r in rows] == [r.amount for r in exact]
    assert all(r.cash_after is None for r in rows)
    assert c.history_model.index(3, c.history_model.COL_CASH).data(DISPLAY) == ""
    assert c.history_model.row_of_seq(rows[5].seq) == 5
    c.window.replay.slider.setValue(6)
    qtbot.waitUntil(lambda: c.analysis.shown_as_of() == rows[6].seq, timeout=10_000)
    assert c.analysis.model.tickers() == ["AAPL", "JNJ", "JPM", "KO", "MSFT"]
