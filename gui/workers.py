"""Background work on the global QThreadPool, with progress and cooperative cancel.

A job is a plain function taking a `Progress`; it reports `progress.report(done, total)` and
checks `progress.cancelled` (or calls `progress.check()`, which raises `Cancelled`). Its result,
error or cancellation comes back to the GUI thread as a queued signal, so the event loop keeps
answering while it runs.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from events.errors import ErasmoError


class Cancelled(Exception):  # noqa: N818 - it is an outcome, not a failure
    """Raised inside a job when the user cancelled it."""


class Progress:
    """What a job sees of its caller: a cancel flag and a progress sink (thread-safe)."""

    def __init__(self, emit: Callable[[int, int], None]) -> None:
        self._cancel = threading.Event()
        self._emit = emit

    @property
    def cancelled(self) -> bool:
        """Whether the user asked the job to stop."""
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Ask the job to stop at its next check."""
        self._cancel.set()

    def check(self) -> None:
        """Raise `Cancelled` if the user asked the job to stop."""
        if self._cancel.is_set():
            raise Cancelled

    def report(self, done: int, total: int) -> None:
        """Tell the GUI how far the job is (total 0: unknown)."""
        self._emit(done, total)


class JobSignals(QObject):
    """Signals of one job, emitted from the pool thread and delivered in the GUI thread."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()


Job = Callable[[Progress], Any]


class Worker(QRunnable):
    """Runs one job in the thread pool."""

    def __init__(self, job: Job) -> None:
        super().__init__()
        # Python keeps the worker (Jobs holds it until it is done); Qt must not delete it.
        self.setAutoDelete(False)
        self.signals = JobSignals()
        self.progress = Progress(self.signals.progressed.emit)
        self._job = job

    def run(self) -> None:
        try:
            result = self._job(self.progress)
        except Cancelled:
            self.signals.cancelled.emit()
        except ErasmoError as error:
            self.signals.failed.emit(str(error))
        except Exception as error:  # a bug: report it readably, never kill the window
            traceback.print_exc()
            self.signals.failed.emit(f"Unexpected error: {type(error).__name__}: {error}")
        else:
            if self.progress.cancelled:
                self.signals.cancelled.emit()
            else:
                self.signals.succeeded.emit(result)
        self.signals.finished.emit()


class JobHandle(QObject):
    """The GUI-thread end of one job: relays its signals to the caller's callbacks.

    It lives in the GUI thread, so the worker's signals reach it as queued calls whatever the
    thread they are emitted from.
    """

    progressed = Signal(int, int)
    done = Signal()

    def __init__(
        self,
        worker: Worker,
        on_success: Callable[[Any], None] | None,
        on_failure: Callable[[str], None] | None,
        on_cancel: Callable[[], None] | None,
        parent: QObject,
        title: str = "",
    ) -> None:
        super().__init__(parent)
        self.title = title
        self.progress = worker.progress
        self._on_success_callback = on_success
        self._on_failure_callback = on_failure
        self._on_cancel_callback = on_cancel
        self.finished = False
        worker.signals.progressed.connect(self._on_progressed)
        worker.signals.succeeded.connect(self._on_succeeded)
        worker.signals.failed.connect(self._on_failed)
        worker.signals.cancelled.connect(self._on_cancelled)
        worker.signals.finished.connect(self._on_finished)

    def cancel(self) -> None:
        """Ask the job to stop."""
        self.progress.cancel()

    @Slot(int, int)
    def _on_progressed(self, done: int, total: int) -> None:
        self.progressed.emit(done, total)

    @Slot(object)
    def _on_succeeded(self, result: object) -> None:
        if self._on_success_callback is not None:
            self._on_success_callback(result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if self._on_failure_callback is not None:
            self._on_failure_callback(message)

    @Slot()
    def _on_cancelled(self) -> None:
        if self._on_cancel_callback is not None:
            self._on_cancel_callback()

    @Slot()
    def _on_finished(self) -> None:
        self.finished = True
        self.done.emit()


class Jobs(QObject):
    """Starts jobs in the pool and tracks the running ones."""

    started = Signal(object)  # the JobHandle

    def __init__(self, pool: QThreadPool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._running: dict[JobHandle, Worker] = {}

    def start(
        self,
        job: Job,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[str], None] | None = None,
        on_cancel: Callable[[], None] | None = None,
        *,
        title: str = "",
    ) -> JobHandle:
        """Run `job` in the pool; the callbacks run in the GUI thread.

        A job with a `title` is shown in the status bar with its progress and a Cancel button.
        """
        worker = Worker(job)
        handle = JobHandle(worker, on_success, on_failure, on_cancel, self, title)
        self._running[handle] = worker  # keeps the worker's signals alive until it is done
        handle.done.connect(self._on_job_done)
        self.started.emit(handle)
        self.pool.start(worker)
        return handle

    @property
    def busy(self) -> bool:
        """Whether a job is still running."""
        return bool(self._running)

    def running(self) -> list[JobHandle]:
        """The jobs still running, oldest first."""
        return list(self._running)

    def cancel_all(self) -> None:
        """Ask every running job to stop."""
        for handle in list(self._running):
            handle.cancel()

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the pool is idle (at shutdown and in tests)."""
        return self.pool.waitForDone(msecs)

    @Slot()
    def _on_job_done(self) -> None:
        handle = self.sender()
        if isinstance(handle, JobHandle):
            self._running.pop(handle, None)
            handle.deleteLater()
