"""The allocation tab: weights by sector from the bundled sector map, and the income table of
dividends received per month and year. Expected numbers are worked out by hand from the closes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from erasmo.projections.sectors import sector_map
from gui import formatting
from gui.analysis import Snapshot
from gui.controllers.main import MainController
from tests.gui.conftest import shared_market

MakeWindow = Callable[..., MainController]


def shown(qtbot: QtBot, c: MainController, pid: UUID) -> None:
    qtbot.waitUntil(
        lambda: (
            isinstance(c.analysis.last_snapshot, Snapshot)
            and c.analysis.last_snapshot.portfolio == pid
        ),
        timeout=30_000,
    )


def test_every_bundled_stock_has_a_sector() -> None:
    tradable = [i.ticker for i in shared_market().tickers() if i.tradable]
    assert tradable
    sectors = sector_map()
    assert [t for t in tradable if t not in sectors] == []
    assert sectors["AAPL"] == sectors["MSFT"] == "Information Technology"
    assert sectors["KO"] == "Consumer Staples"


def test_allocation_by_sector_sums_the_tickers_of_each_sector(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    market = shared_market()
    day = market.latest_date("KO")
    close = {t: float(market.bar(t, day).close) for t in ("AAPL", "MSFT", "KO")}  # type: ignore[union-attr]
    door = erasmo.door
    pid = door.open_portfolio("Sectors", "10000", day, commission="0").id
    door.buy(pid, "AAPL", "10", day)
    door.buy(pid, "MSFT", "5", day)
    door.buy(pid, "KO", "20", day)
    c = make_window(erasmo, analysis=True)
    c.reload_portfolios(select=pid)
    shown(qtbot, c, pid)
    view = c.window.allocation
    assert view.grouped_by() == "ticker"
    assert sorted(s.label for s in view.chart.slices()) == ["AAPL", "Cash", "KO", "MSFT"]

    view.by_sector.click()
    tech = 10 * close["AAPL"] + 5 * close["MSFT"]
    staples = 20 * close["KO"]
    cash = 10000 - tech - staples  # bought at the close, no commission
    total = 10000.0
    bars = {s.label: (s.weight, s.value) for s in view.chart.slices()}
    assert set(bars) == {"Information Technology", "Consumer Staples", "Cash"}
    assert bars["Information Technology"][1] == pytest.approx(tech, abs=0.01)
    assert bars["Information Technology"][0] == pytest.approx(tech / total, abs=1e-6)
    assert bars["Consumer Staples"][1] == pytest.approx(staples, abs=0.01)
    assert bars["Cash"][1] == pytest.approx(cash, abs=0.01)
    assert sum(w for w, _ in bars.values()) == pytest.approx(1.0)
    assert "sector" in view.caption.text()
    view.by_ticker.click()
    assert "KO" in [s.label for s in view.chart.slices()]


def test_income_lists_the_dividends_received_per_month_and_year(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    pid = door.open_portfolio("Income", "10000", date(2021, 1, 4)).id
    door.buy(pid, "KO", "100", date(2021, 1, 4))
    portfolio = erasmo.app.portfolio(pid)
    for on, per_share in (
        (date(2021, 3, 12), "0.42"),
        (date(2021, 6, 14), "0.42"),
        (date(2021, 6, 30), "0.05"),
        (date(2022, 3, 14), "0.44"),
    ):
        portfolio.receive_dividend("KO", Decimal(per_share), on)
    erasmo.app.save(portfolio)
    c = make_window(erasmo, analysis=True)
    c.reload_portfolios(select=pid)
    shown(qtbot, c, pid)
    table = c.window.allocation.income

    def cell(row: int, column: int) -> str:
        item = table.item(row, column)
        return "" if item is None else item.text()

    assert table.rowCount() == 2
    assert [cell(r, 0) for r in range(2)] == ["2021", "2022"]
    # 100 shares: 0.42 -> 42.00 in March; 0.42 + 0.05 -> 47.00 in June; 2021: 89.00
    assert cell(0, 3) == formatting.money(42.0)  # column 3 is March (Year, Jan, Feb, Mar)
    assert cell(0, 6) == formatting.money(47.0)
    assert cell(0, 4) == ""
    assert cell(0, 13) == formatting.money(89.0)
    assert cell(1, 3) == formatting.money(44.0)
    assert cell(1, 13) == formatting.money(44.0)
    assert c.window.allocation.income_total.text() == f"Total {formatting.money(133.0)}"
    assert c.window.allocation.income_empty.isHidden()


def test_income_says_so_when_no_dividend_was_received(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    pid = erasmo.door.open_portfolio("Plain", "100", date(2021, 1, 4)).id
    c = make_window(erasmo, analysis=True)
    c.reload_portfolios(select=pid)
    shown(qtbot, c, pid)
    view = c.window.allocation
    assert view.income.rowCount() == 0
    assert not view.income_empty.isHidden()
    assert view.income_total.text() == ""
