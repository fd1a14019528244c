"""The date field: select-all-and-type, paste, the locale's short format, bad input flagged;
and every date of the window's forms is one."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from erasmo.bootstrap import Erasmo
from gui.widgets.date_field import DateField, parse_date


def _field(qtbot: object, first: QDate, last: QDate, day: QDate) -> DateField:
    field = DateField()
    qtbot.addWidget(field)  # type: ignore[attr-defined]
    field.setDateRange(first, last)
    field.setDate(day)
    field.show()
    field.setFocus()
    return field


def test_select_all_and_type_enters_the_typed_date(qtbot: object) -> None:
    field = _field(qtbot, QDate(2010, 1, 1), QDate(2022, 12, 31), QDate(2015, 3, 2))
    seen: list[QDate] = []
    field.dateChanged.connect(seen.append)
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(field, "2019-03-15")
    assert field.date() == QDate(2019, 3, 15)
    assert field.is_valid()
    assert seen[-1] == QDate(2019, 3, 15)


def test_a_pasted_iso_date_replaces_the_selection(qtbot: object) -> None:
    field = _field(qtbot, QDate(2010, 1, 1), QDate(2022, 12, 31), QDate(2015, 3, 2))
    QGuiApplication.clipboard().setText("2019-03-15")
    field.selectAll()
    QTest.keyClick(field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert field.text() == "2019-03-15"
    assert field.date() == QDate(2019, 3, 15)


def test_the_locale_short_format_and_other_iso_spellings_are_read(qtbot: object) -> None:
    locale = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    assert parse_date("3/15/2019", locale) == QDate(2019, 3, 15)
    assert parse_date("3/15/19", locale) == QDate(2019, 3, 15)
    assert parse_date(" 2019/3/15 ", locale) == QDate(2019, 3, 15)
    assert parse_date("20190315", locale) == QDate(2019, 3, 15)
    german = QLocale(QLocale.Language.German, QLocale.Country.Germany)
    assert parse_date("15.03.19", german) == QDate(2019, 3, 15)
    assert parse_date("2019-02-30", locale) is None
    field = _field(qtbot, QDate(2010, 1, 1), QDate(2022, 12, 31), QDate(2015, 3, 2))
    field.setLocale(locale)
    field.selectAll()
    QTest.keyClicks(field, "3/15/2019")
    assert field.date() == QDate(2019, 3, 15)
    QTest.keyClick(field, Qt.Key.Key_Return)  # normalised to ISO once entered
    assert field.text() == "2019-03-15"


def test_invalid_and_out_of_range_input_is_flagged_and_keeps_the_last_date(qtbot: object) -> None:
    field = _field(qtbot, QDate(2010, 1, 1), QDate(2022, 12, 31), QDate(2015, 3, 2))
    flags: list[str] = []
    field.problemChanged.connect(flags.append)
    field.selectAll()
    QTest.keyClicks(field, "2019-13-45")  # a month 13 is no date being typed
    assert not field.is_valid()
    assert "YYYY-MM-DD" in field.problem
    assert field.date() == QDate(2015, 3, 2)
    assert flags[-1] == field.problem
    assert not field.incomplete
    field.selectAll()
    QTest.keyClicks(field, "2023-01-03")
    assert field.problem == "Pick a date from 2010-01-01 to 2022-12-31."
    field.selectAll()
    QTest.keyClicks(field, "2020-06-01")
    assert field.is_valid()
    assert flags[-1] == ""
    QTest.keyClick(field, Qt.Key.Key_Up)
    assert field.date() == QDate(2020, 6, 2)


def test_the_calendar_picks_a_date(qtbot: object) -> None:
    field = _field(qtbot, QDate(2010, 1, 1), QDate(2022, 12, 31), QDate(2015, 3, 2))
    popup = field.show_calendar()
    assert popup.selectedDate() == QDate(2015, 3, 2)
    popup.clicked.emit(QDate(2016, 7, 1))
    assert field.date() == QDate(2016, 7, 1)
    assert field.text() == "2016-07-01"


def test_the_trade_ticket_takes_a_typed_date_and_refuses_a_garbled_one(
    make_window: object, erasmo: Erasmo, demo: UUID, qtbot: object
) -> None:
    c = make_window(erasmo)  # type: ignore[operator]
    with qtbot.waitSignal(c.history_loaded, timeout=10_000):  # type: ignore[attr-defined]
        c.reload_portfolios(select=demo)
    ticket = c.open_trade_ticket("buy", "AAPL")
    v = ticket.view
    assert isinstance(v.date, DateField)
    QTest.keyClicks(v.quantity, "1")
    v.date.setFocus()
    v.date.selectAll()
    QTest.keyClicks(v.date, "2022-09-01")
    assert ticket.preview is not None, (v.message.text(), v.date.problem, v.date.minimumDate())
    assert ticket.preview.day == date(2022, 9, 1)
    assert v.ok.isEnabled()
    v.date.selectAll()
    QTest.keyClicks(v.date, "2022-9-")  # still being typed: a hint, not an error
    assert ticket.preview is None
    assert not v.ok.isEnabled()
    assert not v.message.is_error
    assert "Finish the date" in v.message.text()
    QTest.keyClicks(v.date, "x")
    assert v.message.is_error
    assert "YYYY-MM-DD" in v.message.text()
    ticket.view.reject()


def test_the_clock_bar_goes_to_a_typed_date(
    make_window: object, erasmo: Erasmo, qtbot: object
) -> None:
    door = erasmo.door
    pid = door.open_portfolio("Sim", "1000", date(2010, 3, 1), mode="simulation").id
    c = make_window(erasmo)  # type: ignore[operator]
    with qtbot.waitSignal(c.history_loaded, timeout=10_000):  # type: ignore[attr-defined]
        c.reload_portfolios(select=pid)
    field = c.window.clock.to_date
    assert field.date() == QDate(2010, 3, 2)  # the day after the clock at the least
    assert field.minimumDate() == QDate(2010, 3, 2)
    field.setFocus()
    field.selectAll()
    QTest.keyClicks(field, "2010-03-05")
    with qtbot.waitSignal(c.clock.advanced, timeout=10_000):  # type: ignore[attr-defined]
        QTest.mouseClick(c.window.clock.go, Qt.MouseButton.LeftButton)
    assert door.clock(pid) == date(2010, 3, 5)
