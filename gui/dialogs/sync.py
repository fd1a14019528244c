"""Layouts of the Sync dialog (serve this store, sync with another) and the restore dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.dialogs.form import InlineMessage
from gui.theme import muted


def _copyable(field: QLineEdit) -> tuple[QHBoxLayout, QPushButton]:
    field.setReadOnly(True)
    copy = QPushButton("Copy")
    row = QHBoxLayout()
    row.addWidget(field, 1)
    row.addWidget(copy)
    return row, copy


class SyncView(QDialog):
    """Serve this store to other installs, or sync this store with another install's server."""

    def __init__(self, error_color: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sync")
        self.setMinimumWidth(560)

        # -- serve this store ----------------------------------------------------------------
        self.serve = QPushButton("Serve this store")
        self.serve.setCheckable(True)
        self.port = QSpinBox()
        self.port.setRange(0, 65535)
        self.port.setSpecialValueText("any free port")
        self.port.setValue(8765)
        serve_row = QHBoxLayout()
        serve_row.addWidget(self.serve)
        serve_row.addWidget(QLabel("on 127.0.0.1, port"))
        serve_row.addWidget(self.port)
        serve_row.addStretch(1)
        self.served_url = QLineEdit()
        url_row, self.copy_url = _copyable(self.served_url)
        self.served_token = QLineEdit()
        token_row, self.copy_token = _copyable(self.served_token)
        self.serve_message = InlineMessage(error_color)
        self.serve_message.show_hint(
            "Off. While on, other erasmo installs on this computer can sync with this store "
            "using the address and token below, until you turn it off or close the window."
        )
        serve_form = QFormLayout()
        serve_form.addRow(serve_row)
        serve_form.addRow("Address", url_row)
        serve_form.addRow("Token", token_row)
        serve_form.addRow(self.serve_message)
        serve_box = QGroupBox("Serve this store")
        serve_box.setLayout(serve_form)

        # -- sync with another ---------------------------------------------------------------
        self.url = QLineEdit()
        self.url.setPlaceholderText("http://127.0.0.1:8765")
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("the other install's token")
        self.sync = QPushButton("Sync")
        self.cancel = QPushButton("Cancel")
        self.cancel.setEnabled(False)
        buttons_row = QHBoxLayout()
        buttons_row.addStretch(1)
        buttons_row.addWidget(self.sync)
        buttons_row.addWidget(self.cancel)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.outcome = InlineMessage(error_color)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        note = QLabel(
            "Pulls the events the other install has and this one lacks, then pushes ours. "
            "Nothing is overwritten: a portfolio both sides changed is kept twice."
        )
        note.setWordWrap(True)
        muted(note)
        sync_form = QFormLayout()
        sync_form.addRow("Sync with", self.url)
        sync_form.addRow("Token", self.token)
        sync_form.addRow(note)
        sync_form.addRow(buttons_row)
        sync_form.addRow(self.progress)
        sync_form.addRow(self.outcome)
        sync_box = QGroupBox("Sync with another install")
        sync_box.setLayout(sync_form)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(serve_box)
        layout.addWidget(sync_box)
        layout.addWidget(self.buttons)

    def show_serving(self, url: str, token: str) -> None:
        self.served_url.setText(url)
        self.served_token.setText(token)
        self.serve.setText("Stop serving")
        self.port.setEnabled(False)
        for button in (self.copy_url, self.copy_token):
            button.setEnabled(True)
        self.serve_message.show_hint(f"Serving this store on {url}.")

    def show_stopped(self, message: str = "", error: bool = False) -> None:
        self.serve.blockSignals(True)
        self.serve.setChecked(False)
        self.serve.blockSignals(False)
        self.serve.setText("Serve this store")
        self.port.setEnabled(True)
        self.served_url.clear()
        self.served_token.clear()
        for button in (self.copy_url, self.copy_token):
            button.setEnabled(False)
        if error:
            self.serve_message.show_error(message)
        else:
            self.serve_message.show_hint(message or "Off.")

    def set_busy(self, busy: bool) -> None:
        self.sync.setEnabled(not busy)
        self.cancel.setEnabled(busy)
        self.url.setEnabled(not busy)
        self.token.setEnabled(not busy)
        self.progress.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)

    def show_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(min(done, total) if total else 0)


class RestoreView(QDialog):
    """The store cannot be opened: pick an automatic backup to restore, or quit."""

    def __init__(self, error_color: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("erasmo cannot open its store")
        self.setMinimumWidth(600)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        font = self.problem.font()
        font.setBold(True)
        self.problem.setFont(font)
        explain = QLabel(
            "Restore one of the automatic backups below (newest first): it is checked first, "
            "and the damaged store is kept beside it as events.sqlite.bak. Or quit and leave "
            "everything as it is."
        )
        explain.setWordWrap(True)
        self.backups = QListWidget()
        self.message = InlineMessage(error_color)
        self.buttons = QDialogButtonBox()
        self.restore = self.buttons.addButton(
            "Restore and start", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.quit = self.buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addWidget(explain)
        layout.addWidget(self.backups, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
