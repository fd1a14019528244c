"""Edit → Undo (Ctrl+Z): void the selected portfolio's last deposit, withdrawal, buy or sell.

Undo is a void through the front door (`FrontDoor.void`): the event leaves the holdings, the
cash and every chart, while the History tab keeps it, struck through, beside the void. The
command is checked first with a dry run, so a refusal (a later sale of the shares an undone buy
bought, a trade an order's fill made) is a message naming why, never an exception; then a
confirmation names what is undone. Dialogs open window-modal (`open()`), so tests can drive them.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox

from erasmo.door import FrontDoor
from erasmo.door.journal import VoidedEvent
from events.errors import ErasmoError
from gui.state import Session
from gui.views.main_window import MainWindow
from gui.wording import gui_text

#: The reason recorded with a void made by Undo.
UNDO_REASON = "undone in the window (Edit > Undo)"


def _label(event: VoidedEvent) -> str:
    return f"{event.what} (log position {event.seq})"


class UndoController(QObject):
    """The Edit menu's Undo of the selected portfolio's last voidable event.

    `recorded()` shows what was recorded (reloads the portfolios and their tabs); `say(text)`
    shows a line in the status bar.
    """

    def __init__(
        self,
        door: FrontDoor,
        window: MainWindow,
        session: Session,
        recorded: Callable[[], None],
        say: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self.door, self.window, self.session = door, window, session
        self._recorded, self._say = recorded, say
        self.dialog: QMessageBox | None = None  # the last question or message shown
        self.action = QAction("&Undo last trade or cash move…", window)
        self.action.setObjectName("undo")
        self.action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        keys = self.action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        tip = "Void the selected portfolio's last deposit, withdrawal, buy or sell"
        self.action.setToolTip(f"{tip} ({keys})")
        self.action.setStatusTip(tip)
        self.action.triggered.connect(self.ask_undo)
        self.menu = self._edit_menu()
        session.portfolio_changed.connect(self.update_action)
        self.update_action()

    def _edit_menu(self) -> QMenu:
        """An Edit menu after File, holding Undo."""
        bar = self.window.menuBar()
        menu = QMenu("&Edit", bar)
        menu.addAction(self.action)
        actions = bar.actions()
        if len(actions) > 1:
            bar.insertMenu(actions[1], menu)
        else:
            bar.addMenu(menu)
        return menu

    @Slot()
    def update_action(self, *_: object) -> None:
        """Undo needs a selected portfolio."""
        self.action.setEnabled(self.session.portfolio is not None)

    # -- the command ------------------------------------------------------------------------

    @Slot()
    def ask_undo(self) -> QMessageBox | None:
        """Check the undo of the selected portfolio's last voidable event (a dry run), then ask
        before recording it; a refusal, or nothing to undo, is a message instead."""
        portfolio_id = self.session.portfolio
        if portfolio_id is None:
            return None
        try:
            name = self.door.head(portfolio_id).name
            last = self.door.last_voidable(portfolio_id)
            if last is None:
                return self._message(
                    f"{name!r} has no deposit, withdrawal, buy, sell or open order left to undo."
                )
            would = self.door.void(portfolio_id, last.seq, UNDO_REASON, dry_run=True)
        except ErasmoError as error:
            return self._message(f"Cannot undo: {gui_text(str(error))}", warning=True)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Undo",
            f"Undo {_label(last)} in {name!r}?\n\nIt is voided: the holdings and the cash "
            f"leave it out (cash after: {would.cash:,.2f}). The History tab keeps it, struck "
            "through, beside the void.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.button(QMessageBox.StandardButton.Yes).setText("Undo")
        box.finished.connect(lambda result: self._on_answer(portfolio_id, last, result))
        box.finished.connect(box.deleteLater)
        self.dialog = box
        box.open()
        return box

    def _on_answer(self, portfolio_id: UUID, last: VoidedEvent, result: int) -> None:
        if result != QMessageBox.StandardButton.Yes:
            return
        self.undo(portfolio_id, last)

    def undo(self, portfolio_id: UUID, last: VoidedEvent) -> bool:
        """Void `last` (a refusal, e.g. another window recorded first, is a message)."""
        try:
            done = self.door.void(portfolio_id, last.seq, UNDO_REASON)
        except ErasmoError as error:
            self._message(f"Cannot undo: {gui_text(str(error))}", warning=True)
            return False
        self._recorded()
        self._say(f"Undid {_label(last)}; cash {done.cash:,.2f}.")
        return True

    def _message(self, text: str, *, warning: bool = False) -> QMessageBox:
        self._say(text)
        icon = QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information
        box = QMessageBox(icon, "Undo", text, QMessageBox.StandardButton.Ok, self.window)
        box.finished.connect(box.deleteLater)
        self.dialog = box
        box.open()
        return box
