"""The performance chart: the benchmark on the portfolio's cash flows, the % (TTWROR) mode, trade
markers, the colour key, the crosshair, and ranges across time travel and portfolios."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from uuid import UUID

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.analysis import Snapshot
from gui.controllers.main import MainController
from gui.controllers.performance import MIN_ANNUALISED_DAYS
from gui.views.main_window import PERFORMANCE_TAB
from gui.views.performance_tab import MARKER_DAYS
from tests.gui.conftest import shared_market

MakeWindow = Callable[..., MainController]


def x_of(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def close(ticker: str, day: date) -> float:
    bar = shared_market().bar(ticker, day)
    assert bar is not None, f"no bar for {ticker} on {day}"
    return float(bar.close)


def shown(qtbot: QtBot, c: MainController, portfolio: UUID) -> None:
    """Wait until the performance tab shows `portfolio` with its metrics."""
    qtbot.waitUntil(lambda: c.analysis.performance is not None, timeout=30_000)
    qtbot.waitUntil(
        lambda: (
            isinstance(c.analysis.last_snapshot, Snapshot)
            and c.analysis.last_snapshot.portfolio == portfolio
            and c.analysis.performance.data is not None
        ),
        timeout=20_000,
    )
    qtbot.waitUntil(lambda: c.analysis.performance.metrics is not None, timeout=10_000)


def window_on(qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, pid: UUID) -> MainController:
    c = make_window(erasmo, analysis=True)
    c.reload_portfolios(select=pid)
    shown(qtbot, c, pid)
    c.window.tabs.setCurrentIndex(PERFORMANCE_TAB)
    return c


OPEN, MIDDLE, LATER, END = date(2019, 1, 2), date(2019, 6, 3), date(2019, 9, 3), date(2019, 12, 31)


@pytest.fixture
def flows(erasmo: Erasmo) -> UUID:
    """10,000 in on 2019-01-02 (20 AAPL bought), 5,000 more on 2019-06-03, 2,000 out on
    2019-09-03."""
    door = erasmo.door
    pid = door.open_portfolio("Flows", "10000", OPEN).id
    door.buy(pid, "AAPL", "20", OPEN)
    door.deposit(pid, "5000", MIDDLE)
    door.withdraw(pid, "2000", LATER)
    return pid


def test_the_benchmark_gets_the_portfolio_s_deposits_and_withdrawals(
    qtbot: QtBot, erasmo: Erasmo, flows: UUID, make_window: MakeWindow
) -> None:
    c = window_on(qtbot, erasmo, make_window, flows)
    data = c.analysis.performance.data
    x = np.asarray(data.x)

    def benchmark_on(day: date) -> float:
        return float(data.benchmark[int(np.flatnonzero(x == x_of(day))[0])])

    spx = {d: close("^GSPC", d) for d in (OPEN, MIDDLE, LATER, END, date(2019, 5, 31))}
    units = 10_000 / spx[OPEN]
    assert benchmark_on(OPEN) == pytest.approx(10_000, abs=1e-6)
    assert benchmark_on(date(2019, 5, 31)) == pytest.approx(units * spx[date(2019, 5, 31)])
    units += 5_000 / spx[MIDDLE]  # the deposit buys index units at that day's close
    assert benchmark_on(MIDDLE) == pytest.approx(units * spx[MIDDLE])
    units -= 2_000 / spx[LATER]  # the withdrawal sells them
    assert benchmark_on(LATER) == pytest.approx(units * spx[LATER])
    assert benchmark_on(END) == pytest.approx(units * spx[END])
    # Rebasing to the first value alone (the old line) would miss the 3,000 net deposited.
    assert benchmark_on(END) - 10_000 * spx[END] / spx[OPEN] == pytest.approx(
        5_000 * spx[END] / spx[MIDDLE] - 2_000 * spx[END] / spx[LATER]
    )
    curve_x, curve_y = c.analysis.performance.view.benchmark_curve.getData()
    i_end = int(np.flatnonzero(curve_x == x_of(END))[0])
    assert curve_y[i_end] == pytest.approx(units * spx[END])
    readout = c.analysis.performance._readout_lines(data, i_end)
    assert any("same deposits" in line for line in readout)


def test_the_percent_mode_draws_both_time_weighted_returns(
    qtbot: QtBot, erasmo: Erasmo, flows: UUID, make_window: MakeWindow
) -> None:
    c = window_on(qtbot, erasmo, make_window, flows)
    view = c.analysis.performance.view
    view.stacked.setChecked(True)
    view.returns.setChecked(True)
    assert not view.stacked.isEnabled()  # a stack of values has no % form
    assert view.total_curve.isVisible()
    xs, portfolio = view.total_curve.getData()
    _, bench = view.benchmark_curve.getData()
    i_end = int(np.flatnonzero(xs == x_of(END))[0])
    i_may = int(np.flatnonzero(xs == x_of(date(2019, 5, 31)))[0])
    # The index's return from the portfolio's first day, in %.
    assert bench[i_end] == pytest.approx((close("^GSPC", END) / close("^GSPC", OPEN) - 1) * 100)
    # Before any flow after the opening, the portfolio's TTWROR is its value over its first.
    cash = 10_000 - 20 * close("AAPL", OPEN)
    first = 20 * close("AAPL", OPEN) + cash
    may = 20 * close("AAPL", date(2019, 5, 31)) + cash
    assert portfolio[i_may] == pytest.approx((may / first - 1) * 100)
    assert portfolio[0] == pytest.approx(0.0)
    assert view.key.names() == ["Portfolio", "S&P 500"]
    # A shorter range restates both lines from its first day, as the metrics count it.
    p = c.analysis.performance
    with qtbot.waitSignal(p.metrics_shown, timeout=10_000) as got:
        view.range_buttons["6M"].click()
    xs, portfolio = view.total_curve.getData()
    _, bench = view.benchmark_curve.getData()
    # From the close before the first visible day, as the range's metrics count it.
    first = int(np.searchsorted(xs, x_of(view.start.date().toPython()))) - 1
    day0 = datetime.fromtimestamp(float(xs[first]), tz=UTC).date()
    last = datetime.fromtimestamp(float(xs[-1]), tz=UTC).date()
    assert bench[first] == pytest.approx(0.0)
    assert bench[-1] == pytest.approx((close("^GSPC", last) / close("^GSPC", day0) - 1) * 100)
    assert portfolio[-1] == pytest.approx(got.args[0].ttwror * 100, abs=1e-6)
    view.returns.setChecked(False)
    assert view.stacked.isEnabled()
    _, values = view.benchmark_curve.getData()
    assert values[i_end] > 1_000  # back to money


def test_trade_markers_are_one_per_day_with_a_count_and_only_when_zoomed_in(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    days = [d for d in shared_market().trading_days("KO") if d.year == 2019]
    pid = door.open_portfolio("Busy", "50000", days[0]).id
    for i, d in enumerate(days):
        door.buy(pid, "KO", "1", d)
        if i == 100:
            door.buy(pid, "KO", "2", d)  # a second trade that day
            door.buy(pid, "KO", "3", d)  # and a third
        if 200 <= i < 210:
            door.sell(pid, "KO", "1", d)
    c = window_on(qtbot, erasmo, make_window, pid)
    p = c.analysis.performance
    view = p.view
    assert len(view.buy_markers.data) == len(days)  # one a day, not one a trade
    assert len(view.sell_markers.data) == 10
    counts = {round(float(s["x"])): int(s["data"]) for s in view.buy_markers.data}
    assert counts[round(x_of(days[100]))] == 3
    assert sum(counts.values()) == len(days) + 2
    tip = view.buy_markers.opts["tip"](x=x_of(days[100]), y=0.0, data=3)
    assert tip == f"{days[100].isoformat()}: 3 trades bought"
    # The whole history shown is more than MARKER_DAYS days: no smear of markers over the line.
    (x0, x1), _ = view.value_plot.getPlotItem().getViewBox().viewRange()
    assert (x1 - x0) / 86_400 > MARKER_DAYS
    assert not view.buy_markers.isVisible()
    assert not view.sell_markers.isVisible()
    with qtbot.waitSignal(p.metrics_shown, timeout=10_000):
        view.range_buttons["1M"].click()
    assert view.buy_markers.isVisible()
    assert view.sell_markers.isVisible()


def test_the_crosshair_hides_on_leave_and_its_readout_stays_inside_the_plot(
    qtbot: QtBot, erasmo: Erasmo, demo: UUID, make_window: MakeWindow
) -> None:
    c = window_on(qtbot, erasmo, make_window, demo)
    view = c.analysis.performance.view
    box = view.value_plot.getPlotItem().getViewBox()
    (x0, x1), (y0, y1) = box.viewRange()
    for fraction in (0.02, 0.5, 0.98):
        x = x0 + (x1 - x0) * fraction
        point = box.mapViewToScene(QPointF(x, y0 + (y1 - y0) * 0.9))
        view.value_plot.scene().sigMouseMoved.emit(point)
        assert view.readout.isVisible()
        inside = box.sceneBoundingRect()
        readout = view.readout.sceneBoundingRect()
        assert inside.contains(readout), (fraction, inside, readout)
        # The readout is in the half away from the pointer.
        assert not readout.contains(point)
    QApplication.sendEvent(view.value_plot.viewport(), QEvent(QEvent.Type.Leave))
    assert not view.readout.isVisible()
    assert not view.v_line.isVisible()
    # Shown again, then a new series drawn: the old readout goes (it would be stale).
    view.value_plot.scene().sigMouseMoved.emit(box.mapViewToScene(QPointF((x0 + x1) / 2, y1)))
    assert view.readout.isVisible()
    view.benchmark.setChecked(False)
    assert not view.readout.isVisible()


def test_the_stacked_chart_has_a_key_of_its_tickers_above_the_plot(
    qtbot: QtBot, erasmo: Erasmo, demo: UUID, make_window: MakeWindow
) -> None:
    c = window_on(qtbot, erasmo, make_window, demo)
    view = c.analysis.performance.view
    assert view.key.names() == ["Portfolio", "S&P 500"]
    view.stacked.setChecked(True)
    tickers = list(c.analysis.performance.data.by_ticker)
    assert len(tickers) == 8
    assert view.key.names() == [*tickers, "Cash", "S&P 500"]
    # The key is a row of its own above the plot, so it never covers the data.
    assert view.key.geometry().bottom() <= view.value_plot.geometry().top()
    assert view.key.isVisible()


def test_a_typed_range_is_not_carried_to_another_portfolio_nor_collapsed_by_time_travel(
    qtbot: QtBot, erasmo: Erasmo, demo: UUID, flows: UUID, make_window: MakeWindow
) -> None:
    c = window_on(qtbot, erasmo, make_window, demo)
    p = c.analysis.performance
    view = p.view
    from gui.dialogs.form import to_qdate

    with qtbot.waitSignal(p.metrics_shown, timeout=10_000):
        view.start.setDate(to_qdate(date(2021, 3, 1)))
    with qtbot.waitSignal(p.metrics_shown, timeout=10_000):
        view.end.setDate(to_qdate(date(2021, 6, 30)))
    assert p.range_name == "custom"

    # Back in time to the first trades: the typed dates lie after them. The whole history
    # shown comes back instead of one collapsed day.
    rows = c.history_model.rows()
    c.window.replay.slider.setValue(6)
    qtbot.waitUntil(lambda: c.analysis.shown_as_of() == rows[6].seq, timeout=10_000)
    qtbot.waitUntil(lambda: p.range_name == "Max", timeout=10_000)
    assert view.range_buttons["Max"].isChecked()

    # Typed again, then another portfolio: it opens on its whole history.
    c.window.replay.slider.setValue(c.window.replay.slider.maximum())
    qtbot.waitUntil(lambda: c.analysis.shown_as_of() == rows[-1].seq, timeout=10_000)
    with qtbot.waitSignal(p.metrics_shown, timeout=10_000):
        view.start.setDate(to_qdate(date(2022, 3, 1)))
    assert p.range_name == "custom"
    c.reload_portfolios(select=flows)
    shown(qtbot, c, flows)
    assert p.range_name == "Max"
    assert view.start.date().toString("yyyy-MM-dd") == "2019-01-02"
    last = datetime.fromtimestamp(float(p.data.x[-1]), tz=UTC).date()
    assert view.end.date().toString("yyyy-MM-dd") == last.isoformat()


def test_no_annualised_figures_or_sharpe_for_a_period_under_a_year(
    qtbot: QtBot, erasmo: Erasmo, demo: UUID, make_window: MakeWindow
) -> None:
    c = window_on(qtbot, erasmo, make_window, demo)
    p = c.analysis.performance
    strip = p.view.metrics
    with qtbot.waitSignal(p.metrics_shown, timeout=10_000) as got:
        p.view.range_buttons["1M"].click()
    result = got.args[0]
    assert (result.end - result.start).days < MIN_ANNUALISED_DAYS
    assert not math.isnan(result.ttwror_annualized)  # computed, but not shown
    for key in ("ttwror_pa", "irr", "sharpe"):
        assert strip.values[key].text() == "—", key
        assert "under a year" in strip.values[key].toolTip()
    assert strip.values["ttwror"].text() != "—"
    with qtbot.waitSignal(p.metrics_shown, timeout=10_000) as got:
        p.view.range_buttons["1Y"].click()
    assert (got.args[0].end - got.args[0].start).days >= MIN_ANNUALISED_DAYS
    for key in ("ttwror_pa", "irr", "sharpe"):
        assert strip.values[key].text() != "—", key
        assert "under a year" not in strip.values[key].toolTip()


def test_the_price_chart_s_key_sits_above_the_candles(
    qtbot: QtBot, erasmo: Erasmo, demo: UUID, make_window: MakeWindow
) -> None:
    from gui.views.main_window import CHART_TAB

    c = make_window(erasmo)
    qtbot.waitUntil(lambda: c.history_model.rowCount() > 0, timeout=10_000)
    c.window.tabs.setCurrentIndex(CHART_TAB)
    chart = c.chart
    assert chart is not None
    qtbot.waitUntil(lambda: chart.series is not None, timeout=10_000)
    view = chart.view
    assert len(view.legend.items) == 1  # AAPL was bought: "Buy"
    box = view.plot.getPlotItem().getViewBox().sceneBoundingRect()
    key = view.legend.sceneBoundingRect()
    assert key.bottom() <= box.top() + 1, (key, box)


def test_date_axis_ticks_fall_on_utc_year_and_month_starts(qtbot: QtBot) -> None:
    """The chart's date axis puts its ticks on UTC midnights, as the series' days are, and
    labels a year tick with its year."""
    from gui.views.performance_tab import UtcDateAxis

    def utc(text: str) -> float:
        return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()

    axis = UtcDateAxis()
    axis.fontMetrics = QFontMetrics(QFont())
    levels = axis.tickValues(utc("2005-01-03"), utc("2025-06-30"), 1200)
    years = dict(levels)[365 * 86_400]
    assert years == [utc(f"{y}-01-01") for y in range(2006, 2026)]
    assert axis.tickStrings(years[:2], 1, 365 * 86_400) == ["2006", "2007"]
    months = dict(levels)[30 * 86_400]
    assert utc("2005-02-01") in months
    assert utc("2006-01-01") not in months  # a year's tick, drawn once
