"""The order ticket's layout: side, ticker, quantity, order type, prices, time in force."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gui.dialogs.form import InlineMessage, date_edit, short_choice, two_choices
from gui.theme import muted, visible_checks

#: (label, kind as the orders service names it)
ORDER_TYPES = (
    ("Market", "market"),
    ("Limit", "limit"),
    ("Stop", "stop"),
    ("Stop-limit", "stop-limit"),
    ("Trailing stop", "trailing"),
)
TIME_IN_FORCE = (("Day", "day"), ("Good till cancelled (GTC)", "gtc"))
#: The price fields each order type takes.
FIELDS_OF = {
    "market": (),
    "limit": ("limit",),
    "stop": ("stop",),
    "stop-limit": ("stop", "limit"),
    "trailing": ("trail",),
}
TYPE_HELP = {
    "market": "Fills at the next bar's open (its close where the data has closes only).",
    "limit": "A buy fills at the limit or lower, a sell at the limit or higher; at the open "
    "when the market gaps through it.",
    "stop": "Becomes a market order once a bar trades through the stop (a buy at or above it, "
    "a sell at or below it); fills at the stop or the gap open.",
    "stop-limit": "Once the stop is reached it becomes a limit order at the limit price.",
    "trailing": "A stop that follows the best price since placing by an amount (2.50) or a "
    "percentage (5%).",
}


class OrderTicketView(QDialog):
    """Layout only; `gui.controllers.orders.OrderTicket` enables fields and places the order."""

    def __init__(self, error_color: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Place an order")
        self.setMinimumWidth(560)
        self.portfolio = QLabel("")
        self.portfolio.setWordWrap(True)
        self.buy, self.sell, self.side, sides = two_choices(self, "Buy", "Sell")
        self.short = short_choice(self.side, sides)
        self.ticker = QLineEdit()
        self.ticker.setPlaceholderText("e.g. IBM")
        self.ticker_info = QLabel("")
        muted(self.ticker_info)
        self.quantity = QLineEdit()
        self.quantity.setPlaceholderText("shares, e.g. 10")
        self.kind = QComboBox()
        for label, kind in ORDER_TYPES:
            self.kind.addItem(label, kind)
        self.kind_help = QLabel("")
        self.kind_help.setWordWrap(True)
        muted(self.kind_help)
        self.limit = QLineEdit()
        self.limit.setPlaceholderText("limit price, e.g. 120.50")
        self.stop = QLineEdit()
        self.stop.setPlaceholderText("stop price, e.g. 110")
        self.trail = QLineEdit()
        self.trail.setPlaceholderText("amount (2.50) or percentage (5%)")
        self.tif = QComboBox()
        for label, tif in TIME_IN_FORCE:
            self.tif.addItem(label, tif)
        self.tif.setToolTip("A day order expires after the first bar it could fill on")
        self.expires_on = QCheckBox("Expires on")
        visible_checks(self.expires_on)
        self.expires_on.setToolTip("A GTC order can end on a date of its own")
        self.expires = date_edit()
        expiry = QHBoxLayout()
        expiry.addWidget(self.expires_on)
        expiry.addWidget(self.expires, 1)
        form = QFormLayout()
        form.addRow("Portfolio", self.portfolio)
        form.addRow("Side", sides)
        form.addRow("Ticker", self.ticker)
        form.addRow("", self.ticker_info)
        form.addRow("Quantity", self.quantity)
        form.addRow("Order type", self.kind)
        form.addRow("", self.kind_help)
        form.addRow("Limit price", self.limit)
        form.addRow("Stop price", self.stop)
        form.addRow("Trail", self.trail)
        form.addRow("Time in force", self.tif)
        form.addRow("Expiry", expiry)
        self.form = form
        self.message = InlineMessage(error_color)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Place order")
        self.ok.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.buttons.rejected.connect(self.reject)

    def price_fields(self) -> dict[str, QLineEdit]:
        return {"limit": self.limit, "stop": self.stop, "trail": self.trail}

    def fields(self) -> dict[str, QWidget]:
        """The widgets a problem can point at."""
        return {
            "ticker": self.ticker,
            "quantity": self.quantity,
            **self.price_fields(),
            "expires": self.expires,
        }
