"""Orders: the ticket that places one, and the orders tab that lists and cancels them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from PySide6.QtCore import QItemSelection, QObject, QStringListModel, Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCompleter, QMessageBox, QWidget

from erasmo.door import FrontDoor
from erasmo.door.models import OrderView, PortfolioHead
from erasmo.market.base import MarketData
from events.errors import ErasmoError
from gui import formatting
from gui.dialogs.form import mark_invalid, to_date, to_qdate
from gui.dialogs.order_ticket import FIELDS_OF, TYPE_HELP, OrderTicketView
from gui.models.orders import OrdersTableModel
from gui.now import now_phrase
from gui.views.orders_tab import OrdersView
from gui.views.table_tools import selected_source_rows
from gui.wording import gui_text
from gui.workers import Jobs, Progress

BUY, SELL, SHORT = "buy", "sell", "short"


class OrderTicket(QObject):
    """Enables the fields the order type takes; each change is a dry run of the front door's
    `place_order`, and Place order runs it for real."""

    placed = Signal(object)  # the door's view of the new order

    def __init__(
        self,
        door: FrontDoor,
        market: MarketData,
        portfolio: PortfolioHead,
        loss: QColor,
        parent: QWidget | None = None,
        *,
        side: str = BUY,
        ticker: str = "",
    ) -> None:
        """`portfolio`: the head of the portfolio the order is for (by id, whatever its name)."""
        super().__init__(parent)
        self.door, self.market, self.head = door, market, portfolio
        self.portfolio_id = portfolio.id
        self._loss = loss
        self.order: OrderView | None = None
        self.preview: OrderView | None = None  # the order as it would be placed (a dry run)
        self.view = view = OrderTicketView(loss, parent)
        clock = door.clock(portfolio.id)
        self.clock = clock
        account = door.account(portfolio.id)
        self.margin = account.account == "margin"
        available = account.buying_power if self.margin else portfolio.available_cash
        what = "of buying power" if self.margin else "available"
        view.portfolio.setText(
            f"{portfolio.name} — {formatting.money(available)} {portfolio.currency} {what}, "
            f"{now_phrase(portfolio.simulated, clock).lower()}"
        )
        view.short.setVisible(self.margin)
        tradable = [i.ticker for i in market.tickers() if i.tradable]
        completer = QCompleter(QStringListModel(tradable, view), view)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        view.ticker.setCompleter(completer)
        chosen = {SELL: view.sell, SHORT: view.short if self.margin else view.sell}
        chosen.get(side, view.buy).setChecked(True)
        view.ticker.setText(ticker)
        view.expires.setMinimumDate(to_qdate(clock + timedelta(days=1)))
        view.expires.setDate(to_qdate(clock + timedelta(days=30)))
        for edit in (view.ticker, view.quantity, view.limit, view.stop, view.trail):
            edit.textChanged.connect(self._on_changed)
        view.kind.currentIndexChanged.connect(self._on_changed)
        view.tif.currentIndexChanged.connect(self._on_changed)
        view.expires_on.toggled.connect(self._on_changed)
        view.expires.dateChanged.connect(self._on_changed)
        view.expires.problemChanged.connect(self._on_changed)
        view.side.buttonToggled.connect(self._on_changed)
        view.buttons.accepted.connect(self._on_submit)
        self._on_changed()

    def open(self) -> None:
        """Show the ticket (window-modal); `placed` is emitted once the order is placed."""
        self.view.finished.connect(self.deleteLater)
        self.view.finished.connect(self.view.deleteLater)
        self.view.open()

    @property
    def kind(self) -> str:
        return str(self.view.kind.currentData())

    @property
    def side(self) -> str:
        """What the door is asked: a short sale is a sell (of more than is held)."""
        return SELL if self.view.sell.isChecked() or self.view.short.isChecked() else BUY

    def set_kind(self, kind: str) -> None:
        self.view.kind.setCurrentIndex(self.view.kind.findData(kind))

    def request(self) -> dict[str, Any]:
        """The order as the door takes it (fields the type does not take are left out)."""
        v = self.view
        wanted = FIELDS_OF[self.kind]
        gtc = v.tif.currentData() == "gtc"
        return {
            "side": self.side,
            "ticker": v.ticker.text().strip(),
            "quantity": v.quantity.text().strip(),
            "kind": self.kind,
            "limit": v.limit.text().strip() if "limit" in wanted else None,
            "stop": v.stop.text().strip() if "stop" in wanted else None,
            "trail": v.trail.text().strip() if "trail" in wanted else None,
            "tif": v.tif.currentData(),
            "expires": to_date(v.expires.date()) if gtc and v.expires_on.isChecked() else None,
        }

    @Slot()
    def _on_changed(self, *_: object) -> None:
        v = self.view
        wanted = FIELDS_OF[self.kind]
        for name, edit in v.price_fields().items():
            edit.setEnabled(name in wanted)
            label = v.form.labelForField(edit)
            if label is not None:
                label.setEnabled(name in wanted)
        gtc = v.tif.currentData() == "gtc"
        v.expires_on.setEnabled(gtc)
        v.expires.setEnabled(gtc and v.expires_on.isChecked())
        v.kind_help.setText(TYPE_HELP[self.kind])
        self._show_ticker()
        r = self.request()
        # The door checks the values; the ticket only waits for them.
        missing = [name for name in ("ticker", "quantity", *wanted) if not r[name]]
        for widget in v.fields().values():
            mark_invalid(widget, False, self._loss)
        verb = "Sell short" if v.short.isChecked() else "Buy" if self.side == BUY else "Sell"
        v.ok.setText(f"Place {verb.lower()} order")
        self.preview = None
        if gtc and v.expires_on.isChecked() and not v.expires.is_valid():
            v.ok.setEnabled(False)
            v.message.show_error(v.expires.problem)
            mark_invalid(v.expires, True, self._loss)
            return
        if missing:
            v.ok.setEnabled(False)
            v.message.show_hint(f"Enter the {', '.join(missing)}.")
            return
        try:  # every rule of the real command, recording nothing
            self.preview = self._place(r, dry_run=True)
        except ErasmoError as error:
            v.ok.setEnabled(False)
            self._show_error(str(error))
            return
        v.ok.setEnabled(True)
        p = self.preview
        held = (
            f"holds back {formatting.money(p.reserved)} {self.head.currency} of cash"
            if p.side == BUY
            else f"holds back {formatting.quantity(p.reserved)} {p.ticker} shares"
        )
        if self.margin and p.side == SELL:
            held = f"holds back {formatting.quantity(p.reserved)} {p.ticker} shares"
            short = p.quantity - max(self.head.quantity(p.ticker), Decimal(0))
            if short > 0:
                held += f" and sells {formatting.quantity(short)} short"
        v.message.show_hint(
            f"{verb} {formatting.quantity(p.quantity)} {p.ticker}, {v.kind.currentText().lower()},"
            f" {p.tif.upper()}: it {held} and can fill from the bar after "
            f"{self.clock.isoformat()}.{self._power()}"
        )

    def _power(self) -> str:
        """A margin account's buying power before the order (empty for a cash account)."""
        if not self.margin:
            return ""
        power = self.door.account(self.portfolio_id).buying_power
        return f" Buying power: {formatting.money(power)} {self.head.currency}."

    def _place(self, r: dict[str, Any], *, dry_run: bool = False) -> OrderView:
        return self.door.place_order(
            self.portfolio_id,
            r["side"],
            r["ticker"],
            r["quantity"],
            kind=r["kind"],
            limit=r["limit"],
            stop=r["stop"],
            trail=r["trail"],
            tif=r["tif"],
            expires=r["expires"],
            dry_run=dry_run,
        )

    def _show_error(self, message: str) -> None:
        self.view.message.show_error(message)
        r = self.request()
        typed = {k: str(r[k]) for k in ("quantity", "limit", "stop", "trail") if r[k]}
        field = _field_of(message, typed)
        if field is not None:
            mark_invalid(self.view.fields()[field], True, self._loss)

    def _show_ticker(self) -> None:
        v = self.view
        text = v.ticker.text().strip()
        try:
            info = self.market.info(text) if text else None
        except ErasmoError:
            info = None
        if info is None:
            v.ticker_info.setText("")
            return
        kind = "daily OHLC" if "open" in info.fields else "closes only"
        held = self.head.quantity(info.ticker)
        holding = f" · you hold {formatting.quantity(held)}" if held else ""
        # Never the end of the data beyond the clock: a simulation does not know tomorrow.
        last = min(info.last, self.clock)
        v.ticker_info.setText(f"{info.first.isoformat()} – {last.isoformat()}, {kind}{holding}")

    @Slot()
    def _on_submit(self) -> None:
        try:
            self.order = self._place(self.request())
        except ErasmoError as error:  # e.g. another program traded first: shown, never raised
            self._show_error(str(error))
            self.view.ok.setEnabled(False)
            return
        self.placed.emit(self.order)
        self.view.accept()


def _field_of(message: str, typed: dict[str, str]) -> str | None:
    """The field an error message is about: the one it names, or whose value it quotes."""
    lowered = message.lower()
    quoted = [f for f, text in typed.items() if f"{text} " in message or f"{text!r}" in message]
    if len(quoted) == 1:
        return quoted[0]
    for field, words in (
        ("limit", ("limit",)),
        ("stop", ("stop price", "--stop")),
        ("trail", ("trail",)),
        ("expires", ("expiry", "expires")),
        ("quantity", ("quantity", "shares")),
        ("ticker", ("ticker",)),
    ):
        if any(w in lowered for w in words):
            return field
    return None


class OrdersController(QObject):
    """Fills the orders tab for the selected portfolio; Cancel cancels the selected order.

    The orders are read from the portfolio's whole history, so they are read in the background:
    selecting a portfolio of a hundred thousand events never blocks the window.
    """

    changed = Signal()  # an order was cancelled
    new_order_requested = Signal()
    loaded = Signal()  # the orders of the latest reload are in the model

    def __init__(
        self,
        door: FrontDoor,
        view: OrdersView,
        dimmed: QColor,
        jobs: Jobs,
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self.door, self.view, self.jobs = door, view, jobs
        self._reading = 0  # the number of the latest reload; older results are dropped
        self.model = OrdersTableModel(dimmed, self)
        view.set_model(self.model)
        self.portfolio_id: UUID | None = None
        view.show_all.toggled.connect(self.reload)
        view.cancel_order.clicked.connect(self._on_cancel)
        view.new_order.clicked.connect(self.new_order_requested)
        view.table.selectionModel().selectionChanged.connect(self._on_selection)

    def show_portfolio(self, portfolio_id: UUID | None) -> None:
        self.portfolio_id = portfolio_id
        self.view.new_order.setEnabled(portfolio_id is not None)
        self.reload()

    @Slot()
    def reload(self) -> None:
        """Read the orders again (open ones, or all), in the background."""
        self._reading += 1
        reading, portfolio_id, door = self._reading, self.portfolio_id, self.door
        if portfolio_id is None:
            self._show([], "")
            return
        open_only = not self.view.show_all.isChecked()
        try:  # the head (from its latest snapshot) holds the open orders
            head = door.head(portfolio_id)
        except ErasmoError as error:
            self._show([], str(error))
            return
        if open_only and not head.orders:
            self._show([], "0 open orders")  # nothing to read
            return
        self.view.summary.setText("Reading the orders…")

        def job(progress: Progress) -> list[OrderView]:
            return door.orders(portfolio_id, open_only=open_only)

        def shown(orders: list[OrderView]) -> None:
            if reading == self._reading:  # else the user moved on: a newer reload follows
                open_count = sum(1 for o in orders if o.status == "open")
                self._show(orders, f"{open_count} open order{'s' if open_count != 1 else ''}")

        def failed(message: str) -> None:
            if reading == self._reading:
                self._show([], message)

        self.jobs.start(job, shown, failed)

    def _show(self, orders: list[OrderView], summary: str) -> None:
        self.model.set_orders(orders)
        self.view.summary.setText(summary)
        self._on_selection()
        self.loaded.emit()

    def selected_order(self) -> OrderView | None:
        rows = selected_source_rows(self.view.table)
        return self.model.order(rows[0]) if rows else None

    @Slot(QItemSelection, QItemSelection)
    def _on_selection(self, *_: object) -> None:
        order = self.selected_order()
        self.view.cancel_order.setEnabled(order is not None and order.status == "open")

    def cancel(self, order: OrderView) -> None:
        """Cancel `order` through the front door; errors are shown, never raised."""
        assert self.portfolio_id is not None
        try:
            self.door.cancel_order(self.portfolio_id, order.order_id)
        except ErasmoError as error:
            QMessageBox.warning(self.view, "erasmo", gui_text(str(error)))
            return
        self.reload()
        self.changed.emit()

    @Slot()
    def _on_cancel(self, *_: object) -> None:
        order = self.selected_order()
        if order is not None and order.status == "open":
            self.cancel(order)
