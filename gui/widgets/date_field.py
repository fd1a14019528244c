"""The one date field of the window: a line edit that takes a typed or pasted date.

`QDateEdit` edits a date section by section, so selecting all and typing, or pasting
"2019-03-15", garbles it. This field is plain text instead: it reads an ISO date (2019-03-15,
also 2019/03/15 and 20190315) or the locale's short format, keeps the last valid date, and
flags what it cannot read or what lies outside its range. A calendar button picks a date with
the mouse; Up and Down step a day. Its API is the part of `QDateEdit`'s the window uses.
"""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import QDate, QLocale, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCalendarWidget, QLineEdit, QStyle, QWidget

ISO = "yyyy-MM-dd"
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_PARTIAL = re.compile(r"^\d{1,4}([-/.]\d{0,2}([-/.]\d?)?)?$")  # an ISO date being typed
_FIRST, _LAST = QDate(1900, 1, 1), QDate(2999, 12, 31)


def _qdate(day: QDate | dt.date) -> QDate:
    if isinstance(day, QDate):
        return day
    return QDate(day.year, day.month, day.day)


def parse_date(text: str, locale: QLocale | None = None) -> QDate | None:
    """The date a typed or pasted text names (None when it names none)."""
    text = text.strip()
    for pattern in (_ISO, _COMPACT):
        match = pattern.match(text)
        if match:
            day = QDate(*(int(part) for part in match.groups()))
            return day if day.isValid() else None
    loc = locale or QLocale()
    short = loc.dateFormat(QLocale.FormatType.ShortFormat)
    long_year = short if "yyyy" in short else short.replace("yy", "yyyy")
    for fmt in (long_year, short):
        day = loc.toDate(text, fmt)
        if day.isValid():
            if "yyyy" not in fmt and day.year() < 1970:
                day = day.addYears(100)  # a two-digit year: this century
            return day
    return None


class DateField(QLineEdit):
    """A date typed, pasted or picked; `dateChanged` when a new valid date is entered.

    Attributes:
        problem: why the text is not a date the field takes ("" when it is).
    """

    dateChanged = Signal(QDate)  # noqa: N815 (QDateEdit's name)
    problemChanged = Signal(str)  # noqa: N815 ("" once the text is a date again)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._date = QDate(2000, 1, 1)  # as QDateEdit: a range or setDate moves it
        self._min, self._max = _FIRST, _LAST
        self.problem = ""
        self.incomplete = False  # the problem is a date still being typed
        self._popup: QCalendarWidget | None = None
        self.setPlaceholderText("YYYY-MM-DD")
        self.setToolTip("Type or paste a date such as 2019-03-15; Up and Down step a day")
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView)
        self.calendar_action = self.addAction(icon, QLineEdit.ActionPosition.TrailingPosition)
        self.calendar_action.setToolTip("Pick a date on a calendar")
        self.calendar_action.triggered.connect(self.show_calendar)
        self.setText(self._date.toString(ISO))
        self.textEdited.connect(self._on_edited)
        self.editingFinished.connect(self._on_finished)
        width = self.fontMetrics().horizontalAdvance("0000-00-00") + 48
        self.setMinimumWidth(width)

    # -- QDateEdit's API ----------------------------------------------------------------------

    def date(self) -> QDate:
        """The last valid date entered (see `is_valid` for the text now shown)."""
        return QDate(self._date)

    def setDate(self, day: QDate | dt.date) -> None:  # noqa: N802
        self._set(self._clamp(_qdate(day)), show=True)

    def minimumDate(self) -> QDate:  # noqa: N802
        return QDate(self._min)

    def maximumDate(self) -> QDate:  # noqa: N802
        return QDate(self._max)

    def setMinimumDate(self, day: QDate | dt.date) -> None:  # noqa: N802
        self._min = _qdate(day)
        self._max = max(self._max, self._min)
        self.setDate(self._date)

    def setMaximumDate(self, day: QDate | dt.date) -> None:  # noqa: N802
        self._max = _qdate(day)
        self._min = min(self._min, self._max)
        self.setDate(self._date)

    def setDateRange(self, first: QDate | dt.date, last: QDate | dt.date) -> None:  # noqa: N802
        self._min, self._max = _qdate(first), max(_qdate(first), _qdate(last))
        self.setDate(self._date)

    def setCalendarPopup(self, enable: bool) -> None:  # noqa: N802
        self.calendar_action.setVisible(enable)

    def setDisplayFormat(self, _format: str) -> None:  # noqa: N802
        """Dates are always shown as ISO dates; kept for `QDateEdit`'s callers."""

    # -- the entry ----------------------------------------------------------------------------

    def is_valid(self) -> bool:
        """True when the text shown is a date inside the field's range."""
        return not self.problem

    def _clamp(self, day: QDate) -> QDate:
        return min(max(day, self._min), self._max)

    def _set(self, day: QDate, *, show: bool) -> None:
        changed = day != self._date
        self._date = day
        if show:
            self.setText(day.toString(ISO))
        self._set_problem("")
        if changed:
            self.dateChanged.emit(QDate(day))

    def _set_problem(self, problem: str, *, incomplete: bool = False) -> None:
        was = (self.problem, self.incomplete)
        self.problem, self.incomplete = problem, incomplete
        self.setProperty("invalid", bool(problem))
        if problem and not incomplete:
            self.setStyleSheet("DateField { border: 1px solid #d64545; }")
        elif self.styleSheet():
            self.setStyleSheet("")
        if was != (problem, incomplete):
            self.problemChanged.emit(problem)

    def _problem_of(self, text: str) -> tuple[QDate | None, str]:
        if not text.strip():
            return None, "Type a date, such as 2019-03-15."
        day = parse_date(text, self.locale())
        if day is None:
            return None, f"{text.strip()!r} is not a date: type it as YYYY-MM-DD, e.g. 2019-03-15."
        if not self._min <= day <= self._max:
            first, last = self._min.toString(ISO), self._max.toString(ISO)
            return None, f"Pick a date from {first} to {last}."
        return day, ""

    @Slot(str)
    def _on_edited(self, text: str) -> None:
        day, problem = self._problem_of(text)
        if day is not None:
            self._set(day, show=False)
        elif _PARTIAL.match(text.strip()):
            self._set_problem("Finish the date: YYYY-MM-DD, e.g. 2019-03-15.", incomplete=True)
        else:
            self._set_problem(problem)

    @Slot()
    def _on_finished(self) -> None:
        if self.is_valid() and self.text() != self._date.toString(ISO):
            self.setText(self._date.toString(ISO))  # 2019/3/15 → 2019-03-15

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        step = {Qt.Key.Key_Up: 1, Qt.Key.Key_Down: -1}.get(Qt.Key(event.key()))
        if step is not None and self.isEnabled() and not self.isReadOnly():
            self.setDate(self._date.addDays(step))
            return
        super().keyPressEvent(event)

    # -- the calendar -------------------------------------------------------------------------

    @Slot()
    def show_calendar(self) -> QCalendarWidget:
        """The calendar popup under the field, on the field's date."""
        popup = QCalendarWidget(self)
        popup.setWindowFlags(Qt.WindowType.Popup)
        popup.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        popup.setDateRange(self._min, self._max)
        popup.setSelectedDate(self._date)
        popup.clicked.connect(self._on_picked)
        popup.activated.connect(self._on_picked)
        popup.move(self.mapToGlobal(QPoint(0, self.height())))
        popup.show()
        self._popup = popup
        return popup

    @Slot(QDate)
    def _on_picked(self, day: QDate) -> None:
        self.setDate(day)
        if self._popup is not None:
            self._popup.close()
            self._popup = None
