"""A step of time travel repaints the rows whose look changed, not the whole history.

The history table is drawn through two filter proxies and fits its columns to a sample of rows;
telling Qt that every row changed made each step of time travel cost time in proportion to the
history (about 0.1 s a step at a million events). Only the rows between the old and the new
"as of" event change: the one that was bold, the one that becomes bold, the ones dimmed or
undimmed in between.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from pytestqt.qtbot import QtBot

from gui.history_rows import HistoryRow
from gui.models.history import HistoryTableModel
from gui.views.history_tab import HistoryView

ROWS = 1_000
GREY = QColor("#808080")


def rows(count: int) -> list[HistoryRow]:
    return [
        HistoryRow(
            seq=n + 1,
            version=n + 1,
            on=date(2020, 1, 2),
            type="CashDeposited",
            ticker=None,
            quantity=None,
            price=None,
            fee=None,
            amount=None,
            cash_after=None,
            name="Travel",
        )
        for n in range(count)
    ]


def changed_rows(model: HistoryTableModel, as_of: int | None) -> list[tuple[int, int]]:
    """The row ranges `set_as_of(as_of)` says changed."""
    ranges: list[tuple[int, int]] = []

    def record(first: QModelIndex, last: QModelIndex) -> None:
        ranges.append((first.row(), last.row()))

    model.dataChanged.connect(record)
    model.set_as_of(as_of)
    model.dataChanged.disconnect(record)
    return ranges


def looks(model: HistoryTableModel, row: int) -> tuple[bool, bool]:
    """(dimmed, bold) of a row as the table draws it."""
    index = model.index(row, 0)
    font = model.data(index, Qt.ItemDataRole.FontRole)
    bold = isinstance(font, QFont) and font.bold()
    return model.data(index, Qt.ItemDataRole.ForegroundRole) == GREY, bold


def test_each_step_of_time_travel_repaints_only_the_rows_it_changes(qtbot: QtBot) -> None:
    model = HistoryTableModel(GREY)
    model.set_rows(rows(ROWS))
    everything = [looks(model, r) for r in range(ROWS)]
    assert everything == [(False, False)] * ROWS  # the latest: nothing dimmed, nothing bold

    assert changed_rows(model, ROWS - 2) == [(ROWS - 2, ROWS - 1)]  # one step back
    assert looks(model, ROWS - 2) == (False, True)
    assert looks(model, ROWS - 1) == (True, False)
    assert changed_rows(model, ROWS - 3) == [(ROWS - 3, ROWS - 2)]  # another
    assert looks(model, ROWS - 3) == (False, True)
    assert looks(model, ROWS - 2) == (True, False)
    assert changed_rows(model, 10) == [(10, ROWS - 3)]  # a jump back: the rows in between
    assert [looks(model, r) for r in (9, 10, 11)] == [(False, False), (False, True), (True, False)]
    assert changed_rows(model, 10) == []  # the same place: nothing
    assert changed_rows(model, None) == [(10, ROWS - 1)]  # back to the latest
    assert [looks(model, r) for r in range(ROWS)] == everything


def test_the_history_columns_are_fitted_once_per_history_not_at_each_step(
    qtbot: QtBot,
) -> None:
    view = HistoryView()
    qtbot.addWidget(view)
    model = HistoryTableModel(GREY)
    view.set_model(model)
    view.resize(1000, 600)
    view.show()
    qtbot.waitExposed(view)
    model.set_rows(rows(ROWS))
    header = view.table.horizontalHeader()
    fitted = [header.sectionSize(c) for c in range(model.columnCount())]
    assert fitted[HistoryTableModel.COL_TYPE] >= view.table.sizeHintForColumn(
        HistoryTableModel.COL_TYPE
    )  # the type column fits its text

    reads = 0
    data = model.data

    def counting(index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        nonlocal reads
        reads += 1
        return data(index, role)

    model.data = counting  # type: ignore[method-assign]
    model.set_as_of(ROWS - 2)
    qtbot.wait(50)  # let the table repaint
    visible = view.table.rowAt(view.table.viewport().height() - 1) + 1 or ROWS
    # The repaint reads the visible cells; fitting the columns would read 100 rows' cells more.
    assert reads < (visible + 40) * model.columnCount() * 8
    assert [header.sectionSize(c) for c in range(model.columnCount())] == fitted
