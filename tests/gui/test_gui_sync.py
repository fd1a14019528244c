"""The Sync dialog (serve on loopback, sync with another install), automatic backups before an
import, and restoring a backup when the store cannot be opened at startup."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from erasmo.backup import auto_backup, list_backups
from erasmo.bootstrap import Erasmo
from events.errors import StoreError
from gui.controllers.main import MainController
from gui.controllers.restore import open_erasmo
from gui.controllers.sync import SyncController
from gui.demo import DEMO_STEPS
from gui.dialogs.sync import RestoreView
from tests.gui.conftest import shared_market

MakeWindow = Callable[..., MainController]


def _serve(c: MainController) -> tuple[str, str]:
    view = c.sync.open_dialog()
    view.port.setValue(0)  # any free port
    view.serve.click()
    assert view.serve.isChecked(), view.serve_message.text()
    url, token = view.served_url.text(), view.served_token.text()
    assert url.startswith("http://127.0.0.1:")
    assert len(token) >= 43
    return url, token


def _sync(qtbot: QtBot, sync: SyncController, url: str, token: str) -> None:
    view = sync.open_dialog()
    view.url.setText(url)
    view.token.setText(token)
    with qtbot.waitSignal(sync.ended, timeout=15_000):
        view.sync.click()
        assert not view.sync.isEnabled()  # busy until the job ends


def test_serve_then_another_install_syncs_through_the_dialog(
    qtbot: QtBot,
    erasmo: Erasmo,
    demo: UUID,
    make_window: MakeWindow,
    make_erasmo: Callable[[str], Erasmo],
) -> None:
    c = make_window(erasmo)
    url, token = _serve(c)

    other = make_erasmo("other")
    d = make_window(other)
    assert d.portfolios.rowCount() == 0
    _sync(qtbot, d.sync, url, token)
    view = d.sync.view
    assert view is not None
    assert not view.outcome.is_error, view.outcome.text()
    assert view.outcome.text().startswith(
        f"Synced with {url}: pulled {len(DEMO_STEPS) + 1} new events, pushed 0"
    )
    assert view.sync.isEnabled()
    qtbot.waitUntil(lambda: d.portfolios.rowCount() == 1, timeout=5_000)  # the sidebar
    theirs = [(r.id, r.name) for r in c.portfolios.portfolios()]
    assert [(r.id, r.name) for r in d.portfolios.portfolios()] == theirs
    assert other.app.portfolio(demo).cash == erasmo.app.portfolio(demo).cash

    _sync(qtbot, d.sync, url, "x" * 43)  # a wrong token: a sentence, never a traceback
    assert view.outcome.is_error
    assert view.outcome.text().startswith("The sync failed: ")
    assert "Traceback" not in view.outcome.text()

    served = c.sync.open_dialog()
    served.serve.click()  # toggle off
    assert c.sync.server is None
    assert served.served_url.text() == ""
    _sync(qtbot, d.sync, url, token)
    assert view.outcome.is_error  # nobody listens any more

    _serve(c)
    server = c.sync.server
    assert server is not None
    assert server.running
    c.shutdown()  # the window closing stops it
    assert c.sync.server is None
    assert not server.running


def test_an_import_backs_the_store_up_first_and_a_failed_backup_blocks_it(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    erasmo: Erasmo,
    demo: UUID,
    make_window: MakeWindow,
    make_erasmo: Callable[[str], Erasmo],
) -> None:
    c = make_window(erasmo)
    path = tmp_path / "demo.jsonl"
    with qtbot.waitSignal(c.files.exported, timeout=10_000):
        c.files.export(path, [demo])

    other = make_erasmo("other")
    d = make_window(other)
    with qtbot.waitSignal(d.files.verified, timeout=10_000):
        d.files.verify(path)

    def broken() -> None:
        raise StoreError("Cannot write the backup /nowhere: disk full.")

    d.files.backup = broken
    warnings: list[str] = []
    monkeypatch.setattr(
        "gui.controllers.main.QMessageBox.warning", lambda _w, _t, text: warnings.append(text)
    )
    with qtbot.waitSignal(d.files.failed, timeout=10_000) as failed:
        d.files.import_verified()
    assert failed.args[0].startswith("The import was stopped because the automatic backup")
    assert "disk full" in failed.args[0]
    assert warnings == [failed.args[0]]  # shown to the user as it is
    assert other.app.portfolio_ids() == []

    d.files.backup = lambda: auto_backup(other, keep=5)
    assert list_backups(other.data_dir) == []
    with qtbot.waitSignal(d.files.imported, timeout=10_000):
        d.files.import_verified()
    assert len(list_backups(other.data_dir)) == 1
    assert other.app.portfolio_ids() == [demo]


def test_the_window_backs_up_before_every_import(
    qtbot: QtBot,
    tmp_path: Path,
    erasmo: Erasmo,
    demo: UUID,
    make_window: MakeWindow,
) -> None:
    c = make_window(erasmo)
    path = tmp_path / "demo.jsonl"
    with qtbot.waitSignal(c.files.exported, timeout=10_000):
        c.files.export(path, [demo])
    with qtbot.waitSignal(c.files.verified, timeout=10_000):
        c.files.verify(path)
    with qtbot.waitSignal(c.files.imported, timeout=10_000):
        c.files.import_verified()  # nothing new, but the backup is taken first all the same
    assert len(list_backups(erasmo.data_dir)) == 1


def test_a_damaged_store_at_startup_offers_the_backups_and_restores_one(
    qtbot: QtBot, tmp_path: Path, erasmo: Erasmo, demo: UUID
) -> None:
    data_dir, store = erasmo.data_dir, erasmo.store.path
    assert store is not None
    auto_backup(erasmo, keep=5)
    erasmo.close()
    store.write_bytes(b"this is not an erasmo store " * 200)
    red = QColor("red")
    seen: list[RestoreView] = []

    def quit_(view: RestoreView) -> bool:
        qtbot.addWidget(view)
        seen.append(view)
        return False

    assert open_erasmo(data_dir, None, red, market=shared_market(), ask=quit_) is None
    assert seen[0].backups.count() == 1
    assert "cannot open its store" in seen[0].problem.text()
    assert store.read_bytes().startswith(b"this is not")  # quitting changes nothing

    def restore(view: RestoreView) -> bool:
        qtbot.addWidget(view)
        view.backups.setCurrentRow(0)
        view.restore.click()
        return view.result() == RestoreView.DialogCode.Accepted

    restored = open_erasmo(data_dir, None, red, market=shared_market(), ask=restore)
    assert restored is not None
    try:
        assert restored.app.portfolio_ids() == [demo]
        assert restored.app.portfolio(demo).name == "Demo"
    finally:
        restored.close()
    assert Path(f"{store}.bak").read_bytes().startswith(b"this is not")  # the damaged one kept


def test_a_damaged_store_without_backups_is_reported(tmp_path: Path, erasmo: Erasmo) -> None:
    store = erasmo.store.path
    assert store is not None
    erasmo.close()
    store.write_bytes(b"garbage" * 500)
    with pytest.raises(StoreError):
        open_erasmo(erasmo.data_dir, None, QColor("red"), market=shared_market())
