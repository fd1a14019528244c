"""Orders as typed, and the cash a buy holds back, worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from erasmo.simulation.tickets import estimated_cost, parse_order
from events.commission import parse_commission
from events.errors import InvalidOrderError

D = Decimal
FLAT_1 = parse_commission("1")


def test_a_buy_limit_holds_back_its_limit_with_slippage_and_fee() -> None:
    request = parse_order("Buy", "xyz", "10", "LIMIT", "50", None, None, "gtc", None)
    assert (request.side, request.ticker, request.kind, request.limit) == (
        "buy",
        "XYZ",
        "limit",
        D(50),
    )
    # 50 x 1.001 = 50.05 a share; 10 shares = 500.50; plus the flat fee 1
    assert estimated_cost(request, D(48), D(10), FLAT_1) == D("501.50")


def test_a_trailing_buy_by_percent_starts_from_the_last_close() -> None:
    request = parse_order("buy", "XYZ", "10", "trailing", None, None, "5%", "day", None)
    assert (request.trail_amount, request.trail_percent) == (None, D(5))
    # 100 + 5% = 105; x 1.001 = 105.105; x 10 = 1051.05; plus 1
    assert estimated_cost(request, D(100), D(10), FLAT_1) == D("1052.05")


def test_a_stop_buy_uses_the_higher_of_stop_and_close_rounded_up_to_the_cent() -> None:
    request = parse_order("buy", "XYZ", "3", "stop", None, "10.001", None, "day", None)
    # max(10.001, 9) = 10.001 x 3 = 30.003 -> up to 30.01; no commission
    assert estimated_cost(request, D(9), D(0), parse_commission("0")) == D("30.01")


def test_a_wrong_side_is_a_named_error() -> None:
    with pytest.raises(InvalidOrderError, match="is not buy or sell"):
        parse_order("hold", "XYZ", "1", "market", None, None, None, "day", None)
