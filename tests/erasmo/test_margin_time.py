"""A margin account as its clock moves: interest and borrow fees over a month, a margin call
and the forced sale of a leveraged long through the autumn of 2008 in the bundled data, and
random order streams that never leave equity below zero without a margin call.

Every expected number is worked out here: by hand in the comments, or from the bundled price
file read with the csv module (docs/margin.md states the rules)."""

from __future__ import annotations

import contextlib
import csv
import gzip
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hand_market import HandMarket
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from erasmo.bootstrap import Erasmo, bootstrap
from erasmo.cli.main import cli
from erasmo.door import FrontDoor
from erasmo.exporters.beancount import ledger
from erasmo.exporters.entries import entries_of
from erasmo.exporters.pp import pp_csv
from erasmo.market.resources import prices_dir
from events.errors import ErasmoError
from events.replay import Replay
from events.rules.voids import VoidError

D = Decimal
CENT = D("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def weekdays(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


# -- a month of interest and borrow fees --------------------------------------------------

MONTH = weekdays(date(2020, 1, 31), date(2020, 3, 6))
FLAT = "\n".join(f"XYZ {d} 100 100 100 100\nABC {d} 40 40 40 40" for d in MONTH)


@pytest.fixture
def flat(tmp_path: Path) -> Iterator[FrontDoor]:
    built: Erasmo = bootstrap(
        tmp_path / "data", market=HandMarket(FLAT), today=lambda: date(2020, 3, 6)
    )
    yield built.door
    built.close()


def test_margin_interest_and_a_borrow_fee_over_a_month(flat: FrontDoor) -> None:
    pid = flat.open_portfolio(
        "M",
        "10000",
        date(2020, 1, 31),
        mode="simulation",
        account="margin",
        margin={"borrow_overrides": "ABC=3%"},  # interest: the default 8% a year
    ).id
    flat.place_order(pid, "buy", "XYZ", "150")
    flat.place_order(pid, "sell", "ABC", "50")
    first = flat.advance(pid)  # Friday 01-31 -> Monday 02-03: both fill at the open
    # 10,000 - 150 x 100 + 50 x 40 = -3,000; the three nights before were at +10,000, no short
    assert first.margin is not None
    assert first.margin.interest == 0 == first.margin.borrow_fee
    assert flat.head(pid).cash == D("-3000")
    report = flat.advance(pid, to=date(2020, 3, 3))
    # the nights of 02-03 to 03-02: 29 (2020 is a leap year), at a debit of 3,000 and a short
    # of 50 x 40 = 2,000; a year is 360 nights:
    #   interest 3,000 x 8% x 29 / 360 = 19.333 -> 19.33
    #   borrow fee 2,000 x 3% x 29 / 360 = 4.833 -> 4.83
    assert report.margin is not None
    assert (report.margin.interest, report.margin.borrow_fee) == (D("19.33"), D("4.83"))
    assert report.margin.calls == []
    assert report.margin.forced == []
    assert flat.head(pid).cash == D("-3000") - D("19.33") - D("4.83")  # -3,024.16
    charge = [e for e in flat.history(pid) if e.type == "MarginCharged"]
    assert [(e.fields["since"], e.on, e.fields["amount"]) for e in charge] == [
        (date(2020, 2, 3), date(2020, 3, 3), D("24.16"))
    ]
    account = flat.account(pid)
    assert (account.interest_paid, account.borrow_fees_paid) == (D("19.33"), D("4.83"))
    # the charge is a cost, not a flow: value 15,000 - 2,000 - 3,024.16 = 9,975.84
    summary = flat.holdings(pid).summary
    assert summary.total_value == pytest.approx(9975.84)
    assert summary.margin_charges == pytest.approx(24.16)
    assert summary.total_pnl == pytest.approx(9975.84 - 10000)  # the P&L counts the charge
    # exported as a charge to cash: a PP "Interest Charge", a beancount expense
    entries = entries_of(flat.history(pid))
    assert [(e.day, e.cash) for e in entries if e.kind == "interest"] == [
        (date(2020, 3, 3), D("-24.16"))
    ]
    assert sum(e.cash for e in entries) == D("-3024.16")
    assert "2020-03-03,Interest Charge,24.16,USD" in pp_csv(entries)
    assert "  Expenses:Erasmo:M:Interest  24.16 USD" in ledger("M", date(2020, 1, 31), entries)
    # the next advance goes on from the night of 03-03: 1 night, at a debit of 3,024.16
    later = flat.advance(pid)
    assert later.margin is not None
    assert later.margin.interest == cents(D("3024.16") * D("0.08") / 360)  # 0.67
    assert later.margin.borrow_fee == cents(D(2000) * D("0.03") / 360)  # 0.17
    assert flat.app.audit(pid) == []


def test_a_cash_account_is_never_charged(flat: FrontDoor) -> None:
    pid = flat.open_portfolio("C", "10000", date(2020, 1, 31), mode="simulation").id
    flat.place_order(pid, "buy", "XYZ", "50")
    report = flat.advance(pid, to=date(2020, 3, 3))
    assert report.margin is None
    kinds = {e.type for e in flat.history(pid)}
    assert kinds.isdisjoint({"MarginCharged", "MarginCalled", "PositionLiquidated"})
    assert flat.head(pid).cash == D("5000")


# -- a leveraged long through the autumn of 2008 -------------------------------------------


def bundled_closes(ticker: str) -> list[tuple[date, Decimal]]:
    """The ticker's closes from the bundled file, read here with the csv module."""
    path = prices_dir() / "sp500_dataset.csv.gz"
    with gzip.open(path, "rt", newline="") as file:
        rows = list(csv.DictReader(file))
    return [(date.fromisoformat(r["Date"]), D(r[ticker])) for r in rows if r[ticker]]


def test_a_margin_call_and_the_forced_sale_in_the_autumn_of_2008(tmp_path: Path) -> None:
    closes = [(d, c) for d, c in bundled_closes("BAC") if date(2008, 9, 2) <= d]
    start, placed_close = closes[0]
    # 10,000 of equity on a 50% initial margin buys up to 20,000: buy ~18,000 worth
    quantity = D(int(D(18000) / placed_close))
    _, fill_price = closes[1]  # closes only: a market order fills at the next close
    cash = D(10000) - cents(quantity * fill_price)

    # walk the closes after the fill: a call at each close where equity < 25% of the long's
    # value (no interest); at the next open (closes only: the day's close) the call is met
    # when equity >= 25% there, else the whole long is sold at that price
    def below(price: Decimal) -> bool:
        return cents(cash + quantity * price) < cents(quantity * price * D("0.25"))

    calls: list[tuple[date, Decimal, Decimal]] = []
    met: list[date] = []
    sale_day, sale_price = None, D(0)
    previous = closes[1][0]
    for day, close in closes[2:]:
        if calls and calls[-1][0] == previous:
            if below(close):
                sale_day, sale_price = day, close
                break
            met.append(day)
        if below(close):
            calls.append((day, cents(cash + quantity * close), cents(quantity * close / 4)))
        previous = day
    assert sale_day is not None
    assert sale_day < date(2008, 12, 31)
    call_day = calls[-1][0]

    built = bootstrap(tmp_path / "data", today=lambda: date(2026, 11, 26), offline=True)
    try:
        door = built.door
        pid = door.open_portfolio(
            "Lev",
            "10000",
            start,
            mode="simulation",
            account="margin",
            margin={"margin_interest": "0"},
        ).id
        door.place_order(pid, "buy", "BAC", str(quantity))
        report = door.advance(pid, to=date(2008, 12, 31))
        assert report.filled[0].fill_price == fill_price
        assert report.margin is not None
        assert report.margin.calls == calls
        assert report.margin.met == met
        (sale,) = report.margin.forced
        assert (sale.day, sale.ticker, sale.side) == (sale_day, "BAC", "sell")
        assert (sale.quantity, sale.price, sale.fee) == (quantity, sale_price, 0)
        assert f"margin call of {call_day}" in sale.reason
        head = door.head(pid)
        assert head.quantity("BAC") == 0
        assert head.cash == cash + cents(quantity * sale_price)
        kinds = [e.type for e in door.history(pid)]
        at = kinds.index("PositionLiquidated")
        assert kinds[at - 1 : at + 2] == ["MarginCalled", "PositionLiquidated", "SharesSold"]
        assert door.history(pid)[at + 1].fields["price_kind"] == "forced"
        assert door.app.audit(pid) == []
        # the broker's sale is not the user's to take back
        forced = door.history(pid)[at + 1]
        count = door.event_count()
        with pytest.raises(VoidError, match="forced sale of a margin call"):
            door.void(pid, forced.seq, "I would have held on")
        assert door.event_count() == count
        assert door.head(pid).quantity("BAC") == 0

        out = CliRunner().invoke(
            cli, ["--data-dir", str(tmp_path / "data"), "--offline", "clock", "Lev"]
        )
        assert out.exit_code == 0, out.output
        assert f"Latest margin call {call_day}" in out.output
    finally:
        built.close()


# -- random order streams ------------------------------------------------------------------

SWINGS = [100, 96, 80, 85, 60, 45, 52, 30, 20, 28, 35, 50, 70, 95, 120, 150, 110, 90, 60, 40]
DAYS = weekdays(date(2021, 3, 1), date(2021, 3, 31))[: len(SWINGS)]
WILD = "\n".join(
    f"AAA {d} {p} {p} {p} {p}\nBBB {d} {200 - p} {200 - p} {200 - p} {200 - p}"
    for d, p in zip(DAYS, SWINGS, strict=True)
)
ORDER = st.tuples(
    st.sampled_from(["buy", "sell", "advance"]),
    st.sampled_from(["AAA", "BBB"]),
    st.integers(min_value=1, max_value=300),
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(stream=st.lists(ORDER, max_size=25))
def test_random_order_streams_never_hide_a_negative_equity(
    tmp_path_factory: pytest.TempPathFactory, stream: list[tuple[str, str, int]]
) -> None:
    market = HandMarket(WILD)
    data = tmp_path_factory.mktemp("d")
    built = bootstrap(data, market=market, today=lambda: DAYS[-1])
    try:
        door = built.door
        pid = door.open_portfolio("R", "5000", DAYS[0], mode="simulation", account="margin").id
        for side, ticker, quantity in [*stream, ("advance", "", 0)]:
            if side != "advance":
                with contextlib.suppress(ErasmoError):  # refused: nothing recorded
                    door.place_order(pid, side, ticker, str(quantity))
                continue
            if door.clock(pid) >= DAYS[-1]:
                break
            door.advance(pid)
            p = door.app.portfolio(pid)
            today = p.clock
            worth = p.cash + sum(
                (q * market.bar(t, today).close for t, q in p.shares.items()),  # type: ignore[union-attr]
                D(0),
            )
            called = {e.on for e in door.history(pid) if e.type == "MarginCalled"}
            assert worth >= 0 or today in called
        # replay: the events re-made one by one by the rule book give the same state
        replay = Replay(portfolio_id=pid)
        for e in door.history(pid):
            replay.redo(e.type, {**e.fields, "on": e.on})
        mine, again = door.app.portfolio(pid), replay.portfolio
        assert again is not None
        assert (again.cash, again.shares, again.cost) == (mine.cash, mine.shares, mine.cost)
        assert door.app.audit(pid) == []
    finally:
        built.close()
