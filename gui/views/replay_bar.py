"""The time-travel bar under the tabs: a slider over the events, Play, speed and Latest."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QStyle,
    QToolButton,
    QWidget,
)

from gui.theme import muted

#: (label, milliseconds per event)
SPEEDS = (("0.5×", 1600), ("1×", 800), ("2×", 400), ("5×", 160), ("10×", 80), ("50×", 16))


class ReplayBar(QWidget):
    """Layout only: the replay controller drives it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        style = self.style()
        self.back = QToolButton(self)
        self.back.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekBackward))
        self.back.setToolTip("One event back (Ctrl+Left)")
        self.play = QPushButton("Play", self)
        self.play.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.play.setToolTip("Replay the history event by event (Ctrl+P)")
        self.play.setCheckable(True)
        self.forward = QToolButton(self)
        self.forward.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward))
        self.forward.setToolTip("One event forward (Ctrl+Right)")
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, 0)
        self.slider.setPageStep(1)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setToolTip("Time travel: every tab shows the portfolio after this event")
        self.speed = QComboBox(self)
        for label, msecs in SPEEDS:
            self.speed.addItem(label, msecs)
        self.speed.setToolTip("Replay speed")
        self.latest = QPushButton("Latest", self)
        self.latest.setToolTip("Back to the present (End)")
        self.label = QLabel("", self)
        # A fixed width: the slider must not jump while the label changes during a replay.
        # Wide enough for "2022-06-01 · Order cancelled 1,000 BRK-B · event 100,646 of 100,646".
        self.label.setFixedWidth(self.fontMetrics().horizontalAdvance("0") * 62)
        caption = QLabel("Time travel", self)
        muted(caption)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 6)
        layout.addWidget(caption)
        layout.addWidget(self.back)
        layout.addWidget(self.play)
        layout.addWidget(self.forward)
        layout.addWidget(self.speed)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        layout.addWidget(self.latest)

    def set_label(self, text: str) -> None:
        """Show `text`, elided to the label's width (the whole text is its tooltip)."""
        metrics = self.label.fontMetrics()
        self.label.setText(
            metrics.elidedText(text, Qt.TextElideMode.ElideRight, self.label.width())
        )
        self.label.setToolTip(text)

    def set_playing(self, playing: bool) -> None:
        style = self.style()
        icon = (
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.play.setIcon(style.standardIcon(icon))
        self.play.setText("Pause" if playing else "Play")
        self.play.setChecked(playing)
