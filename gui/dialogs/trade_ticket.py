"""The trade ticket's layout: side, ticker, date, quantity, price, fee, preview, message."""

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
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.dialogs.form import InlineMessage, date_edit, short_choice, two_choices
from gui.theme import muted


class TradeTicketView(QDialog):
    """Layout only; `gui.controllers.ticket.TradeTicket` validates and submits."""

    def __init__(self, error_color: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Trade")
        self.setMinimumWidth(560)
        self.portfolio = QLabel("")
        self.buy, self.sell, self.side, sides = two_choices(self, "Buy", "Sell")
        self.short = short_choice(self.side, sides)
        self.ticker = QLineEdit()
        self.ticker.setPlaceholderText("e.g. AAPL")
        self.ticker_info = QLabel("")
        muted(self.ticker_info)
        self.date = date_edit()
        self.quantity = QLineEdit()
        self.quantity.setPlaceholderText("shares, e.g. 10 or 2.5")
        self.all_shares = QPushButton("All")
        self.all_shares.setToolTip("Sell every share held")
        quantity_row = QHBoxLayout()
        quantity_row.addWidget(self.quantity, 1)
        quantity_row.addWidget(self.all_shares)
        self.fill_price = QLabel("—")
        self.price = QLineEdit()
        self.price.setPlaceholderText("blank: fill at the day's close")
        self.price.setToolTip(
            "An explicit fill price must lie within the day's low–high range (or equal the "
            "close where the data has closes only)."
        )
        self.fee = QLineEdit()
        self.fee.setPlaceholderText("0.00")
        form = QFormLayout()
        form.addRow("Portfolio", self.portfolio)
        form.addRow("Side", sides)
        form.addRow("Ticker", self.ticker)
        form.addRow("", self.ticker_info)
        form.addRow("Date", self.date)
        form.addRow("Quantity", quantity_row)
        form.addRow("Fill price", self.fill_price)
        form.addRow("Price", self.price)
        form.addRow("Fee", self.fee)
        self.value = QLabel("—")
        self.cash_change = QLabel("—")
        self.cash_after = QLabel("—")
        self.position_after = QLabel("—")
        preview = QGroupBox("Preview")
        preview_form = QFormLayout(preview)
        for caption, label in (
            ("Value", self.value),
            ("Cash change", self.cash_change),
            ("Cash after", self.cash_after),
            ("Position after", self.position_after),
        ):
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            preview_form.addRow(caption, label)
        self.message = InlineMessage(error_color)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(preview)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.buttons.rejected.connect(self.reject)

    def fields(self) -> dict[str, QWidget]:
        """The widgets a problem can point at, by the names `gui.preview` uses."""
        return {
            "ticker": self.ticker,
            "date": self.date,
            "quantity": self.quantity,
            "price": self.price,
            "fee": self.fee,
        }
