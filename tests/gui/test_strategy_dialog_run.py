"""The Run strategy dialog: a form of the strategy's declared parameters, checked before it runs;
the run in the background records the same events as `run_backtest` with the same spec, opens
the portfolio and shows its notes; Cancel records nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QSpinBox
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from erasmo.strategy.rerun import compare_logs
from erasmo.strategy.runner import record_path, run_backtest, spec_from_file
from gui.controllers.main import MainController
from gui.views.main_window import HISTORY_TAB

MakeWindow = Callable[..., MainController]
SMA = Path(__file__).parents[2] / "examples" / "strategies" / "sma_cross.py"


def fill(dialog: Any, **texts: str) -> None:
    f = dialog.view.fields
    for name, text in texts.items():
        widget = getattr(f, name, None) or dialog.view.name
        if name in ("start", "end"):
            widget.setDate(date.fromisoformat(text))
        else:
            widget.setText(text)


def trades(erasmo: Erasmo, portfolio_id: Any) -> list[tuple[str, date, dict[str, Any]]]:
    """The portfolio's events, their random ids left out."""
    return [
        (e.type, e.on, {k: v for k, v in e.fields.items() if not k.endswith("id")})
        for e in erasmo.door.history(portfolio_id)
    ]


def test_the_form_shows_the_declared_parameters_and_checks_the_inputs(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c = make_window(erasmo)
    dialog = c.strategies.open_run_dialog(str(SMA))
    v = dialog.view
    assert [v.source.klass.itemText(i) for i in range(v.source.klass.count())] == ["Cross"]
    ticker, fast, slow = (dialog.editors[n] for n in ("ticker", "fast", "slow"))
    assert isinstance(ticker, QLineEdit)
    assert ticker.text() == "GOOG"
    assert isinstance(fast, QSpinBox)
    assert (fast.value(), fast.minimum()) == (50, 1)
    assert isinstance(slow, QSpinBox)
    assert (slow.value(), slow.minimum()) == (200, 2)
    labels = [
        v.params.itemAt(r, v.params.ItemRole.LabelRole).widget().text()
        for r in range(v.params.rowCount())
    ]
    assert labels == ["ticker (text)", "fast (whole number, ≥ 1)", "slow (whole number, ≥ 2)"]
    fill(dialog, start="2005-01-03", end="2006-12-29")
    assert v.ok.isEnabled(), v.message.text()
    assert "Cross over 503 trading days" in v.message.text()

    fill(dialog, cash="lots")
    assert not v.ok.isEnabled()
    assert v.message.is_error
    assert "lots" in v.message.text()
    fill(dialog, cash="100,000")
    assert v.ok.isEnabled(), v.message.text()
    fill(dialog, end="2004-01-02")
    assert not v.ok.isEnabled()
    assert "before the first" in v.message.text()
    fill(dialog, start="1980-01-02", end="1980-12-31")
    assert "No trading day" in v.message.text()
    fill(dialog, start="2005-01-03", end="2006-12-29", commission="a lot")
    assert not v.ok.isEnabled()
    assert v.message.is_error
    fill(dialog, commission="1.00")
    v.source.file.setText(str(SMA.with_name("nothing.py")))
    v.source.file.editingFinished.emit()
    assert not v.ok.isEnabled()
    assert "There is no file" in v.message.text()
    assert erasmo.app.event_count() == 0  # the checks recorded nothing


def open_sma(c: MainController, start: str, end: str) -> Any:
    dialog = c.strategies.open_run_dialog(str(SMA))
    dialog.editors["fast"].setValue(10)
    dialog.editors["slow"].setValue(30)
    fill(dialog, start=start, end=end, cash="100000", commission="1.00", slippage="5")
    assert dialog.view.ok.isEnabled(), dialog.view.message.text()
    return dialog


def test_running_records_the_same_events_as_run_backtest(
    qtbot: QtBot,
    erasmo: Erasmo,
    make_erasmo: Callable[[str], Erasmo],
    make_window: MakeWindow,
    tmp_path: Path,
) -> None:
    c = make_window(erasmo)
    dialog = open_sma(c, "2005-01-03", "2006-12-29")
    with qtbot.waitSignal(dialog.ran, timeout=60_000) as ran:
        qtbot.mouseClick(dialog.view.ok, Qt.MouseButton.LeftButton)
    result = ran.args[0]
    assert result.name == "Cross"
    qtbot.waitUntil(lambda: c.session.portfolio == result.portfolio_id, timeout=10_000)

    # the same spec through the back end the CLI uses, in a store of its own
    cli = make_erasmo("cli")
    spec = spec_from_file(
        SMA,
        "Cross",
        {"fast": "10", "slow": "30"},
        cash="100000",
        start=date(2005, 1, 3),
        end=date(2006, 12, 29),
        commission="1.00",
        slippage_bps="5",
    )
    expected = run_backtest(cli.door, spec)
    assert trades(erasmo, result.portfolio_id) == trades(cli, expected.portfolio_id)
    assert len(trades(erasmo, result.portfolio_id)) > 5  # it traded
    gui_log, cli_log = tmp_path / "gui.jsonl", tmp_path / "cli.jsonl"
    erasmo.door.export_log(gui_log, [result.portfolio_id])
    cli.door.export_log(cli_log, [expected.portfolio_id])
    assert compare_logs(gui_log, cli_log) is None
    assert result.final_value == expected.final_value
    # nothing beside the store: the notes are NoteAdded events on its StrategyStarted
    assert not record_path(erasmo.door.data_dir, result.portfolio_id).exists()
    logged = erasmo.door.strategy(result.portfolio_id)
    assert logged is not None
    assert logged.notes == tuple(f"{d}  {t}" for d, t in expected.notes)

    # its notes, dated, above its History (read in the background)
    notes = c.strategies.notes
    qtbot.waitUntil(lambda: not notes.isHidden(), timeout=20_000)
    assert c.window.tabs.currentIndex() == HISTORY_TAB
    shown = [notes.notes.item(i).text() for i in range(notes.notes.count())]
    assert shown == [f"{d}  {t}" for d, t in expected.notes]
    assert "crossed above" in shown[0]
    assert "fast=10, slow=30" in notes.summary.text()


def test_cancel_records_nothing(qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow) -> None:
    c = make_window(erasmo)
    before = erasmo.app.event_count()
    dialog = open_sma(c, "2005-01-03", "2012-12-31")
    v = dialog.view
    qtbot.mouseClick(v.ok, Qt.MouseButton.LeftButton)
    assert v.progress.isVisible()
    assert not v.ok.isEnabled()
    job = dialog.job
    assert job is not None
    qtbot.mouseClick(v.cancel, Qt.MouseButton.LeftButton)  # Cancel stops the run, stays open
    qtbot.waitUntil(lambda: job.finished, timeout=60_000)
    assert dialog.job is None
    assert "Cancelled: nothing was recorded." in v.message.text()
    assert v.isVisible()
    assert v.ok.isEnabled()
    v.source.file.editingFinished.emit()  # as when the field loses focus: the form stays
    assert (dialog.editors["fast"].value(), dialog.editors["slow"].value()) == (10, 30)
    assert erasmo.app.event_count() == before
    assert erasmo.door.portfolios() == []
    assert not (erasmo.door.data_dir / "strategies").exists() or not any(
        (erasmo.door.data_dir / "strategies").iterdir()
    )
