"""Pieces every form dialog shares: an inline message, field highlighting, date editors, a
pair of exclusive choices."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QStyle,
    QStyleOptionFrame,
    QWidget,
)

from gui.form_checks import FieldError, IncompleteError
from gui.widgets.date_field import DateField
from gui.wording import gui_text

DATE_FORMAT = "yyyy-MM-dd"


def date_edit(parent: QWidget | None = None) -> DateField:
    """The window's date field: typed or pasted ISO dates, a calendar popup."""
    return DateField(parent)


def field_date(field: DateField, name: str = "date") -> date:
    """The field's date, or a `FieldError` on form field `name` naming what is wrong with it."""
    if field.incomplete:
        raise IncompleteError(name, field.problem)
    if not field.is_valid():
        raise FieldError(name, field.problem)
    return to_date(field.date())


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def to_date(qdate: QDate) -> date:
    return date(qdate.year(), qdate.month(), qdate.day())


class InlineMessage(QLabel):
    """A message under a form: an error in the loss colour, or a hint in the muted colour."""

    def __init__(self, error_color: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setMinimumHeight(self.fontMetrics().height() * 3)
        self._error = error_color
        self.is_error = False

    def show_error(self, text: str) -> None:
        self.is_error = True
        self.setText(gui_text(text))
        self.setStyleSheet(f"color: {self._error.name()};")

    def show_hint(self, text: str) -> None:
        self.is_error = False
        self.setText(gui_text(text))
        self.setStyleSheet("color: palette(placeholder-text);")

    def clear_message(self) -> None:
        self.is_error = False
        self.setText("")


#: The dialog property holding the height `fit_height` gave it last.
FITTED = "fittedHeight"


def fit_height(dialog: QDialog) -> None:
    """Give a dialog the height its contents take at its width: it grows when a wrapped text
    appears (no field squeezed, no text against a border) and shrinks back when it goes."""
    layout = dialog.layout()
    if layout is None:
        return
    layout.activate()
    width = dialog.width() if dialog.isVisible() else dialog.sizeHint().width()
    width = max(width, dialog.minimumWidth())
    if layout.hasHeightForWidth():
        height = layout.totalHeightForWidth(width)
    else:
        height = layout.totalSizeHint().height()
    height = max(height, layout.totalMinimumSize().height())
    now = dialog.height()  # read before the minimum below may grow it
    dialog.setMinimumHeight(height)
    # a height the user chose (taller than the last one fitted) is kept
    if now < height or dialog.property(FITTED) in (None, now):
        dialog.resize(width, height)
        dialog.setProperty(FITTED, height)


def show_placeholder(edit: QLineEdit) -> None:
    """Make a line edit wide enough to show its whole placeholder."""
    option = QStyleOptionFrame()
    edit.initStyleOption(option)
    frame = edit.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, option, edit)
    margins = edit.textMargins()
    text = edit.fontMetrics().horizontalAdvance(edit.placeholderText())
    # as QLineEdit lays out its text: the frame and 2 px on each side, and the text margins
    edit.setMinimumWidth(text + 2 * frame + 4 + margins.left() + margins.right() + 2)


def mark_invalid(widget: QWidget, invalid: bool, color: QColor) -> None:
    """Draw a field's frame in the error colour while it holds the problem."""
    name = type(widget).__name__
    widget.setStyleSheet(f"{name} {{ border: 1px solid {color.name()}; }}" if invalid else "")


def short_choice(group: QButtonGroup, row: QHBoxLayout) -> QRadioButton:
    """A third side, "Sell short", added to a Buy/Sell row (hidden: a margin account shows it)."""
    button = QRadioButton("Sell short")
    button.setToolTip(
        "Sell shares you do not hold (a margin account): the short position is covered by "
        "buying them back later."
    )
    button.setVisible(False)
    group.addButton(button)
    row.insertWidget(2, button)
    return button


def two_choices(
    parent: QWidget, first: str, second: str
) -> tuple[QRadioButton, QRadioButton, QButtonGroup, QHBoxLayout]:
    """Two exclusive radio buttons side by side (the first checked), their group and their row."""
    one, other = QRadioButton(first), QRadioButton(second)
    one.setChecked(True)
    group = QButtonGroup(parent)
    row = QHBoxLayout()
    for button in (one, other):
        group.addButton(button)
        row.addWidget(button)
    row.addStretch(1)
    return one, other, group, row
