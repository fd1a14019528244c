"""Start the desktop app: `erasmo`, `erasmo gui` or `python -m gui`."""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from erasmo.bootstrap import Erasmo
    from gui.controllers.main import MainController
    from gui.views.main_window import MainWindow

#: Set by bench/gui_startup.py: print "first-paint SECONDS CPU" once the window is on screen and
#: quit; "analytics": wait for the charts too; "settle": for every background load (see
#: `_install_probe`).
PROBE_ENV = "ERASMO_GUI_PROBE"


def run(data_dir: str | Path | None = None, store_url: str | None = None) -> int:
    """Open the main window over erasmo's store; returns the exit code."""
    started = time.perf_counter()
    missing = _missing_qt()
    if missing:
        print(missing, file=sys.stderr)
        return 1
    if not _has_display():
        print(
            "erasmo: there is no display to open the window on (DISPLAY and WAYLAND_DISPLAY are "
            "not set). Use the commands instead (erasmo --help), or set QT_QPA_PLATFORM.",
            file=sys.stderr,
        )
        return 1
    from PySide6.QtWidgets import QApplication, QMessageBox

    from gui import bindings, theme

    if bindings.keep_singletons_alive():  # before any thread starts
        print(bindings.warning(), file=sys.stderr)

    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qt_app, QApplication)
    qt_app.setApplicationName("erasmo")
    qt_app.setOrganizationName("erasmo")
    qt_app.setApplicationDisplayName("erasmo")
    qt_app.setDesktopFileName("erasmo")
    theme.apply(qt_app)
    hints = qt_app.styleHints()
    if hints is not None:  # follow the desktop when it switches between light and dark
        hints.colorSchemeChanged.connect(lambda _scheme: theme.apply(qt_app))
    icon = theme.app_icon()
    qt_app.setWindowIcon(icon)

    from events.errors import ErasmoError
    from gui.controllers.main import MainController
    from gui.controllers.restore import open_erasmo
    from gui.views.main_window import MainWindow

    try:  # a store that cannot be opened: offer the automatic backups, if there are any
        erasmo = open_erasmo(data_dir, store_url, theme.colors(qt_app.palette()).loss)
    except ErasmoError as error:
        QMessageBox.critical(None, "erasmo", f"erasmo cannot start: {error}")
        return 1
    if erasmo is None:
        return 1
    window = MainWindow(icon)
    probe = os.environ.get(PROBE_ENV, "")
    controller = MainController(erasmo, window, offer_demo=not probe)
    if probe:
        _install_probe(probe, window, controller, started)
    window.show()
    try:
        code = qt_app.exec()
    except BaseException:
        erasmo.close()
        raise
    return _leave(code, erasmo, controller)


def _leave(code: int, erasmo: Erasmo, controller: MainController) -> int:
    """Close the store once the window is closed, and return `code`.

    A long read that does not check for cancel may outlive the wait at closing: closing the
    store under it, or finalizing Python around its thread, can crash the process. Its result is
    not needed and every command was committed: then the process leaves at once.
    """
    if controller.still_running():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    erasmo.close()
    return code


def _missing_qt() -> str | None:
    """A one-line hint when PySide6 or pyqtgraph cannot be imported (a broken install), else None.

    Both come with erasmo; the charts import pyqtgraph only after the first paint, so it is
    looked for here without being loaded.
    """
    try:
        import PySide6.QtWidgets  # noqa: F401

        if importlib.util.find_spec("pyqtgraph") is None:
            raise ModuleNotFoundError("No module named 'pyqtgraph'")
    except ImportError as error:
        return (
            f"erasmo: the desktop app cannot start: {error}. PySide6 and pyqtgraph come with "
            "erasmo; reinstall it (pipx reinstall erasmo, or pip install --force-reinstall "
            "erasmo), or use the commands (erasmo --help)."
        )
    return None


def _has_display() -> bool:
    """Whether Qt can open a window here (on Linux it needs X11, Wayland or a named platform)."""
    if not sys.platform.startswith("linux"):
        return True
    return any(os.environ.get(k) for k in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def _install_probe(
    mode: str, window: MainWindow, controller: MainController, started: float
) -> None:
    """Print what bench/gui_startup.py measures, then close the window.

    "paint": "first-paint WALL CPU" (seconds since `run` began, and the CPU seconds the process
    used until then); "analytics": also "analytics WALL" once the charts are drawn; "settle":
    also "settled WALL STALL" once every background load is done (or after a minute), with the
    longest time the event loop went without turning since the first paint.
    """
    from PySide6.QtCore import QElapsedTimer, QTimer

    ticks = QTimer(window)
    clock = QElapsedTimer()
    stall = [0.0]

    def tick() -> None:
        stall[0] = max(stall[0], clock.restart() / 1000)
        jobs = (controller.jobs, controller.analysis.jobs)
        loaded = controller.analysis.performance is not None
        waited = time.perf_counter() - started
        if (loaded and not any(j.busy for j in jobs)) or waited > 60:
            ticks.stop()
            print(f"settled {waited:.4f} {stall[0]:.4f}", flush=True)
            QTimer.singleShot(0, window.close)

    def painted() -> None:
        wall, cpu = time.perf_counter() - started, time.process_time()
        print(f"first-paint {wall:.4f} {cpu:.4f}", flush=True)
        if mode == "settle":
            ticks.timeout.connect(tick)
            ticks.start(10)
            clock.start()
        elif mode != "analytics":
            QTimer.singleShot(0, window.close)

    def charts(_: object) -> None:
        if controller.analysis.performance is not None:
            print(f"analytics {time.perf_counter() - started:.4f}", flush=True)
            if mode == "analytics":
                QTimer.singleShot(0, window.close)

    window.first_painted.connect(painted)
    if mode in ("analytics", "settle"):
        controller.analysis.shown.connect(charts)
