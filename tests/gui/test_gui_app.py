"""Starting the app: saved window state, the first-run demo, the CLI's `gui` command."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from uuid import UUID

import pytest
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController
from gui.demo import DEMO_STEPS
from gui.views.main_window import ALLOCATION_TAB

MakeWindow = Callable[..., MainController]


def test_window_state_and_last_portfolio_are_restored(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    first = erasmo.door.open_portfolio("Alpha", "100", "2015-03-02").id
    second = erasmo.door.open_portfolio("Beta", "100", "2015-03-02").id
    c = make_window(erasmo)
    assert c.session.portfolio == first
    c.window.sidebar.select_row(1)
    assert c.session.portfolio == second
    c.window.tabs.setCurrentIndex(ALLOCATION_TAB)
    c.replay.set_speed_index(4)
    c.window.resize(1111, 777)
    c.window.splitter.setSizes([380, 731])
    size, splitter = c.window.size(), c.window.splitter.sizes()
    c.window.close()

    d = make_window(erasmo)
    assert d.session.portfolio == second
    assert d.window.tabs.currentIndex() == ALLOCATION_TAB
    assert d.replay.speed_index() == 4
    assert d.window.size() == size != c.window.sizeHint()
    assert d.window.splitter.sizes() == splitter != [300, 980]


def test_demo_portfolio_is_created_in_the_background(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c = make_window(erasmo)
    c.create_demo()
    assert c.window.status.job.isVisible()
    qtbot.waitUntil(lambda: c.history_model.rowCount() == len(DEMO_STEPS) + 1, timeout=10_000)
    assert [p.name for p in c.portfolios.portfolios()] == ["Demo"]
    qtbot.waitUntil(lambda: not c.window.status.job.isVisible(), timeout=5000)
    c.create_demo()  # a second demo gets a name of its own
    qtbot.waitUntil(lambda: c.portfolios.rowCount() == 2, timeout=10_000)
    assert [p.name for p in c.portfolios.portfolios()] == ["Demo", "Demo 2"]


def test_first_run_offers_the_demo_once(
    qtbot: QtBot, erasmo: Erasmo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from gui import theme
    from gui.views.main_window import MainWindow

    asked: list[str] = []

    def answer(*args: object) -> QMessageBox.StandardButton:
        asked.append(str(args[1]))
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    for _ in range(2):  # the second start does not ask again
        window = MainWindow(theme.app_icon())
        qtbot.addWidget(window)
        c = MainController(erasmo, window, analysis=False)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda c=c: c.portfolios.rowCount() == 1, timeout=10_000)
        c.shutdown()
        window.close()
    assert asked == ["Welcome to erasmo"]


def test_erasmo_without_a_command_opens_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    import gui.app
    from erasmo.cli.main import main

    calls: list[tuple[object, object]] = []
    monkeypatch.setattr(gui.app, "run", lambda d, s: calls.append((d, s)) or 0)
    for argv in (["erasmo"], ["erasmo", "--data-dir", "/tmp/x", "gui"]):
        monkeypatch.setattr(sys, "argv", argv)
        with pytest.raises(SystemExit) as exited:
            main()
        assert exited.value.code == 0
    assert calls == [(None, None), ("/tmp/x", None)]


def test_trading_commands_never_load_qt_or_pandas(erasmo: Erasmo, demo: UUID) -> None:
    erasmo.close()  # let the other process write
    code = (
        "import sys; from erasmo.cli.main import cli;"
        f"cli.main(['--data-dir', {str(erasmo.data_dir)!r}, 'buy', 'Demo', 'KO', '1', "
        "'--on', '2022-06-01'], standalone_mode=False);"
        "print(sorted(m for m in ('PySide6', 'pandas', 'pyqtgraph', 'gui') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_without_a_display_the_app_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import gui.app

    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert gui.app.run() == 1
    assert "no display" in capsys.readouterr().err
