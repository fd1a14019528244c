"""One composition root: the window uses the analytics and branch service erasmo builds."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController
from gui.views.main_window import COMPARE_TAB

MakeWindow = Callable[..., MainController]


def test_one_store_gets_one_event_frame_cache(
    qtbot: QtBot, erasmo: Erasmo, demo: UUID, make_window: MakeWindow
) -> None:
    c = make_window(erasmo, analysis=True)
    qtbot.waitUntil(lambda: c.analysis.performance is not None, timeout=30_000)
    c.window.tabs.setCurrentIndex(COMPARE_TAB)
    compare = c.ensure_compare()
    assert compare is not None
    qtbot.waitUntil(lambda: compare.board.rowCount() == 1, timeout=10_000)
    c.shutdown()  # the window writes its event frame back to the cache
    erasmo.analytics.events()  # the command line reads the same store...
    erasmo.analytics.save_cache()  # ...and keeps its event frame
    caches = sorted(erasmo.data_dir.rglob("eventframe-*"))
    assert len(caches) == 1, caches
    assert caches[0].parent == erasmo.data_dir / "cache"
    assert c.analysis.analytics is erasmo.analytics
    assert compare.service is erasmo.branches
