"""Numbers as people read them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gui import formatting as f


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1234567.891"), "1,234,567.89"),
        (0.0, "0.00"),
        (-0.001, "0.00"),
        (-1500, "−1,500.00"),
        (float("nan"), "—"),
        (None, "—"),
    ],
)
def test_money(value: object, text: str) -> None:
    assert f.money(value) == text  # type: ignore[arg-type]


def test_signed_money_and_percent_carry_signs() -> None:
    assert f.signed_money(1234.5) == "+1,234.50"
    assert f.signed_money(-2.004) == "−2.00"
    assert f.signed_money(0.001) == "0.00"
    assert f.percent(0.12345) == "+12.35 %"
    assert f.percent(-0.5) == "−50.00 %"
    assert f.percent(0.25, signed=False) == "25.00 %"
    assert f.percent(float("inf")) == "—"


def test_quantity_and_price_keep_what_matters() -> None:
    assert f.quantity(Decimal("1250")) == "1,250"
    assert f.quantity(Decimal("2.500000")) == "2.5"
    assert f.quantity(3.0) == "3"
    assert f.price(Decimal("29.08")) == "29.08"
    assert f.price(Decimal("45.452")) == "45.452"
    assert f.price(Decimal("7")) == "7.00"
    assert f.day(date(2018, 6, 1)) == "2018-06-01"
    assert [f.sign(v) for v in (-3, 0, 2.5, None)] == [-1, 0, 1, 0]
