"""The holdings tab: cash and totals above a sortable table of positions."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QVBoxLayout, QWidget

from gui.theme import muted
from gui.views.figures import FigureStrip
from gui.views.table_tools import FilterBar, TextFilter, filtered
from gui.views.tables import table_view

SUMMARY = [
    ("as_of", "Valued at"),
    ("cash", "Cash"),
    ("positions", "Positions"),
    ("total", "Total value"),
    ("unrealized", "Unrealized P&L"),
    ("realized", "Realized P&L"),
    ("equity", "Equity"),
    ("buying_power", "Buying power"),
]
#: Figures of a margin account only (hidden for a cash account).
MARGIN_FIGURES = ("equity", "buying_power")


class HoldingsView(QWidget):
    """Cash shown on its own, then the positions with a totals row; above them, while a margin
    call is open, a banner saying so."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.margin_call = QLabel("")
        self.margin_call.setWordWrap(True)
        self.margin_call.setVisible(False)
        self.summary = FigureStrip(SUMMARY, self)
        for key in MARGIN_FIGURES:
            self.summary.set_shown(key, False)
        self.filter = FilterBar("Filter holdings: ticker, name…")
        self.table = table_view(self, sortable=True)
        self.text_filter: TextFilter | None = None
        self.note = QLabel("")
        muted(self.note)
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.margin_call)
        layout.addWidget(self.summary)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)

    def set_model(self, model: QAbstractItemModel) -> None:
        """Show `model` (already sortable) through the filter box."""
        self.text_filter = filtered(self.table, model, self.filter)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

    def show_margin_call(self, text: str, color: QColor) -> None:
        """Show `text` in a banner drawn in `color` (the loss colour); "" hides it."""
        self.margin_call.setText(text)
        self.margin_call.setToolTip(text)
        self.margin_call.setStyleSheet(
            f"QLabel {{ color: {color.name()}; border: 2px solid {color.name()}; "
            "border-radius: 4px; padding: 6px; font-weight: bold; }"
        )
        self.margin_call.setVisible(bool(text))
