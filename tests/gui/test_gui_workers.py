"""Background jobs: results, errors and cancel come back to the GUI thread."""

from __future__ import annotations

import threading
import time

from pytestqt.qtbot import QtBot

from events.errors import InsufficientCashError
from gui.workers import Jobs, Progress


def test_a_job_reports_progress_and_its_result_in_the_gui_thread(qtbot: QtBot) -> None:
    jobs = Jobs()
    gui_thread = threading.get_ident()
    seen: dict[str, object] = {}

    def job(progress: Progress) -> int:
        seen["worker"] = threading.get_ident()
        for i in range(3):
            progress.report(i + 1, 3)
        return 42

    def done(result: object) -> None:
        seen["result"], seen["callback"] = result, threading.get_ident()

    handle = jobs.start(job, done, title="Counting")
    steps: list[tuple[int, int]] = []
    handle.progressed.connect(lambda d, t: steps.append((d, t)))
    qtbot.waitUntil(lambda: "result" in seen and not jobs.busy, timeout=5000)
    assert seen["result"] == 42
    assert seen["worker"] != gui_thread
    assert seen["callback"] == gui_thread
    assert handle.title == "Counting"


def test_errors_are_messages_and_cancel_stops_the_job(qtbot: QtBot) -> None:
    jobs = Jobs()
    failures: list[str] = []
    jobs.start(lambda p: (_ for _ in ()).throw(InsufficientCashError("no cash")), None,
               failures.append)  # fmt: skip
    jobs.start(lambda p: 1 / 0, None, failures.append)
    qtbot.waitUntil(lambda: len(failures) == 2, timeout=5000)
    assert "no cash" in failures
    assert any(f.startswith("Unexpected error: ZeroDivisionError") for f in failures)

    cancelled: list[bool] = []

    def endless(progress: Progress) -> None:
        while True:
            progress.check()
            time.sleep(0.005)

    handle = jobs.start(endless, on_cancel=lambda: cancelled.append(True))
    qtbot.wait(30)
    handle.cancel()
    qtbot.waitUntil(lambda: cancelled == [True] and not jobs.busy, timeout=5000)


def test_a_discarded_job_never_delivers_even_when_it_had_finished(qtbot: QtBot) -> None:
    """A newer request discards the older one; the older result, already on its way to the GUI
    thread, must not arrive after the newer one and overwrite it."""
    jobs = Jobs()
    results: list[str] = []
    cancelled: list[str] = []
    handle = jobs.start(lambda p: "old", results.append, on_cancel=lambda: cancelled.append("old"))
    assert jobs.pool.waitForDone(5000)  # finished; its report is queued, not yet delivered
    handle.discard()
    jobs.start(lambda p: "new", results.append)
    qtbot.waitUntil(lambda: not jobs.busy, timeout=5000)
    assert results == ["new"]
    assert cancelled == []


def test_a_cancel_that_comes_too_late_still_delivers_what_the_job_did(qtbot: QtBot) -> None:
    """Cancel asks a job to stop; one that has already finished (a sync that has recorded, say)
    still reports its result, so the window never says "nothing was recorded" wrongly."""
    jobs = Jobs()
    results: list[str] = []
    handle = jobs.start(lambda p: "recorded", results.append)
    assert jobs.pool.waitForDone(5000)
    handle.cancel()
    qtbot.waitUntil(lambda: not jobs.busy, timeout=5000)
    assert results == ["recorded"]
