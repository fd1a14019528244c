"""Results of background jobs that arrive after their receiver is gone, and a window kept busy
while it trades: nothing crashes, nothing recorded is lost.

pytest-qt fails a test on any exception raised in the Qt event loop, so a result delivered to a
deleted dialog (RuntimeError: "Internal C++ object already deleted") fails these tests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QPoint
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import Shiboken

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController
from gui.views.main_window import PERFORMANCE_TAB
from gui.workers import Jobs, Progress

MakeWindow = Callable[..., MainController]


class ResultLabel(QLabel):
    """A receiver that touches its widget when a result arrives (as dialogs do)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.results: list[object] = []

    def on_result(self, result: object) -> None:
        self.setText(str(result))
        self.results.append(result)

    def on_failure(self, message: str) -> None:
        self.setText(message)


def test_a_result_for_a_dialog_closed_meanwhile_is_dropped(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    jobs = Jobs(parent=parent)
    release = threading.Event()
    receiver = ResultLabel(parent)
    survivor = ResultLabel(parent)

    def job(progress: Progress) -> int:
        release.wait(10)
        return 7

    jobs.start(job, receiver.on_result, receiver.on_failure)
    jobs.start(lambda p: 8, survivor.on_result)
    receiver.deleteLater()  # the dialog closes while its job runs
    qtbot.waitUntil(lambda: survivor.results == [8], timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: not jobs.busy, timeout=5000)
    assert jobs.running() == []


def test_jobs_whose_owner_is_deleted_meanwhile_report_to_nobody(qtbot: QtBot) -> None:
    owner = QWidget()
    jobs = Jobs(parent=owner)
    pool = jobs.pool
    release = threading.Event()
    seen: list[object] = []
    jobs.start(lambda p: release.wait(10), seen.append)
    owner.deleteLater()  # the window goes away while the job runs
    qtbot.waitUntil(lambda: not Shiboken.isValid(jobs), timeout=5000)
    release.set()
    assert pool.waitForDone(5000)
    qtbot.wait(20)
    assert seen == []


def test_trading_while_the_analytics_are_busy_records_every_trade(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    first = erasmo.door.open_portfolio("First", "20000", date(2019, 1, 2)).id
    second = erasmo.door.open_portfolio("Second", "5000", date(2019, 1, 2)).id
    c = make_window(erasmo, analysis=True)
    qtbot.waitUntil(lambda: c.analysis.performance is not None, timeout=30_000)
    c.window.tabs.setCurrentIndex(PERFORMANCE_TAB)
    viewport = c.analysis.performance.view.value_plot.viewport()
    trades = 8
    for n in range(trades):
        c.window.sidebar.select(c.portfolios.index_of(c.portfolios.row_of(first)))
        ticket = c.open_trade_ticket(ticker="KO")
        assert ticket is not None
        ticket.view.quantity.setText("2")
        assert ticket.view.ok.isEnabled(), ticket.view.message.text()
        ticket.view.ok.click()  # recorded; the snapshot, history and valuation jobs start
        # At once, while their results are on the way: another portfolio, a ticket opened
        # and closed, time travel, and the crosshair following the mouse.
        c.window.sidebar.select(c.portfolios.index_of(c.portfolios.row_of(second)))
        other = c.open_trade_ticket(ticker="MSFT")
        assert other is not None
        other.view.reject()
        slider = c.window.replay.slider
        if slider.isEnabled():
            slider.setValue(n % (slider.maximum() + 1))
        for x in range(10, viewport.width(), max(1, viewport.width() // 20)):
            QTest.mouseMove(viewport, QPoint(x, viewport.height() // 2))
        qtbot.wait(n * 7 % 30)  # results land at different moments of the next round
    qtbot.waitUntil(lambda: not c.jobs.busy and not c.analysis.jobs.busy, timeout=30_000)
    bought = [e for e in erasmo.app.history(first) if e.type == "SharesBought"]
    assert len(bought) == trades
    assert erasmo.app.portfolio(first).shares["KO"] == 2 * trades
    qtbot.waitUntil(lambda: c.portfolios.portfolio(0).valued, timeout=30_000)
    assert c.portfolios.portfolio(c.portfolios.row_of(first)).version == 2 + trades
