"""Text is shown whole: the import verdict, the time-travel label; the window fits its screen;
the two Play buttons have different names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from uuid import UUID

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController

MakeWindow = Callable[..., MainController]


def _whole(label: QLabel) -> bool:
    """The label shows all its text: it is as tall as its wrapped text needs."""
    if not label.wordWrap():
        return label.fontMetrics().horizontalAdvance(label.text()) <= label.width()
    return label.heightForWidth(label.width()) <= label.height()


def test_the_import_verdict_dialog_grows_to_show_its_whole_text(
    qtbot: QtBot, tmp_path: Path, erasmo: Erasmo, demo: UUID, make_window: MakeWindow
) -> None:
    c = make_window(erasmo)
    deep = tmp_path.joinpath(*(["a-folder-with-a-rather-long-name"] * 6))
    deep.mkdir(parents=True)
    path = deep / "demo-exported-with-a-long-file-name.jsonl"
    with qtbot.waitSignal(c.files.exported, timeout=10_000):
        c.files.export(path, [])
    lines = path.read_text().splitlines(keepends=True)
    lines[3] = lines[3].replace('"_data_":"400"', '"_data_":"4000"')  # tampered: a long refusal
    path.write_text("".join(lines))
    c.files.verify(path)
    view = c.files.import_view
    assert view is not None
    qtbot.waitUntil(lambda: view.verdict.text() != "Verifying…", timeout=10_000)
    qtbot.waitExposed(view)
    assert len(view.file.toolTip()) > 200  # a path far wider than the dialog
    for label in (view.file, view.verdict, view.details):
        assert _whole(label), label.text()
    assert view.file.toolTip().endswith("demo-exported-with-a-long-file-name.jsonl")
    view.reject()


def test_the_time_travel_label_holds_a_long_event_whole(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, demo: UUID
) -> None:
    c = make_window(erasmo)
    bar = c.window.replay
    text = "2022-06-01 · Order cancelled 1,000 BRK-B · event 100,646 of 100,646"
    bar.set_label(text)
    assert bar.label.text() == text  # not elided
    c.window.clock.set_playing(False)
    assert c.window.clock.play.text() != c.window.replay.play.text()


def test_the_window_is_clamped_to_its_screen(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c = make_window(erasmo)
    w = c.window
    area = w.screen().availableGeometry()
    w.resize(area.width() + 2000, area.height() + 1500)
    w.move(area.right() - 100, area.bottom() - 100)
    w.clamp_to_screen()
    assert w.width() <= area.width()
    assert w.height() <= area.height()
    assert w.x() >= area.left()
    assert w.y() >= area.top()
    assert w.x() + w.width() <= area.right() + 1
