"""Behaviour of the note dialog: the front door's dry run of the note on every change (in the
background, the latest inputs winning), then the note itself (a `NoteAdded` event on the trade's
entry or exit)."""

from __future__ import annotations

from uuid import UUID

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from erasmo.door import FrontDoor
from erasmo.door.journal import NoteReceipt, UnknownEventError
from events.errors import ErasmoError
from events.rules.notes import InvalidNoteError
from gui import formatting
from gui.controllers.journal_data import TradeRow
from gui.dialogs.form import mark_invalid
from gui.form_checks import FieldError, Fields, IncompleteError, Problem, problem_of
from gui.views.journal_note import NoteView
from gui.workers import Jobs, Progress

#: A dry run's answer: the inputs it was for, the receipt or the problem.
Answer = tuple[tuple[int, str, str], NoteReceipt | None, Problem | None]
NOTE_FIELDS: Fields = (((InvalidNoteError, UnknownEventError), "text"),)


def preview_note(
    door: FrontDoor, portfolio_id: UUID, seq: int, text: str, tags: str
) -> NoteReceipt:
    """The door's dry run of the note: the receipt it would record, or the error refusing it."""
    if not text.strip() and not tags.strip():
        raise IncompleteError("text", "Type a note, or a tag or two.")
    try:
        return door.note(portfolio_id, seq, text, tags, dry_run=True)
    except InvalidNoteError as error:
        if str(error).startswith(("Tag ", "A note takes at most")):
            raise FieldError("tags", str(error)) from None
        raise


def describe(receipt: NoteReceipt, what: str) -> str:
    """What the note on the trade's `what` ("entry" or "exit") records, in a sentence."""
    tagged = f", tagged {', '.join(receipt.tags)}" if receipt.tags else ""
    return (
        f"Records a note on the {what} ({receipt.about_type} at log position "
        f"{receipt.about_seq}){tagged}."
    )


class NoteDialog(QObject):
    """Attach a note and tags to a trade's entry or exit, checked by the domain before OK."""

    recorded = Signal(object)  # the NoteReceipt

    def __init__(
        self,
        door: FrontDoor,
        portfolio_id: UUID,
        trade: TradeRow,
        loss: QColor,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.door, self.portfolio_id, self.trade, self._loss = door, portfolio_id, trade, loss
        self.preview: NoteReceipt | None = None
        self.problem: Problem | None = None
        self._jobs = Jobs(parent=self)
        self._wanted: tuple[int, str, str] | None = None  # inputs waiting for a dry run
        self._busy = False  # a dry run is on its way
        self.view = view = NoteView(loss, parent)
        view.trade.setText(
            f"{trade.ticker} {formatting.quantity(trade.quantity)}: {trade.entry_on} → "
            f"{trade.exit_on}{' (open)' if trade.exit_seq is None else ''}, "
            f"{formatting.signed_cents(trade.pnl)}"
        )
        view.exit.setEnabled(trade.exit_seq is not None)
        view.entry.setText(f"Entry (log position {trade.entry_seq})")
        if trade.exit_seq is not None:
            view.exit.setText(f"Exit (log position {trade.exit_seq})")
        self._fill()
        view.about.buttonToggled.connect(self._on_about_changed)
        view.text.textChanged.connect(self._on_changed)
        view.tags.textChanged.connect(self._on_changed)
        view.buttons.accepted.connect(self._on_submit)
        self._on_changed()

    @property
    def seq(self) -> int:
        """The log position of the event noted."""
        if self.view.exit.isChecked() and self.trade.exit_seq is not None:
            return self.trade.exit_seq
        return self.trade.entry_seq

    def open(self) -> None:
        """Show the dialog (window-modal); `recorded` is emitted once the note is recorded."""
        self.view.finished.connect(self.deleteLater)
        self.view.finished.connect(self.view.deleteLater)
        self.view.open()

    def _fill(self) -> None:
        """Start from the note in force on the event chosen (a new note supersedes it)."""
        v, t = self.view, self.trade
        exit_chosen = v.exit.isChecked()
        v.text.setText(t.exit_note if exit_chosen else t.note)
        v.tags.setText("" if exit_chosen else " ".join(t.tags))

    @Slot()
    def _on_about_changed(self, *_: object) -> None:
        self._fill()
        self._on_changed()

    def _inputs(self) -> tuple[int, str, str]:
        return self.seq, self.view.text.text(), self.view.tags.text()

    @Slot()
    def _on_changed(self, *_: object) -> None:
        """Ask for the door's dry run of the note as it now reads (in the background: the door
        reads the portfolio's history to find the event; a long one must not stall typing)."""
        self.preview, self.problem = None, None
        self.view.ok.setEnabled(False)
        self._wanted = self._inputs()
        if not self._busy:
            self._ask()

    def _ask(self) -> None:
        inputs, self._wanted = self._wanted, None
        if inputs is None:
            return
        self._busy = True
        door, portfolio_id = self.door, self.portfolio_id

        def job(progress: Progress) -> Answer:
            try:
                return inputs, preview_note(door, portfolio_id, *inputs), None
            except ErasmoError as error:
                return inputs, None, problem_of(error, NOTE_FIELDS)

        self._jobs.start(job, self._on_preview, self._on_preview_failed)

    @Slot(object)
    def _on_preview(self, answer: Answer) -> None:
        self._busy = False
        inputs, receipt, problem = answer
        if self._wanted is None and inputs == self._inputs():
            self.preview, self.problem = receipt, problem
            self._show()
        self._ask()

    @Slot(str)
    def _on_preview_failed(self, message: str) -> None:
        self._busy = False
        self.problem = Problem("form", message)
        self._show()
        self._ask()

    def _show(self) -> None:
        v = self.view
        v.ok.setEnabled(self.preview is not None)
        what = "exit" if self.seq != self.trade.entry_seq else "entry"
        v.preview.setText(describe(self.preview, what) if self.preview is not None else "")
        problem, hint = self.problem, self.problem is not None and self.problem.hint
        for name, widget in v.fields().items():
            mark_invalid(widget, problem is not None and not hint and problem.field == name,
                         self._loss)  # fmt: skip
        if problem is None:
            v.message.clear_message()
        elif hint:
            v.message.show_hint(problem.message)
        else:
            v.message.show_error(problem.message)

    @Slot()
    def _on_submit(self) -> None:
        if self.preview is None:
            return
        v = self.view
        try:
            receipt = self.door.note(self.portfolio_id, self.seq, v.text.text(), v.tags.text())
        except ErasmoError as error:
            v.message.show_error(str(error))
            return
        self.recorded.emit(receipt)
        v.accept()
