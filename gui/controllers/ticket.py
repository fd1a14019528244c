"""The trade ticket's behaviour: live validation and the front door's dry run, then the real
command, on the portfolio the ticket was opened for (by id: a rename meanwhile cannot redirect
the trade)."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QObject, QStringListModel, Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCompleter, QWidget

from erasmo.door import FrontDoor
from erasmo.door.models import PortfolioHead, TradeReceipt
from events.errors import ErasmoError
from events.values import PriceProvenance
from gui import formatting
from gui.dialogs.form import field_date, mark_invalid, to_qdate
from gui.dialogs.trade_ticket import TradeTicketView
from gui.form_checks import BUY, SELL, Problem, preview_trade, trade_problem
from gui.formatting import ungrouped
from gui.now import market_now, now_phrase


class TradeTicket(QObject):
    """Validates the ticket on every change; OK stays disabled while it is invalid."""

    recorded = Signal(object)  # the TradeReceipt

    def __init__(
        self,
        door: FrontDoor,
        head: PortfolioHead,
        colors: tuple[QColor, QColor],
        parent: QWidget | None = None,
        *,
        side: str = BUY,
        ticker: str = "",
    ) -> None:
        super().__init__(parent)
        self.door = door
        self.portfolio_id = head.id  # the trade goes here, whatever it is called by then
        self.head = head
        self.receipt: TradeReceipt | None = None
        self.preview: TradeReceipt | None = None  # the door's dry run of the ticket
        self.problem: Problem | None = None
        self._gain, self._loss = colors
        self.view = view = TradeTicketView(self._loss, parent)
        account = door.account(head.id)
        self.margin = account.account == "margin"
        power = f", buying power {formatting.money(account.buying_power)}" if self.margin else ""
        view.portfolio.setText(
            f"{head.name} — cash {formatting.money(head.cash)} {head.currency}{power}, "
            f"{now_phrase(head.simulated, market_now(door, head)).lower()}"
        )
        view.short.setVisible(self.margin)
        tradable = door.tradable_tickers()
        completer = QCompleter(QStringListModel(tradable, view), view)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        view.ticker.setCompleter(completer)
        chosen = {SELL: view.sell, "short": view.short if self.margin else view.sell}
        chosen.get(side, view.buy).setChecked(True)
        view.ticker.setText(ticker)
        view.date.setMinimumDate(to_qdate(head.clock))
        view.date.setMaximumDate(to_qdate(min(door.today(), door.market.latest_date())))
        view.date.setDate(to_qdate(head.clock))
        view.ticker.textChanged.connect(self._on_changed)
        view.quantity.textChanged.connect(self._on_changed)
        view.price.textChanged.connect(self._on_changed)
        view.fee.textChanged.connect(self._on_changed)
        view.date.dateChanged.connect(self._on_changed)
        view.date.problemChanged.connect(self._on_changed)
        view.side.buttonToggled.connect(self._on_changed)
        view.all_shares.clicked.connect(self._on_all_shares)
        view.buttons.accepted.connect(self._on_submit)
        self._on_changed()

    def open(self) -> None:
        """Show the ticket (window-modal); `recorded` is emitted if a trade is recorded."""
        self.view.finished.connect(self.deleteLater)
        self.view.finished.connect(self.view.deleteLater)
        self.view.open()

    @property
    def side(self) -> str:
        """What the door is asked: a short sale is a sell (of more than is held)."""
        return SELL if self.view.sell.isChecked() or self.view.short.isChecked() else BUY

    def _request(self) -> dict[str, object]:
        v = self.view
        return {
            "side": self.side,
            "ticker": v.ticker.text(),
            "quantity": v.quantity.text(),
            "on": field_date(v.date),
            "price": v.price.text(),
            "fee": v.fee.text(),
        }

    @Slot()
    def _on_changed(self, *_: object) -> None:
        v = self.view
        v.all_shares.setVisible(v.sell.isChecked())
        v.ok.setText("Sell short" if v.short.isChecked() else "Buy" if self.side == BUY else "Sell")
        self._show_ticker()
        try:
            self.preview = preview_trade(self.door, self.portfolio_id, **self._request())  # type: ignore[arg-type]
            self.problem = None
        except ErasmoError as error:
            self.preview = None
            self.problem = trade_problem(error)
        self._show()

    def _show_ticker(self) -> None:
        v = self.view
        text = v.ticker.text().strip()
        try:
            info = self.door.market.info(text) if text else None
        except ErasmoError:
            info = None
        if info is None:
            v.ticker_info.setText("")
            return
        closes = "adjusted closes" if info.adjusted else "raw closes"
        held = self.head.quantity(info.ticker)
        holding = f" · you hold {formatting.quantity(held)}" if held else ""
        v.ticker_info.setText(
            f"{info.first.isoformat()} – {info.last.isoformat()}, {closes}{holding}"
        )
        v.ticker_info.setToolTip(f"Source: {info.source}")

    def _show(self) -> None:
        v = self.view
        problem = self.problem
        hint = problem is not None and problem.hint
        for name, widget in v.fields().items():
            wrong = problem is not None and not hint and problem.field == name
            mark_invalid(widget, wrong, self._loss)
        p = self.preview
        v.ok.setEnabled(p is not None)
        if p is None:
            for label in (v.value, v.cash_change, v.cash_after, v.position_after):
                label.setText("—")
                label.setStyleSheet("")
            v.fill_price.setText(self._fill_text())
            assert problem is not None
            if hint:
                v.message.show_hint(problem.message)
            else:
                v.message.show_error(problem.message)
            return
        v.fill_price.setText(_describe_fill(p.price, p.provenance))
        v.value.setText(formatting.money(p.value))
        change = p.cash_after - p.cash_before
        v.cash_change.setText(formatting.signed_money(change))
        v.cash_change.setStyleSheet(f"color: {(self._gain if change > 0 else self._loss).name()};")
        v.cash_after.setText(formatting.money(p.cash_after))
        v.position_after.setText(f"{formatting.quantity(p.position_after)} {p.ticker}")
        verb = "Sell short" if v.short.isChecked() else "Buy" if p.side == BUY else "Sell"
        v.message.show_hint(
            f"{verb} {formatting.quantity(p.quantity)} {p.ticker} at {formatting.price(p.price)} "
            f"on {p.day.isoformat()}."
        )

    def _fill_text(self) -> str:
        """The fill price of the ticket's ticker and date, when those two are valid."""
        v = self.view
        try:
            fill = self.door.trading.fill(
                v.ticker.text(), field_date(v.date), v.price.text().strip() or None
            )
        except ErasmoError:
            return "—"
        return _describe_fill(fill.price, fill.provenance)

    @Slot()
    def _on_all_shares(self) -> None:
        ticker = self.view.ticker.text().strip().upper()
        held = self.head.quantity(ticker)
        if held:
            self.view.quantity.setText(str(held))

    @Slot()
    def _on_submit(self) -> None:
        if self.preview is None:
            return
        r = self._request()
        command = self.door.buy if self.side == BUY else self.door.sell
        try:
            self.receipt = command(
                self.portfolio_id,
                str(r["ticker"]),
                ungrouped(str(r["quantity"])),
                self.preview.day,
                ungrouped(str(r["price"])).strip() or None,
                ungrouped(str(r["fee"])).strip() or None,
            )
        except ErasmoError as error:  # e.g. another program traded first: say so, never crash
            self.view.message.show_error(str(error))
            self.view.ok.setEnabled(False)
            return
        self.recorded.emit(self.receipt)
        self.view.accept()


def _describe_fill(price: Decimal, provenance: PriceProvenance) -> str:
    kind = "explicit price" if provenance.kind == "explicit" else "close"
    adjusted = ", adjusted" if provenance.adjusted else ""
    return (
        f"{formatting.price(price)}  ({kind} of {provenance.day.isoformat()}, "
        f"{provenance.source}{adjusted})"
    )
