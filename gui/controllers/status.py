"""The status bar: where prices and events come from, and the background job in progress."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Slot

from erasmo.bootstrap import Erasmo
from gui.views.status import StatusBarView
from gui.workers import JobHandle, Jobs


class StatusController(QObject):
    """Names the market-data source and the store; shows titled jobs with progress and Cancel."""

    def __init__(self, erasmo: Erasmo, view: StatusBarView, jobs: Jobs, parent: QObject) -> None:
        super().__init__(parent)
        self.view = view
        self._watched: list[Jobs] = []
        store = erasmo.store
        if store.kind == "sqlite" and store.path is not None:
            view.store.setText(f"Store: SQLite {_home_relative(store.path)}")
        else:
            view.store.setText(f"Store: PostgreSQL {store.host}:{store.port}/{store.dbname}")
        view.store.setToolTip(store.describe())
        self.watch(jobs)
        view.job.cancel.clicked.connect(self._on_cancel)

    def watch(self, jobs: Jobs) -> None:
        """Show the titled jobs of `jobs` too."""
        self._watched.append(jobs)
        jobs.started.connect(self._on_job_started)

    def _titled(self) -> list[JobHandle]:
        return [h for jobs in self._watched for h in jobs.running() if h.title and not h.finished]

    @Slot(object)
    def _on_job_started(self, handle: JobHandle) -> None:
        if not handle.title:
            return  # quick background reads are not worth a progress bar
        indicator = self.view.job
        indicator.label.setText(handle.title)
        indicator.show_progress(0, 0)
        indicator.setVisible(True)
        handle.progressed.connect(indicator.show_progress)
        handle.done.connect(self._on_job_done)

    @Slot()
    def _on_job_done(self) -> None:
        titled = self._titled()
        if titled:
            self.view.job.label.setText(titled[-1].title)
        else:
            self.view.job.setVisible(False)

    @Slot()
    def _on_cancel(self) -> None:
        for handle in self._titled():
            handle.cancel()


def _home_relative(path: Path) -> str:
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)
