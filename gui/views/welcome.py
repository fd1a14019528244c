"""What the window shows while there is no portfolio: what erasmo is, and three ways in."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gui.theme import muted

ABOUT = (
    "erasmo is a stock-trading simulator. Open a portfolio with pretend cash, buy and sell at "
    "real historical prices, or step a simulation clock day by day and let orders fill. Every "
    "change is an event in a log you can travel back through, fork into what-if branches, "
    "export and sync. Nothing is ever traded for real."
)


class WelcomeView(QWidget):
    """The empty state: a title, what erasmo is, and Demo / New portfolio / Import."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        title = QLabel("Welcome to erasmo")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        about = QLabel(ABOUT)
        about.setWordWrap(True)
        self.demo = QPushButton("Try the demo portfolio")
        self.demo.setToolTip(
            "A portfolio of a few US stocks traded 2017–2022, from the bundled price history"
        )
        self.new_portfolio = QPushButton("New portfolio…")
        self.new_portfolio.setToolTip("Open your own portfolio with pretend cash (Ctrl+N)")
        self.import_log = QPushButton("Import a log…")
        self.import_log.setToolTip("Import an event log exported from erasmo (Ctrl+I)")
        self.demo.setDefault(True)
        buttons = QHBoxLayout()
        for button in (self.demo, self.new_portfolio, self.import_log):
            button.setMinimumHeight(button.sizeHint().height() + 12)
            buttons.addWidget(button)
        buttons.addStretch(1)
        note = QLabel(
            "The demo is created from prices bundled with erasmo (no network needed); you can "
            "delete it at any time from the Portfolio menu."
        )
        note.setWordWrap(True)
        muted(note)
        column = QVBoxLayout()
        column.addWidget(title)
        column.addSpacing(8)
        column.addWidget(about)
        column.addSpacing(16)
        column.addLayout(buttons)
        column.addSpacing(8)
        column.addWidget(note)
        box = QWidget()
        box.setLayout(column)
        box.setFixedWidth(640)
        for label in (about, note):  # the height the wrapped text needs at that width
            label.setMinimumHeight(label.heightForWidth(640))
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
