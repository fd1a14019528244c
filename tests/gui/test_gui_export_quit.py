"""Export through the File menu's dialog, then quit: Qt has nothing to warn about.

Every message Qt emits (warnings included) goes through the handler installed here with
qInstallMessageHandler, for the whole export and the window's closing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import UUID

import pytest
from PySide6.QtCore import QMessageLogContext, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController
from gui.dialogs.files import ExportView

MakeWindow = Callable[..., MainController]
LOUD = (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
#: What Qt's offscreen platform (the tests' default) says whenever a dialog's layout sizes its
#: window: a limit of that platform plugin, never printed on X11 or Wayland.
OFFSCREEN_NOTICE = "This plugin does not support propagateSizeHints()"


@pytest.fixture
def qt_messages() -> Iterator[list[tuple[QtMsgType, str]]]:
    """The messages Qt emits while the test runs."""
    heard: list[tuple[QtMsgType, str]] = []

    def handler(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        heard.append((kind, message))

    previous = qInstallMessageHandler(handler)
    yield heard
    qInstallMessageHandler(previous)


def test_quitting_after_an_export_emits_no_qt_warning(
    qtbot: QtBot,
    erasmo: Erasmo,
    make_window: MakeWindow,
    demo: UUID,
    tmp_path: Path,
    qt_messages: list[tuple[QtMsgType, str]],
) -> None:
    c = make_window(erasmo)
    c.reload_portfolios(select=demo)
    qtbot.waitUntil(lambda: c.history_model.rowCount() > 0, timeout=10_000)
    qt_messages.clear()  # from here on: the export and the quit
    target = tmp_path / "out.jsonl"

    def fill_in() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, ExportView)]
        shown = [d for d in dialogs if d.isVisible()]
        assert len(shown) == 1
        shown[0].path.setText(str(target))
        shown[0].buttons.accepted.emit()

    QTimer.singleShot(200, fill_in)
    with qtbot.waitSignal(c.files.exported, timeout=30_000):
        c.window.commands.export_log.trigger()  # File → Export…: the dialog runs modal
    assert target.exists()
    header, *events = target.read_text().splitlines()
    assert json.loads(header)["count"] == len(events) == erasmo.door.head(demo).version
    c.window.commands.quit.trigger()
    qtbot.waitUntil(lambda: not c.window.isVisible(), timeout=10_000)
    QApplication.processEvents()
    QApplication.sendPostedEvents(None, 0)  # deferred deletes, as the event loop's end does
    loud = [m for kind, m in qt_messages if kind in LOUD and m != OFFSCREEN_NOTICE]
    assert loud == []
