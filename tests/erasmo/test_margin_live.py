"""A live margin account as new market days arrive: the margin interest, borrow fees and margin
calls of an advance, recorded when a command or the front end reaches the new days.

A live portfolio's clock follows the market data. Here the bundled data is cut at a date that
moves between "sessions" (each a new erasmo over the same SQLite store), as a price feed's
latest day moves. Expected charges are worked out from the bundled price file, read with the
csv module (the rules: docs/margin.md)."""

from __future__ import annotations

import csv
import gzip
import itertools
import json
from collections.abc import Callable, Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from cutoff_market import UpTo

from erasmo.bootstrap import Erasmo, bootstrap
from erasmo.cli.main import cli
from erasmo.door import FrontDoor
from erasmo.market.resources import prices_dir
from events.errors import ErasmoError

D = Decimal
CENT = D("0.01")
#: erasmo over the test's store, the market data known up to a day (see `session`)
Session = Callable[[date], FrontDoor]


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def closes(ticker: str) -> dict[date, Decimal]:
    """The ticker's closes from the bundled file, read here with the csv module."""
    with gzip.open(prices_dir() / "sp500_dataset.csv.gz", "rt", newline="") as file:
        return {date.fromisoformat(r["Date"]): D(r[ticker]) for r in csv.DictReader(file)}


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    """`session(cutoff)`: erasmo over the same store, the data known up to `cutoff`."""
    opened: list[Erasmo] = []

    def start(cutoff: date) -> FrontDoor:
        if opened:
            opened.pop().close()
        opened.append(bootstrap(tmp_path / "data", market=UpTo(cutoff), today=lambda: cutoff))
        return opened[-1].door

    yield start
    for built in opened:
        built.close()


def borrow(prices: dict[date, Decimal], quantity: int, first: date, last: date) -> Decimal:
    """The borrow fee (1% a year, 360 nights) of a short from `first`'s close to `last`: each
    trading day's close counts the nights until the next trading day (a Friday's three)."""
    days = sorted(d for d in prices if first <= d <= last)
    nights = [(b - a).days for a, b in itertools.pairwise(days)]
    total = sum((prices[d] * n for d, n in zip(days, nights, strict=False)), D(0))
    return quantity * total * D("0.01") / 360


def kinds_after(door: FrontDoor, pid: object, count: int) -> list[str]:
    return [e.type for e in door.history(pid)[count:]]  # type: ignore[arg-type]


def test_a_live_margin_account_is_charged_for_the_days_it_reaches(session: Session) -> None:
    aapl, jnj = closes("AAPL"), closes("JNJ")
    d0, d1, d2, d3 = date(2019, 3, 1), date(2019, 3, 8), date(2019, 3, 15), date(2019, 3, 22)

    door = session(d0)
    pid = door.open_portfolio("Live", "10000", account="margin").id
    door.buy(pid, "AAPL", "400")  # at the close of Friday 03-01, on margin
    door.sell(pid, "JNJ", "20")  # a short sale, the same close
    cash = D(10000) - cents(400 * aapl[d0]) + cents(20 * jnj[d0])
    assert door.head(pid).cash == cash < 0  # a debit balance

    # a week later the data runs to 03-08: the front end brings the account up to it
    door = session(d1)
    before = len(door.history(pid))
    report = door.catch_up(pid)
    assert report is not None
    assert report.margin is not None
    assert (report.start, report.end) == (d0, d1)
    interest = cents(-cash * D("0.08") * 7 / 360)  # 7 nights at the same debit
    fee = cents(borrow(jnj, 20, d0, d1))
    assert (report.margin.interest, report.margin.borrow_fee) == (interest, fee)
    assert report.margin.calls == []
    assert kinds_after(door, pid, before) == ["MarginCharged", "ClockAdvanced"]
    charged = door.history(pid)[before]
    assert (charged.fields["since"], charged.on) == (d0, d1)
    cash -= interest + fee
    assert door.head(pid).cash == cash
    assert door.clock(pid) == d1

    # idempotent: reaching the same day again records nothing
    count = len(door.history(pid))
    assert door.catch_up(pid) is None
    assert session(d1).catch_up(pid) is None
    door = session(d1)
    assert len(door.history(pid)) == count

    # a week on, a trade on the new latest day first charges the nights it skipped, in its save
    door = session(d2)
    receipt = door.buy(pid, "AAPL", "1")
    interest = cents(-cash * D("0.08") * 7 / 360)
    fee = cents(borrow(jnj, 20, d1, d2))
    assert kinds_after(door, pid, count) == ["MarginCharged", "ClockAdvanced", "SharesBought"]
    assert door.history(pid)[count].fields["amount"] == interest + fee
    assert receipt.cash_before == cash - interest - fee
    cash = receipt.cash_before - cents(aapl[d2])
    assert receipt.cash_after == cash == door.head(pid).cash

    # a refused command records nothing, not even the nights it would have reached
    door = session(d3)
    count = len(door.history(pid))
    with pytest.raises(ErasmoError):
        door.buy(pid, "AAPL", "5000")
    assert len(door.history(pid)) == count
    assert door.catch_up(pid, dry_run=True) is not None
    assert len(door.history(pid)) == count
    report = door.catch_up(pid)
    assert report is not None
    assert report.margin is not None
    assert report.margin.interest == cents(-cash * D("0.08") * 7 / 360)
    assert door.app.audit(pid) == []


def test_a_cash_account_a_simulation_and_a_margin_account_owing_nothing_are_not_moved(
    session: Session,
) -> None:
    door = session(date(2019, 3, 1))
    cash_id = door.open_portfolio("Cash", "10000").id
    door.buy(cash_id, "AAPL", "10")
    sim = door.open_portfolio(
        "Sim", "10000", date(2019, 3, 1), mode="simulation", account="margin"
    ).id
    door.buy(sim, "AAPL", "400")
    # a margin account that borrows nothing: no night costs anything, no call is possible
    quiet = door.open_portfolio("Quiet", "10000", account="margin").id
    door.buy(quiet, "AAPL", "100")
    door = session(date(2019, 3, 8))
    ids = (cash_id, sim, quiet)
    counts = {p: len(door.history(p)) for p in ids}
    for pid in ids:
        assert door.catch_up(pid) is None
    for pid in (cash_id, quiet):  # their trade records the trade alone
        door.buy(pid, "AAPL", "1")
        assert kinds_after(door, pid, counts[pid]) == ["SharesBought"]
    assert len(door.history(sim)) == counts[sim]


def test_a_live_account_is_called_and_sold_as_a_simulation_would_be(session: Session) -> None:
    start, end = date(2008, 9, 2), date(2008, 12, 31)
    door = session(start)
    live = door.open_portfolio("Live", "10000", account="margin").id
    sim = door.open_portfolio("Sim", "10000", start, mode="simulation", account="margin").id
    quantity = str(int(D(18000) / closes("BAC")[start]))  # leveraged ~1.8 times
    for pid in (live, sim):
        door.buy(pid, "BAC", quantity)
    counts = {pid: len(door.history(pid)) for pid in (live, sim)}
    door = session(end)
    caught = door.catch_up(live)
    stepped = door.advance(sim, to=end)
    assert caught is not None
    assert caught.margin is not None
    assert stepped.margin is not None
    assert caught.margin.calls
    assert caught.margin.forced
    assert caught.margin == stepped.margin
    events = {
        pid: [(e.type, e.on, e.fields) for e in door.history(pid)[counts[pid] :]]
        for pid in (live, sim)
    }
    assert events[live] == events[sim]
    assert [k for k, _, _ in events[live]].count("PositionLiquidated") == 1
    assert door.head(live).cash == door.head(sim).cash


def test_erasmo_clock_brings_a_live_margin_account_to_the_latest_data(tmp_path: Path) -> None:
    aapl = closes("AAPL")
    first, latest = date(2022, 12, 20), max(aapl)  # the bundled data ends on 2022-12-28
    base = ["--data-dir", str(tmp_path / "data"), "--offline"]
    runner = CliRunner()
    for name in ("L", "J"):
        for args in (
            [
                "portfolio",
                "open",
                name,
                "--cash",
                "10000",
                "--on",
                str(first),
                "--account",
                "margin",
            ],
            ["buy", name, "AAPL", "100", "--on", str(first)],
        ):
            out = runner.invoke(cli, [*base, *args])
            assert out.exit_code == 0, out.output
    debit = cents(100 * aapl[first]) - 10000
    interest = cents(debit * D("0.08") * (latest - first).days / 360)
    out = runner.invoke(cli, [*base, "clock", "L"])
    assert out.exit_code == 0, out.output
    assert f"L: {first} -> {latest}" in out.output
    assert f"margin interest {interest:,.2f}, borrow fees 0.00 charged" in out.output
    assert f"L: {latest} (live" in out.output
    again = runner.invoke(cli, [*base, "clock", "L", "--json"])
    assert again.exit_code == 0, again.output
    assert "caught_up" not in again.output  # already there: nothing recorded
    out = runner.invoke(cli, [*base, "clock", "J", "--json"])
    assert out.exit_code == 0, out.output
    caught = json.loads(out.output)["caught_up"]
    assert (caught["from"], caught["to"]) == (str(first), str(latest))
    assert caught["margin"]["interest"] == str(interest)
    assert json.loads(out.output)["clock"] == str(latest)


def test_an_order_or_a_deposit_on_a_new_day_first_reaches_it(session: Session) -> None:
    door = session(date(2019, 3, 1))
    pid = door.open_portfolio("Live", "10000", account="margin").id
    door.buy(pid, "AAPL", "400")
    door = session(date(2019, 3, 8))
    count = len(door.history(pid))
    door.place_order(pid, "buy", "AAPL", "1", kind="limit", limit="30", tif="gtc")
    kinds = kinds_after(door, pid, count)
    assert kinds[:2] == ["MarginCharged", "ClockAdvanced"]
    assert len(kinds) == 3
    assert door.history(pid)[-1].on == date(2019, 3, 8)
    door = session(date(2019, 3, 15))
    count = len(door.history(pid))
    door.deposit(pid, "100")
    assert kinds_after(door, pid, count) == ["MarginCharged", "ClockAdvanced", "CashDeposited"]
