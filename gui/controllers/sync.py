"""The Sync dialog's behaviour: serve this store on loopback, or sync with another install.

The server runs in its own threads (`start_server`); the sync runs as a background job with
progress and Cancel (cancelling stops between pages: the cursor is saved after every page, so
the next sync resumes). The sync package is imported only when the dialog is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QWidget

from erasmo.bootstrap import Erasmo
from events.errors import ErasmoError
from gui.dialogs.sync import SyncView
from gui.workers import JobHandle, Jobs, Progress

if TYPE_CHECKING:
    from erasmo.sync.client import SyncSummary
    from erasmo.sync.serving import SyncServer

HOST = "127.0.0.1"


class SyncUnavailableError(ErasmoError):
    """The sync packages (Flask and waitress: they come with erasmo) cannot be imported."""


def _sync_modules() -> tuple[Any, Any, Any]:
    try:
        import erasmo.sync.client as client
        import erasmo.sync.serving as serving
        import erasmo.sync.token as token
    except ImportError as error:
        raise SyncUnavailableError(
            f"Sync needs Flask and waitress, which come with erasmo ({error}). "
            "Reinstall erasmo: pipx reinstall erasmo, or pip install --force-reinstall erasmo."
        ) from None
    return client, serving, token


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def describe(summary: SyncSummary, url: str) -> str:
    """What a sync did, in sentences."""
    lines = [
        f"Synced with {url}: pulled {_plural(summary.pulled, 'new event')}, pushed "
        f"{summary.pushed} ({summary.held} already held)."
    ]
    for conflict in summary.conflicts:
        lines.append(
            f"Conflict: both installs changed {conflict.name!r} since they last synced. "
            f"{conflict.name!r} now follows the other install; your version is kept as "
            f"{conflict.copy_name!r}."
        )
    for old, new in summary.renamed:
        lines.append(f"Renamed {old!r} to {new!r}: the other install has a portfolio named so.")
    return "\n".join(lines)


class SyncController(QObject):
    """Owns the sync server of this window and runs syncs; one dialog, reused."""

    synced = Signal(object)  # SyncSummary
    ended = Signal()  # a sync ended (done, failed or cancelled): events may have arrived
    serving_changed = Signal(str)  # the URL, or "" once stopped

    def __init__(
        self, erasmo: Erasmo, jobs: Jobs, error_color: QColor, window: QWidget | None = None
    ) -> None:
        super().__init__(window)
        self.erasmo, self.jobs, self.window = erasmo, jobs, window
        self._error_color = error_color
        self.server: SyncServer | None = None
        self.view: SyncView | None = None
        self.job: JobHandle | None = None

    # -- the dialog ----------------------------------------------------------------------------

    def open_dialog(self) -> SyncView:
        """The Sync dialog, shown (not modal: the window stays usable while it serves)."""
        if self.view is None:
            view = SyncView(self._error_color, self.window)
            view.serve.toggled.connect(self._on_serve_toggled)
            view.copy_url.clicked.connect(lambda: _copy(view.served_url.text()))
            view.copy_token.clicked.connect(lambda: _copy(view.served_token.text()))
            view.sync.clicked.connect(self._on_sync_clicked)
            view.cancel.clicked.connect(self.cancel)
            view.url.returnPressed.connect(self._on_sync_clicked)
            view.token.returnPressed.connect(self._on_sync_clicked)
            self.view = view
            if self.server is not None:
                view.serve.blockSignals(True)
                view.serve.setChecked(True)
                view.serve.blockSignals(False)
                view.show_serving(self.server.url, self._token())
            else:
                view.show_stopped()
        self.view.show()
        self.view.raise_()
        self.view.activateWindow()
        return self.view

    # -- serving -------------------------------------------------------------------------------

    def start_serving(self, port: int) -> str:
        """Serve this store on 127.0.0.1:`port` (0: a free port); its URL."""
        if self.server is not None:
            return self.server.url
        client, _serving, _tokens = _sync_modules()
        token = self._token()
        self.server = self.erasmo.door.sync_server(
            token=token, host=HOST, port=port, name=client.default_label()
        )
        self.serving_changed.emit(self.server.url)
        return self.server.url

    def stop_serving(self) -> None:
        """Stop the server, if it runs (toggle off, window closing)."""
        server, self.server = self.server, None
        if server is not None:
            server.stop()
            self.serving_changed.emit("")

    def _token(self) -> str:
        _client, _serving, tokens = _sync_modules()
        return str(tokens.load_or_create_token(self.erasmo.data_dir))

    @Slot(bool)
    def _on_serve_toggled(self, on: bool) -> None:
        view = self.view
        assert view is not None
        if not on:
            self.stop_serving()
            view.show_stopped("Stopped: other installs can no longer sync with this store.")
            return
        try:
            url = self.start_serving(view.port.value())
            token = self._token()
        except ErasmoError as error:
            view.show_stopped(str(error), error=True)
            return
        view.show_serving(url, token)

    # -- syncing -------------------------------------------------------------------------------

    def sync_with(self, url: str, token: str) -> JobHandle:
        """Sync this store with the server at `url` in the background."""
        door = self.erasmo.door

        def job(progress: Progress) -> tuple[SyncSummary, str]:
            _sync_modules()  # a missing sync package is named, as the dialog says
            progress.report(0, 0)
            syncer = door.sync_client(url, token)

            def step(_phase: str, done: int, total: int) -> None:
                progress.check()  # a cancel stops between pages; the cursor is already saved
                progress.report(done, total)

            summary = syncer.sync(progress=step)
            return summary, str(syncer.peer.url)

        view = self.view
        if view is not None:
            view.set_busy(True)
            view.outcome.show_hint(f"Syncing with {url}…")
        self.job = self.jobs.start(
            job, self._on_synced, self._on_failed, self._on_cancelled, title=f"Syncing with {url}…"
        )
        if view is not None:
            self.job.progressed.connect(view.show_progress)
        return self.job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    @Slot()
    def _on_sync_clicked(self) -> None:
        view = self.view
        if view is None or self.job is not None:
            return
        url, token = view.url.text().strip(), view.token.text().strip()
        if not url or not token:
            view.outcome.show_error("Give the other install's address and its token.")
            return
        self.sync_with(url, token)

    def _finish(self) -> None:
        self.job = None
        if self.view is not None:
            self.view.set_busy(False)
        self.ended.emit()

    def _on_synced(self, result: tuple[SyncSummary, str]) -> None:
        summary, url = result
        self._finish()
        if self.view is not None:
            self.view.outcome.show_hint(describe(summary, url))
        self.synced.emit(summary)

    def _on_failed(self, message: str) -> None:
        self._finish()
        if self.view is not None:
            self.view.outcome.show_error(f"The sync failed: {message}")

    def _on_cancelled(self) -> None:
        self._finish()
        if self.view is not None:
            self.view.outcome.show_hint(
                "Sync cancelled. What was already pulled is kept; the next sync resumes."
            )


def _copy(text: str) -> None:
    clipboard = QGuiApplication.clipboard()
    if clipboard is not None and text:
        clipboard.setText(text)
