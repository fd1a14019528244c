"""Layout of the change-rules dialog: a portfolio's mode, commission, slippage, volume cap and
account (cash or margin)."""

from __future__ import annotations

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

from gui.dialogs.form import InlineMessage, fit_height, show_placeholder
from gui.theme import muted


def account_choice() -> QComboBox:
    """The account field: cash or margin (its data: "cash" or "margin")."""
    account = QComboBox()
    account.addItem("Cash: no negative cash, no short sale", "cash")
    account.addItem("Margin: sell short and buy on margin, within buying power", "margin")
    account.setToolTip(
        "A margin account pays interest on a debit balance and borrow fees on shorts, and "
        "gets margin calls below its maintenance margin (see docs/margin.md)."
    )
    return account


class RulesView(QDialog):
    """Mode, commission, slippage, volume cap and account of one portfolio, and the inline
    message."""

    def __init__(self, error_color: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change rules")
        self.setMinimumWidth(460)
        self.portfolio = QLabel("")
        self.mode = QComboBox()
        self.mode.addItem("Live: trade at any day's close up to the latest data", "live")
        self.mode.addItem("Simulation: see the market only up to a clock you step", "simulation")
        self.commission = QLineEdit()
        self.commission.setPlaceholderText("0, 1.00, 0.005/share, 0.1%,min=1,max=20")
        self.commission.setToolTip(
            "Commission per order: a flat amount ('1.00'), an amount per share ('0.005/share') "
            "or a percentage of the value ('0.1%'), optionally with ',min=' and ',max='."
        )
        self.slippage = QLineEdit()
        self.slippage.setPlaceholderText("basis points against you, e.g. 5")
        self.volume_cap = QLineEdit()
        self.volume_cap.setPlaceholderText("empty: no cap; e.g. 10 for 10% of a bar's volume")
        self.volume_cap.setToolTip(
            "At most this percentage of a bar's volume fills of an order on that bar; the rest "
            "fills on later bars or expires with its day. Needs market data with volume."
        )
        self.account = account_choice()
        self.account_terms = QLabel("")
        self.account_terms.setWordWrap(True)
        muted(self.account_terms)
        for edit in (self.commission, self.slippage, self.volume_cap):
            show_placeholder(edit)
        form = QFormLayout()
        form.addRow("Portfolio", self.portfolio)
        form.addRow("Mode", self.mode)
        form.addRow("Commission", self.commission)
        form.addRow("Slippage (bp)", self.slippage)
        form.addRow("Volume cap (%)", self.volume_cap)
        form.addRow("Account", self.account)
        note = QLabel(
            "The new rules apply from the portfolio's latest event on: what is already "
            "recorded keeps the rules it was recorded under."
        )
        note.setWordWrap(True)
        muted(note)
        self.message = InlineMessage(error_color)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Change rules")
        self.buttons.rejected.connect(self.reject)
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
            "mode": self.mode,
            "commission": self.commission,
            "slippage": self.slippage,
            "volume_cap": self.volume_cap,
            "account": self.account,
        }
