"""Layouts of the deposit/withdraw dialog and the new-portfolio dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gui.dialogs.form import InlineMessage, date_edit, fit_height, show_placeholder, two_choices
from gui.dialogs.rules import account_choice
from gui.theme import muted


def _buttons(dialog: QDialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
    buttons.rejected.connect(dialog.reject)
    return buttons


class CashView(QDialog):
    """Deposit or withdraw: kind, amount, date, the cash after, and the inline message."""

    def __init__(self, error_color: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Deposit / Withdraw")
        self.setMinimumWidth(440)
        self.portfolio = QLabel("")
        self.deposit, self.withdraw, self.kind, kinds = two_choices(self, "Deposit", "Withdraw")
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("e.g. 1500.00")
        self.date = date_edit()
        self.cash_after = QLabel("—")
        self.cash_after.setAlignment(Qt.AlignmentFlag.AlignLeft)
        form = QFormLayout()
        form.addRow("Portfolio", self.portfolio)
        form.addRow("", kinds)
        form.addRow("Amount", self.amount)
        form.addRow("Date", self.date)
        form.addRow("Cash after", self.cash_after)
        self.message = InlineMessage(error_color)
        self.buttons = _buttons(self)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def fields(self) -> dict[str, QWidget]:
        return {"amount": self.amount, "date": self.date}


class NewPortfolioView(QDialog):
    """A new portfolio: name, opening cash, the market date it opens on, its trading rules and
    its account (cash or margin, with the terms a margin account gets)."""

    def __init__(self, error_color: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New portfolio")
        self.setMinimumWidth(440)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Tech")
        self.cash = QLineEdit("10000")
        self.cash.setPlaceholderText("blank: open without cash")
        self.date = date_edit()
        self.mode = QComboBox()
        self.mode.addItem("Live: trade at any day's close up to the latest data", "live")
        self.mode.addItem("Simulation: see the market only up to a clock you step", "simulation")
        self.commission = QLineEdit("0")
        self.commission.setPlaceholderText("0, 1.00, 0.005/share, 0.1%,min=1,max=20")
        self.commission.setToolTip(
            "Commission per order: a flat amount ('1.00'), an amount per share ('0.005/share') "
            "or a percentage of the value ('0.1%'), optionally with ',min=' and ',max='."
        )
        self.slippage = QLineEdit("0")
        self.slippage.setPlaceholderText("basis points against you, e.g. 5")
        self.slippage.setToolTip("Slippage in basis points (1 bp = 0.01 %) against the trader")
        self.account = account_choice()
        self.account_terms = QLabel("")
        self.account_terms.setWordWrap(True)
        muted(self.account_terms)
        for edit in (self.name, self.cash, self.commission, self.slippage):
            show_placeholder(edit)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Opening cash", self.cash)
        form.addRow("Opens on", self.date)
        form.addRow("Mode", self.mode)
        form.addRow("Commission", self.commission)
        form.addRow("Slippage (bp)", self.slippage)
        form.addRow("Account", self.account)
        note = QLabel(
            "The portfolio's clock starts on this market date; trades are dated on or after it. "
            "Commission and slippage apply to the fills of orders."
        )
        note.setWordWrap(True)
        muted(note)
        self.message = InlineMessage(error_color)
        self.buttons = _buttons(self)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.account_terms)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        fit_height(self)

    def fields(self) -> dict[str, QWidget]:
        return {
            "name": self.name,
            "cash": self.cash,
            "date": self.date,
            "commission": self.commission,
            "slippage": self.slippage,
        }
