"""The layout of the dialog that attaches a note and tags to a trade's entry or exit."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gui.dialogs.form import InlineMessage, two_choices
from gui.theme import muted


class NoteView(QDialog):
    """Trade, which event (entry or exit), the note, its tags, what would be recorded."""

    def __init__(self, error_color: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Note on a trade")
        self.setMinimumWidth(480)
        self.trade = QLabel("")
        self.entry, self.exit, self.about, choices = two_choices(self, "Entry", "Exit")
        self.text = QLineEdit()
        self.text.setPlaceholderText("e.g. Broke out of the range on volume")
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("words, e.g. breakout earnings")
        self.tags.setToolTip("Free words separated by spaces; the trade carries its entry's tags")
        form = QFormLayout()
        form.addRow("Trade", self.trade)
        form.addRow("About", choices)
        form.addRow("Note", self.text)
        form.addRow("Tags", self.tags)
        self.preview = QLabel("")
        muted(self.preview)
        self.preview.setWordWrap(True)
        explain = QLabel(
            "A note is a new event of the log: a later note on the same event replaces it "
            "in every view, and both stay in the history."
        )
        muted(explain)
        explain.setWordWrap(True)
        self.message = InlineMessage(error_color)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Add note")
        self.ok.setEnabled(False)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview)
        layout.addWidget(explain)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def fields(self) -> dict[str, QWidget]:
        return {"text": self.text, "tags": self.tags}
