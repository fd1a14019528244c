"""The fork dialog's behaviour: the front door's dry run of the fork on every change of the name,
then the fork itself (of the portfolio by id, after one of its events by log position)."""

from __future__ import annotations

from uuid import UUID

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from erasmo.door import FrontDoor
from erasmo.door.models import ForkReceipt
from events.errors import ErasmoError
from gui import formatting
from gui.dialogs.fork import ForkView
from gui.dialogs.form import mark_invalid
from gui.state import AsOf


class ForkDialog(QObject):
    """Name a what-if branch of a portfolio after event `as_of`; Fork stays disabled until the
    door's dry run accepts it."""

    forked = Signal(object)  # the ForkReceipt

    def __init__(
        self,
        door: FrontDoor,
        parent_id: UUID,
        parent_name: str,
        as_of: AsOf,
        loss: QColor,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.door, self.parent_id, self.as_of, self._loss = door, parent_id, as_of, loss
        self.preview: ForkReceipt | None = None  # the branch as it would be forked
        self.receipt: ForkReceipt | None = None
        self.view = view = ForkView(loss, parent)
        view.point.setText(
            f"{parent_name}, after its event #{as_of.version} of {as_of.on.isoformat()}: the "
            "branch holds its history up to there, then is free to diverge."
        )
        view.name.textChanged.connect(self._on_changed)
        view.buttons.accepted.connect(self._on_submit)
        view.name.setText(f"{parent_name} what-if")

    def open(self) -> None:
        """Show the dialog (window-modal); `forked` is emitted once the branch is recorded."""
        self.view.finished.connect(self.deleteLater)
        self.view.finished.connect(self.view.deleteLater)
        self.view.open()

    def _fork(self, *, dry_run: bool) -> ForkReceipt:
        name = self.view.name.text().strip()
        return self.door.fork(self.parent_id, name, at_seq=self.as_of.seq, dry_run=dry_run)

    @Slot()
    def _on_changed(self, *_: object) -> None:
        v = self.view
        self.preview = None
        if not v.name.text().strip():
            self._show(None, "Type a name for the branch.", error=False)
            return
        try:
            self.preview = self._fork(dry_run=True)
        except ErasmoError as error:
            self._show(None, str(error), error=True)
            return
        self._show(self.preview, f"Fork {self.preview.name!r} from {self.preview.parent!r}.")

    def _show(self, p: ForkReceipt | None, message: str, *, error: bool = False) -> None:
        v = self.view
        v.ok.setEnabled(p is not None)
        mark_invalid(v.name, error, self._loss)
        if error:
            v.message.show_error(message)
        else:
            v.message.show_hint(message)
        if p is None:
            for label in (v.copied, v.cash, v.positions):
                label.setText("—")
            return
        head = p.head
        v.copied.setText(formatting.counted(p.copied, "event"))
        v.cash.setText(f"{formatting.money(head.cash)} {head.currency}")
        held = [f"{formatting.quantity(x.quantity)} {x.ticker}" for x in head.positions]
        v.positions.setText(", ".join(held) or "none")

    @Slot()
    def _on_submit(self) -> None:
        if self.preview is None:
            return
        try:
            self.receipt = self._fork(dry_run=False)
        except ErasmoError as error:  # e.g. the name was taken meanwhile: said, never raised
            self._show(None, str(error), error=True)
            return
        self.forked.emit(self.receipt)
        self.view.accept()
