"""The corporate-actions dialog's layout: the splits and dividends a portfolio is due."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from gui.dialogs.form import InlineMessage
from gui.theme import muted
from gui.views.tables import table_view


class ActionsView(QDialog):
    """Layout only; `gui.controllers.actions.ActionsDialog` fills it and applies the actions."""

    def __init__(self, error_color: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Splits and dividends")
        self.setMinimumSize(760, 360)
        self.intro = QLabel("")
        self.intro.setWordWrap(True)
        self.table = table_view(self)
        self.note = QLabel(
            "Only tickers with raw prices get splits and dividends as events; adjusted closes "
            "already include them. A split changes the shares and the cost per share, not the "
            "cost; a dividend adds cash for the shares held the day before its ex-date."
        )
        self.note.setWordWrap(True)
        muted(self.note)
        self.message = InlineMessage(error_color)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Close
        )
        self.apply = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.buttons.rejected.connect(self.reject)

    def set_model(self, model: QAbstractItemModel) -> None:
        self.table.setModel(model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
