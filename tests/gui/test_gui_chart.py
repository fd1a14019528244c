"""The price chart: candles painted from real OHLC bars, a close line otherwise, trade markers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter, QTransform
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from events.errors import UnknownTickerError
from gui.controllers.main import MainController
from gui.price_chart import price_series, x_of
from gui.views.main_window import CHART_TAB

MakeWindow = Callable[..., MainController]
UP, DOWN = QColor("#1a7f37"), QColor("#cf222e")
DAY = 86_400.0


def paint(item: object, width: int = 100, height: int = 100) -> QImage:
    """Render a candle item into an image: x day d at pixel 20 + 30 d, price p at 100 - p."""
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setTransform(QTransform(30 / DAY, 0, 0, -1, 20, 100))
    item.paint(painter)  # type: ignore[attr-defined]
    painter.end()
    return image


def test_the_candle_item_draws_one_candle_per_bar_coloured_by_direction(qtbot: QtBot) -> None:
    from gui.views.candles import CandlestickItem

    item = CandlestickItem(UP, DOWN)
    # day 0 rises 40 -> 60 (low 30, high 70); day 1 falls 60 -> 40; day 2 rises 50 -> 80.
    item.set_bars([0, DAY, 2 * DAY], [40, 60, 50], [70, 65, 90], [30, 35, 45], [60, 40, 80])
    assert item.count == 3
    assert item.candles_between(0, DAY) == 2
    assert item.candles_between(2.5 * DAY, 9 * DAY) == 0
    image = paint(item)
    # Bodies: day 0 at x=20, y from 40 to 60 -> pixel rows 40..60.
    assert image.pixelColor(20, 50) == UP
    assert image.pixelColor(50, 50) == DOWN
    assert image.pixelColor(80, 35) == UP
    # The wick of day 0 reaches its high (70 -> row 30) but not above it.
    assert image.pixelColor(20, 32) == UP
    assert image.pixelColor(20, 26) == QColor("white")
    # Between two candles: nothing painted.
    assert image.pixelColor(35, 50) == QColor("white")
    rect = item.boundingRect()
    assert rect.top() == 30
    assert rect.bottom() == 90


def test_the_candle_item_refuses_ragged_bars(qtbot: QtBot) -> None:
    from gui.views.candles import CandlestickItem

    item = CandlestickItem(UP, DOWN)
    with pytest.raises(ValueError, match="same length"):
        item.set_bars([0, DAY], [1], [2, 2], [0, 0], [1, 1])


def test_price_series_has_candles_for_ohlc_and_marks_the_trades(erasmo: Erasmo) -> None:
    t = erasmo.door
    pid = t.open_portfolio("Blue", "100000", date(2010, 3, 1)).id
    t.buy(pid, "IBM", "10", date(2010, 3, 1))
    t.sell(pid, "IBM", "4", date(2011, 6, 1), "168.50")
    t.buy(pid, "KO", "10", date(2011, 6, 1))
    series = price_series(erasmo.market, "ibm", t.ticker_trades(pid, "ibm"))
    bars = erasmo.market.bars("IBM")
    assert series.candles
    assert series.ticker == "IBM"
    assert len(series) == len(bars)
    assert len(series.open) == len(bars)
    assert series.x[0] == x_of(bars[0].day)
    assert series.high[-1] == float(bars[-1].high)  # type: ignore[arg-type]
    assert series.buys.x == [x_of(date(2010, 3, 1))]
    assert series.buys.price == [float(erasmo.market.bar("IBM", date(2010, 3, 1)).close)]  # type: ignore[union-attr]
    assert series.sells.price == [168.5]
    assert len(series.order_buys) == len(series.order_sells) == 0  # no orders: nothing hollow

    closes = price_series(erasmo.market, "KO", t.ticker_trades(pid, "KO"), until=date(2012, 1, 3))
    assert not closes.candles
    assert closes.open == []
    assert closes.x[-1] == x_of(date(2012, 1, 3))  # nothing after `until`
    assert len(closes.buys) == 1
    assert len(closes.sells) == 0
    with pytest.raises(UnknownTickerError):
        price_series(erasmo.market, "NOPE")


def test_the_chart_tab_draws_the_portfolio_s_ticker_and_switches_to_candles(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, demo: object
) -> None:
    c = make_window(erasmo)
    qtbot.waitUntil(lambda: c.history_model.rowCount() > 0, timeout=10_000)
    c.window.tabs.setCurrentIndex(CHART_TAB)
    chart = c.chart
    assert chart is not None
    qtbot.waitUntil(lambda: chart.series is not None, timeout=10_000)
    assert chart.ticker == "AAPL"  # the portfolio's first holding
    view = chart.view
    assert view.candles.count == 0  # skfolio has closes only: a line
    assert len(view.line.getData()[0]) == len(erasmo.market.bars("AAPL"))
    assert len(view.buy_markers.data) == 2  # bought AAPL twice
    assert len(view.sell_markers.data) == 0
    assert "adjusted" in view.note.text()

    with qtbot.waitSignal(chart.drawn, timeout=10_000):
        chart.show_ticker("ibm")
    assert view.candles.count == len(erasmo.market.bars("IBM"))
    assert view.line.getData()[0] is None or len(view.line.getData()[0]) == 0
    assert "raw, unadjusted" in view.note.text()
    qtbot.mouseClick(view.range_buttons["3M"], Qt.MouseButton.LeftButton)
    (x0, x1), _ = view.plot.getPlotItem().getViewBox().viewRange()
    shown = view.candles.candles_between(x0, x1)
    assert 55 <= shown <= 70  # about three months of trading days

    with qtbot.waitSignal(chart.failed, timeout=10_000):
        chart.show_ticker("NOPE")
    assert view.empty.isVisible()
    assert "NOPE" in view.empty.text()
