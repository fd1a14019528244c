"""What the window is looking at: the selected portfolio and the "as of" event of time travel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from PySide6.QtCore import QObject, Signal


@dataclass(frozen=True, slots=True)
class AsOf:
    """The event every tab shows the portfolio after.

    Attributes:
        seq: its position in the store's log.
        version: its position in the portfolio's history (1 = opening).
        on: its market date.
        latest: True when it is the portfolio's latest event (no time travel).
    """

    seq: int
    version: int
    on: date
    latest: bool


class Session(QObject):
    """The selection shared by every tab; changing it tells them all."""

    portfolio_changed = Signal(object)  # UUID | None
    as_of_changed = Signal(object)  # AsOf | None
    store_changed = Signal()  # something was recorded or imported

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._portfolio: UUID | None = None
        self._as_of: AsOf | None = None

    @property
    def portfolio(self) -> UUID | None:
        return self._portfolio

    @property
    def as_of(self) -> AsOf | None:
        return self._as_of

    def select(self, portfolio_id: UUID | None) -> None:
        """Look at another portfolio (time travel starts again at its latest event)."""
        if portfolio_id == self._portfolio:
            return
        self._portfolio = portfolio_id
        self._as_of = None
        self.portfolio_changed.emit(portfolio_id)

    def travel(self, as_of: AsOf | None) -> None:
        """Show the selected portfolio as it was after `as_of`."""
        if as_of == self._as_of:
            return
        self._as_of = as_of
        self.as_of_changed.emit(as_of)
