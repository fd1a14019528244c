"""Screenshots of the real window with the demo portfolio (the README's, and the render test's).

    python -m gui.screenshots [OUT_DIR]     # default: docs/screenshots

Builds erasmo over a fresh data directory, creates the demo portfolio, opens the main window
exactly as `erasmo gui` does, waits for the analytics and the charts, and saves each tab (plus
a time-travel moment and the trade ticket) as PNG files.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget

from erasmo.bootstrap import Erasmo, bootstrap
from gui import bindings, theme
from gui.controllers.main import MainController
from gui.demo import create_demo
from gui.views.main_window import (
    ALLOCATION_TAB,
    CHART_TAB,
    COMPARE_TAB,
    HISTORY_TAB,
    HOLDINGS_TAB,
    JOURNAL_TAB,
    ORDERS_TAB,
    PERFORMANCE_TAB,
    MainWindow,
)

SIZE = QSize(1280, 800)
#: The simulation portfolio of the order screenshots: IBM's daily candles of 2012.
SIMULATION = "Sim IBM"
BRANCH = "Demo, kept KO"
#: A fixed "today" keeps the screenshots the same from one run to the next.
TODAY = date(2026, 1, 2)


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Run the event loop until `condition()` holds (TimeoutError after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not finish loading in time")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)


def settle(seconds: float = 0.3) -> None:
    """Let layouts, timers and repaints run for a moment."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)


def open_demo_window(erasmo: Erasmo) -> tuple[MainWindow, MainController]:
    """The main window over `erasmo` with its demo portfolio, fully loaded."""
    if not erasmo.door.portfolios():
        create_demo(erasmo.door)
    window = MainWindow(theme.app_icon())
    controller = MainController(erasmo, window, offer_demo=False)
    window.resize(SIZE)
    window.show()
    wait_until(lambda: controller.analysis.performance is not None)
    wait_until(lambda: controller.history_model.rowCount() > 0)
    performance = controller.analysis.performance
    assert performance is not None  # waited for above
    wait_until(lambda: performance.metrics is not None and performance.data is not None)
    wait_until(lambda: all(r.value is not None for r in controller.portfolios.portfolios()))
    settle()
    return window, controller


def grab(widget: QWidget, path: Path) -> QImage:
    """Render `widget` (and its children) to a PNG file; returns the image."""
    image = widget.grab().toImage()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path)):
        raise OSError(f"cannot write {path}")
    return image


def welcome_shot(out_dir: Path) -> Path:
    """The window over an empty store: the welcome, before any portfolio."""
    empty = bootstrap(
        Path(tempfile.mkdtemp(prefix="erasmo-empty-")), today=lambda: TODAY, offline=True
    )
    window = MainWindow(theme.app_icon())
    controller = MainController(empty, window, offer_demo=False)
    window.resize(SIZE)
    window.show()
    settle(0.5)
    path = out_dir / "welcome.png"
    try:
        grab(window, path)
    finally:
        controller.shutdown()
        window.close()
        empty.close()
    return path


def take(out_dir: Path, data_dir: Path | None = None) -> list[Path]:
    """Save the README's screenshots into `out_dir`; returns their paths."""
    bindings.keep_singletons_alive()  # screenshots spin the event loop thousands of times
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    theme.apply(app, dark=False)
    data = data_dir or Path(tempfile.mkdtemp(prefix="erasmo-shots-"))
    erasmo = bootstrap(data, today=lambda: TODAY, offline=True)  # never touches the network
    window, controller = open_demo_window(erasmo)
    saved: list[Path] = []
    try:
        saved += _tab_shots(out_dir, window, controller)
        # Time travel: the portfolio right after its March 2020 purchases.
        rows = controller.history_model.rows()
        moment = next(i for i, r in enumerate(rows) if r.on >= date(2020, 3, 23))
        window.tabs.setCurrentIndex(PERFORMANCE_TAB)
        window.replay.slider.setValue(moment)
        wait_until(lambda: controller.analysis.shown_as_of() == rows[moment].seq)
        settle(0.5)
        saved.append(out_dir / "time-travel.png")
        grab(window, saved[-1])
        controller.replay.go_latest()
        ticket = controller.open_trade_ticket(ticker="KO")
        assert ticket is not None
        ticket.view.quantity.setText("25")
        settle()
        saved.append(out_dir / "trade-ticket.png")
        grab(ticket.view, saved[-1])
        ticket.view.reject()
        saved += _trading_shots(out_dir, erasmo, window, controller)
        saved.append(journal_shot(out_dir, erasmo, window, controller))
    finally:
        controller.shutdown()
        window.close()
    try:  # the same window on a dark palette, as on a desktop set to dark
        theme.apply(app, dark=True)
        window, controller = open_demo_window(erasmo)
        _select(controller, "Demo")
        demo = erasmo.door.resolve("Demo")
        analysis = controller.analysis
        wait_until(lambda: analysis.last_snapshot is not None
                   and analysis.last_snapshot.portfolio == demo)  # fmt: skip
        window.tabs.setCurrentIndex(PERFORMANCE_TAB)
        settle(0.5)
        saved.append(out_dir / "dark.png")
        grab(window, saved[-1])
    finally:
        controller.shutdown()
        window.close()
        theme.apply(app, dark=False)
        erasmo.close()
    return saved


def _tab_shots(out_dir: Path, window: MainWindow, controller: MainController) -> list[Path]:
    saved = []
    for tab, name in (
        (HOLDINGS_TAB, "holdings"),
        (PERFORMANCE_TAB, "performance"),
        (ALLOCATION_TAB, "allocation"),
        (HISTORY_TAB, "history"),
    ):
        window.tabs.setCurrentIndex(tab)
        if tab == PERFORMANCE_TAB:
            _last_year(controller)  # zoomed in enough for the trade markers
        if tab == ALLOCATION_TAB:
            window.allocation.by_sector.click()  # the tickers grouped by sector
        settle()
        saved.append(out_dir / f"{name}.png")
        grab(window, saved[-1])
    _max_range(controller)
    return saved


def _last_year(controller: MainController) -> None:
    performance = controller.analysis.performance
    assert performance is not None
    performance.view.range_buttons["1Y"].click()
    wait_until(lambda: performance.metrics is not None and performance.metrics.end.year == 2022
               and performance.metrics.start.year == 2021)  # fmt: skip


def _max_range(controller: MainController) -> None:
    performance = controller.analysis.performance
    assert performance is not None
    performance.view.range_buttons["Max"].click()
    settle()


def create_simulation(erasmo: Erasmo) -> None:
    """A simulation portfolio on IBM with orders filled, cancelled and open, and a what-if
    branch of the demo: what the order, chart and comparison screenshots show."""
    door = erasmo.door
    sim = door.open_portfolio(
        SIMULATION, "50000", date(2012, 6, 1), mode="simulation", commission="1.00",
        slippage_bps=5,
    ).id  # fmt: skip
    door.place_order(sim, "buy", "IBM", "100")
    door.place_order(sim, "buy", "IBM", "50", kind="limit", limit="188", tif="gtc")
    door.advance(sim, days=15)
    door.place_order(sim, "sell", "IBM", "60", kind="limit", limit="205", tif="gtc")
    door.advance(sim, days=60)
    door.place_order(sim, "sell", "IBM", "40", kind="trailing", trail="4%", tif="gtc")
    door.place_order(sim, "buy", "IBM", "30", kind="limit", limit="185", tif="gtc")
    door.advance(sim, days=40)
    door.place_order(sim, "buy", "IBM", "20", kind="stop-limit", stop="212", limit="214",
                     tif="gtc", expires=date(2013, 1, 31))  # fmt: skip
    door.place_order(sim, "buy", "IBM", "25", kind="limit", limit="180", tif="gtc")
    demo = door.resolve("Demo")
    sale = next(e for e in door.history(demo) if e.type == "SharesSold")
    branch = door.fork(demo, BRANCH, at_seq=sale.seq - 1).id
    door.buy(branch, "MSFT", "40", date(2020, 3, 23))


def _select(controller: MainController, name: str) -> None:
    portfolio = controller.erasmo.door.resolve(name)
    row = controller.portfolios.row_of(portfolio)
    controller.window.sidebar.select(controller.portfolios.index_of(row))
    loaded: list[object] = []
    controller.history_loaded.connect(loaded.append)
    wait_until(lambda: portfolio in loaded or (
        controller.session.portfolio == portfolio and controller.history_model.rowCount() > 0
        and controller.history_model.rows()[-1].name == name))  # fmt: skip
    controller.history_loaded.disconnect(loaded.append)
    settle()


def _trading_shots(
    out_dir: Path, erasmo: Erasmo, window: MainWindow, controller: MainController
) -> list[Path]:
    """The price chart, the orders and the clock, the order ticket, and the comparison."""
    saved: list[Path] = []
    create_simulation(erasmo)
    controller.session.store_changed.emit()  # as after any command: values in the sidebar
    controller.reload_portfolios()
    wait_until(lambda: all(r.value is not None for r in controller.portfolios.portfolios()))
    _select(controller, SIMULATION)
    window.tabs.setCurrentIndex(CHART_TAB)
    chart = controller.ensure_chart()
    chart.show_ticker("IBM")
    wait_until(lambda: chart.series is not None and chart.series.ticker == "IBM")
    chart._on_range("1Y")
    settle(0.5)
    saved.append(out_dir / "price-chart.png")
    grab(window, saved[-1])
    window.tabs.setCurrentIndex(ORDERS_TAB)
    window.orders.show_all.setChecked(True)
    settle()
    saved.append(out_dir / "orders.png")
    grab(window, saved[-1])
    ticket = controller.open_order_ticket(side="sell", ticker="IBM")
    assert ticket is not None
    ticket.set_kind("stop-limit")
    ticket.view.quantity.setText("50")
    ticket.view.stop.setText("190")
    ticket.view.limit.setText("188.50")
    ticket.view.tif.setCurrentIndex(ticket.view.tif.findData("gtc"))
    settle()
    saved.append(out_dir / "order-ticket.png")
    grab(ticket.view, saved[-1])
    ticket.view.reject()
    _select(controller, BRANCH)
    window.tabs.setCurrentIndex(COMPARE_TAB)
    compare = controller.ensure_compare()
    assert compare is not None  # the analytics were loaded above
    wait_until(lambda: compare.result is not None and compare.board.rowCount() > 0, 60)
    settle(0.5)
    saved.append(out_dir / "compare.png")
    grab(window, saved[-1])
    return saved


JOURNAL = "Swing trades"
_SWING = ("AAPL", "MSFT", "KO", "JNJ", "JPM", "WMT", "XOM", "PG")
_TAGS = ("breakout", "earnings", "dip", "breakout", "trend")


def _trading_day(erasmo: Erasmo, ticker: str, day: date) -> date:
    while erasmo.door.market.bar(ticker, day) is None:
        day += timedelta(days=1)
    return day


def create_journal(erasmo: Erasmo) -> None:
    """A portfolio of two years of swing trades (one a month, held three to seven weeks), with
    tags and a few notes: what the journal screenshot shows."""
    door = erasmo.door
    pid = door.open_portfolio(JOURNAL, "40000", date(2018, 1, 2)).id
    steps: list[tuple[date, int, str, str, str]] = []  # day, buy first, ticker, qty, side
    for m in range(24):
        ticker = _SWING[m % len(_SWING)]
        entry = _trading_day(erasmo, ticker, date(2018 + m // 12, m % 12 + 1, 3))
        bar = door.market.bar(ticker, entry)
        assert bar is not None  # a trading day
        quantity = str(int(5000 / float(bar.close)))
        steps.append((entry, 0, ticker, quantity, _TAGS[m % len(_TAGS)]))
        if m < 23:  # the last one is still open
            exit_ = _trading_day(erasmo, ticker, entry + timedelta(20 + (m * 11) % 30))
            steps.append((exit_, 1, ticker, quantity, ""))
    for n, (day, sell, ticker, quantity, tag) in enumerate(sorted(steps)):
        if sell:
            door.sell(pid, ticker, quantity, day)
        else:
            note = "Gap up on earnings held above the range" if n % 9 == 2 else None
            door.buy(pid, ticker, quantity, day, note=note, tags=tag)
    sells = [e for e in door.history(pid) if e.type == "SharesSold"]
    door.note(pid, sells[4].seq, "Sold into the close; stop was too tight", "mistake")


def journal_shot(
    out_dir: Path, erasmo: Erasmo, window: MainWindow, controller: MainController
) -> Path:
    """The Journal tab of a portfolio of swing trades, one with notes selected."""
    create_journal(erasmo)
    controller.session.store_changed.emit()
    controller.reload_portfolios()
    _select(controller, JOURNAL)
    window.tabs.setCurrentIndex(JOURNAL_TAB)
    journal = controller.journal
    pid = erasmo.door.resolve(JOURNAL)
    wait_until(lambda: journal.result is not None and journal.result.portfolio == pid, 60)
    assert journal.result is not None  # waited for above
    noted = next(r for r in journal.result.rows if r.note and r.status == "closed")
    journal.select_trade(noted.entry_seq, noted.exit_seq)
    settle(0.5)
    path = out_dir / "journal.png"
    grab(window, path)
    return path


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots")
    for path in [*take(out), welcome_shot(out)]:
        print(path)


if __name__ == "__main__":
    main()
