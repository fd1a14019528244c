"""The comparison tab: portfolios' value lines overlaid, their metrics side by side, and the
leaderboard of every portfolio. Imports pyqtgraph: built once the charts are loaded."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gui.analysis import ComparisonResult
from gui.models.records import Column, day, percent, ratio, unsigned
from gui.theme import Colors, muted, visible_checks
from gui.views.performance_tab import CHECKED_BUTTONS, ChartKey, date_plot
from gui.views.tables import table_view

COMPARE_COLUMNS = (
    Column("name", "Portfolio", numeric=False),
    Column("start_value", "Start value", lambda v: f"{v:,.2f}"),
    Column("end_value", "End value", lambda v: f"{v:,.2f}"),
    Column("pnl", "P&L", lambda v: f"{v:+,.2f}".replace("-", "−"), signed=True),
    Column("ttwror", "TTWROR", percent, True, "True time-weighted return over the period."),
    Column("ttwror_annualized", "TTWROR p.a.", percent, True, "TTWROR annualised."),
    Column("irr", "IRR", percent, True, "Money-weighted return per year."),
    Column("max_drawdown", "Max drawdown", lambda v: percent(-v), False, "Largest fall."),
    Column("volatility_annualized", "Volatility", unsigned, False, "Annualised, √252."),
    Column("sharpe", "Sharpe", ratio, False, "Portfolio Performance's Sharpe ratio."),
)
LEADERBOARD_COLUMNS = (
    Column("rank", "Rank", lambda v: f"{int(v)}"),
    Column("name", "Portfolio", numeric=False),
    Column("ttwror", "TTWROR", percent, True, "True time-weighted return (the ranking)."),
    Column("ttwror_annualized", "TTWROR p.a.", percent, True),
    Column("irr", "IRR", percent, True, "Money-weighted return per year."),
    Column("max_drawdown", "Max drawdown", lambda v: percent(-v)),
    Column("sharpe", "Sharpe", ratio),
    Column("end_value", "End value", lambda v: f"{v:,.2f}"),
    Column("note", "Note", numeric=False),
)
PERIOD_DAY = day


class CompareView(QWidget):
    """Layout only; `gui.controllers.compare.CompareController` drives it."""

    def __init__(self, colors: Colors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.colors = colors
        palette = self.palette()
        background = palette.color(QPalette.ColorRole.Base)
        foreground = palette.color(QPalette.ColorRole.Text)

        self.portfolios = QListWidget()
        visible_checks(self.portfolios)
        self.portfolios.setToolTip("Tick the portfolios to compare")
        self.family = QPushButton("This portfolio and its branches")
        self.family.setToolTip("Tick the selected portfolio, its parent and its branches")
        left = QVBoxLayout()
        caption = QLabel("Compare")
        font = caption.font()
        font.setBold(True)
        caption.setFont(font)
        left.addWidget(caption)
        left.addWidget(self.portfolios, 1)
        left.addWidget(self.family)
        left_box = QWidget()
        left_box.setLayout(left)
        left.setContentsMargins(0, 0, 0, 0)

        self.scale = QButtonGroup(self)
        self.values = QPushButton("Value")
        self.values.setToolTip("Each portfolio's total value (deposits and withdrawals show)")
        self.growth = QPushButton("Growth of 1")
        self.growth.setToolTip(
            "Each portfolio's wealth index, 1 + TTWROR: deposits and withdrawals taken out, so "
            "portfolios of different sizes share one axis"
        )
        for button in (self.values, self.growth):
            button.setCheckable(True)
            self.scale.addButton(button)
        self.growth.setChecked(True)
        self.period = QLabel("")
        muted(self.period)
        top = QHBoxLayout()
        top.addWidget(self.values)
        top.addWidget(self.growth)
        top.addSpacing(12)
        top.addWidget(self.period, 1)
        self.setStyleSheet(CHECKED_BUTTONS)

        self.plot = date_plot(background, foreground)
        # The key of the lines sits in a row above the chart, never on the data.
        self.key = ChartKey(self)
        self.curves: dict[str, Any] = {}

        self.metrics = table_view(self)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setVisible(False)

        self.leaderboard = table_view(self)
        self.rank = QPushButton("Rank every portfolio")
        self.rank.setToolTip("Rank the open portfolios by TTWROR over the period they all share")
        self.leaderboard_note = QLabel("")
        self.leaderboard_note.setWordWrap(True)
        muted(self.leaderboard_note)
        board_top = QHBoxLayout()
        board_caption = QLabel("Leaderboard")
        board_caption.setFont(font)
        board_top.addWidget(board_caption)
        board_top.addWidget(self.rank)
        board_top.addWidget(self.leaderboard_note, 1)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(top)
        right_layout.addWidget(self.key)
        right_layout.addWidget(self.plot, 3)
        right_layout.addWidget(self.message)
        right_layout.addWidget(self.metrics, 1)
        right_layout.addLayout(board_top)
        right_layout.addWidget(self.leaderboard, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left_box)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([200, 800])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(splitter)

    def set_table_models(self, metrics: Any, leaderboard: Any) -> None:
        for table, model in ((self.metrics, metrics), (self.leaderboard, leaderboard)):
            table.setModel(model)
            header = table.horizontalHeader()
            header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            header.setStretchLastSection(True)

    def set_lines(self, result: ComparisonResult | None) -> None:
        """Overlay one line per portfolio (in the series colours)."""
        for curve in self.curves.values():
            self.plot.removeItem(curve)
        self.curves = {}
        keys: list[tuple[str, QColor]] = []
        self.key.set_entries(keys)
        if result is None:
            return
        x = np.asarray(result.x, dtype=float)
        for i, name in enumerate(result.names):
            values = result.lines.get(name)
            if values is None:
                continue
            color = QColor(self.colors.series[i % len(self.colors.series)])
            curve = self.plot.plot(x, np.asarray(values, dtype=float), pen=pg.mkPen(color, width=2))
            keys.append((name, color))
            self.curves[name] = curve
        self.key.set_entries(keys)
        self.plot.setLabel("left", "Growth of 1" if result.relative else "Value")
        self.plot.getPlotItem().getViewBox().autoRange()
