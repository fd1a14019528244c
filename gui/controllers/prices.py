"""Live prices in the window: online/offline and the last refresh in the status bar, and
Refresh prices in the background with progress and Cancel."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from erasmo.market.service import PriceService, RefreshOutcome
from gui.views.status import StatusBarView
from gui.workers import JobHandle, Jobs, Progress

#: How often the status bar asks the price service again (a back-off ends, a refresh happened
#: in another program).
STATUS_INTERVAL_MS = 60_000


class PricesController(QObject):
    """Shows the price service's status; runs its refresh as a titled background job."""

    refreshed = Signal(object)  # the list of RefreshOutcome
    failed = Signal(str)

    def __init__(
        self, prices: PriceService, view: StatusBarView, jobs: Jobs, parent: QObject
    ) -> None:
        super().__init__(parent)
        self.prices, self.view, self.jobs = prices, view, jobs
        self.outcomes: list[RefreshOutcome] = []
        self._job: JobHandle | None = None
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.show_status)
        self.timer.start(STATUS_INTERVAL_MS)
        self.show_status()

    @Slot()
    def show_status(self) -> None:
        """Say in the status bar whether prices are live, and since when."""
        status = self.prices.status()
        last = status.last_refresh
        when = f" · last refresh {last:%Y-%m-%d %H:%M}" if last is not None else ""
        self.view.market.setText(f"Prices: {status.label}{when}")
        tip = [
            "Prices come from the bundled history, the local price cache and, when online, "
            "Yahoo Finance.",
            status.reason or "Online: tickers outside the bundled data are fetched from Yahoo.",
            f"{status.cached_tickers} ticker(s) in the price cache.",
        ]
        self.view.market.setToolTip("\n".join(tip))

    @property
    def busy(self) -> bool:
        return self._job is not None

    def refresh(self, tickers: list[str] | None = None) -> JobHandle | None:
        """Refresh the cached (or named) tickers in the background; None while one runs."""
        if self._job is not None:
            return None
        prices = self.prices

        def job(progress: Progress) -> list[RefreshOutcome]:
            def report(done: int, total: int, _ticker: str) -> None:
                progress.report(done, total)

            return list(prices.refresh(tickers, report, lambda: progress.cancelled))

        self._job = self.jobs.start(
            job, self._on_refreshed, self._on_failed, self._on_cancelled, title="Refreshing prices…"
        )
        return self._job

    @Slot(object)
    def _on_refreshed(self, outcomes: list[RefreshOutcome]) -> None:
        self._job = None
        self.outcomes = outcomes
        self.show_status()
        self.refreshed.emit(outcomes)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._job = None
        self.show_status()
        self.failed.emit(message)

    @Slot()
    def _on_cancelled(self) -> None:
        self._job = None
        self.show_status()
        self.failed.emit("Refreshing prices was cancelled.")


def summary(outcomes: list[RefreshOutcome]) -> str:
    """One sentence about a refresh, e.g. "Refreshed 3 tickers: 2 updated, 1 up to date."."""
    if not outcomes:
        return "No cached tickers to refresh: prices are fetched when a ticker is first used."
    words = {
        "updated": "updated",
        "current": "up to date",
        "bundled": "bundled",
        "failed": "failed",
        "rate-limited": "rate-limited",
        "cancelled": "not refreshed",
    }
    counts = Counter(o.status for o in outcomes)
    parts = [f"{counts[k]} {w}" for k, w in words.items() if counts[k]]
    failures = [o for o in outcomes if o.status in ("failed", "rate-limited")]
    why = f" {failures[0].ticker}: {failures[0].message}" if failures else ""
    n = len(outcomes)
    return f"Refreshed {n} ticker{'s' if n != 1 else ''}: {', '.join(parts)}.{why}"
