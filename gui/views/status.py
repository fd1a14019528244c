"""The status bar's parts: market-data source, store, simulation date, background job."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QStatusBar, QToolButton, QWidget


class JobIndicator(QWidget):
    """What a background job is doing, how far it is, and a button to cancel it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("")
        self.bar = QProgressBar()
        self.bar.setFixedWidth(160)
        self.bar.setTextVisible(False)
        self.cancel = QToolButton()
        self.cancel.setText("Cancel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel)
        self.setVisible(False)

    def show_progress(self, done: int, total: int) -> None:
        if total <= 0:
            self.bar.setRange(0, 0)  # busy
        else:
            self.bar.setRange(0, total)
            self.bar.setValue(done)


class StatusBarView:
    """Adds erasmo's labels to a QStatusBar."""

    def __init__(self, bar: QStatusBar) -> None:
        self.market = QLabel("")
        self.store = QLabel("")
        self.simulation = QLabel("")
        self.job = JobIndicator()
        for label in (self.market, self.store, self.simulation):
            label.setContentsMargins(6, 0, 6, 0)
        bar.addWidget(self.market)
        bar.addWidget(self.store, 1)
        bar.addPermanentWidget(self.job)
        bar.addPermanentWidget(self.simulation)
