"""GUI fixtures: real widgets on Qt's offscreen platform, a real SQLite store per test, the
bundled market data, and no network (the root conftest guards sockets)."""

from __future__ import annotations

import os
from pathlib import Path

# Qt's offscreen platform, on a 1920x1080 screen (its default of 800x600 squeezes the window).
_SCREEN = Path(__file__).with_name("offscreen-screen.json")
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREEN}"

from collections.abc import Iterator  # noqa: E402
from datetime import date  # noqa: E402
from uuid import UUID  # noqa: E402

import pytest  # noqa: E402

pytest.importorskip("PySide6.QtWidgets", reason="the desktop app needs PySide6 (erasmo[gui])")

from erasmo.bootstrap import Erasmo, bootstrap  # noqa: E402
from erasmo.market.bundled import BundledMarketData  # noqa: E402
from gui.bindings import keep_singletons_alive  # noqa: E402
from gui.demo import create_demo  # noqa: E402

TODAY = date(2026, 11, 26)
keep_singletons_alive()  # as the app does at start: a miscounting binding must not abort a run
_MARKET: BundledMarketData | None = None


def shared_market() -> BundledMarketData:
    """One bundled market for the whole run: its files are parsed once."""
    global _MARKET
    if _MARKET is None:
        _MARKET = BundledMarketData()
    return _MARKET


@pytest.fixture
def erasmo(tmp_path: Path) -> Iterator[Erasmo]:
    """erasmo over a fresh SQLite store in the test's own data directory."""
    built = bootstrap(tmp_path / "data", market=shared_market(), today=lambda: TODAY)
    yield built
    built.close()


@pytest.fixture
def make_erasmo(tmp_path: Path) -> Iterator[object]:
    """Builds more erasmos over their own data directories (another install, a restart)."""
    built: list[Erasmo] = []

    def make(name: str) -> Erasmo:
        e = bootstrap(tmp_path / name, market=shared_market(), today=lambda: TODAY)
        built.append(e)
        return e

    yield make
    for e in built:
        e.close()


@pytest.fixture
def demo(erasmo: Erasmo) -> UUID:
    """The demo portfolio, recorded through the trading service."""
    return create_demo(erasmo.door)


@pytest.fixture
def make_window(qtbot: object) -> Iterator[object]:
    """Builds shown main windows (with their controllers) over an erasmo; closes them after."""
    from gui import theme
    from gui.controllers.main import MainController
    from gui.views.main_window import MainWindow

    built: list[tuple[MainWindow, MainController]] = []

    def make(erasmo: Erasmo, *, analysis: bool = False) -> MainController:
        window = MainWindow(theme.app_icon())
        controller = MainController(erasmo, window, offer_demo=False, analysis=analysis)
        qtbot.addWidget(window)  # type: ignore[attr-defined]
        window.show()
        qtbot.waitExposed(window)  # type: ignore[attr-defined]
        built.append((window, controller))
        return controller

    yield make
    for window, controller in built:
        controller.shutdown()
        window.close()
