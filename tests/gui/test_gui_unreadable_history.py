"""The history tab of a portfolio whose store holds an event this erasmo cannot read (a newer
shape version, damaged bytes): the event is a row that says "Unreadable" and why, the rows before
it keep their cash, and the other portfolio's history is whole."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from reliability.unreadable import REASONS, damaged_store

from erasmo.bootstrap import bootstrap
from gui.history_rows import history_rows
from gui.models.history import HistoryTableModel

DISPLAY = Qt.ItemDataRole.DisplayRole


@pytest.mark.parametrize("how", sorted(REASONS))
def test_the_history_tab_shows_an_unreadable_event_as_a_row_saying_why(
    qapp: QApplication, tmp_path: Path, how: str
) -> None:
    damaged = damaged_store(tmp_path / "data", how)
    erasmo = bootstrap(str(tmp_path / "data"), None, offline=True)
    try:
        rows = history_rows(erasmo.door, damaged.portfolio_id)
        honest = history_rows(erasmo.door, erasmo.door.resolve("Honest"))
    finally:
        erasmo.close()
    assert [r.type for r in rows] == [
        "PortfolioOpened",
        "CashDeposited",
        "SharesBought",
        "CashDeposited",
    ]
    _opened, deposit, bought, bad = rows
    assert [r.unreadable for r in rows] == [None, None, None, damaged.reason]
    assert (bad.seq, bad.version) == (damaged.seq, damaged.version)
    # the replay stops at the unreadable event: the cash before it is known, after it not
    assert deposit.cash_after == Decimal("5000")
    assert bought.amount is not None
    assert bought.fee is not None
    assert bought.cash_after == Decimal("5000") - bought.amount - bought.fee
    assert bad.cash_after is None
    assert bad.name == "Damaged"
    assert bought.details.startswith("5 AAPL @ ")
    model = HistoryTableModel()
    model.set_rows(rows)
    assert model.index(3, HistoryTableModel.COL_TYPE).data(DISPLAY) == "Unreadable"
    assert model.index(2, HistoryTableModel.COL_TYPE).data(DISPLAY) == "Buy"
    assert model.index(3, HistoryTableModel.COL_CASH).data(DISPLAY) == ""
    tip = model.index(3, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert f"cannot read this event: {damaged.reason}" in tip
    assert "5 AAPL @ " in model.index(2, 0).data(Qt.ItemDataRole.ToolTipRole)
    # the other portfolio reads whole
    assert [r.unreadable for r in honest] == [None, None, None]
    assert all(r.cash_after is not None for r in honest)


@pytest.mark.parametrize("how", sorted(REASONS))
def test_the_portfolio_list_survives_an_unreadable_event(tmp_path: Path, how: str) -> None:
    """One unreadable event never takes the list down: a damaged byte lists its portfolio as
    it was before that event, marked unreadable; a newer shape is read up to it."""
    damaged = damaged_store(tmp_path / "data", how)
    erasmo = bootstrap(str(tmp_path / "data"), None, offline=True)
    try:
        rows = {r.name: r for r in erasmo.door.portfolios()}
    finally:
        erasmo.close()
    assert rows["Honest"].status == "open"
    assert rows["Damaged"].status == ("unreadable" if how == "damaged bytes" else "open")
    if how == "damaged bytes":
        assert rows["Damaged"].version == damaged.version - 1
