"""The orders tab: the portfolio's orders as a table, with New order and Cancel."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.theme import muted, visible_checks
from gui.views.table_tools import FilterBar, TextFilter, filtered
from gui.views.tables import table_view


class OrdersView(QWidget):
    """Layout only; `gui.controllers.orders.OrdersController` fills and drives it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.new_order = QPushButton("New order…")
        self.new_order.setToolTip("Place a market, limit, stop or trailing order")
        self.cancel_order = QPushButton("Cancel order")
        self.cancel_order.setToolTip("Cancel the selected open order (what it reserved is freed)")
        self.cancel_order.setEnabled(False)
        self.show_all = QCheckBox("Show filled, cancelled and expired orders too")
        visible_checks(self.show_all)
        self.summary = QLabel("")
        top = QHBoxLayout()
        top.addWidget(self.new_order)
        top.addWidget(self.cancel_order)
        top.addSpacing(12)
        top.addWidget(self.show_all)
        top.addStretch(1)
        top.addWidget(self.summary)
        self.filter = FilterBar("Filter orders: ticker, type, status…")
        self.table = table_view(self, sortable=False)
        self.text_filter: TextFilter | None = None
        self.hint = QLabel(
            "Orders fill against the next bars as the simulation clock moves forward (the step "
            "buttons under the tabs). Cash and shares held back by open orders cannot be spent "
            "twice."
        )
        self.hint.setWordWrap(True)
        muted(self.hint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hint)

    def set_model(self, model: QAbstractItemModel) -> None:
        """Show `model` through the filter box."""
        self.text_filter = filtered(self.table, model, self.filter)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
