"""The orders tab's model: one row per order, as the orders service describes it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from gui import formatting
from gui.models.base import Index, RowsTableModel
from gui.models.roles import RAW

#: Role holding an order's id.
ORDER_ID = Qt.ItemDataRole.UserRole + 4


def _text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _price(value: Any) -> str:
    return "" if value is None else formatting.price(value)


def _trail(order: Any) -> str:
    amount = order.trail_amount
    percent = order.trail_percent
    if percent is not None:
        return f"{formatting.quantity(percent)} %"
    return "" if amount is None else formatting.price(amount)


#: (header, how to read it from an order, tooltip)
COLUMNS: tuple[tuple[str, Callable[[Any], Any], str], ...] = (
    ("#", lambda o: o.number, "The order's place in the queue: orders fill in this order."),
    ("Placed", lambda o: o.placed_on, "The market date it was placed on."),
    ("Side", lambda o: o.side, "Buy or sell."),
    ("Ticker", lambda o: o.ticker, "The stock's symbol."),
    ("Quantity", lambda o: o.quantity, "Shares to trade."),
    ("Type", lambda o: o.kind, "Market, limit, stop, stop-limit or trailing stop."),
    ("Limit", lambda o: o.limit, "The limit price."),
    ("Stop", lambda o: o.stop, "The stop price (the trigger)."),
    ("Trail", _trail, "A trailing stop's distance: an amount or a percentage."),
    ("TIF", lambda o: o.tif, "Time in force: DAY or GTC."),
    ("Expires", lambda o: o.expires, "A GTC order's last day."),
    ("Reserved", lambda o: o.reserved, "Cash (buy) or shares (sell) held back for it."),
    (
        "Status",
        lambda o: (
            f"{o.status}, {formatting.quantity(o.filled)} filled"
            if o.filled and o.is_open
            else o.status
        ),
        "Open, filled, cancelled, expired or rejected (with what volume-capped fills took).",
    ),
    ("On", lambda o: o.done_on, "The bar it filled on, or the day it was cancelled or expired."),
    ("Fill price", lambda o: o.fill_price, "The price it filled at, slippage included."),
    ("Fee", lambda o: o.fee, "The commission charged on the fill."),
)
PRICE_COLUMNS = {"Limit", "Stop", "Fill price"}


class OrdersTableModel(RowsTableModel):
    """The portfolio's orders, oldest first; open ones in the normal colour, the rest dimmed."""

    HEADERS = tuple(c[0] for c in COLUMNS)

    def __init__(self, dimmed: QColor, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._dimmed = dimmed

    def set_orders(self, orders: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(orders)
        self.endResetModel()

    def order(self, row: int) -> Any:
        return self._rows[row]

    def orders(self) -> list[Any]:
        return list(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        order = self._rows[index.row()]
        header, read, tip = COLUMNS[index.column()]
        if role == ORDER_ID:
            return order.order_id
        if role == RAW:
            return read(order)
        if role == Qt.ItemDataRole.DisplayRole:
            value = read(order)
            if header in PRICE_COLUMNS:
                return _price(value)
            if header == "Fee":
                return "" if value is None else formatting.money(value)
            if header == "Reserved" and isinstance(value, Decimal):
                shares = order.side == "sell"
                return formatting.quantity(value) if shares else formatting.money(value)
            if header == "Quantity":
                return formatting.quantity(value)
            if header in ("Side", "Type", "TIF", "Status"):
                return _text(value).upper() if header == "TIF" else _text(value).capitalize()
            return _text(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            reason = order.reason
            return f"{tip}\n{reason}" if reason else tip
        if role == Qt.ItemDataRole.ForegroundRole and order.status != "open":
            return self._dimmed
        if role == Qt.ItemDataRole.TextAlignmentRole and header in (
            "Quantity",
            "Limit",
            "Stop",
            "Trail",
            "Reserved",
            "#",
            "Fill price",
            "Fee",
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
