"""The sweep dialog: its table holds what `sweep()` gives for the same grid, its heatmaps the
table's figures, and a double-clicked set is recorded as `keep_best` records it, then opened."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, Qt
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from erasmo.strategy.rerun import compare_logs
from erasmo.strategy.runner import spec_from_file
from erasmo.strategy.sweep import keep_best, sweep
from gui.controllers.main import MainController

MakeWindow = Callable[..., MainController]
SMA = Path(__file__).parents[2] / "examples" / "strategies" / "sma_cross.py"
START, END, SPLIT = date(2005, 1, 3), date(2006, 12, 29), date(2006, 1, 3)
FAST, SLOW = ["5", "10"], ["20", "30", "40"]


def table_rows(dialog: Any) -> list[list[Any]]:
    """Each row's cells: the number behind a figure, the text of the others."""
    table = dialog.view.table
    rows = []
    for r in range(table.rowCount()):
        cells = []
        for c in range(table.columnCount()):
            item = table.item(r, c)
            number = item.data(Qt.ItemDataRole.UserRole)
            cells.append(item.text() if number is None else number)
        rows.append(cells)
    return rows


def expected_rows(report: Any) -> list[list[Any]]:
    rows = []
    for r in report.rows:
        figures = []
        for m in (r.result, r.out_of_sample):
            figures += [m.ttwror, m.max_drawdown, float(m.trades), float(m.final_value)]
        rows.append([float(r.rank), float(r.out_rank), r.swept["fast"], r.swept["slow"], *figures])
    return rows


def test_the_sweep_table_and_heatmaps_match_sweep_and_a_set_is_recorded(
    qtbot: QtBot,
    erasmo: Erasmo,
    make_erasmo: Callable[[str], Erasmo],
    make_window: MakeWindow,
    tmp_path: Path,
) -> None:
    c = make_window(erasmo)
    dialog = c.strategies.open_sweep_dialog(str(SMA))
    v = dialog.view
    assert [dialog.values[n].text() for n in ("ticker", "fast", "slow")] == ["GOOG", "50", "200"]
    v.fields.start.setDate(START)
    v.fields.end.setDate(END)
    dialog.values["fast"].setText("5:10:5")
    dialog.values["slow"].setText("20,30,40")
    v.workers.setValue(1)
    v.split_on.setChecked(True)
    v.split.setDate(date(2007, 3, 1))
    assert not v.run.isEnabled()
    assert "split" in v.message.text()
    v.split.setDate(SPLIT)
    assert v.run.isEnabled(), v.message.text()
    assert "6 parameter sets (12 backtests) on 1 worker" in v.message.text()
    dialog.values["slow"].setText("20,x")
    assert not v.run.isEnabled()
    assert v.message.is_error
    dialog.values["slow"].setText("20,30,40")

    with qtbot.waitSignal(dialog.swept, timeout=180_000):
        qtbot.mouseClick(v.run, Qt.MouseButton.LeftButton)
    base = spec_from_file(SMA, "Cross", {}, cash="100000", start=START, end=END)
    sets = [{"fast": f, "slow": s} for f in FAST for s in SLOW]
    report = sweep(base, sets, erasmo.door.market, erasmo.door.today(), split=SPLIT, workers=1)
    assert table_rows(dialog) == expected_rows(report)
    titles = [v.table.horizontalHeaderItem(i).text() for i in range(v.table.columnCount())]
    assert titles[:5] == ["In rank", "Out rank", "fast", "slow", "In TTWROR"]
    assert "Spearman rank correlation" in v.summary.text()

    # the heatmaps: columns fast, rows slow; each cell the table's figure of that set
    assert v.maps.isVisible()
    assert v.outside.isVisible()
    for key, column in (("ttwror", 4), ("max_drawdown", 5)):
        v.metric_choice.setCurrentIndex(v.metric_choice.findData(key))
        for cells in table_rows(dialog):
            col, row = FAST.index(cells[2]), SLOW.index(cells[3])
            assert v.inside.array[row, col] == cells[column]
            assert v.outside.array[row, col] == cells[column + 4]
    assert v.inside.array.shape == (3, 2)
    assert not np.isnan(v.outside.array).any()
    assert v.inside.cell_at(QPointF(1.5, 2.5)) == (1, 2)
    assert dialog.set_at(1, 2).swept == {"fast": "10", "slow": "40"}

    # double-click the best row: recorded over the whole period as keep_best records it
    top = v.table.visualItemRect(v.table.item(0, 0)).center()
    with qtbot.waitSignal(dialog.ran, timeout=60_000) as ran:
        qtbot.mouseClick(v.table.viewport(), Qt.MouseButton.LeftButton, pos=top)
        qtbot.mouseDClick(v.table.viewport(), Qt.MouseButton.LeftButton, pos=top)
    result = ran.args[0]
    best = report.rows[0].swept
    assert result.name == f"Cross fast={best['fast']} slow={best['slow']}"
    qtbot.waitUntil(lambda: c.session.portfolio == result.portfolio_id, timeout=10_000)
    other = make_erasmo("keep")
    ((kept_name, kept_value),) = keep_best(other.door, base, report, 1)
    assert (kept_name, kept_value) == (result.name, result.final_value)
    mine, theirs = tmp_path / "gui.jsonl", tmp_path / "keep.jsonl"
    erasmo.door.export_log(mine, [result.portfolio_id])
    other.door.export_log(theirs, [other.door.resolve(kept_name)])
    assert compare_logs(mine, theirs) is None


def test_a_cancelled_sweep_records_nothing(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c = make_window(erasmo)
    dialog = c.strategies.open_sweep_dialog(str(SMA))
    v = dialog.view
    v.fields.start.setDate(START)
    v.fields.end.setDate(END)
    dialog.values["fast"].setText("5,10")
    v.workers.setValue(1)
    job = dialog.start()
    assert job is not None
    assert v.cancel.isEnabled()
    qtbot.mouseClick(v.cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: job.finished, timeout=120_000)
    assert "Cancelled: nothing was recorded." in v.message.text()
    assert v.table.rowCount() == 0
    assert dialog.report is None
    assert erasmo.app.event_count() == 0
