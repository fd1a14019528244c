"""Live prices in the real window, against Yahoo replayed at yfinance's HTTP layer (no network):
the status bar, Refresh prices with progress and Cancel, the stale marker; and splits and
dividends applied from the window."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo, bootstrap
from gui.controllers.main import MainController
from gui.models.roles import STALE

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "erasmo"))
from yahoo_replay import Scenario, YahooReplay, install

MakeWindow = Callable[..., MainController]
TODAY = date(2024, 12, 2)


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[YahooReplay]:
    monkeypatch.delenv("ERASMO_OFFLINE", raising=False)  # online, against the replay
    served = install(monkeypatch)
    served.scenarios |= {
        "PLTR": Scenario("normal"),
        "T": Scenario("dividend"),
        "HANG": Scenario(hang=True),
    }
    yield served
    served.release.set()


@pytest.fixture
def online(tmp_path: Path, replay: YahooReplay) -> Iterator[Erasmo]:
    """erasmo over the source chain (bundled data, price cache, replayed Yahoo)."""
    built = bootstrap(tmp_path / "online", today=lambda: TODAY)
    yield built
    built.close()


def test_refresh_prices_reports_progress_and_the_status_bar_follows(
    qtbot: QtBot, online: Erasmo, replay: YahooReplay, make_window: MakeWindow
) -> None:
    c = make_window(online)
    status = c.window.status
    assert status.market.text() == "Prices: Online (Yahoo)"  # never refreshed yet
    seen: list[tuple[int, int]] = []
    with qtbot.waitSignal(c.prices.refreshed, timeout=20_000) as done:
        handle = c.prices.refresh(["PLTR", "T", "AAPL"])
        assert handle is not None
        handle.progressed.connect(lambda d, t: seen.append((d, t)))
        assert status.job.isVisible()
        assert status.job.label.text() == "Refreshing prices…"
    outcomes: list[Any] = done.args[0]  # type: ignore[index]
    assert [(o.ticker, o.status, o.added) for o in outcomes] == [
        ("PLTR", "updated", 9),
        ("T", "updated", 5),
        ("AAPL", "bundled", 0),
    ]
    assert seen[-1] == (3, 3)
    assert all(total == 3 for _, total in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert status.market.text().startswith("Prices: Online (Yahoo) · last refresh ")
    assert "2 ticker(s) in the price cache" in status.market.toolTip()
    assert c.window.statusBar().currentMessage() == ("Refreshed 3 tickers: 2 updated, 1 bundled.")
    assert len(replay.history_requests("PLTR")) == 1
    qtbot.waitUntil(lambda: not status.job.isVisible(), timeout=5_000)


def test_cancel_stops_a_refresh_before_the_next_ticker(
    qtbot: QtBot, online: Erasmo, replay: YahooReplay, make_window: MakeWindow
) -> None:
    c = make_window(online)
    job = c.window.status.job
    with qtbot.waitSignal(c.prices.failed, timeout=30_000) as failed:
        assert c.prices.refresh(["HANG", "PLTR"]) is not None
        qtbot.waitUntil(lambda: any(r.symbol == "HANG" for r in replay.requests), timeout=10_000)
        assert job.isVisible()
        qtbot.mouseClick(job.cancel, Qt.MouseButton.LeftButton)
        replay.release.set()  # the hung request ends; the refresh stops before PLTR
    assert failed.args == ["Refreshing prices was cancelled."]
    assert replay.history_requests("PLTR") == []
    assert not c.prices.busy


def test_a_refresh_offline_says_why(qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow) -> None:
    c = make_window(erasmo)  # a fixed market: no live prices
    assert c.window.status.market.text() == "Prices: Offline"
    assert "fixed market" in c.window.status.market.toolTip()
    with qtbot.waitSignal(c.prices.failed, timeout=10_000) as failed:
        c.prices.refresh()
    assert "Nothing was refreshed" in failed.args[0]


def test_holdings_mark_a_stale_price(qtbot: QtBot, online: Erasmo, make_window: MakeWindow) -> None:
    online.prices.refresh(["PLTR"])
    mixed = online.door.open_portfolio("Mixed", "10000", date(2020, 3, 2)).id
    online.door.buy(mixed, "KO", "10", date(2020, 3, 2))
    online.door.buy(mixed, "PLTR", "10", date(2024, 11, 29))
    chain: Any = online.market
    chain.yahoo = None  # no more network: what the cache holds is all there is
    later = datetime.now(UTC) + timedelta(days=30)  # weeks after the last fetch
    chain.now = lambda: later
    c = make_window(online, analysis=True)
    model = c.analysis.model
    qtbot.waitUntil(lambda: c.analysis.last_snapshot is not None, timeout=30_000)
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=10_000)  # 2 positions and a total
    marks = {
        model.index(r, 0).data(Qt.ItemDataRole.DisplayRole): model.index(r, 0).data(STALE)
        for r in range(model.rowCount())
    }
    assert marks == {"KO": False, "PLTR": True, "Total": False}
    pltr = next(r for r in range(2) if model.index(r, 0).data() == "PLTR")
    assert model.index(pltr, 0).data(Qt.ItemDataRole.DecorationRole) is not None
    assert "Refresh prices" in model.index(pltr, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert c.window.status.market.text().startswith("Prices: Offline")


def test_apply_splits_and_dividends_from_the_window(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    t = erasmo.door
    pid = t.open_portfolio("Income", "10000", date(2012, 11, 1)).id
    t.buy(pid, "IBM", "20", date(2012, 11, 1))
    t.deposit(pid, "1", date(2012, 11, 30))  # the clock moves past the ex-date (11-07)
    cash_before = erasmo.app.portfolio(pid).cash
    c = make_window(erasmo)
    qtbot.waitUntil(lambda: c.history_model.rowCount() == 4, timeout=10_000)
    dialog = c.open_actions_dialog()
    assert dialog is not None
    v = dialog.view
    assert dialog.model.rowCount() == 1
    assert dialog.model.text(0, "day") == "2012-11-07"
    assert dialog.model.text(0, "kind") == "Dividend"
    assert dialog.model.text(0, "terms") == "0.85 per share"  # IBM's quarterly dividend
    assert dialog.model.text(0, "cash") == "17.00"  # 20 x 0.85
    assert v.apply.isEnabled()
    with qtbot.waitSignal(c.history_loaded, timeout=10_000):
        qtbot.mouseClick(v.apply, Qt.MouseButton.LeftButton)
    assert erasmo.app.portfolio(pid).cash == cash_before + Decimal("17.00")
    assert dialog.model.rowCount() == 0
    assert not v.apply.isEnabled()
    assert "nothing to apply" in v.intro.text()
    assert c.history_model.rowCount() == 5
