"""The list of portfolios on the left of the window: branches are drawn under their parent."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTreeView,
    QVBoxLayout,
    QWidget,
)


class SidebarView(QWidget):
    """A title and a tree of portfolios (name, value, return)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Portfolios")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.table = tree = QTreeView(self)
        tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        tree.setUniformRowHeights(True)
        tree.setIndentation(14)
        # no expander column before the top-level names (branches are expanded and indented
        # under their parent): its 14 px go to the names
        tree.setRootIsDecorated(False)
        tree.setItemsExpandable(True)
        tree.setAllColumnsShowFocus(True)
        tree.setMinimumWidth(200)
        self.empty = QLabel("No portfolios yet.\nCreate one with New portfolio (Ctrl+N).")
        self.empty.setWordWrap(True)
        self.empty.setVisible(False)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)  # in the table's place while there is none

    def set_model(self, model: QAbstractItemModel) -> None:
        """Show `model`: the name column takes the room left by the numbers."""
        self.table.setModel(model)
        header = self.table.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        model.modelReset.connect(self.table.expandAll)

    def select(self, index: QModelIndex) -> None:
        """Select the portfolio at `index` (its whole row)."""
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)

    def select_row(self, row: int) -> None:
        """Select the `row`-th portfolio of the top level."""
        model = self.table.model()
        self.select(model.index(row, 0))
