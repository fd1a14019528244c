"""The simulation clock bar: the portfolio's market date, step buttons and Play."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QWidget,
)

from gui.dialogs.form import date_edit
from gui.theme import muted

#: (label, trading days per step)
STEPS = (("+1 day", 1), ("+1 week", 5), ("+1 month", 21))
#: (label, milliseconds between two days while playing)
PLAY_SPEEDS = (("1 day/s", 1000), ("2 days/s", 500), ("5 days/s", 200), ("10 days/s", 100))


class ClockBar(QWidget):
    """Layout only: `gui.controllers.clock.ClockController` drives it. Shown for simulation
    portfolios only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        style = self.style()
        caption = QLabel("Simulation clock")
        muted(caption)
        self.date = QLabel("")
        font = self.date.font()
        font.setBold(True)
        self.date.setFont(font)
        self.date.setMinimumWidth(self.fontMetrics().horizontalAdvance("0000-00-00 (Wed)") + 16)
        self.steps: dict[int, QPushButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 2)
        layout.addWidget(caption)
        layout.addWidget(self.date)
        for label, days in STEPS:
            button = QPushButton(label)
            button.setToolTip(
                f"Move the clock {days} trading day{'s' if days > 1 else ''} forward, filling "
                "open orders on each bar"
            )
            self.steps[days] = button
            layout.addWidget(button)
        self.to_date = date_edit()
        self.to_date.setToolTip("The date to move the clock to")
        self.go = QPushButton("Go to date")
        self.go.setToolTip("Move the clock to the chosen date, filling open orders on each bar")
        layout.addSpacing(8)
        layout.addWidget(self.to_date)
        layout.addWidget(self.go)
        layout.addSpacing(8)
        self.play = QPushButton("Run clock")  # not "Play": the time-travel bar has that
        self.play.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.play.setCheckable(True)
        self.play.setToolTip("Step the clock one trading day at a time until paused")
        self.speed = QComboBox()
        for label, msecs in PLAY_SPEEDS:
            self.speed.addItem(label, msecs)
        self.speed.setToolTip("How fast Run clock moves the clock")
        layout.addWidget(self.play)
        layout.addWidget(self.speed)
        self.report = QLabel("")
        muted(self.report)
        # What the last step did: it may be cut short, but must never widen the window.
        self.report.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.report.setMinimumWidth(0)
        self.report.setWordWrap(True)  # wrapped onto a second line, never cut
        layout.addWidget(self.report, 1)

    def set_playing(self, playing: bool) -> None:
        icon = (
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.play.setIcon(self.style().standardIcon(icon))
        self.play.setText("Pause" if playing else "Run clock")
        self.play.setChecked(playing)

    def buttons(self) -> list[QWidget]:
        """Everything that moves the clock (disabled while a step runs)."""
        return [*self.steps.values(), self.to_date, self.go]
