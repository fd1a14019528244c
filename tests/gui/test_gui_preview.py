"""The ticket's checks are the domain's own: the front door's dry runs, which record nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from erasmo.bootstrap import Erasmo
from events.errors import (
    ClockError,
    DuplicateNameError,
    InsufficientCashError,
    InsufficientSharesError,
    NotATradingDayError,
    NotTradableError,
    UnknownTickerError,
)
from gui.form_checks import (
    BUY,
    DEPOSIT,
    SELL,
    WITHDRAW,
    IncompleteError,
    preview_cash,
    preview_opening,
    preview_trade,
    trade_problem,
)


@pytest.fixture
def tech(erasmo: Erasmo) -> UUID:
    return erasmo.door.open_portfolio("Tech", "10000", "2015-03-02").id


def test_a_valid_buy_previews_the_domain_numbers_and_records_nothing(
    erasmo: Erasmo, tech: UUID
) -> None:
    before = erasmo.app.event_count()
    p = preview_trade(
        erasmo.door, tech, side=BUY, ticker="aapl", quantity="40", on=date(2015, 3, 2),
        fee="4.95",
    )  # fmt: skip
    assert (p.ticker, p.price, p.value, p.fee) == ("AAPL", Decimal("29.08"), Decimal("1163.20"),
                                                   Decimal("4.95"))  # fmt: skip
    assert p.cash_after == Decimal("8831.85")
    assert (p.position_before, p.position_after) == (0, 40)
    assert erasmo.app.event_count() == before
    assert erasmo.app.portfolio(tech).cash == Decimal("10000")


@pytest.mark.parametrize(
    ("side", "ticker", "quantity", "on", "error", "field"),
    [
        (BUY, "AAPL", "1000", date(2015, 3, 2), InsufficientCashError, "quantity"),
        (SELL, "AAPL", "1", date(2015, 3, 2), InsufficientSharesError, "quantity"),
        (BUY, "KO", "5", date(2018, 6, 2), NotATradingDayError, "date"),
        (BUY, "APPL", "5", date(2015, 3, 2), UnknownTickerError, "ticker"),
        (BUY, "^GSPC", "5", date(2015, 3, 2), NotTradableError, "ticker"),
        (BUY, "AAPL", "5", date(2015, 2, 27), ClockError, "date"),
        (BUY, "AAPL", "", date(2015, 3, 2), IncompleteError, "quantity"),
    ],
)
def test_invalid_tickets_name_the_rule_and_the_field(
    erasmo: Erasmo,
    tech: UUID,
    side: str,
    ticker: str,
    quantity: str,
    on: date,
    error: type[Exception],
    field: str,
) -> None:
    with pytest.raises(error) as raised:
        preview_trade(erasmo.door, tech, side=side, ticker=ticker, quantity=quantity, on=on)
    problem = trade_problem(raised.value)
    assert problem.field == field
    assert problem.hint == (error is IncompleteError)
    assert "Traceback" not in problem.message


def test_cash_and_opening_previews(erasmo: Erasmo, tech: UUID) -> None:
    before = erasmo.app.event_count()
    p = preview_cash(erasmo.door, tech, kind=DEPOSIT, amount="500", on=date(2015, 3, 3))
    assert p.cash_after == Decimal("10500")
    with pytest.raises(InsufficientCashError):
        preview_cash(erasmo.door, tech, kind=WITHDRAW, amount="20000", on=date(2015, 3, 3))
    with pytest.raises(DuplicateNameError):
        preview_opening(erasmo.door, {"tech"}, name="TECH", cash="1", on=date(2015, 3, 2))
    opening = preview_opening(erasmo.door, {"tech"}, name=" Value ", cash="", on=date(2015, 3, 2))
    assert (opening.name, opening.cash) == ("Value", 0)  # opened without cash
    assert erasmo.app.event_count() == before
    assert [r.name for r in erasmo.door.portfolios()] == ["Tech"]
