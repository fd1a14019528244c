"""Change a portfolio's trading rules from the window: the front door's dry run on every
change of a field, then the command (by portfolio id)."""

from __future__ import annotations

from uuid import UUID

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from erasmo.door import FrontDoor
from events.commission import parse_commission, parse_slippage_bps
from events.errors import (
    ErasmoError,
    InvalidCommissionError,
    InvalidInputError,
    InvalidSlippageError,
    VolumeDataError,
)
from gui.dialogs.form import fit_height, mark_invalid
from gui.dialogs.rules import RulesView
from gui.form_checks import problem_of

RULES_FIELDS = (
    ((InvalidCommissionError,), "commission"),
    ((InvalidSlippageError,), "slippage"),
    ((VolumeDataError,), "volume_cap"),
    ((InvalidInputError,), "account"),
)


class RulesDialog(QObject):
    """The mode, commission, slippage, volume cap and account of one portfolio, checked before
    OK is enabled. An empty volume cap is no cap; a portfolio made a margin account gets the
    default margin terms (`erasmo portfolio rules` changes them)."""

    changed = Signal(object)  # the portfolio's UUID

    def __init__(
        self, door: FrontDoor, portfolio_id: UUID, name: str, loss: QColor, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.door, self.portfolio_id, self._loss = door, portfolio_id, loss
        self.view = view = RulesView(loss, parent)
        current = door.rules(portfolio_id)
        self.current = current
        view.portfolio.setText(name)
        view.mode.setCurrentIndex(max(0, view.mode.findData(current.mode)))
        view.commission.setText(current.commission)
        view.slippage.setText(f"{current.slippage_bps.normalize():f}")
        cap = current.max_volume_pct
        view.volume_cap.setText("" if cap is None else f"{cap.normalize():f}")
        view.mode.currentIndexChanged.connect(self._on_changed)
        view.commission.textChanged.connect(self._on_changed)
        view.slippage.textChanged.connect(self._on_changed)
        self.account = door.account(portfolio_id)
        view.account.setCurrentIndex(max(0, view.account.findData(self.account.account)))
        view.volume_cap.textChanged.connect(self._on_changed)
        view.account.currentIndexChanged.connect(self._on_changed)
        view.buttons.accepted.connect(self._on_submit)
        self._on_changed()

    def open(self) -> None:
        self.view.finished.connect(self.deleteLater)
        self.view.finished.connect(self.view.deleteLater)
        self.view.open()

    def _run(self, *, dry_run: bool) -> object:
        v = self.view
        commission = parse_commission(v.commission.text().strip() or "0").spec
        slippage = parse_slippage_bps(v.slippage.text().strip() or "0")
        account = str(v.account.currentData())
        rules, terms = self.door.change_rules(  # one save: a refused part records nothing
            self.portfolio_id,
            str(v.mode.currentData()),
            commission,
            slippage,
            max_volume_pct=self._cap_change(),
            account=account if account != self.account.account else None,
            dry_run=dry_run,
        )
        v.account_terms.setText(terms.describe().capitalize() + ".")
        return rules

    def _cap_change(self) -> str | None:
        """The volume cap to set: None to keep it (unchanged), "off" to remove it."""
        text = self.view.volume_cap.text().strip().rstrip("%").strip()
        current = self.current.max_volume_pct
        if not text:
            return None if current is None else "off"
        if current is not None and text == f"{current.normalize():f}":
            return None
        return text

    @Slot()
    def _on_changed(self, *_: object) -> None:
        v = self.view
        problem = None
        try:
            self._run(dry_run=True)
        except ErasmoError as error:
            problem = problem_of(error, RULES_FIELDS)
        v.ok.setEnabled(problem is None)
        for name, widget in v.fields().items():
            mark_invalid(widget, problem is not None and problem.field == name, self._loss)
        if problem is None:
            v.message.clear_message()
        else:
            v.message.show_error(problem.message)
        fit_height(v)  # the terms of the account chosen: grown or shrunk to hold them

    @Slot()
    def _on_submit(self) -> None:
        try:
            self._run(dry_run=False)
        except ErasmoError as error:
            self.view.message.show_error(str(error))
            return
        self.changed.emit(self.portfolio_id)
        self.view.accept()
