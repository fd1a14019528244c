"""Layout of the sweep dialog: the strategy, a grid of values per parameter, the period, cash,
rules, workers and split; then the ranked results table and, for two swept parameters, a
heatmap of the chosen metric in and out of sample side by side."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from gui.dialogs.form import InlineMessage, date_edit
from gui.theme import muted
from gui.views.strategy_fields import RunFields, StrategySource, add_run_fields
from gui.views.strategy_heatmap import Heatmap

#: The metrics a heatmap can show: (label, SetMetrics attribute).
METRICS = (
    ("TTWROR", "ttwror"),
    ("Max drawdown", "max_drawdown"),
    ("Trades", "trades"),
    ("Final value", "final_value"),
)


class SweepView(QDialog):
    """Backtest a strategy over a grid of parameter values and rank the sets."""

    def __init__(self, error_color: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sweep parameters")
        self.resize(1180, 940)
        self.source = StrategySource()
        self.grid_box = QGroupBox("Values to sweep (A, or A,B,C, or FIRST:LAST:STEP)")
        self.grid = QFormLayout(self.grid_box)
        form = QFormLayout()
        form.addRow("Strategy", self.source)
        run_form = QFormLayout()
        self.fields: RunFields = add_run_fields(run_form)
        self.workers = QSpinBox()
        self.workers.setRange(1, 64)
        self.workers.setValue(2)
        self.workers.setToolTip("Worker processes of the local dask cluster")
        self.split_on = QCheckBox("Split in and out of sample at")
        self.split = date_edit()
        self.split.setEnabled(False)
        self.split_on.toggled.connect(self.split.setEnabled)
        split_row = QHBoxLayout()
        split_row.addWidget(self.workers)
        split_row.addSpacing(24)
        split_row.addWidget(self.split_on)
        split_row.addWidget(self.split)
        split_row.addStretch(1)
        run_form.addRow("Workers", split_row)
        self.message = InlineMessage(error_color)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.run = QPushButton("Run sweep")
        self.run.setDefault(True)
        self.cancel = QPushButton("Cancel")
        self.close_button = QPushButton("Close")
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addStretch(0)
        buttons.addWidget(self.run)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.close_button)
        self.cancel.setEnabled(False)
        self.close_button.clicked.connect(self.reject)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(form)
        columns = QHBoxLayout()
        columns.addWidget(self.grid_box, 1)
        columns.addLayout(run_form, 1)
        top_layout.addLayout(columns)
        top_layout.addWidget(self.message)
        top_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self._results())
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def _results(self) -> QWidget:
        self.summary = QLabel("Run the sweep to see its sets ranked here.")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.metric_choice = QComboBox()
        for label, key in METRICS:
            self.metric_choice.addItem(label, key)
        self.inside = Heatmap("In sample")
        self.outside = Heatmap("Out of sample")
        self.maps = QWidget()
        maps = QVBoxLayout(self.maps)
        maps.setContentsMargins(0, 0, 0, 0)
        pick = QHBoxLayout()
        pick.addWidget(QLabel("Heatmap of"))
        pick.addWidget(self.metric_choice)
        pick.addStretch(1)
        maps.addLayout(pick)
        side = QHBoxLayout()
        side.addWidget(self.inside)
        side.addWidget(self.outside)
        maps.addLayout(side, 1)
        self.maps.setVisible(False)
        hint = QLabel(
            "Double-click a set (a row or a cell) to record it as a portfolio and open it."
        )
        muted(hint)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(self.table)
        body.addWidget(self.maps)
        body.setSizes([330, 370])  # the ranked sets, then the heatmaps
        layout.addWidget(body, 1)
        layout.addWidget(hint)
        return box

    def set_running(self, running: bool) -> None:
        """While a sweep or a recording runs: the inputs locked, the progress bar shown."""
        locked: list[QWidget] = [self.source, self.grid_box, self.workers, self.split_on]
        for widget in [*locked, self.table, *self.fields.widgets().values()]:
            widget.setEnabled(not running)
        self.split.setEnabled(not running and self.split_on.isChecked())
        self.progress.setVisible(running)
        self.progress.setRange(0, 0)
        self.run.setEnabled(not running)
        self.cancel.setEnabled(running)
