"""The table models, exercised without a window."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from erasmo.bootstrap import Erasmo
from erasmo.door.models import CLOSED, OPEN, PortfolioRow
from gui.demo import DEMO_STEPS
from gui.history_rows import history_rows
from gui.models.history import HistoryTableModel
from gui.models.holdings import HoldingsTableModel, TotalsLastProxy
from gui.models.portfolios import PortfolioListModel
from gui.models.roles import PORTFOLIO_ID, RAW, TOTAL

GAIN, LOSS = QColor("#1a7f37"), QColor("#cf222e")
DISPLAY = Qt.ItemDataRole.DisplayRole


def listed(
    pid: UUID, name: str, version: int, clock: date, cash: Decimal, *, closed: bool
) -> PortfolioRow:
    """A portfolio as the front door lists it."""
    status = CLOSED if closed else OPEN
    return PortfolioRow(pid, name, status, False, clock, clock, cash, "USD", version)


def cells(model: object, row: int) -> list[str]:
    m = model  # a QAbstractItemModel
    return [m.index(row, c).data(DISPLAY) for c in range(m.columnCount())]  # type: ignore[attr-defined]


def test_history_model_lists_every_event_with_the_cash_after_it(
    qapp: QApplication, erasmo: Erasmo, demo: UUID
) -> None:
    model = HistoryTableModel()
    model.set_rows(history_rows(erasmo.door, demo))
    assert model.rowCount() == len(erasmo.app.history(demo)) == len(DEMO_STEPS) + 1
    assert cells(model, 0)[1:3] == ["2017-01-03", "Opened"]
    first_buy = cells(model, 2)
    assert first_buy[2:6] == ["Buy", "AAPL", "400", "27.096"]
    assert first_buy[HistoryTableModel.COL_AMOUNT] == "10,838.40"
    assert first_buy[HistoryTableModel.COL_CASH] == "89,161.60"
    last = model.rowCount() - 1
    assert (
        model.index(last, HistoryTableModel.COL_CASH).data(RAW) == erasmo.app.portfolio(demo).cash
    )
    model.set_as_of(3)
    assert model.index(4, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(3, 0).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.row_of_seq(model.event(5).seq) == 5


def test_holdings_model_formats_colours_and_keeps_totals_last_when_sorted(
    qapp: QApplication,
) -> None:
    model = HoldingsTableModel(GAIN, LOSS)
    rows = [
        {"ticker": "AAPL", "quantity": 40.0, "market_value": 5000.0, "unrealized_pnl": 120.5,
         "unrealized_pct": 0.05, "weight": 0.5},
        {"ticker": "KO", "quantity": 10.0, "market_value": 400.0, "unrealized_pnl": -30.0,
         "unrealized_pct": -0.07, "weight": 0.04},
        {"ticker": "MSFT", "quantity": 25.0, "market_value": 2000.0, "unrealized_pnl": 0.0,
         "unrealized_pct": 0.0, "weight": 0.2},
    ]  # fmt: skip
    totals = {"ticker": "Total", "market_value": 7400.0, "unrealized_pnl": 90.5, "weight": 0.74}
    model.set_rows(rows, totals)
    assert model.rowCount() == 4
    pnl = model.column_of("unrealized_pnl")
    assert model.index(0, pnl).data(DISPLAY) == "+120.50"
    assert model.index(0, pnl).data(Qt.ItemDataRole.ForegroundRole) == GAIN
    assert model.index(1, pnl).data(Qt.ItemDataRole.ForegroundRole) == LOSS
    assert model.index(2, pnl).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(3, 0).data(TOTAL) is True
    assert model.index(0, model.column_of("weight")).data(DISPLAY) == "50.00 %"

    proxy = TotalsLastProxy()
    proxy.setSourceModel(model)
    value = model.column_of("market_value")
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        proxy.sort(value, order)
        tickers = [proxy.index(r, 0).data(DISPLAY) for r in range(proxy.rowCount())]
        assert tickers[-1] == "Total"
        expected = ["KO", "MSFT", "AAPL"]
        assert tickers[:-1] == (
            expected if order == Qt.SortOrder.AscendingOrder else expected[::-1]
        )


def test_portfolio_list_model_shows_values_once_known(qapp: QApplication) -> None:
    model = PortfolioListModel(GAIN, LOSS)
    a, b = uuid4(), uuid4()
    summaries = [
        listed(a, "Growth", 3, date(2020, 1, 2), Decimal("10"), closed=False),
        listed(b, "Income", 2, date(2021, 1, 4), Decimal("5"), closed=True),
    ]
    model.set_summaries(summaries)
    assert cells(model, 0) == ["Growth", "…", "…"]
    model.set_valuation(a, 12345.678, -0.031)
    assert cells(model, 0) == ["Growth", "12,345.68", "−3.10 %"]
    assert model.index(0, 2).data(Qt.ItemDataRole.ForegroundRole) == LOSS
    assert model.index(1, 0).data(PORTFOLIO_ID) == b
    assert model.index(1, 0).data(Qt.ItemDataRole.FontRole).italic()
    model.set_summaries(summaries)  # unchanged portfolios keep their values
    assert cells(model, 0)[1] == "12,345.68"
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.row_of(uuid4()) == -1
    assert not QModelIndex().isValid()


def test_portfolio_tree_nests_branches_and_survives_orphans_and_loops(
    qapp: QApplication,
) -> None:
    model = PortfolioListModel(GAIN, LOSS)
    base, branch, deeper, orphan, x, y = (uuid4() for _ in range(6))
    day, cash = date(2020, 1, 2), Decimal("1")
    names = {base: "Base", branch: "Branch", deeper: "Deeper", orphan: "Orphan", x: "X", y: "Y"}
    summaries = [listed(i, n, 1, day, cash, closed=False) for i, n in names.items()]
    parents = {branch: base, deeper: branch, orphan: uuid4(), x: y, y: x}  # x and y: a loop
    model.set_summaries(summaries, parents)
    top = [model.index(r, 0).data(DISPLAY) for r in range(model.rowCount())]
    assert top[:2] == ["Base", "Orphan"]  # a branch whose parent is not here stays on top
    assert model.count() == 6
    base_index = model.index(0, 0)
    child = model.index(0, 0, base_index)
    assert child.data(DISPLAY) == "Branch"
    assert model.index(0, 0, child).data(DISPLAY) == "Deeper"
    assert model.parent(model.index(0, 0, child)) == child
    assert model.parent(base_index) == QModelIndex()
    assert model.parent_of(deeper) == branch
    assert model.parent_of(orphan) is None
    assert model.index_of(model.row_of(deeper)).data(DISPLAY) == "Deeper"
    # A loop (a store edited by hand) cannot hide both: each is reachable from the top.
    reachable: list[str] = []

    def walk(parent: QModelIndex) -> None:
        for r in range(model.rowCount(parent)):
            index = model.index(r, 0, parent)
            reachable.append(index.data(DISPLAY))
            walk(index)

    walk(QModelIndex())
    assert sorted(reachable) == sorted(names.values())
    model.set_valuation(deeper, 10.0, 0.5)  # a nested row updates in place
    assert model.index(0, 1, child).data(DISPLAY) == "10.00"


@pytest.mark.parametrize("column", range(len(HistoryTableModel.HEADERS)))
def test_history_headers(qapp: QApplication, column: int) -> None:
    model = HistoryTableModel()
    header = model.headerData(column, Qt.Orientation.Horizontal)
    assert header == HistoryTableModel.HEADERS[column]


def test_history_model_shows_splits_and_dividends(qapp: QApplication, erasmo: Erasmo) -> None:
    from erasmo.market.bundled import BOKEH, BundledMarketData
    from erasmo.services import TradingService
    from gui.history_rows import rows_from_event_frame

    trading = TradingService(erasmo.app, BundledMarketData(BOKEH), today=lambda: date(2026, 1, 1))
    pid = trading.open_portfolio("Raw", "20000", on="2005-02-25")
    trading.buy(pid, "AAPL", "10", on="2005-02-25")
    trading.apply_actions(pid, until="2012-08-09")  # the 2:1 split, then a 2.65 dividend
    model = HistoryTableModel()
    model.set_rows(history_rows(erasmo.door, pid))
    split, dividend = cells(model, 3), cells(model, 4)
    assert split[1:5] == ["2005-02-28", "Split", "AAPL", "x2"]
    assert dividend[1:6] == ["2012-08-09", "Dividend", "AAPL", "20", "2.65"]
    assert dividend[HistoryTableModel.COL_AMOUNT] == "53.00"
    tip = model.index(4, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "20 shares = 53.00 cash (income, not a deposit)" in tip
    assert "each share became 2" in model.index(3, 0).data(Qt.ItemDataRole.ToolTipRole)
    # The rows built from the columnar event frame say the same.
    frame = erasmo.analytics.portfolio_events(pid)
    model.set_rows(rows_from_event_frame(frame, "Raw"))
    assert cells(model, 3)[1:5] == ["2005-02-28", "Split", "AAPL", "x2"]
    assert cells(model, 4)[1:6] == ["2012-08-09", "Dividend", "AAPL", "20", "2.65"]


def test_portfolio_list_model_marks_portfolios_holding_unverified_events(
    qapp: QApplication,
) -> None:
    model = PortfolioListModel(GAIN, LOSS)
    a, b = uuid4(), uuid4()
    model.set_summaries(
        [
            listed(a, "Growth", 3, date(2020, 1, 2), Decimal("10"), closed=False),
            listed(b, "Pulled", 2, date(2021, 1, 4), Decimal("5"), closed=False),
        ]
    )
    changed: list[int] = []
    model.dataChanged.connect(lambda top, _bottom: changed.append(top.row()))
    model.set_unverified({b})
    assert changed == [0, 1]
    assert cells(model, 0)[0] == "Growth"
    assert cells(model, 1)[0] == "Pulled (?)"
    tip = model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.endswith(
        "Holds events this install could not check against its market data (see 'erasmo check')."
    )
    assert "could not check" not in model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
