"""The write side's rules for splits and dividends: what they change, what they refuse (recording
nothing), the late-recording rule, and the audit that re-checks them in a stored history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from events.audit import AuditedEvent, audit_portfolio
from events.errors import (
    ClosedPortfolioError,
    CorporateActionError,
    InvalidAmountError,
    InvalidQuantityError,
)
from events.portfolio import Portfolio
from events.values import PriceProvenance

D = Decimal
MON, TUE, WED, THU, FRI = (date(2005, 2, d) for d in (21, 22, 23, 24, 25))


def provenance(day: date) -> PriceProvenance:
    return PriceProvenance("bundled:bokeh", day, adjusted=False)


def holding(quantity: str = "10", price: str = "80.00", on: date = MON) -> Portfolio:
    p = Portfolio.open("Raw", on)
    p.deposit(D("100000"), on)
    p.buy("AAPL", D(quantity), D(price), on, provenance(on))
    p.collect_events()
    return p


def test_split_multiplies_quantity_and_keeps_cost() -> None:
    p = holding("10", "80.00")
    p.split("AAPL", D(2), TUE)
    (position,) = p.positions()
    assert (position.quantity, position.cost_basis) == (D(20), D("800.00"))
    assert position.average_cost == D("40.00")
    assert p.cash == D("99200.00")
    assert p.clock == TUE
    (event,) = p.collect_events()
    assert (event.ticker, event.ratio, event.on) == ("AAPL", D(2), TUE)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("quantity", "ratio", "after"),
    [
        ("10", "1.5", "15"),  # 3:2
        ("3", "1.5", "4.5"),  # fractional shares are kept
        ("10", "0.5", "5"),  # 1:2 reverse split
        ("3", "0.333333", "0.999999"),  # rounded down to a millionth
        ("0.000003", "0.5", "0.000001"),
    ],
)
def test_split_quantities(quantity: str, ratio: str, after: str) -> None:
    p = holding(quantity, "1.00")
    p.split("AAPL", D(ratio), TUE)
    assert p.shares["AAPL"] == D(after)


@pytest.mark.parametrize("ratio", ["0", "-2", "1", "2.0000001", 2.0, "two"])
def test_bad_ratios_record_nothing(ratio: Any) -> None:
    p = holding()
    with pytest.raises(InvalidQuantityError):
        p.split("AAPL", ratio, TUE)
    assert p.collect_events() == []
    assert p.shares == {"AAPL": D(10)}


def test_a_split_to_nothing_is_refused() -> None:
    p = holding("0.000001", "1.00")
    with pytest.raises(CorporateActionError, match="less than a millionth"):
        p.split("AAPL", D("0.5"), TUE)
    assert p.collect_events() == []


@pytest.mark.parametrize(
    ("quantity", "per_share", "cash"),
    [("20", "0.85", "17.00"), ("7", "0.125", "0.88"), ("3", "0.333", "1.00"), ("1", "0.004", "0")],
)
def test_dividend_cash_is_rounded_half_up_to_the_cent(
    quantity: str, per_share: str, cash: str
) -> None:
    p = holding(quantity, "1.00")
    before = p.cash
    p.receive_dividend("AAPL", D(per_share), TUE)
    (event,) = p.collect_events()
    assert event.amount == D(cash)  # type: ignore[attr-defined]
    assert event.quantity == D(quantity)  # type: ignore[attr-defined]
    assert p.cash == before + D(cash)
    assert p.shares == {"AAPL": D(quantity)}


def test_dividend_refusals_record_nothing() -> None:
    p = holding()
    with pytest.raises(CorporateActionError, match="for 11 shares but 'Raw' holds 10"):
        p.receive_dividend("AAPL", D("0.5"), TUE, quantity=D(11))
    with pytest.raises(InvalidAmountError):
        p.receive_dividend("AAPL", D("-0.5"), TUE)
    with pytest.raises(CorporateActionError, match="held no MSFT"):
        p.receive_dividend("MSFT", D("0.5"), TUE)
    with pytest.raises(CorporateActionError, match="held no MSFT"):
        p.split("MSFT", D(2), TUE)
    assert p.collect_events() == []
    p.receive_dividend("AAPL", D("0.5"), TUE)
    with pytest.raises(CorporateActionError, match="already recorded"):
        p.receive_dividend("AAPL", D("0.5"), TUE)
    p.close()
    with pytest.raises(ClosedPortfolioError):
        p.split("AAPL", D(2), WED)


def test_late_actions_need_the_holding_unchanged_since_the_ex_date() -> None:
    p = holding(on=MON)
    p.deposit(D(1), THU)  # the clock moves on; AAPL is untouched since Monday
    p.split("AAPL", D(2), TUE)  # late, and allowed
    assert (p.shares["AAPL"], p.clock) == (D(20), THU)
    p.buy("AAPL", D(1), D("40"), THU, provenance(THU))
    with pytest.raises(CorporateActionError, match="holding changed on 2005-02-24"):
        p.receive_dividend("AAPL", D("0.1"), WED)  # traded after that ex-date
    with pytest.raises(CorporateActionError, match="holding changed"):
        p.split("AAPL", D(2), THU)  # a trade on the ex-date is in post-split terms
    # A dividend on the ex-date of a trade is paid on the holding before that day's trades.
    p.receive_dividend("AAPL", D("0.10"), THU)
    (*_, event) = p.collect_events()
    assert (event.quantity, event.amount) == (D(20), D("2.00"))  # type: ignore[attr-defined]


def test_late_dividend_after_a_sale_of_everything_on_the_ex_date() -> None:
    p = holding("10", on=MON)
    p.sell("AAPL", D(10), D("85"), TUE, provenance(TUE))
    p.receive_dividend("AAPL", D("0.50"), TUE)
    assert p.cash == D("100000") - D("800.00") + D("850.00") + D("5.00")
    with pytest.raises(CorporateActionError, match="held no AAPL"):
        p.receive_dividend("AAPL", D("0.50"), WED)


def test_an_earlier_action_after_a_later_split_is_refused() -> None:
    p = holding(on=MON)
    p.deposit(D(1), FRI)
    p.split("AAPL", D(2), THU)
    with pytest.raises(CorporateActionError, match="holding changed"):
        p.receive_dividend("AAPL", D("0.1"), TUE)  # the shares held on Tuesday were 10, not 20


# -- the audit ------------------------------------------------------------------------------


def audited(*events: tuple[str, dict[str, Any]]) -> list[str]:
    opened: list[tuple[str, dict[str, Any]]] = [
        ("PortfolioOpened", {"name": "Raw", "on": MON, "currency": "USD"}),
        ("CashDeposited", {"amount": D("1000"), "on": MON}),
        ("SharesBought", {"ticker": "AAPL", "quantity": D(10), "price": D("80"),
                          "value": D("800.00"), "fee": D(0), "on": MON}),
    ]  # fmt: skip
    history = [AuditedEvent(v, kind, f) for v, (kind, f) in enumerate([*opened, *events], 1)]
    return [p.message for p in audit_portfolio(history)]


def split(on: date, ratio: str = "2", ticker: str = "AAPL") -> tuple[str, dict[str, Any]]:
    return ("SplitApplied", {"ticker": ticker, "ratio": D(ratio), "on": on})


def dividend(on: date, quantity: str, per: str, amount: str) -> tuple[str, dict[str, Any]]:
    fields = {"ticker": "AAPL", "amount_per_share": D(per), "quantity": D(quantity)}
    return ("DividendReceived", {**fields, "amount": D(amount), "on": on})


def test_audit_accepts_what_the_domain_records() -> None:
    assert audited(split(TUE), dividend(WED, "20", "0.5", "10.00")) == []
    deposit = ("CashDeposited", {"amount": D(1), "on": FRI})
    assert audited(deposit, split(TUE)) == []  # late, AAPL untouched since Monday


def test_audit_finds_broken_action_rules() -> None:
    assert audited(split(TUE, ticker="MSFT")) == [
        "a split of MSFT, which was not held the day before 2005-02-22"
    ]
    assert audited(dividend(TUE, "11", "0.5", "5.50")) == [
        "the dividend is for 11 AAPL but 10 were held"
    ]
    assert audited(dividend(TUE, "10", "0.5", "5.01")) == [
        "amount 5.01 is not quantity x amount per share rounded to the cent"
    ]
    assert audited(split(TUE), split(TUE)) == ["the split of AAPL on 2005-02-22 is recorded twice"]
    sell = ("SharesSold", {"ticker": "AAPL", "quantity": D(1), "price": D("80"),
                           "value": D("80.00"), "fee": D(0), "on": WED})  # fmt: skip
    assert audited(sell, split(TUE)) == [
        "the AAPL holding changed on or after the ex-date 2005-02-22"
    ]
    assert audited(split(TUE, ratio="0")) == [
        "invalid field: Split ratio 0 must be greater than zero."
    ]
