"""The history tab: the portfolio's events as a table."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gui.models.history import HistoryTableModel
from gui.theme import muted
from gui.views.table_tools import FilterBar, TextFilter, TypeFilter, filtered
from gui.views.tables import table_view

CLOCK_LABELS = frozenset({"Clock"})  # the simulation clock's steps


class HistoryView(QWidget):
    """Every event of the portfolio, oldest first; selecting a row travels to it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter = FilterBar("Filter events: ticker, type, date…")
        self.hide_clock = self.filter.add_check(
            "Hide clock steps", "Hide the simulation clock's steps (the other events stay)"
        )
        self.table = table_view(self)
        self.types = TypeFilter(HistoryTableModel.COL_TYPE, self)
        self.text_filter: TextFilter | None = None
        self.hide_clock.toggled.connect(self._on_hide_clock)
        self.hint = QLabel(
            "Select an event, or move the time-travel slider below, to see the portfolio as it "
            "was right after it. Later events are dimmed."
        )
        muted(self.hint)
        self.hint.setWordWrap(True)
        self.fork = QPushButton("Fork a what-if branch here…")
        self.fork.setToolTip(
            "Start a new portfolio whose history is this one's up to the selected event, then "
            "diverges: what if you had done otherwise from here?"
        )
        bottom = QHBoxLayout()
        bottom.addWidget(self.hint, 1)
        bottom.addWidget(self.fork)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

    def set_model(self, model: QAbstractItemModel) -> None:
        """Show `model` through the event-type filter and the filter box."""
        self.text_filter = filtered(self.table, model, self.filter, self.types)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        # Fit the columns to a sample of rows (a history can hold a million events), once per
        # new history: fitting them on every change would read that sample again at every
        # step of time travel.
        header.setResizeContentsPrecision(100)
        model.modelReset.connect(self.table.resizeColumnsToContents)

    def _on_hide_clock(self, hide: bool) -> None:
        self.types.hide_labels(CLOCK_LABELS if hide else frozenset())
