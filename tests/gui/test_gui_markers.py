"""Trade markers that stay cheap with thousands of trades: one marker per day and kind on the
price chart (at the day's quantity-weighted price), and only the markers in view handed to a
scatter once there are many, each at its own trade day's position."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pyqtgraph as pg
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from events.values import PriceProvenance
from gui.controllers.main import MainController
from gui.price_chart import price_series
from gui.views.main_window import CHART_TAB
from gui.views.markers import MARKER_CAP, ThinnedMarkers
from tests.gui.conftest import shared_market
from tests.gui.test_gui_performance_chart import window_on

MakeWindow = Callable[..., MainController]
D = Decimal
DAY = 86_400.0


def x_of(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def points(scatter: pg.ScatterPlotItem) -> list[tuple[float, float, object]]:
    return [(float(p["x"]), float(p["y"]), p["data"]) for p in scatter.data]


def test_thinned_markers_hand_over_all_while_few_and_only_those_in_view_when_many(
    qtbot: QtBot,
) -> None:
    scatter = pg.ScatterPlotItem()
    markers = ThinnedMarkers(scatter, cap=10)
    markers.set([1.0, 2.0, 3.0], [10.0, 20.0, 30.0], ["a", "b", "c"])
    assert points(scatter) == [(1.0, 10.0, "a"), (2.0, 20.0, "b"), (3.0, 30.0, "c")]
    markers.show_range(2.5, 9.0)  # few: all stay, whatever is in view
    assert len(scatter.data) == 3

    x = [float(d) for d in range(100)]
    y = [d * 1.5 for d in x]
    labels = [f"day {d}" for d in range(100)]
    markers.set(x, y, labels)
    assert len(scatter.data) == 0  # many, and no range shown yet: none
    markers.show_range(40.0, 47.5)  # eight in view: 40 .. 47, each at its own position
    assert points(scatter) == [(d, d * 1.5, f"day {int(d)}") for d in x[40:48]]
    assert not markers.crowded
    markers.show_range(0.0, 50.0)  # 51 in view, more than the cap: none, and it says so
    assert len(scatter.data) == 0
    assert markers.crowded


def test_the_price_chart_has_one_marker_a_day_at_the_day_s_weighted_price(erasmo: Erasmo) -> None:
    door = erasmo.door
    d1, d2 = date(2011, 6, 1), date(2011, 6, 2)  # IBM 166.50-169.58, then 165.71-167.10
    pid = door.open_portfolio("Day", "100000", d1).id
    door.buy(pid, "IBM", "10", d1, "167.00")
    door.buy(pid, "IBM", "30", d1, "168.00")
    door.buy(pid, "IBM", "5", d2, "166.00")
    door.sell(pid, "IBM", "20", d2, "167.00")
    series = price_series(erasmo.market, "IBM", door.ticker_trades(pid, "IBM"))
    # 06-01: (10 x 167 + 30 x 168) / 40 = (1,670 + 5,040) / 40 = 167.75; 06-02: its one buy
    assert series.buys.x == [x_of(d1), x_of(d2)]
    assert series.buys.price == [167.75, 166.0]
    assert series.buys.count == [2, 1]
    assert series.sells.x == [x_of(d2)]
    assert series.sells.price == [167.0]
    assert series.buys.text[0].splitlines() == [
        "2011-06-01: 2 trades, bought 40 at 167.75 on average",
        "Bought 10 at 167",
        "Bought 30 at 168",
    ]
    assert series.sells.text == ["2011-06-02 Sold 20 at 167"]


def many_days(erasmo: Erasmo, days: list[date]) -> UUID:
    """A portfolio with one KO buy of one share on each of `days` (recorded in a few saves)."""
    app = erasmo.app
    pid = erasmo.door.open_portfolio("Many", "10000000", days[0]).id
    portfolio = app.portfolio(pid)
    for day in days:
        bar = erasmo.market.bar("KO", day)
        assert bar is not None
        provenance = PriceProvenance("bundled:skfolio", day, True)
        portfolio.buy("KO", D(1), bar.close, day, provenance, D(0))
    app.save(portfolio)
    return pid


def test_the_price_chart_shows_markers_only_in_a_short_enough_range(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    days = list(shared_market().trading_days("KO"))[-3 * 252 :]  # its last three years
    assert len(days) > MARKER_CAP
    pid = many_days(erasmo, days)
    c = window_on(qtbot, erasmo, make_window, pid)
    c.window.tabs.setCurrentIndex(CHART_TAB)
    chart = c.chart
    assert chart is not None
    qtbot.waitUntil(lambda: chart.series is not None and chart.ticker == "KO", timeout=20_000)
    view = chart.view
    view.range_buttons["Max"].click()
    assert len(view.buy_markers.data) == 0  # 3 years of daily markers would smear the line
    assert "shorter range" in view.note.text()
    view.range_buttons["3M"].click()
    (x0, x1), _ = view.plot.getPlotItem().getViewBox().viewRange()
    in_view = [d for d in days if x0 <= x_of(d) <= x1]
    assert 55 <= len(in_view) <= 70  # about three months of trading days
    closes = {x_of(d): float(erasmo.market.bar("KO", d).close) for d in in_view}  # type: ignore[union-attr]
    assert {(x, y) for x, y, _text in points(view.buy_markers)} == set(closes.items())
    assert "shorter range" not in view.note.text()


def test_the_performance_chart_hands_over_only_the_markers_in_view_when_many(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    days = list(shared_market().trading_days("KO"))[-2 * 252 :]  # its last two years
    assert len(days) > MARKER_CAP  # two years of trading days
    pid = many_days(erasmo, days)
    c = window_on(qtbot, erasmo, make_window, pid)
    p = c.analysis.performance
    assert p is not None
    assert p.data is not None
    view = p.view
    assert not view.buy_markers.isVisible()  # the whole history: hidden, and nothing handed
    assert len(view.buy_markers.data) == 0
    with qtbot.waitSignal(p.metrics_shown, timeout=10_000):
        view.range_buttons["1M"].click()
    assert view.buy_markers.isVisible()
    (x0, x1), _ = view.value_plot.getPlotItem().getViewBox().viewRange()
    in_view = [x_of(d) for d in days if x0 <= x_of(d) <= x1]
    assert 18 <= len(in_view) <= 23  # about a month of trading days
    # each at its day on the value line, one trade a day
    value_at = dict(zip(p.data.x, p.data.total, strict=True))
    assert points(view.buy_markers) == [(x, value_at[x], 1) for x in in_view]
