"""Background work on the global QThreadPool, with progress and cooperative cancel.

A job is a plain function taking a `Progress`; it reports `progress.report(done, total)` and
checks `progress.cancelled` (or calls `progress.check()`, which raises `Cancelled`). Its result,
error or cancellation comes back to the GUI thread as a queued signal of one long-lived relay, so
the event loop keeps answering while it runs, and a result whose receiver was deleted meanwhile is
dropped rather than delivered to a dead object.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from shiboken6 import Shiboken

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


class _Relay(QObject):
    """Carries every job's reports from the pool threads to the GUI thread.

    One relay per `Jobs`, living as long as it does: a worker never owns a QObject, so nothing
    Qt is created or destroyed in a pool thread, and a report that arrives for a job whose
    handle is gone is simply dropped.
    """

    report = Signal(int, str, object)  # the job's number, what happened, its value


Job = Callable[[Progress], Any]


class Worker(QRunnable):
    """Runs one job in the thread pool and reports through `report(kind, value)`."""

    def __init__(self, job: Job, report: Callable[[str, object], None]) -> None:
        super().__init__()
        # Python keeps the worker (Jobs holds it until it is done); Qt must not delete it.
        self.setAutoDelete(False)
        self.progress = Progress(lambda done, total: report("progressed", (done, total)))
        self._job = job
        self._report = report

    def run(self) -> None:
        try:
            result = self._job(self.progress)
        except Cancelled:
            self._report("cancelled", None)
        except ErasmoError as error:
            self._report("failed", str(error))
        except Exception as error:  # a bug: report it readably, never kill the window
            traceback.print_exc()
            self._report("failed", f"Unexpected error: {type(error).__name__}: {error}")
        else:
            self._report("cancelled" if self.progress.cancelled else "succeeded", result)
        self._report("finished", None)


def _receiver_alive(callback: Callable[..., Any] | None) -> bool:
    """False without a callback, or when it is a method of a Qt object deleted meanwhile (a
    closed dialog): its result has nobody to go to."""
    if callback is None:
        return False
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or Shiboken.isValid(owner)


class JobHandle(QObject):
    """The GUI-thread end of one job: relays its reports to the caller's callbacks.

    A callback whose Qt object was deleted while the job ran is skipped.
    """

    progressed = Signal(int, int)
    done = Signal()

    def __init__(
        self,
        progress: Progress,
        on_success: Callable[[Any], None] | None,
        on_failure: Callable[[str], None] | None,
        on_cancel: Callable[[], None] | None,
        parent: QObject,
        title: str = "",
    ) -> None:
        super().__init__(parent)
        self.title = title
        self.progress = progress
        self._on_success_callback = on_success
        self._on_failure_callback = on_failure
        self._on_cancel_callback = on_cancel
        self.finished = False
        self._discarded = False

    def cancel(self) -> None:
        """Ask the job to stop."""
        self.progress.cancel()

    def discard(self) -> None:
        """Stop the job and drop whatever it ends with: a newer request replaced it.

        Unlike `cancel`, this holds even when the job has already finished and its result is on
        its way to the GUI thread; such a stale result must never overwrite a newer one.
        """
        self._discarded = True
        self.progress.cancel()

    def deliver(self, kind: str, value: Any) -> None:
        """One report of the job, in the GUI thread."""
        if kind == "progressed":
            self.progressed.emit(*value)
        elif kind == "finished":
            self.finished = True
            self.done.emit()
        elif self._discarded:
            return  # its result, failure or cancel is nobody's business now
        elif kind == "succeeded" and _receiver_alive(self._on_success_callback):
            self._on_success_callback(value)  # type: ignore[misc]
        elif kind == "failed" and _receiver_alive(self._on_failure_callback):
            self._on_failure_callback(value)  # type: ignore[misc]
        elif kind == "cancelled" and _receiver_alive(self._on_cancel_callback):
            self._on_cancel_callback()  # type: ignore[misc]


class Jobs(QObject):
    """Starts jobs in the pool and tracks the running ones."""

    started = Signal(object)  # the JobHandle

    def __init__(self, pool: QThreadPool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._relay = _Relay(self)
        self._relay.report.connect(self._on_report)  # queued: emitted in the pool's threads
        self._numbers = itertools.count(1)
        self._running: dict[int, tuple[JobHandle, Worker]] = {}

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
        number = next(self._numbers)
        emit = self._relay.report.emit

        def report(kind: str, value: object) -> None:
            with contextlib.suppress(RuntimeError):  # the relay is gone (its window closed)
                emit(number, kind, value)

        worker = Worker(job, report)
        handle = JobHandle(worker.progress, on_success, on_failure, on_cancel, self, title)
        self._running[number] = (handle, worker)  # until its "finished" report arrives
        self.started.emit(handle)
        self.pool.start(worker)
        return handle

    @property
    def busy(self) -> bool:
        """Whether a job is still running."""
        return bool(self._running)

    def running(self) -> list[JobHandle]:
        """The jobs still running, oldest first."""
        return [handle for handle, _worker in self._running.values()]

    def cancel_all(self) -> None:
        """Ask every running job to stop."""
        for handle in self.running():
            handle.cancel()

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the pool is idle (at shutdown and in tests)."""
        return self.pool.waitForDone(msecs)

    @Slot(int, str, object)
    def _on_report(self, number: int, kind: str, value: object) -> None:
        running = self._running.get(number)
        if running is None:
            return  # a job this Jobs no longer tracks: nobody to tell
        handle = running[0]
        if kind == "finished":
            del self._running[number]
        handle.deliver(kind, value)
        if kind == "finished":
            handle.deleteLater()
