"""The simulation clock: step buttons, Go to date and Play, each step run in the background."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta
from uuid import UUID

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from erasmo.door import FrontDoor
from erasmo.door.models import AdvanceReport
from events.errors import ErasmoError
from gui.dialogs.form import to_date, to_qdate
from gui.views.clock_bar import ClockBar
from gui.workers import JobHandle, Jobs, Progress


class ClockController(QObject):
    """Moves a simulation portfolio's clock through the front door, off the GUI thread."""

    advanced = Signal(object)  # the door's report of the step
    failed = Signal(str)

    def __init__(self, door: FrontDoor, bar: ClockBar, jobs: Jobs, parent: QObject) -> None:
        super().__init__(parent)
        self.door, self.bar, self.jobs = door, bar, jobs
        self.portfolio_id: UUID | None = None
        self.clock: date | None = None
        self._job: JobHandle | None = None
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._on_tick)
        for days, button in bar.steps.items():
            button.clicked.connect(lambda _=False, d=days: self.step(days=d))
        bar.go.clicked.connect(self._on_go)
        bar.play.clicked.connect(self._on_play_clicked)
        bar.speed.currentIndexChanged.connect(self._on_speed_changed)
        bar.setVisible(False)

    # -- which portfolio ------------------------------------------------------------------------

    def show_portfolio(self, portfolio_id: UUID | None, simulated: bool) -> None:
        """Show the bar for a simulation portfolio; hide it otherwise."""
        switched = portfolio_id != self.portfolio_id
        if switched:
            self.pause()
        self.portfolio_id = portfolio_id if simulated else None
        self.bar.setVisible(self.portfolio_id is not None)
        if self.portfolio_id is not None:
            self.refresh(switched=switched)
        elif portfolio_id is not None:
            self.catch_up(portfolio_id)

    def catch_up(self, portfolio_id: UUID) -> JobHandle:
        """Bring a live margin account to the latest market data, in the background: its
        interest, fees and margin calls of the days since its clock (the door records nothing
        for any other portfolio, or when it is there already). What it did is reported as a
        step's report, so the views are read again."""
        door = self.door
        return self.jobs.start(
            lambda _: door.catch_up(portfolio_id), self._on_caught_up, self._on_catch_up_failed
        )

    @Slot(object)
    def _on_caught_up(self, report: AdvanceReport | None) -> None:
        if report is not None:
            self.advanced.emit(report)

    @Slot(str)
    def _on_catch_up_failed(self, message: str) -> None:
        self.failed.emit(message)

    def refresh(self, switched: bool = False) -> None:
        """Read the clock again. After a switch of portfolio, Go to date offers the next
        trading day after the new portfolio's clock, never a date chosen for another one."""
        if self.portfolio_id is None:
            return
        try:
            self.clock = self.door.clock(self.portfolio_id)
        except ErasmoError as error:
            self.failed.emit(str(error))
            return
        self.bar.date.setText(f"{self.clock.isoformat()} ({self.clock.strftime('%a')})")
        next_day = to_qdate(self.clock + timedelta(days=1))
        self.bar.to_date.setMinimumDate(next_day)
        if switched:
            self.bar.to_date.setDate(to_qdate(self.next_trading_day(self.clock)))
        elif self.bar.to_date.date() < next_day:
            self.bar.to_date.setDate(to_qdate(self.clock + timedelta(days=7)))

    def next_trading_day(self, day: date) -> date:
        """The market calendar's first day after `day` (the next day when it has none)."""
        days = self.door.market.trading_days()
        after = days[bisect_right(days, day)] if days and days[-1] > day else None
        return after or day + timedelta(days=1)

    @property
    def busy(self) -> bool:
        return self._job is not None

    # -- stepping -------------------------------------------------------------------------------

    def step(self, days: int | None = None, to: date | None = None) -> JobHandle | None:
        """Advance `days` trading days, or to `to`, in the background (None while one runs)."""
        if self.portfolio_id is None or self._job is not None:
            return None
        door, portfolio_id = self.door, self.portfolio_id

        def job(progress: Progress) -> AdvanceReport:
            def report(done: int, total: int) -> None:
                progress.check()  # Cancel: the step is abandoned before anything is recorded
                progress.report(done, total)

            return door.advance(portfolio_id, days=days, to=to, progress=report)

        for widget in self.bar.buttons():
            widget.setEnabled(False)
        long = to is not None or (days or 0) > 5
        title = "Advancing the clock…" if long and not self.timer.isActive() else ""
        self._job = self.jobs.start(
            job, self._on_advanced, self._on_failed, self._on_done, title=title
        )
        return self._job

    @Slot()
    def _on_go(self) -> None:
        if not self.bar.to_date.is_valid():
            self.failed.emit(self.bar.to_date.problem)
            return
        self.step(to=to_date(self.bar.to_date.date()))

    @Slot(object)
    def _on_advanced(self, report: AdvanceReport) -> None:
        self._on_done()
        text = describe(report)
        self.bar.report.setText(text)
        self.bar.report.setToolTip(text)
        self.bar.report.setToolTip(text)
        self.advanced.emit(report)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._on_done()
        self.pause()
        self.bar.report.setText(message)
        self.bar.report.setToolTip(message)
        self.failed.emit(message)

    @Slot()
    def _on_done(self) -> None:
        self._job = None
        for widget in self.bar.buttons():
            widget.setEnabled(True)
        self.refresh()

    # -- play -----------------------------------------------------------------------------------

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def play(self) -> None:
        if self.portfolio_id is None:
            return
        self.timer.start(int(self.bar.speed.currentData()))
        self.bar.set_playing(True)

    def pause(self) -> None:
        self.timer.stop()
        self.bar.set_playing(False)

    @Slot()
    def _on_play_clicked(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    @Slot()
    def _on_tick(self) -> None:
        if self._job is None:  # a slow step is never overtaken: the next tick waits for it
            self.step(days=1)

    @Slot()
    def _on_speed_changed(self) -> None:
        if self.playing:
            self.timer.setInterval(int(self.bar.speed.currentData()))


def describe(report: AdvanceReport) -> str:
    """One line about what a step did."""
    parts = []
    for attribute, word in (
        ("filled", "filled"),
        ("expired", "expired"),
        ("rejected", "rejected"),
    ):
        value = getattr(report, attribute, None)
        count = len(value) if isinstance(value, (list, tuple)) else value
        if count:
            parts.append(f"{count} {word}")
    end, days = report.end, report.trading_days
    head = f"Clock at {end.isoformat()} ({days} trading day{'s' if days != 1 else ''})"
    return head + (": " + ", ".join(parts) if parts else "") + f"; {report.open_orders} open."
