"""Layouts of the export dialog and the import verdict dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from gui.theme import muted
from gui.wording import gui_text


class ExportView(QDialog):
    """Which portfolios to export, and to which file."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export event log")
        self.setMinimumWidth(520)
        self.selected = QRadioButton("")
        self.everything = QRadioButton("Every portfolio")
        self.scope = QButtonGroup(self)
        self.scope.addButton(self.selected)
        self.scope.addButton(self.everything)
        self.selected.setChecked(True)
        self.path = QLineEdit()
        self.browse = QPushButton("Browse…")
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        form = QFormLayout()
        form.addRow("Export", self.selected)
        form.addRow("", self.everything)
        form.addRow("To file", row)
        note = QLabel(
            "JSON Lines with a SHA-256 hash chain: any edit, reordering or truncation of the file "
            "is detected when it is verified or imported."
        )
        note.setWordWrap(True)
        muted(note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Export")
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)


class ImportView(QDialog):
    """The verdict of `verify` on a file, and the button to import it when it passed."""

    def __init__(self, gain: QColor, loss: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import event log")
        self.setMinimumWidth(560)
        self._gain, self._loss = gain, loss
        self.file = QLabel("")
        self.file.setWordWrap(True)
        self.verdict = QLabel("Verifying…")
        font = self.verdict.font()
        font.setBold(True)
        self.verdict.setFont(font)
        self.verdict.setWordWrap(True)
        self.details = QLabel("")
        self.details.setWordWrap(True)
        for label in (self.file, self.verdict, self.details):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Import")
        self.ok.setEnabled(False)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.file)
        layout.addWidget(self.verdict)
        layout.addWidget(self.details)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def show_verdict(self, ok: bool, verdict: str, details: str) -> None:
        """Show the verdict whole: the dialog grows to fit it (never a clipped line)."""
        self.verdict.setText(gui_text(verdict))
        self.verdict.setStyleSheet(f"color: {(self._gain if ok else self._loss).name()};")
        self.details.setText(gui_text(details))
        self.fit()

    def show_file(self, path: str) -> None:
        """The file's path, breakable after each separator (a long path wraps, never clips)."""
        self.file.setText(path.replace("/", "/\u200b").replace("\\", "\\\u200b"))
        self.file.setToolTip(path)
        self.fit()

    def fit(self) -> None:
        """Grow to the height the wrapped labels need at the dialog's width."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else 0
        needed = max(needed, self.sizeHint().height())
        if needed > self.height():
            self.resize(self.width(), needed)
