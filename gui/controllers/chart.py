"""The price chart's behaviour: which ticker, which range; its bars and the portfolio's trades of
the ticker are read in the background, on the analytics' thread (the trades come from their
event frame: `FrontDoor.ticker_trades`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from PySide6.QtCore import QObject, QStringListModel, Qt, Signal, Slot
from PySide6.QtWidgets import QCompleter, QStackedWidget

from erasmo.bootstrap import Erasmo
from events.errors import ErasmoError
from gui.price_chart import PriceSeries, price_series
from gui.theme import Colors
from gui.views.chart_tab import CHART_RANGES, PriceChartView
from gui.workers import JobHandle, Jobs, Progress

#: The last day a portfolio may see prices of (its simulation clock), or None: everything.
VisibleUntil = Callable[[UUID], date | None]


class PriceChartController(QObject):
    """Charts one ticker for the selected portfolio; reloads when the store changes."""

    drawn = Signal(object)  # the PriceSeries on screen
    failed = Signal(str)
    trade_requested = Signal(str)  # a ticker

    def __init__(
        self,
        erasmo: Erasmo,
        stack: QStackedWidget,
        colors: Colors,
        jobs: Jobs,
        visible_until: VisibleUntil,
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self.erasmo, self.jobs = erasmo, jobs
        self.visible_until = visible_until
        self.view = view = PriceChartView(colors)
        stack.addWidget(view)
        stack.setCurrentWidget(view)
        self.series: PriceSeries | None = None
        self._portfolio: tuple[UUID, str] | None = None
        self._job: JobHandle | None = None
        self.stale = False  # what it shows is not what `show_portfolio` asked for last
        self._range = "1Y"
        self._all = [i.ticker for i in erasmo.market.tickers()]
        completer = QCompleter(QStringListModel(self._all, view), view)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        view.ticker.setCompleter(completer)
        view.ticker.activated.connect(self._on_ticker_chosen)
        edit = view.ticker.lineEdit()
        if edit is not None:
            edit.returnPressed.connect(self._on_ticker_chosen)
        for name, button in view.range_buttons.items():
            button.clicked.connect(lambda _=False, n=name: self._on_range(n))
        view.trade.clicked.connect(self._on_trade)

    # -- what to chart --------------------------------------------------------------------------

    @property
    def ticker(self) -> str:
        return self.view.ticker.currentText().strip().upper()

    def show_portfolio(
        self, portfolio: tuple[UUID, str] | None, tickers: list[str], *, load: bool = True
    ) -> None:
        """Chart for `portfolio`, offering its `tickers` first (keeps the ticker if it can);
        without `load` (the chart is not in view) it is read only when `reload` is called."""
        self._portfolio = portfolio
        current = self.ticker
        combo = self.view.ticker
        combo.blockSignals(True)
        combo.clear()
        others = [t for t in self._all if t not in tickers]
        combo.addItems(tickers)
        if tickers and others:
            combo.insertSeparator(len(tickers))
        combo.addItems(others)
        # The portfolio's own tickers first: keep the one shown only if it is among them (or
        # if the portfolio has none).
        wanted = tickers[0] if tickers and current not in tickers else current
        if wanted:
            combo.setCurrentText(wanted)
        combo.blockSignals(False)
        if load:
            self.reload()
            return
        if self._job is not None:
            self._job.discard()
            self._job = None
        self.stale = True

    def show_ticker(self, ticker: str) -> JobHandle | None:
        """Chart `ticker` (upper-cased)."""
        self.view.ticker.setCurrentText(ticker.strip().upper())
        return self.reload()

    def reload(self) -> JobHandle | None:
        """Read the ticker's bars (up to the portfolio's clock) and its trades, then draw."""
        ticker = self.ticker
        self.stale = False
        if self._job is not None:
            self._job.discard()
            self._job = None
        if not ticker:
            self.series = None
            self.view.set_series(None)
            return None
        market, door = self.erasmo.market, self.erasmo.door
        portfolio = self._portfolio
        try:
            until = self.visible_until(portfolio[0]) if portfolio is not None else None
        except ErasmoError:
            until = None

        def job(progress: Progress) -> PriceSeries:
            # Only this ticker's trades, from the analytics' columns (not the whole log), under
            # the symbol the market data knows it by (as the trades record it).
            symbol = market.info(ticker).ticker
            trades = door.ticker_trades(portfolio[0], symbol, until) if portfolio else []
            return price_series(market, symbol, trades, until, lambda: progress.cancelled)

        self._job = self.jobs.start(job, self._on_series, self._on_failed)
        return self._job

    # -- results ---------------------------------------------------------------------------------

    @Slot(object)
    def _on_series(self, series: PriceSeries) -> None:
        self._job = None
        if series.ticker != self.ticker:
            return  # the user typed on
        self.series = series
        clock = f"clock {series.until.isoformat()}" if series.until is not None else ""
        self.view.empty.setVisible(not len(series))
        self.view.empty.setText("" if len(series) else f"No prices for {series.ticker}.")
        self.view.set_series(series, clock)
        self._apply_range()
        self.drawn.emit(series)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._job = None
        self.series = None
        self.view.set_series(None)
        self.view.empty.setText(message)
        self.view.empty.setVisible(True)
        self.failed.emit(message)

    # -- ranges ----------------------------------------------------------------------------------

    @Slot(str)
    def _on_range(self, name: str) -> None:
        self._range = name
        self.view.range_buttons[name].setChecked(True)
        self._apply_range()

    def _apply_range(self) -> None:
        series = self.series
        if series is None or not len(series):
            return
        months = dict(CHART_RANGES)[self._range]
        self.view.show_months(months, series.x[0], series.x[-1])

    @Slot()
    def _on_ticker_chosen(self, *_: object) -> None:
        self.view.empty.setVisible(False)
        self.reload()

    @Slot()
    def _on_trade(self) -> None:
        self.trade_requested.emit(self.ticker)
