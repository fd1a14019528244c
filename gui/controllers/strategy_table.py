"""A sweep's report as the dialog's table (best first; in and out of sample side by side with a
split) and the figures a heatmap writes in its cells. Each figure cell holds its number under
`Qt.UserRole`, the text shown being only its formatting."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidgetItem

if TYPE_CHECKING:
    from erasmo.strategy.sweep import SetMetrics, SweepReport
    from gui.views.strategy_sweep import SweepView

FIGURES: tuple[tuple[str, str], ...] = (
    ("TTWROR", "ttwror"),
    ("Max DD", "max_drawdown"),
    ("Trades", "trades"),
    ("Final value", "final_value"),
)


def metric_of(metrics: SetMetrics, key: str) -> float:
    """One figure of a set as a number."""
    return float(getattr(metrics, key))


def shown(value: float, key: str) -> str:
    """A figure as the table and the heatmaps show it."""
    if key in ("ttwror", "max_drawdown"):
        return f"{value:.2%}"
    if key == "trades":
        return f"{value:.0f}"
    return f"{value:,.2f}"


def heat_text(array: np.ndarray, key: str) -> list[list[str]]:
    """Each cell's label (money without cents, to fit)."""

    def label(value: float) -> str:
        if not np.isfinite(value):
            return ""
        return f"{value:,.0f}" if key == "final_value" else shown(value, key)

    return [[label(v) for v in line] for line in array]


def headers(names: list[str], split: bool) -> list[str]:
    """The table's column titles."""
    ranks = ["In rank", "Out rank"] if split else ["Rank"]
    inside = [f"In {t}" if split else t for t, _ in FIGURES]
    outside = [f"Out {t}" for t, _ in FIGURES] if split else []
    return ranks + names + inside + outside


def _number(value: float, key: str) -> QTableWidgetItem:
    item = QTableWidgetItem(shown(value, key))
    item.setData(Qt.ItemDataRole.UserRole, value)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def row_cells(names: list[str], row: Any, split: bool) -> list[QTableWidgetItem]:
    """One set's cells, in the order of `headers`."""
    ranks = [row.rank, row.out_rank] if split else [row.rank]
    cells = [_number(float(r), "trades") for r in ranks]
    cells += [QTableWidgetItem(row.swept[n]) for n in names]
    samples = [row.result, row.out_of_sample] if split else [row.result]
    for metrics in samples:
        cells += [_number(metric_of(metrics, key), key) for _, key in FIGURES]
    return cells


def fill_table(view: SweepView, names: list[str], report: SweepReport) -> None:
    """Show the report, best first, and its summary line."""
    split = report.split is not None
    table = view.table
    titles = headers(names, split)
    table.clear()
    table.setColumnCount(len(titles))
    table.setHorizontalHeaderLabels(titles)
    table.setRowCount(len(report.rows))
    for r, row in enumerate(report.rows):
        for c, item in enumerate(row_cells(names, row, split)):
            table.setItem(r, c, item)
    sets = len(report.rows)
    if not split:
        view.summary.setText(f"{sets} sets ranked by TTWROR over the whole period.")
        return
    rho = "n/a" if report.spearman is None else f"{report.spearman:.2f}"
    view.summary.setText(
        f"{sets} sets, in sample before {report.split} and out of sample from it. Spearman rank "
        f"correlation {rho}; the best in-sample set ranks {report.best_out_rank} of {sets} out "
        "of sample."
    )
