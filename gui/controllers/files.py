"""Export and import of event-log files, off the GUI thread, with `verify` run first on import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFileDialog, QWidget

from erasmo.door import FrontDoor
from erasmo.door.models import ImportReceipt
from events.errors import ErasmoError, StoreError
from gui.dialogs.files import ExportView, ImportView
from gui.formatting import counted
from gui.workers import JobHandle, Jobs, Progress

#: Progress is reported in thousandths (file sizes overflow a Qt int).
PERMILLE = 1000
FILTER = "erasmo event logs (*.jsonl);;All files (*)"


@dataclass(frozen=True, slots=True)
class Verdict:
    """A verified file: the door's receipt of it, and how many of its events this store does
    not hold yet."""

    path: Path
    log: ImportReceipt
    new: int


def verify_for_import(door: FrontDoor, path: Path, progress: Progress) -> Verdict:
    """Check the file's hash chain and count, then how many events would be new (records none)."""

    def read(done: int, total: int) -> None:
        progress.check()  # Cancel stops the reading
        progress.report(min(PERMILLE, done * PERMILLE // max(1, total)), PERMILLE)

    receipt = door.verify_log(path, read)
    return Verdict(path, receipt, receipt.new)


class FileTransfers(QObject):
    """The Export and Import commands of the window."""

    exported = Signal(int, str)  # events, path
    verified = Signal(object)  # Verdict
    imported = Signal(int, int)  # new events, events in the file
    failed = Signal(str)

    def __init__(
        self,
        door: FrontDoor,
        jobs: Jobs,
        colors: tuple[QColor, QColor],
        window: QWidget | None = None,
        *,
        backup: Callable[[], object] | None = None,
    ) -> None:
        """Imports are checked by the market's rules too (the door's `import_log`)."""
        super().__init__(window)
        self.door, self.jobs, self.window = door, jobs, window
        self.backup = backup  # called in the import job before anything is recorded
        self._gain, self._loss = colors
        self.import_view: ImportView | None = None
        self._verdict: Verdict | None = None

    # -- what the window's actions call ------------------------------------------------------

    def ask_export(self, selected: tuple[UUID, str] | None, folder: Path) -> None:
        """Show the export dialog, then export in the background."""
        view = ExportView(self.window)
        if selected is None:
            view.selected.setEnabled(False)
            view.everything.setChecked(True)
            view.selected.setText("(no portfolio selected)")
        else:
            view.selected.setText(f"Only {selected[1]!r}")
        name = selected[1] if selected else "erasmo"
        view.path.setText(str(folder / f"{_file_stem(name)}.jsonl"))

        def browse() -> None:
            chosen, _ = QFileDialog.getSaveFileName(view, "Export to", view.path.text(), FILTER)
            if chosen:
                view.path.setText(chosen)

        view.browse.clicked.connect(browse)
        view.buttons.accepted.connect(view.accept)
        if view.exec() and view.path.text().strip():
            ids = [selected[0]] if selected and view.selected.isChecked() else []
            self.export(Path(view.path.text().strip()).expanduser(), ids)

    def ask_import(self, folder: Path) -> None:
        """Pick a file, verify it, show the verdict, and import it when asked to."""
        chosen, _ = QFileDialog.getOpenFileName(
            self.window, "Import event log", str(folder), FILTER
        )
        if chosen:
            self.verify(Path(chosen))

    # -- the work, in the background -------------------------------------------------------------

    def export(self, path: Path, portfolio_ids: list[UUID]) -> JobHandle:
        """Export the log (of `portfolio_ids`, or all) to `path`."""
        door = self.door

        def job(progress: Progress) -> int:
            progress.report(0, 0)
            return door.export_log(path, portfolio_ids)

        return self.jobs.start(
            job,
            lambda count: self.exported.emit(count, str(path)),
            self.failed.emit,
            title=f"Exporting to {path.name}…",
        )

    def verify(self, path: Path) -> JobHandle:
        """Verify `path` and show the verdict dialog (Import enabled only when it passed)."""
        view = ImportView(self._gain, self._loss, self.window)
        view.show_file(f"File: {path}")
        view.buttons.accepted.connect(self._on_import_confirmed)
        self.import_view = view
        self._verdict = None
        view.show()
        door = self.door
        handle = self.jobs.start(
            lambda progress: verify_for_import(door, path, progress),
            self._on_verified,
            self._on_verify_failed,
            lambda: view.show_verdict(False, "Verification cancelled.", ""),
            title=f"Verifying {path.name}…",
        )
        view.rejected.connect(handle.cancel)
        return handle

    def import_verified(self) -> JobHandle | None:
        """Import the file of the last verdict that passed."""
        verdict = self._verdict
        if verdict is None:
            return None
        door, path, backup = self.door, verdict.path, self.backup

        def job(progress: Progress) -> tuple[int, int]:
            progress.report(0, 0)
            if backup is not None:
                _back_up_first(backup)
            progress.check()
            receipt = door.import_log(path)
            return receipt.new, receipt.events

        return self.jobs.start(
            job,
            lambda r: self.imported.emit(*r),
            self.failed.emit,
            title=f"Importing {path.name}…",
        )

    # -- slots ------------------------------------------------------------------------------------

    @Slot(object)
    def _on_verified(self, verdict: Verdict) -> None:
        self._verdict = verdict
        log = verdict.log
        held = log.events - verdict.new
        if self.import_view is not None:
            self.import_view.show_verdict(
                True,
                f"OK: {counted(log.events, 'event')} of "
                f"{counted(len(log.portfolios), 'portfolio')}, written by erasmo "
                f"{log.erasmo_version}; the hash chain is intact "
                f"(ends {log.last_hash[:16]}).",
                f"{counted(verdict.new, 'event')} new to this store, {held:,} already held. "
                "Import is all-or-nothing: if any event breaks a rule, nothing is recorded.",
            )
            self.import_view.ok.setEnabled(verdict.new > 0)
        self.verified.emit(verdict)

    @Slot(str)
    def _on_verify_failed(self, message: str) -> None:
        self._verdict = None
        if self.import_view is not None:
            self.import_view.show_verdict(
                False, "This file cannot be imported.", message[:1].upper() + message[1:]
            )
            self.import_view.ok.setEnabled(False)

    @Slot()
    def _on_import_confirmed(self) -> None:
        if self.import_view is not None:
            self.import_view.accept()
        self.import_verified()


def _back_up_first(backup: Callable[[], object]) -> None:
    """Back the store up before an import; a failed backup stops the import."""
    try:
        backup()
    except (ErasmoError, OSError) as error:
        raise StoreError(
            f"The import was stopped because the automatic backup before it failed: {error} "
            "Nothing was imported."
        ) from None


def _file_stem(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name).strip("-") or "erasmo"
