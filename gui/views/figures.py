"""A row of labelled figures ("Cash 8,553.88", "Total value ..."), used above tables and charts."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QWidget

from gui.theme import muted


class FigureStrip(QFrame):
    """Captions over values, left to right; each value can be coloured and carry a tooltip."""

    def __init__(self, captions: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        """`captions`: (key, caption) pairs, in display order."""
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QGridLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setHorizontalSpacing(20)
        layout.setVerticalSpacing(2)
        self.values: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        for column, (key, caption) in enumerate(captions):
            head = QLabel(caption)
            small = head.font()
            small.setPointSizeF(small.pointSizeF() * 0.9)
            head.setFont(small)
            muted(head)
            value = QLabel("—")
            big = value.font()
            big.setPointSizeF(big.pointSizeF() * 1.25)
            big.setBold(True)
            value.setFont(big)
            layout.addWidget(head, 0, column)
            layout.addWidget(value, 1, column)
            self.values[key] = value
            self.captions[key] = head
        layout.setColumnStretch(len(captions), 1)

    def set_value(
        self, key: str, text: str, color: QColor | None = None, tooltip: str | None = None
    ) -> None:
        label = self.values[key]
        label.setText(text)
        label.setStyleSheet(f"color: {color.name()};" if color is not None else "")
        if tooltip is not None:
            label.setToolTip(tooltip)
            self.captions[key].setToolTip(tooltip)

    def set_shown(self, key: str, shown: bool) -> None:
        """Show or hide one figure, caption and value (a figure only some portfolios have)."""
        self.captions[key].setVisible(shown)
        self.values[key].setVisible(shown)

    def clear(self) -> None:
        for label in self.values.values():
            label.setText("—")
            label.setStyleSheet("")
