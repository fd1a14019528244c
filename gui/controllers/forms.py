"""Behaviour of the deposit/withdraw and new-portfolio dialogs: the front door's dry run on every
change, then the command (by portfolio id)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from erasmo.door import FrontDoor
from erasmo.door.models import CashReceipt, PortfolioHead
from events.errors import ErasmoError
from gui import formatting
from gui.dialogs.cash import CashView, NewPortfolioView
from gui.dialogs.form import field_date, fit_height, mark_invalid, to_qdate
from gui.form_checks import (
    DEPOSIT,
    WITHDRAW,
    Problem,
    cash_problem,
    opening_problem,
    preview_cash,
    preview_opening,
)


def _show_problem(view: CashView | NewPortfolioView, problem: Problem | None, loss: QColor) -> None:
    hint = problem is not None and problem.hint
    for name, widget in view.fields().items():
        mark_invalid(widget, problem is not None and not hint and problem.field == name, loss)
    if problem is None:
        view.message.clear_message()
    elif hint:
        view.message.show_hint(problem.message)
    else:
        view.message.show_error(problem.message)


class CashDialog(QObject):
    """Deposit or withdraw cash, checked by the domain before OK is enabled."""

    recorded = Signal()

    def __init__(
        self,
        door: FrontDoor,
        head: PortfolioHead,
        loss: QColor,
        parent: QWidget | None = None,
        *,
        kind: str = DEPOSIT,
    ) -> None:
        super().__init__(parent)
        self.door, self.head, self._loss = door, head, loss
        self.portfolio_id = head.id
        self.preview: CashReceipt | None = None
        self.problem: Problem | None = None
        self.done = False
        self.view = view = CashView(loss, parent)
        view.portfolio.setText(f"{head.name} — cash {formatting.money(head.cash)}")
        (view.withdraw if kind == WITHDRAW else view.deposit).setChecked(True)
        view.date.setMinimumDate(to_qdate(head.clock))
        view.date.setMaximumDate(to_qdate(min(door.today(), door.market.latest_date())))
        view.date.setDate(to_qdate(head.clock))
        view.amount.textChanged.connect(self._on_changed)
        view.date.dateChanged.connect(self._on_changed)
        view.date.problemChanged.connect(self._on_changed)
        view.kind.buttonToggled.connect(self._on_changed)
        view.buttons.accepted.connect(self._on_submit)
        self._on_changed()

    @property
    def kind(self) -> str:
        return WITHDRAW if self.view.withdraw.isChecked() else DEPOSIT

    def open(self) -> None:
        """Show the dialog (window-modal); `recorded` is emitted if the command is recorded."""
        self.view.finished.connect(self.deleteLater)
        self.view.finished.connect(self.view.deleteLater)
        self.view.open()

    @Slot()
    def _on_changed(self, *_: object) -> None:
        v = self.view
        try:
            self.preview = preview_cash(
                self.door, self.portfolio_id, kind=self.kind, amount=v.amount.text(),
                on=field_date(v.date),
            )  # fmt: skip
            self.problem = None
        except ErasmoError as error:
            self.preview, self.problem = None, cash_problem(error)
        v.ok.setEnabled(self.preview is not None)
        v.ok.setText("Deposit" if self.kind == DEPOSIT else "Withdraw")
        v.cash_after.setText(formatting.money(self.preview.cash_after) if self.preview else "—")
        _show_problem(v, self.problem, self._loss)

    @Slot()
    def _on_submit(self) -> None:
        if self.preview is None:
            return
        command = self.door.deposit if self.kind == DEPOSIT else self.door.withdraw
        try:
            command(self.portfolio_id, self.preview.amount, self.preview.day)
        except ErasmoError as error:
            self.view.message.show_error(str(error))
            return
        self.done = True
        self.recorded.emit()
        self.view.accept()


class NewPortfolioDialog(QObject):
    """Open a portfolio: the name must be free, the date a market day; a cash or a margin
    account (the latter with the default margin terms, which Change rules… can change)."""

    opened_portfolio = Signal(object)  # its UUID

    def __init__(
        self,
        door: FrontDoor,
        taken: set[str],
        loss: QColor,
        parent: QWidget | None = None,
        *,
        default_day: date | None = None,
        rules: bool = True,
    ) -> None:
        """`rules`: whether the mode, commission and slippage fields can be changed."""
        super().__init__(parent)
        self.door, self.taken, self._loss = door, taken, loss
        self.preview: PortfolioHead | None = None  # the door's dry run of the opening
        self.problem: Problem | None = None
        self.opened: UUID | None = None
        self.view = view = NewPortfolioView(loss, parent)
        days = door.market.trading_days()
        view.date.setMinimumDate(to_qdate(days[0]))
        view.date.setMaximumDate(to_qdate(min(door.today(), days[-1])))
        view.date.setDate(to_qdate(default_day or days[-1]))
        view.name.textChanged.connect(self._on_changed)
        view.cash.textChanged.connect(self._on_changed)
        view.date.dateChanged.connect(self._on_changed)
        view.date.problemChanged.connect(self._on_changed)
        view.mode.currentIndexChanged.connect(self._on_changed)
        view.commission.textChanged.connect(self._on_changed)
        view.slippage.textChanged.connect(self._on_changed)
        view.account.currentIndexChanged.connect(self._on_changed)
        for widget in (view.mode, view.commission, view.slippage, view.account):
            widget.setEnabled(rules)
        view.buttons.accepted.connect(self._on_submit)
        self._on_changed()

    def open(self) -> None:
        """Show the dialog (window-modal); `opened_portfolio` is emitted once it is opened."""
        self.view.finished.connect(self.deleteLater)
        self.view.finished.connect(self.view.deleteLater)
        self.view.open()

    @property
    def account(self) -> str:
        """ "cash" or "margin": the account chosen."""
        return str(self.view.account.currentData())

    @Slot()
    def _on_changed(self, *_: object) -> None:
        v = self.view
        try:
            self.preview = preview_opening(
                self.door, self.taken, name=v.name.text(), cash=v.cash.text(),
                on=field_date(v.date), mode=str(v.mode.currentData()),
                commission=v.commission.text(), slippage=v.slippage.text(),
                account=self.account,
            )  # fmt: skip
            self.problem = None
        except ErasmoError as error:
            self.preview, self.problem = None, opening_problem(error)
        v.account_terms.setText(margin_terms() if self.account == "margin" else "")
        v.account_terms.setVisible(self.account == "margin")
        v.ok.setEnabled(self.preview is not None)
        _show_problem(v, self.problem, self._loss)
        fit_height(v)  # grown for the terms, shrunk back without them

    @Slot()
    def _on_submit(self) -> None:
        if self.preview is None:
            return
        v = self.view
        try:
            self.opened = preview_opening(
                self.door, self.taken, name=v.name.text(), cash=v.cash.text(),
                on=field_date(v.date), mode=str(v.mode.currentData()),
                commission=v.commission.text(), slippage=v.slippage.text(), dry_run=False,
                account=self.account,
            ).id  # fmt: skip
        except ErasmoError as error:
            self.view.message.show_error(str(error))
            return
        self.opened_portfolio.emit(self.opened)
        self.view.accept()


def margin_terms() -> str:
    """What a margin account opened from the window gets: the default margin terms."""
    from events.rules.margin import MARGIN_DEFAULTS

    def pct(key: str) -> str:
        return f"{(MARGIN_DEFAULTS[key] * 100).normalize():f}%"

    return (
        f"A margin account gets the default terms: initial margin {pct('initial_margin')}, "
        f"maintenance {pct('maintenance_long')} long / {pct('maintenance_short')} short, "
        f"interest {pct('margin_interest')} a year on a debit balance, borrow fee "
        f"{pct('borrow_fee')} a year on shorts. Change rules… can switch the account later."
    )
