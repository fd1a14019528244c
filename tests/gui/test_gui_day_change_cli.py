"""The command line and the window show the same day change for the same portfolio: both read
it from the projections' holdings snapshot. The figure is worked out by hand from the closes."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.analysis import Snapshot
from gui.controllers.main import MainController
from gui.models.roles import RAW
from tests.erasmo.cli_runner import cli_runner
from tests.gui.conftest import shared_market

MakeWindow = Callable[..., MainController]


def test_the_cli_and_the_window_show_the_same_day_change(
    qtbot: QtBot,
    erasmo: Erasmo,
    make_window: MakeWindow,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    market = shared_market()
    last = market.latest_date("KO")
    days = market.trading_days("KO")
    previous, earlier = days[days.index(last) - 1], days[days.index(last) - 30]
    close = float(market.bar("KO", last).close)  # type: ignore[union-attr]
    prior = float(market.bar("KO", previous).close)  # type: ignore[union-attr]
    door = erasmo.door
    pid = door.open_portfolio("Same", "50000", earlier).id
    door.buy(pid, "KO", "50", earlier)
    door.buy(pid, "KO", "100", last, fee="4.95")  # at the close: no move while held
    door.sell(pid, "KO", "20", last)  # sold at the close: its move up to the sale counts
    # 50 held at the previous close move from it; the 100 bought and 20 sold at today's close
    # add nothing: 50 * (close - prior). The old figure was 130 * (close - prior).
    expected = round(50 * (close - prior), 2)
    assert expected != pytest.approx(130 * (close - prior), abs=0.01)

    run = cli_runner(tmp_path / "data", capsys, monkeypatch)
    code, out, err = run("holdings", "Same", "--json")
    assert code == 0, err
    positions = {p["ticker"]: p for p in json.loads(out)["positions"]}
    cli = Decimal(positions["KO"]["day_change"])

    c = make_window(erasmo, analysis=True)
    c.reload_portfolios(select=pid)
    qtbot.waitUntil(
        lambda: (
            isinstance(c.analysis.last_snapshot, Snapshot)
            and c.analysis.last_snapshot.portfolio == pid
        ),
        timeout=30_000,
    )
    model = c.analysis.model
    shown = model.index(model.tickers().index("KO"), model.column_of("day_change")).data(RAW)
    assert cli == Decimal(f"{expected:.2f}")
    assert round(float(shown), 2) == pytest.approx(float(cli))
