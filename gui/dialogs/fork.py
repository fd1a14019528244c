"""Layout of the fork dialog: the branch's name, what it would hold, and the inline message."""

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

from gui.dialogs.form import InlineMessage


class ForkView(QDialog):
    """Fork a what-if branch: where from, its name, and the branch as it would be forked."""

    def __init__(self, error_color: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Fork a what-if branch")
        self.setMinimumWidth(480)
        self.point = QLabel("")
        self.point.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Demo what-if")
        self.copied = QLabel("—")
        self.cash = QLabel("—")
        self.positions = QLabel("—")
        self.positions.setWordWrap(True)
        form = QFormLayout()
        form.addRow("From", self.point)
        form.addRow("Name of the branch", self.name)
        form.addRow("Events copied", self.copied)
        form.addRow("Cash", self.cash)
        form.addRow("Positions", self.positions)
        self.message = InlineMessage(error_color)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Fork")
        self.ok.setEnabled(False)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def fields(self) -> dict[str, QWidget]:
        return {"name": self.name}
