"""A live margin account shown in the real window is brought up to the latest market data, and
again when a price refresh brings new days: the margin interest of the days since its clock is
recorded once, and the views read it."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable, Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from cutoff_market import UpTo
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo, bootstrap
from erasmo.market.resources import prices_dir
from erasmo.market.service import RefreshOutcome
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


@pytest.fixture
def feed(tmp_path: Path) -> Iterator[tuple[Erasmo, UpTo]]:
    """erasmo over a feed whose latest day the test moves on (closed after the window)."""
    market = UpTo(date(2019, 3, 1))
    built = bootstrap(tmp_path / "data", market=market, today=lambda: date(2019, 3, 8))
    yield built, market
    built.close()


def test_new_prices_bring_the_shown_live_margin_account_up_to_them(
    qtbot: QtBot, feed: tuple[Erasmo, UpTo], make_window: MakeWindow
) -> None:
    built, market = feed
    first, later = market.cutoff, date(2019, 3, 8)
    door = built.door
    pid = door.open_portfolio("Live", "10000", account="margin").id
    door.buy(pid, "AAPL", "400")  # at the close of 03-01, on margin
    debit = (400 * aapl_close(first)).quantize(D("0.01"), ROUND_HALF_UP) - 10000
    c = make_window(built)
    qtbot.waitUntil(lambda: c.session.portfolio == pid, timeout=10_000)
    count = len(door.history(pid))
    # a refresh brings the bars up to 03-08: the account's week is charged, once
    market.cutoff = later
    c.prices.refreshed.emit([RefreshOutcome("AAPL", "updated", 5, "5 new bars")])
    qtbot.waitUntil(lambda: len(door.history(pid)) > count, timeout=10_000)
    charged = door.history(pid)[count]
    assert charged.type == "MarginCharged"
    interest = (debit * D("0.08") * 7 / 360).quantize(D("0.01"), ROUND_HALF_UP)
    assert (charged.fields["interest"], charged.on) == (interest, later)
    assert door.clock(pid) == later
