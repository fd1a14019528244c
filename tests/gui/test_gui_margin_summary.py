"""A margin account's Holdings summary shows its equity and buying power (the door's figures,
as the tickets show them); a cash account's shows neither. The margin column says it is the
initial margin, not the maintenance margin the margin-call banner speaks of."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.analysis import Snapshot
from gui.controllers.main import MainController
from gui.models.holdings import HoldingsTableModel

MakeWindow = Callable[..., MainController]
OPENED = date(2010, 3, 1)


def holdings_shown(qtbot: QtBot, c: MainController, pid: UUID) -> None:
    c.reload_portfolios(select=pid)
    qtbot.waitUntil(
        lambda: (
            isinstance(c.analysis.last_snapshot, Snapshot)
            and c.analysis.last_snapshot.portfolio == pid
        ),
        timeout=30_000,
    )


def test_a_margin_account_shows_its_buying_power_a_cash_account_none(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    margin = door.open_portfolio("M", "10000", OPENED, mode="simulation", account="margin").id
    cash = door.open_portfolio("C", "10000", OPENED, mode="simulation", account="cash").id
    c = make_window(erasmo, analysis=True)
    strip = c.window.holdings.summary
    holdings_shown(qtbot, c, margin)
    # By hand: nothing held, so equity = cash 10,000 and buying power = 10,000 / 50% = 20,000.
    qtbot.waitUntil(lambda: strip.values["buying_power"].text() == "20,000.00", timeout=10_000)
    assert strip.values["equity"].text() == "10,000.00"
    for key, caption in (("buying_power", "Buying power"), ("equity", "Equity")):
        assert not strip.values[key].isHidden()
        assert strip.captions[key].text() == caption
    holdings_shown(qtbot, c, cash)
    qtbot.waitUntil(lambda: strip.values["buying_power"].isHidden(), timeout=10_000)
    assert strip.captions["buying_power"].isHidden()
    assert strip.values["equity"].isHidden()
    assert strip.captions["equity"].isHidden()
    assert strip.values["cash"].text() == "10,000.00"  # the rest of the summary still shows


def test_the_margin_column_tooltip_says_initial_margin(qtbot: QtBot) -> None:
    model = HoldingsTableModel(QColor("green"), QColor("red"))
    column = model.column_of("margin_used")
    tip = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert isinstance(tip, str)
    assert tip.startswith(
        "Initial margin: the share of the position's market value the account must put up"
    )
    assert "maintenance" in tip
