"""Apply splits and dividends: the pending corporate actions of a portfolio, and the command."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from erasmo.actions import PendingAction
from erasmo.door import FrontDoor
from events.errors import ErasmoError
from gui import formatting
from gui.dialogs.actions import ActionsView
from gui.models.records import Column, RecordsTableModel

COLUMNS = (
    Column("day", "Ex-date", str, numeric=False),
    Column("ticker", "Ticker", str, numeric=False),
    Column("kind", "Action", str, numeric=False),
    Column("terms", "Terms", str, tooltip="Split ratio, or cash per share"),
    Column("quantity", "Shares", formatting.quantity, tooltip="Shares held the day before"),
    Column("quantity_after", "Shares after", formatting.quantity),
    Column("cash", "Cash", formatting.money, tooltip="The dividend paid"),
    Column("status", "Status", str, numeric=False),
)


def records(pending: list[PendingAction]) -> list[dict[str, Any]]:
    """The service's pending actions as table rows."""
    rows = []
    for p in pending:
        a = p.action
        split = a.kind == "split"
        rows.append(
            {
                "day": a.day.isoformat(),
                "ticker": a.ticker,
                "kind": "Split" if split else "Dividend",
                "terms": f"{a.ratio}:1" if split else f"{formatting.price(a.amount)} per share",
                "quantity": p.quantity,
                "quantity_after": p.quantity_after,
                "cash": None if split else p.cash,
                "status": "Ready" if p.ready else f"Blocked: {p.reason}",
                "note": f"Source: {a.source}",
            }
        )
    return rows


class ActionsDialog(QObject):
    """Lists what `pending_actions` finds; Apply records the ready ones (`apply_actions`)."""

    applied = Signal(object)  # the actions recorded

    def __init__(
        self,
        door: FrontDoor,
        portfolio_id: UUID,
        colors: tuple[QColor, QColor],
        parent: QWidget | None,
    ) -> None:
        super().__init__(parent)
        self.door, self.portfolio_id = door, portfolio_id
        self.name = door.head(portfolio_id).name
        self.view = view = ActionsView(colors[1], parent)
        self.model = RecordsTableModel(COLUMNS, colors[0], colors[1], self)
        view.set_model(self.model)
        self.pending: list[PendingAction] = []
        view.apply.clicked.connect(self._on_apply)
        self.reload()

    def open(self) -> None:
        self.view.finished.connect(self.deleteLater)
        self.view.finished.connect(self.view.deleteLater)
        self.view.open()

    def reload(self) -> None:
        try:
            self.pending = list(self.door.pending_actions(self.portfolio_id))
        except ErasmoError as error:
            self.pending = []
            self.view.message.show_error(str(error))
        self.model.set_records(records(self.pending))
        ready = sum(1 for p in self.pending if p.ready)
        self.view.apply.setEnabled(ready > 0)
        self.view.apply.setText(f"Apply {ready} ready" if ready else "Apply")
        if not self.pending:
            self.view.intro.setText(
                f"{self.name} is due no split or dividend up to its clock: nothing to apply."
            )
        else:
            self.view.intro.setText(
                f"{self.name} held these tickers on their ex-dates, and the actions are not "
                "recorded yet. Apply records the ready ones, in date order, in one go."
            )

    @Slot()
    def _on_apply(self) -> None:
        try:
            done = list(self.door.apply_actions(self.portfolio_id))
        except ErasmoError as error:
            self.view.message.show_error(str(error))
            return
        cash = sum((p.cash for p in done), start=0)
        self.view.message.show_hint(
            f"Recorded {len(done)} action{'s' if len(done) != 1 else ''}; dividends paid "
            f"{formatting.money(cash)}."
        )
        self.reload()
        self.applied.emit(done)
