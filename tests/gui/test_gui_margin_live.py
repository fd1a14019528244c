"""A live margin account shown in the real window is brought up to the latest market data: the
margin interest of the days since its clock is recorded once, and the views read it."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from erasmo.market.resources import prices_dir
from gui.controllers.main import MainController

MakeWindow = Callable[..., MainController]
D = Decimal


def aapl_close(day: date) -> Decimal:
    """AAPL's close on `day` from the bundled file, read here with the csv module."""
    with gzip.open(prices_dir() / "sp500_dataset.csv.gz", "rt", newline="") as file:
        return next(D(r["AAPL"]) for r in csv.DictReader(file) if r["Date"] == day.isoformat())


def test_showing_a_live_margin_account_charges_its_new_days_once(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    bought, latest = date(2022, 12, 20), door.market.latest_date()
    assert latest == date(2022, 12, 28)  # the end of the bundled data
    pid = door.open_portfolio("Carry", "10000", bought, account="margin").id
    door.buy(pid, "AAPL", "100", on=bought)  # a debit balance from 12-20 on
    debit = (100 * aapl_close(bought)).quantize(D("0.01"), ROUND_HALF_UP) - 10000
    interest = (debit * D("0.08") * (latest - bought).days / 360).quantize(D("0.01"), ROUND_HALF_UP)
    count = len(door.history(pid))

    c = make_window(erasmo)
    qtbot.waitUntil(lambda: len(door.history(pid)) > count, timeout=10_000)
    charged = door.history(pid)[count]
    assert charged.type == "MarginCharged"
    assert (charged.fields["interest"], charged.fields["since"], charged.on) == (
        interest,
        bought,
        latest,
    )
    assert door.head(pid).cash == -debit - interest
    qtbot.waitUntil(lambda: "Clock at 2022-12-28" in c.window.statusBar().currentMessage())

    # shown again: already at the latest data, nothing more is recorded
    recorded = len(door.history(pid))
    job = c.clock.catch_up(pid)
    qtbot.waitUntil(lambda: job.finished, timeout=10_000)
    assert len(door.history(pid)) == recorded
