"""Margin accounts: short selling, buying on margin and buying power, on a real store.

Every expected number is worked out by hand in the comments beside it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.application import Portfolios
from events.errors import ErasmoError, InsufficientSharesError, InvalidInputError
from events.portfolio import Portfolio
from events.rules import margin
from events.rules.margin import InsufficientBuyingPowerError
from events.store import StoreConfig
from events.values import PriceProvenance

D = Decimal
DAY = date(2020, 1, 2)


def day(n: int) -> date:
    return DAY + timedelta(days=n)


def how(on: date) -> PriceProvenance:
    return PriceProvenance("bundled:skfolio", on, True, "explicit")


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Portfolios]:
    app = Portfolios(StoreConfig.sqlite(tmp_path / "events.sqlite"))
    try:
        yield app
    finally:
        app.close()


def margin_portfolio(app: Portfolios, cash: str = "10000", **params: str) -> UUID:
    pid = app.open_portfolio("Margin", DAY, D(cash))
    app.change(pid, lambda p: p.set_account("margin", DAY, **params))
    return pid


def test_a_portfolio_without_the_event_is_a_cash_account(app: Portfolios) -> None:
    pid = app.open_portfolio("Cash", DAY, D("1000"))
    p = app.portfolio(pid)
    assert p.account == "cash"
    assert p.buying_power == D("1000")
    with pytest.raises(InsufficientSharesError):  # today's rule: no short in a cash account
        app.sell(pid, "XYZ", D("1"), D("10"), DAY, how(DAY))


def test_margin_parameters_are_recorded_with_their_defaults(app: Portfolios) -> None:
    pid = margin_portfolio(app, initial_margin="60%", borrow_overrides="tsla=0.1,AAPL=0.02")
    p = app.portfolio(pid)
    assert p.account == "margin"
    assert margin.params(p) == {
        "initial_margin": D("0.6"),
        "maintenance_long": D("0.25"),
        "maintenance_short": D("0.30"),
        "margin_interest": D("0.08"),
        "borrow_fee": D("0.01"),
        "borrow_overrides": "AAPL=0.02,TSLA=0.1",
    }
    assert app.audit(pid) == []


def test_bad_margin_parameters_are_refused_and_record_nothing(app: Portfolios) -> None:
    pid = app.open_portfolio("Cash", DAY, D("1000"))
    before = app.portfolio(pid).version
    for bad in ({"initial_margin": "150%"}, {"borrow_overrides": "AAPL"}):
        with pytest.raises(InvalidInputError):
            app.change(pid, lambda p, bad=bad: p.set_account("margin", DAY, **bad))
    with pytest.raises(InvalidInputError, match="not one of cash, margin"):
        app.change(pid, lambda p: p.set_account("futures", DAY))
    assert app.portfolio(pid).version == before


def test_short_sale_dividend_split_and_cover(app: Portfolios) -> None:
    pid = margin_portfolio(app)  # 10,000.00 cash
    # Sell short 100 XYZ at 50.00, fee 5.00: proceeds 5,000.00 - 5.00 = 4,995.00.
    app.sell(pid, "XYZ", D("100"), D("50.00"), day(1), how(day(1)), D("5.00"))
    p = app.portfolio(pid)
    assert p.cash == D("14995.00")
    (short,) = p.positions()
    assert (short.quantity, short.cost_basis, short.average_cost) == (
        D("-100"),
        D("-4995.00"),
        D("49.95"),
    )
    # A dividend of 0.50 a share on a short of 100 is charged: 100 x 0.50 = 50.00.
    app.change(pid, lambda p: p.receive_dividend("XYZ", D("0.50"), day(4)))
    assert app.portfolio(pid).cash == D("14945.00")
    # A 2:1 split: short 200, the proceeds stay 4,995.00 (24.975 a share).
    app.change(pid, lambda p: p.split("XYZ", D("2"), day(5)))
    (short,) = app.portfolio(pid).positions()
    assert (short.quantity, short.cost_basis) == (D("-200"), D("-4995.00"))
    # Cover 200 at 20.00, fee 5.00: pays 4,000.00 + 5.00 = 4,005.00.
    app.buy(pid, "XYZ", D("200"), D("20.00"), day(6), how(day(6)), D("5.00"))
    p = app.portfolio(pid)
    assert p.positions() == []
    assert p.cash == D("10940.00")
    # P&L: 4,995.00 received - 4,005.00 paid - 50.00 dividend = 940.00, fees 10.00 in it.
    assert p.cash - D("10000") == D("940.00")
    assert app.audit(pid) == []


def test_a_partial_cover_and_a_sale_through_zero(app: Portfolios) -> None:
    pid = margin_portfolio(app)
    app.buy(pid, "XYZ", D("10"), D("20"), day(1), how(day(1)))  # long 10, cost 200
    # Sell 30: closes the 10 long (cost 200 removed), opens 20 short for 20 x 21 = 420.
    app.sell(pid, "XYZ", D("30"), D("21"), day(2), how(day(2)))
    (short,) = app.portfolio(pid).positions()
    assert (short.quantity, short.cost_basis) == (D("-20"), D("-420"))
    # Buy 25: covers 20 (removing -420), then 5 long at 22: cost 5 x 22 = 110.
    app.buy(pid, "XYZ", D("25"), D("22"), day(3), how(day(3)))
    (long,) = app.portfolio(pid).positions()
    assert (long.quantity, long.cost_basis) == (D("5"), D("110"))
    # Cash: 10,000 - 200 + 630 - 550 = 9,880.
    assert app.portfolio(pid).cash == D("9880")
    assert app.audit(pid) == []


def test_buying_on_margin_within_the_initial_margin(app: Portfolios) -> None:
    pid = margin_portfolio(app)  # equity 10,000: buying power 10,000 / 50% = 20,000
    assert app.portfolio(pid).buying_power == D("20000.00")
    app.buy(pid, "XYZ", D("100"), D("150"), day(1), how(day(1)))  # 15,000 on margin
    p = app.portfolio(pid)
    assert p.cash == D("-5000")
    # equity 10,000 (-5,000 + 100 x 150); requirement 50% x 15,000 = 7,500;
    # buying power (10,000 - 7,500) / 50% = 5,000.
    assert (margin.equity(p), p.buying_power) == (D("10000"), D("5000.00"))
    before = (p.version, app.event_count())
    with pytest.raises(InsufficientBuyingPowerError) as refused:
        app.buy(pid, "XYZ", D("40"), D("150"), day(1), how(day(1)))  # 6,000
    message = str(refused.value)
    assert "needs 6,000.00 of buying power; 5,000.00 available" in message
    assert "\n" not in message
    assert (app.portfolio(pid).version, app.event_count()) == before
    assert app.audit(pid) == []


def test_buying_beyond_the_initial_margin_is_refused(app: Portfolios) -> None:
    pid = margin_portfolio(app)
    before = app.event_count()
    with pytest.raises(
        InsufficientBuyingPowerError,
        match=r"needs 21,005\.00 of buying power; "
        r"20,000\.00 available",
    ):
        # 140 x 150 = 21,000, plus a 5.00 fee
        app.buy(pid, "XYZ", D("140"), D("150"), day(1), how(day(1)), D("5"))
    with pytest.raises(InsufficientBuyingPowerError, match=r"needs 25,000\.00 of buying power"):
        app.sell(pid, "XYZ", D("500"), D("50"), day(1), how(day(1)))  # a short of 25,000
    assert app.event_count() == before


def test_orders_are_checked_against_buying_power(app: Portfolios) -> None:
    pid = margin_portfolio(app)  # buying power 20,000
    app.change(
        pid,
        lambda p: p.place_order(
            "a" * 32, "buy", "XYZ", D("100"), "limit", DAY, D("15000"), limit=D("150")
        ),
    )
    # the open order holds back 15,000 of the 20,000
    assert app.portfolio(pid).buying_power == D("5000.00")
    before = app.event_count()
    with pytest.raises(
        InsufficientBuyingPowerError, match=r"needs 6,000\.00 of buying power; 5,000\.00 available"
    ):
        # a short sale order of 100 at a 60.00 limit holds back 6,000
        app.change(
            pid,
            lambda p: p.place_order(
                "b" * 32, "sell", "XYZ", D("100"), "limit", DAY, D("100"), limit=D("60")
            ),
        )
    assert app.event_count() == before
    # A short sale order of 50 at 60.00 (3,000) fits; it fills on the next bar at 61.00.
    app.change(
        pid,
        lambda p: p.place_order(
            "c" * 32, "sell", "XYZ", D("50"), "limit", DAY, D("50"), limit=D("60")
        ),
    )
    app.change(
        pid,
        lambda p: p.fill_order(
            "c" * 32,
            day(1),
            D("61"),
            D("1"),
            D("0"),
            PriceProvenance("bundled:skfolio", day(1), True, "order"),
        ),
    )
    p = app.portfolio(pid)
    assert p.shares == {"XYZ": D("-50")}
    assert p.cash == D("10000") + D("3050") - D("1")  # 50 x 61 - the 1.00 fee
    assert app.audit(pid) == []


def test_withdrawals_keep_the_margin(app: Portfolios) -> None:
    pid = margin_portfolio(app)
    app.sell(pid, "XYZ", D("100"), D("50"), day(1), how(day(1)))  # cash 15,000
    # equity 10,000; requirement 50% x 5,000 = 2,500: 7,500 may be withdrawn
    with pytest.raises(InsufficientBuyingPowerError, match=r"7,500\.00 available"):
        app.withdraw(pid, D("7600"), day(1))
    app.withdraw(pid, D("7500"), day(1))
    assert app.portfolio(pid).cash == D("7500")


def test_a_margin_account_with_a_short_cannot_become_a_cash_account(app: Portfolios) -> None:
    pid = margin_portfolio(app)
    app.sell(pid, "XYZ", D("1"), D("50"), day(1), how(day(1)))
    with pytest.raises(InvalidInputError, match="short XYZ"):
        app.change(pid, lambda p: p.set_account("cash", day(1)))


STEP = st.tuples(
    st.sampled_from(["buy", "sell", "deposit", "withdraw", "order", "fill", "dividend", "split"]),
    st.sampled_from(["AAA", "BBB"]),
    st.integers(min_value=1, max_value=400),
    st.integers(min_value=100, max_value=30000),  # cents
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(STEP, max_size=30))
def test_random_order_streams_replay_to_the_same_state(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, str, int, int]]
) -> None:
    app = Portfolios(StoreConfig.sqlite(tmp_path_factory.mktemp("s") / "events.sqlite"))
    try:
        pid = margin_portfolio(app)
        made: list[Portfolio] = []

        def run(p: Portfolio) -> None:
            for n, (what, ticker, quantity, cents) in enumerate(steps):
                on, q, price = day(n + 1), D(quantity), D(cents) / 100
                with contextlib.suppress(ErasmoError):
                    _step(p, n, what, ticker, q, price, on)
            made.append(p)

        app.change(pid, run)
        replayed = app.portfolio(pid)
        (mine,) = made
        assert (replayed.cash, replayed.shares, replayed.cost) == (
            mine.cash,
            mine.shares,
            mine.cost,
        )
        assert replayed.buying_power == mine.buying_power
        assert app.audit(pid) == []
    finally:
        app.close()


def _step(p: Portfolio, n: int, what: str, ticker: str, q: D, price: D, on: date) -> None:
    if what == "buy":
        p.buy(ticker, q, price, on, how(on), D("1"))
    elif what == "sell":
        p.sell(ticker, q, price, on, how(on), D("1"))
    elif what == "deposit":
        p.deposit(q * 10, on)
    elif what == "withdraw":
        p.withdraw(q * 10, on)
    elif what == "order":
        side = "buy" if n % 2 else "sell"
        reserved = (q * price).quantize(D("0.01")) if side == "buy" else q
        p.place_order(f"{n:032d}", side, ticker, q, "limit", on, reserved, limit=price)
    elif what == "fill" and p.orders():
        order = p.orders()[0]
        p.advance_clock(on) if on > p.clock else None
        p.fill_order(
            order.order_id,
            on,
            price,
            D("1"),
            D("0"),
            PriceProvenance("bundled:skfolio", on, True, "order"),
        )
    elif what == "dividend":
        p.receive_dividend(ticker, price / 100, on)
    elif what == "split":
        p.split(ticker, D("2"), on)
