"""The holdings' numbers: the day change of shares bought that day, fixed decimals per column,
the currency in the headers, and grouped amounts typed in the forms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from events.errors import InvalidAmountError
from gui import formatting
from gui.analysis import Snapshot
from gui.controllers.main import MainController
from gui.form_checks import DEPOSIT, preview_cash, preview_opening, preview_trade
from gui.models.holdings import HoldingsTableModel
from gui.models.roles import RAW
from tests.gui.conftest import shared_market

MakeWindow = Callable[..., MainController]
DISPLAY = Qt.ItemDataRole.DisplayRole


def holdings_shown(qtbot: QtBot, c: MainController, pid: UUID) -> None:
    qtbot.waitUntil(
        lambda: (
            isinstance(c.analysis.last_snapshot, Snapshot)
            and c.analysis.last_snapshot.portfolio == pid
        ),
        timeout=30_000,
    )


def test_day_change_on_the_day_of_a_purchase_counts_only_the_move_since_it(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    market = shared_market()
    last = market.latest_date("KO")
    days = market.trading_days("KO")
    previous = days[days.index(last) - 1]
    earlier = days[days.index(last) - 30]
    bar, before = market.bar("KO", last), market.bar("KO", previous)
    assert bar is not None
    assert before is not None
    price = bar.close  # the bundled data has closes only: trades fill at the close
    door = erasmo.door
    pid = door.open_portfolio("Today", "50000", earlier).id
    door.buy(pid, "KO", "50", earlier)
    door.buy(pid, "KO", "100", last, fee="4.95")  # a fee is no price move
    c = make_window(erasmo, analysis=True)
    c.reload_portfolios(select=pid)
    holdings_shown(qtbot, c, pid)
    model = c.analysis.model
    row = model.tickers().index("KO")
    column = model.column_of("day_change")
    close, prior = float(bar.close), float(before.close)
    # 50 shares held since the previous close move from it; 100 bought today from their price.
    expected = 50 * (close - prior) + 100 * (close - float(price))
    assert model.index(row, column).data(RAW) == pytest.approx(expected)
    assert model.index(row, column).data(DISPLAY) == formatting.signed_money(expected)
    totals = model.rowCount() - 1
    assert model.index(totals, column).data(RAW) == pytest.approx(expected)
    # The old figure counted the move from before the 100 shares were bought.
    assert expected != pytest.approx(150 * (close - prior))


def test_each_column_has_one_number_of_decimals_and_names_the_currency(
    qapp: QApplication,
) -> None:
    model = HoldingsTableModel(QColor("green"), QColor("red"))
    rows = [
        {"ticker": "A", "quantity": 10.0, "average_cost": 12.5, "last_price": 45.452,
         "market_value": 454.52, "day_change": 1.0},
        {"ticker": "B", "quantity": 2.5, "average_cost": 101.12345, "last_price": 29.08,
         "market_value": 72.7, "day_change": -0.5},
    ]  # fmt: skip
    model.set_rows(rows, {"ticker": "Total", "market_value": 527.22, "day_change": 0.5})

    def column(key: str) -> list[str]:
        c = model.column_of(key)
        return [model.index(r, c).data(DISPLAY) for r in range(2)]

    assert column("quantity") == ["10.0", "2.5"]
    assert column("average_cost") == ["12.5000", "101.1235"]  # at most 4 decimals
    assert column("last_price") == ["45.452", "29.080"]
    assert column("market_value") == ["454.52", "72.70"]
    for key in ("quantity", "last_price", "market_value", "day_change"):
        c = model.column_of(key)
        assert model.index(0, c).data(Qt.ItemDataRole.TextAlignmentRole) & int(
            Qt.AlignmentFlag.AlignRight
        )
    header = model.headerData(model.column_of("market_value"), Qt.Orientation.Horizontal)
    assert header == "Market\nvalue\nUSD"
    assert "USD" not in model.headerData(model.column_of("quantity"), Qt.Orientation.Horizontal)
    model.set_currency("EUR")
    assert model.headerData(model.column_of("day_change"), Qt.Orientation.Horizontal).endswith(
        "EUR"
    )
    # Whole shares only: no decimals at all.
    model.set_rows([{**rows[0], "quantity": 10.0}, {**rows[1], "quantity": 1250.0}])
    assert column("quantity") == ["10", "1,250"]


def test_the_window_names_the_portfolio_s_currency(
    qtbot: QtBot, erasmo: Erasmo, demo: UUID, make_window: MakeWindow
) -> None:
    c = make_window(erasmo, analysis=True)
    holdings_shown(qtbot, c, demo)
    model = c.analysis.model
    header = model.headerData(model.column_of("last_price"), Qt.Orientation.Horizontal)
    assert header == f"Last\nprice\n{erasmo.door.head(demo).currency}"
    assert header.endswith("USD")


def test_grouped_amounts_are_accepted_and_bad_grouping_is_refused(erasmo: Erasmo) -> None:
    door = erasmo.door
    assert formatting.ungrouped("1,000.50") == "1000.50"
    assert formatting.ungrouped(" 12,345,678 ") == "12345678"
    assert formatting.ungrouped("1,00") == "1,00"  # not thousands: left for the parser
    assert formatting.ungrouped("1000") == "1000"
    head = preview_opening(door, set(), name="Grouped", cash="1,000.50", on=date(2020, 1, 2))
    assert head.cash == Decimal("1000.50")
    pid = door.open_portfolio("Grouped", "100000", date(2020, 1, 2)).id
    receipt = preview_cash(door, pid, kind=DEPOSIT, amount="1,500.25", on=date(2020, 1, 2))
    assert receipt.amount == Decimal("1500.25")
    trade = preview_trade(
        door, pid, side="buy", ticker="KO", quantity="1,000", on=date(2020, 1, 2), fee="1,000"
    )
    assert trade.quantity == Decimal("1000")
    with pytest.raises(InvalidAmountError, match="plain decimal"):
        preview_cash(door, pid, kind=DEPOSIT, amount="1,00", on=date(2020, 1, 2))
    assert door.head(pid).cash == Decimal("100000")  # previews record nothing
