"""A what-if branch in the history table: its fork mark and the copies of its parent's events."""

from __future__ import annotations

from uuid import UUID

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from erasmo.bootstrap import Erasmo
from gui.history_rows import history_rows, rows_from_event_frame
from gui.models.history import HistoryTableModel


def test_a_branch_lists_its_fork_mark_then_the_parents_events(
    qapp: QApplication, erasmo: Erasmo, demo: UUID
) -> None:
    parent = erasmo.app.history(demo)
    branch = erasmo.door.fork(demo, "What if", parent[3].seq).id
    model = HistoryTableModel()
    model.set_rows(history_rows(erasmo.door, branch))
    kinds = [
        model.index(r, HistoryTableModel.COL_TYPE).data(Qt.ItemDataRole.DisplayRole)
        for r in range(model.rowCount())
    ]
    parent_model = HistoryTableModel()
    parent_model.set_rows(history_rows(erasmo.door, demo))
    parent_kinds = [
        parent_model.index(r, HistoryTableModel.COL_TYPE).data(Qt.ItemDataRole.DisplayRole)
        for r in range(4)
    ]
    assert kinds == ["Opened", "Forked", *parent_kinds[1:]]
    last = model.rowCount() - 1
    assert model.index(last, HistoryTableModel.COL_CASH).data(
        Qt.ItemDataRole.DisplayRole
    ) == parent_model.index(3, HistoryTableModel.COL_CASH).data(Qt.ItemDataRole.DisplayRole)
    # The columnar rows (long histories) read the fork mark too.
    frame_rows = rows_from_event_frame(erasmo.analytics.portfolio_events(branch), "What if")
    assert [r.type for r in frame_rows][:2] == ["PortfolioOpened", "BranchForked"]
