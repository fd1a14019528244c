"""Export and import through the window's controllers, with verify first, off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from uuid import UUID

from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.files import Verdict
from gui.controllers.main import MainController
from gui.demo import DEMO_STEPS

MakeWindow = Callable[..., MainController]


def test_export_then_import_into_another_store(
    qtbot: QtBot,
    tmp_path: Path,
    erasmo: Erasmo,
    demo: UUID,
    make_window: MakeWindow,
    make_erasmo: Callable[[str], Erasmo],
) -> None:
    c = make_window(erasmo)
    path = tmp_path / "demo.jsonl"
    with qtbot.waitSignal(c.files.exported, timeout=10_000) as exported:
        c.files.export(path, [demo])
    assert exported.args == [len(DEMO_STEPS) + 1, str(path)]

    other = make_erasmo("other")
    d = make_window(other)
    assert d.portfolios.rowCount() == 0
    with qtbot.waitSignal(d.files.verified, timeout=10_000) as verified:
        d.files.verify(path)
    verdict = verified.args[0]
    assert isinstance(verdict, Verdict)
    assert verdict.new == len(DEMO_STEPS) + 1
    view = d.files.import_view
    assert view is not None
    assert view.ok.isEnabled()
    assert view.verdict.text().startswith("OK: 15 events of 1 portfolio, written by erasmo")
    with qtbot.waitSignal(d.files.imported, timeout=10_000) as imported:
        view.ok.click()
    assert imported.args == [15, 15]
    qtbot.waitUntil(lambda: d.history_model.rowCount() == 15, timeout=10_000)
    assert [r.name for r in d.portfolios.portfolios()] == ["Demo"]
    assert other.app.portfolio(demo).cash == erasmo.app.portfolio(demo).cash

    with qtbot.waitSignal(d.files.verified, timeout=10_000) as again:
        d.files.verify(path)  # the same file twice adds nothing
    assert again.args[0].new == 0
    assert not d.files.import_view.ok.isEnabled()  # type: ignore[union-attr]


def test_a_tampered_file_is_refused_with_its_line(
    qtbot: QtBot, tmp_path: Path, erasmo: Erasmo, demo: UUID, make_window: MakeWindow
) -> None:
    c = make_window(erasmo)
    path = tmp_path / "demo.jsonl"
    with qtbot.waitSignal(c.files.exported, timeout=10_000):
        c.files.export(path, [])
    lines = path.read_text().splitlines(keepends=True)
    assert '"ticker":"AAPL"' in lines[3]  # line 4: the first buy
    lines[3] = lines[3].replace('"_data_":"400"', '"_data_":"4000"')
    path.write_text("".join(lines))
    before = erasmo.app.event_count()
    c.files.verify(path)
    view = c.files.import_view
    assert view is not None
    qtbot.waitUntil(lambda: view.verdict.text() != "Verifying…", timeout=10_000)
    assert view.verdict.text() == "This file cannot be imported."
    assert view.details.text().startswith("Line 4: the line's hash does not match")
    assert not view.ok.isEnabled()
    assert erasmo.app.event_count() == before
