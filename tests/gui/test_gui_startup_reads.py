"""Launching the window on a store of ten thousand events reads no history on the GUI thread.

Two things are counted by thread from the moment the window is built until every background load
has finished: the stored events decoded (`Portfolios.decode` for histories, the mapper for
aggregates), and the work SQLite does (its virtual machine's instructions, through a progress
handler on every connection), which also catches a query that scans the whole log to return
few rows. The GUI thread's share must stay far below one scan of the log.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo, bootstrap
from events.store_sqlite import DurableSQLiteConnectionPool
from events.values import PriceProvenance
from tests.gui.conftest import TODAY, shared_market

EVENTS = 10_000
DAY = date(2020, 1, 2)
STEP = 100  # SQLite instructions per progress call


def record_many(erasmo: Erasmo, name: str, events: int) -> UUID:
    """A portfolio of `events` events: opened with cash, then one-share buys of KO."""
    app = erasmo.app
    portfolio_id = erasmo.door.open_portfolio(name, "10000000", DAY).id
    portfolio = app.portfolio(portfolio_id)
    close = erasmo.market.bar("KO", DAY)
    assert close is not None
    provenance = PriceProvenance("bundled:skfolio", DAY, True)
    for n in range(events - portfolio.version):
        portfolio.buy("KO", Decimal(1), close.close, DAY, provenance, Decimal(0))
        if n % 2_000 == 1_999:
            app.save(portfolio)
    app.save(portfolio)
    assert app.portfolio(portfolio_id).version == events
    return portfolio_id


def test_launching_the_window_on_a_large_store_reads_no_history_on_the_gui_thread(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gui import theme
    from gui.controllers.main import MainController
    from gui.views.main_window import MainWindow

    gui_thread = threading.get_ident()
    counted: Counter[str] = Counter()
    counting = threading.Event()

    def where() -> str:
        return "gui" if threading.get_ident() == gui_thread else "background"

    def progress() -> int:
        if counting.is_set():
            counted[f"{where()} sqlite"] += STEP
        return 0  # go on

    create = DurableSQLiteConnectionPool._create_connection

    def create_counting(pool: DurableSQLiteConnectionPool) -> Any:
        connection = create(pool)
        raw: sqlite3.Connection = connection._sqlite_conn  # type: ignore[attr-defined]
        raw.set_progress_handler(progress, STEP)
        return connection

    monkeypatch.setattr(DurableSQLiteConnectionPool, "_create_connection", create_counting)
    data = tmp_path / "data"
    before = bootstrap(data, market=shared_market(), today=lambda: TODAY)
    busy = record_many(before, "A busy one", EVENTS)
    before.door.open_portfolio("Small", "100", DAY)
    before.close()
    erasmo = bootstrap(data, market=shared_market(), today=lambda: TODAY)  # as a launch does
    app = erasmo.app
    decode, to_domain_event = app.decode, app.mapper.to_domain_event

    def counting_decode(topic: str, state: bytes) -> dict[str, Any]:
        counted[f"{where()} history"] += 1
        return decode(topic, state)

    def counting_to_domain_event(stored: Any) -> Any:
        counted[f"{where()} aggregate"] += 1
        return to_domain_event(stored)

    monkeypatch.setattr(app, "decode", counting_decode)
    monkeypatch.setattr(app.mapper, "to_domain_event", counting_to_domain_event)
    # One scan of the whole log, to measure against: what reading its topics costs SQLite.
    counting.set()
    assert app.reader.count(topics=["no such topic"]) == 0
    scan = counted.pop("gui sqlite")
    assert scan >= EVENTS  # more than one instruction per stored event

    window = MainWindow(theme.app_icon())
    c = MainController(erasmo, window, offer_demo=False)
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.first_painted, timeout=60_000):
            window.show()
        assert c.session.portfolio == busy  # the large portfolio is the one shown
        qtbot.waitUntil(lambda: c.history_model.rowCount() == EVENTS, timeout=120_000)
        qtbot.waitUntil(  # every background load done, the charts built
            lambda: (
                c.analysis.performance is not None and not c.jobs.busy and not c.analysis.jobs.busy
            ),
            timeout=120_000,
        )
        qtbot.wait(200)  # and what they queued for the window handled
        qtbot.waitUntil(lambda: not c.jobs.busy and not c.analysis.jobs.busy, timeout=120_000)
    finally:
        counting.clear()
        c.shutdown()
        window.close()
        qtbot.wait(50)
        erasmo.close()
    # The history was read, in the background.
    assert counted["background history"] >= EVENTS, counted
    assert counted["gui history"] == 0, counted
    # The GUI thread rebuilds heads from their latest snapshot (one every 200 events) only.
    assert counted["gui aggregate"] <= 4 * 200, counted
    assert counted["gui sqlite"] < scan / 4, (counted, scan)


def test_the_first_paint_loads_neither_numpy_nor_pandas(erasmo: Erasmo, demo: UUID) -> None:
    """Loading them takes longer than the rest of the first paint: they wait for the charts,
    the analytics and the first simulated order."""
    erasmo.close()  # let the other process open the store
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication(sys.argv[:1])\n"
        "from erasmo.bootstrap import bootstrap\n"
        "from gui.controllers.main import MainController\n"
        "from gui.views.main_window import MainWindow\n"
        "e = bootstrap(sys.argv[1]); w = MainWindow()\n"
        "c = MainController(e, w, offer_demo=False, analysis=False)\n"
        "def painted():\n"
        "    print(c.session.portfolio, c.window.holdings.table.model().rowCount())\n"
        "    print(sorted(m for m in ('numpy', 'pandas', 'pyqtgraph') if m in sys.modules))\n"
        "    app.quit()\n"
        "w.first_painted.connect(painted); w.show(); app.exec(); c.shutdown(); e.close()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(erasmo.data_dir)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.splitlines()
    assert out[-2].split()[0] == str(demo)  # the demo portfolio is shown, with its positions
    assert int(out[-2].split()[1]) > 1
    assert out[-1] == "[]"


def test_the_window_looks_for_older_backtest_records_where_the_runner_keeps_them() -> None:
    from erasmo.strategy.runner import RECORDS_DIR, record_path
    from gui.controllers.strategy import LEGACY_RECORDS

    assert LEGACY_RECORDS == RECORDS_DIR
    some = UUID(int=7)
    assert record_path(Path("/data"), some).parent == Path("/data") / LEGACY_RECORDS
